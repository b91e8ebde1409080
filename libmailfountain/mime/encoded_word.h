// mime/encoded_word.h — RFC 2047 encoded words in header text: decoding for search and
// display, and encoding of non-ASCII header text for messages sent without SMTPUTF8.
// Pure functions, fuzzed (tests/fuzz/mime_decoders_fuzz.cpp).
#ifndef MF_MIME_ENCODED_WORD_H
#define MF_MIME_ENCODED_WORD_H

#include "mime/charset.h"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mf::mime {

// Header text with its encoded words decoded.
struct DecodedHeaderText {
  std::string text;                           // UTF-8 where words were decoded
  std::vector<std::string> unknown_charsets;  // charsets of words left encoded, once each
  bool clean = true;  // false when a word held invalid base64, a bad escape or bad bytes
};

// Decodes the RFC 2047 encoded words ("=?charset?B?...?=" and "=?charset?Q?...?=", the
// encoding letter in either case) found in `text`, an unfolded header value or phrase.
//   - Whitespace between two adjacent encoded words is dropped (RFC 2047 §6.2), and their
//     bytes are joined before charset conversion, so a character split across two words
//     (common with UTF-8 and base64) decodes whole.
//   - As mail readers do, a word is recognised even when text touches it, and the
//     75-character limit is not enforced.
//   - A malformed word (no closing "?=", an unknown encoding letter, a space inside) is
//     left as it is, and so is a word in a charset iconv does not know: that charset is
//     listed in `unknown_charsets`. Nothing is guessed.
//   - Text outside encoded words is kept byte for byte (RFC 6532 UTF-8 passes through).
//   - `converters`, when given, keeps iconv converters open across calls (charset.h).
DecodedHeaderText decode_encoded_words(std::string_view text,
                                       CharsetConverters* converters = nullptr);

// Encodes a header field's value for a message that must be 7-bit: returns what follows
// "Name:" on the wire, starting with the space after the colon and folded with CRLF SP so
// that no line exceeds 78 characters where the words allow it (RFC 5322 §2.1.1). The
// caller writes `name`, ":" and the returned text. `utf8` is the unfolded value in UTF-8.
// Words that hold non-ASCII or control bytes, or that look like an encoded word, are
// encoded as "=?UTF-8?Q?...?=" or "=?UTF-8?B?...?=" (whichever is shorter), each at most
// 75 characters and never splitting a UTF-8 character; a run of such words becomes one
// run of encoded words, so the spaces between them survive decoding. Pure ASCII words are
// kept as they are (a word longer than a line stays whole on its own line). Invalid UTF-8
// is encoded as given.
std::string encode_header_value(std::string_view name, std::string_view utf8);

}  // namespace mf::mime

#endif  // MF_MIME_ENCODED_WORD_H
