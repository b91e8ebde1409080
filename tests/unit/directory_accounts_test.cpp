// Accounts: address validation (RFC 5321 dot-atom and lengths), uniqueness, passwords,
// display names, enabled/disabled state, quotas, forwarding and removal.
#include "directory_fixture.h"

#include <doctest/doctest.h>

#include <string>

namespace mf::test {
namespace {

NewAccount person(std::string display_name, std::string password = "") {
  NewAccount a;
  a.display_name = std::move(display_name);
  a.password = std::move(password);
  return a;
}

AccountInfo show(Fixture& f, std::string_view address) {
  auto info = f.dir().show_account(f.admin(), address);
  REQUIRE_MESSAGE(info.is_ok(), "show ", std::string(address), ": ", info.status().to_string());
  return std::move(info).value();
}

TEST_CASE("an account is added with its display name and shown") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().add_account(f.admin(), demo("claire.moreau"),
                                    person("Claire Moreau", "claire-pw-123")));
  AccountInfo info = show(f, demo("claire.moreau"));
  CHECK(info.address == demo("claire.moreau"));
  CHECK(info.display_name == "Claire Moreau");
  CHECK(info.state == AccountState::kEnabled);
  CHECK_FALSE(info.builtin);
  CHECK_FALSE(info.quota_bytes.has_value());
  CHECK(info.aliases.empty());
  CHECK(info.manages.empty());
  CHECK(info.forward_to.empty());
  CHECK(info.created_at == kFakeNow);
  CHECK(f.mailboxes(demo("claire.moreau")) == std::vector<std::string>{demo("claire.moreau")});
}

TEST_CASE("accounts of a domain are listed sorted with their aliases and managed domains") {
  Fixture f;
  auto list = f.dir().list_accounts(f.admin(), kDemoDomain);
  REQUIRE_MESSAGE(list.is_ok(), list.status().to_string());
  std::vector<std::string> addresses;
  for (const AccountInfo& a : *list) addresses.push_back(a.address);
  const std::vector<std::string> expected = {demo("abuse"),       demo("emma.durand"),
                                            demo("jean.martin"), demo("luc.petit"),
                                            demo("postmaster"),  demo("sophie.bernard")};
  CHECK_MESSAGE(addresses == expected, join(addresses));
  AccountInfo jean = show(f, demo("jean.martin"));
  CHECK(jean.aliases == std::vector<std::string>{demo("direction")});
  CHECK(jean.manages == std::vector<std::string>{kDemoDomain});
  AccountInfo sophie = show(f, demo("sophie.bernard"));
  CHECK(sophie.aliases == std::vector<std::string>{demo("accueil"), demo("compta")});
  CHECK(sophie.manages.empty());
}

TEST_CASE("listing the accounts of an unknown domain is not found") {
  Fixture f;
  MF_CHECK_CODE(f.dir().list_accounts(f.admin(), "inconnu.fr"), Code::kNotFound);
}

TEST_CASE("an account on an unknown domain is refused as not found") {
  Fixture f;
  MF_CHECK_CODE(f.dir().add_account(f.admin(), "paul@inconnu.fr", person("Paul")),
                Code::kNotFound);
  MF_CHECK_CODE(f.dir().add_account(f.admin(), "paul@example.org", person("Paul")),
                Code::kNotFound);
}

TEST_CASE("an address without exactly one at sign is refused") {
  Fixture f;
  for (const char* bad : {"claire", "claire.ma-societe.fr", "claire@@ma-societe.fr",
                          "claire@moreau@ma-societe.fr", "@ma-societe.fr", "claire@"}) {
    MF_CHECK_CODE(f.dir().add_account(f.admin(), bad, person("Claire")), Code::kInvalidArgument);
  }
}

