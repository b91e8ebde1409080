// mime/content_type.h — the Content-Type (RFC 2045 §5) and Content-Disposition
// (RFC 2183) fields, with RFC 2231 parameter continuations, charsets and languages.
// Pure functions, fuzzed (tests/fuzz/mime_fields_fuzz.cpp).
//
// Parameters:
//   - values are tokens or quoted strings (quoted-pairs resolved); comments and folding
//     are allowed anywhere between the parts, as RFC 2045 §5.1 says;
//   - an unquoted value holding characters a token may not ("name=my file.pdf", as some
//     senders write) is taken up to the next ';', trimmed;
//   - RFC 2231: "name*=utf-8'fr'%C3%A9t%C3%A9" is decoded to UTF-8 through to_utf8();
//     continuations "name*0", "name*1*", ... are joined in section order, whatever their
//     order in the field; an RFC 2231 value wins over a plain one of the same name;
//   - plain values are kept as written (a boundary must stay byte-exact), RFC 2047 words
//     included: they are the caller's to decode where they mean to display them.
// Reported in `problems` (parsing goes on; nothing here fails): a missing or malformed
// type (which then reads as text/plain, RFC 2045 §5.2), a malformed parameter (skipped),
// a duplicate parameter (the first wins), a missing continuation section (the value
// stops before it), an unknown charset (the bytes are kept, invalid UTF-8 replaced),
// more than kMaxParameters parameters or a section number of kMaxSections or more.
#ifndef MF_MIME_CONTENT_TYPE_H
#define MF_MIME_CONTENT_TYPE_H

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mf::mime {

// Hard limits: parameters per field and RFC 2231 sections per parameter.
constexpr size_t kMaxParameters = 64;
constexpr size_t kMaxSections = 100;

struct Parameter {
  std::string name;      // lower-cased, without any RFC 2231 '*' suffix
  std::string value;     // unquoted; UTF-8 for an RFC 2231 value, as written otherwise
  std::string language;  // the RFC 2231 language tag, empty when none
};

// Parameters in field order (an RFC 2231 parameter where its first section was).
struct Parameters {
  std::vector<Parameter> list;

  // The parameter named `name` (ASCII case-insensitive), or nullptr.
  const Parameter* find(std::string_view name) const;
};

struct ContentType {
  std::string type = "text";      // lower-cased
  std::string subtype = "plain";  // lower-cased
  Parameters params;
  std::vector<std::string> problems;  // sentences, in field order

  // "type/subtype".
  std::string mime_type() const { return type + "/" + subtype; }
};

struct ContentDisposition {
  std::string disposition;  // lower-cased ("inline", "attachment"); empty when missing
  Parameters params;
  std::vector<std::string> problems;
};

// Parses a Content-Type value (raw with folding, or unfolded).
ContentType parse_content_type(std::string_view value);

// Parses a Content-Disposition value. A missing disposition type is reported and left
// empty; RFC 2183 §2.8 says callers treat an unknown one as "attachment".
ContentDisposition parse_content_disposition(std::string_view value);

}  // namespace mf::mime

#endif  // MF_MIME_CONTENT_TYPE_H
