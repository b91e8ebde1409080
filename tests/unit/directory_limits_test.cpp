// Unit tests of the directory's limits and of rights that a cascade or a password reset
// could otherwise get round: no input makes resolution exponential or a removal crash,
// and no manager reaches beyond their own domains.
#include "directory_fixture.h"

#include "store/lmdb_env.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <mutex>
#include <set>

using namespace mf;
using namespace mf::test;

namespace {

std::string at(const std::string& local, const std::string& domain) { return local + "@" + domain; }

}  // namespace

TEST_CASE("redirections shared by many paths are expanded once") {
  Fixture f(Fixture::Load::kEmpty);
  MF_REQUIRE_OK(f.dir().add_domain(f.admin(), "a.fr"));
  MF_REQUIRE_OK(f.dir().add_account(f.admin(), "bob@a.fr", {"Bob", "", {}}));
  // 18 levels of 3 redirections, each naming all 3 of the next level: 3^18 paths.
  constexpr int kLevels = 18;
  for (int level = kLevels - 1; level >= 0; --level) {
    for (int i = 0; i < 3; ++i) {
      std::vector<std::string> targets;
      if (level == kLevels - 1) {
        targets = {"bob@a.fr"};
      } else {
        for (int j = 0; j < 3; ++j) targets.push_back(at(fmt::format("l{}n{}", level + 1, j), "a.fr"));
      }
      MF_REQUIRE_OK(f.dir().add_redirection(f.admin(), at(fmt::format("l{}n{}", level, i), "a.fr"),
                                            targets, SendAs::kMembersMaySend));
    }
  }
  auto r = f.dir().resolve("l0n0@a.fr");
  REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
  CHECK(r->mailboxes == std::vector<std::string>{"bob@a.fr"});
}

TEST_CASE("a redirection may list at most 1000 targets") {
  Fixture f(Fixture::Load::kEmpty);
  MF_REQUIRE_OK(f.dir().add_domain(f.admin(), "a.fr"));
  std::vector<std::string> targets;
  for (int i = 0; i < 1001; ++i) targets.push_back(fmt::format("person{}@example.org", i));
  auto s = f.dir().add_redirection(f.admin(), "many@a.fr", targets, SendAs::kMembersMaySend);
  CHECK(s.code() == Code::kInvalidArgument);
  CHECK(contains(s.message(), "at most 1000"));
  targets.pop_back();
  MF_CHECK_OK(f.dir().add_redirection(f.admin(), "many@a.fr", targets, SendAs::kMembersMaySend));
  auto r = f.dir().resolve("many@a.fr");
  REQUIRE(r.is_ok());
  CHECK(r->external.size() == 1000);
}

TEST_CASE("a forced removal through a long chain of redirections completes") {
  Fixture f(Fixture::Load::kEmpty);
  MF_REQUIRE_OK(f.dir().add_domain(f.admin(), "a.fr"));
  MF_REQUIRE_OK(f.dir().add_account(f.admin(), "bob@a.fr", {"Bob", "", {}}));
  constexpr int kChain = 3000;
  MF_REQUIRE_OK(f.dir().add_redirection(f.admin(), "r0@a.fr", {"bob@a.fr"}, SendAs::kMembersMaySend));
  for (int i = 1; i < kChain; ++i) {
    MF_REQUIRE_OK(f.dir().add_redirection(f.admin(), fmt::format("r{}@a.fr", i),
                                          {fmt::format("r{}@a.fr", i - 1)}, SendAs::kMembersMaySend));
  }
  // Deep chains are refused at resolution, not followed.
  MF_CHECK_CODE(f.dir().resolve(fmt::format("r{}@a.fr", kChain - 1)), Code::kResourceExhausted);
  // Removing bob empties r0, which empties r1, ... all in one transaction, on a small stack.
  auto done = std::async(std::launch::async, [&] {
    return f.dir().remove_account(f.admin(), "bob@a.fr", Removal::kForce);
  });
  MF_CHECK_OK(done.get());
  MF_CHECK_CODE(f.dir().resolve(fmt::format("r{}@a.fr", kChain - 1)), Code::kNotFound);
  auto info = f.dir().show_domain(f.admin(), "a.fr");
  REQUIRE(info.is_ok());
  CHECK(info->redirections == 0);
}

TEST_CASE("a manager cannot reset the password of a manager of another domain") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().add_domain(f.admin(), "autre.fr"));
  MF_REQUIRE_OK(f.dir().grant_manager(f.admin(), demo("luc.petit"), "autre.fr"));
  Principal jean = f.jean();
  auto s = f.dir().set_password(jean, demo("luc.petit"), "taken-over-123");
  CHECK(s.code() == Code::kPermissionDenied);
  CHECK(contains(s.message(), "autre.fr"));
  MF_CHECK_CODE(f.dir().set_account_state(jean, demo("luc.petit"), AccountState::kDisabled),
                Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().set_forwarding(jean, demo("luc.petit"), {demo("jean.martin")}, KeepCopy::kYes),
                Code::kPermissionDenied);
  MF_CHECK_CODE(f.dir().remove_account(jean, demo("luc.petit"), Removal::kForce),
                Code::kPermissionDenied);
  // The administrator may, and a manager still may for plain users of the domain.
  MF_CHECK_OK(f.dir().set_password(f.admin(), demo("luc.petit"), "reset-by-admin-1"));
  MF_CHECK_OK(f.dir().set_password(jean, demo("sophie.bernard"), "reset-by-jean-1"));
}

