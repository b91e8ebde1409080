// mfctl/commands_quota.cpp — `mfctl quota set|show`: storage limits of accounts and the
// default limit of a domain's accounts.
#include "commands.h"
#include "json_objects.h"
#include "size.h"

#include <fmt/format.h>

namespace mfctl {
namespace {

struct QuotaArgs {
  std::string target;  // an account address, or a domain
  std::string size;    // a size, or "none"
};

mf::Status run_set(Session& s, const QuotaArgs& args) {
  std::optional<uint64_t> bytes;
  if (args.size != "none") {
    auto parsed = parse_size(args.size);
    if (!parsed) {
      return mf::invalid_argument(
          fmt::format("{}, or none to remove the limit", parsed.status().message()));
    }
    bytes = *parsed;
  }
  std::string limit = bytes ? format_size(*bytes) : "no limit";
  bool is_account = args.target.find('@') != std::string::npos;
  if (is_account) {
    MF_RETURN_IF_ERROR(s.directory().set_account_quota(s.who(), args.target, bytes));
    s.out().done("quota set", args.target,
                 bytes ? fmt::format("the quota of {} is now {}", args.target, limit)
                       : fmt::format("{} has no quota of its own now (the domain default "
                                     "applies)",
                                     args.target));
  } else {
    MF_RETURN_IF_ERROR(s.directory().set_domain_default_quota(s.who(), args.target, bytes));
    s.out().done("quota set", args.target,
                 fmt::format("the default quota of accounts of {} is now {}", args.target, limit));
  }
  return mf::Status::ok();
}

mf::Status run_show(Session& s, const QuotaArgs& args) {
  MF_ASSIGN_OR_RETURN(auto quota, s.directory().show_quota(s.who(), args.target));
  if (s.out().json_mode()) {
    Json doc;
    doc["quota"] = to_json(quota);
    s.out().print_json(doc);
    return mf::Status::ok();
  }
  const char* source = "";
  switch (quota.source) {
    case mf::QuotaInfo::Source::kAccount:
      source = "the account's own limit";
      break;
    case mf::QuotaInfo::Source::kDomainDefault:
      source = "the domain's default";
      break;
    case mf::QuotaInfo::Source::kUnlimited:
      source = "no limit set";
      break;
  }
  s.out().print_fields({
      {"Address", quota.address},
      {"Limit", quota.limit_bytes ? fmt::format("{} ({} bytes)", format_size(*quota.limit_bytes),
                                                *quota.limit_bytes)
                                  : "unlimited"},
      {"Source", source},
  });
  return mf::Status::ok();
}

}  // namespace

void add_quota_commands(CLI::App& app, Commands& commands) {
  CLI::App* noun = add_noun(app, "quota", "Storage quotas of accounts and domain defaults");

  auto set = std::make_shared<QuotaArgs>();
  CLI::App* verb = noun->add_subcommand("set", "Set an account's quota or a domain's default");
  verb->footer(
      "TARGET with an '@' is an account; without, a domain (the default of its accounts).\n"
      "SIZE is a number of bytes, optionally followed by K, M, G or T (powers of 1024),\n"
      "or none to remove the limit.");
  verb->add_option("TARGET", set->target, "An account address, or a domain")->required();
  verb->add_option("SIZE", set->size, "e.g. 500M, 2G, or none")->required();
  commands.add(verb, [set](Session& s) { return run_set(s, *set); });

  auto show = std::make_shared<QuotaArgs>();
  verb = noun->add_subcommand("show", "Show an account's quota and its source");
  verb->add_option("ADDRESS", show->target, "The account's address")->required();
  commands.add(verb, [show](Session& s) { return run_show(s, *show); });
}

}  // namespace mfctl
