// Resolution: every MA SOCIETE address as DEMO.md says, subaddressing, unknown addresses
// and domains, case-insensitive and internationalised lookups.
#include "directory_fixture.h"

#include <doctest/doctest.h>

#include <string>

namespace mf::test {
namespace {

Resolution resolved(Fixture& f, std::string_view address) {
  auto r = f.dir().resolve(address);
  REQUIRE_MESSAGE(r.is_ok(), "resolve ", std::string(address), ": ", r.status().to_string());
  return std::move(r).value();
}

TEST_CASE("every demo account resolves to its own mailbox") {
  Fixture f;
  for (const char* local : {"jean.martin", "sophie.bernard", "luc.petit", "emma.durand", "abuse",
                            "postmaster"}) {
    Resolution r = resolved(f, demo(local));
    CHECK_MESSAGE(r.kind == AddressKind::kAccount, local);
    CHECK_MESSAGE(r.address == demo(local), local);
    CHECK_MESSAGE(r.matched == demo(local), local);
    CHECK_MESSAGE(r.tag.empty(), local);
    CHECK_MESSAGE(r.mailboxes == std::vector<std::string>{demo(local)}, local, " ",
                  join(r.mailboxes));
    CHECK_MESSAGE(r.external.empty(), local);
  }
}

TEST_CASE("every demo alias resolves to its account") {
  Fixture f;
  const std::pair<const char*, const char*> aliases[] = {{"direction", "jean.martin"},
                                                         {"accueil", "sophie.bernard"},
                                                         {"compta", "sophie.bernard"},
                                                         {"commercial", "emma.durand"}};
  for (const auto& [alias, account] : aliases) {
    Resolution r = resolved(f, demo(alias));
    CHECK_MESSAGE(r.kind == AddressKind::kAlias, alias);
    CHECK_MESSAGE(r.matched == demo(alias), alias);
    CHECK_MESSAGE(r.mailboxes == std::vector<std::string>{demo(account)}, alias, " ",
                  join(r.mailboxes));
  }
}

TEST_CASE("every demo redirection resolves to its members") {
  Fixture f;
  Resolution support = resolved(f, demo("support"));
  CHECK(support.kind == AddressKind::kRedirection);
  CHECK(support.mailboxes == std::vector<std::string>{demo("emma.durand"), demo("luc.petit")});
  Resolution contact = resolved(f, demo("contact"));
  CHECK(contact.kind == AddressKind::kRedirection);
  CHECK(contact.mailboxes ==
        std::vector<std::string>{demo("jean.martin"), demo("sophie.bernard")});
}

TEST_CASE("a subaddress resolves to its account with the tag kept") {
  Fixture f;
  Resolution r = resolved(f, demo("luc.petit+news"));
  CHECK(r.address == demo("luc.petit+news"));
  CHECK(r.matched == demo("luc.petit"));
  CHECK(r.kind == AddressKind::kAccount);
  CHECK(r.tag == "news");
  CHECK(r.mailboxes == std::vector<std::string>{demo("luc.petit")});
}

TEST_CASE("a subaddress of an alias or a redirection resolves through it") {
  Fixture f;
  Resolution alias = resolved(f, demo("direction+urgent"));
  CHECK(alias.matched == demo("direction"));
  CHECK(alias.kind == AddressKind::kAlias);
  CHECK(alias.tag == "urgent");
  CHECK(alias.mailboxes == std::vector<std::string>{demo("jean.martin")});
  Resolution redirection = resolved(f, demo("support+ticket42"));
  CHECK(redirection.matched == demo("support"));
  CHECK(redirection.kind == AddressKind::kRedirection);
  CHECK(redirection.tag == "ticket42");
  CHECK(redirection.mailboxes ==
        std::vector<std::string>{demo("emma.durand"), demo("luc.petit")});
}

TEST_CASE("the full address is tried before the subaddress") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().add_account(f.admin(), demo("a"), {"A", "", {}}));
  MF_REQUIRE_OK(f.dir().add_account(f.admin(), demo("a+b"), {"A plus B", "", {}}));
  Resolution exact = resolved(f, demo("a+b"));
  CHECK(exact.matched == demo("a+b"));
  CHECK(exact.tag.empty());
  CHECK(exact.mailboxes == std::vector<std::string>{demo("a+b")});
  Resolution tagged = resolved(f, demo("a+c"));
  CHECK(tagged.matched == demo("a"));
  CHECK(tagged.tag == "c");
  CHECK(tagged.mailboxes == std::vector<std::string>{demo("a")});
}

