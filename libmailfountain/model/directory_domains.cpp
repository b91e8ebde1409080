// model/directory_domains.cpp — adding, removing, listing domains and their default quota.
#include "model/directory_impl.h"

#include "base/text.h"
#include "mailbox/folders.h"

#include <fmt/format.h>

#include <algorithm>

namespace mf {

using store::Table;

namespace {

// The accounts RFC 2142 requires on every mail domain, created with it.
constexpr const char* kBuiltinAccounts[][2] = {{"abuse", "Abuse"}, {"postmaster", "Postmaster"}};

}  // namespace

Status DirectoryImpl::add_domain(const Principal& who, std::string_view name) {
  MF_RETURN_IF_ERROR(require_admin(who, "add domains"));
  MF_ASSIGN_OR_RETURN(std::string domain, normalize_domain(name));
  return env_->write([&](Txn& txn) -> Status {
    DomainRecord rec;
    rec.unicode_name = domain_to_unicode(domain);
    rec.created_at = txn.now();
    Status s = txn.put(Table::kDomains, domain, encode(rec), Txn::Put::kNoOverwrite);
    if (s.code() == Code::kAlreadyExists) {
      return already_exists(fmt::format("domain {} already exists", domain));
    }
    MF_RETURN_IF_ERROR(s);
    for (const auto& b : kBuiltinAccounts) {
      AddressRecord acc;
      acc.kind = AddressKind::kAccount;
      acc.account.local = b[0];
      acc.account.display_name = b[1];
      acc.account.builtin = true;
      acc.account.created_at = txn.now();
      std::string key = fmt::format("{}@{}", b[0], domain);
      MF_RETURN_IF_ERROR(txn.put(Table::kAddresses, address_table_key(key), encode(acc),
                                 Txn::Put::kNoOverwrite));
      MF_RETURN_IF_ERROR(mailbox::create_default_folders(txn, key));
    }
    return audit(txn, who, "domain.add", domain, "with abuse@ and postmaster@");
  });
}

Status DirectoryImpl::remove_domain(const Principal& who, std::string_view name, Removal mode) {
  MF_RETURN_IF_ERROR(require_admin(who, "remove domains"));
  MF_ASSIGN_OR_RETURN(std::string domain, normalize_domain(name));
  return env_->write([&](Txn& txn) -> Status {
    MF_RETURN_IF_ERROR(require_domain(txn, domain).status());
    std::vector<std::string> addresses;
    uint64_t accounts = 0, aliases = 0, redirections = 0;
    Status bad;
    MF_RETURN_IF_ERROR(txn.scan_prefix(
        Table::kAddresses, domain_range_prefix(domain), [&](std::string_view k, std::string_view v) {
          AddressRecord r;
          bad = decode(v, &r);
          if (!bad.is_ok()) return false;
          addresses.push_back(canonical_from_table_key(k));
          if (r.kind == AddressKind::kAccount && !r.account.builtin) ++accounts;
          if (r.kind == AddressKind::kAlias) ++aliases;
          if (r.kind == AddressKind::kRedirection) ++redirections;
          return true;
        }));
    MF_RETURN_IF_ERROR(bad);
    if (mode == Removal::kRefuseIfInUse) {
      // What outside the domain depends on it: aliases and redirections elsewhere.
      std::vector<std::string> outside;
      for (const auto& a : addresses) {
        MF_ASSIGN_OR_RETURN(auto als, aliases_of(txn, a));
        MF_ASSIGN_OR_RETURN(auto refs, referrers_of(txn, a));
        for (const auto& x : als) {
          if (key_domain(x) != domain) outside.push_back("alias " + x);
        }
        for (const auto& x : refs) {
          if (key_domain(x) != domain) outside.push_back(x);
        }
      }
      sort_unique(&outside);
      if (accounts || aliases || redirections || !outside.empty()) {
        std::vector<std::string> what;
        if (accounts) what.push_back(fmt::format("{} account(s) besides abuse@ and postmaster@", accounts));
        if (aliases) what.push_back(fmt::format("{} alias(es)", aliases));
        if (redirections) what.push_back(fmt::format("{} redirection(s)", redirections));
        if (!outside.empty()) {
          if (outside.size() > 10) outside.resize(10), outside.push_back("...");
          what.push_back(fmt::format("references from other domains: {}", join(outside, ", ")));
        }
        return failed_precondition(fmt::format(
            "domain {} is still in use: it has {}; remove them first or force the removal",
            domain, join(what, ", ")));
      }
    }
    std::vector<std::string> removed;
    for (const auto& a : addresses) MF_RETURN_IF_ERROR(delete_address(txn, who, a, &removed));
    // Manager grants on the domain.
    std::string prefix = grant_by_object_prefix('D', domain);
    std::vector<std::string> managers;
    MF_RETURN_IF_ERROR(txn.scan_prefix(Table::kGrants, prefix,
                                       [&](std::string_view k, std::string_view) {
                                         managers.emplace_back(k.substr(prefix.size()));
                                         return true;
                                       }));
    for (const auto& m : managers) {
      MF_RETURN_IF_ERROR(txn.del(Table::kGrants, grant_by_object_key('D', domain, m)));
      MF_RETURN_IF_ERROR(txn.del(Table::kGrants, grant_by_account_key(m, 'D', domain)));
    }
    MF_RETURN_IF_ERROR(txn.del(Table::kDomains, domain));
    std::sort(removed.begin(), removed.end());
    return audit(txn, who, mode == Removal::kForce ? "domain.remove.force" : "domain.remove",
                 domain,
                 removed.empty() ? std::string() : "removed " + join(removed, ", "));
  });
}

Result<std::vector<DomainInfo>> DirectoryImpl::list_domains(const Principal& who) {
  std::vector<DomainInfo> out;
  MF_RETURN_IF_ERROR(env_->read([&](Txn& txn) -> Status {
    MF_RETURN_IF_ERROR(check_principal(txn, who));
    std::vector<std::string> names;
    if (who.is_administrator()) {
      MF_RETURN_IF_ERROR(txn.scan_prefix(Table::kDomains, "", [&](std::string_view k, std::string_view) {
        names.emplace_back(k);
        return true;
      }));
    } else {
      MF_ASSIGN_OR_RETURN(names, managed_domains(txn, who.name()));
      names.emplace_back(key_domain(who.name()));
      sort_unique(&names);
    }
    for (const auto& n : names) {
      MF_ASSIGN_OR_RETURN(auto rec, load_domain(txn, n));
      if (!rec) continue;
      MF_ASSIGN_OR_RETURN(auto info, domain_info(txn, n, *rec));
      out.push_back(std::move(info));
    }
    return Status::ok();
  }));
  return out;
}

Result<DomainInfo> DirectoryImpl::show_domain(const Principal& who, std::string_view name) {
  MF_ASSIGN_OR_RETURN(std::string domain, normalize_domain(name));
  DomainInfo out;
  MF_RETURN_IF_ERROR(env_->read([&](Txn& txn) -> Status {
    MF_RETURN_IF_ERROR(check_principal(txn, who));
    if (!(who.is_account() && key_domain(who.name()) == domain)) {
      MF_RETURN_IF_ERROR(require_manager(txn, who, domain, "see domains"));
    }
    MF_ASSIGN_OR_RETURN(auto rec, require_domain(txn, domain));
    MF_ASSIGN_OR_RETURN(out, domain_info(txn, domain, rec));
    return Status::ok();
  }));
  return out;
}

Status DirectoryImpl::set_domain_default_quota(const Principal& who, std::string_view name,
                                               std::optional<uint64_t> bytes) {
  MF_ASSIGN_OR_RETURN(std::string domain, normalize_domain(name));
  return env_->write([&](Txn& txn) -> Status {
    MF_RETURN_IF_ERROR(require_manager(txn, who, domain, "set quotas"));
    MF_ASSIGN_OR_RETURN(auto rec, require_domain(txn, domain));
    rec.default_quota = bytes;
    MF_RETURN_IF_ERROR(txn.put(Table::kDomains, domain, encode(rec)));
    return audit(txn, who, "quota.domain_default", domain,
                 bytes ? fmt::format("{} bytes", *bytes) : std::string("unlimited"));
  });
}

}  // namespace mf
