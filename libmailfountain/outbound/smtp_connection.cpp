// outbound/smtp_connection.cpp — the outbound SMTP connection's glue (contract in
// smtp_connection.h, behaviour in docs/outbound-connection.md).
#include "outbound/smtp_connection.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/util.h>
#include <fmt/format.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace mf::outbound {

using smtp::ClientPhase;
using smtp::Delivery;
using smtp::Reply;

namespace {

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

SocketAddress socket_address(const dns::IpAddress& ip, uint16_t port) {
  SocketAddress a;
  if (ip.family == dns::IpFamily::kIPv4) {
    auto* in = reinterpret_cast<sockaddr_in*>(&a.storage);
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    std::memcpy(&in->sin_addr, ip.bytes.data(), 4);
    a.length = sizeof(sockaddr_in);
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&a.storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    std::memcpy(&in6->sin6_addr, ip.bytes.data(), 16);
    a.length = sizeof(sockaddr_in6);
  }
  return a;
}

std::string error_text(int error) {
  return evutil_socket_error_to_string(error);
}

std::string describe_reply(const Reply& r) {
  return r.enhanced.empty() ? fmt::format("{} {}", r.code, r.text)
                            : fmt::format("{} {} {}", r.code, r.enhanced, r.text);
}

}  // namespace

std::string relay_name(const dns::MxHost& host, const dns::IpAddress& ip, uint16_t port) {
  return fmt::format("{}[{}]:{}", host.name, dns::ip_to_string(ip), port);
}

Result<std::shared_ptr<SmtpConnection>> SmtpConnection::create(event_base* base,
                                                               SmtpConnectionConfig config,
                                                               SmtpConnectionCallbacks callbacks) {
  if (base == nullptr) return invalid_argument("SMTP connection: no event_base");
  bool any_address = false;
  for (const dns::MxHost& h : config.hosts) any_address = any_address || !h.addresses.empty();
  if (!any_address) return invalid_argument("SMTP connection: no host with an address");
  if (config.port == 0) return invalid_argument("SMTP connection: port 0");
  if (config.session.tls != smtp::TlsPolicy::kNever && !config.tls) {
    return invalid_argument("SMTP connection: TLS may be used but no TLS client context given");
  }
  if (config.bind_ipv4 && config.bind_ipv4->family != dns::IpFamily::kIPv4)
    return invalid_argument("SMTP connection: bind_ipv4 is not an IPv4 address");
  if (config.bind_ipv6 && config.bind_ipv6->family != dns::IpFamily::kIPv6)
    return invalid_argument("SMTP connection: bind_ipv6 is not an IPv6 address");
  if (config.body_block_bytes == 0 || config.body_buffer_bytes == 0)
    return invalid_argument("SMTP connection: body buffer sizes must be positive");
  if (!callbacks.next_message || !callbacks.on_transaction || !callbacks.finished)
    return invalid_argument(
        "SMTP connection: next_message, on_transaction and finished are required");
  // The session's own checks (HELO name, credentials), once rather than per address.
  MF_RETURN_IF_ERROR(smtp::ClientSession::create(config.session).status());
  auto* c = new SmtpConnection(base, std::move(config), std::move(callbacks));
  std::shared_ptr<SmtpConnection> conn(c);
  conn->timer_ = evtimer_new(base, &SmtpConnection::timer_cb, c);
  if (conn->timer_ == nullptr) return resource_exhausted("SMTP connection: cannot create a timer");
  return conn;
}

SmtpConnection::SmtpConnection(event_base* base, SmtpConnectionConfig config,
                               SmtpConnectionCallbacks callbacks)
    : base_(base), config_(std::move(config)), callbacks_(std::move(callbacks)) {}

SmtpConnection::~SmtpConnection() {
  // The session before the socket: it points at the message's BodySource, not the socket,
  // but an open transaction's message goes with it.
  session_.reset();
  message_.reset();
  if (bev_ != nullptr) bufferevent_free(bev_);
  if (timer_ != nullptr) event_free(timer_);
}

void SmtpConnection::start() {
  if (stage_ != Stage::kNew) return;
  self_ = shared_from_this();
  connect_next();
}

