// pop3/session.h — one POP3 connection's protocol state machine (RFC 1939 with RFC 2449
// CAPA and response codes, RFC 2595 STLS, RFC 5034 AUTH PLAIN, RFC 3206 codes): bytes in,
// responses out. No sockets, no event loop, no store: the server glue feeds what the
// client sent, writes output(), answers the waits, and implements the SessionHost and the
// Maildrop (pop3/maildrop.h) over the mailbox store.
//
// States (RFC 1939 §3): AUTHORIZATION until a login succeeds and the maildrop is opened;
// TRANSACTION, where the client lists, reads and marks messages deleted; UPDATE at QUIT,
// which removes the marked messages and ends the session. A session that ends any other
// way (the connection drops, a timeout, a shutdown, too many bad commands) removes
// nothing.
//
// Login: USER/PASS and AUTH PLAIN, only over TLS (STLS on port 110, or TLS from the first
// byte on 995): before it, both get "-ERR [AUTH] Plaintext authentication disallowed on
// non-secure (SSL/TLS) connections." and CAPA lists neither USER nor SASL. APOP is not
// supported (no shared secrets are stored). An authorisation identity other than the login
// is refused like a wrong password: there are no master users.
//
// Two halves, never at the same time, as in imap::Session:
//   - the loop half: start(), feed(), complete_login(), tls_started(), finish_work(),
//     timed_out(), shut_down(). It reads lines, parses commands and answers everything
//     that needs no store: CAPA, STLS, USER, PASS, AUTH, and in TRANSACTION STAT, LIST,
//     UIDL, DELE, RSET and NOOP, which read the list taken at opening and the session's own
//     deletion marks.
//   - the work half: run_work(), on the glue's worker thread when waiting() is kWork. It
//     does what touches the store: opening the maildrop after login (lock and list),
//     reading a message for RETR and TOP, the deletions at QUIT. A RETR runs in slices of
//     about slice_bytes of output: after finish_work() the session may be kWork again, and
//     the glue runs the next slice once the client has read what was sent, so a large
//     message is never whole in memory.
// While the session waits (login, work, STLS), feed() consumes nothing: pipelined commands
// (RFC 2449 PIPELINING) stay in the glue's buffer and are answered in order.
//
// Not thread-safe beyond the two halves above.
#ifndef MF_POP3_SESSION_H
#define MF_POP3_SESSION_H

#include <mailfountain/mail_server.h>

#include "pop3/command.h"
#include "pop3/line_reader.h"
#include "pop3/maildrop.h"
#include "pop3/message_writer.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mf::pop3 {

struct SessionOptions {
  bool tls = false;                // TLS from the first byte (port 995)
  bool starttls_available = true;  // STLS can be offered (port 110 with a certificate)
  // The longest command line, CRLF included. RFC 2449 §4 says 255 octets; clients that
  // send a little more are served, as Dovecot does.
  size_t max_command_line = 512;
  // The longest AUTH continuation line, CRLF included: a PLAIN response with three
  // 255-octet fields is 1024 octets of base64.
  size_t max_auth_line = 2048;
  uint32_t max_bad_commands = 20;   // "-ERR" for syntax or state, then close
  size_t slice_bytes = 256 * 1024;  // RETR/TOP output one run_work() produces at most
  size_t read_bytes = 64 * 1024;    // octets asked of Maildrop::read() at a time
};

// What the login check found.
enum class LoginOutcome {
  kOk,         // the account (given to complete_login) may log in
  kFailed,     // wrong credentials, a disabled account, the administrator: all the same
  kThrottled,  // too many recent failures from this client (mta/auth_throttle.h)
  kTemporary,  // the directory could not be read
};

class SessionHost {
 public:
  virtual ~SessionHost() = default;
  // USER/PASS or AUTH PLAIN: check the credentials, possibly later, then call
  // complete_login() on the loop. `mechanism` is "USER" or "PLAIN". Called on the loop.
  virtual void check_login(const std::string& login, const std::string& password,
                           std::string_view mechanism) = 0;
  // Locks `account`'s maildrop and lists it (pop3/maildrop.h). Called on the work half.
  virtual MaildropOpening open_maildrop(const std::string& account) = 0;
  // A line for the server's log. Called on either half.
  virtual void log(LogLevel level, std::string_view line) = 0;
};

