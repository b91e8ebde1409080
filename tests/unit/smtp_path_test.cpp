// Unit tests of path parsing and domain checks (smtp/path.h). The command-level cases,
// relay tricks included, are in smtp_command_test.cpp.
#include <doctest/doctest.h>

#include "smtp/path.h"

#include <string>

using namespace mf::smtp;

TEST_CASE("path_span stops at the first '>' outside quotes") {
  CHECK(path_span("<a@b.fr> SIZE=1") == 8);
  CHECK(path_span("<\"x>y\"@b.fr> NOTIFY=NEVER") == 12);
  CHECK(path_span("<\"x\\\">\"@b.fr>") == 13);
  CHECK(path_span("<a@b.fr") == std::string_view::npos);
  CHECK(path_span("a@b.fr>") == std::string_view::npos);
  CHECK(path_span("<\"a>") == std::string_view::npos);
}

TEST_CASE("the null path is a sender only") {
  auto s = parse_path("<>", PathRole::kSender);
  REQUIRE(s.is_ok());
  CHECK(s->is_null);
  CHECK(!s->is_bare_postmaster());
  CHECK(s->domain_kind == DomainKind::kNone);
  CHECK(!parse_path("<>", PathRole::kRecipient).is_ok());
}

TEST_CASE("mailbox() quotes the local part only when it must") {
  auto q = parse_path("<\"john doe\"@example.org>", PathRole::kRecipient);
  REQUIRE(q.is_ok());
  CHECK(q->local == "john doe");
  CHECK(q->mailbox() == "\"john doe\"@example.org");
  for (auto local : {"a..b", ".a", "a.", "a,b", "a(b)", "a[b]", "a:b", "a;b", "a<b>"}) {
    std::string path = "<\"" + std::string(local) + "\"@example.org>";
    auto p = parse_path(path, PathRole::kRecipient);
    REQUIRE_MESSAGE(p.is_ok(), path);
    CHECK(p->local == local);
    CHECK(p->mailbox() == "\"" + std::string(local) + "\"@example.org");
    auto again = parse_path("<" + p->mailbox() + ">", PathRole::kRecipient);
    REQUIRE(again.is_ok());
    CHECK(again->local == p->local);
  }
  CHECK(parse_path("<\"\"@example.org>", PathRole::kRecipient)->mailbox() == "\"\"@example.org");
}

TEST_CASE("dot-strings follow the atext grammar") {
  CHECK(is_dot_string("a.b-c+d_e'f!g#h$i%j&k*l/m=n?o^p`q{r|s}t~u"));
  CHECK(!is_dot_string(""));
  CHECK(!is_dot_string("a..b"));
  CHECK(!is_dot_string("a b"));
  CHECK(!is_dot_string("a@b"));
  for (auto path : {"<a..b@x.fr>", "<.a@x.fr>", "<a.@x.fr>", "<a b@x.fr>", "<a(b)@x.fr>",
                    "<a\\b@x.fr>", "<a\"b\"@x.fr>", "<@x.fr>", "<a,b@x.fr>"}) {
    CHECK_MESSAGE(!parse_path(path, PathRole::kSender).is_ok(), path);
  }
}

TEST_CASE("domain_syntax_error names each fault") {
  CHECK(!domain_syntax_error("ma-societe.fr"));
  CHECK(!domain_syntax_error("localhost"));
  CHECK(!domain_syntax_error("xn--caf-dma.fr"));
  CHECK(!domain_syntax_error("caf\xC3\xA9.fr"));  // a U-label; IDNA checks come later
  CHECK(!domain_syntax_error("1password.com"));
  CHECK(domain_syntax_error("") == "empty domain");
  CHECK(domain_syntax_error("a.fr.") == "trailing dot in the domain");
  CHECK(domain_syntax_error("a..fr") == "empty label in the domain");
  CHECK(domain_syntax_error("-a.fr") == "domain label starts or ends with a hyphen");
  CHECK(domain_syntax_error(std::string(64, 'a') + ".fr") == "domain label longer than 63 octets");
  CHECK(domain_syntax_error("a b.fr") == "invalid character in the domain");
  CHECK(domain_syntax_error("caf\xC3.fr") == "invalid character in the domain");
  CHECK(domain_syntax_error("10.0.0.1").has_value());
  std::string long_name;
  while (long_name.size() < 256) long_name += "abcdefg.";
  long_name += "fr";
  CHECK(domain_syntax_error(long_name) == "domain longer than 255 octets");
}

TEST_CASE("address literals: strict IPv4, IPv6 as inet_pton reads it, no other tag") {
  DomainKind kind = DomainKind::kNone;
  std::string address;
  CHECK(!address_literal_error("[0.0.0.0]", &kind, &address));
  CHECK(kind == DomainKind::kIPv4);
  CHECK(address == "0.0.0.0");
  CHECK(!address_literal_error("[255.255.255.255]"));
  CHECK(!address_literal_error("[IPv6:::1]", &kind, &address));
  CHECK(kind == DomainKind::kIPv6);
  CHECK(address == "::1");
  for (auto lit :
       {"[1.2.3.04]", "[1.2.3.4 ]", "[1.2.3.]", "[.1.2.3]", "[1..2.3]", "[1234.1.1.1]",
        "[IPv6:1.2.3.4]", "[IPv6:1:2:3:4:5:6:7:8:9]", "[IPv4:1.2.3.4]", "1.2.3.4", "[1.2.3.4"}) {
    CHECK_MESSAGE(address_literal_error(lit).has_value(), lit);
  }
}
