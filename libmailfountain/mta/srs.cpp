// mta/srs.cpp — the Sender Rewriting Scheme (see srs.h for the address forms).
#include "mta/srs.h"

#include "base/text.h"
#include "smtp/path.h"

#include <fmt/format.h>
#include <mbedtls/md.h>

#include <array>
#include <optional>
#include <utility>

namespace mf::mta {

namespace {

constexpr std::string_view kTimeChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::string_view kHashChars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr int64_t kSecondsPerDay = 86400;
constexpr int64_t kTimeSlots = 1024;  // two base32 characters
constexpr size_t kHashLength = 4;
constexpr int kMaxMaxAge = 1000;
constexpr std::string_view kSeparators = "=+-";

// An address split into its unquoted local part and its domain.
struct Split {
  std::string local;
  std::string domain;
};

// Splits a canonical mailbox: a quoted local part is unquoted (quoted-pairs resolved), an
// unquoted one ends at the last '@'.
Result<Split> split_mailbox(std::string_view address) {
  for (char c : address) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      return invalid_argument("the address holds a control character");
    }
  }
  Split out;
  std::string_view rest;
  if (!address.empty() && address.front() == '"') {
    size_t i = 1;
    bool closed = false;
    for (; i < address.size(); ++i) {
      char c = address[i];
      if (c == '\\' && i + 1 < address.size()) {
        out.local.push_back(address[++i]);
      } else if (c == '"') {
        closed = true;
        ++i;
        break;
      } else {
        out.local.push_back(c);
      }
    }
    if (!closed) return invalid_argument("the quoted local part of the address is not closed");
    rest = address.substr(i);
    if (rest.empty() || rest.front() != '@') {
      return invalid_argument("the quoted local part is not followed by '@'");
    }
    rest.remove_prefix(1);
  } else {
    size_t at = address.rfind('@');
    if (at == std::string_view::npos) return invalid_argument("there is no '@' in the address");
    out.local = std::string(address.substr(0, at));
    rest = address.substr(at + 1);
  }
  out.domain = std::string(rest);
  if (out.local.empty()) return invalid_argument("the address has an empty local part");
  if (out.domain.empty()) return invalid_argument("the address has an empty domain");
  if (out.domain.find('@') != std::string::npos) {
    return invalid_argument("the domain of the address holds '@'");
  }
  return out;
}

// The canonical form: the local part quoted when it is not a dot-string.
std::string join_mailbox(std::string_view local, std::string_view domain) {
  std::string out = smtp::format_local_part(local);
  out += '@';
  out += domain;
  return out;
}

// "SRS0" or "SRS1" (any case) followed by one of the separators.
bool has_tag(std::string_view local, char digit) {
  return local.size() >= 5 && (local[0] == 'S' || local[0] == 's') &&
         (local[1] == 'R' || local[1] == 'r') && (local[2] == 'S' || local[2] == 's') &&
         local[3] == digit && kSeparators.find(local[4]) != std::string_view::npos;
}

// Cuts `s` at its first '=': the part before goes to *field, the rest stays in s.
bool take_field(std::string_view* s, std::string_view* field) {
  size_t eq = s->find('=');
  if (eq == std::string_view::npos) return false;
  *field = s->substr(0, eq);
  s->remove_prefix(eq + 1);
  return true;
}

// The day of `now` modulo 1024. Floor division, so that times before 1970 still give a
// slot in 0..1023.
int64_t day_slot(int64_t now) {
  int64_t day = now / kSecondsPerDay - (now % kSecondsPerDay < 0 ? 1 : 0);
  return ((day % kTimeSlots) + kTimeSlots) % kTimeSlots;
}

std::string timestamp(int64_t now) {
  int64_t slot = day_slot(now);
  std::string out;
  out.push_back(kTimeChars[static_cast<size_t>(slot >> 5)]);
  out.push_back(kTimeChars[static_cast<size_t>(slot & 31)]);
  return out;
}

// The slot a timestamp names, or nullopt when it is not two base32 characters.
std::optional<int64_t> decode_timestamp(std::string_view stamp) {
  if (stamp.size() != 2) return std::nullopt;
  int64_t value = 0;
  for (char c : stamp) {
    char upper = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    size_t pos = kTimeChars.find(upper);
    if (pos == std::string_view::npos) return std::nullopt;
    value = (value << 5) | static_cast<int64_t>(pos);
  }
  return value;
}

}  // namespace

bool is_srs_address(std::string_view address) {
  Result<Split> split = split_mailbox(address);
  return split.is_ok() && (has_tag(split->local, '0') || has_tag(split->local, '1'));
}

Result<Srs> Srs::create(SrsOptions options) {
  if (options.secrets.empty()) {
    return invalid_argument("SRS needs at least one secret to sign addresses with");
  }
  for (const std::string& s : options.secrets) {
    if (s.empty()) return invalid_argument("an SRS secret is empty");
  }
  if (options.max_age_days < 1 || options.max_age_days > kMaxMaxAge) {
    return invalid_argument(fmt::format(
        "the SRS maximum age is {} days; it must be between 1 and {} (the timestamp wraps "
        "around after 1024 days)",
        options.max_age_days, kMaxMaxAge));
  }
  return Srs(std::move(options));
}

std::string Srs::hash(size_t index, std::initializer_list<std::string_view> parts) const {
  std::string data;
  for (std::string_view p : parts) data += ascii_lower(p);
  const std::string& key = options_.secrets[index];
  std::array<unsigned char, 20> digest{};
  mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA1),
                  reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                  reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data());
  // The first 24 bits of the digest, as four base64 characters.
  uint32_t bits = (uint32_t{digest[0]} << 16) | (uint32_t{digest[1]} << 8) | digest[2];
  std::string out;
  for (int shift = 18; shift >= 0; shift -= 6) out.push_back(kHashChars[(bits >> shift) & 63]);
  return out;
}

