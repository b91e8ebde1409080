// Unit tests of the c-ares answer glue (dns/reply.h): the TTL walk over DNS messages built
// by hand (including truncated and lying ones), the negative TTL from the authority SOA
// (RFC 2308 §5), and the mapping of c-ares statuses to outcomes.
#include <doctest/doctest.h>

#include "dns/reply.h"

#include <ares.h>

#include <cstdint>
#include <string>
#include <vector>

using namespace mf::dns;

namespace {

// A little DNS message writer for the tests: names uncompressed, or as a pointer to the
// question name (offset 12).
struct Msg {
  std::vector<unsigned char> b;

  void u16(unsigned v) {
    b.push_back(static_cast<unsigned char>(v >> 8));
    b.push_back(static_cast<unsigned char>(v));
  }
  void u32(uint32_t v) {
    u16(v >> 16);
    u16(v & 0xffff);
  }
  void name(const std::string& n) {
    size_t start = 0;
    while (start < n.size()) {
      size_t dot = n.find('.', start);
      if (dot == std::string::npos) dot = n.size();
      b.push_back(static_cast<unsigned char>(dot - start));
      for (size_t i = start; i < dot; ++i) b.push_back(static_cast<unsigned char>(n[i]));
      start = dot + 1;
    }
    b.push_back(0);
  }
  void pointer_to_question() {
    b.push_back(0xC0);
    b.push_back(12);
  }
  void header(unsigned rcode, unsigned an, unsigned ns) {
    u16(0x1234);
    u16(0x8180 | rcode);
    u16(1);
    u16(an);
    u16(ns);
    u16(0);
  }
  void question(const std::string& n, unsigned type) {
    name(n);
    u16(type);
    u16(1);
  }
  void mx(uint32_t ttl, unsigned pref, const std::string& target) {
    pointer_to_question();
    u16(15);
    u16(1);
    u32(ttl);
    Msg rd;
    rd.u16(pref);
    rd.name(target);
    u16(static_cast<unsigned>(rd.b.size()));
    b.insert(b.end(), rd.b.begin(), rd.b.end());
  }
  void a(uint32_t ttl, unsigned char last) {
    pointer_to_question();
    u16(1);
    u16(1);
    u32(ttl);
    u16(4);
    for (unsigned char c : {192, 0, 2}) b.push_back(c);
    b.push_back(last);
  }
  void soa(uint32_t ttl, uint32_t minimum) {
    pointer_to_question();
    u16(6);
    u16(1);
    u32(ttl);
    Msg rd;
    rd.name("ns.x.fr");
    rd.name("hostmaster.x.fr");
    for (uint32_t v : {2024010101u, 7200u, 3600u, 1209600u}) rd.u32(v);
    rd.u32(minimum);
    u16(static_cast<unsigned>(rd.b.size()));
    b.insert(b.end(), rd.b.begin(), rd.b.end());
  }
  int len() const { return static_cast<int>(b.size()); }
};

Msg mx_reply() {
  Msg m;
  m.header(0, 2, 0);
  m.question("x.fr", 15);
  m.mx(3600, 10, "mx1.x.fr");
  m.mx(600, 20, "mx2.x.fr");
  return m;
}

Msg negative_reply(unsigned rcode, uint32_t soa_ttl, uint32_t minimum) {
  Msg m;
  m.header(rcode, 0, 1);
  m.question("x.fr", 15);
  m.soa(soa_ttl, minimum);
  return m;
}

}  // namespace

TEST_CASE("reply TTLs: the smallest TTL of the answer records of the type asked") {
  Msg m = mx_reply();
  auto t = read_ttls(m.b.data(), m.b.size(), RecordType::kMx);
  REQUIRE(t.answer_ttl.has_value());
  CHECK(*t.answer_ttl == 600);
  CHECK_FALSE(t.negative_ttl.has_value());
  CHECK_FALSE(read_ttls(m.b.data(), m.b.size(), RecordType::kA).answer_ttl.has_value());
}

TEST_CASE("reply TTLs: the negative TTL is the smaller of the SOA's TTL and MINIMUM") {
  Msg low_min = negative_reply(3, 3600, 300);
  CHECK(read_ttls(low_min.b.data(), low_min.b.size(), RecordType::kMx).negative_ttl == 300u);
  Msg low_ttl = negative_reply(0, 120, 86400);
  CHECK(read_ttls(low_ttl.b.data(), low_ttl.b.size(), RecordType::kMx).negative_ttl == 120u);
}

TEST_CASE("reply TTLs: a TTL with the top bit set counts as zero (RFC 2181 §8)") {
  Msg m;
  m.header(0, 1, 0);
  m.question("x.fr", 1);
  m.a(0x80000001u, 1);
  CHECK(read_ttls(m.b.data(), m.b.size(), RecordType::kA).answer_ttl == 0u);
}

