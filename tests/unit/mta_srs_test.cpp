// Unit tests of the Sender Rewriting Scheme (mta/srs.h): the libsrs2 address forms (checked
// against vectors computed independently with Python's hmac module), round trips, SRS1,
// tampering, expiry, case folding, quoted local parts and secret rotation.
#include <doctest/doctest.h>

#include "mta/srs.h"

#include <cctype>
#include <string>
#include <vector>

using mf::Code;
using mf::mta::is_srs_address;
using mf::mta::Srs;
using mf::mta::SrsOptions;

namespace {

constexpr int64_t kNow = 1700000000;  // day 19675, slot 219: timestamp "G3"
constexpr int64_t kDay = 86400;

Srs make_srs(std::vector<std::string> secrets = {"tops3cr3t"}, int max_age = 21) {
  SrsOptions options;
  options.secrets = std::move(secrets);
  options.max_age_days = max_age;
  auto srs = Srs::create(options);
  REQUIRE(srs.is_ok());
  return std::move(srs).value();
}

}  // namespace

TEST_CASE("SRS0 addresses match libsrs2's: HMAC-SHA1 of the lower-cased fields, base64") {
  // Expected values: base64(HMAC-SHA1("tops3cr3t", "g3example.comjohn.doe"))[:4] and, for
  // SRS1, of "forwarder.fr" + "=w2iB=G3=Example.COM=John.Doe", computed with Python.
  Srs srs = make_srs();
  auto first = srs.forward("John.Doe@Example.COM", "forwarder.fr", kNow);
  REQUIRE(first.is_ok());
  CHECK(*first == "SRS0=w2iB=G3=Example.COM=John.Doe@forwarder.fr");

  auto second = srs.forward(*first, "second.example", kNow);
  REQUIRE(second.is_ok());
  CHECK(*second == "SRS1=OOo1=forwarder.fr==w2iB=G3=Example.COM=John.Doe@second.example");
}

TEST_CASE("a forwarded sender reverses to the original address") {
  Srs srs = make_srs();
  for (const char* sender :
       {"jean@example.org", "a.b+tag@sub.example.co.uk", "x=y@example.org", "émilie@exemple.fr"}) {
    CAPTURE(sender);
    auto srs0 = srs.forward(sender, "relais.fr", kNow);
    REQUIRE(srs0.is_ok());
    CHECK(srs0->starts_with("SRS0="));
    CHECK(srs0->ends_with("@relais.fr"));
    CHECK(is_srs_address(*srs0));
    auto back = srs.reverse(*srs0, kNow + 3 * kDay);
    REQUIRE(back.is_ok());
    CHECK(*back == sender);
  }
}

TEST_CASE("the null sender and senders of the forwarding domain are not rewritten") {
  Srs srs = make_srs();
  auto null_sender = srs.forward("", "relais.fr", kNow);
  REQUIRE(null_sender.is_ok());
  CHECK(null_sender->empty());
  auto own = srs.forward("paul@Relais.FR", "relais.fr", kNow);
  REQUIRE(own.is_ok());
  CHECK(*own == "paul@Relais.FR");
}

TEST_CASE("a quoted local part survives the round trip and is quoted again in the SRS address") {
  Srs srs = make_srs();
  auto srs0 = srs.forward("\"jean dupont\"@example.org", "relais.fr", kNow);
  REQUIRE(srs0.is_ok());
  CHECK(srs0->starts_with("\"SRS0="));
  CHECK(srs0->ends_with("=example.org=jean dupont\"@relais.fr"));
  auto back = srs.reverse(*srs0, kNow);
  REQUIRE(back.is_ok());
  CHECK(*back == "\"jean dupont\"@example.org");

  auto at_inside = srs.forward("\"a@b\\\"c\"@example.org", "relais.fr", kNow);
  REQUIRE(at_inside.is_ok());
  auto back2 = srs.reverse(*at_inside, kNow);
  REQUIRE(back2.is_ok());
  CHECK(*back2 == "\"a@b\\\"c\"@example.org");
}

