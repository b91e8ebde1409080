// mime/message.h — the MIME tree of a message (RFC 2045, RFC 2046, RFC 6532): every
// entity with the byte offsets of its header and body, so IMAP can serve BODY[1.2.MIME],
// BODY[2.TEXT] or a partial fetch, and DKIM or the 8BITMIME downgrade can work on the
// original bytes, without reparsing or copying. A pure function over bytes, fuzzed
// (tests/fuzz/mime_message_fuzz.cpp).
//
// The tree is flat: Message::parts holds every entity in depth-first pre-order (a parent
// before its children, children in message order), parts[0] being the message itself.
// Every view and offset points into the bytes given to parse_message, which the caller
// keeps alive and unchanged as long as it uses the result.
//
// What counts as structure (as RFC 2046 says, and as Python's email and Dovecot read it):
//   - a multipart/* entity with a boundary parameter is split at its delimiter lines:
//     "--" boundary at the start of a line, then "--" for the close delimiter, then only
//     spaces or tabs up to the line end (CRLF or LF). The line end before a delimiter
//     belongs to the delimiter, not to the part before it. A line that merely starts
//     with the boundary ("--b-extra") is content.
//   - a delimiter line of an enclosing multipart also ends an inner one whose close
//     delimiter is missing (reported), so one broken part never swallows its siblings;
//   - message/rfc822 and message/global entities in 7bit, 8bit or binary transfer
//     encoding are parsed as messages (one child: the encapsulated message). Other
//     message/* subtypes (delivery-status, partial, external-body) are leaves.
//   - inside multipart/digest a part without Content-Type is message/rfc822 (RFC 2046
//     §5.1.5); elsewhere it is text/plain; charset=us-ascii (RFC 2045 §5.2).
// Broken structure is never fatal and never loops; each fault is a sentence in the
// entity's `problems` (and Message::problem_count counts them):
//   - a multipart without a usable boundary parameter, or whose first delimiter never
//     appears, is a leaf (it keeps its multipart type; its body is plain content);
//   - a missing close delimiter ends the multipart at the end of its enclosing region;
//   - an encapsulated message in base64 or quoted-printable is a leaf (its bytes on the
//     wire are not a message; decode the body to read it).
// Limits (MimeLimits) fail the parse with kResourceExhausted and a sentence naming the
// limit and where it was hit: the nesting depth, the number of entities, and each
// entity's header block (HeaderLimits). The SMTP server refuses such a message; nothing
// else makes parse_message fail.
//
// Thread-safety: a pure function; results are plain values.
#ifndef MF_MIME_MESSAGE_H
#define MF_MIME_MESSAGE_H

#include <mailfountain/status.h>
#include "mime/content_type.h"
#include "mime/header.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace mf::mime {

// How an entity's body is read.
enum class PartKind : uint8_t {
  kLeaf,       // content: text, image, application/..., or a multipart read as content
  kMultipart,  // children are the parts between the delimiter lines
  kMessage,    // one child: the encapsulated message (message/rfc822, message/global)
};

// The Content-Transfer-Encoding, RFC 2045 §6.
enum class TransferEncoding : uint8_t {
  k7bit,  // also when the field is absent
  k8bit,
  kBinary,
  kQuotedPrintable,
  kBase64,
  kUnknown,  // an unrecognised token: the body is opaque (RFC 2045 §6.4)
};

// Where nothing is: the value of an index that has no entity.
constexpr uint32_t kNoPart = UINT32_MAX;

// One MIME entity: the message itself, a body part of a multipart, or an encapsulated
// message. Offsets are into the whole message given to parse_message.
struct Part {
  PartKind kind = PartKind::kLeaf;
  uint32_t parent = kNoPart;  // index in Message::parts; kNoPart for the message itself
  uint32_t depth = 0;         // 0 for the message; +1 per multipart or message level
  std::vector<uint32_t> children;

  // The entity's header block is [header_offset, header_end); its body is
  // [body_offset, body_end). Between them are the blank line (when there is one).
  // IMAP's BODY[n.MIME] and BODY[n.HEADER] are [header_offset, body_offset).
  size_t header_offset = 0;
  size_t header_end = 0;
  size_t body_offset = 0;
  size_t body_end = 0;
  std::vector<HeaderField> fields;  // offsets absolute, views into the message

  // kMultipart only: the preamble is [body_offset, preamble_end), the epilogue
  // [epilogue_offset, body_end) (empty when the close delimiter is missing).
  size_t preamble_end = 0;
  size_t epilogue_offset = 0;
  std::string boundary;  // kMultipart only, as written

  ContentType content_type;         // the effective type (defaults applied)
  bool content_type_given = false;  // false when no Content-Type field was there
  TransferEncoding encoding = TransferEncoding::k7bit;
  std::string encoding_name;  // lower-cased token as written, "7bit" when absent
  uint32_t body_lines = 0;    // line count of the body (IMAP's body-fld-lines)

  std::vector<std::string> problems;

  size_t body_size() const { return body_end - body_offset; }
  // The first field of that name (ASCII case-insensitive), or nullptr.
  const HeaderField* find(std::string_view name) const;
};

struct MimeLimits {
  uint32_t max_depth = 50;     // levels of multipart and message nesting
  uint32_t max_parts = 10000;  // entities in the whole tree
  HeaderLimits header;         // per entity header block
};

struct Message {
  std::string_view bytes;
  std::vector<Part> parts;  // parts[0] is the message; depth-first pre-order
  size_t problem_count = 0;

  const Part& root() const { return parts[0]; }
  std::string_view header_bytes(const Part& p) const {
    return bytes.substr(p.header_offset, p.body_offset - p.header_offset);
  }
  std::string_view body_bytes(const Part& p) const {
    return bytes.substr(p.body_offset, p.body_end - p.body_offset);
  }
};

// Parses `bytes` (a whole message, header and body) into its MIME tree. Fails only on a
// MimeLimits limit (kResourceExhausted).
Result<Message> parse_message(std::string_view bytes, const MimeLimits& limits = {});
// The result points into the bytes: parsing a temporary string would leave it dangling.
template <class S>
requires std::is_same_v<S, std::string> Result<Message> parse_message(S&& temporary,
                                                                      const MimeLimits& limits = {})
= delete;

// The entity an IMAP section-part names (RFC 9051 §6.4.5, "1.2.3"): numbers index the
// parts of a multipart; a message/rfc822 part is entered first (its part 1 is the
// encapsulated message's body when that is not a multipart); a non-multipart message has
// part 1, its own body. Returns the index in msg.parts, or kNoPart when there is no such
// part. An empty `section` names the message itself (index 0).
uint32_t find_section(const Message& msg, const std::vector<uint32_t>& section);

// The section numbers IMAP gives parts[index] ("1.2"), the inverse of find_section:
// find_section(msg, section_of(msg, i)) == i whenever the result is not empty. Empty for
// a multipart that is a message's body (the message itself or an encapsulated one),
// which IMAP names only through its message; {1} for a message that is not a multipart.
std::vector<uint32_t> section_of(const Message& msg, uint32_t index);

}  // namespace mf::mime

#endif  // MF_MIME_MESSAGE_H
