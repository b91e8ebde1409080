// mta/stream_connection.h — what the IMAP and POP3 connections share: the socket (plain
// with STARTTLS/STLS, or TLS from the first byte), the loop that feeds a protocol session
// and acts on what it waits for, the store work run on the server's session workers, the
// login check (the submission listeners' throttling, then the directory, off the loop),
// back-pressure on large output, the timeouts and the closing drain.
//
// A protocol connection (mta/imap_connection.h, mta/pop3_connection.h) derives from it and
// adapts its session through the pure virtual session_*() hooks below: the protocol cores
// (imap::Session, pop3::Session) have the same shape — feed(), waiting() among none, login,
// work and TLS, the two halves run_work()/finish_work(), output() and closing() — but
// their own types.
//
// Lives on the server's loop. The session's work runs on a worker thread while the
// connection waits: the connection stays in the server's set until that work has come
// back, even when the client has gone, so a worker never uses a freed session.
#ifndef MF_MTA_STREAM_CONNECTION_H
#define MF_MTA_STREAM_CONNECTION_H

#include "mta/server_impl.h"

#include <memory>
#include <string>
#include <string_view>

struct event;

namespace mf::mta {

// What a protocol session waits for, as the connection sees it.
enum class SessionWait {
  kNone,      // feed it more bytes
  kLogin,     // check_login() was called; session_login_done() comes next
  kWork,      // run session_run_work() on a worker, then session_finish_work()
  kStartTls,  // discard unread input, start TLS, then session_tls_started()
};

// What a login check found (the sessions' LoginOutcome, shared).
enum class LoginVerdict {
  kOk,         // the account may log in
  kFailed,     // wrong credentials, a disabled account, the administrator: all the same
  kThrottled,  // too many recent failures from this client (mta/auth_throttle.h)
  kTemporary,  // the directory could not be read
};

// The protocol's fixed traits.
struct StreamProtocol {
  std::string_view name;  // "imap", "pop3": log lines' prefix
  Service service;        // what the directory's authentication is asked for
  bool implicit_tls;      // TLS from the first byte (993, 995)
  // Input held while the session waits is bounded: past this libevent stops reading.
  size_t max_buffered_input = 1 << 20;
  // The session's next work (a FETCH or RETR slice) waits until less than this is unsent.
  size_t output_low_water = 256 * 1024;
};

class StreamConnection : public ClientConnection,
                         public std::enable_shared_from_this<StreamConnection> {
 public:
  StreamConnection(MailServerImpl& server, uint64_t id, std::string ip,
                   std::shared_ptr<const Settings> settings, StreamProtocol protocol);
  ~StreamConnection() override;

  // Sets up the socket (and TLS on an implicit-TLS port), then session_start().
  bool start(int fd) override;
  void shut_down() override;
  uint64_t id() const override { return id_; }
  const std::string& ip() const override { return ip_; }
  bool mailbox_access() const override { return true; }

 protected:
  // ---- the session, adapted by the protocol connection
  virtual void session_start() = 0;
  virtual size_t session_feed(std::string_view in) = 0;
  virtual SessionWait session_waiting() const = 0;
  virtual bool session_closing() const = 0;
  virtual std::string& session_output() = 0;
  // On a worker thread; nothing else touches the session meanwhile.
  virtual void session_run_work() = 0;
  virtual void session_finish_work() = 0;
  virtual void session_tls_started() = 0;
  virtual void session_timed_out() = 0;
  virtual void session_shut_down() = 0;
  virtual void session_login_done(LoginVerdict verdict, const std::string& account) = 0;
  // The read timeout now (before and after login differ).
  virtual uint32_t timeout_seconds() const = 0;
  // The connection closes: drop what could call back into it (store subscriptions).
  virtual void on_close() {}

  // For the protocol connection's SessionHost: checks the credentials (throttle, then
  // the directory off the loop) and answers with session_login_done() on the loop.
  void check_login(const std::string& login, const std::string& password,
                   std::string_view mechanism);
  void log_line(LogLevel level, std::string_view line);
  // Feeds buffered input to the session and acts on what it waits for. Call after
  // anything changed the session from outside (a store change).
  void pump();
  bool closed() const { return closed_; }
  // Resets the read timeout (after a login).
  void set_timeout();

  MailServerImpl& server_;
  std::shared_ptr<const Settings> settings_;

 private:
  static void read_cb(bufferevent* bev, void* arg);
  static void write_cb(bufferevent* bev, void* arg);
  static void event_cb(bufferevent* bev, short what, void* arg);

  // Sets bev_'s input bound, callbacks and timeout, and enables it (at the start, and on
  // the TLS filter after STARTTLS).
  void arm();
  size_t unsent() const;
  void flush();
  void start_tls();
  void run_work();
  void work_finished();
  void run_login();
  void finish_login(const std::string& login, Result<Principal> result);
  void on_event(short what);
  void close();

  uint64_t id_;
  std::string ip_;
  StreamProtocol protocol_;
  bufferevent* bev_ = nullptr;
  net::TlsConnection* tls_ = nullptr;
  bool closed_ = false;
  bool draining_ = false;
  bool pumping_ = false;
  bool working_ = false;         // run_work() is on a worker thread
  bool waiting_output_ = false;  // the next work waits for the client to read
  event* login_timer_ = nullptr;
  std::string pending_login_, pending_password_, pending_mechanism_;
};

}  // namespace mf::mta

#endif  // MF_MTA_STREAM_CONNECTION_H
