// Redirections: one address to several targets (accounts, aliases, redirections, external
// addresses), resolved recursively with loop detection; the send-as rule; removal.
#include "directory_fixture.h"

#include <doctest/doctest.h>

#include <string>

namespace mf::test {
namespace {

RedirectionInfo find_redirection(Fixture& f, std::string_view domain, std::string_view address) {
  auto list = f.dir().list_redirections(f.admin(), domain);
  REQUIRE_MESSAGE(list.is_ok(), list.status().to_string());
  for (const RedirectionInfo& r : *list) {
    if (lower(r.address) == lower(address)) return r;
  }
  FAIL("no redirection ", std::string(address));
  return {};
}

bool sends_as(Fixture& f, std::string_view account, std::string_view from) {
  auto r = f.dir().may_send_as(account, from);
  REQUIRE_MESSAGE(r.is_ok(), std::string(account), " as ", std::string(from), ": ",
                  r.status().to_string());
  return *r;
}

TEST_CASE("a redirection delivers to each of its targets") {
  Fixture f;
  auto r = f.dir().resolve(demo("support"));
  REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
  CHECK(r->kind == AddressKind::kRedirection);
  CHECK(r->matched == demo("support"));
  CHECK(r->mailboxes == std::vector<std::string>{demo("emma.durand"), demo("luc.petit")});
  CHECK(r->external.empty());
  CHECK(f.mailboxes(demo("contact")) ==
        std::vector<std::string>{demo("jean.martin"), demo("sophie.bernard")});
}

TEST_CASE("a redirection keeps its targets in the order given") {
  Fixture f;
  RedirectionInfo support = find_redirection(f, kDemoDomain, demo("support"));
  CHECK(support.targets == std::vector<std::string>{demo("luc.petit"), demo("emma.durand")});
  CHECK(support.send_as == SendAs::kMembersMaySend);
}

TEST_CASE("redirections of a domain are listed sorted by address") {
  Fixture f;
  auto list = f.dir().list_redirections(f.admin(), kDemoDomain);
  REQUIRE_MESSAGE(list.is_ok(), list.status().to_string());
  REQUIRE(list->size() == 2);
  CHECK((*list)[0].address == demo("contact"));
  CHECK((*list)[1].address == demo("support"));
}

TEST_CASE("a redirection to an external address is relayed") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().add_redirection(f.jean(), demo("partenaires"),
                                        {"Marc@Partenaire.example", demo("emma.durand")},
                                        SendAs::kMembersMaySend));
  auto r = f.dir().resolve(demo("partenaires"));
  REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
  CHECK(r->mailboxes == std::vector<std::string>{demo("emma.durand")});
  REQUIRE(r->external.size() == 1);
  CHECK(lower(r->external[0]) == "marc@partenaire.example");
}

TEST_CASE("a redirection to external addresses only is relayed without local mailbox") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().add_redirection(f.admin(), demo("externe"),
                                        {"a@example.org", "b@example.net"},
                                        SendAs::kMembersMaySend));
  auto r = f.dir().resolve(demo("externe"));
  REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
  CHECK(r->mailboxes.empty());
  CHECK(r->external == std::vector<std::string>{"a@example.org", "b@example.net"});
}

TEST_CASE("a redirection to a missing local address is refused and leaves nothing behind") {
  Fixture f;
  Status s = f.dir().add_redirection(f.admin(), demo("equipe"),
                                     {demo("luc.petit"), demo("personne"), "x@example.org"},
                                     SendAs::kMembersMaySend);
  CHECK_MESSAGE(s.code() == Code::kNotFound, s.to_string());
  CHECK_MESSAGE(contains(s.message(), demo("personne")), s.to_string());
  MF_CHECK_CODE(f.dir().resolve(demo("equipe")), Code::kNotFound);
  auto info = f.dir().show_domain(f.admin(), kDemoDomain);
  REQUIRE_MESSAGE(info.is_ok(), info.status().to_string());
  CHECK(info->redirections == 2);
  // The address is still free.
  MF_CHECK_OK(f.dir().add_redirection(f.admin(), demo("equipe"), {demo("luc.petit")},
                                      SendAs::kMembersMaySend));
}

TEST_CASE("a redirection without targets is refused") {
  Fixture f;
  MF_CHECK_CODE(f.dir().add_redirection(f.admin(), demo("vide"), {}, SendAs::kMembersMaySend),
                Code::kInvalidArgument);
  MF_CHECK_CODE(f.dir().resolve(demo("vide")), Code::kNotFound);
  MF_CHECK_CODE(f.dir().set_redirection(f.admin(), demo("support"), {}, SendAs::kMembersMaySend),
                Code::kInvalidArgument);
  CHECK(f.mailboxes(demo("support")) ==
        std::vector<std::string>{demo("emma.durand"), demo("luc.petit")});
}

