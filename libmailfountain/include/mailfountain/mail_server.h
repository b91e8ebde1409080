// mailfountain/mail_server.h — the MTA engine: SMTP listeners for receiving (MX, port 25)
// and submission (587 with STARTTLS, 465 with TLS from the first byte), local delivery
// into the mailbox store, IMAP (143 with STARTTLS, 993 with TLS from the first byte) and
// POP3 (110 with STLS, 995) listeners for reading it, and an HTTP listener for mail
// clients' autoconfiguration, on an event loop the embedder owns.
//
// A MailServer runs on one libevent event_base, given by the embedder (mailfountaind's, or
// a product's own): every callback of the server runs on that loop's thread, and every
// method must be called from it. Blocking work (password hashing, fsync) runs on worker
// threads and comes back to the loop. Several MailServers may run in one process (on one
// Context or on several): none keeps global state.
//
// Configuration comes as a ServerConfig value; defaults are what a careful small site
// wants, so an empty config plus listeners is a working server. mailfountaind reads it
// from a TOML file (docs/mailfountaind.md documents every key).
#ifndef MAILFOUNTAIN_MAIL_SERVER_H
#define MAILFOUNTAIN_MAIL_SERVER_H

#include <mailfountain/context.h>
#include <mailfountain/export.h>
#include <mailfountain/status.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct event_base;

