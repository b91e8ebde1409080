// Unit tests of failed-login throttling (mta/auth_throttle.h): growing delays, pair and
// address lockouts, forgetting, and that no account is ever locked for every address.
#include <doctest/doctest.h>

#include "mta/auth_throttle.h"

#include <string>

using mf::AuthThrottleConfig;
using mf::mta::AuthThrottle;
using Kind = AuthThrottle::Verdict::Kind;

namespace {

constexpr int64_t kT0 = 1'000'000'000;  // an arbitrary monotonic time, in ms
constexpr const char* kIp = "203.0.113.5";
constexpr const char* kOtherIp = "198.51.100.9";
constexpr const char* kUser = "emma.durand@ma-societe.fr";

void fail(AuthThrottle& t, std::string_view ip, std::string_view login, int times, int64_t now) {
  for (int i = 0; i < times; ++i) t.record(ip, login, false, now);
}

}  // namespace

TEST_CASE("each recent failure of a pair adds a delay step, up to the maximum") {
  AuthThrottle t(AuthThrottleConfig{});  // 500 ms a step, at most 5000
  CHECK(t.check(kIp, kUser, kT0).kind == Kind::kAllow);
  CHECK(t.check(kIp, kUser, kT0).delay_ms == 0);
  fail(t, kIp, kUser, 1, kT0);
  CHECK(t.check(kIp, kUser, kT0).delay_ms == 500);
  fail(t, kIp, kUser, 2, kT0);
  CHECK(t.check(kIp, kUser, kT0).delay_ms == 1500);

  AuthThrottleConfig no_lock;
  no_lock.lockout_after = 0;
  no_lock.per_address_lockout_after = 0;
  AuthThrottle capped(no_lock);
  fail(capped, kIp, kUser, 30, kT0);
  auto v = capped.check(kIp, kUser, kT0);
  CHECK(v.kind == Kind::kAllow);
  CHECK(v.delay_ms == 5000);
}

TEST_CASE("the delay follows the pair: other logins and other addresses are not slowed") {
  AuthThrottle t(AuthThrottleConfig{});
  fail(t, kIp, kUser, 3, kT0);
  CHECK(t.check(kIp, "paul@ma-societe.fr", kT0).delay_ms == 0);
  CHECK(t.check(kOtherIp, kUser, kT0).delay_ms == 0);
}

