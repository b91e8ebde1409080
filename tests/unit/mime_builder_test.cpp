// Unit tests of the message builder (mime/builder.h). The output is checked for its wire
// properties (CRLF only, line lengths, 7-bit, dot-safety, boundaries) and read back with
// the module's parsers: header fields, address lists, dates, parameters, and the whole
// MIME tree (mime/message.h) with its bodies decoded (mime/body.h).
#include <doctest/doctest.h>

#include "mime/address.h"
#include "mime/body.h"
#include "mime/builder.h"
#include "mime/content_type.h"
#include "mime/date.h"
#include "mime/encoded_word.h"
#include "mime/header.h"
#include "mime/message.h"
#include "mime/message_id.h"
#include "mime/transfer_encoding.h"

#include <set>
#include <string>
#include <vector>

using namespace mf::mime;
using mf::Code;

namespace {

// Wire properties every built message has: CRLF line ends only, a final CRLF, no NUL, no
// line over `max_line` octets, and only 7-bit bytes when `seven_bit`.
void check_wire(const std::string& m, bool seven_bit, size_t max_line = 998) {
  REQUIRE(m.size() >= 2);
  CHECK(m.substr(m.size() - 2) == "\r\n");
  size_t line_start = 0;
  for (size_t i = 0; i < m.size(); ++i) {
    auto c = static_cast<unsigned char>(m[i]);
    if (c == '\r') {
      REQUIRE_MESSAGE((i + 1 < m.size() && m[i + 1] == '\n'), "bare CR at byte " << i);
      CHECK_MESSAGE(i - line_start <= max_line, m.substr(line_start, i - line_start));
      line_start = i + 2;
      ++i;
    } else if (c == '\n') {
      FAIL("bare LF at byte " << i);
    } else {
      CHECK(c != 0);
      if (seven_bit) CHECK_MESSAGE(c < 0x80, "8-bit byte at " << i);
    }
  }
}

// The unfolded value of the message's first field called `name` ("" when absent).
std::string header_value(const std::string& m, std::string_view name) {
  auto block = parse_header_block(m);
  REQUIRE(block.is_ok());
  const HeaderField* f = block->find(name);
  return f ? unfold(f->value) : std::string();
}

// The names of the message's header fields, in order.
std::vector<std::string> field_names(const std::string& m) {
  auto block = parse_header_block(m);
  REQUIRE(block.is_ok());
  std::vector<std::string> names;
  for (const HeaderField& f : block->fields) names.emplace_back(f.name);
  return names;
}

// Every boundary declared in the message, in order of appearance.
std::vector<std::string> boundaries_of(const std::string& m) {
  std::vector<std::string> out;
  size_t p = 0;
  while ((p = m.find("boundary=\"", p)) != std::string::npos) {
    p += 10;
    out.push_back(m.substr(p, m.find('"', p) - p));
  }
  return out;
}

// Checks that a boundary occurs nowhere but in its Content-Type parameter and its own
// delimiter lines: so nothing inside the multipart, nor anywhere else, holds it.
void check_boundary_alone(const std::string& m, const std::string& b) {
  CHECK(b.size() <= 70);
  size_t occurrences = 0;
  size_t delimiters = 0;
  for (size_t p = m.find(b); p != std::string::npos; p = m.find(b, p + 1)) {
    ++occurrences;
    bool line_start = p >= 4 && m.compare(p - 4, 4, "\r\n--") == 0;
    bool line_end =
        m.compare(p + b.size(), 2, "\r\n") == 0 || m.compare(p + b.size(), 4, "--\r\n") == 0;
    if (line_start && line_end) ++delimiters;
  }
  CHECK_MESSAGE(occurrences == delimiters + 1, b);
  CHECK(delimiters >= 2);
}

Mailbox mbox(std::string display, std::string local, std::string domain) {
  Mailbox m;
  m.display_name = std::move(display);
  m.local = std::move(local);
  m.domain = std::move(domain);
  return m;
}

// CRLF line ends and a final line break: what a text part's content becomes.
std::string crlf(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') {
      out += "\r\n";
    } else {
      out.push_back(text[i]);
    }
  }
  if (!out.empty() && out.substr(out.size() - 2) != "\r\n") out += "\r\n";
  return out;
}

