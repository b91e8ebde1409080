// mfctl/commands_audit.cpp — `mfctl audit`: the log of privileged actions (who did what,
// when, from where). Administrator only.
#include "commands.h"
#include "json_objects.h"

#include <fmt/format.h>

namespace mfctl {
namespace {

struct AuditArgs {
  uint64_t after = 0;
  size_t limit = 1000;
};

mf::Status run_audit(Session& s, const AuditArgs& args) {
  MF_ASSIGN_OR_RETURN(auto entries, s.directory().list_audit(s.who(), args.after, args.limit));
  uint64_t last = entries.empty() ? args.after : entries.back().seq;
  bool maybe_more = !entries.empty() && entries.size() == args.limit;
  if (s.out().json_mode()) {
    Json list = Json::array();
    for (const auto& e : entries) list.push_back(to_json(e));
    Json doc;
    doc["entries"] = std::move(list);
    doc["last_seq"] = last;
    s.out().print_json(doc);
    return mf::Status::ok();
  }
  Table table({"SEQ", "TIME", "ACTOR", "ORIGIN", "ACTION", "TARGET", "DETAIL"});
  for (const auto& e : entries) {
    table.add_row({std::to_string(e.seq), format_time(e.time), e.actor, e.origin, e.action,
                   e.target, e.detail});
  }
  s.out().print_table(table);
  if (maybe_more) {
    s.out().warn(fmt::format("showing {} entries; there may be more: mfctl audit --after {}",
                             entries.size(), last));
  }
  return mf::Status::ok();
}

}  // namespace

void add_audit_command(CLI::App& app, Commands& commands) {
  auto args = std::make_shared<AuditArgs>();
  CLI::App* verb = app.add_subcommand("audit", "Show the audit log (administrator only)");
  verb->footer("Entries come oldest first: who did what, when and from where.");
  verb->add_option("--after", args->after, "Only entries with a sequence number above N")
      ->type_name("N");
  verb->add_option("--limit", args->limit, "At most N entries")
      ->type_name("N")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  commands.add(verb, [args](Session& s) { return run_audit(s, *args); });
}

}  // namespace mfctl
