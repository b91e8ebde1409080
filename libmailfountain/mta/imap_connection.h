// mta/imap_connection.h — one IMAP client connection: the socket (plain with STARTTLS on
// 143, TLS from the first byte on 993) under an imap::Session, the session's host (login
// checks with the submission listeners' throttling, the store's change notifications), and its
// store work run on the server's IMAP workers.
//
// Lives on the server's loop. The session's work runs on a worker thread while the
// connection waits: the connection stays in the server's set until that work has come
// back, even when the client has gone, so a worker never uses a freed session.
#ifndef MF_MTA_IMAP_CONNECTION_H
#define MF_MTA_IMAP_CONNECTION_H

#include "imap/session.h"
#include "mta/server_impl.h"

#include <memory>
#include <string>

namespace mf::mta {

class ImapConnection : public ClientConnection,
                       public imap::SessionHost,
                       public std::enable_shared_from_this<ImapConnection> {
 public:
  ImapConnection(MailServerImpl& server, uint64_t id, ListenerRole role, std::string ip,
                 std::shared_ptr<const Settings> settings);
  ~ImapConnection() override;

  bool start(int fd) override;
  void shut_down() override;
  uint64_t id() const override { return id_; }
  const std::string& ip() const override { return ip_; }
  bool imap() const override { return true; }

  // imap::SessionHost
  void check_login(const std::string& login, const std::string& password,
                   std::string_view mechanism) override;
  void logged_in(const std::string& account) override;
  void log(LogLevel level, std::string_view line) override;

 private:
  static void read_cb(bufferevent* bev, void* arg);
  static void write_cb(bufferevent* bev, void* arg);
  static void event_cb(bufferevent* bev, short what, void* arg);

  void set_callbacks();
  void set_timeout();
  // Feeds buffered input to the session and acts on what it waits for.
  void pump();
  void flush();
  void start_tls();
  void run_work();
  void work_finished();
  void run_login();
  void finish_login(const std::string& login, Result<Principal> result);
  void on_event(short what);
  void close();

  MailServerImpl& server_;
  uint64_t id_;
  ListenerRole role_;
  std::string ip_;
  std::shared_ptr<const Settings> settings_;
  bufferevent* bev_ = nullptr;
  net::TlsConnection* tls_ = nullptr;
  std::unique_ptr<imap::Session> session_;
  mailbox::Subscription changes_;
  bool closed_ = false;
  bool draining_ = false;
  bool pumping_ = false;
  bool working_ = false;         // run_work() is on a worker thread
  bool waiting_output_ = false;  // a FETCH slice waits for the client to read
  event* login_timer_ = nullptr;
  std::string pending_login_, pending_password_, pending_mechanism_;
};

}  // namespace mf::mta

#endif  // MF_MTA_IMAP_CONNECTION_H
