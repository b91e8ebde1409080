// smtp/session.h — the SMTP server's protocol state machine (RFC 5321 with PIPELINING,
// SIZE, 8BITMIME, SMTPUTF8, CHUNKING, DSN, ENHANCEDSTATUSCODES, STARTTLS and AUTH), pure:
// bytes in, replies out, decisions asked of a host. No sockets, no clock, no directory.
//
// The server glue owns one Session per connection. It feeds the bytes the client sent and
// writes what the session appended to output(). Every decision that needs the world —
// whether a sender or a recipient is accepted, where message bytes go, whether a password
// is right — is asked of the SessionHost the session was built with. The quick ones
// (MAIL, RCPT: a few LMDB point lookups) return at once; the slow ones (a password hash,
// the fsync before a message's 250) are asynchronous: the session asks, then waits, and
// the glue later calls complete_auth() or complete_message(). While it waits, feed()
// consumes nothing, so pipelined commands stay in the glue's buffer, and the replies keep
// the commands' order (RFC 2920).
//
// What the session enforces itself: command order (503 5.5.1), syntax (smtp/command.h,
// smtp/params.h, smtp/path.h), the command line length, the message size (SIZE= at MAIL
// and the data itself), the recipient count, the error count (too many → 421 and close),
// end of data only at CR LF "." CR LF (smtp/data_reader.h), BDAT chunk framing, AUTH only
// when offered (over TLS by default), the state reset after STARTTLS (RFC 3207 §4.2).
//
// Not thread-safe: one connection, one thread.
#ifndef MF_SMTP_SESSION_H
#define MF_SMTP_SESSION_H

#include "smtp/command.h"
#include "smtp/data_reader.h"
#include "smtp/reply.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mf::smtp {

// What a listener is for. kMx receives mail for local domains (port 25); kSubmission
// (587, STARTTLS) and kSubmissions (465, TLS from the first byte) take mail from
// authenticated users (RFC 6409, RFC 8314).
enum class Role { kMx, kSubmission, kSubmissions };

struct SessionOptions {
  std::string hostname = "localhost";  // in the greeting and the EHLO reply
  Role role = Role::kMx;
  // Whether STARTTLS can be offered (a TLS context exists for this listener).
  bool starttls_available = false;
  // Whether AUTH is offered: by default on submission only, and only over TLS.
  bool auth_enabled = false;
  bool auth_requires_tls = true;
  // Whether MAIL needs an authenticated client (submission).
  bool auth_required = false;
  // The largest message, in bytes (advertised with SIZE; SIZE= and data beyond → 552).
  uint64_t max_message_bytes = 36700160;
  size_t max_recipients = 1000;    // per message; beyond → 452 4.5.3 (Postfix's default)
  size_t max_command_line = 2048;  // bytes without the line end (Postfix's line_length_limit)
  size_t max_data_line = 998;      // counted, not refused (smtp/data_reader.h)
  unsigned max_errors = 20;        // replies >= 400 before 421 and close (smtpd_hard_error_limit)
  BareLf bare_lf = BareLf::kNormalize;
  BareLfPolicy bare_lf_policy = BareLfPolicy::kAccept;
};

// One accepted recipient, as the client gave it.
struct Recipient {
  Path path;
  RcptParams params;
};

// The envelope of the transaction in progress (RFC 5321 §2.3.1), with what the session
// knows of the client.
struct Envelope {
  std::string helo;  // the HELO/EHLO argument
  bool esmtp = false;
  bool tls = false;              // the session runs over TLS
  std::string authenticated_as;  // the account, when AUTH succeeded
  std::optional<Path> sender;    // set by an accepted MAIL
  MailParams mail_params;
  std::vector<Recipient> recipients;
  bool chunking = false;  // the message came with BDAT
};

// The credentials of an AUTH exchange, decoded.
struct Credentials {
  std::string mechanism;  // "PLAIN" or "LOGIN"
  std::string authzid;    // PLAIN only; empty when the client acts as itself
  std::string login;
  std::string password;
};

// What the session asks of the world. Calls come from within Session::feed() (and
// complete_*()), on the session's thread. A reply a host returns is sent as is.
class SessionHost {
 public:
  virtual ~SessionHost() = default;

  // MAIL passed the session's own checks. Return nullopt to accept (250 2.1.0 Ok) or the
  // refusal (e.g. 553 5.7.1 for a sender the user does not own).
  virtual std::optional<Reply> on_mail(const Envelope& envelope, const MailCommand& mail) = 0;

  // RCPT passed the session's checks (order, syntax, recipient count). Return nullopt to
  // accept (250 2.1.5 Ok) or the refusal (550 5.1.1, 554 5.7.1 relay denied, 452 4.2.2...).
  virtual std::optional<Reply> on_rcpt(const Envelope& envelope, const RcptCommand& rcpt) = 0;

  // The message's data begins (DATA, or the first BDAT). Return nullopt to go on, or a
  // refusal (e.g. 451 4.3.0 when the spool cannot be written); the transaction then ends.
  virtual std::optional<Reply> on_message_start(const Envelope& envelope) = 0;

