// Unit tests of the per-destination delivery scheduler (outbound/destination_scheduler.h).
// Times are milliseconds on a made-up clock starting at 0.
#include <doctest/doctest.h>

#include "outbound/destination_scheduler.h"

#include <algorithm>
#include <string>
#include <vector>

using namespace mf::outbound;
using Outcome = DestinationScheduler::Outcome;

namespace {

SchedulerConfig config_with(DestinationLimits limits, uint32_t max_total = 200) {
  SchedulerConfig config;
  config.defaults = limits;
  config.max_total_connections = max_total;
  return config;
}

// Opens connections until the scheduler says no; returns the destinations in order.
std::vector<std::string> open_all(DestinationScheduler& s, int64_t now) {
  std::vector<std::string> opened;
  while (auto dest = s.next_connection(now)) opened.push_back(*dest);
  return opened;
}

uint32_t window_of(const DestinationScheduler& s, std::string_view dest, int64_t now) {
  auto snap = s.snapshot(dest, now);
  REQUIRE(snap.has_value());
  return snap->window;
}

}  // namespace

TEST_CASE(
    "slow start opens the initial window, grows it by one per delivered message, and stops "
    "at the maximum") {
  DestinationLimits limits;
  limits.initial_connections = 3;
  limits.max_connections = 8;
  DestinationScheduler s(config_with(limits));
  s.set_pending("example.com", true);

  CHECK(open_all(s, 0) == std::vector<std::string>(3, "example.com"));
  CHECK(s.active_total() == 3);
  CHECK(window_of(s, "example.com", 0) == 3);

  s.message_done("example.com", true, 10);
  CHECK(window_of(s, "example.com", 10) == 4);
  CHECK(open_all(s, 10).size() == 1);

  // A message that was not delivered (5xx) says nothing about the destination.
  s.message_done("example.com", false, 20);
  CHECK(window_of(s, "example.com", 20) == 4);

  for (int i = 0; i < 20; ++i) s.message_done("example.com", true, 30);
  CHECK(window_of(s, "example.com", 30) == 8);
  CHECK(open_all(s, 30).size() == 4);
  CHECK(s.snapshot("example.com", 30)->active == 8);
  CHECK_FALSE(s.next_connection(40).has_value());
}

TEST_CASE("throttling halves the window down to one and delivered messages grow it back") {
  DestinationLimits limits;
  limits.initial_connections = 8;
  limits.max_connections = 8;
  limits.failures_before_dead = 0;  // never dead: this test is about the window alone
  DestinationScheduler s(config_with(limits));
  s.set_pending("example.com", true);
  CHECK(open_all(s, 0).size() == 8);

  s.connection_done("example.com", Outcome::kThrottled, 100);
  CHECK(window_of(s, "example.com", 100) == 4);
  s.connection_done("example.com", Outcome::kFailed, 110);
  CHECK(window_of(s, "example.com", 110) == 2);
  s.connection_done("example.com", Outcome::kThrottled, 120);
  s.connection_done("example.com", Outcome::kThrottled, 130);
  CHECK(window_of(s, "example.com", 130) == 1);
  CHECK(s.snapshot("example.com", 130)->consecutive_failures == 4);
  // Four connections are still open, above the window: no new one.
  CHECK(s.snapshot("example.com", 130)->active == 4);
  CHECK_FALSE(s.next_connection(130).has_value());

  s.message_done("example.com", true, 140);
  CHECK(window_of(s, "example.com", 140) == 2);
  CHECK(s.snapshot("example.com", 140)->consecutive_failures == 0);
  for (int i = 0; i < 3; ++i) s.connection_done("example.com", Outcome::kOk, 150);
  CHECK(s.snapshot("example.com", 150)->active == 1);
  CHECK(open_all(s, 150).size() == 1);
  for (int i = 0; i < 10; ++i) s.message_done("example.com", true, 160);
  CHECK(window_of(s, "example.com", 160) == 8);
}

