// Authentication: logins by address or alias, one refusal message for every failure, the
// administrator confined to the admin service, the rate-limiting hook, the asynchronous
// variant and rehashing when the password cost changes.
#include "directory_fixture.h"

#include <doctest/doctest.h>

#include <crypt.h>

#include <chrono>
#include <fstream>
#include <future>
#include <iterator>
#include <mutex>
#include <string>
#include <thread>

namespace mf::test {
namespace {

constexpr Service kMailServices[] = {Service::kSmtp, Service::kImap, Service::kPop3};

// A rate limiter that records every call and allows or refuses as told.
class RecordingLimiter : public AuthRateLimiter {
 public:
  explicit RecordingLimiter(bool allow) : allow_(allow) {}

  bool allow(std::string_view login, std::string_view origin) override {
    std::lock_guard<std::mutex> lock(mu_);
    allowed_.push_back(std::string(login) + " " + std::string(origin));
    return allow_;
  }
  void record(std::string_view login, std::string_view origin, bool success) override {
    std::lock_guard<std::mutex> lock(mu_);
    recorded_.push_back(std::string(login) + " " + std::string(origin) +
                        (success ? " ok" : " fail"));
  }

  std::vector<std::string> allowed() {
    std::lock_guard<std::mutex> lock(mu_);
    return allowed_;
  }
  std::vector<std::string> recorded() {
    std::lock_guard<std::mutex> lock(mu_);
    return recorded_;
  }

 private:
  const bool allow_;
  std::mutex mu_;
  std::vector<std::string> allowed_;
  std::vector<std::string> recorded_;
};

// Waits for an authenticate_async() callback, at most 30 seconds.
Result<Principal> authenticate_async(Context& ctx, std::string_view login,
                                     std::string_view password, Service service) {
  auto promise = std::make_shared<std::promise<Result<Principal>>>();
  std::future<Result<Principal>> future = promise->get_future();
  ctx.authenticate_async(login, password, service, kOrigin,
                         [promise](Result<Principal> r) { promise->set_value(std::move(r)); });
  REQUIRE_MESSAGE(future.wait_for(std::chrono::seconds(30)) == std::future_status::ready,
                  "authenticate_async did not call back within 30 s");
  return future.get();
}

std::string file_contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The "$y$<params>$" prefix of yescrypt hashes made with `cost`, from libxcrypt itself.
std::string yescrypt_prefix(unsigned cost) {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  const char* s = crypt_gensalt_rn("$y$", cost, nullptr, 0, setting, sizeof setting);
  REQUIRE(s != nullptr);
  std::string str(s);
  size_t third = str.find('$', 3);
  REQUIRE(third != std::string::npos);
  return str.substr(0, third + 1);
}

size_t count_occurrences(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + 1)) {
    ++n;
  }
  return n;
}

TEST_CASE("an account logs in with its address and gets its principal") {
  Fixture f;
  auto p = f.ctx().authenticate(demo("luc.petit"), kLucPassword, Service::kImap, "imap 192.0.2.7");
  REQUIRE_MESSAGE(p.is_ok(), p.status().to_string());
  CHECK(p->is_account());
  CHECK_FALSE(p->is_administrator());
  CHECK(p->kind() == Principal::Kind::kAccount);
  CHECK(p->name() == demo("luc.petit"));
  CHECK(p->origin() == "imap 192.0.2.7");
}

TEST_CASE("an account logs in with an alias and gets the account's principal") {
  Fixture f;
  auto p = f.ctx().authenticate(demo("direction"), kJeanPassword, Service::kSmtp, kOrigin);
  REQUIRE_MESSAGE(p.is_ok(), p.status().to_string());
  CHECK(p->name() == demo("jean.martin"));
  auto compta = f.ctx().authenticate(demo("compta"), kSophiePassword, Service::kPop3, kOrigin);
  REQUIRE_MESSAGE(compta.is_ok(), compta.status().to_string());
  CHECK(compta->name() == demo("sophie.bernard"));
}

TEST_CASE("a login ignores case and yields the canonical lower-case name") {
  Fixture f;
  MF_REQUIRE_OK(f.dir().add_account(f.admin(), "Claire.Moreau@ma-societe.fr",
                                    {"Claire", "claire-pw-1", {}}));
  auto p = f.ctx().authenticate("CLAIRE.moreau@MA-SOCIETE.fr", "claire-pw-1", Service::kImap,
                                kOrigin);
  REQUIRE_MESSAGE(p.is_ok(), p.status().to_string());
  CHECK(p->name() == "claire.moreau@ma-societe.fr");
}

