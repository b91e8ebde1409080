// Domains: name validation (RFC 1035/5890), internationalised names, the RFC 2142 accounts
// created with a domain, listing, and removal (refused while in use, or forced).
#include "directory_fixture.h"

#include <doctest/doctest.h>

#include <string>

namespace mf::test {
namespace {

std::vector<std::string> domain_names(Directory& d, const Principal& who) {
  auto list = d.list_domains(who);
  REQUIRE_MESSAGE(list.is_ok(), list.status().to_string());
  std::vector<std::string> names;
  for (const DomainInfo& info : *list) names.push_back(info.name);
  return names;
}

// A domain name of exactly `length` octets made of 63-octet labels and a shorter last one.
std::string domain_of_length(size_t length) {
  std::string name;
  char letter = 'a';
  while (name.size() < length) {
    if (!name.empty()) name += '.';
    size_t left = length - name.size();
    size_t label = left > 63 ? 63 : left;
    // Never leave a single octet for a final label after a dot that would not fit.
    if (left > 63 && left - 63 < 2) label = 61;
    name += std::string(label, letter++);
  }
  return name;
}

TEST_CASE("a valid domain is added and listed with its name") {
  Fixture f(Fixture::Load::kEmpty);
  MF_REQUIRE_OK(f.dir().add_domain(f.admin(), "exemple.fr"));
  auto info = f.dir().show_domain(f.admin(), "exemple.fr");
  REQUIRE_MESSAGE(info.is_ok(), info.status().to_string());
  CHECK(info->name == "exemple.fr");
  CHECK(info->unicode_name == "exemple.fr");
  CHECK(info->created_at == kFakeNow);
  CHECK(info->accounts == 2);
  CHECK(info->aliases == 0);
  CHECK(info->redirections == 0);
  CHECK(info->managers.empty());
  CHECK(domain_names(f.dir(), f.admin()) == std::vector<std::string>{"exemple.fr"});
}

TEST_CASE("domains are listed sorted by name") {
  Fixture f(Fixture::Load::kEmpty);
  for (const char* name : {"zeta.fr", "alpha.fr", "mu.org"}) {
    MF_REQUIRE_OK(f.dir().add_domain(f.admin(), name));
  }
  CHECK(domain_names(f.dir(), f.admin()) ==
        std::vector<std::string>{"alpha.fr", "mu.org", "zeta.fr"});
}

TEST_CASE("an empty domain name is refused") {
  Fixture f(Fixture::Load::kEmpty);
  MF_CHECK_CODE(f.dir().add_domain(f.admin(), ""), Code::kInvalidArgument);
  CHECK(domain_names(f.dir(), f.admin()).empty());
}

TEST_CASE("a domain label of 63 octets is accepted and one of 64 is refused") {
  Fixture f(Fixture::Load::kEmpty);
  MF_CHECK_OK(f.dir().add_domain(f.admin(), std::string(63, 'a') + ".fr"));
  MF_CHECK_CODE(f.dir().add_domain(f.admin(), std::string(64, 'b') + ".fr"),
                Code::kInvalidArgument);
}

TEST_CASE("a domain name of 253 octets is accepted and one of 254 is refused") {
  Fixture f(Fixture::Load::kEmpty);
  std::string ok = domain_of_length(253);
  std::string too_long = domain_of_length(254);
  REQUIRE(ok.size() == 253);
  REQUIRE(too_long.size() == 254);
  MF_CHECK_OK(f.dir().add_domain(f.admin(), ok));
  MF_CHECK_CODE(f.dir().add_domain(f.admin(), too_long), Code::kInvalidArgument);
}

TEST_CASE("a domain label with a leading or trailing hyphen is refused") {
  Fixture f(Fixture::Load::kEmpty);
  MF_CHECK_CODE(f.dir().add_domain(f.admin(), "-exemple.fr"), Code::kInvalidArgument);
  MF_CHECK_CODE(f.dir().add_domain(f.admin(), "exemple-.fr"), Code::kInvalidArgument);
  MF_CHECK_CODE(f.dir().add_domain(f.admin(), "exemple.-fr"), Code::kInvalidArgument);
  MF_CHECK_OK(f.dir().add_domain(f.admin(), "ex-emple.fr"));
}

TEST_CASE("a domain name with an underscore is refused") {
  Fixture f(Fixture::Load::kEmpty);
  MF_CHECK_CODE(f.dir().add_domain(f.admin(), "ma_societe.fr"), Code::kInvalidArgument);
}

TEST_CASE("a domain name with characters outside letters digits and hyphens is refused") {
  Fixture f(Fixture::Load::kEmpty);
  for (const char* bad : {"ma societe.fr", "ma@societe.fr", "ma/societe.fr", "ma!societe.fr"}) {
    MF_CHECK_CODE(f.dir().add_domain(f.admin(), bad), Code::kInvalidArgument);
  }
  CHECK(domain_names(f.dir(), f.admin()).empty());
}

TEST_CASE("a single-label domain name is refused") {
  Fixture f(Fixture::Load::kEmpty);
  MF_CHECK_CODE(f.dir().add_domain(f.admin(), "masociete"), Code::kInvalidArgument);
}

TEST_CASE("a domain name with an empty label is refused") {
  Fixture f(Fixture::Load::kEmpty);
  MF_CHECK_CODE(f.dir().add_domain(f.admin(), "ma..societe.fr"), Code::kInvalidArgument);
  MF_CHECK_CODE(f.dir().add_domain(f.admin(), ".ma-societe.fr"), Code::kInvalidArgument);
  MF_CHECK_CODE(f.dir().add_domain(f.admin(), "ma-societe.fr.."), Code::kInvalidArgument);
  CHECK(domain_names(f.dir(), f.admin()).empty());
}

// The contract does not say whether "exemple.fr." (absolute form) is refused or taken as
// "exemple.fr"; either is fine, but it must never become a second, distinct domain.
TEST_CASE("a domain name with a trailing dot is refused or is the same domain") {
  Fixture f(Fixture::Load::kEmpty);
  Status s = f.dir().add_domain(f.admin(), "exemple.fr.");
  if (s.is_ok()) {
    CHECK(domain_names(f.dir(), f.admin()) == std::vector<std::string>{"exemple.fr"});
    MF_CHECK_CODE(f.dir().add_domain(f.admin(), "exemple.fr"), Code::kAlreadyExists);
  } else {
    CHECK_MESSAGE(s.code() == Code::kInvalidArgument, s.to_string());
    CHECK(domain_names(f.dir(), f.admin()).empty());
  }
}

TEST_CASE("domain names are case-insensitive and stored in lower case") {
  Fixture f(Fixture::Load::kEmpty);
  MF_REQUIRE_OK(f.dir().add_domain(f.admin(), "Exemple.FR"));
  CHECK(domain_names(f.dir(), f.admin()) == std::vector<std::string>{"exemple.fr"});
  MF_CHECK_CODE(f.dir().add_domain(f.admin(), "exemple.fr"), Code::kAlreadyExists);
  MF_CHECK_CODE(f.dir().add_domain(f.admin(), "EXEMPLE.fr"), Code::kAlreadyExists);
  MF_CHECK_OK(f.dir().show_domain(f.admin(), "eXeMpLe.Fr"));
}

TEST_CASE("adding a domain that exists is refused") {
  Fixture f;
  MF_CHECK_CODE(f.dir().add_domain(f.admin(), kDemoDomain), Code::kAlreadyExists);
  // The existing domain is untouched.
  auto info = f.dir().show_domain(f.admin(), kDemoDomain);
  REQUIRE_MESSAGE(info.is_ok(), info.status().to_string());
  CHECK(info->accounts == 6);
}

TEST_CASE("an internationalised domain is stored as its A-label with its U-label for display") {
  Fixture f(Fixture::Load::kEmpty);
  MF_REQUIRE_OK(f.dir().add_domain(f.admin(), "café.fr"));
  auto info = f.dir().show_domain(f.admin(), "café.fr");
  REQUIRE_MESSAGE(info.is_ok(), info.status().to_string());
  CHECK(info->name == "xn--caf-dma.fr");
  CHECK(info->unicode_name == "café.fr");
  auto by_alabel = f.dir().show_domain(f.admin(), "xn--caf-dma.fr");
  REQUIRE_MESSAGE(by_alabel.is_ok(), by_alabel.status().to_string());
  CHECK(by_alabel->unicode_name == "café.fr");
  CHECK(domain_names(f.dir(), f.admin()) == std::vector<std::string>{"xn--caf-dma.fr"});
}

TEST_CASE("an internationalised domain and its A-label are the same domain") {
  Fixture f(Fixture::Load::kEmpty);
  MF_REQUIRE_OK(f.dir().add_domain(f.admin(), "xn--caf-dma.fr"));
  MF_CHECK_CODE(f.dir().add_domain(f.admin(), "café.fr"), Code::kAlreadyExists);
  auto info = f.dir().show_domain(f.admin(), "café.fr");
  REQUIRE_MESSAGE(info.is_ok(), info.status().to_string());
  CHECK(info->unicode_name == "café.fr");
  // Upper-case U-labels name the same domain.
  MF_CHECK_CODE(f.dir().add_domain(f.admin(), "CAFÉ.FR"), Code::kAlreadyExists);
  MF_CHECK_OK(f.dir().show_domain(f.admin(), "Café.Fr"));
}

TEST_CASE("a domain name that is not valid UTF-8 or not valid IDNA is refused") {
  Fixture f(Fixture::Load::kEmpty);
  MF_CHECK_CODE(f.dir().add_domain(f.admin(), "caf\xc3.fr"), Code::kInvalidArgument);
  MF_CHECK_CODE(f.dir().add_domain(f.admin(), "\xff\xfe.fr"), Code::kInvalidArgument);
  // A symbol that IDNA 2008 disallows.
  MF_CHECK_CODE(f.dir().add_domain(f.admin(), "i\xe2\x99\xa5mail.fr"), Code::kInvalidArgument);
  CHECK(domain_names(f.dir(), f.admin()).empty());
}

TEST_CASE("adding a domain creates abuse and postmaster as built-in accounts") {
  Fixture f(Fixture::Load::kEmpty);
  MF_REQUIRE_OK(f.dir().add_domain(f.admin(), "exemple.fr"));
  auto accounts = f.dir().list_accounts(f.admin(), "exemple.fr");
  REQUIRE_MESSAGE(accounts.is_ok(), accounts.status().to_string());
  REQUIRE(accounts->size() == 2);
  CHECK((*accounts)[0].address == "abuse@exemple.fr");
  CHECK((*accounts)[0].display_name == "Abuse");
  CHECK((*accounts)[0].builtin);
  CHECK((*accounts)[0].state == AccountState::kEnabled);
  CHECK((*accounts)[1].address == "postmaster@exemple.fr");
  CHECK((*accounts)[1].display_name == "Postmaster");
  CHECK((*accounts)[1].builtin);
  CHECK(f.mailboxes("abuse@exemple.fr") == std::vector<std::string>{"abuse@exemple.fr"});
  CHECK(f.mailboxes("postmaster@exemple.fr") == std::vector<std::string>{"postmaster@exemple.fr"});
}

TEST_CASE("an internationalised domain gets abuse and postmaster on its A-label") {
  Fixture f(Fixture::Load::kEmpty);
  MF_REQUIRE_OK(f.dir().add_domain(f.admin(), "café.fr"));
  auto abuse = f.dir().show_account(f.admin(), "abuse@xn--caf-dma.fr");
  REQUIRE_MESSAGE(abuse.is_ok(), abuse.status().to_string());
  CHECK(abuse->builtin);
  MF_CHECK_OK(f.dir().show_account(f.admin(), "postmaster@café.fr"));
}

TEST_CASE("abuse and postmaster cannot be removed while their domain exists") {
  Fixture f;
  for (const char* local : {"abuse", "postmaster"}) {
    for (Removal mode : {Removal::kRefuseIfInUse, Removal::kForce}) {
      MF_CHECK_CODE(f.dir().remove_account(f.admin(), demo(local), mode),
                    Code::kFailedPrecondition);
    }
    MF_CHECK_OK(f.dir().show_account(f.admin(), demo(local)));
  }
}

TEST_CASE("an account added with a built-in name is refused because it exists") {
  Fixture f;
  MF_CHECK_CODE(f.dir().add_account(f.admin(), demo("Postmaster"), {"X", "", {}}),
                Code::kAlreadyExists);
}

TEST_CASE("showing or removing an unknown domain is not found") {
  Fixture f;
  MF_CHECK_CODE(f.dir().show_domain(f.admin(), "inconnu.fr"), Code::kNotFound);
  MF_CHECK_CODE(f.dir().remove_domain(f.admin(), "inconnu.fr", Removal::kForce), Code::kNotFound);
  MF_CHECK_CODE(f.dir().set_domain_default_quota(f.admin(), "inconnu.fr", 1000), Code::kNotFound);
}

TEST_CASE("a domain holding only abuse and postmaster is removed without force") {
  Fixture f(Fixture::Load::kEmpty);
  MF_REQUIRE_OK(f.dir().add_domain(f.admin(), "exemple.fr"));
  MF_CHECK_OK(f.dir().remove_domain(f.admin(), "exemple.fr", Removal::kRefuseIfInUse));
  CHECK(domain_names(f.dir(), f.admin()).empty());
  MF_CHECK_CODE(f.dir().resolve("abuse@exemple.fr"), Code::kNotFound);
  MF_CHECK_CODE(f.dir().show_account(f.admin(), "postmaster@exemple.fr"), Code::kNotFound);
  auto local = f.dir().is_local_domain("exemple.fr");
  REQUIRE_MESSAGE(local.is_ok(), local.status().to_string());
  CHECK_FALSE(*local);
  // The name is free again, and abuse@/postmaster@ come back with it.
  MF_CHECK_OK(f.dir().add_domain(f.admin(), "exemple.fr"));
  MF_CHECK_OK(f.dir().resolve("abuse@exemple.fr"));
}

TEST_CASE("removing a domain that holds accounts is refused and the message names them") {
  Fixture f(Fixture::Load::kEmpty);
  MF_REQUIRE_OK(f.dir().add_domain(f.admin(), "exemple.fr"));
  MF_REQUIRE_OK(f.dir().add_account(f.admin(), "paul@exemple.fr", {"Paul", "", {}}));
  Status s = f.dir().remove_domain(f.admin(), "exemple.fr", Removal::kRefuseIfInUse);
  REQUIRE_MESSAGE(s.code() == Code::kFailedPrecondition, s.to_string());
  CHECK_MESSAGE(contains(s.message(), "exemple.fr"), s.to_string());
  CHECK_MESSAGE(contains_nocase(s.message(), "account"), s.to_string());
  MF_CHECK_OK(f.dir().show_account(f.admin(), "paul@exemple.fr"));
  MF_CHECK_OK(f.dir().show_domain(f.admin(), "exemple.fr"));
}

TEST_CASE("removing a domain that holds a redirection is refused and the message names it") {
  Fixture f(Fixture::Load::kEmpty);
  MF_REQUIRE_OK(f.dir().add_domain(f.admin(), "exemple.fr"));
  MF_REQUIRE_OK(f.dir().add_redirection(f.admin(), "equipe@exemple.fr", {"quelqu.un@example.org"},
                                        SendAs::kMembersMaySend));
  Status s = f.dir().remove_domain(f.admin(), "exemple.fr", Removal::kRefuseIfInUse);
  REQUIRE_MESSAGE(s.code() == Code::kFailedPrecondition, s.to_string());
  CHECK_MESSAGE(contains_nocase(s.message(), "redirection"), s.to_string());
  MF_CHECK_OK(f.dir().resolve("equipe@exemple.fr"));
}

TEST_CASE("removing a domain that holds an alias is refused and the message names it") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().add_domain(f.admin(), "exemple.fr"));
  MF_REQUIRE_OK(f.dir().add_alias(f.admin(), "jean@exemple.fr", demo("jean.martin")));
  Status s = f.dir().remove_domain(f.admin(), "exemple.fr", Removal::kRefuseIfInUse);
  REQUIRE_MESSAGE(s.code() == Code::kFailedPrecondition, s.to_string());
  CHECK_MESSAGE(contains_nocase(s.message(), "alias"), s.to_string());
  CHECK(f.mailboxes("jean@exemple.fr") == std::vector<std::string>{demo("jean.martin")});
}

