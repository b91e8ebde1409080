// Unit tests of the outbound queue's administration (hold, release, delete, flush, list,
// show, counts), of its bounded memory with 100,000 recipients, and of schema version 3.
#include <doctest/doctest.h>

#include "queue_fixture.h"
#include "store/schema.h"

#include <fmt/format.h>

#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <set>

using namespace mf;
using namespace mf::queue;
using mf::test::kQueueNow;
using mf::test::QueueFixture;
using store::Txn;

namespace {

// Resident set size of this process in KiB (Linux /proc), 0 when unknown.
long rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

// Bytes allocated on the heap now (glibc's statistics; 0 under other allocators).
long long heap_bytes() {
#if defined(__GLIBC__)
  return static_cast<long long>(mallinfo2().uordblks);
#else
  return 0;
#endif
}

}  // namespace

TEST_CASE("a held message is never due until released, and a deferral keeps it held") {
  QueueFixture f;
  f.put_body(1, 1);
  uint64_t id = f.write([&](Txn& txn) {
    return enqueue(txn, QueueFixture::message(1),
                   {QueueFixture::rcpt("a@x.example"), QueueFixture::rcpt("b@y.example")},
                   kQueueNow);
  });
  // b was tried once and deferred before the administrator held the message.
  f.write([&](Txn& txn) { return deferred(txn, {id, 1}, "451 later", kQueueNow); });
  CHECK(f.write([&](Txn& txn) { return hold(txn, id); }) == 2);
  f.verify();
  CHECK(f.read([](Txn& txn) { return next_due(txn, kQueueNow + 86400, 10); }).entries.empty());
  CHECK(f.read([](Txn& txn) { return due_for(txn, "x.example", kQueueNow, 10); }).entries.empty());
  CHECK(f.read([&](Txn& txn) { return recipients_at(txn, id, "x.example"); }).empty());
  Counts c = f.read([](Txn& txn) { return counts(txn); });
  CHECK(c.held == 2);
  CHECK(c.active + c.deferred == 0);
  CHECK(f.read([](Txn& txn) { return domain_counts(txn, "y.example"); }).held == 1);
  CHECK(f.write([&](Txn& txn) { return hold(txn, id); }) == 0);  // already held

  // A result that arrives for a held recipient (the attempt was under way) is recorded,
  // and the recipient stays held.
  Deferred d = f.write([&](Txn& txn) {
    return deferred(txn, {id, 0}, "451 again", kQueueNow + 10);
  });
  CHECK(d.next_attempt == kQueueNow + 10 + 300);
  f.verify();
  CHECK(f.read([](Txn& txn) { return counts(txn); }).held == 2);

  CHECK(f.write([&](Txn& txn) { return release(txn, id); }) == 2);
  f.verify();
  MessageDetail detail = f.read([&](Txn& txn) { return show(txn, id); });
  CHECK(detail.recipients[0].second.state == RcptState::kDeferred);
  CHECK(detail.recipients[1].second.state == RcptState::kDeferred);
  CHECK(detail.message.counts.deferred == 2);
  // Due again at their recorded times.
  CHECK(f.read([](Txn& txn) { return next_due(txn, kQueueNow + 300, 10); }).entries.size() == 1);
  CHECK(f.read([](Txn& txn) { return next_due(txn, kQueueNow + 310, 10); }).entries.size() == 2);
}

TEST_CASE("releasing a message held before any attempt makes it active and due again") {
  QueueFixture f;
  f.put_body(1, 1);
  uint64_t id = f.write([&](Txn& txn) {
    return enqueue(txn, QueueFixture::message(1), {QueueFixture::rcpt("a@x.example")}, kQueueNow);
  });
  f.write([&](Txn& txn) { return hold(txn, id); });
  f.write([&](Txn& txn) { return release(txn, id); });
  CHECK(f.read([](Txn& txn) { return counts(txn); }).active == 1);
  CHECK(f.read([](Txn& txn) { return next_due(txn, kQueueNow, 10); }).entries.size() == 1);
  f.verify();
}

