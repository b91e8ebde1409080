// Unit tests of the record encoding (base/codec.h).
#include <doctest/doctest.h>

#include "base/codec.h"

#include <limits>

using namespace mf;

TEST_CASE("fields encoded in order decode to the same values") {
  Encoder e;
  e.u8(7).varint(300).i64(-5).str("héllo").strs({"a", "", "c"}).opt_u64(42).opt_u64(std::nullopt);
  e.varint(std::numeric_limits<uint64_t>::max()).i64(std::numeric_limits<int64_t>::min());
  Decoder d(e.bytes());
  uint8_t u8;
  uint64_t v, big;
  int64_t i, small;
  std::string s;
  std::vector<std::string> list;
  std::optional<uint64_t> some, none;
  CHECK(d.u8(&u8));
  CHECK(d.varint(&v));
  CHECK(d.i64(&i));
  CHECK(d.str(&s));
  CHECK(d.strs(&list));
  CHECK(d.opt_u64(&some));
  CHECK(d.opt_u64(&none));
  CHECK(d.varint(&big));
  CHECK(d.i64(&small));
  CHECK(d.done());
  CHECK(u8 == 7);
  CHECK(v == 300);
  CHECK(i == -5);
  CHECK(s == "héllo");
  CHECK(list == std::vector<std::string>{"a", "", "c"});
  CHECK(some == 42u);
  CHECK(!none.has_value());
  CHECK(big == std::numeric_limits<uint64_t>::max());
  CHECK(small == std::numeric_limits<int64_t>::min());
}

TEST_CASE("a truncated record fails to decode and stays failed") {
  Encoder e;
  e.str("a long enough string");
  std::string bytes = e.bytes();
  Decoder d(std::string_view(bytes).substr(0, bytes.size() - 3));
  std::string s;
  CHECK_FALSE(d.str(&s));
  CHECK(d.failed());
  uint8_t x;
  CHECK_FALSE(d.u8(&x));
  CHECK_FALSE(d.done());
}

TEST_CASE("an overlong varint is rejected") {
  std::string bytes(11, '\xff');
  Decoder d(bytes);
  uint64_t v;
  CHECK_FALSE(d.varint(&v));
}

TEST_CASE("a list length larger than the input is rejected without allocating") {
  Encoder e;
  e.varint(uint64_t{1} << 40);
  Decoder d(e.bytes());
  std::vector<std::string> v;
  CHECK_FALSE(d.strs(&v));
}

TEST_CASE("big-endian keys sort numerically") {
  CHECK(encode_be64(1) < encode_be64(256));
  CHECK(encode_be64(255) < encode_be64(256));
  CHECK(decode_be64(encode_be64(0x0102030405060708ull)) == 0x0102030405060708ull);
}

TEST_CASE("a 32-bit field above 32 bits fails the record") {
  Encoder e;
  e.varint(UINT32_MAX).varint(uint64_t{UINT32_MAX} + 1).varint(7);
  Decoder d(e.bytes());
  uint32_t v = 0;
  CHECK(d.varint32(&v));
  CHECK(v == UINT32_MAX);
  CHECK_FALSE(d.varint32(&v));
  CHECK(d.failed());
  CHECK_FALSE(d.varint32(&v));  // stays failed
}

TEST_CASE("32-bit big-endian keys sort numerically and read back") {
  CHECK(encode_be32(1) < encode_be32(256));
  CHECK(encode_be32(0x01020304u) == std::string("\x01\x02\x03\x04", 4));
  CHECK(decode_be32(encode_be32(0xfffffffeu)) == 0xfffffffeu);
  CHECK(decode_be32(encode_be64(0x0000000100000002ull)) == 1u);  // the first four bytes
}