void SmtpConnection::cancel() {
  if (stage_ == Stage::kDone || cancelled_) return;
  auto keep = shared_from_this();
  cancelled_ = true;
  switch (stage_) {
    case Stage::kNew:
    case Stage::kConnecting:
      finish();
      return;
    case Stage::kSession:
      process();  // QUIT when idle, else abandonment (see process())
      return;
    case Stage::kClosing:
    case Stage::kDone:
      return;  // the socket is being closed; `finished` follows
  }
}

void SmtpConnection::wake() {
  if (stage_ != Stage::kSession || !idle_waiting_) return;
  auto keep = shared_from_this();
  wake_pending_ = true;
  process();
}

// ---- Addresses ----

std::string SmtpConnection::relay() const {
  const dns::MxHost& h = config_.hosts[host_];
  return relay_name(h, h.addresses[addr_], config_.port);
}

void SmtpConnection::connect_next() {
  for (;;) {
    if (cancelled_) return finish();
    if (retry_plain_next_) {
      retry_plain_next_ = false;
      plain_retry_ = true;
    } else {
      plain_retry_ = false;
      if (!picked_) {
        picked_ = true;
        host_ = 0;
        addr_ = 0;
      } else {
        ++addr_;
      }
      while (host_ < config_.hosts.size() && addr_ >= config_.hosts[host_].addresses.size()) {
        ++host_;
        addr_ = 0;
      }
      if (host_ >= config_.hosts.size()) {
        // Every address failed: the last failure speaks for the connection.
        if (!summary_.attempts.empty()) summary_.failure = summary_.attempts.back();
        return finish();
      }
    }
    if (connect_address()) return;
  }
}

// Starts connecting to the current address; false when that failed at once (the
// failure is recorded).
bool SmtpConnection::connect_address() {
  attempt_transactions_ = 0;
  attempt_failure_.reset();
  local_reason_.clear();
  tls_info_.reset();
  armed_phase_.reset();
  quit_sent_ = false;
  idle_waiting_ = false;

  const dns::IpAddress& ip = config_.hosts[host_].addresses[addr_];
  const bool v4 = ip.family == dns::IpFamily::kIPv4;
  int fd = ::socket(v4 ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    connect_failed(fmt::format("cannot create a socket: {}", error_text(errno)));
    return false;
  }
  const std::optional<dns::IpAddress>& bind_ip = v4 ? config_.bind_ipv4 : config_.bind_ipv6;
  if (bind_ip) {
    SocketAddress local = socket_address(*bind_ip, 0);
    if (::bind(fd, local.get(), local.length) != 0) {
      int e = errno;
      ::close(fd);
      connect_failed(
          fmt::format("cannot bind to {}: {}", dns::ip_to_string(*bind_ip), error_text(e)));
      return false;
    }
  }
  bev_ = bufferevent_socket_new(base_, fd, BEV_OPT_CLOSE_ON_FREE);
  if (bev_ == nullptr) {
    ::close(fd);
    connect_failed("cannot create a bufferevent");
    return false;
  }
  bufferevent_setcb(bev_, &SmtpConnection::read_cb, &SmtpConnection::write_cb,
                    &SmtpConnection::event_cb, this);
  SocketAddress remote = socket_address(ip, config_.port);
  stage_ = Stage::kConnecting;
  if (bufferevent_socket_connect(bev_, remote.get(), static_cast<int>(remote.length)) != 0) {
    int e = EVUTIL_SOCKET_ERROR();
    free_socket();
    connect_failed(fmt::format("connect to {}: {}", relay(), error_text(e)));
    return false;
  }
  arm(config_.timeouts.connect);
  return true;
}

// The TCP connection to the current address could not be made.
void SmtpConnection::connect_failed(const std::string& why) {
  stage_ = Stage::kNew;
  ConnectionFailure f;
  f.relay = relay();
  f.phase = "connect";
  f.reply = Reply{451, "4.4.1", why};
  log(LogLevel::kInfo, why);
  summary_.attempts.push_back(std::move(f));
}

