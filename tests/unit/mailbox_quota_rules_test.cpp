// The quota decisions of local delivery (mailbox/quota_rules.h) and how the mailbox store
// applies them: refusal over the limit, the 90 % warning sent once per crossing and
// re-armed below the mark, the warned flag kept in the usage record, deliveries exempt
// from the quota, and the outcomes a commit hook is given.
#include "mailbox_fixture.h"

#include "mailbox/quota_rules.h"
#include "mailbox/records.h"

#include <future>

namespace mf::test {
namespace {

using mailbox::quota_warning_step;
using mailbox::QuotaMode;
using mailbox::rcpt_over_quota;

TEST_CASE("a message fits when usage plus its size stays within the limit") {
  CHECK(mailbox::fits_quota(900, 100, uint64_t{1000}));
  CHECK_FALSE(mailbox::fits_quota(900, 101, uint64_t{1000}));
  CHECK(mailbox::fits_quota(UINT64_MAX, UINT64_MAX, std::nullopt));  // unlimited
  CHECK_FALSE(mailbox::fits_quota(1200, 0, uint64_t{1000}));         // already over
  CHECK_FALSE(mailbox::fits_quota(10, UINT64_MAX, uint64_t{1000}));  // no overflow
}

TEST_CASE("RCPT refuses an account the declared SIZE would take over its limit") {
  CHECK(rcpt_over_quota(900, uint64_t{1000}, uint64_t{101}));
  CHECK_FALSE(rcpt_over_quota(900, uint64_t{1000}, uint64_t{100}));
  CHECK_FALSE(rcpt_over_quota(999'999, std::nullopt, uint64_t{1} << 40));
}

TEST_CASE("without SIZE, RCPT refuses only an account already at or over its limit") {
  CHECK(rcpt_over_quota(1000, uint64_t{1000}, std::nullopt));
  CHECK(rcpt_over_quota(1500, uint64_t{1000}, std::nullopt));
  CHECK_FALSE(rcpt_over_quota(999, uint64_t{1000}, std::nullopt));
  CHECK(rcpt_over_quota(0, uint64_t{0}, std::nullopt));  // a zero limit takes nothing
}

TEST_CASE("the warning mark is 90 percent of the limit, rounded up") {
  CHECK(mailbox::quota_warning_mark(1000) == 900);
  CHECK(mailbox::quota_warning_mark(1005) == 905);
  CHECK(mailbox::quota_warning_mark(9) == 9);
  CHECK(mailbox::quota_warning_mark(0) == 0);
}

TEST_CASE("crossing the mark warns once and sets the flag") {
  auto step = quota_warning_step(800, 950, uint64_t{1000}, false, true);
  CHECK(step.send);
  CHECK(step.warned);
  // The next delivery above the mark: the flag holds, nothing is sent.
  step = quota_warning_step(950, 980, uint64_t{1000}, step.warned, true);
  CHECK_FALSE(step.send);
  CHECK(step.warned);
}

TEST_CASE("a delivery starting below the mark re-arms the warning") {
  // Mail was expunged (or the limit raised) since the warning: warned again on crossing.
  auto step = quota_warning_step(500, 950, uint64_t{1000}, true, true);
  CHECK(step.send);
  CHECK(step.warned);
  step = quota_warning_step(500, 600, uint64_t{1000}, true, true);
  CHECK_FALSE(step.send);
  CHECK_FALSE(step.warned);
}

TEST_CASE("a delivery that may not warn leaves the warning to the next one that may") {
  auto step = quota_warning_step(800, 950, uint64_t{1000}, false, false);
  CHECK_FALSE(step.send);
  CHECK_FALSE(step.warned);
  step = quota_warning_step(950, 960, uint64_t{1000}, step.warned, true);
  CHECK(step.send);
  CHECK(step.warned);
}

TEST_CASE("an unlimited account is never warned") {
  auto step = quota_warning_step(0, UINT64_MAX, std::nullopt, true, true);
  CHECK_FALSE(step.send);
  CHECK_FALSE(step.warned);
}

TEST_CASE("the usage record keeps the warned flag and reads the old format") {
  mailbox::QuotaUsage usage{1234, 5, true};
  mailbox::QuotaUsage back;
  MF_REQUIRE_OK(mailbox::decode(mailbox::encode(usage), &back));
  CHECK(back.bytes == 1234);
  CHECK(back.messages == 5);
  CHECK(back.warned);
  // Unwarned usage is written in format 1, as before the flag existed.
  const std::string plain = mailbox::encode(mailbox::QuotaUsage{7, 1, false});
  CHECK(static_cast<uint8_t>(plain[0]) == 1);
  MF_REQUIRE_OK(mailbox::decode(plain, &back));
  CHECK_FALSE(back.warned);
  // Unknown flag bits are corruption.
  std::string bad = mailbox::encode(usage);
  bad.back() = '\x03';
  MF_CHECK_CODE(mailbox::decode(bad, &back), Code::kCorruption);
}

mailbox::Delivery warned_to(std::string_view local, QuotaMode mode) {
  mailbox::Delivery d = MailFixture::to(local);
  d.quota = mode;
  return d;
}

TEST_CASE("the store reports the crossing once, and again after usage fell below the mark") {
  MailFixture f;
  const uint64_t size = std::string_view(MailFixture::kSample).size();
  // Room for ten messages; the mark falls on the ninth.
  MF_REQUIRE_OK(f.dir().set_account_quota(f.admin(), at("alice"), size * 10));
  std::vector<uint32_t> uids;
  for (int i = 1; i <= 10; ++i) {
    auto out = f.deliver(MailFixture::kSample, {warned_to("alice", QuotaMode::kEnforceAndWarn)});
    MF_REQUIRE_OK(out.at(0));
    uids.push_back(out[0]->uid);
    CAPTURE(i);
    CHECK(out[0]->quota_warning.has_value() == (i == 9));
    if (i == 9) {
      CHECK(out[0]->quota_warning->usage_bytes == size * 9);
      CHECK(out[0]->quota_warning->limit_bytes == size * 10);
    }
  }
  CHECK(f.mail().quota_usage(at("alice"))->warned);
  // Full: the eleventh is refused, and an exempt delivery is stored anyway.
  auto refused = f.deliver(MailFixture::kSample, {warned_to("alice", QuotaMode::kEnforceAndWarn)});
  MF_CHECK_CODE(refused.at(0), Code::kResourceExhausted);
  auto exempt = f.deliver(MailFixture::kSample, {warned_to("alice", QuotaMode::kExempt)});
  MF_REQUIRE_OK(exempt.at(0));
  CHECK(f.mail().quota_usage(at("alice"))->bytes == size * 11);
  // Expunge down to five messages, then fill again: warned again at the crossing.
  std::vector<uint32_t> gone(uids.begin(), uids.begin() + 5);
  gone.push_back(exempt[0]->uid);
  gone.push_back(uids[5]);
  MF_REQUIRE_OK(
      f.mail().set_flags(at("alice"), "INBOX", gone, mailbox::FlagOp::kAdd, mailbox::kDeleted));
  MF_REQUIRE_OK(f.mail().expunge(at("alice"), "INBOX"));
  CHECK(f.mail().quota_usage(at("alice"))->bytes == size * 4);
  int warnings = 0;
  for (int i = 0; i < 6; ++i) {
    auto out = f.deliver(MailFixture::kSample, {warned_to("alice", QuotaMode::kEnforceAndWarn)});
    MF_REQUIRE_OK(out.at(0));
    warnings += out[0]->quota_warning ? 1 : 0;
  }
  CHECK(warnings == 1);
}

TEST_CASE("plain enforced deliveries never report a crossing") {
  MailFixture f;
  const uint64_t size = std::string_view(MailFixture::kSample).size();
  MF_REQUIRE_OK(f.dir().set_account_quota(f.admin(), at("bob"), size));
  auto out = f.deliver(MailFixture::kSample, {MailFixture::to("bob")});
  MF_REQUIRE_OK(out.at(0));
  CHECK_FALSE(out[0]->quota_warning.has_value());
  CHECK_FALSE(f.mail().quota_usage(at("bob"))->warned);
}

TEST_CASE("a commit hook is given the outcomes of the local copies") {
  MailFixture f;
  MF_REQUIRE_OK(f.dir().set_account_quota(f.admin(), at("bob"), uint64_t{10}));
  auto writer = f.mail().begin_body();
  MF_REQUIRE_OK(writer);
  MF_REQUIRE_OK(writer->append(MailFixture::kSample));
  auto body = writer->finish();
  MF_REQUIRE_OK(body);
  std::vector<bool> seen;
  std::promise<Status> done;
  auto committed = done.get_future();
  f.mail().deliver(
      std::move(body).value(), {MailFixture::to("alice"), MailFixture::to("bob")},
      mailbox::InCommitAfter(
          [&seen](store::Txn&, uint64_t, const std::vector<mailbox::DeliveryOutcome>& outcomes) {
            seen.clear();
            for (const auto& o : outcomes) seen.push_back(o.is_ok());
            return Status::ok();
          }),
      [&done](Status s, std::vector<mailbox::DeliveryOutcome>) { done.set_value(s); });
  MF_REQUIRE_OK(committed.get());
  CHECK(seen == std::vector<bool>{true, false});
}

}  // namespace
}  // namespace mf::test
