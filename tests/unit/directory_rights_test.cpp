// Roles and rights: the administrator, domain managers and standard users; password
// resets (audited and announced by a notice) versus a user's own change.
#include "directory_fixture.h"

#include <doctest/doctest.h>

#include <string>

namespace mf::test {
namespace {

// MA SOCIETE plus a second company, autre.fr, managed by Paul.
struct TwoCompanies : Fixture {
  TwoCompanies() {
    MF_REQUIRE_OK(dir().add_domain(admin(), "autre.fr"));
    MF_REQUIRE_OK(dir().add_account(admin(), "paul@autre.fr", {"Paul", "paul-pw-123", {}}));
    MF_REQUIRE_OK(dir().add_account(admin(), "lea@autre.fr", {"Léa", "lea-pw-1234", {}}));
    MF_REQUIRE_OK(dir().grant_manager(admin(), "paul@autre.fr", "autre.fr"));
  }
  Principal paul() { return login("paul@autre.fr", "paul-pw-123"); }
};

std::vector<std::string> domain_names(Directory& d, const Principal& who) {
  auto list = d.list_domains(who);
  REQUIRE_MESSAGE(list.is_ok(), list.status().to_string());
  std::vector<std::string> names;
  for (const DomainInfo& info : *list) names.push_back(info.name);
  return names;
}

bool has_reset_entry(const std::vector<AuditEntry>& entries, std::string_view actor,
                     std::string_view target) {
  for (const AuditEntry& e : entries) {
    if (contains_nocase(e.action, "reset") && e.actor == actor && contains(e.target, target)) {
      return true;
    }
  }
  return false;
}

TEST_CASE("a manager cannot add an account on a domain they do not manage") {
  TwoCompanies f;
  Status s = f.dir().add_account(f.jean(), "intrus@autre.fr", {"Intrus", "", {}});
  REQUIRE_MESSAGE(s.code() == Code::kPermissionDenied, s.to_string());
  CHECK_MESSAGE(contains(s.message(), "autre.fr"), s.to_string());
  CHECK_MESSAGE(contains(s.message(), demo("jean.martin")), s.to_string());
  MF_CHECK_CODE(f.dir().show_account(f.admin(), "intrus@autre.fr"), Code::kNotFound);
}

TEST_CASE("granting a manager twice is a conflict and revoking a missing grant is not found") {
  Fixture f;
  MF_CHECK_CODE(f.dir().grant_manager(f.admin(), demo("jean.martin"), kDemoDomain),
                Code::kAlreadyExists);
  MF_CHECK_CODE(f.dir().revoke_manager(f.admin(), demo("luc.petit"), kDemoDomain),
                Code::kNotFound);
  auto grants = f.dir().list_managers(f.admin(), "");
  REQUIRE_MESSAGE(grants.is_ok(), grants.status().to_string());
  CHECK(grants->size() == 1);
}

TEST_CASE("a disabled manager can no longer act with an earlier login") {
  Fixture f;
  Principal jean = f.jean();
  MF_REQUIRE_OK(f.dir().set_account_state(f.admin(), demo("jean.martin"), AccountState::kDisabled));
  MF_CHECK_CODE(f.dir().add_account(jean, demo("claire"), {"Claire", "", {}}),
                Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().set_password(jean, demo("luc.petit"), "reset-pw-999"),
                Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().show_account(f.admin(), demo("claire")), Code::kNotFound);
}

TEST_CASE("a manager manages the accounts of their domain") {
  Fixture f;
  Principal jean = f.jean();
  MF_CHECK_OK(f.dir().add_account(jean, demo("claire"), {"Claire", "claire-pw-1", {}}));
  MF_CHECK_OK(f.dir().set_display_name(jean, demo("claire"), "Claire Moreau"));
  MF_CHECK_OK(f.dir().set_account_state(jean, demo("claire"), AccountState::kDisabled));
  MF_CHECK_OK(f.dir().set_account_quota(jean, demo("claire"), 1000));
  MF_CHECK_OK(f.dir().show_account(jean, demo("claire")));
  MF_CHECK_OK(f.dir().list_accounts(jean, kDemoDomain));
  MF_CHECK_OK(f.dir().remove_account(jean, demo("claire"), Removal::kRefuseIfInUse));
  MF_CHECK_CODE(f.dir().show_account(f.admin(), demo("claire")), Code::kNotFound);
}

TEST_CASE("a manager cannot touch the accounts of a domain they do not manage") {
  TwoCompanies f;
  Principal jean = f.jean();
  const char* paul = "paul@autre.fr";
  MF_CHECK_CODE(f.dir().remove_account(jean, paul, Removal::kForce), Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().set_password(jean, paul, "volé-pw-123"), Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().set_display_name(jean, paul, "Volé"), Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().set_account_state(jean, paul, AccountState::kDisabled),
                Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().set_account_quota(jean, paul, 1), Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().set_forwarding(jean, paul, {demo("jean.martin")}, KeepCopy::kNo),
                Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().show_account(jean, paul), Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().show_quota(jean, paul), Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().list_accounts(jean, "autre.fr"), Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().list_redirections(jean, "autre.fr"), Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().set_domain_default_quota(jean, "autre.fr", 1), Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().show_domain(jean, "autre.fr"), Code::kPermissionDenied);
  // Nothing changed.
  MF_CHECK_OK(f.ctx().authenticate(paul, "paul-pw-123", Service::kImap, kOrigin));
  auto info = f.dir().show_account(f.admin(), paul);
  REQUIRE_MESSAGE(info.is_ok(), info.status().to_string());
  CHECK(info->display_name == "Paul");
  CHECK(info->state == AccountState::kEnabled);
  CHECK_FALSE(info->quota_bytes.has_value());
  CHECK(info->forward_to.empty());
}

TEST_CASE("only the administrator adds and removes domains") {
  Fixture f;
  MF_CHECK_CODE(f.dir().add_domain(f.jean(), "nouveau.fr"), Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().add_domain(f.sophie(), "nouveau.fr"), Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().remove_domain(f.jean(), kDemoDomain, Removal::kForce),
                Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().remove_domain(f.sophie(), kDemoDomain, Removal::kForce),
                Code::kPermissionDenied);
  CHECK(domain_names(f.dir(), f.admin()) == std::vector<std::string>{kDemoDomain});
  CHECK(f.mailboxes(demo("luc.petit")) == std::vector<std::string>{demo("luc.petit")});
}

TEST_CASE("only the administrator grants and revokes managers") {
  Fixture f;
  MF_CHECK_CODE(f.dir().grant_manager(f.jean(), demo("sophie.bernard"), kDemoDomain),
                Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().grant_manager(f.sophie(), demo("sophie.bernard"), kDemoDomain),
                Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().revoke_manager(f.jean(), demo("jean.martin"), kDemoDomain),
                Code::kPermissionDenied);
  auto grants = f.dir().list_managers(f.admin(), kDemoDomain);
  REQUIRE_MESSAGE(grants.is_ok(), grants.status().to_string());
  REQUIRE(grants->size() == 1);
  CHECK((*grants)[0].account == demo("jean.martin"));
  CHECK((*grants)[0].domain == kDemoDomain);
}

TEST_CASE("a grant gives a manager rights on the domain at once and a revoke takes them away") {
  TwoCompanies f;
  Principal jean = f.jean();  // Authenticated before the grant.
  MF_REQUIRE_OK(f.dir().grant_manager(f.admin(), demo("jean.martin"), "autre.fr"));
  MF_CHECK_OK(f.dir().add_account(jean, "jean@autre.fr", {"Jean", "", {}}));
  auto info = f.dir().show_domain(f.admin(), "autre.fr");
  REQUIRE_MESSAGE(info.is_ok(), info.status().to_string());
  CHECK(info->managers == std::vector<std::string>{demo("jean.martin"), "paul@autre.fr"});
  MF_REQUIRE_OK(f.dir().revoke_manager(f.admin(), demo("jean.martin"), "autre.fr"));
  MF_CHECK_CODE(f.dir().add_account(jean, "jean2@autre.fr", {"Jean", "", {}}),
                Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().remove_account(jean, "jean@autre.fr", Removal::kForce),
                Code::kPermissionDenied);
}

TEST_CASE("managers are listed per domain and in all") {
  TwoCompanies f;
  auto all = f.dir().list_managers(f.admin(), "");
  REQUIRE_MESSAGE(all.is_ok(), all.status().to_string());
  REQUIRE(all->size() == 2);
  auto one = f.dir().list_managers(f.admin(), "autre.fr");
  REQUIRE_MESSAGE(one.is_ok(), one.status().to_string());
  REQUIRE(one->size() == 1);
  CHECK((*one)[0].account == "paul@autre.fr");
  CHECK((*one)[0].domain == "autre.fr");
}

TEST_CASE("granting a manager needs an existing account and domain") {
  Fixture f;
  MF_CHECK_CODE(f.dir().grant_manager(f.admin(), demo("personne"), kDemoDomain), Code::kNotFound);
  MF_CHECK_CODE(f.dir().grant_manager(f.admin(), demo("luc.petit"), "inconnu.fr"),
                Code::kNotFound);
  auto grants = f.dir().list_managers(f.admin(), "");
  REQUIRE_MESSAGE(grants.is_ok(), grants.status().to_string());
  CHECK(grants->size() == 1);
}

TEST_CASE("a manager of two domains acts on both") {
  TwoCompanies f;
  MF_REQUIRE_OK(f.dir().grant_manager(f.admin(), demo("jean.martin"), "autre.fr"));
  Principal jean = f.jean();
  MF_CHECK_OK(f.dir().add_account(jean, demo("x"), {"X", "", {}}));
  MF_CHECK_OK(f.dir().add_account(jean, "y@autre.fr", {"Y", "", {}}));
  CHECK(domain_names(f.dir(), jean) == std::vector<std::string>{"autre.fr", kDemoDomain});
  auto info = f.dir().show_account(f.admin(), demo("jean.martin"));
  REQUIRE_MESSAGE(info.is_ok(), info.status().to_string());
  CHECK(info->manages == std::vector<std::string>{"autre.fr", kDemoDomain});
}

TEST_CASE("a user changes their own password") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().set_password(f.sophie(), demo("sophie.bernard"), "sophie-new-pw"));
  MF_CHECK_OK(f.ctx().authenticate(demo("sophie.bernard"), "sophie-new-pw", Service::kImap,
                                   kOrigin));
}

