// Unit tests of the xtext and RFC 6533 utf-8-addr codecs (smtp/xtext.h).
#include <doctest/doctest.h>

#include "smtp/xtext.h"

#include <string>

using namespace mf::smtp;

TEST_CASE("xtext encodes '+', '=' and everything outside '!'..'~' as +XX") {
  CHECK(xtext_encode("e=mc2@example.org") == "e+3Dmc2@example.org");
  CHECK(xtext_encode("a+b c") == "a+2Bb+20c");
  CHECK(xtext_encode(std::string("\0\x7F\xFF", 3)) == "+00+7F+FF");
  CHECK(xtext_encode("<>") == "<>");
  CHECK(xtext_encode("") == "");
}

TEST_CASE("xtext decoding is strict") {
  CHECK(xtext_decode("e+3Dmc2@example.org") == "e=mc2@example.org");
  CHECK(xtext_decode("+41+42") == "AB");  // needless encoding is still valid xtext
  CHECK(xtext_decode("") == "");
  for (auto in : {"a+3d", "a+", "a+4", "a+G0", "a=b", "a b", "caf\xC3\xA9", "\x7F"}) {
    CHECK_MESSAGE(!xtext_decode(in), in);
  }
}

TEST_CASE("every byte string survives an xtext round trip") {
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  CHECK(xtext_decode(xtext_encode(all)) == all);
}

TEST_CASE("utf-8-addr-xtext decodes \\x{HEX} escapes to UTF-8") {
  CHECK(utf8_addr_decode("ren\\x{E9}@example.org", RawUtf8::kRefused) == "ren\xC3\xA9@example.org");
  CHECK(utf8_addr_decode("a\\x{2B}b\\x{3D}c\\x{5C}d\\x{20}e", RawUtf8::kRefused) == "a+b=c\\d e");
  CHECK(utf8_addr_decode("\\x{1F600}", RawUtf8::kRefused) == "\xF0\x9F\x98\x80");
  CHECK(utf8_addr_decode("\\x{10FFFF}", RawUtf8::kRefused) == "\xF4\x8F\xBF\xBF");
  CHECK(utf8_addr_decode("\\x{e9}", RawUtf8::kRefused) == "\xC3\xA9");
}

TEST_CASE("utf-8-addr escapes must be needed, well-formed and in range") {
  for (auto in : {"",                   // empty
                  "\\x{41}",            // 'A' must be written as is
                  "\\x{9}",             // one digit
                  "\\x{0009}",          // needless leading zeros
                  "\\x{00}",            // NUL
                  "\\x{D800}",          // surrogate
                  "\\x{110000}",        // beyond Unicode
                  "\\x{1234567}",       // seven digits
                  "\\x{E9",             // unterminated
                  "\\xE9",              // no brace
                  "\\y{E9}",            // not an escape
                  "a+b", "a=b", "a b",  // not QCHARs
                  "ren\xC3\xA9"}) {     // raw UTF-8 where only the xtext form is allowed
    CHECK_MESSAGE(!utf8_addr_decode(in, RawUtf8::kRefused), in);
  }
  CHECK(utf8_addr_decode("ren\xC3\xA9", RawUtf8::kAllowed) == "ren\xC3\xA9");
  CHECK(!utf8_addr_decode("ren\xC3", RawUtf8::kAllowed));
}

TEST_CASE("utf-8-addr encoding is ASCII and round-trips") {
  CHECK(utf8_addr_encode("ren\xC3\xA9@example.org") == "ren\\x{E9}@example.org");
  CHECK(utf8_addr_encode("a+b=c\\d e") == "a\\x{2B}b\\x{3D}c\\x{5C}d\\x{20}e");
  CHECK(utf8_addr_encode("\xF0\x9F\x98\x80") == "\\x{1F600}");
  for (std::string s :
       {"ren\xC3\xA9@example.org", "\xE4\xBE\x8B@\xE4\xBE\x8B.cn", "tab\there", "x\x7Fy"}) {
    auto enc = utf8_addr_encode(s);
    CHECK(utf8_addr_decode(enc, RawUtf8::kRefused) == s);
  }
}
