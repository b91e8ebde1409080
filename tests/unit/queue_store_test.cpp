// Unit tests of the outbound queue's operations (queue/queue_store.h): enqueue, due
// order, results per recipient, retries, expiry and DSN reports. verify_queue() runs
// after every step.
#include <doctest/doctest.h>

#include "queue_fixture.h"

#include <fmt/format.h>

#include <algorithm>

using namespace mf;
using namespace mf::queue;
using mf::test::kQueueNow;
using mf::test::QueueFixture;
using store::Txn;

namespace {

std::vector<uint32_t> indexes_of(const DuePage& page) {
  std::vector<uint32_t> out;
  for (const auto& e : page.entries) out.push_back(e.ref.index);
  return out;
}

// Message ids and recipient indexes of a page, as "id.index".
std::vector<std::string> refs_of(const DuePage& page) {
  std::vector<std::string> out;
  for (const auto& e : page.entries)
    out.push_back(fmt::format("{}.{}", e.ref.message_id, e.ref.index));
  return out;
}

}  // namespace

TEST_CASE("a message to three domains is queued with one entry per recipient and its counters") {
  QueueFixture f;
  f.put_body(7, 1);  // delivered to one local mailbox too
  uint64_t id = f.write([&](Txn& txn) {
    return enqueue(txn, QueueFixture::message(7),
                   {QueueFixture::rcpt("paul@example.com"), QueueFixture::rcpt("anne@example.net"),
                    QueueFixture::rcpt("luc@example.com"), QueueFixture::rcpt("zoe@example.org")},
                   kQueueNow);
  });
  CHECK(id == 1);
  f.verify();
  // The queue holds one more reference on the body the local delivery stored.
  CHECK(f.body_refs(7) == 2u);

  Counts total = f.read([](Txn& txn) { return counts(txn); });
  CHECK(total.messages == 1);
  CHECK(total.active == 4);
  CHECK(f.read([](Txn& txn) { return domain_counts(txn, "example.com"); }).active == 2);
  CHECK(f.read([](Txn& txn) { return domain_counts(txn, "example.net"); }).active == 1);
  CHECK(f.read([](Txn& txn) { return domain_counts(txn, "example.invalid"); }) == Counts{});

  // Everything is due at once; the due index names each entry's destination.
  DuePage due = f.read([](Txn& txn) { return next_due(txn, kQueueNow, 10); });
  REQUIRE(due.entries.size() == 4);
  CHECK(indexes_of(due) == std::vector<uint32_t>{0, 1, 2, 3});
  CHECK(due.entries[1].domain == "example.net");
  CHECK(due.next.empty());
  // Per destination: the two example.com recipients, which one transaction can carry.
  DuePage com = f.read([](Txn& txn) { return due_for(txn, "example.com", kQueueNow, 10); });
  CHECK(indexes_of(com) == std::vector<uint32_t>{0, 2});
  CHECK(f.read([&](Txn& txn) { return recipients_at(txn, id, "example.com"); }) ==
        std::vector<uint32_t>{0, 2});
  // Nothing is due before it arrived.
  CHECK(f.read([](Txn& txn) { return next_due(txn, kQueueNow - 1, 10); }).entries.empty());
}

TEST_CASE("enqueue refuses bad requests and leaves nothing behind") {
  QueueFixture f;
  f.put_body(1, 1);
  // No body record: nothing to take a reference on.
  CHECK(f.try_write([](Txn& txn) {
           return enqueue(txn, QueueFixture::message(99), {QueueFixture::rcpt("a@example.com")},
                          kQueueNow);
         }).code() == Code::kNotFound);
  CHECK(f.try_write([](Txn& txn) {
           return enqueue(txn, QueueFixture::message(1), {}, kQueueNow);
         }).code() == Code::kInvalidArgument);
  NewRecipient upper = QueueFixture::rcpt("a@Example.COM");
  CHECK(f.try_write([&](Txn& txn) {
           return enqueue(txn, QueueFixture::message(1), {upper}, kQueueNow);
         }).code() == Code::kInvalidArgument);
  CHECK(f.body_refs(1) == 1u);
  CHECK(f.read([](Txn& txn) { return counts(txn); }) == Counts{});
  f.verify();
}

