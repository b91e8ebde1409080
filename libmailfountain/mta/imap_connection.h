// mta/imap_connection.h — one IMAP client connection: an imap::Session over the shared
// socket half (mta/stream_connection.h: plain with STARTTLS on 143, TLS from the first
// byte on 993), the session's host (login checks, the store's change notifications), and
// its store work run on the server's session workers.
#ifndef MF_MTA_IMAP_CONNECTION_H
#define MF_MTA_IMAP_CONNECTION_H

#include "imap/session.h"
#include "mta/session_connection.h"

#include <memory>
#include <string>

namespace mf::mta {

class ImapConnection : public SessionConnection<imap::Session, imap::LoginOutcome>,
                       public imap::SessionHost {
 public:
  ImapConnection(MailServerImpl& server, uint64_t id, ListenerRole role, std::string ip,
                 std::shared_ptr<const Settings> settings);
  ~ImapConnection() override;

  // imap::SessionHost
  void check_login(const std::string& login, const std::string& password,
                   std::string_view mechanism) override {
    StreamConnection::check_login(login, password, mechanism);
  }
  void logged_in(const std::string& account) override;
  void log(LogLevel level, std::string_view line) override { log_line(level, line); }

 private:
  uint32_t timeout_seconds() const override;
  void on_close() override { changes_ = mailbox::Subscription(); }

  mailbox::Subscription changes_;
};

}  // namespace mf::mta

#endif  // MF_MTA_IMAP_CONNECTION_H
