// queue/records.cpp — record encodings and keys of the outbound queue (see records.h).
#include "queue/records.h"

#include "base/codec.h"

#include <fmt/format.h>

namespace mf::queue {

namespace {

constexpr uint8_t kFormat1 = 1;
// Recipients: format 2 adds the flags byte at the end; format 1 records read with none.
constexpr uint8_t kFormat2 = 2;

Status bad(std::string_view what) {
  return corruption(fmt::format("a stored queue {} record is unreadable", what));
}

// Times are stored as unsigned big-endian in keys so that they sort; a time before the
// epoch is stored as 0 (the queue never schedules into the past beyond "due now").
std::string be_time(int64_t t) {
  return encode_be64(t < 0 ? 0 : static_cast<uint64_t>(t));
}

// False for a value no be_time() writes (above INT64_MAX).
bool read_time(std::string_view s, int64_t* t) {
  uint64_t v = decode_be64(s);
  if (v > static_cast<uint64_t>(INT64_MAX)) return false;
  *t = static_cast<int64_t>(v);
  return true;
}

}  // namespace

std::string_view priority_name(Priority p) {
  switch (p) {
    case Priority::kInteractive:
      return "interactive";
    case Priority::kBounce:
      return "bounce";
    case Priority::kBulk:
      return "bulk";
  }
  return "?";
}

std::string_view state_name(RcptState s) {
  switch (s) {
    case RcptState::kActive:
      return "active";
    case RcptState::kDeferred:
      return "deferred";
    case RcptState::kHeld:
      return "held";
    case RcptState::kReport:
      return "report";
  }
  return "?";
}

std::string encode(const MessageRecord& r) {
  Encoder e;
  e.u8(kFormat1).varint(r.body_id).str(r.queue_id).str(r.sender);
  e.u8(r.envid ? 1 : 0);
  if (r.envid) e.str(*r.envid);
  e.u8(static_cast<uint8_t>(r.ret)).varint(r.size).i64(r.arrival).varint(r.flags);
  e.u8(static_cast<uint8_t>(r.priority)).u8(static_cast<uint8_t>(r.origin_kind));
  e.str(r.origin).str(r.dkim_domain).varint(r.recipients);
  e.varint(r.counts.active).varint(r.counts.deferred).varint(r.counts.held).varint(r.counts.report);
  return e.take();
}

Status decode(std::string_view in, MessageRecord* r) {
  Decoder d(in);
  uint8_t format = 0, has_envid = 0, ret = 0, priority = 0, origin = 0;
  if (!d.u8(&format) || format != kFormat1) return bad("message");
  d.varint(&r->body_id);
  d.str(&r->queue_id);
  d.str(&r->sender);
  d.u8(&has_envid);
  r->envid.reset();
  if (has_envid == 1) {
    std::string envid;
    d.str(&envid);
    r->envid = std::move(envid);
  }
  d.u8(&ret);
  d.varint(&r->size);
  d.i64(&r->arrival);
  d.varint32(&r->flags);
  d.u8(&priority);
  d.u8(&origin);
  d.str(&r->origin);
  d.str(&r->dkim_domain);
  d.varint32(&r->recipients);
  r->counts = Counts{};
  d.varint(&r->counts.active);
  d.varint(&r->counts.deferred);
  d.varint(&r->counts.held);
  d.varint(&r->counts.report);
  if (!d.done() || has_envid > 1 || ret > 2 || priority >= kPriorityCount || origin > 2 ||
      r->counts.recipients() > r->recipients) {
    return bad("message");
  }
  r->ret = static_cast<Ret>(ret);
  r->priority = static_cast<Priority>(priority);
  r->origin_kind = static_cast<OriginKind>(origin);
  return Status::ok();
}

std::string encode(const RecipientRecord& r) {
  Encoder e;
  e.u8(kFormat2).str(r.address).str(r.domain).str(r.orcpt_type).str(r.orcpt).u8(r.notify);
  e.u8(static_cast<uint8_t>(r.state)).u8(static_cast<uint8_t>(r.held_from));
  e.u8(static_cast<uint8_t>(r.outcome)).varint(r.attempts).i64(r.first_attempt);
  e.i64(r.next_attempt).i64(r.expires_at).str(r.last_reply).u8(r.flags);
  return e.take();
}

Status decode(std::string_view in, RecipientRecord* r) {
  Decoder d(in);
  uint8_t format = 0, state = 0, held_from = 0, outcome = 0;
  if (!d.u8(&format) || (format != kFormat1 && format != kFormat2)) return bad("recipient");
  d.str(&r->address);
  d.str(&r->domain);
  d.str(&r->orcpt_type);
  d.str(&r->orcpt);
  d.u8(&r->notify);
  d.u8(&state);
  d.u8(&held_from);
  d.u8(&outcome);
  d.varint32(&r->attempts);
  d.i64(&r->first_attempt);
  d.i64(&r->next_attempt);
  d.i64(&r->expires_at);
  d.str(&r->last_reply);
  r->flags = 0;
  if (format == kFormat2) d.u8(&r->flags);
  constexpr uint8_t kKnownNotify = kNotifySuccess | kNotifyFailure | kNotifyDelay | kNotifyUnset;
  constexpr uint8_t kKnownFlags = kDelayNoticeDue | kDelayNoticeGiven;
  if (!d.done() || state > 3 || held_from > 1 || outcome > 3 || (r->notify & ~kKnownNotify) ||
      (r->flags & ~kKnownFlags) || r->last_reply.size() > kMaxReplyBytes) {
    return bad("recipient");
  }
  r->state = static_cast<RcptState>(state);
  r->held_from = static_cast<RcptState>(held_from);
  r->outcome = static_cast<Outcome>(outcome);
  return Status::ok();
}

std::string encode(const Counts& r) {
  Encoder e;
  e.u8(kFormat1).varint(r.messages).varint(r.active).varint(r.deferred).varint(r.held);
  e.varint(r.report);
  return e.take();
}

Status decode(std::string_view in, Counts* r) {
  Decoder d(in);
  uint8_t format = 0;
  if (!d.u8(&format) || format != kFormat1) return bad("counts");
  d.varint(&r->messages);
  d.varint(&r->active);
  d.varint(&r->deferred);
  d.varint(&r->held);
  d.varint(&r->report);
  if (!d.done()) return bad("counts");
  return Status::ok();
}

std::string message_key(uint64_t message_id) {
  return encode_be64(message_id);
}

std::string recipient_key(uint64_t message_id, uint32_t index) {
  return encode_be64(message_id) + encode_be32(index);
}

bool parse_recipient_key(std::string_view key, uint64_t* message_id, uint32_t* index) {
  if (key.size() != 12) return false;
  *message_id = decode_be64(key.substr(0, 8));
  *index = decode_be32(key.substr(8));
  return true;
}

std::string due_key(Priority p, int64_t next_attempt, uint64_t message_id, uint32_t index) {
  std::string k(1, static_cast<char>(p));
  k += be_time(next_attempt);
  k += recipient_key(message_id, index);
  return k;
}

bool parse_due_key(std::string_view key, Priority* p, int64_t* next_attempt, uint64_t* message_id,
                   uint32_t* index) {
  if (key.size() != 21 || static_cast<uint8_t>(key[0]) >= kPriorityCount) return false;
  *p = static_cast<Priority>(key[0]);
  if (!read_time(key.substr(1, 8), next_attempt)) return false;
  return parse_recipient_key(key.substr(9), message_id, index);
}

std::string domain_prefix(std::string_view domain) {
  std::string k(domain);
  k.push_back('\0');
  return k;
}

std::string domain_key(std::string_view domain, uint64_t message_id, uint32_t index) {
  return domain_prefix(domain) + recipient_key(message_id, index);
}

bool parse_domain_key(std::string_view key, std::string* domain, uint64_t* message_id,
                      uint32_t* index) {
  if (key.size() < 13 || key[key.size() - 13] != '\0') return false;
  domain->assign(key.substr(0, key.size() - 13));
  return parse_recipient_key(key.substr(key.size() - 12), message_id, index);
}

std::string domain_value(RcptState state, int64_t next_attempt) {
  // Appended rather than `std::string(1, c) + ...`: GCC 12 at -O3 warns (-Wrestrict, a
  // false positive) on that form.
  std::string out(1, static_cast<char>(state));
  out.append(be_time(next_attempt));
  return out;
}

bool parse_domain_value(std::string_view value, RcptState* state, int64_t* next_attempt) {
  if (value.size() != 9 || static_cast<uint8_t>(value[0]) > 3) return false;
  *state = static_cast<RcptState>(value[0]);
  return read_time(value.substr(1), next_attempt);
}

std::string domain_counts_key(std::string_view domain) {
  std::string out("d");
  out.append(domain);
  return out;
}

}  // namespace mf::queue
