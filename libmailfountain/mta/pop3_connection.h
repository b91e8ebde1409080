// mta/pop3_connection.h — one POP3 client connection: a pop3::Session over the shared
// socket half (mta/stream_connection.h: plain with STLS on 110, TLS from the first byte on
// 995), the session's host (login checks, the maildrop over the store,
// mta/pop3_maildrop.h), and its store work run on the server's session workers.
#ifndef MF_MTA_POP3_CONNECTION_H
#define MF_MTA_POP3_CONNECTION_H

#include "mta/session_connection.h"
#include "pop3/session.h"

#include <memory>
#include <string>

namespace mf::mta {

class Pop3Connection : public SessionConnection<pop3::Session, pop3::LoginOutcome>,
                       public pop3::SessionHost {
 public:
  Pop3Connection(MailServerImpl& server, uint64_t id, ListenerRole role, std::string ip,
                 std::shared_ptr<const Settings> settings);
  // The session first: its maildrop releases the lock, and deletes nothing.
  ~Pop3Connection() override { session_.reset(); }

  // pop3::SessionHost
  void check_login(const std::string& login, const std::string& password,
                   std::string_view mechanism) override {
    StreamConnection::check_login(login, password, mechanism);
  }
  pop3::MaildropOpening open_maildrop(const std::string& account) override;
  void log(LogLevel level, std::string_view line) override { log_line(level, line); }

 private:
  uint32_t timeout_seconds() const override;
};

}  // namespace mf::mta

#endif  // MF_MTA_POP3_CONNECTION_H