TEST_CASE("an SRS address lower-cased by another MTA still reverses") {
  Srs srs = make_srs();
  auto srs0 = srs.forward("John.Doe@Example.COM", "forwarder.fr", kNow);
  REQUIRE(srs0.is_ok());
  std::string lower;
  for (char c : *srs0)
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  auto back = srs.reverse(lower, kNow);
  REQUIRE(back.is_ok());
  CHECK(*back == "john.doe@example.com");
  std::string upper;
  for (char c : *srs0)
    upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  CHECK(srs.reverse(upper, kNow).is_ok());
}

TEST_CASE("an altered SRS0 address is refused as forged") {
  Srs srs = make_srs();
  std::string good = "SRS0=w2iB=G3=Example.COM=John.Doe@forwarder.fr";
  REQUIRE(srs.reverse(good, kNow).is_ok());
  for (const char* bad : {"SRS0=w2iC=G3=Example.COM=John.Doe@forwarder.fr",     // hash
                          "SRS0=w2iB=G3=Example.COM=Jane.Doe@forwarder.fr",     // local part
                          "SRS0=w2iB=G3=Exampel.COM=John.Doe@forwarder.fr",     // domain
                          "SRS0=w2iB=G4=Example.COM=John.Doe@forwarder.fr"}) {  // timestamp
    CAPTURE(bad);
    auto r = srs.reverse(bad, kNow);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == Code::kPermissionDenied);
  }
  Srs other = make_srs({"another secret"});
  auto r = other.reverse(good, kNow);
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().code() == Code::kPermissionDenied);
}

TEST_CASE("an SRS0 address expires after max_age_days, and the timestamp wraps at 1024 days") {
  Srs srs = make_srs({"k"}, 21);
  auto srs0 = srs.forward("jean@example.org", "relais.fr", kNow);
  REQUIRE(srs0.is_ok());
  CHECK(srs.reverse(*srs0, kNow + 21 * kDay).is_ok());
  auto expired = srs.reverse(*srs0, kNow + 22 * kDay);
  REQUIRE_FALSE(expired.is_ok());
  CHECK(expired.status().code() == Code::kFailedPrecondition);
  // A whole cycle later the slot comes round again: the same limit libsrs2 has.
  CHECK(srs.reverse(*srs0, kNow + 1024 * kDay).is_ok());
  // An address stamped tomorrow (a clock ahead of ours) reads as nearly 1024 days old.
  auto ahead = srs.forward("jean@example.org", "relais.fr", kNow + kDay);
  REQUIRE(ahead.is_ok());
  CHECK(srs.reverse(*ahead, kNow).status().code() == Code::kFailedPrecondition);
}

TEST_CASE("malformed SRS addresses are refused as invalid, naming what is missing") {
  Srs srs = make_srs();
  for (const char* bad :
       {"jean@example.org", "SRS0@relais.fr", "SRS0=@relais.fr", "SRS0=w2iB=G3@relais.fr",
        "SRS0=w2iB=G3=Example.COM=@relais.fr", "SRS0=w2iB=G3==John@relais.fr",
        "SRS0=w2i=G3=Example.COM=John@relais.fr", "SRS0=w2iB=G1=Example.COM=John@relais.fr",
        "SRS0=w2iB=G3X=e.com=j@r.fr", "SRS1=OOo1=forwarder.fr@second.example",
        "SRS1=OOo1==x@second.example", "SRS0x=w2iB=G3=Example.COM=John@r.fr", "no-at-sign",
        "\"open@relais.fr", "SRS0=a\rb@relais.fr", ""}) {
    CAPTURE(bad);
    auto r = srs.reverse(bad, kNow);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
    CHECK_FALSE(r.status().message().empty());
  }
}

