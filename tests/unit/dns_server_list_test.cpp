// Unit tests of name server entries (dns/server_list.h): the accepted forms, ports, and
// the refusal of everything else with a message naming the entry.
#include <doctest/doctest.h>

#include "dns/server_list.h"

#include <string>
#include <vector>

using namespace mf::dns;

namespace {

std::string parsed(std::string_view text) {
  auto s = parse_server(text);
  return s ? s->to_string() : "error: " + s.status().message();
}

bool refused(std::string_view text) {
  return !parse_server(text).is_ok();
}

}  // namespace

TEST_CASE("DNS servers: IPv4 and IPv6 with and without a port") {
  CHECK(parsed("192.0.2.53") == "192.0.2.53:53");
  CHECK(parsed("127.0.0.1:5353") == "127.0.0.1:5353");
  CHECK(parsed("2001:db8::53") == "[2001:db8::53]:53");
  CHECK(parsed("[2001:db8::53]") == "[2001:db8::53]:53");
  CHECK(parsed("[::1]:5353") == "[::1]:5353");
  CHECK(parsed("127.0.0.1:65535") == "127.0.0.1:65535");
  // Read back from its own output.
  CHECK(parsed(parsed("[2001:db8::53]:99")) == "[2001:db8::53]:99");
}

TEST_CASE("DNS servers: an IPv6 address without brackets takes no port") {
  // Eight groups: the last one is part of the address, not a port.
  CHECK(parsed("2001:db8:0:0:0:0:0:53") == "[2001:db8::53]:53");
}

TEST_CASE("DNS servers: bad entries are refused with the entry named") {
  CHECK(refused(""));
  CHECK(refused("dns.example.net"));
  CHECK(refused("dns.example.net:53"));
  CHECK(refused("192.0.2.53:"));
  CHECK(refused("192.0.2.53:0"));
  CHECK(refused("192.0.2.53:65536"));
  CHECK(refused("192.0.2.53:123456"));
  CHECK(refused("192.0.2.53:+53"));
  CHECK(refused("192.0.2.53:5x"));
  CHECK(refused("192.0.2.300"));
  CHECK(refused("[192.0.2.53]:53"));
  CHECK(refused("[2001:db8::53"));
  CHECK(refused("[2001:db8::53]53"));
  CHECK(refused("[2001:db8::53]:"));
  CHECK(refused("[]:53"));
  CHECK(refused(" 192.0.2.53"));
  CHECK(refused("192.0.2.53 "));
  CHECK(refused(std::string("192.0.2.53\0", 11)));
  CHECK(refused("192.0.2.53\n"));
  CHECK(refused(std::string(200, '1')));
  CHECK(parsed("resolver.example:53").find("resolver.example:53") != std::string::npos);
}

TEST_CASE("DNS server lists: empty is valid, the first bad entry is named by position") {
  auto empty = parse_server_list({});
  REQUIRE(empty.is_ok());
  CHECK(empty->empty());
  auto two = parse_server_list({"192.0.2.1", "[2001:db8::1]:5353"});
  REQUIRE(two.is_ok());
  CHECK(two->size() == 2);
  CHECK((*two)[1].port == 5353);
  auto bad = parse_server_list({"192.0.2.1", "nope"});
  REQUIRE_FALSE(bad.is_ok());
  CHECK(bad.status().message().find("DNS server 2") == 0);
}