TEST_CASE(
    "failures in a row make a destination dead until the dead time passes, then one probe "
    "connection is allowed") {
  DestinationLimits limits;
  limits.failures_before_dead = 3;
  limits.dead_time_ms = 60000;
  DestinationScheduler s(config_with(limits));
  s.set_pending("dead.example", true);
  s.set_pending("alive.example", true);
  CHECK(open_all(s, 0).size() == 10);  // 5 each

  s.connection_done("dead.example", Outcome::kFailed, 1000);
  s.connection_done("dead.example", Outcome::kFailed, 1000);
  CHECK_FALSE(s.snapshot("dead.example", 1000)->dead_until.has_value());
  s.connection_done("dead.example", Outcome::kThrottled, 1000);
  auto snap = s.snapshot("dead.example", 1000);
  CHECK(snap->dead_until == 61000);
  CHECK(snap->window == 0);
  CHECK(snap->consecutive_failures == 3);

  // Its last two connections end; no new one opens while it is dead, and the others go on.
  s.connection_done("dead.example", Outcome::kFailed, 2000);
  s.connection_done("dead.example", Outcome::kFailed, 2000);
  s.connection_done("alive.example", Outcome::kOk, 2000);
  CHECK(open_all(s, 2000) == std::vector<std::string>{"alive.example"});
  CHECK(s.next_wakeup(2000) == 61000);
  CHECK_FALSE(s.next_connection(60999).has_value());
  CHECK(s.snapshot("dead.example", 60999)->active == 0);

  // The dead time is over: exactly one probe.
  CHECK(open_all(s, 61000) == std::vector<std::string>{"dead.example"});
  CHECK(s.snapshot("dead.example", 61000)->probing);
  CHECK_FALSE(s.next_connection(62000).has_value());

  // A failed probe makes it dead again at once, for another dead time.
  s.connection_done("dead.example", Outcome::kFailed, 62000);
  CHECK(s.snapshot("dead.example", 62000)->dead_until == 122000);
  CHECK_FALSE(s.next_connection(121999).has_value());

  // A probe that delivers revives it; it grows again from a window of one.
  CHECK(open_all(s, 122000) == std::vector<std::string>{"dead.example"});
  s.message_done("dead.example", true, 122500);
  snap = s.snapshot("dead.example", 122500);
  CHECK_FALSE(snap->probing);
  CHECK_FALSE(snap->dead_until.has_value());
  CHECK(snap->consecutive_failures == 0);
  CHECK(snap->window == 2);
  CHECK(open_all(s, 122500) == std::vector<std::string>{"dead.example"});
}

TEST_CASE("a success between failures resets the count, so the destination stays alive") {
  DestinationLimits limits;
  limits.failures_before_dead = 3;
  DestinationScheduler s(config_with(limits));
  s.set_pending("example.com", true);
  CHECK(open_all(s, 0).size() == 5);
  s.connection_done("example.com", Outcome::kFailed, 1);
  s.connection_done("example.com", Outcome::kFailed, 2);
  s.connection_done("example.com", Outcome::kOk, 3);
  s.connection_done("example.com", Outcome::kFailed, 4);
  s.connection_done("example.com", Outcome::kFailed, 5);
  auto snap = s.snapshot("example.com", 5);
  CHECK_FALSE(snap->dead_until.has_value());
  CHECK(snap->consecutive_failures == 2);
  CHECK(s.next_connection(6).has_value());
}

TEST_CASE("a message delivered on a connection opened before the destination died revives it") {
  DestinationLimits limits;
  limits.failures_before_dead = 2;
  limits.dead_time_ms = 60000;
  DestinationScheduler s(config_with(limits));
  s.set_pending("example.com", true);
  CHECK(open_all(s, 0).size() == 5);
  s.connection_done("example.com", Outcome::kFailed, 10);
  s.connection_done("example.com", Outcome::kFailed, 10);
  CHECK(s.snapshot("example.com", 10)->dead_until == 60010);
  CHECK_FALSE(s.next_connection(20).has_value());
  // Failures of connections opened earlier do not extend the dead time.
  s.connection_done("example.com", Outcome::kFailed, 30);
  CHECK(s.snapshot("example.com", 30)->dead_until == 60010);

  s.message_done("example.com", true, 40);
  auto snap = s.snapshot("example.com", 40);
  CHECK_FALSE(snap->dead_until.has_value());
  CHECK(snap->consecutive_failures == 0);
  CHECK(snap->window == 2);
  // Two connections are still open, as many as the window: one more when one ends.
  CHECK_FALSE(s.next_connection(40).has_value());
  s.connection_done("example.com", Outcome::kOk, 50);
  CHECK(s.next_connection(50) == "example.com");
}