TEST_CASE("a user changes their own display name") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().set_display_name(f.sophie(), demo("sophie.bernard"), "Sophie B."));
  auto info = f.dir().show_account(f.sophie(), demo("sophie.bernard"));
  REQUIRE_MESSAGE(info.is_ok(), info.status().to_string());
  CHECK(info->display_name == "Sophie B.");
}

TEST_CASE("a user cannot change another account's password or display name") {
  Fixture f;
  Principal sophie = f.sophie();
  MF_CHECK_CODE(f.dir().set_password(sophie, demo("luc.petit"), "stolen-pw-1"),
                Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().set_display_name(sophie, demo("luc.petit"), "Pirate"),
                Code::kPermissionDenied);
  MF_CHECK_OK(f.ctx().authenticate(demo("luc.petit"), kLucPassword, Service::kImap, kOrigin));
  auto luc = f.dir().show_account(f.admin(), demo("luc.petit"));
  REQUIRE_MESSAGE(luc.is_ok(), luc.status().to_string());
  CHECK(luc->display_name == "Luc Petit");
}

TEST_CASE("a user cannot change a manager's password") {
  Fixture f;
  MF_CHECK_CODE(f.dir().set_password(f.luc(), demo("jean.martin"), "stolen-pw-1"),
                Code::kPermissionDenied);
}

