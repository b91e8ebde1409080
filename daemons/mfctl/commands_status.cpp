// mfctl/commands_status.cpp — `mfctl status`: asks the running mailfountaind, through its
// control socket, what it listens on and what it has done since it started.
//
// The protocol (docs/mailfountaind.md): connect to the UNIX socket, send "status\n", read
// one JSON object until the daemon closes the connection. The store is not opened: the
// daemon's answer is the whole result.
#include "commands.h"
#include "control_client.h"
#include "exit_codes.h"

#include <fmt/format.h>

namespace mfctl {
namespace {

// The daemon's reply is a few hundred bytes; anything far larger is not a daemon's.
constexpr size_t kMaxReplyBytes = 1 << 20;
constexpr int kTimeoutSeconds = 10;

struct StatusArgs {
  std::string socket;  // --socket; empty: DATA_DIR/control.sock
};

// A listener as "127.0.0.1:25", or "[::1]:25".
std::string endpoint(const Json& listener) {
  std::string address = listener.value("address", "");
  std::string port = std::to_string(listener.value("port", 0));
  if (address.find(':') != std::string::npos) return "[" + address + "]:" + port;
  return address + ":" + port;
}

std::string number(const Json& doc, const char* key) {
  const Json& value = doc.contains(key) ? doc.at(key) : Json();
  return value.is_number() ? value.dump() : "-";
}

mf::Status run_status(Session& s, const StatusArgs& args) {
  if (!s.settings().as.empty()) {
    return mf::invalid_argument(
        "status asks the daemon over its control socket, which admits only the data "
        "directory's owner: drop --as");
  }
  std::string path = control_socket_path(s, args.socket);
  MF_ASSIGN_OR_RETURN(std::string reply,
                      ask_daemon(s, path, "status\n", kTimeoutSeconds, kMaxReplyBytes));
  Json doc = Json::parse(reply, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return mf::io_error(
        fmt::format("the reply on {} is not a status: is it a mailfountaind "
                    "control socket?",
                    path));
  }
  if (doc.contains("error")) {
    return mf::internal_error(
        fmt::format("mailfountaind refused the status request: {}", doc["error"].dump()));
  }

  if (s.out().json_mode()) {
    s.out().print_json(doc);  // the daemon's document, as docs/mailfountaind.md shows it
    return mf::Status::ok();
  }
  auto outbound_line = [&](const Json& d) -> std::string {
    if (!d.contains("outbound") || !d["outbound"].is_object()) return "-";
    const Json& o = d["outbound"];
    return fmt::format("{} queued; {} sent, {} deferred, {} bounced; {} connections open",
                       number(d, "messages_queued"), number(o, "delivered"), number(o, "deferred"),
                       number(o, "bounced"), number(o, "connections"));
  };
  int64_t started = doc.value("started_at", int64_t{0});
  s.out().print_fields({
      {"Daemon",
       fmt::format("mailfountaind {}, pid {}", doc.value("version", "?"), number(doc, "pid"))},
      {"Data directory", s.settings().data_dir},
      {"Started", format_time(started)},
      {"Connections", fmt::format("{} open, {} since start", number(doc, "connections"),
                                  number(doc, "connections_total"))},
      {"Messages", fmt::format("{} accepted, {} refused", number(doc, "messages_accepted"),
                               number(doc, "messages_refused"))},
      {"Recipients delivered", number(doc, "recipients_delivered")},
      {"Outbound", outbound_line(doc)},
  });
  Table table({"ROLE", "LISTENING ON"});
  if (doc.contains("listeners") && doc["listeners"].is_array()) {
    for (const Json& listener : doc["listeners"]) {
      if (!listener.is_object()) continue;
      table.add_row({listener.value("role", ""), endpoint(listener)});
    }
  }
  s.out().print_text("");
  s.out().print_table(table);
  return mf::Status::ok();
}

}  // namespace

void add_status_command(CLI::App& app, Commands& commands) {
  auto args = std::make_shared<StatusArgs>();
  CLI::App* verb =
      app.add_subcommand("status", "Show what the running mailfountaind listens on and has done");
  verb->footer(fmt::format(
      "Asks the daemon through its control socket (DATA_DIR/control.sock, or --socket).\n"
      "Exits with status {} when no daemon is running on the data directory.",
      kExitNotRunning));
  verb->add_option("--socket", args->socket,
                   "The daemon's control socket, when its configuration moves it")
      ->type_name("PATH");
  commands.add(
      verb, [args](Session& s) { return run_status(s, *args); }, Needs::kNothing);
}

}  // namespace mfctl
