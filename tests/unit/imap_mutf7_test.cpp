// Unit tests of modified UTF-7 (imap/mutf7.h): RFC 3501 §5.1.3's examples, round trips,
// and every non-canonical or broken form the strict decoder refuses.
#include <doctest/doctest.h>

#include "imap/mutf7.h"

#include <string>

using namespace mf::imap;

namespace {

std::string encoded(std::string_view utf8) {
  auto r = mutf7_encode(utf8);
  return r ? *r : "error: " + r.status().message();
}

std::string decoded(std::string_view m) {
  auto r = mutf7_decode(m);
  return r ? *r : "error: " + r.status().message();
}

}  // namespace

TEST_CASE("IMAP modified UTF-7 encodes RFC 3501's examples and common folder names") {
  // RFC 3501 §5.1.3: "~peter/mail/台北/日本語".
  CHECK(encoded("~peter/mail/\xE5\x8F\xB0\xE5\x8C\x97/\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E") ==
        "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
  CHECK(encoded("&") == "&-");
  CHECK(encoded("Tom & Jerry") == "Tom &- Jerry");
  CHECK(encoded("\xC3\xA9t\xC3\xA9") == "&AOk-t&AOk-");  // "été"
  CHECK(encoded("Envoy\xC3\xA9s") == "Envoy&AOk-s");
  CHECK(encoded("INBOX") == "INBOX");
  CHECK(encoded("") == "");
  // Outside the BMP: a surrogate pair (U+1F4E7, an e-mail symbol).
  CHECK(encoded("\xF0\x9F\x93\xA7") == "&2D3c5w-");
}

TEST_CASE("IMAP modified UTF-7 decodes back to UTF-8") {
  CHECK(decoded("~peter/mail/&U,BTFw-/&ZeVnLIqe-") ==
        "~peter/mail/\xE5\x8F\xB0\xE5\x8C\x97/\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E");
  CHECK(decoded("&-") == "&");
  CHECK(decoded("&AOk-t&AOk-") == "\xC3\xA9t\xC3\xA9");
  CHECK(decoded("&2D3c5w-") == "\xF0\x9F\x93\xA7");
  for (std::string_view s : {"Brouillons", "\xC3\x89l\xC3\xA9ments envoy\xC3\xA9s",
                             "\xD0\x92\xD1\x85\xD0\xBE\xD0\xB4\xD1\x8F\xD1\x89\xD0\xB8\xD0\xB5",
                             "a&b/&&/\xE2\x82\xAC"}) {
    auto e = mutf7_encode(s);
    REQUIRE(e.is_ok());
    CHECK(decoded(*e) == s);
  }
}

TEST_CASE("IMAP modified UTF-7 refuses non-canonical and broken forms") {
  CHECK(decoded("&AGE-") == "error: Invalid modified UTF-7 mailbox name: shifted printable ASCII");
  CHECK(decoded("&ACY-") == "error: Invalid modified UTF-7 mailbox name: shifted printable ASCII");
  CHECK(decoded("&AOk") == "error: Invalid modified UTF-7 mailbox name: unterminated shift");
  CHECK(decoded("&AOk-&AOk-") == "error: Invalid modified UTF-7 mailbox name: two adjacent shifts");
  CHECK(decoded("&AO!-") ==
        "error: Invalid modified UTF-7 mailbox name: character outside base64 in a shift");
  CHECK(decoded("&AO/-") ==
        "error: Invalid modified UTF-7 mailbox name: character outside base64 in a shift");
  CHECK(decoded("&AOl-") == "error: Invalid modified UTF-7 mailbox name: non-zero padding bits");
  CHECK(decoded("&AOkAA-") ==
        "error: Invalid modified UTF-7 mailbox name: superfluous base64 character");
  CHECK(decoded("&AOkA-") ==
        "error: Invalid modified UTF-7 mailbox name: odd number of UTF-16 bytes");
  CHECK(decoded("&2D0-") == "error: Invalid modified UTF-7 mailbox name: unpaired high surrogate");
  CHECK(decoded("&3OcAZQ-") ==
        "error: Invalid modified UTF-7 mailbox name: unpaired low surrogate");
  CHECK(decoded("&AAk-") == "error: Invalid modified UTF-7 mailbox name: control character");
  CHECK(decoded("caf\xC3\xA9") ==
        "error: Invalid modified UTF-7 mailbox name: byte outside printable ASCII");
  CHECK(decoded("a\tb") ==
        "error: Invalid modified UTF-7 mailbox name: byte outside printable ASCII");
  // A shift closed and another direct "&-" right after is fine: "é&".
  CHECK(decoded("&AOk-&-") == "\xC3\xA9&");
}

TEST_CASE("IMAP modified UTF-7 encoding refuses ill-formed UTF-8 and control characters") {
  CHECK(encoded("\xC3") == "error: Mailbox name is not valid UTF-8");
  CHECK(encoded("\xED\xA0\x80") == "error: Mailbox name is not valid UTF-8");
  CHECK(encoded("a\nb") == "error: Mailbox name contains a control character");
  CHECK(encoded(std::string("a\0b", 3)) == "error: Mailbox name contains a control character");
}
