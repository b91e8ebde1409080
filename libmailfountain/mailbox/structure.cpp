// mailbox/structure.cpp — making, encoding and decoding the cached body structure.
#include "mailbox/structure.h"

#include "base/codec.h"
#include "mime/content_type.h"
#include "mime/header.h"

#include <fmt/format.h>

namespace mf::mailbox {

namespace {

constexpr uint8_t kStructureFormat1 = 1;
// More parts than mime::MimeLimits allows is corruption, not a structure.
constexpr uint64_t kMaxParts = 100000;

std::string field(const mime::Part& p, std::string_view name) {
  const mime::HeaderField* f = p.find(name);
  return f ? mime::unfold(f->value) : std::string();
}

Envelope envelope_of(const mime::Part& p) {
  Envelope e;
  e.date = field(p, "Date");
  e.subject = field(p, "Subject");
  struct Nstring {
    std::string_view name;
    uint32_t bit;
  };
  for (const Nstring& n : {Nstring{"Date", kEnvelopeDate}, Nstring{"Subject", kEnvelopeSubject},
                           Nstring{"In-Reply-To", kEnvelopeInReplyTo},
                           Nstring{"Message-ID", kEnvelopeMessageId}}) {
    const mime::HeaderField* f = p.find(n.name);
    if (f != nullptr && mime::unfold(f->value).empty()) e.present_empty |= n.bit;
  }
  e.from = field(p, "From");
  e.sender = field(p, "Sender");
  e.reply_to = field(p, "Reply-To");
  e.to = field(p, "To");
  e.cc = field(p, "Cc");
  e.bcc = field(p, "Bcc");
  e.in_reply_to = field(p, "In-Reply-To");
  e.message_id = field(p, "Message-ID");
  return e;
}

std::vector<std::pair<std::string, std::string>> pairs(const mime::Parameters& params) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& p : params.list) out.emplace_back(p.name, p.value);
  return out;
}

void put_pairs(Encoder& e, const std::vector<std::pair<std::string, std::string>>& v) {
  e.varint(v.size());
  for (const auto& [name, value] : v) e.str(name).str(value);
}

bool get_pairs(Decoder& d, std::vector<std::pair<std::string, std::string>>* v) {
  uint64_t n = 0;
  if (!d.varint(&n) || n > mime::kMaxParameters) return false;
  v->resize(n);
  for (auto& [name, value] : *v) {
    if (!d.str(&name) || !d.str(&value)) return false;
  }
  return true;
}

}  // namespace

BodyStructure make_structure(const mime::Message& msg) {
  BodyStructure out;
  out.parts.reserve(msg.parts.size());
  for (const mime::Part& p : msg.parts) {
    PartStructure s;
    s.kind = p.kind;
    s.parent = p.parent;
    s.header_offset = p.header_offset;
    s.body_offset = p.body_offset;
    s.body_end = p.body_end;
    s.type = p.content_type.type;
    s.subtype = p.content_type.subtype;
    s.params = pairs(p.content_type.params);
    s.encoding = p.encoding_name;
    if (const mime::HeaderField* f = p.find("Content-Disposition")) {
      mime::ContentDisposition d = mime::parse_content_disposition(f->value);
      s.disposition = d.disposition;
      s.disposition_params = pairs(d.params);
    }
    s.id = field(p, "Content-ID");
    s.description = field(p, "Content-Description");
    s.md5 = field(p, "Content-MD5");
    s.language = field(p, "Content-Language");
    s.location = field(p, "Content-Location");
    s.lines = p.body_lines;
    bool message_level =
        p.parent == mime::kNoPart || msg.parts[p.parent].kind == mime::PartKind::kMessage;
    if (message_level) s.envelope = envelope_of(p);
    out.parts.push_back(std::move(s));
  }
  return out;
}

