// Unit tests of delivery status notifications (mta/dsn.h): every DSN is parsed back with the
// project's MIME parser (mime/message.h) and its parts and fields checked; NOTIFY filtering,
// RET, the null sender, the streamed body and the RFC 6533 variants.
#include <doctest/doctest.h>

#include "mime/body.h"
#include "mime/message.h"
#include "mta/dsn.h"

#include <algorithm>
#include <string>
#include <vector>

using mf::Code;
using mf::Status;
using namespace mf::mta;
namespace mime = mf::mime;

namespace {

constexpr int64_t kNow = 1796000000;

const char kHeader[] =
    "From: Jean Dupont <jean@ma-societe.fr>\r\n"
    "To: client@example.net\r\n"
    "Subject: Devis\r\n"
    "Message-ID: <orig.1@ma-societe.fr>\r\n"
    "\r\n";
const char kBody[] = "Bonjour,\r\nvoici le devis.\r\n";

DsnRecipient failed(std::string address, std::string status = "5.1.1") {
  DsnRecipient r;
  r.address = std::move(address);
  r.action = DsnAction::kFailed;
  r.status = std::move(status);
  r.remote_mta = "mx.example.net";
  r.diagnostic = "550 5.1.1 <" + r.address + ">: Recipient address rejected: User unknown";
  r.last_attempt = mime::DateTime{kNow - 60, 60, false};
  return r;
}

DsnRequest request() {
  DsnRequest req;
  req.reporting_mta = "mail.ma-societe.fr";
  req.envelope_sender = "jean@ma-societe.fr";
  req.arrival_date = mime::DateTime{kNow - 3600, 60, false};
  req.date = mime::DateTime{kNow, 60, false};
  req.message_id = "dsn.1@mail.ma-societe.fr";
  req.original_message_id = "orig.1@ma-societe.fr";
  req.boundary_seed = 42;
  req.recipients.push_back(failed("client@example.net"));
  return req;
}

// The original, its body given in chunks of `chunk` bytes; counts the reads.
struct Original {
  std::string header = kHeader;
  std::string body = kBody;
  size_t chunk = 7;
  int reads = 0;
  OriginalMessage view() {
    OriginalMessage m;
    m.header = header;
    m.body_size = body.size();
    m.read_body = [this](const ChunkFn& fn) -> Status {
      ++reads;
      for (size_t i = 0; i < body.size(); i += chunk) {
        Status s = fn(std::string_view(body).substr(i, chunk));
        if (!s.is_ok()) return s;
      }
      return Status::ok();
    };
    return m;
  }
};

std::string field(const mime::Part& p, std::string_view name) {
  const mime::HeaderField* f = p.find(name);
  return f ? mime::unfold(f->value) : std::string("<absent>");
}

// The three parts of a parsed multipart/report.
struct Report {
  std::string bytes;
  mime::Message msg;
  const mime::Part* text = nullptr;
  const mime::Part* status = nullptr;
  const mime::Part* returned = nullptr;
};

Report parse(std::string bytes) {
  Report r;
  r.bytes = std::move(bytes);
  auto parsed = mime::parse_message(std::string_view(r.bytes));
  REQUIRE(parsed.is_ok());
  r.msg = std::move(parsed).value();
  const mime::Part& root = r.msg.root();
  REQUIRE(root.kind == mime::PartKind::kMultipart);
  REQUIRE(root.children.size() == 3);
  CHECK(root.problems.empty());
  r.text = &r.msg.parts[root.children[0]];
  r.status = &r.msg.parts[root.children[1]];
  r.returned = &r.msg.parts[root.children[2]];
  return r;
}

std::string text_of(const Report& r, const mime::Part& p) {
  auto t = mime::body_text(r.msg, p);
  REQUIRE(t.is_ok());
  return t->text;
}

}  // namespace

