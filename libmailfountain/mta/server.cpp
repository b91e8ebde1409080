// mta/server.cpp — MailServer: configuration, TLS certificates, listeners, the set of
// connections, graceful shutdown and status.
#include "mta/imap_connection.h"
#include "mta/pop3_connection.h"
#include "mta/server_impl.h"
#include "mta/srs_secret.h"
#include "http/server.h"
#include "outbound/delivery_engine.h"

#include "net/tls_context.h"

#include <arpa/inet.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <random>

namespace mf {

std::string_view listener_role_name(ListenerRole role) {
  switch (role) {
    case ListenerRole::kMx:
      return "smtp";
    case ListenerRole::kSubmission:
      return "submission";
    case ListenerRole::kSubmissions:
      return "submissions";
    case ListenerRole::kImap:
      return "imap";
    case ListenerRole::kImaps:
      return "imaps";
    case ListenerRole::kPop3:
      return "pop3";
    case ListenerRole::kPop3s:
      return "pop3s";
    case ListenerRole::kHttp:
      return "http";
  }
  return "smtp";
}

Status check_network(std::string_view text) {
  auto network = mta::parse_network(text);
  return network.is_ok() ? Status() : network.status();
}

MailServer::~MailServer() = default;

Result<std::unique_ptr<MailServer>> MailServer::create(Context& context, event_base* base,
                                                       ServerConfig config, LogSink log) {
  if (base == nullptr) return invalid_argument("no event base given to the mail server");
  auto impl = std::make_unique<mta::MailServerImpl>(context, base, std::move(log),
                                                    mailbox::mail_store(context));
  MF_RETURN_IF_ERROR(impl->configure(std::move(config)));
  return std::unique_ptr<MailServer>(std::move(impl));
}

}  // namespace mf

