// queue/queue_admin.cpp — hold, release, delete, flush, listing, counts and the
// consistency checker of the outbound queue (see queue_store.h).
#include "base/codec.h"
#include "mailbox/folders.h"
#include "mailbox/records.h"
#include "queue/queue_store.h"
#include "queue/queue_store_impl.h"

#include <fmt/format.h>

#include <map>

namespace mf::queue {

using store::Table;
using namespace detail;

namespace {

// A message's recipients, in index order. Bounded by the message's own recipients.
Result<std::vector<std::pair<uint32_t, RecipientRecord>>> load_recipients(Txn& txn,
                                                                          uint64_t message_id) {
  std::vector<std::pair<uint32_t, RecipientRecord>> out;
  Status bad = Status::ok();
  MF_RETURN_IF_ERROR(txn.scan_prefix(Table::kQueueRecipients, message_key(message_id),
                                     [&](std::string_view k, std::string_view v) {
                                       EntryRef ref;
                                       RecipientRecord r;
                                       if (!parse_recipient_key(k, &ref.message_id, &ref.index)) {
                                         bad = corruption("a queued recipient's key is unreadable");
                                         return false;
                                       }
                                       bad = decode(v, &r);
                                       if (!bad.is_ok()) return false;
                                       out.emplace_back(ref.index, std::move(r));
                                       return true;
                                     }));
  MF_RETURN_IF_ERROR(bad);
  return out;
}

// Moves each recipient of `message_id` that `eligible` accepts to the state `move` gives
// it (every index kept consistent by change_recipient); returns how many moved.
template <typename Eligible, typename Move>
Result<uint32_t> move_recipients(Txn& txn, uint64_t message_id, Eligible eligible, Move move) {
  MF_ASSIGN_OR_RETURN(MessageRecord m, load_message(txn, message_id));
  MF_ASSIGN_OR_RETURN(auto recipients, load_recipients(txn, message_id));
  uint32_t changed = 0;
  for (const auto& [index, r] : recipients) {
    if (!eligible(r)) continue;
    RecipientRecord after = r;
    move(r, after);
    MF_RETURN_IF_ERROR(change_recipient(txn, EntryRef{message_id, index}, m, r, after));
    ++changed;
  }
  return changed;
}

}  // namespace

Result<uint32_t> hold(Txn& txn, uint64_t message_id) {
  return move_recipients(
      txn, message_id,
      [](const RecipientRecord& r) {
        return r.state == RcptState::kActive || r.state == RcptState::kDeferred;
      },
      [](const RecipientRecord& r, RecipientRecord& after) {
        after.held_from = r.state;
        after.state = RcptState::kHeld;
      });
}

Result<uint32_t> release(Txn& txn, uint64_t message_id) {
  return move_recipients(
      txn, message_id, [](const RecipientRecord& r) { return r.state == RcptState::kHeld; },
      [](const RecipientRecord& r, RecipientRecord& after) {
        after.state = r.held_from;
        after.held_from = RcptState::kActive;
      });
}

Result<uint32_t> delete_message(Txn& txn, uint64_t message_id) {
  MF_ASSIGN_OR_RETURN(MessageRecord m, load_message(txn, message_id));
  MF_ASSIGN_OR_RETURN(auto recipients, load_recipients(txn, message_id));
  if (recipients.empty())
    return corruption(fmt::format("queued message {} has no recipient", message_id));
  for (const auto& [index, r] : recipients) {
    MF_RETURN_IF_ERROR(remove_recipient(txn, EntryRef{message_id, index}, m, r).status());
  }
  return static_cast<uint32_t>(recipients.size());
}

Result<FlushResult> flush(Txn& txn, int64_t now, size_t limit) {
  FlushResult out;
  // Collect one page of entries due later than now, class by class, then move them: the
  // due index is not changed while a cursor walks it.
  struct Move {
    std::string key;
    EntryRef ref;
  };
  std::vector<Move> moves;
  {
    MF_ASSIGN_OR_RETURN(store::Cursor c, txn.cursor(Table::kQueueDue));
    for (int p = 0; p < kPriorityCount && !out.more; ++p) {
      for (bool ok = c.seek(due_key(static_cast<Priority>(p), now + 1, 0, 0)); ok; ok = c.next()) {
        Priority cls;
        int64_t next = 0;
        EntryRef ref;
        if (!parse_due_key(c.key(), &cls, &next, &ref.message_id, &ref.index)) {
          return corruption("an entry of the queue's due index is unreadable");
        }
        if (static_cast<int>(cls) != p) break;
        if (moves.size() == limit) {
          out.more = true;
          break;
        }
        moves.push_back(Move{std::string(c.key()), ref});
      }
    }
  }
  for (const Move& mv : moves) {
    MF_ASSIGN_OR_RETURN(MessageRecord m, load_message(txn, mv.ref.message_id));
    MF_ASSIGN_OR_RETURN(RecipientRecord r, load_recipient(txn, mv.ref));
    RecipientRecord after = r;
    after.next_attempt = now;
    MF_RETURN_IF_ERROR(change_recipient(txn, mv.ref, m, r, after));
    ++out.moved;
  }
  return out;
}

Result<std::vector<MessageSummary>> list_messages(Txn& txn, uint64_t after, size_t limit) {
  std::vector<MessageSummary> out;
  if (after == UINT64_MAX) return out;
  Status bad = Status::ok();
  MF_ASSIGN_OR_RETURN(store::Cursor c, txn.cursor(Table::kQueueMessages));
  for (bool ok = c.seek(message_key(after + 1)); ok && out.size() < limit; ok = c.next()) {
    MessageSummary s;
    if (c.key().size() != 8) return corruption("a queued message's key is unreadable");
    s.id = decode_be64(c.key());
    MF_RETURN_IF_ERROR(decode(c.value(), &s.message));
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::vector<MessageSummary>> list_messages_for(Txn& txn, std::string_view domain,
                                                      uint64_t after, size_t limit) {
  std::vector<MessageSummary> out;
  std::string prefix = domain_prefix(domain);
  MF_ASSIGN_OR_RETURN(store::Cursor c, txn.cursor(Table::kQueueDomains));
  uint64_t from = after + 1;
  while (out.size() < limit && from != 0 && c.seek(prefix + message_key(from))) {
    if (c.key().substr(0, prefix.size()) != prefix) break;
    std::string d;
    EntryRef ref;
    if (!parse_domain_key(c.key(), &d, &ref.message_id, &ref.index)) {
      return corruption("an entry of the queue's destination index is unreadable");
    }
    MessageSummary s;
    s.id = ref.message_id;
    MF_ASSIGN_OR_RETURN(s.message, load_message(txn, ref.message_id));
    out.push_back(std::move(s));
    from = ref.message_id + 1;  // one line per message, not per recipient
  }
  return out;
}

Result<std::vector<std::pair<std::string, Counts>>> list_domains(Txn& txn, std::string_view after,
                                                                 size_t limit) {
  std::vector<std::pair<std::string, Counts>> out;
  MF_ASSIGN_OR_RETURN(store::Cursor c, txn.cursor(Table::kQueueCounts));
  std::string from = after.empty() ? std::string("d") : domain_counts_key(after) + '\0';
  for (bool ok = c.seek(from); ok && out.size() < limit; ok = c.next()) {
    if (c.key().empty() || c.key()[0] != 'd') break;
    Counts counts;
    MF_RETURN_IF_ERROR(decode(c.value(), &counts));
    out.emplace_back(std::string(c.key().substr(1)), counts);
  }
  return out;
}

Result<MessageDetail> show(Txn& txn, uint64_t message_id) {
  MessageDetail out;
  out.id = message_id;
  MF_ASSIGN_OR_RETURN(out.message, load_message(txn, message_id));
  MF_ASSIGN_OR_RETURN(out.recipients, load_recipients(txn, message_id));
  return out;
}

Result<Counts> counts(Txn& txn) {
  MF_ASSIGN_OR_RETURN(auto raw, txn.get(Table::kQueueCounts, kTotalCountsKey));
  Counts c;
  if (raw) MF_RETURN_IF_ERROR(decode(*raw, &c));
  return c;
}

Result<Counts> domain_counts(Txn& txn, std::string_view domain) {
  MF_ASSIGN_OR_RETURN(auto raw, txn.get(Table::kQueueCounts, domain_counts_key(domain)));
  Counts c;
  if (raw) MF_RETURN_IF_ERROR(decode(*raw, &c));
  return c;
}

// ---- The checker ----

namespace {

Status mismatch(std::string what) {
  return corruption("queue check: " + std::move(what));
}

// Counts the entries of `table` and checks each with `fn`.
Status check_table(Txn& txn, Table table, uint64_t* n,
                   const std::function<Status(std::string_view, std::string_view)>& fn) {
  Status result = Status::ok();
  MF_RETURN_IF_ERROR(txn.scan_prefix(table, "", [&](std::string_view k, std::string_view v) {
    ++*n;
    result = fn(k, v);
    return result.is_ok();
  }));
  return result;
}

}  // namespace

Status verify_queue(Txn& txn) {
  // 1. Every message: its recipients match its counts, and each recipient has exactly the
  // index entries of its state. Expected index sizes are summed to check, in step 2, that
  // no index has entries beyond those.
  Counts total;
  std::map<std::string, Counts> by_domain;  // a checker's luxury: one entry per destination
  uint64_t want_scheduled = 0, want_held = 0, want_report = 0, want_domain_entries = 0;
  uint64_t recipient_records = 0;
  uint64_t last_id = 0;
  MF_ASSIGN_OR_RETURN(uint64_t seq, mailbox::load_counter(txn, kMessageSeqKey));
  MF_RETURN_IF_ERROR(check_table(
      txn, Table::kQueueMessages, &total.messages,
      [&](std::string_view k, std::string_view v) -> Status {
        if (k.size() != 8) return mismatch("a message key is unreadable");
        uint64_t id = decode_be64(k);
        last_id = id;
        MessageRecord m;
        MF_RETURN_IF_ERROR(decode(v, &m));
        MF_ASSIGN_OR_RETURN(auto body, txn.get(Table::kMailBodies, mailbox::body_key(m.body_id)));
        if (!body)
          return mismatch(
              fmt::format("message {} refers to body {} which has no record", id, m.body_id));
        MF_ASSIGN_OR_RETURN(auto recipients, load_recipients(txn, id));
        if (recipients.empty()) return mismatch(fmt::format("message {} has no recipient", id));
        Counts mine;
        for (const auto& [index, r] : recipients) {
          if (index >= m.recipients)
            return mismatch(fmt::format("message {} has recipient {} beyond its count", id, index));
          ++count_of(mine, r.state);
          ++count_of(by_domain[r.domain], r.state);
          ++count_of(total, r.state);
          ++recipient_records;
          std::string rkey = recipient_key(id, index);
          std::string where =
              fmt::format("recipient {} of message {} ({})", index, id, state_name(r.state));
          auto has = [&](Table t, const std::string& key) -> Result<bool> {
            return txn.contains(t, key);
          };
          bool scheduled = r.state == RcptState::kActive || r.state == RcptState::kDeferred;
          MF_ASSIGN_OR_RETURN(
              bool in_due, has(Table::kQueueDue, due_key(m.priority, r.next_attempt, id, index)));
          MF_ASSIGN_OR_RETURN(bool in_held, has(Table::kQueueHeld, rkey));
          MF_ASSIGN_OR_RETURN(bool in_report, has(Table::kQueueReports, rkey));
          MF_ASSIGN_OR_RETURN(auto dval,
                              txn.get(Table::kQueueDomains, domain_key(r.domain, id, index)));
          if (in_due != scheduled) return mismatch(where + ": due index disagrees");
          if (in_held != (r.state == RcptState::kHeld))
            return mismatch(where + ": held list disagrees");
          const bool delay_due = r.state != RcptState::kReport && (r.flags & kDelayNoticeDue);
          if (in_report != (r.state == RcptState::kReport || delay_due))
            return mismatch(where + ": report list disagrees");
          if (delay_due) ++want_report;
          if (r.state == RcptState::kReport) {
            if (dval) return mismatch(where + ": still in the destination index");
            ++want_report;
          } else {
            if (!dval || *dval != domain_value(r.state, r.next_attempt)) {
              return mismatch(where + ": destination index disagrees");
            }
            ++want_domain_entries;
            ++(scheduled ? want_scheduled : want_held);
          }
        }
        if (!(mine == m.counts))
          return mismatch(fmt::format("message {}: its counts disagree with its recipients", id));
        return Status::ok();
      }));
  if (last_id > seq) return mismatch("a message id is above the last id given");
  // 2. No index entry without its recipient: the sizes match the expected ones.
  uint64_t n = 0;
  auto ignore = [](std::string_view, std::string_view) { return Status::ok(); };
  MF_RETURN_IF_ERROR(check_table(txn, Table::kQueueRecipients, &n, ignore));
  if (n != recipient_records) return mismatch("recipient records without their message");
  n = 0;
  MF_RETURN_IF_ERROR(check_table(txn, Table::kQueueDue, &n, ignore));
  if (n != want_scheduled) return mismatch("the due index has stray entries");
  n = 0;
  MF_RETURN_IF_ERROR(check_table(txn, Table::kQueueDomains, &n, ignore));
  if (n != want_domain_entries) return mismatch("the destination index has stray entries");
  n = 0;
  MF_RETURN_IF_ERROR(check_table(txn, Table::kQueueHeld, &n, ignore));
  if (n != want_held) return mismatch("the held list has stray entries");
  n = 0;
  MF_RETURN_IF_ERROR(check_table(txn, Table::kQueueReports, &n, ignore));
  if (n != want_report) return mismatch("the report list has stray entries");
  // 3. The counters.
  MF_ASSIGN_OR_RETURN(Counts stored, counts(txn));
  if (!(stored == total)) {
    return mismatch(
        fmt::format("the queue's counters say {} messages, {}/{}/{}/{} recipients; "
                    "the records {} and {}/{}/{}/{}",
                    stored.messages, stored.active, stored.deferred, stored.held, stored.report,
                    total.messages, total.active, total.deferred, total.held, total.report));
  }
  uint64_t keys = 0, domain_keys = 0;
  MF_RETURN_IF_ERROR(check_table(
      txn, Table::kQueueCounts, &keys, [&](std::string_view k, std::string_view v) -> Status {
        if (k == kTotalCountsKey) return Status::ok();
        if (k.empty() || k[0] != 'd') return mismatch("an unknown counter key");
        ++domain_keys;
        Counts c;
        MF_RETURN_IF_ERROR(decode(v, &c));
        auto it = by_domain.find(std::string(k.substr(1)));
        if (it == by_domain.end() || !(it->second == c)) {
          return mismatch(
              fmt::format("the counters of {} disagree with its recipients", k.substr(1)));
        }
        return Status::ok();
      }));
  if (domain_keys != by_domain.size())
    return mismatch("a destination with recipients has no counters");
  return Status::ok();
}

}  // namespace mf::queue