TEST_CASE("a local part that is not a dot-atom is refused") {
  Fixture f;
  for (const char* bad : {"claire moreau@ma-societe.fr", "claire,moreau@ma-societe.fr",
                          "claire(moreau)@ma-societe.fr", "<claire>@ma-societe.fr",
                          "claire:moreau@ma-societe.fr", "claire;m@ma-societe.fr",
                          "claire[m]@ma-societe.fr", "claire\\m@ma-societe.fr",
                          "claire\tm@ma-societe.fr", "claire\x01m@ma-societe.fr"}) {
    MF_CHECK_CODE(f.dir().add_account(f.admin(), bad, person("Claire")), Code::kInvalidArgument);
  }
  auto info = f.dir().show_domain(f.admin(), kDemoDomain);
  REQUIRE_MESSAGE(info.is_ok(), info.status().to_string());
  CHECK(info->accounts == 6);
}

TEST_CASE("a quoted local part is refused") {
  Fixture f;
  MF_CHECK_CODE(f.dir().add_account(f.admin(), "\"claire moreau\"@ma-societe.fr", person("C")),
                Code::kInvalidArgument);
  MF_CHECK_CODE(f.dir().add_account(f.admin(), "\"claire\"@ma-societe.fr", person("C")),
                Code::kInvalidArgument);
}

TEST_CASE("a local part with a leading trailing or double dot is refused") {
  Fixture f;
  for (const char* bad : {".claire@ma-societe.fr", "claire.@ma-societe.fr",
                          "claire..moreau@ma-societe.fr", ".@ma-societe.fr"}) {
    MF_CHECK_CODE(f.dir().add_account(f.admin(), bad, person("Claire")), Code::kInvalidArgument);
  }
}

TEST_CASE("a local part with the atext special characters is accepted") {
  Fixture f;
  for (const char* good : {"o'brien@ma-societe.fr", "a+b@ma-societe.fr", "x_y@ma-societe.fr",
                           "x-y@ma-societe.fr", "a!#$%&*/=?^`{|}~@ma-societe.fr",
                           "123@ma-societe.fr"}) {
    MF_CHECK_OK(f.dir().add_account(f.admin(), good, person("Special")));
  }
}

TEST_CASE("a local part of 64 octets is accepted and one of 65 is refused") {
  Fixture f;
  MF_CHECK_OK(f.dir().add_account(f.admin(), std::string(64, 'a') + "@ma-societe.fr",
                                  person("Long")));
  MF_CHECK_CODE(f.dir().add_account(f.admin(), std::string(65, 'b') + "@ma-societe.fr",
                                    person("Too long")),
                Code::kInvalidArgument);
}

TEST_CASE("an address of 254 octets is accepted and one of 255 is refused") {
  Fixture f(Fixture::Load::kEmpty);
  // 189 and 190 octet domains: with a 64-octet local part and '@', 254 and 255 octets.
  std::string d189 = std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(61, 'c');
  std::string d190 = std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(62, 'd');
  REQUIRE(d189.size() == 189);
  REQUIRE(d190.size() == 190);
  MF_REQUIRE_OK(f.dir().add_domain(f.admin(), d189));
  MF_REQUIRE_OK(f.dir().add_domain(f.admin(), d190));
  std::string local(64, 'x');
  MF_CHECK_OK(f.dir().add_account(f.admin(), local + "@" + d189, person("Ok")));
  MF_CHECK_CODE(f.dir().add_account(f.admin(), local + "@" + d190, person("Too long")),
                Code::kInvalidArgument);
}

TEST_CASE("account addresses are unique regardless of case and keep their case for display") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().add_account(f.admin(), "Claire.Moreau@ma-societe.fr", person("Claire")));
  MF_CHECK_CODE(f.dir().add_account(f.admin(), "claire.moreau@MA-SOCIETE.FR", person("Other")),
                Code::kAlreadyExists);
  MF_CHECK_CODE(f.dir().add_account(f.admin(), "CLAIRE.MOREAU@ma-societe.fr", person("Other")),
                Code::kAlreadyExists);
  AccountInfo info = show(f, "CLAIRE.moreau@Ma-Societe.Fr");
  CHECK(info.address == "Claire.Moreau@ma-societe.fr");
  CHECK(info.display_name == "Claire");
  auto r = f.dir().resolve("claire.moreau@ma-societe.fr");
  REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
  REQUIRE(r->mailboxes.size() == 1);
  CHECK(lower(r->mailboxes[0]) == "claire.moreau@ma-societe.fr");
}

