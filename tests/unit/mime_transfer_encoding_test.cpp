// Unit tests of base64 and quoted-printable (mime/transfer_encoding.h).
#include <doctest/doctest.h>

#include "mime/transfer_encoding.h"

#include <string>

using namespace mf::mime;

namespace {

// Bytes 0 to 255, then a few runs, so every value and alignment is covered.
std::string all_bytes() {
  std::string s;
  for (int i = 0; i < 256; ++i) s.push_back(static_cast<char>(i));
  s += std::string(100, 'x');
  s += "\r\n\r\n.\r\nFrom here\r\n \t\r\n";
  return s;
}

}  // namespace

TEST_CASE("base64 encodes the RFC 4648 test vectors") {
  CHECK(base64_encode("", Base64Lines::kNone) == "");
  CHECK(base64_encode("f", Base64Lines::kNone) == "Zg==");
  CHECK(base64_encode("fo", Base64Lines::kNone) == "Zm8=");
  CHECK(base64_encode("foo", Base64Lines::kNone) == "Zm9v");
  CHECK(base64_encode("foob", Base64Lines::kNone) == "Zm9vYg==");
  CHECK(base64_encode("fooba", Base64Lines::kNone) == "Zm9vYmE=");
  CHECK(base64_encode("foobar", Base64Lines::kNone) == "Zm9vYmFy");
  CHECK(base64_encode("foobar") == "Zm9vYmFy\r\n");
  CHECK(base64_encode("") == "");
}

TEST_CASE("base64 body lines are 76 characters and end with CRLF") {
  std::string data(1000, '\xAB');
  std::string enc = base64_encode(data);
  size_t pos = 0;
  size_t lines = 0;
  while (pos < enc.size()) {
    size_t crlf = enc.find("\r\n", pos);
    REQUIRE(crlf != std::string::npos);
    size_t len = crlf - pos;
    if (crlf + 2 < enc.size()) CHECK(len == 76);
    CHECK(len <= 76);
    pos = crlf + 2;
    ++lines;
  }
  CHECK(lines == (1336 + 75) / 76);
  CHECK(enc.find('\n') == enc.find("\r\n") + 1);
}

TEST_CASE("base64 decoding gives back what was encoded, in both layouts") {
  std::string data = all_bytes();
  for (size_t n = 0; n < data.size(); n += 37) {
    std::string part = data.substr(0, n);
    Decoded a = base64_decode(base64_encode(part));
    CHECK(a.clean);
    CHECK(a.bytes == part);
    Decoded b = base64_decode(base64_encode(part, Base64Lines::kNone));
    CHECK(b.clean);
    CHECK(b.bytes == part);
  }
}

TEST_CASE("base64 decoding skips whitespace silently and junk uncleanly") {
  Decoded spaced = base64_decode("Zm9v\r\n YmFy\t\n");
  CHECK(spaced.clean);
  CHECK(spaced.bytes == "foobar");
  Decoded junk = base64_decode("Zm9v*YmFy!");
  CHECK_FALSE(junk.clean);
  CHECK(junk.bytes == "foobar");
}

TEST_CASE("base64 decoding supplies missing padding and drops a lone sextet") {
  Decoded two = base64_decode("Zm8");
  CHECK_FALSE(two.clean);
  CHECK(two.bytes == "fo");
  Decoded one = base64_decode("Zg");
  CHECK_FALSE(one.clean);
  CHECK(one.bytes == "f");
  Decoded lone = base64_decode("Zm9vY");
  CHECK_FALSE(lone.clean);
  CHECK(lone.bytes == "foo");
}

TEST_CASE("base64 decoding continues after padding in the middle of the input") {
  Decoded glued = base64_decode("Zg==Zm8=");
  CHECK_FALSE(glued.clean);
  CHECK(glued.bytes == "ffo");
  Decoded stray = base64_decode("=Zm9v");
  CHECK_FALSE(stray.clean);
  CHECK(stray.bytes == "foo");
}

