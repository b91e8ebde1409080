// queue/queue_store.cpp — enqueue, scheduling scans, delivery results, reports (see
// queue_store.h). Administration and the checker are in queue_admin.cpp.
#include "queue/queue_store.h"

#include "base/codec.h"
#include "mailbox/folders.h"
#include "queue/queue_store_impl.h"

#include <fmt/format.h>

namespace mf::queue {

using store::Table;

namespace detail {

Result<MessageRecord> load_message(Txn& txn, uint64_t message_id) {
  MF_ASSIGN_OR_RETURN(auto raw, txn.get(Table::kQueueMessages, message_key(message_id)));
  if (!raw) return not_found(fmt::format("no queued message {}", message_id));
  MessageRecord m;
  MF_RETURN_IF_ERROR(decode(*raw, &m));
  return m;
}

Result<RecipientRecord> load_recipient(Txn& txn, EntryRef ref) {
  MF_ASSIGN_OR_RETURN(auto raw,
                      txn.get(Table::kQueueRecipients, recipient_key(ref.message_id, ref.index)));
  if (!raw) {
    return not_found(
        fmt::format("no recipient {} of queued message {}", ref.index, ref.message_id));
  }
  RecipientRecord r;
  MF_RETURN_IF_ERROR(decode(*raw, &r));
  return r;
}

uint64_t& count_of(Counts& c, RcptState s) {
  switch (s) {
    case RcptState::kActive:
      return c.active;
    case RcptState::kDeferred:
      return c.deferred;
    case RcptState::kHeld:
      return c.held;
    case RcptState::kReport:
      break;
  }
  return c.report;
}

namespace {

Result<Counts> load_counts(Txn& txn, std::string_view key) {
  MF_ASSIGN_OR_RETURN(auto raw, txn.get(Table::kQueueCounts, key));
  Counts c;
  if (raw) MF_RETURN_IF_ERROR(decode(*raw, &c));
  return c;
}

// Adds `delta` (+1 or -1) to state `s` in `c`; a counter that would go below zero means
// the counters and the records disagree.
Status bump(Counts& c, RcptState s, int delta) {
  uint64_t& n = count_of(c, s);
  if (delta < 0 && n == 0) return corruption("the queue's counters disagree with its records");
  n = delta < 0 ? n - 1 : n + 1;
  return Status::ok();
}

}  // namespace

Status count_change(Txn& txn, std::string_view domain, std::optional<RcptState> from,
                    std::optional<RcptState> to) {
  if (from == to) return Status::ok();
  for (std::string key : {std::string(kTotalCountsKey), domain_counts_key(domain)}) {
    MF_ASSIGN_OR_RETURN(Counts c, load_counts(txn, key));
    if (from) MF_RETURN_IF_ERROR(bump(c, *from, -1));
    if (to) MF_RETURN_IF_ERROR(bump(c, *to, +1));
    if (key != kTotalCountsKey && c == Counts{}) {
      MF_RETURN_IF_ERROR(txn.del(Table::kQueueCounts, key).status());
    } else {
      MF_RETURN_IF_ERROR(txn.put(Table::kQueueCounts, key, encode(c)));
    }
  }
  return Status::ok();
}

Status count_messages(Txn& txn, int delta) {
  MF_ASSIGN_OR_RETURN(Counts c, load_counts(txn, kTotalCountsKey));
  if (delta < 0 && c.messages == 0) return corruption("the queue's message counter is wrong");
  c.messages = delta < 0 ? c.messages - 1 : c.messages + 1;
  return txn.put(Table::kQueueCounts, kTotalCountsKey, encode(c));
}

Status remove_indexes(Txn& txn, EntryRef ref, Priority priority, const RecipientRecord& r) {
  std::string rkey = recipient_key(ref.message_id, ref.index);
  bool ok = true;
  switch (r.state) {
    case RcptState::kActive:
    case RcptState::kDeferred: {
      MF_ASSIGN_OR_RETURN(bool a, txn.del(Table::kQueueDue, due_key(priority, r.next_attempt,
                                                                    ref.message_id, ref.index)));
      MF_ASSIGN_OR_RETURN(
          bool b, txn.del(Table::kQueueDomains, domain_key(r.domain, ref.message_id, ref.index)));
      ok = a && b;
      break;
    }
    case RcptState::kHeld: {
      MF_ASSIGN_OR_RETURN(bool a, txn.del(Table::kQueueHeld, rkey));
      MF_ASSIGN_OR_RETURN(
          bool b, txn.del(Table::kQueueDomains, domain_key(r.domain, ref.message_id, ref.index)));
      ok = a && b;
      break;
    }
    case RcptState::kReport: {
      MF_ASSIGN_OR_RETURN(ok, txn.del(Table::kQueueReports, rkey));
      break;
    }
  }
  if (r.state != RcptState::kReport && (r.flags & kDelayNoticeDue)) {
    MF_ASSIGN_OR_RETURN(bool c, txn.del(Table::kQueueReports, rkey));
    ok = ok && c;
  }
  if (!ok) {
    return corruption(fmt::format("an index entry of recipient {} of queued message {} is missing",
                                  ref.index, ref.message_id));
  }
  return Status::ok();
}

Status add_indexes(Txn& txn, EntryRef ref, Priority priority, const RecipientRecord& r) {
  std::string rkey = recipient_key(ref.message_id, ref.index);
  // A scheduled recipient with a delay notice due is also in the report list.
  if (r.state != RcptState::kReport && (r.flags & kDelayNoticeDue)) {
    MF_RETURN_IF_ERROR(txn.put(Table::kQueueReports, rkey, ""));
  }
  switch (r.state) {
    case RcptState::kActive:
    case RcptState::kDeferred:
      MF_RETURN_IF_ERROR(txn.put(Table::kQueueDue,
                                 due_key(priority, r.next_attempt, ref.message_id, ref.index),
                                 r.domain));
      return txn.put(Table::kQueueDomains, domain_key(r.domain, ref.message_id, ref.index),
                     domain_value(r.state, r.next_attempt));
    case RcptState::kHeld:
      MF_RETURN_IF_ERROR(txn.put(Table::kQueueHeld, rkey, ""));
      return txn.put(Table::kQueueDomains, domain_key(r.domain, ref.message_id, ref.index),
                     domain_value(r.state, r.next_attempt));
    case RcptState::kReport:
      return txn.put(Table::kQueueReports, rkey, "");
  }
  return internal_error("unknown recipient state");
}

Status change_recipient(Txn& txn, EntryRef ref, MessageRecord& m, const RecipientRecord& before,
                        const RecipientRecord& after) {
  MF_RETURN_IF_ERROR(remove_indexes(txn, ref, m.priority, before));
  MF_RETURN_IF_ERROR(add_indexes(txn, ref, m.priority, after));
  if (before.state != after.state) {
    MF_RETURN_IF_ERROR(bump(m.counts, before.state, -1));
    MF_RETURN_IF_ERROR(bump(m.counts, after.state, +1));
    MF_RETURN_IF_ERROR(count_change(txn, after.domain, before.state, after.state));
    MF_RETURN_IF_ERROR(txn.put(Table::kQueueMessages, message_key(ref.message_id), encode(m)));
  }
  return txn.put(Table::kQueueRecipients, recipient_key(ref.message_id, ref.index), encode(after));
}

Result<bool> remove_recipient(Txn& txn, EntryRef ref, MessageRecord& m, const RecipientRecord& r) {
  MF_RETURN_IF_ERROR(remove_indexes(txn, ref, m.priority, r));
  MF_RETURN_IF_ERROR(count_change(txn, r.domain, r.state, std::nullopt));
  MF_RETURN_IF_ERROR(bump(m.counts, r.state, -1));
  MF_RETURN_IF_ERROR(
      txn.del(Table::kQueueRecipients, recipient_key(ref.message_id, ref.index)).status());
  if (m.counts.recipients() > 0) {
    MF_RETURN_IF_ERROR(txn.put(Table::kQueueMessages, message_key(ref.message_id), encode(m)));
    return false;
  }
  // The last recipient: the message goes, and with it the queue's reference on the body
  // (at zero references the body joins the garbage list; the mailbox sweep deletes it).
  MF_RETURN_IF_ERROR(txn.del(Table::kQueueMessages, message_key(ref.message_id)).status());
  MF_RETURN_IF_ERROR(count_messages(txn, -1));
  MF_RETURN_IF_ERROR(mailbox::release_body(txn, m.body_id));
  return true;
}

}  // namespace detail

using namespace detail;

namespace {

bool is_canonical_domain(std::string_view d) {
  if (d.empty() || d.size() > 255 || d.back() == '.') return false;
  for (char c : d) {
    auto u = static_cast<unsigned char>(c);
    if (u <= ' ' || u >= 0x7f || (c >= 'A' && c <= 'Z')) return false;
  }
  return true;
}

std::string bounded_reply(std::string_view reply) {
  return std::string(reply.substr(0, kMaxReplyBytes));
}

// Whether a deferral at `now` makes `r`'s delay notice due: once, past the policy's delay,
// when NOTIFY allows it (no NOTIFY means failures and delays, RFC 3461 §4.1).
bool wants_delay_notice(const MessageRecord& m, const RecipientRecord& r, int64_t now,
                        const RetryPolicy& policy) {
  if (policy.delay_notice_after <= 0 || (r.flags & kDelayNoticeGiven)) return false;
  if (m.sender.empty() || now - m.arrival < policy.delay_notice_after) return false;
  return (r.notify & kNotifyUnset) || (r.notify & kNotifyDelay);
}

bool wants_report(const MessageRecord& m, const RecipientRecord& r, Outcome outcome) {
  if (m.sender.empty()) return false;  // never a DSN to the null sender (RFC 3461 §6.2)
  if (r.notify & kNotifyUnset) return outcome != Outcome::kDelivered;
  if (outcome == Outcome::kDelivered) return r.notify & kNotifySuccess;
  return r.notify & kNotifyFailure;
}

// Ends a scheduled (or held) recipient with `outcome`.
Result<Finished> finish(Txn& txn, EntryRef ref, Outcome outcome, std::string_view reply,
                        int64_t now) {
  MF_ASSIGN_OR_RETURN(MessageRecord m, load_message(txn, ref.message_id));
  MF_ASSIGN_OR_RETURN(RecipientRecord r, load_recipient(txn, ref));
  if (r.state == RcptState::kReport) {
    return failed_precondition(fmt::format("recipient {} of queued message {} is already finished",
                                           ref.index, ref.message_id));
  }
  Finished out;
  out.ref = ref;
  RecipientRecord after = r;
  after.outcome = outcome;
  after.last_reply = bounded_reply(reply);
  after.flags &= ~kDelayNoticeDue;  // the final report, if any, replaces the delay notice
  if (outcome != Outcome::kExpired) {
    ++after.attempts;
    if (after.first_attempt == 0) after.first_attempt = now;
  }
  out.report_pending = wants_report(m, after, outcome);
  if (out.report_pending) {
    after.state = RcptState::kReport;
    MF_RETURN_IF_ERROR(change_recipient(txn, ref, m, r, after));
    out.message = m;
  } else {
    out.message = m;
    MF_ASSIGN_OR_RETURN(out.message_removed, remove_recipient(txn, ref, m, r));
  }
  out.recipient = std::move(after);
  return out;
}

// Reads up to `limit` due entries from `c`, positioned, of class `p`.
void read_due(store::Cursor& c, bool positioned, Priority p, int64_t now, size_t limit,
              DuePage* page, std::string* last) {
  for (bool ok = positioned; ok && page->entries.size() < limit; ok = c.next()) {
    DueEntry e;
    if (!parse_due_key(c.key(), &e.priority, &e.next_attempt, &e.ref.message_id, &e.ref.index) ||
        e.priority != p || e.next_attempt > now) {
      return;
    }
    e.domain = std::string(c.value());
    *last = std::string(c.key());
    page->entries.push_back(std::move(e));
  }
}

// The smallest key greater than `key`.
std::string successor(std::string_view key) {
  return std::string(key) + '\0';
}

}  // namespace

Result<uint64_t> enqueue(Txn& txn, const NewMessage& message,
                         const std::vector<NewRecipient>& recipients, int64_t now,
                         const RetryPolicy& policy) {
  if (recipients.empty()) return invalid_argument("a queued message needs a recipient");
  if (recipients.size() > UINT32_MAX) return invalid_argument("too many recipients");
  for (const auto& r : recipients) {
    if (!is_canonical_domain(r.domain)) {
      return invalid_argument(
          fmt::format("recipient domain \"{}\" is not a canonical domain", r.domain));
    }
    if (r.address.empty()) return invalid_argument("a queued recipient needs an address");
  }
  MF_RETURN_IF_ERROR(mailbox::retain_body(txn, message.body_id));
  MF_ASSIGN_OR_RETURN(uint64_t id, mailbox::load_counter(txn, kMessageSeqKey));
  ++id;
  MF_RETURN_IF_ERROR(mailbox::store_counter(txn, kMessageSeqKey, id));

  MessageRecord m;
  m.body_id = message.body_id;
  m.queue_id = message.queue_id;
  m.sender = message.sender;
  m.envid = message.envid;
  m.ret = message.ret;
  m.size = message.size;
  m.arrival = now;
  m.flags = message.flags;
  m.priority = message.priority;
  m.origin_kind = message.origin_kind;
  m.origin = message.origin;
  m.dkim_domain = message.dkim_domain;
  m.recipients = static_cast<uint32_t>(recipients.size());
  m.counts.active = recipients.size();

  Counts total;
  {
    MF_ASSIGN_OR_RETURN(auto raw, txn.get(Table::kQueueCounts, kTotalCountsKey));
    if (raw) MF_RETURN_IF_ERROR(decode(*raw, &total));
  }
  for (uint32_t i = 0; i < m.recipients; ++i) {
    const NewRecipient& in = recipients[i];
    RecipientRecord r;
    r.address = in.address;
    r.domain = in.domain;
    r.orcpt_type = in.orcpt_type;
    r.orcpt = in.orcpt;
    r.notify = in.notify;
    r.state = RcptState::kActive;
    r.next_attempt = now;
    r.expires_at = now + policy.max_lifetime;
    EntryRef ref{id, i};
    MF_RETURN_IF_ERROR(txn.put(Table::kQueueRecipients, recipient_key(id, i), encode(r)));
    MF_RETURN_IF_ERROR(add_indexes(txn, ref, m.priority, r));
    // Per-destination counters; the total is written once below.
    std::string dkey = domain_counts_key(r.domain);
    MF_ASSIGN_OR_RETURN(auto raw, txn.get(Table::kQueueCounts, dkey));
    Counts dc;
    if (raw) MF_RETURN_IF_ERROR(decode(*raw, &dc));
    ++dc.active;
    MF_RETURN_IF_ERROR(txn.put(Table::kQueueCounts, dkey, encode(dc)));
  }
  total.active += m.recipients;
  ++total.messages;
  MF_RETURN_IF_ERROR(txn.put(Table::kQueueCounts, kTotalCountsKey, encode(total)));
  MF_RETURN_IF_ERROR(txn.put(Table::kQueueMessages, message_key(id), encode(m)));
  return id;
}

Result<DuePage> next_due(Txn& txn, int64_t now, size_t limit, std::string_view after,
                         std::optional<Priority> only) {
  DuePage page;
  if (limit == 0) return page;
  MF_ASSIGN_OR_RETURN(store::Cursor c, txn.cursor(Table::kQueueDue));
  std::string last;
  int first_class = only ? static_cast<int>(*only) : 0;
  int last_class = only ? static_cast<int>(*only) : kPriorityCount - 1;
  if (!after.empty())
    first_class = std::max(first_class, static_cast<int>(static_cast<uint8_t>(after[0])));
  for (int p = first_class; p <= last_class && page.entries.size() < limit; ++p) {
    // Resume after the cursor within its own class; start other classes at their start.
    std::string from = (!after.empty() && static_cast<uint8_t>(after[0]) == p)
                           ? successor(after)
                           : std::string(1, static_cast<char>(p));
    read_due(c, c.seek(from), static_cast<Priority>(p), now, limit, &page, &last);
  }
  if (page.entries.size() == limit) page.next = last;
  return page;
}

Result<DuePage> due_for(Txn& txn, std::string_view domain, int64_t now, size_t limit,
                        std::string_view after, size_t max_examined) {
  DuePage page;
  if (limit == 0) return page;
  if (max_examined == 0) max_examined = 64 * limit;
  std::string prefix = domain_prefix(domain);
  MF_ASSIGN_OR_RETURN(store::Cursor c, txn.cursor(Table::kQueueDomains));
  std::string from = after.empty() ? prefix : successor(after);
  size_t examined = 0;
  bool ok = c.seek(from);
  for (; ok; ok = c.next()) {
    if (c.key().substr(0, prefix.size()) != prefix) {
      ok = false;
      break;
    }
    if (page.entries.size() >= limit || examined >= max_examined) break;
    ++examined;
    page.next = std::string(c.key());
    RcptState state;
    DueEntry e;
    std::string d;
    if (!parse_domain_key(c.key(), &d, &e.ref.message_id, &e.ref.index) ||
        !parse_domain_value(c.value(), &state, &e.next_attempt)) {
      return corruption("an entry of the queue's destination index is unreadable");
    }
    if (state == RcptState::kHeld || e.next_attempt > now) continue;
    MF_ASSIGN_OR_RETURN(MessageRecord m, load_message(txn, e.ref.message_id));
    e.priority = m.priority;
    e.domain = std::move(d);
    page.entries.push_back(std::move(e));
  }
  if (!ok) page.next.clear();  // the domain's range ended: nothing more
  return page;
}

Result<std::vector<uint32_t>> recipients_at(Txn& txn, uint64_t message_id,
                                            std::string_view domain) {
  std::vector<uint32_t> out;
  Status bad_entry = Status::ok();
  MF_RETURN_IF_ERROR(txn.scan_prefix(
      Table::kQueueDomains, domain_prefix(domain) + message_key(message_id),
      [&](std::string_view k, std::string_view v) {
        std::string d;
        EntryRef ref;
        RcptState state;
        int64_t next = 0;
        if (!parse_domain_key(k, &d, &ref.message_id, &ref.index) ||
            !parse_domain_value(v, &state, &next)) {
          bad_entry = corruption("an entry of the queue's destination index is unreadable");
          return false;
        }
        if (state != RcptState::kHeld) out.push_back(ref.index);
        return true;
      }));
  MF_RETURN_IF_ERROR(bad_entry);
  return out;
}

Result<Finished> delivered(Txn& txn, EntryRef ref, std::string_view reply, int64_t now) {
  return finish(txn, ref, Outcome::kDelivered, reply, now);
}

Result<Finished> bounced(Txn& txn, EntryRef ref, std::string_view reply, int64_t now) {
  return finish(txn, ref, Outcome::kFailed, reply, now);
}

Result<Deferred> deferred(Txn& txn, EntryRef ref, std::string_view reply, int64_t now,
                          const RetryPolicy& policy) {
  MF_ASSIGN_OR_RETURN(MessageRecord m, load_message(txn, ref.message_id));
  MF_ASSIGN_OR_RETURN(RecipientRecord r, load_recipient(txn, ref));
  if (r.state == RcptState::kReport) {
    return failed_precondition(fmt::format("recipient {} of queued message {} is already finished",
                                           ref.index, ref.message_id));
  }
  Deferred out;
  RecipientRecord after = r;
  ++after.attempts;
  if (after.first_attempt == 0) after.first_attempt = now;
  after.last_reply = bounded_reply(reply);
  auto next = next_attempt_after_failure(policy, after.attempts, now, r.expires_at);
  if (!next) {
    // The lifetime is over: this failure ends it, as a bounce saying so. The attempt is
    // counted here, so finish() does not count it again.
    MF_RETURN_IF_ERROR(
        txn.put(Table::kQueueRecipients, recipient_key(ref.message_id, ref.index), encode(after)));
    out.expired = true;
    MF_ASSIGN_OR_RETURN(Finished f, finish(txn, ref, Outcome::kExpired, reply, now));
    out.finished = std::move(f);
    return out;
  }
  after.next_attempt = *next;
  if (wants_delay_notice(m, after, now, policy)) {
    after.flags |= kDelayNoticeDue | kDelayNoticeGiven;
    out.delay_notice = true;
  }
  if (r.state == RcptState::kHeld) {
    after.held_from = RcptState::kDeferred;
  } else {
    after.state = RcptState::kDeferred;
  }
  MF_RETURN_IF_ERROR(change_recipient(txn, ref, m, r, after));
  out.next_attempt = *next;
  return out;
}

// ---- Reports ----

Result<std::vector<uint64_t>> pending_reports(Txn& txn, uint64_t after, size_t limit) {
  std::vector<uint64_t> out;
  MF_ASSIGN_OR_RETURN(store::Cursor c, txn.cursor(Table::kQueueReports));
  uint64_t from = after + 1;
  while (out.size() < limit && from != 0 && c.seek(message_key(from))) {
    EntryRef ref;
    if (!parse_recipient_key(c.key(), &ref.message_id, &ref.index)) {
      return corruption("an entry of the queue's report list is unreadable");
    }
    out.push_back(ref.message_id);
    from = ref.message_id + 1;  // skip the message's other recipients
  }
  return out;
}

Result<Report> load_report(Txn& txn, uint64_t message_id) {
  Report out;
  MF_ASSIGN_OR_RETURN(out.message, load_message(txn, message_id));
  std::vector<uint32_t> indexes;
  MF_RETURN_IF_ERROR(txn.scan_prefix(Table::kQueueReports, message_key(message_id),
                                     [&](std::string_view k, std::string_view) {
                                       EntryRef ref;
                                       if (parse_recipient_key(k, &ref.message_id, &ref.index))
                                         indexes.push_back(ref.index);
                                       return true;
                                     }));
  for (uint32_t i : indexes) {
    MF_ASSIGN_OR_RETURN(RecipientRecord r, load_recipient(txn, EntryRef{message_id, i}));
    out.recipients.emplace_back(i, std::move(r));
  }
  return out;
}

Result<bool> report_done(Txn& txn, uint64_t message_id) {
  MF_ASSIGN_OR_RETURN(Report report, load_report(txn, message_id));
  MessageRecord m = report.message;
  bool removed = false;
  for (const auto& [index, r] : report.recipients) {
    const EntryRef ref{message_id, index};
    if (r.state == RcptState::kReport) {
      MF_ASSIGN_OR_RETURN(removed, remove_recipient(txn, ref, m, r));
    } else {
      RecipientRecord after = r;  // a delay notice: the recipient stays scheduled
      after.flags &= ~kDelayNoticeDue;
      MF_RETURN_IF_ERROR(change_recipient(txn, ref, m, r, after));
    }
  }
  return removed;
}

}  // namespace mf::queue