TEST_CASE("an account address already used by an alias or a redirection is refused") {
  Fixture f;
  MF_CHECK_CODE(f.dir().add_account(f.admin(), demo("direction"), person("X")),
                Code::kAlreadyExists);
  MF_CHECK_CODE(f.dir().add_account(f.admin(), demo("Support"), person("X")),
                Code::kAlreadyExists);
  CHECK(f.mailboxes(demo("direction")) == std::vector<std::string>{demo("jean.martin")});
}

TEST_CASE("a password shorter than 8 characters is refused and no account is created") {
  Fixture f;
  MF_CHECK_CODE(f.dir().add_account(f.admin(), demo("claire"), person("Claire", "1234567")),
                Code::kInvalidArgument);
  MF_CHECK_CODE(f.dir().show_account(f.admin(), demo("claire")), Code::kNotFound);
  MF_CHECK_CODE(f.dir().resolve(demo("claire")), Code::kNotFound);
  MF_CHECK_OK(f.dir().add_account(f.admin(), demo("claire"), person("Claire", "12345678")));
  MF_CHECK_OK(f.ctx().authenticate(demo("claire"), "12345678", Service::kImap, kOrigin));
}

TEST_CASE("setting a password shorter than 8 characters is refused and the old one stays") {
  Fixture f;
  MF_CHECK_CODE(f.dir().set_password(f.admin(), demo("luc.petit"), "short"),
                Code::kInvalidArgument);
  MF_CHECK_CODE(f.dir().set_password(f.luc(), demo("luc.petit"), "1234567"),
                Code::kInvalidArgument);
  MF_CHECK_OK(f.ctx().authenticate(demo("luc.petit"), kLucPassword, Service::kImap, kOrigin));
}

TEST_CASE("an account created without a password cannot log in until one is set") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().add_account(f.admin(), demo("claire"), person("Claire")));
  MF_CHECK_CODE(f.ctx().authenticate(demo("claire"), "", Service::kImap, kOrigin),
                Code::kUnauthenticated);
  MF_CHECK_CODE(f.ctx().authenticate(demo("claire"), "anything-at-all", Service::kImap, kOrigin),
                Code::kUnauthenticated);
  // It still receives mail.
  MF_CHECK_OK(f.dir().resolve(demo("claire")));
  MF_REQUIRE_OK(f.dir().set_password(f.admin(), demo("claire"), "claire-pw-123"));
  MF_CHECK_OK(f.ctx().authenticate(demo("claire"), "claire-pw-123", Service::kImap, kOrigin));
}

TEST_CASE("a password change replaces the old password and records when") {
  Fixture f;
  f.set_now(kFakeNow + 3600);
  MF_REQUIRE_OK(f.dir().set_password(f.luc(), demo("luc.petit"), "luc-new-pw-456"));
  MF_CHECK_CODE(f.ctx().authenticate(demo("luc.petit"), kLucPassword, Service::kImap, kOrigin),
                Code::kUnauthenticated);
  MF_CHECK_OK(f.ctx().authenticate(demo("luc.petit"), "luc-new-pw-456", Service::kImap, kOrigin));
  CHECK(show(f, demo("luc.petit")).password_changed_at == kFakeNow + 3600);
}

TEST_CASE("setting the password of an unknown account is not found") {
  Fixture f;
  MF_CHECK_CODE(f.dir().set_password(f.admin(), demo("personne"), "personne-pw-1"),
                Code::kNotFound);
}

