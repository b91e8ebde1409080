// model/directory_addresses.cpp — aliases, redirections and manager grants.
#include "model/directory_impl.h"

#include "base/text.h"

#include <fmt/format.h>

#include <algorithm>

namespace mf {

using store::Table;

namespace {

// Collects the records of one kind on a domain, in key order.
template <typename Fn>
Status scan_domain(Txn& txn, std::string_view domain, Fn&& fn) {
  Status bad;
  MF_RETURN_IF_ERROR(txn.scan_prefix(Table::kAddresses, domain_range_prefix(domain),
                                     [&](std::string_view k, std::string_view v) {
                                       AddressRecord r;
                                       bad = decode(v, &r);
                                       if (!bad.is_ok()) return false;
                                       fn(canonical_from_table_key(k), r);
                                       return true;
                                     }));
  return bad;
}

}  // namespace

// ---- Aliases ----

Status DirectoryImpl::add_alias(const Principal& who, std::string_view alias_text,
                                std::string_view account_text) {
  MF_ASSIGN_OR_RETURN(Address alias, parse(alias_text));
  MF_ASSIGN_OR_RETURN(Address account, parse(account_text));
  std::string alias_key = alias.key();
  std::string account_key = account.key();
  return env_->write([&](Txn& txn) -> Status {
    MF_RETURN_IF_ERROR(require_manager(txn, who, alias.domain, "add aliases"));
    if (account.domain != alias.domain) {
      MF_RETURN_IF_ERROR(require_manager(txn, who, account.domain, "give aliases to accounts"));
    }
    MF_RETURN_IF_ERROR(require_domain(txn, alias.domain).status());
    MF_RETURN_IF_ERROR(require_account(txn, account_key).status());
    MF_ASSIGN_OR_RETURN(auto existing, load_address(txn, alias_key));
    if (existing) {
      return already_exists(fmt::format("{} already exists as an {}", alias_key,
                                        address_kind_name(existing->kind)));
    }
    AddressRecord rec;
    rec.kind = AddressKind::kAlias;
    rec.alias.local = alias.local;
    rec.alias.account = account_key;
    MF_RETURN_IF_ERROR(store_address(txn, alias_key, rec));
    MF_RETURN_IF_ERROR(txn.put(Table::kAliasIndex, pair_key(account_key, alias_key), ""));
    return audit(txn, who, "alias.add", alias_key, "of " + account_key);
  });
}

Status DirectoryImpl::remove_alias(const Principal& who, std::string_view alias_text) {
  MF_ASSIGN_OR_RETURN(Address alias, parse(alias_text));
  std::string key = alias.key();
  return env_->write([&](Txn& txn) -> Status {
    MF_RETURN_IF_ERROR(require_manager(txn, who, alias.domain, "remove aliases"));
    MF_ASSIGN_OR_RETURN(auto rec, load_address(txn, key));
    if (!rec || rec->kind != AddressKind::kAlias) {
      return not_found(rec ? fmt::format("{} is an {}, not an alias", key, address_kind_name(rec->kind))
                           : fmt::format("no such alias: {}", key));
    }
    std::vector<std::string> removed;
    MF_RETURN_IF_ERROR(delete_address(txn, who, key, &removed));
    removed.erase(removed.begin());  // the alias itself
    return audit(txn, who, "alias.remove", key,
                 removed.empty() ? std::string() : "also removed " + join(removed, ", "));
  });
}

Result<std::vector<AliasInfo>> DirectoryImpl::list_aliases(const Principal& who,
                                                           std::string_view domain_name) {
  MF_ASSIGN_OR_RETURN(std::string domain, normalize_domain(domain_name));
  std::vector<AliasInfo> out;
  MF_RETURN_IF_ERROR(env_->read([&](Txn& txn) -> Status {
    MF_RETURN_IF_ERROR(require_manager(txn, who, domain, "list aliases"));
    MF_RETURN_IF_ERROR(require_domain(txn, domain).status());
    return scan_domain(txn, domain, [&](const std::string& key, const AddressRecord& r) {
      if (r.kind == AddressKind::kAlias) {
        out.push_back({r.alias.local + "@" + std::string(key_domain(key)), r.alias.account});
      }
    });
  }));
  return out;
}

// ---- Redirections ----

Status DirectoryImpl::add_redirection(const Principal& who, std::string_view address,
                                      const std::vector<std::string>& targets, SendAs send_as) {
  MF_ASSIGN_OR_RETURN(Address a, parse(address));
  if (targets.empty()) return invalid_argument("a redirection needs at least one target");
  std::string key = a.key();
  return env_->write([&](Txn& txn) -> Status {
    MF_RETURN_IF_ERROR(require_manager(txn, who, a.domain, "add redirections"));
    MF_RETURN_IF_ERROR(require_domain(txn, a.domain).status());
    MF_ASSIGN_OR_RETURN(auto existing, load_address(txn, key));
    if (existing) {
      return already_exists(fmt::format("{} already exists as an {}", key,
                                        address_kind_name(existing->kind)));
    }
    MF_ASSIGN_OR_RETURN(auto canon, canonical_targets(txn, targets, key));
    AddressRecord rec;
    rec.kind = AddressKind::kRedirection;
    rec.redirection.local = a.local;
    rec.redirection.targets = canon;
    rec.redirection.send_as = send_as;
    MF_RETURN_IF_ERROR(store_address(txn, key, rec));
    MF_RETURN_IF_ERROR(add_referrers(txn, key, canon));
    return audit(txn, who, "redirect.add", key, "to " + join(canon, ", "));
  });
}

Status DirectoryImpl::set_redirection(const Principal& who, std::string_view address,
                                      const std::vector<std::string>& targets, SendAs send_as) {
  MF_ASSIGN_OR_RETURN(Address a, parse(address));
  if (targets.empty()) {
    return invalid_argument("a redirection needs at least one target; remove it instead");
  }
  std::string key = a.key();
  return env_->write([&](Txn& txn) -> Status {
    MF_RETURN_IF_ERROR(require_manager(txn, who, a.domain, "change redirections"));
    MF_ASSIGN_OR_RETURN(auto rec, load_address(txn, key));
    if (!rec || rec->kind != AddressKind::kRedirection) {
      return not_found(rec ? fmt::format("{} is an {}, not a redirection", key,
                                         address_kind_name(rec->kind))
                           : fmt::format("no such redirection: {}", key));
    }
    MF_ASSIGN_OR_RETURN(auto canon, canonical_targets(txn, targets, key));
    MF_RETURN_IF_ERROR(remove_referrers(txn, key, rec->redirection.targets));
    MF_RETURN_IF_ERROR(add_referrers(txn, key, canon));
    rec->redirection.targets = canon;
    rec->redirection.send_as = send_as;
    MF_RETURN_IF_ERROR(store_address(txn, key, *rec));
    return audit(txn, who, "redirect.set", key, "to " + join(canon, ", "));
  });
}

Status DirectoryImpl::remove_redirection(const Principal& who, std::string_view address,
                                         Removal mode) {
  MF_ASSIGN_OR_RETURN(Address a, parse(address));
  std::string key = a.key();
  return env_->write([&](Txn& txn) -> Status {
    MF_RETURN_IF_ERROR(require_manager(txn, who, a.domain, "remove redirections"));
    MF_ASSIGN_OR_RETURN(auto rec, load_address(txn, key));
    if (!rec || rec->kind != AddressKind::kRedirection) {
      return not_found(rec ? fmt::format("{} is an {}, not a redirection", key,
                                         address_kind_name(rec->kind))
                           : fmt::format("no such redirection: {}", key));
    }
    if (mode == Removal::kRefuseIfInUse) {
      MF_ASSIGN_OR_RETURN(auto users, referrers_of(txn, key));
      if (!users.empty()) {
        std::sort(users.begin(), users.end());
        return failed_precondition(fmt::format(
            "{} is still a target of {}; change those first or force the removal", key,
            join(users, ", ")));
      }
    }
    std::vector<std::string> removed;
    MF_RETURN_IF_ERROR(delete_address(txn, who, key, &removed));
    return audit(txn, who, mode == Removal::kForce ? "redirect.remove.force" : "redirect.remove",
                 key, removed.size() > 1 ? "removed " + join(removed, ", ") : std::string());
  });
}

Result<std::vector<RedirectionInfo>> DirectoryImpl::list_redirections(const Principal& who,
                                                                      std::string_view domain_name) {
  MF_ASSIGN_OR_RETURN(std::string domain, normalize_domain(domain_name));
  std::vector<RedirectionInfo> out;
  MF_RETURN_IF_ERROR(env_->read([&](Txn& txn) -> Status {
    MF_RETURN_IF_ERROR(require_manager(txn, who, domain, "list redirections"));
    MF_RETURN_IF_ERROR(require_domain(txn, domain).status());
    return scan_domain(txn, domain, [&](const std::string& key, const AddressRecord& r) {
      if (r.kind == AddressKind::kRedirection) {
        out.push_back({r.redirection.local + "@" + std::string(key_domain(key)),
                       r.redirection.targets, r.redirection.send_as});
      }
    });
  }));
  return out;
}

// ---- Managers ----

Status DirectoryImpl::grant_manager(const Principal& who, std::string_view account_text,
                                    std::string_view domain_name) {
  MF_RETURN_IF_ERROR(require_admin(who, "grant manager rights"));
  MF_ASSIGN_OR_RETURN(Address account, parse(account_text));
  MF_ASSIGN_OR_RETURN(std::string domain, normalize_domain(domain_name));
  std::string key = account.key();
  return env_->write([&](Txn& txn) -> Status {
    MF_RETURN_IF_ERROR(require_domain(txn, domain).status());
    MF_RETURN_IF_ERROR(require_account(txn, key).status());
    Status s = txn.put(Table::kGrants, grant_by_object_key('D', domain, key),
                       encode_rights(kRightManage), Txn::Put::kNoOverwrite);
    if (s.code() == Code::kAlreadyExists) {
      return already_exists(fmt::format("{} already manages {}", key, domain));
    }
    MF_RETURN_IF_ERROR(s);
    MF_RETURN_IF_ERROR(txn.put(Table::kGrants, grant_by_account_key(key, 'D', domain),
                               encode_rights(kRightManage)));
    return audit(txn, who, "manager.grant", key, "of " + domain);
  });
}

Status DirectoryImpl::revoke_manager(const Principal& who, std::string_view account_text,
                                     std::string_view domain_name) {
  MF_RETURN_IF_ERROR(require_admin(who, "revoke manager rights"));
  MF_ASSIGN_OR_RETURN(Address account, parse(account_text));
  MF_ASSIGN_OR_RETURN(std::string domain, normalize_domain(domain_name));
  std::string key = account.key();
  return env_->write([&](Txn& txn) -> Status {
    MF_ASSIGN_OR_RETURN(bool existed, txn.del(Table::kGrants, grant_by_object_key('D', domain, key)));
    if (!existed) return not_found(fmt::format("{} is not a manager of {}", key, domain));
    MF_RETURN_IF_ERROR(txn.del(Table::kGrants, grant_by_account_key(key, 'D', domain)));
    return audit(txn, who, "manager.revoke", key, "of " + domain);
  });
}

Result<std::vector<ManagerGrant>> DirectoryImpl::list_managers(const Principal& who,
                                                               std::string_view domain_name) {
  std::string domain;
  if (!domain_name.empty()) {
    MF_ASSIGN_OR_RETURN(domain, normalize_domain(domain_name));
  }
  std::vector<ManagerGrant> out;
  MF_RETURN_IF_ERROR(env_->read([&](Txn& txn) -> Status {
    MF_RETURN_IF_ERROR(check_principal(txn, who));
    std::vector<std::string> domains;
    if (!domain.empty()) {
      MF_RETURN_IF_ERROR(require_manager(txn, who, domain, "list managers"));
      MF_RETURN_IF_ERROR(require_domain(txn, domain).status());
      domains.push_back(domain);
    } else if (who.is_administrator()) {
      MF_RETURN_IF_ERROR(txn.scan_prefix(Table::kDomains, "", [&](std::string_view k, std::string_view) {
        domains.emplace_back(k);
        return true;
      }));
    } else {
      MF_ASSIGN_OR_RETURN(domains, managed_domains(txn, who.name()));
      if (domains.empty()) {
        return permission_denied(fmt::format(
            "permission denied: {} is not a domain manager and cannot list managers", who.name()));
      }
      std::sort(domains.begin(), domains.end());
    }
    for (const auto& d : domains) {
      std::string prefix = grant_by_object_prefix('D', d);
      MF_RETURN_IF_ERROR(txn.scan_prefix(Table::kGrants, prefix,
                                         [&](std::string_view k, std::string_view) {
                                           out.push_back({std::string(k.substr(prefix.size())), d});
                                           return true;
                                         }));
    }
    return Status::ok();
  }));
  return out;
}

}  // namespace mf
