// outbound/smtp_connection.h — one outbound SMTP connection: the I/O glue that runs an
// smtp::ClientSession over a libevent socket (and, after STARTTLS, over the mbedTLS
// bufferevent of net/tls_bufferevent.h) and delivers one or more messages to one
// destination. docs/outbound-connection.md describes the behaviour at more length.
//
// What it does, in order:
//  - tries the route's addresses in order (every address of the first host, then those of
//    the next host). A connect error or timeout, or a failure before any transaction
//    started (greeting 4xx/5xx, EHLO refused, TLS required but impossible, the connection
//    lost or timed out during setup) moves on to the next address, as RFC 5321 §5.1 asks
//    ("try at least two addresses"). Once a transaction has started, a failure ends the
//    connection: the remaining messages stay with the engine, which schedules them again.
//  - with opportunistic TLS, a failed TLS handshake is retried once on the same address
//    without TLS (as Postfix does at security level "may"); with required TLS it fails
//    that address.
//  - once the session is Ready, asks the engine for a message (next_message); none →
//    QUIT, or with idle_before_reuse > 0, waits that long for wake() first.
//  - reports every transaction's recipient results (on_transaction) and, exactly once,
//    the connection's summary (finished).
//
// Timeouts (RFC 5321 §4.5.3.2, names after Postfix's smtp_*_timeout): one timer, armed for
// the session's phase; it restarts whenever the phase changes, a reply is read or a block
// of the message is written (like Postfix, the limits bound each wait for I/O, not a
// whole phase), and its expiry is ClientSession::timed_out().
//
// Memory: the message is read from its BodySource in blocks of body_block_bytes only when
// less than body_buffer_bytes remain unsent, so a 50 MB message never sits in memory.
//
// Ownership and lifetime: create() returns a shared_ptr; from start() until `finished`
// has returned, the connection also holds a reference to itself, so the engine may drop
// its pointer at any time. Callbacks run on the loop's thread, from inside the
// connection: they must not destroy anything the connection uses (the event_base, the TLS
// context); they may call cancel() and wake(). After `finished`, nothing is called again.
// The event_base must outlive the connection.
//
// Not thread-safe: every method must be called on the event_base's thread.
#ifndef MF_OUTBOUND_SMTP_CONNECTION_H
#define MF_OUTBOUND_SMTP_CONNECTION_H

#include "dns/route.h"
#include "net/tls_bufferevent.h"
#include "net/tls_context.h"
#include "smtp/client_session.h"

#include <mailfountain/mail_server.h>
#include <mailfountain/status.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct bufferevent;
struct event;
struct event_base;

