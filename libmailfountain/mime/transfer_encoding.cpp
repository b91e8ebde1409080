// mime/transfer_encoding.cpp — base64 and quoted-printable (see transfer_encoding.h).
#include "mime/transfer_encoding.h"

#include "mime/chars.h"

#include <array>
#include <cstdint>

namespace mf::mime {

namespace {

constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr size_t kMaxEncodedLine = 76;

// The value of each base64 character, or -1.
constexpr std::array<int8_t, 256> make_base64_table() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 64; ++i)
    t[static_cast<unsigned char>(kBase64Alphabet[i])] = static_cast<int8_t>(i);
  return t;
}
constexpr std::array<int8_t, 256> kBase64Table = make_base64_table();

int hex_value(char c, bool* lower) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') {
    *lower = true;
    return c - 'a' + 10;
  }
  return -1;
}

}  // namespace

Decoded base64_decode(std::string_view in) {
  Decoded out;
  // Every byte comes from at least 4/3 input characters, so this is enough; writing
  // through a plain pointer keeps the loop free of size checks and reloads.
  out.bytes.resize(in.size() / 4 * 3 + 3);
  char* w = out.bytes.data();
  uint32_t group = 0;
  int sextets = 0;
  bool padded = false;  // a '=' ended the last group
  int pads_left = 0;    // how many more '=' that padding may have
  for (char c : in) {
    if (is_space(c)) continue;
    if (c == '=') {
      // Padding ends a group of two or three sextets; the second '=' after two sextets
      // is expected too. Any other '=' is noise.
      if (sextets == 2) {
        *w++ = static_cast<char>(group >> 4);
        pads_left = 1;
      } else if (sextets == 3) {
        *w++ = static_cast<char>(group >> 10);
        *w++ = static_cast<char>((group >> 2) & 0xff);
        pads_left = 0;
      } else if (padded && pads_left > 0) {
        --pads_left;
      } else {
        out.clean = false;
      }
      if (sextets >= 2) padded = true;
      group = 0;
      sextets = 0;
      continue;
    }
    int v = kBase64Table[static_cast<unsigned char>(c)];
    if (v < 0) {
      out.clean = false;
      continue;
    }
    if (padded) {
      // Data after the padding: a second base64 run glued to the first.
      out.clean = false;
      padded = false;
    }
    group = (group << 6) | static_cast<uint32_t>(v);
    if (++sextets == 4) {
      *w++ = static_cast<char>(group >> 16);
      *w++ = static_cast<char>((group >> 8) & 0xff);
      *w++ = static_cast<char>(group & 0xff);
      group = 0;
      sextets = 0;
    }
  }
  // Missing padding: decode what the last group carries.
  if (sextets == 1) {
    out.clean = false;
  } else if (sextets == 2) {
    out.clean = false;
    *w++ = static_cast<char>(group >> 4);
  } else if (sextets == 3) {
    out.clean = false;
    *w++ = static_cast<char>(group >> 10);
    *w++ = static_cast<char>((group >> 2) & 0xff);
  }
  out.bytes.resize(static_cast<size_t>(w - out.bytes.data()));
  return out;
}

std::string base64_encode(std::string_view in, Base64Lines lines) {
  std::string out;
  size_t encoded = (in.size() + 2) / 3 * 4;
  out.reserve(encoded + (encoded / kMaxEncodedLine + 1) * 2);
  size_t column = 0;
  auto put = [&](char c) {
    out.push_back(c);
    if (lines == Base64Lines::kWrap76 && ++column == kMaxEncodedLine) {
      out += "\r\n";
      column = 0;
    }
  };
  auto byte = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(in[i])); };
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t g = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    put(kBase64Alphabet[(g >> 18) & 63]);
    put(kBase64Alphabet[(g >> 12) & 63]);
    put(kBase64Alphabet[(g >> 6) & 63]);
    put(kBase64Alphabet[g & 63]);
  }
  size_t rest = in.size() - i;
  if (rest > 0) {
    uint32_t g = byte(i) << 16;
    if (rest == 2) g |= byte(i + 1) << 8;
    put(kBase64Alphabet[(g >> 18) & 63]);
    put(kBase64Alphabet[(g >> 12) & 63]);
    put(rest == 2 ? kBase64Alphabet[(g >> 6) & 63] : '=');
    put('=');
  }
  if (lines == Base64Lines::kWrap76 && column > 0) out += "\r\n";
  return out;
}

