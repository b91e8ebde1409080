// outbound/delivery_engine.cpp — the queue's delivery engine (see delivery_engine.h).
#include "outbound/delivery_engine.h"

#include "base/text.h"
#include "dkim/key_store.h"
#include "dkim/signer.h"
#include "dns/resolver.h"
#include "model/context_env.h"
#include "mta/cidr.h"
#include "mta/outbound_request.h"
#include "outbound/destination_scheduler.h"
#include "outbound/job.h"
#include "outbound/report_pass.h"
#include "outbound/smtp_connection.h"
#include "outbound/store_worker.h"
#include "queue/queue_store.h"

#include <event2/event.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <random>
#include <set>
#include <unordered_map>

namespace mf::outbound {

namespace {

constexpr size_t kDuePage = 512;  // due entries examined per refill

int64_t wall_now() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

int64_t mono_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

SchedulerConfig scheduler_config(const OutboundConfig& c) {
  auto limits = [](const DestinationLimitsConfig& l) {
    DestinationLimits d;
    d.max_connections = l.max_connections;
    d.initial_connections = l.initial_connections;
    d.messages_per_connection = l.messages_per_connection;
    d.messages_per_minute = l.messages_per_minute;
    d.failures_before_dead = l.failures_before_dead;
    d.dead_time_ms = int64_t{l.dead_seconds} * 1000;
    return d;
  };
  SchedulerConfig s;
  s.defaults = limits(c.limits);
  for (const auto& [name, l] : c.limits_per_destination) s.overrides[name] = limits(l);
  s.max_total_connections = c.max_connections;
  return s;
}

}  // namespace

struct DeliveryEngine::Impl {
  Context& context;
  event_base* base;
  mailbox::MailStore& store;
  store::LmdbEnv& env;
  mta::LoopPoster& poster;
  OutboundConfig config;
  std::string helo;
  LogSink log_sink;
  DeliveryListener listener;
  queue::RetryPolicy retry;
  dkim::DkimKeyStore keys;
  RelayTarget relay;  // relay host, when configured

  DestinationScheduler scheduler;
  std::unique_ptr<dns::Resolver> resolver;
  std::shared_ptr<net::TlsClientContext> tls;
  StoreWorker worker;
  event* timer = nullptr;

  // Jobs loaded and waiting, per destination; recipients in flight (loaded, being sent or
  // having a result not yet recorded) are never loaded twice.
  // One line per priority class: a connection takes interactive jobs first, then bounces,
  // then bulk, so a user's message never waits behind a campaign to the same destination.
  struct Waiting {
    std::deque<Job> by_priority[queue::kPriorityCount];
    bool empty() const {
      for (const auto& q : by_priority)
        if (!q.empty()) return false;
      return true;
    }
    std::deque<Job>& next() {
      for (auto& q : by_priority)
        if (!q.empty()) return q;
      return by_priority[0];
    }
  };
  std::unordered_map<std::string, Waiting> waiting;
  std::set<std::pair<uint64_t, uint32_t>> in_flight;
  std::string cursor;  // where the next refill continues in the due index
  bool refilling = false;
  bool refill_again = false;
  std::vector<RecipientOutcome> results;  // not yet handed to the worker
  bool recording = false;
  std::set<std::shared_ptr<SmtpConnection>> connections;
  std::shared_ptr<bool> alive_token = std::make_shared<bool>(true);
  mta::QueueIdGenerator dsn_ids;  // store thread only
  bool reporting = false;         // a report pass is running
  bool report_again = false;
  bool stopping = false;
  std::function<void()> on_stopped;
  EngineStats counters;

  Impl(Context& c, event_base* b, mailbox::MailStore& s, mta::LoopPoster& p, OutboundConfig cfg,
       std::string h, LogSink l)
      : context(c),
        base(b),
        store(s),
        env(context_env(c)),
        poster(p),
        config(std::move(cfg)),
        helo(std::move(h)),
        log_sink(std::move(l)),
        keys(c.data_dir()),
        scheduler(scheduler_config(config)),
        worker(p),
        dsn_ids(std::random_device{}()) {}

  ~Impl() {
    if (timer != nullptr) event_free(timer);
  }

  void log(LogLevel level, std::string_view line) const {
    if (log_sink) log_sink(level, line);
  }

  // ---- Refill ----

