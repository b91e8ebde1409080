// Unit tests of domain, address and login validation (model/names.h).
#include <doctest/doctest.h>

#include "model/names.h"

#include <string>

using namespace mf;

TEST_CASE("domain names are lower-cased and a trailing dot is dropped") {
  auto d = normalize_domain("Ma-Societe.FR.");
  REQUIRE(d.is_ok());
  CHECK(*d == "ma-societe.fr");
}

TEST_CASE("internationalised domain names become A-labels and back") {
  auto d = normalize_domain("Café.fr");
  REQUIRE_MESSAGE(d.is_ok(), d.status().to_string());
  CHECK(*d == "xn--caf-dma.fr");
  CHECK(domain_to_unicode(*d) == "café.fr");
  auto same = normalize_domain("xn--caf-dma.fr");
  REQUIRE(same.is_ok());
  CHECK(*same == "xn--caf-dma.fr");
}

TEST_CASE("malformed domain names are refused with a reason") {
  struct Case {
    std::string name;
    std::string says;
  };
  const Case cases[] = {
      {"", "empty"},
      {"localhost", "single label"},
      {"a..fr", "empty label"},
      {"-a.fr", "hyphen"},
      {"a-.fr", "hyphen"},
      {"a_b.fr", "'_'"},
      {"a b.fr", "' '"},
      {"example.123", "numeric"},
      {std::string(64, 'a') + ".fr", "at most 63"},
      {"xn--zzzz-.fr", "hyphen"},
      {"ab--cd.fr", "third and fourth"},
      {"\xff\xfe.fr", "UTF-8"},
  };
  for (const auto& c : cases) {
    auto d = normalize_domain(c.name);
    CHECK_MESSAGE(!d.is_ok(), c.name);
    if (!d.is_ok()) {
      CHECK(d.status().code() == Code::kInvalidArgument);
      CHECK_MESSAGE(d.status().message().find(c.says) != std::string::npos, d.status().message());
    }
  }
}

TEST_CASE("a domain name longer than 253 octets is refused") {
  std::string name;
  while (name.size() < 250) name += std::string(60, 'a') + ".";
  name += "fr";
  auto d = normalize_domain(name);
  REQUIRE_FALSE(d.is_ok());
  CHECK(d.status().message().find("at most 253") != std::string::npos);
}

TEST_CASE("addresses keep the case of their local part for display and lower it for lookups") {
  auto a = parse_address("Jean.Martin@MA-SOCIETE.fr");
  REQUIRE(a.is_ok());
  CHECK(a->display() == "Jean.Martin@ma-societe.fr");
  CHECK(a->key() == "jean.martin@ma-societe.fr");
}

TEST_CASE("local parts follow RFC 5321 dot-atom rules") {
  CHECK(parse_address("luc.petit+news@ma-societe.fr").is_ok());
  CHECK(parse_address("o'brien@ma-societe.fr").is_ok());
  CHECK(parse_address("élodie@ma-societe.fr").is_ok());
  const char* bad[] = {"@ma-societe.fr", ".luc@ma-societe.fr", "luc.@ma-societe.fr",
                       "luc..petit@ma-societe.fr", "\"luc petit\"@ma-societe.fr",
                       "luc petit@ma-societe.fr", "luc(x)@ma-societe.fr", "no-at-sign",
                       "luc@", "lu\x01c@ma-societe.fr"};
  for (const char* b : bad) {
    auto a = parse_address(b);
    CHECK_MESSAGE(!a.is_ok(), b);
    if (!a.is_ok()) CHECK(a.status().code() == Code::kInvalidArgument);
  }
  CHECK(parse_address(std::string(64, 'a') + "@ma-societe.fr").is_ok());
  CHECK_FALSE(parse_address(std::string(65, 'a') + "@ma-societe.fr").is_ok());
}

TEST_CASE("an address longer than 254 octets is refused") {
  std::string domain;
  for (int i = 0; i < 4; ++i) domain += std::string(60, 'b') + ".";
  domain += "fr";
  auto a = parse_address(std::string(20, 'a') + "@" + domain);
  REQUIRE_FALSE(a.is_ok());
  CHECK(a.status().message().find("254") != std::string::npos);
}

TEST_CASE("the administrator's name is a login, not an address") {
  CHECK(validate_admin_name("admin").is_ok());
  CHECK(validate_admin_name("it-admin_2.0").is_ok());
  CHECK_FALSE(validate_admin_name("admin@ma-societe.fr").is_ok());
  CHECK_FALSE(validate_admin_name("").is_ok());
  CHECK_FALSE(validate_admin_name("ad min").is_ok());
}

TEST_CASE("passwords need at least 8 bytes and no NUL") {
  CHECK(validate_password("12345678").is_ok());
  CHECK_FALSE(validate_password("1234567").is_ok());
  CHECK_FALSE(validate_password(std::string("abcd\0efgh", 9)).is_ok());
  CHECK_FALSE(validate_password(std::string(1025, 'x')).is_ok());
}