TEST_CASE("a subaddress of an unknown address is not found") {
  Fixture f;
  MF_CHECK_CODE(f.dir().resolve(demo("personne+news")), Code::kNotFound);
}

TEST_CASE("an unknown address on our domain is not found") {
  Fixture f;
  Status s = f.dir().resolve(demo("personne")).status();
  CHECK_MESSAGE(s.code() == Code::kNotFound, s.to_string());
  CHECK_FALSE(s.message().empty());
}

TEST_CASE("an address on a domain that is not ours is not found") {
  Fixture f;
  MF_CHECK_CODE(f.dir().resolve("jean.martin@example.org"), Code::kNotFound);
  MF_CHECK_CODE(f.dir().resolve("jean.martin@sub.ma-societe.fr"), Code::kNotFound);
}

TEST_CASE("a malformed address never resolves") {
  Fixture f;
  for (const char* bad : {"", "@", "luc.petit", "luc.petit@", "@ma-societe.fr",
                          "luc..petit@ma-societe.fr", "luc petit@ma-societe.fr"}) {
    auto r = f.dir().resolve(bad);
    REQUIRE_FALSE_MESSAGE(r.is_ok(), "resolved: '", bad, "'");
    CHECK_MESSAGE((r.status().code() == Code::kInvalidArgument ||
                   r.status().code() == Code::kNotFound),
                  bad, ": ", r.status().to_string());
  }
}

TEST_CASE("lookups ignore case and report the canonical address") {
  Fixture f;
  Resolution r = resolved(f, "Support@MA-SOCIETE.FR");
  CHECK(r.address == demo("support"));
  CHECK(r.matched == demo("support"));
  CHECK(r.mailboxes == std::vector<std::string>{demo("emma.durand"), demo("luc.petit")});
  Resolution account = resolved(f, "LUC.Petit+News@Ma-Societe.Fr");
  CHECK(account.mailboxes == std::vector<std::string>{demo("luc.petit")});
  CHECK(lower(account.tag) == "news");
}

TEST_CASE("an internationalised domain is looked up in U-label and A-label form") {
  Fixture f(Fixture::Load::kEmpty);
  MF_REQUIRE_OK(f.dir().add_domain(f.admin(), "café.fr"));
  MF_REQUIRE_OK(f.dir().add_account(f.admin(), "marie@café.fr", {"Marie", "", {}}));
  Resolution u = resolved(f, "marie@café.fr");
  CHECK(u.address == "marie@xn--caf-dma.fr");
  CHECK(u.mailboxes == std::vector<std::string>{"marie@xn--caf-dma.fr"});
  Resolution a = resolved(f, "MARIE@xn--caf-dma.fr");
  CHECK(a.mailboxes == std::vector<std::string>{"marie@xn--caf-dma.fr"});
  Resolution abuse = resolved(f, "abuse@CAFÉ.fr");
  CHECK(abuse.mailboxes == std::vector<std::string>{"abuse@xn--caf-dma.fr"});
}

TEST_CASE("resolution survives reopening the data directory") {
  Fixture f;
  f.reopen();
  CHECK(f.mailboxes(demo("support")) ==
        std::vector<std::string>{demo("emma.durand"), demo("luc.petit")});
  CHECK(f.mailboxes(demo("compta")) == std::vector<std::string>{demo("sophie.bernard")});
}

}  // namespace
}  // namespace mf::test