  void refill() {
    if (stopping) return;
    if (refilling) {
      refill_again = true;
      return;
    }
    if (in_flight.size() >= config.max_loaded_recipients) return;
    refilling = true;
    refill_again = false;
    auto request = std::make_shared<LoadRequest>();
    request->after = cursor;
    request->limit = kDuePage;
    request->budget = config.max_loaded_recipients - in_flight.size();
    request->skip = in_flight;
    request->now = wall_now();
    auto loaded = std::make_shared<LoadResult>();
    worker.run([this, request, loaded] { *loaded = load_jobs(env, store, keys, *request); },
               [this, loaded] { loaded_jobs(std::move(*loaded)); });
  }

  void loaded_jobs(LoadResult loaded) {
    refilling = false;
    if (!loaded.status.is_ok()) {
      log(LogLevel::kError,
          fmt::format("outbound: reading the queue failed: {}", loaded.status.message()));
    }
    cursor = loaded.next;
    for (Job& job : loaded.jobs) {
      if (!job.dkim_error.empty()) {
        log(LogLevel::kWarning,
            fmt::format("{}: DKIM signing for {} failed, sent unsigned: {}", job.message.queue_id,
                        job.message.dkim_domain, job.dkim_error));
      }
      for (const auto& [index, r] : job.recipients) in_flight.insert({job.message_id, index});
      std::string dest = lane_of(job);
      const auto p = static_cast<size_t>(job.message.priority);
      waiting[dest]
          .by_priority[p < queue::kPriorityCount ? p : queue::kPriorityCount - 1]
          .push_back(std::move(job));
      scheduler.set_pending(dest, true);
    }
    counters.loaded_recipients = in_flight.size();
    dispatch();
    if (refill_again || (!loaded.next.empty() && !loaded.jobs.empty())) refill();
  }

  // ---- Lanes: the mail of a sending domain with its own identity ----

  // The scheduling name of a job: its destination, or "destination/sending-domain" when its
  // envelope sender's domain has an identity of its own (config.sending_domains), so that
  // its connections present that identity and carry only that domain's mail.
  std::string lane_of(const Job& job) const {
    if (config.sending_domains.empty()) return job.domain;
    std::string sender_domain = mta::destination_of(job.message.sender);
    if (sender_domain.empty() || config.sending_domains.count(sender_domain) == 0)
      return job.domain;
    return job.domain + "/" + sender_domain;
  }

  static std::string domain_of(std::string_view lane) {
    return std::string(lane.substr(0, lane.find('/')));
  }

  const SendingIdentityConfig* identity_of(std::string_view lane) const {
    size_t slash = lane.find('/');
    if (slash == std::string_view::npos) return nullptr;
    auto it = config.sending_domains.find(std::string(lane.substr(slash + 1)));
    return it == config.sending_domains.end() ? nullptr : &it->second;
  }

  // ---- Dispatch ----

  void dispatch() {
    if (stopping) return;
    const int64_t now = mono_ms();
    while (auto dest = scheduler.next_connection(now)) {
      const std::string name = *dest;
      ++open_count[name];
      open_connection(name);
      // No more connections than jobs to give them: one message does not open five (each
      // failing alike would count five failures against the destination).
      auto it = open_count.find(name);
      if (it != open_count.end() && it->second >= waiting_jobs(name))
        scheduler.set_pending(name, false);
    }
  }

  size_t waiting_jobs(const std::string& dest) const {
    auto it = waiting.find(dest);
    if (it == waiting.end()) return 0;
    size_t n = 0;
    for (const auto& line : it->second.by_priority) n += line.size();
    return n;
  }

  // Connections open (or being opened) per lane.
  std::unordered_map<std::string, size_t> open_count;

  void open_connection(const std::string& dest) {
    ++counters.connections;
    ++counters.active_connections;
    if (!relay.host.empty() && relay.host.front() == '[') {
      // An address literal: no lookup.
      dns::Route route;
      route.kind = dns::RouteKind::kHosts;
      route.domain = relay.host;
      dns::MxHost host;
      host.name = relay.host.substr(1, relay.host.size() - 2);
      host.numeric = true;
      if (auto ip = mta::parse_ip(host.name)) host.addresses.push_back(*ip);
      route.hosts.push_back(std::move(host));
      routed(dest, std::move(route));
      return;
    }
    const std::string lookup = relay.host.empty() ? domain_of(dest) : relay.host;
    std::weak_ptr<bool> alive = alive_token;
    resolver->resolve_mx(lookup, [this, dest, alive](dns::Route route) {
      if (!alive.expired()) routed(dest, std::move(route));
    });
  }

