// Unit tests of the retry schedule (queue/retry_schedule.h).
#include <doctest/doctest.h>

#include "queue/retry_schedule.h"

using namespace mf::queue;

TEST_CASE("retry delays start at five minutes and double up to four hours") {
  RetryPolicy policy;
  CHECK(retry_delay(policy, 1) == 300);
  CHECK(retry_delay(policy, 2) == 600);
  CHECK(retry_delay(policy, 3) == 1200);
  CHECK(retry_delay(policy, 4) == 2400);
  CHECK(retry_delay(policy, 5) == 4800);
  CHECK(retry_delay(policy, 6) == 9600);
  CHECK(retry_delay(policy, 7) == 14400);
  CHECK(retry_delay(policy, 1000) == 14400);
  CHECK(retry_delay(policy, UINT32_MAX) == 14400);
}

TEST_CASE("the last retry falls on the expiry time and a failure after it expires the recipient") {
  RetryPolicy policy;
  const int64_t arrival = 1767225600;
  const int64_t expires = arrival + policy.max_lifetime;
  CHECK(next_attempt_after_failure(policy, 1, arrival, expires) == arrival + 300);
  // Close to expiry, the next attempt is placed at the expiry itself, not beyond.
  CHECK(next_attempt_after_failure(policy, 30, expires - 60, expires) == expires);
  CHECK_FALSE(next_attempt_after_failure(policy, 31, expires, expires).has_value());
  CHECK_FALSE(next_attempt_after_failure(policy, 31, expires + 1, expires).has_value());
}
