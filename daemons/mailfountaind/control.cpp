// mailfountaind/control.cpp — the control socket: creation under a lock, replacement of a
// stale file, and the request/reply exchange over libevent bufferevents.
#include "control.h"

#include "queue_requests.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <fmt/format.h>

#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <list>
#include <mutex>
#include <set>
#include <system_error>
#include <thread>
#include <utility>

namespace mailfountaind {
namespace {

std::string errno_text(int error) {
  return std::strerror(error);
}

// A file descriptor closed on destruction unless released.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = other.release();
    }
    return *this;
  }
  ~Fd() { reset(); }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

mf::Result<sockaddr_un> socket_address(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof address.sun_path) {
    return mf::invalid_argument(fmt::format(
        "the control socket path {} is longer than the {} bytes a UNIX socket address holds", path,
        sizeof address.sun_path - 1));
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  return address;
}

std::string another_daemon(const std::string& data_dir, std::string_view how) {
  return fmt::format("another mailfountaind is running on {} ({}); stop it first", data_dir, how);
}

// Whether someone accepts connections on the socket file at `path`: ECONNREFUSED means a
// file left behind by a daemon that died.
mf::Result<bool> someone_answers(const sockaddr_un& address, const std::string& path) {
  Fd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (probe.get() < 0) return mf::io_error(fmt::format("socket: {}", errno_text(errno)));
  if (::connect(probe.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
    return true;
  }
  int error = errno;
  if (error == ECONNREFUSED) return false;
  return mf::io_error(
      fmt::format("cannot tell whether a daemon answers on {}: {}", path, errno_text(error)));
}

// A reply as one line of compact JSON. Invalid UTF-8 in a string (a client's HELO name in
// a status, a header field of a queued message) must not throw.
std::string dump_reply(const Json& reply) {
  return reply.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Json exception_reply(const std::exception& e) {
  return Json{{"error", fmt::format("the request failed: {}", e.what())}};
}

}  // namespace

bool is_blocking_request(std::string_view request) {
  return is_queue_request(request);
}

std::string control_reply(std::string_view request, const ControlHandlers& handlers) {
  Json reply;
  try {
    if (request == "status" && handlers.status) {
      reply = handlers.status();
    } else if (is_blocking_request(request) && handlers.queue) {
      const std::atomic<bool> never_stopping{false};
      reply = handlers.queue(request, never_stopping).body;
    } else {
      // Printable in the reply whatever the client sent.
      std::string shown;
      for (char c : request.substr(0, 64)) {
        shown += (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) ? '?' : c;
      }
      reply =
          Json{{"error", fmt::format("unknown request '{}' (requests: status, queue ...)", shown)}};
    }
  } catch (const std::exception& e) {
    reply = exception_reply(e);
  }
  return dump_reply(reply);
}

mf::Status check_data_dir_owner(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    int error = errno;
    if (error == ENOENT) {
      return mf::not_found(
          fmt::format("no data directory at {} (create one with mfctl init)", dir));
    }
    return mf::io_error(
        fmt::format("cannot inspect the data directory {}: {}", dir, errno_text(error)));
  }
  if (!S_ISDIR(st.st_mode)) {
    return mf::failed_precondition(fmt::format("{} is not a directory", dir));
  }
  if (st.st_uid != ::geteuid()) {
    return mf::permission_denied(fmt::format(
        "the data directory {} belongs to uid {}, but mailfountaind runs as uid {}: run it as "
        "the data directory's owner",
        dir, st.st_uid, ::geteuid()));
  }
  return mf::Status::ok();
}

class ControlServer::Impl {
 public:
  Impl(event_base* base, std::string path, ControlHandlers handlers)
      : base_(base), path_(std::move(path)), handlers_(std::move(handlers)) {}

