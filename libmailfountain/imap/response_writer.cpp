// imap/response_writer.cpp — strings and flag lists in responses (see response_writer.h).
#include "imap/response_writer.h"

#include "base/text.h"
#include "imap/chars.h"

namespace mf::imap {

namespace {

bool quotable(std::string_view s, Utf8 utf8) {
  if (s.size() > kMaxQuoted) return false;
  bool eight_bit = false;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u == 0 || c == '\r' || c == '\n') return false;
    if (u >= 0x80) eight_bit = true;
  }
  if (!eight_bit) return true;
  return utf8 == Utf8::kAllowed && is_valid_utf8(s);
}

}  // namespace

bool is_atom(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_atom_char(c)) return false;
  }
  return true;
}

void append_nil(std::string& out) {
  out += "NIL";
}

void append_literal(std::string& out, std::string_view bytes) {
  out += '{';
  out += std::to_string(bytes.size());
  out += "}\r\n";
  out.append(bytes);
}

void append_string(std::string& out, std::string_view s, Utf8 utf8) {
  if (!quotable(s, utf8)) {
    append_literal(out, s);
    return;
  }
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

void append_astring(std::string& out, std::string_view s, Utf8 utf8) {
  bool atom = !s.empty() && !ascii_iequals(s, "NIL");
  for (char c : s) {
    if (!is_astring_char(c)) atom = false;
  }
  if (atom) {
    out.append(s);
  } else {
    append_string(out, s, utf8);
  }
}

void append_nstring(std::string& out, std::optional<std::string_view> s, Utf8 utf8) {
  if (s) {
    append_string(out, *s, utf8);
  } else {
    append_nil(out);
  }
}

void append_binary(std::string& out, std::string_view bytes) {
  if (bytes.find('\0') == std::string_view::npos) {
    append_literal(out, bytes);
    return;
  }
  out += "~{";
  out += std::to_string(bytes.size());
  out += "}\r\n";
  out.append(bytes);
}

void append_flag_list(std::string& out, const std::vector<std::string>& flags) {
  out += '(';
  for (size_t i = 0; i < flags.size(); ++i) {
    if (i) out += ' ';
    out += flags[i];
  }
  out += ')';
}

}  // namespace mf::imap
