// mfctl/commands_queue.cpp — `mfctl queue list|show|hold|release|delete|flush|counts`: the
// outbound queue, administered through the running mailfountaind's control socket.
//
// Every verb is one request line to the daemon (docs/mailfountaind.md, "queue ..."), which
// runs it in LMDB transactions off its event loop: safe while it delivers. The store is
// not opened here, so without a running daemon these verbs exit with kExitNotRunning (the
// daemon is the one writer that schedules deliveries; `mfctl queue` while it is stopped
// would be possible through LMDB, but one path is simpler to reason about and to test).
//
// `show` prints the envelope, the recipients and the header fields, never the body: the
// administrator does not read mail.
#include "commands.h"
#include "control_client.h"
#include "exit_codes.h"

#include <fmt/format.h>

#include <map>

namespace mfctl {
namespace {

// A page of 100 messages with 20 recipients each, with long replies: a few MB at most.
constexpr size_t kMaxReplyBytes = size_t{64} << 20;
constexpr int kTimeoutSeconds = 60;
// A flush of a million deferred recipients is a thousand transactions, each synced.
constexpr int kFlushTimeoutSeconds = 3600;

struct QueueArgs {
  std::string socket;  // --socket; empty: DATA_DIR/control.sock
  std::string id;
  std::string domain;
  uint64_t after = 0;
  size_t limit = 100;
  size_t recipients = 20;
};

mf::Code code_from_name(const std::string& name) {
  static const std::map<std::string, mf::Code> codes = {
      {"invalid_argument", mf::Code::kInvalidArgument},
      {"not_found", mf::Code::kNotFound},
      {"already_exists", mf::Code::kAlreadyExists},
      {"permission_denied", mf::Code::kPermissionDenied},
      {"failed_precondition", mf::Code::kFailedPrecondition},
      {"resource_exhausted", mf::Code::kResourceExhausted},
      {"io_error", mf::Code::kIOError},
      {"corruption", mf::Code::kCorruption},
  };
  auto it = codes.find(name);
  return it == codes.end() ? mf::Code::kInternal : it->second;
}

// Text from the queue (addresses, replies, header fields) made safe for a terminal:
// control characters other than tab become '?'.
std::string printable(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 && c != '\t') || u == 0x7F ? '?' : c;
  }
  return out;
}

// Sends `request` and returns the daemon's JSON reply; a refusal becomes the status it
// names, so that an unknown message exits with kExitNotFound.
mf::Result<Json> ask(Session& s, const QueueArgs& args, const std::string& request,
                     int timeout_seconds = kTimeoutSeconds) {
  if (!s.settings().as.empty()) {
    return mf::invalid_argument(
        "queue commands ask the daemon over its control socket, which admits only the data "
        "directory's owner: drop --as");
  }
  // One line of words: an argument with a space or a line break would change the request.
  for (char c : args.id + args.domain) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F) {
      return mf::invalid_argument(
          fmt::format("'{}' is not a message ID or domain name", printable(args.id + args.domain)));
    }
  }
  std::string path = control_socket_path(s, args.socket);
  MF_ASSIGN_OR_RETURN(std::string reply,
                      ask_daemon(s, path, request + "\n", timeout_seconds, kMaxReplyBytes));
  Json doc = Json::parse(reply, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return mf::io_error(
        fmt::format("the reply on {} is not JSON: is it a mailfountaind control socket?", path));
  }
  if (doc.contains("error")) {
    std::string message =
        doc["error"].is_string() ? doc["error"].get<std::string>() : doc["error"].dump();
    if (!doc.contains("code")) {
      // A daemon older than the queue requests answers "unknown request".
      return mf::unsupported(fmt::format("mailfountaind refused the request: {}", message));
    }
    return mf::Status(code_from_name(doc.value("code", "")), message);
  }
  return doc;
}

std::string sender_text(const Json& m) {
  std::string sender = m.value("sender", "");
  return sender.empty() ? "<>" : printable(sender);
}

