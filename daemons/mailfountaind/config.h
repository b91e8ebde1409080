// mailfountaind/config.h — the daemon's configuration file (TOML, read with toml++) turned
// into the library's mf::ServerConfig plus the daemon's own settings.
//
// Every key is documented in docs/mailfountaind.md. The reading is strict: an unknown key,
// a value of the wrong type, an out-of-range number or a malformed network is refused with
// "FILE:LINE: <what is wrong>", because a typo silently ignored in a mail server's
// configuration (a limit, a trusted network) is worse than a daemon that does not start.
// Without a file, every setting has its default and the default listeners apply.
#ifndef MAILFOUNTAIND_CONFIG_H
#define MAILFOUNTAIND_CONFIG_H

#include <mailfountain/mail_server.h>
#include <mailfountain/status.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mailfountaind {

enum class LogDestination {
  kStderr,  // one line per event on standard error (systemd's journal takes it from there)
  kSyslog,  // syslog(3), facility mail, ident "mailfountaind"
};

struct DaemonConfig {
  mf::ServerConfig server;
  LogDestination log_destination = LogDestination::kStderr;
  // The control socket mfctl talks to: an absolute path, by default DATA_DIR/control.sock.
  std::string control_socket;
};

// What the command line sets over the file. Kept apart so that a reload (SIGHUP) applies
// it again: the file is reread, the command line is not.
struct ConfigOverrides {
  // From --listen, in order. When not empty, replaces the file's [[listen]] tables.
  std::vector<mf::ListenerConfig> listeners;
};

// The listeners used when neither the file nor the command line names any: smtp on
// 0.0.0.0:25, submission on 0.0.0.0:587, submissions on 0.0.0.0:465.
std::vector<mf::ListenerConfig> default_listeners();

// Parses the TOML text of a configuration file. `source_name` is the file's name as it
// appears in error messages ("config.toml:12: ..."). `data_dir` is the data directory
// (an absolute path), for the default control socket. Errors are kInvalidArgument.
mf::Result<DaemonConfig> parse_config(std::string_view text, std::string_view source_name,
                                      const std::string& data_dir,
                                      const ConfigOverrides& overrides = {});

// Reads and parses the file at `path`; with an empty `path`, the defaults (no file). An
// unreadable file is kNotFound or kIOError naming the path.
mf::Result<DaemonConfig> load_config(const std::string& path, const std::string& data_dir,
                                     const ConfigOverrides& overrides = {});

// Parses a --listen value, ROLE=ADDRESS:PORT: "smtp=127.0.0.1:2525",
// "submission=[::1]:2587". Port 0 picks a free port (the bound one is reported at start).
mf::Result<mf::ListenerConfig> parse_listen_option(std::string_view text);

// "smtp", "submission", "submissions": the configuration's names of the listener roles.
mf::Result<mf::ListenerRole> parse_listener_role(std::string_view name);
std::string_view listener_role_text(mf::ListenerRole role);

// "127.0.0.1:25", or "[::1]:25" for an IPv6 address.
std::string format_endpoint(std::string_view address, uint16_t port);

// The longest path a UNIX socket address holds (sun_path less its terminating NUL).
size_t max_socket_path_length();

}  // namespace mailfountaind

#endif  // MAILFOUNTAIND_CONFIG_H
