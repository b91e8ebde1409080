// mta/sending_limiter.cpp — per-account sending limits (see sending_limiter.h).
#include "mta/sending_limiter.h"

#include "base/text.h"

#include <fmt/format.h>

namespace mf::mta {

namespace {

constexpr int64_t kBuckets = 60;

// Minutes and bucket indexes that stay right for times before the epoch too.
int64_t minute_of(int64_t seconds) {
  int64_t m = seconds / 60;
  return (seconds % 60 < 0) ? m - 1 : m;
}
size_t bucket_of(int64_t minute) {
  int64_t b = minute % kBuckets;
  return static_cast<size_t>(b < 0 ? b + kBuckets : b);
}

std::map<std::string, SendingLimits> lower_keys(const std::map<std::string, SendingLimits>& in) {
  std::map<std::string, SendingLimits> out;
  for (const auto& [key, limits] : in) out[ascii_lower(key)] = limits;
  return out;
}

}  // namespace

SendingLimiter::SendingLimiter(const ServerConfig& config) {
  reconfigure(config);
}

void SendingLimiter::reconfigure(const ServerConfig& config) {
  default_ = config.sending;
  per_domain_ = lower_keys(config.sending_per_domain);
  per_account_ = lower_keys(config.sending_per_account);
}

SendingLimits SendingLimiter::limits_for(std::string_view account) const {
  std::string key = ascii_lower(account);
  if (auto it = per_account_.find(key); it != per_account_.end()) return it->second;
  size_t at = key.rfind('@');
  if (at != std::string::npos) {
    if (auto it = per_domain_.find(key.substr(at + 1)); it != per_domain_.end()) {
      return it->second;
    }
  }
  return default_;
}

uint64_t SendingLimiter::sent(std::string_view account, What what, int64_t now) const {
  const Usage* u = usage_.find(ascii_lower(account));
  if (u == nullptr) return 0;
  int64_t current = minute_of(now);
  uint64_t total = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    if (u->minute[i] > current - kBuckets && u->minute[i] <= current) {
      total += what == What::kMessages ? u->messages[i] : u->recipients[i];
    }
  }
  return total;
}

uint64_t SendingLimiter::messages_sent(std::string_view account, int64_t now) const {
  return sent(account, What::kMessages, now);
}

uint64_t SendingLimiter::recipients_sent(std::string_view account, int64_t now) const {
  return sent(account, What::kRecipients, now);
}

std::optional<std::string> SendingLimiter::check_message(std::string_view account,
                                                         int64_t now) const {
  uint32_t limit = limits_for(account).messages_per_hour;
  if (limit == 0) return std::nullopt;
  uint64_t n = messages_sent(account, now);
  if (n + 1 <= limit) return std::nullopt;
  return fmt::format("{} sent {} messages in the last hour, the limit is {}", account, n, limit);
}

std::optional<std::string> SendingLimiter::check_recipients(std::string_view account, size_t more,
                                                            int64_t now) const {
  uint32_t limit = limits_for(account).recipients_per_hour;
  if (limit == 0) return std::nullopt;
  uint64_t n = recipients_sent(account, now);
  if (n + more <= limit) return std::nullopt;
  if (more <= 1) {
    return fmt::format("{} sent to {} recipients in the last hour, the limit is {}", account, n,
                       limit);
  }
  return fmt::format(
      "{} sent to {} recipients in the last hour and has {} more in this message, the limit "
      "is {}",
      account, n, more - 1, limit);
}

void SendingLimiter::record(std::string_view account, uint32_t messages, size_t recipients,
                            int64_t now) {
  int64_t current = minute_of(now);
  Usage& u = usage_.touch(ascii_lower(account));
  size_t b = bucket_of(current);
  if (u.minute[b] != current) {
    u.minute[b] = current;
    u.messages[b] = 0;
    u.recipients[b] = 0;
  }
  u.messages[b] += messages;
  u.recipients[b] += recipients;
  u.last_minute = std::max(u.last_minute, current);

  // Least recently recorded first: drop accounts idle for an hour, stop at an active one.
  while (usage_.oldest() != nullptr && usage_.oldest()->last_minute <= current - kBuckets) {
    usage_.pop_oldest();
  }
}

}  // namespace mf::mta
