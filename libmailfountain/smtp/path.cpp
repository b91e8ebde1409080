// smtp/path.cpp — reverse-path and forward-path parsing (see path.h).
//
// One left-to-right pass over the path: the optional source route, then the local part
// (a dot-string or a quoted string), then '@' and a domain or an address literal. Every
// fault has its own phrase so a client's author can see what was refused.
#include "smtp/path.h"

#include "base/text.h"

#include <arpa/inet.h>

#include <string>

namespace mf::smtp {

namespace {

bool is_alpha(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(unsigned char c) {
  return c >= '0' && c <= '9';
}

// qtextSMTP (RFC 5321 §4.1.2) with RFC 6531's UTF8-non-ascii.
bool is_qtext(unsigned char c) {
  return c == 32 || c == 33 || (c >= 35 && c <= 91) || (c >= 93 && c <= 126) || c >= 0x80;
}

bool has_high_byte(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  }
  return false;
}

Reply bad_path(PathRole role, std::string_view why) {
  if (role == PathRole::kSender) {
    return Reply{501, "5.1.7", "Bad sender address syntax: " + std::string(why)};
  }
  return Reply{501, "5.1.3", "Bad recipient address syntax: " + std::string(why)};
}

Reply path_too_long(PathRole role, std::string_view why) {
  if (role == PathRole::kSender) {
    return Reply{501, "5.1.7", "Sender address too long: " + std::string(why)};
  }
  return Reply{501, "5.1.3", "Recipient address too long: " + std::string(why)};
}

// Dotted quad, each part 0..255 written without leading zeros: "010.0.0.1" would be
// read as octal by inet_aton, so accepting it would let two components disagree on the
// address.
bool is_strict_ipv4(std::string_view s) {
  int parts = 0;
  size_t i = 0;
  while (true) {
    size_t start = i;
    unsigned value = 0;
    while (i < s.size() && is_digit(static_cast<unsigned char>(s[i])) && i - start < 3) {
      value = value * 10 + static_cast<unsigned>(s[i] - '0');
      ++i;
    }
    size_t len = i - start;
    if (len == 0 || value > 255 || (len > 1 && s[start] == '0')) return false;
    ++parts;
    if (i == s.size()) break;
    if (s[i] != '.' || parts == 4) return false;
    ++i;
  }
  return parts == 4;
}

}  // namespace

bool is_dot_string(std::string_view local) {
  if (local.empty()) return false;
  bool after_dot = true;  // at the start, a dot is as misplaced as after another dot
  for (char ch : local) {
    if (ch == '.') {
      if (after_dot) return false;
      after_dot = true;
    } else if (is_atext(ch)) {
      after_dot = false;
    } else {
      return false;
    }
  }
  return !after_dot;
}

std::optional<std::string_view> domain_syntax_error(std::string_view name) {
  if (name.empty()) return "empty domain";
  if (name.size() > kMaxDomain) return "domain longer than 255 octets";
  if (name.find('\0') != std::string_view::npos || !is_valid_utf8(name)) {
    return "invalid character in the domain";
  }
  if (name.back() == '.') return "trailing dot in the domain";
  std::string_view last_label;
  size_t start = 0;
  while (start <= name.size()) {
    size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) dot = name.size();
    std::string_view label = name.substr(start, dot - start);
    if (label.empty()) return "empty label in the domain";
    bool ascii = true;
    for (char ch : label) {
      auto c = static_cast<unsigned char>(ch);
      if (c >= 0x80) {
        ascii = false;
      } else if (!is_alpha(c) && !is_digit(c) && c != '-') {
        return "invalid character in the domain";
      }
    }
    if (label.front() == '-' || label.back() == '-') {
      return "domain label starts or ends with a hyphen";
    }
    // RFC 1035's 63 octets bind the A-label; a U-label's UTF-8 length says little about
    // its A-label's, so only ASCII labels are measured here (IDNA conversion, later,
    // checks the rest).
    if (ascii && label.size() > 63) return "domain label longer than 63 octets";
    last_label = label;
    start = dot + 1;
  }
  bool numeric = true;
  for (char ch : last_label) numeric = numeric && is_digit(static_cast<unsigned char>(ch));
  if (numeric) return "numeric top-level label (write an IP address as [192.0.2.1])";
  return std::nullopt;
}

std::optional<std::string_view> address_literal_error(std::string_view text, DomainKind* kind,
                                                      std::string* address) {
  if (text.size() < 2 || text.front() != '[' || text.back() != ']') {
    return "address literal not enclosed in []";
  }
  std::string_view inner = text.substr(1, text.size() - 2);
  constexpr std::string_view kTag = "IPv6:";
  if (inner.size() >= kTag.size() && ascii_iequals(inner.substr(0, kTag.size()), kTag)) {
    std::string_view v6 = inner.substr(kTag.size());
    // INET6_ADDRSTRLEN bounds every textual IPv6 address; the check also keeps a NUL
    // from hiding a suffix from inet_pton.
    if (v6.empty() || v6.size() >= INET6_ADDRSTRLEN || v6.find('\0') != std::string_view::npos) {
      return "invalid IPv6 address literal";
    }
    unsigned char buf[16];
    if (inet_pton(AF_INET6, std::string(v6).c_str(), buf) != 1) {
      return "invalid IPv6 address literal";
    }
    if (kind) *kind = DomainKind::kIPv6;
    if (address) *address = std::string(v6);
    return std::nullopt;
  }
  if (inner.find(':') != std::string_view::npos) {
    return "unsupported address literal (only IPv4 and IPv6: literals are routable)";
  }
  if (!is_strict_ipv4(inner)) return "invalid IPv4 address literal";
  if (kind) *kind = DomainKind::kIPv4;
  if (address) *address = std::string(inner);
  return std::nullopt;
}

