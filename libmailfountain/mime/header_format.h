// mime/header_format.h — writing header fields: address lists, unstructured text,
// message ids, dates, and Content-Type-like fields with parameters. Each function returns
// one whole field, "Name: value" folded and ended with CRLF, ready to go into a message
// (the builder, mime/builder.h, uses them; the submission server uses them alone to add
// a missing Date or Message-ID). Pure functions over values.
//
// Every field follows RFC 5322 §2.1.1 and §3.2.2:
//   - lines are folded at whitespace so that none exceeds 78 octets where the words allow
//     it; a word longer than a line stays whole on a line of its own, and a field with a
//     line over 998 octets is refused (kInvalidArgument);
//   - folding is CRLF followed by the whitespace that was there; no line is blank;
//   - header text never holds CR, LF or another control character than HTAB: a value
//     holding one is refused, so no caller can inject a field.
// Non-ASCII text follows the HeaderCharset:
//   - kUtf8 (the message goes out with SMTPUTF8, RFC 6531/6532): UTF-8 is written as is,
//     in unstructured text, display names, local parts, domains and parameter values;
//   - kAscii: the output is 7-bit. Unstructured text and display names use RFC 2047
//     encoded words (encode_header_value), parameter values RFC 2231 (utf-8''%XX),
//     non-ASCII domains become A-labels (IDNA 2008, model/names.h); a non-ASCII local
//     part has no 7-bit form and is refused with kInvalidArgument saying SMTPUTF8 is
//     needed.
// Input text must be valid UTF-8; errors name the field and the faulty item.
#ifndef MF_MIME_HEADER_FORMAT_H
#define MF_MIME_HEADER_FORMAT_H

#include <mailfountain/status.h>
#include "mime/address.h"
#include "mime/content_type.h"
#include "mime/date.h"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mf::mime {

// Whether header text may hold raw UTF-8 (SMTPUTF8 in use) or must be 7-bit.
enum class HeaderCharset { kAscii, kUtf8 };

// The folding column and the hard line limit of RFC 5322 §2.1.1 (CRLF excluded).
constexpr size_t kFoldColumn = 78;
constexpr size_t kMaxLineLength = 998;

// Checks a field name: 1 to 76 printable ASCII characters other than ':' (RFC 5322
// §3.6.8), so that "Name: " and a word still fit a line.
Status validate_field_name(std::string_view name);

// An unstructured field (Subject, Comments, Content-Description, X-...): `utf8` is the
// unfolded value; leading and trailing whitespace is dropped, inner whitespace kept. A
// word that looks like an encoded word ("=?...") is encoded in both modes, so readers
// show it as written.
Result<std::string> format_unstructured_field(std::string_view name, std::string_view utf8,
                                              HeaderCharset charset);

// An address field (From, To, Cc, Reply-To, Sender): one entry per Mailbox, in order,
// folded between addresses (and inside a long display name). The list must not be empty.
//   - A mailbox without display name is written as a bare addr-spec, otherwise as
//     `phrase <addr-spec>`. A display name made of atoms separated by single spaces is
//     written as is; one holding specials ("Dupont, Jean") is a quoted string.
//   - The local part is quoted when it is not a dot-atom (Mailbox::addr_spec()).
//   - The domain must be a dot-atom or a domain literal ("[192.0.2.1]"); a non-ASCII
//     domain must be a valid IDN (an A-label is written in kAscii mode).
//   - Groups: consecutive mailboxes with the same non-empty `group` are written as
//     `group: a, b;`; an entry with empty local part and domain stands for an empty group
//     (`undisclosed-recipients:;`), as parse_address_list gives them.
// parse_address_list(value) gives back the same mailboxes (display names decoded, A-label
// domains in kAscii mode).
Result<std::string> format_address_field(std::string_view name,
                                         const std::vector<Mailbox>& mailboxes,
                                         HeaderCharset charset);

// A Message-ID, In-Reply-To, References or Content-ID field: each id (given without its
// angle brackets) written as "<id>", folded between ids. Ids must be non-empty, at most
// kMaxMessageIdLength octets, and hold no whitespace, control character, '<' or '>'
// (ids from parse_message_ids always do); non-ASCII only in kUtf8 mode. The list must not
// be empty.
Result<std::string> format_message_id_field(std::string_view name,
                                            const std::vector<std::string>& ids,
                                            HeaderCharset charset);

// "Date: Sun, 29 Nov 2026 06:22:49 +0100\r\n" (format_date's contract applies).
std::string format_date_field(const DateTime& date);

// A field whose value is a token followed by parameters: Content-Type
// ("text/plain; charset=utf-8") or Content-Disposition ("attachment; filename=a.pdf").
// `value` must be a token or "type/subtype" of tokens; it is written lower-cased.
// Parameters are written in order, names (tokens without '*', at most 38 characters)
// lower-cased; the language of a Parameter, when set, is written in RFC 2231 form. A
// value is written:
//   - as a token when it is one, otherwise as a quoted string ('"' and '\' escaped);
//   - in kAscii mode, when it holds non-ASCII (or has a language), as an RFC 2231
//     extended value "name*=utf-8'lang'%C3%A9t%C3%A9.pdf";
//   - split into RFC 2231 sections ("name*0=", "name*1=", or "name*0*=" ... when
//     extended) when it would not fit one line, never splitting a %XX escape or a UTF-8
//     character; at most 99 sections (content_type.h's kMaxSections), else refused.
// parse_content_type / parse_content_disposition give back the same value and parameters.
Result<std::string> format_parameter_field(std::string_view name, std::string_view value,
                                           const std::vector<Parameter>& params,
                                           HeaderCharset charset);

}  // namespace mf::mime

#endif  // MF_MIME_HEADER_FORMAT_H