TEST_CASE("the display name is changed by the administrator the manager and the user") {
  Fixture f;
  MF_CHECK_OK(f.dir().set_display_name(f.admin(), demo("luc.petit"), "Luc P."));
  CHECK(show(f, demo("luc.petit")).display_name == "Luc P.");
  MF_CHECK_OK(f.dir().set_display_name(f.jean(), demo("luc.petit"), "Luc Petit (support)"));
  CHECK(show(f, demo("luc.petit")).display_name == "Luc Petit (support)");
  MF_CHECK_OK(f.dir().set_display_name(f.luc(), demo("luc.petit"), "Luc Petit"));
  CHECK(show(f, demo("luc.petit")).display_name == "Luc Petit");
}

TEST_CASE("a display name keeps UTF-8 text as given") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().set_display_name(f.admin(), demo("emma.durand"), "Emma Durand-Lefèvre"));
  CHECK(show(f, demo("emma.durand")).display_name == "Emma Durand-Lefèvre");
}

TEST_CASE("a disabled account cannot log in even with the right password") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().set_account_state(f.admin(), demo("luc.petit"), AccountState::kDisabled));
  CHECK(show(f, demo("luc.petit")).state == AccountState::kDisabled);
  auto p = f.ctx().authenticate(demo("luc.petit"), kLucPassword, Service::kImap, kOrigin);
  CHECK_MESSAGE(p.status().code() == Code::kFailedPrecondition, p.status().to_string());
  CHECK_MESSAGE(contains_nocase(p.status().message(), "disabled"), p.status().to_string());
}

TEST_CASE("a disabled account with a wrong password gets the ordinary refusal") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().set_account_state(f.admin(), demo("luc.petit"), AccountState::kDisabled));
  auto wrong = f.ctx().authenticate(demo("luc.petit"), "not-the-password", Service::kImap, kOrigin);
  auto unknown = f.ctx().authenticate(demo("personne"), "not-the-password", Service::kImap, kOrigin);
  CHECK_MESSAGE(wrong.status().code() == Code::kUnauthenticated, wrong.status().to_string());
  CHECK(wrong.status().message() == unknown.status().message());
}

TEST_CASE("a disabled account receives no mail") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().set_account_state(f.jean(), demo("luc.petit"), AccountState::kDisabled));
  MF_CHECK_CODE(f.dir().resolve(demo("luc.petit")), Code::kFailedPrecondition);
  MF_CHECK_CODE(f.dir().resolve(demo("luc.petit+news")), Code::kFailedPrecondition);
}

TEST_CASE("a disabled account's aliases receive no mail") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().set_account_state(f.admin(), demo("sophie.bernard"),
                                          AccountState::kDisabled));
  MF_CHECK_CODE(f.dir().resolve(demo("accueil")), Code::kFailedPrecondition);
}

TEST_CASE("a re-enabled account logs in and receives mail again") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().set_account_state(f.admin(), demo("luc.petit"), AccountState::kDisabled));
  MF_REQUIRE_OK(f.dir().set_account_state(f.admin(), demo("luc.petit"), AccountState::kEnabled));
  CHECK(show(f, demo("luc.petit")).state == AccountState::kEnabled);
  MF_CHECK_OK(f.ctx().authenticate(demo("luc.petit"), kLucPassword, Service::kImap, kOrigin));
  CHECK(f.mailboxes(demo("luc.petit")) == std::vector<std::string>{demo("luc.petit")});
}

TEST_CASE("a redirection skips its disabled members") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().set_account_state(f.admin(), demo("luc.petit"), AccountState::kDisabled));
  CHECK(f.mailboxes(demo("support")) == std::vector<std::string>{demo("emma.durand")});
}

