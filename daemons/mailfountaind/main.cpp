// NAME
//   mailfountaind - the MailFountain mail server
//
// SYNOPSIS
//   mailfountaind [--data DIR] [--config FILE] [--listen ROLE=ADDRESS:PORT]... [--foreground]
//
// DESCRIPTION
//   mailfountaind runs libmailfountain's MTA engine (mf::MailServer) on a libevent loop:
//   it receives mail for the data directory's domains (SMTP, port 25), takes mail from its
//   users (submission, 587 with STARTTLS and 465 with TLS), serves their mailboxes (IMAP,
//   143 and 993; POP3, 110 and 995) and mail clients' autoconfiguration (HTTP, 80).
//   Every protocol is in the library; this program reads the configuration, owns the event
//   loop, the signals, the log and the control socket, and nothing else.
//
//   It always runs in the foreground and never forks: systemd (Type=simple, see
//   mailfountaind.service) or a terminal supervises it. --foreground is accepted, and is
//   what it does anyway.
//
// LISTENS ON
//   The configuration's [[listen]] tables, or the --listen options (which replace them),
//   or by default every role on 0.0.0.0 at its standard port: smtp 25, submission 587,
//   submissions 465, imap 143, imaps 993, pop3 110, pop3s 995, http 80.
//   Once every listener is bound it prints "listening: ROLE ADDRESS:PORT" per listener (the
//   bound port, for port 0) and then "ready" on stdout, and logs the same.
//   The control socket, DATA_DIR/control.sock by default (mode 0600), for `mfctl status`
//   and `mfctl queue ...`.
//
// READS AND WRITES
//   The data directory (--data DIR, else $MAILFOUNTAIN_DATA, else /var/lib/mailfountain),
//   which must belong to the user the daemon runs as. The configuration file (--config;
//   without it, the defaults); every key is documented in docs/mailfountaind.md. Logs go to
//   stderr or syslog (facility mail), one line per event.
//
// SIGNALS
//   SIGTERM, SIGINT: stop accepting, finish the messages being committed, exit 0.
//   SIGHUP: reread the configuration file and apply it (limits, networks, TLS certificate);
//   a file with an error is logged and the running configuration is kept.
//
// EXIT STATUS
//   0 after a graceful stop; 2 for a bad command line or configuration; 1 for any other
//   failure to start (data directory, another daemon running, a port that cannot be bound).
#include "config.h"
#include "control.h"
#include "log.h"
#include "queue_requests.h"
#include "status_json.h"

#include <event2/event.h>
#include <fmt/format.h>
#include <mailfountain/context.h>
#include <mailfountain/mail_server.h>
#include <mailfountain/version.h>
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace mailfountaind;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
constexpr const char* kDefaultDataDir = "/var/lib/mailfountain";

struct CommandLine {
  std::string data_dir = kDefaultDataDir;
  std::string config_path;  // empty: no file, the defaults
  std::vector<std::string> listen;
  bool foreground = false;
};

struct EventBaseDeleter {
  void operator()(event_base* base) const { event_base_free(base); }
};
struct EventDeleter {
  void operator()(event* e) const { event_free(e); }
};

// The running daemon: what main owns, torn down in the reverse order of its members.
class Daemon {
 public:
  Daemon(CommandLine command_line, ConfigOverrides overrides, DaemonConfig config)
      : command_line_(std::move(command_line)),
        overrides_(std::move(overrides)),
        config_(std::move(config)),
        log_(make_log_sink(config_.log_destination)) {}

