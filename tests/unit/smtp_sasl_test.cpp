// Unit tests of SASL response decoding (smtp/sasl.h).
#include <doctest/doctest.h>

#include "mime/transfer_encoding.h"
#include "smtp/sasl.h"

#include <string>

using namespace mf::smtp;

namespace {

std::string b64(std::string_view raw) {
  return mf::mime::base64_encode(raw, mf::mime::Base64Lines::kNone);
}

}  // namespace

TEST_CASE("a PLAIN response splits into authzid, authcid and password") {
  auto p = decode_sasl_plain("AGVtbWEuZHVyYW5kQG1hLXNvY2lldGUuZnIAc2VjcmV0");
  REQUIRE(p.is_ok());
  CHECK(p->authzid == "");
  CHECK(p->authcid == "emma.durand@ma-societe.fr");
  CHECK(p->password == "secret");

  auto z = decode_sasl_plain("YWRtaW4AZW1tYQBzZWNyZXQ=");
  REQUIRE(z.is_ok());
  CHECK(z->authzid == "admin");
  CHECK(z->authcid == "emma");

  auto utf8 = decode_sasl_plain("AHLDqW1pAHDDpHNz");
  REQUIRE(utf8.is_ok());
  CHECK(utf8->authcid == "r\xC3\xA9mi");
  CHECK(utf8->password == "p\xC3\xA4ss");
}

TEST_CASE("a PLAIN response without two NULs, or with an empty field, is 501 5.5.2") {
  for (auto in : {"ZW1tYQBzZWNyZXQ=",  // emma NUL secret: one NUL
                  "YQBiAGMAZA==",      // a NUL b NUL c NUL d: three
                  "AABzZWNyZXQ=",      // empty authcid
                  "AGVtbWEA",          // empty password
                  "AP8AcA==",          // authcid is not UTF-8
                  ""}) {
    auto p = decode_sasl_plain(in);
    REQUIRE_MESSAGE(!p.is_ok(), in);
    CHECK(p.reply().code == 501);
    CHECK(p.reply().enhanced == "5.5.2");
  }
  CHECK(decode_sasl_plain("AGVtbWEA").reply().text == "Malformed PLAIN response: empty password");
}

TEST_CASE("PLAIN fields may have 255 octets, not 256") {
  std::string ok = std::string(1, '\0') + std::string(255, 'u') + '\0' + "p";
  CHECK(decode_sasl_plain(b64(ok)).is_ok());
  std::string too_long = std::string(1, '\0') + std::string(256, 'u') + '\0' + "p";
  CHECK(!decode_sasl_plain(b64(too_long)).is_ok());
}

TEST_CASE("only clean base64 is decoded: anything mime's decoder would repair is refused") {
  CHECK(decode_sasl_base64("").value() == "");
  CHECK(decode_sasl_base64("c2VjcmV0").value() == "secret");
  for (auto in : {"c2VjcmV0=",  // not a whole group
                  "c2VjcmV",    // missing padding
                  "c2Vj cmV0",  // whitespace
                  "c2Vj\tcmV0",
                  "c2V@cmV0",  // outside the alphabet
                  "QQ==QUJD",  // data after padding
                  "Q===",      // a lone sextet
                  "*"}) {
    auto r = decode_sasl_base64(in);
    REQUIRE_MESSAGE(!r.is_ok(), in);
    CHECK(r.reply().wire() == "501 5.5.2 Cannot decode response\r\n");
  }
}