TEST_CASE("interactive mail and bounces are due before bulk mail queued earlier") {
  QueueFixture f;
  f.put_body(1, 1);
  std::vector<NewRecipient> campaign;
  for (int i = 0; i < 5; ++i)
    campaign.push_back(QueueFixture::rcpt(fmt::format("c{}@big.example", i)));
  uint64_t bulk = f.write([&](Txn& txn) {
    return enqueue(txn, QueueFixture::message(1, Priority::kBulk), campaign, kQueueNow - 100);
  });
  uint64_t bounce = f.write([&](Txn& txn) {
    return enqueue(txn, QueueFixture::message(1, Priority::kBounce, ""),
                   {QueueFixture::rcpt("x@big.example")}, kQueueNow - 50);
  });
  uint64_t jean = f.write([&](Txn& txn) {
    return enqueue(txn, QueueFixture::message(1), {QueueFixture::rcpt("client@big.example")},
                   kQueueNow);
  });
  f.verify();
  // Pages of two: Jean's message, then the bounce, then the campaign in order.
  DuePage p1 = f.read([](Txn& txn) { return next_due(txn, kQueueNow, 2); });
  REQUIRE(p1.entries.size() == 2);
  CHECK(p1.entries[0].ref.message_id == jean);
  CHECK(p1.entries[0].priority == Priority::kInteractive);
  CHECK(p1.entries[1].ref.message_id == bounce);
  REQUIRE_FALSE(p1.next.empty());
  DuePage p2 = f.read([&](Txn& txn) { return next_due(txn, kQueueNow, 2, p1.next); });
  CHECK(refs_of(p2) ==
        std::vector<std::string>{fmt::format("{}.0", bulk), fmt::format("{}.1", bulk)});
  DuePage p3 = f.read([&](Txn& txn) { return next_due(txn, kQueueNow, 10, p2.next); });
  CHECK(indexes_of(p3) == std::vector<uint32_t>{2, 3, 4});
  CHECK(p3.next.empty());
  // One class alone.
  DuePage only = f.read([](Txn& txn) { return next_due(txn, kQueueNow, 10, {}, Priority::kBulk); });
  CHECK(only.entries.size() == 5);
}

