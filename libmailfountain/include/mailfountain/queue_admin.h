// mailfountain/queue_admin.h — administering the outbound queue of a data directory: what
// `mfctl queue list|show|hold|release|delete|flush|counts` asks the running daemon to do
// (docs/queue.md, docs/mailfountaind.md).
//
// Every function runs its own LMDB transactions on the calling thread and blocks for them:
// writes wait for LMDB's writer lock and a disk sync, so never call these on an event loop
// that must stay responsive (mailfountaind runs them on a thread of their own). They are
// safe while the daemon delivers: each write is one short transaction, and the queue's
// invariants hold after each (a recipient whose delivery is under way when it is held or
// deleted gets its result ignored or kept for its release, see docs/queue.md).
//
// Messages are named by their numeric message id (`id`, only grows) or by the queue ID
// logged at reception (`queue_id`, 12 characters of [0-9A-Z], Postfix-style). Nothing here
// returns or reads a message's body, except its header section (queue_read_header): the
// administrator does not read mail.
//
// Errors: kNotFound for an unknown message (its message names the id as given),
// kInvalidArgument for a malformed id or option, kIOError from LMDB or the body file,
// kCorruption when a stored record does not decode.
#ifndef MAILFOUNTAIN_QUEUE_ADMIN_H
#define MAILFOUNTAIN_QUEUE_ADMIN_H

#include <mailfountain/export.h>
#include <mailfountain/status.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mf {

class Context;

// Recipients by state. For the whole queue `messages` counts messages; per destination
// and per message it is 0.
struct QueueCounts {
  uint64_t messages = 0;
  uint64_t active = 0;    // never tried yet
  uint64_t deferred = 0;  // tried, failed temporarily, waiting for the next attempt
  uint64_t held = 0;      // held by an administrator
  uint64_t report = 0;    // finished; waiting for its delivery status notification
  uint64_t recipients() const { return active + deferred + held + report; }
};

struct QueueRecipient {
  uint32_t index = 0;
  std::string address;
  std::string domain;  // the destination (lower-case A-label)
  std::string state;   // "active", "deferred", "held", "report"
  uint32_t attempts = 0;
  int64_t first_attempt = 0;  // Unix seconds; 0: never tried
  int64_t next_attempt = 0;   // when it is due (also kept while held)
  int64_t expires_at = 0;     // after this a temporary failure becomes a bounce
  std::string last_reply;     // the remote server's last reply, "" before any attempt
};

struct QueueMessage {
  uint64_t id = 0;
  std::string queue_id;
  std::string sender;  // "" for the null sender
  uint64_t size = 0;   // bytes of the message
  int64_t arrival = 0;
  std::string priority;     // "interactive", "bounce", "bulk"
  std::string origin_kind;  // "account", "client_ip", "internal"
  std::string origin;       // the submitting account or client address
  std::optional<std::string> envid;
  std::string ret;  // "", "FULL", "HDRS"
  bool eight_bit_mime = false;
  bool smtputf8 = false;
  std::string dkim_domain;
  QueueCounts counts;  // its recipients by state
  // Some of its recipients, in index order: at most the limit the call was given.
  std::vector<QueueRecipient> recipients;
  bool more_recipients = false;  // some were left out by that limit
};

struct QueueListQuery {
  std::string domain;      // only messages with recipients at this destination ("": all)
  uint64_t after = 0;      // message id to continue after (a previous page's next_after)
  size_t limit = 100;      // messages per page, 1..10000
  size_t recipients = 20;  // recipients listed per message (with `domain`: at that domain)
};

struct QueueListPage {
  std::vector<QueueMessage> messages;  // by message id
  uint64_t next_after = 0;             // pass as `after` for the next page
  bool more = false;                   // whether a next page may hold messages
};

// One page of queued messages. Reads at most `limit` messages and `recipients` recipient
// records per message, in one read transaction.
MF_EXPORT Result<QueueListPage> queue_list(Context& context, const QueueListQuery& query);

// Whether `text` names a message by queue ID (12 characters of [0-9A-Z]) rather than by
// numeric message id (decimal digits, other lengths).
MF_EXPORT bool is_queue_id(std::string_view text);

// The message id of the message `text` names (a message id or a queue ID). A queue ID is
// found by scanning the messages in id order, in read transactions of bounded size (the
// queue keeps no index by queue ID: this is an administrator's command, not a hot path).
// kNotFound when no queued message has it; kInvalidArgument when `text` is neither.
MF_EXPORT Result<uint64_t> queue_find(Context& context, std::string_view text);

// A message's envelope and up to `max_recipients` of its recipients (0: all of them).
MF_EXPORT Result<QueueMessage> queue_show(Context& context, uint64_t id, size_t max_recipients = 0);

// The header fields of a queued message, in order, each unfolded (CRLF before white space
// removed), read from its body file up to the blank line that ends the header section and
// never beyond `max_bytes` (then `truncated` is set). The body is never read.
struct QueueHeader {
  std::vector<std::pair<std::string, std::string>> fields;  // name, value (raw bytes)
  bool truncated = false;
};
MF_EXPORT Result<QueueHeader> queue_read_header(Context& context, uint64_t id,
                                                size_t max_bytes = 64 * 1024);

// Holds every scheduled recipient of a message: not delivered until released. Returns
// how many recipients changed (0 if none was scheduled).
MF_EXPORT Result<uint32_t> queue_hold(Context& context, uint64_t id);
// Releases a message's held recipients, due at their recorded next attempt (or now).
MF_EXPORT Result<uint32_t> queue_release(Context& context, uint64_t id);
// Removes a message and every recipient, whatever its state, without sending any DSN.
// Returns how many recipients went.
MF_EXPORT Result<uint32_t> queue_delete(Context& context, uint64_t id);

// Makes every scheduled (active or deferred) recipient due now, `step` recipients per
// write transaction so that no transaction is large. `keep_going` is asked between
// transactions (return false to stop early: at shutdown). Returns the recipients moved.
MF_EXPORT Result<uint64_t> queue_flush(Context& context, size_t step = 1000,
                                       const std::function<bool()>& keep_going = {});
// The same for one message's scheduled recipients, in one transaction.
MF_EXPORT Result<uint32_t> queue_flush_message(Context& context, uint64_t id);

// The whole queue's counters (kept in every transaction: nothing is counted by scanning).
MF_EXPORT Result<QueueCounts> queue_counts(Context& context);
// Up to `limit` destinations after `after` (by name), with their counters.
MF_EXPORT Result<std::vector<std::pair<std::string, QueueCounts>>> queue_domain_counts(
    Context& context, std::string_view after = {}, size_t limit = 1000);

}  // namespace mf

#endif  // MAILFOUNTAIN_QUEUE_ADMIN_H