std::string pseudo_random_bytes(size_t n, uint32_t seed) {
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    seed = seed * 1103515245u + 12345u;
    out.push_back(static_cast<char>(seed >> 16));
  }
  return out;
}

std::string build(const OutgoingMessage& m, const BuildOptions& o = {}) {
  auto r = build_message(m, o);
  REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
  return std::move(r).value();
}

OutgoingMessage simple_message(Entity body) {
  OutgoingMessage m;
  m.from = {mbox("Alice", "alice", "example.org")};
  m.to = {mbox("", "bob", "example.net")};
  m.subject = "Hello";
  m.body = std::move(body);
  return m;
}

const char kFrenchText[] =
    "Bonjour Jérôme,\n\nVoici le compte rendu de la réunion du comité.\n"
    "Les décisions prises sont résumées ci-dessous.\n\nCordialement,\nL'équipe\n";

// A template-shaped message: mixed(related(alternative(text, html), inline image), pdf).
OutgoingMessage template_message() {
  std::string html = "<html><body><p>Bonjour J&eacute;r&ocirc;me,</p>";
  for (int i = 0; i < 40; ++i)
    html += "<p>Ligne " + std::to_string(i) + " du mailing, été comme hiver.</p>";
  html += "<img src=\"cid:logo.1234@example.org\"></body></html>\n";
  Entity image = binary_part("image", "png", pseudo_random_bytes(3000, 7));
  image.disposition = Disposition::kInline;
  image.content_id = "logo.1234@example.org";
  image.filename = "logo.png";
  Entity related = multipart(
      "related",
      {multipart("alternative", {text_part("plain", kFrenchText), text_part("html", html)}),
       image});
  related.params.push_back({"type", "multipart/alternative", ""});
  Entity pdf = binary_part("application", "pdf", pseudo_random_bytes(5000, 11));
  pdf.filename = "Facture été 2026.pdf";
  pdf.description = "Votre facture détaillée";

  OutgoingMessage m;
  m.from = {mbox("Équipe Ventes", "ventes", "exemple.fr")};
  m.reply_to = {mbox("Service client, Exemple", "support", "exemple.fr")};
  m.to = {mbox("Jérôme Dupont", "jerome", "example.org"), mbox("", "anne", "bücher.example")};
  m.cc = {mbox("Compta", "compta", "exemple.fr")};
  m.subject = "Votre facture d'été — merci de votre confiance";
  m.date = DateTime{1795936969, 60, false};
  m.message_id = "20261129.abc123@exemple.fr";
  m.extra_fields = {
      {"List-Unsubscribe", "<https://exemple.fr/u/abc123>, <mailto:u-abc123@exemple.fr>"},
      {"X-Campaign", "Été 2026"}};
  m.body = multipart("mixed", {related, pdf});
  return m;
}

}  // namespace

TEST_CASE("a plain text message has the standard fields in order and a 7-bit body") {
  OutgoingMessage m = simple_message(text_part("plain", "Hi Bob,\nsee you.\n"));
  m.date = DateTime{1795936969, -300, false};
  m.message_id = "1@example.org";
  m.in_reply_to = {"0@example.net"};
  m.references = {"a@example.net", "0@example.net"};
  m.cc = {mbox("", "carol", "example.com")};
  m.reply_to = {mbox("", "replies", "example.org")};
  m.extra_fields = {{"Auto-Submitted", "auto-generated"}};
  std::string out = build(m);
  check_wire(out, true, 78);
  CHECK(field_names(out) == std::vector<std::string>{"Date", "From", "Reply-To", "To", "Cc",
                                                     "Subject", "Message-ID", "In-Reply-To",
                                                     "References", "Auto-Submitted", "MIME-Version",
                                                     "Content-Type", "Content-Transfer-Encoding"});
  CHECK(header_value(out, "MIME-Version") == "1.0");
  CHECK(header_value(out, "Content-Type") == "text/plain; charset=utf-8");
  CHECK(header_value(out, "Content-Transfer-Encoding") == "7bit");
  CHECK(out.substr(out.find("\r\n\r\n") + 4) == "Hi Bob,\r\nsee you.\r\n");
  auto date = parse_date(header_value(out, "Date"));
  REQUIRE(date.is_ok());
  CHECK(*date == *m.date);
  CHECK(parse_message_ids(header_value(out, "References")).ids == m.references);
  CHECK(parse_message_ids(header_value(out, "Message-ID")).ids ==
        std::vector<std::string>{"1@example.org"});
}