std::string encode_structure(const BodyStructure& s) {
  Encoder e;
  e.u8(kStructureFormat1).varint(s.parts.size());
  for (const PartStructure& p : s.parts) {
    e.u8(static_cast<uint8_t>(p.kind));
    // The parent as index + 1, so that parts[0]'s "none" is 0.
    e.varint(p.parent == mime::kNoPart ? 0 : uint64_t{p.parent} + 1);
    e.varint(p.header_offset).varint(p.body_offset).varint(p.body_end);
    e.str(p.type).str(p.subtype);
    put_pairs(e, p.params);
    e.str(p.encoding).str(p.disposition);
    put_pairs(e, p.disposition_params);
    e.str(p.id).str(p.description).str(p.md5).str(p.language).str(p.location);
    e.varint(p.lines);
    // 0: no envelope; 1: an envelope; 2: an envelope, then its present_empty bits.
    e.u8(!p.envelope ? 0 : p.envelope->present_empty == 0 ? 1 : 2);
    if (p.envelope) {
      const Envelope& v = *p.envelope;
      e.str(v.date).str(v.subject).str(v.from).str(v.sender).str(v.reply_to).str(v.to);
      e.str(v.cc).str(v.bcc).str(v.in_reply_to).str(v.message_id);
      if (v.present_empty != 0) e.varint(v.present_empty);
    }
  }
  return e.take();
}

Status decode_structure(std::string_view in, BodyStructure* s) {
  const Status bad = corruption("a stored body structure is unreadable");
  Decoder d(in);
  uint8_t format = 0;
  uint64_t count = 0;
  if (!d.u8(&format) || format != kStructureFormat1 || !d.varint(&count) || count == 0 ||
      count > kMaxParts || count > in.size()) {
    return bad;
  }
  s->parts.clear();
  s->parts.resize(count);
  for (uint64_t i = 0; i < count; ++i) {
    PartStructure& p = s->parts[i];
    uint8_t kind = 0, has_envelope = 0;
    uint64_t parent = 0, lines = 0;
    if (!d.u8(&kind) || kind > static_cast<uint8_t>(mime::PartKind::kMessage)) return bad;
    p.kind = static_cast<mime::PartKind>(kind);
    // Parents come before their children; only parts[0] has none.
    if (!d.varint(&parent) || (i == 0) != (parent == 0) || parent > i) return bad;
    p.parent = parent == 0 ? mime::kNoPart : static_cast<uint32_t>(parent - 1);
    d.varint(&p.header_offset);
    d.varint(&p.body_offset);
    d.varint(&p.body_end);
    d.str(&p.type);
    d.str(&p.subtype);
    if (!get_pairs(d, &p.params)) return bad;
    d.str(&p.encoding);
    d.str(&p.disposition);
    if (!get_pairs(d, &p.disposition_params)) return bad;
    d.str(&p.id);
    d.str(&p.description);
    d.str(&p.md5);
    d.str(&p.language);
    d.str(&p.location);
    if (!d.varint(&lines) || lines > UINT32_MAX) return bad;
    p.lines = static_cast<uint32_t>(lines);
    if (!d.u8(&has_envelope) || has_envelope > 2) return bad;
    if (has_envelope) {
      Envelope v;
      d.str(&v.date);
      d.str(&v.subject);
      d.str(&v.from);
      d.str(&v.sender);
      d.str(&v.reply_to);
      d.str(&v.to);
      d.str(&v.cc);
      d.str(&v.bcc);
      d.str(&v.in_reply_to);
      d.str(&v.message_id);
      if (has_envelope == 2) {
        uint64_t bits = 0;
        if (!d.varint(&bits) || bits == 0 || bits > UINT32_MAX) return bad;
        v.present_empty = static_cast<uint32_t>(bits);
      }
      p.envelope = std::move(v);
    }
    if (d.failed()) return bad;
    if (p.header_offset > p.body_offset || p.body_offset > p.body_end) return bad;
  }
  if (!d.done()) return bad;
  return Status::ok();
}

}  // namespace mf::mailbox
