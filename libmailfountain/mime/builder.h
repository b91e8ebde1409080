// mime/builder.h — building a whole RFC 5322/MIME message from a tree of entities: the
// e-mailing templates (multipart/alternative text + html, attachments, inline images
// with a Content-ID), the bounces (multipart/report with message/delivery-status) and
// any message the server writes itself. A pure function over values: no I/O, no clock,
// no global state; boundaries come from a seed the caller gives.
//
// What the output always is:
//   - CRLF line ends only (no bare CR or LF anywhere), ending with CRLF;
//   - header fields folded at 78 columns where the words allow it, no line over 998
//     octets (header_format.h writes every field);
//   - 7-bit when neither `smtputf8` nor `eight_bit` is set: header text in RFC 2047 words
//     and RFC 2231 parameters, bodies in 7bit, quoted-printable or base64; an embedded
//     message with 8-bit bytes is then refused;
//   - dot-safe and From-safe: no line written by the builder starts with "." or "From "
//     (such text goes out quoted-printable, which writes =2E and =46), so a transport
//     that forgets dot-stuffing or quotes mbox lines changes nothing. The bytes of an
//     embedded message (message/rfc822, message/delivery-status) are the caller's and
//     are written as they are; SMTP dot-stuffing covers them;
//   - every multipart boundary absent from everything inside it, and distinct from every
//     other boundary of the message.
//
// Thread-safety: pure functions; OutgoingMessage and Entity are plain values.
#ifndef MF_MIME_BUILDER_H
#define MF_MIME_BUILDER_H

#include <mailfountain/status.h>
#include "mime/address.h"
#include "mime/content_type.h"
#include "mime/date.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mf::mime {

// What an entity's `data` holds, and so how it is written.
enum class ContentKind {
  // UTF-8 text with any line ends (CRLF, LF or CR), normalised to CRLF, with a final
  // line break added when the text does not end with one (an empty text stays empty).
  // Invalid UTF-8 is refused. A text/* entity gets charset=utf-8. The transfer encoding
  // is chosen from the text (see choose_text_encoding below).
  kText,
  // Any bytes; always base64.
  kBinary,
  // Bytes written as they are, with 7bit (or 8bit) transfer encoding: an embedded
  // message (message/rfc822, message/global) or message/delivery-status fields. They must
  // already have CRLF line ends only, no NUL and no line over 998 octets; 8-bit bytes
  // need `eight_bit`. message/rfc822 and message/global must be kVerbatim (RFC 2046
  // §5.2.1 forbids encoding them).
  kVerbatim,
  // A multipart: `parts` are the children (at least one), `data` is unused.
  kMultipart,
};

// Content-Disposition (RFC 2183).
enum class Disposition {
  kNone,  // no field, unless a filename is set: then "attachment"
  kInline,
  kAttachment,
};

// One MIME entity: a leaf or a multipart.
struct Entity {
  std::string type = "text";  // a token, written lower-cased
  std::string subtype = "plain";
  // Content-Type parameters besides those the builder writes: not "boundary" (chosen by
  // the builder), not "charset" on a kText text/* entity (always utf-8). For example
  // report-type=delivery-status on multipart/report, type="text/html" on
  // multipart/related, format=flowed on text/plain.
  std::vector<Parameter> params;
  ContentKind content = ContentKind::kText;
  std::string data;           // the content of a leaf
  std::vector<Entity> parts;  // the children of a multipart

  Disposition disposition = Disposition::kNone;
  // Written as Content-Disposition's filename and Content-Type's name (which older
  // readers use), RFC 2231 encoded when non-ASCII in 7-bit mode.
  std::string filename;
  std::string content_id;   // without angle brackets; "cid:" URLs in HTML name it
  std::string description;  // Content-Description, UTF-8
};

// Shorthands for the usual entities.
Entity text_part(std::string_view subtype, std::string utf8);  // text/plain, text/html...
Entity binary_part(std::string_view type, std::string_view subtype, std::string bytes);
Entity multipart(std::string_view subtype, std::vector<Entity> parts);
// message/rfc822, the bytes of a whole message (CRLF line ends).
Entity message_part(std::string message);
// message/delivery-status (RFC 3464): the per-message fields, a blank line, the
// per-recipient fields; line ends are normalised to CRLF here.
Entity delivery_status_part(std::string_view fields);
// text/rfc822-headers (RFC 6522): a header block, for a DSN that returns only the
// headers. Invalid UTF-8 in it (8-bit headers of unknown charset) becomes U+FFFD, as the
// part is declared UTF-8.
Entity headers_part(std::string_view header_block);