bool Srs::verify(std::string_view given, std::initializer_list<std::string_view> parts) const {
  if (given.size() != kHashLength) return false;
  std::string given_lower = ascii_lower(given);
  bool match = false;
  // Every secret is tried, whatever matched, so the time taken says nothing about which.
  for (size_t i = 0; i < options_.secrets.size(); ++i) {
    match = constant_time_equals(ascii_lower(hash(i, parts)), given_lower) || match;
  }
  return match;
}

Result<std::string> Srs::forward(std::string_view sender, std::string_view forward_domain,
                                 int64_t now) const {
  if (sender.empty()) return std::string();
  if (forward_domain.empty() || forward_domain.find('@') != std::string_view::npos) {
    return invalid_argument("the SRS forwarding domain must be a domain name, without '@'");
  }
  Result<Split> split = split_mailbox(sender);
  if (!split.is_ok()) return split.status().with_context("cannot rewrite the sender");
  const std::string& local = split->local;
  const std::string& domain = split->domain;
  if (ascii_iequals(domain, forward_domain)) return join_mailbox(local, domain);
  // The domain is a field of the SRS address, so it cannot hold the field separator (no
  // domain name does).
  if (domain.find('=') != std::string::npos) {
    return invalid_argument("cannot rewrite the sender: its domain holds '='");
  }

  std::string rewritten;
  if (has_tag(local, '0')) {
    // SRS0=...@first-forwarder becomes SRS1=HHHH=first-forwarder==...: the part after
    // "SRS0" (its separator included) is kept whole.
    std::string_view opaque = std::string_view(local).substr(4);
    rewritten = fmt::format("SRS1={}={}={}", hash(0, {domain, opaque}), domain, opaque);
  } else if (has_tag(local, '1')) {
    // Another forwarder's SRS1 address: keep the first forwarder and the SRS0 part, sign
    // them again with our own secret.
    std::string_view rest = std::string_view(local).substr(5);
    std::string_view old_hash, first_forwarder;
    if (!take_field(&rest, &old_hash) || !take_field(&rest, &first_forwarder) ||
        first_forwarder.empty() || rest.empty()) {
      return invalid_argument("cannot rewrite the sender: its SRS1 local part lacks a field");
    }
    rewritten =
        fmt::format("SRS1={}={}={}", hash(0, {first_forwarder, rest}), first_forwarder, rest);
  } else {
    std::string stamp = timestamp(now);
    rewritten =
        fmt::format("SRS0={}={}={}={}", hash(0, {stamp, domain, local}), stamp, domain, local);
  }
  std::string out = join_mailbox(rewritten, forward_domain);
  if (out.size() + 2 > smtp::kMaxPath) {
    return invalid_argument(
        fmt::format("the SRS address would be {} octets long, over the {} octets of an SMTP path",
                    out.size(), smtp::kMaxPath - 2));
  }
  return out;
}

Result<std::string> Srs::reverse(std::string_view address, int64_t now) const {
  Result<Split> split = split_mailbox(address);
  if (!split.is_ok()) return split.status().with_context("not an SRS address");
  std::string_view local = split->local;

  if (has_tag(local, '1')) {
    std::string_view rest = local.substr(5);
    std::string_view given, first_forwarder;
    if (!take_field(&rest, &given) || !take_field(&rest, &first_forwarder) ||
        first_forwarder.empty() || rest.empty()) {
      return invalid_argument("the SRS1 address lacks a field (hash, forwarder, SRS0 part)");
    }
    if (given.size() != kHashLength) {
      return invalid_argument(
          fmt::format("the SRS1 hash has {} characters, not {}", given.size(), kHashLength));
    }
    if (!verify(given, {first_forwarder, rest})) {
      return permission_denied("the SRS1 hash does not match: the address is forged or altered");
    }
    return join_mailbox(fmt::format("SRS0{}", rest), first_forwarder);
  }
  if (!has_tag(local, '0')) {
    return invalid_argument("not an SRS address: the local part does not start with SRS0 or SRS1");
  }
  std::string_view rest = local.substr(5);
  std::string_view given, stamp, orig_domain;
  if (!take_field(&rest, &given) || !take_field(&rest, &stamp) ||
      !take_field(&rest, &orig_domain) || orig_domain.empty() || rest.empty()) {
    return invalid_argument("the SRS0 address lacks a field (hash, timestamp, domain, local part)");
  }
  if (given.size() != kHashLength) {
    return invalid_argument(
        fmt::format("the SRS0 hash has {} characters, not {}", given.size(), kHashLength));
  }
  std::optional<int64_t> then = decode_timestamp(stamp);
  if (!then) {
    return invalid_argument("the SRS0 timestamp is not two base32 characters");
  }
  // The hash first: an altered address is reported as such even when it is also old.
  if (!verify(given, {stamp, orig_domain, rest})) {
    return permission_denied("the SRS0 hash does not match: the address is forged or altered");
  }
  int64_t today = day_slot(now);
  while (today < *then) today += kTimeSlots;
  int64_t age = today - *then;
  if (age > options_.max_age_days) {
    return failed_precondition(
        fmt::format("the SRS0 address is {} days old, over the {} days it stays valid", age,
                    options_.max_age_days));
  }
  return join_mailbox(rest, orig_domain);
}

}  // namespace mf::mta