TEST_CASE("reply TTLs: truncated, lying and garbage messages never read out of bounds") {
  Msg m = negative_reply(3, 3600, 300);
  // Every prefix of a valid message: no crash, and no negative TTL before the SOA is whole.
  for (size_t n = 0; n < m.b.size(); ++n) {
    std::vector<unsigned char> cut(m.b.begin(), m.b.begin() + static_cast<long>(n));
    auto t = read_ttls(cut.data(), cut.size(), RecordType::kMx);
    CHECK_FALSE(t.negative_ttl.has_value());
  }
  // Counts far beyond the data.
  Msg liar = mx_reply();
  liar.b[6] = 0xff;
  liar.b[7] = 0xff;
  auto t = read_ttls(liar.b.data(), liar.b.size(), RecordType::kMx);
  CHECK(t.answer_ttl == 600u);  // what was read before the fault
  // A label length running past the end, a reserved label type, an over-long name.
  std::vector<unsigned char> bad = {0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 63, 'a'};
  CHECK_FALSE(read_ttls(bad.data(), bad.size(), RecordType::kMx).answer_ttl.has_value());
  bad[12] = 0x40;
  CHECK_FALSE(read_ttls(bad.data(), bad.size(), RecordType::kMx).answer_ttl.has_value());
  std::vector<unsigned char> long_name = {0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0};
  for (int i = 0; i < 10; ++i) {
    long_name.push_back(63);
    long_name.insert(long_name.end(), 63, 'a');
  }
  long_name.push_back(0);
  CHECK_FALSE(read_ttls(long_name.data(), long_name.size(), RecordType::kMx).answer_ttl);
  // An SOA whose data is too short to hold MINIMUM is ignored.
  Msg shortsoa;
  shortsoa.header(3, 0, 1);
  shortsoa.question("x.fr", 15);
  shortsoa.pointer_to_question();
  shortsoa.u16(6);
  shortsoa.u16(1);
  shortsoa.u32(100);
  shortsoa.u16(4);
  shortsoa.u32(5);
  CHECK_FALSE(read_ttls(shortsoa.b.data(), shortsoa.b.size(), RecordType::kMx).negative_ttl);
  CHECK_FALSE(read_ttls(nullptr, 0, RecordType::kMx).answer_ttl);
}

TEST_CASE("c-ares answers: MX records with their TTL") {
  Msg m = mx_reply();
  Answer a = answer_from_reply(RecordType::kMx, ARES_SUCCESS, m.b.data(), m.len(), 60);
  REQUIRE(a.outcome == Outcome::kRecords);
  REQUIRE(a.mx.size() == 2);
  CHECK(a.mx[0].host == "mx1.x.fr");
  CHECK(a.mx[0].preference == 10);
  CHECK(a.ttl == 600);
}

TEST_CASE("c-ares answers: A records with their TTL") {
  Msg m;
  m.header(0, 2, 0);
  m.question("mx.x.fr", 1);
  m.a(500, 1);
  m.a(400, 2);
  Answer a = answer_from_reply(RecordType::kA, ARES_SUCCESS, m.b.data(), m.len(), 60);
  REQUIRE(a.outcome == Outcome::kRecords);
  REQUIRE(a.addresses.size() == 2);
  CHECK(ip_to_string(a.addresses[1]) == "192.0.2.2");
  CHECK(a.ttl == 400);
}

TEST_CASE("c-ares answers: NXDOMAIN and NODATA take the SOA's TTL, else the default") {
  Msg nx = negative_reply(3, 3600, 900);
  Answer a = answer_from_reply(RecordType::kMx, ARES_ENOTFOUND, nx.b.data(), nx.len(), 60);
  CHECK(a.outcome == Outcome::kNxDomain);
  CHECK(a.ttl == 900);
  Answer nodata = answer_from_reply(RecordType::kMx, ARES_ENODATA, nullptr, 0, 60);
  CHECK(nodata.outcome == Outcome::kNoData);
  CHECK(nodata.ttl == 60);
}

TEST_CASE("c-ares answers: failures are temporary and named") {
  CHECK(answer_from_reply(RecordType::kMx, ARES_ESERVFAIL, nullptr, 0, 60).error == "SERVFAIL");
  CHECK(answer_from_reply(RecordType::kMx, ARES_ETIMEOUT, nullptr, 0, 60).error == "timeout");
  CHECK(answer_from_reply(RecordType::kMx, ARES_EREFUSED, nullptr, 0, 60).outcome ==
        Outcome::kTempFail);
  CHECK(answer_from_reply(RecordType::kMx, ARES_ECANCELLED, nullptr, 0, 60).error == "cancelled");
  // A success status with garbage bytes is a temporary failure, not a crash.
  std::vector<unsigned char> junk = {1, 2, 3};
  Answer bad = answer_from_reply(RecordType::kMx, ARES_SUCCESS, junk.data(), 3, 60);
  CHECK(bad.outcome == Outcome::kTempFail);
}
