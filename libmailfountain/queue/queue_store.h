// queue/queue_store.h — the durable outbound queue: operations inside a caller's LMDB
// write transaction (docs/queue.md).
//
// One entry per (message, recipient). Every function takes the caller's store::Txn, so
// that one commit can deliver a message locally AND queue its outbound recipients before
// the SMTP server answers 250, and the scheduler can record a result and queue a DSN in
// one step. Every operation keeps the queue's tables consistent — the recipient records,
// the due index, the per-destination index, the held and report lists, and the counters —
// and verify_queue() checks that they are.
//
// Pure with respect to time: `now` (seconds since the epoch) is passed in. No function
// reads the whole queue into memory: scans are pages of a caller-given size, and counts
// are counters kept in the same transactions, never computed by scanning. The work of one
// call is bounded by its page size, except enqueue and the per-message operations (hold,
// release, delete_message, report_done), which are bounded by the message's recipients.
//
// Threading: as store::Txn — one transaction per thread; these functions hold no state.
// Errors: kInvalidArgument for a bad request, kNotFound for an unknown message or
// recipient, kFailedPrecondition for a result on a recipient that is already finished,
// kCorruption when a stored record or index disagrees, kIOError from LMDB.
#ifndef MF_QUEUE_QUEUE_STORE_H
#define MF_QUEUE_QUEUE_STORE_H

#include "queue/records.h"
#include "queue/retry_schedule.h"
#include "store/lmdb_env.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mf::queue {

using store::Txn;

// The envelope of a message to queue.
struct NewMessage {
  uint64_t body_id = 0;  // must have a mail_bodies record: enqueue takes one reference
  std::string queue_id;
  std::string sender;  // "" for the null sender
  std::optional<std::string> envid;
  Ret ret = Ret::kUnspecified;
  uint64_t size = 0;
  uint32_t flags = 0;  // MessageFlag bits
  Priority priority = Priority::kInteractive;
  OriginKind origin_kind = OriginKind::kInternal;
  std::string origin;
  std::string dkim_domain;
};

struct NewRecipient {
  std::string address;
  std::string domain;  // canonical: lower-case A-label, no trailing dot
  std::string orcpt_type;
  std::string orcpt;
  uint8_t notify = kNotifyUnset;
};

// One recipient of one message.
struct EntryRef {
  uint64_t message_id = 0;
  uint32_t index = 0;
  bool operator==(const EntryRef&) const = default;
};

// A scheduled recipient, as the due index gives it (no record read).
struct DueEntry {
  EntryRef ref;
  Priority priority = Priority::kInteractive;
  int64_t next_attempt = 0;
  std::string domain;
};

// A page of due entries; `next` continues the scan ("" when there is no more now). The
// cursor is an opaque key: valid across transactions (entries changed meanwhile are
// skipped or seen in their new place).
struct DuePage {
  std::vector<DueEntry> entries;
  std::string next;
};

// Queues `message` for `recipients` (at least one): every recipient active and due at
// `now`, expiring at now + policy.max_lifetime. Takes one reference on the body
// (mailbox::retain_body). Returns the new message id (ids only grow).
Result<uint64_t> enqueue(Txn& txn, const NewMessage& message,
                         const std::vector<NewRecipient>& recipients, int64_t now,
                         const RetryPolicy& policy = {});

// Up to `limit` entries due at `now` (next attempt <= now), in priority order (every
// interactive entry before any bounce, before any bulk), then by next-attempt time, then
// message id and recipient index. `after` is a previous page's `next`. With `only`, one
// priority class. Held and finished recipients are never due.
Result<DuePage> next_due(Txn& txn, int64_t now, size_t limit, std::string_view after = {},
                         std::optional<Priority> only = std::nullopt);

// Up to `limit` due entries for `domain`, by message id then index, examining at most
// `max_examined` index entries (0: 64 * limit) so that a domain with many deferred
// entries costs a bounded amount per call; `next` continues.
Result<DuePage> due_for(Txn& txn, std::string_view domain, int64_t now, size_t limit,
                        std::string_view after = {}, size_t max_examined = 0);

// The scheduled (active or deferred, due or not) recipient indexes of one message at one
// domain, in order: the recipients one SMTP transaction can carry together.
Result<std::vector<uint32_t>> recipients_at(Txn& txn, uint64_t message_id, std::string_view domain);

// A recipient that left the schedule, with what a DSN or an event needs.
struct Finished {
  EntryRef ref;
  MessageRecord message;         // as it was before the message was removed, if it was
  RecipientRecord recipient;     // its final state
  bool report_pending = false;   // kept in kReport until report_done(): a DSN is due
  bool message_removed = false;  // it was the message's last recipient: body released
};

