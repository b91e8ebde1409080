// smtp/ehlo_caps.cpp — reading the extension lines of an EHLO reply (see ehlo_caps.h).
#include "smtp/ehlo_caps.h"

#include "base/text.h"

#include <algorithm>

namespace mf::smtp {

namespace {

// Splits at runs of SP and HTAB.
std::vector<std::string_view> ehlo_words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

std::optional<uint64_t> parse_u64(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;  // 19 digits always fit 64 bits
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

std::string ascii_upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

void add_mechanisms(Capabilities& caps, const std::vector<std::string_view>& names, size_t from) {
  for (size_t i = from; i < names.size(); ++i) {
    std::string name = ascii_upper(names[i]);
    if (!caps.offers_auth(name)) caps.auth_mechanisms.push_back(std::move(name));
  }
}

}  // namespace

bool Capabilities::offers_auth(std::string_view mechanism) const {
  return std::any_of(auth_mechanisms.begin(), auth_mechanisms.end(),
                     [&](const std::string& m) { return ascii_iequals(m, mechanism); });
}

Capabilities parse_ehlo_lines(const std::vector<std::string>& lines) {
  Capabilities caps;
  caps.esmtp = true;
  for (size_t l = 1; l < lines.size(); ++l) {
    std::vector<std::string_view> w = ehlo_words(lines[l]);
    if (w.empty()) continue;
    std::string_view key = w[0];
    if (ascii_iequals(key, "SIZE")) {
      caps.size = true;
      caps.size_limit = 0;
      if (w.size() >= 2) caps.size_limit = parse_u64(w[1]).value_or(0);
    } else if (ascii_iequals(key, "PIPELINING")) {
      caps.pipelining = true;
    } else if (ascii_iequals(key, "8BITMIME")) {
      caps.eightbitmime = true;
    } else if (ascii_iequals(key, "SMTPUTF8")) {
      caps.smtputf8 = true;
    } else if (ascii_iequals(key, "DSN")) {
      caps.dsn = true;
    } else if (ascii_iequals(key, "STARTTLS")) {
      caps.starttls = true;
    } else if (ascii_iequals(key, "CHUNKING")) {
      caps.chunking = true;
    } else if (ascii_iequals(key, "ENHANCEDSTATUSCODES")) {
      caps.enhanced_status_codes = true;
    } else if (ascii_iequals(key, "AUTH")) {
      add_mechanisms(caps, w, 1);
    } else if (key.size() > 5 && ascii_iequals(key.substr(0, 5), "AUTH=")) {
      // "AUTH=LOGIN PLAIN": the first mechanism is glued to the keyword.
      std::vector<std::string_view> names = w;
      names[0] = key.substr(5);
      add_mechanisms(caps, names, 0);
    }
  }
  return caps;
}

}  // namespace mf::smtp