TEST_CASE("text line ends of every kind become CRLF, with a final line break") {
  std::string out = build(simple_message(text_part("plain", "a\nb\rc\r\nd")));
  check_wire(out, true);
  CHECK(out.substr(out.find("\r\n\r\n") + 4) == "a\r\nb\r\nc\r\nd\r\n");
  // An empty text stays empty; the message still ends with CRLF.
  std::string empty = build(simple_message(text_part("plain", "")));
  check_wire(empty, true);
  CHECK(empty.substr(empty.size() - 4) == "\r\n\r\n");
}

TEST_CASE("the transfer encoding of text follows its content") {
  CHECK(choose_text_encoding("Hello\r\nworld\r\n", false) == TextEncoding::k7bit);
  CHECK(choose_text_encoding("", false) == TextEncoding::k7bit);
  CHECK(choose_text_encoding("a\r\n.hidden\r\n", false) == TextEncoding::kQuotedPrintable);
  CHECK(choose_text_encoding("a\r\nFrom here\r\n", true) == TextEncoding::kQuotedPrintable);
  CHECK(choose_text_encoding("a\r\nFrom: here\r\n", false) == TextEncoding::k7bit);
  CHECK(choose_text_encoding(std::string(999, 'x') + "\r\n", false) ==
        TextEncoding::kQuotedPrintable);
  CHECK(choose_text_encoding(std::string(998, 'x') + "\r\n", false) == TextEncoding::k7bit);
  CHECK(choose_text_encoding(std::string("a NUL \0 byte\r\n", 15), true) ==
        TextEncoding::kQuotedPrintable);
  std::string french = crlf(kFrenchText);
  CHECK(choose_text_encoding(french, false) == TextEncoding::kQuotedPrintable);
  CHECK(choose_text_encoding(french, true) == TextEncoding::k8bit);
  std::string russian = "Привет, это письмо написано по-русски.\r\n";
  CHECK(choose_text_encoding(russian, false) == TextEncoding::kBase64);
  CHECK(choose_text_encoding(russian, true) == TextEncoding::k8bit);
  // The threshold: one escaped byte in six is QP, more is base64 ("é" is two bytes).
  CHECK(choose_text_encoding("\u00e9" + std::string(10, 'a'), false) ==
        TextEncoding::kQuotedPrintable);
  CHECK(choose_text_encoding("\u00e9" + std::string(9, 'a'), false) == TextEncoding::kBase64);
  CHECK(choose_text_encoding("=" + std::string(5, 'a') + "\r\n.", false) ==
        TextEncoding::kQuotedPrintable);
}

TEST_CASE("no line of a built body starts with a dot or From, and the text decodes back") {
  std::string text = "Hello\n.\n.hidden line\nFrom here on\nend\n";
  std::string out = build(simple_message(text_part("plain", text)));
  check_wire(out, true, 78);
  CHECK(header_value(out, "Content-Transfer-Encoding") == "quoted-printable");
  std::string body = out.substr(out.find("\r\n\r\n") + 4);
  CHECK(body.find("\r\n.") == std::string::npos);
  CHECK(body.find("\r\nFrom ") == std::string::npos);
  CHECK(body.rfind(".", 0) == std::string::npos);
  Decoded d = qp_decode(body);
  CHECK(d.clean);
  CHECK(d.bytes == crlf(text));
}