size_t path_span(std::string_view text) {
  if (text.empty() || text[0] != '<') return std::string_view::npos;
  bool quoted = false;
  for (size_t i = 1; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '\\') {
        ++i;  // the quoted-pair's second character is never a delimiter
      } else if (c == '"') {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == '>') {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

ReplyOr<Path> parse_path(std::string_view text, PathRole role) {
  if (text.size() > kMaxPath) return path_too_long(role, "the path exceeds 256 octets");
  if (text.size() < 2 || text.front() != '<' || text.back() != '>') {
    return bad_path(role, "the address must be enclosed in <>");
  }
  if (text.find('\0') != std::string_view::npos || !is_valid_utf8(text)) {
    return bad_path(role, "invalid bytes in the address");
  }
  std::string_view in = text.substr(1, text.size() - 2);
  Path path;
  if (in.empty()) {
    if (role == PathRole::kRecipient) return bad_path(role, "the null path <> is not a recipient");
    path.is_null = true;
    return path;
  }

  size_t i = 0;
  // A-d-l ":" (RFC 5321 §4.1.2): each route domain is checked, then the route is dropped
  // as Appendix C asks. Address literals are not At-domains, so they are refused here.
  if (in[0] == '@') {
    while (true) {
      size_t end = in.find_first_of(",:", i + 1);
      if (end == std::string_view::npos) return bad_path(role, "source route without a mailbox");
      if (domain_syntax_error(in.substr(i + 1, end - i - 1))) {
        return bad_path(role, "bad domain in the source route");
      }
      i = end + 1;
      if (in[end] == ':') break;
      if (i >= in.size() || in[i] != '@') return bad_path(role, "bad source route");
    }
    path.source_route_dropped = true;
  }

  size_t local_start = i;
  if (i < in.size() && in[i] == '"') {
    ++i;
    bool closed = false;
    while (i < in.size()) {
      auto c = static_cast<unsigned char>(in[i]);
      if (c == '"') {
        closed = true;
        ++i;
        break;
      }
      if (c == '\\') {
        // quoted-pairSMTP is a backslash and one printable ASCII character (RFC 6531
        // does not extend it to UTF-8).
        if (i + 1 >= in.size() || in[i + 1] < 32 || in[i + 1] > 126) {
          return bad_path(role, "bad quoted-pair in the local part");
        }
        path.local += in[i + 1];
        i += 2;
        continue;
      }
      if (!is_qtext(c)) return bad_path(role, "invalid character in the quoted local part");
      path.local += in[i];
      ++i;
    }
    if (!closed) return bad_path(role, "unterminated quoted local part");
    path.quoted_local = true;
  } else {
    bool after_dot = true;
    while (i < in.size() && in[i] != '@') {
      char ch = in[i];
      if (ch == '.') {
        if (after_dot) return bad_path(role, "misplaced dot in the local part");
        after_dot = true;
      } else if (is_atext(ch)) {
        after_dot = false;
      } else {
        return bad_path(role, "invalid character in the local part");
      }
      ++i;
    }
    if (i == local_start) return bad_path(role, "empty local part");
    if (after_dot) return bad_path(role, "misplaced dot in the local part");
    path.local = std::string(in.substr(local_start, i - local_start));
  }
  std::string_view local_written = in.substr(local_start, i - local_start);

  if (i == in.size()) {
    // RFC 5321 §4.1.1.3 lists "<Postmaster>" literally: unquoted, without a route.
    if (role == PathRole::kRecipient && !path.quoted_local && !path.source_route_dropped &&
        ascii_iequals(path.local, "postmaster")) {
      return path;
    }
    return bad_path(role, "no domain in the address");
  }
  if (in[i] != '@') return bad_path(role, "invalid character after the quoted local part");

  std::string_view domain = in.substr(i + 1);
  if (domain.size() > kMaxDomain) return path_too_long(role, "the domain exceeds 255 octets");
  if (!domain.empty() && domain[0] == '[') {
    if (auto why = address_literal_error(domain, &path.domain_kind, &path.address_literal)) {
      return bad_path(role, *why);
    }
  } else {
    if (auto why = domain_syntax_error(domain)) return bad_path(role, *why);
    path.domain_kind = DomainKind::kName;
  }
  path.domain = std::string(domain);
  path.has_utf8 = has_high_byte(local_written) || has_high_byte(domain);
  return path;
}

std::string format_local_part(std::string_view local) {
  if (is_dot_string(local)) return std::string(local);
  std::string out = "\"";
  for (char c : local) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

std::string Path::mailbox() const {
  if (is_null) return "";
  std::string out = format_local_part(local);
  if (domain_kind == DomainKind::kNone) return out;
  out += '@';
  out += domain;
  return out;
}

}  // namespace mf::smtp
