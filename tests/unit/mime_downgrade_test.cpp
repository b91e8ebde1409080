// Unit tests of the 8BITMIME → 7bit downgrade (mime/downgrade.h).
#include <doctest/doctest.h>

#include "mime/body.h"
#include "mime/downgrade.h"
#include "mime/encoded_word.h"
#include "mime/message.h"

#include <string>

using namespace mf;
using namespace mf::mime;

namespace {

std::string downgrade_ok(const std::string& in) {
  auto out = downgrade_to_7bit(in);
  REQUIRE_MESSAGE(out.is_ok(), out.status().to_string());
  CHECK(is_7bit_message(*out));
  return *out;
}

// The decoded content of every leaf, in order: what a reader sees, which the downgrade
// must not change.
std::vector<std::string> leaf_contents(const std::string& bytes) {
  auto msg = parse_message(bytes);
  REQUIRE(msg.is_ok());
  std::vector<std::string> out;
  for (const Part& p : msg->parts) {
    if (p.kind == PartKind::kLeaf) out.push_back(decode_body(*msg, p).bytes);
  }
  return out;
}

}  // namespace

TEST_CASE("a 7-bit message comes back unchanged") {
  const std::string m =
      "Subject: x\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: 7bit\r\n\r\n"
      "Hello\r\n";
  CHECK(is_7bit_message(m));
  CHECK(downgrade_ok(m) == m);
}

TEST_CASE("is_7bit_message rejects 8-bit bytes, NUL, bare CR and long lines") {
  CHECK_FALSE(is_7bit_message("Subject: x\r\n\r\ncaf\xC3\xA9\r\n"));
  CHECK_FALSE(is_7bit_message(std::string("a\0b\r\n", 5)));
  CHECK_FALSE(is_7bit_message("a\rb\r\n"));
  CHECK_FALSE(is_7bit_message(std::string(999, 'x') + "\r\n"));
  CHECK(is_7bit_message(std::string(998, 'x') + "\r\n"));
}

TEST_CASE("an 8-bit text body becomes quoted-printable with the same content") {
  const std::string m =
      "From: Emma Durand <emma.durand@ma-societe.fr>\r\n"
      "Subject: Devis\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n"
      "Content-Transfer-Encoding: 8bit\r\n"
      "\r\n"
      "Voici le devis demand\xC3\xA9 pour la soci\xC3\xA9t\xC3\xA9.\r\n"
      ".ligne qui commence par un point\r\n";
  std::string out = downgrade_ok(m);
  CHECK(out.find("Content-Transfer-Encoding: quoted-printable\r\n") != std::string::npos);
  CHECK(out.find("8bit") == std::string::npos);
  CHECK(out.find("demand=C3=A9") != std::string::npos);
  CHECK(out.find("\r\n=2Eligne") != std::string::npos);
  CHECK(leaf_contents(out) == leaf_contents(m));
  // The other fields are kept byte for byte, in order.
  CHECK(
      out.starts_with("From: Emma Durand <emma.durand@ma-societe.fr>\r\nSubject: Devis\r\n"
                      "Content-Type: text/plain; charset=utf-8\r\n"));
}

TEST_CASE("mostly 8-bit text and binary parts become base64 inside a multipart") {
  std::string cyrillic;
  for (int i = 0; i < 40; ++i) cyrillic += "\xD0\x9F\xD1\x80\xD0\xB8";  // "При"
  std::string binary("\x00\x01\xFF\xFE PNG \r\x00", 10);
  const std::string m =
      "Content-Type: multipart/mixed; boundary=b\r\n"
      "Content-Transfer-Encoding: 8bit\r\n\r\n"
      "pr\xC3\xA9"
      "ambule\r\n"
      "--b\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n\r\n" +
      cyrillic +
      "\r\n--b\r\n"
      "Content-Type: image/png\r\nContent-Transfer-Encoding: binary\r\n\r\n" +
      binary +
      "\r\n--b\r\n"
      "Content-Type: text/plain\r\n\r\n"
      "already ascii\r\n"
      "--b--\r\n";
  std::string out = downgrade_ok(m);
  auto msg = parse_message(out);
  REQUIRE(msg.is_ok());
  REQUIRE(msg->parts.size() == 4);
  CHECK(msg->root().encoding == TransferEncoding::k7bit);
  CHECK(msg->root().encoding_name == "7bit");
  CHECK(msg->parts[1].encoding == TransferEncoding::kBase64);
  CHECK(msg->parts[2].encoding == TransferEncoding::kBase64);
  CHECK(msg->parts[3].find("Content-Transfer-Encoding") == nullptr);
  CHECK(leaf_contents(out) == leaf_contents(m));
  CHECK(out.find("pr??ambule") != std::string::npos);  // the preamble is not content
}