// The recipient was delivered: removed, unless NOTIFY=SUCCESS asks for a DSN.
Result<Finished> delivered(Txn& txn, EntryRef ref, std::string_view reply, int64_t now);
// The recipient failed permanently: removed, or kept for the DSN when the sender is not
// null and NOTIFY did not exclude FAILURE.
Result<Finished> bounced(Txn& txn, EntryRef ref, std::string_view reply, int64_t now);

struct Deferred {
  bool expired = false;       // the lifetime ended: it was bounced (`finished` says how)
  bool delay_notice = false;  // a delay notice became due (see load_report)
  int64_t next_attempt = 0;
  std::optional<Finished> finished;
};
// The attempt failed temporarily: retried after the policy's backoff, or, past its
// expiry, finished as a bounce with outcome kExpired. A held recipient stays held (its
// next attempt is recorded for its release). Past the policy's delay_notice_after, the
// first deferral makes a delay notice due when NOTIFY allows it and the sender is not
// null: the recipient stays scheduled and also joins the report list (once per recipient).
Result<Deferred> deferred(Txn& txn, EntryRef ref, std::string_view reply, int64_t now,
                          const RetryPolicy& policy = {});

// ---- Reports (DSNs) ----

// Up to `limit` ids of messages with finished recipients waiting for a DSN, after
// message id `after`.
Result<std::vector<uint64_t>> pending_reports(Txn& txn, uint64_t after, size_t limit);
// A message's envelope and its recipients waiting for a DSN (index, record): finished ones
// (state kReport, reported by outcome) and scheduled ones whose delay notice is due (any
// other state, flag kDelayNoticeDue: reported as delayed).
struct Report {
  MessageRecord message;
  std::vector<std::pair<uint32_t, RecipientRecord>> recipients;
};
Result<Report> load_report(Txn& txn, uint64_t message_id);
// The DSN was queued (in this transaction, normally): its finished recipients go, its
// delayed ones leave the report list and stay scheduled; a message left with no recipient
// is removed and its body released. Returns whether the message was removed.
Result<bool> report_done(Txn& txn, uint64_t message_id);

// ---- Administration (mfctl queue ...) ----

// Holds every scheduled recipient of a message (not delivered until released). Returns
// how many changed.
Result<uint32_t> hold(Txn& txn, uint64_t message_id);
// Releases a message's held recipients into their former state, due at their recorded
// next attempt (or now, if that has passed). Returns how many changed.
Result<uint32_t> release(Txn& txn, uint64_t message_id);
// Removes a message and all its recipients, whatever their state, without any DSN (an
// administrator's decision), and releases its body. Returns the recipients removed.
Result<uint32_t> delete_message(Txn& txn, uint64_t message_id);

// Makes deferred entries due at `now`, at most `limit` of them; `more` says whether some
// remain (call again, in a new transaction, to keep transactions small).
struct FlushResult {
  uint64_t moved = 0;
  bool more = false;
};
Result<FlushResult> flush(Txn& txn, int64_t now, size_t limit);

struct MessageSummary {
  uint64_t id = 0;
  MessageRecord message;  // its `counts` are its recipients by state
};
// Up to `limit` messages with an id above `after`, in id order.
Result<std::vector<MessageSummary>> list_messages(Txn& txn, uint64_t after, size_t limit);
// Likewise, only messages with recipients at `domain`.
Result<std::vector<MessageSummary>> list_messages_for(Txn& txn, std::string_view domain,
                                                      uint64_t after, size_t limit);
// Up to `limit` destinations after `after` (by name), with their counts.
Result<std::vector<std::pair<std::string, Counts>>> list_domains(Txn& txn, std::string_view after,
                                                                 size_t limit);

// A message's envelope and every recipient (never the body).
struct MessageDetail {
  uint64_t id = 0;
  MessageRecord message;
  std::vector<std::pair<uint32_t, RecipientRecord>> recipients;
};
Result<MessageDetail> show(Txn& txn, uint64_t message_id);

// The whole queue's counters, and one destination's (zero when it has nothing queued).
Result<Counts> counts(Txn& txn);
Result<Counts> domain_counts(Txn& txn, std::string_view domain);

// Checks every invariant across the queue's tables (a full scan: for tests and `mfctl
// check`, not for the daemon's hot path). kCorruption naming the first disagreement.
Status verify_queue(Txn& txn);

}  // namespace mf::queue

#endif  // MF_QUEUE_QUEUE_STORE_H
