// mailbox/subscriptions.cpp — IMAP subscriptions inside a transaction (subscriptions.h).
#include "mailbox/subscriptions.h"

#include "mailbox/records.h"

namespace mf::mailbox {

using store::Table;

namespace {

// The names of `account`'s subscriptions starting with `name_prefix`, in key order.
Result<std::vector<std::string>> scan_names(store::Txn& txn, std::string_view account,
                                            std::string_view name_prefix) {
  const std::string prefix = folder_prefix(account);
  std::vector<std::string> names;
  MF_RETURN_IF_ERROR(txn.scan_prefix(Table::kMailSubscriptions, prefix + std::string(name_prefix),
                                     [&](std::string_view k, std::string_view) {
                                       names.emplace_back(k.substr(prefix.size()));
                                       return true;
                                     }));
  return names;
}

}  // namespace

Result<bool> subscribe(store::Txn& txn, std::string_view account, std::string_view name) {
  std::string key = folder_key(account, name);
  MF_ASSIGN_OR_RETURN(bool present, txn.contains(Table::kMailSubscriptions, key));
  if (present) return false;
  MF_RETURN_IF_ERROR(txn.put(Table::kMailSubscriptions, key, ""));
  return true;
}

Result<bool> unsubscribe(store::Txn& txn, std::string_view account, std::string_view name) {
  return txn.del(Table::kMailSubscriptions, folder_key(account, name));
}

Result<std::vector<std::string>> list_subscriptions(store::Txn& txn, std::string_view account) {
  return scan_names(txn, account, "");
}

Result<size_t> move_subscriptions(store::Txn& txn, std::string_view account, std::string_view from,
                                  std::string_view to) {
  // The folder itself, then its inferiors ("from/" sorts after "from" and every
  // "from" + a byte below '/', so two scans, not one over the prefix "from").
  std::vector<std::string> moving;
  MF_ASSIGN_OR_RETURN(bool self,
                      txn.contains(Table::kMailSubscriptions, folder_key(account, from)));
  if (self) moving.emplace_back(from);
  MF_ASSIGN_OR_RETURN(auto inferiors, scan_names(txn, account, std::string(from) + "/"));
  moving.insert(moving.end(), inferiors.begin(), inferiors.end());
  // All removed before any is added: a target may be one of the moving names (renaming
  // "a/b" to "a" takes "a/b/b" to "a/b").
  for (const auto& name : moving)
    MF_RETURN_IF_ERROR(txn.del(Table::kMailSubscriptions, folder_key(account, name)).status());
  for (const auto& name : moving) {
    std::string target = std::string(to) + name.substr(from.size());
    MF_RETURN_IF_ERROR(txn.put(Table::kMailSubscriptions, folder_key(account, target), ""));
  }
  return moving.size();
}

Status remove_subscriptions(store::Txn& txn, std::string_view account) {
  MF_ASSIGN_OR_RETURN(auto names, scan_names(txn, account, ""));
  for (const auto& name : names)
    MF_RETURN_IF_ERROR(txn.del(Table::kMailSubscriptions, folder_key(account, name)).status());
  return Status::ok();
}

Status migrate_subscribe_existing_folders(store::Txn& txn) {
  // A folder key and a subscription key are the same "account\0name".
  std::vector<std::string> keys;
  MF_RETURN_IF_ERROR(
      txn.scan_prefix(Table::kMailFolders, "", [&](std::string_view k, std::string_view) {
        keys.emplace_back(k);
        return true;
      }));
  for (const auto& k : keys) MF_RETURN_IF_ERROR(txn.put(Table::kMailSubscriptions, k, ""));
  return Status::ok();
}

}  // namespace mf::mailbox