TEST_CASE("removing a domain whose account has an alias on another domain is refused") {
  Fixture f(Fixture::Load::kEmpty);
  MF_REQUIRE_OK(f.dir().add_domain(f.admin(), "a.fr"));
  MF_REQUIRE_OK(f.dir().add_domain(f.admin(), "b.fr"));
  // b.fr holds only its built-in accounts, but an alias on a.fr points at one of them.
  MF_REQUIRE_OK(f.dir().add_alias(f.admin(), "plaintes-b@a.fr", "abuse@b.fr"));
  Status s = f.dir().remove_domain(f.admin(), "b.fr", Removal::kRefuseIfInUse);
  CHECK_MESSAGE(s.code() == Code::kFailedPrecondition, s.to_string());
  CHECK_MESSAGE((contains(s.message(), "plaintes-b@a.fr") || contains_nocase(s.message(), "alias")),
                s.to_string());
  MF_CHECK_OK(f.dir().show_domain(f.admin(), "b.fr"));
  CHECK(f.mailboxes("plaintes-b@a.fr") == std::vector<std::string>{"abuse@b.fr"});
}

TEST_CASE("forced removal of a domain removes its accounts aliases and redirections") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().remove_domain(f.admin(), kDemoDomain, Removal::kForce));
  CHECK(domain_names(f.dir(), f.admin()).empty());
  for (const char* local : {"jean.martin", "sophie.bernard", "luc.petit", "emma.durand", "abuse",
                            "postmaster", "direction", "accueil", "compta", "commercial",
                            "support", "contact"}) {
    MF_CHECK_CODE(f.dir().resolve(demo(local)), Code::kNotFound);
  }
  auto local = f.dir().is_local_domain(kDemoDomain);
  REQUIRE_MESSAGE(local.is_ok(), local.status().to_string());
  CHECK_FALSE(*local);
  // The people can no longer log in.
  MF_CHECK_CODE(f.ctx().authenticate(demo("jean.martin"), kJeanPassword, Service::kImap, kOrigin),
                Code::kUnauthenticated);
}