  void routed(const std::string& dest, dns::Route route) {
    if (stopping) {
      connection_over(dest, DestinationScheduler::Outcome::kOk);
      return;
    }
    if (route.kind != dns::RouteKind::kHosts) {
      // A relay host that cannot be found defers everything: the mail is not at fault.
      const bool permanent = route.permanent() && relay.host.empty();
      std::string reply = fmt::format(
          "{} {} {}", permanent ? 550 : 451,
          route.dsn.empty() ? (permanent ? "5.4.4" : "4.4.3") : route.dsn, route.reason);
      fail_waiting(dest, permanent, reply, "none", route.dsn);
      connection_over(dest, permanent ? DestinationScheduler::Outcome::kOk
                                      : DestinationScheduler::Outcome::kFailed);
      return;
    }
    SmtpConnectionConfig cc;
    cc.hosts = route.hosts;
    cc.port = relay.host.empty() ? port_for(domain_of(dest)) : relay.port;
    const SendingIdentityConfig* identity = identity_of(dest);
    cc.session.helo_name = identity && !identity->helo_name.empty() ? identity->helo_name : helo;
    cc.session.tls =
        config.require_tls ? smtp::TlsPolicy::kRequired : smtp::TlsPolicy::kOpportunistic;
    if (!config.relay_user.empty())
      cc.session.credentials = smtp::ClientCredentials{config.relay_user, config.relay_password};
    cc.tls = tls;
    set_bind_address(cc, identity && !identity->bind_address.empty() ? identity->bind_address
                                                                     : config.bind_address);
    auto state = std::make_shared<ConnState>();
    // A connection may outlive the engine by a moment (a cancelled one finishing its QUIT):
    // its callbacks then do nothing.
    std::weak_ptr<bool> alive = alive_token;
    SmtpConnectionCallbacks cb;
    cb.next_message = [this, dest, state, alive]() -> std::optional<OutboundMessage> {
      if (alive.expired()) return std::nullopt;
      return next_message(dest, *state);
    };
    cb.on_transaction = [this, dest, state, alive](const TransactionReport& report) {
      if (alive.expired()) return;
      state->tags.erase(report.tag);
      // Every recipient of a whole transaction deferred by the peer: the destination is
      // pushing back (Postfix's concurrency feedback counts it as a failure).
      bool all_deferred = !report.results.empty();
      for (const auto& r : report.results)
        all_deferred &= r.delivery == smtp::Delivery::kDeferred && r.remote;
      state->throttled |= all_deferred;
      transaction_done(dest, report);
    };
    cb.log = log_sink;
    auto holder = std::make_shared<std::shared_ptr<SmtpConnection>>();
    cb.finished = [this, dest, holder, state, alive](const ConnectionSummary& summary) {
      if (alive.expired()) return;
      // The connection keeps itself alive until this returns.
      connections.erase(*holder);
      holder->reset();
      connection_finished(dest, summary, *state);
    };
    auto conn = SmtpConnection::create(base, std::move(cc), std::move(cb));
    if (!conn.is_ok()) {
      log(LogLevel::kError,
          fmt::format("outbound: cannot connect to {}: {}", dest, conn.status().message()));
      fail_waiting(dest, false, fmt::format("451 4.3.0 {}", conn.status().message()), "none",
                   "4.3.0");
      connection_over(dest, DestinationScheduler::Outcome::kFailed);
      return;
    }
    *holder = *conn;
    connections.insert(*conn);
    (*conn)->start();
  }

  uint16_t port_for(const std::string& dest) const {
    auto it = config.destination_ports.find(dest);
    return it != config.destination_ports.end() ? it->second : config.port;
  }

  static void set_bind_address(SmtpConnectionConfig& cc, const std::string& address) {
    if (address.empty()) return;
    auto ip = mta::parse_ip(address);
    if (!ip) return;
    if (ip->family == mta::IpFamily::kIPv4)
      cc.bind_ipv4 = *ip;
    else
      cc.bind_ipv6 = *ip;
  }

