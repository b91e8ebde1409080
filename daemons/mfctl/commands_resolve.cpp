// mfctl/commands_resolve.cpp — `mfctl resolve ADDRESS...` (who receives mail sent to an
// address, as the MTA will see it) and `mfctl address list` (every address with its kind
// and what it points to).
#include "commands.h"
#include "json_objects.h"

#include <fmt/format.h>

#include <algorithm>

namespace mfctl {
namespace {

struct ResolveArgs {
  std::vector<std::string> addresses;
};

mf::Status run_resolve(Session& s, const ResolveArgs& args) {
  std::vector<mf::Resolution> found;
  std::vector<mf::Status> failures;
  Json entries = Json::array();
  for (const std::string& address : args.addresses) {
    auto resolution = s.directory().resolve(address);
    if (resolution) {
      entries.push_back(to_json(*resolution));
      found.push_back(std::move(resolution).value());
      continue;
    }
    Json entry;
    entry["address"] = address;
    entry["error"] = error_object(resolution.status());
    entries.push_back(std::move(entry));
    failures.push_back(resolution.status());
  }

  if (s.out().json_mode()) {
    Json doc;
    doc["resolutions"] = std::move(entries);
    if (!failures.empty()) doc["error"] = error_object(failures.front());
    s.out().print_json(doc);
  } else if (!found.empty()) {
    Table table({"ADDRESS", "KIND", "MAILBOXES", "EXTERNAL", "TAG"});
    for (const auto& r : found) {
      table.add_row({r.address, std::string(mf::address_kind_name(r.kind)), join(r.mailboxes),
                     join(r.external), r.tag});
    }
    s.out().print_table(table);
  }
  if (failures.empty()) return mf::Status::ok();
  // The failures come after the table, one line each; the exit status is the first's.
  for (const mf::Status& failure : failures) s.out().warn(failure.message());
  s.out().mark_error_reported();
  return failures.front();
}

// One row of `address list`.
struct AddressEntry {
  std::string address;
  mf::AddressKind kind;
  std::string name;  // the account's display name
  std::string points_to;
  Json json;
};

std::string lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

mf::Status collect_domain(Session& s, const std::string& domain,
                          std::vector<AddressEntry>& entries) {
  MF_ASSIGN_OR_RETURN(auto accounts, s.directory().list_accounts(s.who(), domain));
  MF_ASSIGN_OR_RETURN(auto aliases, s.directory().list_aliases(s.who(), domain));
  MF_ASSIGN_OR_RETURN(auto redirections, s.directory().list_redirections(s.who(), domain));
  for (const auto& a : accounts) {
    std::string where = "own mailbox";
    if (!a.forward_to.empty()) {
      where = fmt::format("forwards to {}{}", join(a.forward_to),
                          a.keep_copy == mf::KeepCopy::kYes ? " (keeps a copy)" : "");
    }
    if (a.state == mf::AccountState::kDisabled) where += " (disabled)";
    Json j;
    j["address"] = a.address;
    j["kind"] = "account";
    j["display_name"] = a.display_name;
    j["state"] = state_name(a.state);
    Json forward = Json::array();
    for (const auto& t : a.forward_to) forward.push_back(t);
    j["forward_to"] = std::move(forward);
    j["keep_copy"] = a.keep_copy == mf::KeepCopy::kYes;
    entries.push_back({a.address, mf::AddressKind::kAccount, a.display_name, where, j});
  }
  for (const auto& a : aliases) {
    Json j;
    j["address"] = a.address;
    j["kind"] = "alias";
    j["account"] = a.account;
    entries.push_back({a.address, mf::AddressKind::kAlias, "", a.account, j});
  }
  for (const auto& r : redirections) {
    Json j;
    j["address"] = r.address;
    j["kind"] = "redirection";
    Json targets = Json::array();
    for (const auto& t : r.targets) targets.push_back(t);
    j["targets"] = std::move(targets);
    j["members_may_send_as"] = r.send_as == mf::SendAs::kMembersMaySend;
    entries.push_back({r.address, mf::AddressKind::kRedirection, "", join(r.targets), j});
  }
  return mf::Status::ok();
}

struct AddressListArgs {
  std::string domain;
};

mf::Status run_address_list(Session& s, const AddressListArgs& args) {
  MF_ASSIGN_OR_RETURN(auto domains, s.domains_in_scope(args.domain));
  std::vector<AddressEntry> all;
  for (const std::string& d : domains) {
    std::vector<AddressEntry> entries;
    MF_RETURN_IF_ERROR(collect_domain(s, d, entries));
    std::sort(entries.begin(), entries.end(), [](const AddressEntry& a, const AddressEntry& b) {
      return lower(a.address) < lower(b.address);
    });
    for (auto& e : entries) all.push_back(std::move(e));
  }
  if (s.out().json_mode()) {
    Json list = Json::array();
    for (auto& e : all) list.push_back(std::move(e.json));
    Json doc;
    doc["addresses"] = std::move(list);
    s.out().print_json(doc);
    return mf::Status::ok();
  }
  Table table({"ADDRESS", "KIND", "NAME", "DELIVERS TO"});
  for (const auto& e : all) {
    table.add_row({e.address, std::string(mf::address_kind_name(e.kind)), e.name, e.points_to});
  }
  s.out().print_table(table);
  return mf::Status::ok();
}

}  // namespace

void add_resolve_commands(CLI::App& app, Commands& commands) {
  auto resolve = std::make_shared<ResolveArgs>();
  CLI::App* verb = app.add_subcommand("resolve", "Show who receives mail sent to each ADDRESS");
  verb->footer(
      "For each ADDRESS: its kind, the local mailboxes, the external addresses and the\n"
      "+tag. Exit status 3 if one of them does not exist.");
  verb->add_option("ADDRESS", resolve->addresses, "Addresses to resolve")->required();
  commands.add(verb, [resolve](Session& s) { return run_resolve(s, *resolve); });

  CLI::App* noun = add_noun(app, "address", "Every address: accounts, aliases, redirections");
  auto list = std::make_shared<AddressListArgs>();
  verb = noun->add_subcommand("list", "List every address and what it delivers to");
  verb->add_option("DOMAIN", list->domain, "Only this domain");
  commands.add(verb, [list](Session& s) { return run_address_list(s, *list); });
}

}  // namespace mfctl
