// mfctl/commands_alias.cpp — `mfctl alias add|list|remove`: extra addresses of an account.
#include "commands.h"
#include "json_objects.h"

#include <fmt/format.h>

namespace mfctl {
namespace {

struct AliasArgs {
  std::string alias;
  std::string account;
  std::string domain;
};

mf::Status run_add(Session& s, const AliasArgs& args) {
  MF_RETURN_IF_ERROR(s.directory().add_alias(s.who(), args.alias, args.account));
  s.out().done("alias add", args.alias,
               fmt::format("{} is now an alias of {}", args.alias, args.account));
  return mf::Status::ok();
}

mf::Status run_list(Session& s, const AliasArgs& args) {
  MF_ASSIGN_OR_RETURN(auto domains, s.domains_in_scope(args.domain));
  std::vector<mf::AliasInfo> aliases;
  for (const std::string& d : domains) {
    MF_ASSIGN_OR_RETURN(auto some, s.directory().list_aliases(s.who(), d));
    for (auto& a : some) aliases.push_back(std::move(a));
  }
  if (s.out().json_mode()) {
    Json list = Json::array();
    for (const auto& a : aliases) list.push_back(to_json(a));
    Json doc;
    doc["aliases"] = std::move(list);
    s.out().print_json(doc);
    return mf::Status::ok();
  }
  Table table({"ALIAS", "ACCOUNT"});
  for (const auto& a : aliases) table.add_row({a.address, a.account});
  s.out().print_table(table);
  return mf::Status::ok();
}

mf::Status run_remove(Session& s, const AliasArgs& args) {
  MF_RETURN_IF_ERROR(s.directory().remove_alias(s.who(), args.alias));
  s.out().done("alias remove", args.alias, fmt::format("removed alias {}", args.alias));
  return mf::Status::ok();
}

}  // namespace

void add_alias_commands(CLI::App& app, Commands& commands) {
  CLI::App* noun = add_noun(app, "alias", "Aliases: further addresses of one account");

  auto add = std::make_shared<AliasArgs>();
  CLI::App* verb = noun->add_subcommand("add", "Add ALIAS as another address of ACCOUNT");
  verb->footer("ALIAS is on ACCOUNT's domain, or on another domain you also manage.");
  verb->add_option("ALIAS", add->alias, "The new address")->required();
  verb->add_option("ACCOUNT", add->account, "The account receiving its mail")->required();
  commands.add(verb, [add](Session& s) { return run_add(s, *add); });

  auto list = std::make_shared<AliasArgs>();
  verb = noun->add_subcommand("list", "List the aliases (of DOMAIN, or of all you may see)");
  verb->add_option("DOMAIN", list->domain, "Only this domain");
  commands.add(verb, [list](Session& s) { return run_list(s, *list); });

  auto remove = std::make_shared<AliasArgs>();
  verb = noun->add_subcommand("remove", "Remove an alias");
  verb->add_option("ALIAS", remove->alias, "The alias")->required();
  commands.add(verb, [remove](Session& s) { return run_remove(s, *remove); });
}

}  // namespace mfctl
