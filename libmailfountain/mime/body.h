// mime/body.h — reading a MIME part's content: transfer decoding, conversion to UTF-8 for
// search and display, and the name a part is shown under. Pure functions over a parsed
// Message (mime/message.h).
#ifndef MF_MIME_BODY_H
#define MF_MIME_BODY_H

#include <mailfountain/status.h>
#include "mime/charset.h"
#include "mime/message.h"
#include "mime/transfer_encoding.h"

#include <string>

namespace mf::mime {

// The part's body with its Content-Transfer-Encoding undone (base64, quoted-printable;
// 7bit, 8bit, binary and unknown encodings are returned as they are). Lenient, as the
// decoders are: `clean` is false when something was skipped or repaired. For a multipart
// or an encapsulated message, the raw body.
Decoded decode_body(const Message& msg, const Part& part);

// The part's content as UTF-8 text: decoded, then converted from its charset parameter
// (us-ascii when absent, RFC 2045 §5.2) by to_utf8. Fails as to_utf8 does: kUnsupported
// naming an unknown charset (nothing is guessed), kInvalidArgument for a name that is no
// charset. `clean` is false when decoding or conversion repaired something. Meant for
// text/* parts; for others the caller decides whether text makes sense. `converters`, when
// given, keeps iconv converters open across calls (charset.h).
Result<Utf8Text> body_text(const Message& msg, const Part& part,
                           CharsetConverters* converters = nullptr);

// The name the part is shown and saved under: Content-Disposition's filename, else
// Content-Type's name (the older form), RFC 2231 values as decoded by the field parser,
// RFC 2047 words in a plain value decoded (as senders write them, against RFC 2047 §5);
// empty when the part has none. Any path is kept as written: stripping directories is
// the caller's concern where it saves files.
std::string part_filename(const Part& part);

// The lower-cased Content-Disposition type ("inline", "attachment"), empty when absent.
std::string part_disposition(const Part& part);

}  // namespace mf::mime

#endif  // MF_MIME_BODY_H