TEST_CASE("non-ASCII text is quoted-printable or base64 without 8BITMIME, 8bit with it") {
  std::string fr = build(simple_message(text_part("plain", kFrenchText)));
  check_wire(fr, true, 78);
  CHECK(header_value(fr, "Content-Transfer-Encoding") == "quoted-printable");
  CHECK(qp_decode(fr.substr(fr.find("\r\n\r\n") + 4)).bytes == crlf(kFrenchText));

  std::string ru_text = "Привет! Это письмо написано по-русски, чтобы проверить base64.\n";
  std::string ru = build(simple_message(text_part("plain", ru_text)));
  check_wire(ru, true, 78);
  CHECK(header_value(ru, "Content-Transfer-Encoding") == "base64");
  CHECK(base64_decode(ru.substr(ru.find("\r\n\r\n") + 4)).bytes == crlf(ru_text));

  BuildOptions eight;
  eight.eight_bit = true;
  std::string raw = build(simple_message(text_part("plain", kFrenchText)), eight);
  check_wire(raw, false, 78);
  CHECK(header_value(raw, "Content-Transfer-Encoding") == "8bit");
  CHECK(raw.substr(raw.find("\r\n\r\n") + 4) == crlf(kFrenchText));
}

TEST_CASE("binary content is base64 whatever it holds and decodes back") {
  for (std::string data :
       {pseudo_random_bytes(10000, 3), std::string("plain ASCII\n"), std::string()}) {
    std::string out = build(simple_message(binary_part("application", "octet-stream", data)));
    check_wire(out, true, 78);
    CHECK(header_value(out, "Content-Transfer-Encoding") == "base64");
    Decoded d = base64_decode(out.substr(out.find("\r\n\r\n") + 4));
    CHECK(d.clean);
    CHECK(d.bytes == data);
  }
}

TEST_CASE("without SMTPUTF8 or 8BITMIME a message full of non-ASCII is 7-bit and reads back") {
  OutgoingMessage m = template_message();
  std::string out = build(m);
  check_wire(out, true, 78);

  DecodedHeaderText subject = decode_encoded_words(header_value(out, "Subject"));
  CHECK(subject.clean);
  CHECK(subject.text == m.subject);
  CHECK(decode_encoded_words(header_value(out, "X-Campaign")).text == "Été 2026");
  CHECK(header_value(out, "List-Unsubscribe") == m.extra_fields[0].value);

  AddressList from = parse_address_list(header_value(out, "From"));
  REQUIRE(from.mailboxes.size() == 1);
  CHECK(from.mailboxes[0].display_name == "Équipe Ventes");
  CHECK(from.mailboxes[0].addr_spec() == "ventes@exemple.fr");
  AddressList reply = parse_address_list(header_value(out, "Reply-To"));
  REQUIRE(reply.mailboxes.size() == 1);
  CHECK(reply.mailboxes[0].display_name == "Service client, Exemple");
  AddressList to = parse_address_list(header_value(out, "To"));
  CHECK(to.errors.empty());
  REQUIRE(to.mailboxes.size() == 2);
  CHECK(to.mailboxes[0].display_name == "Jérôme Dupont");
  CHECK(to.mailboxes[1].domain == "xn--bcher-kva.example");
}

TEST_CASE("with SMTPUTF8 header text is raw UTF-8 and non-ASCII local parts are allowed") {
  OutgoingMessage m = template_message();
  m.to.push_back(mbox("", "jérôme", "exemple.fr"));
  BuildOptions o;
  o.smtputf8 = true;
  std::string out = build(m, o);
  check_wire(out, false);
  CHECK(header_value(out, "Subject") == m.subject);
  CHECK(header_value(out, "From") == "Équipe Ventes <ventes@exemple.fr>");
  AddressList to = parse_address_list(header_value(out, "To"));
  REQUIRE(to.mailboxes.size() == 3);
  CHECK(to.mailboxes[1].domain == "bücher.example");
  CHECK(to.mailboxes[2].local == "jérôme");
  CHECK(out.find("filename=\"Facture été 2026.pdf\"") != std::string::npos);
  // Bodies stay 7-bit: SMTPUTF8 alone does not allow 8bit bodies here.
  auto parsed = parse_message(out);
  REQUIRE(parsed.is_ok());
  for (const Part& p : parsed->parts) CHECK(p.encoding != TransferEncoding::k8bit);

  auto refused = build_message(m);
  REQUIRE_FALSE(refused.is_ok());
  CHECK(refused.status().code() == Code::kInvalidArgument);
  CHECK(refused.status().message().find("SMTPUTF8") != std::string::npos);
  CHECK(refused.status().message().find("To") != std::string::npos);
}

