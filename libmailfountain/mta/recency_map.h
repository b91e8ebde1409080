// mta/recency_map.h — a map from strings to values that remembers which entry was touched
// least recently, so that the throttles can bound their memory: they drop entries from the
// old end when those have expired, and evict the oldest when the map is full.
//
// Not thread-safe; a value type, owned by the throttle that uses it.
#ifndef MF_MTA_RECENCY_MAP_H
#define MF_MTA_RECENCY_MAP_H

#include <cstddef>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace mf::mta {

template <typename V>
class RecencyMap {
 public:
  RecencyMap() = default;
  // The index points into the list's nodes, so a copy would point into the wrong list;
  // a move keeps the nodes, and so the index, valid.
  RecencyMap(const RecencyMap&) = delete;
  RecencyMap& operator=(const RecencyMap&) = delete;
  RecencyMap(RecencyMap&&) = default;
  RecencyMap& operator=(RecencyMap&&) = default;

  // The value for `key`, or nullptr; does not change the order.
  const V* find(std::string_view key) const {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &it->second->second;
  }

  // The value for `key`, created (value-initialised) if missing, made the most recent.
  V& touch(std::string_view key) {
    auto it = index_.find(key);
    if (it != index_.end()) {
      entries_.splice(entries_.begin(), entries_, it->second);
      return it->second->second;
    }
    entries_.emplace_front(std::string(key), V{});
    // The view points into the list node, which never moves while it exists.
    index_.emplace(std::string_view(entries_.front().first), entries_.begin());
    return entries_.front().second;
  }

  void erase(std::string_view key) {
    auto it = index_.find(key);
    if (it == index_.end()) return;
    auto node = it->second;
    index_.erase(it);
    entries_.erase(node);
  }

  // The least recently touched value, or nullptr when empty.
  const V* oldest() const { return entries_.empty() ? nullptr : &entries_.back().second; }

  void pop_oldest() {
    if (entries_.empty()) return;
    index_.erase(std::string_view(entries_.back().first));
    entries_.pop_back();
  }

  size_t size() const { return entries_.size(); }

 private:
  using Entries = std::list<std::pair<std::string, V>>;
  Entries entries_;  // most recent first
  std::unordered_map<std::string_view, typename Entries::iterator> index_;
};

}  // namespace mf::mta

#endif  // MF_MTA_RECENCY_MAP_H