  ~Impl() {
    // The blocking requests first: they use the handlers and post to the loop's eventfd.
    stopping_ = true;
    std::list<Job> jobs;
    {
      std::lock_guard<std::mutex> lock(jobs_mu_);
      jobs.swap(jobs_);
    }
    for (Job& job : jobs) job.thread.join();
    if (wake_event_ != nullptr) event_free(wake_event_);
    if (listener_ != nullptr) evconnlistener_free(listener_);
    for (bufferevent* bev : connections_) bufferevent_free(bev);
    // Remove the file only if it is ours: an administrator may have replaced it.
    struct stat st {};
    if (socket_inode_ != 0 && ::lstat(path_.c_str(), &st) == 0 && st.st_ino == socket_inode_ &&
        st.st_dev == socket_device_) {
      ::unlink(path_.c_str());
    }
  }

  mf::Status open(const std::string& data_dir) {
    MF_ASSIGN_OR_RETURN(sockaddr_un address, socket_address(path_));

    // The lock first: it is what tells two daemons starting at the same moment apart, where
    // the connection test alone would let both replace the file.
    const std::string lock_path = path_ + ".lock";
    lock_ = Fd(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (lock_.get() < 0) {
      return mf::io_error(fmt::format("cannot open {}: {}", lock_path, errno_text(errno)));
    }
    if (::flock(lock_.get(), LOCK_EX | LOCK_NB) != 0) {
      int error = errno;
      if (error == EWOULDBLOCK) {
        return mf::failed_precondition(
            another_daemon(data_dir, fmt::format("it holds {}", lock_path)));
      }
      return mf::io_error(fmt::format("cannot lock {}: {}", lock_path, errno_text(error)));
    }

    struct stat st {};
    if (::lstat(path_.c_str(), &st) == 0) {
      if (!S_ISSOCK(st.st_mode)) {
        return mf::failed_precondition(fmt::format(
            "{} exists and is not a socket; move it away or set control.socket to another path",
            path_));
      }
      MF_ASSIGN_OR_RETURN(bool answers, someone_answers(address, path_));
      if (answers) {
        return mf::failed_precondition(
            another_daemon(data_dir, fmt::format("it answers on {}", path_)));
      }
      if (::unlink(path_.c_str()) != 0 && errno != ENOENT) {
        return mf::io_error(
            fmt::format("cannot remove the stale socket {}: {}", path_, errno_text(errno)));
      }
    }

    Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (fd.get() < 0) return mf::io_error(fmt::format("socket: {}", errno_text(errno)));
    // The file is created 0600 from the start: a chmod after bind would leave a moment in
    // which others could connect.
    mode_t previous = ::umask(0177);
    int bound = ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address);
    int bind_error = errno;
    ::umask(previous);
    if (bound != 0) {
      return mf::io_error(
          fmt::format("cannot create the control socket {}: {}", path_, errno_text(bind_error)));
    }
    if (::lstat(path_.c_str(), &st) == 0) {
      socket_inode_ = st.st_ino;
      socket_device_ = st.st_dev;
    }
    if (::listen(fd.get(), 16) != 0) {
      return mf::io_error(fmt::format("listen on {}: {}", path_, errno_text(errno)));
    }
    listener_ = evconnlistener_new(base_, &Impl::on_accept, this,
                                   LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd.get());
    if (listener_ == nullptr) {
      return mf::io_error(fmt::format("cannot watch the control socket {}", path_));
    }
    fd.release();

    // Finished blocking requests wake the loop through an eventfd.
    wake_ = Fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (wake_.get() < 0) return mf::io_error(fmt::format("eventfd: {}", errno_text(errno)));
    wake_event_ = event_new(base_, wake_.get(), EV_READ | EV_PERSIST, &Impl::on_wake, this);
    if (wake_event_ == nullptr || event_add(wake_event_, nullptr) != 0) {
      return mf::io_error("cannot watch the control socket's completion events");
    }
    return mf::Status::ok();
  }

  const std::string& path() const { return path_; }
  size_t open_connections() const { return connections_.size(); }

