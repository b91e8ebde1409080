// model/directory_audit.cpp — the audit log of privileged actions and the notices waiting
// for accounts.
#include "model/directory_impl.h"

#include "base/codec.h"

#include <fmt/format.h>

namespace mf {

using store::Table;

namespace {
constexpr std::string_view kNoticeSeqKey = "notice_seq";
constexpr size_t kMaxAuditPage = 100000;
}  // namespace

Status DirectoryImpl::audit(Txn& txn, const Principal& who, std::string_view action,
                            std::string_view target, std::string_view detail) {
  uint64_t seq = 1;
  {
    MF_ASSIGN_OR_RETURN(store::Cursor c, txn.cursor(Table::kAudit));
    if (c.last() && c.key().size() == 8) seq = decode_be64(c.key()) + 1;
  }
  AuditRecord rec;
  rec.time = txn.now();
  rec.actor = who.name();
  rec.origin = who.origin();
  rec.action = std::string(action);
  rec.target = std::string(target);
  rec.detail = std::string(detail);
  return txn.put(Table::kAudit, encode_be64(seq), encode(rec), Txn::Put::kNoOverwrite);
}

Status DirectoryImpl::add_notice(Txn& txn, std::string_view account, std::string subject,
                                 std::string body) {
  MF_ASSIGN_OR_RETURN(auto raw, txn.get(Table::kMeta, kNoticeSeqKey));
  uint64_t seq = raw && raw->size() == 8 ? decode_be64(*raw) + 1 : 1;
  MF_RETURN_IF_ERROR(txn.put(Table::kMeta, kNoticeSeqKey, encode_be64(seq)));
  NoticeRecord rec{txn.now(), std::move(subject), std::move(body)};
  return txn.put(Table::kNotices, pair_key(account, encode_be64(seq)), encode(rec));
}

Result<std::vector<AuditEntry>> DirectoryImpl::list_audit(const Principal& who, uint64_t after,
                                                          size_t limit) {
  MF_RETURN_IF_ERROR(require_admin(who, "read the audit log"));
  if (limit == 0 || limit > kMaxAuditPage) limit = kMaxAuditPage;
  std::vector<AuditEntry> out;
  MF_RETURN_IF_ERROR(env_->read([&](Txn& txn) -> Status {
    MF_ASSIGN_OR_RETURN(store::Cursor c, txn.cursor(Table::kAudit));
    for (bool ok = c.seek(encode_be64(after + 1)); ok && out.size() < limit; ok = c.next()) {
      AuditRecord rec;
      MF_RETURN_IF_ERROR(decode(c.value(), &rec));
      out.push_back({decode_be64(c.key()), rec.time, rec.actor, rec.origin, rec.action,
                     rec.target, rec.detail});
    }
    return Status::ok();
  }));
  return out;
}

Result<std::vector<Notice>> DirectoryImpl::pending_notices(const Principal& owner) {
  if (!owner.is_account()) {
    return permission_denied(fmt::format(
        "permission denied: notices are read only by the account they are for, not by {}",
        owner.name()));
  }
  std::vector<Notice> out;
  MF_RETURN_IF_ERROR(env_->read([&](Txn& txn) -> Status {
    MF_RETURN_IF_ERROR(check_principal(txn, owner));
    Status bad;
    MF_RETURN_IF_ERROR(txn.scan_prefix(Table::kNotices, pair_prefix(owner.name()),
                                       [&](std::string_view k, std::string_view v) {
                                         NoticeRecord rec;
                                         bad = decode(v, &rec);
                                         if (!bad.is_ok()) return false;
                                         out.push_back({decode_be64(pair_second(k)), rec.time,
                                                        rec.subject, rec.body});
                                         return true;
                                       }));
    return bad;
  }));
  return out;
}

}  // namespace mf
