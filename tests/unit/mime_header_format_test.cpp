// Unit tests of header field writing (mime/header_format.h): every field is checked by
// parsing it back with the module's own parsers.
#include <doctest/doctest.h>

#include "mime/address.h"
#include "mime/content_type.h"
#include "mime/date.h"
#include "mime/encoded_word.h"
#include "mime/header.h"
#include "mime/header_format.h"
#include "mime/message_id.h"

#include <string>
#include <vector>

using namespace mf::mime;
using mf::Code;

namespace {

// Checks a field's layout (one field, CRLF-ended, folds are CRLF + whitespace, no blank
// line, every line within `max_line` octets, 7-bit when asked) and returns its unfolded
// value.
std::string check_field(const std::string& field, std::string_view name, bool seven_bit,
                        size_t max_line = kFoldColumn) {
  REQUIRE(field.size() >= 2);
  CHECK(field.substr(field.size() - 2) == "\r\n");
  REQUIRE(field.compare(0, name.size() + 1, std::string(name) + ":") == 0);
  size_t pos = 0;
  while (pos < field.size()) {
    size_t crlf = field.find("\r\n", pos);
    REQUIRE(crlf != std::string::npos);
    std::string_view line(field.data() + pos, crlf - pos);
    CHECK_MESSAGE(line.size() <= max_line, field);
    CHECK(line.find('\r') == std::string_view::npos);
    CHECK(line.find('\n') == std::string_view::npos);
    if (pos > 0) {
      REQUIRE(!line.empty());
      CHECK((line[0] == ' ' || line[0] == '\t'));
      CHECK(line.find_first_not_of(" \t") != std::string_view::npos);
    }
    pos = crlf + 2;
  }
  if (seven_bit) {
    for (char c : field) CHECK_MESSAGE(static_cast<unsigned char>(c) < 0x80, field);
  }
  std::string message = field + "\r\n";  // the fields are views into it
  auto block = parse_header_block(message);
  REQUIRE(block.is_ok());
  REQUIRE(block->fields.size() == 1);
  return unfold(block->fields[0].value);
}

std::string field_of(mf::Result<std::string> r) {
  REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
  return std::move(r).value();
}

Mailbox mbox(std::string display, std::string local, std::string domain, std::string group = "") {
  Mailbox m;
  m.display_name = std::move(display);
  m.local = std::move(local);
  m.domain = std::move(domain);
  m.group = std::move(group);
  return m;
}

// Formats, checks the layout and parses the list back.
AddressList address_round_trip(const std::vector<Mailbox>& list, HeaderCharset cs) {
  std::string field = field_of(format_address_field("To", list, cs));
  std::string value = check_field(field, "To", cs == HeaderCharset::kAscii);
  AddressList parsed = parse_address_list(value);
  CHECK_MESSAGE(parsed.errors.empty(), field);
  return parsed;
}

}  // namespace

TEST_CASE("a long ASCII subject folds at whitespace within 78 columns and unfolds back") {
  std::string subject;
  for (int i = 0; i < 30; ++i) subject += "word" + std::to_string(i) + " ";
  subject += "end";
  std::string field =
      field_of(format_unstructured_field("Subject", subject, HeaderCharset::kAscii));
  CHECK(field.find("\r\n ") != std::string::npos);
  CHECK(check_field(field, "Subject", true) == subject);
}

TEST_CASE("non-ASCII unstructured text becomes encoded words that decode back") {
  std::string subject = "Réunion du comité: ordre du jour — été 2026, 日本語のテキストも少し";
  std::string field =
      field_of(format_unstructured_field("Subject", subject, HeaderCharset::kAscii));
  std::string value = check_field(field, "Subject", true);
  CHECK(value.find("=?UTF-8?") != std::string::npos);
  DecodedHeaderText d = decode_encoded_words(value);
  CHECK(d.clean);
  CHECK(d.text == subject);
}

TEST_CASE("with SMTPUTF8 unstructured text stays raw UTF-8 and still folds") {
  std::string subject;
  for (int i = 0; i < 12; ++i) subject += "été déjà ";
  subject += "fin";
  std::string field = field_of(format_unstructured_field("Subject", subject, HeaderCharset::kUtf8));
  CHECK(field.find("=?") == std::string::npos);
  CHECK(field.find("\r\n ") != std::string::npos);
  CHECK(check_field(field, "Subject", false) == subject);
}