// "deferred, 3 attempts, next 2026-11-29 16:00:00 UTC: 451 4.7.1 try later"
std::string recipient_state(const Json& r) {
  std::string state = r.value("state", "?");
  uint64_t attempts = r.value("attempts", uint64_t{0});
  std::string text = state;
  if (attempts > 0) text += fmt::format(", {} attempt{}", attempts, attempts == 1 ? "" : "s");
  if (state == "deferred" || state == "active" || state == "held") {
    text += ", next " + format_time(r.value("next_attempt", int64_t{0}));
  }
  std::string reply = r.value("last_reply", "");
  if (!reply.empty()) text += ": " + printable(reply);
  return text;
}

std::string counts_text(const Json& c) {
  std::vector<std::string> parts;
  for (const char* state : {"active", "deferred", "held", "report"}) {
    uint64_t n = c.value(state, uint64_t{0});
    if (n > 0) parts.push_back(fmt::format("{} {}", n, state));
  }
  return parts.empty() ? "none" : join(parts);
}

mf::Status run_list(Session& s, const QueueArgs& args) {
  std::string request = fmt::format("queue list --after {} --limit {} --recipients {}", args.after,
                                    args.limit, args.recipients);
  if (!args.domain.empty()) request += " --domain " + args.domain;
  MF_ASSIGN_OR_RETURN(Json doc, ask(s, args, request));
  if (s.out().json_mode()) {
    s.out().print_json(doc);
    return mf::Status::ok();
  }
  const Json& messages = doc["messages"];
  if (messages.empty() && args.after == 0) {
    s.out().print_text(args.domain.empty() ? "Mail queue is empty"
                                           : fmt::format("No queued mail for {}", args.domain));
    return mf::Status::ok();
  }
  // In the manner of Postfix's mailq: one block per message, its recipients below it with
  // their state and last reply; '!' after the queue ID marks held recipients.
  std::string text = fmt::format("{:<14} {:>6} {:>10}  {:<23}  {}\n", "-Queue ID-", "-Id-",
                                 "--Size--", "----Arrival Time----", "-Sender/Recipient-");
  uint64_t bytes = 0;
  uint64_t recipients = 0;
  for (const Json& m : messages) {
    const Json& counts = m["counts"];
    bool held = counts.value("held", uint64_t{0}) > 0;
    text += fmt::format("{:<14} {:>6} {:>10}  {:<23}  {}\n",
                        printable(m.value("queue_id", "")) + (held ? "!" : ""),
                        m.value("id", uint64_t{0}), m.value("size", uint64_t{0}),
                        format_time(m.value("arrival", int64_t{0})), sender_text(m));
    for (const Json& r : m["recipients"]) {
      text += fmt::format("{:>59}({})\n{:>59}{}\n", "", recipient_state(r), "",
                          printable(r.value("address", "")));
    }
    uint64_t total = counts.value("recipients", uint64_t{0});
    if (m.value("more_recipients", false)) {
      text += fmt::format("{:>59}... {} recipients in all ({}): mfctl queue show {}\n", "", total,
                          counts_text(counts), printable(m.value("queue_id", "")));
    }
    text += "\n";
    bytes += m.value("size", uint64_t{0});
    recipients += total;
  }
  text += fmt::format("-- {} Kbytes in {} message{}, {} recipient{}.", (bytes + 1023) / 1024,
                      messages.size(), messages.size() == 1 ? "" : "s", recipients,
                      recipients == 1 ? "" : "s");
  if (doc.value("more", false)) {
    text += fmt::format(" More: mfctl queue list --after {}", doc.value("next_after", uint64_t{0}));
  }
  s.out().print_text(text);
  return mf::Status::ok();
}

