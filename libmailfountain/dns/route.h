// dns/route.h — where to deliver mail for a domain: the answer types and the rules that
// turn DNS answers into an ordered list of mail exchangers (RFC 5321 §5.1, RFC 7505).
//
// Pure functions over values: no I/O, no clock, no global state. Randomness (the shuffle of
// equal-preference MX hosts) is injected, so the rules are tested deterministically. The
// I/O layer (dns/resolver.h) asks c-ares for the records and feeds the answers in here in
// two steps: plan_mx() reads the MX answer and says which host names need addresses;
// finish_route() reads their A/AAAA answers and builds the Route.
//
// The rules, with their sources (docs/dns.md says the same at more length):
//  - MX records sorted by preference, lowest first; hosts of equal preference in random
//    order (RFC 5321 §5.1: "randomize them to spread the load").
//  - No MX records (NODATA) → the domain itself is the only, implicit, MX with preference 0
//    (RFC 5321 §5.1), and its own A/AAAA records are its addresses.
//  - NXDOMAIN for the MX query → permanent (the domain does not exist), 5.1.2.
//  - SERVFAIL, REFUSED, timeout or any other failure → temporary, 4.4.3.
//  - A single MX whose target is the root "." → null MX (RFC 7505 §3): the domain accepts
//    no mail; permanent, 5.1.10. The RFC writes it with preference 0; like Postfix, any
//    preference is read as a null MX when it is the only record. A "." among other MX
//    records is meaningless and skipped.
//  - An MX target that is an IP address literal ("192.0.2.1", not a host name): against
//    RFC 1035 §3.3.9 but met in the wild; like Postfix (smtp_addr.c) the address is used as
//    written, without a lookup, and the host is flagged `numeric`.
//  - An MX target that is not a valid host name (RFC 1123 LDH labels; underscores allowed as
//    Postfix's valid_hostname does) is skipped; if every target is invalid the MX answer is
//    useless and the route fails permanently, as Postfix's DNS_INVAL does (5.4.4).
//  - CNAME chains (an MX target that is an alias, RFC 2181 §10.3 forbids it but Postfix
//    follows it): the recursive server returns the chain and its final A/AAAA records in
//    one answer, which c-ares' parsers follow; the host keeps the name the MX record gave.
//  - An MX host whose lookups found no address is skipped. When no host has an address:
//    temporary if any of their lookups failed temporarily, else permanent "no MX host has an
//    address" (Postfix's default, smtp_defer_if_no_mx_address_found = no), 5.4.4.
//  - Bounds: at most RouteLimits::max_hosts hosts (after sorting and shuffling) and at most
//    max_addresses_per_family IPv4 and as many IPv6 addresses per host, in answer order.
//    Postfix tries at most 5 addresses per delivery (smtp_mx_address_limit); the delivery
//    layer applies such a limit on attempts, the route only bounds memory and work.
#ifndef MF_DNS_ROUTE_H
#define MF_DNS_ROUTE_H

#include "mta/cidr.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mf::dns {

using mta::IpAddress;
using mta::IpFamily;

// The record types the resolver asks for.
enum class RecordType { kMx, kA, kAaaa };
std::string_view record_type_name(RecordType type);  // "MX", "A", "AAAA"

// How one query (name, type) ended, as the rules need it.
enum class Outcome {
  kRecords,   // NOERROR with at least one record of the type asked for
  kNoData,    // NOERROR, the name exists but has no record of that type (RFC 2308 §2.2)
  kNxDomain,  // the name does not exist (RFC 2308 §2.1)
  kTempFail,  // SERVFAIL, REFUSED, timeout, a malformed answer, a local failure
};

struct MxRecord {
  std::string host;  // as c-ares expands it: no trailing dot; "" for the root (null MX)
  uint16_t preference = 0;
  bool operator==(const MxRecord&) const = default;
};

