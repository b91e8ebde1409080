// dsn_tool — prints the DSN libmailfountain builds (mta/dsn.h) for a JSON description read
// from standard input, for test_dsn.py to parse with Python's email package.
//
// Input (every key but "recipients" optional):
//   {"reporting_mta": "mail.example.fr", "mail_from": "jean@example.fr",
//    "mail_params": "RET=HDRS ENVID=QQ+2B1 SMTPUTF8",     (as after MAIL FROM:<...>)
//    "arrival_date": 1796000000, "date": 1796003600, "message_id": "dsn.1@example.fr",
//    "full_return_limit": 1048576, "queue_id": "...",
//    "header": "From: ...\r\n...", "body": "...", "chunk": 4096,
//    "recipients": [{"address": "a@example.net", "rcpt_params": "NOTIFY=FAILURE
//    ORCPT=rfc822;a+2Bb@x",
//                    "action": "failed", "status": "5.1.1", "remote_mta": "mx.example.net",
//                    "diagnostic": "550 5.1.1 ...", "last_attempt": 1796000000,
//                    "will_retry_until": 1796400000}]}
// The MAIL and RCPT parameters go through the server's own parsers (smtp/params.h), so
// ENVID and ORCPT arrive xtext-decoded as they would in the queue.
//
// Output: the DSN's bytes on standard output, exit status 0; nothing and exit status 3 when
// no recipient's NOTIFY asks for the report; a message on standard error and exit status 1
// on any error.
#include "mta/dsn.h"
#include "smtp/params.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>

using namespace mf;
using json = nlohmann::json;

namespace {

mime::DateTime date_of(const json& j) {
  return mime::DateTime{j.get<int64_t>(), 60, false};
}

int fail(const std::string& message) {
  std::cerr << "dsn_tool: " << message << "\n";
  return 1;
}

mta::DsnAction action_of(const std::string& name) {
  if (name == "delayed") return mta::DsnAction::kDelayed;
  if (name == "delivered") return mta::DsnAction::kDelivered;
  if (name == "relayed") return mta::DsnAction::kRelayed;
  if (name == "expanded") return mta::DsnAction::kExpanded;
  return mta::DsnAction::kFailed;
}

}  // namespace

int main() {
  std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  json in = json::parse(input, nullptr, false);
  if (in.is_discarded() || !in.is_object()) return fail("the input is not a JSON object");

  smtp::Extensions offered;
  offered.size = offered.eightbitmime = offered.smtputf8 = offered.dsn = true;
  auto mail = smtp::parse_mail_params(in.value("mail_params", ""), offered);
  if (!mail.is_ok()) return fail("MAIL parameters: " + mail.reply().wire());

  mta::DsnRequest req;
  req.reporting_mta = in.value("reporting_mta", "mail.example.fr");
  req.envelope_sender = in.value("mail_from", "jean@example.fr");
  req.ret = mail->ret;
  req.envid = mail->envid;
  req.smtputf8 = mail->smtputf8;
  if (in.contains("arrival_date")) req.arrival_date = date_of(in["arrival_date"]);
  req.date = date_of(in.value("date", json(1796003600)));
  req.message_id = in.value("message_id", "dsn.1@mail.example.fr");
  req.queue_id = in.value("queue_id", "");
  req.full_return_limit = in.value("full_return_limit", uint64_t{1} << 20);
  req.boundary_seed = in.value("boundary_seed", uint64_t{7});
  smtp::Smtputf8 transaction =
      req.smtputf8 ? smtp::Smtputf8::kDeclared : smtp::Smtputf8::kNotDeclared;
  for (const json& r : in.value("recipients", json::array())) {
    auto params = smtp::parse_rcpt_params(r.value("rcpt_params", ""), offered, transaction);
    if (!params.is_ok()) return fail("RCPT parameters: " + params.reply().wire());
    mta::DsnRecipient rcpt;
    rcpt.address = r.value("address", "");
    rcpt.notify = params->notify;
    rcpt.orcpt = params->orcpt;
    rcpt.action = action_of(r.value("action", "failed"));
    rcpt.status = r.value("status", "5.0.0");
    rcpt.remote_mta = r.value("remote_mta", "");
    rcpt.diagnostic = r.value("diagnostic", "");
    if (r.contains("last_attempt")) rcpt.last_attempt = date_of(r["last_attempt"]);
    if (r.contains("will_retry_until")) rcpt.will_retry_until = date_of(r["will_retry_until"]);
    req.recipients.push_back(std::move(rcpt));
  }

  std::string header = in.value("header", "From: jean@example.fr\r\nSubject: Test\r\n\r\n");
  std::string body = in.value("body", "Hello.\r\n");
  size_t chunk = in.value("chunk", size_t{4096});
  if (chunk == 0) chunk = 1;
  mta::OriginalMessage original;
  original.header = header;
  original.body_size = body.size();
  original.read_body = [&](const mta::ChunkFn& fn) -> Status {
    for (size_t i = 0; i < body.size(); i += chunk) {
      MF_RETURN_IF_ERROR(fn(std::string_view(body).substr(i, chunk)));
    }
    return Status::ok();
  };

  auto result = mta::write_dsn(req, original, [](std::string_view bytes) {
    std::fwrite(bytes.data(), 1, bytes.size(), stdout);
    return Status::ok();
  });
  if (!result.is_ok()) return fail(result.status().to_string());
  std::fflush(stdout);
  return result->verdict == mta::DsnVerdict::kNothingToSend ? 3 : 0;
}
