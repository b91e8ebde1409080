// queue/retry_schedule.cpp — exponential backoff and expiry (see retry_schedule.h).
#include "queue/retry_schedule.h"

#include <algorithm>

namespace mf::queue {

int64_t retry_delay(const RetryPolicy& policy, uint32_t attempts) {
  int64_t delay = std::max<int64_t>(policy.initial_delay, 1);
  // Doubling stops at the cap; the loop is short (the cap is reached in a few steps).
  for (uint32_t i = 1; i < attempts && delay < policy.max_delay; ++i) delay *= 2;
  return std::min(delay, std::max(policy.max_delay, int64_t{1}));
}

std::optional<int64_t> next_attempt_after_failure(const RetryPolicy& policy, uint32_t attempts,
                                                  int64_t now, int64_t expires_at) {
  if (now >= expires_at) return std::nullopt;
  return std::min(now + retry_delay(policy, attempts), expires_at);
}

}  // namespace mf::queue