TEST_CASE("a redirection target that is not an address is refused") {
  Fixture f;
  MF_CHECK_CODE(f.dir().add_redirection(f.admin(), demo("equipe"),
                                        {demo("luc.petit"), "pas une adresse"},
                                        SendAs::kMembersMaySend),
                Code::kInvalidArgument);
  MF_CHECK_CODE(f.dir().resolve(demo("equipe")), Code::kNotFound);
}

TEST_CASE("a malformed redirection address is refused") {
  Fixture f;
  MF_CHECK_CODE(f.dir().add_redirection(f.admin(), ".equipe@ma-societe.fr", {demo("luc.petit")},
                                        SendAs::kMembersMaySend),
                Code::kInvalidArgument);
}

TEST_CASE("a redirection on a domain that is not ours is not found") {
  Fixture f;
  MF_CHECK_CODE(f.dir().add_redirection(f.admin(), "equipe@example.org", {demo("luc.petit")},
                                        SendAs::kMembersMaySend),
                Code::kNotFound);
}

TEST_CASE("a redirection address already used by an account alias or redirection is refused") {
  Fixture f;
  for (const char* taken : {"luc.petit", "direction", "contact", "abuse", "SUPPORT"}) {
    MF_CHECK_CODE(f.dir().add_redirection(f.admin(), demo(taken), {demo("emma.durand")},
                                          SendAs::kMembersMaySend),
                  Code::kAlreadyExists);
  }
  CHECK(f.mailboxes(demo("luc.petit")) == std::vector<std::string>{demo("luc.petit")});
  CHECK(f.mailboxes(demo("contact")) ==
        std::vector<std::string>{demo("jean.martin"), demo("sophie.bernard")});
}

TEST_CASE("a redirection to an alias delivers to the alias's account") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().add_redirection(f.admin(), demo("chefs"), {demo("direction")},
                                        SendAs::kMembersMaySend));
  CHECK(f.mailboxes(demo("chefs")) == std::vector<std::string>{demo("jean.martin")});
}

TEST_CASE("nested redirections are resolved recursively") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().add_redirection(f.admin(), demo("tous"), {demo("support"), demo("contact")},
                                        SendAs::kMembersMaySend));
  auto r = f.dir().resolve(demo("tous"));
  REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
  CHECK(r->kind == AddressKind::kRedirection);
  const std::vector<std::string> expected = {demo("emma.durand"), demo("jean.martin"),
                                            demo("luc.petit"), demo("sophie.bernard")};
  CHECK_MESSAGE(r->mailboxes == expected, join(r->mailboxes));
}

TEST_CASE("a chain of ten redirections reaches its end") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().add_redirection(f.admin(), demo("niveau9"), {demo("luc.petit")},
                                        SendAs::kMembersMaySend));
  for (int i = 8; i >= 0; --i) {
    MF_REQUIRE_OK(f.dir().add_redirection(f.admin(), demo("niveau" + std::to_string(i)),
                                          {demo("niveau" + std::to_string(i + 1))},
                                          SendAs::kMembersMaySend));
  }
  CHECK(f.mailboxes(demo("niveau0")) == std::vector<std::string>{demo("luc.petit")});
}

TEST_CASE("a very deep chain of redirections resolves or stops at a limit without crashing") {
  Fixture f;
  constexpr int kDepth = 300;
  MF_REQUIRE_OK(f.dir().add_redirection(f.admin(), demo("r" + std::to_string(kDepth - 1)),
                                        {demo("luc.petit")}, SendAs::kMembersMaySend));
  for (int i = kDepth - 2; i >= 0; --i) {
    MF_REQUIRE_OK(f.dir().add_redirection(f.admin(), demo("r" + std::to_string(i)),
                                          {demo("r" + std::to_string(i + 1))},
                                          SendAs::kMembersMaySend));
  }
  auto r = f.dir().resolve(demo("r0"));
  if (r.is_ok()) {
    CHECK(r->mailboxes == std::vector<std::string>{demo("luc.petit")});
  } else {
    CHECK_MESSAGE(r.status().code() == Code::kResourceExhausted, r.status().to_string());
  }
}