TEST_CASE("a failure DSN is a multipart/report the MIME parser reads back part by part") {
  Original original;
  DsnResult result;
  auto built = build_dsn(request(), original.view(), &result);
  REQUIRE(built.is_ok());
  CHECK(result.verdict == DsnVerdict::kWritten);
  CHECK(result.recipient == "jean@ma-societe.fr");
  CHECK(result.returned == ReturnedContent::kFull);
  CHECK(result.reported == 1);
  CHECK_FALSE(result.needs_smtputf8);
  CHECK_FALSE(result.needs_8bitmime);

  Report r = parse(*built);
  const mime::Part& root = r.msg.root();
  CHECK(root.content_type.mime_type() == "multipart/report");
  REQUIRE(root.content_type.params.find("report-type"));
  CHECK(root.content_type.params.find("report-type")->value == "delivery-status");
  CHECK(field(root, "To").find("jean@ma-societe.fr") != std::string::npos);
  CHECK(field(root, "From").find("MAILER-DAEMON@mail.ma-societe.fr") != std::string::npos);
  CHECK(field(root, "Auto-Submitted").find("auto-replied") != std::string::npos);
  CHECK(field(root, "In-Reply-To").find("<orig.1@ma-societe.fr>") != std::string::npos);

  CHECK(r.text->content_type.mime_type() == "text/plain");
  std::string text = text_of(r, *r.text);
  CHECK(text.find("n'a pas pu être remis") != std::string::npos);
  CHECK(text.find("could not be delivered") != std::string::npos);
  CHECK(text.find("l'adresse n'existe pas") != std::string::npos);
  CHECK(text.find("The server mx.example.net answered: 550 5.1.1 <client@example.net>") !=
        std::string::npos);

  CHECK(r.status->content_type.mime_type() == "message/delivery-status");
  std::string fields(r.msg.body_bytes(*r.status));
  CHECK(fields.starts_with("Reporting-MTA: dns; mail.ma-societe.fr\r\nArrival-Date: "));
  CHECK(fields.find("\r\n\r\nFinal-Recipient: rfc822; client@example.net\r\nAction: failed\r\n"
                    "Status: 5.1.1\r\nRemote-MTA: dns; mx.example.net\r\n"
                    "Diagnostic-Code: smtp; 550 5.1.1 <client@example.net>: Recipient address\r\n"
                    " rejected: User unknown\r\nLast-Attempt-Date: ") != std::string::npos);

  REQUIRE(r.returned->kind == mime::PartKind::kMessage);
  CHECK(r.returned->content_type.mime_type() == "message/rfc822");
  const mime::Part& inner = r.msg.parts[r.returned->children[0]];
  CHECK(field(inner, "Subject").find("Devis") != std::string::npos);
  CHECK(r.msg.body_bytes(inner) == kBody);
  CHECK(original.reads <= 3);
}

TEST_CASE("the body is streamed from the reader to the sink in chunks, never whole") {
  Original original;
  original.body.clear();
  for (int i = 0; i < 20000; ++i) original.body += "Ligne " + std::to_string(i) + " du devis.\r\n";
  original.chunk = 4096;
  DsnRequest req = request();
  req.ret = mf::smtp::Ret::kFull;
  size_t calls = 0;
  size_t largest = 0;
  std::string out;
  auto result = write_dsn(req, original.view(), [&](std::string_view bytes) {
    ++calls;
    largest = std::max(largest, bytes.size());
    out.append(bytes);
    return Status::ok();
  });
  REQUIRE(result.is_ok());
  CHECK(result->returned == ReturnedContent::kFull);
  CHECK(largest < 16384);  // the DSN's own parts, then the body chunk by chunk
  CHECK(calls > original.body.size() / 4096);
  Report r = parse(out);
  CHECK(r.msg.body_bytes(r.msg.parts[r.returned->children[0]]) == original.body);
}

TEST_CASE("a body holding the first boundary drawn gets a DSN with another boundary") {
  Original original;
  auto first = build_dsn(request(), original.view());
  REQUIRE(first.is_ok());
  std::string boundary = parse(*first).msg.root().boundary;
  REQUIRE_FALSE(boundary.empty());
  original.body = "text\r\n--" + boundary + "--\r\nmore\r\n";
  auto second = build_dsn(request(), original.view());
  REQUIRE(second.is_ok());
  Report r = parse(*second);
  CHECK(r.msg.root().boundary != boundary);
  CHECK(r.msg.body_bytes(r.msg.parts[r.returned->children[0]]) == original.body);
}