TEST_CASE("a template message parses back to the same tree, types and decoded bodies") {
  OutgoingMessage m = template_message();
  std::string out = build(m);
  auto parsed = parse_message(out);
  REQUIRE(parsed.is_ok());
  const Message& msg = *parsed;
  CHECK(msg.problem_count == 0);
  REQUIRE(msg.parts.size() == 7);
  std::vector<std::string> types;
  for (const Part& p : msg.parts) types.push_back(p.content_type.mime_type());
  CHECK(types == std::vector<std::string>{"multipart/mixed", "multipart/related",
                                          "multipart/alternative", "text/plain", "text/html",
                                          "image/png", "application/pdf"});
  CHECK(msg.parts[0].children == std::vector<uint32_t>{1, 6});
  CHECK(msg.parts[1].children == std::vector<uint32_t>{2, 5});
  CHECK(msg.parts[2].children == std::vector<uint32_t>{3, 4});

  const Entity& related = m.body.parts[0];
  const Entity& alternative = related.parts[0];
  auto text = body_text(msg, msg.parts[3]);
  REQUIRE(text.is_ok());
  CHECK(text->text == crlf(alternative.parts[0].data));
  auto html = body_text(msg, msg.parts[4]);
  REQUIRE(html.is_ok());
  CHECK(html->text == crlf(alternative.parts[1].data));
  CHECK(msg.parts[4].encoding == TransferEncoding::kQuotedPrintable);
  CHECK(decode_body(msg, msg.parts[5]).bytes == related.parts[1].data);
  CHECK(decode_body(msg, msg.parts[6]).bytes == m.body.parts[1].data);

  CHECK(part_disposition(msg.parts[5]) == "inline");
  CHECK(part_filename(msg.parts[5]) == "logo.png");
  const HeaderField* cid = msg.parts[5].find("Content-ID");
  REQUIRE(cid != nullptr);
  CHECK(parse_message_ids(cid->value).ids == std::vector<std::string>{"logo.1234@example.org"});
  CHECK(part_disposition(msg.parts[6]) == "attachment");
  CHECK(part_filename(msg.parts[6]) == "Facture été 2026.pdf");
  const HeaderField* desc = msg.parts[6].find("Content-Description");
  REQUIRE(desc != nullptr);
  CHECK(decode_encoded_words(unfold(desc->value)).text == "Votre facture détaillée");
  const Parameter* type = msg.parts[1].content_type.params.find("type");
  REQUIRE(type != nullptr);
  CHECK(type->value == "multipart/alternative");
  ContentType ct = parse_content_type(header_value(out, "Content-Type"));
  CHECK(ct.problems.empty());
}

TEST_CASE("boundaries are absent from the parts they enclose and distinct when nested") {
  std::string out = build(template_message());
  std::vector<std::string> bs = boundaries_of(out);
  REQUIRE(bs.size() == 3);
  CHECK(std::set<std::string>(bs.begin(), bs.end()).size() == 3);
  for (const std::string& b : bs) {
    CHECK(b.rfind("=_", 0) == 0);
    check_boundary_alone(out, b);
  }
}

TEST_CASE("a boundary found in the content is not used; another one is picked") {
  // With the same seed the first candidate is the same: put it in the content.
  std::string first = build(simple_message(multipart("mixed", {text_part("plain", "hello")})));
  std::vector<std::string> bs = boundaries_of(first);
  REQUIRE(bs.size() == 1);
  std::string trap =
      "--" + bs[0] + "\n" + "Content-Type: text/html\n\n<b>injected</b>\n--" + bs[0] + "--\n";
  std::string out = build(simple_message(multipart("mixed", {text_part("plain", trap)})));
  std::vector<std::string> now = boundaries_of(out);
  REQUIRE(now.size() == 1);
  CHECK(now[0] != bs[0]);
  check_boundary_alone(out, now[0]);
  auto parsed = parse_message(out);
  REQUIRE(parsed.is_ok());
  REQUIRE(parsed->parts.size() == 2);
  CHECK(decode_body(*parsed, parsed->parts[1]).bytes == crlf(trap));
}