// The library may bound the nesting depth, but a member beyond the bound must not be
// dropped silently while the others get the mail: either everyone or an error.
TEST_CASE("a redirection nested deeper than any limit never silently loses members") {
  Fixture f;
  constexpr int kDepth = 40;
  MF_REQUIRE_OK(f.dir().add_redirection(f.admin(), demo("n" + std::to_string(kDepth - 1)),
                                        {demo("luc.petit")}, SendAs::kMembersMaySend));
  for (int i = kDepth - 2; i >= 1; --i) {
    MF_REQUIRE_OK(f.dir().add_redirection(f.admin(), demo("n" + std::to_string(i)),
                                          {demo("n" + std::to_string(i + 1))},
                                          SendAs::kMembersMaySend));
  }
  MF_REQUIRE_OK(f.dir().add_redirection(f.admin(), demo("n0"), {demo("emma.durand"), demo("n1")},
                                        SendAs::kMembersMaySend));
  auto r = f.dir().resolve(demo("n0"));
  if (r.is_ok()) {
    const std::vector<std::string> expected = {demo("emma.durand"), demo("luc.petit")};
    CHECK_MESSAGE(r->mailboxes == expected, "luc.petit@ was dropped: ", join(r->mailboxes));
  } else {
    CHECK_MESSAGE(r.status().code() == Code::kResourceExhausted, r.status().to_string());
  }
}

TEST_CASE("targets reached twice are delivered once") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().add_redirection(f.admin(), demo("ext"), {"x@example.org"},
                                        SendAs::kMembersMaySend));
  MF_REQUIRE_OK(f.dir().add_redirection(
      f.admin(), demo("doublons"),
      {demo("support"), demo("luc.petit"), demo("commercial"), demo("ext"), "x@example.org"},
      SendAs::kMembersMaySend));
  auto r = f.dir().resolve(demo("doublons"));
  REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
  const std::vector<std::string> expected = {demo("emma.durand"), demo("luc.petit")};
  CHECK_MESSAGE(r->mailboxes == expected, join(r->mailboxes));
  CHECK_MESSAGE(r->external.size() == 1, join(r->external));
}

TEST_CASE("a loop between two redirections is cut") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().add_redirection(f.admin(), demo("a"), {demo("luc.petit")},
                                        SendAs::kMembersMaySend));
  MF_REQUIRE_OK(f.dir().add_redirection(f.admin(), demo("b"), {demo("a"), demo("emma.durand")},
                                        SendAs::kMembersMaySend));
  MF_REQUIRE_OK(f.dir().set_redirection(f.admin(), demo("a"), {demo("b"), demo("luc.petit")},
                                        SendAs::kMembersMaySend));
  CHECK(f.mailboxes(demo("a")) == std::vector<std::string>{demo("emma.durand"), demo("luc.petit")});
  CHECK(f.mailboxes(demo("b")) == std::vector<std::string>{demo("emma.durand"), demo("luc.petit")});
}

TEST_CASE("a loop that reaches no mailbox resolves to a failed precondition") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().add_redirection(f.admin(), demo("a"), {demo("luc.petit")},
                                        SendAs::kMembersMaySend));
  MF_REQUIRE_OK(f.dir().add_redirection(f.admin(), demo("b"), {demo("a")},
                                        SendAs::kMembersMaySend));
  MF_REQUIRE_OK(f.dir().set_redirection(f.admin(), demo("a"), {demo("b")},
                                        SendAs::kMembersMaySend));
  MF_CHECK_CODE(f.dir().resolve(demo("a")), Code::kFailedPrecondition);
  MF_CHECK_CODE(f.dir().resolve(demo("b")), Code::kFailedPrecondition);
}

// A redirection listing itself may be refused when set, or accepted and cut when resolved;
// it must never hang or deliver twice.
TEST_CASE("a redirection that lists itself is refused or cut") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().add_redirection(f.admin(), demo("a"), {demo("luc.petit")},
                                        SendAs::kMembersMaySend));
  Status s = f.dir().set_redirection(f.admin(), demo("a"), {demo("a"), demo("luc.petit")},
                                     SendAs::kMembersMaySend);
  if (s.is_ok()) {
    CHECK(f.mailboxes(demo("a")) == std::vector<std::string>{demo("luc.petit")});
  } else {
    CHECK_MESSAGE(s.code() == Code::kInvalidArgument, s.to_string());
    RedirectionInfo a = find_redirection(f, kDemoDomain, demo("a"));
    CHECK(a.targets == std::vector<std::string>{demo("luc.petit")});
  }
}