TEST_CASE("an encapsulated 8-bit message is downgraded inside, message/global as base64") {
  const std::string m =
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
      "--b\r\n"
      "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
      "Subject: original\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
      "Voici la r\xC3\xA9ponse compl\xC3\xA8te.\r\n"
      "--b\r\n"
      "Content-Type: message/global\r\n\r\n"
      "Subject: \xC3\xA9t\xC3\xA9\r\n\r\ncorps\r\n"
      "--b--\r\n";
  std::string out = downgrade_ok(m);
  auto msg = parse_message(out);
  REQUIRE(msg.is_ok());
  REQUIRE(msg->parts.size() == 4);
  CHECK(msg->parts[1].kind == PartKind::kMessage);
  CHECK(msg->parts[1].encoding_name == "7bit");
  CHECK(msg->parts[2].encoding == TransferEncoding::kQuotedPrintable);
  CHECK(decode_body(*msg, msg->parts[2]).bytes == "Voici la r\xC3\xA9ponse compl\xC3\xA8te.");
  CHECK(msg->parts[3].kind == PartKind::kLeaf);  // base64 message/global is content
  CHECK(decode_body(*msg, msg->parts[3]).bytes == "Subject: \xC3\xA9t\xC3\xA9\r\n\r\ncorps");
}

TEST_CASE("an 8-bit Subject is encoded; an 8-bit address needs SMTPUTF8") {
  const std::string m =
      "From: emma.durand@ma-societe.fr\r\nSubject: R\xC3\xA9union de l'\xC3\xA9quipe\r\n\r\n"
      "caf\xC3\xA9\r\n";
  std::string out = downgrade_ok(m);
  auto msg = parse_message(out);
  REQUIRE(msg.is_ok());
  const HeaderField* subject = msg->root().find("Subject");
  REQUIRE(subject != nullptr);
  CHECK(decode_encoded_words(unfold(subject->value)).text == "R\xC3\xA9union de l'\xC3\xA9quipe");

  const std::string utf8_address = "From: \xC3\xA9milie@ma-societe.fr\r\n\r\ncaf\xC3\xA9\r\n";
  auto refused = downgrade_to_7bit(utf8_address);
  REQUIRE_FALSE(refused.is_ok());
  CHECK(refused.status().code() == Code::kFailedPrecondition);
  CHECK(refused.status().message().find("From field") != std::string::npos);
  CHECK(refused.status().message().find("SMTPUTF8") != std::string::npos);
}

TEST_CASE("long 7-bit lines are re-encoded; unknown encodings with 8-bit data are refused") {
  const std::string long_line = "Subject: x\r\n\r\n" + std::string(1200, 'a') + "\r\n";
  std::string out = downgrade_ok(long_line);
  CHECK(out.find("Content-Transfer-Encoding: quoted-printable") != std::string::npos);
  CHECK(leaf_contents(out) == leaf_contents(long_line));
  auto msg = parse_message(out);
  REQUIRE(msg.is_ok());
  CHECK(decode_body(*msg, msg->root()).bytes == std::string(1200, 'a') + "\r\n");

  const std::string unknown = "Content-Transfer-Encoding: x-uuencode\r\n\r\nbegin 644 \xC3\xA9\r\n";
  auto refused = downgrade_to_7bit(unknown);
  REQUIRE_FALSE(refused.is_ok());
  CHECK(refused.status().code() == Code::kFailedPrecondition);
  CHECK(refused.status().message().find("x-uuencode") != std::string::npos);
}

TEST_CASE("a quoted-printable body holding raw 8-bit bytes is decoded and encoded again") {
  const std::string m =
      "Content-Type: text/plain; charset=iso-8859-1\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
      "caf\xE9 cr=E8me\r\n";
  std::string out = downgrade_ok(m);
  CHECK(out.find("caf=E9 cr=E8me") != std::string::npos);
  CHECK(leaf_contents(out) == leaf_contents(m));
}

TEST_CASE("re-encoding never puts an enclosing boundary at the start of a line") {
  // Quoted-printable would write 25 escapes (75 columns), break the line softly, and
  // start the next line with "--b": a delimiter. The part must stay one part.
  std::string line = "";
  for (int i = 0; i < 11; ++i) line += "\xC3\xA9";
  line += "\xE2\x82\xAC--b\r\n";
  std::string ascii;
  for (int i = 0; i < 20; ++i) ascii += "Bonjour ";
  const std::string m =
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
      "--b\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n\r\n" +
      ascii + "\r\n" + line +
      "--b\r\n"
      "Content-Type: text/plain\r\n\r\n"
      "fin\r\n"
      "--b--\r\n";
  std::string out = downgrade_ok(m);
  auto msg = parse_message(out);
  REQUIRE(msg.is_ok());
  CHECK(msg->parts.size() == 3);
  CHECK(leaf_contents(out) == leaf_contents(m));
}

TEST_CASE("8-bit bytes in a preamble never become a delimiter line") {
  // Under boundary "b?c", a preamble line "--b\xFF" "c" is text; replacing the 8-bit byte
  // with '?' would make it a delimiter and add a part.
  const std::string in =
      "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b?c\"\r\n\r\n"
      "--b\xFF" "c\r\npreamble\r\n"
      "--b?c\r\nContent-Type: text/plain\r\n\r\nonly part\r\n--b?c--\r\n";
  auto before = parse_message(in);
  REQUIRE(before.is_ok());
  std::string out = downgrade_ok(in);
  CHECK(out.find("--b\xFF" "c") == std::string::npos);
  auto after = parse_message(out);
  REQUIRE(after.is_ok());
  CHECK(after->parts.size() == before->parts.size());
  CHECK(leaf_contents(out) == std::vector<std::string>{"only part"});
}
