// queue/records.h — the stored form of the outbound queue: queued messages, queued
// recipients, the counters, and the keys of the queue's tables. Layouts: docs/queue.md
// (and the table list of docs/store.md). Every record starts with a format byte (1);
// decoders fail with kCorruption on anything that does not decode exactly, and are fuzzed
// (tests/fuzz/queue_records_fuzz.cpp).
#ifndef MF_QUEUE_RECORDS_H
#define MF_QUEUE_RECORDS_H

#include <mailfountain/status.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mf::queue {

// Scheduling order: a lower value is served first. Users' own mail (submission) before
// bounces, bounces before campaigns, so one person's message never waits behind a
// 300,000-recipient campaign to the same provider.
enum class Priority : uint8_t { kInteractive = 0, kBounce = 1, kBulk = 2 };
inline constexpr int kPriorityCount = 3;
std::string_view priority_name(Priority p);  // "interactive", "bounce", "bulk"

// RFC 3461 RET.
enum class Ret : uint8_t { kUnspecified = 0, kFull = 1, kHeaders = 2 };

// Bits of MessageRecord::flags.
enum MessageFlag : uint32_t {
  kEightBitMime = 1u << 0,  // BODY=8BITMIME was declared
  kSmtpUtf8 = 1u << 1,      // SMTPUTF8 was declared
};

// Where a message came from, for `show` and for rate decisions later.
enum class OriginKind : uint8_t { kAccount = 0, kClientIp = 1, kInternal = 2 };

// Recipients by state, kept in kQueueCounts (the whole queue: `messages` counts messages;
// per destination: `messages` is 0) and in each MessageRecord, updated in the transaction
// of every change.
struct Counts {
  uint64_t messages = 0;
  uint64_t active = 0;
  uint64_t deferred = 0;
  uint64_t held = 0;
  uint64_t report = 0;
  uint64_t recipients() const { return active + deferred + held + report; }
  bool operator==(const Counts&) const = default;
};

struct MessageRecord {
  uint64_t body_id = 0;  // mail_bodies: the queue holds one reference while it exists
  std::string queue_id;  // the ID logged at reception (mta/queue_id.h), for log lines
  std::string sender;    // envelope sender; "" is the null sender (no DSN is ever sent to it)
  std::optional<std::string> envid;  // RFC 3461 ENVID, decoded
  Ret ret = Ret::kUnspecified;
  uint64_t size = 0;    // bytes of the body
  int64_t arrival = 0;  // seconds since the epoch
  uint32_t flags = 0;   // MessageFlag bits
  Priority priority = Priority::kInteractive;
  OriginKind origin_kind = OriginKind::kInternal;
  std::string origin;       // the submitting account, or the client's IP address
  std::string dkim_domain;  // the domain to sign for, "" for none
  uint32_t recipients = 0;  // recipient indexes given (0 .. recipients - 1)
  // Its stored recipients by state (`messages` unused), so that `list` reads one record
  // per message however many recipients it has.
  Counts counts;
};

// The state of one queued recipient. kActive and kDeferred are scheduled (in the due
// index); kHeld waits for an administrator; kReport is finished (delivered or failed) and
// waits only for its DSN to be queued.
enum class RcptState : uint8_t { kActive = 0, kDeferred = 1, kHeld = 2, kReport = 3 };
std::string_view state_name(RcptState s);  // "active", "deferred", "held", "report"

// How a finished recipient ended, for its DSN (RFC 3464 Action).
enum class Outcome : uint8_t { kNone = 0, kDelivered = 1, kFailed = 2, kExpired = 3 };

// RFC 3461 NOTIFY as bits; kNotifyUnset when RCPT had no NOTIFY (the default: failures
// are reported, RFC 3461 §4.1), none of the bits for NOTIFY=NEVER.
enum NotifyBit : uint8_t {
  kNotifySuccess = 1u << 0,
  kNotifyFailure = 1u << 1,
  kNotifyDelay = 1u << 2,
  kNotifyUnset = 1u << 7,
};

// A scheduled recipient's delay notice (RFC 3464 Action: delayed): kDelayNoticeDue while
// it waits in the report list, kDelayNoticeGiven once decided, so that there is only one.
enum RecipientFlag : uint8_t {
  kDelayNoticeDue = 1u << 0,
  kDelayNoticeGiven = 1u << 1,
};

// A recipient's last reply is kept to this many bytes (cut at the end).
inline constexpr size_t kMaxReplyBytes = 512;

struct RecipientRecord {
  std::string address;     // as given at RCPT (the DSN's Final-Recipient)
  std::string domain;      // canonical (lower-case A-label): the destination
  std::string orcpt_type;  // RFC 3461 ORCPT addr-type, "" when none was given
  std::string orcpt;       // decoded original recipient
  uint8_t notify = kNotifyUnset;
  RcptState state = RcptState::kActive;
  RcptState held_from = RcptState::kActive;  // the state to go back to on release
  Outcome outcome = Outcome::kNone;          // set with kReport
  uint32_t attempts = 0;
  int64_t first_attempt = 0;  // 0: never tried
  int64_t next_attempt = 0;   // the due time (kActive, kDeferred, and kept while held)
  int64_t expires_at = 0;     // after this, a deferral becomes a bounce (expired)
  std::string last_reply;     // at most kMaxReplyBytes
  uint8_t flags = 0;          // RecipientFlag bits
};

std::string encode(const MessageRecord& r);
std::string encode(const RecipientRecord& r);
std::string encode(const Counts& r);
Status decode(std::string_view in, MessageRecord* r);
Status decode(std::string_view in, RecipientRecord* r);
Status decode(std::string_view in, Counts* r);

// ---- Keys ----

// kQueueMessages: be64 message id.
std::string message_key(uint64_t message_id);
// kQueueRecipients, kQueueHeld, kQueueReports: be64 message id + be32 recipient index; a
// message's recipients are one range (prefix: message_key).
std::string recipient_key(uint64_t message_id, uint32_t index);
bool parse_recipient_key(std::string_view key, uint64_t* message_id, uint32_t* index);
// kQueueDue: u8 priority + be64 next attempt + be64 message id + be32 index; the value is
// the destination domain. Next due entries are a range scan per priority class.
std::string due_key(Priority p, int64_t next_attempt, uint64_t message_id, uint32_t index);
bool parse_due_key(std::string_view key, Priority* p, int64_t* next_attempt, uint64_t* message_id,
                   uint32_t* index);
// kQueueDomains: domain + '\0' + be64 message id + be32 index; the value is u8 state +
// be64 next attempt, so "due for this domain" is read from the index alone.
std::string domain_key(std::string_view domain, uint64_t message_id, uint32_t index);
std::string domain_prefix(std::string_view domain);  // domain + '\0'
bool parse_domain_key(std::string_view key, std::string* domain, uint64_t* message_id,
                      uint32_t* index);
std::string domain_value(RcptState state, int64_t next_attempt);
bool parse_domain_value(std::string_view value, RcptState* state, int64_t* next_attempt);
// kQueueCounts: "all" for the whole queue, "d" + domain per destination.
inline constexpr std::string_view kTotalCountsKey = "all";
std::string domain_counts_key(std::string_view domain);

// kMeta: the last message id given (be64).
inline constexpr std::string_view kMessageSeqKey = "queue.message_seq";

}  // namespace mf::queue

#endif  // MF_QUEUE_RECORDS_H
