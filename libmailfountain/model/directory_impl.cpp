// model/directory_impl.cpp — helpers shared by the Directory's operations: records,
// rights, targets, referrers and cascading removal.
#include "model/directory_impl.h"

#include "base/codec.h"
#include "base/text.h"
#include "mailbox/folders.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <set>

namespace mf {

using store::Table;

Directory::~Directory() = default;

std::string_view address_kind_name(AddressKind kind) {
  switch (kind) {
    case AddressKind::kAccount: return "account";
    case AddressKind::kAlias: return "alias";
    case AddressKind::kRedirection: return "redirection";
  }
  return "?";
}

// ---- Records ----

Result<std::optional<AddressRecord>> DirectoryImpl::load_address(Txn& txn,
                                                                 std::string_view canonical) {
  MF_ASSIGN_OR_RETURN(auto raw, txn.get(Table::kAddresses, address_table_key(canonical)));
  if (!raw) return std::optional<AddressRecord>();
  AddressRecord rec;
  MF_RETURN_IF_ERROR(decode(*raw, &rec).with_context(std::string(canonical)));
  return std::optional<AddressRecord>(std::move(rec));
}

Status DirectoryImpl::store_address(Txn& txn, std::string_view canonical,
                                    const AddressRecord& rec) {
  return txn.put(Table::kAddresses, address_table_key(canonical), encode(rec));
}

Result<std::optional<DomainRecord>> DirectoryImpl::load_domain(Txn& txn, std::string_view domain) {
  MF_ASSIGN_OR_RETURN(auto raw, txn.get(Table::kDomains, domain));
  if (!raw) return std::optional<DomainRecord>();
  DomainRecord rec;
  MF_RETURN_IF_ERROR(decode(*raw, &rec).with_context(std::string(domain)));
  return std::optional<DomainRecord>(std::move(rec));
}

Result<DomainRecord> DirectoryImpl::require_domain(Txn& txn, std::string_view domain) {
  MF_ASSIGN_OR_RETURN(auto rec, load_domain(txn, domain));
  if (!rec) return not_found(fmt::format("no such domain: {}", domain));
  return std::move(*rec);
}

Result<AccountRecord> DirectoryImpl::require_account(Txn& txn, std::string_view canonical) {
  MF_ASSIGN_OR_RETURN(auto rec, load_address(txn, canonical));
  if (!rec) return not_found(fmt::format("no such account: {}", canonical));
  if (rec->kind != AddressKind::kAccount) {
    return not_found(fmt::format("{} is an {}, not an account", canonical,
                                 address_kind_name(rec->kind)));
  }
  return std::move(rec->account);
}

Status DirectoryImpl::update_account(Txn& txn, std::string_view canonical,
                                     const std::function<Status(AccountRecord&)>& change) {
  AddressRecord full;
  full.kind = AddressKind::kAccount;
  MF_ASSIGN_OR_RETURN(full.account, require_account(txn, canonical));
  MF_RETURN_IF_ERROR(change(full.account));
  return store_address(txn, canonical, full);
}

Result<Address> DirectoryImpl::parse(std::string_view text) { return parse_address(text); }

// ---- Rights ----

uint64_t detail::PrincipalAccess::stamp_of(std::string_view password_hash) {
  // FNV-1a: the hash holds a random salt, so equal stamps mean the same hash.
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : password_hash) h = (h ^ c) * 1099511628211ull;
  return h;
}

Status DirectoryImpl::check_principal(Txn& txn, const Principal& who) {
  if (detail::PrincipalAccess::issuer(who) != issuer_) {
    return permission_denied("this principal was issued by another MailFountain context");
  }
  if (who.is_administrator()) return Status::ok();
  MF_ASSIGN_OR_RETURN(auto rec, load_address(txn, who.name()));
  if (!rec || rec->kind != AddressKind::kAccount) {
    return permission_denied(fmt::format("account {} no longer exists", who.name()));
  }
  if (rec->account.state != AccountState::kEnabled) {
    return permission_denied(fmt::format("account {} is disabled", who.name()));
  }
  if (detail::PrincipalAccess::stamp_of(rec->account.password_hash) !=
      detail::PrincipalAccess::stamp(who)) {
    return unauthenticated(fmt::format(
        "the login of {} has ended: its password changed since; log in again", who.name()));
  }
  return Status::ok();
}

