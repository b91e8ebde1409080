// Unit tests of the MIME tree parser (mime/message.h) and part reading (mime/body.h).
#include <doctest/doctest.h>

#include "mime/body.h"
#include "mime/message.h"

#include <string>
#include <vector>

using namespace mf;
using namespace mf::mime;

namespace {

// The message's views point into `bytes`: it must outlive the result (no temporaries).
Message parse_ok(const std::string& bytes, const MimeLimits& limits = {}) {
  auto msg = parse_message(bytes, limits);
  REQUIRE_MESSAGE(msg.is_ok(), msg.status().to_string());
  return std::move(*msg);
}
Message parse_ok(std::string&& bytes, const MimeLimits& limits = {}) = delete;

std::string body_of(const Message& msg, uint32_t i) {
  return std::string(msg.body_bytes(msg.parts[i]));
}

// Every part lies inside its parent's body, children in order and disjoint: the
// invariants every caller (IMAP sections, DKIM, the downgrade) relies on.
void check_layout(const Message& msg) {
  for (uint32_t i = 0; i < msg.parts.size(); ++i) {
    const Part& p = msg.parts[i];
    REQUIRE(p.header_offset <= p.header_end);
    REQUIRE(p.header_end <= p.body_offset);
    REQUIRE(p.body_offset <= p.body_end);
    REQUIRE(p.body_end <= msg.bytes.size());
    size_t previous_end = p.body_offset;
    for (uint32_t c : p.children) {
      const Part& child = msg.parts[c];
      REQUIRE(child.parent == i);
      REQUIRE(child.depth == p.depth + 1);
      REQUIRE(child.header_offset >= previous_end);
      REQUIRE(child.body_end <= p.body_end);
      previous_end = child.body_end;
    }
    if (p.kind == PartKind::kMultipart) {
      REQUIRE(p.preamble_end <= p.epilogue_offset);
      if (!p.children.empty()) REQUIRE(p.preamble_end <= msg.parts[p.children[0]].header_offset);
    }
  }
}

const std::string kMixed =
    "From: Emma Durand <emma.durand@ma-societe.fr>\r\n"
    "To: support@ma-societe.fr\r\n"
    "Subject: Devis\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"=_outer\"\r\n"
    "\r\n"
    "This is a multi-part message in MIME format.\r\n"
    "--=_outer\r\n"
    "Content-Type: multipart/alternative; boundary=inner\r\n"
    "\r\n"
    "--inner\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "Voici le devis demand=C3=A9.\r\n"
    "--inner\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "\r\n"
    "<p>Voici le devis</p>\r\n"
    "--inner--\r\n"
    "--=_outer\r\n"
    "Content-Type: application/pdf; name=\"devis.pdf\"\r\n"
    "Content-Disposition: attachment; filename=\"devis.pdf\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "JVBERi0xLjQK\r\n"
    "--=_outer--\r\n"
    "epilogue\r\n";

}  // namespace

TEST_CASE("a single-part message is one leaf whose body follows the blank line") {
  std::string m = "Subject: x\r\n\r\nHello\r\nworld\r\n";
  Message msg = parse_ok(m);
  REQUIRE(msg.parts.size() == 1);
  const Part& p = msg.root();
  CHECK(p.kind == PartKind::kLeaf);
  CHECK(p.content_type.mime_type() == "text/plain");
  CHECK_FALSE(p.content_type_given);
  CHECK(p.encoding == TransferEncoding::k7bit);
  CHECK(p.encoding_name == "7bit");
  CHECK(body_of(msg, 0) == "Hello\r\nworld\r\n");
  CHECK(p.body_lines == 2);
  CHECK(msg.header_bytes(p) == "Subject: x\r\n\r\n");
  CHECK(p.fields.size() == 1);
  CHECK(msg.problem_count == 0);
}

