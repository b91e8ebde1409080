// mime/charset.h — conversion of text in a declared charset to UTF-8, through glibc's
// iconv. Used to decode RFC 2047 words now, and body parts for search and display later.
//
// An unknown or unusable charset is reported (kUnsupported), never guessed. Bytes that are
// invalid in a known charset are replaced by U+FFFD and the conversion goes on: one bad
// byte must not hide a whole subject line.
//
// Thread-safety: each call opens and closes its own iconv descriptor; calls from distinct
// threads are independent.
#ifndef MF_MIME_CHARSET_H
#define MF_MIME_CHARSET_H

#include "base/text.h"
#include <mailfountain/status.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace mf::mime {

// Text converted to UTF-8; `clean` is false when invalid input was replaced by U+FFFD.
struct Utf8Text {
  std::string text;
  bool clean = true;
};

// Converts `bytes` from `charset` (a MIME charset name, case-insensitive, such as
// "ISO-8859-1", "windows-1252", "utf-8"; an RFC 2231 language suffix "*fr" is ignored)
// to UTF-8. "us-ascii" and "utf-8" are validated without iconv. Under a "us-ascii" label,
// text that is valid UTF-8 throughout is read as UTF-8 (the usual mislabelling);
// otherwise every 8-bit byte becomes U+FFFD, as Python's email does.
// Fails with kUnsupported naming the charset when iconv does not know it, and with
// kInvalidArgument when the name is not a MIME charset token (spaces, slashes, over 64
// octets): such names are never passed to iconv.
Result<Utf8Text> to_utf8(std::string_view charset, std::string_view bytes);

// Replaces every invalid UTF-8 sequence in `bytes` with U+FFFD; `clean` says whether any was.
Utf8Text sanitize_utf8(std::string_view bytes);

// UTF-8 validation is the library's one (base/text.h): utf8_sequence_length(bytes, i)
// and is_valid_utf8(bytes), RFC 3629 (no overlongs, no surrogates).
using mf::is_valid_utf8;
using mf::utf8_sequence_length;

}  // namespace mf::mime

#endif  // MF_MIME_CHARSET_H