Status DirectoryImpl::require_admin(const Principal& who, std::string_view what) {
  if (detail::PrincipalAccess::issuer(who) != issuer_) {
    return permission_denied("this principal was issued by another MailFountain context");
  }
  if (who.is_administrator()) return Status::ok();
  return permission_denied(fmt::format(
      "permission denied: {} cannot {}; only the administrator can", who.name(), what));
}

Result<bool> DirectoryImpl::manages(Txn& txn, std::string_view account, std::string_view domain) {
  return txn.contains(Table::kGrants, grant_by_object_key('D', domain, account));
}

Result<std::vector<std::string>> DirectoryImpl::managed_domains(Txn& txn,
                                                                std::string_view account) {
  std::vector<std::string> out;
  std::string prefix = grant_by_account_prefix(account);
  MF_RETURN_IF_ERROR(txn.scan_prefix(Table::kGrants, prefix,
                                     [&](std::string_view k, std::string_view v) {
                                       std::string_view rest = k.substr(prefix.size());
                                       if (!rest.empty() && rest[0] == 'D' &&
                                           (decode_rights(v) & kRightManage)) {
                                         out.emplace_back(rest.substr(1));
                                       }
                                       return true;
                                     }));
  return out;
}

Status DirectoryImpl::require_manager(Txn& txn, const Principal& who, std::string_view domain,
                                      std::string_view what) {
  MF_RETURN_IF_ERROR(check_principal(txn, who));
  if (who.is_administrator()) return Status::ok();
  MF_ASSIGN_OR_RETURN(bool ok, manages(txn, who.name(), domain));
  if (ok) return Status::ok();
  MF_ASSIGN_OR_RETURN(auto domains, managed_domains(txn, who.name()));
  if (domains.empty()) {
    return permission_denied(fmt::format(
        "permission denied: {} is not a domain manager and cannot {} on {}", who.name(), what,
        domain));
  }
  return permission_denied(fmt::format("permission denied: {} (manager of {}) cannot {} on {}",
                                       who.name(), join(domains, ", "), what, domain));
}

Result<bool> DirectoryImpl::may_manage_domain(Txn& txn, const Principal& who,
                                             std::string_view domain) {
  if (who.is_administrator()) return true;
  return manages(txn, who.name(), domain);
}

Status DirectoryImpl::require_account_manager(Txn& txn, const Principal& who,
                                              std::string_view account, std::string_view what) {
  MF_RETURN_IF_ERROR(require_manager(txn, who, key_domain(account), what));
  if (who.is_administrator()) return Status::ok();
  // Acting on another manager's account (its password, its forwarding, its removal) gives
  // power over the domains it manages: only their managers, or the administrator, may.
  MF_ASSIGN_OR_RETURN(auto theirs, managed_domains(txn, account));
  for (const auto& d : theirs) {
    MF_ASSIGN_OR_RETURN(bool ok, manages(txn, who.name(), d));
    if (!ok) {
      return permission_denied(fmt::format(
          "permission denied: {} cannot {} for {}, who manages {}, which {} does not manage",
          who.name(), what, account, d, who.name()));
    }
  }
  return Status::ok();
}

Status DirectoryImpl::require_self_or_manager(Txn& txn, const Principal& who,
                                              std::string_view account, std::string_view what) {
  MF_RETURN_IF_ERROR(check_principal(txn, who));
  if (who.is_account() && who.name() == account) return Status::ok();
  return require_account_manager(txn, who, account, what);
}

// ---- Targets and referrers ----

Result<std::string> DirectoryImpl::canonical_target(Txn& txn, std::string_view target) {
  MF_ASSIGN_OR_RETURN(Address a, parse(target));
  MF_ASSIGN_OR_RETURN(auto domain, load_domain(txn, a.domain));
  if (!domain) return a.display();  // external: relayed as given
  std::string key = a.key();
  MF_ASSIGN_OR_RETURN(auto rec, load_address(txn, key));
  if (!rec) {
    return not_found(fmt::format("no such address: {} (the domain {} is local, so the target "
                                 "must exist; add it first)",
                                 key, a.domain));
  }
  return key;
}

