// Unit tests of queue IDs (mta/queue_id.h): shape, order, uniqueness.
#include <doctest/doctest.h>

#include "mta/queue_id.h"

#include <string>
#include <unordered_set>

using mf::mta::QueueIdGenerator;

namespace {
constexpr int64_t kNow = 1767225600;  // 2026-01-01T00:00:00Z
}

TEST_CASE("queue IDs are 12 characters of digits and upper-case letters") {
  QueueIdGenerator gen(12345);
  for (int i = 0; i < 1000; ++i) {
    std::string id = gen.next(kNow + i / 10);
    CAPTURE(id);
    CHECK(QueueIdGenerator::is_valid(id));
  }
  CHECK_FALSE(QueueIdGenerator::is_valid("4F7K2M0001q1"));
  CHECK_FALSE(QueueIdGenerator::is_valid("4F7K2M0001"));
}

TEST_CASE("a million queue IDs from one generator are unique and strictly increasing") {
  QueueIdGenerator gen(987654321);
  std::unordered_set<std::string> seen;
  seen.reserve(1000000);
  std::string previous;
  bool increasing = true;
  // 500 IDs a second, and a burst of 100000 within one second in the middle.
  int64_t now = kNow;
  for (int i = 0; i < 1000000; ++i) {
    if (i % 500 == 0 && (i < 400000 || i >= 500000)) ++now;
    std::string id = gen.next(now);
    if (!(previous < id)) increasing = false;
    seen.insert(id);
    previous = std::move(id);
  }
  CHECK(increasing);
  CHECK(seen.size() == 1000000);
}

TEST_CASE("queue IDs keep increasing when the clock steps back") {
  QueueIdGenerator gen(1);
  std::string a = gen.next(kNow + 100);
  std::string b = gen.next(kNow);  // an NTP step back
  std::string c = gen.next(kNow + 1);
  CHECK(a < b);
  CHECK(b < c);
}

TEST_CASE("queue IDs sort in time order and differ between generators by their salt") {
  QueueIdGenerator one(1);
  QueueIdGenerator two(2);
  std::string early = one.next(kNow);
  std::string late = two.next(kNow + 1);
  CHECK(early < late);
  QueueIdGenerator again(1);
  QueueIdGenerator other(2);
  std::string x = again.next(kNow);
  std::string y = other.next(kNow);
  // Same second, same counter: only the salt (the last three characters) tells them apart.
  CHECK(x.substr(0, 9) == y.substr(0, 9));
  CHECK(x != y);
  CHECK(x == early);  // the same salt in the same second gives the same ID: hence the salt
}

TEST_CASE("a queue ID's first six characters are the seconds since 2024 in base 36") {
  QueueIdGenerator gen(0);
  CHECK(gen.next(QueueIdGenerator::kEpoch) == "000000000000");
  CHECK(gen.next(QueueIdGenerator::kEpoch + 37) == "000011000000");
  CHECK(gen.next(QueueIdGenerator::kEpoch + 37) == "000011001000");
  CHECK(gen.next(0).substr(0, 6) == "000011");  // before the epoch: the clock is wrong
}