// The socket of an attempt that got a session is closed: next address or the end.
void SmtpConnection::end_attempt() {
  session_.reset();
  message_.reset();
  stage_ = Stage::kNew;
  if (cancelled_) return finish();
  if (attempt_failure_ && attempt_transactions_ == 0) {
    const ConnectionFailure& f = *attempt_failure_;
    log(LogLevel::kInfo,
        fmt::format("{}: {} (in phase {})", f.relay, describe_reply(f.reply), f.phase));
    // Opportunistic TLS that failed in the handshake: the same address once more in
    // plain text, rather than no mail at all.
    if (f.phase == smtp::client_phase_name(ClientPhase::kTlsHandshake) &&
        config_.session.tls == smtp::TlsPolicy::kOpportunistic && !plain_retry_) {
      retry_plain_next_ = true;
      log(LogLevel::kInfo, fmt::format("{}: retrying without TLS", f.relay));
    }
    summary_.attempts.push_back(f);
    return connect_next();
  }
  if (attempt_failure_) summary_.failure = attempt_failure_;
  finish();
}

void SmtpConnection::finish() {
  if (stage_ == Stage::kDone) return;
  stage_ = Stage::kDone;
  free_socket();
  session_.reset();
  message_.reset();
  summary_.cancelled = cancelled_;
  // The caller (a libevent callback, or the engine through its own shared_ptr) keeps the
  // object alive until it returns; `keep` covers the rest of this function.
  std::shared_ptr<SmtpConnection> keep = std::move(self_);
  callbacks_.finished(summary_);
}

// ---- The session's loop ----

void SmtpConnection::process() {
  if (processing_) {
    again_ = true;
    return;
  }
  processing_ = true;
  do {
    again_ = false;
    if (stage_ != Stage::kSession || !session_) break;
    bool progressed = false;
    if (cancelled_ && !quit_sent_) {
      quit_sent_ = true;
      idle_waiting_ = false;
      session_->quit();
    }
    if (wake_pending_) {
      wake_pending_ = false;
      if (idle_waiting_) {
        idle_waiting_ = false;
        on_ready();
      }
    }
    drain_events();
    if (stage_ != Stage::kSession) break;
    progressed = feed_input() || progressed;
    if (stage_ != Stage::kSession) break;
    progressed = fill_body() || progressed;
    drain_events();
    flush();
    // Shutting down: once QUIT has left, the 221 is not worth waiting for.
    if (cancelled_ && session_->phase() == ClientPhase::kQuit && unsent() == 0) {
      session_->connection_lost();
      drain_events();
    }
    if (session_->phase() == ClientPhase::kClosed) {
      close_socket();
      break;
    }
    arm_timer(progressed);
  } while (again_);
  processing_ = false;
}

// Gives the server's bytes to the session; true if any were read.
bool SmtpConnection::feed_input() {
  bool any = false;
  while (stage_ == Stage::kSession && session_ && session_->phase() != ClientPhase::kClosed) {
    evbuffer* in = bufferevent_get_input(bev_);  // STARTTLS replaces bev_
    size_t len = evbuffer_get_length(in);
    if (len == 0) break;
    const char* p = reinterpret_cast<const char*>(evbuffer_pullup(in, static_cast<ssize_t>(len)));
    size_t used = session_->feed(std::string_view(p, len));
    // Drained before the events are handled: after a 220 to STARTTLS the socket's input
    // must be empty when TLS is wrapped around it (what followed is counted, not kept).
    evbuffer_drain(in, used);
    any = any || used > 0;
    drain_events();
    if (used == 0) break;
  }
  return any;
}

// Handles the session's events; true if there were any.
bool SmtpConnection::drain_events() {
  bool any = false;
  while (session_) {
    std::vector<smtp::ClientEvent> events = session_->take_events();
    if (events.empty()) break;
    any = true;
    for (smtp::ClientEvent& e : events) {
      handle_event(e);
      if (!session_) break;
    }
  }
  return any;
}

