// Unit tests of the MX rules (dns/route.h): preference order and the shuffle of equal
// preferences, implicit MX, NXDOMAIN, null MX, temporary failures, IP-literal and invalid
// targets, hosts without addresses, caps, and TTLs — all without any network.
#include <doctest/doctest.h>

#include "dns/route.h"

#include <set>
#include <string>
#include <vector>

using namespace mf::dns;

namespace {

// A "random" generator that always picks the first index: shuffles become predictable.
size_t pick_first(size_t) {
  return 0;
}
// Always the last index: Fisher-Yates with it leaves the order unchanged.
size_t pick_last(size_t n) {
  return n - 1;
}

Answer mx_answer(std::vector<MxRecord> records, uint32_t ttl = 3600) {
  Answer a;
  a.outcome = Outcome::kRecords;
  a.mx = std::move(records);
  a.ttl = ttl;
  return a;
}

Answer outcome(Outcome o, uint32_t ttl = 300, std::string error = "") {
  Answer a;
  a.outcome = o;
  a.ttl = ttl;
  a.error = std::move(error);
  return a;
}

IpAddress ip(const char* text) {
  auto parsed = mf::mta::parse_ip(text);
  REQUIRE(parsed.has_value());
  return *parsed;
}

Answer addresses(std::vector<const char*> texts, uint32_t ttl = 600) {
  Answer a;
  a.outcome = Outcome::kRecords;
  a.ttl = ttl;
  for (const char* t : texts) a.addresses.push_back(ip(t));
  return a;
}

std::vector<std::string> names(const std::vector<MxHost>& hosts) {
  std::vector<std::string> out;
  for (const auto& h : hosts) out.push_back(h.name);
  return out;
}

std::vector<std::string> texts(const std::vector<IpAddress>& ips) {
  std::vector<std::string> out;
  for (const auto& i : ips) out.push_back(ip_to_string(i));
  return out;
}

HostAnswers host(Answer a, Answer aaaa) {
  return HostAnswers{std::move(a), std::move(aaaa)};
}

}  // namespace

TEST_CASE("MX hosts are ordered by preference, lowest first") {
  RouteLimits limits;
  auto plan = plan_mx(
      "ma-societe.fr",
      mx_answer({{"mx3.ma-societe.fr", 30}, {"mx1.ma-societe.fr", 10}, {"mx2.ma-societe.fr", 20}}),
      limits, pick_last);
  REQUIRE_FALSE(plan.route.has_value());
  CHECK(names(plan.hosts) ==
        std::vector<std::string>{"mx1.ma-societe.fr", "mx2.ma-societe.fr", "mx3.ma-societe.fr"});
  CHECK(plan.hosts[0].preference == 10);
  CHECK(plan.hosts[2].preference == 30);
}

TEST_CASE("MX hosts of equal preference are shuffled with the injected generator only") {
  RouteLimits limits;
  Answer mx = mx_answer({{"a.example.net", 10},
                         {"b.example.net", 10},
                         {"c.example.net", 10},
                         {"backup.example.net", 20}});
  auto unchanged = plan_mx("example.net", mx, limits, pick_last);
  CHECK(names(unchanged.hosts) == std::vector<std::string>{"a.example.net", "b.example.net",
                                                           "c.example.net", "backup.example.net"});
  // Always index 0: n=3 swaps c with a (c b a), n=2 swaps b with c (b c a).
  auto shuffled = plan_mx("example.net", mx, limits, pick_first);
  CHECK(names(shuffled.hosts) == std::vector<std::string>{"b.example.net", "c.example.net",
                                                          "a.example.net", "backup.example.net"});
  // The backup never moves ahead of the preference-10 group, whatever the generator says.
  std::set<std::string> firsts;
  for (size_t seed = 0; seed < 30; ++seed) {
    size_t state = seed;
    auto plan = plan_mx("example.net", mx, limits, [&](size_t n) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      return static_cast<size_t>((state >> 33) % n);
    });
    CHECK(plan.hosts.back().name == "backup.example.net");
    firsts.insert(plan.hosts.front().name);
  }
  CHECK(firsts.size() > 1);
}

