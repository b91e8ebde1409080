// Unit tests of per-account sending limits (mta/sending_limiter.h): which limits apply,
// the sliding hour, the reasons given, and that memory follows the active accounts.
#include <doctest/doctest.h>

#include "mta/sending_limiter.h"

#include <string>

using mf::SendingLimits;
using mf::ServerConfig;
using mf::mta::SendingLimiter;

namespace {

constexpr int64_t kT0 = 1767225600;  // 2026-01-01T00:00:00Z, on a minute boundary
constexpr const char* kEmma = "emma.durand@ma-societe.fr";

ServerConfig limits(uint32_t messages, uint32_t recipients) {
  ServerConfig c;
  c.sending = SendingLimits{messages, recipients};
  return c;
}

}  // namespace

TEST_CASE("the account's override wins over its domain's, which wins over the default") {
  ServerConfig c = limits(300, 1000);
  c.sending_per_domain["Ma-Societe.FR"] = SendingLimits{50, 100};
  c.sending_per_account["Emma.Durand@ma-societe.fr"] = SendingLimits{10, 20};
  SendingLimiter l(c);
  CHECK(l.limits_for(kEmma).messages_per_hour == 10);
  CHECK(l.limits_for("EMMA.DURAND@MA-SOCIETE.FR").recipients_per_hour == 20);
  CHECK(l.limits_for("paul@MA-societe.fr").messages_per_hour == 50);
  CHECK(l.limits_for("paul@example.org").messages_per_hour == 300);
  CHECK(l.limits_for("no-domain").messages_per_hour == 300);
  // The domain is what follows the last '@', not a suffix of it.
  CHECK(l.limits_for("paul@sub.ma-societe.fr").messages_per_hour == 300);
}

TEST_CASE("a message over the hourly limit is refused with a reason naming the account") {
  SendingLimiter l(limits(3, 0));
  for (int i = 0; i < 3; ++i) {
    CHECK_FALSE(l.check_message(kEmma, kT0 + i).has_value());
    l.record(kEmma, 1, 1, kT0 + i);
  }
  auto reason = l.check_message(kEmma, kT0 + 10);
  REQUIRE(reason.has_value());
  CHECK(*reason == "emma.durand@ma-societe.fr sent 3 messages in the last hour, the limit is 3");
  CHECK_FALSE(l.check_message("paul@ma-societe.fr", kT0 + 10).has_value());
}

TEST_CASE("recipients count what was sent plus what the caller is about to add") {
  SendingLimiter l(limits(0, 10));
  l.record(kEmma, 1, 7, kT0);
  CHECK_FALSE(l.check_recipients(kEmma, 3, kT0).has_value());
  auto one = l.check_recipients("Emma.Durand@ma-societe.fr", 4, kT0);
  REQUIRE(one.has_value());
  CHECK(*one ==
        "Emma.Durand@ma-societe.fr sent to 7 recipients in the last hour and has 3 more in "
        "this message, the limit is 10");
  l.record(kEmma, 1, 3, kT0);
  CHECK(*l.check_recipients(kEmma, 1, kT0) ==
        "emma.durand@ma-societe.fr sent to 10 recipients in the last hour, the limit is 10");
}

TEST_CASE("zero means no limit") {
  SendingLimiter l(limits(0, 0));
  l.record(kEmma, 1000000, 1000000, kT0);
  CHECK_FALSE(l.check_message(kEmma, kT0).has_value());
  CHECK_FALSE(l.check_recipients(kEmma, 1000000, kT0).has_value());
}

TEST_CASE("what was sent stops counting once it is an hour old, minute by minute") {
  SendingLimiter l(limits(2, 0));
  l.record(kEmma, 1, 1, kT0 + 30);       // minute 0
  l.record(kEmma, 1, 1, kT0 + 20 * 60);  // minute 20
  CHECK(l.check_message(kEmma, kT0 + 59 * 60 + 59).has_value());
  CHECK(l.messages_sent(kEmma, kT0 + 59 * 60 + 59) == 2);
  // At minute 60 the first message leaves the window, 59.5 minutes after it was sent.
  CHECK_FALSE(l.check_message(kEmma, kT0 + 60 * 60).has_value());
  CHECK(l.messages_sent(kEmma, kT0 + 60 * 60) == 1);
  CHECK(l.messages_sent(kEmma, kT0 + 80 * 60) == 0);
}

TEST_CASE("a bucket reused after an hour starts from zero") {
  SendingLimiter l(limits(5, 0));
  l.record(kEmma, 4, 4, kT0);
  l.record(kEmma, 1, 1, kT0 + 30 * 60);  // keeps the account active
  l.record(kEmma, 1, 1, kT0 + 60 * 60);  // the same bucket as minute 0, an hour later
  CHECK(l.messages_sent(kEmma, kT0 + 60 * 60) == 2);
}

TEST_CASE("accounts idle for an hour are forgotten") {
  SendingLimiter l(limits(300, 1000));
  for (int i = 0; i < 100; ++i) l.record("user" + std::to_string(i) + "@x.fr", 1, 1, kT0);
  CHECK(l.tracked_accounts() == 100);
  l.record(kEmma, 1, 1, kT0 + 30 * 60);
  CHECK(l.tracked_accounts() == 101);
  l.record("paul@x.fr", 1, 1, kT0 + 60 * 60);
  CHECK(l.tracked_accounts() == 2);
  CHECK(l.messages_sent(kEmma, kT0 + 60 * 60) == 1);
}

TEST_CASE("reconfigure changes the limits and keeps the counts") {
  SendingLimiter l(limits(10, 0));
  l.record(kEmma, 5, 5, kT0);
  CHECK_FALSE(l.check_message(kEmma, kT0).has_value());
  ServerConfig c = limits(10, 0);
  c.sending_per_account[kEmma] = SendingLimits{5, 0};
  l.reconfigure(c);
  CHECK(*l.check_message(kEmma, kT0) ==
        "emma.durand@ma-societe.fr sent 5 messages in the last hour, the limit is 5");
}
