// model/names.cpp — domain, address and login validation (see names.h).
#include "model/names.h"

#include "base/text.h"

#include <fmt/format.h>
#include <idn2.h>

#include <cstdlib>
#include <memory>

namespace mf {

namespace {

constexpr size_t kMaxDomain = 253;
constexpr size_t kMaxLabel = 63;
constexpr size_t kMaxLocal = 64;
constexpr size_t kMaxAddress = 254;

struct FreeDeleter {
  void operator()(char* p) const { std::free(p); }
};

bool is_ascii(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return false;
  }
  return true;
}

bool is_ldh(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}


// Checks the LDH rules on a lower-case ASCII name.
Status check_ldh_name(std::string_view name, std::string_view shown) {
  if (name.empty()) return invalid_argument("the domain name is empty");
  if (name.size() > kMaxDomain) {
    return invalid_argument(fmt::format("domain name '{}' is {} octets long; at most {} are allowed",
                                        shown, name.size(), kMaxDomain));
  }
  size_t labels = 0;
  std::string_view last;
  size_t start = 0;
  while (start <= name.size()) {
    size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) dot = name.size();
    std::string_view label = name.substr(start, dot - start);
    if (label.empty()) return invalid_argument(fmt::format("domain name '{}' has an empty label", shown));
    if (label.size() > kMaxLabel) {
      return invalid_argument(fmt::format("label '{}' of domain '{}' is {} octets; at most {} are allowed",
                                          label, shown, label.size(), kMaxLabel));
    }
    for (char c : label) {
      if (!is_ldh(c)) {
        return invalid_argument(fmt::format(
            "domain name '{}' holds '{}': labels may hold only letters, digits and hyphens",
            shown, c));
      }
    }
    if (label.front() == '-' || label.back() == '-') {
      return invalid_argument(fmt::format("label '{}' of domain '{}' starts or ends with a hyphen",
                                          label, shown));
    }
    ++labels;
    last = label;
    start = dot + 1;
  }
  if (labels < 2) {
    return invalid_argument(fmt::format(
        "domain name '{}' has a single label; a mail domain needs at least two (e.g. example.fr)",
        shown));
  }
  bool numeric = true;
  for (char c : last) numeric = numeric && c >= '0' && c <= '9';
  if (numeric) return invalid_argument(fmt::format("domain name '{}' has a numeric top-level label", shown));
  return Status::ok();
}

}  // namespace

Result<std::string> normalize_domain(std::string_view name) {
  std::string_view shown = name;
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty()) return invalid_argument("the domain name is empty");
  if (name.size() > 1024) return invalid_argument("the domain name is far too long");
  if (name.find('\0') != std::string_view::npos) return invalid_argument("the domain name holds a NUL byte");
  std::string ascii;
  if (is_ascii(name)) {
    ascii = ascii_lower(name);
  } else {
    for (size_t i = 0; i < name.size();) {
      size_t n = utf8_sequence_length(name, i);
      if (n == 0) return invalid_argument("the domain name is not valid UTF-8");
      i += n;
    }
    std::string in(name);
    char* out = nullptr;
    int rc = idn2_to_ascii_8z(in.c_str(), &out, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
    std::unique_ptr<char, FreeDeleter> holder(out);
    if (rc != IDN2_OK) {
      return invalid_argument(fmt::format("domain name '{}' is not a valid internationalised name: {}",
                                          shown, idn2_strerror(rc)));
    }
    ascii = ascii_lower(out);
  }
  MF_RETURN_IF_ERROR(check_ldh_name(ascii, shown));
  // A-labels given directly must decode (xn--zz is not a name).
  size_t start = 0;
  while (start < ascii.size()) {
    size_t dot = ascii.find('.', start);
    if (dot == std::string::npos) dot = ascii.size();
    std::string label = ascii.substr(start, dot - start);
    if (label.size() > 4 && label.compare(0, 4, "xn--") == 0) {
      char* out = nullptr;
      int rc = idn2_to_unicode_8z8z(label.c_str(), &out, 0);
      std::unique_ptr<char, FreeDeleter> holder(out);
      if (rc != IDN2_OK) {
        return invalid_argument(fmt::format("label '{}' of domain '{}' is not a valid A-label: {}",
                                            label, shown, idn2_strerror(rc)));
      }
    } else if (label.size() >= 4 && label[2] == '-' && label[3] == '-') {
      return invalid_argument(fmt::format(
          "label '{}' of domain '{}' has hyphens in the third and fourth positions, reserved "
          "for encoded labels",
          label, shown));
    }
    start = dot + 1;
  }
  return ascii;
}

