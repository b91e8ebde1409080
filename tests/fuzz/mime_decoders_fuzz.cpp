// Fuzz target: the transfer-encoding and RFC 2047 decoders (mime/transfer_encoding.h,
// mime/encoded_word.h) must never crash on any input, and every encoder must be undone by
// its decoder: base64 and binary quoted-printable exactly, header encoding for valid
// UTF-8 (after trimming, as documented).
#include "mime/charset.h"
#include "mime/encoded_word.h"
#include "mime/header.h"
#include "mime/transfer_encoding.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace mf::mime;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);

  (void)base64_decode(in);
  (void)qp_decode(in);
  (void)decode_encoded_words(in);
  if (!in.empty()) (void)to_utf8(in.substr(0, in.find('\n')), in);

  Decoded b = base64_decode(base64_encode(in));
  if (!b.clean || b.bytes != in) std::abort();
  Decoded b1 = base64_decode(base64_encode(in, Base64Lines::kNone));
  if (!b1.clean || b1.bytes != in) std::abort();

  std::string qp = qp_encode(in, QpInput::kBinary);
  Decoded q = qp_decode(qp);
  if (!q.clean || q.bytes != in) std::abort();
  (void)qp_encode(in, QpInput::kText);

  if (is_valid_utf8(in)) {
    std::string value = encode_header_value("Subject", in);
    for (char c : value) {
      if (static_cast<unsigned char>(c) >= 0x80) std::abort();
    }
    DecodedHeaderText d = decode_encoded_words(unfold(value));
    std::string_view trimmed = in;
    while (!trimmed.empty() && (trimmed.front() == ' ' || trimmed.front() == '\t'))
      trimmed.remove_prefix(1);
    while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\t'))
      trimmed.remove_suffix(1);
    if (d.text != trimmed || !d.unknown_charsets.empty()) std::abort();
  }
  return 0;
}