TEST_CASE("NODATA for MX makes the domain its own implicit MX with its A and AAAA") {
  RouteLimits limits;
  auto plan = plan_mx("petite-boite.fr", outcome(Outcome::kNoData, 120), limits, pick_last);
  REQUIRE_FALSE(plan.route.has_value());
  REQUIRE(plan.hosts.size() == 1);
  CHECK(plan.hosts[0].name == "petite-boite.fr");
  CHECK(plan.hosts[0].implicit);
  CHECK(plan.hosts[0].preference == 0);

  Route r = finish_route("petite-boite.fr", plan,
                         {host(addresses({"192.0.2.25"}, 600), addresses({"2001:db8::25"}, 900))},
                         limits);
  CHECK(r.kind == RouteKind::kHosts);
  REQUIRE(r.hosts.size() == 1);
  CHECK(texts(r.hosts[0].addresses) == std::vector<std::string>{"192.0.2.25", "2001:db8::25"});
  CHECK(r.ttl == 120);  // the NODATA answer's negative TTL is the shortest
}

TEST_CASE("a domain with neither MX nor addresses fails permanently") {
  RouteLimits limits;
  auto plan = plan_mx("vide.fr", outcome(Outcome::kNoData, 300), limits, pick_last);
  Route r =
      finish_route("vide.fr", plan,
                   {host(outcome(Outcome::kNoData, 60), outcome(Outcome::kNoData, 90))}, limits);
  CHECK(r.kind == RouteKind::kNoAddress);
  CHECK(r.permanent());
  CHECK(r.dsn == "5.4.4");
  CHECK(r.ttl == 60);
}

TEST_CASE("NXDOMAIN for MX is a permanent failure") {
  RouteLimits limits;
  auto plan = plan_mx("nexiste-pas.fr", outcome(Outcome::kNxDomain, 900), limits, pick_last);
  REQUIRE(plan.route.has_value());
  CHECK(plan.route->kind == RouteKind::kNoSuchDomain);
  CHECK(plan.route->permanent());
  CHECK(plan.route->dsn == "5.1.2");
  CHECK(plan.route->ttl == 900);
  CHECK(plan.route->reason.find("nexiste-pas.fr") != std::string::npos);
}

TEST_CASE("a temporary MX failure defers and names the error") {
  RouteLimits limits;
  auto plan = plan_mx("lent.fr", outcome(Outcome::kTempFail, 0, "SERVFAIL"), limits, pick_last);
  REQUIRE(plan.route.has_value());
  CHECK(plan.route->kind == RouteKind::kTempFail);
  CHECK_FALSE(plan.route->permanent());
  CHECK(plan.route->dsn == "4.4.3");
  CHECK(plan.route->reason.find("SERVFAIL") != std::string::npos);
}

TEST_CASE("a lone MX to the root is a null MX: the domain accepts no mail") {
  RouteLimits limits;
  for (const char* root : {"", "."}) {
    auto plan = plan_mx("pas-de-mail.fr", mx_answer({{root, 0}}), limits, pick_last);
    REQUIRE(plan.route.has_value());
    CHECK(plan.route->kind == RouteKind::kNullMx);
    CHECK(plan.route->permanent());
    CHECK(plan.route->dsn == "5.1.10");
  }
  // Written with another preference it is still a null MX (as Postfix reads it).
  auto plan = plan_mx("pas-de-mail.fr", mx_answer({{"", 10}}), limits, pick_last);
  REQUIRE(plan.route.has_value());
  CHECK(plan.route->kind == RouteKind::kNullMx);
}

TEST_CASE("a root MX beside real MX records is skipped, not a null MX") {
  RouteLimits limits;
  auto plan = plan_mx("mixte.fr", mx_answer({{"", 0}, {"mx.mixte.fr", 10}}), limits, pick_last);
  REQUIRE_FALSE(plan.route.has_value());
  CHECK(names(plan.hosts) == std::vector<std::string>{"mx.mixte.fr"});
  CHECK(plan.skipped == 1);
}

