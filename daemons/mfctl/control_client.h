// mfctl/control_client.h — asking the running mailfountaind through its control socket
// (docs/mailfountaind.md): one request line, one JSON reply, then the daemon closes.
#ifndef MFCTL_CONTROL_CLIENT_H
#define MFCTL_CONTROL_CLIENT_H

#include "session.h"

#include <mailfountain/status.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace mfctl {

// The socket of the data directory: `socket` when given (--socket), else
// DATA_DIR/control.sock.
std::string control_socket_path(Session& s, const std::string& socket);

// Sends `request` (a line with its "\n") on the socket at `path` and returns the whole
// reply, waiting at most `timeout_seconds` for each read. When no daemon answers (no
// socket file, or nobody listening on it) it reports "not running" itself (error code
// not_running, exit status kExitNotRunning) and returns kFailedPrecondition. A reply
// larger than `max_reply_bytes` fails with kIOError.
mf::Result<std::string> ask_daemon(Session& s, const std::string& path, std::string_view request,
                                   int timeout_seconds, size_t max_reply_bytes);

}  // namespace mfctl

#endif  // MFCTL_CONTROL_CLIENT_H