namespace mf::outbound {

// Per-phase limits. Defaults: RFC 5321 §4.5.3.2 where it names one, Postfix's otherwise.
struct SmtpTimeouts {
  std::chrono::seconds connect{30};      // smtp_connect_timeout
  std::chrono::seconds greeting{300};    // smtp_helo_timeout (RFC: 5 minutes)
  std::chrono::seconds ehlo{300};        // smtp_helo_timeout
  std::chrono::seconds starttls{300};    // smtp_starttls_timeout: the 220 and the handshake
  std::chrono::seconds auth{300};        // the replies during AUTH
  std::chrono::seconds mail{300};        // smtp_mail_timeout (RFC: 5 minutes)
  std::chrono::seconds rcpt{300};        // smtp_rcpt_timeout (RFC: 5 minutes)
  std::chrono::seconds data_init{120};   // smtp_data_init_timeout (RFC: 2 minutes)
  std::chrono::seconds data_block{180};  // smtp_data_xfer_timeout (RFC: 3 minutes)
  std::chrono::seconds data_done{600};   // smtp_data_done_timeout (RFC: 10 minutes)
  std::chrono::seconds rset{300};        // smtp_rset_timeout
  std::chrono::seconds quit{300};        // smtp_quit_timeout
  // How long a Ready connection waits for wake() when next_message() had nothing
  // (Postfix's connection cache, smtp_connection_cache_time_limit). 0: QUIT at once.
  std::chrono::seconds idle_before_reuse{0};
  // After the conversation, how long unsent bytes (a QUIT, TLS's close_notify) may take.
  std::chrono::seconds close{10};
};

struct SmtpConnectionConfig {
  std::vector<dns::MxHost> hosts;  // in delivery order, addresses resolved; not empty
  uint16_t port = 25;              // the engine overrides it for tests and relay hosts
  // The local address to connect from, per family (an address of the other family is not
  // used for that connection).
  std::optional<dns::IpAddress> bind_ipv4;
  std::optional<dns::IpAddress> bind_ipv6;
  smtp::ClientConfig session;  // HELO name, TLS policy, credentials for a relay host
  // Required unless session.tls is kNever. With TlsVerify::kRequired the MX host name
  // (the SNI sent) must be in the certificate. With TlsPolicy::kOpportunistic a failed
  // handshake, a failed verification included, is retried in plain text: to enforce
  // verification, use TlsPolicy::kRequired with TlsVerify::kRequired.
  std::shared_ptr<net::TlsClientContext> tls;
  SmtpTimeouts timeouts;
  size_t body_block_bytes = 64 * 1024;    // one read from the BodySource
  size_t body_buffer_bytes = 256 * 1024;  // refill the output below this many unsent bytes
};

// The result of the engine's 7-bit downgrade of a message (mime/downgrade.h).
struct DowngradedBody {
  std::unique_ptr<smtp::BodySource> body;
  std::optional<uint64_t> size;  // the downgraded message's size, if known
};

// One message for this destination. The connection owns it, body included, until its
// TransactionReport has been delivered.
struct OutboundMessage {
  uint64_t tag = 0;  // the engine's own identifier, given back in TransactionReport
  smtp::ClientEnvelope envelope;
  std::unique_ptr<smtp::BodySource> body;  // read once, from the start
  // Called at most once, when the peer lacks 8BITMIME and the envelope says 8BITMIME:
  // the same message downgraded to 7 bit. An error defers the recipients. Unset: the
  // recipients are deferred with "8BITMIME not offered and no downgrade available".
  std::function<Result<DowngradedBody>()> downgrade;
};

// Where a conversation went: "mx.example.net[192.0.2.1]:25", Postfix's relay= form.
std::string relay_name(const dns::MxHost& host, const dns::IpAddress& ip, uint16_t port);

// One transaction's end: the session's TransactionDone with where it happened.
struct TransactionReport {
  uint64_t tag = 0;                            // OutboundMessage::tag
  std::vector<smtp::RecipientResult> results;  // one per envelope recipient, in order
  std::string relay;                           // "mx.example.net[192.0.2.1]:25"
  std::optional<net::TlsSessionInfo> tls;      // set when the transaction ran over TLS
  bool downgraded = false;                     // the 7-bit downgrade was sent
};

// Why one address was given up, or why the connection ended badly.
struct ConnectionFailure {
  std::string relay;       // as in TransactionReport ("" if no address was tried)
  std::string phase;       // "connect", or client_phase_name() of the session's phase
  smtp::Reply reply;       // the peer's reply, or ours ("451 4.4.1 connect to ...: refused")
  bool permanent = false;  // only a 5xx at greeting or EHLO/HELO
  bool remote = false;     // the reply came from the peer
};

struct ConnectionSummary {
  bool connected = false;   // a TCP connection was established to some address
  std::string relay;        // the last address connected to ("" if none)
  size_t transactions = 0;  // transactions reported through on_transaction
  // Set when the last address failed, or when the conversation failed after a
  // transaction started (then `transactions` > 0): the failure that ended it.
  std::optional<ConnectionFailure> failure;
  // Every address given up, in order (the last one is `failure` when all failed).
  std::vector<ConnectionFailure> attempts;
  bool cancelled = false;                  // cancel() ended it
  std::optional<net::TlsSessionInfo> tls;  // the last session's TLS, when it had TLS
  size_t tls_discarded_bytes = 0;          // bytes sent after "220" to STARTTLS, dropped
};

struct SmtpConnectionCallbacks {
  // The next message for this destination, or nullopt for none now. Required.
  std::function<std::optional<OutboundMessage>()> next_message;
  // Each transaction's results. Required.
  std::function<void(const TransactionReport&)> on_transaction;
  // Exactly once, last. Required.
  std::function<void(const ConnectionSummary&)> finished;
  // Log lines in Postfix's manner ("connect to ...: Connection refused"). Optional.
  LogSink log;
};

class SmtpConnection : public std::enable_shared_from_this<SmtpConnection> {
 public:
  // Checks the configuration (hosts with addresses, a TLS context when TLS may be used,
  // the session's settings) and the callbacks; kInvalidArgument naming the fault.
  static Result<std::shared_ptr<SmtpConnection>> create(event_base* base,
                                                        SmtpConnectionConfig config,
                                                        SmtpConnectionCallbacks callbacks);