TEST_CASE("a redirection whose members are all disabled reaches no one") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().set_account_state(f.admin(), demo("luc.petit"), AccountState::kDisabled));
  MF_REQUIRE_OK(f.dir().set_account_state(f.admin(), demo("emma.durand"),
                                          AccountState::kDisabled));
  MF_CHECK_CODE(f.dir().resolve(demo("support")), Code::kFailedPrecondition);
}

TEST_CASE("an account's own quota is shown with the account as its source") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().set_account_quota(f.admin(), demo("luc.petit"), uint64_t{1} << 30));
  auto q = f.dir().show_quota(f.admin(), demo("luc.petit"));
  REQUIRE_MESSAGE(q.is_ok(), q.status().to_string());
  CHECK(q->address == demo("luc.petit"));
  CHECK(q->limit_bytes == std::optional<uint64_t>(uint64_t{1} << 30));
  CHECK(q->source == QuotaInfo::Source::kAccount);
  CHECK(show(f, demo("luc.petit")).quota_bytes == std::optional<uint64_t>(uint64_t{1} << 30));
}

TEST_CASE("an account without its own quota gets the domain default") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().set_domain_default_quota(f.admin(), kDemoDomain, 5000000));
  auto info = f.dir().show_domain(f.admin(), kDemoDomain);
  REQUIRE_MESSAGE(info.is_ok(), info.status().to_string());
  CHECK(info->default_quota_bytes == std::optional<uint64_t>(5000000));
  auto q = f.dir().show_quota(f.admin(), demo("emma.durand"));
  REQUIRE_MESSAGE(q.is_ok(), q.status().to_string());
  CHECK(q->limit_bytes == std::optional<uint64_t>(5000000));
  CHECK(q->source == QuotaInfo::Source::kDomainDefault);
  CHECK_FALSE(show(f, demo("emma.durand")).quota_bytes.has_value());
}

TEST_CASE("an account's own quota wins over the domain default") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().set_domain_default_quota(f.admin(), kDemoDomain, 5000000));
  MF_REQUIRE_OK(f.dir().set_account_quota(f.admin(), demo("luc.petit"), 100));
  auto q = f.dir().show_quota(f.admin(), demo("luc.petit"));
  REQUIRE_MESSAGE(q.is_ok(), q.status().to_string());
  CHECK(q->limit_bytes == std::optional<uint64_t>(100));
  CHECK(q->source == QuotaInfo::Source::kAccount);
}

TEST_CASE("without any quota an account is unlimited") {
  Fixture f;
  auto q = f.dir().show_quota(f.admin(), demo("luc.petit"));
  REQUIRE_MESSAGE(q.is_ok(), q.status().to_string());
  CHECK_FALSE(q->limit_bytes.has_value());
  CHECK(q->source == QuotaInfo::Source::kUnlimited);
}

TEST_CASE("clearing quotas falls back to the domain default and then to unlimited") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().set_domain_default_quota(f.admin(), kDemoDomain, 5000000));
  MF_REQUIRE_OK(f.dir().set_account_quota(f.admin(), demo("luc.petit"), 100));
  MF_REQUIRE_OK(f.dir().set_account_quota(f.admin(), demo("luc.petit"), std::nullopt));
  auto q = f.dir().show_quota(f.admin(), demo("luc.petit"));
  REQUIRE_MESSAGE(q.is_ok(), q.status().to_string());
  CHECK(q->source == QuotaInfo::Source::kDomainDefault);
  MF_REQUIRE_OK(f.dir().set_domain_default_quota(f.admin(), kDemoDomain, std::nullopt));
  q = f.dir().show_quota(f.admin(), demo("luc.petit"));
  REQUIRE_MESSAGE(q.is_ok(), q.status().to_string());
  CHECK(q->source == QuotaInfo::Source::kUnlimited);
  CHECK_FALSE(q->limit_bytes.has_value());
}