TEST_CASE("an account logs in through every mail service and the web") {
  Fixture f;
  for (Service s : {Service::kSmtp, Service::kImap, Service::kPop3, Service::kWeb}) {
    auto p = f.ctx().authenticate(demo("emma.durand"), kEmmaPassword, s, kOrigin);
    CHECK_MESSAGE(p.is_ok(), service_name(s), ": ", p.status().to_string());
  }
}

TEST_CASE("a wrong password and an unknown login get the same refusal") {
  Fixture f;
  auto wrong = f.ctx().authenticate(demo("luc.petit"), "not-the-password", Service::kImap, kOrigin);
  auto unknown = f.ctx().authenticate(demo("personne"), kLucPassword, Service::kImap, kOrigin);
  auto other_domain = f.ctx().authenticate("luc@example.org", kLucPassword, Service::kImap, kOrigin);
  auto redirection = f.ctx().authenticate(demo("support"), kLucPassword, Service::kImap, kOrigin);
  auto no_password = f.ctx().authenticate(demo("abuse"), "", Service::kImap, kOrigin);
  auto empty_login = f.ctx().authenticate("", "", Service::kImap, kOrigin);
  for (const auto* r : {&wrong, &unknown, &other_domain, &redirection, &no_password, &empty_login}) {
    CHECK_MESSAGE(r->status().code() == Code::kUnauthenticated, r->status().to_string());
    CHECK_MESSAGE(r->status().message() == wrong.status().message(), r->status().to_string(),
                  " vs ", wrong.status().to_string());
  }
  CHECK_FALSE(contains(wrong.status().message(), "not-the-password"));
}

TEST_CASE("the administrator logs in through the admin service") {
  Fixture f;
  auto p = f.ctx().authenticate(kAdminName, kAdminPassword, Service::kAdmin, "web 192.0.2.1");
  REQUIRE_MESSAGE(p.is_ok(), p.status().to_string());
  CHECK(p->is_administrator());
  CHECK(p->name() == kAdminName);
  CHECK(p->origin() == "web 192.0.2.1");
  // The principal works as the administrator's.
  MF_CHECK_OK(f.dir().add_domain(*p, "nouveau.fr"));
}

TEST_CASE("the administrator's name is refused by smtp imap and pop3 even with its password") {
  Fixture f;
  auto wrong = f.ctx().authenticate(demo("luc.petit"), "not-the-password", Service::kImap, kOrigin);
  for (Service s : kMailServices) {
    auto p = f.ctx().authenticate(kAdminName, kAdminPassword, s, kOrigin);
    CHECK_MESSAGE(p.status().code() == Code::kUnauthenticated, service_name(s), ": ",
                  p.status().to_string());
    CHECK(p.status().message() == wrong.status().message());
  }
}

TEST_CASE("the administrator's name is refused by the web service") {
  Fixture f;
  MF_CHECK_CODE(f.ctx().authenticate(kAdminName, kAdminPassword, Service::kWeb, kOrigin),
                Code::kUnauthenticated);
}

TEST_CASE("the administrator's wrong password is refused") {
  Fixture f;
  MF_CHECK_CODE(f.ctx().authenticate(kAdminName, "not-the-password", Service::kAdmin, kOrigin),
                Code::kUnauthenticated);
}

TEST_CASE("the administrator's password is changed by the administrator") {
  Fixture f;
  MF_REQUIRE_OK(f.ctx().set_admin_password(f.admin(), "new-admin-pw-1"));
  MF_CHECK_CODE(f.ctx().authenticate(kAdminName, kAdminPassword, Service::kAdmin, kOrigin),
                Code::kUnauthenticated);
  MF_CHECK_OK(f.ctx().authenticate(kAdminName, "new-admin-pw-1", Service::kAdmin, kOrigin));
}

TEST_CASE("a short administrator password is refused") {
  Fixture f;
  MF_CHECK_CODE(f.ctx().set_admin_password(f.admin(), "short"), Code::kInvalidArgument);
  MF_CHECK_OK(f.ctx().authenticate(kAdminName, kAdminPassword, Service::kAdmin, kOrigin));
}

