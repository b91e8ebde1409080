// imap/mutf7.h — modified UTF-7 (RFC 3501 §5.1.3), the mailbox-name encoding shown to
// clients that have enabled neither UTF8=ACCEPT nor IMAP4rev2. The store keeps names in
// UTF-8; the session converts at the protocol boundary with these two functions.
//
// The encoding: printable ASCII (0x20-0x7E) stands for itself, except "&", written "&-";
// any run of other characters is written "&" + base64 of its UTF-16BE form, with ","
// in place of "/" and no "=" padding, + "-". Both directions are strict, so that one name
// has exactly one spelling and two different spellings never reach the store as two
// folders that look the same.
#ifndef MF_IMAP_MUTF7_H
#define MF_IMAP_MUTF7_H

#include <mailfountain/status.h>

#include <string>
#include <string_view>

namespace mf::imap {

// Encodes a UTF-8 name. Fails (kInvalidArgument) on ill-formed UTF-8 and on control
// characters (U+0000-U+001F, U+007F), which no mailbox name may hold.
Result<std::string> mutf7_encode(std::string_view utf8);

// Decodes a modified UTF-7 name to UTF-8. Fails (kInvalidArgument, "Invalid modified
// UTF-7 mailbox name: <reason>") on: a byte outside 0x20-0x7E; a shift ("&...") not
// closed by "-"; a character outside the base64 alphabet (with "," for "/") in a shift;
// leftover bits that are not zero or make a whole base64 character; an odd number of
// UTF-16 bytes; unpaired surrogates; a shifted character that could be written directly
// (printable ASCII, "&AGE-" for "a", "&ACY-" for "&"); two shifts back to back ("&AOk-&AOk-"
// must be one); a shifted control character.
Result<std::string> mutf7_decode(std::string_view mutf7);

}  // namespace mf::imap

#endif  // MF_IMAP_MUTF7_H
