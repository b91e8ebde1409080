// imap/mailbox_names.h — mailbox names between the IMAP protocol and the mailbox store,
// and LIST's patterns. Pure.
//
// The store keeps folder names in UTF-8 with '/' as the hierarchy separator
// (mailbox/folders.h). A session shows them in modified UTF-7 (RFC 3501 §5.1.3) until the
// client enables UTF8=ACCEPT or IMAP4rev2, then in UTF-8 (RFC 6855 §3, RFC 9051 §5.1).
//
// LIST patterns (RFC 9051 §6.3.9, RFC 3501 §6.3.8): the reference and the mailbox
// argument are joined ("Archive/" + "2026/%"; a mailbox argument starting with '/' is
// taken as it is, since our names are never absolute), '*' matches any run of characters,
// '%' any run without the separator. "INBOX" in any case at the start of the pattern's
// first level matches the inbox, as INBOX is case-insensitive; everything else is matched
// byte for byte (case-sensitive), as Dovecot does.
#ifndef MF_IMAP_MAILBOX_NAMES_H
#define MF_IMAP_MAILBOX_NAMES_H

#include <mailfountain/status.h>

#include <string>
#include <string_view>
#include <vector>

namespace mf::imap {

// How mailbox names travel on a session.
enum class NameEncoding {
  kModifiedUtf7,  // the default
  kUtf8,          // after ENABLE UTF8=ACCEPT or IMAP4rev2
};

// The store's name for the name a client sent (the astring's bytes): decoded from
// modified UTF-7 when that is the session's encoding, then normalised as the store does
// ("inbox" → "INBOX"). kInvalidArgument with a reason a BAD or NO reply can quote.
Result<std::string> name_from_client(std::string_view wire, NameEncoding encoding);

// The name as the client sees it. kInvalidArgument only for a stored name that is not
// valid UTF-8, which the store never holds.
Result<std::string> name_to_client(std::string_view stored, NameEncoding encoding);

class ListPattern {
 public:
  // `reference` and `pattern` already decoded to UTF-8 (name_from_client's decoding,
  // without its normalisation: patterns may be empty and end with '/').
  ListPattern(std::string_view reference, std::string_view pattern);

  // The joined pattern, runs of wildcards collapsed, INBOX's first level normalised.
  const std::string& text() const { return text_; }

  // Whether the stored name `name` matches.
  bool matches(std::string_view name) const;

  // Whether the pattern ends with '%', so that LIST also returns the levels above existing
  // names that match it (RFC 3501 §6.3.8: "foo" for an existing "foo/bar" under "%"),
  // marked \Noselect (\NonExistent for IMAP4rev2) when they do not exist themselves.
  bool returns_parents() const { return !text_.empty() && text_.back() == '%'; }

 private:
  std::string text_;
  bool impossible_ = false;  // more literal bytes than any name has
};

// One line of a LIST answer before its attributes are written.
struct ListEntry {
  std::string name;           // stored form
  bool exists = true;         // false: only a level above existing mailboxes
  bool has_children = false;  // some existing mailbox is below it
};

// The LIST answer over `names` (the account's stored folder names, any order): every name
// that matches, and with returns_parents() the missing levels above names that match,
// each once, in name order. An empty pattern is not a listing (LIST "" "" asks for the
// hierarchy delimiter): it yields nothing.
std::vector<ListEntry> list_matches(const std::vector<std::string>& names,
                                    const ListPattern& pattern);

}  // namespace mf::imap

#endif  // MF_IMAP_MAILBOX_NAMES_H
