// mailbox/mail_store_messages.cpp — reading messages, flags and keywords, expunge, and
// folder management. Each operation is one transaction on the calling thread; changes
// are notified after their commit.
#include "mailbox/mail_store_impl.h"

#include "mailbox/folders.h"
#include "mailbox/subscriptions.h"

#include <fmt/format.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace mf::mailbox {

using store::Table;
using store::Txn;

namespace {

FolderStatus status_of(std::string name, const FolderRecord& r) {
  FolderStatus s;
  s.name = std::move(name);
  s.special_use = r.special_use;
  s.uidvalidity = r.uidvalidity;
  s.uidnext = r.uidnext;
  s.highest_modseq = r.highest_modseq;
  s.messages = r.messages;
  s.unseen = r.unseen;
  return s;
}

MessageInfo info_of(uint32_t uid, const MessageRecord& m) {
  return MessageInfo{uid, m.flags, m.keywords, m.size, m.internal_date, m.modseq, m.prefix.size()};
}

Result<std::optional<MessageRecord>> load_message(Txn& txn, uint64_t folder_id, uint32_t uid) {
  MF_ASSIGN_OR_RETURN(auto raw, txn.get(Table::kMailMessages, message_key(folder_id, uid)));
  if (!raw) return std::optional<MessageRecord>();
  MessageRecord m;
  MF_RETURN_IF_ERROR(decode(*raw, &m));
  return std::optional<MessageRecord>(std::move(m));
}

Result<MessageRecord> require_message(Txn& txn, uint64_t folder_id, uint32_t uid,
                                      std::string_view folder) {
  MF_ASSIGN_OR_RETURN(auto m, load_message(txn, folder_id, uid));
  if (!m) return not_found(fmt::format("folder '{}' has no message with UID {}", folder, uid));
  return std::move(*m);
}

// IMAP keywords are atoms (RFC 9051 §9 flag-keyword); system flags are not keywords.
Status check_keyword(std::string_view k) {
  if (k.empty() || k.size() > 100)
    return invalid_argument("a keyword must have 1 to 100 characters");
  for (unsigned char c : k) {
    if (c <= 0x20 || c >= 0x7f || std::strchr("(){%*\"\\]", c)) {
      return invalid_argument(fmt::format("'{}' is not a valid keyword", k));
    }
  }
  return Status::ok();
}

// The folder name, normalised; the account must exist as a mailbox owner (it has folders).
Result<std::string> folder_name(std::string_view folder) {
  return normalize_folder_name(folder);
}

}  // namespace

// ---- MessageReader ----

MessageReader::MessageReader(std::string prefix, int fd, uint64_t body_size)
    : prefix_(std::move(prefix)), fd_(fd), body_size_(body_size) {}

MessageReader::MessageReader(MessageReader&& other) noexcept
    : prefix_(std::move(other.prefix_)), fd_(other.fd_), body_size_(other.body_size_) {
  other.fd_ = -1;
}

MessageReader::~MessageReader() {
  if (fd_ >= 0) ::close(fd_);
}