mf::Status run_show(Session& s, const QueueArgs& args) {
  MF_ASSIGN_OR_RETURN(Json doc, ask(s, args, "queue show " + args.id));
  if (s.out().json_mode()) {
    s.out().print_json(doc);
    return mf::Status::ok();
  }
  const Json& m = doc["message"];
  std::vector<std::string> options;
  if (m.value("eight_bit_mime", false)) options.push_back("BODY=8BITMIME");
  if (m.value("smtputf8", false)) options.push_back("SMTPUTF8");
  if (m["ret"].is_string()) options.push_back("RET=" + m["ret"].get<std::string>());
  if (m["envid"].is_string())
    options.push_back("ENVID=" + printable(m["envid"].get<std::string>()));
  Fields fields = {
      {"Queue ID", printable(m.value("queue_id", ""))},
      {"Message id", std::to_string(m.value("id", uint64_t{0}))},
      {"Sender", sender_text(m)},
      {"Size", fmt::format("{} bytes", m.value("size", uint64_t{0}))},
      {"Arrival", format_time(m.value("arrival", int64_t{0}))},
      {"Priority", m.value("priority", "")},
      {"Origin",
       fmt::format("{} {}", m.value("origin_kind", ""), printable(m.value("origin", "")))},
      {"Parameters", join(options)},
      {"DKIM domain", printable(m.value("dkim_domain", ""))},
      {"Recipients", fmt::format("{} ({})", m["counts"].value("recipients", uint64_t{0}),
                                 counts_text(m["counts"]))},
  };
  for (auto& field : fields) {
    if (field.second.empty()) field.second = "-";
  }
  s.out().print_fields(fields);

  Table table({"RECIPIENT", "STATE", "ATTEMPTS", "NEXT ATTEMPT", "EXPIRES", "LAST REPLY"});
  for (const Json& r : m["recipients"]) {
    std::string state = r.value("state", "?");
    bool scheduled = state == "active" || state == "deferred" || state == "held";
    table.add_row(
        {printable(r.value("address", "")), state, std::to_string(r.value("attempts", uint64_t{0})),
         scheduled ? format_time(r.value("next_attempt", int64_t{0})) : "",
         format_time(r.value("expires_at", int64_t{0})), printable(r.value("last_reply", ""))});
  }
  s.out().print_text("");
  s.out().print_table(table);
  if (m.value("more_recipients", false)) {
    s.out().print_text(
        fmt::format("... only the first {} recipients are listed", m["recipients"].size()));
  }

  std::string header = "\nHeader:";
  for (const Json& f : doc["header"]) {
    std::string name = printable(f.value("name", ""));
    header += "\n" + (name.empty() ? "" : name + ": ") + printable(f.value("value", ""));
  }
  if (doc.value("header_truncated", false)) header += "\n... (header longer than 64 KiB: cut)";
  s.out().print_text(header);
  return mf::Status::ok();
}

// hold, release, delete, flush ID.
mf::Status run_change(Session& s, const QueueArgs& args, const std::string& verb,
                      const std::string& past) {
  MF_ASSIGN_OR_RETURN(Json doc, ask(s, args, fmt::format("queue {} {}", verb, args.id)));
  if (s.out().json_mode()) {
    // The change object of every mfctl change (docs/mfctl-json.md), with what it did.
    Json change;
    change["ok"] = true;
    change["command"] = "queue " + verb;
    change["target"] = args.id;
    change["id"] = doc.value("id", uint64_t{0});
    change["queue_id"] = doc.value("queue_id", "");
    change["recipients"] = doc.value("recipients", uint64_t{0});
    s.out().print_json(change);
    return mf::Status::ok();
  }
  uint64_t n = doc.value("recipients", uint64_t{0});
  s.out().print_text(fmt::format("{}: {} {} recipient{} (message {})",
                                 printable(doc.value("queue_id", "")), past, n, n == 1 ? "" : "s",
                                 doc.value("id", uint64_t{0})));
  return mf::Status::ok();
}

mf::Status run_flush(Session& s, const QueueArgs& args) {
  if (!args.id.empty()) return run_change(s, args, "flush", "made due now");
  MF_ASSIGN_OR_RETURN(Json doc, ask(s, args, "queue flush", kFlushTimeoutSeconds));
  if (s.out().json_mode()) {
    s.out().print_json(Json{{"ok", true},
                            {"command", "queue flush"},
                            {"target", nullptr},
                            {"recipients", doc.value("recipients", uint64_t{0})}});
    return mf::Status::ok();
  }
  uint64_t n = doc.value("recipients", uint64_t{0});
  s.out().print_text(fmt::format("{} recipient{} made due now", n, n == 1 ? "" : "s"));
  return mf::Status::ok();
}