TEST_CASE("partial delivery: delivered, bounced and deferred recipients of one message") {
  QueueFixture f;
  f.put_body(3, 1);
  uint64_t id = f.write([&](Txn& txn) {
    return enqueue(txn, QueueFixture::message(3),
                   {QueueFixture::rcpt("ok@a.example"), QueueFixture::rcpt("nobody@b.example"),
                    QueueFixture::rcpt("later@c.example")},
                   kQueueNow);
  });
  f.verify();
  Finished ok = f.write([&](Txn& txn) {
    return delivered(txn, {id, 0}, "250 2.0.0 Ok: queued as X", kQueueNow + 5);
  });
  CHECK_FALSE(ok.report_pending);  // NOTIFY unset: no success DSN
  CHECK_FALSE(ok.message_removed);
  CHECK(ok.recipient.outcome == Outcome::kDelivered);
  CHECK(ok.recipient.attempts == 1);
  f.verify();
  Finished bad = f.write([&](Txn& txn) {
    return bounced(txn, {id, 1}, "550 5.1.1 no such user", kQueueNow + 6);
  });
  CHECK(bad.report_pending);  // failures are reported by default
  CHECK(bad.recipient.state == RcptState::kReport);
  CHECK(bad.message.sender == "jean@ma-societe.fr");
  f.verify();
  Deferred later = f.write([&](Txn& txn) {
    return deferred(txn, {id, 2}, "451 4.3.0 busy", kQueueNow + 7);
  });
  CHECK_FALSE(later.expired);
  CHECK(later.next_attempt == kQueueNow + 7 + 300);
  f.verify();

  Counts c = f.read([](Txn& txn) { return counts(txn); });
  CHECK(c.messages == 1);
  CHECK(c.active == 0);
  CHECK(c.deferred == 1);
  CHECK(c.report == 1);
  // A finished recipient takes no other result.
  CHECK(f.try_write([&](Txn& txn) {
           return delivered(txn, {id, 1}, "250 ok", kQueueNow);
         }).code() == Code::kFailedPrecondition);
  // A delivered recipient is gone.
  CHECK(f.try_write([&](Txn& txn) {
           return delivered(txn, {id, 0}, "250 ok", kQueueNow);
         }).code() == Code::kNotFound);

  // The DSN: one per message, listing its failed recipients.
  CHECK(f.read([](Txn& txn) { return pending_reports(txn, 0, 10); }) == std::vector<uint64_t>{id});
  Report report = f.read([&](Txn& txn) { return load_report(txn, id); });
  REQUIRE(report.recipients.size() == 1);
  CHECK(report.recipients[0].first == 1);
  CHECK(report.recipients[0].second.last_reply == "550 5.1.1 no such user");
  CHECK(report.recipients[0].second.outcome == Outcome::kFailed);
  CHECK_FALSE(f.write([&](Txn& txn) { return report_done(txn, id); }));  // one recipient left
  CHECK(f.read([](Txn& txn) { return pending_reports(txn, 0, 10); }).empty());
  f.verify();

  // The last recipient's delivery removes the message and releases the body, whose file
  // the mailbox sweep then deletes.
  CHECK(f.body_refs(3) == 2u);
  Finished last = f.write([&](Txn& txn) {
    return delivered(txn, {id, 2}, "250 ok", kQueueNow + 400);
  });
  CHECK(last.message_removed);
  CHECK(last.recipient.attempts == 2);
  CHECK(f.body_refs(3) == 1u);
  CHECK(f.read([](Txn& txn) { return counts(txn); }) == Counts{});
  f.verify();
}

TEST_CASE("the last recipient's bounce keeps the message and its body until the DSN is queued") {
  QueueFixture f;
  f.put_body(5, 1);
  uint64_t id = f.write([&](Txn& txn) {
    return enqueue(txn, QueueFixture::message(5), {QueueFixture::rcpt("x@a.example")}, kQueueNow);
  });
  // The body's only other reference goes (the local copy was expunged).
  {
    Status s = f.env().write([](Txn& txn) { return mailbox::release_body(txn, 5); });
    REQUIRE(s.is_ok());
  }
  Finished fin = f.write([&](Txn& txn) {
    return bounced(txn, {id, 0}, "554 5.7.1 refused", kQueueNow);
  });
  CHECK(fin.report_pending);
  CHECK_FALSE(fin.message_removed);
  CHECK(f.body_refs(5) == 1u);  // the DSN builder can still read the original
  f.verify();
  CHECK(f.write([&](Txn& txn) { return report_done(txn, id); }));
  bool garbage = false;
  CHECK_FALSE(f.body_refs(5, &garbage).has_value());
  CHECK(garbage);
  f.verify();
}

