// mta/server_impl.h — the MailServer implementation (mail_server.h): listeners, the
// connections and their sessions, shared by server.cpp and connection.cpp.
//
// Everything here runs on the server's loop thread, except the functions worker threads
// post back through the LoopPoster.
#ifndef MF_MTA_SERVER_IMPL_H
#define MF_MTA_SERVER_IMPL_H

#include <mailfountain/mail_server.h>

#include "mailbox/mail_store.h"
#include "mta/auth_throttle.h"
#include "mta/cidr.h"
#include "mta/incoming_message.h"
#include "mta/loop_poster.h"
#include "mta/policy.h"
#include "mta/pop3_maildrop.h"
#include "mta/queue_id.h"
#include "mta/sending_limiter.h"
#include "model/worker_pool.h"
#include "mta/srs.h"
#include "net/tls_bufferevent.h"
#include "net/tls_context.h"
#include "smtp/session.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

struct bufferevent;
struct evconnlistener;
struct event;

namespace mf::outbound {
class DeliveryEngine;
}
namespace mf::http {
class Server;
}

namespace mf::mta {

class MailServerImpl;

// The settings a connection starts with; a reload makes a new one for new connections.
struct Settings {
  ServerConfig config;
  std::string hostname;
  NetworkList trusted;
  std::shared_ptr<net::TlsServerContext> tls_strict;  // submission
  std::shared_ptr<net::TlsServerContext> tls_mx;      // port 25
  std::shared_ptr<const Srs> srs;                     // forwarded mail's senders
};

// One accepted client connection of any protocol, as the server keeps it.
class ClientConnection {
 public:
  virtual ~ClientConnection() = default;
  // Takes the accepted socket; false (and the socket closed) if it cannot be set up.
  virtual bool start(int fd) = 0;
  // The server is stopping: say goodbye now if between commands, else after the current one.
  virtual void shut_down() = 0;
  virtual uint64_t id() const = 0;
  virtual const std::string& ip() const = 0;
  // Mail clients' connections (IMAP, POP3) are counted per address apart from SMTP ones
  // (ImapConfig::max_connections_per_address).
  virtual bool mailbox_access() const { return false; }
};

// One SMTP connection.
class Connection : public ClientConnection,
                   public smtp::SessionHost,
                   public std::enable_shared_from_this<Connection> {
 public:
  Connection(MailServerImpl& server, uint64_t id, ListenerRole role, std::string ip,
             std::shared_ptr<const Settings> settings);
  ~Connection() override;

  bool start(int fd) override;
  // 421 now if between commands, else after the current reply.
  void shut_down() override;
  uint64_t id() const override { return id_; }
  const std::string& ip() const override { return ip_; }

  // SessionHost
  std::optional<smtp::Reply> on_mail(const smtp::Envelope& env,
                                     const smtp::MailCommand& mail) override;
  std::optional<smtp::Reply> on_rcpt(const smtp::Envelope& env,
                                     const smtp::RcptCommand& rcpt) override;
  std::optional<smtp::Reply> on_message_start(const smtp::Envelope& env) override;
  void on_message_bytes(std::string_view bytes) override;
  void on_message_end(const smtp::Envelope& env, const smtp::DataStats& stats) override;
  void on_message_abort() override;
  void on_auth(const smtp::Envelope& env, const smtp::Credentials& credentials) override;

 private:
  static void read_cb(bufferevent* bev, void* arg);
  static void write_cb(bufferevent* bev, void* arg);
  static void event_cb(bufferevent* bev, short what, void* arg);

  void set_callbacks();
  void on_read();
  void on_written();
  void on_event(short what);
  // Feeds what is buffered, handles STARTTLS, sends the replies.
  void pump();
  void flush();
  void close();
  void start_tls();
  void set_timeout(uint32_t seconds);
  void run_auth();
  void finish_auth(const std::string& login, const std::string& mechanism,
                   Result<Principal> result);
  void complete(const smtp::Reply& reply);
  void log(LogLevel level, std::string_view line);
  void reset_message();

  MailServerImpl& server_;
  uint64_t id_;
  ListenerRole role_;
  std::string ip_;
  std::shared_ptr<const Settings> settings_;
  ClientInfo client_;
  bufferevent* bev_ = nullptr;
  net::TlsConnection* tls_ = nullptr;
  std::unique_ptr<smtp::Session> session_;
  bool closed_ = false;
  bool draining_ = false;  // the last reply is being sent; close when it has gone
  bool pumping_ = false;   // inside pump(): input is being fed to the session

  // The transaction in progress.
  std::vector<AcceptedRecipient> recipients_;
  std::string queue_id_;
  std::optional<mailbox::BodyWriter> writer_;
  std::optional<IncomingMessage> incoming_;
  Status write_status_;
  event* auth_timer_ = nullptr;
  smtp::Credentials pending_auth_;  // held during a throttling delay
};

class MailServerImpl : public MailServer {
 public:
  MailServerImpl(Context& context, event_base* base, LogSink log, mailbox::MailStore& store);
  ~MailServerImpl() override;

