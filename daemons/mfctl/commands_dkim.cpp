// mfctl/commands_dkim.cpp — `mfctl dkim show|rotate DOMAIN` (the domain's DKIM keys, files
// under DATA/dkim) and `mfctl dns records DOMAIN` (every record the domain needs at its
// registrar). docs/dkim.md explains the keys, rotation and the records.
#include "commands.h"

#include <mailfountain/dkim.h>

#include <fmt/format.h>

#include <unistd.h>

#include <climits>
#include <ctime>

namespace mfctl {
namespace {

struct DomainArgs {
  std::string name;
  std::string host;
  std::string ipv4;
  std::string ipv6;
};

// The domain as stored (A-label), once the principal is known to see it.
mf::Result<std::string> visible_domain(Session& s, const std::string& name) {
  MF_ASSIGN_OR_RETURN(auto d, s.directory().show_domain(s.who(), name));
  return d.name;
}

std::string txt_name(const mf::DkimKey& key) {
  return fmt::format("{}._domainkey.{}.", key.selector, key.domain);
}

std::string txt_text(const mf::DkimKey& key) {
  return fmt::format("v=DKIM1; k=rsa; p={}", key.public_key);
}

// "part1" "part2": a TXT value in zone-file form.
std::string quoted_txt(const std::string& text) {
  std::string quoted;
  for (const auto& part : mf::split_txt_strings(text)) {
    if (!quoted.empty()) quoted += ' ';
    quoted += '"' + part + '"';
  }
  return quoted;
}

Json key_json(const mf::DkimKey& key) {
  Json j;
  j["selector"] = key.selector;
  j["active"] = key.active;
  j["bits"] = key.bits;
  j["path"] = key.path;
  j["dns_name"] = txt_name(key);
  j["txt"] = mf::split_txt_strings(txt_text(key));
  j["public_key"] = key.public_key;
  return j;
}

mf::Status run_show(Session& s, const DomainArgs& args) {
  MF_ASSIGN_OR_RETURN(std::string domain, visible_domain(s, args.name));
  auto keys = mf::dkim_list_keys(s.settings().data_dir, domain);
  if (!keys.is_ok() && keys.status().code() == mf::Code::kNotFound) {
    return mf::Status(mf::Code::kNotFound,
                      fmt::format("the domain {} has no DKIM key; make one with: mfctl dkim "
                                  "rotate {}",
                                  domain, domain));
  }
  MF_RETURN_IF_ERROR(keys.status());
  if (s.out().json_mode()) {
    Json list = Json::array();
    for (const auto& k : *keys) list.push_back(key_json(k));
    Json doc;
    doc["domain"] = domain;
    doc["keys"] = std::move(list);
    s.out().print_json(doc);
    return mf::Status::ok();
  }
  Table table({"SELECTOR", "STATE", "BITS", "FILE"});
  for (const auto& k : *keys) {
    table.add_row({k.selector, k.active ? "active" : "retired", std::to_string(k.bits), k.path});
  }
  s.out().print_table(table);
  const mf::DkimKey& active = keys->front();
  s.out().print_text(
      fmt::format("\nPublish (mfctl dns records {} prints every record):\n{}\tIN\tTXT\t{}", domain,
                  txt_name(active), quoted_txt(txt_text(active))));
  return mf::Status::ok();
}

mf::Status run_rotate(Session& s, const DomainArgs& args) {
  if (!s.who().is_administrator()) {
    return mf::permission_denied("only an administrator may rotate DKIM keys");
  }
  MF_ASSIGN_OR_RETURN(std::string domain, visible_domain(s, args.name));
  auto previous = mf::dkim_list_keys(s.settings().data_dir, domain);
  MF_ASSIGN_OR_RETURN(mf::DkimKey key,
                      mf::dkim_rotate_key(s.settings().data_dir, domain, std::time(nullptr)));
  std::string kept;
  if (previous.is_ok()) {
    kept = fmt::format(
        "\nThe previous key {} is kept: leave its TXT record published for a week, for mail "
        "signed with it that is still on its way.",
        previous->front().selector);
  }
  s.out().done("dkim rotate", domain,
               fmt::format("new DKIM key {} for {} is active; publish its TXT record now "
                           "(mfctl dns records {}).{}",
                           key.selector, domain, domain, kept));
  return mf::Status::ok();
}

// The host name mailfountaind uses when its configuration names none: the system's.
std::string system_host_name() {
  char name[HOST_NAME_MAX + 1] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}

mf::Status run_records(Session& s, const DomainArgs& args) {
  MF_ASSIGN_OR_RETURN(std::string domain, visible_domain(s, args.name));
  mf::DnsRecordInputs in;
  in.domain = domain;
  in.host = args.host.empty() ? system_host_name() : args.host;
  in.ipv4 = args.ipv4;
  in.ipv6 = args.ipv6;
  auto keys = mf::dkim_list_keys(s.settings().data_dir, domain);
  if (keys.is_ok()) {
    for (const auto& k : *keys) in.dkim_keys.push_back({k.selector, k.public_key});
  } else if (keys.status().code() == mf::Code::kNotFound) {
    s.out().warn(fmt::format("{} has no DKIM key yet, so no DKIM record: mfctl dkim rotate {}",
                             domain, domain));
  } else {
    return keys.status();
  }
  if (args.host.empty() && in.host.find('.') == std::string::npos) {
    s.out().warn(fmt::format("the host name '{}' is not fully qualified: give --host", in.host));
  }
  std::vector<mf::DnsRecord> records = mf::domain_dns_records(in);
  if (s.out().json_mode()) {
    Json list = Json::array();
    for (const auto& r : records) {
      Json j;
      j["name"] = r.name;
      j["type"] = r.type;
      j["value"] = r.value;
      if (r.type == "TXT") j["strings"] = r.strings;
      j["comment"] = r.comment;
      j["placeholder"] = r.placeholder;
      list.push_back(std::move(j));
    }
    Json doc;
    doc["domain"] = domain;
    doc["host"] = in.host;
    doc["records"] = std::move(list);
    s.out().print_json(doc);
    return mf::Status::ok();
  }
  s.out().print_text(mf::dns_zone_text(records));
  return mf::Status::ok();
}

}  // namespace

void add_dkim_commands(CLI::App& app, Commands& commands) {
  CLI::App* noun = add_noun(app, "dkim", "DKIM signing keys of the domains");

  auto show = std::make_shared<DomainArgs>();
  CLI::App* show_verb = noun->add_subcommand("show", "Show a domain's DKIM keys and TXT record");
  show_verb->add_option("DOMAIN", show->name, "Domain name")->required();
  commands.add(show_verb, [show](Session& s) { return run_show(s, *show); });

  auto rotate = std::make_shared<DomainArgs>();
  CLI::App* rotate_verb = noun->add_subcommand(
      "rotate", "Make a new DKIM key active, keeping the old one (administrator)");
  rotate_verb->footer(
      "The new key signs at once: publish its TXT record right away. Remove a retired key's "
      "file and record a week later (docs/dkim.md).");
  rotate_verb->add_option("DOMAIN", rotate->name, "Domain name")->required();
  commands.add(rotate_verb, [rotate](Session& s) { return run_rotate(s, *rotate); });
}

void add_dns_commands(CLI::App& app, Commands& commands) {
  CLI::App* noun = add_noun(app, "dns", "DNS records the domains need");

  auto records = std::make_shared<DomainArgs>();
  CLI::App* verb = noun->add_subcommand(
      "records",
      "Print MX, A, SPF, DKIM, DMARC, SRV and autoconfig CNAME records in zone-file syntax");
  verb->add_option("DOMAIN", records->name, "Domain name")->required();
  verb->add_option("--host", records->host,
                   "The mail server's host name (default: this system's host name)");
  verb->add_option("--ipv4", records->ipv4, "The host's public IPv4 address, for the A record");
  verb->add_option("--ipv6", records->ipv6, "The host's public IPv6 address, for an AAAA record");
  commands.add(verb, [records](Session& s) { return run_records(s, *records); });
}

}  // namespace mfctl
