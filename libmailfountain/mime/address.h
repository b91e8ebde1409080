// mime/address.h — address lists in header fields (From, To, Cc, Reply-To...): RFC 5322
// §3.4 with the obsolete forms of §4.4 and the UTF-8 of RFC 6532. A pure function,
// fuzzed (tests/fuzz/mime_address_fuzz.cpp).
//
// Leniency, as the major mail readers have it:
//   - empty list elements (",,") and comments anywhere are skipped (obs-addr-list);
//   - an obsolete route ("<@relay1,@relay2:user@domain>") is dropped;
//   - CFWS around the dots of local parts and domains is allowed (obs-local-part);
//     consecutive dots in a local part are kept (as some carriers send them);
//   - a display name may hold specials that RFC 5322 reserves ('@', '.', ':' inside the
//     phrase before '<'), as in `jdoe@example.org <jdoe@example.org>`;
//   - "addr-spec (Comment)" takes the comment as display name when there is no other;
//   - bytes from 0x80 up are atom text (RFC 6532); they are not checked here.
// A malformed entry is reported in `errors` and skipped; the entries after it are still
// parsed. Nothing here validates domains (model/names.h does, where needed).
#ifndef MF_MIME_ADDRESS_H
#define MF_MIME_ADDRESS_H

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mf::mime {

// One mailbox of an address list. An empty group ("undisclosed-recipients:;") is one
// entry whose local part and domain are empty and whose group is set.
struct Mailbox {
  std::string display_name;  // phrase, unquoted; encoded words decoded when asked
  std::string local;         // local part, unquoted ("john doe" for "\"john doe\"@x")
  std::string domain;        // as written, a domain literal keeps its brackets
  std::string group;         // name of the enclosing group, empty outside a group

  // "local@domain", the local part quoted when it is not a dot-atom.
  std::string addr_spec() const;
};

// An entry that could not be parsed.
struct AddressError {
  size_t offset = 0;   // where the entry starts in the parsed text
  std::string text;    // the entry as written, trimmed
  std::string reason;  // a sentence: "no '@' in the address"
};

struct AddressList {
  std::vector<Mailbox> mailboxes;
  std::vector<AddressError> errors;
};

// Whether display names have their RFC 2047 encoded words decoded (for display and
// search) or kept as written (for IMAP ENVELOPE).
enum class EncodedWords { kDecode, kKeep };

// Hard limit on the entries of one list; the rest is reported as one error.
constexpr size_t kMaxAddresses = 10000;

// Parses an address-list field value (raw, folding allowed, or unfolded).
AddressList parse_address_list(std::string_view value, EncodedWords words = EncodedWords::kDecode);

}  // namespace mf::mime

#endif  // MF_MIME_ADDRESS_H