mf::Status run_counts(Session& s, const QueueArgs& args) {
  MF_ASSIGN_OR_RETURN(Json doc, ask(s, args, "queue counts"));
  if (s.out().json_mode()) {
    s.out().print_json(doc);
    return mf::Status::ok();
  }
  const Json& c = doc["counts"];
  auto n = [](const Json& j, const char* key) { return std::to_string(j.value(key, uint64_t{0})); };
  s.out().print_fields({
      {"Messages", n(c, "messages")},
      {"Recipients", n(c, "recipients")},
      {"Active", n(c, "active")},
      {"Deferred", n(c, "deferred")},
      {"Held", n(c, "held")},
      {"Awaiting DSN", n(c, "report")},
  });
  Table table({"DESTINATION", "RECIPIENTS", "ACTIVE", "DEFERRED", "HELD", "AWAITING DSN"});
  for (const Json& d : doc["domains"]) {
    table.add_row({printable(d.value("domain", "")), n(d, "recipients"), n(d, "active"),
                   n(d, "deferred"), n(d, "held"), n(d, "report")});
  }
  if (!table.empty()) {
    s.out().print_text("");
    s.out().print_table(table);
  }
  if (doc.value("more_domains", false)) s.out().print_text("... only the first 1000 destinations");
  return mf::Status::ok();
}

void add_socket_option(CLI::App* verb, QueueArgs& args) {
  verb->add_option("--socket", args.socket,
                   "The daemon's control socket, when its configuration moves it")
      ->type_name("PATH");
}

CLI::App* add_id_verb(CLI::App* noun, Commands& commands, const std::string& name,
                      const std::string& description,
                      std::function<mf::Status(Session&, const QueueArgs&)> run, bool required) {
  auto args = std::make_shared<QueueArgs>();
  CLI::App* verb = noun->add_subcommand(name, description);
  auto* id = verb->add_option("ID", args->id, "The queue ID (as logged) or the message id");
  if (required) id->required();
  add_socket_option(verb, *args);
  commands.add(
      verb, [args, run](Session& s) { return run(s, *args); }, Needs::kNothing);
  return verb;
}

}  // namespace

void add_queue_commands(CLI::App& app, Commands& commands) {
  CLI::App* noun = add_noun(app, "queue", "The outbound queue, through the running mailfountaind");
  noun->footer(fmt::format(
      "Every queue command asks the daemon through its control socket (DATA_DIR/control.sock,\n"
      "or --socket); it exits with status {} when no daemon is running. A message is named\n"
      "by its queue ID (12 characters, as logged) or by its message id (a number).",
      kExitNotRunning));

  auto list = std::make_shared<QueueArgs>();
  CLI::App* list_verb =
      noun->add_subcommand("list", "List queued messages and their recipients (like mailq)");
  list_verb->add_option("--domain", list->domain, "Only messages with recipients at DOMAIN")
      ->type_name("DOMAIN");
  list_verb->add_option("--after", list->after, "Continue after this message id")->type_name("ID");
  list_verb->add_option("--limit", list->limit, "Messages per page (default 100)")
      ->check(CLI::Range(size_t{1}, size_t{1000}));
  list_verb
      ->add_option("--recipients", list->recipients, "Recipients shown per message (default 20)")
      ->check(CLI::Range(size_t{0}, size_t{1000}));
  add_socket_option(list_verb, *list);
  commands.add(
      list_verb, [list](Session& s) { return run_list(s, *list); }, Needs::kNothing);

  add_id_verb(noun, commands, "show",
              "Show a message's envelope, recipients and header (never its body)", run_show, true);
  add_id_verb(
      noun, commands, "hold", "Hold a message: no delivery until it is released",
      [](Session& s, const QueueArgs& a) { return run_change(s, a, "hold", "held"); }, true);
  add_id_verb(
      noun, commands, "release", "Release a held message",
      [](Session& s, const QueueArgs& a) { return run_change(s, a, "release", "released"); }, true);
  add_id_verb(
      noun, commands, "delete", "Delete a message from the queue, without any bounce",
      [](Session& s, const QueueArgs& a) { return run_change(s, a, "delete", "deleted"); }, true);
  add_id_verb(noun, commands, "flush",
              "Make deferred recipients due now: one message, or the whole queue", run_flush,
              false);

  auto counts = std::make_shared<QueueArgs>();
  CLI::App* counts_verb =
      noun->add_subcommand("counts", "Count queued recipients by state and destination");
  add_socket_option(counts_verb, *counts);
  commands.add(
      counts_verb, [counts](Session& s) { return run_counts(s, *counts); }, Needs::kNothing);
}

}  // namespace mfctl
