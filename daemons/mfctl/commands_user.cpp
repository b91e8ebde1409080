// mfctl/commands_user.cpp — `mfctl user add|list|show|passwd|rename|disable|enable|remove|
// forward`: the accounts (mailboxes) of the domains.
#include "commands.h"
#include "json_objects.h"
#include "size.h"

#include <fmt/format.h>

namespace mfctl {
namespace {

struct UserArgs {
  std::string address;
  std::string domain;
  std::string display_name;
  std::string quota;
  bool no_password = false;
  bool force = false;
  bool no_copy = false;
  std::vector<std::string> targets;
};

std::string own_quota_text(const mf::AccountInfo& a) {
  return a.quota_bytes ? format_size(*a.quota_bytes) : "domain default";
}

std::string forward_text(const mf::AccountInfo& a) {
  if (a.forward_to.empty()) return "";
  return fmt::format("{} ({})", join(a.forward_to),
                     a.keep_copy == mf::KeepCopy::kYes ? "keeps a copy" : "no copy kept");
}

mf::Status run_add(Session& s, const UserArgs& args) {
  mf::NewAccount account;
  account.display_name = args.display_name;
  if (!args.quota.empty()) {
    MF_ASSIGN_OR_RETURN(account.quota_bytes, parse_size(args.quota));
  }
  if (!args.no_password) {
    auto password = s.passwords().read_new(args.address);
    if (!password) {
      return password.status().with_context(
          "user add (use --no-password to create an account that cannot log in yet)");
    }
    account.password = std::move(password).value();
  }
  MF_RETURN_IF_ERROR(s.directory().add_account(s.who(), args.address, account));
  s.out().done("user add", args.address,
               args.no_password
                   ? fmt::format("added account {} without a password (set one with `mfctl user "
                                 "passwd {}`)",
                                 args.address, args.address)
                   : fmt::format("added account {}", args.address));
  return mf::Status::ok();
}

mf::Status run_list(Session& s, const std::string& domain) {
  MF_ASSIGN_OR_RETURN(auto domains, s.domains_in_scope(domain));
  std::vector<mf::AccountInfo> accounts;
  for (const std::string& d : domains) {
    MF_ASSIGN_OR_RETURN(auto some, s.directory().list_accounts(s.who(), d));
    for (auto& a : some) accounts.push_back(std::move(a));
  }
  if (s.out().json_mode()) {
    Json list = Json::array();
    for (const auto& a : accounts) list.push_back(to_json(a));
    Json doc;
    doc["accounts"] = std::move(list);
    s.out().print_json(doc);
    return mf::Status::ok();
  }
  Table table({"ADDRESS", "NAME", "STATE", "QUOTA", "ALIASES", "MANAGES", "FORWARDS TO"});
  for (const auto& a : accounts) {
    table.add_row({a.address, a.display_name, state_name(a.state), own_quota_text(a),
                   join(a.aliases), join(a.manages), forward_text(a)});
  }
  s.out().print_table(table);
  return mf::Status::ok();
}

mf::Status run_show(Session& s, const std::string& address) {
  MF_ASSIGN_OR_RETURN(auto a, s.directory().show_account(s.who(), address));
  if (s.out().json_mode()) {
    Json doc;
    doc["account"] = to_json(a);
    s.out().print_json(doc);
    return mf::Status::ok();
  }
  s.out().print_fields({
      {"Address", a.address},
      {"Name", a.display_name},
      {"State", state_name(a.state)},
      {"Built-in", a.builtin ? "yes (RFC 2142; removed only with its domain)" : "no"},
      {"Quota", own_quota_text(a)},
      {"Aliases", join(a.aliases)},
      {"Manages", join(a.manages)},
      {"Forwards to", forward_text(a)},
      {"Created", format_time(a.created_at)},
      {"Password changed",
       a.password_changed_at == 0 ? "never (no password set)" : format_time(a.password_changed_at)},
  });
  return mf::Status::ok();
}

mf::Status run_passwd(Session& s, const std::string& address) {
  // Whoever may set the password may see the account: check that first, so that nobody
  // types a new password for an account that does not exist or is not theirs to change.
  MF_RETURN_IF_ERROR(s.directory().show_account(s.who(), address));
  MF_ASSIGN_OR_RETURN(std::string password, s.passwords().read_new(address));
  MF_RETURN_IF_ERROR(s.directory().set_password(s.who(), address, password));
  // Principal names are canonical (lower case); compare the address the same way.
  std::string canonical = address;
  for (char& c : canonical) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  bool own = s.who().is_account() && s.who().name() == canonical;
  s.out().done("user passwd", address,
               own ? fmt::format("changed the password of {}", address)
                   : fmt::format("reset the password of {}; the reset is in the audit log and "
                                 "the account receives a notice",
                                 address));
  return mf::Status::ok();
}

mf::Status run_rename(Session& s, const UserArgs& args) {
  MF_RETURN_IF_ERROR(s.directory().set_display_name(s.who(), args.address, args.display_name));
  s.out().done(
      "user rename", args.address,
      fmt::format("the display name of {} is now \"{}\"", args.address, args.display_name));
  return mf::Status::ok();
}

mf::Status run_state(Session& s, const std::string& address, mf::AccountState state) {
  MF_RETURN_IF_ERROR(s.directory().set_account_state(s.who(), address, state));
  bool enabled = state == mf::AccountState::kEnabled;
  s.out().done(enabled ? "user enable" : "user disable", address,
               enabled
                   ? fmt::format("enabled {}", address)
                   : fmt::format("disabled {}: it cannot log in and receives no mail", address));
  return mf::Status::ok();
}

mf::Status run_remove(Session& s, const UserArgs& args) {
  mf::Status status = s.directory().remove_account(
      s.who(), args.address, args.force ? mf::Removal::kForce : mf::Removal::kRefuseIfInUse);
  if (!args.force) status = with_force_hint(status);
  MF_RETURN_IF_ERROR(status);
  s.out().done("user remove", args.address,
               fmt::format("removed account {} with its aliases", args.address));
  return mf::Status::ok();
}

mf::Status run_forward(Session& s, const UserArgs& args) {
  MF_RETURN_IF_ERROR(s.directory().set_forwarding(
      s.who(), args.address, args.targets, args.no_copy ? mf::KeepCopy::kNo : mf::KeepCopy::kYes));
  std::string message =
      args.targets.empty()
          ? fmt::format("{} no longer forwards its mail", args.address)
          : fmt::format("{} now forwards its mail to {}{}", args.address, join(args.targets),
                        args.no_copy ? " without keeping a copy" : " and keeps a copy");
  s.out().done("user forward", args.address, message);
  return mf::Status::ok();
}

}  // namespace

void add_user_commands(CLI::App& app, Commands& commands) {
  CLI::App* noun = add_noun(app, "user", "Accounts (mailboxes) and their passwords");

  auto add = std::make_shared<UserArgs>();
  CLI::App* verb = noun->add_subcommand("add", "Add an account");
  verb->footer(
      "The password is read from standard input (with --as, from line 2), or prompted\n"
      "for twice without echo on a terminal; never from the command line.");
  verb->add_option("ADDRESS", add->address, "The account's address, local@domain")->required();
  verb->add_option("--name", add->display_name, "Display name, e.g. \"Luc Petit\"");
  verb->add_option("--quota", add->quota, "Storage limit, e.g. 500M or 2G");
  verb->add_flag("--no-password", add->no_password, "No password: no login until one is set");
  commands.add(verb, [add](Session& s) { return run_add(s, *add); });

  auto list = std::make_shared<UserArgs>();
  verb = noun->add_subcommand("list", "List the accounts (of DOMAIN, or of all you may see)");
  verb->add_option("DOMAIN", list->domain, "Only this domain");
  commands.add(verb, [list](Session& s) { return run_list(s, list->domain); });

  auto show = std::make_shared<UserArgs>();
  verb = noun->add_subcommand("show", "Show one account");
  verb->add_option("ADDRESS", show->address, "The account's address")->required();
  commands.add(verb, [show](Session& s) { return run_show(s, show->address); });

  auto passwd = std::make_shared<UserArgs>();
  verb = noun->add_subcommand("passwd", "Change or reset an account's password");
  verb->footer(
      "The password is read from standard input (with --as, from line 2), or prompted\n"
      "for twice without echo on a terminal. A reset by a manager or the administrator\n"
      "is written to the audit log and announced to the account.");
  verb->add_option("ADDRESS", passwd->address, "The account's address")->required();
  commands.add(verb, [passwd](Session& s) { return run_passwd(s, passwd->address); });

  auto rename = std::make_shared<UserArgs>();
  verb = noun->add_subcommand("rename", "Set an account's display name");
  verb->add_option("ADDRESS", rename->address, "The account's address")->required();
  verb->add_option("DISPLAY", rename->display_name, "The new display name")->required();
  commands.add(verb, [rename](Session& s) { return run_rename(s, *rename); });

  auto disable = std::make_shared<UserArgs>();
  verb = noun->add_subcommand("disable", "Disable an account (no login, no mail)");
  verb->add_option("ADDRESS", disable->address, "The account's address")->required();
  commands.add(verb, [disable](Session& s) {
    return run_state(s, disable->address, mf::AccountState::kDisabled);
  });

  auto enable = std::make_shared<UserArgs>();
  verb = noun->add_subcommand("enable", "Enable a disabled account");
  verb->add_option("ADDRESS", enable->address, "The account's address")->required();
  commands.add(verb, [enable](Session& s) {
    return run_state(s, enable->address, mf::AccountState::kEnabled);
  });

  auto remove = std::make_shared<UserArgs>();
  verb = noun->add_subcommand("remove", "Remove an account and its aliases");
  verb->add_option("ADDRESS", remove->address, "The account's address")->required();
  verb->add_flag("--force", remove->force, "Also take it out of redirections");
  commands.add(verb, [remove](Session& s) { return run_remove(s, *remove); });

  auto forward = std::make_shared<UserArgs>();
  verb = noun->add_subcommand("forward", "Forward an account's mail (no TARGET: stop)");
  verb->add_option("ADDRESS", forward->address, "The account's address")->required();
  verb->add_option("TARGET", forward->targets, "Where to forward the mail");
  verb->add_flag("--no-copy", forward->no_copy, "Keep no copy in the account's mailbox");
  commands.add(verb, [forward](Session& s) { return run_forward(s, *forward); });
}

}  // namespace mfctl
