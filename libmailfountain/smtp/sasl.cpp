// smtp/sasl.cpp — SASL response decoding (see sasl.h).
#include "smtp/sasl.h"

#include "base/text.h"
#include "mime/transfer_encoding.h"

namespace mf::smtp {

namespace {

Reply cannot_decode() {
  return Reply{501, "5.5.2", "Cannot decode response"};
}
Reply bad_plain(std::string why) {
  return Reply{501, "5.5.2", "Malformed PLAIN response: " + why};
}

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/' || c == '=';
}

}  // namespace

ReplyOr<std::string> decode_sasl_base64(std::string_view base64) {
  // mime's decoder skips whitespace silently and still calls the result clean, which
  // suits MIME bodies but not a one-line credential: refuse it here, and demand whole
  // four-character groups.
  if (base64.size() % 4 != 0) return cannot_decode();
  for (char c : base64) {
    if (!is_base64_char(c)) return cannot_decode();
  }
  mime::Decoded decoded = mime::base64_decode(base64);
  if (!decoded.clean) return cannot_decode();
  return std::move(decoded.bytes);
}

ReplyOr<SaslPlain> decode_sasl_plain(std::string_view base64) {
  auto raw = decode_sasl_base64(base64);
  if (!raw) return raw.reply();
  const std::string& s = raw.value();
  size_t first = s.find('\0');
  size_t second = first == std::string::npos ? first : s.find('\0', first + 1);
  if (second == std::string::npos || s.find('\0', second + 1) != std::string::npos) {
    return bad_plain("expected authzid NUL authcid NUL password");
  }
  SaslPlain plain;
  plain.authzid = s.substr(0, first);
  plain.authcid = s.substr(first + 1, second - first - 1);
  plain.password = s.substr(second + 1);
  if (plain.authcid.empty()) return bad_plain("empty authentication identity");
  if (plain.password.empty()) return bad_plain("empty password");
  for (const std::string* field : {&plain.authzid, &plain.authcid, &plain.password}) {
    if (field->size() > kMaxSaslPlainField) return bad_plain("field longer than 255 octets");
    if (!is_valid_utf8(*field)) return bad_plain("field is not UTF-8");
  }
  return plain;
}

}  // namespace mf::smtp
