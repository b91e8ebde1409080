// Unit tests of the DNS answer cache (dns/cache.h): TTLs counted down with an injected
// time, floors and ceilings, negative and temporary-failure caching, LRU bounds.
#include <doctest/doctest.h>

#include "dns/cache.h"

#include <chrono>
#include <string>

using namespace mf::dns;
using std::chrono::seconds;

namespace {

const AnswerCache::TimePoint t0{std::chrono::hours(1000)};

Answer records(uint32_t ttl) {
  Answer a;
  a.outcome = Outcome::kRecords;
  a.mx.push_back({"mx.ma-societe.fr", 10});
  a.ttl = ttl;
  return a;
}

Answer negative(Outcome o, uint32_t ttl) {
  Answer a;
  a.outcome = o;
  a.ttl = ttl;
  return a;
}

}  // namespace

TEST_CASE("a cached answer is returned until its TTL runs out, with the TTL left") {
  AnswerCache cache(CacheLimits{});
  cache.insert("ma-societe.fr", RecordType::kMx, records(300), t0);
  auto hit = cache.find("ma-societe.fr", RecordType::kMx, t0 + seconds(100));
  REQUIRE(hit.has_value());
  CHECK(hit->ttl == 200);
  CHECK(hit->mx.front().host == "mx.ma-societe.fr");
  CHECK(cache.find("ma-societe.fr", RecordType::kMx, t0 + seconds(299)).has_value());
  CHECK_FALSE(cache.find("ma-societe.fr", RecordType::kMx, t0 + seconds(300)).has_value());
  CHECK(cache.size() == 0);  // the expired entry is dropped when met
}

TEST_CASE("the record type is part of the key") {
  AnswerCache cache(CacheLimits{});
  cache.insert("mx.ma-societe.fr", RecordType::kA, records(300), t0);
  CHECK(cache.find("mx.ma-societe.fr", RecordType::kA, t0).has_value());
  CHECK_FALSE(cache.find("mx.ma-societe.fr", RecordType::kAaaa, t0).has_value());
  CHECK_FALSE(cache.find("mx.ma-societe.fr", RecordType::kMx, t0).has_value());
}

TEST_CASE("TTLs are raised to the floor and lowered to the ceiling") {
  CacheLimits limits;
  limits.min_ttl = 10;
  limits.max_ttl = 1000;
  AnswerCache cache(limits);
  cache.insert("zero.fr", RecordType::kMx, records(0), t0);
  CHECK(cache.find("zero.fr", RecordType::kMx, t0 + seconds(9)).has_value());
  CHECK_FALSE(cache.find("zero.fr", RecordType::kMx, t0 + seconds(10)).has_value());
  cache.insert("long.fr", RecordType::kMx, records(604800), t0);
  CHECK(cache.find("long.fr", RecordType::kMx, t0 + seconds(999)).has_value());
  CHECK_FALSE(cache.find("long.fr", RecordType::kMx, t0 + seconds(1000)).has_value());
}

TEST_CASE("negative answers are kept for their SOA-derived TTL, under their own ceiling") {
  CacheLimits limits;
  limits.max_negative_ttl = 3600;
  AnswerCache cache(limits);
  cache.insert("nexiste-pas.fr", RecordType::kMx, negative(Outcome::kNxDomain, 900), t0);
  auto hit = cache.find("nexiste-pas.fr", RecordType::kMx, t0 + seconds(899));
  REQUIRE(hit.has_value());
  CHECK(hit->outcome == Outcome::kNxDomain);
  CHECK_FALSE(cache.find("nexiste-pas.fr", RecordType::kMx, t0 + seconds(900)).has_value());
  cache.insert("vide.fr", RecordType::kMx, negative(Outcome::kNoData, 86400), t0);
  CHECK(cache.find("vide.fr", RecordType::kMx, t0 + seconds(3599)).has_value());
  CHECK_FALSE(cache.find("vide.fr", RecordType::kMx, t0 + seconds(3600)).has_value());
}

TEST_CASE("temporary failures are kept briefly, or not at all when disabled") {
  CacheLimits limits;
  limits.temp_fail_ttl = 30;
  AnswerCache cache(limits);
  Answer fail = negative(Outcome::kTempFail, 0);
  cache.insert("lent.fr", RecordType::kMx, fail, t0);
  CHECK(cache.find("lent.fr", RecordType::kMx, t0 + seconds(29)).has_value());
  CHECK_FALSE(cache.find("lent.fr", RecordType::kMx, t0 + seconds(30)).has_value());

  limits.temp_fail_ttl = 0;
  AnswerCache none(limits);
  none.insert("lent.fr", RecordType::kMx, fail, t0);
  CHECK(none.size() == 0);
}

TEST_CASE("the cache holds at most max_entries, evicting the least recently used") {
  CacheLimits limits;
  limits.max_entries = 2;
  AnswerCache cache(limits);
  cache.insert("a.fr", RecordType::kMx, records(300), t0);
  cache.insert("b.fr", RecordType::kMx, records(300), t0);
  CHECK(cache.find("a.fr", RecordType::kMx, t0).has_value());  // a is now the most recent
  cache.insert("c.fr", RecordType::kMx, records(300), t0);
  CHECK(cache.size() == 2);
  CHECK(cache.find("a.fr", RecordType::kMx, t0).has_value());
  CHECK_FALSE(cache.find("b.fr", RecordType::kMx, t0).has_value());
  CHECK(cache.find("c.fr", RecordType::kMx, t0).has_value());
}

TEST_CASE("inserting again replaces the answer and its expiry") {
  AnswerCache cache(CacheLimits{});
  cache.insert("a.fr", RecordType::kMx, records(100), t0);
  cache.insert("a.fr", RecordType::kMx, negative(Outcome::kNxDomain, 500), t0 + seconds(50));
  CHECK(cache.size() == 1);
  auto hit = cache.find("a.fr", RecordType::kMx, t0 + seconds(200));
  REQUIRE(hit.has_value());
  CHECK(hit->outcome == Outcome::kNxDomain);
  CHECK(hit->ttl == 350);
}

TEST_CASE("a cache of size zero stores nothing") {
  CacheLimits limits;
  limits.max_entries = 0;
  AnswerCache cache(limits);
  cache.insert("a.fr", RecordType::kMx, records(300), t0);
  CHECK_FALSE(cache.find("a.fr", RecordType::kMx, t0).has_value());
}