 private:
  static void on_accept(evconnlistener*, evutil_socket_t fd, sockaddr*, int, void* arg) {
    static_cast<Impl*>(arg)->accept(fd);
  }

  void accept(evutil_socket_t fd) {
    if (connections_.size() >= kMaxControlConnections) {
      ::close(fd);
      return;
    }
    bufferevent* bev = bufferevent_socket_new(base_, fd, BEV_OPT_CLOSE_ON_FREE);
    if (bev == nullptr) {
      ::close(fd);
      return;
    }
    connections_.insert(bev);
    bufferevent_setcb(bev, &Impl::on_read, nullptr, &Impl::on_event, this);
    // Reading stops once a request can no longer fit; the read callback then refuses it.
    bufferevent_setwatermark(bev, EV_READ, 0, kMaxControlRequestBytes + 2);
    const timeval timeout{kControlTimeoutSeconds, 0};
    bufferevent_set_timeouts(bev, &timeout, &timeout);
    bufferevent_enable(bev, EV_READ);
  }

  static void on_read(bufferevent* bev, void* arg) { static_cast<Impl*>(arg)->read(bev, false); }

  static void on_event(bufferevent* bev, short events, void* arg) {
    auto* self = static_cast<Impl*>(arg);
    // A client may end its request by closing its side instead of sending a newline.
    if ((events & BEV_EVENT_EOF) != 0 && (events & BEV_EVENT_READING) != 0) {
      self->read(bev, true);
      return;
    }
    self->close(bev);
  }

  static void on_written(bufferevent* bev, void* arg) {
    if (evbuffer_get_length(bufferevent_get_output(bev)) == 0) static_cast<Impl*>(arg)->close(bev);
  }

  void read(bufferevent* bev, bool at_eof) {
    evbuffer* input = bufferevent_get_input(bev);
    size_t eol_length = 0;
    evbuffer_ptr eol = evbuffer_search_eol(input, nullptr, &eol_length, EVBUFFER_EOL_LF);
    size_t length = eol.pos >= 0 ? static_cast<size_t>(eol.pos) : evbuffer_get_length(input);
    if (length > kMaxControlRequestBytes) {
      reply(bev,
            Json{{"error", fmt::format("request longer than {} bytes", kMaxControlRequestBytes)}}
                .dump());
      return;
    }
    if (eol.pos < 0 && !at_eof) return;  // wait for the rest of the line
    if (eol.pos < 0 && length == 0) {    // closed without asking anything
      close(bev);
      return;
    }
    std::string request(length, '\0');
    evbuffer_copyout(input, request.data(), length);
    if (!request.empty() && request.back() == '\r') request.pop_back();
    if (is_blocking_request(request) && handlers_.queue) {
      start_job(bev, std::move(request));
      return;
    }
    reply(bev, control_reply(request, handlers_));
  }

  // A blocking request under way on its own thread, for the connection `bev` (nullptr
  // once that connection is gone).
  struct Job {
    bufferevent* bev = nullptr;
    std::thread thread;
    bool finished = false;
    std::string reply;
    bool queue_changed = false;
  };

  // Runs `request` on a thread of its own; the loop sends its reply (on_wake).
  void start_job(bufferevent* bev, std::string request) {
    // Nothing more is read from this client, and no timeout runs while the request does.
    bufferevent_disable(bev, EV_READ | EV_WRITE);
    evbuffer_drain(bufferevent_get_input(bev), evbuffer_get_length(bufferevent_get_input(bev)));
    std::unique_lock<std::mutex> lock(jobs_mu_);
    Job& job = jobs_.emplace_back();
    job.bev = bev;
    try {
      job.thread =
          std::thread([this, &job, request = std::move(request)] { run_job(job, request); });
    } catch (const std::system_error& e) {
      // No thread to be had (resource limits): refuse this request, keep serving.
      jobs_.pop_back();
      lock.unlock();
      reply(bev, dump_reply(Json{{"error", fmt::format("cannot start the request: {}", e.what())},
                                 {"code", "resource_exhausted"}}));
    }
  }