// An extra header field, written after the standard ones in the order given. The value is
// unstructured UTF-8 text (RFC 2047 words for non-ASCII in 7-bit mode); a structured
// field (List-Unsubscribe, Auto-Submitted) must be given in its ASCII wire form. Names
// the builder writes itself (From, To, Content-Type, ...) are refused.
struct ExtraField {
  std::string name;
  std::string value;
};

// A message to build: its header fields and its body entity. (Named apart from
// mime::Message, the parsed tree of message.h.)
struct OutgoingMessage {
  std::vector<Mailbox> from;      // required (RFC 5322 §3.6)
  std::optional<Mailbox> sender;  // required when `from` has more than one mailbox
  std::vector<Mailbox> reply_to;
  std::vector<Mailbox> to;
  std::vector<Mailbox> cc;
  std::string subject;                   // omitted when empty
  std::optional<DateTime> date;          // omitted when absent (the submission server adds it)
  std::string message_id;                // without angle brackets; omitted when empty
  std::vector<std::string> in_reply_to;  // ids without angle brackets
  std::vector<std::string> references;
  std::vector<ExtraField> extra_fields;
  Entity body;
};

struct BuildOptions {
  // SMTPUTF8 (RFC 6531) is in use: header text, addresses and parameters may be raw
  // UTF-8 (RFC 6532). Otherwise they are made 7-bit, and a non-ASCII local part is
  // refused (kInvalidArgument) since it has no 7-bit form.
  bool smtputf8 = false;
  // 8BITMIME (RFC 6152) is in use: a text part holding non-ASCII may go out as 8bit, and
  // an embedded message may hold 8-bit bytes.
  bool eight_bit = false;
  // Where boundaries come from: the same seed and message give the same bytes (tests
  // rely on it). Production callers pass a random value so boundaries differ between
  // messages; correctness never depends on it, since each boundary is checked against
  // the content it encloses.
  uint64_t boundary_seed = 0;
};

// Builds the message. The header fields come in this order: Date, From, Sender,
// Reply-To, To, Cc, Subject, Message-ID, In-Reply-To, References, the extra fields,
// MIME-Version: 1.0, then the body entity's Content-Type, Content-Transfer-Encoding,
// Content-Disposition, Content-ID, Content-Description. Each entity inside a multipart
// has those last five fields (Content-Type and, for leaves, Content-Transfer-Encoding
// always; a multipart holding 8bit parts is declared 8bit). Multiparts have no preamble
// and no epilogue.
//
// Errors (kInvalidArgument unless said otherwise) name the field or the part ("part
// 2.1 (text/html)", numbered as IMAP does) and the reason: a missing From, a malformed
// address, id or parameter, header text with control characters or invalid UTF-8, a
// non-ASCII local part without smtputf8, a text part that is not UTF-8, a verbatim part
// that is not CRLF or holds 8-bit bytes without eight_bit, an empty multipart, nesting
// deeper than kMaxBuildDepth (kResourceExhausted).
Result<std::string> build_message(const OutgoingMessage& message, const BuildOptions& options = {});

// Levels of multipart nesting build_message accepts.
constexpr size_t kMaxBuildDepth = 32;

// The transfer encoding of a kText body, given its text with CRLF line ends:
//   - 7bit when it is ASCII, has no control character but HTAB and FF (and CRLF), no
//     line over 998 octets, and no line starting with "." or "From ";
//   - 8bit when `eight_bit` is allowed and only non-ASCII stands in the way of 7bit;
//   - otherwise quoted-printable when at most one byte in six needs escaping (where QP
//     is no larger than base64, the usual case for Latin-script text and HTML), base64
//     when more do (Cyrillic, Greek, CJK text).
enum class TextEncoding { k7bit, k8bit, kQuotedPrintable, kBase64 };
TextEncoding choose_text_encoding(std::string_view crlf_text, bool eight_bit);

}  // namespace mf::mime

#endif  // MF_MIME_BUILDER_H
