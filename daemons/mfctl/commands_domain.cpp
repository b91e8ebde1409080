// mfctl/commands_domain.cpp — `mfctl domain add|list|show|remove`.
#include "commands.h"
#include "json_objects.h"
#include "size.h"

#include <mailfountain/dkim.h>

#include <fmt/format.h>

#include <ctime>

namespace mfctl {
namespace {

// "café.fr (xn--caf-dma.fr)" for an internationalised name, else just the name.
std::string domain_label(const mf::DomainInfo& d) {
  if (d.unicode_name.empty() || d.unicode_name == d.name) return d.name;
  return fmt::format("{} ({})", d.unicode_name, d.name);
}

std::string quota_text(const std::optional<uint64_t>& bytes) {
  return bytes ? format_size(*bytes) : "none";
}

mf::Status run_add(Session& s, const std::string& name, bool dkim_key) {
  MF_RETURN_IF_ERROR(s.directory().add_domain(s.who(), name));
  std::string message =
      fmt::format("added domain {} with the accounts abuse@{} and postmaster@{}", name, name, name);
  if (dkim_key) {
    // Its DKIM key, made now so that mail can be signed from the start (docs/dkim.md). The
    // domain stays added if this fails: `mfctl dkim rotate` makes the key later.
    auto shown = s.directory().show_domain(s.who(), name);
    auto key = shown.is_ok()
                   ? mf::dkim_ensure_key(s.settings().data_dir, shown->name, std::time(nullptr))
                   : mf::Result<mf::DkimKey>(shown.status());
    if (key.is_ok()) {
      message += fmt::format("\nDKIM key {} made; publish the DNS records: mfctl dns records {}",
                             key->selector, name);
    } else {
      s.out().warn(fmt::format("no DKIM key made for {}: {}; retry with: mfctl dkim rotate {}",
                               name, key.status().message(), name));
    }
  }
  s.out().done("domain add", name, message);
  return mf::Status::ok();
}

mf::Status run_list(Session& s) {
  MF_ASSIGN_OR_RETURN(auto domains, s.directory().list_domains(s.who()));
  if (s.out().json_mode()) {
    Json list = Json::array();
    for (const auto& d : domains) list.push_back(to_json(d));
    Json doc;
    doc["domains"] = std::move(list);
    s.out().print_json(doc);
    return mf::Status::ok();
  }
  Table table({"DOMAIN", "ACCOUNTS", "ALIASES", "REDIRECTIONS", "DEFAULT QUOTA", "MANAGERS"});
  for (const auto& d : domains) {
    table.add_row({domain_label(d), std::to_string(d.accounts), std::to_string(d.aliases),
                   std::to_string(d.redirections), quota_text(d.default_quota_bytes),
                   join(d.managers)});
  }
  s.out().print_table(table);
  return mf::Status::ok();
}

mf::Status run_show(Session& s, const std::string& name) {
  MF_ASSIGN_OR_RETURN(auto d, s.directory().show_domain(s.who(), name));
  if (s.out().json_mode()) {
    Json doc;
    doc["domain"] = to_json(d);
    s.out().print_json(doc);
    return mf::Status::ok();
  }
  s.out().print_fields({
      {"Domain", d.name},
      {"Unicode name", d.unicode_name},
      {"Created", format_time(d.created_at)},
      {"Accounts", std::to_string(d.accounts)},
      {"Aliases", std::to_string(d.aliases)},
      {"Redirections", std::to_string(d.redirections)},
      {"Default quota", quota_text(d.default_quota_bytes)},
      {"Managers", join(d.managers)},
  });
  return mf::Status::ok();
}

mf::Status run_remove(Session& s, const std::string& name, bool force) {
  mf::Status status = s.directory().remove_domain(
      s.who(), name, force ? mf::Removal::kForce : mf::Removal::kRefuseIfInUse);
  if (!force) status = with_force_hint(status);
  MF_RETURN_IF_ERROR(status);
  s.out().done("domain remove", name,
               force ? fmt::format("removed domain {} and everything in it", name)
                     : fmt::format("removed domain {}", name));
  return mf::Status::ok();
}

struct NameArgs {
  std::string name;
  bool force = false;
  bool no_dkim_key = false;
};

}  // namespace

void add_domain_commands(CLI::App& app, Commands& commands) {
  CLI::App* noun = add_noun(app, "domain", "Mail domains (adding and removing: administrator)");

  auto add = std::make_shared<NameArgs>();
  CLI::App* add_verb = noun->add_subcommand("add", "Add a domain with abuse@ and postmaster@");
  add_verb->add_option("NAME", add->name, "Domain name (UTF-8 names are stored as A-labels)")
      ->required();
  add_verb->add_flag("--no-dkim-key", add->no_dkim_key,
                     "Do not make the domain's DKIM key now (mfctl dkim rotate makes it later)");
  commands.add(add_verb, [add](Session& s) { return run_add(s, add->name, !add->no_dkim_key); });

  CLI::App* list_verb = noun->add_subcommand("list", "List the domains you may see");
  commands.add(list_verb, [](Session& s) { return run_list(s); });

  auto show = std::make_shared<NameArgs>();
  CLI::App* show_verb = noun->add_subcommand("show", "Show one domain");
  show_verb->add_option("NAME", show->name, "Domain name")->required();
  commands.add(show_verb, [show](Session& s) { return run_show(s, show->name); });

  auto remove = std::make_shared<NameArgs>();
  CLI::App* remove_verb = noun->add_subcommand("remove", "Remove a domain (in use: needs --force)");
  remove_verb->footer(
      "Without --force, a domain holding anything besides abuse@ and postmaster@ is kept.");
  remove_verb->add_option("NAME", remove->name, "Domain name")->required();
  remove_verb->add_flag("--force", remove->force, "Also remove everything in the domain");
  commands.add(remove_verb,
               [remove](Session& s) { return run_remove(s, remove->name, remove->force); });
}

}  // namespace mfctl
