// mailbox/mail_store_copy.cpp — COPY and MOVE between an account's folders: new UIDs in
// the target, bodies shared, the quota counted, in one transaction.
#include "mailbox/mail_store_impl.h"

#include "mailbox/folders.h"

#include <fmt/format.h>

#include <algorithm>

namespace mf::mailbox {

using store::Table;
using store::Txn;

namespace {

// COPY or MOVE of `uids` (sorted, unique) from `src_name` to `dst_name` inside `txn`:
// what copy_messages and move_messages document. `*src_modseq` is the source's new modseq
// after a move that removed something, else 0.
Status transfer(Txn& txn, std::string_view account, const std::string& src_name,
                const std::string& dst_name, const std::vector<uint32_t>& uids, bool move,
                CopyResult* result, uint64_t* src_modseq_out) {
  CopyResult& out = *result;
  uint64_t& src_modseq = *src_modseq_out;
  out = CopyResult{};
  src_modseq = 0;
  std::optional<uint64_t> limit;
  Status refusal;
  MF_RETURN_IF_ERROR(check_account(txn, account, &limit, &refusal));
  MF_RETURN_IF_ERROR(refusal);
  MF_ASSIGN_OR_RETURN(FolderRecord src, require_folder(txn, account, src_name));
  MF_ASSIGN_OR_RETURN(FolderRecord dst_loaded, require_folder(txn, account, dst_name));
  // A copy into the same folder changes one record: both names refer to it.
  FolderRecord& dst = src_name == dst_name ? src : dst_loaded;

  std::vector<std::pair<uint32_t, MessageRecord>> found;
  for (uint32_t uid : uids) {
    MF_ASSIGN_OR_RETURN(auto raw, txn.get(Table::kMailMessages, message_key(src.id, uid)));
    if (!raw) continue;
    MessageRecord m;
    MF_RETURN_IF_ERROR(decode(*raw, &m));
    found.emplace_back(uid, std::move(m));
  }
  if (found.empty()) return Status::ok();
  if (uint64_t{dst.uidnext} + found.size() > UINT32_MAX)
    return resource_exhausted(fmt::format("folder '{}' has no UIDs left", dst_name));
  MF_ASSIGN_OR_RETURN(QuotaUsage usage, load_usage(txn, account));
  QuotaUsage added;
  for (const auto& [uid, m] : found) {
    added.bytes += m.size;
    added.messages += 1;
  }
  if (!move && limit && usage.bytes + added.bytes > *limit) {
    return resource_exhausted(
        fmt::format("mailbox full: {} uses {} of its {} bytes; the copy needs {}", account,
                    usage.bytes, *limit, added.bytes));
  }

  const uint64_t modseq = dst.highest_modseq + 1;
  for (const auto& [uid, original] : found) {
    MessageRecord m = original;
    m.modseq = modseq;
    const uint32_t new_uid = dst.uidnext++;
    MF_RETURN_IF_ERROR(txn.put(Table::kMailMessages, message_key(dst.id, new_uid), encode(m)));
    MF_RETURN_IF_ERROR(txn.put(Table::kMailModseq, modseq_key(dst.id, modseq, new_uid), ""));
    MF_RETURN_IF_ERROR(retain_body(txn, m.body_id));
    dst.messages += 1;
    if (!(m.flags & kSeen)) dst.unseen += 1;
    out.uids.emplace_back(uid, new_uid);
  }
  dst.highest_modseq = modseq;
  out.uidvalidity = dst.uidvalidity;
  out.modseq = modseq;

  if (move) {
    src_modseq = src.highest_modseq + 1;
    for (const auto& [uid, m] : found) {
      MF_RETURN_IF_ERROR(txn.del(Table::kMailMessages, message_key(src.id, uid)).status());
      MF_RETURN_IF_ERROR(txn.del(Table::kMailModseq, modseq_key(src.id, m.modseq, uid)).status());
      MF_RETURN_IF_ERROR(txn.put(Table::kMailExpunged, modseq_key(src.id, src_modseq, uid), ""));
      MF_RETURN_IF_ERROR(release_body(txn, m.body_id));  // the copy holds it: never the last
      src.messages -= std::min<uint32_t>(src.messages, 1);
      if (!(m.flags & kSeen) && src.unseen) src.unseen -= 1;
    }
    src.highest_modseq = src_modseq;
    MF_RETURN_IF_ERROR(store_folder(txn, account, src_name, src));
  } else {
    usage.bytes += added.bytes;
    usage.messages += added.messages;
    MF_RETURN_IF_ERROR(store_usage(txn, account, usage));
  }
  // (A move into the same folder was refused above, so `src` was stored only if apart.)
  MF_RETURN_IF_ERROR(store_folder(txn, account, dst_name, dst));
  return Status::ok();
}

Result<CopyResult> copy_or_move(MailStore::Impl& impl, std::string_view account,
                                std::string_view from, std::vector<uint32_t> uids,
                                std::string_view to, bool move) {
  MF_ASSIGN_OR_RETURN(std::string src_name, normalize_folder_name(from));
  MF_ASSIGN_OR_RETURN(std::string dst_name, normalize_folder_name(to));
  if (move && src_name == dst_name)
    return invalid_argument(fmt::format("cannot move messages of '{}' into itself", src_name));
  std::sort(uids.begin(), uids.end());
  uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
  CopyResult out;
  uint64_t src_modseq = 0;
  MF_RETURN_IF_ERROR(impl.env->write([&](Txn& txn) -> Status {
    return transfer(txn, account, src_name, dst_name, uids, move, &out, &src_modseq);
  }));
  std::vector<Change> changes;
  if (out.modseq)
    changes.push_back(Change{std::string(account), dst_name, Change::Kind::kAppended, out.modseq});
  if (src_modseq)
    changes.push_back(Change{std::string(account), src_name, Change::Kind::kExpunged, src_modseq});
  if (!changes.empty()) impl.notify(changes);
  return out;
}

}  // namespace

Status rename_inbox(MailStore::Impl& impl, std::string_view account, const std::string& to) {
  uint64_t src_modseq = 0;
  CopyResult out;
  MF_RETURN_IF_ERROR(impl.env->write([&](Txn& txn) -> Status {
    MF_ASSIGN_OR_RETURN(FolderRecord inbox, require_folder(txn, account, kInbox));
    MF_ASSIGN_OR_RETURN(auto existing, load_folder(txn, account, to));
    if (existing) return already_exists(fmt::format("{} already has a folder '{}'", account, to));
    MF_RETURN_IF_ERROR(create_folder(txn, account, to, SpecialUse::kNone).status());
    std::vector<uint32_t> uids;
    MF_RETURN_IF_ERROR(txn.scan_prefix(Table::kMailMessages, folder_range(inbox.id),
                                       [&](std::string_view k, std::string_view) {
                                         uids.push_back(uid_of_message_key(k));
                                         return true;
                                       }));
    return transfer(txn, account, std::string(kInbox), to, uids, true, &out, &src_modseq);
  }));
  std::vector<Change> changes{Change{std::string(account), "", Change::Kind::kFolders, 0}};
  if (src_modseq)
    changes.push_back(
        Change{std::string(account), std::string(kInbox), Change::Kind::kExpunged, src_modseq});
  impl.notify(changes);
  return Status::ok();
}

Result<CopyResult> MailStore::copy_messages(std::string_view account, std::string_view from,
                                            const std::vector<uint32_t>& uids,
                                            std::string_view to) {
  return copy_or_move(*impl_, account, from, uids, to, false);
}

Result<CopyResult> MailStore::move_messages(std::string_view account, std::string_view from,
                                            const std::vector<uint32_t>& uids,
                                            std::string_view to) {
  return copy_or_move(*impl_, account, from, uids, to, true);
}

}  // namespace mf::mailbox