TEST_CASE("an MX target written as an IP literal is used as that address without a lookup") {
  RouteLimits limits;
  auto plan = plan_mx("bricole.fr", mx_answer({{"192.0.2.7", 10}, {"mx.bricole.fr", 20}}), limits,
                      pick_last);
  REQUIRE(plan.hosts.size() == 2);
  CHECK(plan.hosts[0].numeric);
  CHECK(texts(plan.hosts[0].addresses) == std::vector<std::string>{"192.0.2.7"});
  // The numeric host's answers are ignored, even if the caller passes some.
  Route r = finish_route("bricole.fr", plan,
                         {host(outcome(Outcome::kNxDomain), outcome(Outcome::kNxDomain)),
                          host(addresses({"192.0.2.8"}), outcome(Outcome::kNoData))},
                         limits);
  REQUIRE(r.kind == RouteKind::kHosts);
  REQUIRE(r.hosts.size() == 2);
  CHECK(texts(r.hosts[0].addresses) == std::vector<std::string>{"192.0.2.7"});
  CHECK(texts(r.hosts[1].addresses) == std::vector<std::string>{"192.0.2.8"});
}

TEST_CASE("malformed MX targets are skipped; only malformed ones fail permanently") {
  RouteLimits limits;
  auto plan = plan_mx(
      "x.fr",
      mx_answer(
          {{"bad\\032name.x.fr", 10}, {"-dash.x.fr", 10}, {"[192.0.2.1]", 10}, {"mx.x.fr", 20}}),
      limits, pick_last);
  CHECK(names(plan.hosts) == std::vector<std::string>{"mx.x.fr"});
  CHECK(plan.skipped == 3);

  auto bad = plan_mx("x.fr", mx_answer({{"bad name", 10}}), limits, pick_last);
  REQUIRE(bad.route.has_value());
  CHECK(bad.route->kind == RouteKind::kNoAddress);
  CHECK(bad.route->permanent());
}

TEST_CASE("MX targets are compared and returned in lower case without the trailing dot") {
  RouteLimits limits;
  auto plan = plan_mx("x.fr", mx_answer({{"MX.X.FR.", 20}, {"mx.x.fr", 10}}), limits, pick_last);
  REQUIRE(plan.hosts.size() == 1);
  CHECK(plan.hosts[0].name == "mx.x.fr");
  CHECK(plan.hosts[0].preference == 10);
}

TEST_CASE("an MX host without addresses is skipped and the next one is used") {
  RouteLimits limits;
  auto plan =
      plan_mx("ma-societe.fr", mx_answer({{"mx1.ma-societe.fr", 10}, {"mx2.ma-societe.fr", 20}}),
              limits, pick_last);
  Route r = finish_route("ma-societe.fr", plan,
                         {host(outcome(Outcome::kNxDomain), outcome(Outcome::kNxDomain)),
                          host(addresses({"192.0.2.20"}), outcome(Outcome::kNoData))},
                         limits);
  REQUIRE(r.kind == RouteKind::kHosts);
  CHECK(names(r.hosts) == std::vector<std::string>{"mx2.ma-societe.fr"});
}

TEST_CASE("no MX host with an address: permanent, unless a lookup failed temporarily") {
  RouteLimits limits;
  auto plan = plan_mx("x.fr", mx_answer({{"mx1.x.fr", 10}, {"mx2.x.fr", 20}}), limits, pick_last);
  Route hard = finish_route("x.fr", plan,
                            {host(outcome(Outcome::kNxDomain), outcome(Outcome::kNxDomain)),
                             host(outcome(Outcome::kNoData), outcome(Outcome::kNoData))},
                            limits);
  CHECK(hard.kind == RouteKind::kNoAddress);
  CHECK(hard.permanent());

  Route soft =
      finish_route("x.fr", plan,
                   {host(outcome(Outcome::kNxDomain), outcome(Outcome::kNxDomain)),
                    host(outcome(Outcome::kTempFail, 0, "timeout"), outcome(Outcome::kNoData))},
                   limits);
  CHECK(soft.kind == RouteKind::kTempFail);
  CHECK(soft.reason.find("mx2.x.fr A: timeout") != std::string::npos);
}

