// mta/cidr.h — trusted networks: the client networks allowed to relay without
// authentication (ServerConfig::trusted_networks).
//
// A network is written as CIDR, "192.0.2.0/24" or "2001:db8::/32", or as a single address
// ("192.0.2.7" = /32, "2001:db8::7" = /128); an IPv6 address may be bracketed as Postfix
// writes it ("[2001:db8::]/32"). Addresses are read by inet_pton, so only the plain forms
// are accepted: no "10.1" shorthand, no octal, no zone ("%eth0"). Unlike Postfix, which
// warns about "192.0.2.1/24" and uses 192.0.2.0/24, a network with host bits set beyond its
// prefix is refused: the operator may have meant a single address.
//
// An IPv4-mapped IPv6 client address (::ffff:192.0.2.7, as a dual-stack socket reports an
// IPv4 client) is matched as the IPv4 address it carries; likewise a network written as
// "::ffff:192.0.2.0/120" is read as 192.0.2.0/24. IPv6 networks match IPv6 clients only.
//
// Pure values: no I/O, no global state; safe to share between threads once built.
#ifndef MF_MTA_CIDR_H
#define MF_MTA_CIDR_H

#include <mailfountain/status.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct sockaddr;

namespace mf::mta {

enum class IpFamily { kIPv4, kIPv6 };

// An IP address: 4 bytes for IPv4 (the rest zero), 16 for IPv6, in network order.
struct IpAddress {
  IpFamily family = IpFamily::kIPv4;
  std::array<uint8_t, 16> bytes{};
  bool operator==(const IpAddress&) const = default;
};

struct Network {
  IpAddress address;  // host bits beyond the prefix are zero
  int prefix = 0;     // 0..32 for IPv4, 0..128 for IPv6

  bool contains(const IpAddress& ip) const;
  // "192.0.2.0/24", "2001:db8::/32": parse_network reads it back to the same network.
  std::string to_string() const;
  bool operator==(const Network&) const = default;
};

// Reads one network as described above. kInvalidArgument naming the text and the fault
// ("192.0.2.1/24 has host bits set; did you mean 192.0.2.0/24?") for anything else. Texts
// longer than 100 bytes, or holding spaces or control bytes, are refused without being
// quoted.
Result<Network> parse_network(std::string_view text);

// Reads a client address: an IPv4 or IPv6 literal, an IPv4-mapped one becoming IPv4.
// nullopt for anything else (brackets, prefixes and zones included).
std::optional<IpAddress> parse_ip(std::string_view text);

class NetworkList {
 public:
  // An empty list: contains nothing.
  NetworkList() = default;

  // Reads every entry; the first bad one fails the whole list, its message prefixed with
  // its position ("trusted network 2: ...") so the configuration check can name it.
  static Result<NetworkList> parse(const std::vector<std::string>& texts);

  // Whether the client address is in one of the networks. `address` may be null or of a
  // family other than AF_INET/AF_INET6 (a UNIX socket): then false.
  bool contains(const sockaddr* address) const;
  // Same, for an address literal as parse_ip reads it; false when it is not one.
  bool contains(std::string_view ip) const;
  bool contains(const IpAddress& ip) const;

  bool empty() const { return networks_.empty(); }
  const std::vector<Network>& networks() const { return networks_; }

 private:
  std::vector<Network> networks_;  // a configuration's few entries: a linear scan is enough
};

}  // namespace mf::mta

#endif  // MF_MTA_CIDR_H