TEST_CASE("a user cannot add accounts aliases or redirections on their own domain") {
  Fixture f;
  Principal luc = f.luc();
  MF_CHECK_CODE(f.dir().add_account(luc, demo("ami"), {"Ami", "", {}}), Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().add_alias(luc, demo("lucp"), demo("luc.petit")), Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().add_redirection(luc, demo("moi"), {demo("luc.petit")},
                                        SendAs::kMembersMaySend),
                Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().remove_account(luc, demo("emma.durand"), Removal::kForce),
                Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().remove_account(luc, demo("luc.petit"), Removal::kForce),
                Code::kPermissionDenied);
}

TEST_CASE("a user cannot change their own state quota or forwarding") {
  Fixture f;
  Principal luc = f.luc();
  MF_CHECK_CODE(f.dir().set_account_state(luc, demo("emma.durand"), AccountState::kDisabled),
                Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().set_account_state(luc, demo("luc.petit"), AccountState::kDisabled),
                Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().set_forwarding(luc, demo("luc.petit"), {"luc@example.org"},
                                       KeepCopy::kNo),
                Code::kPermissionDenied);
  CHECK(f.mailboxes(demo("luc.petit")) == std::vector<std::string>{demo("luc.petit")});
}

TEST_CASE("a user sees their own account but not another one") {
  Fixture f;
  Principal sophie = f.sophie();
  MF_CHECK_OK(f.dir().show_account(sophie, demo("sophie.bernard")));
  MF_CHECK_CODE(f.dir().show_account(sophie, demo("luc.petit")), Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().show_quota(sophie, demo("luc.petit")), Code::kPermissionDenied);
}

