// mta/session_connection.h — the adapter between the shared socket half
// (mta/stream_connection.h) and a protocol session of the imap::Session / pop3::Session
// shape: start(), feed(), waiting() with the values kNone, kLogin, kWork and kStartTls,
// run_work()/finish_work(), complete_login() with an outcome of the values kOk, kFailed,
// kThrottled and kTemporary, tls_started(), timed_out(), shut_down(), output(), closing().
// The protocol connection creates session_ in its constructor and adds what differs:
// its SessionHost and its timeouts; its destructor destroys session_ first, while the
// SessionHost the session refers to is still whole.
#ifndef MF_MTA_SESSION_CONNECTION_H
#define MF_MTA_SESSION_CONNECTION_H

#include "mta/stream_connection.h"

#include <memory>
#include <string>
#include <string_view>

namespace mf::mta {

template <class Session, class LoginOutcome>
class SessionConnection : public StreamConnection {
 protected:
  using StreamConnection::StreamConnection;

  std::unique_ptr<Session> session_;

 private:
  void session_start() override { session_->start(); }
  size_t session_feed(std::string_view in) override { return session_->feed(in); }
  bool session_closing() const override { return session_->closing(); }
  std::string& session_output() override { return session_->output(); }
  void session_run_work() override { session_->run_work(); }
  void session_finish_work() override { session_->finish_work(); }
  void session_tls_started() override { session_->tls_started(); }
  void session_timed_out() override { session_->timed_out(); }
  void session_shut_down() override { session_->shut_down(); }

  SessionWait session_waiting() const override {
    switch (session_->waiting()) {
      case Session::Wait::kNone:
        return SessionWait::kNone;
      case Session::Wait::kLogin:
        return SessionWait::kLogin;
      case Session::Wait::kWork:
        return SessionWait::kWork;
      case Session::Wait::kStartTls:
        return SessionWait::kStartTls;
    }
    return SessionWait::kNone;
  }

  void session_login_done(LoginVerdict verdict, const std::string& account) override {
    LoginOutcome outcome = LoginOutcome::kTemporary;
    switch (verdict) {
      case LoginVerdict::kOk:
        outcome = LoginOutcome::kOk;
        break;
      case LoginVerdict::kFailed:
        outcome = LoginOutcome::kFailed;
        break;
      case LoginVerdict::kThrottled:
        outcome = LoginOutcome::kThrottled;
        break;
      case LoginVerdict::kTemporary:
        break;
    }
    session_->complete_login(outcome, account);
  }
};

}  // namespace mf::mta

#endif  // MF_MTA_SESSION_CONNECTION_H