TEST_CASE("no DSN is kept for the null sender, for NOTIFY=NEVER, or for a success unless asked") {
  QueueFixture f;
  f.put_body(1, 1);
  uint64_t null_sender = f.write([&](Txn& txn) {
    return enqueue(txn, QueueFixture::message(1, Priority::kBounce, ""),
                   {QueueFixture::rcpt("a@x.example")}, kQueueNow);
  });
  uint64_t never = f.write([&](Txn& txn) {
    return enqueue(txn, QueueFixture::message(1), {QueueFixture::rcpt("b@x.example", 0)},
                   kQueueNow);
  });
  uint64_t success = f.write([&](Txn& txn) {
    return enqueue(txn, QueueFixture::message(1),
                   {QueueFixture::rcpt("c@x.example", kNotifySuccess)}, kQueueNow);
  });
  CHECK_FALSE(f.write([&](Txn& txn) {
                 return bounced(txn, {null_sender, 0}, "550 no", kQueueNow);
               }).report_pending);
  CHECK_FALSE(f.write([&](Txn& txn) {
                 return bounced(txn, {never, 0}, "550 no", kQueueNow);
               }).report_pending);
  Finished s = f.write([&](Txn& txn) { return delivered(txn, {success, 0}, "250 ok", kQueueNow); });
  CHECK(s.report_pending);
  CHECK(s.recipient.outcome == Outcome::kDelivered);
  CHECK(f.read([](Txn& txn) { return pending_reports(txn, 0, 10); }) ==
        std::vector<uint64_t>{success});
  f.verify();
}

TEST_CASE(
    "deferred recipients are retried with exponential backoff and leave the due set meanwhile") {
  QueueFixture f;
  f.put_body(1, 1);
  uint64_t id = f.write([&](Txn& txn) {
    return enqueue(txn, QueueFixture::message(1), {QueueFixture::rcpt("a@slow.example")},
                   kQueueNow);
  });
  int64_t now = kQueueNow;
  const int64_t expected[] = {300, 600, 1200, 2400, 4800, 9600, 14400, 14400};
  for (int64_t delay : expected) {
    Deferred d = f.write([&](Txn& txn) {
      return deferred(txn, {id, 0}, "421 4.7.0 slow down", now);
    });
    REQUIRE_FALSE(d.expired);
    CHECK(d.next_attempt == now + delay);
    f.verify();
    // Not due a second early, due at its time, in both indexes.
    CHECK(f.read([&](Txn& txn) { return next_due(txn, d.next_attempt - 1, 10); }).entries.empty());
    CHECK(f.read([&](Txn& txn) {
             return due_for(txn, "slow.example", d.next_attempt - 1, 10);
           }).entries.empty());
    DuePage due = f.read([&](Txn& txn) { return next_due(txn, d.next_attempt, 10); });
    REQUIRE(due.entries.size() == 1);
    CHECK(due.entries[0].next_attempt == d.next_attempt);
    CHECK(f.read([&](Txn& txn) {
             return due_for(txn, "slow.example", d.next_attempt, 10);
           }).entries.size() == 1);
    now = d.next_attempt;
  }
  MessageDetail detail = f.read([&](Txn& txn) { return show(txn, id); });
  REQUIRE(detail.recipients.size() == 1);
  CHECK(detail.recipients[0].second.attempts == 8);
  CHECK(detail.recipients[0].second.first_attempt == kQueueNow);
  CHECK(detail.recipients[0].second.state == RcptState::kDeferred);
  CHECK(detail.recipients[0].second.last_reply == "421 4.7.0 slow down");
  CHECK(f.read([](Txn& txn) { return counts(txn); }).deferred == 1);
}

TEST_CASE("a recipient deferred past its lifetime expires as a bounce") {
  QueueFixture f;
  f.put_body(1, 1);
  RetryPolicy policy;
  policy.max_lifetime = 3600;  // one hour, to keep the steps few
  uint64_t id = f.write([&](Txn& txn) {
    return enqueue(txn, QueueFixture::message(1), {QueueFixture::rcpt("a@dead.example")}, kQueueNow,
                   policy);
  });
  Deferred d1 = f.write([&](Txn& txn) {
    return deferred(txn, {id, 0}, "451 a", kQueueNow + 3500, policy);
  });
  CHECK(d1.next_attempt == kQueueNow + 3600);  // capped at the expiry: one last attempt
  Deferred d2 = f.write([&](Txn& txn) {
    return deferred(txn, {id, 0}, "451 b", kQueueNow + 3600, policy);
  });
  CHECK(d2.expired);
  REQUIRE(d2.finished.has_value());
  CHECK(d2.finished->report_pending);
  CHECK(d2.finished->recipient.outcome == Outcome::kExpired);
  CHECK(d2.finished->recipient.attempts == 2);
  CHECK(d2.finished->recipient.last_reply == "451 b");
  CHECK(f.read([](Txn& txn) { return counts(txn); }).report == 1);
  CHECK(f.read([](Txn& txn) { return next_due(txn, INT64_MAX / 2, 10); }).entries.empty());
  f.verify();
}

