// Unit tests of RFC 2047 encoded words (mime/encoded_word.h).
#include <doctest/doctest.h>

#include "mime/encoded_word.h"
#include "mime/header.h"

#include <string>

using namespace mf::mime;

namespace {

// Checks the layout of an encoded value: CRLF folds followed by whitespace, lines (with
// "Name: " on the first) of at most 78 characters, encoded words of at most 75, 7-bit.
void check_layout(std::string_view name, const std::string& value) {
  std::string field = std::string(name) + ":" + value;
  size_t pos = 0;
  while (true) {
    size_t crlf = field.find("\r\n", pos);
    size_t end = crlf == std::string::npos ? field.size() : crlf;
    CHECK_MESSAGE(end - pos <= 78, field);
    if (crlf == std::string::npos) break;
    REQUIRE(crlf + 2 < field.size());
    CHECK((field[crlf + 2] == ' ' || field[crlf + 2] == '\t'));
    pos = crlf + 2;
  }
  for (char c : field) CHECK(static_cast<unsigned char>(c) < 0x80);
  size_t w = 0;
  while ((w = field.find("=?", w)) != std::string::npos) {
    size_t e = field.find("?=", w + 10);
    REQUIRE(e != std::string::npos);
    CHECK(e + 2 - w <= 75);
    w = e + 2;
  }
}

std::string round_trip(std::string_view name, std::string_view text) {
  std::string value = encode_header_value(name, text);
  check_layout(name, value);
  DecodedHeaderText d = decode_encoded_words(unfold(value));
  CHECK(d.clean);
  CHECK(d.unknown_charsets.empty());
  return d.text;
}

}  // namespace

TEST_CASE("B and Q encoded words decode to UTF-8") {
  CHECK(decode_encoded_words("=?UTF-8?B?Q2Fmw6kgY3LDqG1l?=").text == "Café crème");
  CHECK(decode_encoded_words("=?iso-8859-1?q?Caf=E9_cr=E8me?=").text == "Café crème");
  CHECK(decode_encoded_words("Re: =?utf-8?Q?R=C3=A9union?= du lundi").text ==
        "Re: Réunion du lundi");
}

TEST_CASE("whitespace between adjacent encoded words is dropped, other whitespace kept") {
  CHECK(decode_encoded_words("=?utf-8?q?a?= =?utf-8?q?b?=").text == "ab");
  CHECK(decode_encoded_words("=?utf-8?q?a?=\r\n =?utf-8?q?b?=").text == "ab");
  CHECK(decode_encoded_words("=?utf-8?q?a_?= =?utf-8?q?b?=").text == "a b");
  CHECK(decode_encoded_words("=?utf-8?q?a?= x =?utf-8?q?b?=").text == "a x b");
}

TEST_CASE("a character split across two encoded words decodes whole") {
  // "é" is C3 A9: the first word ends with C3, the second starts with A9.
  CHECK(decode_encoded_words("=?UTF-8?Q?caf=C3?= =?UTF-8?Q?=A9?=").text == "café");
  CHECK(decode_encoded_words("=?UTF-8?B?w6nD?= =?utf-8?B?qQ==?=").text == "éé");
}

TEST_CASE("adjacent encoded words in distinct charsets are converted one by one") {
  auto d = decode_encoded_words("=?iso-8859-1?q?=E9?= =?utf-8?q?=C3=A8?=");
  CHECK(d.text == "éè");
  CHECK(d.clean);
}

TEST_CASE("malformed encoded words are left as they are") {
  for (std::string text : {"=?utf-8?x?abc?=", "=?utf-8?q?abc",
                           "=??q?abc?=", "=?utf-8?q?a b?=", "=?utf-8?q?abc?", "price =? 10"}) {
    auto d = decode_encoded_words(text);
    CHECK_MESSAGE(d.text == text, text);
  }
}

TEST_CASE("an encoded word in an unknown charset is reported and kept encoded") {
  auto d =
      decode_encoded_words("Hello =?x-klingon?q?Qapla'?= =?x-klingon?q?!?= and =?utf-8?q?=C3=A9?=");
  CHECK(d.text == "Hello =?x-klingon?q?Qapla'?= =?x-klingon?q?!?= and é");
  REQUIRE(d.unknown_charsets.size() == 1);
  CHECK(d.unknown_charsets[0] == "x-klingon");
}

TEST_CASE("bad content inside a valid encoded word is decoded leniently and reported") {
  auto q = decode_encoded_words("=?utf-8?q?100=ZZ?=");
  CHECK(q.text == "100=ZZ");
  CHECK_FALSE(q.clean);
  auto b = decode_encoded_words("=?utf-8?b?w6k?=");  // padding missing
  CHECK(b.text == "é");
  CHECK_FALSE(b.clean);
  auto bytes = decode_encoded_words("=?utf-8?q?=FF?=");
  CHECK(bytes.text == "\xEF\xBF\xBD");
  CHECK_FALSE(bytes.clean);
}

TEST_CASE("raw UTF-8 and text touching an encoded word pass through") {
  CHECK(decode_encoded_words("Réunion").text == "Réunion");
  CHECK(decode_encoded_words("x=?utf-8?q?=C3=A9?=y").text == "xéy");
  CHECK(decode_encoded_words("=?utf-8*fr?q?=C3=A9t=C3=A9?=").text == "été");
}

TEST_CASE("pure ASCII header text is kept, folded at 78 when long") {
  CHECK(encode_header_value("Subject", "Votre facture de mars") == " Votre facture de mars");
  std::string words;
  for (int i = 0; i < 30; ++i) words += (i ? " " : "") + std::string("facture");
  std::string value = encode_header_value("Subject", words);
  CHECK(value.find("\r\n ") != std::string::npos);
  CHECK(value.find("=?") == std::string::npos);
  CHECK(round_trip("Subject", words) == words);
}

TEST_CASE("non-ASCII header text becomes encoded words that decode back") {
  CHECK(round_trip("Subject", "Réunion du comité") == "Réunion du comité");
  std::string value = encode_header_value("Subject", "Réunion du comité");
  CHECK(value.find(" du ") != std::string::npos);  // the ASCII word between stays plain
}

TEST_CASE("long non-ASCII text is split into several words without cutting a character") {
  std::string text;
  for (int i = 0; i < 40; ++i) text += "été—日本語 ";
  text += "📧fin";
  CHECK(round_trip("Subject", text) == text);
  std::string dense;
  for (int i = 0; i < 60; ++i) dense += "日本語";
  CHECK(round_trip("Subject", dense) == dense);
  CHECK(round_trip("X-A-Rather-Long-Header-Name-For-Testing-The-First-Line-Room", dense) == dense);
}

TEST_CASE("text that looks like an encoded word or holds control bytes is encoded") {
  CHECK(round_trip("Subject", "literal =?utf-8?q?x?= text") == "literal =?utf-8?q?x?= text");
  CHECK(encode_header_value("Subject",
                            "a\x01"
                            "b")
            .find("=?UTF-8?") != std::string::npos);
  CHECK(round_trip("Subject", "tab\there") == "tab\there");
}

TEST_CASE("spaces inside a run of encoded words survive decoding") {
  CHECK(round_trip("Subject", "été  à   Noël") == "été  à   Noël");
  CHECK(round_trip("To", "  Jérôme  ") == "Jérôme");
  CHECK(encode_header_value("Subject", "") == "");
}