  // The next bytes of the message, unstuffed (DATA) or as sent (BDAT), in order. Never more
  // than the size limit in all.
  virtual void on_message_bytes(std::string_view bytes) = 0;

  // The data is complete and the session found nothing to refuse. The host stores the
  // message durably, then calls Session::complete_message() with the reply (250 only once
  // it is on disk) — at once or later.
  virtual void on_message_end(const Envelope& envelope, const DataStats& stats) = 0;

  // The message in progress is dropped: refused by the session (size, NUL, bare LF), RSET
  // during BDAT, or the session was abandoned. The host discards what it wrote.
  virtual void on_message_abort() = 0;

  // The client sent credentials. The host checks them off the event loop, then calls
  // Session::complete_auth().
  virtual void on_auth(const Envelope& envelope, const Credentials& credentials) = 0;
};

class Session {
 public:
  // `host` must outlive the session. `tls_from_start` for implicit TLS (port 465).
  Session(SessionOptions options, SessionHost& host, bool tls_from_start = false);
  // Tells the host a message in progress is abandoned (on_message_abort).
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Appends the greeting (220 hostname ESMTP) to output(). Call once, first.
  void start();

  // Reads the client's bytes. Returns how many of `in` it consumed: the glue drains those
  // and gives the rest again with more. It consumes nothing while it waits (waiting()) or
  // once it is closing, and stops right after a STARTTLS that got its 220.
  size_t feed(std::string_view in);

  // The replies to send, in order; the glue sends them and clears the string.
  std::string& output() { return output_; }

  enum class Wait {
    kNone,
    kAuth,      // for complete_auth()
    kMessage,   // for complete_message()
    kStartTls,  // the glue discards any unread input, starts TLS, calls tls_started()
  };
  Wait waiting() const { return wait_; }

  // True once the session has sent its last reply (221, 421): the glue flushes output()
  // and closes the connection.
  bool closing() const { return closing_; }

  // The host's answer to on_message_end(): the reply for DATA or BDAT LAST. Then the
  // transaction is over (the envelope keeps HELO and authentication).
  void complete_message(const Reply& reply);

  // The host's answer to on_auth(): `account` on success (the reply is then 235 2.7.0),
  // or the refusal to send (535 5.7.8, 454 4.7.0...).
  void complete_auth(std::optional<std::string> account, const Reply& refusal);

  // The TLS handshake after STARTTLS succeeded: the session forgets everything the client
  // said before (RFC 3207 §4.2), back to waiting for EHLO.
  void tls_started();

  // The client was idle too long (the glue's timer): 421 4.4.2 and close.
  void timed_out();

  // The glue is shutting down: 421 4.3.2 and close, after the current reply.
  void shutting_down();

  const Envelope& envelope() const { return env_; }
  unsigned errors() const { return errors_; }

 private:
  enum class Mode { kCommand, kDiscardLine, kAuthResponse, kData, kBdat };

  size_t feed_line(std::string_view in);
  void handle_line(std::string_view line);
  void handle_helo(Verb verb, std::string_view argument);
  void handle_mail(std::string_view argument);
  void handle_rcpt(std::string_view argument);
  void handle_data();
  void handle_bdat(std::string_view argument);
  void handle_auth(std::string_view argument);
  void handle_auth_response(std::string_view line);
  void handle_starttls();
  size_t feed_data(std::string_view in);
  size_t feed_bdat(std::string_view in);
  std::optional<Reply> message_precondition() const;
  void finish_message(const DataStats& stats);
  void finish_bdat_chunk();
  bool auth_offered() const;
  Extensions extensions() const;
  void reset_transaction();
  void reply(const Reply& r);
  void reply(int code, std::string_view enhanced, std::string_view text);
  void write_ehlo_reply();

  SessionOptions options_;
  SessionHost& host_;
  std::string output_;
  Envelope env_;
  Mode mode_ = Mode::kCommand;
  Wait wait_ = Wait::kNone;
  bool greeted_ = false;
  bool closing_ = false;
  unsigned errors_ = 0;
  bool message_started_ = false;  // on_message_start() accepted; end or abort not yet told

  // DATA
  std::optional<DataReader> reader_;
  std::string chunk_;  // reader output not yet handed to the host

  // BDAT
  bool in_bdat_ = false;                // a BDAT transaction is open (until LAST or RSET)
  bool bdat_discard_ = false;           // the chunk's bytes are read and dropped
  std::optional<Reply> bdat_failure_;   // the transaction failed: the reply for later chunks
  std::optional<Reply> chunk_failure_;  // the reply for the chunk being read, if refused
  uint64_t bdat_left_ = 0;              // bytes of the current chunk still to read
  bool bdat_last_ = false;
  uint64_t bdat_total_ = 0;

  // AUTH
  Credentials pending_auth_;
  int auth_step_ = 0;  // LOGIN: 1 = waiting for the user name, 2 = for the password
};

}  // namespace mf::smtp

#endif  // MF_SMTP_SESSION_H
