// base/text.h's UTF-8 encoder: every length boundary, checked against the byte values and
// the library's own validator.
#include "base/text.h"

#include <doctest/doctest.h>

#include <string>

namespace mf {
namespace {

std::string utf8(uint32_t cp) {
  std::string out;
  append_utf8(out, cp);
  return out;
}

TEST_CASE("append_utf8 writes one to four bytes at the length boundaries") {
  CHECK(utf8(0x41) == "A");
  CHECK(utf8(0x7F) == "\x7F");
  CHECK(utf8(0x80) == "\xC2\x80");
  CHECK(utf8(0xE9) == "\xC3\xA9");  // é
  CHECK(utf8(0x7FF) == "\xDF\xBF");
  CHECK(utf8(0x800) == "\xE0\xA0\x80");
  CHECK(utf8(0x20AC) == "\xE2\x82\xAC");  // €
  CHECK(utf8(0xFFFF) == "\xEF\xBF\xBF");
  CHECK(utf8(0x10000) == "\xF0\x90\x80\x80");
  CHECK(utf8(0x1F600) == "\xF0\x9F\x98\x80");
  CHECK(utf8(0x10FFFF) == "\xF4\x8F\xBF\xBF");
  for (uint32_t cp : {0x41u, 0x7FFu, 0x800u, 0xFFFFu, 0x10000u, 0x10FFFFu}) {
    INFO(cp);
    std::string s = utf8(cp);
    CHECK(is_valid_utf8(s));
    CHECK(utf8_sequence_length(s, 0) == s.size());
  }
  std::string several = "x";
  append_utf8(several, 0xE9);
  append_utf8(several, 0x20AC);
  CHECK(several == "x\xC3\xA9\xE2\x82\xAC");
}

}  // namespace
}  // namespace mf