void SmtpConnection::handle_event(smtp::ClientEvent& event) {
  if (std::holds_alternative<smtp::client_event::Ready>(event)) {
    on_ready();
  } else if (auto* tls = std::get_if<smtp::client_event::StartTls>(&event)) {
    on_start_tls(tls->discarded_bytes);
  } else if (std::holds_alternative<smtp::client_event::DowngradeNeeded>(event)) {
    on_downgrade();
  } else if (auto* done = std::get_if<smtp::client_event::TransactionDone>(&event)) {
    TransactionReport report;
    report.tag = message_ ? message_->tag : 0;
    report.results = std::move(done->results);
    report.relay = relay();
    report.tls = tls_info_;
    report.downgraded = downgraded_;
    message_.reset();  // the session no longer reads its body
    ++summary_.transactions;
    callbacks_.on_transaction(report);
  } else if (auto* failed = std::get_if<smtp::client_event::ConnectionFailed>(&event)) {
    ConnectionFailure f;
    f.relay = relay();
    f.phase = std::string(smtp::client_phase_name(failed->phase));
    f.reply = failed->reply;
    // The session knows only "lost connection"; the socket or TLS layer knows why.
    if (!failed->remote && !local_reason_.empty())
      f.reply.text += fmt::format(" ({})", local_reason_);
    f.permanent = failed->permanent;
    f.remote = failed->remote;
    attempt_failure_ = std::move(f);
  }
  // Closed: process() closes the socket once the session's output is handed over.
}

void SmtpConnection::on_ready() {
  if (cancelled_) {
    quit_sent_ = true;
    session_->quit();
    return;
  }
  std::optional<OutboundMessage> next = callbacks_.next_message();
  if (!next) {
    if (config_.timeouts.idle_before_reuse.count() > 0) {
      idle_waiting_ = true;  // arm_timer() arms the idle limit
    } else {
      session_->quit();
    }
    return;
  }
  message_ = std::move(next);
  downgraded_ = false;
  start_message();
}

void SmtpConnection::start_message() {
  if (!message_->body) {
    return refuse_message(Reply{451, "4.3.0", "message not sent: no message body source"},
                          Delivery::kDeferred);
  }
  Status st = session_->start_transaction(message_->envelope, *message_->body);
  if (!st.is_ok()) {
    // The engine's envelope cannot be sent to anyone (check_envelope): retrying would not
    // change that.
    return refuse_message(Reply{554, "5.3.0", "message not sent: " + st.message()},
                          Delivery::kBounced);
  }
  ++attempt_transactions_;
}

// Reports the current message's recipients as failed without a transaction, then asks for
// the next message (the session stays idle: no Ready comes).
void SmtpConnection::refuse_message(const Reply& reply, Delivery delivery) {
  TransactionReport report;
  report.tag = message_->tag;
  for (const smtp::ClientRecipient& r : message_->envelope.recipients) {
    report.results.push_back(
        smtp::RecipientResult{r.address, delivery, reply, smtp::Stage::kLocal, false});
  }
  report.relay = relay();
  report.tls = tls_info_;
  report.downgraded = downgraded_;
  message_.reset();
  ++summary_.transactions;
  callbacks_.on_transaction(report);
  on_ready();
}

void SmtpConnection::on_downgrade() {
  if (!message_) return;
  if (downgraded_ || !message_->downgrade) {
    return refuse_message(
        Reply{451, "4.3.0", "8BITMIME not offered by host and no 7-bit downgrade available"},
        Delivery::kDeferred);
  }
  Result<DowngradedBody> down = message_->downgrade();
  if (!down.is_ok() || !down->body) {
    std::string why = down.is_ok() ? "no body" : down.status().message();
    return refuse_message(Reply{451, "4.3.0", "7-bit downgrade failed: " + why},
                          Delivery::kDeferred);
  }
  message_->body = std::move(down->body);
  message_->envelope.body = smtp::Body::k7Bit;
  message_->envelope.size = down->size;
  downgraded_ = true;
  --attempt_transactions_;  // start_message counts the same message once more
  start_message();
}

