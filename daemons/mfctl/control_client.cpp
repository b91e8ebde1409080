// mfctl/control_client.cpp — the client side of the control socket.
#include "control_client.h"

#include "exit_codes.h"

#include <fmt/format.h>

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mfctl {
namespace {

// Reports that no daemon answers: its own error code and exit status, since scripts check
// for exactly this ("is the daemon up?").
mf::Status not_running(Session& s, const std::string& path, int error) {
  std::string message =
      fmt::format("mailfountaind is not running on {} (nothing answers on {}: {})",
                  s.settings().data_dir, path, std::strerror(error));
  s.out().error("not_running", message,
                "Start it with `systemctl start mailfountaind`, or run mailfountaind --data DIR.");
  s.set_exit_status(kExitNotRunning);
  return mf::failed_precondition(message);
}

}  // namespace

mf::Result<std::string> ask_daemon(Session& s, const std::string& path, std::string_view request,
                                   int timeout_seconds, size_t max_reply_bytes) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) {
    return mf::invalid_argument(fmt::format("the socket path {} is too long", path));
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);

  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return mf::io_error(fmt::format("socket: {}", std::strerror(errno)));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  timeval timeout{timeout_seconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);

  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    int error = errno;
    // No socket file, or a file nobody listens on (left by a daemon that died).
    if (error == ENOENT || error == ECONNREFUSED) return not_running(s, path, error);
    if (error == EACCES) {
      return mf::permission_denied(
          fmt::format("cannot connect to {}: {} (the control socket admits only the data "
                      "directory's owner and root)",
                      path, std::strerror(error)));
    }
    return mf::io_error(fmt::format("cannot connect to {}: {}", path, std::strerror(error)));
  }
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    return mf::io_error(fmt::format("cannot send to {}: {}", path, std::strerror(errno)));
  }
  std::string reply;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        return mf::io_error(fmt::format("mailfountaind did not answer on {} within {} seconds",
                                        path, timeout_seconds));
      }
      return mf::io_error(fmt::format("cannot read from {}: {}", path, std::strerror(errno)));
    }
    reply.append(buffer, static_cast<size_t>(n));
    if (reply.size() > max_reply_bytes) {
      return mf::io_error(
          fmt::format("the reply on {} is larger than {} bytes", path, max_reply_bytes));
    }
  }
  return reply;
}

std::string control_socket_path(Session& s, const std::string& socket) {
  return socket.empty() ? s.settings().data_dir + "/control.sock" : socket;
}

}  // namespace mfctl