namespace mf::mta {

namespace {

std::string system_hostname() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

bool file_exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

// The certificate files to use: the configured ones, or the self-signed pair kept in the
// data directory, made at the first start.
Result<net::TlsCertificateFiles> certificate_files(const std::string& data_dir,
                                                   const TlsConfig& tls,
                                                   const std::string& hostname,
                                                   const MailServerImpl& server) {
  if (!tls.cert_file.empty() || !tls.key_file.empty()) {
    if (tls.cert_file.empty() || tls.key_file.empty())
      return invalid_argument("tls: give both cert_file and key_file, or neither");
    return net::TlsCertificateFiles{tls.cert_file, tls.key_file};
  }
  const std::string dir = data_dir + "/tls";
  net::TlsCertificateFiles files{dir + "/self-signed.crt", dir + "/self-signed.key"};
  if (file_exists(files.cert_file) && file_exists(files.key_file)) return files;
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return io_error(fmt::format("cannot create {}: {}", dir, std::strerror(errno)));
  server.log(LogLevel::kInfo,
             fmt::format("no TLS certificate configured: generating a self-signed one for {} in {}",
                         hostname, dir));
  MF_RETURN_IF_ERROR(net::generate_self_signed(hostname, files.cert_file, files.key_file));
  return files;
}

uint64_t random_salt() {
  std::random_device rd;
  return (uint64_t{rd()} << 32) ^ rd();
}

}  // namespace

MailServerImpl::MailServerImpl(Context& context, event_base* base, LogSink log,
                               mailbox::MailStore& store)
    : context_(context),
      base_(base),
      log_(std::move(log)),
      store_(store),
      throttle_(AuthThrottleConfig{}),
      ids_(random_salt()) {
  stats_.started_at = now();
}

MailServerImpl::~MailServerImpl() {
  // IMAP work in progress uses its sessions: let it finish before they go.
  session_workers_.reset();
  for (auto& l : listeners_) evconnlistener_free(l->listener);
  listeners_.clear();
  connections_.clear();
}

int64_t MailServerImpl::now() const {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

int64_t MailServerImpl::now_ms() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

Status MailServerImpl::configure(ServerConfig config) {
  auto settings = std::make_shared<Settings>();
  settings->hostname = config.hostname.empty() ? system_hostname() : config.hostname;
  MF_ASSIGN_OR_RETURN(settings->trusted, NetworkList::parse(config.trusted_networks));
  if (config.limits.max_message_bytes == 0 || config.limits.max_recipients == 0 ||
      config.limits.max_command_line < 512 || config.limits.max_errors == 0 ||
      config.limits.max_connections == 0 || config.limits.max_connections_per_address == 0)
    return invalid_argument(
        "limits: max_message_bytes, max_recipients, max_errors and the connection limits must "
        "be positive, and max_command_line at least 512 (RFC 5321 §4.5.3.1.4)");
  const ImapConfig& imap = config.imap;
  if (imap.max_append_bytes == 0 || imap.login_timeout_seconds == 0 ||
      imap.idle_timeout_seconds == 0 || imap.max_bad_commands == 0 || imap.workers == 0 ||
      imap.max_connections_per_address == 0)
    return invalid_argument("imap: every limit must be positive");
  const Pop3Config& pop3 = config.pop3;
  if (pop3.login_timeout_seconds == 0 || pop3.idle_timeout_seconds == 0 ||
      pop3.max_bad_commands == 0)
    return invalid_argument("pop3: every limit must be positive");
  MF_ASSIGN_OR_RETURN(
      auto files, certificate_files(context_.data_dir(), config.tls, settings->hostname, *this));
  net::TlsServerConfig tls;
  tls.certificate = files;
  tls.profile = net::TlsProfile::kStrict;
  MF_ASSIGN_OR_RETURN(settings->tls_strict, net::TlsServerContext::create(tls));
  tls.profile = net::TlsProfile::kMx;
  MF_ASSIGN_OR_RETURN(settings->tls_mx, net::TlsServerContext::create(tls));

  MF_ASSIGN_OR_RETURN(std::string srs_secret, load_or_create_srs_secret(context_.data_dir()));
  MF_ASSIGN_OR_RETURN(Srs srs, Srs::create(SrsOptions{{srs_secret}}));
  settings->srs = std::make_shared<const Srs>(std::move(srs));

  if (!poster_) {
    MF_ASSIGN_OR_RETURN(poster_, LoopPoster::create(base_));
  }
  if (limiter_) {
    limiter_->reconfigure(config);
  } else {
    limiter_ = std::make_unique<SendingLimiter>(config);
  }
  throttle_.reconfigure(config.auth_throttle);
  policy_ =
      std::make_unique<Policy>(context_, store_, limiter_.get(), settings->hostname, settings->srs);
  settings->config = std::move(config);
  settings_ = std::move(settings);
  return Status();
}

std::function<std::string(std::string_view, std::string_view)> MailServerImpl::forward_sender()
    const {
  std::shared_ptr<const Srs> srs = settings_->srs;
  const int64_t at = now();
  return [srs, at](std::string_view sender, std::string_view domain) {
    auto rewritten = srs->forward(sender, domain, at);
    // An address SRS cannot rewrite (over 256 octets) is forwarded as it is: SPF may then
    // fail at the destination, which is what forwarding did before SRS.
    return rewritten.is_ok() ? *rewritten : std::string(sender);
  };
}

void MailServerImpl::outbound_queued() {
  ++stats_.messages_queued;
  if (engine_) engine_->wake();
}

void MailServerImpl::reports_pending() {
  if (engine_) engine_->report_now();
}

Status MailServerImpl::reload(ServerConfig config) {
  const auto& old = settings_->config.listeners;
  bool same = old.size() == config.listeners.size();
  for (size_t i = 0; same && i < old.size(); ++i)
    same = old[i].role == config.listeners[i].role &&
           old[i].address == config.listeners[i].address && old[i].port == config.listeners[i].port;
  if (!same)
    return failed_precondition("the listeners changed: restart mailfountaind to apply that");
  MF_RETURN_IF_ERROR(configure(std::move(config)));
  log(LogLevel::kInfo, "configuration reloaded");
  return Status();
}

Status MailServerImpl::start() {
  if (!listeners_.empty() || http_)
    return failed_precondition("the mail server is already started");
  for (const ListenerConfig& lc : settings_->config.listeners) {
    sockaddr_storage ss{};
    socklen_t len = 0;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
    if (inet_pton(AF_INET, lc.address.c_str(), &v4->sin_addr) == 1) {
      v4->sin_family = AF_INET;
      v4->sin_port = htons(lc.port);
      len = sizeof *v4;
    } else if (inet_pton(AF_INET6, lc.address.c_str(), &v6->sin6_addr) == 1) {
      v6->sin6_family = AF_INET6;
      v6->sin6_port = htons(lc.port);
      len = sizeof *v6;
    } else {
      listeners_.clear();
      return invalid_argument(fmt::format("'{}' is not an IP address to listen on", lc.address));
    }
    auto bound = std::make_unique<Bound>();
    bound->server = this;
    bound->role = lc.role;
    bound->listener =
        evconnlistener_new_bind(base_, &MailServerImpl::accept_cb, bound.get(),
                                LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
                                511, reinterpret_cast<sockaddr*>(&ss), static_cast<int>(len));
    if (bound->listener == nullptr) {
      int err = errno;
      for (auto& l : listeners_) evconnlistener_free(l->listener);
      listeners_.clear();
      return io_error(fmt::format("cannot listen on {} port {} ({}): {}", lc.address, lc.port,
                                  listener_role_name(lc.role), std::strerror(err)));
    }
    sockaddr_storage actual{};
    socklen_t alen = sizeof actual;
    getsockname(evconnlistener_get_fd(bound->listener), reinterpret_cast<sockaddr*>(&actual),
                &alen);
    uint16_t port = actual.ss_family == AF_INET
                        ? ntohs(reinterpret_cast<sockaddr_in*>(&actual)->sin_port)
                        : ntohs(reinterpret_cast<sockaddr_in6*>(&actual)->sin6_port);
    bound->status = ListenerStatus{lc.role, lc.address, port};
    listeners_.push_back(std::move(bound));
  }
  if (Status http = start_http(); !http.is_ok()) {
    for (auto& l : listeners_) evconnlistener_free(l->listener);
    listeners_.clear();
    http_.reset();
    http_listeners_.clear();
    return http;
  }
  auto engine = outbound::DeliveryEngine::create(
      context_, base_, store_, *poster_, settings_->config.outbound, settings_->hostname, log_);
  if (!engine.is_ok()) {
    for (auto& l : listeners_) evconnlistener_free(l->listener);
    listeners_.clear();
    http_.reset();
    http_listeners_.clear();
    return engine.status();
  }
  engine_ = std::move(*engine);
  engine_->set_listener(delivery_listener_);
  engine_->start();
  return Status();
}

void MailServerImpl::set_delivery_listener(DeliveryListener listener) {
  delivery_listener_ = std::move(listener);
  if (engine_) engine_->set_listener(delivery_listener_);
}

void MailServerImpl::wake_outbound() {
  if (engine_) engine_->wake();
}

void MailServerImpl::accept_cb(evconnlistener*, int fd, sockaddr* addr, int, void* arg) {
  auto* bound = static_cast<Bound*>(arg);
  bound->server->on_accept(bound->role, fd, addr);
}

void MailServerImpl::on_accept(ListenerRole role, int fd, const sockaddr* addr) {
  char ip[INET6_ADDRSTRLEN] = "?";
  if (addr->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(addr)->sin_addr, ip, sizeof ip);
  } else if (addr->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(addr)->sin6_addr, ip, sizeof ip);
  }
  const SmtpLimits& limits = settings_->config.limits;
  const bool imap = role == ListenerRole::kImap || role == ListenerRole::kImaps;
  const bool pop3 = role == ListenerRole::kPop3 || role == ListenerRole::kPop3s;
  auto refuse = [&](std::string_view why) {
    // On an implicit-TLS port the client expects a handshake: a plaintext line would only
    // confuse it.
    std::string line = imap   ? fmt::format("* BYE {}\r\n", why)
                       : pop3 ? fmt::format("-ERR [SYS/TEMP] {}\r\n", why)
                              : fmt::format("421 4.7.0 {} Error: {}\r\n", settings_->hostname, why);
    if (role == ListenerRole::kImaps || role == ListenerRole::kPop3s) line.clear();
    // A best-effort line on a fresh socket: its buffer has room.
    if (!line.empty()) (void)!::send(fd, line.data(), line.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    ::close(fd);
    log(LogLevel::kWarning, fmt::format("refused connection from [{}]: {}", ip, why));
  };
  if (stopping_) return refuse("server shutting down");
  if (connections_.size() >= limits.max_connections) return refuse("too many connections");
  // A mail client keeps several IMAP connections open per account, and an office behind
  // one address has many accounts: IMAP and POP3 have their own, larger, per-address limit.
  const bool access = imap || pop3;
  uint32_t& mine = access ? access_per_address_[ip] : per_address_[ip];
  const uint32_t most = access ? settings_->config.imap.max_connections_per_address
                               : limits.max_connections_per_address;
  if (mine >= most) return refuse(fmt::format("too many connections from {}", ip));
  ++mine;
  uint64_t id = next_id_++;
  std::shared_ptr<ClientConnection> c;
  if (imap)
    c = std::make_shared<ImapConnection>(*this, id, role, ip, settings_);
  else if (pop3)
    c = std::make_shared<Pop3Connection>(*this, id, role, ip, settings_);
  else
    c = std::make_shared<Connection>(*this, id, role, ip, settings_);
  connections_.emplace(id, c);
  ++stats_.connections_total;
  log(LogLevel::kInfo, fmt::format("connect from [{}] to {}", ip, listener_role_name(role)));
  if (!c->start(fd)) connection_closed(id);
}

void MailServerImpl::connection_closed(uint64_t id) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  auto& counts = it->second->mailbox_access() ? access_per_address_ : per_address_;
  auto pa = counts.find(it->second->ip());
  if (pa != counts.end() && --pa->second == 0) counts.erase(pa);
  // The caller holds its own reference while it runs; the connection dies after it.
  connections_.erase(it);
  maybe_done();
}

