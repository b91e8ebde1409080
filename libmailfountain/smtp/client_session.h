// smtp/client_session.h — the SMTP client's protocol state machine (RFC 5321 with
// PIPELINING, SIZE, 8BITMIME, SMTPUTF8, DSN, STARTTLS, AUTH PLAIN/LOGIN and
// ENHANCEDSTATUSCODES), pure: the server's bytes in, the bytes to send and events out.
// No sockets, no clock, no TLS: the delivery glue owns those and one ClientSession per
// connection. docs/smtp.md "The SMTP client core" describes the conversation.
//
// The glue's loop, after connecting and after every call it makes:
//   - send output() and clear it;
//   - handle take_events(): Ready → start_transaction() or quit(); StartTls → run the TLS
//     handshake, then tls_started(); DowngradeNeeded → start the transaction again with a
//     7-bit body; TransactionDone → record each recipient's result; ConnectionFailed →
//     tell the scheduler about the destination; Closed → close the socket;
//   - while wants_body(), call write_body() whenever its send buffer runs low;
//   - arm the timeout of phase() (RFC 5321 §4.5.3.2) and call timed_out() when it fires,
//     connection_lost() when the server closes or the socket fails.
//
// What the session decides: command order and pipelining (MAIL, every RCPT and DATA in
// one group when PIPELINING is offered, else one at a time); whether to STARTTLS and AUTH;
// which parameters to send; refusing a transaction the peer cannot take (SMTPUTF8 needed
// but missing → 5.6.7, SIZE over the peer's limit → 5.3.4) without sending it; asking for a
// 7-bit downgrade when 8BITMIME is missing; DATA only when a recipient was accepted, RSET
// after a failed transaction; each recipient's result. What it leaves to the glue: timers,
// TLS, reading the message, the count of messages per connection, and what a failure
// means for the destination (next MX, backoff).
//
// Not thread-safe: one connection, one thread. Movable, not copyable.
#ifndef MF_SMTP_CLIENT_SESSION_H
#define MF_SMTP_CLIENT_SESSION_H

#include "mailfountain/status.h"
#include "smtp/client_envelope.h"
#include "smtp/dot_stuffer.h"
#include "smtp/ehlo_caps.h"
#include "smtp/reply.h"
#include "smtp/reply_parser.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace mf::smtp {

enum class TlsPolicy {
  kNever,          // never STARTTLS
  kOpportunistic,  // STARTTLS when offered; go on in plain text when not, or when refused
  kRequired,       // no mail without TLS: not offered or refused → the connection fails
};

struct ClientCredentials {
  std::string user;      // 1 to 255 octets, no NUL
  std::string password;  // 1 to 255 octets, no NUL
};

struct ClientConfig {
  std::string helo_name;  // our name in EHLO/HELO: an ASCII domain or address literal
  TlsPolicy tls = TlsPolicy::kOpportunistic;
  // When set, the peer must take AUTH (PLAIN preferred, else LOGIN): a relay host that
  // needs it refuses mail without it, and sending unauthenticated would turn a
  // configuration mistake into bounces. Without a usable mechanism the connection fails
  // temporarily.
  std::optional<ClientCredentials> credentials;
  // Credentials are sent only over TLS unless this is false (a relay on a trusted link).
  bool auth_requires_tls = true;
  ReplyParserLimits reply_limits;
};

// What the session waits for, so that the glue arms the right timeout (RFC 5321 §4.5.3.2
// names greeting, MAIL, RCPT, DATA initiation, data block and data termination; Postfix
// adds HELO, STARTTLS, AUTH, RSET and QUIT).
enum class ClientPhase {
  kGreeting,      // the 220 greeting
  kEhlo,          // the reply to EHLO or HELO
  kStartTls,      // the reply to STARTTLS
  kTlsHandshake,  // the glue's TLS handshake (after StartTls, until tls_started())
  kAuth,          // a reply during AUTH
  kIdle,          // nothing: ready for a transaction (the glue's reuse timer)
  kMail,          // the reply to MAIL (the oldest reply awaited in a pipelined group)
  kRcpt,          // a reply to RCPT
  kDataInit,      // the 354 to DATA
  kDataBlock,     // the glue writes the message (write_body)
  kDataDone,      // the reply to the final "."
  kRset,          // the reply to RSET
  kQuit,          // the reply to QUIT
  kClosed,        // the conversation is over
};