  // What one connection was given.
  struct ConnState {
    uint32_t sent = 0;
    std::set<uint64_t> tags;  // messages handed over and not yet reported
    bool throttled = false;   // a whole transaction was deferred by the peer
  };

  std::optional<OutboundMessage> next_message(const std::string& dest, ConnState& conn) {
    if (stopping) return std::nullopt;
    auto it = waiting.find(dest);
    if (it == waiting.end() || it->second.empty()) return std::nullopt;
    if (conn.sent >= scheduler.messages_per_connection(dest)) return std::nullopt;
    if (!scheduler.may_send(dest, mono_ms())) return std::nullopt;
    for (;;) {
      std::deque<Job>& line = it->second.next();
      Job job = std::move(line.front());
      line.pop_front();
      const bool last = it->second.empty();
      if (last) {
        waiting.erase(it);
        scheduler.set_pending(dest, false);
      }
      const uint64_t tag = ++next_tag;
      auto message = make_message(store, keys, job, tag);
      if (message.is_ok()) {
        ++conn.sent;
        conn.tags.insert(tag);
        sending_.emplace(tag, std::move(job));
        return std::move(*message);
      }
      // The body cannot be read: its recipients are deferred; the next job goes instead.
      log(LogLevel::kError, fmt::format("{}: cannot read the queued message: {}",
                                        job.message.queue_id, message.status().message()));
      for (size_t i = 0; i < job.recipients.size(); ++i)
        results.push_back(failed_outcome(
            job, i, false,
            fmt::format("451 4.3.0 cannot read the queued message: {}", message.status().message()),
            "none", "4.3.0"));
      record();
      if (last) return std::nullopt;
      it = waiting.find(dest);
    }
  }

  uint64_t next_tag = 0;

  // Jobs handed to a connection, by tag, until their transaction is reported.
  std::unordered_map<uint64_t, Job> sending_;

  void transaction_done(const std::string& dest, const TransactionReport& report) {
    auto it = sending_.find(report.tag);
    if (it == sending_.end()) return;
    Job job = std::move(it->second);
    sending_.erase(it);
    bool any_delivered = false;
    for (size_t i = 0; i < report.results.size() && i < job.recipients.size(); ++i) {
      const smtp::RecipientResult& r = report.results[i];
      RecipientOutcome o = outcome_of(job, i, r, report.relay);
      any_delivered |= r.delivery == smtp::Delivery::kDelivered;
      results.push_back(std::move(o));
    }
    scheduler.message_done(dest, any_delivered, mono_ms());
    record();
  }

  void connection_finished(const std::string& dest, const ConnectionSummary& summary,
                           const ConnState& conn) {
    // Jobs handed over but never reported (the connection reports every transaction it
    // started, so this is a safety net) are deferred, never forgotten in flight.
    for (uint64_t tag : conn.tags) {
      auto it = sending_.find(tag);
      if (it == sending_.end()) continue;
      for (size_t i = 0; i < it->second.recipients.size(); ++i)
        results.push_back(failed_outcome(it->second, i, false,
                                         "451 4.4.2 the connection ended before the transaction",
                                         summary.relay.empty() ? "none" : summary.relay, "4.4.2"));
      sending_.erase(it);
    }
    if (!conn.tags.empty()) record();
    DestinationScheduler::Outcome outcome = DestinationScheduler::Outcome::kOk;
    if (summary.failure) {
      outcome = DestinationScheduler::Outcome::kFailed;
      if (summary.failure->reply.code == 421) outcome = DestinationScheduler::Outcome::kThrottled;
    } else if (conn.throttled) {
      outcome = DestinationScheduler::Outcome::kThrottled;
    }
    if (summary.transactions == 0 && summary.failure && !summary.cancelled) {
      const ConnectionFailure& f = *summary.failure;
      std::string reply = reply_text(f.reply);
      fail_waiting(dest, false, reply, f.relay.empty() ? "none" : f.relay, f.reply.enhanced);
    }
    connection_over(dest, outcome);
  }

  void connection_over(const std::string& dest, DestinationScheduler::Outcome outcome) {
    --counters.active_connections;
    if (auto it = open_count.find(dest); it != open_count.end() && --it->second == 0)
      open_count.erase(it);
    scheduler.connection_done(dest, outcome, mono_ms());
    if (waiting_jobs(dest) > 0) scheduler.set_pending(dest, true);
    maybe_stopped();
    dispatch();
    arm_timer();
  }