  Status configure(ServerConfig config);  // for create() and reload()
  Status start() override;
  Status reload(ServerConfig config) override;
  void shutdown(std::function<void()> done) override;
  ServerStatus status() const override;

  // For connections.
  Context& context() { return context_; }
  event_base* base() { return base_; }
  mailbox::MailStore& store() { return store_; }
  LoopPoster& poster() { return *poster_; }
  Policy& policy() { return *policy_; }
  AuthThrottle& throttle() { return throttle_; }
  SendingLimiter& limiter() { return *limiter_; }
  std::string next_queue_id() { return ids_.next(now()); }
  // The threads that run IMAP and POP3 sessions' store work (mta/stream_connection.h).
  WorkerPool& session_workers();
  // The maildrops POP3 sessions hold (mta/pop3_maildrop.h).
  MaildropLocks& maildrop_locks() { return maildrop_locks_; }
  int64_t now() const;
  int64_t now_ms() const;
  void log(LogLevel level, std::string_view line) const {
    if (log_) log_(level, line);
  }
  void connection_closed(uint64_t id);
  bool stopping() const { return stopping_; }
  void count_message(bool accepted, size_t delivered);
  // The envelope sender of forwarded mail (SRS), for OutboundInfo::forward_sender.
  std::function<std::string(std::string_view, std::string_view)> forward_sender() const;
  // A message's remote recipients were queued: counts it and wakes the delivery engine.
  void outbound_queued();
  // DSNs became due in the queue (local copies refused after the data): the delivery
  // engine builds them now (outbound/report_pass.h).
  void reports_pending();
  void set_delivery_listener(DeliveryListener listener) override;
  void wake_outbound() override;

 private:
  static void accept_cb(evconnlistener* listener, int fd, struct sockaddr* addr, int len,
                        void* arg);
  void on_accept(ListenerRole role, int fd, const struct sockaddr* addr);
  void maybe_done();
  // Serves HTTP (autoconfiguration) on the bound http listeners, which it moves from
  // listeners_ to http_ (mta/server_http.cpp). On failure, the caller frees both.
  Status start_http();

  Context& context_;
  event_base* base_;
  LogSink log_;
  mailbox::MailStore& store_;
  std::unique_ptr<LoopPoster> poster_;
  std::shared_ptr<const Settings> settings_;
  std::unique_ptr<SendingLimiter> limiter_;
  std::unique_ptr<Policy> policy_;
  AuthThrottle throttle_;
  QueueIdGenerator ids_;
  MaildropLocks maildrop_locks_;

  struct Bound {
    MailServerImpl* server;
    ListenerRole role;
    evconnlistener* listener;
    ListenerStatus status;
  };
  std::vector<std::unique_ptr<Bound>> listeners_;
  // The http listeners, served by evhttp, which owns them and their connections.
  std::unique_ptr<http::Server> http_;
  std::vector<ListenerStatus> http_listeners_;
  std::unordered_map<uint64_t, std::shared_ptr<ClientConnection>> connections_;
  std::map<std::string, uint32_t> per_address_;       // SMTP connections per client address
  std::map<std::string, uint32_t> access_per_address_;  // IMAP and POP3, per client address
  uint64_t next_id_ = 1;
  ServerStatus stats_;
  bool stopping_ = false;
  std::function<void()> on_stopped_;
  DeliveryListener delivery_listener_;
  // After the poster: destroyed (joined) first, while the jobs' posts still have a target.
  std::unique_ptr<WorkerPool> session_workers_;
  // The outbound side, from start(); declared last so that it goes first.
  bool engine_stopping_ = false;
  std::unique_ptr<outbound::DeliveryEngine> engine_;
};

}  // namespace mf::mta

#endif  // MF_MTA_SERVER_IMPL_H
