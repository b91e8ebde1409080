// mta/pop3_connection.h — one POP3 client connection: a pop3::Session over the shared
// socket half (mta/stream_connection.h: plain with STLS on 110, TLS from the first byte on
// 995), the session's host (login checks, the maildrop over the store,
// mta/pop3_maildrop.h), and its store work run on the server's session workers.
#ifndef MF_MTA_POP3_CONNECTION_H
#define MF_MTA_POP3_CONNECTION_H

#include "mta/stream_connection.h"
#include "pop3/session.h"

#include <memory>
#include <string>

namespace mf::mta {

class Pop3Connection : public StreamConnection, public pop3::SessionHost {
 public:
  Pop3Connection(MailServerImpl& server, uint64_t id, ListenerRole role, std::string ip,
                 std::shared_ptr<const Settings> settings);
  ~Pop3Connection() override;

  // pop3::SessionHost
  void check_login(const std::string& login, const std::string& password,
                   std::string_view mechanism) override {
    StreamConnection::check_login(login, password, mechanism);
  }
  pop3::MaildropOpening open_maildrop(const std::string& account) override;
  void log(LogLevel level, std::string_view line) override { log_line(level, line); }

 private:
  void session_start() override { session_->start(); }
  size_t session_feed(std::string_view in) override { return session_->feed(in); }
  SessionWait session_waiting() const override;
  bool session_closing() const override { return session_->closing(); }
  std::string& session_output() override { return session_->output(); }
  void session_run_work() override { session_->run_work(); }
  void session_finish_work() override { session_->finish_work(); }
  void session_tls_started() override { session_->tls_started(); }
  void session_timed_out() override { session_->timed_out(); }
  void session_shut_down() override { session_->shut_down(); }
  void session_login_done(LoginVerdict verdict, const std::string& account) override;
  uint32_t timeout_seconds() const override;

  std::unique_ptr<pop3::Session> session_;
};

}  // namespace mf::mta

#endif  // MF_MTA_POP3_CONNECTION_H