TEST_CASE("the same seed gives the same bytes, another seed other boundaries") {
  OutgoingMessage m = template_message();
  CHECK(build(m) == build(m));
  BuildOptions other;
  other.boundary_seed = 42;
  std::vector<std::string> a = boundaries_of(build(m));
  std::vector<std::string> b = boundaries_of(build(m, other));
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) CHECK(a[i] != b[i]);
}

TEST_CASE("a DSN is a multipart/report with text, delivery-status and the returned message") {
  OutgoingMessage original = simple_message(
      multipart("alternative", {text_part("plain", "Hi\n"), text_part("html", "<p>Hi</p>\n")}));
  original.message_id = "orig.1@example.org";
  std::string original_bytes = build(original);

  OutgoingMessage dsn;
  dsn.from = {mbox("Mail Delivery System", "MAILER-DAEMON", "mx.example.org")};
  dsn.to = {mbox("", "alice", "example.org")};
  dsn.subject = "Undelivered Mail Returned to Sender";
  dsn.date = DateTime{1795936969, 0, false};
  dsn.message_id = "dsn.1@mx.example.org";
  dsn.extra_fields = {{"Auto-Submitted", "auto-replied"}};
  std::string status =
      "Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; bob@example.net\n"
      "Action: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 no such user\n";
  dsn.body = multipart("report", {text_part("plain", "Your message could not be delivered.\n"),
                                  delivery_status_part(status), message_part(original_bytes)});
  dsn.body.params.push_back({"report-type", "delivery-status", ""});
  // The same seed as the original's: the first candidate boundary is the original's own.
  std::string out = build(dsn);
  check_wire(out, true, 78);
  CHECK(header_value(out, "Content-Type").find("multipart/report; report-type=delivery-status;") ==
        0);
  std::vector<std::string> bs = boundaries_of(out);
  REQUIRE(bs.size() == 2);  // the report's, then the returned message's
  CHECK(bs[0] != bs[1]);
  check_boundary_alone(out, bs[0]);

  auto parsed = parse_message(out);
  REQUIRE(parsed.is_ok());
  const Message& msg = *parsed;
  CHECK(msg.problem_count == 0);
  REQUIRE(msg.parts[0].children.size() == 3);
  const Part& text = msg.parts[msg.parts[0].children[0]];
  const Part& ds = msg.parts[msg.parts[0].children[1]];
  const Part& returned = msg.parts[msg.parts[0].children[2]];
  CHECK(text.content_type.mime_type() == "text/plain");
  CHECK(ds.content_type.mime_type() == "message/delivery-status");
  CHECK(msg.body_bytes(ds) == crlf(status));
  CHECK(returned.content_type.mime_type() == "message/rfc822");
  CHECK(returned.kind == PartKind::kMessage);
  CHECK(msg.body_bytes(returned) == original_bytes);
  REQUIRE(returned.children.size() == 1);
  const Part& inner = msg.parts[returned.children[0]];
  CHECK(inner.content_type.mime_type() == "multipart/alternative");
  CHECK(inner.children.size() == 2);
}

TEST_CASE("a DSN returning only the headers uses text/rfc822-headers") {
  std::string original_headers =
      "From: alice@example.org\r\nTo: bob@example.net\r\nSubject: caf\xE9\r\n";
  OutgoingMessage dsn = simple_message(multipart(
      "report",
      {text_part("plain", "Not delivered.\n"),
       delivery_status_part("Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; "
                            "bob@example.net\nAction: failed\nStatus: 5.0.0\n"),
       headers_part(original_headers)}));
  dsn.body.params.push_back({"report-type", "delivery-status", ""});
  std::string out = build(dsn);
  check_wire(out, true, 78);
  auto parsed = parse_message(out);
  REQUIRE(parsed.is_ok());
  REQUIRE(parsed->parts.size() == 4);
  CHECK(parsed->parts[3].content_type.mime_type() == "text/rfc822-headers");
  auto text = body_text(*parsed, parsed->parts[3]);
  REQUIRE(text.is_ok());
  CHECK(text->text == "From: alice@example.org\r\nTo: bob@example.net\r\nSubject: caf\uFFFD\r\n");
}