TEST_CASE("a pair reaching lockout_after failures is locked for lockout_seconds") {
  AuthThrottle t(AuthThrottleConfig{});  // 10 failures, 900 s
  fail(t, kIp, kUser, 9, kT0);
  CHECK(t.check(kIp, kUser, kT0).kind == Kind::kAllow);
  t.record(kIp, kUser, false, kT0 + 1000);
  auto v = t.check(kIp, kUser, kT0 + 1000);
  CHECK(v.kind == Kind::kLockedPair);
  CHECK(v.retry_after == 900);
  CHECK(t.check(kIp, kUser, kT0 + 1000 + 899'500).retry_after == 1);  // rounded up
  CHECK(t.check(kIp, kUser, kT0 + 1000 + 900'000).kind == Kind::kAllow);
}

TEST_CASE("a locked pair leaves the same login free from another address") {
  AuthThrottle t(AuthThrottleConfig{});
  fail(t, kIp, kUser, 10, kT0);
  REQUIRE(t.check(kIp, kUser, kT0).kind == Kind::kLockedPair);
  auto v = t.check(kOtherIp, kUser, kT0);
  CHECK(v.kind == Kind::kAllow);
  CHECK(v.delay_ms == 0);
}

TEST_CASE("a locked pair leaves other logins from the same address free until the address limit") {
  AuthThrottleConfig c;
  c.per_address_lockout_after = 15;
  AuthThrottle t(c);
  fail(t, kIp, kUser, 10, kT0);
  REQUIRE(t.check(kIp, kUser, kT0).kind == Kind::kLockedPair);
  CHECK(t.check(kIp, "paul@ma-societe.fr", kT0).kind == Kind::kAllow);
  fail(t, kIp, "paul@ma-societe.fr", 4, kT0);  // 14 from this address
  CHECK(t.check(kIp, "paul@ma-societe.fr", kT0).kind == Kind::kAllow);
  t.record(kIp, "lea@ma-societe.fr", false, kT0);  // the 15th, with yet another login
  auto v = t.check(kIp, "zoe@ma-societe.fr", kT0);
  CHECK(v.kind == Kind::kLockedAddress);
  CHECK(v.retry_after == 900);
  // The address lock is the address's alone.
  CHECK(t.check(kOtherIp, "zoe@ma-societe.fr", kT0).kind == Kind::kAllow);
}

TEST_CASE("logins and addresses are compared without regard to letter case") {
  AuthThrottle t(AuthThrottleConfig{});
  fail(t, "2001:DB8::1", "Emma.Durand@Ma-Societe.FR", 10, kT0);
  CHECK(t.check("2001:db8::1", "emma.durand@ma-societe.fr", kT0).kind == Kind::kLockedPair);
}

TEST_CASE("a success clears the pair's failures but not the address's") {
  AuthThrottleConfig c;
  c.per_address_lockout_after = 12;
  AuthThrottle t(c);
  fail(t, kIp, kUser, 9, kT0);
  t.record(kIp, kUser, true, kT0);
  CHECK(t.check(kIp, kUser, kT0).delay_ms == 0);
  fail(t, kIp, kUser, 2, kT0);
  CHECK(t.check(kIp, kUser, kT0).kind == Kind::kAllow);  // 2 for the pair, 11 for the address
  t.record(kIp, "paul@ma-societe.fr", false, kT0);       // the address's 12th
  CHECK(t.check(kIp, kUser, kT0).kind == Kind::kLockedAddress);
}

TEST_CASE("failures older than the window are forgotten") {
  AuthThrottle t(AuthThrottleConfig{});  // window 3600 s
  fail(t, kIp, kUser, 9, kT0);
  int64_t later = kT0 + 3600'000;
  CHECK(t.check(kIp, kUser, later).delay_ms == 0);
  t.record(kIp, kUser, false, later);  // one recent failure, not the tenth
  auto v = t.check(kIp, kUser, later);
  CHECK(v.kind == Kind::kAllow);
  CHECK(v.delay_ms == 500);
}

TEST_CASE("after a lockout the next failure within the window locks again") {
  AuthThrottle t(AuthThrottleConfig{});
  fail(t, kIp, kUser, 10, kT0);
  int64_t after = kT0 + 900'000;
  REQUIRE(t.check(kIp, kUser, after).kind == Kind::kAllow);
  CHECK(t.check(kIp, kUser, after).delay_ms == 5000);
  t.record(kIp, kUser, false, after);
  CHECK(t.check(kIp, kUser, after).kind == Kind::kLockedPair);
}

TEST_CASE("memory stays bounded: the oldest entries are evicted beyond the maximum") {
  AuthThrottle t(AuthThrottleConfig{}, 100);
  for (int i = 0; i < 1000; ++i) {
    t.record("192.0.2." + std::to_string(i % 250), "user" + std::to_string(i), false, kT0 + i);
  }
  CHECK(t.tracked_pairs() == 100);
  CHECK(t.tracked_addresses() == 100);
  CHECK(t.check("192.0.2.0", "user0", kT0 + 1000).delay_ms == 0);        // evicted
  CHECK(t.check("192.0.2.249", "user999", kT0 + 1000).delay_ms == 500);  // kept
}

TEST_CASE("expired entries are dropped as record meets them") {
  AuthThrottle t(AuthThrottleConfig{});
  for (int i = 0; i < 50; ++i) t.record("192.0.2." + std::to_string(i), kUser, false, kT0);
  CHECK(t.tracked_pairs() == 50);
  t.record(kIp, kUser, false, kT0 + 3600'000);
  CHECK(t.tracked_pairs() == 1);
  CHECK(t.tracked_addresses() == 1);
}

TEST_CASE("a locked entry outlives its window until its lock ends") {
  AuthThrottleConfig c;
  c.window_seconds = 60;
  c.lockout_seconds = 600;
  AuthThrottle t(c);
  fail(t, kIp, kUser, 10, kT0);
  t.record(kOtherIp, "someone", false, kT0 + 120'000);  // prunes what has expired
  CHECK(t.check(kIp, kUser, kT0 + 120'000).kind == Kind::kLockedPair);
}

TEST_CASE("reconfigure applies new limits to the failures already remembered") {
  AuthThrottle t(AuthThrottleConfig{});
  fail(t, kIp, kUser, 4, kT0);
  CHECK(t.check(kIp, kUser, kT0).delay_ms == 2000);
  AuthThrottleConfig c;
  c.delay_step_ms = 100;
  c.lockout_after = 5;
  t.reconfigure(c);
  CHECK(t.check(kIp, kUser, kT0).delay_ms == 400);
  t.record(kIp, kUser, false, kT0);
  CHECK(t.check(kIp, kUser, kT0).kind == Kind::kLockedPair);
}
