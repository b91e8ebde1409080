// dns/server_list.h — the name servers a resolver asks, as the configuration writes them.
//
// One server is "ADDR" or "ADDR:PORT": an IPv4 literal ("192.0.2.53", "127.0.0.1:5353"), an
// IPv6 literal ("2001:db8::53"), or a bracketed IPv6 literal, which is the only way to give
// an IPv6 server a port ("[2001:db8::53]:5353"; "2001:db8::53:5353" is read as an address).
// The port is decimal, 1..65535, default 53. Host names are refused: the resolver cannot
// resolve its own server's name. Pure functions; no I/O.
#ifndef MF_DNS_SERVER_LIST_H
#define MF_DNS_SERVER_LIST_H

#include "mta/cidr.h"

#include <mailfountain/status.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mf::dns {

struct ServerAddress {
  mta::IpAddress ip;
  uint16_t port = 53;
  // "192.0.2.53:53", "[2001:db8::53]:53": parse_server reads it back to the same value.
  std::string to_string() const;
  bool operator==(const ServerAddress&) const = default;
};

// kInvalidArgument naming the entry and the fault for anything but the forms above.
Result<ServerAddress> parse_server(std::string_view text);

// Every entry must parse; the first bad one fails the list, its message prefixed with its
// position ("DNS server 2: ..."). An empty list is valid (the caller then uses the
// system's resolv.conf).
Result<std::vector<ServerAddress>> parse_server_list(const std::vector<std::string>& texts);

}  // namespace mf::dns

#endif  // MF_DNS_SERVER_LIST_H