TEST_CASE("forced removal of a domain removes the aliases of its accounts on other domains") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().add_domain(f.admin(), "ma-societe.com"));
  MF_REQUIRE_OK(f.dir().add_alias(f.admin(), "jean@ma-societe.com", demo("jean.martin")));
  MF_REQUIRE_OK(f.dir().remove_domain(f.admin(), kDemoDomain, Removal::kForce));
  MF_CHECK_CODE(f.dir().resolve("jean@ma-societe.com"), Code::kNotFound);
  auto aliases = f.dir().list_aliases(f.admin(), "ma-societe.com");
  REQUIRE_MESSAGE(aliases.is_ok(), aliases.status().to_string());
  CHECK(aliases->empty());
  auto info = f.dir().show_domain(f.admin(), "ma-societe.com");
  REQUIRE_MESSAGE(info.is_ok(), info.status().to_string());
  CHECK(info->aliases == 0);
  // The address is free again.
  MF_CHECK_OK(f.dir().add_account(f.admin(), "jean@ma-societe.com", {"Jean", "", {}}));
}

TEST_CASE("forced removal of a domain strips its addresses from redirections of other domains") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().add_domain(f.admin(), "partenaire.fr"));
  MF_REQUIRE_OK(f.dir().add_account(f.admin(), "marc@partenaire.fr", {"Marc", "", {}}));
  MF_REQUIRE_OK(f.dir().add_redirection(
      f.admin(), "projet@partenaire.fr",
      {demo("luc.petit"), "marc@partenaire.fr", demo("support"), "ext@example.org"},
      SendAs::kMembersMaySend));
  MF_REQUIRE_OK(f.dir().remove_domain(f.admin(), kDemoDomain, Removal::kForce));
  auto list = f.dir().list_redirections(f.admin(), "partenaire.fr");
  REQUIRE_MESSAGE(list.is_ok(), list.status().to_string());
  REQUIRE(list->size() == 1);
  const std::vector<std::string> expected = {"marc@partenaire.fr", "ext@example.org"};
  CHECK_MESSAGE((*list)[0].targets == expected, join((*list)[0].targets));
  auto r = f.dir().resolve("projet@partenaire.fr");
  REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
  CHECK(r->mailboxes == std::vector<std::string>{"marc@partenaire.fr"});
  CHECK(r->external == std::vector<std::string>{"ext@example.org"});
}

