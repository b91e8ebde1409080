// outbound/destination_scheduler.cpp — the per-destination delivery scheduler; the rules are
// in the header.
//
// Bookkeeping, so that no call walks every destination:
//  - ready_ is the round-robin line. It holds the names of destinations that were ready when
//    they were queued; next_connection() checks each again when it reaches the front (the
//    state may have changed since), and drops the ones that are not ready any more.
//  - A dropped destination is "parked" according to what blocks it: waiting for a time (a
//    dead time, the rate budget) → an entry in wakeups_; waiting for one of its connections
//    to end (full window) → nothing, connection_done() parks it again; no work → it may be
//    forgotten.
//  - An idle destination with failure state to remember has an entry in forgets_ at the end
//    of that memory; timers of both kinds are processed at the next call that knows the time.
#include "outbound/destination_scheduler.h"

#include "base/text.h"

#include <algorithm>

namespace mf::outbound {

namespace {

DestinationLimits normalised(DestinationLimits limits) {
  limits.max_connections = std::max<uint32_t>(limits.max_connections, 1);
  limits.initial_connections =
      std::clamp<uint32_t>(limits.initial_connections, 1, limits.max_connections);
  limits.messages_per_connection = std::max<uint32_t>(limits.messages_per_connection, 1);
  limits.dead_time_ms = std::max<int64_t>(limits.dead_time_ms, 0);
  return limits;
}

// `t + delta` without overflowing past INT64_MAX (times far in the future stay there).
int64_t later(int64_t t, int64_t delta) {
  return t > INT64_MAX - delta ? INT64_MAX : t + delta;
}

}  // namespace

DestinationScheduler::DestinationScheduler(SchedulerConfig config) {
  config_.defaults = normalised(config.defaults);
  for (auto& [name, limits] : config.overrides) {
    config_.overrides.insert_or_assign(ascii_lower(name), normalised(limits));
  }
  config_.max_total_connections = std::max<uint32_t>(config.max_total_connections, 1);
}

const DestinationLimits& DestinationScheduler::limits_for(std::string_view dest) const {
  auto it = config_.overrides.find(dest.substr(0, dest.find('/')));
  return it == config_.overrides.end() ? config_.defaults : it->second;
}

uint32_t DestinationScheduler::messages_per_connection(std::string_view dest) const {
  return limits_for(dest).messages_per_connection;
}

const DestinationScheduler::Dest* DestinationScheduler::find(std::string_view dest) const {
  auto it = dests_.find(dest);
  return it == dests_.end() ? nullptr : &it->second;
}

// ---- State rules ----

// A dead time that has ended turns into the probing state: one connection, window 1.
void DestinationScheduler::refresh(Dest& d, int64_t now_ms) {
  if (d.dead_until != kNever && now_ms >= d.dead_until) {
    d.dead_until = kNever;
    d.probing = true;
    d.window = 1;
  }
}

// With a rate limit, more connections than messages a second would only sit idle waiting
// for budget (each connection can carry at least one message a second), so the window is
// capped there.
uint32_t DestinationScheduler::effective_window(const Dest& d) const {
  const uint32_t rate = d.limits->messages_per_minute;
  if (rate == 0) return d.window;
  const uint32_t per_second = rate / 60 + (rate % 60 != 0 ? 1 : 0);
  return std::min(d.window, per_second);
}

// The first whole millisecond at which the next message may go.
int64_t DestinationScheduler::send_time(const Dest& d) const {
  if (d.limits->messages_per_minute == 0 || d.send_ms == kNever) return kNever;
  return later(d.send_ms, d.send_frac > 0 ? 1 : 0);
}

DestinationScheduler::Block DestinationScheduler::blocked(const Dest& d, int64_t now_ms) const {
  if (!d.pending) return Block::kIdle;
  if (d.dead_until != kNever && now_ms < d.dead_until) return Block::kTime;
  if (d.active >= effective_window(d)) return Block::kWindow;
  if (now_ms < send_time(d)) return Block::kTime;
  return Block::kNone;
}

int64_t DestinationScheduler::unblock_time(const Dest& d, int64_t now_ms) const {
  if (d.dead_until != kNever && now_ms < d.dead_until) return d.dead_until;
  return send_time(d);
}

void DestinationScheduler::failure(Dest& d, int64_t now_ms) {
  const DestinationLimits& limits = *d.limits;
  if (d.failures < UINT32_MAX) ++d.failures;
  // Already dead (refresh() ran): a connection opened before it died has ended. Nothing new
  // is learnt, so the dead time is not extended.
  if (d.dead_until != kNever) return;
  // A failed probe always dies again; the count says so too (only a success resets it,
  // and a success ends the probing), but the rule is the probe's.
  const bool dies =
      d.probing || (limits.failures_before_dead > 0 && d.failures >= limits.failures_before_dead);
  if (dies) {
    d.probing = false;
    d.dead_until = later(now_ms, limits.dead_time_ms);
    d.window = 1;
  } else {
    d.window = std::max<uint32_t>(d.window / 2, 1);
  }
  d.remember_until = std::max(d.remember_until, later(now_ms, limits.dead_time_ms));
}

// Proof that the destination works: it is alive again whatever it was, as Postfix's queue
// manager unthrottles a queue on positive feedback.
void DestinationScheduler::success(Dest& d) {
  d.failures = 0;
  d.probing = false;
  d.dead_until = kNever;
}

// ---- Bookkeeping ----

void DestinationScheduler::make_ready(DestMap::iterator it) {
  if (it->second.in_ready) return;
  ready_.push_back(it->first);
  it->second.in_ready = true;
}

void DestinationScheduler::set_wake(DestMap::iterator it, int64_t at) {
  Dest& d = it->second;
  if (d.wake_at == at) return;
  if (d.wake_at != kNever) wakeups_.erase({d.wake_at, it->first});
  if (at != kNever) wakeups_.insert({at, it->first});
  d.wake_at = at;
}

void DestinationScheduler::set_forget(DestMap::iterator it, int64_t at) {
  Dest& d = it->second;
  if (d.forget_at == at) return;
  if (d.forget_at != kNever) forgets_.erase({d.forget_at, it->first});
  if (at != kNever) forgets_.insert({at, it->first});
  d.forget_at = at;
}

void DestinationScheduler::erase(DestMap::iterator it) {
  set_wake(it, kNever);
  set_forget(it, kNever);
  dests_.erase(it);
}

// A destination with no work, no connection and no place in the line is forgotten, at once
// when it has nothing to remember, else when its memory ends (fire_timers()).
void DestinationScheduler::release_if_idle(DestMap::iterator it) {
  const Dest& d = it->second;
  if (d.pending || d.active > 0 || d.in_ready) return;
  set_wake(it, kNever);
  if (d.remember_until == kNever) {
    erase(it);
  } else {
    set_forget(it, d.remember_until);
  }
}

// Puts a destination that is not in the line where what blocks it will find it again.
void DestinationScheduler::park(DestMap::iterator it, int64_t now_ms) {
  Dest& d = it->second;
  switch (blocked(d, now_ms)) {
    case Block::kNone:
      make_ready(it);
      break;
    case Block::kTime:
      set_wake(it, unblock_time(d, now_ms));
      break;
    case Block::kWindow:
      break;  // connection_done() parks it again
    case Block::kIdle:
      release_if_idle(it);
      break;
  }
}

void DestinationScheduler::fire_timers(int64_t now_ms) {
  while (!wakeups_.empty() && wakeups_.begin()->first <= now_ms) {
    auto node = wakeups_.extract(wakeups_.begin());
    auto it = dests_.find(node.value().second);
    if (it == dests_.end()) continue;  // cannot happen: erase() removes the entry
    it->second.wake_at = kNever;
    refresh(it->second, now_ms);
    park(it, now_ms);
  }
  while (!forgets_.empty() && forgets_.begin()->first <= now_ms) {
    auto node = forgets_.extract(forgets_.begin());
    auto it = dests_.find(node.value().second);
    if (it == dests_.end()) continue;
    Dest& d = it->second;
    d.forget_at = kNever;
    if (d.pending || d.active > 0 || d.in_ready) continue;  // busy again: not forgotten
    if (d.remember_until <= now_ms) {
      erase(it);
    } else {
      set_forget(it, d.remember_until);  // a later failure extended the memory
    }
  }
}

// ---- The engine's calls ----

void DestinationScheduler::set_pending(std::string_view dest, bool pending) {
  if (pending) {
    auto [it, created] = dests_.try_emplace(std::string(dest));
    Dest& d = it->second;
    if (created) {
      d.limits = &limits_for(dest);
      d.window = d.limits->initial_connections;
    }
    d.pending = true;
    // Whether it is really ready is checked when next_connection() reaches it.
    make_ready(it);
    return;
  }
  auto it = dests_.find(dest);
  if (it == dests_.end()) return;
  it->second.pending = false;
  if (it->second.active == 0) set_wake(it, kNever);  // no one waits in may_send() either
  release_if_idle(it);
}

std::optional<std::string> DestinationScheduler::next_connection(int64_t now_ms) {
  fire_timers(now_ms);
  if (active_total_ >= config_.max_total_connections) return std::nullopt;
  // Each name in the line is looked at once at most: those not ready are parked.
  for (size_t left = ready_.size(); left > 0 && !ready_.empty(); --left) {
    std::string name = std::move(ready_.front());
    ready_.pop_front();
    auto it = dests_.find(name);
    if (it == dests_.end()) continue;
    Dest& d = it->second;
    d.in_ready = false;
    refresh(d, now_ms);
    if (blocked(d, now_ms) != Block::kNone) {
      park(it, now_ms);
      continue;
    }
    ++d.active;
    ++active_total_;
    park(it, now_ms);  // to the back of the line if it may open yet another one
    return name;
  }
  return std::nullopt;
}

bool DestinationScheduler::may_send(std::string_view dest, int64_t now_ms) {
  auto it = dests_.find(dest);
  if (it == dests_.end()) return true;
  Dest& d = it->second;
  const uint32_t rate = d.limits->messages_per_minute;
  if (rate == 0) return true;
  if (now_ms < send_time(d)) {
    set_wake(it, send_time(d));
    return false;
  }
  // The next message may go 60000 / rate ms after this one, kept exactly as whole
  // milliseconds plus a fraction in units of 1/rate ms. A message sent in the very
  // millisecond its turn came (the rounded-up one) continues the exact schedule, so an
  // engine that sends as soon as allowed reaches the configured rate without drift; one
  // sent later starts the schedule again from now (no burst makes up for lost time).
  const bool on_time = d.send_frac > 0 && now_ms == later(d.send_ms, 1);
  if (!on_time) {
    d.send_ms = now_ms;
    d.send_frac = 0;
  }
  d.send_ms = later(d.send_ms, 60000 / rate);
  d.send_frac += 60000 % rate;
  if (d.send_frac >= rate) {
    d.send_frac -= rate;
    d.send_ms = later(d.send_ms, 1);
  }
  // The spacing outlives the connection: a destination left idle is remembered until its
  // next message may go, or a new connection would start a fresh schedule at once.
  d.remember_until = std::max(d.remember_until, send_time(d));
  return true;
}

int64_t DestinationScheduler::send_allowed_at(std::string_view dest, int64_t now_ms) const {
  const Dest* d = find(dest);
  if (d == nullptr) return now_ms;
  return std::max(now_ms, send_time(*d));
}

void DestinationScheduler::connection_done(std::string_view dest, Outcome outcome, int64_t now_ms) {
  auto it = dests_.find(dest);
  if (it == dests_.end() || it->second.active == 0) return;
  Dest& d = it->second;
  --d.active;
  --active_total_;
  refresh(d, now_ms);
  if (outcome == Outcome::kOk) {
    success(d);
  } else {
    failure(d, now_ms);
  }
  if (d.active == 0 && !d.pending) set_wake(it, kNever);  // no one waits in may_send()
  park(it, now_ms);
  fire_timers(now_ms);
}

void DestinationScheduler::message_done(std::string_view dest, bool delivered, int64_t now_ms) {
  if (!delivered) return;
  auto it = dests_.find(dest);
  if (it == dests_.end()) return;
  Dest& d = it->second;
  refresh(d, now_ms);
  success(d);
  d.window = std::min(d.window + 1, d.limits->max_connections);
  if (!d.in_ready) park(it, now_ms);
}

std::optional<int64_t> DestinationScheduler::next_wakeup(int64_t now_ms) const {
  if (wakeups_.empty()) return std::nullopt;
  return std::max(now_ms, wakeups_.begin()->first);
}

// ---- Snapshots ----

DestinationSnapshot DestinationScheduler::make_snapshot(const std::string& name, const Dest& d,
                                                        int64_t now_ms) const {
  DestinationSnapshot s;
  s.name = name;
  s.active = d.active;
  s.consecutive_failures = d.failures;
  s.pending = d.pending;
  const bool dead = d.dead_until != kNever && now_ms < d.dead_until;
  s.probing = d.probing || (d.dead_until != kNever && !dead);
  if (dead) {
    s.dead_until = d.dead_until;
    s.window = 0;
  } else if (s.probing) {
    s.window = 1;
  } else {
    s.window = effective_window(d);
  }
  return s;
}

std::optional<DestinationSnapshot> DestinationScheduler::snapshot(std::string_view dest,
                                                                  int64_t now_ms) const {
  auto it = dests_.find(dest);
  if (it == dests_.end()) return std::nullopt;
  return make_snapshot(it->first, it->second, now_ms);
}

std::vector<DestinationSnapshot> DestinationScheduler::snapshots(int64_t now_ms) const {
  std::vector<DestinationSnapshot> all;
  all.reserve(dests_.size());
  for (const auto& [name, d] : dests_) all.push_back(make_snapshot(name, d, now_ms));
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return all;
}

}  // namespace mf::outbound