std::string domain_to_unicode(std::string_view a_label) {
  if (a_label.find("xn--") == std::string_view::npos) return std::string(a_label);
  std::string in(a_label);
  char* out = nullptr;
  int rc = idn2_to_unicode_8z8z(in.c_str(), &out, 0);
  std::unique_ptr<char, FreeDeleter> holder(out);
  if (rc != IDN2_OK || out == nullptr) return in;
  return std::string(out);
}

std::string Address::key() const { return ascii_lower(local) + "@" + domain; }
std::string Address::display() const { return local + "@" + domain; }

Status validate_local_part(std::string_view local) {
  if (local.empty()) return invalid_argument("the local part (before '@') is empty");
  if (local.size() > kMaxLocal) {
    return invalid_argument(fmt::format("local part '{}' is {} octets long; at most {} are allowed",
                                        local, local.size(), kMaxLocal));
  }
  if (local.front() == '"') {
    return invalid_argument("quoted local parts are not supported; use letters, digits and . - _ +");
  }
  if (local.front() == '.' || local.back() == '.') {
    return invalid_argument(fmt::format("local part '{}' starts or ends with a dot", local));
  }
  if (local.find("..") != std::string_view::npos) {
    return invalid_argument(fmt::format("local part '{}' has two dots in a row", local));
  }
  for (size_t i = 0; i < local.size();) {
    char c = local[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      size_t n = utf8_sequence_length(local, i);
      if (n == 0) return invalid_argument("the local part is not valid UTF-8");
      i += n;
      continue;
    }
    if (c != '.' && !is_atext(c)) {
      if (c < 0x20 || c == 0x7f) {
        return invalid_argument("the local part holds a control character");
      }
      return invalid_argument(fmt::format(
          "local part '{}' holds '{}', which an unquoted address may not contain", local, c));
    }
    ++i;
  }
  return Status::ok();
}

Result<Address> parse_address(std::string_view text) {
  if (text.empty()) return invalid_argument("the address is empty");
  if (text.size() > 1024) return invalid_argument("the address is far too long");
  size_t at = text.rfind('@');
  if (at == std::string_view::npos) {
    return invalid_argument(fmt::format("'{}' is not an address: it has no '@'", text));
  }
  Address a;
  a.local = std::string(text.substr(0, at));
  MF_RETURN_IF_ERROR(validate_local_part(a.local).with_context(fmt::format("address '{}'", text)));
  auto domain = normalize_domain(text.substr(at + 1));
  if (!domain) return domain.status().with_context(fmt::format("address '{}'", text));
  a.domain = std::move(domain).value();
  if (a.local.size() + 1 + a.domain.size() > kMaxAddress) {
    return invalid_argument(fmt::format("address '{}' is longer than {} octets", text, kMaxAddress));
  }
  return a;
}

Status validate_admin_name(std::string_view name) {
  if (name.empty() || name.size() > 64) {
    return invalid_argument("the administrator's name must be 1 to 64 characters long");
  }
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) {
      return invalid_argument(fmt::format(
          "the administrator's name '{}' may hold only letters, digits, '.', '_' and '-' (it is "
          "a login, not an address)",
          name));
    }
  }
  return Status::ok();
}

Status validate_password(std::string_view password) {
  if (password.size() < 8) return invalid_argument("the password is too short: use at least 8 characters");
  if (password.size() > 1024) return invalid_argument("the password is too long: at most 1024 bytes");
  if (password.find('\0') != std::string_view::npos) {
    return invalid_argument("the password holds a NUL byte");
  }
  return Status::ok();
}

}  // namespace mf
