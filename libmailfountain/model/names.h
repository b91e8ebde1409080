// model/names.h — validation and canonical forms of domain names, addresses and the
// administrator's login. Pure functions over bytes, fuzzed (tests/fuzz/names_fuzz.cpp).
//
// Domains: RFC 1035 lengths (label 1..63 octets, name at most 253) and LDH labels (letters,
// digits, hyphen, not at either end), at least two labels and a non-numeric top label.
// Internationalised names are accepted in UTF-8 and converted to A-labels with IDNA 2008
// (libidn2, non-transitional UTS #46 mapping); A-labels given directly are checked to
// decode. One trailing dot is accepted and dropped. Canonical form: lower-case A-labels.
//
// Addresses: `local@domain` with a dot-atom local part (RFC 5321 §4.1.2; UTF-8 allowed as
// in RFC 6531), at most 64 octets, the whole address at most 254. Quoted local parts are
// refused. Matching is case-insensitive on ASCII letters; the key form lower-cases them,
// the display form keeps the local part as given.
#ifndef MF_MODEL_NAMES_H
#define MF_MODEL_NAMES_H

#include <mailfountain/status.h>

#include <string>
#include <string_view>

namespace mf {

// The canonical (lower-case A-label) form of a domain, or kInvalidArgument naming the fault.
Result<std::string> normalize_domain(std::string_view name);

// The U-label form of a canonical domain for display (the input itself if not IDN).
std::string domain_to_unicode(std::string_view a_label);

struct Address {
  std::string local;   // as given (case preserved)
  std::string domain;  // canonical A-label form

  // "local@domain" with ASCII letters of the local part lower-cased: the lookup key.
  std::string key() const;
  // "local@domain" as given.
  std::string display() const;
};

// Parses and validates an address; kInvalidArgument with a message naming the fault.
Result<Address> parse_address(std::string_view text);

// Validates a local part alone (dot-atom, length, UTF-8).
Status validate_local_part(std::string_view local);

// The administrator's login: 1 to 64 of [A-Za-z0-9._-], no '@'.
Status validate_admin_name(std::string_view name);

// Passwords: 8 to 1024 bytes, no NUL byte.
Status validate_password(std::string_view password);

}  // namespace mf

#endif  // MF_MODEL_NAMES_H