TEST_CASE("A and AAAA addresses are both kept, IPv4 first, capped per family") {
  RouteLimits limits;
  limits.max_addresses_per_family = 2;
  auto plan = plan_mx("x.fr", mx_answer({{"mx.x.fr", 10}}), limits, pick_last);
  Route r = finish_route("x.fr", plan,
                         {host(addresses({"192.0.2.1", "192.0.2.2", "192.0.2.3"}),
                               addresses({"2001:db8::1", "2001:db8::2", "2001:db8::3"}))},
                         limits);
  REQUIRE(r.kind == RouteKind::kHosts);
  CHECK(texts(r.hosts[0].addresses) ==
        std::vector<std::string>{"192.0.2.1", "192.0.2.2", "2001:db8::1", "2001:db8::2"});
}

TEST_CASE("an address family failing temporarily does not hide the other") {
  RouteLimits limits;
  auto plan = plan_mx("x.fr", mx_answer({{"mx.x.fr", 10}}), limits, pick_last);
  Route r = finish_route(
      "x.fr", plan, {host(addresses({"192.0.2.1"}), outcome(Outcome::kTempFail, 0, "timeout"))},
      limits);
  REQUIRE(r.kind == RouteKind::kHosts);
  CHECK(texts(r.hosts[0].addresses) == std::vector<std::string>{"192.0.2.1"});
}

TEST_CASE("the MX list is capped after sorting, keeping the best preferences") {
  RouteLimits limits;
  limits.max_hosts = 3;
  std::vector<MxRecord> recs;
  for (int i = 9; i >= 0; --i) {
    recs.push_back({"mx" + std::to_string(i) + ".x.fr", static_cast<uint16_t>(i * 10)});
  }
  auto plan = plan_mx("x.fr", mx_answer(recs), limits, pick_last);
  CHECK(names(plan.hosts) == std::vector<std::string>{"mx0.x.fr", "mx1.x.fr", "mx2.x.fr"});
}

TEST_CASE("the route's TTL is the smallest TTL of the answers it used") {
  RouteLimits limits;
  auto plan =
      plan_mx("x.fr", mx_answer({{"mx1.x.fr", 10}, {"mx2.x.fr", 20}}, 3600), limits, pick_last);
  Route r = finish_route("x.fr", plan,
                         {host(addresses({"192.0.2.1"}, 300), outcome(Outcome::kNoData, 5)),
                          host(addresses({"192.0.2.2"}, 1200), outcome(Outcome::kNoData, 5))},
                         limits);
  REQUIRE(r.kind == RouteKind::kHosts);
  CHECK(r.ttl == 300);
}

TEST_CASE("host names: LDH labels, underscores allowed, lengths bounded") {
  CHECK(is_valid_host_name("mx1.ma-societe.fr"));
  CHECK(is_valid_host_name("_dmarc.x.fr"));
  CHECK(is_valid_host_name("localhost"));
  CHECK_FALSE(is_valid_host_name(""));
  CHECK_FALSE(is_valid_host_name("a..b"));
  CHECK_FALSE(is_valid_host_name(".a"));
  CHECK_FALSE(is_valid_host_name("a-.b"));
  CHECK_FALSE(is_valid_host_name("a b"));
  CHECK_FALSE(is_valid_host_name(std::string(64, 'a') + ".fr"));
  CHECK(is_valid_host_name(std::string(63, 'a') + ".fr"));
  std::string long_name;
  while (long_name.size() < 254) long_name += "abcdefghi.";
  long_name += "fr";
  CHECK_FALSE(is_valid_host_name(long_name));
}