TEST_CASE("set_redirection replaces the targets and the send-as rule") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().set_redirection(f.jean(), demo("support"),
                                        {demo("luc.petit"), "support@prestataire.example"},
                                        SendAs::kMembersMayNotSend));
  RedirectionInfo support = find_redirection(f, kDemoDomain, demo("support"));
  CHECK(support.targets == std::vector<std::string>{demo("luc.petit"), "support@prestataire.example"});
  CHECK(support.send_as == SendAs::kMembersMayNotSend);
  auto r = f.dir().resolve(demo("support"));
  REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
  CHECK(r->mailboxes == std::vector<std::string>{demo("luc.petit")});
  CHECK(r->external == std::vector<std::string>{"support@prestataire.example"});
}

TEST_CASE("set_redirection with a missing target changes nothing") {
  Fixture f;
  MF_CHECK_CODE(f.dir().set_redirection(f.admin(), demo("support"),
                                        {demo("luc.petit"), demo("personne")},
                                        SendAs::kMembersMayNotSend),
                Code::kNotFound);
  RedirectionInfo support = find_redirection(f, kDemoDomain, demo("support"));
  CHECK(support.targets == std::vector<std::string>{demo("luc.petit"), demo("emma.durand")});
  CHECK(support.send_as == SendAs::kMembersMaySend);
}

TEST_CASE("set_redirection of an unknown or non-redirection address is refused") {
  Fixture f;
  MF_CHECK_CODE(f.dir().set_redirection(f.admin(), demo("personne"), {demo("luc.petit")},
                                        SendAs::kMembersMaySend),
                Code::kNotFound);
  CHECK_FALSE(f.dir().set_redirection(f.admin(), demo("luc.petit"), {demo("emma.durand")},
                                      SendAs::kMembersMaySend).is_ok());
  CHECK(f.mailboxes(demo("luc.petit")) == std::vector<std::string>{demo("luc.petit")});
}

TEST_CASE("removing a redirection frees its address") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().remove_redirection(f.jean(), demo("contact"), Removal::kRefuseIfInUse));
  MF_CHECK_CODE(f.dir().resolve(demo("contact")), Code::kNotFound);
  MF_CHECK_OK(f.dir().add_alias(f.admin(), demo("contact"), demo("sophie.bernard")));
}

TEST_CASE("removing an unknown redirection is not found") {
  Fixture f;
  MF_CHECK_CODE(f.dir().remove_redirection(f.admin(), demo("personne"), Removal::kForce),
                Code::kNotFound);
}

TEST_CASE("removing a redirection listed by another is refused and names the other") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().add_redirection(f.admin(), demo("tous"), {demo("support"), demo("contact")},
                                        SendAs::kMembersMaySend));
  Status s = f.dir().remove_redirection(f.admin(), demo("support"), Removal::kRefuseIfInUse);
  REQUIRE_MESSAGE(s.code() == Code::kFailedPrecondition, s.to_string());
  CHECK_MESSAGE(contains(s.message(), demo("tous")), s.to_string());
  CHECK(f.mailboxes(demo("support")) ==
        std::vector<std::string>{demo("emma.durand"), demo("luc.petit")});
}

TEST_CASE("forced removal of a listed redirection leaves no redirection pointing at it") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().add_redirection(f.admin(), demo("tous"), {demo("support"), demo("contact")},
                                        SendAs::kMembersMaySend));
  MF_REQUIRE_OK(f.dir().remove_redirection(f.admin(), demo("support"), Removal::kForce));
  MF_CHECK_CODE(f.dir().resolve(demo("support")), Code::kNotFound);
  auto list = f.dir().list_redirections(f.admin(), kDemoDomain);
  REQUIRE_MESSAGE(list.is_ok(), list.status().to_string());
  for (const RedirectionInfo& r : *list) {
    for (const std::string& t : r.targets) {
      CHECK_MESSAGE(lower(t) != demo("support"), r.address, " still lists support@");
    }
  }
}

TEST_CASE("members of a redirection may send as its address") {
  Fixture f;
  CHECK(sends_as(f, demo("luc.petit"), demo("support")));
  CHECK(sends_as(f, demo("emma.durand"), demo("support")));
  CHECK_FALSE(sends_as(f, demo("sophie.bernard"), demo("support")));
  CHECK(sends_as(f, demo("sophie.bernard"), demo("contact")));
}

TEST_CASE("members may not send as a redirection that says they may not") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().set_redirection(f.admin(), demo("support"),
                                        {demo("luc.petit"), demo("emma.durand")},
                                        SendAs::kMembersMayNotSend));
  CHECK_FALSE(sends_as(f, demo("luc.petit"), demo("support")));
  CHECK_FALSE(sends_as(f, demo("emma.durand"), demo("support")));
}