  // Starts everything, runs the loop until a graceful stop, and returns the exit status.
  int run() {
    auto context = mf::Context::open(command_line_.data_dir);
    if (!context.is_ok()) return fail(context.status());
    context_ = std::move(*context);

    base_.reset(event_base_new());
    if (!base_) return fail(mf::internal_error("cannot create the event loop"));

    // The control socket comes before the listeners: a second daemon on the same data
    // directory is told so, rather than that port 25 is in use.
    ControlHandlers handlers;
    handlers.status = [this] {
      // The loop runs only once the server exists; the check costs nothing.
      if (!server_) return Json{{"error", "the mail server is starting"}};
      return status_to_json(server_->status(), getpid(), MF_VERSION_STRING);
    };
    // On a thread of the control server's (the Context is thread-safe), which joins it
    // before the Context goes: control_ is destroyed first.
    handlers.queue = [this](std::string_view request, const std::atomic<bool>& stopping) {
      QueueReply r = run_queue_request(*context_, request, stopping);
      return BlockingReply{std::move(r.body), r.queue_changed};
    };
    // After a flush or a release, on the loop: deliver what became due now.
    handlers.queue_changed = [this] {
      if (server_) server_->wake_outbound();
    };
    auto control = ControlServer::start(base_.get(), config_.control_socket, command_line_.data_dir,
                                        std::move(handlers));
    if (!control.is_ok()) return fail(control.status());
    control_ = std::move(*control);

    auto server = mf::MailServer::create(*context_, base_.get(), config_.server, log_);
    if (!server.is_ok()) return fail(server.status());
    server_ = std::move(*server);
    if (mf::Status started = server_->start(); !started.is_ok()) return fail(started);

    for (int signal_number : {SIGTERM, SIGINT, SIGHUP}) {
      std::unique_ptr<event, EventDeleter> e(
          evsignal_new(base_.get(), signal_number, &Daemon::on_signal, this));
      if (!e || event_add(e.get(), nullptr) != 0) {
        return fail(mf::internal_error("cannot watch the signals"));
      }
      signals_.push_back(std::move(e));
    }

    for (const auto& l : server_->status().listeners) {
      std::string line = fmt::format("listening: {} {}", listener_role_text(l.role),
                                     format_endpoint(l.address, l.port));
      log_(mf::LogLevel::kInfo, line);
      std::printf("%s\n", line.c_str());
    }
    log_(mf::LogLevel::kInfo,
         fmt::format("ready: MailFountain {}, data directory {}, control "
                     "socket {}",
                     MF_VERSION_STRING, command_line_.data_dir, config_.control_socket));
    std::printf("ready\n");
    std::fflush(stdout);

    event_base_dispatch(base_.get());
    log_(mf::LogLevel::kInfo, "stopped");
    return kExitOk;
  }

 private:
  // Logs a failure to start, and shows it on stderr too when the log goes elsewhere.
  int fail(const mf::Status& status) {
    log_(mf::LogLevel::kError, status.message());
    if (config_.log_destination != LogDestination::kStderr) {
      std::fprintf(stderr, "mailfountaind: %s\n", status.message().c_str());
    }
    return kExitFailure;
  }

  static void on_signal(evutil_socket_t signal_number, short, void* arg) {
    auto* self = static_cast<Daemon*>(arg);
    if (signal_number == SIGHUP) {
      self->reload();
    } else {
      self->stop(static_cast<int>(signal_number));
    }
  }

  void stop(int signal_number) {
    if (stopping_) {
      log_(mf::LogLevel::kInfo, "already stopping: waiting for messages being committed");
      return;
    }
    stopping_ = true;
    log_(mf::LogLevel::kInfo,
         fmt::format("{}: stopping", signal_number == SIGINT ? "SIGINT" : "SIGTERM"));
    event_base* base = base_.get();
    server_->shutdown([base] { event_base_loopexit(base, nullptr); });
  }

  void reload() {
    std::string file = command_line_.config_path.empty() ? std::string("(no file: defaults)")
                                                         : command_line_.config_path;
    auto config = load_config(command_line_.config_path, command_line_.data_dir, overrides_);
    if (!config.is_ok()) {
      log_(mf::LogLevel::kError,
           fmt::format("reload: {}; keeping the running configuration", config.status().message()));
      return;
    }
    if (mf::Status applied = server_->reload(config->server); !applied.is_ok()) {
      log_(mf::LogLevel::kError,
           fmt::format("reload: {}; keeping the running configuration", applied.message()));
      return;
    }
    if (config->log_destination != config_.log_destination) {
      log_(mf::LogLevel::kWarning, "reload: log.destination changes take effect at the next start");
    }
    if (config->control_socket != config_.control_socket) {
      log_(mf::LogLevel::kWarning, "reload: control.socket changes take effect at the next start");
    }
    // Keep the settings that did not apply, so that the next reload compares with them.
    config->log_destination = config_.log_destination;
    config->control_socket = config_.control_socket;
    config_ = std::move(*config);
    log_(mf::LogLevel::kInfo, fmt::format("reload: configuration applied from {}", file));
  }

