// model/directory_accounts.cpp — accounts: add, remove, list, show, passwords, display
// names, state, quotas and forwarding.
#include "model/directory_impl.h"

#include "base/text.h"
#include "mailbox/folders.h"

#include <fmt/format.h>

#include <algorithm>

namespace mf {

using store::Table;

namespace {

Status check_display_name(std::string_view name) {
  if (name.size() > 256) return invalid_argument("the display name is longer than 256 bytes");
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) return invalid_argument("the display name holds a control character");
  }
  if (!is_valid_utf8(name)) return invalid_argument("the display name is not valid UTF-8");
  return Status::ok();
}

}  // namespace

Status DirectoryImpl::add_account(const Principal& who, std::string_view address,
                                  const NewAccount& account) {
  MF_ASSIGN_OR_RETURN(Address a, parse(address));
  MF_RETURN_IF_ERROR(check_display_name(account.display_name));
  std::string hash;
  if (!account.password.empty()) {
    MF_RETURN_IF_ERROR(validate_password(account.password));
    MF_ASSIGN_OR_RETURN(hash, hasher_->hash(account.password));  // outside the transaction
  }
  std::string key = a.key();
  return env_->write([&](Txn& txn) -> Status {
    MF_RETURN_IF_ERROR(require_manager(txn, who, a.domain, "add accounts"));
    MF_RETURN_IF_ERROR(require_domain(txn, a.domain).status());
    AddressRecord rec;
    rec.kind = AddressKind::kAccount;
    rec.account.local = a.local;
    rec.account.display_name = account.display_name;
    rec.account.password_hash = hash;
    rec.account.quota = account.quota_bytes;
    rec.account.created_at = txn.now();
    rec.account.password_changed_at = hash.empty() ? 0 : txn.now();
    MF_ASSIGN_OR_RETURN(auto existing, load_address(txn, key));
    if (existing) {
      return already_exists(fmt::format("{} already exists as an {}", key,
                                        address_kind_name(existing->kind)));
    }
    MF_RETURN_IF_ERROR(store_address(txn, key, rec));
    MF_RETURN_IF_ERROR(mailbox::create_default_folders(txn, key));
    return audit(txn, who, "user.add", key);
  });
}

Status DirectoryImpl::remove_account(const Principal& who, std::string_view address, Removal mode) {
  MF_ASSIGN_OR_RETURN(Address a, parse(address));
  std::string key = a.key();
  return env_->write([&](Txn& txn) -> Status {
    MF_RETURN_IF_ERROR(require_account_manager(txn, who, key, "remove accounts"));
    MF_ASSIGN_OR_RETURN(auto rec, require_account(txn, key));
    if (rec.builtin) {
      return failed_precondition(fmt::format(
          "{} is required on every mail domain (RFC 2142) and cannot be removed while {} "
          "exists; forward it to someone instead",
          key, a.domain));
    }
    MF_ASSIGN_OR_RETURN(auto aliases, aliases_of(txn, key));
    if (mode == Removal::kRefuseIfInUse) {
      std::vector<std::string> users;
      MF_ASSIGN_OR_RETURN(users, referrers_of(txn, key));
      for (const auto& alias : aliases) {
        MF_ASSIGN_OR_RETURN(auto r, referrers_of(txn, alias));
        users.insert(users.end(), r.begin(), r.end());
      }
      sort_unique(&users);
      if (!users.empty()) {
        return failed_precondition(fmt::format(
            "{} is still a target of {}; change those first or force the removal", key,
            join(users, ", ")));
      }
    }
    std::vector<std::string> removed;
    MF_RETURN_IF_ERROR(delete_address(txn, who, key, &removed));
    std::sort(removed.begin(), removed.end());
    return audit(txn, who, mode == Removal::kForce ? "user.remove.force" : "user.remove", key,
                 "removed " + join(removed, ", "));
  });
}