TEST_CASE("text that looks like an encoded word is encoded, so readers show it as written") {
  for (HeaderCharset cs : {HeaderCharset::kAscii, HeaderCharset::kUtf8}) {
    std::string subject = "about =?utf-8?q?x?= literally";
    std::string value =
        check_field(field_of(format_unstructured_field("Subject", subject, cs)), "Subject", false);
    CHECK(decode_encoded_words(value).text == subject);
  }
}

TEST_CASE("line breaks and control characters in header text are refused, not injected") {
  auto r =
      format_unstructured_field("Subject", "hi\r\nBcc: victim@example.org", HeaderCharset::kAscii);
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().code() == Code::kInvalidArgument);
  CHECK(r.status().message().find("Subject") != std::string::npos);
  CHECK_FALSE(format_unstructured_field("Subject", "a\nb", HeaderCharset::kUtf8).is_ok());
  CHECK_FALSE(
      format_unstructured_field("Subject", std::string("a\0b", 3), HeaderCharset::kAscii).is_ok());
  CHECK_FALSE(format_unstructured_field("Subject", "caf\xE9", HeaderCharset::kAscii).is_ok());
  auto m = mbox("Eve\r\nBcc: x@y.org", "eve", "example.org");
  CHECK_FALSE(format_address_field("From", {m}, HeaderCharset::kAscii).is_ok());
  CHECK_FALSE(format_unstructured_field("Bad Name", "x", HeaderCharset::kAscii).is_ok());
  CHECK_FALSE(format_unstructured_field("Bad:Name", "x", HeaderCharset::kAscii).is_ok());
}

TEST_CASE("a word too long for 998 octets is refused with the field named") {
  std::string word(1200, 'x');
  auto r = format_unstructured_field("X-Long", word, HeaderCharset::kAscii);
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().code() == Code::kInvalidArgument);
  CHECK(r.status().message().find("X-Long") != std::string::npos);
  // Shorter than 998, it stays whole on its own line.
  std::string ok(300, 'y');
  std::string field =
      field_of(format_unstructured_field("X-Long", "a " + ok, HeaderCharset::kAscii));
  CHECK(check_field(field, "X-Long", true, kMaxLineLength) == "a " + ok);
}

TEST_CASE("address lists fold between addresses and parse back to the same mailboxes") {
  std::vector<Mailbox> list;
  for (int i = 0; i < 15; ++i) {
    list.push_back(mbox(i % 2 ? "User Number " + std::to_string(i) : "", "user" + std::to_string(i),
                        "example.org"));
  }
  std::string field = field_of(format_address_field("To", list, HeaderCharset::kAscii));
  // Every fold comes right after an address's comma.
  size_t fold = 0;
  int folds = 0;
  while ((fold = field.find("\r\n ", fold)) != std::string::npos) {
    CHECK(field[fold - 1] == ',');
    ++fold;
    ++folds;
  }
  CHECK(folds >= 3);
  AddressList parsed = address_round_trip(list, HeaderCharset::kAscii);
  REQUIRE(parsed.mailboxes.size() == list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    CHECK(parsed.mailboxes[i].display_name == list[i].display_name);
    CHECK(parsed.mailboxes[i].local == list[i].local);
    CHECK(parsed.mailboxes[i].domain == list[i].domain);
  }
}

TEST_CASE("display names holding specials are quoted and come back exact") {
  std::vector<Mailbox> list = {
      mbox("Dupont, Jean", "jean", "example.fr"),
      mbox("John Q. Public", "jqp", "example.org"),
      mbox("a \"quoted\" \\ name", "q", "example.org"),
      mbox("Plain Name", "p", "example.org"),
      mbox("two  spaces\tand tab", "s", "example.org"),
  };
  std::string field = field_of(format_address_field("To", list, HeaderCharset::kAscii));
  CHECK(field.find("\"Dupont, Jean\" <jean@example.fr>") != std::string::npos);
  CHECK(field.find("Plain Name <p@example.org>") != std::string::npos);
  AddressList parsed = address_round_trip(list, HeaderCharset::kAscii);
  REQUIRE(parsed.mailboxes.size() == list.size());
  for (size_t i = 0; i < list.size(); ++i)
    CHECK(parsed.mailboxes[i].display_name == list[i].display_name);
}

