// The end of a message's data once local delivery has decided each copy
// (mta/local_outcome.h): the reply, and the DSN entries of the copies refused.
#include <doctest/doctest.h>

#include "mta/local_outcome.h"
#include "queue/dsn_params.h"

namespace mf::mta {
namespace {

mailbox::DeliveryOutcome stored(std::string account) {
  return mailbox::Delivered{std::move(account), "INBOX", 1, 1, 1, std::nullopt};
}

mailbox::DeliveryOutcome full() {
  return resource_exhausted("mailbox full: x uses 900 of its 1000 bytes; this message needs 200");
}

smtp::Envelope envelope(size_t recipients) {
  smtp::Envelope env;
  auto path = smtp::parse_path("<client@example.net>", smtp::PathRole::kSender);
  REQUIRE(path.is_ok());
  env.sender = path.value();
  env.mail_params.envid = "ENV-1";
  env.recipients.resize(recipients);
  return env;
}

OutboundInfo info() {
  OutboundInfo i;
  i.queue_id = "1ABCDEFGHIJK";
  i.size = 1234;
  i.origin = "192.0.2.7";
  return i;
}

TEST_CASE("the message is answered 250 when one copy is stored and another mailbox is full") {
  auto reply = end_of_data_reply({stored("a@x.fr"), full()}, 0, false, "1ABCDEFGHIJK");
  CHECK(reply.code == 250);
  CHECK(reply.text == "Ok: queued as 1ABCDEFGHIJK");
}

TEST_CASE("every mailbox full refuses the whole message with 452 4.2.2") {
  auto reply = end_of_data_reply({full(), full()}, 0, false, "Q");
  CHECK(reply.code == 452);
  CHECK(reply.enhanced == "4.2.2");
}

TEST_CASE("every copy refused for mixed reasons refuses the message with 451") {
  auto reply =
      end_of_data_reply({full(), mailbox::DeliveryOutcome(not_found("gone"))}, 0, false, "Q");
  CHECK(reply.code == 451);
}

TEST_CASE("a queued remote recipient takes the message even when every mailbox is full") {
  CHECK(end_of_data_reply({full()}, 1, true, "Q").code == 250);
  CHECK(end_of_data_reply({stored("a@x.fr")}, 1, false, "Q").code == 451);  // queue failed
}

TEST_CASE("a message nobody received is never bounced") {
  CHECK_FALSE(message_taken(0, 0));
  CHECK(message_taken(1, 0));
  CHECK(message_taken(0, 2));
}

TEST_CASE("refused copies become bounced recipients with their RCPT's DSN parameters") {
  smtp::Envelope env = envelope(2);
  env.recipients[1].params.notify = smtp::Notify{false, true, false};
  std::vector<LocalCopy> copies = {
      {"luc.petit@ma-societe.fr", "luc.petit@ma-societe.fr", 0},
      {"emma.durand@ma-societe.fr", "support@ma-societe.fr", 1},
      {"luc.petit@ma-societe.fr", "support@ma-societe.fr", 1},
  };
  auto bounce = local_bounce(env, copies,
                             {stored("luc.petit@ma-societe.fr"), full(),
                              mailbox::DeliveryOutcome(failed_precondition("disabled"))},
                             info());
  REQUIRE(bounce.has_value());
  const QueuedPart& part = bounce->part;
  CHECK(part.message.sender == "client@example.net");
  CHECK(part.message.queue_id == "1ABCDEFGHIJK");
  CHECK(part.message.envid == std::optional<std::string>("ENV-1"));
  REQUIRE(part.recipients.size() == 2);
  CHECK(part.recipients[0].address == "emma.durand@ma-societe.fr");
  CHECK(part.recipients[0].domain == "ma-societe.fr");
  CHECK(part.recipients[0].notify == queue::notify_bits(smtp::Notify{false, true, false}));
  // Reached through a redirection: the address the client gave is the original recipient.
  CHECK(part.recipients[0].orcpt_type == "rfc822");
  CHECK(part.recipients[0].orcpt == "support@ma-societe.fr");
  REQUIRE(bounce->replies.size() == 2);
  CHECK(bounce->replies[0].rfind("552 5.2.2 <emma.durand@ma-societe.fr>: Mailbox full", 0) == 0);
  CHECK(bounce->replies[1].rfind("550 5.2.1 <luc.petit@ma-societe.fr>", 0) == 0);
}

TEST_CASE("a copy to the address the client gave carries no ORCPT of our making") {
  smtp::Envelope env = envelope(1);
  auto bounce = local_bounce(env, {{"luc.petit@ma-societe.fr", "Luc.Petit@ma-societe.fr", 0}},
                             {full()}, info());
  REQUIRE(bounce.has_value());
  CHECK(bounce->part.recipients.at(0).orcpt.empty());
  CHECK(bounce->part.recipients.at(0).notify == queue::kNotifyUnset);
}

TEST_CASE("no refused copy, no bounce") {
  smtp::Envelope env = envelope(1);
  CHECK_FALSE(local_bounce(env, {{"a@x.fr", "a@x.fr", 0}}, {stored("a@x.fr")}, info()).has_value());
}

TEST_CASE("each refusal is worded with the status a server would give") {
  CHECK(local_refusal_reply("a@x.fr", resource_exhausted("full")) ==
        "552 5.2.2 <a@x.fr>: Mailbox full (full)");
  CHECK(local_refusal_reply("a@x.fr", not_found("gone")).rfind("550 5.1.1 ", 0) == 0);
  CHECK(local_refusal_reply("a@x.fr", failed_precondition("off")).rfind("550 5.2.1 ", 0) == 0);
  CHECK(local_refusal_reply("a@x.fr", invalid_argument("bad")).rfind("554 5.3.0 ", 0) == 0);
}

}  // namespace
}  // namespace mf::mta