TEST_CASE("nested multiparts give every part's offsets, preamble and epilogue") {
  Message msg = parse_ok(kMixed);
  check_layout(msg);
  REQUIRE(msg.parts.size() == 5);
  const Part& root = msg.parts[0];
  CHECK(root.kind == PartKind::kMultipart);
  CHECK(root.boundary == "=_outer");
  REQUIRE(root.children.size() == 2);
  CHECK(kMixed.substr(root.body_offset, root.preamble_end - root.body_offset) ==
        "This is a multi-part message in MIME format.");
  CHECK(kMixed.substr(root.epilogue_offset, root.body_end - root.epilogue_offset) ==
        "epilogue\r\n");

  const Part& alt = msg.parts[1];
  CHECK(alt.kind == PartKind::kMultipart);
  CHECK(alt.content_type.subtype == "alternative");
  REQUIRE(alt.children == std::vector<uint32_t>{2, 3});
  // The line break before a delimiter belongs to the delimiter.
  CHECK(body_of(msg, 2) == "Voici le devis demand=C3=A9.");
  CHECK(body_of(msg, 3) == "<p>Voici le devis</p>");
  CHECK(msg.header_bytes(msg.parts[2]) ==
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
  // An inner multipart ends before the outer delimiter.
  CHECK(body_of(msg, 1).ends_with("--inner--"));

  const Part& pdf = msg.parts[4];
  CHECK(pdf.parent == 0);
  CHECK(pdf.encoding == TransferEncoding::kBase64);
  CHECK(decode_body(msg, pdf).bytes == "%PDF-1.4\n");
  CHECK(part_filename(pdf) == "devis.pdf");
  CHECK(part_disposition(pdf) == "attachment");
  CHECK(msg.problem_count == 0);
}

TEST_CASE("IMAP section numbers name parts and find them back") {
  Message msg = parse_ok(kMixed);
  CHECK(find_section(msg, {}) == 0);
  CHECK(find_section(msg, {1}) == 1);
  CHECK(find_section(msg, {1, 1}) == 2);
  CHECK(find_section(msg, {1, 2}) == 3);
  CHECK(find_section(msg, {2}) == 4);
  CHECK(find_section(msg, {3}) == kNoPart);
  CHECK(find_section(msg, {0}) == kNoPart);
  CHECK(find_section(msg, {2, 1}) == kNoPart);  // a leaf inside a multipart has no parts
  for (uint32_t i = 1; i < msg.parts.size(); ++i) {
    CHECK(find_section(msg, section_of(msg, i)) == i);
  }
  CHECK(section_of(msg, 0).empty());
  CHECK(section_of(msg, 3) == std::vector<uint32_t>{1, 2});

  const std::string single_bytes = "Subject: x\r\n\r\nbody\r\n";
  Message single = parse_ok(single_bytes);
  CHECK(find_section(single, {1}) == 0);
  CHECK(find_section(single, {2}) == kNoPart);
  CHECK(section_of(single, 0) == std::vector<uint32_t>{1});
}

TEST_CASE("an encapsulated message is parsed and numbered as IMAP does") {
  std::string m =
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
      "--b\r\n"
      "Content-Type: text/plain\r\n\r\n"
      "Voir ci-dessous.\r\n"
      "--b\r\n"
      "Content-Type: message/rfc822\r\n\r\n"
      "From: jean.petit@ma-societe.fr\r\n"
      "Subject: original\r\n"
      "Content-Type: multipart/alternative; boundary=c\r\n\r\n"
      "--c\r\n\r\nplain\r\n--c\r\nContent-Type: text/html\r\n\r\n<b>html</b>\r\n--c--\r\n"
      "--b\r\n"
      "Content-Type: message/global\r\n\r\n"
      "Subject: =?utf-8?q?r=C3=A9ponse?=\r\n\r\n"
      "Texte brut\r\n"
      "--b--\r\n";
  Message msg = parse_ok(m);
  check_layout(msg);
  // 0 mixed, 1 text, 2 rfc822, 3 inner alternative, 4, 5 its parts, 6 global, 7 inner leaf
  REQUIRE(msg.parts.size() == 8);
  const Part& rfc = msg.parts[2];
  CHECK(rfc.kind == PartKind::kMessage);
  REQUIRE(rfc.children == std::vector<uint32_t>{3});
  const Part& inner = msg.parts[3];
  CHECK(inner.find("Subject") != nullptr);
  CHECK(inner.header_offset == rfc.body_offset);
  CHECK(inner.kind == PartKind::kMultipart);
  CHECK(body_of(msg, 5) == "<b>html</b>");
  CHECK(rfc.body_lines == 11);  // line ends: the last line before a boundary has none

  CHECK(find_section(msg, {2}) == 2);
  CHECK(find_section(msg, {2, 1}) == 4);
  CHECK(find_section(msg, {2, 2}) == 5);
  CHECK(find_section(msg, {3}) == 6);
  CHECK(find_section(msg, {3, 1}) == 7);  // a non-multipart encapsulated message: its body
  CHECK(find_section(msg, {3, 2}) == kNoPart);
  CHECK(section_of(msg, 3).empty());
  for (uint32_t i : {1u, 2u, 4u, 5u, 6u, 7u}) CHECK(find_section(msg, section_of(msg, i)) == i);
  CHECK(body_of(msg, 7) == "Texte brut");
}

TEST_CASE("a multipart without a usable boundary is read as one part") {
  std::string none = "Content-Type: multipart/mixed\r\n\r\n--x\r\nHello\r\n--x--\r\n";
  Message a = parse_ok(none);
  REQUIRE(a.parts.size() == 1);
  CHECK(a.root().kind == PartKind::kLeaf);
  CHECK(a.root().content_type.mime_type() == "multipart/mixed");
  REQUIRE(a.root().problems.size() == 1);
  CHECK(a.root().problems[0].find("boundary") != std::string::npos);

  std::string never = "Content-Type: multipart/mixed; boundary=zz\r\n\r\n--x\r\nHello\r\n";
  Message b = parse_ok(never);
  REQUIRE(b.parts.size() == 1);
  CHECK(b.root().kind == PartKind::kLeaf);
  CHECK(b.root().problems[0].find("never appears") != std::string::npos);
  CHECK(body_of(b, 0) == "--x\r\nHello\r\n");
}

TEST_CASE("a missing close delimiter ends the multipart with its region") {
  std::string m =
      "Content-Type: multipart/mixed; boundary=out\r\n\r\n"
      "--out\r\n"
      "Content-Type: multipart/alternative; boundary=in\r\n\r\n"
      "--in\r\n\r\nfirst\r\n"
      "--in\r\n\r\nsecond\r\n"
      "--out\r\n\r\nthird\r\n";
  Message msg = parse_ok(m);
  check_layout(msg);
  REQUIRE(msg.parts.size() == 5);
  CHECK(msg.parts[1].kind == PartKind::kMultipart);
  CHECK(body_of(msg, 3) == "second");  // the outer delimiter ends the inner multipart
  CHECK(body_of(msg, 4) == "third\r\n");
  CHECK(msg.parts[1].problems.size() == 1);
  CHECK(msg.parts[0].problems.size() == 1);
  CHECK(msg.parts[0].epilogue_offset == msg.parts[0].body_end);
  CHECK(msg.problem_count == 2);
}

TEST_CASE("delimiter lines are recognised exactly, with transport padding and LF ends") {
  std::string m =
      "Content-Type: multipart/mixed; boundary=\"b c\"\n\n"
      "--b c  \t\n"
      "\n"
      "--b cx is content\n"
      " --b c is content\n"
      "--b c\n"
      "\n"
      "two\n"
      "--b c-- \n";
  Message msg = parse_ok(m);
  check_layout(msg);
  REQUIRE(msg.parts.size() == 3);
  CHECK(body_of(msg, 1) == "--b cx is content\n --b c is content");
  CHECK(body_of(msg, 2) == "two");
  CHECK(msg.problem_count == 0);
}

TEST_CASE("adjacent delimiters give an empty part, and a part without header is text/plain") {
  std::string m =
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
      "--b\r\n"
      "--b\r\n"
      "no header here\r\n"
      "--b--";
  Message msg = parse_ok(m);
  check_layout(msg);
  REQUIRE(msg.parts.size() == 3);
  CHECK(body_of(msg, 1).empty());
  CHECK(body_of(msg, 2) == "no header here");
  CHECK(msg.parts[2].content_type.mime_type() == "text/plain");
  CHECK(msg.parts[0].epilogue_offset == m.size());
}

TEST_CASE("parts of a multipart/digest default to message/rfc822") {
  std::string m =
      "Content-Type: multipart/digest; boundary=d\r\n\r\n"
      "--d\r\n\r\nSubject: un\r\n\r\ncorps un\r\n"
      "--d\r\nContent-Type: text/plain\r\n\r\nnot a message\r\n"
      "--d--\r\n";
  Message msg = parse_ok(m);
  check_layout(msg);
  REQUIRE(msg.parts.size() == 4);
  CHECK(msg.parts[1].content_type.mime_type() == "message/rfc822");
  CHECK(msg.parts[1].kind == PartKind::kMessage);
  CHECK(msg.parts[2].find("Subject") != nullptr);
  CHECK(body_of(msg, 2) == "corps un");
  CHECK(msg.parts[3].content_type.mime_type() == "text/plain");
}

TEST_CASE("transfer encodings are read from the field, comments and case ignored") {
  const std::string a_bytes = "Content-Transfer-Encoding: Base64 (old mailer)\r\n\r\naGk=\r\n";
  Message a = parse_ok(a_bytes);
  CHECK(a.root().encoding == TransferEncoding::kBase64);
  CHECK(a.root().encoding_name == "base64");
  CHECK(decode_body(a, a.root()).bytes == "hi");

  const std::string b_bytes = "Content-Transfer-Encoding: x-uuencode\r\n\r\nbegin 644 f\r\n";
  Message b = parse_ok(b_bytes);
  CHECK(b.root().encoding == TransferEncoding::kUnknown);
  CHECK(b.root().encoding_name == "x-uuencode");
  CHECK(b.problem_count == 1);
  CHECK(decode_body(b, b.root()).bytes == "begin 644 f\r\n");

  // An encapsulated message in base64 cannot be read in place: it stays content.
  const std::string c_bytes =
      "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n"
      "U3ViamVjdDogeA0KDQpoaQ0K\r\n";
  Message c = parse_ok(c_bytes);
  CHECK(c.root().kind == PartKind::kLeaf);
  CHECK(decode_body(c, c.root()).bytes == "Subject: x\r\n\r\nhi\r\n");
}

TEST_CASE("body text is converted from the part's charset, unknown charsets reported") {
  const std::string a_bytes =
      "Content-Type: text/plain; charset=iso-8859-1\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
      "Caf=E9 cr=E8me\r\n";
  Message a = parse_ok(a_bytes);
  auto text = body_text(a, a.root());
  REQUIRE(text.is_ok());
  CHECK(text->text == "Caf\xC3\xA9 cr\xC3\xA8me\r\n");
  CHECK(text->clean);

  const std::string b_bytes = "Content-Type: text/plain; charset=x-martian\r\n\r\nbody\r\n";
  Message b = parse_ok(b_bytes);
  auto unknown = body_text(b, b.root());
  REQUIRE_FALSE(unknown.is_ok());
  CHECK(unknown.status().code() == Code::kUnsupported);
  CHECK(unknown.status().message().find("x-martian") != std::string::npos);

  // 8-bit bytes without any charset: read as UTF-8 when they are valid UTF-8.
  const std::string c_bytes = "Subject: x\r\n\r\n\xC3\xA9t\xC3\xA9\r\n";
  Message c = parse_ok(c_bytes);
  auto eight = body_text(c, c.root());
  REQUIRE(eight.is_ok());
  CHECK(eight->text == "\xC3\xA9t\xC3\xA9\r\n");
}

TEST_CASE("part names come from the disposition, then the type, RFC 2047 and 2231 decoded") {
  const std::string a_bytes =
      "Content-Type: application/pdf; name=\"=?utf-8?q?facture_d=C3=A9cembre.pdf?=\"\r\n\r\nx";
  Message a = parse_ok(a_bytes);
  CHECK(part_filename(a.root()) ==
        "facture d\xC3\xA9"
        "cembre.pdf");
  const std::string b_bytes =
      "Content-Type: application/pdf; name=old.pdf\r\n"
      "Content-Disposition: attachment;\r\n filename*0*=utf-8''r%C3%A9sum;\r\n filename*1=e.pdf\r\n"
      "\r\nx";
  Message b = parse_ok(b_bytes);
  CHECK(part_filename(b.root()) == "r\xC3\xA9sume.pdf");
  const std::string c_bytes = "Subject: x\r\n\r\nx";
  Message c = parse_ok(c_bytes);
  CHECK(part_filename(c.root()).empty());
  CHECK(part_disposition(c.root()).empty());
}

TEST_CASE("the nesting depth and part count limits refuse the message with a clear error") {
  std::string deep;
  for (int i = 0; i < 10; ++i)
    deep += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\r\n\r\n--b" +
            std::to_string(i) + "\r\n";
  deep += "\r\nleaf\r\n";
  MimeLimits limits;
  limits.max_depth = 5;
  auto r = parse_message(deep, limits);
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().code() == Code::kResourceExhausted);
  CHECK(r.status().message().find("deeper than 5 levels") != std::string::npos);
  limits.max_depth = 10;
  CHECK(parse_message(deep, limits).is_ok());

  std::string many = "Content-Type: multipart/mixed; boundary=b\r\n\r\n";
  for (int i = 0; i < 20; ++i) many += "--b\r\n\r\npart\r\n";
  many += "--b--\r\n";
  limits.max_parts = 10;
  auto p = parse_message(many, limits);
  REQUIRE_FALSE(p.is_ok());
  CHECK(p.status().message().find("more than 10 MIME parts") != std::string::npos);
  limits.max_parts = 21;
  CHECK(parse_message(many, limits).is_ok());
}

TEST_CASE("a part's oversized header block is refused with the part's offset") {
  std::string m = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n";
  for (int i = 0; i < 50; ++i) m += "X-Filler: 0123456789012345678901234567890123456789\r\n";
  m += "\r\nbody\r\n--b--\r\n";
  MimeLimits limits;
  limits.header.max_bytes = 1024;
  auto r = parse_message(m, limits);
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().code() == Code::kResourceExhausted);
  CHECK(r.status().message().find("MIME part starting at byte 50") != std::string::npos);
}
