// imap/mutf7.cpp — modified UTF-7 encoding and decoding (see mutf7.h).
#include "imap/mutf7.h"

#include "base/text.h"

#include <cstdint>
#include <vector>

namespace mf::imap {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == ',') return 63;
  return -1;
}

bool is_direct(uint32_t cp) {
  return cp >= 0x20 && cp <= 0x7E;
}

Status invalid_mutf7(std::string_view why) {
  return invalid_argument("Invalid modified UTF-7 mailbox name: " + std::string(why));
}

// Decodes one well-formed UTF-8 sequence at s[i]; returns its length (0 if ill-formed).
size_t decode_utf8(std::string_view s, size_t i, uint32_t* cp) {
  auto b = [&](size_t k) { return static_cast<uint8_t>(s[i + k]); };
  auto cont = [&](size_t k) { return i + k < s.size() && (b(k) & 0xC0) == 0x80; };
  uint8_t c = b(0);
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  if (c >= 0xC2 && c <= 0xDF && cont(1)) {
    *cp = ((c & 0x1Fu) << 6) | (b(1) & 0x3Fu);
    return 2;
  }
  if (c >= 0xE0 && c <= 0xEF && cont(1) && cont(2)) {
    uint32_t v = ((c & 0x0Fu) << 12) | ((b(1) & 0x3Fu) << 6) | (b(2) & 0x3Fu);
    if (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF)) return 0;
    *cp = v;
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4 && cont(1) && cont(2) && cont(3)) {
    uint32_t v =
        ((c & 0x07u) << 18) | ((b(1) & 0x3Fu) << 12) | ((b(2) & 0x3Fu) << 6) | (b(3) & 0x3Fu);
    if (v < 0x10000 || v > 0x10FFFF) return 0;
    *cp = v;
    return 4;
  }
  return 0;
}

void flush_shift(std::string& out, const std::vector<uint8_t>& utf16) {
  out += '&';
  size_t i = 0;
  for (; i + 3 <= utf16.size(); i += 3) {
    uint32_t v = (uint32_t{utf16[i]} << 16) | (uint32_t{utf16[i + 1]} << 8) | utf16[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  size_t rest = utf16.size() - i;
  if (rest == 1) {
    uint32_t v = uint32_t{utf16[i]} << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (rest == 2) {
    uint32_t v = (uint32_t{utf16[i]} << 16) | (uint32_t{utf16[i + 1]} << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  out += '-';
}

}  // namespace

Result<std::string> mutf7_encode(std::string_view utf8) {
  std::string out;
  std::vector<uint8_t> utf16;
  for (size_t i = 0; i < utf8.size();) {
    uint32_t cp = 0;
    size_t n = decode_utf8(utf8, i, &cp);
    if (n == 0) return invalid_argument("Mailbox name is not valid UTF-8");
    if (cp < 0x20 || cp == 0x7F) {
      return invalid_argument("Mailbox name contains a control character");
    }
    i += n;
    if (is_direct(cp)) {
      if (!utf16.empty()) {
        flush_shift(out, utf16);
        utf16.clear();
      }
      out += static_cast<char>(cp);
      if (cp == '&') out += '-';
      continue;
    }
    auto push16 = [&](uint32_t unit) {
      utf16.push_back(static_cast<uint8_t>(unit >> 8));
      utf16.push_back(static_cast<uint8_t>(unit & 0xFF));
    };
    if (cp >= 0x10000) {
      uint32_t v = cp - 0x10000;
      push16(0xD800 | (v >> 10));
      push16(0xDC00 | (v & 0x3FF));
    } else {
      push16(cp);
    }
  }
  if (!utf16.empty()) flush_shift(out, utf16);
  return out;
}

Result<std::string> mutf7_decode(std::string_view in) {
  std::string out;
  bool after_shift = false;  // the previous byte closed a non-empty shift
  for (size_t i = 0; i < in.size();) {
    char c = in[i];
    if (c < 0x20 || c > 0x7E) return invalid_mutf7("byte outside printable ASCII");
    if (c != '&') {
      out += c;
      ++i;
      after_shift = false;
      continue;
    }
    size_t end = in.find('-', i + 1);
    if (end == std::string_view::npos) return invalid_mutf7("unterminated shift");
    std::string_view b64 = in.substr(i + 1, end - i - 1);
    i = end + 1;
    if (b64.empty()) {
      out += '&';
      after_shift = false;
      continue;
    }
    if (after_shift) return invalid_mutf7("two adjacent shifts");
    // Base64 to bytes.
    std::vector<uint8_t> bytes;
    uint32_t bits = 0;
    int nbits = 0;
    for (char d : b64) {
      int v = base64_value(d);
      if (v < 0) return invalid_mutf7("character outside base64 in a shift");
      bits = (bits << 6) | static_cast<uint32_t>(v);
      nbits += 6;
      if (nbits >= 8) {
        nbits -= 8;
        bytes.push_back(static_cast<uint8_t>((bits >> nbits) & 0xFF));
      }
    }
    if (nbits >= 6) return invalid_mutf7("superfluous base64 character");
    if ((bits & ((1u << nbits) - 1)) != 0) return invalid_mutf7("non-zero padding bits");
    if (bytes.size() % 2 != 0) return invalid_mutf7("odd number of UTF-16 bytes");
    for (size_t k = 0; k < bytes.size(); k += 2) {
      uint32_t unit = (uint32_t{bytes[k]} << 8) | bytes[k + 1];
      uint32_t cp = unit;
      if (unit >= 0xDC00 && unit <= 0xDFFF) return invalid_mutf7("unpaired low surrogate");
      if (unit >= 0xD800 && unit <= 0xDBFF) {
        if (k + 4 > bytes.size()) return invalid_mutf7("unpaired high surrogate");
        uint32_t low = (uint32_t{bytes[k + 2]} << 8) | bytes[k + 3];
        if (low < 0xDC00 || low > 0xDFFF) return invalid_mutf7("unpaired high surrogate");
        cp = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
        k += 2;
      }
      if (is_direct(cp)) return invalid_mutf7("shifted printable ASCII");
      if (cp < 0x20 || cp == 0x7F) return invalid_mutf7("control character");
      append_utf8(out, cp);
    }
    after_shift = true;
  }
  return out;
}

}  // namespace mf::imap