TEST_CASE("non-ASCII display names become encoded words, specials included, and decode back") {
  std::vector<Mailbox> list = {
      mbox("Jérôme Dupont", "jd", "example.fr"),
      mbox("Dupont, Jérôme (Comptabilité)", "compta", "example.fr"),
      mbox("Ünïcödé \"quoted\" =?x?= name", "u", "example.org"),
      mbox("山田 太郎", "yamada", "example.jp"),
  };
  AddressList parsed = address_round_trip(list, HeaderCharset::kAscii);
  REQUIRE(parsed.mailboxes.size() == list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    CHECK(parsed.mailboxes[i].display_name == list[i].display_name);
    CHECK(parsed.mailboxes[i].local == list[i].local);
  }
}

TEST_CASE("a long display name folds inside its quoted string and inside encoded words") {
  std::string ascii =
      "Service de la comptabilité générale, des achats et des fournisseurs de la "
      "région Provence-Alpes-Côte d'Azur";
  std::string plain =
      "Service de la comptabilite generale, des achats et des fournisseurs de la "
      "region Provence-Alpes-Cote d'Azur";
  for (const std::string& name : {ascii, plain}) {
    std::vector<Mailbox> list = {mbox(name, "compta", "example.fr")};
    std::string field = field_of(format_address_field("From", list, HeaderCharset::kAscii));
    CHECK(field.find("\r\n ") != std::string::npos);
    AddressList parsed = parse_address_list(check_field(field, "From", true));
    REQUIRE(parsed.mailboxes.size() == 1);
    CHECK(parsed.mailboxes[0].display_name == name);
  }
}

TEST_CASE("a non-ASCII local part needs SMTPUTF8; with it the address is written raw") {
  std::vector<Mailbox> list = {mbox("", "jérôme", "example.fr")};
  auto r = format_address_field("To", list, HeaderCharset::kAscii);
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().code() == Code::kInvalidArgument);
  CHECK(r.status().message().find("SMTPUTF8") != std::string::npos);
  CHECK(r.status().message().find("To") != std::string::npos);
  AddressList parsed =
      address_round_trip({mbox("Jérôme", "jérôme", "exemple.fr")}, HeaderCharset::kUtf8);
  REQUIRE(parsed.mailboxes.size() == 1);
  CHECK(parsed.mailboxes[0].local == "jérôme");
  CHECK(parsed.mailboxes[0].display_name == "Jérôme");
}

TEST_CASE("a non-ASCII domain becomes its A-label in 7-bit mode and stays as is with SMTPUTF8") {
  AddressList seven =
      address_round_trip({mbox("", "info", "bücher.example")}, HeaderCharset::kAscii);
  REQUIRE(seven.mailboxes.size() == 1);
  CHECK(seven.mailboxes[0].domain == "xn--bcher-kva.example");
  AddressList utf8 = address_round_trip({mbox("", "info", "bücher.example")}, HeaderCharset::kUtf8);
  REQUIRE(utf8.mailboxes.size() == 1);
  CHECK(utf8.mailboxes[0].domain == "bücher.example");
  CHECK_FALSE(
      format_address_field("To", {mbox("", "a", "exa mple.org")}, HeaderCharset::kAscii).is_ok());
  CHECK_FALSE(
      format_address_field("To", {mbox("", "a", "example.org.")}, HeaderCharset::kAscii).is_ok());
  // An ASCII domain is checked for its syntax only, not against IDNA.
  CHECK(format_address_field("To", {mbox("", "a", "localhost")}, HeaderCharset::kAscii).is_ok());
}

TEST_CASE("quoted local parts, domain literals and groups parse back") {
  std::vector<Mailbox> list = {
      mbox("", "john doe", "example.org"),        mbox("Literal", "root", "[192.0.2.1]"),
      mbox("", "a", "example.org", "Team A"),     mbox("Bee", "b", "example.org", "Team A"),
      mbox("", "", "", "undisclosed-recipients"), mbox("", "last", "example.org"),
  };
  std::string field = field_of(format_address_field("To", list, HeaderCharset::kAscii));
  CHECK(field.find("\"john doe\"@example.org") != std::string::npos);
  CHECK(field.find("undisclosed-recipients:;") != std::string::npos);
  AddressList parsed = address_round_trip(list, HeaderCharset::kAscii);
  REQUIRE(parsed.mailboxes.size() == list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    CHECK(parsed.mailboxes[i].local == list[i].local);
    CHECK(parsed.mailboxes[i].domain == list[i].domain);
    CHECK(parsed.mailboxes[i].group == list[i].group);
    CHECK(parsed.mailboxes[i].display_name == list[i].display_name);
  }
}