TEST_CASE("NOTIFY decides who is reported; none left means nothing to send") {
  Original original;
  DsnRequest req = request();
  req.recipients.clear();
  DsnRecipient absent = failed("a@example.net");  // no NOTIFY: FAILURE and DELAY
  DsnRecipient never = failed("b@example.net");
  never.notify = mf::smtp::Notify{};
  DsnRecipient success_only = failed("c@example.net");
  success_only.notify = mf::smtp::Notify{true, false, false};
  DsnRecipient delivered = failed("d@example.net", "2.0.0");
  delivered.action = DsnAction::kDelivered;  // no NOTIFY: not reported
  DsnRecipient delivered_asked = failed("e@example.net", "2.0.0");
  delivered_asked.action = DsnAction::kDelivered;
  delivered_asked.notify = mf::smtp::Notify{true, true, false};
  req.recipients = {absent, never, success_only, delivered, delivered_asked};

  auto chosen = dsn_recipients_to_report(req);
  REQUIRE(chosen.size() == 2);
  CHECK(chosen[0]->address == "a@example.net");
  CHECK(chosen[1]->address == "e@example.net");
  DsnResult result;
  auto built = build_dsn(req, original.view(), &result);
  REQUIRE(built.is_ok());
  Report report = parse(*built);
  std::string fields(report.msg.body_bytes(*report.status));
  CHECK(fields.find("rfc822; a@example.net") != std::string::npos);
  CHECK(fields.find("rfc822; e@example.net\r\nAction: delivered") != std::string::npos);
  CHECK(fields.find("b@example.net") == std::string::npos);
  CHECK(fields.find("c@example.net") == std::string::npos);
  CHECK(fields.find("d@example.net") == std::string::npos);

  req.recipients = {never, success_only, delivered};
  Original untouched;
  bool written = false;
  auto none = write_dsn(req, untouched.view(), [&](std::string_view) {
    written = true;
    return Status::ok();
  });
  REQUIRE(none.is_ok());
  CHECK(none->verdict == DsnVerdict::kNothingToSend);
  CHECK_FALSE(written);
  CHECK(untouched.reads == 0);
}

TEST_CASE("no DSN is ever built for a message from the null sender") {
  Original original;
  DsnRequest req = request();
  req.envelope_sender = "";
  auto built = build_dsn(req, original.view());
  REQUIRE_FALSE(built.is_ok());
  CHECK(built.status().code() == Code::kFailedPrecondition);
}

TEST_CASE("RET=HDRS, a large message without RET, and delay reports return the header only") {
  DsnRequest hdrs = request();
  hdrs.ret = mf::smtp::Ret::kHeaders;
  DsnRequest large = request();
  large.full_return_limit = 50;
  DsnRequest delay = request();
  delay.ret = mf::smtp::Ret::kFull;
  delay.recipients[0].action = DsnAction::kDelayed;
  delay.recipients[0].status = "4.2.0";
  delay.recipients[0].will_retry_until = mime::DateTime{kNow + 4 * 86400, 60, false};
  for (const DsnRequest* req : {&hdrs, &large, &delay}) {
    Original original;
    DsnResult result;
    auto built = build_dsn(*req, original.view(), &result);
    REQUIRE(built.is_ok());
    CHECK(result.returned == ReturnedContent::kHeaders);
    Report r = parse(*built);
    CHECK(r.returned->content_type.mime_type() == "text/rfc822-headers");
    std::string headers = text_of(r, *r.returned);
    CHECK(headers.find("Subject: Devis") != std::string::npos);
    CHECK(headers.find("voici le devis") == std::string::npos);
    CHECK(original.reads == 0);
  }
  Original original;
  Report r = parse(*build_dsn(delay, original.view()));
  std::string fields(r.msg.body_bytes(*r.status));
  CHECK(fields.find("Action: delayed\r\nStatus: 4.2.0") != std::string::npos);
  CHECK(fields.find("Will-Retry-Until: ") != std::string::npos);
  CHECK(field(r.msg.root(), "Subject").find("Delayed Mail") != std::string::npos);
  CHECK(text_of(r, *r.text).find("continue d'essayer jusqu'au") != std::string::npos);
}

TEST_CASE("a body that cannot travel as it is comes back as its header only") {
  Original original;
  original.body = "bare\nline feed\r\n";
  DsnResult result;
  auto built = build_dsn(request(), original.view(), &result);
  REQUIRE(built.is_ok());
  CHECK(result.returned == ReturnedContent::kHeaders);
  CHECK(parse(*built).returned->content_type.mime_type() == "text/rfc822-headers");
}

