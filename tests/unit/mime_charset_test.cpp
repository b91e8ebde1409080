// Unit tests of charset conversion (mime/charset.h).
#include <doctest/doctest.h>

#include "mime/charset.h"

#include <string>

using namespace mf;
using namespace mf::mime;

TEST_CASE("latin-1 and windows-1252 text converts to UTF-8") {
  auto latin = to_utf8("ISO-8859-1", "Caf\xE9 cr\xE8me");
  REQUIRE_MESSAGE(latin.is_ok(), latin.status().to_string());
  CHECK(latin->clean);
  CHECK(latin->text == "Café crème");
  auto cp1252 = to_utf8("windows-1252", "\x80 10 \x93ok\x94");
  REQUIRE(cp1252.is_ok());
  CHECK(cp1252->text == "€ 10 “ok”");
}

TEST_CASE("a stateful charset is flushed at the end") {
  // "日本" in ISO-2022-JP: escape to JIS X 0208, two characters, escape back to ASCII.
  auto jp = to_utf8("iso-2022-jp", "\x1b$BF|K\\\x1b(B");
  REQUIRE_MESSAGE(jp.is_ok(), jp.status().to_string());
  CHECK(jp->text == "日本");
}

TEST_CASE("charset names are case-insensitive and lose an RFC 2231 language") {
  auto r = to_utf8("Iso-8859-15*fr", "\xA4");
  REQUIRE(r.is_ok());
  CHECK(r->text == "€");
}

TEST_CASE("an unknown charset is reported, not guessed") {
  auto r = to_utf8("x-martian-7", "abc");
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().code() == Code::kUnsupported);
  CHECK(r.status().message() == "unknown charset 'x-martian-7'");
}

TEST_CASE("a charset name that is no token never reaches iconv") {
  for (const std::string& name :
       {std::string(), std::string("UTF-8//TRANSLIT"), std::string("../../etc/x"),
        std::string("utf 8"), std::string(65, 'a')}) {
    auto r = to_utf8(name, "abc");
    REQUIRE_FALSE(r.is_ok());
    CHECK_MESSAGE(r.status().code() == Code::kInvalidArgument, name);
  }
}

TEST_CASE("invalid bytes become U+FFFD and the conversion goes on") {
  auto utf8 = to_utf8("utf-8", "a\xC3(b\xFF");
  REQUIRE(utf8.is_ok());
  CHECK_FALSE(utf8->clean);
  CHECK(utf8->text == "a\xEF\xBF\xBD(b\xEF\xBF\xBD");
  auto sjis = to_utf8("shift_jis", "x\x81");  // a lead byte cut short at the end
  REQUIRE(sjis.is_ok());
  CHECK_FALSE(sjis->clean);
  CHECK(sjis->text == "x\xEF\xBF\xBD");
}

TEST_CASE("us-ascii text with UTF-8 in it is read as UTF-8") {
  auto r = to_utf8("us-ascii", "Jérôme");
  REQUIRE(r.is_ok());
  CHECK(r->clean);
  CHECK(r->text == "Jérôme");
}

TEST_CASE("us-ascii text in another 8-bit charset has every 8-bit byte replaced") {
  // Shift_JIS where one pair (0xCA 0x81) happens to be a valid UTF-8 sequence.
  auto r = to_utf8("us-ascii", "a\x93\xFA\xCA\x81" "b");
  REQUIRE(r.is_ok());
  CHECK_FALSE(r->clean);
  CHECK(r->text == "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" "b");
}

TEST_CASE("UTF-8 validation refuses overlongs, surrogates and truncation") {
  CHECK(is_valid_utf8("plain ASCII"));
  CHECK(is_valid_utf8("\xF0\x9F\x93\xA7 é"));
  CHECK_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));      // a surrogate
  CHECK_FALSE(is_valid_utf8("\xE2\x82"));          // cut short
  CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  CHECK(utf8_sequence_length("\xE2\x82\xAC", 0) == 3);
  CHECK(utf8_sequence_length("\x80", 0) == 0);
}