TEST_CASE("an account created with a quota keeps it") {
  Fixture f;
  NewAccount a = person("Claire");
  a.quota_bytes = 4096;
  MF_REQUIRE_OK(f.dir().add_account(f.admin(), demo("claire"), a));
  auto q = f.dir().show_quota(f.admin(), demo("claire"));
  REQUIRE_MESSAGE(q.is_ok(), q.status().to_string());
  CHECK(q->limit_bytes == std::optional<uint64_t>(4096));
  CHECK(q->source == QuotaInfo::Source::kAccount);
}

TEST_CASE("a manager sets the quotas of their domain") {
  Fixture f;
  MF_CHECK_OK(f.dir().set_account_quota(f.jean(), demo("luc.petit"), 2000));
  MF_CHECK_OK(f.dir().set_domain_default_quota(f.jean(), kDemoDomain, 3000));
  auto q = f.dir().show_quota(f.jean(), demo("emma.durand"));
  REQUIRE_MESSAGE(q.is_ok(), q.status().to_string());
  CHECK(q->limit_bytes == std::optional<uint64_t>(3000));
}

TEST_CASE("a user cannot set a quota even their own") {
  Fixture f;
  MF_CHECK_CODE(f.dir().set_account_quota(f.luc(), demo("luc.petit"), uint64_t{1} << 40),
                Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().set_domain_default_quota(f.luc(), kDemoDomain, uint64_t{1} << 40),
                Code::kPermissionDenied);
  CHECK_FALSE(show(f, demo("luc.petit")).quota_bytes.has_value());
}

TEST_CASE("abuse forwarded to jean with a copy reaches both mailboxes") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().set_forwarding(f.jean(), demo("abuse"), {demo("jean.martin")},
                                       KeepCopy::kYes));
  AccountInfo abuse = show(f, demo("abuse"));
  CHECK(abuse.forward_to == std::vector<std::string>{demo("jean.martin")});
  CHECK(abuse.keep_copy == KeepCopy::kYes);
  CHECK(f.mailboxes(demo("abuse")) ==
        std::vector<std::string>{demo("abuse"), demo("jean.martin")});
}

TEST_CASE("forwarding without a copy reaches only the targets") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().set_forwarding(f.admin(), demo("postmaster"), {demo("jean.martin")},
                                       KeepCopy::kNo));
  CHECK(f.mailboxes(demo("postmaster")) == std::vector<std::string>{demo("jean.martin")});
}

TEST_CASE("forwarding to an external address is relayed") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().set_forwarding(f.admin(), demo("luc.petit"), {"luc@example.org"},
                                       KeepCopy::kYes));
  auto r = f.dir().resolve(demo("luc.petit"));
  REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
  CHECK(r->mailboxes == std::vector<std::string>{demo("luc.petit")});
  CHECK(r->external == std::vector<std::string>{"luc@example.org"});
}

TEST_CASE("forwarding to a redirection reaches its members") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().set_forwarding(f.admin(), demo("abuse"), {demo("support")},
                                       KeepCopy::kNo));
  CHECK(f.mailboxes(demo("abuse")) ==
        std::vector<std::string>{demo("emma.durand"), demo("luc.petit")});
}

TEST_CASE("forwarding to a missing local address is refused") {
  Fixture f;
  MF_CHECK_CODE(f.dir().set_forwarding(f.admin(), demo("abuse"), {demo("personne")},
                                       KeepCopy::kYes),
                Code::kNotFound);
  CHECK(show(f, demo("abuse")).forward_to.empty());
}

TEST_CASE("forwarding to a malformed address is refused") {
  Fixture f;
  MF_CHECK_CODE(f.dir().set_forwarding(f.admin(), demo("abuse"), {"pas une adresse"},
                                       KeepCopy::kYes),
                Code::kInvalidArgument);
  CHECK(show(f, demo("abuse")).forward_to.empty());
}

