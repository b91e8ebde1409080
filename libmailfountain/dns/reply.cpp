// dns/reply.cpp — c-ares answers to Answer values (dns/reply.h).
#include "dns/reply.h"

#include <ares.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace mf::dns {

namespace {

constexpr int kTypeSoa = 6;
constexpr int kClassIn = 1;
constexpr int kMaxRecords = 64;

// A cursor over the message that fails closed: every read checks the bounds.
struct Cursor {
  const unsigned char* p;
  size_t len;
  size_t pos = 0;

  bool u16(uint16_t* out) {
    if (len - pos < 2) return false;
    *out = static_cast<uint16_t>((p[pos] << 8) | p[pos + 1]);
    pos += 2;
    return true;
  }
  bool u32(uint32_t* out) {
    if (len - pos < 4) return false;
    *out = (uint32_t{p[pos]} << 24) | (uint32_t{p[pos + 1]} << 16) | (uint32_t{p[pos + 2]} << 8) |
           uint32_t{p[pos + 3]};
    pos += 4;
    return true;
  }
  bool skip(size_t n) {
    if (len - pos < n) return false;
    pos += n;
    return true;
  }
  // Skips an encoded name: labels up to a zero octet or a compression pointer (RFC 1035
  // §4.1.4). Pointers end the name here and are not followed: only its length matters.
  bool skip_name() {
    size_t octets = 0;
    for (;;) {
      if (pos >= len) return false;
      unsigned char b = p[pos];
      if (b == 0) {
        ++pos;
        return true;
      }
      if ((b & 0xC0) == 0xC0) return skip(2);
      if ((b & 0xC0) != 0) return false;  // the 0x40 and 0x80 label types are obsolete
      octets += b + 1u;
      if (octets > 255) return false;
      if (!skip(1u + b)) return false;
    }
  }
};

uint32_t rfc2181_ttl(uint32_t ttl) {
  return (ttl & 0x80000000u) ? 0 : ttl;
}

std::string temp_error(int status) {
  switch (status) {
    case ARES_ESERVFAIL:
      return "SERVFAIL";
    case ARES_EREFUSED:
      return "REFUSED";
    case ARES_ETIMEOUT:
      return "timeout";
    // c-ares 1.18 moves on to the next server after SERVFAIL, REFUSED or NOTIMP (so one
    // broken server of several does not fail the lookup) and, when none is left, reports
    // ARES_ECONNREFUSED without the answer: the rcode is lost, hence the list.
    case ARES_ECONNREFUSED:
      return "no server answered (SERVFAIL, REFUSED or connection refused)";
    case ARES_EFORMERR:
      return "FORMERR";
    case ARES_ENOTIMP:
      return "NOTIMP";
    case ARES_EBADRESP:
      return "malformed answer";
    case ARES_ECANCELLED:
    case ARES_EDESTRUCTION:
      return "cancelled";
    default:
      return ares_strerror(status);
  }
}

Answer temp_fail(std::string error) {
  Answer a;
  a.outcome = Outcome::kTempFail;
  a.error = std::move(error);
  return a;
}

}  // namespace

int wire_type(RecordType type) {
  switch (type) {
    case RecordType::kMx:
      return 15;
    case RecordType::kA:
      return 1;
    case RecordType::kAaaa:
      return 28;
  }
  return 0;
}

bool is_cancel_status(int status) {
  return status == ARES_ECANCELLED || status == ARES_EDESTRUCTION;
}

ReplyTtls read_ttls(const unsigned char* msg, size_t len, RecordType type) {
  ReplyTtls out;
  if (msg == nullptr) return out;
  Cursor c{msg, len};
  uint16_t id, flags, qd, an, ns, ar;
  if (!c.u16(&id) || !c.u16(&flags) || !c.u16(&qd) || !c.u16(&an) || !c.u16(&ns) || !c.u16(&ar)) {
    return out;
  }
  for (unsigned i = 0; i < qd; ++i) {
    if (!c.skip_name() || !c.skip(4)) return out;
  }
  const int want = wire_type(type);
  for (unsigned section = 0; section < 2; ++section) {
    unsigned count = section == 0 ? an : ns;
    for (unsigned i = 0; i < count; ++i) {
      uint16_t rtype, rclass, rdlen;
      uint32_t ttl;
      if (!c.skip_name() || !c.u16(&rtype) || !c.u16(&rclass) || !c.u32(&ttl) || !c.u16(&rdlen)) {
        return out;
      }
      if (len - c.pos < rdlen) return out;
      ttl = rfc2181_ttl(ttl);
      if (rclass == kClassIn) {
        if (section == 0 && rtype == want) {
          out.answer_ttl = std::min(out.answer_ttl.value_or(ttl), ttl);
        } else if (section == 1 && rtype == kTypeSoa && rdlen >= 22) {
          // MNAME and RNAME take at least one octet each, then five 32-bit fields; the
          // last of them is MINIMUM.
          Cursor m{msg + c.pos + rdlen - 4, 4};
          uint32_t minimum = 0;
          m.u32(&minimum);
          uint32_t neg = std::min(ttl, rfc2181_ttl(minimum));
          out.negative_ttl = std::min(out.negative_ttl.value_or(neg), neg);
        }
      }
      c.pos += rdlen;
    }
  }
  return out;
}