TEST_CASE("a long reply is kept to its first 512 bytes") {
  QueueFixture f;
  f.put_body(1, 1);
  uint64_t id = f.write([&](Txn& txn) {
    return enqueue(txn, QueueFixture::message(1), {QueueFixture::rcpt("a@x.example")}, kQueueNow);
  });
  std::string reply = "451 " + std::string(2000, 'r');
  f.write([&](Txn& txn) { return deferred(txn, {id, 0}, reply, kQueueNow); });
  MessageDetail d = f.read([&](Txn& txn) { return show(txn, id); });
  CHECK(d.recipients[0].second.last_reply == reply.substr(0, kMaxReplyBytes));
  f.verify();
}

TEST_CASE("verify_queue notices an index entry that disagrees with the records") {
  QueueFixture f;
  f.put_body(1, 1);
  uint64_t id = f.write([&](Txn& txn) {
    return enqueue(txn, QueueFixture::message(1), {QueueFixture::rcpt("a@x.example")}, kQueueNow);
  });
  f.verify();
  Status broken = f.env().write([&](Txn& txn) -> Status {
    MF_RETURN_IF_ERROR(
        txn.del(store::Table::kQueueDue, due_key(Priority::kInteractive, kQueueNow, id, 0))
            .status());
    return verify_queue(txn);
  });
  CHECK(broken.code() == Code::kCorruption);
  Status stray = f.env().write([&](Txn& txn) -> Status {
    MF_RETURN_IF_ERROR(txn.put(store::Table::kQueueHeld, recipient_key(id, 5), ""));
    return verify_queue(txn);
  });
  CHECK(stray.code() == Code::kCorruption);
  Status counters = f.env().write([&](Txn& txn) -> Status {
    Counts c;
    c.messages = 1;
    c.active = 2;
    MF_RETURN_IF_ERROR(txn.put(store::Table::kQueueCounts, kTotalCountsKey, encode(c)));
    return verify_queue(txn);
  });
  CHECK(counters.code() == Code::kCorruption);
  f.verify();  // the failed transactions left nothing behind
}

TEST_CASE("a recipient still deferred after the delay notice time gets one delay notice") {
  QueueFixture f;
  f.put_body(1, 1);
  RetryPolicy policy;
  policy.delay_notice_after = 3600;
  uint64_t id = f.write([&](Txn& txn) {
    return enqueue(
        txn, QueueFixture::message(1),
        {QueueFixture::rcpt("a@slow.example"), QueueFixture::rcpt("b@slow.example", kNotifyFailure),
         QueueFixture::rcpt("c@slow.example", kNotifyDelay)},
        kQueueNow, policy);
  });
  auto defer = [&](uint32_t index, int64_t at) {
    return f.write([&](Txn& txn) {
      return deferred(txn, {id, index}, "451 4.3.0 busy", at, policy);
    });
  };
  auto pending = [&] { return f.read([](Txn& txn) { return pending_reports(txn, 0, 10); }); };

  CHECK_FALSE(defer(0, kQueueNow + 60).delay_notice);  // too early
  CHECK(pending().empty());
  CHECK(defer(0, kQueueNow + 3600).delay_notice);        // no NOTIFY: delays are reported
  CHECK_FALSE(defer(1, kQueueNow + 3600).delay_notice);  // NOTIFY=FAILURE only
  CHECK(defer(2, kQueueNow + 3700).delay_notice);        // NOTIFY=DELAY
  f.verify();
  CHECK(pending() == std::vector<uint64_t>{id});
  Report report = f.read([&](Txn& txn) { return load_report(txn, id); });
  REQUIRE(report.recipients.size() == 2);
  CHECK(report.recipients[0].first == 0);
  CHECK(report.recipients[0].second.state == RcptState::kDeferred);
  CHECK(report.recipients[1].first == 2);

  CHECK_FALSE(defer(0, kQueueNow + 7200).delay_notice);  // once per recipient
  CHECK_FALSE(f.write([&](Txn& txn) { return report_done(txn, id); }));
  f.verify();
  CHECK(pending().empty());
  Counts c = f.read([](Txn& txn) { return counts(txn); });
  CHECK(c.deferred == 3);  // still scheduled
  CHECK(c.report == 0);
  CHECK(f.read([&](Txn& txn) { return recipients_at(txn, id, "slow.example"); }).size() == 3);
  CHECK_FALSE(defer(2, kQueueNow + 9000).delay_notice);  // given already, even after the DSN
  CHECK(pending().empty());
}