void SmtpConnection::on_start_tls(size_t discarded) {
  flush();
  const dns::MxHost& host = config_.hosts[host_];
  // SNI carries a host name, never an address (RFC 6066 §3).
  std::string server_name = host.numeric ? std::string() : host.name;
  Result<net::TlsWrapped> wrapped =
      net::tls_wrap_client(base_, bev_, config_.tls, std::move(server_name));
  if (!wrapped.is_ok()) {
    local_reason_ = wrapped.status().message();
    session_->connection_lost();
    return;
  }
  size_t total = discarded + wrapped->discarded_plaintext;
  if (total > 0) {
    summary_.tls_discarded_bytes += total;
    log(LogLevel::kWarning,
        fmt::format("{}: discarded {} bytes the server sent after its 220 to STARTTLS "
                    "(possible command injection)",
                    relay(), total));
  }
  bev_ = wrapped->bev;
  tls_ = wrapped->tls;
  bufferevent_setcb(bev_, &SmtpConnection::read_cb, &SmtpConnection::write_cb,
                    &SmtpConnection::event_cb, this);
  bufferevent_enable(bev_, EV_READ | EV_WRITE);
  // tls_started() waits for BEV_EVENT_CONNECTED: the handshake runs under the STARTTLS
  // timeout, and the TLS details are known when EHLO goes out.
}

// Writes the message while the session wants it and little is unsent; true if it wrote.
bool SmtpConnection::fill_body() {
  bool any = false;
  while (session_ && session_->wants_body() && unsent() < config_.body_buffer_bytes) {
    session_->write_body(config_.body_block_bytes);
    flush();
    any = true;
  }
  return any;
}

void SmtpConnection::flush() {
  if (!session_ || bev_ == nullptr) return;
  std::string& out = session_->output();
  if (out.empty()) return;
  bufferevent_write(bev_, out.data(), out.size());
  out.clear();
}

size_t SmtpConnection::unsent() const {
  if (bev_ == nullptr) return 0;
  return tls_ != nullptr ? net::tls_unsent_bytes(bev_)
                         : evbuffer_get_length(bufferevent_get_output(bev_));
}

// The conversation is over: send what is left (QUIT, TLS's close_notify), then free.
void SmtpConnection::close_socket() {
  stage_ = Stage::kClosing;
  idle_waiting_ = false;
  bufferevent_disable(bev_, EV_READ);
  if (tls_ != nullptr && net::tls_handshake_done(*tls_)) net::tls_shutdown(bev_);
  if (unsent() == 0) {
    free_socket();
    return end_attempt();
  }
  arm(config_.timeouts.close);
}

void SmtpConnection::free_socket() {
  if (bev_ != nullptr) bufferevent_free(bev_);
  bev_ = nullptr;
  tls_ = nullptr;
  if (timer_ != nullptr) event_del(timer_);
  armed_phase_.reset();
}

// ---- Timers and libevent ----

std::chrono::seconds SmtpConnection::phase_limit(ClientPhase phase) const {
  const SmtpTimeouts& t = config_.timeouts;
  switch (phase) {
    case ClientPhase::kGreeting:
      return t.greeting;
    case ClientPhase::kEhlo:
      return t.ehlo;
    case ClientPhase::kStartTls:
    case ClientPhase::kTlsHandshake:
      return t.starttls;
    case ClientPhase::kAuth:
      return t.auth;
    case ClientPhase::kIdle:
      return t.idle_before_reuse;
    case ClientPhase::kMail:
      return t.mail;
    case ClientPhase::kRcpt:
      return t.rcpt;
    case ClientPhase::kDataInit:
      return t.data_init;
    case ClientPhase::kDataBlock:
      return t.data_block;
    case ClientPhase::kDataDone:
      return t.data_done;
    case ClientPhase::kRset:
      return t.rset;
    case ClientPhase::kQuit:
      return t.quit;
    case ClientPhase::kClosed:
      break;
  }
  return t.close;
}

// Arms the phase's timer when the phase changed or the conversation moved on.
void SmtpConnection::arm_timer(bool progressed) {
  ClientPhase phase = session_->phase();
  if (phase == ClientPhase::kIdle && !idle_waiting_) return;
  if (!progressed && armed_phase_ == phase) return;
  armed_phase_ = phase;
  arm(phase_limit(phase));
}

void SmtpConnection::arm(std::chrono::seconds limit) {
  timeval tv{static_cast<time_t>(limit.count()), 0};
  evtimer_add(timer_, &tv);
}

void SmtpConnection::read_cb(bufferevent*, void* arg) {
  auto* c = static_cast<SmtpConnection*>(arg);
  auto keep = c->shared_from_this();
  c->process();
}