namespace mf {

enum class ListenerRole {
  kMx,           // port 25: mail for local domains; STARTTLS offered; relays only for
                 // trusted networks and authenticated clients
  kSubmission,   // port 587: STARTTLS, then AUTH, then mail from the user (RFC 6409)
  kSubmissions,  // port 465: TLS from the first byte (RFC 8314), then AUTH
  kImap,         // port 143: IMAP (RFC 9051); STARTTLS, then LOGIN or AUTHENTICATE
  kImaps,        // port 993: IMAP with TLS from the first byte (RFC 8314)
  kPop3,         // port 110: POP3 (RFC 1939); STLS, then USER/PASS or AUTH PLAIN
  kPop3s,        // port 995: POP3 with TLS from the first byte (RFC 8314)
  kHttp,         // port 80: HTTP, mail-client autoconfiguration (docs/autoconfig.md); its
                 // connections are not in ServerStatus::connections nor the SmtpLimits
};
// "smtp", "submission", "submissions", "imap", "imaps", "pop3", "pop3s", "http".
MF_EXPORT std::string_view listener_role_name(ListenerRole role);

struct ListenerConfig {
  ListenerRole role = ListenerRole::kMx;
  std::string address = "127.0.0.1";  // an IPv4 or IPv6 address literal
  uint16_t port = 0;                  // 0 picks a free port (tests); see ServerStatus
};

struct TlsConfig {
  // PEM files. When both are empty, the server uses DATA_DIR/tls/self-signed.{crt,key},
  // generating them for the host name at the first start.
  std::string cert_file;
  std::string key_file;
};

struct SmtpLimits {
  uint64_t max_message_bytes = 36700160;      // 35 MiB; SIZE= and data beyond → 552 5.3.4
  uint32_t max_recipients = 1000;             // per message; beyond → 452 4.5.3
  uint32_t max_command_line = 2048;           // bytes; longer → 500 5.5.2
  uint32_t max_header_bytes = 1 << 20;        // the message header; larger → 552 5.3.4
  uint32_t max_received_headers = 50;         // more → 554 5.4.6 (a mail loop)
  uint32_t max_errors = 20;                   // bad commands before 421 and close
  uint32_t max_connections = 10000;           // in all; beyond, new connections get 421
  uint32_t max_connections_per_address = 50;  // per client IP address
  uint32_t command_timeout_seconds = 300;     // RFC 5321 §4.5.3.2: at least 5 minutes
  uint32_t data_timeout_seconds = 600;        // between bytes of a message's data
};

// The IMAP server's limits (docs/imap.md).
struct ImapConfig {
  uint64_t max_append_bytes = 36700160;  // one APPENDed message (APPENDLIMIT, RFC 7889)
  uint32_t login_timeout_seconds = 180;  // silence allowed before login
  uint32_t idle_timeout_seconds = 1800;  // after login (RFC 9051 §5.4: at least 30 minutes)
  uint32_t max_bad_commands = 20;        // then BYE
  uint32_t workers = 4;                  // threads running the sessions' store work
  // Open IMAP connections per client address (mail clients keep several per account;
  // SmtpLimits::max_connections counts them in the total).
  uint32_t max_connections_per_address = 500;
};

// The POP3 server's limits (docs/pop3.md). Its store work runs on the IMAP workers
// (ImapConfig::workers), and its connections count in ImapConfig's per-address limit.
struct Pop3Config {
  uint32_t login_timeout_seconds = 180;  // silence allowed before login
  uint32_t idle_timeout_seconds = 600;   // after login (RFC 1939 §3: at least 10 minutes)
  uint32_t max_bad_commands = 20;        // then -ERR and close
};

// Sending limits of an authenticated account, over a sliding hour. 0 means no limit.
struct SendingLimits {
  uint32_t messages_per_hour = 300;
  uint32_t recipients_per_hour = 1000;
};

// Failed logins are slowed per (client address, login) and per client address: each
// failure adds a delay, and after `lockout_after` failures of one pair that pair is refused
// for `lockout_seconds` — never the account for everyone.
struct AuthThrottleConfig {
  uint32_t delay_step_ms = 500;  // added per recent failure, up to max_delay_ms
  uint32_t max_delay_ms = 5000;
  uint32_t lockout_after = 10;  // failures of one (address, login) pair
  uint32_t lockout_seconds = 900;
  uint32_t per_address_lockout_after = 50;  // failures from one address, any login
  uint32_t window_seconds = 3600;           // failures older than this are forgotten
};

// Limits of the outbound scheduler for one destination (docs/outbound.md "Scheduling").
struct DestinationLimitsConfig {
  uint32_t max_connections = 20;
  uint32_t initial_connections = 5;  // slow start begins here
  uint32_t messages_per_connection = 100;
  uint32_t messages_per_minute = 0;  // 0: no rate limit
  uint32_t failures_before_dead = 5;
  uint32_t dead_seconds = 300;
};

// How the mail of one sending domain presents itself to destinations: empty fields take
// the general helo_name / bind_address.
struct SendingIdentityConfig {
  std::string helo_name;
  std::string bind_address;  // a local IPv4 or IPv6 address
};

// Outbound delivery: the queue's delivery engine (docs/outbound.md).
struct OutboundConfig {
  bool enabled = true;  // false: mail is queued but nothing is sent (mfctl queue shows it)
  // Name servers for MX lookups, "ADDR[:PORT]"; empty: /etc/resolv.conf.
  std::vector<std::string> dns_servers;
  uint16_t port = 25;  // the remote SMTP port (tests point it at a loopback peer)
  std::map<std::string, uint16_t> destination_ports;  // per destination domain
  // A relay host (smarthost) for every destination: "host", "host:port", "[1.2.3.4]:587".
  // A host name is looked up as a mail domain (its MX, else its own address).
  std::string relay_host;
  std::string relay_user;  // AUTH for the relay host, over TLS only
  std::string relay_password;
  bool require_tls = false;        // refuse to send without STARTTLS
  std::string helo_name;           // default: the server's host name
  std::string bind_address;        // the local IPv4 or IPv6 address to send from
  DestinationLimitsConfig limits;  // every destination
  std::map<std::string, DestinationLimitsConfig> limits_per_destination;
  uint32_t max_connections = 200;  // all destinations together
  uint32_t retry_initial_seconds = 300;
  uint32_t retry_max_seconds = 4 * 3600;
  uint32_t max_lifetime_seconds = 5 * 24 * 3600;  // then the message bounces (expired)
  // A recipient still deferred this long after arrival gets one delay notice (a DSN with
  // Action: delayed) when its NOTIFY allows it (no NOTIFY: it does); 0: never.
  uint32_t delay_notice_seconds = 4 * 3600;
  uint32_t max_loaded_recipients = 10000;  // held in memory at once, all destinations
  // Per sending domain (the envelope sender's domain, lower case): the EHLO name and the
  // local address its mail leaves from, instead of helo_name and bind_address. Mail of
  // such a domain travels on its own connections (a lane of each destination, with the
  // destination's limits).
  std::map<std::string, SendingIdentityConfig> sending_domains;
};

// What became of one queued recipient, for subscribers (the e-mailing scheduler) and the
// log line written for it.
struct DeliveryEvent {
  enum class Kind { kDelivered, kDeferred, kBounced, kExpired };
  Kind kind = Kind::kDeferred;
  std::string queue_id;  // as logged at reception
  uint64_t message_id = 0;
  std::string recipient;  // the envelope recipient
  std::string relay;      // "mx.example.net[192.0.2.1]:25", or "none"
  std::string dsn;        // "2.0.0", "4.4.1", "5.1.1"
  std::string reply;      // the peer's reply, or ours
  double delay = 0;       // seconds since arrival
  bool remote = false;    // the reply came from the peer
};
MF_EXPORT std::string_view delivery_event_kind_name(DeliveryEvent::Kind kind);  // "sent", ...
using DeliveryListener = std::function<void(const DeliveryEvent&)>;

struct ServerConfig {
  std::string hostname;  // in greetings and Received headers; empty: the system's name
  std::vector<ListenerConfig> listeners;
  TlsConfig tls;
  SmtpLimits limits;
  // Client networks allowed to relay without authentication, as CIDR ("192.0.2.0/24",
  // "2001:db8::/32") or single addresses. Empty by default: nobody relays unauthenticated.
  std::vector<std::string> trusted_networks;
  SendingLimits sending;                                     // every account
  std::map<std::string, SendingLimits> sending_per_domain;   // overrides, by domain
  std::map<std::string, SendingLimits> sending_per_account;  // overrides, by address
  AuthThrottleConfig auth_throttle;  // submission and IMAP logins alike
  OutboundConfig outbound;
  ImapConfig imap;
  Pop3Config pop3;
};

// Checks one entry of ServerConfig::trusted_networks: a network in CIDR notation or a
// single address. kInvalidArgument with the reason ("192.0.2.1/24 has host bits set; did
// you mean 192.0.2.0/24?"). For configuration readers that report errors early, with
// their own file positions; MailServer::create checks the list again.
MF_EXPORT Status check_network(std::string_view text);

// The server's log: one line per event, in Postfix's manner ("4Dh2A: from=<a@b>,
// size=1234, nrcpt=2"). The sink is called on the loop's thread.
enum class LogLevel { kInfo, kWarning, kError };
using LogSink = std::function<void(LogLevel level, std::string_view line)>;

struct ListenerStatus {
  ListenerRole role;
  std::string address;
  uint16_t port = 0;  // the bound port
};

struct ServerStatus {
  std::vector<ListenerStatus> listeners;
  uint64_t connections = 0;        // open now
  uint64_t connections_total = 0;  // since start
  uint64_t messages_accepted = 0;  // got a 250 at end of data
  uint64_t messages_refused = 0;   // refused at end of data
  uint64_t recipients_delivered = 0;
  uint64_t messages_queued = 0;  // accepted with remote recipients, queued for delivery
  // The outbound side since the start: recipients by result, and connections.
  uint64_t outbound_delivered = 0;
  uint64_t outbound_deferred = 0;
  uint64_t outbound_bounced = 0;             // bounced or expired
  uint64_t outbound_connections = 0;         // opened (attempted)
  uint64_t outbound_active_connections = 0;  // open now (resolving included)
  uint64_t outbound_in_memory = 0;           // recipients loaded from the queue now
  int64_t started_at = 0;                    // Unix seconds
};

class MF_EXPORT MailServer {
 public:
  // Prepares a server on `base` for the data directory of `context` (both must outlive it).
  // Checks the configuration (kInvalidArgument naming the bad value) and loads or generates
  // the TLS certificate; listens on nothing yet.
  static Result<std::unique_ptr<MailServer>> create(Context& context, event_base* base,
                                                    ServerConfig config, LogSink log);
  virtual ~MailServer();

  // Binds every listener (kIOError naming the address if one cannot be bound; then none
  // is left bound) and starts accepting.
  virtual Status start() = 0;

  // Applies a new configuration (SIGHUP): limits, networks, sending limits and the TLS
  // certificate apply to new connections; open sessions keep what they started with.
  // Listeners are not rebound: a change of listeners needs a restart (kFailedPrecondition).
  virtual Status reload(ServerConfig config) = 0;

  // Stops accepting, says 421 to sessions between commands, lets messages being committed
  // finish, then calls `done` on the loop. Accepted mail is never lost.
  virtual void shutdown(std::function<void()> done) = 0;

  virtual ServerStatus status() const = 0;
  // Calls `listener` on the loop for every delivery event of the outbound queue (after its
  // result is durably recorded). One listener; a new one replaces it, an empty one removes it.
  virtual void set_delivery_listener(DeliveryListener listener) = 0;
  // Wakes the outbound engine to look at the queue now (after mfctl queue flush/release).
  virtual void wake_outbound() = 0;
};

}  // namespace mf

#endif  // MAILFOUNTAIN_MAIL_SERVER_H