TEST_CASE("a rate of 60 per minute allows one message a second, at exact times, without bursts") {
  DestinationLimits limits;
  limits.messages_per_minute = 60;
  DestinationScheduler s(config_with(limits));
  s.set_pending("example.com", true);

  // One connection is enough for one message a second.
  CHECK(open_all(s, 0) == std::vector<std::string>{"example.com"});
  CHECK(s.may_send("example.com", 0));
  CHECK_FALSE(s.may_send("example.com", 1));
  CHECK(s.send_allowed_at("example.com", 1) == 1000);
  CHECK(s.next_wakeup(1) == 1000);
  CHECK_FALSE(s.may_send("example.com", 999));
  CHECK(s.may_send("example.com", 1000));
  CHECK_FALSE(s.may_send("example.com", 1500));
  CHECK(s.may_send("example.com", 2000));
  // Sent late: the next one is a second after that, not earlier to catch up.
  CHECK(s.may_send("example.com", 5000));
  CHECK_FALSE(s.may_send("example.com", 5999));
  CHECK(s.send_allowed_at("example.com", 5999) == 6000);
  CHECK(s.may_send("example.com", 6000));

  // Without a rate limit every message may go.
  DestinationScheduler free_scheduler(config_with(DestinationLimits{}));
  free_scheduler.set_pending("example.com", true);
  for (int i = 0; i < 1000; ++i) CHECK(free_scheduler.may_send("example.com", 0));
}

TEST_CASE("a rate that does not divide a minute keeps its exact spacing without drift") {
  DestinationLimits limits;
  limits.messages_per_minute = 7;  // one every 8571.43 ms
  DestinationScheduler s(config_with(limits));
  s.set_pending("example.com", true);
  CHECK(s.may_send("example.com", 0));
  const int64_t expected[] = {8572, 17143, 25715, 34286, 42858, 51429, 60000};
  for (int64_t at : expected) {
    CHECK(s.send_allowed_at("example.com", 0) == at);
    CHECK_FALSE(s.may_send("example.com", at - 1));
    CHECK(s.may_send("example.com", at));
  }
}

TEST_CASE("a rate-limited destination opens no connection while its budget is spent") {
  DestinationLimits limits;
  limits.messages_per_minute = 60;
  DestinationScheduler s(config_with(limits));
  s.set_pending("example.com", true);
  CHECK(s.next_connection(0) == "example.com");
  CHECK(s.may_send("example.com", 0));
  s.connection_done("example.com", Outcome::kOk, 10);
  CHECK_FALSE(s.next_connection(10).has_value());
  CHECK(s.next_wakeup(10) == 1000);
  CHECK(s.next_connection(1000) == "example.com");

  // 600 a minute: ten connections at most, whatever the window.
  DestinationLimits faster;
  faster.messages_per_minute = 600;
  faster.initial_connections = 20;
  DestinationScheduler f(config_with(faster));
  f.set_pending("example.com", true);
  CHECK(open_all(f, 0).size() == 10);
}

TEST_CASE(
    "the rate's spacing holds across connections when the work comes one message at a "
    "time") {
  DestinationLimits limits;
  limits.messages_per_minute = 120;
  DestinationScheduler s(config_with(limits));
  // One message, one connection, then nothing pending: the destination goes idle.
  s.set_pending("example.com", true);
  CHECK(s.next_connection(0) == "example.com");
  CHECK(s.may_send("example.com", 0));
  s.set_pending("example.com", false);
  s.connection_done("example.com", Outcome::kOk, 5);
  // The next message arrives 20 ms later: it must still wait for its turn at 500 ms.
  s.set_pending("example.com", true);
  CHECK_FALSE(s.next_connection(20).has_value());
  CHECK(s.next_wakeup(20) == 500);
  CHECK(s.next_connection(500) == "example.com");
  CHECK(s.may_send("example.com", 500));
  CHECK_FALSE(s.may_send("example.com", 600));
  s.set_pending("example.com", false);
  s.connection_done("example.com", Outcome::kOk, 600);
  // Once its turn has passed, the idle destination is forgotten (the line is walked once,
  // then the memory's end is swept).
  CHECK_FALSE(s.next_connection(2000).has_value());
  CHECK_FALSE(s.next_connection(2001).has_value());
  CHECK(s.tracked() == 0);
}

