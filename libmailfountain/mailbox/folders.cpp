// mailbox/folders.cpp — folders and an account's mail inside a transaction (folders.h).
#include "mailbox/folders.h"

#include "base/codec.h"
#include "base/text.h"
#include "mailbox/subscriptions.h"
#include "model/records.h"

#include <fmt/format.h>

namespace mf::mailbox {

using store::Table;

const DefaultFolder kDefaultFolders[6] = {
    {"INBOX", SpecialUse::kNone},  {"Sent", SpecialUse::kSent}, {"Drafts", SpecialUse::kDrafts},
    {"Trash", SpecialUse::kTrash}, {"Junk", SpecialUse::kJunk}, {"Archive", SpecialUse::kArchive},
};

Result<std::string> normalize_folder_name(std::string_view name) {
  if (name.empty()) return invalid_argument("a folder name cannot be empty");
  if (name.size() > kMaxFolderNameBytes) {
    return invalid_argument(fmt::format("folder names are at most {} bytes", kMaxFolderNameBytes));
  }
  if (!is_valid_utf8(name)) return invalid_argument("the folder name is not valid UTF-8");
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) return invalid_argument("the folder name holds a control character");
  }
  if (name.front() == kHierarchySeparator || name.back() == kHierarchySeparator ||
      name.find("//") != std::string_view::npos) {
    return invalid_argument(fmt::format("the folder name '{}' has an empty level", name));
  }
  // INBOX is case-insensitive (RFC 9051 §5.1), and so is the first level of its children:
  // "inbox/Drafts" is "INBOX/Drafts", as Dovecot reads it.
  std::string_view first = name.substr(0, name.find(kHierarchySeparator));
  if (ascii_iequals(first, kInbox))
    return std::string(kInbox) + std::string(name.substr(first.size()));
  return std::string(name);
}

Result<uint64_t> load_counter(Txn& txn, std::string_view key) {
  MF_ASSIGN_OR_RETURN(auto raw, txn.get(Table::kMeta, key));
  if (!raw) return uint64_t{0};
  if (raw->size() != 8) return corruption(fmt::format("the counter {} is unreadable", key));
  return decode_be64(*raw);
}

Status store_counter(Txn& txn, std::string_view key, uint64_t value) {
  return txn.put(Table::kMeta, key, encode_be64(value));
}

Result<std::optional<FolderRecord>> load_folder(Txn& txn, std::string_view account,
                                                std::string_view name) {
  MF_ASSIGN_OR_RETURN(auto raw, txn.get(Table::kMailFolders, folder_key(account, name)));
  if (!raw) return std::optional<FolderRecord>();
  FolderRecord rec;
  MF_RETURN_IF_ERROR(decode(*raw, &rec));
  return std::optional<FolderRecord>(rec);
}

Result<FolderRecord> require_folder(Txn& txn, std::string_view account, std::string_view name) {
  MF_ASSIGN_OR_RETURN(auto rec, load_folder(txn, account, name));
  if (!rec) return not_found(fmt::format("{} has no folder '{}'", account, name));
  return *rec;
}

Status store_folder(Txn& txn, std::string_view account, std::string_view name,
                    const FolderRecord& rec) {
  return txn.put(Table::kMailFolders, folder_key(account, name), encode(rec));
}

Result<FolderRecord> create_folder(Txn& txn, std::string_view account, std::string_view name,
                                   SpecialUse use) {
  MF_ASSIGN_OR_RETURN(auto existing, load_folder(txn, account, name));
  if (existing) return already_exists(fmt::format("{} already has a folder '{}'", account, name));
  FolderRecord rec;
  MF_ASSIGN_OR_RETURN(uint64_t last_id, load_counter(txn, kFolderSeqKey));
  rec.id = last_id + 1;
  MF_RETURN_IF_ERROR(store_counter(txn, kFolderSeqKey, rec.id));
  // UIDVALIDITY from the clock, but always above the last one given: a folder deleted
  // and re-created within the same second still gets a new value (RFC 9051 §2.3.1.1).
  MF_ASSIGN_OR_RETURN(uint64_t last_validity, load_counter(txn, kUidValidityKey));
  uint64_t validity =
      std::max<uint64_t>(last_validity + 1, static_cast<uint64_t>(std::max<int64_t>(txn.now(), 1)));
  validity &= 0xffffffffu;
  if (validity == 0) validity = 1;
  MF_RETURN_IF_ERROR(store_counter(txn, kUidValidityKey, validity));
  rec.uidvalidity = static_cast<uint32_t>(validity);
  rec.special_use = use;
  rec.created_at = txn.now();
  MF_RETURN_IF_ERROR(store_folder(txn, account, name, rec));
  return rec;
}

Status create_default_folders(Txn& txn, std::string_view account) {
  for (const DefaultFolder& f : kDefaultFolders) {
    MF_ASSIGN_OR_RETURN(auto existing, load_folder(txn, account, f.name));
    if (existing) continue;
    MF_RETURN_IF_ERROR(create_folder(txn, account, f.name, f.use).status());
    // Many clients show only subscribed folders: a new default folder is subscribed.
    MF_RETURN_IF_ERROR(subscribe(txn, account, f.name).status());
  }
  return Status::ok();
}

Result<QuotaUsage> load_usage(Txn& txn, std::string_view account) {
  MF_ASSIGN_OR_RETURN(auto raw, txn.get(Table::kMailQuota, account));
  QuotaUsage usage;
  if (raw) MF_RETURN_IF_ERROR(decode(*raw, &usage));
  return usage;
}