TEST_CASE("an embedded message with 8-bit bytes needs 8BITMIME, and its multipart says 8bit") {
  BuildOptions eight;
  eight.eight_bit = true;
  std::string original = build(simple_message(text_part("plain", kFrenchText)), eight);
  OutgoingMessage dsn = simple_message(
      multipart("report", {text_part("plain", "Not delivered.\n"), message_part(original)}));
  auto refused = build_message(dsn);
  REQUIRE_FALSE(refused.is_ok());
  CHECK(refused.status().code() == Code::kInvalidArgument);
  CHECK(refused.status().message().find("part 2 (message/rfc822)") != std::string::npos);
  CHECK(refused.status().message().find("8BITMIME") != std::string::npos);
  std::string out = build(dsn, eight);
  check_wire(out, false);
  CHECK(header_value(out, "Content-Transfer-Encoding") == "8bit");
}

TEST_CASE("verbatim parts must already be CRLF text without NUL or overlong lines") {
  for (std::string bad :
       {std::string("From: a@b.c\nSubject: x\r\n\r\nbody\r\n"), std::string("a\rb\r\n"),
        std::string("a\r\n\0\r\n", 5), std::string(1000, 'x') + "\r\n"}) {
    auto r = build_message(simple_message(multipart("mixed", {message_part(bad)})));
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
    CHECK(r.status().message().find("part 1 (message/rfc822)") != std::string::npos);
  }
}

TEST_CASE("malformed messages and entities are refused with a reason naming the culprit") {
  auto expect = [](const OutgoingMessage& m, std::string_view words,
                   Code code = Code::kInvalidArgument) {
    auto r = build_message(m);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == code);
    CHECK_MESSAGE(r.status().message().find(words) != std::string::npos, r.status().message());
  };
  OutgoingMessage m = simple_message(text_part("plain", "x"));
  m.from.clear();
  expect(m, "From");
  m = simple_message(text_part("plain", "x"));
  m.from.push_back(mbox("", "second", "example.org"));
  expect(m, "Sender");
  m.sender = mbox("", "secretary", "example.org");
  CHECK(build_message(m).is_ok());

  expect(simple_message(text_part("plain", "caf\xE9")), "UTF-8");
  expect(simple_message(multipart("mixed", {})), "no parts");
  Entity with_boundary = multipart("mixed", {text_part("plain", "x")});
  with_boundary.params.push_back({"boundary", "mine", ""});
  expect(simple_message(with_boundary), "boundary");
  Entity with_charset = text_part("plain", "x");
  with_charset.params.push_back({"charset", "iso-8859-1", ""});
  expect(simple_message(with_charset), "charset");
  Entity encoded_message = binary_part("message", "rfc822", "From: a@b.c\r\n\r\nx\r\n");
  expect(simple_message(multipart("mixed", {text_part("plain", "x"), encoded_message})),
         "part 2 (message/rfc822)");
  Entity multipart_leaf = text_part("plain", "x");
  multipart_leaf.type = "multipart";
  expect(simple_message(multipart_leaf), "multipart");
  Entity bad_cid = text_part("plain", "x");
  bad_cid.content_id = "<x@y>";
  expect(simple_message(multipart("mixed", {bad_cid})), "part 1 (text/plain)");

  m = simple_message(text_part("plain", "x"));
  m.extra_fields = {{"Content-Type", "text/html"}};
  expect(m, "Content-Type");
  m.extra_fields = {{"X-Evil", "a\r\nBcc: victim@example.org"}};
  expect(m, "X-Evil");
  m.extra_fields = {{"X Bad", "a"}};
  expect(m, "X Bad");
  m.extra_fields.clear();
  m.date = DateTime{-5000000000, 0, false};
  expect(m, "Date");

  Entity deep = text_part("plain", "x");
  for (size_t i = 0; i <= kMaxBuildDepth; ++i) deep = multipart("mixed", {deep});
  expect(simple_message(deep), "levels deep", Code::kResourceExhausted);
}