// The contract lets list_accounts either refuse a user or show only their own account.
TEST_CASE("a user cannot list other accounts") {
  Fixture f;
  auto list = f.dir().list_accounts(f.sophie(), kDemoDomain);
  if (list.is_ok()) {
    for (const AccountInfo& a : *list) CHECK(lower(a.address) == demo("sophie.bernard"));
  } else {
    CHECK_MESSAGE(list.status().code() == Code::kPermissionDenied, list.status().to_string());
  }
}

TEST_CASE("a user cannot list aliases redirections managers or the audit log") {
  Fixture f;
  Principal sophie = f.sophie();
  MF_CHECK_CODE(f.dir().list_aliases(sophie, kDemoDomain), Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().list_redirections(sophie, kDemoDomain), Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().list_managers(sophie, ""), Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().list_audit(sophie, 0, 100), Code::kPermissionDenied);
}

TEST_CASE("each principal lists only the domains it may see") {
  TwoCompanies f;
  CHECK(domain_names(f.dir(), f.admin()) == std::vector<std::string>{"autre.fr", kDemoDomain});
  CHECK(domain_names(f.dir(), f.jean()) == std::vector<std::string>{kDemoDomain});
  CHECK(domain_names(f.dir(), f.paul()) == std::vector<std::string>{"autre.fr"});
  CHECK(domain_names(f.dir(), f.sophie()) == std::vector<std::string>{kDemoDomain});
}

TEST_CASE("the administrator acts on every domain") {
  TwoCompanies f;
  Principal admin = f.admin();
  MF_CHECK_OK(f.dir().add_account(admin, "z@autre.fr", {"Z", "", {}}));
  MF_CHECK_OK(f.dir().set_display_name(admin, "paul@autre.fr", "Paul D."));
  MF_CHECK_OK(f.dir().set_account_quota(admin, demo("luc.petit"), 10));
  MF_CHECK_OK(f.dir().add_redirection(admin, "tous@autre.fr", {"paul@autre.fr", "lea@autre.fr"},
                                      SendAs::kMembersMaySend));
  MF_CHECK_OK(f.dir().list_accounts(admin, "autre.fr"));
  MF_CHECK_OK(f.dir().list_accounts(admin, kDemoDomain));
}

TEST_CASE("a removed manager's principal can no longer act") {
  Fixture f;
  Principal jean = f.jean();
  MF_REQUIRE_OK(f.dir().remove_account(f.admin(), demo("jean.martin"), Removal::kForce));
  CHECK_FALSE(f.dir().add_account(jean, demo("fantome"), {"F", "", {}}).is_ok());
  MF_CHECK_CODE(f.dir().show_account(f.admin(), demo("fantome")), Code::kNotFound);
}

TEST_CASE("a password reset by a manager is audited and announced to the account") {
  Fixture f;
  Principal jean = f.jean();
  MF_REQUIRE_OK(f.dir().set_password(jean, demo("sophie.bernard"), "reset-pw-789"));
  CHECK(has_reset_entry(f.audit(), demo("jean.martin"), demo("sophie.bernard")));
  Principal sophie = f.login(demo("sophie.bernard"), "reset-pw-789");
  auto notices = f.dir().pending_notices(sophie);
  REQUIRE_MESSAGE(notices.is_ok(), notices.status().to_string());
  REQUIRE(notices->size() == 1);
  const Notice& n = (*notices)[0];
  CHECK(n.time == kFakeNow);
  CHECK_MESSAGE(contains_nocase(n.subject + " " + n.body, "password"), n.subject, " / ", n.body);
  CHECK_MESSAGE(contains(n.subject + " " + n.body, demo("jean.martin")), n.subject, " / ", n.body);
  CHECK_FALSE(contains(n.subject + " " + n.body, "reset-pw-789"));
}