TEST_CASE("deleting a message removes every recipient without a DSN and releases the body") {
  QueueFixture f;
  f.put_body(9, 1);  // one local copy
  uint64_t id = f.write([&](Txn& txn) {
    return enqueue(txn, QueueFixture::message(9),
                   {QueueFixture::rcpt("a@x.example"), QueueFixture::rcpt("b@y.example"),
                    QueueFixture::rcpt("c@z.example")},
                   kQueueNow);
  });
  uint64_t other = f.write([&](Txn& txn) {
    return enqueue(txn, QueueFixture::message(9), {QueueFixture::rcpt("d@x.example")}, kQueueNow);
  });
  CHECK(f.body_refs(9) == 3u);
  // Recipients in every state: bounced (report pending), deferred, held.
  f.write([&](Txn& txn) { return bounced(txn, {id, 0}, "550 no", kQueueNow); });
  f.write([&](Txn& txn) { return deferred(txn, {id, 1}, "451 later", kQueueNow); });
  CHECK(f.write([&](Txn& txn) { return delete_message(txn, id); }) == 3);
  f.verify();
  CHECK(f.body_refs(9) == 2u);
  CHECK(f.read([](Txn& txn) { return pending_reports(txn, 0, 10); }).empty());
  CHECK(f.try_write([&](Txn& txn) { return show(txn, id); }).code() == Code::kNotFound);
  CHECK(f.try_write([&](Txn& txn) { return delete_message(txn, id); }).code() == Code::kNotFound);
  Counts c = f.read([](Txn& txn) { return counts(txn); });
  CHECK(c.messages == 1);
  CHECK(c.recipients() == 1);
  CHECK(f.read([](Txn& txn) { return domain_counts(txn, "y.example"); }) == Counts{});

  // The last holder of the body: deleting the other message puts the body on the garbage
  // list once the local copy is gone too.
  Status s = f.env().write([](Txn& txn) { return mailbox::release_body(txn, 9); });
  REQUIRE(s.is_ok());
  f.write([&](Txn& txn) { return delete_message(txn, other); });
  bool garbage = false;
  CHECK_FALSE(f.body_refs(9, &garbage).has_value());
  CHECK(garbage);
  f.verify();
}

TEST_CASE("flush makes every deferred entry due now, page by page") {
  QueueFixture f;
  f.put_body(1, 1);
  std::vector<NewRecipient> rcpts;
  for (int i = 0; i < 5; ++i) rcpts.push_back(QueueFixture::rcpt(fmt::format("r{}@x.example", i)));
  uint64_t id =
      f.write([&](Txn& txn) { return enqueue(txn, QueueFixture::message(1), rcpts, kQueueNow); });
  for (uint32_t i = 0; i < 4; ++i) {
    f.write([&](Txn& txn) { return deferred(txn, {id, i}, "451 later", kQueueNow); });
  }
  const int64_t later = kQueueNow + 60;
  CHECK(f.read([&](Txn& txn) { return next_due(txn, later, 10); }).entries.size() == 1);
  FlushResult first = f.write([&](Txn& txn) { return flush(txn, later, 3); });
  CHECK(first.moved == 3);
  CHECK(first.more);
  f.verify();
  FlushResult second = f.write([&](Txn& txn) { return flush(txn, later, 3); });
  CHECK(second.moved == 1);
  CHECK_FALSE(second.more);
  f.verify();
  CHECK(f.read([&](Txn& txn) { return next_due(txn, later, 10); }).entries.size() == 5);
  // Still deferred (tried before), only due sooner.
  CHECK(f.read([](Txn& txn) { return counts(txn); }).deferred == 4);
  CHECK(f.write([&](Txn& txn) { return flush(txn, later, 3); }).moved == 0);
}

TEST_CASE("list pages messages by id and by domain with their counts, and show omits the body") {
  QueueFixture f;
  f.put_body(1, 1);
  std::vector<uint64_t> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(f.write([&](Txn& txn) {
      std::vector<NewRecipient> r = {QueueFixture::rcpt(fmt::format("u{}@a.example", i))};
      if (i % 2 == 0) r.push_back(QueueFixture::rcpt(fmt::format("u{}@b.example", i)));
      return enqueue(txn, QueueFixture::message(1), r, kQueueNow + i);
    }));
  }
  auto page1 = f.read([](Txn& txn) { return list_messages(txn, 0, 2); });
  REQUIRE(page1.size() == 2);
  CHECK(page1[0].id == ids[0]);
  CHECK(page1[0].message.counts.active == 2);
  CHECK(page1[1].message.counts.active == 1);
  auto page2 = f.read([&](Txn& txn) { return list_messages(txn, page1.back().id, 10); });
  CHECK(page2.size() == 3);
  // By domain: one line per message, not per recipient.
  auto b = f.read([](Txn& txn) { return list_messages_for(txn, "b.example", 0, 10); });
  REQUIRE(b.size() == 3);
  CHECK(b[0].id == ids[0]);
  CHECK(b[1].id == ids[2]);
  CHECK(b[2].id == ids[4]);
  CHECK(f.read([&](Txn& txn) { return list_messages_for(txn, "b.example", ids[0], 1); })[0].id ==
        ids[2]);
  CHECK(f.read([](Txn& txn) { return list_messages_for(txn, "a.exampl", 0, 10); }).empty());
  auto domains = f.read([](Txn& txn) { return list_domains(txn, "", 10); });
  REQUIRE(domains.size() == 2);
  CHECK(domains[0].first == "a.example");
  CHECK(domains[0].second.active == 5);
  CHECK(domains[1].first == "b.example");
  CHECK(domains[1].second.active == 3);
  CHECK(f.read([](Txn& txn) { return list_domains(txn, "a.example", 10); }).size() == 1);
  MessageDetail d = f.read([&](Txn& txn) { return show(txn, ids[2]); });
  CHECK(d.message.sender == "jean@ma-societe.fr");
  CHECK(d.message.queue_id == "4F7K2M0001QZ");
  REQUIRE(d.recipients.size() == 2);
  CHECK(d.recipients[1].second.address == "u2@b.example");
  CHECK(d.recipients[1].second.expires_at == kQueueNow + 2 + RetryPolicy{}.max_lifetime);
}