TEST_CASE("round robin alternates between destinations even when one has far more work") {
  DestinationScheduler s(config_with(DestinationLimits{}));
  s.set_pending("big.example", true);
  s.set_pending("small.example", true);
  std::vector<std::string> order = open_all(s, 0);
  const std::vector<std::string> expected = {
      "big.example",   "small.example", "big.example",   "small.example", "big.example",
      "small.example", "big.example",   "small.example", "big.example",   "small.example"};
  CHECK(order == expected);

  // Connections end in any order; each destination gets its turn in the line again.
  for (int i = 0; i < 3; ++i) {
    s.connection_done("big.example", Outcome::kOk, 10);
    s.connection_done("small.example", Outcome::kOk, 10);
  }
  order = open_all(s, 10);
  REQUIRE(order.size() == 6);
  for (size_t i = 1; i < order.size(); ++i) CHECK(order[i] != order[i - 1]);
}

TEST_CASE("a slow destination holding all its connections does not hold up the others") {
  DestinationScheduler s(config_with(DestinationLimits{}));
  s.set_pending("slow.example", true);
  s.set_pending("fast.example", true);
  CHECK(open_all(s, 0).size() == 10);
  // The slow destination's five connections never end; the fast one's keep ending.
  for (int i = 0; i < 100; ++i) {
    s.connection_done("fast.example", Outcome::kOk, i);
    CHECK(s.next_connection(i) == "fast.example");
  }
  CHECK(s.snapshot("slow.example", 100)->active == 5);
}

TEST_CASE("the global limit caps the total of open connections over all destinations") {
  DestinationScheduler s(config_with(DestinationLimits{}, 7));
  for (std::string d : {"a.example", "b.example", "c.example"}) s.set_pending(d, true);
  CHECK(open_all(s, 0).size() == 7);
  CHECK(s.active_total() == 7);
  s.connection_done("a.example", Outcome::kOk, 1);
  CHECK(s.active_total() == 6);
  CHECK(open_all(s, 1).size() == 1);
  CHECK(s.active_total() == 7);
}

TEST_CASE("idle destinations are forgotten at once, failed ones when their memory ends") {
  DestinationLimits limits;
  limits.dead_time_ms = 300000;
  DestinationScheduler s(config_with(limits));

  // A campaign to many domains, every one delivered.
  for (int i = 0; i < 1000; ++i) s.set_pending("d" + std::to_string(i) + ".example", true);
  CHECK(s.tracked() == 1000);
  for (int i = 0; i < 1000; ++i) {
    auto dest = s.next_connection(0);
    REQUIRE(dest.has_value());
    s.message_done(*dest, true, 1);
    s.connection_done(*dest, Outcome::kOk, 2);
    s.set_pending(*dest, false);
  }
  CHECK_FALSE(s.next_connection(3).has_value());
  CHECK(s.tracked() == 0);

  // A destination that failed is remembered for the dead time after its failure.
  s.set_pending("failed.example", true);
  REQUIRE(s.next_connection(1000) == "failed.example");
  s.connection_done("failed.example", Outcome::kFailed, 1000);
  s.set_pending("failed.example", false);
  CHECK_FALSE(s.next_connection(2000).has_value());
  CHECK(s.tracked() == 1);
  CHECK(s.snapshot("failed.example", 2000)->window == 2);
  CHECK_FALSE(s.next_connection(300999).has_value());
  CHECK(s.tracked() == 1);
  CHECK_FALSE(s.next_connection(301000).has_value());
  CHECK(s.tracked() == 0);

  // Forgotten, it starts again from the defaults.
  s.set_pending("failed.example", true);
  CHECK(window_of(s, "failed.example", 302000) == 5);
}

TEST_CASE("a dead destination is remembered until its dead time ends even without work") {
  DestinationLimits limits;
  limits.failures_before_dead = 1;
  limits.dead_time_ms = 60000;
  DestinationScheduler s(config_with(limits));
  s.set_pending("dead.example", true);
  REQUIRE(s.next_connection(0) == "dead.example");
  s.connection_done("dead.example", Outcome::kFailed, 0);
  s.set_pending("dead.example", false);
  CHECK_FALSE(s.next_wakeup(0).has_value());  // no work waits for it

  // Work comes back during the dead time: it waits.
  s.set_pending("dead.example", true);
  CHECK_FALSE(s.next_connection(30000).has_value());
  CHECK(s.snapshot("dead.example", 30000)->dead_until == 60000);
  CHECK(s.next_wakeup(30000) == 60000);
  s.set_pending("dead.example", false);
  CHECK_FALSE(s.next_connection(59999).has_value());
  CHECK(s.tracked() == 1);
  CHECK_FALSE(s.next_connection(60000).has_value());
  CHECK(s.tracked() == 0);
}

