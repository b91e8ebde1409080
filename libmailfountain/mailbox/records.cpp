// mailbox/records.cpp — record encodings and keys of the mailbox store (see records.h).
#include "mailbox/records.h"

#include "base/codec.h"

#include <fmt/format.h>

namespace mf::mailbox {

namespace {

constexpr uint8_t kFormat1 = 1;
constexpr uint8_t kFormat2 = 2;  // QuotaUsage with its flags byte
constexpr uint8_t kQuotaWarned = 1;

Status bad(std::string_view what) {
  return corruption(fmt::format("a stored {} record is unreadable", what));
}

}  // namespace

std::string_view special_use_name(SpecialUse use) {
  switch (use) {
    case SpecialUse::kNone:
      return "";
    case SpecialUse::kSent:
      return "\\Sent";
    case SpecialUse::kDrafts:
      return "\\Drafts";
    case SpecialUse::kTrash:
      return "\\Trash";
    case SpecialUse::kJunk:
      return "\\Junk";
    case SpecialUse::kArchive:
      return "\\Archive";
  }
  return "";
}

std::string encode(const FolderRecord& r) {
  Encoder e;
  e.u8(kFormat1).varint(r.id).varint(r.uidvalidity).varint(r.uidnext).varint(r.highest_modseq);
  e.varint(r.messages).varint(r.unseen).u8(static_cast<uint8_t>(r.special_use)).i64(r.created_at);
  return e.take();
}

Status decode(std::string_view in, FolderRecord* r) {
  Decoder d(in);
  uint8_t format = 0, use = 0;
  if (!d.u8(&format) || format != kFormat1) return bad("folder");
  d.varint(&r->id);
  d.varint32(&r->uidvalidity);
  d.varint32(&r->uidnext);
  d.varint(&r->highest_modseq);
  d.varint32(&r->messages);
  d.varint32(&r->unseen);
  d.u8(&use);
  d.i64(&r->created_at);
  if (!d.done() || use > static_cast<uint8_t>(SpecialUse::kArchive)) return bad("folder");
  r->special_use = static_cast<SpecialUse>(use);
  return Status::ok();
}

std::string encode(const MessageRecord& r) {
  Encoder e;
  e.u8(kFormat1).varint(r.body_id).str(r.prefix).varint(r.flags).strs(r.keywords);
  e.i64(r.internal_date).varint(r.size).varint(r.modseq);
  return e.take();
}

Status decode(std::string_view in, MessageRecord* r) {
  Decoder d(in);
  uint8_t format = 0;
  if (!d.u8(&format) || format != kFormat1) return bad("message");
  d.varint(&r->body_id);
  d.str(&r->prefix);
  d.varint32(&r->flags);
  d.strs(&r->keywords);
  d.i64(&r->internal_date);
  d.varint(&r->size);
  d.varint(&r->modseq);
  if (!d.done()) return bad("message");
  return Status::ok();
}

std::string encode(const BodyRecord& r) {
  Encoder e;
  e.u8(kFormat1).varint(r.refcount).varint(r.size).str(r.structure);
  return e.take();
}

Status decode(std::string_view in, BodyRecord* r) {
  Decoder d(in);
  uint8_t format = 0;
  if (!d.u8(&format) || format != kFormat1) return bad("body");
  d.varint(&r->refcount);
  d.varint(&r->size);
  d.str(&r->structure);
  if (!d.done()) return bad("body");
  return Status::ok();
}

std::string encode(const QuotaUsage& r) {
  Encoder e;
  e.u8(r.warned ? kFormat2 : kFormat1).varint(r.bytes).varint(r.messages);
  if (r.warned) e.u8(kQuotaWarned);
  return e.take();
}

Status decode(std::string_view in, QuotaUsage* r) {
  Decoder d(in);
  uint8_t format = 0;
  if (!d.u8(&format) || (format != kFormat1 && format != kFormat2)) return bad("quota usage");
  d.varint(&r->bytes);
  d.varint(&r->messages);
  uint8_t flags = 0;
  if (format == kFormat2 && (!d.u8(&flags) || (flags & ~kQuotaWarned) != 0))
    return bad("quota usage");
  r->warned = (flags & kQuotaWarned) != 0;
  if (!d.done()) return bad("quota usage");
  return Status::ok();
}

std::string folder_key(std::string_view account, std::string_view folder) {
  std::string k(account);
  k.push_back('\0');
  k.append(folder);
  return k;
}

std::string folder_prefix(std::string_view account) {
  return folder_key(account, "");
}

std::string message_key(uint64_t folder_id, uint32_t uid) {
  return encode_be64(folder_id) + encode_be32(uid);
}

std::string folder_range(uint64_t folder_id) {
  return encode_be64(folder_id);
}

uint32_t uid_of_message_key(std::string_view key) {
  return decode_be32(key.substr(8));
}

std::string modseq_key(uint64_t folder_id, uint64_t modseq, uint32_t uid) {
  return encode_be64(folder_id) + encode_be64(modseq) + encode_be32(uid);
}

bool parse_modseq_key(std::string_view key, uint64_t* folder_id, uint64_t* modseq, uint32_t* uid) {
  if (key.size() != 20) return false;
  *folder_id = decode_be64(key.substr(0, 8));
  *modseq = decode_be64(key.substr(8, 8));
  *uid = decode_be32(key.substr(16));
  return true;
}

std::string body_key(uint64_t body_id) {
  return encode_be64(body_id);
}

}  // namespace mf::mailbox
