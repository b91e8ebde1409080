// Unit tests of the decision on a recipient that is an SRS address of a local domain
// (mta::srs_recipient in mta/policy.h): reversed when valid, refused with a reply that says
// what is wrong otherwise, and bounces only from clients that may not relay.
#include <doctest/doctest.h>

#include "mta/policy.h"
#include "mta/srs.h"

#include <string>

using mf::mta::Srs;
using mf::mta::srs_recipient;
using mf::mta::SrsOptions;
using mf::mta::SrsRecipient;

namespace {

constexpr int64_t kNow = 1700000000;
constexpr int64_t kDay = 86400;

Srs make_srs() {
  SrsOptions options;
  options.secrets = {"tops3cr3t"};
  auto srs = Srs::create(options);
  REQUIRE(srs.is_ok());
  return std::move(srs).value();
}

std::string srs_address(const Srs& srs, const char* sender) {
  auto address = srs.forward(sender, "ma-societe.fr", kNow);
  REQUIRE(address.is_ok());
  return *address;
}

}  // namespace

TEST_CASE("a bounce to a valid SRS address goes back to the original sender") {
  Srs srs = make_srs();
  std::string address = srs_address(srs, "a@sender.test");
  SrsRecipient r = srs_recipient(srs, address, /*bounce=*/true, /*may_relay=*/false, kNow + kDay);
  CHECK_FALSE(r.refusal);
  CHECK(r.original == "a@sender.test");
}

TEST_CASE("an SRS1 address reverses to the first forwarder's SRS0 address") {
  Srs srs = make_srs();
  auto srs1 = srs.forward("SRS0=w2iB=G3=example.com=john@forwarder.example", "ma-societe.fr", kNow);
  REQUIRE(srs1.is_ok());
  SrsRecipient r = srs_recipient(srs, *srs1, true, false, kNow);
  CHECK_FALSE(r.refusal);
  CHECK(r.original == "SRS0=w2iB=G3=example.com=john@forwarder.example");
}

TEST_CASE("an SRS address with an altered hash is refused with 550 5.7.1") {
  Srs srs = make_srs();
  std::string address = srs_address(srs, "a@sender.test");
  // "SRS0=HHHH=...": change the first hash character (the hash is compared ignoring case).
  address[5] = (address[5] == 'A' || address[5] == 'a') ? 'B' : 'A';
  SrsRecipient r = srs_recipient(srs, address, true, false, kNow);
  REQUIRE(r.refusal);
  CHECK(r.refusal->code == 550);
  CHECK(r.refusal->enhanced == "5.7.1");
  CHECK(r.refusal->text.find("Hash invalid in SRS address") != std::string::npos);
  CHECK(r.original.empty());
}

TEST_CASE("an SRS address whose original sender was altered is refused as forged") {
  Srs srs = make_srs();
  std::string address = srs_address(srs, "a@sender.test");
  size_t pos = address.find("sender.test");
  REQUIRE(pos != std::string::npos);
  address.replace(pos, 11, "victim.test");
  SrsRecipient r = srs_recipient(srs, address, true, false, kNow);
  REQUIRE(r.refusal);
  CHECK(r.refusal->enhanced == "5.7.1");
}

TEST_CASE("an expired SRS address is refused with 550 5.1.1 and says the timestamp is old") {
  Srs srs = make_srs();
  std::string address = srs_address(srs, "a@sender.test");
  SrsRecipient r = srs_recipient(srs, address, true, false, kNow + 30 * kDay);
  REQUIRE(r.refusal);
  CHECK(r.refusal->code == 550);
  CHECK(r.refusal->enhanced == "5.1.1");
  CHECK(r.refusal->text.find("Time stamp out of date") != std::string::npos);
}

TEST_CASE("a malformed SRS address is refused as an unknown user") {
  Srs srs = make_srs();
  SrsRecipient r = srs_recipient(srs, "SRS0=abc@ma-societe.fr", true, false, kNow);
  REQUIRE(r.refusal);
  CHECK(r.refusal->code == 550);
  CHECK(r.refusal->enhanced == "5.1.1");
  CHECK(r.refusal->text.find("User unknown") != std::string::npos);
}

TEST_CASE("mail with a sender to an SRS address is refused unless the client may relay") {
  Srs srs = make_srs();
  std::string address = srs_address(srs, "a@sender.test");
  SrsRecipient refused = srs_recipient(srs, address, /*bounce=*/false, /*may_relay=*/false, kNow);
  REQUIRE(refused.refusal);
  CHECK(refused.refusal->code == 550);
  CHECK(refused.refusal->enhanced == "5.7.1");
  CHECK(refused.refusal->text.find("bounces only") != std::string::npos);

  SrsRecipient relayed = srs_recipient(srs, address, /*bounce=*/false, /*may_relay=*/true, kNow);
  CHECK_FALSE(relayed.refusal);
  CHECK(relayed.original == "a@sender.test");
}
