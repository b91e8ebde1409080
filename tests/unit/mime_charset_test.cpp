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
  auto r = to_utf8("us-ascii",
                   "a\x93\xFA\xCA\x81"
                   "b");
  REQUIRE(r.is_ok());
  CHECK_FALSE(r->clean);
  CHECK(r->text ==
        "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
        "b");
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

TEST_CASE("kept converters give the same text as fresh ones, across many charsets") {
  CharsetConverters converters;
  const std::vector<std::pair<std::string, std::string>> samples = {
      {"iso-8859-1", "caf\xE9"},
      {"windows-1252", "\x80 5"},
      {"iso-8859-15", "\xA4"},
      {"koi8-r", "\xF0\xD2\xC9"},
      {"iso-2022-jp", "\x1B$B$3$s\x1B(B"},
      {"shift_jis", "\x82\xB1\x82\xF1"},
      {"euc-jp", "\xA4\xB3"},
      {"gb2312", "\xC4\xE3"},
      {"big5", "\xA7\x41"},
      {"euc-kr", "\xB0\xA1"},
      {"iso-8859-2", "\xB1"},
      {"iso-8859-5", "\xBF"},
      {"iso-8859-7", "\xE1"},
      {"windows-1251", "\xCF"},
      {"windows-1250", "\x9A"},
      {"iso-8859-9", "\xFD"},
      {"utf-16le", std::string("a\0", 2)},
      {"iso-8859-1", "na\xEFve"},  // back to the first after an eviction
  };
  for (int round = 0; round < 2; ++round) {
    for (const auto& [charset, bytes] : samples) {
      auto fresh = to_utf8(charset, bytes);
      auto kept = to_utf8(charset, bytes, &converters);
      REQUIRE_MESSAGE(fresh.is_ok(), charset);
      REQUIRE_MESSAGE(kept.is_ok(), charset);
      CHECK_MESSAGE(kept->text == fresh->text, charset);
      CHECK(kept->clean == fresh->clean);
    }
  }
  auto unknown = to_utf8("x-martian", "x", &converters);
  CHECK(unknown.status().code() == Code::kUnsupported);
}

TEST_CASE("a kept stateful converter starts each text in its initial state") {
  CharsetConverters converters;
  // Cut short inside a JIS X 0208 run: the shift state would leak into the next text.
  auto first = to_utf8("iso-2022-jp", "\x1B$B$3", &converters);
  REQUIRE(first.is_ok());
  auto second = to_utf8("iso-2022-jp", "abc", &converters);
  REQUIRE(second.is_ok());
  CHECK(second->text == "abc");
  CHECK(second->clean);
}