TEST_CASE("forced removal of a domain strips its addresses from forwarding on other domains") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().add_domain(f.admin(), "partenaire.fr"));
  MF_REQUIRE_OK(f.dir().add_account(f.admin(), "marc@partenaire.fr", {"Marc", "", {}}));
  MF_REQUIRE_OK(f.dir().set_forwarding(f.admin(), "marc@partenaire.fr", {demo("luc.petit")},
                                       KeepCopy::kNo));
  MF_REQUIRE_OK(f.dir().remove_domain(f.admin(), kDemoDomain, Removal::kForce));
  auto marc = f.dir().show_account(f.admin(), "marc@partenaire.fr");
  REQUIRE_MESSAGE(marc.is_ok(), marc.status().to_string());
  CHECK_MESSAGE(marc->forward_to.empty(), join(marc->forward_to));
  auto r = f.dir().resolve("marc@partenaire.fr");
  REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
  CHECK(r->mailboxes == std::vector<std::string>{"marc@partenaire.fr"});
  CHECK_MESSAGE(r->external.empty(), "mail would be relayed to the removed domain: ",
                join(r->external));
}

TEST_CASE("forced removal of a domain removes its manager grants and those of its accounts") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().add_domain(f.admin(), "ma-societe.com"));
  MF_REQUIRE_OK(f.dir().grant_manager(f.admin(), demo("jean.martin"), "ma-societe.com"));
  MF_REQUIRE_OK(f.dir().remove_domain(f.admin(), kDemoDomain, Removal::kForce));
  auto grants = f.dir().list_managers(f.admin(), "");
  REQUIRE_MESSAGE(grants.is_ok(), grants.status().to_string());
  CHECK(grants->empty());
  auto info = f.dir().show_domain(f.admin(), "ma-societe.com");
  REQUIRE_MESSAGE(info.is_ok(), info.status().to_string());
  CHECK(info->managers.empty());
}

