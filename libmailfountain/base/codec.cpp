// base/codec.cpp — varint record encoding (see codec.h).
#include "base/codec.h"

namespace mf {

namespace {
// No record holds a string or list longer than this; a larger length is corruption.
constexpr uint64_t kMaxLength = 1 << 24;
}  // namespace

Encoder& Encoder::u8(uint8_t v) {
  out_.push_back(static_cast<char>(v));
  return *this;
}

Encoder& Encoder::varint(uint64_t v) {
  while (v >= 0x80) {
    out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out_.push_back(static_cast<char>(v));
  return *this;
}

Encoder& Encoder::i64(int64_t v) {
  uint64_t zz = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  return varint(zz);
}

Encoder& Encoder::str(std::string_view s) {
  varint(s.size());
  out_.append(s);
  return *this;
}

Encoder& Encoder::strs(const std::vector<std::string>& v) {
  varint(v.size());
  for (const auto& s : v) str(s);
  return *this;
}

Encoder& Encoder::opt_u64(const std::optional<uint64_t>& v) {
  u8(v.has_value() ? 1 : 0);
  if (v) varint(*v);
  return *this;
}

bool Decoder::u8(uint8_t* v) {
  if (failed_ || in_.empty()) return fail();
  *v = static_cast<uint8_t>(in_[0]);
  in_.remove_prefix(1);
  return true;
}

bool Decoder::varint(uint64_t* v) {
  if (failed_) return false;
  uint64_t result = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in_.empty()) return fail();
    auto byte = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    if (shift == 63 && byte > 1) return fail();  // would overflow 64 bits
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return fail();
}

bool Decoder::varint32(uint32_t* v) {
  uint64_t x = 0;
  if (!varint(&x)) return false;
  if (x > UINT32_MAX) return fail();
  *v = static_cast<uint32_t>(x);
  return true;
}

bool Decoder::i64(int64_t* v) {
  uint64_t zz;
  if (!varint(&zz)) return false;
  *v = static_cast<int64_t>((zz >> 1) ^ (~(zz & 1) + 1));
  return true;
}

bool Decoder::str(std::string* s) {
  uint64_t n;
  if (!varint(&n)) return false;
  if (n > kMaxLength || n > in_.size()) return fail();
  s->assign(in_.substr(0, n));
  in_.remove_prefix(n);
  return true;
}

bool Decoder::strs(std::vector<std::string>* v) {
  uint64_t n;
  if (!varint(&n)) return false;
  if (n > in_.size()) return fail();  // every string takes at least one byte
  v->clear();
  v->reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    std::string s;
    if (!str(&s)) return false;
    v->push_back(std::move(s));
  }
  return true;
}

bool Decoder::opt_u64(std::optional<uint64_t>* v) {
  uint8_t flag;
  if (!u8(&flag)) return false;
  if (flag == 0) {
    v->reset();
    return true;
  }
  if (flag != 1) return fail();
  uint64_t x;
  if (!varint(&x)) return false;
  *v = x;
  return true;
}

std::string encode_be64(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 7; i >= 0; --i) {
    s[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return s;
}

std::string encode_be32(uint32_t v) {
  std::string s(4, '\0');
  for (int i = 3; i >= 0; --i) {
    s[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return s;
}

uint32_t decode_be32(std::string_view s) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4 && i < s.size(); ++i) v = (v << 8) | static_cast<uint8_t>(s[i]);
  return v;
}

uint64_t decode_be64(std::string_view s) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < s.size(); ++i) v = (v << 8) | static_cast<uint8_t>(s[i]);
  return v;
}

}  // namespace mf