  ~SmtpConnection();
  SmtpConnection(const SmtpConnection&) = delete;
  SmtpConnection& operator=(const SmtpConnection&) = delete;

  // Connects to the first address. Callbacks may run from inside start() (every address
  // failing at once). Called once.
  void start();

  // Daemon shutdown: no new message is asked for; when idle, QUIT is sent and the socket
  // closed once it is written; a transaction in progress is abandoned (its open
  // recipients deferred through on_transaction). `finished` follows with cancelled = true,
  // possibly from inside cancel(). Harmless after the end.
  void cancel();

  // The engine has a message for this destination again: a connection waiting idle
  // (idle_before_reuse) asks next_message() at once. Ignored otherwise.
  void wake();

 private:
  enum class Stage { kNew, kConnecting, kSession, kClosing, kDone };

  SmtpConnection(event_base* base, SmtpConnectionConfig config, SmtpConnectionCallbacks callbacks);

  // Addresses.
  void connect_next();
  bool connect_address();
  void connect_failed(const std::string& why);
  void end_attempt();
  void finish();
  // The session's loop (smtp/client_session.h).
  void process();
  bool feed_input();
  bool drain_events();
  void handle_event(smtp::ClientEvent& event);
  void on_ready();
  void start_message();
  void on_downgrade();
  void refuse_message(const smtp::Reply& reply, smtp::Delivery delivery);
  void on_start_tls(size_t discarded);
  bool fill_body();
  void flush();
  void close_socket();
  void free_socket();
  // Timers and libevent.
  void arm_timer(bool progressed);
  void arm(std::chrono::seconds limit);
  std::chrono::seconds phase_limit(smtp::ClientPhase phase) const;
  void on_write();
  void on_event(short what);
  void on_timer();
  size_t unsent() const;
  std::string relay() const;
  void log(LogLevel level, const std::string& line);

  static void read_cb(bufferevent* bev, void* arg);
  static void write_cb(bufferevent* bev, void* arg);
  static void event_cb(bufferevent* bev, short what, void* arg);
  static void timer_cb(int fd, short what, void* arg);

  event_base* base_;
  SmtpConnectionConfig config_;
  SmtpConnectionCallbacks callbacks_;
  std::shared_ptr<SmtpConnection> self_;  // from start() until `finished` returned

  Stage stage_ = Stage::kNew;
  // The address being tried: config_.hosts[host_].addresses[addr_].
  size_t host_ = 0;
  size_t addr_ = 0;
  bool picked_ = false;            // connect_next() has picked an address before
  bool plain_retry_ = false;       // this attempt repeats the address without TLS
  bool retry_plain_next_ = false;  // the next attempt repeats this address without TLS
  bufferevent* bev_ = nullptr;
  net::TlsConnection* tls_ = nullptr;
  std::optional<net::TlsSessionInfo> tls_info_;  // once the handshake has completed
  event* timer_ = nullptr;
  std::optional<smtp::ClientSession> session_;
  std::optional<smtp::ClientPhase> armed_phase_;

  std::optional<OutboundMessage> message_;  // the message of the open transaction
  bool downgraded_ = false;
  size_t attempt_transactions_ = 0;  // transactions started on this connection
  std::optional<ConnectionFailure> attempt_failure_;
  std::string local_reason_;   // a socket or TLS error that explains a lost connection
  bool idle_waiting_ = false;  // Ready, nothing to send, waiting for wake()
  bool wake_pending_ = false;
  bool cancelled_ = false;
  bool quit_sent_ = false;   // cancel()'s QUIT (or abandonment) was asked of the session
  bool processing_ = false;  // inside process(): a nested call only sets again_
  bool again_ = false;
  ConnectionSummary summary_;
};

}  // namespace mf::outbound

#endif  // MF_OUTBOUND_SMTP_CONNECTION_H
