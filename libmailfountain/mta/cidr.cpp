// mta/cidr.cpp — trusted networks (see cidr.h).
#include "mta/cidr.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <charconv>
#include <cstring>

namespace mf::mta {

namespace {

constexpr size_t kMaxText = 100;

int max_prefix(IpFamily family) {
  return family == IpFamily::kIPv4 ? 32 : 128;
}

bool is_v4_mapped(const std::array<uint8_t, 16>& b) {
  for (int i = 0; i < 10; ++i) {
    if (b[i] != 0) return false;
  }
  return b[10] == 0xff && b[11] == 0xff;
}

IpAddress v4_from_mapped(const std::array<uint8_t, 16>& b) {
  IpAddress ip;
  std::memcpy(ip.bytes.data(), b.data() + 12, 4);
  return ip;
}

// Reads a bare address literal with inet_pton, which needs a NUL-terminated copy (the
// caller has already refused NUL bytes). Mapped IPv6 addresses are kept as IPv6 here.
std::optional<IpAddress> read_literal(std::string_view text) {
  if (text.empty() || text.size() > INET6_ADDRSTRLEN) return std::nullopt;
  std::string copy(text);
  IpAddress ip;
  if (text.find(':') != std::string_view::npos) {
    ip.family = IpFamily::kIPv6;
    if (inet_pton(AF_INET6, copy.c_str(), ip.bytes.data()) != 1) return std::nullopt;
  } else {
    if (inet_pton(AF_INET, copy.c_str(), ip.bytes.data()) != 1) return std::nullopt;
  }
  return ip;
}

// The address with every bit beyond `prefix` cleared.
IpAddress masked(const IpAddress& ip, int prefix) {
  IpAddress out = ip;
  for (int i = 0; i < 16; ++i) {
    int bits = prefix - i * 8;  // bits of this byte inside the prefix
    if (bits >= 8) continue;
    out.bytes[i] = bits <= 0 ? 0 : static_cast<uint8_t>(out.bytes[i] & (0xff << (8 - bits)));
  }
  return out;
}

std::string address_text(const IpAddress& ip) {
  char buf[INET6_ADDRSTRLEN] = {};
  int af = ip.family == IpFamily::kIPv4 ? AF_INET : AF_INET6;
  inet_ntop(af, ip.bytes.data(), buf, sizeof buf);
  return buf;
}

}  // namespace

bool Network::contains(const IpAddress& ip) const {
  if (ip.family != address.family) return false;
  return masked(ip, prefix).bytes == address.bytes;
}

std::string Network::to_string() const {
  return fmt::format("{}/{}", address_text(address), prefix);
}

std::optional<IpAddress> parse_ip(std::string_view text) {
  for (char c : text) {
    if (c == '\0') return std::nullopt;
  }
  auto ip = read_literal(text);
  if (ip && ip->family == IpFamily::kIPv6 && is_v4_mapped(ip->bytes)) {
    return v4_from_mapped(ip->bytes);
  }
  return ip;
}

Result<Network> parse_network(std::string_view text) {
  if (text.empty()) return invalid_argument("a network is empty");
  if (text.size() > kMaxText) {
    return invalid_argument(fmt::format("a network is longer than {} characters", kMaxText));
  }
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) {
      return invalid_argument("a network holds a space, a control or a non-ASCII character");
    }
  }

  std::string_view addr = text;
  std::string_view prefix_text;
  bool has_prefix = false;
  if (size_t slash = text.find('/'); slash != std::string_view::npos) {
    addr = text.substr(0, slash);
    prefix_text = text.substr(slash + 1);
    has_prefix = true;
  }
  if (addr.size() >= 2 && addr.front() == '[' && addr.back() == ']') {
    addr = addr.substr(1, addr.size() - 2);
  }
  auto ip = read_literal(addr);
  if (!ip) {
    return invalid_argument(fmt::format("{}: {} is not an IPv4 or IPv6 address", text, addr));
  }

  Network net;
  net.address = *ip;
  net.prefix = max_prefix(ip->family);
  if (has_prefix) {
    int value = -1;
    const char* end = prefix_text.data() + prefix_text.size();
    auto [ptr, ec] = std::from_chars(prefix_text.data(), end, value);
    if (prefix_text.empty() || prefix_text.size() > 3 || ec != std::errc() || ptr != end ||
        value < 0 || value > net.prefix) {
      return invalid_argument(
          fmt::format("{}: the prefix length must be a number from 0 to {}", text, net.prefix));
    }
    net.prefix = value;
  }

  // ::ffff:a.b.c.d/96+n is the IPv4 network a.b.c.d/n, which is how mapped clients match.
  if (ip->family == IpFamily::kIPv6 && is_v4_mapped(ip->bytes) && net.prefix >= 96) {
    net.address = v4_from_mapped(ip->bytes);
    net.prefix -= 96;
  }

  Network clean = net;
  clean.address = masked(net.address, net.prefix);
  if (clean.address.bytes != net.address.bytes) {
    return invalid_argument(
        fmt::format("{} has host bits set; did you mean {}?", text, clean.to_string()));
  }
  return net;
}

Result<NetworkList> NetworkList::parse(const std::vector<std::string>& texts) {
  NetworkList list;
  for (size_t i = 0; i < texts.size(); ++i) {
    auto net = parse_network(texts[i]);
    if (!net) return net.status().with_context(fmt::format("trusted network {}", i + 1));
    list.networks_.push_back(*net);
  }
  return list;
}

bool NetworkList::contains(const IpAddress& ip) const {
  for (const Network& net : networks_) {
    if (net.contains(ip)) return true;
  }
  return false;
}

bool NetworkList::contains(std::string_view ip) const {
  auto parsed = parse_ip(ip);
  return parsed && contains(*parsed);
}

bool NetworkList::contains(const sockaddr* address) const {
  if (address == nullptr) return false;
  IpAddress ip;
  if (address->sa_family == AF_INET) {
    sockaddr_in in;
    std::memcpy(&in, address, sizeof in);  // the caller's pointer need not be aligned for it
    std::memcpy(ip.bytes.data(), &in.sin_addr, 4);
  } else if (address->sa_family == AF_INET6) {
    sockaddr_in6 in6;
    std::memcpy(&in6, address, sizeof in6);
    ip.family = IpFamily::kIPv6;
    std::memcpy(ip.bytes.data(), &in6.sin6_addr, 16);
    if (is_v4_mapped(ip.bytes)) ip = v4_from_mapped(ip.bytes);
  } else {
    return false;
  }
  return contains(ip);
}

}  // namespace mf::mta