TEST_CASE("a final result replaces a delay notice that was still waiting") {
  QueueFixture f;
  f.put_body(1, 1);
  RetryPolicy policy;
  policy.delay_notice_after = 60;
  uint64_t id = f.write([&](Txn& txn) {
    return enqueue(txn, QueueFixture::message(1),
                   {QueueFixture::rcpt("a@slow.example"), QueueFixture::rcpt("b@slow.example")},
                   kQueueNow, policy);
  });
  for (uint32_t i : {0u, 1u}) {
    CHECK(f.write([&](Txn& txn) {
             return deferred(txn, {id, i}, "451 4.3.0 busy", kQueueNow + 120, policy);
           }).delay_notice);
  }
  // a is delivered (no DSN asked for success): gone, and out of the report list with it.
  Finished a = f.write([&](Txn& txn) {
    return delivered(txn, {id, 0}, "250 ok", kQueueNow + 300);
  });
  CHECK_FALSE(a.report_pending);
  f.verify();
  // b bounces: its final report replaces its delay notice (one entry, reported as failed).
  Finished b = f.write([&](Txn& txn) {
    return bounced(txn, {id, 1}, "550 5.1.1 no", kQueueNow + 300);
  });
  CHECK(b.report_pending);
  CHECK((b.recipient.flags & kDelayNoticeDue) == 0);
  f.verify();
  Report report = f.read([&](Txn& txn) { return load_report(txn, id); });
  REQUIRE(report.recipients.size() == 1);
  CHECK(report.recipients[0].second.state == RcptState::kReport);
  CHECK(f.write([&](Txn& txn) { return report_done(txn, id); }));  // the message goes
  f.verify();
}

TEST_CASE("no delay notice for the null sender or when the policy gives none") {
  QueueFixture f;
  f.put_body(1, 1);
  f.put_body(2, 1);
  RetryPolicy off;  // delay_notice_after = 0
  RetryPolicy on;
  on.delay_notice_after = 60;
  uint64_t bounce = f.write([&](Txn& txn) {
    return enqueue(txn, QueueFixture::message(1, Priority::kBounce, ""),
                   {QueueFixture::rcpt("a@slow.example")}, kQueueNow, on);
  });
  uint64_t plain = f.write([&](Txn& txn) {
    return enqueue(txn, QueueFixture::message(2), {QueueFixture::rcpt("a@slow.example")}, kQueueNow,
                   off);
  });
  CHECK_FALSE(f.write([&](Txn& txn) {
                 return deferred(txn, {bounce, 0}, "451 busy", kQueueNow + 3600, on);
               }).delay_notice);
  CHECK_FALSE(f.write([&](Txn& txn) {
                 return deferred(txn, {plain, 0}, "451 busy", kQueueNow + 3600, off);
               }).delay_notice);
  CHECK(f.read([](Txn& txn) { return pending_reports(txn, 0, 10); }).empty());
  f.verify();
}
