// imap/chars.h — the character classes of IMAP's formal syntax (RFC 9051 §9), shared by the
// command reader, the parser and the response writer.
#ifndef MF_IMAP_CHARS_H
#define MF_IMAP_CHARS_H

namespace mf::imap {

// CTL: %x00-1F / %x7F.
constexpr bool is_ctl(char c) {
  auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7F;
}

// ATOM-CHAR: any 7-bit CHAR except atom-specials: "(" ")" "{" SP CTL "%" "*" '"' "\" "]".
constexpr bool is_atom_char(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u >= 0x80 || is_ctl(c)) return false;
  switch (c) {
    case '(':
    case ')':
    case '{':
    case ' ':
    case '%':
    case '*':
    case '"':
    case '\\':
    case ']':
      return false;
    default:
      return true;
  }
}

// ASTRING-CHAR: ATOM-CHAR or resp-specials ("]").
constexpr bool is_astring_char(char c) {
  return is_atom_char(c) || c == ']';
}

// A tag's characters: ASTRING-CHAR except "+".
constexpr bool is_tag_char(char c) {
  return is_astring_char(c) && c != '+';
}

// list-char: ATOM-CHAR, list-wildcards ("%" "*") or resp-specials ("]").
constexpr bool is_list_char(char c) {
  return is_astring_char(c) || c == '%' || c == '*';
}

constexpr bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace mf::imap

#endif  // MF_IMAP_CHARS_H