Result<std::vector<AccountInfo>> DirectoryImpl::list_accounts(const Principal& who,
                                                              std::string_view domain_name) {
  MF_ASSIGN_OR_RETURN(std::string domain, normalize_domain(domain_name));
  std::vector<AccountInfo> out;
  MF_RETURN_IF_ERROR(env_->read([&](Txn& txn) -> Status {
    MF_RETURN_IF_ERROR(require_manager(txn, who, domain, "list accounts"));
    MF_RETURN_IF_ERROR(require_domain(txn, domain).status());
    std::vector<std::pair<std::string, AccountRecord>> found;
    Status bad;
    MF_RETURN_IF_ERROR(txn.scan_prefix(
        Table::kAddresses, domain_range_prefix(domain), [&](std::string_view k, std::string_view v) {
          AddressRecord r;
          bad = decode(v, &r);
          if (!bad.is_ok()) return false;
          if (r.kind == AddressKind::kAccount) {
            found.emplace_back(canonical_from_table_key(k), std::move(r.account));
          }
          return true;
        }));
    MF_RETURN_IF_ERROR(bad);
    for (const auto& [key, rec] : found) {
      MF_ASSIGN_OR_RETURN(auto info, account_info(txn, key, rec));
      out.push_back(std::move(info));
    }
    return Status::ok();
  }));
  return out;
}

Result<AccountInfo> DirectoryImpl::show_account(const Principal& who, std::string_view address) {
  MF_ASSIGN_OR_RETURN(Address a, parse(address));
  std::string key = a.key();
  AccountInfo out;
  MF_RETURN_IF_ERROR(env_->read([&](Txn& txn) -> Status {
    MF_RETURN_IF_ERROR(require_self_or_manager(txn, who, key, "see accounts"));
    MF_ASSIGN_OR_RETURN(auto rec, require_account(txn, key));
    MF_ASSIGN_OR_RETURN(out, account_info(txn, key, rec));
    return Status::ok();
  }));
  return out;
}

Status DirectoryImpl::set_password(const Principal& who, std::string_view address,
                                   std::string_view new_password) {
  MF_ASSIGN_OR_RETURN(Address a, parse(address));
  MF_RETURN_IF_ERROR(validate_password(new_password));
  MF_ASSIGN_OR_RETURN(std::string hash, hasher_->hash(new_password));  // outside the transaction
  std::string key = a.key();
  return env_->write([&](Txn& txn) -> Status {
    MF_RETURN_IF_ERROR(require_self_or_manager(txn, who, key, "set passwords"));
    MF_RETURN_IF_ERROR(update_account(txn, key, [&](AccountRecord& rec) {
      rec.password_hash = hash;
      rec.password_changed_at = txn.now();
      return Status::ok();
    }));
    bool reset = !(who.is_account() && who.name() == key);
    if (!reset) return audit(txn, who, "user.passwd", key);
    MF_RETURN_IF_ERROR(audit(txn, who, "user.passwd.reset", key,
                             "password reset by someone other than the account's owner"));
    return add_notice(
        txn, key, "Your password was reset",
        fmt::format("The password of {} was reset by {} ({}). If you did not ask for this, "
                    "tell your domain manager: whoever knows the new password can read your mail.",
                    key, who.name(), who.origin()));
  });
}

Status DirectoryImpl::set_display_name(const Principal& who, std::string_view address,
                                       std::string_view display_name) {
  MF_ASSIGN_OR_RETURN(Address a, parse(address));
  MF_RETURN_IF_ERROR(check_display_name(display_name));
  std::string key = a.key();
  return env_->write([&](Txn& txn) -> Status {
    MF_RETURN_IF_ERROR(require_self_or_manager(txn, who, key, "change display names"));
    MF_RETURN_IF_ERROR(update_account(txn, key, [&](AccountRecord& rec) {
      rec.display_name = std::string(display_name);
      return Status::ok();
    }));
    return audit(txn, who, "user.rename", key, std::string(display_name));
  });
}

Status DirectoryImpl::set_account_state(const Principal& who, std::string_view address,
                                        AccountState state) {
  MF_ASSIGN_OR_RETURN(Address a, parse(address));
  std::string key = a.key();
  return env_->write([&](Txn& txn) -> Status {
    MF_RETURN_IF_ERROR(require_account_manager(
        txn, who, key, state == AccountState::kEnabled ? "enable accounts" : "disable accounts"));
    MF_RETURN_IF_ERROR(update_account(txn, key, [&](AccountRecord& rec) {
      rec.state = state;
      return Status::ok();
    }));
    return audit(txn, who, state == AccountState::kEnabled ? "user.enable" : "user.disable", key);
  });
}