Result<std::vector<std::string>> DirectoryImpl::canonical_targets(
    Txn& txn, const std::vector<std::string>& targets, std::string_view self) {
  if (targets.size() > kMaxTargets) {
    return invalid_argument(fmt::format(
        "{} targets given; at most {} are allowed (nest redirections for more)", targets.size(),
        kMaxTargets));
  }
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& t : targets) {
    MF_ASSIGN_OR_RETURN(std::string c, canonical_target(txn, t));
    if (ascii_iequals(c, self)) {
      return invalid_argument(fmt::format("{} cannot name itself as a target", self));
    }
    if (seen.insert(ascii_lower(c)).second) out.push_back(std::move(c));
  }
  return out;
}

Status DirectoryImpl::add_referrers(Txn& txn, std::string_view source,
                                    const std::vector<std::string>& targets) {
  for (const auto& t : targets) {
    MF_RETURN_IF_ERROR(txn.put(Table::kReferrers, pair_key(ascii_lower(t), source), ""));
  }
  return Status::ok();
}

Status DirectoryImpl::remove_referrers(Txn& txn, std::string_view source,
                                       const std::vector<std::string>& targets) {
  for (const auto& t : targets) {
    MF_RETURN_IF_ERROR(txn.del(Table::kReferrers, pair_key(ascii_lower(t), source)));
  }
  return Status::ok();
}

Result<std::vector<std::string>> DirectoryImpl::referrers_of(Txn& txn, std::string_view target) {
  std::vector<std::string> out;
  MF_RETURN_IF_ERROR(txn.scan_prefix(Table::kReferrers, pair_prefix(ascii_lower(target)),
                                     [&](std::string_view k, std::string_view) {
                                       out.emplace_back(pair_second(k));
                                       return true;
                                     }));
  return out;
}

Result<std::vector<std::string>> DirectoryImpl::aliases_of(Txn& txn, std::string_view account) {
  std::vector<std::string> out;
  MF_RETURN_IF_ERROR(txn.scan_prefix(Table::kAliasIndex, pair_prefix(account),
                                     [&](std::string_view k, std::string_view) {
                                       out.emplace_back(pair_second(k));
                                       return true;
                                     }));
  return out;
}

// ---- Cascading removal ----

Status DirectoryImpl::delete_address(Txn& txn, const Principal& who, std::string_view first,
                                     std::vector<std::string>* removed) {
  // A worklist, not recursion: a cascade through a long chain of redirections must not
  // grow the stack.
  std::deque<std::string> work{std::string(first)};
  auto strip = [](std::vector<std::string>* targets, const std::string& gone) {
    targets->erase(std::remove_if(targets->begin(), targets->end(),
                                  [&](const std::string& t) { return ascii_iequals(t, gone); }),
                   targets->end());
  };
  while (!work.empty()) {
    std::string canonical = std::move(work.front());
    work.pop_front();
    MF_ASSIGN_OR_RETURN(auto rec, load_address(txn, canonical));
    if (!rec) continue;  // already removed earlier in this cascade
    MF_RETURN_IF_ERROR(txn.del(Table::kAddresses, address_table_key(canonical)));
    removed->push_back(canonical);

    switch (rec->kind) {
      case AddressKind::kAccount: {
        MF_ASSIGN_OR_RETURN(auto aliases, aliases_of(txn, canonical));
        for (auto& alias : aliases) work.push_back(std::move(alias));
        MF_RETURN_IF_ERROR(remove_referrers(txn, canonical, rec->account.forward_to));
        // Every grant the account holds, whatever the object kind, in both directions.
        std::string gprefix = grant_by_account_prefix(canonical);
        std::vector<std::string> grants;
        MF_RETURN_IF_ERROR(txn.scan_prefix(Table::kGrants, gprefix,
                                           [&](std::string_view k, std::string_view) {
                                             grants.emplace_back(k.substr(gprefix.size()));
                                             return true;
                                           }));
        for (const auto& g : grants) {  // g = kind byte + object
          std::string_view object = std::string_view(g).substr(1);
          MF_RETURN_IF_ERROR(txn.del(Table::kGrants, grant_by_object_key(g[0], object, canonical)));
          MF_RETURN_IF_ERROR(txn.del(Table::kGrants, grant_by_account_key(canonical, g[0], object)));
        }
        std::vector<std::string> notices;
        MF_RETURN_IF_ERROR(txn.scan_prefix(Table::kNotices, pair_prefix(canonical),
                                           [&](std::string_view k, std::string_view) {
                                             notices.emplace_back(k);
                                             return true;
                                           }));
        for (const auto& k : notices) MF_RETURN_IF_ERROR(txn.del(Table::kNotices, k));
        // The account's folders and messages; bodies no longer referenced go on the
        // garbage list, whose files the mailbox store deletes after this commit.
        MF_RETURN_IF_ERROR(mailbox::remove_account_mail(txn, canonical));
        break;
      }
      case AddressKind::kAlias:
        MF_RETURN_IF_ERROR(txn.del(Table::kAliasIndex, pair_key(rec->alias.account, canonical)));
        break;
      case AddressKind::kRedirection:
        MF_RETURN_IF_ERROR(remove_referrers(txn, canonical, rec->redirection.targets));
        break;
    }

    // Strip this address from every redirection and forwarding that names it; a
    // redirection left with no target goes too. Objects of domains the actor does not
    // manage are not the actor's to change: the removal is refused instead.
    MF_ASSIGN_OR_RETURN(auto sources, referrers_of(txn, canonical));
    for (const auto& source : sources) {
      MF_ASSIGN_OR_RETURN(bool allowed, may_manage_domain(txn, who, key_domain(source)));
      if (!allowed) {
        return permission_denied(fmt::format(
            "permission denied: removing {} would change {}, which {} does not manage; ask "
            "a manager of {} or the administrator",
            canonical, source, who.name(), key_domain(source)));
      }
      MF_RETURN_IF_ERROR(txn.del(Table::kReferrers, pair_key(canonical, source)));
      MF_ASSIGN_OR_RETURN(auto src, load_address(txn, source));
      if (!src) continue;
      if (src->kind == AddressKind::kRedirection) {
        strip(&src->redirection.targets, canonical);
        if (src->redirection.targets.empty()) work.push_back(source);
      } else if (src->kind == AddressKind::kAccount) {
        strip(&src->account.forward_to, canonical);
      }
      MF_RETURN_IF_ERROR(store_address(txn, source, *src));
    }
  }
  return Status::ok();
}