TEST_CASE("forced removal of a domain leaves other domains intact") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().add_domain(f.admin(), "autre.fr"));
  MF_REQUIRE_OK(f.dir().add_account(f.admin(), "paul@autre.fr", {"Paul", "paul-pw-123", {}}));
  MF_REQUIRE_OK(f.dir().add_alias(f.admin(), "p@autre.fr", "paul@autre.fr"));
  MF_REQUIRE_OK(f.dir().add_redirection(f.admin(), "tous@autre.fr",
                                        {"paul@autre.fr", "abuse@autre.fr"},
                                        SendAs::kMembersMaySend));
  MF_REQUIRE_OK(f.dir().grant_manager(f.admin(), "paul@autre.fr", "autre.fr"));
  MF_REQUIRE_OK(f.dir().remove_domain(f.admin(), kDemoDomain, Removal::kForce));

  CHECK(domain_names(f.dir(), f.admin()) == std::vector<std::string>{"autre.fr"});
  auto info = f.dir().show_domain(f.admin(), "autre.fr");
  REQUIRE_MESSAGE(info.is_ok(), info.status().to_string());
  CHECK(info->accounts == 3);
  CHECK(info->aliases == 1);
  CHECK(info->redirections == 1);
  CHECK(info->managers == std::vector<std::string>{"paul@autre.fr"});
  CHECK(f.mailboxes("p@autre.fr") == std::vector<std::string>{"paul@autre.fr"});
  CHECK(f.mailboxes("tous@autre.fr") ==
        std::vector<std::string>{"abuse@autre.fr", "paul@autre.fr"});
  MF_CHECK_OK(f.ctx().authenticate("paul@autre.fr", "paul-pw-123", Service::kImap, kOrigin));
}

