// mailbox/records.h — the stored form of the mailbox store: folders, messages, bodies,
// quota usage, and the keys of its tables. Layouts: docs/store.md; the reasons behind
// them: docs/mailbox.md. Every record starts with a format byte (1) so that later
// versions can extend it; decoders fail with kCorruption on anything that does not
// decode exactly, and are fuzzed (tests/fuzz/mailbox_records_fuzz.cpp).
#ifndef MF_MAILBOX_RECORDS_H
#define MF_MAILBOX_RECORDS_H

#include <mailfountain/status.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mf::mailbox {

// RFC 6154 SPECIAL-USE attribute of a folder.
enum class SpecialUse : uint8_t { kNone = 0, kSent, kDrafts, kTrash, kJunk, kArchive };
// "\Sent", "\Drafts", ...; "" for kNone.
std::string_view special_use_name(SpecialUse use);

// System flags, as bits of MessageRecord::flags (IMAP's \Recent is per session, not
// stored).
enum Flag : uint32_t {
  kSeen = 1u << 0,
  kAnswered = 1u << 1,
  kFlagged = 1u << 2,
  kDeleted = 1u << 3,
  kDraft = 1u << 4,
};
constexpr uint32_t kAllFlags = kSeen | kAnswered | kFlagged | kDeleted | kDraft;

struct FolderRecord {
  uint64_t id = 0;              // store-wide, never reused: keys the folder's messages
  uint32_t uidvalidity = 0;     // RFC 9051 §2.3.1.1
  uint32_t uidnext = 1;         // the UID the next message gets
  uint64_t highest_modseq = 1;  // RFC 7162; every change takes highest_modseq + 1
  uint32_t messages = 0;
  uint32_t unseen = 0;
  SpecialUse special_use = SpecialUse::kNone;
  int64_t created_at = 0;
};

struct MessageRecord {
  uint64_t body_id = 0;
  std::string prefix;                 // per-delivery header lines (Return-Path, Delivered-To, ...)
  uint32_t flags = 0;                 // Flag bits
  std::vector<std::string> keywords;  // sorted, unique
  int64_t internal_date = 0;          // seconds since the epoch
  uint64_t size = 0;                  // prefix + body
  uint64_t modseq = 0;
};

struct BodyRecord {
  uint64_t refcount = 0;  // messages referring to the body, in every folder of every account
  uint64_t size = 0;      // bytes of the body file
  std::string structure;  // encoded BodyStructure (mailbox/structure.h); "" if not cached
};

struct QuotaUsage {
  uint64_t bytes = 0;
  uint64_t messages = 0;
  // The account was sent the warning of a usage at 90 % of its limit, and its usage has
  // not been seen below that mark by a delivery since (mailbox/quota_rules.h). Stored as
  // format 2 of the record only when set, so unwarned accounts keep format 1.
  bool warned = false;
};

std::string encode(const FolderRecord& r);
std::string encode(const MessageRecord& r);
std::string encode(const BodyRecord& r);
std::string encode(const QuotaUsage& r);
Status decode(std::string_view in, FolderRecord* r);
Status decode(std::string_view in, MessageRecord* r);
Status decode(std::string_view in, BodyRecord* r);
Status decode(std::string_view in, QuotaUsage* r);

// ---- Keys ----

// kMailFolders: "account\0folder"; the prefix "account\0" lists an account's folders.
std::string folder_key(std::string_view account, std::string_view folder);
std::string folder_prefix(std::string_view account);
// kMailMessages: be64 folder id + be32 uid. The folder's messages are one range in UID
// order.
std::string message_key(uint64_t folder_id, uint32_t uid);
std::string folder_range(uint64_t folder_id);       // be64 folder id: prefix of every key of it
uint32_t uid_of_message_key(std::string_view key);  // key.size() must be 12
// kMailModseq and kMailExpunged: be64 folder id + be64 modseq + be32 uid, so "changed
// (or expunged) since N" is a range scan from (folder, N + 1).
std::string modseq_key(uint64_t folder_id, uint64_t modseq, uint32_t uid);
// Reads a modseq_key; false if `key` is not 20 bytes.
bool parse_modseq_key(std::string_view key, uint64_t* folder_id, uint64_t* modseq, uint32_t* uid);
// kMailBodies and kMailGarbage: be64 body id.
std::string body_key(uint64_t body_id);

// kMeta keys of the mailbox store (values be64).
inline constexpr std::string_view kBodyHighWaterKey = "mail.body_hwm";   // highest body id
                                                                         // ever committed
inline constexpr std::string_view kFolderSeqKey = "mail.folder_seq";     // last folder id
inline constexpr std::string_view kUidValidityKey = "mail.uidvalidity";  // last given

}  // namespace mf::mailbox

#endif  // MF_MAILBOX_RECORDS_H