  // Every job waiting for `dest` fails: bounced when `permanent`, else deferred.
  void fail_waiting(const std::string& dest, bool permanent, const std::string& reply,
                    const std::string& relay_name, const std::string& dsn) {
    auto it = waiting.find(dest);
    if (it == waiting.end()) return;
    for (auto& line : it->second.by_priority) {
      for (Job& job : line) {
        for (size_t i = 0; i < job.recipients.size(); ++i)
          results.push_back(failed_outcome(job, i, permanent, reply, relay_name, dsn));
      }
    }
    waiting.erase(it);
    scheduler.set_pending(dest, false);
    record();
  }

  // ---- Results ----

  void record() {
    if (recording || results.empty()) return;
    recording = true;
    auto batch = std::make_shared<std::vector<RecipientOutcome>>(std::move(results));
    results.clear();
    auto events = std::make_shared<std::vector<RecordedEvent>>();
    const int64_t now = wall_now();
    worker.run([this, batch, events, now] { *events = record_outcomes(env, *batch, now, retry); },
               [this, batch, events] { recorded(*batch, *events); });
  }

  void recorded(const std::vector<RecipientOutcome>& batch,
                const std::vector<RecordedEvent>& events) {
    recording = false;
    for (const RecipientOutcome& o : batch) in_flight.erase({o.ref.message_id, o.ref.index});
    counters.loaded_recipients = in_flight.size();
    bool finished = false;
    for (const RecordedEvent& e : events) {
      if (e.durable && (e.event.kind != DeliveryEvent::Kind::kDeferred || e.delay_notice))
        finished = true;
      if (e.durable) switch (e.event.kind) {
          case DeliveryEvent::Kind::kDelivered:
            ++counters.delivered;
            break;
          case DeliveryEvent::Kind::kDeferred:
            ++counters.deferred;
            break;
          case DeliveryEvent::Kind::kBounced:
            ++counters.bounced;
            break;
          case DeliveryEvent::Kind::kExpired:
            ++counters.expired;
            break;
        }
      log(e.level, e.line);
      if (listener && e.durable) listener(e.event);
    }
    if (!results.empty()) record();
    if (finished) report();
    maybe_stopped();
    if (!stopping) refill();
  }

  // ---- Reports (DSNs) ----

  void report() {
    if (stopping) return;
    if (reporting) {
      report_again = true;
      return;
    }
    reporting = true;
    report_again = false;
    auto result = std::make_shared<ReportPassResult>();
    const int64_t now = wall_now();
    worker.run(
        [this, result, now] {
          ReportContext ctx{env, store, context.directory(), helo, dsn_ids};
          *result = run_report_pass(ctx, 64, now);
        },
        [this, result] {
          reporting = false;
          for (const auto& [level, line] : result->lines) log(level, line);
          if (result->queued) refill();
          if (result->more || report_again) report();
          maybe_stopped();
        });
  }

  // ---- Timer and shutdown ----

  static void on_timer(evutil_socket_t, short, void* arg) {
    auto* self = static_cast<Impl*>(arg);
    self->refill();
    self->dispatch();
    self->arm_timer();
  }

  void arm_timer() {
    if (stopping || timer == nullptr) return;
    int64_t wait_ms = 1000;
    if (auto at = scheduler.next_wakeup(mono_ms()))
      wait_ms = std::clamp<int64_t>(*at - mono_ms(), 1, 1000);
    timeval tv{static_cast<time_t>(wait_ms / 1000),
               static_cast<suseconds_t>((wait_ms % 1000) * 1000)};
    evtimer_add(timer, &tv);
  }

