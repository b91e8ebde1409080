// mta/sending_limiter.h — per-account sending limits over a sliding hour, so that a
// hijacked account cannot send much spam before someone notices (ServerConfig's sending,
// sending_per_domain, sending_per_account; the server answers 451 4.7.1 with the reason).
//
// The limits of an account are its own override if sending_per_account names it, else its
// domain's (the part after the last '@') if sending_per_domain names that, else `sending`.
// Accounts and domains are compared without regard to ASCII letter case. 0 means no limit.
//
// Counting: each account has 60 one-minute buckets; "the last hour" is the current minute
// and the 59 before it, so what was sent stops counting between 59 and 60 minutes later.
// Exact timestamps would cost memory per message; the buckets cost about 1.5 KiB per
// account whatever the limits. Accounts that sent nothing for an hour are forgotten as
// record() meets them, so memory follows the accounts active in the last hour.
//
// Time comes from the caller, in seconds (wall or monotonic, but always the same clock).
// Not thread-safe: one instance belongs to one event loop.
#ifndef MF_MTA_SENDING_LIMITER_H
#define MF_MTA_SENDING_LIMITER_H

#include <mailfountain/mail_server.h>

#include "mta/recency_map.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace mf::mta {

class SendingLimiter {
 public:
  explicit SendingLimiter(const ServerConfig& config);

  // nullopt when `account` may send one more message now; otherwise the reason, a sentence
  // for the reply and the log: "emma.durand@ma-societe.fr sent 300 messages in the last
  // hour, the limit is 300".
  std::optional<std::string> check_message(std::string_view account, int64_t now) const;

  // nullopt when `account` may have `more` more recipients now: `more` counts the
  // recipients the caller is about to add, i.e. those already accepted in the current
  // transaction plus the one being asked about. Otherwise the reason, as above.
  std::optional<std::string> check_recipients(std::string_view account, size_t more,
                                              int64_t now) const;

  // Counts a message accepted for delivery (after end of data).
  void record(std::string_view account, uint32_t messages, size_t recipients, int64_t now);

  // Applies a new configuration (SIGHUP), keeping the counts.
  void reconfigure(const ServerConfig& config);

  // The limits that apply to `account`.
  SendingLimits limits_for(std::string_view account) const;

  // What `account` sent in the last hour.
  uint64_t messages_sent(std::string_view account, int64_t now) const;
  uint64_t recipients_sent(std::string_view account, int64_t now) const;

  size_t tracked_accounts() const { return usage_.size(); }

 private:
  struct Usage {
    Usage() { minute.fill(INT64_MIN); }  // no bucket counts any minute yet
    std::array<int64_t, 60> minute;      // which minute each bucket counts
    std::array<uint64_t, 60> messages{};
    std::array<uint64_t, 60> recipients{};
    int64_t last_minute = INT64_MIN;  // of the latest record
  };
  enum class What { kMessages, kRecipients };

  uint64_t sent(std::string_view account, What what, int64_t now) const;

  SendingLimits default_;
  std::map<std::string, SendingLimits> per_domain_;   // lower-case keys
  std::map<std::string, SendingLimits> per_account_;  // lower-case keys
  RecencyMap<Usage> usage_;                           // by lower-case account
};

}  // namespace mf::mta

#endif  // MF_MTA_SENDING_LIMITER_H