Status DirectoryImpl::set_account_quota(const Principal& who, std::string_view address,
                                        std::optional<uint64_t> bytes) {
  MF_ASSIGN_OR_RETURN(Address a, parse(address));
  std::string key = a.key();
  return env_->write([&](Txn& txn) -> Status {
    MF_RETURN_IF_ERROR(require_account_manager(txn, who, key, "set quotas"));
    MF_RETURN_IF_ERROR(update_account(txn, key, [&](AccountRecord& rec) {
      rec.quota = bytes;
      return Status::ok();
    }));
    return audit(txn, who, "quota.account", key,
                 bytes ? fmt::format("{} bytes", *bytes) : std::string("domain default"));
  });
}

Result<QuotaInfo> effective_quota(Txn& txn, std::string_view canonical, const AccountRecord& rec) {
  QuotaInfo out;
  out.address = std::string(canonical);
  if (rec.quota) {
    out.limit_bytes = rec.quota;
    out.source = QuotaInfo::Source::kAccount;
    return out;
  }
  std::string_view domain_name = key_domain(canonical);
  MF_ASSIGN_OR_RETURN(auto raw, txn.get(Table::kDomains, domain_name));
  if (!raw) return not_found(fmt::format("domain {} does not exist", domain_name));
  DomainRecord domain;
  MF_RETURN_IF_ERROR(decode(*raw, &domain));
  if (domain.default_quota) {
    out.limit_bytes = domain.default_quota;
    out.source = QuotaInfo::Source::kDomainDefault;
  } else {
    out.source = QuotaInfo::Source::kUnlimited;
  }
  return out;
}

Result<QuotaInfo> DirectoryImpl::show_quota(const Principal& who, std::string_view address) {
  MF_ASSIGN_OR_RETURN(Address a, parse(address));
  std::string key = a.key();
  QuotaInfo out;
  MF_RETURN_IF_ERROR(env_->read([&](Txn& txn) -> Status {
    MF_RETURN_IF_ERROR(require_self_or_manager(txn, who, key, "see quotas"));
    MF_ASSIGN_OR_RETURN(auto rec, require_account(txn, key));
    MF_ASSIGN_OR_RETURN(out, effective_quota(txn, key, rec));
    return Status::ok();
  }));
  return out;
}

Status DirectoryImpl::set_forwarding(const Principal& who, std::string_view address,
                                     const std::vector<std::string>& targets, KeepCopy keep) {
  MF_ASSIGN_OR_RETURN(Address a, parse(address));
  std::string key = a.key();
  return env_->write([&](Txn& txn) -> Status {
    MF_RETURN_IF_ERROR(require_account_manager(txn, who, key, "forward accounts"));
    std::vector<std::string> canon;
    MF_RETURN_IF_ERROR(update_account(txn, key, [&](AccountRecord& rec) -> Status {
      MF_ASSIGN_OR_RETURN(canon, canonical_targets(txn, targets, key));
      MF_RETURN_IF_ERROR(remove_referrers(txn, key, rec.forward_to));
      MF_RETURN_IF_ERROR(add_referrers(txn, key, canon));
      rec.forward_to = canon;
      rec.keep_copy = keep;
      return Status::ok();
    }));
    std::string detail = canon.empty() ? std::string("forwarding stopped")
                                       : fmt::format("to {}{}", join(canon, ", "),
                                                     keep == KeepCopy::kYes ? ", keeping a copy" : "");
    MF_RETURN_IF_ERROR(audit(txn, who, canon.empty() ? "user.forward.stop" : "user.forward", key, detail));
    // Forwarding diverts the account's mail: like a password reset, the owner is told.
    return add_notice(txn, key, canon.empty() ? "Your mail is no longer forwarded"
                                              : "Your mail is now forwarded",
                      fmt::format("{} changed the forwarding of {} ({}): {}.", who.name(), key,
                                  who.origin(), detail));
  });
}

}  // namespace mf
