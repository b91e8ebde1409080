// smtp/xtext.cpp — xtext and RFC 6533 utf-8-addr codecs (see xtext.h).
#include "smtp/xtext.h"

#include "base/text.h"

#include <cstdint>

namespace mf::smtp {

namespace {

constexpr char kHex[] = "0123456789ABCDEF";

bool is_xchar(unsigned char c) {
  return c >= '!' && c <= '~' && c != '+' && c != '=';
}
bool is_qchar(unsigned char c) {
  return is_xchar(c) && c != '\\';
}

int upper_hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int any_hex_value(char c) {
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return upper_hex_value(c);
}

// Decodes the well-formed UTF-8 sequence of `n` bytes at s[i].
uint32_t code_point_at(std::string_view s, size_t i, size_t n) {
  auto b = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(s[i + k])); };
  if (n == 1) return b(0);
  if (n == 2) return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
  if (n == 3) return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
  return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
}

void append_escape(uint32_t cp, std::string* out) {
  std::string digits;
  do {
    digits.insert(digits.begin(), kHex[cp & 0xF]);
    cp >>= 4;
  } while (cp != 0);
  if (digits.size() < 2) digits.insert(digits.begin(), '0');
  *out += "\\x{";
  *out += digits;
  *out += '}';
}

}  // namespace

std::string xtext_encode(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (char ch : raw) {
    auto c = static_cast<unsigned char>(ch);
    if (is_xchar(c)) {
      out += ch;
    } else {
      out += '+';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

std::optional<std::string> xtext_decode(std::string_view xtext) {
  std::string out;
  out.reserve(xtext.size());
  for (size_t i = 0; i < xtext.size(); ++i) {
    auto c = static_cast<unsigned char>(xtext[i]);
    if (c == '+') {
      if (i + 2 >= xtext.size()) return std::nullopt;  // fewer than two digits follow
      int hi = upper_hex_value(xtext[i + 1]);
      int lo = upper_hex_value(xtext[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (is_xchar(c)) {
      out += static_cast<char>(c);
    } else {
      return std::nullopt;
    }
  }
  return out;
}

std::optional<std::string> utf8_addr_decode(std::string_view text, RawUtf8 raw) {
  if (text.empty()) return std::nullopt;
  if (raw == RawUtf8::kAllowed && !is_valid_utf8(text)) return std::nullopt;
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '\\') {
      // "\x{" 2..6 hex digits "}"
      if (text.substr(i, 3) != "\\x{") return std::nullopt;
      size_t close = text.find('}', i + 3);
      if (close == std::string_view::npos) return std::nullopt;
      std::string_view hex = text.substr(i + 3, close - i - 3);
      if (hex.size() < 2 || hex.size() > 6) return std::nullopt;
      if (hex[0] == '0' && hex.size() > 2) return std::nullopt;  // needless leading zero
      uint32_t cp = 0;
      for (char h : hex) {
        int v = any_hex_value(h);
        if (v < 0) return std::nullopt;
        cp = cp * 16 + static_cast<uint32_t>(v);
      }
      // Only what QCHAR cannot carry may be escaped; the rest must be written as is, so
      // each address has one spelling.
      bool escapable = cp < 0x21 || cp == '+' || cp == '=' || cp == '\\' || cp >= 0x7F;
      if (!escapable || cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        return std::nullopt;
      append_utf8(out, cp);
      i = close + 1;
    } else if (is_qchar(c)) {
      out += static_cast<char>(c);
      ++i;
    } else if (c >= 0x80 && raw == RawUtf8::kAllowed) {
      size_t n = utf8_sequence_length(text, i);
      out.append(text.substr(i, n));
      i += n;
    } else {
      return std::nullopt;
    }
  }
  return out;
}

std::string utf8_addr_encode(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  for (size_t i = 0; i < utf8.size();) {
    auto c = static_cast<unsigned char>(utf8[i]);
    if (is_qchar(c)) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    size_t n = c >= 0x80 ? utf8_sequence_length(utf8, i) : 1;
    if (n == 0) {
      append_escape(c, &out);  // ill-formed: keep the byte's value, stay ASCII
      ++i;
      continue;
    }
    append_escape(code_point_at(utf8, i, n), &out);
    i += n;
  }
  return out;
}

}  // namespace mf::smtp
