// mta/auth_throttle.cpp — failed-login throttling (see auth_throttle.h).
#include "mta/auth_throttle.h"

#include "base/text.h"

#include <algorithm>

namespace mf::mta {

namespace {

constexpr size_t kMaxRemembered = 1000;

std::string pair_key(std::string_view ip, std::string_view login) {
  // NUL cannot occur in an address text, so the key cannot be read two ways.
  std::string key = ascii_lower(ip);
  key.push_back('\0');
  key += ascii_lower(login);
  return key;
}

uint32_t seconds_until(int64_t until_ms, int64_t now_ms) {
  int64_t s = (until_ms - now_ms + 999) / 1000;
  return static_cast<uint32_t>(std::clamp<int64_t>(s, 1, UINT32_MAX));
}

}  // namespace

AuthThrottle::AuthThrottle(const AuthThrottleConfig& config, size_t max_entries)
    : config_(config), max_entries_(std::max<size_t>(max_entries, 1)) {}

void AuthThrottle::reconfigure(const AuthThrottleConfig& config) {
  config_ = config;
}

int64_t AuthThrottle::window_ms() const {
  return int64_t{config_.window_seconds} * 1000;
}

uint32_t AuthThrottle::recent(const Failures& f, int64_t now_ms) const {
  int64_t horizon = now_ms - window_ms();
  return static_cast<uint32_t>(
      std::count_if(f.times.begin(), f.times.end(), [&](int64_t t) { return t > horizon; }));
}

bool AuthThrottle::expired(const Failures& f, int64_t now_ms) const {
  return f.locked_until_ms <= now_ms && f.last_ms <= now_ms - window_ms();
}

AuthThrottle::Verdict AuthThrottle::check(std::string_view ip, std::string_view login,
                                          int64_t now_ms) const {
  Verdict v;
  if (const Failures* a = addresses_.find(ascii_lower(ip)); a && a->locked_until_ms > now_ms) {
    v.kind = Verdict::Kind::kLockedAddress;
    v.retry_after = seconds_until(a->locked_until_ms, now_ms);
    return v;
  }
  const Failures* p = pairs_.find(pair_key(ip, login));
  if (p == nullptr) return v;
  if (p->locked_until_ms > now_ms) {
    v.kind = Verdict::Kind::kLockedPair;
    v.retry_after = seconds_until(p->locked_until_ms, now_ms);
    return v;
  }
  uint64_t delay = uint64_t{config_.delay_step_ms} * recent(*p, now_ms);
  v.delay_ms = static_cast<uint32_t>(std::min<uint64_t>(delay, config_.max_delay_ms));
  return v;
}

void AuthThrottle::add_failure(Failures& f, uint32_t threshold, size_t keep, int64_t now_ms) const {
  int64_t horizon = now_ms - window_ms();
  std::erase_if(f.times, [&](int64_t t) { return t <= horizon; });
  f.times.push_back(now_ms);
  keep = std::clamp<size_t>(keep, 1, kMaxRemembered);
  if (f.times.size() > keep) f.times.erase(f.times.begin(), f.times.end() - keep);
  f.last_ms = std::max(f.last_ms, now_ms);
  if (threshold > 0 && f.times.size() >= std::min<size_t>(threshold, kMaxRemembered)) {
    int64_t until = now_ms + int64_t{config_.lockout_seconds} * 1000;
    f.locked_until_ms = std::max(f.locked_until_ms, until);
  }
}

void AuthThrottle::prune(RecencyMap<Failures>& map, int64_t now_ms) const {
  // The oldest entries are those whose last failure is oldest: stop at the first live one.
  while (map.oldest() != nullptr && expired(*map.oldest(), now_ms)) map.pop_oldest();
  while (map.size() > max_entries_) map.pop_oldest();
}

void AuthThrottle::record(std::string_view ip, std::string_view login, bool success,
                          int64_t now_ms) {
  std::string key = pair_key(ip, login);
  if (success) {
    pairs_.erase(key);
  } else {
    // Enough failures are kept for the delay to reach its cap and for the lock threshold.
    size_t delay_steps = 0;
    if (config_.delay_step_ms > 0) {
      delay_steps = (config_.max_delay_ms + config_.delay_step_ms - 1) / config_.delay_step_ms;
    }
    add_failure(pairs_.touch(key), config_.lockout_after,
                std::max<size_t>(config_.lockout_after, delay_steps), now_ms);
    add_failure(addresses_.touch(ascii_lower(ip)), config_.per_address_lockout_after,
                config_.per_address_lockout_after, now_ms);
  }
  prune(pairs_, now_ms);
  prune(addresses_, now_ms);
}

}  // namespace mf::mta
