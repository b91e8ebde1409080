// mta/imap_connection.cpp — one IMAP client connection (mta/imap_connection.h).
#include "mta/imap_connection.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <fmt/format.h>

namespace mf::mta {

namespace {

// Input held while the session waits is bounded: past this libevent stops reading the
// socket (an APPEND literal is read through it, at most this much at a time).
constexpr size_t kImapMaxBufferedInput = 1 << 20;
// A FETCH's next slice is made only when less than this waits to be sent.
constexpr size_t kImapOutputLowWater = 256 * 1024;

}  // namespace

ImapConnection::ImapConnection(MailServerImpl& server, uint64_t id, ListenerRole role,
                               std::string ip, std::shared_ptr<const Settings> settings)
    : server_(server), id_(id), role_(role), ip_(std::move(ip)), settings_(std::move(settings)) {}

ImapConnection::~ImapConnection() {
  changes_ = mailbox::Subscription();  // no more store_changed() posts
  session_.reset();
  if (login_timer_ != nullptr) event_free(login_timer_);
  if (bev_ != nullptr) bufferevent_free(bev_);
}

bool ImapConnection::start(int fd) {
  bev_ = bufferevent_socket_new(server_.base(), fd, BEV_OPT_CLOSE_ON_FREE);
  if (bev_ == nullptr) {
    ::close(fd);
    return false;
  }
  const ImapConfig& cfg = settings_->config.imap;
  imap::SessionOptions o;
  o.hostname = settings_->hostname;
  o.tls = role_ == ListenerRole::kImaps;
  o.starttls_available = role_ == ListenerRole::kImap;
  o.limits.non_sync = imap::NonSyncLiterals::kLiteralPlus;
  o.limits.max_append_literal = cfg.max_append_bytes;
  o.limits.max_command_literal_octets = std::max<uint64_t>(cfg.max_append_bytes * 2, 1 << 20);
  o.limits.max_discard = cfg.max_append_bytes;
  o.max_bad_commands = cfg.max_bad_commands;
  session_ = std::make_unique<imap::Session>(o, *this, server_.store());
  if (o.tls) {
    auto wrapped = net::tls_wrap_server(server_.base(), bev_, settings_->tls_strict);
    if (!wrapped.is_ok()) {
      log(LogLevel::kWarning, fmt::format("TLS setup failed: {}", wrapped.status().message()));
      return false;
    }
    bev_ = wrapped->bev;
    tls_ = wrapped->tls;
  }
  bufferevent_setwatermark(bev_, EV_READ, 0, kImapMaxBufferedInput);
  set_callbacks();
  set_timeout();
  bufferevent_enable(bev_, EV_READ | EV_WRITE);
  session_->start();
  flush();
  return true;
}

void ImapConnection::set_callbacks() {
  bufferevent_setcb(bev_, &ImapConnection::read_cb, &ImapConnection::write_cb,
                    &ImapConnection::event_cb, this);
}

void ImapConnection::set_timeout() {
  const ImapConfig& cfg = settings_->config.imap;
  const uint32_t seconds =
      session_->authenticated() ? cfg.idle_timeout_seconds : cfg.login_timeout_seconds;
  timeval tv{static_cast<time_t>(seconds), 0};
  // Reading only: a client that reads nothing of a large FETCH is a slow client, and the
  // write side has its own back-pressure.
  bufferevent_set_timeouts(bev_, &tv, nullptr);
}

void ImapConnection::read_cb(bufferevent*, void* arg) {
  auto* c = static_cast<ImapConnection*>(arg);
  auto self = c->shared_from_this();
  c->pump();
}

void ImapConnection::write_cb(bufferevent*, void* arg) {
  auto* c = static_cast<ImapConnection*>(arg);
  auto self = c->shared_from_this();
  if (c->draining_) {
    size_t unsent = c->tls_ != nullptr ? net::tls_unsent_bytes(c->bev_)
                                       : evbuffer_get_length(bufferevent_get_output(c->bev_));
    if (unsent == 0) c->close();
    return;
  }
  if (c->waiting_output_) {
    c->waiting_output_ = false;
    c->pump();
  }
}

void ImapConnection::event_cb(bufferevent*, short what, void* arg) {
  auto* c = static_cast<ImapConnection*>(arg);
  auto self = c->shared_from_this();
  c->on_event(what);
}

void ImapConnection::on_event(short what) {
  if (what & BEV_EVENT_CONNECTED) return;  // the TLS handshake completed
  if (what & BEV_EVENT_TIMEOUT) {
    if (draining_) return close();
    log(LogLevel::kInfo, "imap: autologout after inactivity");
    session_->timed_out();
    flush();
    return;
  }
  if ((what & BEV_EVENT_ERROR) && tls_ != nullptr && !net::tls_last_error(*tls_).empty())
    log(LogLevel::kInfo, fmt::format("imap: {}", net::tls_last_error(*tls_)));
  close();
}

void ImapConnection::pump() {
  if (closed_ || draining_ || pumping_) return;
  pumping_ = true;
  struct Done {
    bool& flag;
    ~Done() { flag = false; }
  } done{pumping_};
  for (;;) {
    if (session_->closing()) break;
    switch (session_->waiting()) {
      case imap::Session::Wait::kLogin:
        break;
      case imap::Session::Wait::kStartTls:
        flush();
        start_tls();
        if (closed_) return;
        continue;
      case imap::Session::Wait::kWork: {
        if (working_) break;
        // A FETCH slice waits until the client has read most of what was sent. Over TLS
        // the filter moves everything on to the socket's buffer at once: count both (the
        // TLS glue wakes the write callback when the socket's buffer has drained).
        const size_t unsent = tls_ != nullptr
                                  ? net::tls_unsent_bytes(bev_)
                                  : evbuffer_get_length(bufferevent_get_output(bev_));
        if (unsent > kImapOutputLowWater) {
          waiting_output_ = true;
          bufferevent_setwatermark(bev_, EV_WRITE, kImapOutputLowWater, 0);
          break;
        }
        flush();
        run_work();
        break;
      }
      case imap::Session::Wait::kNone: {
        evbuffer* in = bufferevent_get_input(bev_);
        size_t len = evbuffer_get_length(in);
        if (len == 0) break;
        const char* p =
            reinterpret_cast<const char*>(evbuffer_pullup(in, static_cast<ssize_t>(len)));
        size_t used = session_->feed(std::string_view(p, len));
        evbuffer_drain(in, used);
        if (used == 0 && session_->waiting() == imap::Session::Wait::kNone) break;
        continue;
      }
    }
    break;
  }
  flush();
}

void ImapConnection::flush() {
  if (closed_) return;
  std::string& out = session_->output();
  if (out.size() > 64 * 1024) {
    // A large answer (a FETCH slice, a big literal) is handed over, not copied: the
    // buffer refers to the string until it is sent, then frees it.
    auto* owned = new std::string(std::move(out));
    out = std::string();
    evbuffer_add_reference(
        bufferevent_get_output(bev_), owned->data(), owned->size(),
        [](const void*, size_t, void* arg) { delete static_cast<std::string*>(arg); }, owned);
  } else if (!out.empty()) {
    bufferevent_write(bev_, out.data(), out.size());
    // An idle connection keeps little: a large answer's buffer is not kept.
    if (out.capacity() > 16 * 1024)
      std::string().swap(out);
    else
      out.clear();
  }
  if (session_->closing() && !draining_ && !working_) {
    draining_ = true;
    bufferevent_disable(bev_, EV_READ);
    bufferevent_setwatermark(bev_, EV_WRITE, 0, 0);
    if (tls_ != nullptr) net::tls_shutdown(bev_);
    size_t unsent = tls_ != nullptr ? net::tls_unsent_bytes(bev_)
                                    : evbuffer_get_length(bufferevent_get_output(bev_));
    if (unsent == 0) close();
  }
}

void ImapConnection::start_tls() {
  auto wrapped = net::tls_wrap_server(server_.base(), bev_, settings_->tls_strict);
  if (!wrapped.is_ok()) {
    log(LogLevel::kWarning, fmt::format("imap: STARTTLS failed: {}", wrapped.status().message()));
    close();
    return;
  }
  if (wrapped->discarded_plaintext > 0)
    log(LogLevel::kWarning,
        fmt::format("imap: discarded {} bytes of plaintext pipelined after STARTTLS",
                    wrapped->discarded_plaintext));
  bev_ = wrapped->bev;
  tls_ = wrapped->tls;
  bufferevent_setwatermark(bev_, EV_READ, 0, kImapMaxBufferedInput);
  set_callbacks();
  set_timeout();
  bufferevent_enable(bev_, EV_READ | EV_WRITE);
  session_->tls_started();
}

void ImapConnection::run_work() {
  working_ = true;
  std::weak_ptr<ImapConnection> weak = weak_from_this();
  imap::Session* session = session_.get();
  MailServerImpl* server = &server_;
  server_.poster().expect();
  // The connection stays in the server's set until work_finished() (see close()), and the
  // server joins its workers before freeing connections: `session` outlives the job.
  server_.imap_workers().submit([session, server, weak] {
    session->run_work();
    server->poster().post([weak] {
      if (auto c = weak.lock()) c->work_finished();
    });
  });
}

void ImapConnection::work_finished() {
  working_ = false;
  if (closed_) {
    server_.connection_closed(id_);
    return;
  }
  session_->finish_work();
  pump();
}

void ImapConnection::shut_down() {
  if (closed_) return;
  session_->shut_down();
  flush();
}

// ---- SessionHost ----

void ImapConnection::check_login(const std::string& login, const std::string& password,
                                 std::string_view mechanism) {
  AuthThrottle::Verdict v = server_.throttle().check(ip_, login, server_.now_ms());
  if (v.kind != AuthThrottle::Verdict::Kind::kAllow) {
    log(LogLevel::kWarning,
        fmt::format("imap: login refused: too many failures for {} from [{}] ({}s left)", login,
                    ip_, v.retry_after));
    session_->complete_login(imap::LoginOutcome::kThrottled, "");
    return;
  }
  pending_login_ = login;
  pending_password_ = password;
  pending_mechanism_ = mechanism;
  if (v.delay_ms == 0) return run_login();
  // Slow a guesser down: the check starts after the delay.
  if (login_timer_ == nullptr)
    login_timer_ = evtimer_new(
        server_.base(),
        [](int, short, void* arg) {
          auto* c = static_cast<ImapConnection*>(arg);
          auto self = c->shared_from_this();
          c->run_login();
        },
        this);
  timeval tv{static_cast<time_t>(v.delay_ms / 1000),
             static_cast<suseconds_t>((v.delay_ms % 1000) * 1000)};
  evtimer_add(login_timer_, &tv);
}

void ImapConnection::run_login() {
  std::string login = std::move(pending_login_);
  std::string password = std::move(pending_password_);
  pending_password_.assign(pending_password_.size(), '\0');
  std::weak_ptr<ImapConnection> weak = weak_from_this();
  MailServerImpl* server = &server_;
  server_.poster().expect();
  // Service::kImap: the administrator's login is refused like a wrong password.
  server_.context().authenticate_async(
      login, password, Service::kImap, fmt::format("imap {}", ip_),
      [weak, server, login](Result<Principal> result) {
        server->poster().post([weak, login, result = std::move(result)]() mutable {
          if (auto c = weak.lock()) c->finish_login(login, std::move(result));
        });
      });
}

void ImapConnection::finish_login(const std::string& login, Result<Principal> result) {
  if (closed_) return;
  const bool ok = result.is_ok() && result->is_account();
  server_.throttle().record(ip_, login, ok, server_.now_ms());
  if (ok) {
    log(LogLevel::kInfo, fmt::format("imap login: user=<{}>, method={}, rip={}", result->name(),
                                     pending_mechanism_, ip_));
    session_->complete_login(imap::LoginOutcome::kOk, result->name());
    set_timeout();
  } else if (result.is_ok() || result.status().code() == Code::kUnauthenticated ||
             result.status().code() == Code::kFailedPrecondition) {
    log(LogLevel::kWarning,
        fmt::format("imap login failed: user=<{}>, method={}, rip={}{}", login, pending_mechanism_,
                    ip_,
                    !result.is_ok() && result.status().code() == Code::kFailedPrecondition
                        ? " (account disabled)"
                        : ""));
    session_->complete_login(imap::LoginOutcome::kFailed, "");
  } else {
    log(LogLevel::kError, fmt::format("imap login error: {}", result.status().message()));
    session_->complete_login(imap::LoginOutcome::kTemporary, "");
  }
  pump();
}

void ImapConnection::logged_in(const std::string& account) {
  std::weak_ptr<ImapConnection> weak = weak_from_this();
  MailServerImpl* server = &server_;
  // Runs on the store's committing thread; the subscription ends before the connection.
  changes_ = server_.store().subscribe(account, [weak, server](const mailbox::Change&) {
    server->poster().expect();
    server->poster().post([weak] {
      auto c = weak.lock();
      if (!c || c->closed_) return;
      c->session_->store_changed();
      c->pump();
    });
  });
}

void ImapConnection::log(LogLevel level, std::string_view line) {
  server_.log(level, fmt::format("[{}] {}", ip_, line));
}

void ImapConnection::close() {
  if (closed_) return;
  closed_ = true;
  changes_ = mailbox::Subscription();
  if (bev_ != nullptr) bufferevent_disable(bev_, EV_READ | EV_WRITE);
  log(LogLevel::kInfo, "imap: disconnect");
  // Work on a worker thread still uses the session: the server lets the connection go when
  // it comes back (work_finished).
  if (!working_) server_.connection_closed(id_);
}

}  // namespace mf::mta