// "greeting", "ehlo", ..., "data-block", ... as above in lower case, for logs.
std::string_view client_phase_name(ClientPhase phase);

// A recipient's fate in one transaction.
enum class Delivery { kDelivered, kDeferred, kBounced };

// What gave the result, for logs and DSNs ("in reply to RCPT TO command").
enum class Stage {
  kLocal,       // the session decided without asking the peer (5.6.7, 5.3.4)
  kConnection,  // the connection failed (421, lost, timeout, protocol error)
  kMail,        // the reply to MAIL
  kRcpt,        // the reply to this recipient's RCPT
  kData,        // the reply to DATA
  kDataEnd,     // the reply to the final "."
};

struct RecipientResult {
  std::string address;  // as in the envelope
  Delivery delivery = Delivery::kDeferred;
  Reply reply;  // the peer's reply condensed (ServerReply::condensed), or ours
  Stage stage = Stage::kLocal;
  bool remote = false;  // the reply came from the peer (a DSN's Diagnostic-Code)
};

namespace client_event {
// The session is idle: start a transaction or quit.
struct Ready {};
// The server said 220 to STARTTLS: start the TLS handshake, then call tls_started().
// `discarded_bytes` is how many bytes the server sent after that 220 in the same read:
// they are dropped (a man in the middle could have injected them before TLS protects the
// stream; the STARTTLS injection class, CVE-2011-0411), and worth a log line when not 0.
struct StartTls {
  size_t discarded_bytes = 0;
};
// The message has 8-bit content and the peer lacks 8BITMIME: nothing was sent; give the
// message core's 7-bit downgrade with Body::k7Bit to start_transaction().
struct DowngradeNeeded {};
// A transaction ended: one result per envelope recipient, in envelope order.
struct TransactionDone {
  std::vector<RecipientResult> results;
};
// The connection failed as a whole (greeting refused, TLS or AUTH impossible, 421,
// lost, timed out, protocol error). A pending transaction's open recipients were
// deferred just before (TransactionDone). `permanent` only for a 5xx at greeting or
// EHLO/HELO: whether that bounces or tries the next MX is the scheduler's decision.
struct ConnectionFailed {
  ClientPhase phase = ClientPhase::kGreeting;
  Reply reply;
  bool permanent = false;
  bool remote = false;
};
// The conversation is over: close the socket once output() is sent.
struct Closed {};
}  // namespace client_event

using ClientEvent = std::variant<client_event::Ready, client_event::StartTls,
                                 client_event::DowngradeNeeded, client_event::TransactionDone,
                                 client_event::ConnectionFailed, client_event::Closed>;

// One line describing an event, for logs and tests ("ready", "closed",
// "rcpt a@b.example deferred 450 4.2.0 Busy (rcpt, remote)"...). Never contains
// credentials.
std::string describe(const ClientEvent& event);

// Where the message comes from, read in chunks by write_body().
class BodySource {
 public:
  virtual ~BodySource() = default;
  // Appends at most `max` (> 0) next bytes of the message, as stored (CR LF line ends,
  // not dot-stuffed), to `out` and returns how many; 0 when the message is complete. An
  // error (e.g. the disk) abandons the transaction: its recipients are deferred and the
  // connection is closed without ending the data, so the peer discards the message.
  virtual Result<size_t> read(std::string& out, size_t max) = 0;
};

class ClientSession {
 public:
  // A session for a connection just established: it waits for the greeting.
  // kInvalidArgument for a HELO name that is not an ASCII domain or address literal, or
  // credentials out of bounds.
  static Result<ClientSession> create(ClientConfig config);

  ClientSession(ClientSession&&) = default;
  ClientSession& operator=(ClientSession&&) = default;

  // Reads the server's bytes; returns how many of `in` it consumed. It stops right after
  // it gave the turn to the glue — a Ready event, or the body wanted (wants_body()) — so
  // that the glue acts first; give the rest again afterwards (bytes read while idle or
  // while the body is written are unsolicited replies, which end the connection). After
  // StartTls, everything is consumed and dropped, as is anything fed before
  // tls_started(); after Closed, everything is consumed and ignored.
  size_t feed(std::string_view in);

