// Unit tests of the DKIM key files (dkim/key_store.h) and the domain's DNS records
// (mailfountain/dkim.h).
#include <doctest/doctest.h>

#include "dkim/key_store.h"
#include "test_support.h"

#include <mailfountain/dkim.h>

#include <sys/stat.h>

#include <fstream>
#include <string>

using namespace mf;
using namespace mf::dkim;

namespace {

constexpr int64_t kNov2026 = 1795996800;  // 2026-11-30 00:00:00 UTC
constexpr int64_t kDec2026 = 1796515200;  // 2026-12-06 00:00:00 UTC

mode_t mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("selectors are named by month, with a letter for more keys in one month") {
  CHECK(*next_selector(kNov2026, {}) == "mf202611");
  CHECK(*next_selector(kNov2026, {"mf202610"}) == "mf202611");
  CHECK(*next_selector(kNov2026, {"mf202611"}) == "mf202611b");
  CHECK(*next_selector(kNov2026, {"mf202611", "mf202611b"}) == "mf202611c");
  CHECK(*next_selector(kDec2026, {"mf202611", "mf202611b"}) == "mf202612");
  std::vector<std::string> all = {"mf202611"};
  for (char c = 'b'; c <= 'z'; ++c) all.push_back(std::string("mf202611") + c);
  CHECK(next_selector(kNov2026, all).status().code() == Code::kResourceExhausted);
}

TEST_CASE("a domain's first key is generated once, private to the owner, and signs") {
  test::TempDir dir;
  DkimKeyStore store(dir.path());
  CHECK(store.list("ma-societe.fr").status().code() == Code::kNotFound);
  CHECK(store.signer("ma-societe.fr").status().code() == Code::kNotFound);

  auto key = store.ensure("ma-societe.fr", kNov2026);
  REQUIRE_MESSAGE(key.is_ok(), key.status().to_string());
  CHECK(key->selector == "mf202611");
  CHECK(key->active);
  CHECK(key->bits == 2048);
  CHECK(key->path == dir.sub("dkim/ma-societe.fr/mf202611.key"));
  CHECK(mode_of(key->path) == 0600);
  CHECK(mode_of(dir.sub("dkim")) == 0700);
  CHECK(mode_of(dir.sub("dkim/ma-societe.fr")) == 0700);

  // A second ensure finds the key rather than making another.
  auto again = store.ensure("ma-societe.fr", kDec2026);
  REQUIRE(again.is_ok());
  CHECK(again->selector == "mf202611");
  CHECK(again->public_key == key->public_key);

  auto signer = store.signer("ma-societe.fr");
  REQUIRE_MESSAGE(signer.is_ok(), signer.status().to_string());
  CHECK((*signer)->selector() == "mf202611");
  CHECK((*signer)->sign_message("From: a@ma-societe.fr\r\n\r\nx\r\n", 1).is_ok());
}

TEST_CASE("rotation makes a new key active and keeps the old one for mail in transit") {
  test::TempDir dir;
  DkimKeyStore store(dir.path());
  auto first = store.ensure("ma-societe.fr", kNov2026);
  REQUIRE(first.is_ok());
  auto second = store.rotate("ma-societe.fr", kNov2026);
  REQUIRE_MESSAGE(second.is_ok(), second.status().to_string());
  CHECK(second->selector == "mf202611b");
  CHECK(second->active);
  CHECK(second->public_key != first->public_key);

  auto keys = store.list("ma-societe.fr");
  REQUIRE(keys.is_ok());
  REQUIRE(keys->size() == 2);
  CHECK((*keys)[0].selector == "mf202611b");
  CHECK((*keys)[0].active);
  CHECK((*keys)[1].selector == "mf202611");
  CHECK_FALSE((*keys)[1].active);
  CHECK((*store.signer("ma-societe.fr"))->selector() == "mf202611b");
}

TEST_CASE("keys of other domains are separate, and a domain name cannot leave the key dir") {
  test::TempDir dir;
  DkimKeyStore store(dir.path());
  REQUIRE(store.ensure("a.example", kNov2026).is_ok());
  CHECK(store.list("b.example").status().code() == Code::kNotFound);
  CHECK(store.ensure("../etc", kNov2026).status().code() == Code::kInvalidArgument);
  CHECK(store.ensure("a..example", kNov2026).status().code() == Code::kInvalidArgument);
  CHECK(store.ensure("A.example", kNov2026).status().code() == Code::kInvalidArgument);
  CHECK(store.rotate("", kNov2026).status().code() == Code::kInvalidArgument);
}

TEST_CASE("TXT text splits into strings of at most 255 octets") {
  CHECK(split_txt_strings("") == std::vector<std::string>{""});
  CHECK(split_txt_strings(std::string(255, 'a')).size() == 1);
  auto two = split_txt_strings(std::string(256, 'a'));
  REQUIRE(two.size() == 2);
  CHECK(two[0].size() == 255);
  CHECK(two[1] == "a");
  CHECK(split_txt_strings(std::string(600, 'a')).size() == 3);
}

TEST_CASE("a domain's DNS records cover MX, A, SPF, DKIM, DMARC, the client SRVs and autoconfig") {
  DnsRecordInputs in;
  in.domain = "ma-societe.fr";
  in.host = "mail.ma-societe.fr";
  in.ipv4 = "192.0.2.10";
  in.dkim_keys.push_back({"mf202611", std::string(392, 'K')});
  auto records = domain_dns_records(in);
  std::string zone = dns_zone_text(records);

  CHECK(zone.find("ma-societe.fr.\tIN\tMX\t10 mail.ma-societe.fr.\n") != std::string::npos);
  CHECK(zone.find("mail.ma-societe.fr.\tIN\tA\t192.0.2.10\n") != std::string::npos);
  CHECK(zone.find("ma-societe.fr.\tIN\tTXT\t\"v=spf1 mx -all\"\n") != std::string::npos);
  CHECK(zone.find("_dmarc.ma-societe.fr.\tIN\tTXT\t"
                  "\"v=DMARC1; p=quarantine; rua=mailto:postmaster@ma-societe.fr\"\n") !=
        std::string::npos);
  CHECK(zone.find("_submissions._tcp.ma-societe.fr.\tIN\tSRV\t0 1 465 mail.ma-societe.fr.\n") !=
        std::string::npos);
  CHECK(zone.find("_submission._tcp.ma-societe.fr.\tIN\tSRV\t1 1 587 mail.ma-societe.fr.\n") !=
        std::string::npos);
  CHECK(zone.find("_imaps._tcp.ma-societe.fr.\tIN\tSRV\t0 1 993 mail.ma-societe.fr.\n") !=
        std::string::npos);
  CHECK(zone.find("_imap._tcp.ma-societe.fr.\tIN\tSRV\t1 1 143 mail.ma-societe.fr.\n") !=
        std::string::npos);
  // RFC 6186 §3.4: the priorities prefer IMAP to POP3.
  CHECK(zone.find("_pop3s._tcp.ma-societe.fr.\tIN\tSRV\t10 1 995 mail.ma-societe.fr.\n") !=
        std::string::npos);
  CHECK(zone.find("_pop3._tcp.ma-societe.fr.\tIN\tSRV\t11 1 110 mail.ma-societe.fr.\n") !=
        std::string::npos);
  CHECK(zone.find("autoconfig.ma-societe.fr.\tIN\tCNAME\tmail.ma-societe.fr.\n") !=
        std::string::npos);
  CHECK(zone.find("autodiscover.ma-societe.fr.\tIN\tCNAME\tmail.ma-societe.fr.\n") !=
        std::string::npos);
  CHECK(zone.find("AAAA") == std::string::npos);

  const DnsRecord* dkim = nullptr;
  for (const auto& r : records) {
    if (r.name == "mf202611._domainkey.ma-societe.fr.") dkim = &r;
  }
  REQUIRE(dkim != nullptr);
  CHECK(dkim->type == "TXT");
  REQUIRE(dkim->strings.size() == 2);
  CHECK(dkim->strings[0].size() == 255);
  CHECK(dkim->strings[0] + dkim->strings[1] == "v=DKIM1; k=rsa; p=" + std::string(392, 'K'));
  CHECK(dkim->value == "\"" + dkim->strings[0] + "\" \"" + dkim->strings[1] + "\"");
}

TEST_CASE("without a known address the A record is a commented-out placeholder") {
  DnsRecordInputs in;
  in.domain = "ma-societe.fr";
  in.host = "mx.example.net.";
  in.ipv6 = "2001:db8::25";
  auto records = domain_dns_records(in);
  std::string zone = dns_zone_text(records);
  CHECK(zone.find("\n; mx.example.net.\tIN\tA\t<the server's public IPv4 address>\n") !=
        std::string::npos);
  CHECK(zone.find("mx.example.net.\tIN\tAAAA\t2001:db8::25\n") != std::string::npos);
  // No key: no DKIM record.
  CHECK(zone.find("_domainkey") == std::string::npos);
}
