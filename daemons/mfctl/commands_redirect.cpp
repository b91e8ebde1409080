// mfctl/commands_redirect.cpp — `mfctl redirect add|set|list|remove`: addresses whose mail
// goes to several accounts or external addresses (support@ → the support team).
#include "commands.h"
#include "json_objects.h"

#include <fmt/format.h>

namespace mfctl {
namespace {

struct RedirectArgs {
  std::string address;
  std::vector<std::string> targets;
  bool no_send_as = false;
  bool force = false;
  std::string domain;
};

mf::SendAs send_as(const RedirectArgs& args) {
  return args.no_send_as ? mf::SendAs::kMembersMayNotSend : mf::SendAs::kMembersMaySend;
}

std::string send_as_text(mf::SendAs rule) {
  return rule == mf::SendAs::kMembersMaySend ? "members" : "nobody";
}

mf::Status run_add(Session& s, const RedirectArgs& args) {
  MF_RETURN_IF_ERROR(
      s.directory().add_redirection(s.who(), args.address, args.targets, send_as(args)));
  s.out().done("redirect add", args.address,
               fmt::format("{} now redirects to {}", args.address, join(args.targets)));
  return mf::Status::ok();
}

mf::Status run_set(Session& s, const RedirectArgs& args) {
  MF_RETURN_IF_ERROR(
      s.directory().set_redirection(s.who(), args.address, args.targets, send_as(args)));
  s.out().done("redirect set", args.address,
               fmt::format("{} now redirects to {}", args.address, join(args.targets)));
  return mf::Status::ok();
}

mf::Status run_list(Session& s, const RedirectArgs& args) {
  MF_ASSIGN_OR_RETURN(auto domains, s.domains_in_scope(args.domain));
  std::vector<mf::RedirectionInfo> redirections;
  for (const std::string& d : domains) {
    MF_ASSIGN_OR_RETURN(auto some, s.directory().list_redirections(s.who(), d));
    for (auto& r : some) redirections.push_back(std::move(r));
  }
  if (s.out().json_mode()) {
    Json list = Json::array();
    for (const auto& r : redirections) list.push_back(to_json(r));
    Json doc;
    doc["redirections"] = std::move(list);
    s.out().print_json(doc);
    return mf::Status::ok();
  }
  Table table({"ADDRESS", "TARGETS", "MAY SEND AS"});
  for (const auto& r : redirections) {
    table.add_row({r.address, join(r.targets), send_as_text(r.send_as)});
  }
  s.out().print_table(table);
  return mf::Status::ok();
}

mf::Status run_remove(Session& s, const RedirectArgs& args) {
  mf::Status status = s.directory().remove_redirection(
      s.who(), args.address, args.force ? mf::Removal::kForce : mf::Removal::kRefuseIfInUse);
  if (!args.force) status = with_force_hint(status);
  MF_RETURN_IF_ERROR(status);
  s.out().done("redirect remove", args.address,
               fmt::format("removed redirection {}", args.address));
  return mf::Status::ok();
}

// The arguments shared by add and set.
void add_target_options(CLI::App* verb, RedirectArgs& args) {
  verb->add_option("ADDRESS", args.address, "The redirected address")->required();
  verb->add_option("TARGET", args.targets, "Accounts, aliases, redirections, external addresses")
      ->required();
  verb->add_flag("--no-send-as", args.no_send_as, "Members may not send as ADDRESS");
}

}  // namespace

void add_redirect_commands(CLI::App& app, Commands& commands) {
  CLI::App* noun =
      add_noun(app, "redirect", "Redirections: one address delivering to several targets");

  auto add = std::make_shared<RedirectArgs>();
  CLI::App* verb = noun->add_subcommand("add", "Add a redirection of ADDRESS to the TARGETs");
  add_target_options(verb, *add);
  commands.add(verb, [add](Session& s) { return run_add(s, *add); });

  auto set = std::make_shared<RedirectArgs>();
  verb = noun->add_subcommand("set", "Replace the targets of a redirection");
  add_target_options(verb, *set);
  commands.add(verb, [set](Session& s) { return run_set(s, *set); });

  auto list = std::make_shared<RedirectArgs>();
  verb = noun->add_subcommand("list", "List the redirections (of DOMAIN, or of all you may see)");
  verb->add_option("DOMAIN", list->domain, "Only this domain");
  commands.add(verb, [list](Session& s) { return run_list(s, *list); });

  auto remove = std::make_shared<RedirectArgs>();
  verb = noun->add_subcommand("remove", "Remove a redirection (in use: needs --force)");
  verb->add_option("ADDRESS", remove->address, "The redirected address")->required();
  verb->add_flag("--force", remove->force, "Also take it out of other redirections");
  commands.add(verb, [remove](Session& s) { return run_remove(s, *remove); });
}

}  // namespace mfctl
