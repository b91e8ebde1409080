// Aliases: extra addresses of one account, on its domain or on another domain the same
// manager manages; collisions, missing accounts, removal and listing.
#include "directory_fixture.h"

#include <doctest/doctest.h>

#include <string>

namespace mf::test {
namespace {

TEST_CASE("an alias on the account's domain resolves to the account") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().add_alias(f.jean(), demo("luc"), demo("luc.petit")));
  auto r = f.dir().resolve(demo("luc"));
  REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
  CHECK(r->kind == AddressKind::kAlias);
  CHECK(r->matched == demo("luc"));
  CHECK(r->mailboxes == std::vector<std::string>{demo("luc.petit")});
  CHECK(r->external.empty());
}

TEST_CASE("the demo aliases resolve to their accounts") {
  Fixture f;
  CHECK(f.mailboxes(demo("direction")) == std::vector<std::string>{demo("jean.martin")});
  CHECK(f.mailboxes(demo("accueil")) == std::vector<std::string>{demo("sophie.bernard")});
  CHECK(f.mailboxes(demo("compta")) == std::vector<std::string>{demo("sophie.bernard")});
  CHECK(f.mailboxes(demo("commercial")) == std::vector<std::string>{demo("emma.durand")});
}

TEST_CASE("aliases of a domain are listed sorted with their accounts") {
  Fixture f;
  auto list = f.dir().list_aliases(f.admin(), kDemoDomain);
  REQUIRE_MESSAGE(list.is_ok(), list.status().to_string());
  REQUIRE(list->size() == 4);
  CHECK((*list)[0].address == demo("accueil"));
  CHECK((*list)[0].account == demo("sophie.bernard"));
  CHECK((*list)[1].address == demo("commercial"));
  CHECK((*list)[1].account == demo("emma.durand"));
  CHECK((*list)[2].address == demo("compta"));
  CHECK((*list)[2].account == demo("sophie.bernard"));
  CHECK((*list)[3].address == demo("direction"));
  CHECK((*list)[3].account == demo("jean.martin"));
}

TEST_CASE("a manager may add an alias on another domain they also manage") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().add_domain(f.admin(), "ma-societe.com"));
  MF_REQUIRE_OK(f.dir().grant_manager(f.admin(), demo("jean.martin"), "ma-societe.com"));
  MF_CHECK_OK(f.dir().add_alias(f.jean(), "accueil@ma-societe.com", demo("sophie.bernard")));
  CHECK(f.mailboxes("accueil@ma-societe.com") == std::vector<std::string>{demo("sophie.bernard")});
  auto sophie = f.dir().show_account(f.admin(), demo("sophie.bernard"));
  REQUIRE_MESSAGE(sophie.is_ok(), sophie.status().to_string());
  CHECK(sophie->aliases ==
        std::vector<std::string>{"accueil@ma-societe.com", demo("accueil"), demo("compta")});
  auto listed = f.dir().list_aliases(f.admin(), "ma-societe.com");
  REQUIRE_MESSAGE(listed.is_ok(), listed.status().to_string());
  REQUIRE(listed->size() == 1);
  CHECK((*listed)[0].account == demo("sophie.bernard"));
}

TEST_CASE("a manager may not add an alias on a domain they do not manage") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().add_domain(f.admin(), "autre.fr"));
  Status s = f.dir().add_alias(f.jean(), "sophie@autre.fr", demo("sophie.bernard"));
  CHECK_MESSAGE(s.code() == Code::kPermissionDenied, s.to_string());
  CHECK_MESSAGE(contains(s.message(), "autre.fr"), s.to_string());
  MF_CHECK_CODE(f.dir().resolve("sophie@autre.fr"), Code::kNotFound);
}

TEST_CASE("a manager may not alias their domain to an account of a domain they do not manage") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().add_domain(f.admin(), "autre.fr"));
  MF_REQUIRE_OK(f.dir().add_account(f.admin(), "paul@autre.fr", {"Paul", "", {}}));
  MF_CHECK_CODE(f.dir().add_alias(f.jean(), demo("paul"), "paul@autre.fr"),
                Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().resolve(demo("paul")), Code::kNotFound);
}

TEST_CASE("the administrator may add an alias across any two domains") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().add_domain(f.admin(), "autre.fr"));
  MF_CHECK_OK(f.dir().add_alias(f.admin(), "jean@autre.fr", demo("jean.martin")));
  CHECK(f.mailboxes("jean@autre.fr") == std::vector<std::string>{demo("jean.martin")});
}

TEST_CASE("a user may not add an alias even to their own account") {
  Fixture f;
  MF_CHECK_CODE(f.dir().add_alias(f.sophie(), demo("sophie"), demo("sophie.bernard")),
                Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().resolve(demo("sophie")), Code::kNotFound);
}

TEST_CASE("an alias equal to an existing account alias or redirection is refused") {
  Fixture f;
  MF_CHECK_CODE(f.dir().add_alias(f.admin(), demo("luc.petit"), demo("emma.durand")),
                Code::kAlreadyExists);
  MF_CHECK_CODE(f.dir().add_alias(f.admin(), demo("direction"), demo("emma.durand")),
                Code::kAlreadyExists);
  MF_CHECK_CODE(f.dir().add_alias(f.admin(), demo("support"), demo("emma.durand")),
                Code::kAlreadyExists);
  MF_CHECK_CODE(f.dir().add_alias(f.admin(), demo("postmaster"), demo("emma.durand")),
                Code::kAlreadyExists);
  CHECK(f.mailboxes(demo("direction")) == std::vector<std::string>{demo("jean.martin")});
  CHECK(f.mailboxes(demo("luc.petit")) == std::vector<std::string>{demo("luc.petit")});
}

