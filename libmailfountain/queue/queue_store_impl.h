// queue/queue_store_impl.h — the steps shared by queue_store.cpp and queue_admin.cpp:
// loading records, moving a recipient between states with its index entries and
// counters, and removing it. Internal to queue/.
#ifndef MF_QUEUE_QUEUE_STORE_IMPL_H
#define MF_QUEUE_QUEUE_STORE_IMPL_H

#include "queue/queue_store.h"

namespace mf::queue::detail {

Result<MessageRecord> load_message(Txn& txn, uint64_t message_id);  // kNotFound if absent
Result<RecipientRecord> load_recipient(Txn& txn, EntryRef ref);     // kNotFound if absent
uint64_t& count_of(Counts& c, RcptState s);

// The index entries a recipient has in its state: due + destination (active, deferred),
// held + destination (held), report (report). remove_indexes fails with kCorruption if
// one is missing.
Status remove_indexes(Txn& txn, EntryRef ref, Priority priority, const RecipientRecord& r);
Status add_indexes(Txn& txn, EntryRef ref, Priority priority, const RecipientRecord& r);

// Moves one recipient from `before` to `after` (record, index entries, the message's
// counts in `m` and the stored message, the queue's and the destination's counters).
Status change_recipient(Txn& txn, EntryRef ref, MessageRecord& m, const RecipientRecord& before,
                        const RecipientRecord& after);

// Removes one recipient; the last one takes the message with it and releases the body.
// Returns whether the message was removed. `m` is updated (and stored, if it remains).
Result<bool> remove_recipient(Txn& txn, EntryRef ref, MessageRecord& m, const RecipientRecord& r);

// The queue's and `domain`'s counters: one recipient leaves state `from` (if any) and
// enters `to` (if any).
Status count_change(Txn& txn, std::string_view domain, std::optional<RcptState> from,
                    std::optional<RcptState> to);
Status count_messages(Txn& txn, int delta);

}  // namespace mf::queue::detail

#endif  // MF_QUEUE_QUEUE_STORE_IMPL_H
