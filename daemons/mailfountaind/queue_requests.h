// mailfountaind/queue_requests.h — the `queue ...` requests of the control socket: parsing
// a request line (pure) and running it against the data directory's outbound queue
// (mailfountain/queue_admin.h), with its JSON reply (docs/mailfountaind.md).
//
//   queue list [--domain D] [--after ID] [--limit N] [--recipients N]
//   queue show ID
//   queue hold ID | queue release ID | queue delete ID
//   queue flush [ID]
//   queue counts
//
// ID is a message id (digits) or a queue ID (12 characters of [0-9A-Z]). Words are
// separated by spaces; every option takes one value. Anything else — an unknown verb or
// option, a missing or extra argument, a malformed number — is refused naming it.
//
// Threading: parse_queue_request is pure. run_queue_request blocks on LMDB (and on disk
// syncs for writes): the control server runs it on a thread of its own.
#ifndef MAILFOUNTAIND_QUEUE_REQUESTS_H
#define MAILFOUNTAIND_QUEUE_REQUESTS_H

#include <mailfountain/status.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mf {
class Context;
}

namespace mailfountaind {

enum class QueueVerb { kList, kShow, kHold, kRelease, kDelete, kFlush, kCounts };

inline constexpr size_t kDefaultQueueListLimit = 100;
inline constexpr size_t kMaxQueueListLimit = 1000;
inline constexpr size_t kDefaultQueueListRecipients = 20;
inline constexpr size_t kMaxQueueListRecipients = 1000;
// `show` lists at most this many recipients (a campaign can have 300,000): the reply is
// one line held in memory. The counts always cover all of them.
inline constexpr size_t kMaxShowRecipients = 1000;

struct QueueRequest {
  QueueVerb verb = QueueVerb::kCounts;
  std::string id;  // as given; empty for list, counts and a flush of the whole queue
  // list only
  std::string domain;
  uint64_t after = 0;
  size_t limit = kDefaultQueueListLimit;
  size_t recipients = kDefaultQueueListRecipients;
};

// Whether `request` is a queue request (its first word is "queue").
bool is_queue_request(std::string_view request);

// Parses a queue request line (without its line ending). kInvalidArgument naming the
// unknown verb or option, the missing or extra argument, or the malformed value.
mf::Result<QueueRequest> parse_queue_request(std::string_view request);

// What a queue request produced: the reply, and whether it may have made recipients due
// (flush, release), so that the delivery engine is woken.
struct QueueReply {
  nlohmann::ordered_json body;
  bool queue_changed = false;
};

// Runs `request` (a whole line) on `context`'s queue. Never fails: a refused or failed
// request gives {"error": MESSAGE, "code": CODE} with the library's code name
// ("not_found", "invalid_argument", ...). A flush of the whole queue stops early when
// `stopping` turns true (the daemon is shutting down).
QueueReply run_queue_request(mf::Context& context, std::string_view request,
                             const std::atomic<bool>& stopping);

// The error reply for `status`.
nlohmann::ordered_json queue_error(const mf::Status& status);

}  // namespace mailfountaind

#endif  // MAILFOUNTAIND_QUEUE_REQUESTS_H
