// queue/retry_schedule.h — when a deferred recipient is tried again, and when it expires.
//
// Exponential backoff as Postfix's queue manager does it: the first retry comes
// `initial_delay` after a failure, each further one doubles the delay, up to `max_delay`.
// A recipient is tried for `max_lifetime` after its message arrived; the last retry is
// placed at the expiry time itself, so it gets one attempt then, and a failure at or after
// expiry ends it as "expired" (a bounce). Pure: the time is passed in.
#ifndef MF_QUEUE_RETRY_SCHEDULE_H
#define MF_QUEUE_RETRY_SCHEDULE_H

#include <cstdint>
#include <optional>

namespace mf::queue {

struct RetryPolicy {
  int64_t initial_delay = 5 * 60;           // seconds after the first failure
  int64_t max_delay = 4 * 60 * 60;          // the backoff stops doubling here
  int64_t max_lifetime = 5 * 24 * 60 * 60;  // from arrival to expiry
  // A recipient still deferred this long after its message arrived gets one delay notice
  // (an RFC 3464 DSN with Action: delayed) when its NOTIFY allows; 0: never.
  int64_t delay_notice_after = 0;
};

// The delay after the `attempts`-th failed attempt (attempts >= 1):
// initial_delay * 2^(attempts-1), at most max_delay.
int64_t retry_delay(const RetryPolicy& policy, uint32_t attempts);

// The next attempt after a failure at `now` that was attempt number `attempts`, for a
// recipient expiring at `expires_at`; nullopt when it has expired (now >= expires_at).
std::optional<int64_t> next_attempt_after_failure(const RetryPolicy& policy, uint32_t attempts,
                                                  int64_t now, int64_t expires_at);

}  // namespace mf::queue

#endif  // MF_QUEUE_RETRY_SCHEDULE_H