Status MessageReader::read(uint64_t offset, uint64_t length, std::string* out) const {
  uint64_t total = size();
  if (offset >= total) return Status::ok();
  length = std::min(length, total - offset);
  if (offset < prefix_.size()) {
    uint64_t n = std::min<uint64_t>(length, prefix_.size() - offset);
    out->append(prefix_, offset, n);
    offset += n;
    length -= n;
  }
  uint64_t body_pos = offset - prefix_.size();
  size_t start = out->size();
  out->resize(start + length);
  uint64_t done = 0;
  while (done < length) {
    ssize_t n = ::pread(fd_, out->data() + start + done, length - done,
                        static_cast<off_t>(body_pos + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      out->resize(start + done);
      return n == 0 ? corruption("a message body file is shorter than its record says")
                    : io_error(fmt::format("cannot read a message body: {}", std::strerror(errno)));
    }
    done += static_cast<uint64_t>(n);
  }
  return Status::ok();
}

Result<std::string> MessageReader::read_all() const {
  std::string out;
  out.reserve(size());
  MF_RETURN_IF_ERROR(read(0, size(), &out));
  return out;
}

// ---- Reading ----

Result<std::vector<FolderStatus>> MailStore::list_folders(std::string_view account) {
  std::vector<FolderStatus> out;
  MF_RETURN_IF_ERROR(impl_->env->read([&](Txn& txn) -> Status {
    out.clear();
    MF_ASSIGN_OR_RETURN(auto folders, scan_folders(txn, account, ""));
    for (const auto& [name, r] : folders) out.push_back(status_of(name, r));
    return Status::ok();
  }));
  if (out.empty()) return not_found(fmt::format("{} has no mailbox", account));
  return out;
}

Result<FolderStatus> MailStore::folder_status(std::string_view account, std::string_view folder) {
  MF_ASSIGN_OR_RETURN(std::string name, folder_name(folder));
  FolderStatus out;
  MF_RETURN_IF_ERROR(impl_->env->read([&](Txn& txn) -> Status {
    MF_ASSIGN_OR_RETURN(FolderRecord rec, require_folder(txn, account, name));
    out = status_of(name, rec);
    return Status::ok();
  }));
  return out;
}

Result<std::vector<MessageInfo>> MailStore::list_messages(std::string_view account,
                                                          std::string_view folder, uint32_t min_uid,
                                                          uint32_t max_uid) {
  MF_ASSIGN_OR_RETURN(std::string name, folder_name(folder));
  std::vector<MessageInfo> out;
  MF_RETURN_IF_ERROR(impl_->env->read([&](Txn& txn) -> Status {
    out.clear();
    MF_ASSIGN_OR_RETURN(FolderRecord rec, require_folder(txn, account, name));
    std::string range = folder_range(rec.id);
    MF_ASSIGN_OR_RETURN(store::Cursor c, txn.cursor(Table::kMailMessages));
    for (bool ok = c.seek(message_key(rec.id, min_uid)); ok; ok = c.next()) {
      if (c.key().size() != 12 || c.key().substr(0, 8) != range) break;
      const uint32_t uid = uid_of_message_key(c.key());
      if (uid > max_uid) break;
      MessageRecord m;
      MF_RETURN_IF_ERROR(decode(c.value(), &m));
      out.push_back(info_of(uid, m));
    }
    return Status::ok();
  }));
  return out;
}

Result<std::vector<MessageInfo>> MailStore::changed_since(std::string_view account,
                                                          std::string_view folder,
                                                          uint64_t modseq) {
  MF_ASSIGN_OR_RETURN(std::string name, folder_name(folder));
  std::vector<MessageInfo> out;
  MF_RETURN_IF_ERROR(impl_->env->read([&](Txn& txn) -> Status {
    out.clear();
    MF_ASSIGN_OR_RETURN(FolderRecord rec, require_folder(txn, account, name));
    if (modseq >= rec.highest_modseq) return Status::ok();
    MF_ASSIGN_OR_RETURN(store::Cursor c, txn.cursor(Table::kMailModseq));
    for (bool ok = c.seek(modseq_key(rec.id, modseq + 1, 0)); ok; ok = c.next()) {
      uint64_t folder_id = 0, m = 0;
      uint32_t uid = 0;
      if (!parse_modseq_key(c.key(), &folder_id, &m, &uid) || folder_id != rec.id) break;
      MF_ASSIGN_OR_RETURN(MessageRecord msg, require_message(txn, rec.id, uid, name));
      out.push_back(info_of(uid, msg));
    }
    return Status::ok();
  }));
  return out;
}

Result<std::vector<uint32_t>> MailStore::expunged_since(std::string_view account,
                                                        std::string_view folder, uint64_t modseq) {
  MF_ASSIGN_OR_RETURN(std::string name, folder_name(folder));
  std::vector<uint32_t> out;
  MF_RETURN_IF_ERROR(impl_->env->read([&](Txn& txn) -> Status {
    out.clear();
    MF_ASSIGN_OR_RETURN(FolderRecord rec, require_folder(txn, account, name));
    MF_ASSIGN_OR_RETURN(store::Cursor c, txn.cursor(Table::kMailExpunged));
    for (bool ok = c.seek(modseq_key(rec.id, modseq + 1, 0)); ok; ok = c.next()) {
      uint64_t folder_id = 0, m = 0;
      uint32_t uid = 0;
      if (!parse_modseq_key(c.key(), &folder_id, &m, &uid) || folder_id != rec.id) break;
      out.push_back(uid);
    }
    return Status::ok();
  }));
  std::sort(out.begin(), out.end());
  return out;
}

Result<MessageReader> MailStore::open_message(std::string_view account, std::string_view folder,
                                              uint32_t uid) {
  MF_ASSIGN_OR_RETURN(std::string name, folder_name(folder));
  MessageRecord m;
  BodyRecord body;
  MF_RETURN_IF_ERROR(impl_->env->read([&](Txn& txn) -> Status {
    MF_ASSIGN_OR_RETURN(FolderRecord rec, require_folder(txn, account, name));
    MF_ASSIGN_OR_RETURN(m, require_message(txn, rec.id, uid, name));
    MF_ASSIGN_OR_RETURN(auto raw, txn.get(Table::kMailBodies, body_key(m.body_id)));
    if (!raw)
      return corruption(
          fmt::format("message {} refers to body {} which has no record", uid, m.body_id));
    return decode(*raw, &body);
  }));
  std::string path = impl_->files.path_of(m.body_id);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    // Expunged and swept between the transaction and the open.
    if (errno == ENOENT) return not_found(fmt::format("message {} was expunged", uid));
    return io_error(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  }
  return MessageReader(std::move(m.prefix), fd, body.size);
}

Result<MessageReader> MailStore::open_body(uint64_t body_id) {
  BodyRecord body;
  MF_RETURN_IF_ERROR(impl_->env->read([&](Txn& txn) -> Status {
    MF_ASSIGN_OR_RETURN(auto raw, txn.get(Table::kMailBodies, body_key(body_id)));
    if (!raw) return not_found(fmt::format("body {} has no record", body_id));
    return decode(*raw, &body);
  }));
  std::string path = impl_->files.path_of(body_id);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return not_found(fmt::format("body {} was deleted", body_id));
    return io_error(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  }
  return MessageReader(std::string(), fd, body.size);
}

Result<BodyStructure> MailStore::structure(std::string_view account, std::string_view folder,
                                           uint32_t uid) {
  MF_ASSIGN_OR_RETURN(std::string name, folder_name(folder));
  BodyRecord body;
  MF_RETURN_IF_ERROR(impl_->env->read([&](Txn& txn) -> Status {
    MF_ASSIGN_OR_RETURN(FolderRecord rec, require_folder(txn, account, name));
    MF_ASSIGN_OR_RETURN(MessageRecord m, require_message(txn, rec.id, uid, name));
    MF_ASSIGN_OR_RETURN(auto raw, txn.get(Table::kMailBodies, body_key(m.body_id)));
    if (!raw)
      return corruption(
          fmt::format("message {} refers to body {} which has no record", uid, m.body_id));
    return decode(*raw, &body);
  }));
  if (body.structure.empty()) return not_found("the message's structure is not cached");
  BodyStructure out;
  MF_RETURN_IF_ERROR(decode_structure(body.structure, &out));
  return out;
}

Result<QuotaUsage> MailStore::quota_usage(std::string_view account) {
  QuotaUsage out;
  MF_RETURN_IF_ERROR(impl_->env->read([&](Txn& txn) -> Status {
    MF_ASSIGN_OR_RETURN(out, load_usage(txn, account));
    return Status::ok();
  }));
  return out;
}

Result<std::optional<uint64_t>> MailStore::quota_limit(std::string_view account) {
  std::optional<uint64_t> limit;
  Status refusal;
  MF_RETURN_IF_ERROR(impl_->env->read(
      [&](Txn& txn) -> Status { return check_account(txn, account, &limit, &refusal); }));
  // A disabled account still has its limit; only a missing one has none to report.
  if (!refusal.is_ok() && refusal.code() == Code::kNotFound) return refusal;
  return limit;
}

// ---- Changing messages ----

Result<uint64_t> MailStore::set_flags(std::string_view account, std::string_view folder,
                                      const std::vector<uint32_t>& uids, FlagOp op, uint32_t flags,
                                      const std::vector<std::string>& keywords) {
  MF_ASSIGN_OR_RETURN(std::string name, folder_name(folder));
  if (flags & ~kAllFlags) return invalid_argument("unknown flag bits");
  for (const auto& k : keywords) MF_RETURN_IF_ERROR(check_keyword(k));
  std::vector<std::string> kw = keywords;
  std::sort(kw.begin(), kw.end());
  kw.erase(std::unique(kw.begin(), kw.end()), kw.end());
  uint64_t result = 0;
  MF_RETURN_IF_ERROR(impl_->env->write([&](Txn& txn) -> Status {
    result = 0;
    MF_ASSIGN_OR_RETURN(FolderRecord rec, require_folder(txn, account, name));
    uint64_t modseq = rec.highest_modseq + 1;
    for (uint32_t uid : uids) {
      MF_ASSIGN_OR_RETURN(auto m, load_message(txn, rec.id, uid));
      if (!m) continue;
      uint32_t new_flags = m->flags;
      std::vector<std::string> new_kw;
      switch (op) {
        case FlagOp::kAdd:
          new_flags |= flags;
          std::set_union(m->keywords.begin(), m->keywords.end(), kw.begin(), kw.end(),
                         std::back_inserter(new_kw));
          break;
        case FlagOp::kRemove:
          new_flags &= ~flags;
          std::set_difference(m->keywords.begin(), m->keywords.end(), kw.begin(), kw.end(),
                              std::back_inserter(new_kw));
          break;
        case FlagOp::kReplace:
          new_flags = flags;
          new_kw = kw;
          break;
      }
      if (new_flags == m->flags && new_kw == m->keywords) continue;
      bool was_seen = m->flags & kSeen, now_seen = new_flags & kSeen;
      if (was_seen && !now_seen) rec.unseen += 1;
      if (!was_seen && now_seen && rec.unseen) rec.unseen -= 1;
      MF_RETURN_IF_ERROR(txn.del(Table::kMailModseq, modseq_key(rec.id, m->modseq, uid)).status());
      m->flags = new_flags;
      m->keywords = std::move(new_kw);
      m->modseq = modseq;
      MF_RETURN_IF_ERROR(txn.put(Table::kMailMessages, message_key(rec.id, uid), encode(*m)));
      MF_RETURN_IF_ERROR(txn.put(Table::kMailModseq, modseq_key(rec.id, modseq, uid), ""));
      result = modseq;
    }
    if (!result) return Status::ok();
    rec.highest_modseq = modseq;
    return store_folder(txn, account, name, rec);
  }));
  if (result) impl_->notify({Change{std::string(account), name, Change::Kind::kFlags, result}});
  return result;
}

Result<std::vector<uint32_t>> MailStore::expunge(std::string_view account, std::string_view folder,
                                                 const std::vector<uint32_t>* only) {
  return remove_where(account, folder, [only](uint32_t uid, uint32_t flags) {
    return (flags & kDeleted) &&
           (only == nullptr || std::binary_search(only->begin(), only->end(), uid));
  });
}

Result<std::vector<uint32_t>> MailStore::remove_messages(std::string_view account,
                                                         std::string_view folder,
                                                         const std::vector<uint32_t>& uids) {
  return remove_where(account, folder, [&uids](uint32_t uid, uint32_t) {
    return std::binary_search(uids.begin(), uids.end(), uid);
  });
}

Result<std::vector<uint32_t>> MailStore::remove_where(
    std::string_view account, std::string_view folder,
    const std::function<bool(uint32_t uid, uint32_t flags)>& removed) {
  MF_ASSIGN_OR_RETURN(std::string name, folder_name(folder));
  std::vector<uint32_t> gone;
  uint64_t modseq = 0;
  MF_RETURN_IF_ERROR(impl_->env->write([&](Txn& txn) -> Status {
    gone.clear();
    MF_ASSIGN_OR_RETURN(FolderRecord rec, require_folder(txn, account, name));
    modseq = rec.highest_modseq + 1;
    std::vector<std::pair<uint32_t, MessageRecord>> deleted;
    std::string range = folder_range(rec.id);
    Status bad;
    MF_RETURN_IF_ERROR(
        txn.scan_prefix(Table::kMailMessages, range, [&](std::string_view k, std::string_view v) {
          MessageRecord m;
          bad = decode(v, &m);
          if (!bad.is_ok()) return false;
          const uint32_t uid = uid_of_message_key(k);
          if (removed(uid, m.flags)) deleted.emplace_back(uid, std::move(m));
          return true;
        }));
    MF_RETURN_IF_ERROR(bad);
    if (deleted.empty()) return Status::ok();
    QuotaUsage freed;
    for (const auto& [uid, m] : deleted) {
      MF_RETURN_IF_ERROR(txn.del(Table::kMailMessages, message_key(rec.id, uid)).status());
      MF_RETURN_IF_ERROR(txn.del(Table::kMailModseq, modseq_key(rec.id, m.modseq, uid)).status());
      MF_RETURN_IF_ERROR(txn.put(Table::kMailExpunged, modseq_key(rec.id, modseq, uid), ""));
      MF_RETURN_IF_ERROR(release_body(txn, m.body_id));
      rec.messages -= std::min<uint32_t>(rec.messages, 1);
      if (!(m.flags & kSeen) && rec.unseen) rec.unseen -= 1;
      freed.bytes += m.size;
      freed.messages += 1;
      gone.push_back(uid);
    }
    rec.highest_modseq = modseq;
    MF_RETURN_IF_ERROR(store_folder(txn, account, name, rec));
    MF_ASSIGN_OR_RETURN(QuotaUsage usage, load_usage(txn, account));
    usage.bytes -= std::min(usage.bytes, freed.bytes);
    usage.messages -= std::min(usage.messages, freed.messages);
    return store_usage(txn, account, usage);
  }));
  if (!gone.empty()) {
    impl_->request_sweep();
    impl_->notify({Change{std::string(account), name, Change::Kind::kExpunged, modseq}});
  }
  return gone;
}

// ---- Folders ----

Status MailStore::create_folder(std::string_view account, std::string_view folder) {
  MF_ASSIGN_OR_RETURN(std::string name, folder_name(folder));
  MF_RETURN_IF_ERROR(impl_->env->write([&](Txn& txn) -> Status {
    // An account has an INBOX from its creation: none means no such account.
    MF_ASSIGN_OR_RETURN(auto inbox, load_folder(txn, account, kInbox));
    if (!inbox) return not_found(fmt::format("{} has no mailbox", account));
    return mailbox::create_folder(txn, account, name, SpecialUse::kNone).status();
  }));
  impl_->notify({Change{std::string(account), "", Change::Kind::kFolders, 0}});
  return Status::ok();
}

Status MailStore::rename_folder(std::string_view account, std::string_view from,
                                std::string_view to) {
  MF_ASSIGN_OR_RETURN(std::string old_name, folder_name(from));
  MF_ASSIGN_OR_RETURN(std::string new_name, folder_name(to));
  if (old_name == new_name) return Status::ok();
  if (old_name == kInbox) return rename_inbox(*impl_, account, new_name);
  if (new_name.size() > old_name.size() &&
      new_name.compare(0, old_name.size() + 1, old_name + "/") == 0) {
    return invalid_argument(fmt::format("cannot move '{}' inside itself", old_name));
  }
  MF_RETURN_IF_ERROR(impl_->env->write([&](Txn& txn) -> Status {
    MF_ASSIGN_OR_RETURN(FolderRecord rec, require_folder(txn, account, old_name));
    // The folder and its inferiors, renamed together.
    std::vector<std::pair<std::string, FolderRecord>> moving{{old_name, rec}};
    MF_ASSIGN_OR_RETURN(auto inferiors, scan_folders(txn, account, old_name + "/"));
    moving.insert(moving.end(), inferiors.begin(), inferiors.end());
    for (const auto& [name, r] : moving) {
      std::string target = new_name + name.substr(old_name.size());
      MF_RETURN_IF_ERROR(normalize_folder_name(target).status());
      MF_ASSIGN_OR_RETURN(auto existing, load_folder(txn, account, target));
      if (existing)
        return already_exists(fmt::format("{} already has a folder '{}'", account, target));
    }
    for (const auto& [name, r] : moving) {
      MF_RETURN_IF_ERROR(txn.del(Table::kMailFolders, folder_key(account, name)).status());
      MF_RETURN_IF_ERROR(store_folder(txn, account, new_name + name.substr(old_name.size()), r));
    }
    // Subscriptions go with the folder and its inferiors, as in Dovecot (subscriptions.h).
    return move_subscriptions(txn, account, old_name, new_name).status();
  }));
  impl_->notify({Change{std::string(account), "", Change::Kind::kFolders, 0}});
  return Status::ok();
}

Status MailStore::delete_folder(std::string_view account, std::string_view folder) {
  MF_ASSIGN_OR_RETURN(std::string name, folder_name(folder));
  if (name == kInbox) return failed_precondition("INBOX cannot be deleted");
  MF_RETURN_IF_ERROR(impl_->env->write([&](Txn& txn) -> Status {
    MF_ASSIGN_OR_RETURN(FolderRecord rec, require_folder(txn, account, name));
    return remove_folder(txn, account, name, rec);
  }));
  impl_->request_sweep();
  impl_->notify({Change{std::string(account), "", Change::Kind::kFolders, 0}});
  return Status::ok();
}

}  // namespace mf::mailbox
