// mfctl/commands_manager.cpp — `mfctl manager grant|revoke|list`: which accounts manage
// which domains (granting and revoking: administrator only).
#include "commands.h"
#include "json_objects.h"

#include <fmt/format.h>

namespace mfctl {
namespace {

struct ManagerArgs {
  std::string account;
  std::string domain;
};

mf::Status run_grant(Session& s, const ManagerArgs& args) {
  MF_RETURN_IF_ERROR(s.directory().grant_manager(s.who(), args.account, args.domain));
  s.out().done("manager grant", args.account,
               fmt::format("{} now manages {}", args.account, args.domain));
  return mf::Status::ok();
}

mf::Status run_revoke(Session& s, const ManagerArgs& args) {
  MF_RETURN_IF_ERROR(s.directory().revoke_manager(s.who(), args.account, args.domain));
  s.out().done("manager revoke", args.account,
               fmt::format("{} no longer manages {}", args.account, args.domain));
  return mf::Status::ok();
}

mf::Status run_list(Session& s, const ManagerArgs& args) {
  MF_ASSIGN_OR_RETURN(auto domains, s.domains_in_scope(args.domain));
  std::vector<mf::ManagerGrant> grants;
  for (const std::string& d : domains) {
    MF_ASSIGN_OR_RETURN(auto some, s.directory().list_managers(s.who(), d));
    for (auto& g : some) grants.push_back(std::move(g));
  }
  if (s.out().json_mode()) {
    Json list = Json::array();
    for (const auto& g : grants) list.push_back(to_json(g));
    Json doc;
    doc["managers"] = std::move(list);
    s.out().print_json(doc);
    return mf::Status::ok();
  }
  Table table({"ACCOUNT", "DOMAIN"});
  for (const auto& g : grants) table.add_row({g.account, g.domain});
  s.out().print_table(table);
  return mf::Status::ok();
}

}  // namespace

void add_manager_commands(CLI::App& app, Commands& commands) {
  CLI::App* noun = add_noun(app, "manager", "Domain managers (grant and revoke: administrator)");

  auto grant = std::make_shared<ManagerArgs>();
  CLI::App* verb = noun->add_subcommand("grant", "Make ACCOUNT a manager of DOMAIN");
  verb->add_option("ACCOUNT", grant->account, "The account's address")->required();
  verb->add_option("DOMAIN", grant->domain, "The domain it will manage")->required();
  commands.add(verb, [grant](Session& s) { return run_grant(s, *grant); });

  auto revoke = std::make_shared<ManagerArgs>();
  verb = noun->add_subcommand("revoke", "Stop ACCOUNT managing DOMAIN");
  verb->add_option("ACCOUNT", revoke->account, "The account's address")->required();
  verb->add_option("DOMAIN", revoke->domain, "The domain")->required();
  commands.add(verb, [revoke](Session& s) { return run_revoke(s, *revoke); });

  auto list = std::make_shared<ManagerArgs>();
  verb = noun->add_subcommand("list", "List the managers (of DOMAIN, or of all you may see)");
  verb->add_option("DOMAIN", list->domain, "Only this domain");
  commands.add(verb, [list](Session& s) { return run_list(s, *list); });
}

}  // namespace mfctl