class Session {
 public:
  // `host` must outlive the session.
  Session(SessionOptions options, SessionHost& host);
  ~Session();  // destroys the maildrop, if open: the lock is released, nothing deleted
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Writes the greeting ("+OK MailFountain POP3 server ready."). Call once, first.
  void start();

  // Reads client bytes; returns how many were consumed (the glue keeps the rest and feeds
  // it again later). Stops early when the session waits or closes; after STLS's +OK it
  // stops right after that line, and the glue discards what follows (plaintext the client
  // pipelined must not be read as if it came over TLS, RFC 2595 §4).
  size_t feed(std::string_view in);

  enum class Wait {
    kNone,      // feed more bytes
    kLogin,     // check_login() was called; complete_login() comes next
    kWork,      // run run_work() on a worker thread, then finish_work()
    kStartTls,  // discard unread input, start TLS, then call tls_started()
  };
  Wait waiting() const { return wait_; }

  enum class State { kAuthorization, kTransaction, kUpdate };
  State state() const { return state_; }
  // The logged-in account (empty in AUTHORIZATION).
  const std::string& account() const { return account_; }

  // The work half (see the file comment). Called only while waiting() is kWork; the glue
  // calls nothing else on the session until finish_work() returned.
  void run_work();
  void finish_work();

  // The host's answer to check_login(). Ignored unless waiting() is kLogin.
  void complete_login(LoginOutcome outcome, const std::string& account);
  // The TLS handshake after STLS succeeded. Ignored unless waiting() is kStartTls.
  void tls_started();
  // The client was silent too long (RFC 1939 §3's autologout): "-ERR" and close, without
  // UPDATE.
  void timed_out();
  // The server stops: "-ERR" and close, after the work in progress; without UPDATE.
  void shut_down();

  // Bytes to send; the glue takes them (and clears the string).
  std::string& output() { return output_; }
  // The session has said its last line: send the output, then close.
  bool closing() const { return closing_; }

 private:
  enum class Job { kOpen, kRetrieve, kQuit };
  struct Transfer;

  // ---- the loop half
  void handle_line(std::string_view line);
  void handle(Command cmd);
  void handle_authorization(Command& cmd);
  void handle_transaction(const Command& cmd);
  void handle_auth_response(std::string_view line);
  void auth(const Command& cmd);
  void finish_plain(std::string_view response);
  void start_login(std::string login, std::string password, std::string_view mechanism);
  void start_work(Job job);
  void bad_command(std::string_view text);
  void write_capabilities();
  bool plaintext_refused();  // writes the refusal when the connection is not over TLS
  // The message `number` names, if it exists and is not deleted; writes the -ERR if not.
  std::optional<size_t> message_index(uint32_t number);
  void close_with(std::string_view line);

  // ---- the work half
  void work_open();
  void work_retrieve();
  void work_quit();

  static bool valid_listing(const std::vector<MaildropEntry>& messages);

  SessionOptions options_;
  SessionHost& host_;
  LineReader reader_;
  std::string output_;
  std::string work_;  // what run_work() wrote; moved into output_ by finish_work()
  Wait wait_ = Wait::kNone;
  State state_ = State::kAuthorization;
  bool closing_ = false;
  bool close_after_work_ = false;  // the work half failed mid-response, or shut_down() came
  std::string close_line_;         // written at finish_work() when closing after work
  bool tls_ = false;
  uint32_t bad_commands_ = 0;
  std::optional<std::string> user_;  // USER's name, until PASS
  bool auth_pending_ = false;        // AUTH PLAIN sent "+ " and waits for the response
  std::string account_;

  std::unique_ptr<Maildrop> maildrop_;
  std::vector<bool> deleted_;  // per message of the list, the client's DELE marks
  uint32_t deleted_count_ = 0;
  uint64_t deleted_octets_ = 0;

  Job job_ = Job::kOpen;
  std::unique_ptr<Transfer> transfer_;  // RETR/TOP in progress
};

}  // namespace mf::pop3

#endif  // MF_POP3_SESSION_H