  void maybe_stopped() {
    if (!stopping || !on_stopped) return;
    if (!connections.empty() || counters.active_connections > 0) return;
    if (!results.empty()) record();
    if (recording || refilling || reporting || worker.pending() > 0) return;
    auto done = std::move(on_stopped);
    on_stopped = nullptr;
    done();
  }
};

// ---- The public face ----

Result<std::unique_ptr<DeliveryEngine>> DeliveryEngine::create(Context& context, event_base* base,
                                                               mailbox::MailStore& store,
                                                               mta::LoopPoster& poster,
                                                               OutboundConfig config,
                                                               std::string hostname, LogSink log) {
  if (config.max_loaded_recipients == 0)
    return invalid_argument("outbound: max_loaded_recipients must be positive");
  if (config.retry_initial_seconds == 0 || config.retry_max_seconds < config.retry_initial_seconds)
    return invalid_argument(
        "outbound: retry_initial_seconds must be positive and at most retry_max_seconds");
  RelayTarget relay;
  if (!config.relay_host.empty()) {
    MF_ASSIGN_OR_RETURN(relay, parse_relay_host(config.relay_host));
  }
  if (!config.bind_address.empty() && !mta::parse_ip(config.bind_address))
    return invalid_argument(
        fmt::format("outbound: bind_address '{}' is not an IP address", config.bind_address));
  std::map<std::string, SendingIdentityConfig> identities;
  for (auto& [domain, identity] : config.sending_domains) {
    if (!identity.bind_address.empty() && !mta::parse_ip(identity.bind_address))
      return invalid_argument(
          fmt::format("outbound: bind_address '{}' of sending domain {} is not "
                      "an IP address",
                      identity.bind_address, domain));
    if (domain.empty() || domain.find('/') != std::string::npos)
      return invalid_argument(fmt::format("outbound: '{}' is not a sending domain", domain));
    identities[ascii_lower(domain)] = identity;
  }
  config.sending_domains = std::move(identities);
  std::string helo = config.helo_name.empty() ? hostname : config.helo_name;
  auto impl = std::make_unique<Impl>(context, base, store, poster, std::move(config),
                                     std::move(helo), std::move(log));
  impl->relay = relay;
  impl->retry.initial_delay = impl->config.retry_initial_seconds;
  impl->retry.max_delay = impl->config.retry_max_seconds;
  impl->retry.max_lifetime = impl->config.max_lifetime_seconds;
  impl->retry.delay_notice_after = impl->config.delay_notice_seconds;
  dns::ResolverConfig rc;
  rc.servers = impl->config.dns_servers;
  MF_ASSIGN_OR_RETURN(impl->resolver, dns::Resolver::create(base, std::move(rc)));
  net::TlsClientConfig tc;
  MF_ASSIGN_OR_RETURN(impl->tls, net::TlsClientContext::create(tc));
  impl->timer = evtimer_new(base, &Impl::on_timer, impl.get());
  if (impl->timer == nullptr) return io_error("outbound: cannot create the engine's timer");
  return std::unique_ptr<DeliveryEngine>(new DeliveryEngine(std::move(impl)));
}

DeliveryEngine::DeliveryEngine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

DeliveryEngine::~DeliveryEngine() {
  // Normally shutdown() ran first and nothing is open. Otherwise the open connections are
  // cancelled; what they report from inside cancel() is still recorded (the store worker's
  // destructor runs the tasks given), and anything later is dropped: those recipients stay
  // due and are sent again after the restart.
  impl_->stopping = true;
  for (const auto& c : std::set<std::shared_ptr<SmtpConnection>>(impl_->connections)) c->cancel();
  impl_->record();
  impl_->alive_token.reset();
}

void DeliveryEngine::start() {
  if (!impl_->config.enabled) {
    impl_->log(LogLevel::kInfo, "outbound delivery is disabled: mail is queued, not sent");
    return;
  }
  impl_->report();  // reports left pending by a stop or a crash
  impl_->refill();
  impl_->arm_timer();
}

void DeliveryEngine::wake() {
  if (!impl_->config.enabled) return;
  impl_->refill();
}

void DeliveryEngine::report_now() {
  if (!impl_->config.enabled) return;
  impl_->report();
}

void DeliveryEngine::shutdown(std::function<void()> done) {
  impl_->stopping = true;
  impl_->on_stopped = std::move(done);
  if (impl_->timer != nullptr) evtimer_del(impl_->timer);
  impl_->resolver->cancel_all();
  for (const auto& c : std::set<std::shared_ptr<SmtpConnection>>(impl_->connections)) c->cancel();
  // Jobs still waiting go back to the store as they are: they were never tried, so their
  // recipients stay due and the next start sends them.
  impl_->waiting.clear();
  impl_->maybe_stopped();
}

void DeliveryEngine::set_listener(DeliveryListener listener) {
  impl_->listener = std::move(listener);
}

EngineStats DeliveryEngine::stats() const {
  return impl_->counters;
}

}  // namespace mf::outbound