TEST_CASE("a forced removal by a manager refuses to change another domain's redirections") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().add_domain(f.admin(), "autre.fr"));
  MF_REQUIRE_OK(f.dir().add_redirection(f.admin(), "ventes@autre.fr", {demo("emma.durand")},
                                        SendAs::kMembersMaySend));
  auto s = f.dir().remove_account(f.jean(), demo("emma.durand"), Removal::kForce);
  CHECK(s.code() == Code::kPermissionDenied);
  CHECK(contains(s.message(), "ventes@autre.fr"));
  // Nothing changed: emma and the other domain's redirection are intact.
  auto r = f.dir().resolve("ventes@autre.fr");
  REQUIRE(r.is_ok());
  CHECK(r->mailboxes == std::vector<std::string>{demo("emma.durand")});
  MF_CHECK_OK(f.dir().remove_account(f.admin(), demo("emma.durand"), Removal::kForce));
  MF_CHECK_CODE(f.dir().resolve("ventes@autre.fr"), Code::kNotFound);
}

TEST_CASE("forwarding an account's mail is announced to its owner") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().set_forwarding(f.jean(), demo("sophie.bernard"), {demo("jean.martin")},
                                       KeepCopy::kYes));
  auto notices = f.dir().pending_notices(f.sophie());
  REQUIRE(notices.is_ok());
  REQUIRE(notices->size() == 1);
  CHECK(contains(notices->front().body, demo("jean.martin")));
  CHECK(contains(notices->front().subject, "forwarded"));
}

TEST_CASE("a login ends when the password is reset") {
  Fixture f;
  Principal sophie = f.sophie();
  MF_CHECK_OK(f.dir().set_display_name(sophie, demo("sophie.bernard"), "Sophie B."));
  MF_REQUIRE_OK(f.dir().set_password(f.admin(), demo("sophie.bernard"), "new-password-1"));
  MF_CHECK_CODE(f.dir().set_display_name(sophie, demo("sophie.bernard"), "Sophie X."),
                Code::kUnauthenticated);
  Principal again = f.login(demo("sophie.bernard"), "new-password-1");
  MF_CHECK_OK(f.dir().set_display_name(again, demo("sophie.bernard"), "Sophie X."));
}

TEST_CASE("a login does not carry over to a new account of the same address") {
  Fixture f;
  Principal luc = f.luc();
  MF_REQUIRE_OK(f.dir().remove_account(f.admin(), demo("luc.petit"), Removal::kForce));
  MF_REQUIRE_OK(f.dir().add_account(f.admin(), demo("luc.petit"), {"Luc 2", "luc-pw-123", {}}));
  MF_CHECK_CODE(f.dir().set_display_name(luc, demo("luc.petit"), "stale"), Code::kUnauthenticated);
}

TEST_CASE("an interrupted init can be run again") {
  TempDir tmp;
  std::string dir = tmp.sub("data");
  std::filesystem::create_directories(dir + "/store");
  {
    // The store's files exist, as after a crash between creating them and committing.
    auto env = store::LmdbEnv::open(dir + "/store", {}, [] { return int64_t{0}; });
    REQUIRE(env.is_ok());
  }
  MF_CHECK_CODE(Context::open(dir, test_options()), Code::kNotFound);
  MF_REQUIRE_OK(Context::init(dir, kAdminName, kAdminPassword, test_options()));
  MF_CHECK_OK(Context::open(dir, test_options()));
  MF_CHECK_CODE(Context::init(dir, kAdminName, kAdminPassword, test_options()), Code::kAlreadyExists);
}

namespace {

class RecordingLimiter final : public AuthRateLimiter {
 public:
  bool allow(std::string_view login, std::string_view) override {
    std::lock_guard lock(mu_);
    seen.insert(std::string(login));
    return true;
  }
  void record(std::string_view, std::string_view, bool) override {}
  std::mutex mu_;
  std::set<std::string> seen;
};

}  // namespace

TEST_CASE("the rate limiter sees one key per login whatever its case") {
  RecordingLimiter limiter;
  TempDir tmp;
  Options o = test_options();
  o.rate_limiter = &limiter;
  auto ctx = make_context(tmp.sub("data"), o);
  load_demo(*ctx);
  for (const char* login : {"luc.petit@ma-societe.fr", "LUC.PETIT@ma-societe.fr", "lUc.Petit@MA-SOCIETE.FR"}) {
    (void)ctx->authenticate(login, "wrong-password", Service::kImap, "test");
  }
  (void)ctx->authenticate("ADMIN", "wrong-password", Service::kAdmin, "test");
  CHECK(limiter.seen == std::set<std::string>{"luc.petit@ma-societe.fr", "admin"});
}