TEST_CASE("100,000 queued recipients are read in due order in bounded pages") {
  QueueFixture f;
  f.put_body(1, 1);
  // A campaign of 100 messages x 1,000 recipients over 50 domains, bulk class, arriving
  // one second apart, then one interactive message queued last.
  constexpr int kMessages = 100, kPerMessage = 1000;
  auto t0 = std::chrono::steady_clock::now();
  for (int m = 0; m < kMessages; m += 10) {
    Status s = f.env().write([&](Txn& txn) -> Status {
      for (int k = m; k < m + 10; ++k) {
        std::vector<NewRecipient> r;
        r.reserve(kPerMessage);
        for (int i = 0; i < kPerMessage; ++i) {
          r.push_back(
              QueueFixture::rcpt(fmt::format("user{}@d{}.example", k * kPerMessage + i, i % 50)));
        }
        MF_RETURN_IF_ERROR(
            enqueue(txn, QueueFixture::message(1, Priority::kBulk), r, kQueueNow + k).status());
      }
      return Status::ok();
    });
    REQUIRE_MESSAGE(s.is_ok(), s.to_string());
  }
  uint64_t jean = f.write([&](Txn& txn) {
    return enqueue(txn, QueueFixture::message(1), {QueueFixture::rcpt("client@d7.example")},
                   kQueueNow + 500);
  });
  auto t1 = std::chrono::steady_clock::now();
  CHECK(f.read([](Txn& txn) { return counts(txn); }).active == kMessages * kPerMessage + 1);
  CHECK(f.read([](Txn& txn) { return domain_counts(txn, "d7.example"); }).active ==
        kMessages * kPerMessage / 50 + 1);

  // Iterate everything due, 500 at a time: every entry once, in (priority, time, id,
  // index) order, the interactive one first; each page is a separate read transaction.
  long rss_before = rss_kib();
  long rss_peak = rss_before;
  long long heap_before = heap_bytes(), heap_peak = heap_before;
  std::string cursor;
  size_t seen = 0, pages = 0;
  std::string previous;
  bool ordered = true;
  int64_t now = kQueueNow + 1000;
  for (;;) {
    DuePage page = f.read([&](Txn& txn) { return next_due(txn, now, 500, cursor); });
    ++pages;
    if (seen == 0) {
      REQUIRE_FALSE(page.entries.empty());
      CHECK(page.entries[0].ref.message_id == jean);
    }
    for (const auto& e : page.entries) {
      std::string k = due_key(e.priority, e.next_attempt, e.ref.message_id, e.ref.index);
      if (!previous.empty() && !(previous < k)) ordered = false;
      previous = k;
    }
    seen += page.entries.size();
    rss_peak = std::max(rss_peak, rss_kib());
    heap_peak = std::max(heap_peak, heap_bytes());
    if (page.next.empty()) break;
    cursor = page.next;
  }
  auto t2 = std::chrono::steady_clock::now();
  CHECK(ordered);
  CHECK(seen == kMessages * kPerMessage + 1);
  // One destination's due entries, paged the same way.
  size_t d7 = 0;
  cursor.clear();
  for (;;) {
    DuePage page = f.read([&](Txn& txn) { return due_for(txn, "d7.example", now, 100, cursor); });
    d7 += page.entries.size();
    if (page.next.empty()) break;
    cursor = page.next;
  }
  CHECK(d7 == kMessages * kPerMessage / 50 + 1);
  f.verify();
  auto ms = [](auto d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); };
  std::printf(
      "queue: %d recipients enqueued in %lld ms; iterated in %zu pages of 500 in %lld ms; RSS "
      "%ld KiB before the scan, peak %ld KiB (delta %ld KiB, mostly the store's mapped pages); "
      "heap peak delta %lld KiB; store %llu KiB\n",
      kMessages * kPerMessage + 1, static_cast<long long>(ms(t1 - t0)), pages,
      static_cast<long long>(ms(t2 - t1)), rss_before, rss_peak, rss_peak - rss_before,
      (heap_peak - heap_before) / 1024,
      static_cast<unsigned long long>(f.env().stats().used_bytes / 1024));
}

TEST_CASE("a version 2 store is migrated through version 3, the outbound queue") {
  QueueFixture f;
  Status s = f.env().write([](Txn& txn) -> Status {
    MF_RETURN_IF_ERROR(store::write_schema_version(txn, 2));
    MF_RETURN_IF_ERROR(
        store::upgrade_schema(txn, store::kSchemaVersion, store::builtin_migrations()));
    MF_ASSIGN_OR_RETURN(auto v, store::read_schema_version(txn));
    if (v != store::kSchemaVersion) return internal_error("not the current version");
    return verify_queue(txn);  // an empty, consistent queue
  });
  CHECK_MESSAGE(s.is_ok(), s.to_string());
  CHECK(store::kSchemaVersion >= 3);
}