TEST_CASE("an alias collision is found whatever the case") {
  Fixture f;
  MF_CHECK_CODE(f.dir().add_alias(f.admin(), "Direction@MA-SOCIETE.FR", demo("emma.durand")),
                Code::kAlreadyExists);
  MF_CHECK_CODE(f.dir().add_alias(f.admin(), "LUC.PETIT@ma-societe.fr", demo("emma.durand")),
                Code::kAlreadyExists);
}

TEST_CASE("an alias to a missing account is not found") {
  Fixture f;
  MF_CHECK_CODE(f.dir().add_alias(f.admin(), demo("fantome"), demo("personne")), Code::kNotFound);
  MF_CHECK_CODE(f.dir().resolve(demo("fantome")), Code::kNotFound);
}

TEST_CASE("an alias belongs to an account and not to another alias") {
  Fixture f;
  MF_CHECK_CODE(f.dir().add_alias(f.admin(), demo("dg"), demo("direction")), Code::kNotFound);
  MF_CHECK_CODE(f.dir().add_alias(f.admin(), demo("sav"), demo("support")), Code::kNotFound);
  MF_CHECK_CODE(f.dir().resolve(demo("dg")), Code::kNotFound);
}

TEST_CASE("an alias on an unknown domain is not found") {
  Fixture f;
  MF_CHECK_CODE(f.dir().add_alias(f.admin(), "jean@example.org", demo("jean.martin")),
                Code::kNotFound);
}

TEST_CASE("a malformed alias address is refused") {
  Fixture f;
  MF_CHECK_CODE(f.dir().add_alias(f.admin(), "jean..m@ma-societe.fr", demo("jean.martin")),
                Code::kInvalidArgument);
  MF_CHECK_CODE(f.dir().add_alias(f.admin(), "jean martin", demo("jean.martin")),
                Code::kInvalidArgument);
}

// directory.h promises case-preserving display for accounts only; for aliases it says
// nothing, so this checks matching in any case and a listing equal up to case.
TEST_CASE("an alias given in mixed case matches in any case") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().add_alias(f.admin(), "Luc.P@ma-societe.fr", demo("luc.petit")));
  CHECK(f.mailboxes("luc.p@MA-SOCIETE.FR") == std::vector<std::string>{demo("luc.petit")});
  MF_CHECK_CODE(f.dir().add_alias(f.admin(), "LUC.P@ma-societe.fr", demo("emma.durand")),
                Code::kAlreadyExists);
  auto list = f.dir().list_aliases(f.admin(), kDemoDomain);
  REQUIRE_MESSAGE(list.is_ok(), list.status().to_string());
  bool found = false;
  for (const AliasInfo& a : *list) found = found || lower(a.address) == "luc.p@ma-societe.fr";
  CHECK(found);
}

TEST_CASE("removing an alias frees its address and leaves the account") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().remove_alias(f.jean(), demo("direction")));
  MF_CHECK_CODE(f.dir().resolve(demo("direction")), Code::kNotFound);
  auto jean = f.dir().show_account(f.admin(), demo("jean.martin"));
  REQUIRE_MESSAGE(jean.is_ok(), jean.status().to_string());
  CHECK(jean->aliases.empty());
  CHECK(f.mailboxes(demo("jean.martin")) == std::vector<std::string>{demo("jean.martin")});
  MF_CHECK_OK(f.dir().add_redirection(f.admin(), demo("direction"), {demo("jean.martin")},
                                      SendAs::kMembersMaySend));
}

TEST_CASE("removing an unknown alias is not found") {
  Fixture f;
  MF_CHECK_CODE(f.dir().remove_alias(f.admin(), demo("inconnu")), Code::kNotFound);
}

TEST_CASE("remove_alias does not remove an account or a redirection") {
  Fixture f;
  CHECK_FALSE(f.dir().remove_alias(f.admin(), demo("luc.petit")).is_ok());
  CHECK_FALSE(f.dir().remove_alias(f.admin(), demo("support")).is_ok());
  CHECK(f.mailboxes(demo("luc.petit")) == std::vector<std::string>{demo("luc.petit")});
  CHECK(f.mailboxes(demo("support")) ==
        std::vector<std::string>{demo("emma.durand"), demo("luc.petit")});
}

TEST_CASE("a manager may not remove an alias on a domain they do not manage") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().add_domain(f.admin(), "autre.fr"));
  MF_REQUIRE_OK(f.dir().add_alias(f.admin(), "jean@autre.fr", demo("jean.martin")));
  MF_CHECK_CODE(f.dir().remove_alias(f.jean(), "jean@autre.fr"), Code::kPermissionDenied);
  CHECK(f.mailboxes("jean@autre.fr") == std::vector<std::string>{demo("jean.martin")});
}

TEST_CASE("a user may not remove their own alias") {
  Fixture f;
  MF_CHECK_CODE(f.dir().remove_alias(f.sophie(), demo("accueil")), Code::kPermissionDenied);
  CHECK(f.mailboxes(demo("accueil")) == std::vector<std::string>{demo("sophie.bernard")});
}

TEST_CASE("listing the aliases of another domain is denied to a manager") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().add_domain(f.admin(), "autre.fr"));
  MF_CHECK_CODE(f.dir().list_aliases(f.jean(), "autre.fr"), Code::kPermissionDenied);
  MF_CHECK_OK(f.dir().list_aliases(f.jean(), kDemoDomain));
}

}  // namespace
}  // namespace mf::test