TEST_CASE("a domain counts its accounts aliases redirections and managers") {
  Fixture f;
  auto info = f.dir().show_domain(f.admin(), kDemoDomain);
  REQUIRE_MESSAGE(info.is_ok(), info.status().to_string());
  CHECK(info->accounts == 6);
  CHECK(info->aliases == 4);
  CHECK(info->redirections == 2);
  CHECK(info->managers == std::vector<std::string>{demo("jean.martin")});
}

TEST_CASE("is_local_domain answers for our domains in any case and form only") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().add_domain(f.admin(), "café.fr"));
  for (const char* ours : {"ma-societe.fr", "MA-SOCIETE.FR", "café.fr", "xn--caf-dma.fr"}) {
    auto r = f.dir().is_local_domain(ours);
    REQUIRE_MESSAGE(r.is_ok(), ours, ": ", r.status().to_string());
    CHECK_MESSAGE(*r, ours);
  }
  for (const char* theirs : {"example.org", "societe.fr", "sub.ma-societe.fr"}) {
    auto r = f.dir().is_local_domain(theirs);
    REQUIRE_MESSAGE(r.is_ok(), theirs, ": ", r.status().to_string());
    CHECK_FALSE_MESSAGE(*r, theirs);
  }
}

}  // namespace
}  // namespace mf::test