TEST_CASE("SRS1 reverses to the first forwarder's SRS0 address, which reverses to the sender") {
  Srs a = make_srs({"secret of A"});
  Srs b = make_srs({"secret of B"});
  Srs c = make_srs({"secret of C"});
  auto at_a = a.forward("jean@example.org", "a.example", kNow);
  REQUIRE(at_a.is_ok());
  auto at_b = b.forward(*at_a, "b.example", kNow);
  REQUIRE(at_b.is_ok());
  CHECK(at_b->starts_with("SRS1="));
  CHECK(at_b->find("=a.example==") != std::string::npos);
  // C re-forwards B's SRS1 address: it stays SRS1 naming A, signed by C.
  auto at_c = c.forward(*at_b, "c.example", kNow);
  REQUIRE(at_c.is_ok());
  CHECK(at_c->starts_with("SRS1="));
  CHECK(at_c->find("=a.example==") != std::string::npos);
  CHECK(at_c->ends_with("@c.example"));
  // A bounce to C goes straight back to A, skipping B.
  auto to_a = c.reverse(*at_c, kNow);
  REQUIRE(to_a.is_ok());
  CHECK(*to_a == *at_a);
  auto to_sender = a.reverse(*to_a, kNow);
  REQUIRE(to_sender.is_ok());
  CHECK(*to_sender == "jean@example.org");
  // B cannot vouch for C's signature.
  CHECK(b.reverse(*at_c, kNow).status().code() == Code::kPermissionDenied);
  // The separators libsrs2 accepts after the tag: '+' and '-' as well as '='.
  std::string plus = *at_a;
  plus[4] = '+';
  auto via_plus = b.forward(plus, "b.example", kNow);
  REQUIRE(via_plus.is_ok());
  auto back_plus = b.reverse(*via_plus, kNow);
  REQUIRE(back_plus.is_ok());
  CHECK(*back_plus == plus);
}

TEST_CASE("with several secrets the first signs and every one verifies") {
  Srs old_only = make_srs({"old"});
  Srs rotated = make_srs({"new", "old"});
  auto issued_before = old_only.forward("jean@example.org", "relais.fr", kNow);
  auto issued_after = rotated.forward("jean@example.org", "relais.fr", kNow);
  REQUIRE(issued_before.is_ok());
  REQUIRE(issued_after.is_ok());
  CHECK(*issued_before != *issued_after);
  CHECK(rotated.reverse(*issued_before, kNow).is_ok());
  CHECK(rotated.reverse(*issued_after, kNow).is_ok());
  CHECK(old_only.reverse(*issued_after, kNow).status().code() == Code::kPermissionDenied);
}

TEST_CASE("SRS options and forwarding inputs are checked") {
  CHECK_FALSE(Srs::create({}).is_ok());
  CHECK_FALSE(Srs::create({{"a", ""}, 21}).is_ok());
  CHECK_FALSE(Srs::create({{"a"}, 0}).is_ok());
  CHECK_FALSE(Srs::create({{"a"}, 1001}).is_ok());
  Srs srs = make_srs();
  CHECK(srs.forward("jean", "relais.fr", kNow).status().code() == Code::kInvalidArgument);
  CHECK(srs.forward("@example.org", "relais.fr", kNow).status().code() == Code::kInvalidArgument);
  CHECK(srs.forward("jean@", "relais.fr", kNow).status().code() == Code::kInvalidArgument);
  CHECK(srs.forward("jean@example.org", "", kNow).status().code() == Code::kInvalidArgument);
  CHECK(srs.forward("jean@example.org", "a@b", kNow).status().code() == Code::kInvalidArgument);
  CHECK(srs.forward("j\nx@example.org", "relais.fr", kNow).status().code() ==
        Code::kInvalidArgument);
  std::string long_local(230, 'x');  // 256 octets with the SRS fields
  CHECK(srs.forward(long_local + "@example.org", "relais.fr", kNow).status().code() ==
        Code::kInvalidArgument);
  CHECK_FALSE(is_srs_address("jean@example.org"));
  CHECK(is_srs_address("srs0=x=y=z=w@relais.fr"));
  CHECK(is_srs_address("SRS1-x@relais.fr"));
}