TEST_CASE("next_wakeup gives the earliest time something blocked becomes possible") {
  DestinationLimits limits;
  limits.initial_connections = 1;
  limits.failures_before_dead = 1;
  limits.dead_time_ms = 60000;
  SchedulerConfig config = config_with(limits);
  DestinationLimits rated = limits;
  rated.messages_per_minute = 60;
  config.overrides["rated.example"] = rated;
  DestinationScheduler s(std::move(config));
  CHECK_FALSE(s.next_wakeup(0).has_value());

  s.set_pending("dead.example", true);
  s.set_pending("rated.example", true);
  CHECK(open_all(s, 0).size() == 2);
  CHECK_FALSE(s.next_wakeup(0).has_value());  // blocked only by windows and connections
  s.connection_done("dead.example", Outcome::kFailed, 1000);
  CHECK(s.next_connection(1000) == std::nullopt);
  CHECK(s.next_wakeup(1000) == 61000);

  CHECK(s.may_send("rated.example", 1000));
  CHECK_FALSE(s.may_send("rated.example", 1500));
  CHECK(s.next_wakeup(1500) == 2000);
  // Due already: now.
  CHECK(s.next_wakeup(2500) == 2500);
  CHECK(s.may_send("rated.example", 2500));
  CHECK_FALSE(s.next_connection(2500).has_value());
  CHECK(s.next_wakeup(2500) == 61000);

  s.set_pending("dead.example", false);
  CHECK_FALSE(s.next_wakeup(2600).has_value());
}

TEST_CASE("overrides replace the defaults for their destination, matched in lower case") {
  SchedulerConfig config;
  DestinationLimits small;
  small.messages_per_connection = 10;
  small.initial_connections = 2;
  small.max_connections = 2;
  config.overrides["Slow.Example"] = small;
  DestinationScheduler s(std::move(config));
  CHECK(s.messages_per_connection("slow.example") == 10);
  CHECK(s.messages_per_connection("other.example") == 100);
  s.set_pending("slow.example", true);
  CHECK(open_all(s, 0).size() == 2);
}

TEST_CASE("a sending lane of a destination is scheduled on its own with the domain's limits") {
  SchedulerConfig config;
  DestinationLimits small;
  small.initial_connections = 1;
  small.max_connections = 1;
  small.messages_per_connection = 7;
  config.overrides["slow.example"] = small;
  DestinationScheduler s(std::move(config));
  CHECK(s.messages_per_connection("slow.example/ma-societe.fr") == 7);
  s.set_pending("slow.example", true);
  s.set_pending("slow.example/ma-societe.fr", true);
  // One connection each: the lane has its own window, limited like its domain.
  auto opened = open_all(s, 0);
  CHECK(opened.size() == 2);
  CHECK(std::count(opened.begin(), opened.end(), "slow.example/ma-societe.fr") == 1);
  // A failure of the domain's connection does not shrink the lane's window.
  s.connection_done("slow.example", Outcome::kFailed, 10);
  CHECK(s.snapshot("slow.example", 10)->consecutive_failures == 1);
  CHECK(s.snapshot("slow.example/ma-societe.fr", 10)->consecutive_failures == 0);
}

TEST_CASE(
    "reports about unknown destinations or connections that were never opened change "
    "nothing") {
  DestinationScheduler s(config_with(DestinationLimits{}));
  s.connection_done("unknown.example", Outcome::kFailed, 0);
  s.message_done("unknown.example", true, 0);
  CHECK(s.may_send("unknown.example", 0));
  CHECK(s.tracked() == 0);
  s.set_pending("example.com", true);
  s.connection_done("example.com", Outcome::kFailed, 0);  // none open
  CHECK(s.active_total() == 0);
  CHECK(s.snapshot("example.com", 0)->consecutive_failures == 0);
  CHECK(s.snapshots(0).size() == 1);
}
