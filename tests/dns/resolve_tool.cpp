// resolve_tool — resolves the mail routes of domains with MailFountain's resolver
// (libmailfountain/dns/resolver.h) and prints each Route as one JSON line. A test driver:
// tests/dns/test_resolver.py points it at tests/dns/test_dns_server.py.
//
//   resolve_tool [--server ADDR[:PORT]]... [--timeout-ms N] [--tries N] [--repeat N]
//                [--cancel | --destroy] DOMAIN...
//
// All domains of a round are resolved at once on one libevent loop; with --repeat N the
// round runs N times on the same resolver (later rounds may be answered by its cache).
// --cancel calls cancel_all() right after starting the first round; --destroy destroys the
// resolver instead: either way every lookup must still end, once, with "cancelled".
// Output, one line per route: {"round":1,"domain":...,"kind":...,"dsn":...,"reason":...,
// "ttl":...,"hosts":[{"name":...,"preference":...,"implicit":...,"numeric":...,
// "addresses":[...]}]}, then {"stats":{"queries_sent":...,"cache_hits":...,
// "lookups":...}}. Reads nothing else, writes only stdout (and errors to stderr).
#include "dns/resolver.h"

#include <event2/event.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace {

nlohmann::json to_json(const mf::dns::Route& r, int round) {
  nlohmann::json hosts = nlohmann::json::array();
  for (const auto& h : r.hosts) {
    nlohmann::json addrs = nlohmann::json::array();
    for (const auto& ip : h.addresses) addrs.push_back(mf::dns::ip_to_string(ip));
    hosts.push_back({{"name", h.name},
                     {"preference", h.preference},
                     {"implicit", h.implicit},
                     {"numeric", h.numeric},
                     {"addresses", addrs}});
  }
  return {{"round", round}, {"domain", r.domain}, {"kind", mf::dns::route_kind_name(r.kind)},
          {"dsn", r.dsn},   {"reason", r.reason}, {"ttl", r.ttl},
          {"hosts", hosts}};
}

int usage() {
  std::cerr << "usage: resolve_tool [--server ADDR[:PORT]]... [--timeout-ms N] [--tries N] "
               "[--repeat N] [--cancel|--destroy] DOMAIN...\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  mf::dns::ResolverConfig config;
  std::vector<std::string> domains;
  int repeat = 1;
  bool cancel = false;
  bool destroy = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    if (arg == "--server") {
      const char* v = value();
      if (v == nullptr) return usage();
      config.servers.push_back(v);
    } else if (arg == "--timeout-ms") {
      const char* v = value();
      if (v == nullptr) return usage();
      config.timeout = std::chrono::milliseconds(std::atoi(v));
    } else if (arg == "--tries") {
      const char* v = value();
      if (v == nullptr) return usage();
      config.tries = std::atoi(v);
    } else if (arg == "--repeat") {
      const char* v = value();
      if (v == nullptr) return usage();
      repeat = std::atoi(v);
    } else if (arg == "--cancel") {
      cancel = true;
    } else if (arg == "--destroy") {
      destroy = true;
    } else if (arg == "--help" || arg == "-h") {
      usage();
      return 0;
    } else if (!arg.empty() && arg[0] == '-') {
      return usage();
    } else {
      domains.push_back(arg);
    }
  }
  if (domains.empty() || repeat < 1) return usage();

  std::unique_ptr<event_base, void (*)(event_base*)> base(event_base_new(), event_base_free);
  auto created = mf::dns::Resolver::create(base.get(), config);
  if (!created) {
    std::cerr << "resolve_tool: " << created.status().to_string() << "\n";
    return 1;
  }
  std::unique_ptr<mf::dns::Resolver> resolver = std::move(created).value();
  mf::dns::Resolver::Stats last_stats;

  for (int round = 1; round <= repeat && resolver; ++round) {
    size_t pending = domains.size();
    std::vector<int> calls(domains.size(), 0);
    for (size_t i = 0; i < domains.size(); ++i) {
      resolver->resolve_mx(domains[i], [&, i, round](mf::dns::Route r) {
        // The contract under test: exactly one call per lookup.
        if (++calls[i] != 1) {
          std::cerr << "resolve_tool: callback for " << domains[i] << " ran twice\n";
          std::exit(3);
        }
        std::cout << to_json(r, round).dump() << "\n";
        if (--pending == 0) event_base_loopbreak(base.get());
      });
    }
    if (round == 1 && cancel) resolver->cancel_all();
    if (round == 1 && destroy) {
      last_stats = resolver->stats();
      resolver.reset();  // every pending callback runs inside, before reset returns
    }
    if (pending > 0 && resolver) event_base_dispatch(base.get());
    if (pending > 0) {
      std::cerr << "resolve_tool: " << pending << " lookups never ended\n";
      return 3;
    }
  }
  if (resolver) last_stats = resolver->stats();
  nlohmann::json stats = {{"queries_sent", last_stats.queries_sent},
                          {"cache_hits", last_stats.cache_hits},
                          {"lookups", last_stats.lookups}};
  std::cout << nlohmann::json{{"stats", stats}}.dump() << "\n";
  std::cout.flush();
  return 0;
}
