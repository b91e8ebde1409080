// Unit tests of header block splitting (mime/header.h).
#include <doctest/doctest.h>

#include "mime/header.h"

#include <string>

using namespace mf;
using namespace mf::mime;

namespace {

const std::string kMessage =
    "Return-Path: <facturation@ma-societe.fr>\r\n"
    "Received: from mx.ma-societe.fr (mx.ma-societe.fr [192.0.2.10])\r\n"
    "\tby mail.ma-societe.fr with ESMTPS id 4521\r\n"
    "\tfor <claire.martin@ma-societe.fr>; Mon, 3 Mar 2025 09:12:44 +0100\r\n"
    "Received: from [198.51.100.7] by mx.ma-societe.fr; Mon, 3 Mar 2025 09:12:40 +0100\r\n"
    "From: Service Facturation <facturation@ma-societe.fr>\r\n"
    "To: claire.martin@ma-societe.fr\r\n"
    "Subject: Votre facture\r\n"
    "  de mars\r\n"
    "\r\n"
    "Bonjour,\r\n";

}  // namespace

TEST_CASE("a header block splits into fields with offsets and the body boundary") {
  auto block = parse_header_block(kMessage);
  REQUIRE_MESSAGE(block.is_ok(), block.status().to_string());
  REQUIRE(block->fields.size() == 6);
  CHECK(block->ended_by == HeaderEnd::kBlankLine);
  CHECK(kMessage.substr(block->body_offset) == "Bonjour,\r\n");
  CHECK(kMessage.substr(block->header_end, 2) == "\r\n");
  CHECK(block->header_end + 2 == block->body_offset);

  const HeaderField& rp = block->fields[0];
  CHECK(rp.name == "Return-Path");
  CHECK(rp.value == " <facturation@ma-societe.fr>");
  CHECK(rp.offset == 0);
  CHECK(kMessage.substr(rp.offset, rp.end - rp.offset) ==
        "Return-Path: <facturation@ma-societe.fr>\r\n");

  const HeaderField& received = block->fields[1];
  CHECK(received.value.find("\r\n\tby mail") != std::string_view::npos);
  CHECK(received.value.substr(received.value.size() - 6) == " +0100");
  CHECK(block->fields[2].offset == received.end);

  // Fields tile the header block exactly.
  CHECK(block->fields.back().end == block->header_end);
}

TEST_CASE("header lookup ignores case and keeps duplicates in order") {
  auto block = parse_header_block(kMessage);
  REQUIRE(block.is_ok());
  const HeaderField* subject = block->find("SUBJECT");
  REQUIRE(subject != nullptr);
  CHECK(unfold(subject->value) == "Votre facture  de mars");
  auto received = block->find_all("received");
  REQUIRE(received.size() == 2);
  CHECK(received[0]->value.find("ESMTPS") != std::string_view::npos);
  CHECK(received[1]->value.find("198.51.100.7") != std::string_view::npos);
  CHECK(block->find("Date") == nullptr);
  CHECK(block->find_all("Date").empty());
}

TEST_CASE("LF-only line ends and whitespace before the colon are accepted") {
  std::string m = "From : a@ma-societe.fr\nSubject\t:hello\n world\n\nbody\n";
  auto block = parse_header_block(m);
  REQUIRE(block.is_ok());
  REQUIRE(block->fields.size() == 2);
  CHECK(block->fields[0].name == "From");
  CHECK(block->fields[0].value == " a@ma-societe.fr");
  CHECK(block->fields[1].name == "Subject");
  CHECK(block->fields[1].value == "hello\n world");
  CHECK(unfold(block->fields[1].value) == "hello world");
  CHECK(m.substr(block->body_offset) == "body\n");
}

TEST_CASE("a missing blank line ends the header at the first line that is no field") {
  std::string m = "Subject: test\r\nThis line is body text\r\nmore\r\n";
  auto block = parse_header_block(m);
  REQUIRE(block.is_ok());
  REQUIRE(block->fields.size() == 1);
  CHECK(block->ended_by == HeaderEnd::kNonField);
  CHECK(block->header_end == block->body_offset);
  CHECK(m.substr(block->body_offset) == "This line is body text\r\nmore\r\n");
}

TEST_CASE("a message without a body ends with the input, with or without a final break") {
  for (std::string m :
       {"Subject: x\r\nTo: y@ma-societe.fr", "Subject: x\r\nTo: y@ma-societe.fr\r\n"}) {
    auto block = parse_header_block(m);
    REQUIRE(block.is_ok());
    CHECK(block->fields.size() == 2);
    CHECK(block->ended_by == HeaderEnd::kEndOfInput);
    CHECK(block->body_offset == m.size());
    CHECK(block->fields[1].value == " y@ma-societe.fr");
  }
  auto empty = parse_header_block("");
  REQUIRE(empty.is_ok());
  CHECK(empty->fields.empty());
  CHECK(empty->body_offset == 0);
}

TEST_CASE("a message that starts with a blank line has an empty header") {
  std::string m = "\r\nSubject: not a header\r\n";
  auto block = parse_header_block(m);
  REQUIRE(block.is_ok());
  CHECK(block->fields.empty());
  CHECK(block->ended_by == HeaderEnd::kBlankLine);
  CHECK(block->body_offset == 2);
}

TEST_CASE(
    "a continuation line before any field, a nameless colon or a mbox From_ line ends the header") {
  for (std::string m :
       {" folded: x\r\n\r\n", ": no name\r\n", "From jdoe Mon Mar  3 09:12:44 2025\r\n"}) {
    auto block = parse_header_block(m);
    REQUIRE(block.is_ok());
    CHECK(block->fields.empty());
    CHECK(block->ended_by == HeaderEnd::kNonField);
    CHECK(block->body_offset == 0);
  }
}

TEST_CASE("a bare CR is data, not a line end") {
  std::string m = "Subject: a\rb\r\n\r\n";
  auto block = parse_header_block(m);
  REQUIRE(block.is_ok());
  REQUIRE(block->fields.size() == 1);
  CHECK(block->fields[0].value == " a\rb");
}

TEST_CASE("a header block over the size limit is refused with a clear error") {
  std::string m = "Subject: " + std::string(2000, 'x') + "\r\n\r\nbody";
  HeaderLimits limits;
  limits.max_bytes = 1000;
  auto block = parse_header_block(m, limits);
  REQUIRE_FALSE(block.is_ok());
  CHECK(block.status().code() == Code::kResourceExhausted);
  CHECK(block.status().message().find("exceeds 1000 bytes") != std::string::npos);
  limits.max_bytes = m.size();
  CHECK(parse_header_block(m, limits).is_ok());
}

TEST_CASE("a header block with too many fields is refused with a clear error") {
  std::string m;
  for (int i = 0; i < 11; ++i) m += "X-Trace: " + std::to_string(i) + "\r\n";
  m += "\r\n";
  HeaderLimits limits;
  limits.max_fields = 10;
  auto block = parse_header_block(m, limits);
  REQUIRE_FALSE(block.is_ok());
  CHECK(block.status().code() == Code::kResourceExhausted);
  CHECK(block.status().message().find("more than 10 fields") != std::string::npos);
  limits.max_fields = 11;
  auto ok = parse_header_block(m, limits);
  REQUIRE(ok.is_ok());
  CHECK(ok->fields.size() == 11);
}

TEST_CASE("unfolding removes line breaks and trims the value") {
  CHECK(unfold(" a\r\n b\r\n\tc  ") == "a b\tc");
  CHECK(unfold("\r\n x") == "x");
  CHECK(unfold("") == "");
}