TEST_CASE("malformed addresses are refused with the field and the address named") {
  CHECK_FALSE(format_address_field("To", {}, HeaderCharset::kAscii).is_ok());
  auto r = format_address_field("Cc", {mbox("", "ok", "example.org"), mbox("", "", "example.org")},
                                HeaderCharset::kAscii);
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().message().find("Cc") != std::string::npos);
  CHECK(r.status().message().find("address 2") != std::string::npos);
  CHECK_FALSE(format_address_field("To", {mbox("", "a", "")}, HeaderCharset::kAscii).is_ok());
  CHECK_FALSE(
      format_address_field("To", {mbox("", "a", "[1.2.3.4")}, HeaderCharset::kAscii).is_ok());
}

TEST_CASE("References fold between ids and parse back in order") {
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i)
    ids.push_back("thread." + std::to_string(i) + ".1234567890@mail.example.org");
  std::string field = field_of(format_message_id_field("References", ids, HeaderCharset::kAscii));
  size_t fold = 0;
  while ((fold = field.find("\r\n ", fold)) != std::string::npos) {
    CHECK(field[fold - 1] == '>');
    CHECK(field[fold + 3] == '<');
    ++fold;
  }
  MessageIdList parsed = parse_message_ids(check_field(field, "References", true));
  CHECK(parsed.problems.empty());
  CHECK(parsed.ids == ids);
  CHECK_FALSE(format_message_id_field("Message-ID", {"<a@b>"}, HeaderCharset::kAscii).is_ok());
  CHECK_FALSE(format_message_id_field("Message-ID", {"a b@c"}, HeaderCharset::kAscii).is_ok());
  CHECK_FALSE(format_message_id_field("Message-ID", {""}, HeaderCharset::kAscii).is_ok());
  CHECK_FALSE(format_message_id_field("Message-ID", {"é@x"}, HeaderCharset::kAscii).is_ok());
  CHECK(format_message_id_field("Message-ID", {"é@x"}, HeaderCharset::kUtf8).is_ok());
}

TEST_CASE("a Date field parses back to the same instant and zone") {
  DateTime dt{1795936969, 60, false};
  std::string field = format_date_field(dt);
  auto parsed = parse_date(check_field(field, "Date", true));
  REQUIRE(parsed.is_ok());
  CHECK(*parsed == dt);
}

TEST_CASE("parameters are tokens or quoted strings and parse back") {
  std::vector<Parameter> params = {
      {"charset", "utf-8", ""}, {"format", "flowed", ""}, {"Name", "my file (1).txt", ""}};
  std::string field =
      field_of(format_parameter_field("Content-Type", "Text/Plain", params, HeaderCharset::kAscii));
  CHECK(field.find("text/plain; charset=utf-8; format=flowed; name=\"my file (1).txt\"") !=
        std::string::npos);
  ContentType ct = parse_content_type(check_field(field, "Content-Type", true));
  CHECK(ct.problems.empty());
  CHECK(ct.mime_type() == "text/plain");
  REQUIRE(ct.params.find("name") != nullptr);
  CHECK(ct.params.find("name")->value == "my file (1).txt");
  // A bare token is a valid value (Content-Disposition's).
  CHECK(format_parameter_field("Content-Disposition", "inline", {}, HeaderCharset::kAscii).is_ok());
  CHECK_FALSE(
      format_parameter_field("Content-Type", "text/pl ain", {}, HeaderCharset::kAscii).is_ok());
  CHECK_FALSE(format_parameter_field("Content-Type", "text/plain", {{"na me", "x", ""}},
                                     HeaderCharset::kAscii)
                  .is_ok());
  CHECK_FALSE(
      format_parameter_field("Content-Type", "text/plain", {{"n*", "x", ""}}, HeaderCharset::kAscii)
          .is_ok());
}

TEST_CASE("a non-ASCII filename is RFC 2231 encoded in 7-bit mode and decodes back") {
  std::string name = "Facture été 2026 n°12.pdf";
  std::string field = field_of(format_parameter_field(
      "Content-Disposition", "attachment", {{"filename", name, ""}}, HeaderCharset::kAscii));
  CHECK(field.find("filename*=utf-8''") != std::string::npos);
  ContentDisposition cd =
      parse_content_disposition(check_field(field, "Content-Disposition", true));
  CHECK(cd.problems.empty());
  CHECK(cd.disposition == "attachment");
  REQUIRE(cd.params.find("filename") != nullptr);
  CHECK(cd.params.find("filename")->value == name);

  std::string raw = field_of(format_parameter_field(
      "Content-Disposition", "attachment", {{"filename", name, ""}}, HeaderCharset::kUtf8));
  CHECK(raw.find("filename=\"" + name + "\"") != std::string::npos);

  std::string lang =
      field_of(format_parameter_field("Content-Disposition", "attachment",
                                      {{"filename", "notes.txt", "fr"}}, HeaderCharset::kAscii));
  CHECK(lang.find("filename*=utf-8'fr'notes.txt") != std::string::npos);
  cd = parse_content_disposition(check_field(lang, "Content-Disposition", true));
  REQUIRE(cd.params.find("filename") != nullptr);
  CHECK(cd.params.find("filename")->language == "fr");
}

