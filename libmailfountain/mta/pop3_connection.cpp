// mta/pop3_connection.cpp — one POP3 client connection (mta/pop3_connection.h).
#include "mta/pop3_connection.h"

#include "mta/pop3_maildrop.h"

namespace mf::mta {

Pop3Connection::Pop3Connection(MailServerImpl& server, uint64_t id, ListenerRole role,
                               std::string ip, std::shared_ptr<const Settings> settings)
    : StreamConnection(server, id, std::move(ip), std::move(settings),
                       StreamProtocol{"pop3", Service::kPop3, role == ListenerRole::kPop3s}) {
  pop3::SessionOptions o;
  o.tls = role == ListenerRole::kPop3s;
  o.starttls_available = role == ListenerRole::kPop3;
  o.max_bad_commands = settings_->config.pop3.max_bad_commands;
  session_ = std::make_unique<pop3::Session>(o, *this);
}

// The session first: its maildrop releases the lock, and deletes nothing.
Pop3Connection::~Pop3Connection() {
  session_.reset();
}

SessionWait Pop3Connection::session_waiting() const {
  switch (session_->waiting()) {
    case pop3::Session::Wait::kNone:
      return SessionWait::kNone;
    case pop3::Session::Wait::kLogin:
      return SessionWait::kLogin;
    case pop3::Session::Wait::kWork:
      return SessionWait::kWork;
    case pop3::Session::Wait::kStartTls:
      return SessionWait::kStartTls;
  }
  return SessionWait::kNone;
}

uint32_t Pop3Connection::timeout_seconds() const {
  const Pop3Config& cfg = settings_->config.pop3;
  return session_->state() == pop3::Session::State::kAuthorization ? cfg.login_timeout_seconds
                                                                   : cfg.idle_timeout_seconds;
}

void Pop3Connection::session_login_done(LoginVerdict verdict, const std::string& account) {
  pop3::LoginOutcome outcome = pop3::LoginOutcome::kTemporary;
  switch (verdict) {
    case LoginVerdict::kOk:
      outcome = pop3::LoginOutcome::kOk;
      break;
    case LoginVerdict::kFailed:
      outcome = pop3::LoginOutcome::kFailed;
      break;
    case LoginVerdict::kThrottled:
      outcome = pop3::LoginOutcome::kThrottled;
      break;
    case LoginVerdict::kTemporary:
      break;
  }
  session_->complete_login(outcome, account);
}

pop3::MaildropOpening Pop3Connection::open_maildrop(const std::string& account) {
  return StoreMaildrop::open(server_.store(), server_.maildrop_locks(), account);
}

}  // namespace mf::mta