TEST_CASE("8-bit content returned whole makes the DSN need 8BITMIME") {
  Original original;
  original.body = "Voilà le devis détaillé.\r\n";
  DsnResult result;
  auto built = build_dsn(request(), original.view(), &result);
  REQUIRE(built.is_ok());
  CHECK(result.returned == ReturnedContent::kFull);
  CHECK(result.needs_8bitmime);
  Report r = parse(*built);
  CHECK(r.returned->encoding == mime::TransferEncoding::k8bit);
  CHECK(r.msg.body_bytes(r.msg.parts[r.returned->children[0]]) == original.body);
}

TEST_CASE("ENVID and ORCPT are reported; a UTF-8 ORCPT is utf-8-addr-xtext in a 7-bit report") {
  Original original;
  DsnRequest req = request();
  req.envid = "QQ314159";
  req.queue_id = "4F7K2M0001Q1";
  req.recipients[0].orcpt = mf::smtp::Orcpt{"rfc822", "Client+Tag@Example.NET"};
  DsnRecipient second = failed("jerome@example.net");
  second.orcpt = mf::smtp::Orcpt{"utf-8", "jérôme@example.net"};
  req.recipients.push_back(second);
  Report r = parse(*build_dsn(req, original.view()));
  std::string fields(r.msg.body_bytes(*r.status));
  CHECK(fields.starts_with("Original-Envelope-Id: QQ314159\r\nReporting-MTA: dns; "));
  CHECK(fields.find("X-MailFountain-Queue-ID: 4F7K2M0001Q1\r\n") != std::string::npos);
  CHECK(fields.find("\r\n\r\nOriginal-Recipient: rfc822; Client+Tag@Example.NET\r\n"
                    "Final-Recipient: rfc822; client@example.net\r\n") != std::string::npos);
  CHECK(fields.find("Original-Recipient: utf-8; j\\x{E9}r\\x{F4}me@example.net\r\n") !=
        std::string::npos);
}

TEST_CASE("an SMTPUTF8 original gets the RFC 6533 global types and raw UTF-8 addresses") {
  Original original;
  original.header = "From: Jérôme <jérôme@société.fr>\r\nSubject: Devis\r\n\r\n";
  DsnRequest req = request();
  req.smtputf8 = true;
  req.envelope_sender = "jérôme@société.fr";
  req.recipients[0] = failed("élise@exemple.fr");
  req.recipients[0].orcpt = mf::smtp::Orcpt{"utf-8", "élise@exemple.fr"};
  DsnResult result;
  auto built = build_dsn(req, original.view(), &result);
  REQUIRE(built.is_ok());
  CHECK(result.needs_smtputf8);
  Report r = parse(*built);
  CHECK(r.msg.root().content_type.params.find("report-type")->value == "global-delivery-status");
  CHECK(field(r.msg.root(), "To").find("jérôme@société.fr") != std::string::npos);
  CHECK(r.status->content_type.mime_type() == "message/global-delivery-status");
  std::string fields(r.msg.body_bytes(*r.status));
  CHECK(fields.find("Original-Recipient: utf-8; élise@exemple.fr\r\n"
                    "Final-Recipient: utf-8; élise@exemple.fr\r\n") != std::string::npos);
  CHECK(r.returned->content_type.mime_type() == "message/global");

  req.ret = mf::smtp::Ret::kHeaders;
  Report h = parse(*build_dsn(req, original.view()));
  CHECK(h.returned->content_type.mime_type() == "message/global-headers");
}

TEST_CASE("a remote reply cannot inject fields, and bad inputs are refused") {
  Original original;
  DsnRequest req = request();
  req.recipients[0].diagnostic = "550 no\r\nAction: delivered\r\n550 such user";
  Report r = parse(*build_dsn(req, original.view()));
  std::string fields(r.msg.body_bytes(*r.status));
  CHECK(fields.find("Diagnostic-Code: smtp; 550 no Action: delivered 550 such user") !=
        std::string::npos);
  CHECK(fields.find("\r\nAction: delivered") == std::string::npos);

  DsnRequest bad_status = request();
  bad_status.recipients[0].status = "550";
  CHECK(build_dsn(bad_status, original.view()).status().code() == Code::kInvalidArgument);
  DsnRequest utf8_without = request();
  utf8_without.recipients[0].address = "élise@exemple.fr";
  CHECK(build_dsn(utf8_without, original.view()).status().code() == Code::kInvalidArgument);
  DsnRequest no_mta = request();
  no_mta.reporting_mta.clear();
  CHECK(build_dsn(no_mta, original.view()).status().code() == Code::kInvalidArgument);
}