Answer answer_from_reply(RecordType type, int status, const unsigned char* abuf, int alen,
                         uint32_t default_negative_ttl) {
  size_t len = (abuf != nullptr && alen > 0) ? static_cast<size_t>(alen) : 0;
  ReplyTtls ttls = read_ttls(abuf, len, type);
  if (status == ARES_ENODATA || status == ARES_ENOTFOUND) {
    Answer a;
    a.outcome = status == ARES_ENODATA ? Outcome::kNoData : Outcome::kNxDomain;
    a.ttl = ttls.negative_ttl.value_or(default_negative_ttl);
    return a;
  }
  if (status != ARES_SUCCESS) return temp_fail(temp_error(status));

  Answer a;
  a.outcome = Outcome::kRecords;
  int rc = ARES_SUCCESS;
  // c-ares gives the TTL of each address, already lowered to that of any CNAME leading to
  // it; MX records come without one and take read_ttls' figure.
  uint32_t record_ttl = UINT32_MAX;
  switch (type) {
    case RecordType::kMx: {
      ares_mx_reply* mx = nullptr;
      rc = ares_parse_mx_reply(abuf, alen, &mx);
      int n = 0;
      for (ares_mx_reply* r = mx; r != nullptr && n < kMaxRecords; r = r->next, ++n) {
        a.mx.push_back(MxRecord{r->host != nullptr ? r->host : "", r->priority});
      }
      if (mx != nullptr) ares_free_data(mx);
      break;
    }
    case RecordType::kA: {
      ares_addrttl ttl[kMaxRecords];
      int n = kMaxRecords;
      rc = ares_parse_a_reply(abuf, alen, nullptr, ttl, &n);
      for (int i = 0; rc == ARES_SUCCESS && i < n; ++i) {
        IpAddress ip;
        ip.family = IpFamily::kIPv4;
        std::memcpy(ip.bytes.data(), &ttl[i].ipaddr, 4);
        a.addresses.push_back(ip);
        record_ttl = std::min(record_ttl, static_cast<uint32_t>(std::max(0, ttl[i].ttl)));
      }
      break;
    }
    case RecordType::kAaaa: {
      ares_addr6ttl ttl[kMaxRecords];
      int n = kMaxRecords;
      rc = ares_parse_aaaa_reply(abuf, alen, nullptr, ttl, &n);
      for (int i = 0; rc == ARES_SUCCESS && i < n; ++i) {
        IpAddress ip;
        ip.family = IpFamily::kIPv6;
        std::memcpy(ip.bytes.data(), &ttl[i].ip6addr, 16);
        a.addresses.push_back(ip);
        record_ttl = std::min(record_ttl, static_cast<uint32_t>(std::max(0, ttl[i].ttl)));
      }
      break;
    }
  }
  if (rc == ARES_ENODATA) {
    // NOERROR with records, none of the type asked (a CNAME chain ending nowhere): NODATA.
    Answer nodata;
    nodata.outcome = Outcome::kNoData;
    nodata.ttl = ttls.negative_ttl.value_or(default_negative_ttl);
    return nodata;
  }
  if (rc != ARES_SUCCESS) return temp_fail(temp_error(rc));
  if (a.mx.empty() && a.addresses.empty()) {
    Answer nodata;
    nodata.outcome = Outcome::kNoData;
    nodata.ttl = ttls.negative_ttl.value_or(default_negative_ttl);
    return nodata;
  }
  a.ttl = type == RecordType::kMx ? ttls.answer_ttl.value_or(0) : record_ttl;
  return a;
}

}  // namespace mf::dns