void SmtpConnection::write_cb(bufferevent*, void* arg) {
  auto* c = static_cast<SmtpConnection*>(arg);
  auto keep = c->shared_from_this();
  c->on_write();
}

void SmtpConnection::event_cb(bufferevent*, short what, void* arg) {
  auto* c = static_cast<SmtpConnection*>(arg);
  auto keep = c->shared_from_this();
  c->on_event(what);
}

void SmtpConnection::timer_cb(int, short, void* arg) {
  auto* c = static_cast<SmtpConnection*>(arg);
  auto keep = c->shared_from_this();
  c->on_timer();
}

void SmtpConnection::on_write() {
  if (stage_ == Stage::kClosing) {
    if (unsent() == 0) {
      free_socket();
      end_attempt();
    }
    return;
  }
  if (stage_ == Stage::kSession) process();  // the message's next blocks; cancel()'s QUIT
}

void SmtpConnection::on_event(short what) {
  switch (stage_) {
    case Stage::kConnecting:
      if (what & BEV_EVENT_CONNECTED) {
        stage_ = Stage::kSession;
        summary_.connected = true;
        summary_.relay = relay();
        smtp::ClientConfig session_config = config_.session;
        if (plain_retry_) session_config.tls = smtp::TlsPolicy::kNever;
        // create() accepted this configuration already, in SmtpConnection::create().
        session_.emplace(smtp::ClientSession::create(std::move(session_config)).value());
        // The write callback comes when the output falls to half the body buffer, so the
        // next blocks of a message are ready before the socket runs dry.
        bufferevent_setwatermark(bev_, EV_WRITE, config_.body_buffer_bytes / 2, 0);
        bufferevent_enable(bev_, EV_READ | EV_WRITE);
        process();
        return;
      }
      {
        int e = EVUTIL_SOCKET_ERROR();
        std::string why = (what & BEV_EVENT_ERROR) && e != 0 ? error_text(e) : "connection closed";
        free_socket();
        connect_failed(fmt::format("connect to {}: {}", relay(), why));
        connect_next();
      }
      return;
    case Stage::kSession:
      if (what & BEV_EVENT_CONNECTED) {
        // The TLS handshake after STARTTLS completed.
        if (tls_ != nullptr && session_->phase() == ClientPhase::kTlsHandshake) {
          net::TlsSessionInfo info = net::tls_info(*tls_);
          log(LogLevel::kInfo, fmt::format("{} TLS connection established to {}: {} with cipher {}",
                                           info.peer_verified ? "Verified" : "Untrusted", relay(),
                                           info.version, info.cipher));
          tls_info_ = info;
          summary_.tls = info;
          session_->tls_started();
          process();
        }
        return;
      }
      {
        const int error = EVUTIL_SOCKET_ERROR();
        // Replies that came with the close are read first (a 421 before the server hangs
        // up).
        process();
        if (stage_ != Stage::kSession) return;
        if (tls_ != nullptr && !net::tls_last_error(*tls_).empty()) {
          local_reason_ = net::tls_last_error(*tls_);
        } else if ((what & BEV_EVENT_ERROR) && error != 0) {
          local_reason_ = error_text(error);
        }
      }
      session_->connection_lost();
      process();
      return;
    case Stage::kClosing:
      free_socket();
      end_attempt();
      return;
    case Stage::kNew:
    case Stage::kDone:
      return;
  }
}

void SmtpConnection::on_timer() {
  switch (stage_) {
    case Stage::kConnecting:
      free_socket();
      connect_failed(fmt::format("connect to {}: Connection timed out", relay()));
      connect_next();
      return;
    case Stage::kSession:
      if (idle_waiting_) {
        idle_waiting_ = false;
        session_->quit();
      } else {
        log(LogLevel::kInfo, fmt::format("{}: timeout in phase {}", relay(),
                                         smtp::client_phase_name(session_->phase())));
        session_->timed_out();
      }
      process();
      return;
    case Stage::kClosing:
      free_socket();
      end_attempt();
      return;
    case Stage::kNew:
    case Stage::kDone:
      return;
  }
}

void SmtpConnection::log(LogLevel level, const std::string& line) {
  if (callbacks_.log) callbacks_.log(level, line);
}

}  // namespace mf::outbound