Status store_usage(Txn& txn, std::string_view account, const QuotaUsage& usage) {
  return txn.put(Table::kMailQuota, account, encode(usage));
}

Status release_body(Txn& txn, uint64_t body_id) {
  std::string key = body_key(body_id);
  MF_ASSIGN_OR_RETURN(auto raw, txn.get(Table::kMailBodies, key));
  if (!raw)
    return corruption(fmt::format("a message refers to body {} which has no record", body_id));
  BodyRecord body;
  MF_RETURN_IF_ERROR(decode(*raw, &body));
  if (body.refcount > 1) {
    --body.refcount;
    return txn.put(Table::kMailBodies, key, encode(body));
  }
  MF_RETURN_IF_ERROR(txn.del(Table::kMailBodies, key).status());
  return txn.put(Table::kMailGarbage, key, "");
}

Status retain_body(Txn& txn, uint64_t body_id) {
  std::string key = body_key(body_id);
  MF_ASSIGN_OR_RETURN(auto raw, txn.get(Table::kMailBodies, key));
  if (!raw) return not_found(fmt::format("body {} has no record", body_id));
  BodyRecord body;
  MF_RETURN_IF_ERROR(decode(*raw, &body));
  ++body.refcount;
  return txn.put(Table::kMailBodies, key, encode(body));
}

namespace {

// Every key of `table` starting with `prefix` (collected first: deleting while a cursor
// walks the same table is not something to rely on).
Result<std::vector<std::string>> keys_with_prefix(Txn& txn, Table table, std::string_view prefix) {
  std::vector<std::string> keys;
  MF_RETURN_IF_ERROR(txn.scan_prefix(table, prefix, [&](std::string_view k, std::string_view) {
    keys.emplace_back(k);
    return true;
  }));
  return keys;
}

}  // namespace

Status remove_folder(Txn& txn, std::string_view account, std::string_view name,
                     const FolderRecord& rec) {
  std::string range = folder_range(rec.id);
  QuotaUsage freed;
  std::vector<std::pair<std::string, MessageRecord>> messages;
  Status bad;
  MF_RETURN_IF_ERROR(
      txn.scan_prefix(Table::kMailMessages, range, [&](std::string_view k, std::string_view v) {
        MessageRecord m;
        bad = decode(v, &m);
        if (!bad.is_ok()) return false;
        messages.emplace_back(std::string(k), std::move(m));
        return true;
      }));
  MF_RETURN_IF_ERROR(bad);
  for (const auto& [key, m] : messages) {
    MF_RETURN_IF_ERROR(release_body(txn, m.body_id));
    MF_RETURN_IF_ERROR(txn.del(Table::kMailMessages, key).status());
    freed.bytes += m.size;
    freed.messages += 1;
  }
  for (Table t : {Table::kMailModseq, Table::kMailExpunged}) {
    MF_ASSIGN_OR_RETURN(auto keys, keys_with_prefix(txn, t, range));
    for (const auto& k : keys) MF_RETURN_IF_ERROR(txn.del(t, k).status());
  }
  if (freed.messages) {
    MF_ASSIGN_OR_RETURN(QuotaUsage usage, load_usage(txn, account));
    usage.bytes -= std::min(usage.bytes, freed.bytes);
    usage.messages -= std::min(usage.messages, freed.messages);
    MF_RETURN_IF_ERROR(store_usage(txn, account, usage));
  }
  return txn.del(Table::kMailFolders, folder_key(account, name)).status();
}

Result<std::vector<std::pair<std::string, FolderRecord>>> scan_folders(
    Txn& txn, std::string_view account, std::string_view name_prefix) {
  const std::string account_prefix = folder_prefix(account);
  std::vector<std::pair<std::string, FolderRecord>> folders;
  Status bad;
  MF_RETURN_IF_ERROR(txn.scan_prefix(Table::kMailFolders, account_prefix + std::string(name_prefix),
                                     [&](std::string_view k, std::string_view v) {
                                       FolderRecord rec;
                                       bad = decode(v, &rec);
                                       if (!bad.is_ok()) return false;
                                       folders.emplace_back(
                                           std::string(k.substr(account_prefix.size())), rec);
                                       return true;
                                     }));
  MF_RETURN_IF_ERROR(bad);
  return folders;
}

Status remove_account_mail(Txn& txn, std::string_view account) {
  MF_ASSIGN_OR_RETURN(auto folders, scan_folders(txn, account, ""));
  for (const auto& [name, rec] : folders)
    MF_RETURN_IF_ERROR(remove_folder(txn, account, name, rec));
  MF_RETURN_IF_ERROR(remove_subscriptions(txn, account));
  return txn.del(Table::kMailQuota, account).status();
}

Status migrate_add_default_folders(Txn& txn) {
  std::vector<std::string> accounts;
  Status bad;
  MF_RETURN_IF_ERROR(
      txn.scan_prefix(Table::kAddresses, "", [&](std::string_view k, std::string_view v) {
        AddressRecord r;
        bad = decode(v, &r);
        if (!bad.is_ok()) return false;
        if (r.kind == AddressKind::kAccount) accounts.push_back(canonical_from_table_key(k));
        return true;
      }));
  MF_RETURN_IF_ERROR(bad);
  for (const auto& a : accounts) MF_RETURN_IF_ERROR(create_default_folders(txn, a));
  return Status::ok();
}

}  // namespace mf::mailbox