// The answer to one query; the unit the cache stores (dns/cache.h).
struct Answer {
  Outcome outcome = Outcome::kTempFail;
  std::vector<MxRecord> mx;          // for an MX query with kRecords
  std::vector<IpAddress> addresses;  // for an A or AAAA query with kRecords
  uint32_t ttl = 0;   // seconds: the records' smallest TTL, or the negative TTL (RFC 2308 §5)
  std::string error;  // for kTempFail: what failed, for the reason text ("timeout")
};

struct MxHost {
  std::string name;  // lower case, no trailing dot
  uint16_t preference = 0;
  std::vector<IpAddress> addresses;  // IPv4 ones first, then IPv6, each in answer order
  bool implicit = false;             // the domain itself, because it has no MX records
  bool numeric = false;              // the MX target was an IP literal, used without a lookup
};

enum class RouteKind {
  kHosts,         // deliver to `hosts`, in order
  kNullMx,        // permanent: the domain publishes a null MX (RFC 7505)
  kNoSuchDomain,  // permanent: NXDOMAIN, or a domain name that cannot exist
  kNoAddress,     // permanent: no MX host (or the domain itself) has an address
  kTempFail,      // temporary: try again later
};
std::string_view route_kind_name(RouteKind kind);  // "hosts", "null_mx", ...

struct Route {
  RouteKind kind = RouteKind::kTempFail;
  std::string domain;         // as asked, in canonical form
  std::vector<MxHost> hosts;  // non-empty exactly when kind == kHosts
  uint32_t ttl = 0;           // seconds this route stays valid: the smallest TTL used
  std::string reason;         // a sentence for logs and bounces when kind != kHosts
  std::string dsn;            // the RFC 3463 status to report: "4.4.3", "5.1.10", ...

  bool permanent() const {
    return kind == RouteKind::kNullMx || kind == RouteKind::kNoSuchDomain ||
           kind == RouteKind::kNoAddress;
  }
};

struct RouteLimits {
  size_t max_hosts = 10;                // MX hosts kept after sorting
  size_t max_addresses_per_family = 5;  // per host: this many IPv4 and this many IPv6
};

// Returns a uniformly distributed index in [0, n), n > 0. The resolver owns its generator.
using RandomIndex = std::function<size_t(size_t n)>;

// Step 1: what the MX answer says. Either `route` is set (null MX, NXDOMAIN, failure,
// invalid targets only: no address lookup needed), or `hosts` lists the hosts in delivery
// order, at most limits.max_hosts, their addresses empty unless `numeric`.
struct MxPlan {
  std::optional<Route> route;
  std::vector<MxHost> hosts;
  uint32_t mx_ttl = 0;  // TTL of the MX answer (0 for an implicit MX)
  size_t skipped = 0;   // targets skipped as invalid host names, for the reason text
};
MxPlan plan_mx(std::string_view domain, const Answer& mx, const RouteLimits& limits,
               const RandomIndex& random);

// The two address answers for one planned host (ignored for numeric hosts).
struct HostAnswers {
  Answer a;
  Answer aaaa;
};

// Step 2: the route, from the plan and one HostAnswers per planned host, in plan order.
// `answers.size()` must equal `plan.hosts.size()`; a plan that already has a route gives
// that route back.
Route finish_route(std::string_view domain, const MxPlan& plan,
                   const std::vector<HostAnswers>& answers, const RouteLimits& limits);

// Whether `name` (no trailing dot) is usable as a host name to look up: 1..253 octets of
// dot-separated labels of 1..63 letters, digits, '-' or '_', no label starting or ending
// with '-'.
bool is_valid_host_name(std::string_view name);

// A temporary-failure route with the given reason (also used for "cancelled").
Route temp_fail_route(std::string_view domain, std::string reason);

// "192.0.2.1", "2001:db8::1".
std::string ip_to_string(const IpAddress& ip);

}  // namespace mf::dns

#endif  // MF_DNS_ROUTE_H
