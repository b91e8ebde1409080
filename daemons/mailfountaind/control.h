// mailfountaind/control.h — the control socket through which mfctl talks to the running
// daemon.
//
// A UNIX stream socket (DATA_DIR/control.sock by default), mode 0600, owned by the user
// the daemon runs as, who must own the data directory: only the data directory's owner
// (and root) can connect. The protocol is one request line, one JSON object in reply on one
// line, then the daemon closes the connection:
//
//   status            → the server's status (see status_json.h and docs/mailfountaind.md)
//   queue ...         → the outbound queue's administration (queue_requests.h)
//   anything else     → {"error": "unknown request ..."}
//
// `status` is answered on the loop. A queue request blocks on LMDB (its writes wait for
// the writer lock and a disk sync), so it runs on a thread of its own, one per request
// (at most kMaxControlConnections at once, since each holds its connection), and the reply
// is sent from the loop when it is done. While it runs, the connection is not read and
// has no timeout: a flush of a large queue takes as long as it takes.
//
// A request longer than kMaxControlRequestBytes, or one not finished within
// kControlTimeoutSeconds, gets {"error": ...} or is dropped. The server does not depend on
// the MTA engine: it answers with what its handlers return.
//
// One daemon per socket: at start, a lock (flock on PATH.lock, held while the server
// lives) and a connection attempt on an existing socket file tell a running daemon from a
// stale file left by a crash; only a stale file is replaced.
//
// Threading: the server runs on one event_base; construct, use and destroy it on that
// base's thread.
#ifndef MAILFOUNTAIND_CONTROL_H
#define MAILFOUNTAIND_CONTROL_H

#include <mailfountain/status.h>

#include <nlohmann/json.hpp>

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

struct event_base;

namespace mailfountaind {

using Json = nlohmann::ordered_json;

inline constexpr size_t kMaxControlRequestBytes = 4096;  // the request line, without newline
inline constexpr int kControlTimeoutSeconds = 10;
inline constexpr size_t kMaxControlConnections = 32;  // beyond, new ones are closed at once

// The reply to a blocking request, and whether it may have made queued recipients due.
struct BlockingReply {
  Json body;
  bool queue_changed = false;
};

// The reply to a `queue ...` request (the whole line), run on a thread of its own; it must
// be thread-safe. `stopping` turns true when the server is being destroyed (the destructor
// waits for running requests): long requests should end early then.
using BlockingHandler =
    std::function<BlockingReply(std::string_view request, const std::atomic<bool>& stopping)>;

struct ControlHandlers {
  std::function<Json()> status;  // the reply to `status`, on the loop thread
  BlockingHandler queue = {};    // `queue ...` requests; empty: refused as unknown
  // Called on the loop thread after a queue request that may have made recipients due
  // (flush, release), once its reply is sent: wakes the delivery engine. May be empty.
  std::function<void()> queue_changed = {};
};

// The reply to one request line (without its line ending), as compact JSON without a
// newline. Never fails: a handler that throws gives {"error": ...}. A queue request is run
// on the calling thread here (the server itself runs it on a thread of its own).
std::string control_reply(std::string_view request, const ControlHandlers& handlers);

// Whether `request` blocks (a queue request): the server runs it off the loop.
bool is_blocking_request(std::string_view request);

// Checks that `dir` is a directory owned by the effective uid: kNotFound when there is no
// such directory, kPermissionDenied naming both uids when another user owns it.
mf::Status check_data_dir_owner(const std::string& dir);

class ControlServer {
 public:
  // Creates the socket at `path` and starts answering on `base` (which must outlive the
  // server). `data_dir` only names the daemon in messages. Fails with kFailedPrecondition
  // "another mailfountaind is running on DATA_DIR ..." when another daemon holds the lock
  // or answers on `path`; with kFailedPrecondition when `path` exists and is not a socket
  // (it is never removed then); with kIOError for system call failures.
  static mf::Result<std::unique_ptr<ControlServer>> start(event_base* base, const std::string& path,
                                                          const std::string& data_dir,
                                                          ControlHandlers handlers);

  // Stops listening, waits for the queue requests under way (telling them to stop),
  // closes open connections and removes the socket file if it is still the one this
  // server created.
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  const std::string& path() const;
  size_t open_connections() const;

  class Impl;

 private:
  explicit ControlServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mailfountaind

#endif  // MAILFOUNTAIND_CONTROL_H