TEST_CASE("an empty forwarding list stops forwarding") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().set_forwarding(f.admin(), demo("abuse"), {demo("jean.martin")},
                                       KeepCopy::kNo));
  MF_REQUIRE_OK(f.dir().set_forwarding(f.admin(), demo("abuse"), {}, KeepCopy::kNo));
  CHECK(show(f, demo("abuse")).forward_to.empty());
  CHECK(f.mailboxes(demo("abuse")) == std::vector<std::string>{demo("abuse")});
}

TEST_CASE("a forwarding loop between two accounts is cut") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().set_forwarding(f.admin(), demo("luc.petit"), {demo("emma.durand")},
                                       KeepCopy::kYes));
  MF_REQUIRE_OK(f.dir().set_forwarding(f.admin(), demo("emma.durand"), {demo("luc.petit")},
                                       KeepCopy::kYes));
  CHECK(f.mailboxes(demo("luc.petit")) ==
        std::vector<std::string>{demo("emma.durand"), demo("luc.petit")});
  CHECK(f.mailboxes(demo("emma.durand")) ==
        std::vector<std::string>{demo("emma.durand"), demo("luc.petit")});
}

TEST_CASE("removing an account removes its aliases and frees their addresses") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().remove_account(f.admin(), demo("emma.durand"), Removal::kForce));
  MF_CHECK_CODE(f.dir().resolve(demo("emma.durand")), Code::kNotFound);
  MF_CHECK_CODE(f.dir().resolve(demo("commercial")), Code::kNotFound);
  auto aliases = f.dir().list_aliases(f.admin(), kDemoDomain);
  REQUIRE_MESSAGE(aliases.is_ok(), aliases.status().to_string());
  for (const AliasInfo& a : *aliases) CHECK(a.account != demo("emma.durand"));
  MF_CHECK_OK(f.dir().add_account(f.admin(), demo("commercial"), person("Commercial")));
  MF_CHECK_OK(f.dir().add_account(f.admin(), demo("emma.durand"), person("Emma bis")));
}

TEST_CASE("removing an account removes its aliases on other domains") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().add_domain(f.admin(), "ma-societe.com"));
  MF_REQUIRE_OK(f.dir().add_alias(f.admin(), "luc@ma-societe.com", demo("luc.petit")));
  MF_REQUIRE_OK(f.dir().remove_account(f.admin(), demo("luc.petit"), Removal::kForce));
  MF_CHECK_CODE(f.dir().resolve("luc@ma-societe.com"), Code::kNotFound);
  auto info = f.dir().show_domain(f.admin(), "ma-societe.com");
  REQUIRE_MESSAGE(info.is_ok(), info.status().to_string());
  CHECK(info->aliases == 0);
}

TEST_CASE("removing an account listed by a redirection is refused and names the redirection") {
  Fixture f;
  Status s = f.dir().remove_account(f.admin(), demo("luc.petit"), Removal::kRefuseIfInUse);
  REQUIRE_MESSAGE(s.code() == Code::kFailedPrecondition, s.to_string());
  CHECK_MESSAGE(contains(s.message(), demo("support")), s.to_string());
  CHECK(f.mailboxes(demo("luc.petit")) == std::vector<std::string>{demo("luc.petit")});
}

TEST_CASE("forced removal of an account strips it from the redirections that list it") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().remove_account(f.admin(), demo("luc.petit"), Removal::kForce));
  MF_CHECK_CODE(f.dir().show_account(f.admin(), demo("luc.petit")), Code::kNotFound);
  auto list = f.dir().list_redirections(f.admin(), kDemoDomain);
  REQUIRE_MESSAGE(list.is_ok(), list.status().to_string());
  for (const RedirectionInfo& r : *list) {
    if (r.address == demo("support")) {
      CHECK_MESSAGE(r.targets == std::vector<std::string>{demo("emma.durand")}, join(r.targets));
    }
  }
  CHECK(f.mailboxes(demo("support")) == std::vector<std::string>{demo("emma.durand")});
}

