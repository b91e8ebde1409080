// Unit tests of the outbound queue's records and keys (queue/records.h).
#include <doctest/doctest.h>

#include "queue/dsn_params.h"
#include "queue/records.h"

using namespace mf;
using namespace mf::queue;

TEST_CASE("queue records survive encoding and decoding with every field") {
  MessageRecord m;
  m.body_id = 77;
  m.queue_id = "4F7K2M0001QZ";
  m.sender = "jean@ma-societe.fr";
  m.envid = "QQ314159";
  m.ret = Ret::kHeaders;
  m.size = 123456;
  m.arrival = 1767225600;
  m.flags = kEightBitMime | kSmtpUtf8;
  m.priority = Priority::kBulk;
  m.origin_kind = OriginKind::kClientIp;
  m.origin = "192.0.2.7";
  m.dkim_domain = "ma-societe.fr";
  m.recipients = 5;
  m.counts = Counts{0, 1, 2, 1, 1};
  MessageRecord m2;
  REQUIRE(decode(encode(m), &m2).is_ok());
  CHECK(encode(m2) == encode(m));
  CHECK(m2.envid == m.envid);
  CHECK(m2.priority == Priority::kBulk);
  CHECK(m2.counts == m.counts);

  RecipientRecord r;
  r.address = "Paul@Example.COM";
  r.domain = "example.com";
  r.orcpt_type = "rfc822";
  r.orcpt = "paul@example.com";
  r.notify = kNotifyFailure | kNotifyDelay;
  r.state = RcptState::kHeld;
  r.held_from = RcptState::kDeferred;
  r.attempts = 3;
  r.first_attempt = 10;
  r.next_attempt = 20;
  r.expires_at = 30;
  r.last_reply = "451 4.7.1 try later";
  r.flags = kDelayNoticeDue | kDelayNoticeGiven;
  RecipientRecord r2;
  REQUIRE(decode(encode(r), &r2).is_ok());
  CHECK(encode(r2) == encode(r));
  CHECK(r2.held_from == RcptState::kDeferred);
  CHECK(r2.last_reply == r.last_reply);
  CHECK(r2.flags == r.flags);

  // A recipient written before the flags existed (format 1: no flags byte) reads with none.
  std::string old_format = encode(r);
  old_format[0] = 1;
  old_format.pop_back();
  RecipientRecord r3;
  REQUIRE(decode(old_format, &r3).is_ok());
  CHECK(r3.flags == 0);
  CHECK(r3.last_reply == r.last_reply);
  // Unknown flag bits are corruption.
  r.flags = 0x80;
  CHECK(decode(encode(r), &r3).code() == Code::kCorruption);
}

TEST_CASE("queue records that do not decode exactly are reported as corruption") {
  RecipientRecord r;
  r.address = "a@b.example";
  std::string bytes = encode(r);
  RecipientRecord out;
  CHECK(decode(bytes + "x", &out).code() == Code::kCorruption);
  CHECK(decode(bytes.substr(0, bytes.size() - 1), &out).code() == Code::kCorruption);
  CHECK(decode("", &out).code() == Code::kCorruption);
  // A message whose counts exceed its recipients is impossible, hence corrupt.
  MessageRecord m;
  m.recipients = 1;
  m.counts.active = 2;
  MessageRecord m2;
  CHECK(decode(encode(m), &m2).code() == Code::kCorruption);
  // An over-long reply never comes from encode(), so it is refused.
  r.last_reply.assign(kMaxReplyBytes + 1, 'x');
  CHECK(decode(encode(r), &out).code() == Code::kCorruption);
}

TEST_CASE("due keys sort by priority, then time, then message and recipient") {
  CHECK(due_key(Priority::kInteractive, 999999, 9, 9) < due_key(Priority::kBounce, 0, 0, 0));
  CHECK(due_key(Priority::kBulk, 100, 9, 9) < due_key(Priority::kBulk, 101, 0, 0));
  CHECK(due_key(Priority::kBulk, 100, 1, 9) < due_key(Priority::kBulk, 100, 2, 0));
  CHECK(due_key(Priority::kBulk, 100, 1, 2) < due_key(Priority::kBulk, 100, 1, 256));
  Priority p;
  int64_t t = 0;
  uint64_t id = 0;
  uint32_t idx = 0;
  REQUIRE(parse_due_key(due_key(Priority::kBounce, 1767225600, 42, 7), &p, &t, &id, &idx));
  CHECK(p == Priority::kBounce);
  CHECK(t == 1767225600);
  CHECK(id == 42);
  CHECK(idx == 7);
  CHECK_FALSE(parse_due_key("short", &p, &t, &id, &idx));

  std::string domain;
  REQUIRE(parse_domain_key(domain_key("example.com", 42, 7), &domain, &id, &idx));
  CHECK(domain == "example.com");
  CHECK(id == 42);
  CHECK(idx == 7);
  // One domain's entries are one range: a longer domain sharing its prefix sorts apart.
  CHECK(domain_key("example.com", UINT64_MAX, 0) < domain_key("example.com.au", 0, 0));
}

TEST_CASE("DSN parameters keep their meaning through the queue's stored form") {
  CHECK(notify_bits(std::nullopt) == kNotifyUnset);
  CHECK_FALSE(notify_of(kNotifyUnset).has_value());
  CHECK(notify_bits(smtp::Notify{}) == 0);  // NOTIFY=NEVER: no bit at all
  smtp::Notify never = notify_of(0).value();
  CHECK_FALSE(never.success);
  CHECK_FALSE(never.failure);
  CHECK_FALSE(never.delay);
  smtp::Notify some;
  some.failure = true;
  some.delay = true;
  uint8_t bits = notify_bits(some);
  CHECK(bits == (kNotifyFailure | kNotifyDelay));
  smtp::Notify back = notify_of(bits).value();
  CHECK_FALSE(back.success);
  CHECK(back.failure);
  CHECK(back.delay);
  for (smtp::Ret r : {smtp::Ret::kUnspecified, smtp::Ret::kFull, smtp::Ret::kHeaders})
    CHECK(smtp_ret(ret_of(r)) == r);
  CHECK(ret_of(smtp::Ret::kHeaders) == Ret::kHeaders);
}
