// mime/chars.h — the character classes and the hex digits shared by the MIME parsers and
// writers (one definition, so that the files of mime/ can also be compiled together, as
// the CI's unity builds do).
#ifndef MF_MIME_CHARS_H
#define MF_MIME_CHARS_H

namespace mf::mime {

// WSP (RFC 5234 appendix B.1): a space or a horizontal tab.
constexpr bool is_wsp(char c) {
  return c == ' ' || c == '\t';
}

// WSP, CR or LF: the white space skipped inside header values, where folding can leave
// line ends.
constexpr bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Lower-cases an ASCII letter; other bytes are returned as they are.
constexpr char to_lower_ascii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Upper-case hex digits, as quoted-printable (RFC 2045 §6.7) and the Q encoding
// (RFC 2047 §4.2) write them.
inline constexpr char kHexDigits[] = "0123456789ABCDEF";

}  // namespace mf::mime

#endif  // MF_MIME_CHARS_H