TEST_CASE("removing an account another account forwards to is refused and names the forwarder") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().set_forwarding(f.admin(), demo("abuse"), {demo("luc.petit")},
                                       KeepCopy::kNo));
  MF_REQUIRE_OK(f.dir().set_redirection(f.admin(), demo("support"), {demo("emma.durand")},
                                        SendAs::kMembersMaySend));
  Status s = f.dir().remove_account(f.admin(), demo("luc.petit"), Removal::kRefuseIfInUse);
  REQUIRE_MESSAGE(s.code() == Code::kFailedPrecondition, s.to_string());
  CHECK_MESSAGE(contains(s.message(), demo("abuse")), s.to_string());
  CHECK(f.mailboxes(demo("abuse")) == std::vector<std::string>{demo("luc.petit")});
}

// Without this, abuse@ forwarded to a removed person would silently receive nothing.
TEST_CASE("forced removal of a forwarding target gives the forwarder its own mail back") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().set_forwarding(f.admin(), demo("abuse"), {demo("jean.martin")},
                                       KeepCopy::kNo));
  MF_REQUIRE_OK(f.dir().remove_account(f.admin(), demo("jean.martin"), Removal::kForce));
  CHECK(show(f, demo("abuse")).forward_to.empty());
  CHECK(f.mailboxes(demo("abuse")) == std::vector<std::string>{demo("abuse")});
}

TEST_CASE("an account cannot forward to itself") {
  Fixture f;
  MF_CHECK_CODE(f.dir().set_forwarding(f.admin(), demo("luc.petit"), {"Luc.Petit@ma-societe.fr"},
                                       KeepCopy::kNo),
                Code::kInvalidArgument);
  CHECK(f.mailboxes(demo("luc.petit")) == std::vector<std::string>{demo("luc.petit")});
}

TEST_CASE("removing an account not listed anywhere needs no force") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().add_account(f.admin(), demo("claire"), person("Claire", "claire-pw-1")));
  MF_REQUIRE_OK(f.dir().add_alias(f.admin(), demo("c.moreau"), demo("claire")));
  MF_CHECK_OK(f.dir().remove_account(f.admin(), demo("claire"), Removal::kRefuseIfInUse));
  MF_CHECK_CODE(f.dir().resolve(demo("c.moreau")), Code::kNotFound);
  MF_CHECK_CODE(f.ctx().authenticate(demo("claire"), "claire-pw-1", Service::kImap, kOrigin),
                Code::kUnauthenticated);
}

TEST_CASE("removing an account removes its manager grants") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().remove_account(f.admin(), demo("jean.martin"), Removal::kForce));
  auto grants = f.dir().list_managers(f.admin(), "");
  REQUIRE_MESSAGE(grants.is_ok(), grants.status().to_string());
  CHECK(grants->empty());
  auto info = f.dir().show_domain(f.admin(), kDemoDomain);
  REQUIRE_MESSAGE(info.is_ok(), info.status().to_string());
  CHECK(info->managers.empty());
}

TEST_CASE("removing an unknown account is not found") {
  Fixture f;
  MF_CHECK_CODE(f.dir().remove_account(f.admin(), demo("personne"), Removal::kForce),
                Code::kNotFound);
}

TEST_CASE("an alias or a redirection cannot be removed as an account") {
  Fixture f;
  CHECK_FALSE(f.dir().remove_account(f.admin(), demo("direction"), Removal::kForce).is_ok());
  CHECK_FALSE(f.dir().remove_account(f.admin(), demo("support"), Removal::kForce).is_ok());
  CHECK(f.mailboxes(demo("direction")) == std::vector<std::string>{demo("jean.martin")});
  CHECK(f.mailboxes(demo("support")) ==
        std::vector<std::string>{demo("emma.durand"), demo("luc.petit")});
  MF_CHECK_OK(f.dir().show_account(f.admin(), demo("jean.martin")));
}

}  // namespace
}  // namespace mf::test