TEST_CASE("a refusing rate limiter stops a login with the right password") {
  RecordingLimiter limiter(false);
  Fixture f;
  Options o = f.options();
  o.rate_limiter = &limiter;
  f.reopen(o);
  auto p = f.ctx().authenticate(demo("luc.petit"), kLucPassword, Service::kImap, "imap 192.0.2.9");
  CHECK_MESSAGE(p.status().code() == Code::kUnauthenticated, p.status().to_string());
  std::vector<std::string> allowed = limiter.allowed();
  REQUIRE(allowed.size() == 1);
  CHECK(allowed[0] == demo("luc.petit") + " imap 192.0.2.9");
  for (const std::string& r : limiter.recorded()) {
    CHECK_MESSAGE(!contains(r, " ok"), "a refused login was recorded as a success: ", r);
  }
}

TEST_CASE("the rate limiter is told of successes and failures") {
  RecordingLimiter limiter(true);
  Fixture f;
  Options o = f.options();
  o.rate_limiter = &limiter;
  f.reopen(o);
  MF_CHECK_OK(f.ctx().authenticate(demo("luc.petit"), kLucPassword, Service::kImap, "o1"));
  MF_CHECK_CODE(f.ctx().authenticate(demo("luc.petit"), "bad-password", Service::kImap, "o2"),
                Code::kUnauthenticated);
  MF_CHECK_CODE(f.ctx().authenticate(demo("personne"), "bad-password", Service::kImap, "o3"),
                Code::kUnauthenticated);
  CHECK(limiter.allowed().size() == 3);
  const std::vector<std::string> expected = {demo("luc.petit") + " o1 ok",
                                            demo("luc.petit") + " o2 fail",
                                            demo("personne") + " o3 fail"};
  CHECK_MESSAGE(limiter.recorded() == expected, join(limiter.recorded()));
}

TEST_CASE("authenticate_async calls back with the same result as authenticate") {
  Fixture f;
  auto good = authenticate_async(f.ctx(), demo("direction"), kJeanPassword, Service::kImap);
  REQUIRE_MESSAGE(good.is_ok(), good.status().to_string());
  CHECK(good->name() == demo("jean.martin"));
  CHECK(good->origin() == kOrigin);
  auto bad = authenticate_async(f.ctx(), demo("jean.martin"), "bad-password", Service::kImap);
  auto bad_sync = f.ctx().authenticate(demo("jean.martin"), "bad-password", Service::kImap, kOrigin);
  CHECK(bad.status().code() == Code::kUnauthenticated);
  CHECK(bad.status().message() == bad_sync.status().message());
  auto admin = authenticate_async(f.ctx(), kAdminName, kAdminPassword, Service::kPop3);
  CHECK(admin.status().code() == Code::kUnauthenticated);
}

