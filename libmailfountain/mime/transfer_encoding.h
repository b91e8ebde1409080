// mime/transfer_encoding.h — the MIME content transfer encodings base64 and
// quoted-printable (RFC 2045 §6.7 and §6.8). Pure functions over bytes, fuzzed
// (tests/fuzz/mime_decoders_fuzz.cpp).
//
// Decoding is lenient, as every major mail reader is: what cannot be decoded is skipped
// (base64) or kept literally (quoted-printable), and `clean` tells the caller whether the
// input was well-formed, so a strict caller (a DKIM verifier, a test) can still refuse it.
// Encoding is strict: the output is always valid, CRLF-terminated and at most 76 columns.
#ifndef MF_MIME_TRANSFER_ENCODING_H
#define MF_MIME_TRANSFER_ENCODING_H

#include <string>
#include <string_view>

namespace mf::mime {

// The result of a lenient decoder: the decoded bytes and whether the input was clean
// (false when anything was skipped, repaired or taken literally).
struct Decoded {
  std::string bytes;
  bool clean = true;
};

// Decodes base64. Whitespace and line breaks are skipped silently; other characters
// outside the base64 alphabet are skipped and make the result unclean. Missing padding is
// supplied (unclean); data after the padding is decoded as a new group (unclean), as
// concatenated base64 bodies are seen in the wild. A final lone sextet, which cannot carry
// a whole byte, is dropped (unclean).
Decoded base64_decode(std::string_view in);

// How base64_encode lays out its output.
enum class Base64Lines {
  kWrap76,  // CRLF after every 76 characters and after the last line (a MIME body)
  kNone,    // one unbroken run, no line break at all (RFC 2047 words, SASL)
};

// Encodes `in` as base64 with padding. With kWrap76 an empty input gives an empty output.
std::string base64_encode(std::string_view in, Base64Lines lines = Base64Lines::kWrap76);

// Decodes quoted-printable. Line breaks may be CRLF or LF and are output as CRLF; a bare
// LF becomes CRLF too. Trailing whitespace on a line is dropped (RFC 2045 §6.7 rule 3).
// A soft line break ("=" at the end of a line, trailing whitespace allowed) joins the
// lines. An "=" not followed by two hex digits is kept literally (unclean); lower-case hex
// digits are accepted (unclean, as RFC 2045 asks for upper case).
Decoded qp_decode(std::string_view in);

// What quoted-printable encoding treats as line breaks.
enum class QpInput {
  kText,    // CRLF and bare LF in the input are line breaks, output as CRLF
  kBinary,  // every CR and LF is data and is encoded as =0D / =0A
};

// Encodes as quoted-printable (RFC 2045 §6.7): lines of at most 76 characters with soft
// line breaks, "=" and bytes outside printable ASCII encoded, whitespace before a line
// break encoded, CRLF line ends. Dot-safe and From-safe: a "." starting a line is encoded
// as =2E, and the "F" of a line starting with "From " as =46, so the output survives SMTP
// dot-stuffing bugs and mbox "From " quoting unchanged. The output ends with CRLF when
// the input ends with a line break (in kText mode); otherwise it ends without one.
std::string qp_encode(std::string_view in, QpInput mode = QpInput::kText);

}  // namespace mf::mime

#endif  // MF_MIME_TRANSFER_ENCODING_H