  CommandLine command_line_;
  ConfigOverrides overrides_;
  DaemonConfig config_;
  mf::LogSink log_;
  bool stopping_ = false;
  // Destroyed bottom-up: the signals and the control socket, the server, the loop, and the
  // context last, since the server uses the context until it is gone.
  std::unique_ptr<mf::Context> context_;
  std::unique_ptr<event_base, EventBaseDeleter> base_;
  std::unique_ptr<mf::MailServer> server_;
  std::unique_ptr<ControlServer> control_;
  std::vector<std::unique_ptr<event, EventDeleter>> signals_;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app(
      "mailfountaind — the MailFountain mail server: receives mail (SMTP) and takes mail from\n"
      "users (submission) for a MailFountain data directory.\n"
      "It always runs in the foreground and never forks: run it under systemd (Type=simple)\n"
      "or from a terminal. SIGTERM stops it gracefully; SIGHUP rereads the configuration.",
      "mailfountaind");
  app.set_version_flag("--version",
                       fmt::format("mailfountaind (MailFountain) {}", MF_VERSION_STRING));
  CommandLine command_line;
  app.add_option("--data", command_line.data_dir,
                 fmt::format("The data directory, owned by the user the daemon runs as "
                             "(default: {})",
                             kDefaultDataDir))
      ->envname("MAILFOUNTAIN_DATA")
      ->type_name("DIR");
  app.add_option("--config", command_line.config_path,
                 "The configuration file (TOML; docs/mailfountaind.md). Without it, the defaults")
      ->type_name("FILE");
  app.add_option("--listen", command_line.listen,
                 "Listen on ADDRESS:PORT with ROLE (smtp, submission, submissions), e.g.\n"
                 "smtp=127.0.0.1:2525 or submission=[::1]:2587; repeatable. Replaces the\n"
                 "configuration's [[listen]] tables. Port 0 picks a free port")
      ->type_name("ROLE=ADDRESS:PORT");
  app.add_flag("--foreground", command_line.foreground,
               "Accepted for compatibility: mailfountaind never daemonizes");
  app.footer(
      "Prints `listening: ROLE ADDRESS:PORT` per listener, then `ready`, on stdout once\n"
      "every listener is bound.\n"
      "EXIT STATUS: 0 after a graceful stop, 2 for a bad command line or configuration,\n"
      "1 for any other failure to start.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }

  auto usage_error = [](const std::string& message) {
    std::fprintf(stderr, "mailfountaind: %s\n", message.c_str());
    return kExitUsage;
  };

  ConfigOverrides overrides;
  for (const std::string& text : command_line.listen) {
    auto listener = parse_listen_option(text);
    if (!listener.is_ok()) return usage_error(listener.status().message());
    overrides.listeners.push_back(*listener);
  }

  std::error_code error;
  std::filesystem::path data_dir = std::filesystem::absolute(command_line.data_dir, error);
  if (error)
    return usage_error(fmt::format("--data {}: {}", command_line.data_dir, error.message()));
  command_line.data_dir = data_dir.lexically_normal().string();
  if (command_line.data_dir.size() > 1 && command_line.data_dir.back() == '/') {
    command_line.data_dir.pop_back();
  }

  if (mf::Status owner = check_data_dir_owner(command_line.data_dir); !owner.is_ok()) {
    std::fprintf(stderr, "mailfountaind: %s\n", owner.message().c_str());
    return kExitFailure;
  }
  auto config = load_config(command_line.config_path, command_line.data_dir, overrides);
  if (!config.is_ok()) {
    std::fprintf(stderr, "mailfountaind: %s\n", config.status().message().c_str());
    return config.status().code() == mf::Code::kInvalidArgument ? kExitUsage : kExitFailure;
  }

  // A client that goes away while we write must not kill the daemon.
  std::signal(SIGPIPE, SIG_IGN);

  Daemon daemon(std::move(command_line), std::move(overrides), std::move(*config));
  return daemon.run();
}
