// model/records.cpp — record encodings (see records.h and docs/store.md).
#include "model/records.h"

#include "base/codec.h"

#include <fmt/format.h>

namespace mf {

namespace {

constexpr uint8_t kFormat1 = 1;

Status bad(std::string_view what) {
  return corruption(fmt::format("a stored {} record is unreadable", what));
}

uint8_t kind_byte(AddressKind k) {
  switch (k) {
    case AddressKind::kAccount: return 'U';
    case AddressKind::kAlias: return 'A';
    case AddressKind::kRedirection: return 'R';
  }
  return 0;
}

}  // namespace

const std::string& AddressRecord::local() const {
  switch (kind) {
    case AddressKind::kAlias: return alias.local;
    case AddressKind::kRedirection: return redirection.local;
    case AddressKind::kAccount: break;
  }
  return account.local;
}

std::string encode(const DomainRecord& r) {
  Encoder e;
  e.u8(kFormat1).str(r.unicode_name).opt_u64(r.default_quota).i64(r.created_at);
  return e.take();
}

Status decode(std::string_view in, DomainRecord* r) {
  Decoder d(in);
  uint8_t format;
  if (!d.u8(&format) || format != kFormat1) return bad("domain");
  d.str(&r->unicode_name);
  d.opt_u64(&r->default_quota);
  d.i64(&r->created_at);
  return d.done() ? Status::ok() : bad("domain");
}

std::string encode(const AddressRecord& r) {
  Encoder e;
  e.u8(kFormat1).u8(kind_byte(r.kind));
  switch (r.kind) {
    case AddressKind::kAccount: {
      const auto& a = r.account;
      e.str(a.local).str(a.display_name).str(a.password_hash);
      e.u8(a.state == AccountState::kEnabled ? 1 : 0).u8(a.builtin ? 1 : 0).opt_u64(a.quota);
      e.strs(a.forward_to).u8(a.keep_copy == KeepCopy::kYes ? 1 : 0);
      e.i64(a.created_at).i64(a.password_changed_at);
      break;
    }
    case AddressKind::kAlias:
      e.str(r.alias.local).str(r.alias.account);
      break;
    case AddressKind::kRedirection:
      e.str(r.redirection.local).strs(r.redirection.targets);
      e.u8(r.redirection.send_as == SendAs::kMembersMaySend ? 1 : 0);
      break;
  }
  return e.take();
}

Status decode(std::string_view in, AddressRecord* r) {
  Decoder d(in);
  uint8_t format, kind;
  if (!d.u8(&format) || format != kFormat1 || !d.u8(&kind)) return bad("address");
  uint8_t b1 = 0, b2 = 0;
  switch (kind) {
    case 'U': {
      r->kind = AddressKind::kAccount;
      auto& a = r->account;
      d.str(&a.local);
      d.str(&a.display_name);
      d.str(&a.password_hash);
      d.u8(&b1);
      d.u8(&b2);
      a.state = b1 ? AccountState::kEnabled : AccountState::kDisabled;
      a.builtin = b2 != 0;
      d.opt_u64(&a.quota);
      d.strs(&a.forward_to);
      d.u8(&b1);
      a.keep_copy = b1 ? KeepCopy::kYes : KeepCopy::kNo;
      d.i64(&a.created_at);
      d.i64(&a.password_changed_at);
      break;
    }
    case 'A':
      r->kind = AddressKind::kAlias;
      d.str(&r->alias.local);
      d.str(&r->alias.account);
      break;
    case 'R':
      r->kind = AddressKind::kRedirection;
      d.str(&r->redirection.local);
      d.strs(&r->redirection.targets);
      d.u8(&b1);
      r->redirection.send_as = b1 ? SendAs::kMembersMaySend : SendAs::kMembersMayNotSend;
      break;
    default:
      return bad("address");
  }
  return d.done() ? Status::ok() : bad("address");
}

std::string encode(const AdminRecord& r) {
  Encoder e;
  e.u8(kFormat1).str(r.name).str(r.password_hash).i64(r.password_changed_at);
  return e.take();
}

Status decode(std::string_view in, AdminRecord* r) {
  Decoder d(in);
  uint8_t format;
  if (!d.u8(&format) || format != kFormat1) return bad("administrator");
  d.str(&r->name);
  d.str(&r->password_hash);
  d.i64(&r->password_changed_at);
  return d.done() ? Status::ok() : bad("administrator");
}

std::string encode(const AuditRecord& r) {
  Encoder e;
  e.u8(kFormat1).i64(r.time).str(r.actor).str(r.origin).str(r.action).str(r.target).str(r.detail);
  return e.take();
}

Status decode(std::string_view in, AuditRecord* r) {
  Decoder d(in);
  uint8_t format;
  if (!d.u8(&format) || format != kFormat1) return bad("audit");
  d.i64(&r->time);
  d.str(&r->actor);
  d.str(&r->origin);
  d.str(&r->action);
  d.str(&r->target);
  d.str(&r->detail);
  return d.done() ? Status::ok() : bad("audit");
}

std::string encode(const NoticeRecord& r) {
  Encoder e;
  e.u8(kFormat1).i64(r.time).str(r.subject).str(r.body);
  return e.take();
}

Status decode(std::string_view in, NoticeRecord* r) {
  Decoder d(in);
  uint8_t format;
  if (!d.u8(&format) || format != kFormat1) return bad("notice");
  d.i64(&r->time);
  d.str(&r->subject);
  d.str(&r->body);
  return d.done() ? Status::ok() : bad("notice");
}

std::string address_table_key(std::string_view canonical) {
  return pair_key(key_domain(canonical), key_local(canonical));
}

std::string canonical_from_table_key(std::string_view table_key) {
  size_t z = table_key.find('\0');
  if (z == std::string_view::npos) return std::string(table_key);
  std::string out(table_key.substr(z + 1));
  out.push_back('@');
  out.append(table_key.substr(0, z));
  return out;
}

std::string domain_range_prefix(std::string_view domain) { return pair_prefix(domain); }

std::string_view key_domain(std::string_view k) {
  size_t at = k.rfind('@');
  return at == std::string_view::npos ? std::string_view() : k.substr(at + 1);
}

std::string_view key_local(std::string_view k) {
  size_t at = k.rfind('@');
  return at == std::string_view::npos ? k : k.substr(0, at);
}

std::string pair_key(std::string_view first, std::string_view second) {
  std::string k;
  k.reserve(first.size() + 1 + second.size());
  k.append(first).push_back('\0');
  k.append(second);
  return k;
}

std::string pair_prefix(std::string_view first) {
  std::string k(first);
  k.push_back('\0');
  return k;
}

std::string_view pair_second(std::string_view key) {
  size_t z = key.find('\0');
  return z == std::string_view::npos ? std::string_view() : key.substr(z + 1);
}

std::string grant_by_object_key(char kind, std::string_view object, std::string_view account) {
  std::string k(1, 'O');
  k.push_back(kind);
  k.append(object).push_back('\0');
  k.append(account);
  return k;
}

std::string grant_by_object_prefix(char kind, std::string_view object) {
  std::string k(1, 'O');
  k.push_back(kind);
  k.append(object).push_back('\0');
  return k;
}

std::string grant_by_account_key(std::string_view account, char kind, std::string_view object) {
  std::string k(1, 'P');
  k.append(account).push_back('\0');
  k.push_back(kind);
  k.append(object);
  return k;
}

std::string grant_by_account_prefix(std::string_view account) {
  std::string k(1, 'P');
  k.append(account).push_back('\0');
  return k;
}

std::string encode_rights(uint32_t rights) {
  Encoder e;
  e.varint(rights);
  return e.take();
}

uint32_t decode_rights(std::string_view v) {
  Decoder d(v);
  uint64_t r = 0;
  d.varint(&r);
  return static_cast<uint32_t>(r);
}

}  // namespace mf
