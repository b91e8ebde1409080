// The message's way to its body file: trace first, header held and checked, body streamed.
#include "mta/incoming_message.h"
#include "mta/received.h"

#include <doctest/doctest.h>

#include <string>

using namespace mf;
using namespace mf::mta;

namespace {

struct Sink {
  std::string bytes;
  WriteFn fn() {
    return [this](std::string_view b) {
      bytes += b;
      return Status();
    };
  }
};

IncomingOptions submission() {
  IncomingOptions o;
  o.complete_header = true;
  o.now = mime::DateTime{1795000000, 60, false};
  o.message_id = "4DH2.1@mail.ma-societe.fr";
  return o;
}

}  // namespace

TEST_CASE("the trace comes first and the message follows unchanged, whatever the split") {
  const std::string msg = "From: a@example.org\r\nSubject: x\r\n\r\nbody\r\nmore\r\n";
  for (size_t split = 0; split <= msg.size(); ++split) {
    Sink sink;
    IncomingMessage m({}, "Received: x\r\n", sink.fn());
    REQUIRE(m.append(std::string_view(msg).substr(0, split)).is_ok());
    REQUIRE(m.append(std::string_view(msg).substr(split)).is_ok());
    REQUIRE(m.finish().is_ok());
    CHECK(sink.bytes == "Received: x\r\n" + msg);
    CHECK(m.from() == std::vector<std::string>{"a@example.org"});
    CHECK(m.bytes_written() == sink.bytes.size());
  }
}

TEST_CASE("Received fields are counted and a header-only message is written at the end") {
  Sink sink;
  IncomingMessage m({}, "T\r\n", sink.fn());
  REQUIRE(
      m.append("Received: a\r\nReceived: b\r\n\tfolded\r\nreceived: c\r\nSubject: s\r\n").is_ok());
  CHECK(sink.bytes.empty());
  REQUIRE(m.finish().is_ok());
  CHECK(m.received_count() == 3);
  CHECK(sink.bytes ==
        "T\r\nReceived: a\r\nReceived: b\r\n\tfolded\r\nreceived: c\r\nSubject: s\r\n");
}

TEST_CASE("a header over the limit is refused and never held past it") {
  IncomingOptions o;
  o.max_header_bytes = 64;
  Sink sink;
  IncomingMessage m(o, "T\r\n", sink.fn());
  REQUIRE(m.append("Subject: " + std::string(100, 'x') + "\r\n\r\nbody").is_ok());
  REQUIRE(m.append("more body").is_ok());
  REQUIRE(m.finish().is_ok());
  CHECK(m.header_too_large());
  CHECK(sink.bytes.empty());
}

TEST_CASE("submission adds the Date and Message-ID a client left out") {
  Sink sink;
  IncomingMessage m(submission(), "T\r\n", sink.fn());
  REQUIRE(m.append("From: Emma <emma.durand@ma-societe.fr>\r\n\r\nhi\r\n").is_ok());
  REQUIRE(m.finish().is_ok());
  CHECK(m.added_date());
  CHECK(m.added_message_id());
  CHECK(m.message_id() == "4DH2.1@mail.ma-societe.fr");
  CHECK(sink.bytes == "T\r\nDate: " + mime::format_date(submission().now) +
                          "\r\nMessage-ID: <4DH2.1@mail.ma-societe.fr>\r\n"
                          "From: Emma <emma.durand@ma-societe.fr>\r\n\r\nhi\r\n");
}

TEST_CASE("submission keeps the client's own Date and Message-ID") {
  Sink sink;
  IncomingMessage m(submission(), "", sink.fn());
  const std::string msg =
      "Date: Sun, 29 Nov 2026 10:00:00 +0100\r\nMessage-ID: <abc@client>\r\nFrom: e@m.fr\r\n\r\n";
  REQUIRE(m.append(msg).is_ok());
  REQUIRE(m.finish().is_ok());
  CHECK_FALSE(m.added_date());
  CHECK_FALSE(m.added_message_id());
  CHECK(m.message_id() == "abc@client");
  CHECK(sink.bytes == msg);
}

TEST_CASE("a write failure stops the message") {
  int calls = 0;
  IncomingMessage m({}, "T\r\n", [&](std::string_view) {
    ++calls;
    return Status(Code::kIOError, "disk full");
  });
  CHECK(m.append("S: x\r\n\r\nbody").code() == Code::kIOError);
  CHECK(m.append("more").code() == Code::kIOError);
  CHECK(calls == 1);
}

TEST_CASE("the Received field names the protocol, the TLS and the single recipient") {
  ReceivedInfo r;
  r.helo = "client (evil)\x01";
  r.client_ip = "192.0.2.7";
  r.hostname = "mail.ma-societe.fr";
  r.queue_id = "4DH2A";
  r.tls = true;
  r.authenticated = true;
  r.tls_clause = "using TLSv1.2 with cipher TLS-ECDHE-RSA-WITH-AES-256-GCM-SHA384";
  r.recipient = "emma.durand@ma-societe.fr";
  r.date = mime::DateTime{1795000000, 60, false};
  CHECK(received_field(r) ==
        "Received: from client??evil?? ([192.0.2.7])\r\n"
        "\tby mail.ma-societe.fr (MailFountain) with ESMTPSA id 4DH2A\r\n"
        "\t(using TLSv1.2 with cipher TLS-ECDHE-RSA-WITH-AES-256-GCM-SHA384)\r\n"
        "\tfor <emma.durand@ma-societe.fr>;\r\n\t" +
            mime::format_date(r.date) + "\r\n");
  r.smtputf8 = true;
  r.authenticated = false;
  CHECK(protocol_keyword(r) == "UTF8SMTPS");
  r.esmtp = false;
  CHECK(protocol_keyword(r) == "SMTP");
  CHECK(delivery_prefix("", "luc@ma-societe.fr") ==
        "Return-Path: <>\r\nDelivered-To: luc@ma-societe.fr\r\n");
}
