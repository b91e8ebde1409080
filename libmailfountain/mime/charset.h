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

#include <mailfountain/status.h>
#include "base/text.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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
//
// `converters`, when given, keeps the iconv descriptors open between calls (see
// CharsetConverters); without it each call opens and closes its own.
class CharsetConverters;
Result<Utf8Text> to_utf8(std::string_view charset, std::string_view bytes,
                         CharsetConverters* converters = nullptr);

// Open iconv converters kept between conversions. Opening a descriptor is cheap, but when
// the last one of a charset closes glibc unloads that charset's module, and loading it
// again costs more than converting a whole message: a caller converting many texts (an
// IMAP session searching a mailbox, an e-mailing worker, a benchmark) keeps one of these
// and passes it. It holds at most kMaxOpen converters, closing the least recently used.
// Owned by its caller: not thread-safe, no sharing between threads, no global state.
class CharsetConverters {
 public:
  static constexpr size_t kMaxOpen = 16;

  CharsetConverters() = default;
  ~CharsetConverters();
  CharsetConverters(const CharsetConverters&) = delete;
  CharsetConverters& operator=(const CharsetConverters&) = delete;

 private:
  friend Result<Utf8Text> to_utf8(std::string_view, std::string_view, CharsetConverters*);
  struct Entry {
    std::string name;  // lower-cased
    void* cd;          // an iconv_t from name to UTF-8, in its initial shift state
    uint64_t last_used;
  };
  std::vector<Entry> entries_;
  uint64_t clock_ = 0;
};

// Replaces every invalid UTF-8 sequence in `bytes` with U+FFFD; `clean` says whether any was.
Utf8Text sanitize_utf8(std::string_view bytes);

// UTF-8 validation is the library's one (base/text.h): utf8_sequence_length(bytes, i)
// and is_valid_utf8(bytes), RFC 3629 (no overlongs, no surrogates).
using mf::is_valid_utf8;
using mf::utf8_sequence_length;

}  // namespace mf::mime

#endif  // MF_MIME_CHARSET_H
