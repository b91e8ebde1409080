// Unit tests of trusted networks (mta/cidr.h): what parses, what is refused and why, and
// which client addresses match — including IPv4 clients seen through IPv6 sockets.
#include <doctest/doctest.h>

#include "mta/cidr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <string>
#include <vector>

using namespace mf::mta;

namespace {

std::string parsed(std::string_view text) {
  auto net = parse_network(text);
  return net ? net->to_string() : "error: " + net.status().message();
}

NetworkList list_of(const std::vector<std::string>& texts) {
  auto list = NetworkList::parse(texts);
  REQUIRE(list.is_ok());
  return *list;
}

sockaddr_in v4_sockaddr(const char* ip) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(25);
  REQUIRE(inet_pton(AF_INET, ip, &sa.sin_addr) == 1);
  return sa;
}

sockaddr_in6 v6_sockaddr(const char* ip) {
  sockaddr_in6 sa{};
  sa.sin6_family = AF_INET6;
  sa.sin6_port = htons(25);
  REQUIRE(inet_pton(AF_INET6, ip, &sa.sin6_addr) == 1);
  return sa;
}

}  // namespace

TEST_CASE("networks are read in CIDR form and single addresses as /32 or /128") {
  CHECK(parsed("192.0.2.0/24") == "192.0.2.0/24");
  CHECK(parsed("2001:db8::/32") == "2001:db8::/32");
  CHECK(parsed("192.0.2.7") == "192.0.2.7/32");
  CHECK(parsed("2001:DB8::7") == "2001:db8::7/128");
  CHECK(parsed("0.0.0.0/0") == "0.0.0.0/0");
  CHECK(parsed("::/0") == "::/0");
  CHECK(parsed("[2001:db8::]/32") == "2001:db8::/32");
  CHECK(parsed("[::1]") == "::1/128");
}

TEST_CASE("a network with host bits set is refused with the network it may have meant") {
  CHECK(parsed("192.0.2.1/24") ==
        "error: 192.0.2.1/24 has host bits set; did you mean 192.0.2.0/24?");
  CHECK(parsed("2001:db8::1/32") ==
        "error: 2001:db8::1/32 has host bits set; did you mean 2001:db8::/32?");
  CHECK(parsed("10.0.0.128/25") == "10.0.0.128/25");  // the bit just inside the prefix is fine
  CHECK(parsed("10.0.0.129/25").starts_with("error: 10.0.0.129/25 has host bits set"));
}

TEST_CASE("prefix lengths must be numbers within the family's width") {
  CHECK(parsed("192.0.2.0/33").find("from 0 to 32") != std::string::npos);
  CHECK(parsed("2001:db8::/129").find("from 0 to 128") != std::string::npos);
  for (const char* bad : {"192.0.2.0/", "192.0.2.0/-1", "192.0.2.0/+8", "192.0.2.0/2a",
                          "192.0.2.0/0024", "192.0.2.0/24/8"}) {
    CAPTURE(bad);
    CHECK(parsed(bad).starts_with("error: "));
  }
}

TEST_CASE("only plain address literals are accepted") {
  for (const char* bad :
       {"", "10.1", "192.0.2.256", "192.0.02.1", "example.org", "fe80::1%eth0", "192.0.2.0 /24",
        " 192.0.2.0", "[192.0.2.0", "2001:db8:::/32", "::ffff:192.0.2.0/95x", "/24"}) {
    CAPTURE(bad);
    CHECK(parsed(bad).starts_with("error: "));
  }
  CHECK(parsed(std::string("192.0.2.1\0", 10)).starts_with("error: "));
  CHECK(parsed(std::string(200, '1')) == "error: a network is longer than 100 characters");
}

TEST_CASE("a mapped IPv6 network is read as the IPv4 network it carries") {
  CHECK(parsed("::ffff:192.0.2.0/120") == "192.0.2.0/24");
  CHECK(parsed("::ffff:192.0.2.7") == "192.0.2.7/32");
  CHECK(parsed("::ffff:192.0.2.1/120") ==
        "error: ::ffff:192.0.2.1/120 has host bits set; did you mean 192.0.2.0/24?");
}

TEST_CASE("a list matches addresses inside its networks and nothing else") {
  NetworkList list = list_of({"192.0.2.0/24", "2001:db8::/32", "198.51.100.7"});
  CHECK(list.contains("192.0.2.0"));
  CHECK(list.contains("192.0.2.255"));
  CHECK_FALSE(list.contains("192.0.3.0"));
  CHECK(list.contains("198.51.100.7"));
  CHECK_FALSE(list.contains("198.51.100.8"));
  CHECK(list.contains("2001:db8:ffff::1"));
  CHECK_FALSE(list.contains("2001:db9::1"));
  CHECK_FALSE(list.contains("not an address"));
  CHECK_FALSE(list.contains("192.0.2.1/32"));  // a client address has no prefix
}

TEST_CASE("an IPv4-mapped client address matches IPv4 networks") {
  NetworkList list = list_of({"192.0.2.0/24"});
  CHECK(list.contains("::ffff:192.0.2.7"));
  CHECK_FALSE(list.contains("::ffff:192.0.3.7"));
  sockaddr_in6 mapped = v6_sockaddr("::ffff:192.0.2.7");
  CHECK(list.contains(reinterpret_cast<const sockaddr*>(&mapped)));
}

TEST_CASE("IPv6 networks do not match IPv4 clients, nor IPv4 networks IPv6 ones") {
  NetworkList v6 = list_of({"::/0"});
  CHECK(v6.contains("2001:db8::1"));
  CHECK_FALSE(v6.contains("192.0.2.1"));
  CHECK_FALSE(v6.contains("::ffff:192.0.2.1"));
  NetworkList v4 = list_of({"0.0.0.0/0"});
  CHECK(v4.contains("203.0.113.9"));
  CHECK_FALSE(v4.contains("2001:db8::1"));
  // ::c000:201 is not mapped: it is the IPv6 address whose last bytes spell 192.0.2.1.
  CHECK_FALSE(list_of({"192.0.2.0/24"}).contains("::c000:201"));
}

TEST_CASE("socket addresses are matched by family; others and null never match") {
  NetworkList list = list_of({"192.0.2.0/24", "2001:db8::/32"});
  sockaddr_in in = v4_sockaddr("192.0.2.9");
  sockaddr_in out = v4_sockaddr("203.0.113.9");
  sockaddr_in6 in6 = v6_sockaddr("2001:db8::9");
  CHECK(list.contains(reinterpret_cast<const sockaddr*>(&in)));
  CHECK_FALSE(list.contains(reinterpret_cast<const sockaddr*>(&out)));
  CHECK(list.contains(reinterpret_cast<const sockaddr*>(&in6)));
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  CHECK_FALSE(list.contains(reinterpret_cast<const sockaddr*>(&un)));
  CHECK_FALSE(list.contains(static_cast<const sockaddr*>(nullptr)));
}

TEST_CASE("an empty list trusts nobody") {
  NetworkList list = list_of({});
  CHECK(list.empty());
  CHECK_FALSE(list.contains("127.0.0.1"));
  CHECK_FALSE(list.contains("::1"));
}

TEST_CASE("a bad entry fails the whole list and is named by its position") {
  auto list = NetworkList::parse({"192.0.2.0/24", "10.0.0.1/8"});
  REQUIRE_FALSE(list.is_ok());
  CHECK(list.status().code() == mf::Code::kInvalidArgument);
  CHECK(list.status().message() ==
        "trusted network 2: 10.0.0.1/8 has host bits set; did you mean 10.0.0.0/8?");
}