// ---- Views ----

Result<AccountInfo> DirectoryImpl::account_info(Txn& txn, std::string_view canonical,
                                                const AccountRecord& rec) {
  AccountInfo info;
  info.address = rec.local + "@" + std::string(key_domain(canonical));
  info.display_name = rec.display_name;
  info.state = rec.state;
  info.builtin = rec.builtin;
  info.quota_bytes = rec.quota;
  MF_ASSIGN_OR_RETURN(info.aliases, aliases_of(txn, canonical));
  std::sort(info.aliases.begin(), info.aliases.end());
  MF_ASSIGN_OR_RETURN(info.manages, managed_domains(txn, canonical));
  std::sort(info.manages.begin(), info.manages.end());
  info.forward_to = rec.forward_to;
  info.keep_copy = rec.keep_copy;
  info.created_at = rec.created_at;
  info.password_changed_at = rec.password_changed_at;
  return info;
}

Result<DomainInfo> DirectoryImpl::domain_info(Txn& txn, std::string_view domain,
                                              const DomainRecord& rec) {
  DomainInfo info;
  info.name = std::string(domain);
  info.unicode_name = rec.unicode_name;
  info.default_quota_bytes = rec.default_quota;
  info.created_at = rec.created_at;
  Status bad;
  MF_RETURN_IF_ERROR(txn.scan_prefix(Table::kAddresses, domain_range_prefix(domain),
                                     [&](std::string_view, std::string_view v) {
                                       AddressRecord r;
                                       bad = decode(v, &r);
                                       if (!bad.is_ok()) return false;
                                       switch (r.kind) {
                                         case AddressKind::kAccount: ++info.accounts; break;
                                         case AddressKind::kAlias: ++info.aliases; break;
                                         case AddressKind::kRedirection: ++info.redirections; break;
                                       }
                                       return true;
                                     }));
  MF_RETURN_IF_ERROR(bad);
  std::string prefix = grant_by_object_prefix('D', domain);
  MF_RETURN_IF_ERROR(txn.scan_prefix(Table::kGrants, prefix,
                                     [&](std::string_view k, std::string_view) {
                                       info.managers.emplace_back(k.substr(prefix.size()));
                                       return true;
                                     }));
  return info;
}

}  // namespace mf
