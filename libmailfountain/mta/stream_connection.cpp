// mta/stream_connection.cpp — the socket half of IMAP and POP3 connections
// (mta/stream_connection.h).
#include "mta/stream_connection.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <fmt/format.h>

#include <unistd.h>

namespace mf::mta {

StreamConnection::StreamConnection(MailServerImpl& server, uint64_t id, std::string ip,
                                   std::shared_ptr<const Settings> settings,
                                   StreamProtocol protocol)
    : server_(server),
      settings_(std::move(settings)),
      id_(id),
      ip_(std::move(ip)),
      protocol_(protocol) {}

StreamConnection::~StreamConnection() {
  if (login_timer_ != nullptr) event_free(login_timer_);
  if (bev_ != nullptr) bufferevent_free(bev_);
}

bool StreamConnection::start(int fd) {
  bev_ = bufferevent_socket_new(server_.base(), fd, BEV_OPT_CLOSE_ON_FREE);
  if (bev_ == nullptr) {
    ::close(fd);
    return false;
  }
  if (protocol_.implicit_tls) {
    auto wrapped = net::tls_wrap_server(server_.base(), bev_, settings_->tls_strict);
    if (!wrapped.is_ok()) {
      log_line(LogLevel::kWarning,
               fmt::format("{}: TLS setup failed: {}", protocol_.name, wrapped.status().message()));
      return false;
    }
    tls_ = wrapped->tls;
    bev_ = wrapped->bev;
  }
  arm();
  session_start();
  flush();
  return true;
}

void StreamConnection::arm() {
  bufferevent_setwatermark(bev_, EV_READ, 0, protocol_.max_buffered_input);
  bufferevent_setcb(bev_, &StreamConnection::read_cb, &StreamConnection::write_cb,
                    &StreamConnection::event_cb, this);
  set_timeout();
  bufferevent_enable(bev_, EV_READ | EV_WRITE);
}

void StreamConnection::set_timeout() {
  if (bev_ == nullptr) return;
  timeval tv{static_cast<time_t>(timeout_seconds()), 0};
  // Reading only: a client that reads nothing of a large answer is a slow client, and the
  // write side has its own back-pressure.
  bufferevent_set_timeouts(bev_, &tv, nullptr);
}

size_t StreamConnection::unsent() const {
  // Over TLS the filter moves everything on to the socket's buffer at once: count both
  // (the TLS glue wakes the write callback when the socket's buffer has drained).
  return tls_ != nullptr ? net::tls_unsent_bytes(bev_)
                         : evbuffer_get_length(bufferevent_get_output(bev_));
}

void StreamConnection::read_cb(bufferevent*, void* arg) {
  auto* c = static_cast<StreamConnection*>(arg);
  auto self = c->shared_from_this();
  c->pump();
}

void StreamConnection::write_cb(bufferevent*, void* arg) {
  auto* c = static_cast<StreamConnection*>(arg);
  auto self = c->shared_from_this();
  if (c->draining_) {
    if (c->unsent() == 0) c->close();
    return;
  }
  if (c->waiting_output_) {
    c->waiting_output_ = false;
    c->pump();
  }
}

void StreamConnection::event_cb(bufferevent*, short what, void* arg) {
  auto* c = static_cast<StreamConnection*>(arg);
  auto self = c->shared_from_this();
  c->on_event(what);
}

void StreamConnection::on_event(short what) {
  if (what & BEV_EVENT_CONNECTED) return;  // the TLS handshake completed
  if (what & BEV_EVENT_TIMEOUT) {
    if (draining_) return close();
    log_line(LogLevel::kInfo, fmt::format("{}: autologout after inactivity", protocol_.name));
    session_timed_out();
    flush();
    return;
  }
  if ((what & BEV_EVENT_ERROR) && tls_ != nullptr && !net::tls_last_error(*tls_).empty())
    log_line(LogLevel::kInfo, fmt::format("{}: {}", protocol_.name, net::tls_last_error(*tls_)));
  close();
}

void StreamConnection::pump() {
  if (closed_ || draining_ || pumping_) return;
  pumping_ = true;
  struct Done {
    bool& flag;
    ~Done() { flag = false; }
  } done{pumping_};
  for (;;) {
    if (session_closing()) break;
    switch (session_waiting()) {
      case SessionWait::kLogin:
        break;
      case SessionWait::kStartTls:
        flush();
        start_tls();
        if (closed_) return;
        continue;
      case SessionWait::kWork: {
        if (working_) break;
        // The next slice waits until the client has read most of what was sent.
        if (unsent() > protocol_.output_low_water) {
          waiting_output_ = true;
          bufferevent_setwatermark(bev_, EV_WRITE, protocol_.output_low_water, 0);
          break;
        }
        flush();
        run_work();
        break;
      }
      case SessionWait::kNone: {
        evbuffer* in = bufferevent_get_input(bev_);
        size_t len = evbuffer_get_length(in);
        if (len == 0) break;
        const char* p =
            reinterpret_cast<const char*>(evbuffer_pullup(in, static_cast<ssize_t>(len)));
        size_t used = session_feed(std::string_view(p, len));
        evbuffer_drain(in, used);
        if (used == 0 && session_waiting() == SessionWait::kNone) break;
        continue;
      }
    }
    break;
  }
  flush();
}

void StreamConnection::flush() {
  if (closed_) return;
  std::string& out = session_output();
  if (out.size() > 64 * 1024) {
    // A large answer (a FETCH or RETR slice) is handed over, not copied: the buffer
    // refers to the string until it is sent, then frees it.
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
  if (session_closing() && !draining_ && !working_) {
    draining_ = true;
    bufferevent_disable(bev_, EV_READ);
    bufferevent_setwatermark(bev_, EV_WRITE, 0, 0);
    if (tls_ != nullptr) net::tls_shutdown(bev_);
    if (unsent() == 0) close();
  }
}

void StreamConnection::start_tls() {
  auto wrapped = net::tls_wrap_server(server_.base(), bev_, settings_->tls_strict);
  if (!wrapped.is_ok()) {
    log_line(LogLevel::kWarning,
             fmt::format("{}: STARTTLS failed: {}", protocol_.name, wrapped.status().message()));
    close();
    return;
  }
  if (wrapped->discarded_plaintext > 0)
    log_line(LogLevel::kWarning,
             fmt::format("{}: discarded {} bytes of plaintext pipelined after STARTTLS",
                         protocol_.name, wrapped->discarded_plaintext));
  bev_ = wrapped->bev;
  tls_ = wrapped->tls;
  arm();
  session_tls_started();
}

void StreamConnection::run_work() {
  working_ = true;
  std::weak_ptr<StreamConnection> weak = weak_from_this();
  StreamConnection* self = this;
  MailServerImpl* server = &server_;
  server_.poster().expect();
  // The connection stays in the server's set until work_finished() (see close()), and the
  // server joins its workers before freeing connections: `self` outlives the job.
  server_.session_workers().submit([self, server, weak] {
    self->session_run_work();
    server->poster().post([weak] {
      if (auto c = weak.lock()) c->work_finished();
    });
  });
}

void StreamConnection::work_finished() {
  working_ = false;
  if (closed_) {
    server_.connection_closed(id_);
    return;
  }
  session_finish_work();
  pump();
}

void StreamConnection::shut_down() {
  if (closed_) return;
  session_shut_down();
  flush();
}

void StreamConnection::check_login(const std::string& login, const std::string& password,
                                   std::string_view mechanism) {
  AuthThrottle::Verdict v = server_.throttle().check(ip_, login, server_.now_ms());
  if (v.kind != AuthThrottle::Verdict::Kind::kAllow) {
    log_line(LogLevel::kWarning,
             fmt::format("{}: login refused: too many failures for {} from [{}] ({}s left)",
                         protocol_.name, login, ip_, v.retry_after));
    session_login_done(LoginVerdict::kThrottled, "");
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
          auto* c = static_cast<StreamConnection*>(arg);
          auto self = c->shared_from_this();
          c->run_login();
        },
        this);
  timeval tv{static_cast<time_t>(v.delay_ms / 1000),
             static_cast<suseconds_t>((v.delay_ms % 1000) * 1000)};
  evtimer_add(login_timer_, &tv);
}

void StreamConnection::run_login() {
  std::string login = std::move(pending_login_);
  std::string password = std::move(pending_password_);
  pending_password_.assign(pending_password_.size(), '\0');
  std::weak_ptr<StreamConnection> weak = weak_from_this();
  MailServerImpl* server = &server_;
  server_.poster().expect();
  // Service kImap/kPop3: the administrator's login is refused like a wrong password.
  server_.context().authenticate_async(
      login, password, protocol_.service, fmt::format("{} {}", protocol_.name, ip_),
      [weak, server, login](Result<Principal> result) {
        server->poster().post([weak, login, result = std::move(result)]() mutable {
          if (auto c = weak.lock()) c->finish_login(login, std::move(result));
        });
      });
}

void StreamConnection::finish_login(const std::string& login, Result<Principal> result) {
  if (closed_) return;
  const bool ok = result.is_ok() && result->is_account();
  server_.throttle().record(ip_, login, ok, server_.now_ms());
  if (ok) {
    log_line(LogLevel::kInfo, fmt::format("{} login: user=<{}>, method={}, rip={}", protocol_.name,
                                          result->name(), pending_mechanism_, ip_));
    session_login_done(LoginVerdict::kOk, result->name());
    set_timeout();
  } else if (result.is_ok() || result.status().code() == Code::kUnauthenticated ||
             result.status().code() == Code::kFailedPrecondition) {
    log_line(LogLevel::kWarning,
             fmt::format("{} login failed: user=<{}>, method={}, rip={}{}", protocol_.name, login,
                         pending_mechanism_, ip_,
                         !result.is_ok() && result.status().code() == Code::kFailedPrecondition
                             ? " (account disabled)"
                             : ""));
    session_login_done(LoginVerdict::kFailed, "");
  } else {
    log_line(LogLevel::kError,
             fmt::format("{} login error: {}", protocol_.name, result.status().message()));
    session_login_done(LoginVerdict::kTemporary, "");
  }
  pump();
}

void StreamConnection::log_line(LogLevel level, std::string_view line) {
  server_.log(level, fmt::format("[{}] {}", ip_, line));
}

void StreamConnection::close() {
  if (closed_) return;
  closed_ = true;
  on_close();
  if (bev_ != nullptr) bufferevent_disable(bev_, EV_READ | EV_WRITE);
  log_line(LogLevel::kInfo, fmt::format("{}: disconnect", protocol_.name));
  // Work on a worker thread still uses the session: the server lets the connection go when
  // it comes back (work_finished).
  if (!working_) server_.connection_closed(id_);
}

}  // namespace mf::mta