  // The bytes to send, in order; the glue sends them and clears the string.
  std::string& output() { return output_; }

  // The events since the last call, in order.
  std::vector<ClientEvent> take_events();

  ClientPhase phase() const;

  // Starts a transaction; allowed only while idle (after Ready), else
  // kFailedPrecondition. kInvalidArgument when check_envelope() refuses the envelope.
  // `body` must outlive the transaction (until its TransactionDone). When the message
  // cannot go to this peer the results come at once (TransactionDone, then Ready) or
  // DowngradeNeeded; nothing is sent then.
  Status start_transaction(const ClientEnvelope& envelope, BodySource& body);

  // Whether the session wants the message now (phase kDataBlock).
  bool wants_body() const { return state_ == State::kBody; }

  // Reads up to `max_bytes` (> 0) of the message from the BodySource and appends it,
  // dot-stuffed, to output(); after the last byte, the end of data too. Does nothing
  // unless wants_body().
  void write_body(size_t max_bytes);

  // The glue's TLS handshake succeeded: the session forgets the capabilities (RFC 3207
  // §4.2) and sends EHLO again. Ignored unless the phase is kTlsHandshake. (A failed
  // handshake is connection_lost().)
  void tls_started();

  // Ends the conversation: QUIT when idle; otherwise the connection is abandoned (a
  // transaction's open recipients deferred, then Closed).
  void quit();

  // The server closed the connection or the socket failed / the phase's timer fired.
  // Open recipients are deferred (4.4.2), ConnectionFailed unless the session was idle
  // or quitting, then Closed.
  void connection_lost();
  void timed_out();

  const Capabilities& capabilities() const { return caps_; }
  bool tls_active() const { return tls_; }
  bool authenticated() const { return authenticated_; }

 private:
  enum class State { kSetup, kTlsHandshake, kIdle, kTransaction, kBody, kQuitting, kClosed };
  enum class Cmd {
    kGreeting,
    kEhlo,
    kHelo,
    kStartTls,
    kAuthPlain,
    kAuthLogin,
    kMail,
    kRcpt,
    kData,
    kDataEnd,
    kDataEndDiscard,
    kRset,
    kQuit
  };

  struct Transaction {
    ClientEnvelope envelope;
    BodySource* body = nullptr;
    std::vector<std::optional<RecipientResult>> results;  // set once final
    std::vector<bool> accepted;                           // RCPT got a 2xx
    size_t accepted_count = 0;
    size_t next_rcpt = 0;  // without PIPELINING: the next RCPT to send
    std::optional<Reply> mail_refusal;
    DotStuffer stuffer;
  };

  explicit ClientSession(ClientConfig config);

  void handle_reply(const ServerReply& reply);
  void handle_setup_reply(Cmd cmd, const ServerReply& reply);
  void handle_transaction_reply(Cmd cmd, const ServerReply& reply);
  void after_ehlo();
  void after_tls_decision();
  void send(std::string_view line, Cmd expect);
  void send_rcpt(size_t index);
  void ready();
  void set_result(size_t index, Delivery delivery, const Reply& reply, Stage stage, bool remote);
  void fail_accepted(const Reply& reply, Stage stage);
  void end_transaction(bool reset);
  void fail_connection(const Reply& reply, bool permanent, bool remote, bool send_quit);
  void protocol_error(std::string_view why);
  void close();
  void emit(ClientEvent event) { events_.push_back(std::move(event)); }

  ClientConfig config_;
  ReplyParser parser_;
  std::string output_;
  std::vector<ClientEvent> events_;
  State state_ = State::kSetup;
  std::deque<Cmd> pending_;  // the replies awaited, oldest first
  Capabilities caps_;
  bool tls_ = false;
  bool authenticated_ = false;
  bool stop_ = false;                          // feed() gives the turn to the glue
  bool starttls_accepted_ = false;             // the 220 to STARTTLS was just read
  std::optional<ClientPhase> replying_phase_;  // set while a reply is handled
  int login_step_ = 0;  // AUTH LOGIN: 0 = AUTH sent, 1 = user name sent, 2 = password sent
  std::optional<Transaction> txn_;
};

}  // namespace mf::smtp

#endif  // MF_SMTP_CLIENT_SESSION_H
