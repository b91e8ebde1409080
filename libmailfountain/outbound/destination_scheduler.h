// outbound/destination_scheduler.h — when the delivery engine may open a connection to a
// destination, and whether it may send a message on one now. Postfix's queue manager is the
// model (its "destination concurrency", concurrency feedback, dead destinations and
// destination rate delay); docs/outbound.md, section "Scheduling", gives the reasons and
// where we differ.
//
// A pure state machine: no clock, no I/O, no threads. Times are int64 milliseconds on one
// clock of the caller's choosing (monotonic is best), passed into every call that needs
// them, and never expected to go backwards.
//
// A destination is a name (a domain, later perhaps a relay host) compared byte for byte:
// the engine passes it in one canonical form, lower-case (dns/route.h's form). Override
// keys in the configuration are lower-cased when the scheduler is built. A name may carry
// a lane after a '/' ("example.net/ma-societe.fr": the mail of one sending identity to
// example.net): a lane is scheduled as a destination of its own, with the limits of the
// domain before the '/'.
//
// What the engine does with it:
//  - set_pending(dest, true) when a destination has due work, false when it has none;
//  - after set_pending(true), after connection_done() and message_done(), and when the
//    timer it armed at next_wakeup() fires: call next_connection(now) until it returns
//    nullopt, opening one connection for each destination returned (a slot is reserved);
//  - on a connection, before each message: may_send(dest, now); after each message:
//    message_done(); after messages_per_connection(dest) messages, close it;
//  - when a connection ends (for any reason, including one that never connected):
//    connection_done() with the outcome, exactly once for each next_connection() result;
//  - arm one timer at next_wakeup(now) (re-arm after each batch of calls).
//
// The rules, in short (defaults in DestinationLimits):
//  - Concurrency window: a destination starts at `initial_connections` open connections
//    at most; each delivered message raises the window by one, up to `max_connections`
//    (slow start). A failed or throttled connection halves it (at least 1).
//  - Dead destinations: `failures_before_dead` connection failures in a row (throttling
//    included, any success in between resets the count) make the destination dead until
//    now + `dead_time_ms`: no new connection, its work waits. When the dead time is over,
//    one probe connection is allowed (window 1, only when none is open); a delivered
//    message or a kOk connection revives the destination, which grows again from window 1;
//    a failed or throttled probe makes it dead again at once. (A message delivered on a
//    connection opened before it died revives it too; such connections' failures do not
//    extend the dead time.)
//  - Rate: with `messages_per_minute` > 0, messages are spaced by exactly 60000 /
//    messages_per_minute ms (a fixed delay, no burst: a token bucket of one token, exact in
//    fractions of a millisecond). may_send() consumes that budget. The concurrency window is
//    then also capped at ceil(messages_per_minute / 60) (one connection per message a
//    second), and no connection is opened while the budget is not there.
//  - Global limit: at most `max_total_connections` connections open, all destinations
//    together.
//  - Fairness: next_connection() cycles round robin over the destinations that have work and
//    may open a connection; a destination returned goes to the back of the line, so one
//    with more work gets no more turns in a row than the others, and one whose connections
//    are all busy (a slow one) is skipped, not waited for.
//
// Memory: a tracked destination costs about 230 bytes with a 20-byte name while it waits in the
// round-robin line (measured with 100,000 of them: its state, the hash table's node, the name, and
// the name's copy in the line). A destination is forgotten once it has no pending work, no open
// connection and nothing to remember: a dead time or a failure (window below the initial one,
// failures counted) is remembered until max(dead_until, last failure + dead_time_ms); a window
// grown above the initial one is not remembered. So a campaign to 100,000 domains leaves behind
// only the domains that failed recently. Costs: every call is O(log n) in the tracked destinations
// (amortised: next_connection() drops, once each, the names in its line that are no longer ready),
// except snapshots().
//
// Not thread-safe: one instance belongs to one event loop. Calls about a destination the
// scheduler does not track (or with no open connection for connection_done) are ignored;
// no call fails.
#ifndef MF_OUTBOUND_DESTINATION_SCHEDULER_H
#define MF_OUTBOUND_DESTINATION_SCHEDULER_H

#include <climits>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace mf::outbound {

// The limits of one destination. 0 in max_connections, initial_connections or
// messages_per_connection is read as 1.
struct DestinationLimits {
  uint32_t max_connections = 20;           // Postfix's default_destination_concurrency_limit
  uint32_t initial_connections = 5;        // initial_destination_concurrency
  uint32_t messages_per_connection = 100;  // then the engine closes the connection
  uint32_t messages_per_minute = 0;        // 0: no rate limit
  uint32_t failures_before_dead = 5;       // 0: never dead
  int64_t dead_time_ms = 5 * 60 * 1000;    // how long a dead destination waits
};

struct SchedulerConfig {
  DestinationLimits defaults;
  // Per-destination limits replacing `defaults` as a whole for that name.
  std::map<std::string, DestinationLimits, std::less<>> overrides;
  uint32_t max_total_connections = 200;  // 0 is read as 1
};

// The state of one destination, for `mfctl status` and the tests.
struct DestinationSnapshot {
  std::string name;
  uint32_t window = 0;  // connections it may have open now (after the rate cap)
  uint32_t active = 0;  // connections open now
  uint32_t consecutive_failures = 0;
  std::optional<int64_t> dead_until;  // set while dead (no connection before this time)
  bool probing = false;               // dead time over, one probe connection allowed
  bool pending = false;               // the engine said it has due work
};

