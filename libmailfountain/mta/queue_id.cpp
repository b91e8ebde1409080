// mta/queue_id.cpp — Postfix-style queue IDs (see queue_id.h).
#include "mta/queue_id.h"

#include <algorithm>

namespace mf::mta {

namespace {

constexpr char kDigits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
constexpr int64_t kSecondsSpan = 2176782336;  // 36^6
constexpr int64_t kCounterSpan = 46656;       // 36^3

// Appends `value` (0 <= value < 36^width) in base 36, `width` digits, leading zeros kept.
void append_base36(std::string& out, int64_t value, int width) {
  size_t start = out.size();
  out.append(static_cast<size_t>(width), '0');
  for (int i = width - 1; i >= 0; --i) {
    out[start + static_cast<size_t>(i)] = kDigits[value % 36];
    value /= 36;
  }
}

}  // namespace

QueueIdGenerator::QueueIdGenerator(uint64_t salt)
    : salt_(static_cast<int64_t>(salt % kCounterSpan)) {}

std::string QueueIdGenerator::next(int64_t now) {
  int64_t second = std::max<int64_t>(now - kEpoch, 0);
  if (second > second_) {
    second_ = second;
    counter_ = 0;
  } else if (++counter_ == kCounterSpan) {
    // This second is used up (or the clock went back): borrow the next one.
    ++second_;
    counter_ = 0;
  }
  std::string id;
  id.reserve(kLength);
  append_base36(id, second_ % kSecondsSpan, 6);
  append_base36(id, counter_, 3);
  append_base36(id, salt_, 3);
  return id;
}

bool QueueIdGenerator::is_valid(std::string_view id) {
  if (id.size() != kLength) return false;
  return std::all_of(id.begin(), id.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'); });
}

}  // namespace mf::mta
