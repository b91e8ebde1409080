// dns/route.cpp — the MX rules of dns/route.h.
#include "dns/route.h"

#include "base/text.h"

#include <fmt/format.h>

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <limits>

namespace mf::dns {

std::string_view record_type_name(RecordType type) {
  switch (type) {
    case RecordType::kMx:
      return "MX";
    case RecordType::kA:
      return "A";
    case RecordType::kAaaa:
      return "AAAA";
  }
  return "?";
}

std::string_view route_kind_name(RouteKind kind) {
  switch (kind) {
    case RouteKind::kHosts:
      return "hosts";
    case RouteKind::kNullMx:
      return "null_mx";
    case RouteKind::kNoSuchDomain:
      return "no_such_domain";
    case RouteKind::kNoAddress:
      return "no_address";
    case RouteKind::kTempFail:
      return "temp_fail";
  }
  return "?";
}

std::string ip_to_string(const IpAddress& ip) {
  char buf[INET6_ADDRSTRLEN] = {};
  int af = ip.family == IpFamily::kIPv4 ? AF_INET : AF_INET6;
  if (inet_ntop(af, ip.bytes.data(), buf, sizeof buf) == nullptr) return "?";
  return buf;
}

bool is_valid_host_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  size_t start = 0;
  while (start <= name.size()) {
    size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) dot = name.size();
    std::string_view label = name.substr(start, dot - start);
    if (label.empty() || label.size() > 63) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_';
      if (!ok) return false;
    }
    start = dot + 1;
  }
  return true;
}

namespace {

Route make_route(std::string_view domain, RouteKind kind, uint32_t ttl, std::string reason,
                 std::string dsn) {
  Route r;
  r.kind = kind;
  r.domain = std::string(domain);
  r.ttl = ttl;
  r.reason = std::move(reason);
  r.dsn = std::move(dsn);
  return r;
}

bool is_root(std::string_view host) {
  return host.empty() || host == ".";
}

std::string strip_dot(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  return ascii_lower(host);
}

// Fisher-Yates over [first, last) with the injected generator.
void shuffle_range(std::vector<MxHost>& v, size_t first, size_t last, const RandomIndex& random) {
  for (size_t n = last - first; n > 1; --n) {
    size_t j = random(n);
    if (j >= n) j = n - 1;  // a generator out of contract must not index out of range
    std::swap(v[first + n - 1], v[first + j]);
  }
}

}  // namespace

Route temp_fail_route(std::string_view domain, std::string reason) {
  return make_route(domain, RouteKind::kTempFail, 0, std::move(reason), "4.4.3");
}

MxPlan plan_mx(std::string_view domain, const Answer& mx, const RouteLimits& limits,
               const RandomIndex& random) {
  MxPlan plan;
  switch (mx.outcome) {
    case Outcome::kNxDomain:
      plan.route = make_route(domain, RouteKind::kNoSuchDomain, mx.ttl,
                              fmt::format("domain {} does not exist (NXDOMAIN)", domain), "5.1.2");
      return plan;
    case Outcome::kTempFail:
      plan.route =
          temp_fail_route(domain, fmt::format("MX lookup for {} failed temporarily: {}", domain,
                                              mx.error.empty() ? "unknown error" : mx.error));
      return plan;
    case Outcome::kNoData: {
      // RFC 5321 §5.1: no MX records, so the domain is its own implicit MX.
      MxHost self;
      self.name = std::string(domain);
      self.implicit = true;
      plan.hosts.push_back(std::move(self));
      plan.mx_ttl = mx.ttl;
      return plan;
    }
    case Outcome::kRecords:
      break;
  }
  plan.mx_ttl = mx.ttl;
  if (mx.mx.size() == 1 && is_root(mx.mx.front().host)) {
    plan.route =
        make_route(domain, RouteKind::kNullMx, mx.ttl,
                   fmt::format("domain {} does not accept mail (null MX)", domain), "5.1.10");
    return plan;
  }
  std::vector<MxHost> hosts;
  for (const MxRecord& rec : mx.mx) {
    if (is_root(rec.host)) {
      ++plan.skipped;  // "." beside other MX records means nothing (RFC 7505 §3)
      continue;
    }
    MxHost h;
    h.name = strip_dot(rec.host);
    h.preference = rec.preference;
    if (auto ip = mta::parse_ip(h.name)) {
      h.numeric = true;
      h.addresses.push_back(*ip);
    } else if (!is_valid_host_name(h.name)) {
      ++plan.skipped;
      continue;
    }
    // The same host listed twice keeps its best preference only.
    auto same =
        std::find_if(hosts.begin(), hosts.end(), [&](const MxHost& o) { return o.name == h.name; });
    if (same != hosts.end()) {
      same->preference = std::min(same->preference, h.preference);
      continue;
    }
    hosts.push_back(std::move(h));
  }
  if (hosts.empty()) {
    plan.route = make_route(
        domain, RouteKind::kNoAddress, mx.ttl,
        fmt::format("no usable MX host for {}: every MX target is malformed", domain), "5.4.4");
    return plan;
  }
  std::stable_sort(hosts.begin(), hosts.end(),
                   [](const MxHost& a, const MxHost& b) { return a.preference < b.preference; });
  for (size_t first = 0; first < hosts.size();) {
    size_t last = first + 1;
    while (last < hosts.size() && hosts[last].preference == hosts[first].preference) ++last;
    shuffle_range(hosts, first, last, random);
    first = last;
  }
  if (hosts.size() > limits.max_hosts) hosts.resize(limits.max_hosts);
  plan.hosts = std::move(hosts);
  return plan;
}

