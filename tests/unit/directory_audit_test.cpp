// The audit log: every privileged action with who, what, when and from where; never a
// password; readable by the administrator only; paged by sequence number.
#include "directory_fixture.h"

#include <doctest/doctest.h>

#include <functional>
#include <string>

namespace mf::test {
namespace {

uint64_t last_seq(Fixture& f) {
  std::vector<AuditEntry> all = f.audit();
  return all.empty() ? 0 : all.back().seq;
}

// Runs `action` and checks it appended at least one entry by `actor` whose target names
// `target`.
void expect_audited(Fixture& f, const std::string& actor, const std::string& origin,
                    const std::string& target, const std::function<Status()>& action) {
  uint64_t before = last_seq(f);
  Status s = action();
  REQUIRE_MESSAGE(s.is_ok(), s.to_string());
  auto entries = f.dir().list_audit(f.admin(), before, 1000);
  REQUIRE_MESSAGE(entries.is_ok(), entries.status().to_string());
  REQUIRE_MESSAGE(!entries->empty(), "no audit entry for an action on ", target);
  bool found = false;
  for (const AuditEntry& e : *entries) {
    CHECK(e.seq > before);
    CHECK_FALSE(e.action.empty());
    found = found || (e.actor == actor && e.origin == origin && contains_nocase(e.target, target));
  }
  CHECK_MESSAGE(found, "no entry by ", actor, " from ", origin, " on ", target, "; first: ",
                (*entries)[0].actor, " ", (*entries)[0].origin, " ", (*entries)[0].action, " ",
                (*entries)[0].target);
}

TEST_CASE("adding a domain is audited with actor origin action target and time") {
  Fixture f(Fixture::Load::kEmpty);
  f.set_now(kFakeNow + 42);
  Principal admin = f.ctx().local_administrator("mfctl uid=0");
  MF_REQUIRE_OK(f.dir().add_domain(admin, "exemple.fr"));
  std::vector<AuditEntry> entries = f.audit();
  bool found = false;
  for (const AuditEntry& e : entries) {
    if (contains(e.target, "exemple.fr")) {
      found = true;
      CHECK(e.actor == kAdminName);
      CHECK(e.origin == "mfctl uid=0");
      CHECK_MESSAGE(contains_nocase(e.action, "domain"), e.action);
      CHECK(e.time == kFakeNow + 42);
    }
  }
  CHECK(found);
}

TEST_CASE("every privileged action of the administrator is audited") {
  Fixture f;
  const std::string admin_name = kAdminName;
  const std::string origin = kOrigin;
  Principal admin = f.admin();
  Directory& d = f.dir();

  SUBCASE("domain add") {
    expect_audited(f, admin_name, origin, "autre.fr", [&] { return d.add_domain(admin, "autre.fr"); });
  }
  SUBCASE("domain remove") {
    MF_REQUIRE_OK(d.add_domain(admin, "autre.fr"));
    expect_audited(f, admin_name, origin, "autre.fr",
                   [&] { return d.remove_domain(admin, "autre.fr", Removal::kRefuseIfInUse); });
  }
  SUBCASE("domain default quota") {
    expect_audited(f, admin_name, origin, kDemoDomain,
                   [&] { return d.set_domain_default_quota(admin, kDemoDomain, 1000); });
  }
  SUBCASE("account add") {
    expect_audited(f, admin_name, origin, demo("claire"),
                   [&] { return d.add_account(admin, demo("claire"), {"Claire", "claire-pw-1", {}}); });
  }
  SUBCASE("account remove") {
    expect_audited(f, admin_name, origin, demo("luc.petit"),
                   [&] { return d.remove_account(admin, demo("luc.petit"), Removal::kForce); });
  }
  SUBCASE("password reset") {
    expect_audited(f, admin_name, origin, demo("luc.petit"),
                   [&] { return d.set_password(admin, demo("luc.petit"), "reset-pw-123"); });
  }
  SUBCASE("display name") {
    expect_audited(f, admin_name, origin, demo("luc.petit"),
                   [&] { return d.set_display_name(admin, demo("luc.petit"), "Luc P."); });
  }
  SUBCASE("account state") {
    expect_audited(f, admin_name, origin, demo("luc.petit"), [&] {
      return d.set_account_state(admin, demo("luc.petit"), AccountState::kDisabled);
    });
  }
  SUBCASE("account quota") {
    expect_audited(f, admin_name, origin, demo("luc.petit"),
                   [&] { return d.set_account_quota(admin, demo("luc.petit"), 1000); });
  }
  SUBCASE("forwarding") {
    expect_audited(f, admin_name, origin, demo("abuse"), [&] {
      return d.set_forwarding(admin, demo("abuse"), {demo("jean.martin")}, KeepCopy::kYes);
    });
  }
  SUBCASE("alias add") {
    expect_audited(f, admin_name, origin, demo("luc"),
                   [&] { return d.add_alias(admin, demo("luc"), demo("luc.petit")); });
  }
  SUBCASE("alias remove") {
    expect_audited(f, admin_name, origin, demo("direction"),
                   [&] { return d.remove_alias(admin, demo("direction")); });
  }
  SUBCASE("redirection add") {
    expect_audited(f, admin_name, origin, demo("equipe"), [&] {
      return d.add_redirection(admin, demo("equipe"), {demo("luc.petit")}, SendAs::kMembersMaySend);
    });
  }
  SUBCASE("redirection set") {
    expect_audited(f, admin_name, origin, demo("support"), [&] {
      return d.set_redirection(admin, demo("support"), {demo("luc.petit")},
                               SendAs::kMembersMayNotSend);
    });
  }
  SUBCASE("redirection remove") {
    expect_audited(f, admin_name, origin, demo("contact"),
                   [&] { return d.remove_redirection(admin, demo("contact"), Removal::kForce); });
  }
  SUBCASE("manager grant") {
    expect_audited(f, admin_name, origin, demo("sophie.bernard"),
                   [&] { return d.grant_manager(admin, demo("sophie.bernard"), kDemoDomain); });
  }
  SUBCASE("manager revoke") {
    expect_audited(f, admin_name, origin, demo("jean.martin"),
                   [&] { return d.revoke_manager(admin, demo("jean.martin"), kDemoDomain); });
  }
  SUBCASE("administrator password") {
    expect_audited(f, admin_name, origin, admin_name,
                   [&] { return f.ctx().set_admin_password(admin, "new-admin-pw-1"); });
  }
}

TEST_CASE("every privileged action of a manager is audited with the manager as actor") {
  Fixture f;
  const std::string jean_name = demo("jean.martin");
  Principal jean = f.jean();
  Directory& d = f.dir();

  SUBCASE("account add") {
    expect_audited(f, jean_name, kOrigin, demo("claire"),
                   [&] { return d.add_account(jean, demo("claire"), {"Claire", "", {}}); });
  }
  SUBCASE("password reset") {
    expect_audited(f, jean_name, kOrigin, demo("emma.durand"),
                   [&] { return d.set_password(jean, demo("emma.durand"), "reset-pw-123"); });
  }
  SUBCASE("alias add") {
    expect_audited(f, jean_name, kOrigin, demo("emma"),
                   [&] { return d.add_alias(jean, demo("emma"), demo("emma.durand")); });
  }
  SUBCASE("redirection add") {
    expect_audited(f, jean_name, kOrigin, demo("ventes"), [&] {
      return d.add_redirection(jean, demo("ventes"), {demo("emma.durand")}, SendAs::kMembersMaySend);
    });
  }
  SUBCASE("account state") {
    expect_audited(f, jean_name, kOrigin, demo("luc.petit"), [&] {
      return d.set_account_state(jean, demo("luc.petit"), AccountState::kDisabled);
    });
  }
}

TEST_CASE("the audit log never holds a password") {
  Fixture f;
  const std::vector<std::string> secrets = {
      kAdminPassword, kJeanPassword, kSophiePassword, kLucPassword, kEmmaPassword,
      "claire-secret-1", "reset-secret-2", "own-change-secret-3", "new-admin-secret-4"};
  MF_REQUIRE_OK(f.dir().add_account(f.admin(), demo("claire"), {"Claire", "claire-secret-1", {}}));
  MF_REQUIRE_OK(f.dir().set_password(f.jean(), demo("luc.petit"), "reset-secret-2"));
  MF_REQUIRE_OK(f.dir().set_password(f.emma(), demo("emma.durand"), "own-change-secret-3"));
  MF_REQUIRE_OK(f.ctx().set_admin_password(f.admin(), "new-admin-secret-4"));
  // Failed logins must not leak the tried password either.
  (void)f.ctx().authenticate(demo("luc.petit"), "wrong-secret-5", Service::kImap, kOrigin);
  std::vector<AuditEntry> entries = f.audit();
  REQUIRE_FALSE(entries.empty());
  for (const AuditEntry& e : entries) {
    for (const std::string& secret : secrets) {
      for (const std::string* field : {&e.actor, &e.origin, &e.action, &e.target, &e.detail}) {
        CHECK_FALSE_MESSAGE(contains(*field, secret), "audit entry ", e.seq, " holds ", secret);
      }
    }
    CHECK_FALSE(contains(e.detail, "wrong-secret-5"));
  }
}

TEST_CASE("the audit log is readable by the administrator only") {
  Fixture f;
  MF_CHECK_OK(f.dir().list_audit(f.admin(), 0, 10));
  MF_CHECK_CODE(f.dir().list_audit(f.jean(), 0, 10), Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().list_audit(f.luc(), 0, 10), Code::kPermissionDenied);
}

TEST_CASE("the audit log is paged by sequence number oldest first") {
  Fixture f;
  std::vector<AuditEntry> all = f.audit();
  REQUIRE(all.size() >= 4);
  for (size_t i = 1; i < all.size(); ++i) CHECK(all[i - 1].seq < all[i].seq);
  auto first = f.dir().list_audit(f.admin(), 0, 2);
  REQUIRE_MESSAGE(first.is_ok(), first.status().to_string());
  REQUIRE(first->size() == 2);
  CHECK((*first)[0].seq == all[0].seq);
  CHECK((*first)[1].seq == all[1].seq);
  auto next = f.dir().list_audit(f.admin(), (*first)[1].seq, 2);
  REQUIRE_MESSAGE(next.is_ok(), next.status().to_string());
  REQUIRE(next->size() == 2);
  CHECK((*next)[0].seq == all[2].seq);
  auto none = f.dir().list_audit(f.admin(), all.back().seq, 10);
  REQUIRE_MESSAGE(none.is_ok(), none.status().to_string());
  CHECK(none->empty());
}

TEST_CASE("a failed operation writes no audit entry") {
  Fixture f;
  uint64_t before = last_seq(f);
  CHECK_FALSE(f.dir().add_domain(f.admin(), kDemoDomain).is_ok());
  CHECK_FALSE(f.dir().add_account(f.admin(), demo("luc.petit"), {"Luc", "", {}}).is_ok());
  CHECK_FALSE(f.dir().add_redirection(f.admin(), demo("x"), {demo("personne")},
                                      SendAs::kMembersMaySend).is_ok());
  CHECK_FALSE(f.dir().set_password(f.admin(), demo("luc.petit"), "short").is_ok());
  CHECK(last_seq(f) == before);
}

TEST_CASE("the audit log survives reopening") {
  Fixture f;
  size_t count = f.audit().size();
  REQUIRE(count > 0);
  f.reopen();
  CHECK(f.audit().size() == count);
}

}  // namespace
}  // namespace mf::test
