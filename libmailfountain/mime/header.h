// mime/header.h — splitting a message's header block into fields (RFC 5322 §2.2, with
// the obsolete syntax of §4 tolerated). A pure function over bytes, fuzzed
// (tests/fuzz/mime_header_fuzz.cpp).
//
// Nothing is copied: every name and value is a view into the caller's bytes, and every
// field carries its byte offsets, so DKIM can hash a field exactly as received and IMAP
// can serve BODY[HEADER] without reparsing.
//
// Tolerated, as the major servers do:
//   - LF-only line ends (and a mixture of LF and CRLF);
//   - whitespace between the field name and the colon ("Subject  : x", RFC 5322 §4.5);
//   - a missing blank line: the header block ends at the first line that is neither a
//     field nor a continuation, and that line starts the body;
//   - a message with no body, even without a final line break.
// A line starting with whitespace before any field (a continuation of nothing) ends the
// header block like any other non-field line. A bare CR is data, not a line end.
#ifndef MF_MIME_HEADER_H
#define MF_MIME_HEADER_H

#include <mailfountain/status.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mf::mime {

// One header field. The views point into the bytes given to parse_header_block and are
// valid as long as those bytes are.
struct HeaderField {
  std::string_view name;   // as written, without the obsolete whitespace before the colon
  std::string_view value;  // everything after the colon, folding kept, without the final line end
  size_t offset = 0;       // where the field's name starts in the message
  size_t end = 0;          // just after the field's final line end (or the end of input)
};

// How the header block ended.
enum class HeaderEnd {
  kBlankLine,   // the RFC 5322 way: an empty line, then the body
  kEndOfInput,  // the message has no body
  kNonField,    // a line that is no field ends the header and starts the body (obsolete)
};

// The header block of a message. Fields keep their order; duplicates are all kept.
struct HeaderBlock {
  std::vector<HeaderField> fields;
  size_t header_end = 0;   // offset just after the last field (where the blank line starts)
  size_t body_offset = 0;  // offset of the first byte of the body (after the blank line)
  HeaderEnd ended_by = HeaderEnd::kEndOfInput;

  // The first field of that name (ASCII case-insensitive), or nullptr.
  const HeaderField* find(std::string_view name) const;
  // Every field of that name, in message order.
  std::vector<const HeaderField*> find_all(std::string_view name) const;
};

// Hard limits of parse_header_block. The defaults are those of the message core; the
// SMTP server applies its own (smaller) limit on the whole message before this.
struct HeaderLimits {
  size_t max_bytes = 256 * 1024;  // size of the header block, line ends included
  size_t max_fields = 2000;
};

// Splits the header block at the start of `message`. Fails only on a limit:
// kResourceExhausted, with a message naming the limit and where it was hit.
Result<HeaderBlock> parse_header_block(std::string_view message, const HeaderLimits& limits = {});

// Unfolds a raw field value: line breaks (CRLF or LF) are removed, so a fold becomes the
// whitespace that followed it (RFC 5322 §2.2.3), and leading and trailing whitespace is
// trimmed. The bytes are otherwise unchanged (no encoded-word decoding).
std::string unfold(std::string_view value);

}  // namespace mf::mime

#endif  // MF_MIME_HEADER_H