  // The body of a job's thread.
  void run_job(Job& job, const std::string& request) {
    std::string text;
    bool changed = false;
    try {
      BlockingReply r = handlers_.queue(request, stopping_);
      text = dump_reply(r.body);
      changed = r.queue_changed;
    } catch (const std::exception& e) {
      text = dump_reply(exception_reply(e));
    }
    {
      std::lock_guard<std::mutex> done(jobs_mu_);
      job.reply = std::move(text);
      job.queue_changed = changed;
      job.finished = true;
    }
    uint64_t one = 1;
    // The eventfd's counter cannot overflow at this rate; a failed write would only delay
    // the reply until the next one.
    (void)!::write(wake_.get(), &one, sizeof one);
  }

  static void on_wake(evutil_socket_t fd, short, void* arg) {
    uint64_t count = 0;
    (void)!::read(fd, &count, sizeof count);
    static_cast<Impl*>(arg)->finish_jobs();
  }

  // Sends the replies of finished requests (on the loop thread).
  void finish_jobs() {
    std::list<Job> finished;
    {
      std::lock_guard<std::mutex> lock(jobs_mu_);
      for (auto it = jobs_.begin(); it != jobs_.end();) {
        auto next = std::next(it);
        if (it->finished) finished.splice(finished.end(), jobs_, it);
        it = next;
      }
    }
    bool changed = false;
    for (Job& job : finished) {
      job.thread.join();
      if (job.bev != nullptr) reply(job.bev, job.reply);
      changed = changed || job.queue_changed;
    }
    if (changed && handlers_.queue_changed) handlers_.queue_changed();
  }

  // Sends `text` and a newline, then closes once it is written.
  void reply(bufferevent* bev, const std::string& text) {
    bufferevent_disable(bev, EV_READ);
    bufferevent_enable(bev, EV_WRITE);
    evbuffer_drain(bufferevent_get_input(bev), evbuffer_get_length(bufferevent_get_input(bev)));
    bufferevent_setcb(bev, nullptr, &Impl::on_written, &Impl::on_event, this);
    std::string line = text + "\n";
    if (bufferevent_write(bev, line.data(), line.size()) != 0) close(bev);
  }

  void close(bufferevent* bev) {
    {
      std::lock_guard<std::mutex> lock(jobs_mu_);
      for (Job& job : jobs_) {
        if (job.bev == bev) job.bev = nullptr;
      }
    }
    connections_.erase(bev);
    bufferevent_free(bev);
  }

  event_base* base_;
  std::string path_;
  ControlHandlers handlers_;
  Fd lock_;
  evconnlistener* listener_ = nullptr;
  std::set<bufferevent*> connections_;
  ino_t socket_inode_ = 0;
  dev_t socket_device_ = 0;
  Fd wake_;
  event* wake_event_ = nullptr;
  std::atomic<bool> stopping_{false};
  std::mutex jobs_mu_;
  std::list<Job> jobs_;  // blocking requests under way or finished and not yet replied
};

mf::Result<std::unique_ptr<ControlServer>> ControlServer::start(event_base* base,
                                                                const std::string& path,
                                                                const std::string& data_dir,
                                                                ControlHandlers handlers) {
  auto impl = std::make_unique<Impl>(base, path, std::move(handlers));
  MF_RETURN_IF_ERROR(impl->open(data_dir));
  return std::unique_ptr<ControlServer>(new ControlServer(std::move(impl)));
}

ControlServer::ControlServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ControlServer::~ControlServer() = default;
const std::string& ControlServer::path() const {
  return impl_->path();
}
size_t ControlServer::open_connections() const {
  return impl_->open_connections();
}

}  // namespace mailfountaind