TEST_CASE("quoted-printable decodes escapes, soft breaks and LF-only input") {
  Decoded d = qp_decode("Caf=C3=A9 cr=C3=A8me =\r\nbr=C3=BBl=C3=A9e\r\nligne 2\n");
  CHECK(d.clean);
  CHECK(d.bytes == "Café crème brûlée\r\nligne 2\r\n");
  Decoded lf = qp_decode("a=\nb\nc");
  CHECK(lf.clean);
  CHECK(lf.bytes == "ab\r\nc");
}

TEST_CASE("quoted-printable drops transport whitespace at line ends, even after a soft break") {
  Decoded d = qp_decode("word   \r\nsoft= \t\r\nend");
  CHECK(d.clean);
  CHECK(d.bytes == "word\r\nsoftend");
  Decoded kept = qp_decode("space=20\r\n");
  CHECK(kept.bytes == "space \r\n");
}

TEST_CASE("quoted-printable keeps bad escapes literally and reports them") {
  Decoded d = qp_decode("100%=zz and =4 and =\xC3");
  CHECK_FALSE(d.clean);
  CHECK(d.bytes == "100%=zz and =4 and =\xC3");
  Decoded lower = qp_decode("=c3=a9");
  CHECK_FALSE(lower.clean);
  CHECK(lower.bytes == "\xC3\xA9");
}

TEST_CASE("quoted-printable encoding escapes what it must and keeps lines within 76") {
  std::string text = "Bonjour Jérôme = égal\r\n" + std::string(200, 'a') + " \r\nfin\t";
  std::string enc = qp_encode(text);
  CHECK(enc.find("Bonjour J=C3=A9r=C3=B4me =3D =C3=A9gal\r\n") == 0);
  CHECK(enc.find("=20\r\n") != std::string::npos);  // whitespace before a hard break
  CHECK(enc.substr(enc.size() - 6) == "fin=09");    // and at the very end
  size_t pos = 0;
  while (pos < enc.size()) {
    size_t crlf = enc.find("\r\n", pos);
    size_t end = crlf == std::string::npos ? enc.size() : crlf;
    CHECK(end - pos <= 76);
    if (crlf == std::string::npos) break;
    pos = crlf + 2;
  }
  CHECK(qp_decode(enc).bytes == text);
}

TEST_CASE("quoted-printable encoding is dot-safe and From-safe") {
  std::string enc = qp_encode(".\r\n.hidden\r\nFrom me\r\nFromage\r\n");
  CHECK(enc == "=2E\r\n=2Ehidden\r\n=46rom me\r\nFromage\r\n");
  // A dot that a soft break brings to the start of a line is encoded as well.
  std::string long_line = std::string(75, 'a') + ".b";
  std::string wrapped = qp_encode(long_line);
  CHECK(wrapped.find("=\r\n.") == std::string::npos);
  CHECK(qp_decode(wrapped).bytes == long_line);
}

TEST_CASE("quoted-printable turns LF line ends into CRLF in text mode") {
  CHECK(qp_encode("a\nb\n") == "a\r\nb\r\n");
  CHECK(qp_encode("a\rb") == "a=0Db");
}

TEST_CASE("quoted-printable round trips arbitrary bytes in binary mode") {
  std::string data = all_bytes();
  std::string enc = qp_encode(data, QpInput::kBinary);
  for (char c : enc) {
    auto u = static_cast<unsigned char>(c);
    CHECK((u == '\r' || u == '\n' || u == '\t' || (u >= 32 && u < 127)));
  }
  Decoded d = qp_decode(enc);
  CHECK(d.clean);
  CHECK(d.bytes == data);
}

TEST_CASE("quoted-printable round trips CRLF text in text mode") {
  std::string text =
      "Madame, Monsieur,\r\n\r\nVotre commande n° 4521 est prête.  \r\n.\r\n-- \r\nMA SOCIETE";
  Decoded d = qp_decode(qp_encode(text));
  CHECK(d.clean);
  CHECK(d.bytes == text);
}