TEST_CASE("an account may send as itself and its aliases but not as others") {
  Fixture f;
  CHECK(sends_as(f, demo("luc.petit"), demo("luc.petit")));
  CHECK_FALSE(sends_as(f, demo("luc.petit"), demo("direction")));
  CHECK_FALSE(sends_as(f, demo("luc.petit"), demo("jean.martin")));
  CHECK(sends_as(f, demo("jean.martin"), demo("direction")));
  CHECK(sends_as(f, demo("sophie.bernard"), demo("compta")));
  CHECK_FALSE(sends_as(f, demo("luc.petit"), "luc@example.org"));
}

TEST_CASE("send-as checks ignore case") {
  Fixture f;
  CHECK(sends_as(f, "LUC.PETIT@MA-SOCIETE.FR", "Support@Ma-Societe.fr"));
  CHECK(sends_as(f, "Jean.Martin@ma-societe.fr", "DIRECTION@ma-societe.fr"));
}

TEST_CASE("members of a nested redirection may send as the outer one") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().add_redirection(f.admin(), demo("tous"), {demo("support"), demo("contact")},
                                        SendAs::kMembersMaySend));
  CHECK(sends_as(f, demo("luc.petit"), demo("tous")));
  CHECK(sends_as(f, demo("sophie.bernard"), demo("tous")));
}

TEST_CASE("an account reaching a redirection through its alias may send as it") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().add_redirection(f.admin(), demo("chefs"), {demo("direction")},
                                        SendAs::kMembersMaySend));
  CHECK(sends_as(f, demo("jean.martin"), demo("chefs")));
  CHECK_FALSE(sends_as(f, demo("luc.petit"), demo("chefs")));
}

TEST_CASE("an unknown account may never send as anything") {
  Fixture f;
  auto r = f.dir().may_send_as(demo("personne"), demo("support"));
  CHECK_FALSE_MESSAGE((r.is_ok() && *r), "an unknown account was allowed to send as support@");
  auto self = f.dir().may_send_as(demo("personne"), demo("personne"));
  CHECK_FALSE_MESSAGE((self.is_ok() && *self), "an unknown account was allowed to send as itself");
}

TEST_CASE("a user may not add set or remove a redirection") {
  Fixture f;
  Principal luc = f.luc();
  MF_CHECK_CODE(f.dir().add_redirection(luc, demo("equipe"), {demo("luc.petit")},
                                        SendAs::kMembersMaySend),
                Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().set_redirection(luc, demo("support"), {demo("luc.petit")},
                                        SendAs::kMembersMaySend),
                Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().remove_redirection(luc, demo("support"), Removal::kForce),
                Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().resolve(demo("equipe")), Code::kNotFound);
  CHECK(f.mailboxes(demo("support")) ==
        std::vector<std::string>{demo("emma.durand"), demo("luc.petit")});
}

TEST_CASE("a manager may not add a redirection on a domain they do not manage") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().add_domain(f.admin(), "autre.fr"));
  MF_CHECK_CODE(f.dir().add_redirection(f.jean(), "equipe@autre.fr", {demo("luc.petit")},
                                        SendAs::kMembersMaySend),
                Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().resolve("equipe@autre.fr"), Code::kNotFound);
}

TEST_CASE("a manager may redirect to addresses of other domains and outside") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().add_domain(f.admin(), "autre.fr"));
  MF_CHECK_OK(f.dir().add_redirection(f.jean(), demo("mixte"),
                                      {"abuse@autre.fr", "quelqu.un@example.org"},
                                      SendAs::kMembersMaySend));
  auto r = f.dir().resolve(demo("mixte"));
  REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
  CHECK(r->mailboxes == std::vector<std::string>{"abuse@autre.fr"});
  CHECK(r->external == std::vector<std::string>{"quelqu.un@example.org"});
}

TEST_CASE("a redirection to a forwarding account follows the forwarding") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().set_forwarding(f.admin(), demo("abuse"), {demo("jean.martin")},
                                       KeepCopy::kYes));
  MF_REQUIRE_OK(f.dir().add_redirection(f.admin(), demo("plaintes"), {demo("abuse")},
                                        SendAs::kMembersMaySend));
  CHECK(f.mailboxes(demo("plaintes")) ==
        std::vector<std::string>{demo("abuse"), demo("jean.martin")});
}

}  // namespace
}  // namespace mf::test