WorkerPool& MailServerImpl::session_workers() {
  if (!session_workers_)
    session_workers_ = std::make_unique<WorkerPool>(std::max(1u, settings_->config.imap.workers));
  return *session_workers_;
}

void MailServerImpl::count_message(bool accepted, size_t delivered) {
  if (accepted) {
    ++stats_.messages_accepted;
  } else {
    ++stats_.messages_refused;
  }
  stats_.recipients_delivered += delivered;
}

void MailServerImpl::shutdown(std::function<void()> done) {
  stopping_ = true;
  on_stopped_ = std::move(done);
  for (auto& l : listeners_) evconnlistener_disable(l->listener);
  // HTTP requests are answered as they come: nothing is in progress to wait for.
  if (http_) http_->close();
  // Copy: a connection may close (and leave the map) while being told.
  std::vector<std::shared_ptr<ClientConnection>> all;
  for (auto& [id, c] : connections_) all.push_back(c);
  for (auto& c : all) c->shut_down();
  if (engine_) {
    engine_stopping_ = true;
    engine_->shutdown([this] {
      engine_stopping_ = false;
      maybe_done();
    });
  }
  maybe_done();
}

void MailServerImpl::maybe_done() {
  if (!stopping_ || !connections_.empty() || engine_stopping_ || !on_stopped_) return;
  auto done = std::move(on_stopped_);
  on_stopped_ = nullptr;
  done();
}

ServerStatus MailServerImpl::status() const {
  ServerStatus s = stats_;
  for (auto& l : listeners_) s.listeners.push_back(l->status);
  for (const ListenerStatus& l : http_listeners_) s.listeners.push_back(l);
  s.connections = connections_.size();
  if (engine_) {
    const outbound::EngineStats e = engine_->stats();
    s.outbound_delivered = e.delivered;
    s.outbound_deferred = e.deferred;
    s.outbound_bounced = e.bounced + e.expired;
    s.outbound_connections = e.connections;
    s.outbound_active_connections = e.active_connections;
    s.outbound_in_memory = e.loaded_recipients;
  }
  return s;
}

}  // namespace mf::mta
