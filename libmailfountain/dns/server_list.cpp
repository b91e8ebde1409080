// dns/server_list.cpp — reading "ADDR[:PORT]" name server entries (dns/server_list.h).
#include "dns/server_list.h"

#include "dns/route.h"

#include <fmt/format.h>

namespace mf::dns {

namespace {

constexpr size_t kMaxText = 64;  // "[" + the longest IPv6 literal (45) + "]:65535" fits

bool printable_ascii(std::string_view text) {
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return false;
  }
  return true;
}

Result<uint16_t> parse_port(std::string_view text, std::string_view whole) {
  if (text.empty() || text.size() > 5) {
    return invalid_argument(fmt::format("DNS server '{}' has an invalid port", whole));
  }
  uint32_t port = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      return invalid_argument(fmt::format("DNS server '{}' has an invalid port", whole));
    }
    port = port * 10 + static_cast<uint32_t>(c - '0');
  }
  if (port == 0 || port > 65535) {
    return invalid_argument(fmt::format("DNS server '{}': the port must be 1 to 65535", whole));
  }
  return static_cast<uint16_t>(port);
}

}  // namespace

std::string ServerAddress::to_string() const {
  if (ip.family == mta::IpFamily::kIPv6) return fmt::format("[{}]:{}", ip_to_string(ip), port);
  return fmt::format("{}:{}", ip_to_string(ip), port);
}

Result<ServerAddress> parse_server(std::string_view text) {
  if (text.empty()) return invalid_argument("a DNS server entry is empty");
  if (text.size() > kMaxText || !printable_ascii(text)) {
    return invalid_argument(
        "a DNS server entry is too long or holds a space, a control or a non-ASCII character");
  }
  ServerAddress out;
  std::string_view addr = text;
  if (text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) {
      return invalid_argument(fmt::format("DNS server '{}' lacks its closing ']'", text));
    }
    addr = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        return invalid_argument(fmt::format("DNS server '{}': expected ':PORT' after ']'", text));
      }
      MF_ASSIGN_OR_RETURN(out.port, parse_port(rest.substr(1), text));
    }
    auto ip = mta::parse_ip(addr);
    if (!ip || ip->family != mta::IpFamily::kIPv6) {
      return invalid_argument(
          fmt::format("DNS server '{}': only an IPv6 address goes in brackets", text));
    }
    out.ip = *ip;
    return out;
  }
  size_t colon = text.find(':');
  if (colon != std::string_view::npos && text.find(':', colon + 1) == std::string_view::npos) {
    // One colon: IPv4 with a port (an IPv6 literal has at least two).
    addr = text.substr(0, colon);
    MF_ASSIGN_OR_RETURN(out.port, parse_port(text.substr(colon + 1), text));
    auto ip = mta::parse_ip(addr);
    if (!ip || ip->family != mta::IpFamily::kIPv4) {
      return invalid_argument(
          fmt::format("DNS server '{}' is not an IP address (write an IPv6 server with a port as "
                      "[ADDR]:PORT)",
                      text));
    }
    out.ip = *ip;
    return out;
  }
  auto ip = mta::parse_ip(addr);
  if (!ip) {
    return invalid_argument(
        fmt::format("DNS server '{}' is not an IP address (host names are not accepted)", text));
  }
  out.ip = *ip;
  return out;
}

Result<std::vector<ServerAddress>> parse_server_list(const std::vector<std::string>& texts) {
  std::vector<ServerAddress> out;
  out.reserve(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    auto s = parse_server(texts[i]);
    if (!s) return s.status().with_context(fmt::format("DNS server {}", i + 1));
    out.push_back(*s);
  }
  return out;
}

}  // namespace mf::dns
