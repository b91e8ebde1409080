// dns/cache.h — answers kept for their time to live, keyed by (query name, record type).
//
// Bounded in entries, least recently used first out. Time is passed in by the caller on
// every call (a steady clock's reading), so tests move time by hand and never sleep.
//
// How long an answer is kept (CacheLimits):
//  - records (kRecords): their TTL, clamped to [min_ttl, max_ttl]. The floor keeps a
//    campaign to one domain from asking again for every message when a zone publishes
//    TTL 0; the ceiling bounds how long a changed MX goes unnoticed.
//  - negative answers (kNoData, kNxDomain): the TTL the resolver derived from the SOA of
//    the authority section (RFC 2308 §5: the smaller of the SOA's MINIMUM and its own TTL;
//    c-ares gives us the MINIMUM), clamped to [min_ttl, max_negative_ttl]; RFC 2308 §5
//    suggests a ceiling of one to three hours, the default is three.
//  - temporary failures (kTempFail): temp_fail_ttl seconds (RFC 2308 §7.1 allows up to five
//    minutes for a server failure), so a dead name server is not asked once per queued
//    message; 0 disables it.
//
// find() returns the answer with its TTL counted down to the seconds that remain.
// Names are compared byte for byte: callers pass the lower-case form without trailing dot.
// Not thread-safe: one cache belongs to one resolver on one loop.
#ifndef MF_DNS_CACHE_H
#define MF_DNS_CACHE_H

#include "dns/route.h"

#include <chrono>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace mf::dns {

struct CacheLimits {
  size_t max_entries = 10000;         // 0 disables the cache
  uint32_t min_ttl = 5;               // seconds
  uint32_t max_ttl = 86400;           // one day
  uint32_t max_negative_ttl = 10800;  // three hours (RFC 2308 §5)
  uint32_t temp_fail_ttl = 30;        // seconds a temporary failure is remembered
};

class AnswerCache {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit AnswerCache(CacheLimits limits) : limits_(limits) {}

  // The stored answer for (name, type) if it has not expired at `now`, with `ttl` set to
  // the whole seconds left (at least 1). Marks the entry as recently used.
  std::optional<Answer> find(std::string_view name, RecordType type, TimePoint now);

  // Stores the answer, replacing any older one for the same key, for the time the rules
  // above give; evicts the least recently used entries beyond max_entries. An answer whose
  // time to keep is 0 is not stored.
  void insert(std::string_view name, RecordType type, const Answer& answer, TimePoint now);

  // The seconds `answer` would be kept for.
  uint32_t keep_seconds(const Answer& answer) const;

  size_t size() const { return index_.size(); }
  void clear();

 private:
  struct Entry {
    std::string key;
    Answer answer;
    TimePoint expires;
  };
  static std::string make_key(std::string_view name, RecordType type);

  CacheLimits limits_;
  std::list<Entry> lru_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

}  // namespace mf::dns

#endif  // MF_DNS_CACHE_H
