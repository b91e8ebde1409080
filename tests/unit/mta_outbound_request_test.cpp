// What the SMTP server queues for a message's remote recipients (mta/outbound_request.h).
#include <doctest/doctest.h>

#include "mta/outbound_request.h"

namespace mf::mta {
namespace {

smtp::Envelope envelope(std::string sender, size_t recipients) {
  smtp::Envelope env;
  auto path = smtp::parse_path(sender.empty() ? "<>" : "<" + sender + ">", smtp::PathRole::kSender);
  REQUIRE(path.is_ok());
  env.sender = path.value();
  env.recipients.resize(recipients);
  return env;
}

AcceptedRecipient relayed(std::string address) {
  AcceptedRecipient a;
  a.address = address;
  a.remote.push_back(address);
  return a;
}

AcceptedRecipient forwarded(std::string address, std::vector<std::string> members,
                            std::vector<std::string> boxes = {}) {
  AcceptedRecipient a;
  a.address = address;
  a.remote = std::move(members);
  a.mailboxes = std::move(boxes);
  a.forwarded = true;
  return a;
}

OutboundInfo info() {
  OutboundInfo i;
  i.queue_id = "1ABCDEFGHIJK";
  i.size = 1234;
  i.origin = "192.0.2.7";
  i.forward_sender = [](std::string_view sender, std::string_view domain) {
    return sender.empty() ? std::string()
                          : "SRS0=x=" + std::string(domain) + "=" + std::string(sender);
  };
  return i;
}

TEST_CASE("local-only recipients queue nothing") {
  AcceptedRecipient local;
  local.address = "alice@example.org";
  local.mailboxes = {"alice@example.org"};
  CHECK(outbound_parts(envelope("a@b.example", 1), {local}, info()).empty());
}

TEST_CASE("relayed recipients keep the envelope sender and are queued once each") {
  auto env = envelope("jean@ma-societe.fr", 3);
  env.mail_params.body = smtp::Body::k8BitMime;
  env.mail_params.envid = "E1";
  env.mail_params.ret = smtp::Ret::kHeaders;
  env.recipients[1].params.notify = smtp::Notify{true, true, false};
  auto parts = outbound_parts(
      env,
      {relayed("bob@Client.example"), relayed("eve@other.example"), relayed("BOB@client.example")},
      info());
  REQUIRE(parts.size() == 1);
  const QueuedPart& p = parts[0];
  CHECK(p.message.sender == "jean@ma-societe.fr");
  CHECK(p.message.queue_id == "1ABCDEFGHIJK");
  CHECK(p.message.size == 1234);
  CHECK(p.message.flags == queue::kEightBitMime);
  CHECK(p.message.envid == std::optional<std::string>("E1"));
  CHECK(p.message.ret == queue::Ret::kHeaders);
  REQUIRE(p.recipients.size() == 2);  // BOB@ is bob@ again
  CHECK(p.recipients[0].address == "bob@Client.example");
  CHECK(p.recipients[0].domain == "client.example");
  CHECK(p.recipients[0].notify == queue::kNotifyUnset);
  CHECK(p.recipients[1].domain == "other.example");
  CHECK(p.recipients[1].notify == (queue::kNotifySuccess | queue::kNotifyFailure));
}

TEST_CASE("forwarded members get the rewritten sender in a message of their own") {
  auto parts =
      outbound_parts(envelope("a@sender.example", 2),
                     {relayed("x@remote.example"),
                      forwarded("team@ma-societe.fr", {"luc@gmail.example", "sam@yahoo.example"},
                                {"emma@ma-societe.fr"})},
                     info());
  REQUIRE(parts.size() == 2);
  CHECK(parts[0].message.sender == "a@sender.example");
  CHECK(parts[1].message.sender == "SRS0=x=ma-societe.fr=a@sender.example");
  REQUIRE(parts[1].recipients.size() == 2);
  // The original recipient is kept as ORCPT, for the DSN.
  CHECK(parts[1].recipients[0].orcpt_type == "rfc822");
  CHECK(parts[1].recipients[0].orcpt == "team@ma-societe.fr");
}

TEST_CASE("a bounce forwarded keeps the null sender") {
  auto parts =
      outbound_parts(envelope("", 1), {forwarded("team@ma-societe.fr", {"l@g.example"})}, info());
  REQUIRE(parts.size() == 1);
  CHECK(parts[0].message.sender.empty());
}

TEST_CASE("destination_of lower-cases the domain and keeps address literals") {
  CHECK(destination_of("Bob@Example.NET") == "example.net");
  CHECK(destination_of("x@[192.0.2.1]") == "[192.0.2.1]");
}

}  // namespace
}  // namespace mf::mta