Route finish_route(std::string_view domain, const MxPlan& plan,
                   const std::vector<HostAnswers>& answers, const RouteLimits& limits) {
  if (plan.route) return *plan.route;
  Route route;
  route.domain = std::string(domain);
  // The route is as fresh as the MX answer (or the NODATA behind an implicit MX) and the
  // address answers it uses.
  uint32_t ttl = plan.mx_ttl;
  std::string temp_errors;
  uint32_t negative_ttl = std::numeric_limits<uint32_t>::max();
  for (size_t i = 0; i < plan.hosts.size(); ++i) {
    MxHost host = plan.hosts[i];
    if (!host.numeric && i < answers.size()) {
      size_t v4 = 0;
      size_t v6 = 0;
      // The A answer first: IPv4 addresses, then IPv6, each in answer order.
      for (const Answer* a : {&answers[i].a, &answers[i].aaaa}) {
        switch (a->outcome) {
          case Outcome::kRecords:
            for (const IpAddress& ip : a->addresses) {
              size_t& n = ip.family == IpFamily::kIPv4 ? v4 : v6;
              if (n >= limits.max_addresses_per_family) continue;
              ++n;
              host.addresses.push_back(ip);
            }
            break;
          case Outcome::kTempFail:
            if (!temp_errors.empty()) temp_errors += "; ";
            temp_errors +=
                fmt::format("{} {}: {}", host.name, a == &answers[i].a ? "A" : "AAAA", a->error);
            break;
          case Outcome::kNoData:
          case Outcome::kNxDomain:
            negative_ttl = std::min(negative_ttl, a->ttl);
            break;
        }
      }
      if (!host.addresses.empty()) {
        uint32_t host_ttl = std::numeric_limits<uint32_t>::max();
        for (const Answer* a : {&answers[i].a, &answers[i].aaaa}) {
          if (a->outcome == Outcome::kRecords) host_ttl = std::min(host_ttl, a->ttl);
        }
        ttl = std::min(ttl, host_ttl);
      }
    }
    if (!host.addresses.empty()) route.hosts.push_back(std::move(host));
  }
  if (!route.hosts.empty()) {
    route.kind = RouteKind::kHosts;
    route.ttl = ttl;
    return route;
  }
  bool implicit = plan.hosts.size() == 1 && plan.hosts.front().implicit;
  if (!temp_errors.empty()) {
    return temp_fail_route(domain, fmt::format("address lookup for the MX hosts of {} failed "
                                               "temporarily: {}",
                                               domain, temp_errors));
  }
  // Negative answers all: the route lasts as long as the shortest of them.
  uint32_t neg = negative_ttl == std::numeric_limits<uint32_t>::max() ? 0 : negative_ttl;
  neg = std::min(neg, plan.mx_ttl);
  if (implicit) {
    return make_route(domain, RouteKind::kNoAddress, neg,
                      fmt::format("domain {} has no MX and no address records", domain), "5.4.4");
  }
  return make_route(domain, RouteKind::kNoAddress, neg,
                    fmt::format("no MX host for {} has an address record", domain), "5.4.4");
}

}  // namespace mf::dns
