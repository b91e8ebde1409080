// dns/resolver.cpp — the c-ares channel on a libevent loop, and the MX lookup of one
// domain as a small chain of queries (dns/resolver.h).
#include "dns/resolver.h"

#include "dns/reply.h"
#include "dns/server_list.h"
#include "model/names.h"

#include <ares.h>
#include <event2/event.h>
#include <fmt/format.h>

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cstring>
#include <mutex>
#include <random>
#include <unordered_map>

namespace mf::dns {

namespace {

// c-ares 1.18 wants ares_library_init() called before any channel exists, and the call is
// not thread-safe. It is process-wide by c-ares' design, not ours: on Linux it only sets
// up c-ares' allocator hooks (the default ones here) and counts references. We call it
// once per process through std::call_once, so any number of resolvers on any threads share
// one safe initialisation, and never call ares_library_cleanup(): a library embedded in
// someone else's program cannot know when the last user of c-ares in the process is gone,
// and leaving it initialised costs nothing.
Status init_cares_once() {
  static std::once_flag once;
  static int rc = ARES_SUCCESS;
  std::call_once(once, [] { rc = ares_library_init(ARES_LIB_INIT_ALL); });
  if (rc != ARES_SUCCESS) {
    return io_error(fmt::format("c-ares initialisation failed: {}", ares_strerror(rc)));
  }
  return Status::ok();
}

std::string cache_name(std::string_view name) {
  std::string out(name);
  if (!out.empty() && out.back() == '.') out.pop_back();
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

struct Resolver::Impl {
  // One MX lookup in progress.
  struct Request {
    std::string domain;
    std::function<void(Route)> done;
    MxPlan plan;
    std::vector<HostAnswers> answers;
    size_t pending = 0;
    bool finished = false;
  };
  using Waiter = std::function<void(const Answer&)>;
  // The argument of one ares_query callback.
  struct Query {
    Impl* impl;
    std::string key;
    std::string name;
    RecordType type;
  };

  event_base* base = nullptr;
  ResolverConfig config;
  ares_channel channel = nullptr;
  event* timer = nullptr;
  event* deliver = nullptr;
  std::unordered_map<ares_socket_t, event*> sockets;
  AnswerCache cache{CacheLimits{}};
  std::unordered_map<std::string, std::vector<Waiter>> inflight;    // key → who waits
  std::unordered_map<Request*, std::shared_ptr<Request>> requests;  // unfinished lookups
  std::vector<std::pair<std::function<void(Route)>, Route>> ready;  // to hand over
  bool cancelling = false;
  Stats stats;
  std::mt19937_64 rng;

  ~Impl() {
    cancelling = true;
    // Destroying the channel calls every pending query's callback with ARES_EDESTRUCTION,
    // and may report its sockets closed through on_sock_state: the maps must still live.
    if (channel != nullptr) ares_destroy(channel);
    channel = nullptr;
    finish_leftovers();
    for (auto& [fd, ev] : sockets) event_free(ev);
    sockets.clear();
    if (timer != nullptr) event_free(timer);
    if (deliver != nullptr) event_free(deliver);
    // The lookups' owners hear of the end now: nothing will run on the loop for them.
    auto batch = std::move(ready);
    for (auto& [fn, route] : batch) fn(std::move(route));
  }

  std::chrono::steady_clock::time_point now() const {
    return config.clock ? config.clock() : std::chrono::steady_clock::now();
  }

  // ---- libevent glue -------------------------------------------------------------------

  static void on_sock_state(void* data, ares_socket_t fd, int readable, int writable) {
    auto* self = static_cast<Impl*>(data);
    auto it = self->sockets.find(fd);
    if (it != self->sockets.end()) {
      event_free(it->second);
      self->sockets.erase(it);
    }
    if (!readable && !writable) return;
    short what = EV_PERSIST;
    if (readable) what |= EV_READ;
    if (writable) what |= EV_WRITE;
    event* ev = event_new(self->base, fd, what, &Impl::on_socket, self);
    if (ev == nullptr) return;  // out of memory: the query will time out through the timer
    event_add(ev, nullptr);
    self->sockets.emplace(fd, ev);
  }

  static void on_socket(evutil_socket_t fd, short what, void* arg) {
    auto* self = static_cast<Impl*>(arg);
    ares_socket_t r = (what & EV_READ) ? fd : ARES_SOCKET_BAD;
    ares_socket_t w = (what & EV_WRITE) ? fd : ARES_SOCKET_BAD;
    ares_process_fd(self->channel, r, w);
    self->rearm_timer();
  }

  static void on_timer(evutil_socket_t, short, void* arg) {
    auto* self = static_cast<Impl*>(arg);
    ares_process_fd(self->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
    self->rearm_timer();
  }

  void rearm_timer() {
    if (channel == nullptr) return;
    timeval tv{};
    if (ares_timeout(channel, nullptr, &tv) != nullptr) {
      evtimer_add(timer, &tv);
    } else {
      evtimer_del(timer);
    }
  }

  static void on_deliver(evutil_socket_t, short, void* arg) {
    auto* self = static_cast<Impl*>(arg);
    // Moved out first: a callback may start lookups, cancel them, or destroy the resolver,
    // after which `self` must not be touched again.
    auto batch = std::move(self->ready);
    self->ready.clear();
    for (auto& [fn, route] : batch) fn(std::move(route));
  }

  // ---- queries -------------------------------------------------------------------------

  // Calls `waiter` with the answer for (name, type): from the cache at once, or when the
  // query (shared with any identical one in flight) ends.
  void lookup(const std::string& name, RecordType type, Waiter waiter) {
    if (auto hit = cache.find(name, type, now())) {
      ++stats.cache_hits;
      waiter(*hit);
      return;
    }
    std::string key = fmt::format("{} {}", record_type_name(type), name);
    auto [it, fresh] = inflight.try_emplace(key);
    it->second.push_back(std::move(waiter));
    if (!fresh) return;
    ++stats.queries_sent;
    auto* q = new Query{this, key, name, type};
    // ares_query may call back before returning (no servers, out of memory); the waiter
    // list is in place already.
    ares_query(channel, name.c_str(), 1 /* class IN */, wire_type(type), &Impl::on_answer, q);
    rearm_timer();
  }

  static void on_answer(void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
    std::unique_ptr<Query> q(static_cast<Query*>(arg));
    Impl* self = q->impl;
    Answer answer =
        answer_from_reply(q->type, status, abuf, alen, self->config.default_negative_ttl);
    if (!is_cancel_status(status) && !self->cancelling) {
      self->cache.insert(q->name, q->type, answer, self->now());
    }
    auto it = self->inflight.find(q->key);
    if (it == self->inflight.end()) return;
    auto waiters = std::move(it->second);
    self->inflight.erase(it);
    for (auto& w : waiters) w(answer);
  }

  // ---- one MX lookup -------------------------------------------------------------------

  void start(std::shared_ptr<Request> req) {
    requests.emplace(req.get(), req);
    lookup(req->domain, RecordType::kMx, [this, req](const Answer& a) { on_mx(req, a); });
  }

  void on_mx(const std::shared_ptr<Request>& req, const Answer& mx) {
    if (req->finished) return;
    if (cancelling) return finish(req, temp_fail_route(req->domain, "cancelled"));
    RandomIndex random = config.random ? config.random : [this](size_t n) {
      return static_cast<size_t>(std::uniform_int_distribution<uint64_t>(0, n - 1)(rng));
    };
    req->plan = plan_mx(req->domain, mx, config.limits, random);
    if (req->plan.route) return finish(req, *req->plan.route);
    req->answers.assign(req->plan.hosts.size(), HostAnswers{});
    // Count first: cached answers come back inside lookup().
    for (const MxHost& h : req->plan.hosts) {
      if (!h.numeric) req->pending += 2;
    }
    if (req->pending == 0)
      return finish(req, finish_route(req->domain, req->plan, req->answers, config.limits));
    for (size_t i = 0; i < req->plan.hosts.size(); ++i) {
      const MxHost& h = req->plan.hosts[i];
      if (h.numeric) continue;
      std::string name = h.name;
      lookup(name, RecordType::kA, [this, req, i](const Answer& a) {
        req->answers[i].a = a;
        host_answered(req);
      });
      lookup(name, RecordType::kAaaa, [this, req, i](const Answer& a) {
        req->answers[i].aaaa = a;
        host_answered(req);
      });
    }
  }

  void host_answered(const std::shared_ptr<Request>& req) {
    if (req->finished || --req->pending > 0) return;
    if (cancelling) return finish(req, temp_fail_route(req->domain, "cancelled"));
    finish(req, finish_route(req->domain, req->plan, req->answers, config.limits));
  }

  void finish(const std::shared_ptr<Request>& req, Route route) {
    if (req->finished) return;
    req->finished = true;
    ready.emplace_back(std::move(req->done), std::move(route));
    requests.erase(req.get());
    if (deliver != nullptr) event_active(deliver, EV_TIMEOUT, 0);
  }

  // Requests left unfinished once c-ares has called back every query (none, unless a
  // query could not be sent at all).
  void finish_leftovers() {
    auto left = requests;
    for (auto& [ptr, req] : left) finish(req, temp_fail_route(req->domain, "cancelled"));
  }
};

Resolver::Resolver(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Resolver::~Resolver() = default;

Result<std::unique_ptr<Resolver>> Resolver::create(event_base* base, ResolverConfig config) {
  if (base == nullptr) return invalid_argument("the resolver needs an event base");
  if (config.timeout.count() < 1) return invalid_argument("the DNS timeout must be at least 1 ms");
  if (config.tries < 1 || config.tries > 10) {
    return invalid_argument("the DNS tries must be 1 to 10");
  }
  MF_ASSIGN_OR_RETURN(auto servers, parse_server_list(config.servers));
  MF_RETURN_IF_ERROR(init_cares_once());

  auto impl = std::make_unique<Impl>();
  impl->base = base;
  impl->cache = AnswerCache(config.cache);
  impl->config = std::move(config);
  impl->rng.seed(std::random_device{}());
  impl->timer = evtimer_new(base, &Impl::on_timer, impl.get());
  impl->deliver = event_new(base, -1, 0, &Impl::on_deliver, impl.get());
  if (impl->timer == nullptr || impl->deliver == nullptr) {
    return io_error("cannot create the resolver's events");
  }

  ares_options opts{};
  int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS;
  opts.sock_state_cb = &Impl::on_sock_state;
  opts.sock_state_cb_data = impl.get();
  opts.timeout = static_cast<int>(impl->config.timeout.count());
  opts.tries = impl->config.tries;
  // Names are always fully qualified (a domain, an MX target): no search list, no
  // appended local domain (Postfix notes the same trap with RES_DEFNAMES).
  opts.flags = ARES_FLAG_NOSEARCH;
  int rc = ares_init_options(&impl->channel, &opts, mask);
  if (rc != ARES_SUCCESS) {
    impl->channel = nullptr;
    return io_error(fmt::format("cannot set up the DNS resolver: {}", ares_strerror(rc)));
  }
  if (!servers.empty()) {
    std::vector<ares_addr_port_node> nodes(servers.size());
    for (size_t i = 0; i < servers.size(); ++i) {
      ares_addr_port_node& n = nodes[i];
      n.next = i + 1 < servers.size() ? &nodes[i + 1] : nullptr;
      if (servers[i].ip.family == IpFamily::kIPv4) {
        n.family = AF_INET;
        std::memcpy(&n.addr.addr4, servers[i].ip.bytes.data(), 4);
      } else {
        n.family = AF_INET6;
        std::memcpy(&n.addr.addr6, servers[i].ip.bytes.data(), 16);
      }
      n.udp_port = servers[i].port;
      n.tcp_port = servers[i].port;
    }
    rc = ares_set_servers_ports(impl->channel, nodes.data());
    if (rc != ARES_SUCCESS) {
      return io_error(fmt::format("cannot set the DNS servers: {}", ares_strerror(rc)));
    }
  }
  return std::unique_ptr<Resolver>(new Resolver(std::move(impl)));
}

void Resolver::resolve_mx(std::string domain, std::function<void(Route)> done) {
  Impl& im = *impl_;
  ++im.stats.lookups;
  auto req = std::make_shared<Impl::Request>();
  req->done = std::move(done);
  auto canonical = normalize_domain(domain);
  if (!canonical) {
    Route r;
    r.kind = RouteKind::kNoSuchDomain;
    r.domain = domain;
    r.reason =
        fmt::format("'{}' is not a valid domain name: {}", domain, canonical.status().message());
    r.dsn = "5.1.2";
    req->domain = domain;
    im.requests.emplace(req.get(), req);
    im.finish(req, std::move(r));
    return;
  }
  req->domain = cache_name(*canonical);
  im.start(std::move(req));
}

void Resolver::cancel_all() {
  Impl& im = *impl_;
  im.cancelling = true;
  ares_cancel(im.channel);
  im.finish_leftovers();
  im.cancelling = false;
  im.rearm_timer();
}

Resolver::Stats Resolver::stats() const {
  return impl_->stats;
}

const AnswerCache& Resolver::cache() const {
  return impl_->cache;
}

}  // namespace mf::dns
