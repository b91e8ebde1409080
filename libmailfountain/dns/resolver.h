// dns/resolver.h — asynchronous MX resolution for outbound delivery, over c-ares on the
// caller's libevent loop.
//
// resolve_mx(domain) asks for the domain's MX records, then the A and AAAA records of each
// MX host (or of the domain itself when it has no MX), and hands the Route built by the
// rules of dns/route.h to a callback. Answers are cached per (name, type) for their TTL
// (dns/cache.h); identical queries in flight at the same time are sent once.
//
// Event loop integration: each Resolver owns one c-ares channel. c-ares tells us which
// sockets it wants watched (ARES_OPT_SOCK_STATE_CB); each gets a persistent libevent event
// that calls ares_process_fd, and one timer follows ares_timeout() so retries and timeouts
// happen without any socket activity. No threads: everything runs on the loop's thread.
//
// Threading: a Resolver and all its calls belong to the thread running `base`'s loop.
// Two Resolvers (on the same or different loops) are independent: no global state, except
// c-ares' own process-wide initialisation (see resolver.cpp: done once, thread-safely).
#ifndef MF_DNS_RESOLVER_H
#define MF_DNS_RESOLVER_H

#include "dns/cache.h"
#include "dns/route.h"

#include <mailfountain/status.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

struct event_base;

namespace mf::dns {

struct ResolverConfig {
  // Name servers, "ADDR[:PORT]" (dns/server_list.h). Empty: the system's /etc/resolv.conf,
  // as c-ares reads it. The tests point this at their own server on a loopback port.
  std::vector<std::string> servers;
  // c-ares' per-try timeout: the first try waits this long, each later round twice as
  // long as the one before; with `tries` rounds over one server the query gives up after
  // timeout × (2^tries − 1).
  std::chrono::milliseconds timeout{2000};
  int tries = 3;
  // The negative TTL used when an NXDOMAIN or NODATA answer carries no SOA record.
  uint32_t default_negative_ttl = 60;
  RouteLimits limits;
  CacheLimits cache;
  // The clock for the cache. Empty: std::chrono::steady_clock::now.
  std::function<std::chrono::steady_clock::time_point()> clock;
  // The generator for the shuffle of equal-preference MX hosts. Empty: a generator owned
  // by the resolver, seeded from std::random_device.
  RandomIndex random;
};

class Resolver {
 public:
  // Creates a resolver on `base` (which must outlive it). kInvalidArgument for a bad
  // server entry, a timeout under 1 ms or tries outside 1..10; kIOError when c-ares cannot
  // set up its channel (for instance resolv.conf unreadable and no servers given).
  static Result<std::unique_ptr<Resolver>> create(event_base* base, ResolverConfig config);

  // Cancels every lookup (see below), then frees the channel and its events.
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  // Finds where mail for `domain` goes (UTF-8 names are converted to A-labels first; a
  // name that cannot be a domain gives kNoSuchDomain at once).
  //
  // `done` runs exactly once, on the loop thread, never from inside resolve_mx itself
  // (even a cached answer is handed over from the loop), with the Route. When the lookup
  // is cancelled by cancel_all() or the resolver's destruction before it finished, `done`
  // gets a kTempFail route whose reason is "cancelled". During the destructor, `done` is
  // called before the destructor returns and must not call into the resolver.
  void resolve_mx(std::string domain, std::function<void(Route)> done);

  // Ends every lookup in progress: each `done` gets a kTempFail "cancelled" route (from the
  // loop, as above). The cache is kept. Lookups started afterwards proceed normally.
  void cancel_all();

  // Counters for tests, tools and logs.
  struct Stats {
    uint64_t queries_sent = 0;  // queries handed to c-ares (each may be several packets)
    uint64_t cache_hits = 0;    // (name, type) answers found in the cache
    uint64_t lookups = 0;       // resolve_mx calls
  };
  Stats stats() const;

  // The cache, for inspection in tests.
  const AnswerCache& cache() const;

 private:
  struct Impl;
  explicit Resolver(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mf::dns

#endif  // MF_DNS_RESOLVER_H
