// dns/cache.cpp — the LRU answer cache of dns/cache.h.
#include "dns/cache.h"

#include <algorithm>

namespace mf::dns {

std::string AnswerCache::make_key(std::string_view name, RecordType type) {
  std::string key;
  key.reserve(name.size() + 2);
  key += static_cast<char>('0' + static_cast<int>(type));
  key += ' ';
  key += name;
  return key;
}

uint32_t AnswerCache::keep_seconds(const Answer& answer) const {
  switch (answer.outcome) {
    case Outcome::kRecords:
      return std::clamp(answer.ttl, limits_.min_ttl, std::max(limits_.min_ttl, limits_.max_ttl));
    case Outcome::kNoData:
    case Outcome::kNxDomain:
      return std::clamp(answer.ttl, limits_.min_ttl,
                        std::max(limits_.min_ttl, limits_.max_negative_ttl));
    case Outcome::kTempFail:
      return limits_.temp_fail_ttl;
  }
  return 0;
}

std::optional<Answer> AnswerCache::find(std::string_view name, RecordType type, TimePoint now) {
  auto it = index_.find(make_key(name, type));
  if (it == index_.end()) return std::nullopt;
  auto entry = it->second;
  if (now >= entry->expires) {
    lru_.erase(entry);
    index_.erase(it);
    return std::nullopt;
  }
  lru_.splice(lru_.begin(), lru_, entry);
  Answer out = entry->answer;
  auto left = std::chrono::duration_cast<std::chrono::seconds>(entry->expires - now).count();
  out.ttl = static_cast<uint32_t>(std::max<int64_t>(1, left));
  return out;
}

void AnswerCache::insert(std::string_view name, RecordType type, const Answer& answer,
                         TimePoint now) {
  if (limits_.max_entries == 0) return;
  uint32_t keep = keep_seconds(answer);
  if (keep == 0) return;
  std::string key = make_key(name, type);
  auto it = index_.find(key);
  if (it != index_.end()) {
    lru_.erase(it->second);
    index_.erase(it);
  }
  lru_.push_front(Entry{key, answer, now + std::chrono::seconds(keep)});
  index_.emplace(std::move(key), lru_.begin());
  while (index_.size() > limits_.max_entries) {
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
}

void AnswerCache::clear() {
  index_.clear();
  lru_.clear();
}

}  // namespace mf::dns