class DestinationScheduler {
 public:
  explicit DestinationScheduler(SchedulerConfig config);
  // The state points into the configuration it owns: neither copied nor moved.
  DestinationScheduler(const DestinationScheduler&) = delete;
  DestinationScheduler& operator=(const DestinationScheduler&) = delete;

  // How a connection ended.
  enum class Outcome {
    kOk,         // ended normally (QUIT, or per-message failures only)
    kFailed,     // could not connect, greeting refused, lost before or during a transaction
    kThrottled,  // 421, or every recipient of a whole transaction answered 4xx
  };

  // Whether `dest` has due work. Starts tracking it when true; when false and nothing is
  // worth remembering (see Memory above) with no connection open, forgets it.
  void set_pending(std::string_view dest, bool pending);

  // The next destination that may open one more connection now, in round-robin order, or
  // nullopt. The returned destination counts one more open connection (the slot is
  // reserved): the engine must call connection_done() for it exactly once.
  std::optional<std::string> next_connection(int64_t now_ms);

  // Whether a message may be sent to `dest` now; true consumes the rate budget for one
  // message (always true without a rate limit or for an untracked destination). When
  // false, send_allowed_at() says when, and next_wakeup() includes that time.
  bool may_send(std::string_view dest, int64_t now_ms);

  // The earliest time may_send(dest) can return true (now_ms if it can now).
  int64_t send_allowed_at(std::string_view dest, int64_t now_ms) const;

  // How many messages one connection to `dest` may carry before the engine closes it.
  uint32_t messages_per_connection(std::string_view dest) const;

  // A connection reserved by next_connection() has ended; feeds the window and the dead
  // rules (see above).
  void connection_done(std::string_view dest, Outcome outcome, int64_t now_ms);

  // A message was sent on a connection to `dest`. delivered = accepted by the peer for at
  // least one recipient: success feedback (window +1, failures reset, a probe revives the
  // destination). Not delivered (5xx, or recipients refused one by one) says nothing about
  // the destination's health and changes nothing; a whole transaction answered 4xx should
  // end the connection as kThrottled instead.
  void message_done(std::string_view dest, bool delivered, int64_t now_ms);

  // The earliest time at which something blocked by time (a dead time ending, rate budget
  // coming back) for a destination with pending work or a connection waiting in may_send()
  // becomes possible: now_ms if that time has already come, nullopt if nothing waits on
  // time. The engine arms one timer there and calls next_connection() (and retries
  // may_send()) when it fires. It may be early (a wake-up that finds nothing to do), never
  // late. Work blocked only by full windows or the global limit waits for
  // connection_done(), not for a time.
  std::optional<int64_t> next_wakeup(int64_t now_ms) const;

  // The state of `dest`, or nullopt when it is not tracked (never seen or forgotten).
  std::optional<DestinationSnapshot> snapshot(std::string_view dest, int64_t now_ms) const;
  // Every tracked destination, by name; O(n log n). Destinations whose work ended may stay
  // tracked until the next call to next_connection() walks past them.
  std::vector<DestinationSnapshot> snapshots(int64_t now_ms) const;

  size_t tracked() const { return dests_.size(); }
  size_t active_total() const { return active_total_; }

  // The limits that apply to `dest` (its override, else the defaults), normalised.
  const DestinationLimits& limits_for(std::string_view dest) const;

 private:
  static constexpr int64_t kNever = INT64_MIN;  // "no such time" in the fields below

  struct Dest {
    const DestinationLimits* limits = nullptr;  // into config_, which never changes
    uint32_t active = 0;                        // connections open
    uint32_t window = 1;                        // before the rate cap
    uint32_t failures = 0;                      // in a row
    uint32_t send_frac = 0;  // next send at send_ms + send_frac / messages_per_minute ms
    int64_t send_ms = kNever;
    int64_t dead_until = kNever;
    int64_t remember_until = kNever;  // failure state worth keeping until then
    int64_t wake_at = kNever;         // its entry in wakeups_
    int64_t forget_at = kNever;       // its entry in forgets_
    bool pending = false;
    bool probing = false;
    bool in_ready = false;  // its name is in ready_
  };
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using DestMap = std::unordered_map<std::string, Dest, StringHash, std::equal_to<>>;
  enum class Block { kNone, kIdle, kTime, kWindow };

  const Dest* find(std::string_view dest) const;
  void refresh(Dest& d, int64_t now_ms);
  uint32_t effective_window(const Dest& d) const;
  int64_t send_time(const Dest& d) const;
  Block blocked(const Dest& d, int64_t now_ms) const;
  int64_t unblock_time(const Dest& d, int64_t now_ms) const;
  void make_ready(DestMap::iterator it);
  void set_wake(DestMap::iterator it, int64_t at);
  void set_forget(DestMap::iterator it, int64_t at);
  void erase(DestMap::iterator it);
  void release_if_idle(DestMap::iterator it);
  void park(DestMap::iterator it, int64_t now_ms);
  void fire_timers(int64_t now_ms);
  void failure(Dest& d, int64_t now_ms);
  void success(Dest& d);
  DestinationSnapshot make_snapshot(const std::string& name, const Dest& d, int64_t now_ms) const;

  SchedulerConfig config_;
  DestMap dests_;
  std::deque<std::string> ready_;  // round-robin line of destinations that may be ready
  std::set<std::pair<int64_t, std::string>> wakeups_;  // pending work blocked until a time
  std::set<std::pair<int64_t, std::string>> forgets_;  // idle, failure state kept until
  size_t active_total_ = 0;
};

}  // namespace mf::outbound

#endif  // MF_OUTBOUND_DESTINATION_SCHEDULER_H