TEST_CASE("authenticate_async copies its arguments") {
  Fixture f;
  auto promise = std::make_shared<std::promise<Result<Principal>>>();
  std::future<Result<Principal>> future = promise->get_future();
  {
    std::string login = demo("luc.petit");
    std::string password = kLucPassword;
    std::string origin = "pop3 192.0.2.3";
    f.ctx().authenticate_async(login, password, Service::kPop3, origin,
                               [promise](Result<Principal> r) { promise->set_value(std::move(r)); });
    // Overwrite the caller's buffers at once: the pool must have its own copies.
    login.assign(login.size(), 'x');
    password.assign(password.size(), 'x');
    origin.assign(origin.size(), 'x');
  }
  REQUIRE(future.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
  auto r = future.get();
  REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
  CHECK(r->name() == demo("luc.petit"));
  CHECK(r->origin() == "pop3 192.0.2.3");
}

TEST_CASE("many concurrent asynchronous logins all complete with the right answers") {
  Fixture f;
  constexpr int kLogins = 40;
  std::vector<std::future<Result<Principal>>> futures;
  for (int i = 0; i < kLogins; ++i) {
    auto promise = std::make_shared<std::promise<Result<Principal>>>();
    futures.push_back(promise->get_future());
    bool good = i % 2 == 0;
    f.ctx().authenticate_async(demo("emma.durand"), good ? kEmmaPassword : "bad-password",
                               Service::kImap, kOrigin,
                               [promise](Result<Principal> r) { promise->set_value(std::move(r)); });
  }
  for (int i = 0; i < kLogins; ++i) {
    REQUIRE(futures[i].wait_for(std::chrono::seconds(60)) == std::future_status::ready);
    auto r = futures[i].get();
    if (i % 2 == 0) {
      CHECK_MESSAGE(r.is_ok(), r.status().to_string());
    } else {
      CHECK(r.status().code() == Code::kUnauthenticated);
    }
  }
}

// context.h says `done` is called with the result; it does not say what closing the
// Context does to queued logins. A daemon waits for every callback, so each must run once.
TEST_CASE("closing a context calls back every pending asynchronous login once") {
  Fixture f;
  auto calls = std::make_shared<std::atomic<int>>(0);
  for (int i = 0; i < 8; ++i) {
    f.ctx().authenticate_async(demo("emma.durand"), kEmmaPassword, Service::kImap, kOrigin,
                               [calls](Result<Principal>) { calls->fetch_add(1); });
  }
  f.reopen();
  CHECK(calls->load() == 8);
  MF_CHECK_OK(f.ctx().authenticate(demo("emma.durand"), kEmmaPassword, Service::kImap, kOrigin));
}

// The stored hash is not visible through the public API; the test looks for the yescrypt
// parameter prefixes ("$y$<params>$") in the store file, which LMDB keeps as written.
TEST_CASE("a login rehashes the password when the cost changed") {
  TempDir tmp;
  const std::string data = tmp.sub("data");
  const std::string file = data + "/store/data.mdb";
  Options cost1 = test_options();
  Options cost2 = test_options();
  cost2.password_cost = 2;
  const std::string prefix1 = yescrypt_prefix(1);
  const std::string prefix2 = yescrypt_prefix(2);
  REQUIRE(prefix1 != prefix2);
  {
    auto ctx = make_context(data, cost1);
    Principal admin = ctx->local_administrator(kOrigin);
    MF_REQUIRE_OK(ctx->directory().add_domain(admin, kDemoDomain));
    MF_REQUIRE_OK(ctx->directory().add_account(admin, demo("luc.petit"),
                                               {"Luc Petit", kLucPassword, {}}));
  }
  std::string before = file_contents(file);
  REQUIRE_MESSAGE(count_occurrences(before, prefix1) >= 2,
                  "no cost-1 yescrypt hash found in ", file);
  REQUIRE(count_occurrences(before, prefix2) == 0);
  {
    auto ctx = Context::open(data, cost2);
    REQUIRE_MESSAGE(ctx.is_ok(), ctx.status().to_string());
    MF_CHECK_OK((*ctx)->authenticate(demo("luc.petit"), kLucPassword, Service::kImap, kOrigin));
    // A failed login must not rehash anything.
    MF_CHECK_CODE((*ctx)->authenticate(kAdminName, "wrong-password", Service::kAdmin, kOrigin),
                  Code::kUnauthenticated);
    MF_CHECK_OK((*ctx)->authenticate(demo("luc.petit"), kLucPassword, Service::kImap, kOrigin));
  }
  std::string after = file_contents(file);
  CHECK_MESSAGE(count_occurrences(after, prefix2) >= 1, "the password was not rehashed at cost 2");
  {
    auto ctx = Context::open(data, cost1);
    REQUIRE_MESSAGE(ctx.is_ok(), ctx.status().to_string());
    MF_CHECK_OK((*ctx)->authenticate(demo("luc.petit"), kLucPassword, Service::kImap, kOrigin));
    MF_CHECK_OK((*ctx)->authenticate(kAdminName, kAdminPassword, Service::kAdmin, kOrigin));
    MF_CHECK_CODE((*ctx)->authenticate(demo("luc.petit"), "wrong-password", Service::kImap, kOrigin),
                  Code::kUnauthenticated);
  }
}

TEST_CASE("the password is never stored in clear") {
  TempDir tmp;
  const std::string data = tmp.sub("data");
  {
    auto ctx = make_context(data);
    Principal admin = ctx->local_administrator(kOrigin);
    MF_REQUIRE_OK(ctx->directory().add_domain(admin, kDemoDomain));
    MF_REQUIRE_OK(ctx->directory().add_account(admin, demo("luc.petit"),
                                               {"Luc Petit", "clear-text-secret-1", {}}));
    MF_REQUIRE_OK(ctx->directory().set_password(admin, demo("luc.petit"), "clear-text-secret-2"));
  }
  std::string contents = file_contents(data + "/store/data.mdb");
  REQUIRE_FALSE(contents.empty());
  CHECK_FALSE(contains(contents, "clear-text-secret-1"));
  CHECK_FALSE(contains(contents, "clear-text-secret-2"));
  CHECK_FALSE(contains(contents, kAdminPassword));
}

TEST_CASE("service names are stable") {
  CHECK(service_name(Service::kAdmin) == "admin");
  CHECK(service_name(Service::kSmtp) == "smtp");
  CHECK(service_name(Service::kImap) == "imap");
  CHECK(service_name(Service::kPop3) == "pop3");
  CHECK(service_name(Service::kWeb) == "web");
}

}  // namespace
}  // namespace mf::test