TEST_CASE("a password reset by the administrator is audited and announced to the account") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().set_password(f.admin(), demo("luc.petit"), "reset-pw-789"));
  CHECK(has_reset_entry(f.audit(), kAdminName, demo("luc.petit")));
  auto notices = f.dir().pending_notices(f.login(demo("luc.petit"), "reset-pw-789"));
  REQUIRE_MESSAGE(notices.is_ok(), notices.status().to_string());
  CHECK(notices->size() == 1);
}

TEST_CASE("setting the first password of abuse by a manager is a reset") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().set_password(f.jean(), demo("abuse"), "abuse-pw-123"));
  CHECK(has_reset_entry(f.audit(), demo("jean.martin"), demo("abuse")));
  auto notices = f.dir().pending_notices(f.login(demo("abuse"), "abuse-pw-123"));
  REQUIRE_MESSAGE(notices.is_ok(), notices.status().to_string());
  CHECK(notices->size() == 1);
}

TEST_CASE("a password change by the user is not a reset") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().set_password(f.sophie(), demo("sophie.bernard"), "changed-pw-1"));
  for (const AuditEntry& e : f.audit()) {
    CHECK_FALSE_MESSAGE(contains_nocase(e.action, "reset"), e.action, " ", e.target);
  }
  auto notices = f.dir().pending_notices(f.login(demo("sophie.bernard"), "changed-pw-1"));
  REQUIRE_MESSAGE(notices.is_ok(), notices.status().to_string());
  CHECK(notices->empty());
}

TEST_CASE("a manager changing their own password is not a reset") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().set_password(f.jean(), demo("jean.martin"), "jean-new-pw-1"));
  for (const AuditEntry& e : f.audit()) {
    CHECK_FALSE_MESSAGE(contains_nocase(e.action, "reset"), e.action, " ", e.target);
  }
  auto notices = f.dir().pending_notices(f.login(demo("jean.martin"), "jean-new-pw-1"));
  REQUIRE_MESSAGE(notices.is_ok(), notices.status().to_string());
  CHECK(notices->empty());
}

TEST_CASE("nobody but the account reads its notices") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().set_password(f.admin(), demo("sophie.bernard"), "reset-pw-789"));
  // The administrator is not a mailbox: it has no notices and reads nobody's.
  auto admin_notices = f.dir().pending_notices(f.admin());
  CHECK_FALSE_MESSAGE((admin_notices.is_ok() && !admin_notices->empty()),
                      "the administrator read notices");
  // The manager who reset the password sees only their own (none).
  auto jean_notices = f.dir().pending_notices(f.jean());
  REQUIRE_MESSAGE(jean_notices.is_ok(), jean_notices.status().to_string());
  CHECK(jean_notices->empty());
  auto sophie_notices = f.dir().pending_notices(f.login(demo("sophie.bernard"), "reset-pw-789"));
  REQUIRE_MESSAGE(sophie_notices.is_ok(), sophie_notices.status().to_string());
  CHECK(sophie_notices->size() == 1);
}

TEST_CASE("two resets queue two notices in order") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().set_password(f.admin(), demo("luc.petit"), "reset-pw-111"));
  f.set_now(kFakeNow + 60);
  MF_REQUIRE_OK(f.dir().set_password(f.jean(), demo("luc.petit"), "reset-pw-222"));
  auto notices = f.dir().pending_notices(f.login(demo("luc.petit"), "reset-pw-222"));
  REQUIRE_MESSAGE(notices.is_ok(), notices.status().to_string());
  REQUIRE(notices->size() == 2);
  CHECK((*notices)[0].seq < (*notices)[1].seq);
  CHECK((*notices)[0].time == kFakeNow);
  CHECK((*notices)[1].time == kFakeNow + 60);
}

TEST_CASE("only the administrator changes the administrator password") {
  Fixture f;
  MF_CHECK_CODE(f.ctx().set_admin_password(f.jean(), "hijacked-pw-1"), Code::kPermissionDenied);
  MF_CHECK_CODE(f.ctx().authenticate(kAdminName, "hijacked-pw-1", Service::kAdmin, kOrigin),
                Code::kUnauthenticated);
  MF_CHECK_OK(f.ctx().authenticate(kAdminName, kAdminPassword, Service::kAdmin, kOrigin));
}

}  // namespace
}  // namespace mf::test
