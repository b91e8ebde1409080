// Fuzz target: trusted-network parsing (mta/cidr.h) must never crash on any text; every
// network it accepts must print back to a text that reads as the same network, contain its
// own address, and have no host bits set; and client-address matching must agree with the
// network's own contains().
#include "mta/cidr.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace mf::mta;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);

  auto net = parse_network(in);
  if (net) {
    if (net->prefix < 0 || net->prefix > (net->address.family == IpFamily::kIPv4 ? 32 : 128)) {
      std::abort();
    }
    auto again = parse_network(net->to_string());
    if (!again || !(*again == *net)) std::abort();
    if (!net->contains(net->address)) std::abort();
    auto list = NetworkList::parse({std::string(in)});
    if (!list || !list->contains(net->address)) std::abort();
  } else if (net.status().message().empty()) {
    std::abort();
  }

  // The input as a client address, against a fixed list.
  static const NetworkList kList = *NetworkList::parse({"192.0.2.0/24", "2001:db8::/32"});
  auto ip = parse_ip(in);
  if (kList.contains(in) != (ip && kList.contains(*ip))) std::abort();
  if (ip && ip->family == IpFamily::kIPv6 && ip->bytes[10] == 0xff && ip->bytes[11] == 0xff) {
    bool mapped = true;
    for (int i = 0; i < 10; ++i) mapped = mapped && ip->bytes[i] == 0;
    if (mapped) std::abort();  // parse_ip turns mapped addresses into IPv4
  }
  return 0;
}
