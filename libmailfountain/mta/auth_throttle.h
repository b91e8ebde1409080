// mta/auth_throttle.h — slows and then stops password guessing (AUTH on submission), per
// (client address, login) pair and per client address, never per account alone: a locked
// pair leaves the same login free from every other address, so an attacker cannot lock a
// user out of their own mail.
//
// The rules, over AuthThrottleConfig (mailfountain/mail_server.h):
// - A failure is remembered for window_seconds, for its pair and for its address.
// - Before each attempt, check() gives a delay of delay_step_ms per remembered failure of
//   the pair, at most max_delay_ms: the server answers the attempt that much later.
// - When a pair reaches lockout_after failures, the pair is locked for lockout_seconds;
//   when an address reaches per_address_lockout_after failures, whatever the logins, the
//   whole address is locked as long. While locked, the server refuses without checking the
//   password (454 4.7.0) and records nothing. After a lock ends, the failures still in
//   the window count: the next failure locks again, until they age out or a login succeeds.
// - A success forgets the pair's failures (not the address's: one good password does not
//   excuse an address that tries many logins).
// - 0 for lockout_after or per_address_lockout_after means that lock never happens.
// Logins are compared without regard to ASCII letter case, as are address texts (IPv6 hex).
//
// Memory is bounded: at most `max_entries` pairs and as many addresses are tracked, the
// least recently failed ones evicted first, and entries whose failures and lock have all
// expired are dropped as record() meets them. At most 1000 failures are remembered per pair
// or address, so thresholds above 1000 act as 1000.
//
// Time comes from the caller (now_ms, a monotonic clock in milliseconds); if it goes
// backwards nothing breaks, the counts are only less exact. Not thread-safe: one instance
// belongs to one event loop.
#ifndef MF_MTA_AUTH_THROTTLE_H
#define MF_MTA_AUTH_THROTTLE_H

#include <mailfountain/mail_server.h>

#include "mta/recency_map.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mf::mta {

class AuthThrottle {
 public:
  struct Verdict {
    enum class Kind {
      kAllow,          // go ahead, after delay_ms
      kLockedPair,     // this login from this address is refused for retry_after seconds
      kLockedAddress,  // every login from this address is refused for retry_after seconds
    };
    Kind kind = Kind::kAllow;
    uint32_t delay_ms = 0;     // kAllow only
    uint32_t retry_after = 0;  // seconds, at least 1, when locked
  };

  explicit AuthThrottle(const AuthThrottleConfig& config, size_t max_entries = 100000);

  // What to do with an attempt of `login` from `ip` now. Changes nothing.
  Verdict check(std::string_view ip, std::string_view login, int64_t now_ms) const;

  // Records the outcome of an attempt that check() allowed.
  void record(std::string_view ip, std::string_view login, bool success, int64_t now_ms);

  // Applies a new configuration (SIGHUP) keeping the remembered failures; locks already
  // set keep their end.
  void reconfigure(const AuthThrottleConfig& config);

  size_t tracked_pairs() const { return pairs_.size(); }
  size_t tracked_addresses() const { return addresses_.size(); }

 private:
  struct Failures {
    std::vector<int64_t> times;  // of the remembered failures, in the order recorded
    int64_t last_ms = 0;         // the latest of them
    int64_t locked_until_ms = 0;
  };

  int64_t window_ms() const;
  uint32_t recent(const Failures& f, int64_t now_ms) const;
  void add_failure(Failures& f, uint32_t threshold, size_t keep, int64_t now_ms) const;
  bool expired(const Failures& f, int64_t now_ms) const;
  void prune(RecencyMap<Failures>& map, int64_t now_ms) const;

  AuthThrottleConfig config_;
  size_t max_entries_;
  RecencyMap<Failures> pairs_;      // key: lower-case address, NUL, lower-case login
  RecencyMap<Failures> addresses_;  // key: lower-case address
};

}  // namespace mf::mta

#endif  // MF_MTA_AUTH_THROTTLE_H
