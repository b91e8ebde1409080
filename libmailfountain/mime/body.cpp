// mime/body.cpp — reading a part's content (see body.h).
#include "mime/body.h"

#include "mime/content_type.h"
#include "mime/encoded_word.h"
#include "mime/header.h"

namespace mf::mime {

Decoded decode_body(const Message& msg, const Part& part) {
  std::string_view raw = msg.body_bytes(part);
  if (part.kind == PartKind::kLeaf) {
    if (part.encoding == TransferEncoding::kBase64) return base64_decode(raw);
    if (part.encoding == TransferEncoding::kQuotedPrintable) return qp_decode(raw);
  }
  return Decoded{std::string(raw), true};
}

Result<Utf8Text> body_text(const Message& msg, const Part& part, CharsetConverters* converters) {
  Decoded decoded = decode_body(msg, part);
  const Parameter* charset = part.content_type.params.find("charset");
  std::string_view name = charset != nullptr ? std::string_view(charset->value) : "us-ascii";
  MF_ASSIGN_OR_RETURN(Utf8Text text, to_utf8(name, decoded.bytes, converters));
  text.clean = text.clean && decoded.clean;
  return text;
}

std::string part_filename(const Part& part) {
  std::string name;
  if (const HeaderField* cd = part.find("Content-Disposition")) {
    ContentDisposition d = parse_content_disposition(cd->value);
    if (const Parameter* p = d.params.find("filename")) name = p->value;
  }
  if (name.empty()) {
    if (const Parameter* p = part.content_type.params.find("name")) name = p->value;
  }
  if (name.find("=?") != std::string::npos) name = decode_encoded_words(name).text;
  return name;
}

std::string part_disposition(const Part& part) {
  if (const HeaderField* cd = part.find("Content-Disposition")) {
    return parse_content_disposition(cd->value).disposition;
  }
  return {};
}

}  // namespace mf::mime