TEST_CASE("long parameter values are split into RFC 2231 sections that join back") {
  std::string ascii_name;
  for (int i = 0; i < 12; ++i) ascii_name += "Rapport \"annuel\" partie " + std::to_string(i) + " ";
  ascii_name += ".pdf";
  std::string utf8_name;
  for (int i = 0; i < 20; ++i) utf8_name += "Ça coûte très cher, ";
  utf8_name += "日本語.pdf";
  for (const std::string& name : {ascii_name, utf8_name}) {
    for (HeaderCharset cs : {HeaderCharset::kAscii, HeaderCharset::kUtf8}) {
      std::string field = field_of(format_parameter_field("Content-Disposition", "attachment",
                                                          {{"filename", name, ""}}, cs));
      CHECK(field.find("filename*0") != std::string::npos);
      CHECK(field.find("filename*1") != std::string::npos);
      ContentDisposition cd = parse_content_disposition(
          check_field(field, "Content-Disposition", cs == HeaderCharset::kAscii));
      CHECK(cd.problems.empty());
      REQUIRE(cd.params.find("filename") != nullptr);
      CHECK(cd.params.find("filename")->value == name);
    }
  }
  // Beyond 99 sections the value is refused.
  std::string huge(20000, 'x');
  auto r = format_parameter_field("Content-Disposition", "attachment", {{"filename", huge, ""}},
                                  HeaderCharset::kAscii);
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().message().find("filename") != std::string::npos);
}

TEST_CASE("random display names, subjects and filenames survive writing and parsing") {
  // Pieces chosen for trouble: specials, quotes, backslashes, encoded-word lookalikes,
  // non-ASCII of two to four bytes, long words.
  const std::vector<std::string> pieces = {
      "a",  "Jean",  "\"",
      "\\", ",",     ";",
      ":",  "<",     ">",
      "@",  "(",     ")",
      ".",  "[",     "]",
      "=?", "?=",    "=?utf-8?q?x?=",
      "_",  "'",     "%",
      "*",  "é",     "ü",
      "—",  "日本",  "😀",
      "=",  "Ωmega", "averyveryverylongwordthatgoesonandonandonforquiteawhilewithoutanybreakatall"};
  uint32_t seed = 12345;
  auto next = [&seed](uint32_t n) {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 8) % n;
  };
  for (int round = 0; round < 400; ++round) {
    // Words of 1-3 pieces separated by single spaces: what a phrase can carry exactly.
    std::string text;
    size_t words = 1 + next(8);
    for (size_t w = 0; w < words; ++w) {
      if (w > 0) text += ' ';
      size_t n = 1 + next(3);
      for (size_t k = 0; k < n; ++k) text += pieces[next(static_cast<uint32_t>(pieces.size()))];
    }
    CAPTURE(text);
    for (HeaderCharset cs : {HeaderCharset::kAscii, HeaderCharset::kUtf8}) {
      bool seven = cs == HeaderCharset::kAscii;
      AddressList list = parse_address_list(check_field(
          field_of(format_address_field(
              "To", {mbox(text, "user", "example.org"), mbox("", "b", "example.org")}, cs)),
          "To", seven, kMaxLineLength));
      CHECK(list.errors.empty());
      REQUIRE(list.mailboxes.size() == 2);
      CHECK(list.mailboxes[0].display_name == text);
      CHECK(list.mailboxes[0].addr_spec() == "user@example.org");

      std::string subject = check_field(field_of(format_unstructured_field("Subject", text, cs)),
                                        "Subject", seven, kMaxLineLength);
      CHECK(decode_encoded_words(subject).text == text);

      ContentDisposition cd = parse_content_disposition(
          check_field(field_of(format_parameter_field("Content-Disposition", "attachment",
                                                      {{"filename", text, ""}}, cs)),
                      "Content-Disposition", seven));
      CHECK(cd.problems.empty());
      REQUIRE(cd.params.find("filename") != nullptr);
      CHECK(cd.params.find("filename")->value == text);
    }
  }
}
