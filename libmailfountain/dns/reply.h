// dns/reply.h — from a c-ares query result (status and answer bytes) to an Answer.
//
// Record contents (MX targets, addresses) are read by c-ares' own parsers
// (ares_parse_mx_reply, ares_parse_a_reply, ares_parse_aaaa_reply). c-ares 1.18 gives no
// TTL for MX records and never reads the authority section, so the TTLs are read here by
// read_ttls(), a bounds-checked walk over the message that reads only the fixed fields of
// each record (it skips names without following compression pointers and never looks
// inside record data but for the SOA's last four octets, its MINIMUM).
//
// Negative TTL (RFC 2308 §5): the smaller of the authority SOA record's TTL and its MINIMUM
// field; when the answer carries no SOA, `default_negative_ttl`.
// Pure functions over bytes; no I/O.
#ifndef MF_DNS_REPLY_H
#define MF_DNS_REPLY_H

#include "dns/route.h"

#include <cstdint>
#include <optional>
#include <string_view>

namespace mf::dns {

struct ReplyTtls {
  std::optional<uint32_t> answer_ttl;    // smallest TTL of the answer records of the type asked
  std::optional<uint32_t> negative_ttl;  // min(SOA TTL, SOA MINIMUM) of the authority SOA
};

// Reads the TTLs of a DNS message (RFC 1035 §4.1). A message that is short, malformed or
// lies about its counts yields what could be read before the fault (often nothing).
// TTLs with the top bit set count as 0 (RFC 2181 §8).
ReplyTtls read_ttls(const unsigned char* msg, size_t len, RecordType type);

// The DNS wire type number (15, 1, 28).
int wire_type(RecordType type);

// The Answer for a finished c-ares query: `status` is the ARES_* code its callback got,
// `abuf`/`alen` the answer (may be null). Records are capped at 64 per answer.
Answer answer_from_reply(RecordType type, int status, const unsigned char* abuf, int alen,
                         uint32_t default_negative_ttl);

// Whether the status means the query was cancelled or its channel destroyed.
bool is_cancel_status(int status);

}  // namespace mf::dns

#endif  // MF_DNS_REPLY_H