Decoded qp_decode(std::string_view in) {
  Decoded out;
  out.bytes.reserve(in.size());
  size_t pos = 0;
  while (pos < in.size()) {
    // One line, without its line break.
    size_t nl = in.find('\n', pos);
    bool has_break = nl != std::string_view::npos;
    size_t end = has_break ? nl : in.size();
    std::string_view line = in.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = has_break ? nl + 1 : in.size();

    // Transport may add trailing whitespace; it is never data (RFC 2045 §6.7 rule 3).
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    bool soft = !line.empty() && line.back() == '=';
    if (soft) line.remove_suffix(1);

    for (size_t i = 0; i < line.size(); ++i) {
      char c = line[i];
      if (c != '=') {
        out.bytes.push_back(c);
        continue;
      }
      bool lower = false;
      int hi = i + 1 < line.size() ? hex_value(line[i + 1], &lower) : -1;
      int lo = i + 2 < line.size() ? hex_value(line[i + 2], &lower) : -1;
      if (hi < 0 || lo < 0) {
        out.clean = false;
        out.bytes.push_back('=');
        continue;
      }
      if (lower) out.clean = false;
      out.bytes.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    }
    if (has_break && !soft) out.bytes += "\r\n";
  }
  return out;
}

std::string qp_encode(std::string_view in, QpInput mode) {
  std::string out;
  out.reserve(in.size() + in.size() / 8 + 8);
  size_t column = 0;
  auto soft_break = [&] {
    out += "=\r\n";
    column = 0;
  };
  auto emit = [&](std::string_view piece) {
    // A piece never straddles a soft break: "=" plus the break must fit in 76.
    if (column + piece.size() > kMaxEncodedLine - 1) soft_break();
    out += piece;
    column += piece.size();
  };
  auto escape = [&](unsigned char c) {
    char buf[3] = {'=', kHexDigits[c >> 4], kHexDigits[c & 15]};
    emit(std::string_view(buf, 3));
  };

  size_t i = 0;
  while (i < in.size()) {
    unsigned char c = static_cast<unsigned char>(in[i]);
    if (mode == QpInput::kText &&
        (c == '\n' || (c == '\r' && i + 1 < in.size() && in[i + 1] == '\n'))) {
      out += "\r\n";
      column = 0;
      i += c == '\r' ? 2 : 1;
      continue;
    }
    bool line_start = column == 0;
    bool before_break =
        i + 1 == in.size() ||
        (mode == QpInput::kText &&
         (in[i + 1] == '\n' || (in[i + 1] == '\r' && i + 2 < in.size() && in[i + 2] == '\n')));
    bool plain = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !before_break);
    if (plain && c == '.' && line_start) plain = false;
    if (plain && c == 'F' && line_start && in.substr(i, 5) == "From ") plain = false;
    if (plain) {
      char ch = static_cast<char>(c);
      // Whitespace followed by a soft break is safe: the "=" comes after it.
      emit(std::string_view(&ch, 1));
      // emit() may have broken the line just before this character; a "." or "From "
      // that lands at the start of the new line is encoded after all.
      if (column == 1 && (ch == '.' || (ch == 'F' && in.substr(i, 5) == "From "))) {
        out.pop_back();
        column = 0;
        escape(c);
      }
    } else {
      escape(c);
    }
    ++i;
  }
  return out;
}

}  // namespace mf::mime
