// mime/downgrade.h — the 8BITMIME → 7bit downgrade (RFC 6152 §3): rewriting a message
// whose body holds 8-bit data so it can be relayed to a server that does not offer
// 8BITMIME, instead of bouncing it. A pure function over bytes.
//
// What changes, entity by entity (the MIME tree of mime/message.h; everything else is
// copied byte for byte, so an already 7-bit message comes back identical):
//   - a leaf whose body is not 7-bit data (a byte from 0x80, a NUL, a bare CR, a line
//     over 998 octets) in the 7bit, 8bit or binary encoding is re-encoded: text/* as
//     quoted-printable while that is no larger than base64 (at most one byte
//     in six escaped, the builder's rule), else base64; every other type as base64. Its Content-Transfer-Encoding field is replaced
//     (the new one goes at the end of the part's header). A quoted-printable or base64
//     body holding raw 8-bit bytes (a broken sender) is decoded and encoded again.
//   - a multipart or message/rfc822 declared 8bit or binary is declared 7bit once its
//     content is; the encapsulated message is downgraded recursively. A message/global
//     that is not 7-bit is encoded as base64 whole, as RFC 6532 §3.5 allows.
//   - 8-bit bytes in a multipart's preamble or epilogue, which readers ignore, become "?".
//   - a header field holding 8-bit bytes: the unstructured ones (Subject, Comments,
//     Content-Description, Thread-Topic) are rewritten as RFC 2047 encoded words; any
//     other (addresses, Message-ID, parameters) needs SMTPUTF8 and makes the downgrade
//     fail with kFailedPrecondition naming the field, for the caller to bounce (5.6.7).
//   - a body in an unknown transfer encoding that is not 7-bit fails the same way
//     (kFailedPrecondition): its meaning is unknown, so it cannot be re-encoded.
// DKIM signatures over the original bytes break: sign after downgrading.
// Limits are parse_message's (kResourceExhausted).
#ifndef MF_MIME_DOWNGRADE_H
#define MF_MIME_DOWNGRADE_H

#include <mailfountain/status.h>
#include "mime/message.h"

#include <string>
#include <string_view>

namespace mf::mime {

// Whether the message can go to a server without 8BITMIME as it is: every byte 1..127,
// no bare CR or LF, every line at most 998 octets (RFC 5321 §4.5.3.1.6 with 7-bit data).
bool is_7bit_message(std::string_view message);

// The message rewritten as 7-bit data (see above). When is_7bit_message() already holds,
// the result is the input unchanged.
Result<std::string> downgrade_to_7bit(std::string_view message, const MimeLimits& limits = {});

}  // namespace mf::mime

#endif  // MF_MIME_DOWNGRADE_H
