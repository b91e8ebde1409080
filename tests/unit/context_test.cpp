// The Context: init and open of a data directory, two independent contexts in one
// process, atomicity of operations, growth of the LMDB map and its hard limit.
#include "directory_fixture.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <thread>

namespace mf::test {
namespace {

std::vector<std::string> domain_names(Context& ctx) {
  auto list = ctx.directory().list_domains(ctx.local_administrator(kOrigin));
  REQUIRE_MESSAGE(list.is_ok(), list.status().to_string());
  std::vector<std::string> names;
  for (const DomainInfo& info : *list) names.push_back(info.name);
  return names;
}

uint64_t account_count(Context& ctx, std::string_view domain) {
  auto list = ctx.directory().list_accounts(ctx.local_administrator(kOrigin), domain);
  REQUIRE_MESSAGE(list.is_ok(), list.status().to_string());
  return list->size();
}

std::string numbered(int i) { return "compte" + std::to_string(i) + "@ma-societe.fr"; }

// A display name of 200 bytes, so that each write fills the map faster (each write is one
// synced LMDB commit: fewer, larger writes keep these tests quick).
NewAccount bulky_account(int i) {
  NewAccount a;
  a.display_name = "Compte " + std::to_string(i) + " ";
  a.display_name.resize(200, 'x');
  return a;
}

TEST_CASE("two contexts on two directories in one process are independent") {
  TempDir tmp;
  auto one = make_context(tmp.sub("one"));
  auto two = make_context(tmp.sub("two"));
  MF_REQUIRE_OK(one->directory().add_domain(one->local_administrator(kOrigin), "un.fr"));
  MF_REQUIRE_OK(two->directory().add_domain(two->local_administrator(kOrigin), "deux.fr"));
  CHECK(domain_names(*one) == std::vector<std::string>{"un.fr"});
  CHECK(domain_names(*two) == std::vector<std::string>{"deux.fr"});
  MF_CHECK_OK(one->directory().resolve("abuse@un.fr"));
  MF_CHECK_CODE(one->directory().resolve("abuse@deux.fr"), Code::kNotFound);
  MF_CHECK_CODE(two->directory().resolve("abuse@un.fr"), Code::kNotFound);
  CHECK(one->data_dir() != two->data_dir());
  // Closing one leaves the other working.
  one.reset();
  MF_CHECK_OK(two->directory().add_domain(two->local_administrator(kOrigin), "trois.fr"));
  CHECK(domain_names(*two) == std::vector<std::string>{"deux.fr", "trois.fr"});
}

TEST_CASE("a principal made by one context is refused by another") {
  TempDir tmp;
  auto one = make_context(tmp.sub("one"));
  auto two = make_context(tmp.sub("two"));
  Principal admin_one = one->local_administrator(kOrigin);
  Status s = two->directory().add_domain(admin_one, "intrus.fr");
  CHECK_FALSE_MESSAGE(s.is_ok(), "context two accepted a principal of context one");
  CHECK(domain_names(*two).empty());
  CHECK_FALSE(two->directory().list_audit(admin_one, 0, 10).is_ok());
}

TEST_CASE("a principal of a closed context is refused after reopening") {
  Fixture f(Fixture::Load::kEmpty);
  Principal stale = f.admin();
  f.reopen();
  CHECK_FALSE(f.dir().add_domain(stale, "exemple.fr").is_ok());
  CHECK(domain_names(f.ctx()).empty());
}

TEST_CASE("two contexts with different administrators keep their own credentials") {
  TempDir tmp;
  MF_REQUIRE_OK(Context::init(tmp.sub("one"), "root-one", "password-one", test_options()));
  MF_REQUIRE_OK(Context::init(tmp.sub("two"), "root-two", "password-two", test_options()));
  auto one = Context::open(tmp.sub("one"), test_options());
  auto two = Context::open(tmp.sub("two"), test_options());
  REQUIRE_MESSAGE(one.is_ok(), one.status().to_string());
  REQUIRE_MESSAGE(two.is_ok(), two.status().to_string());
  MF_CHECK_OK((*one)->authenticate("root-one", "password-one", Service::kAdmin, kOrigin));
  MF_CHECK_CODE((*one)->authenticate("root-two", "password-two", Service::kAdmin, kOrigin),
                Code::kUnauthenticated);
  MF_CHECK_OK((*two)->authenticate("root-two", "password-two", Service::kAdmin, kOrigin));
}

TEST_CASE("opening a directory that was never initialised says to run init") {
  TempDir tmp;
  auto missing = Context::open(tmp.sub("absent"), test_options());
  REQUIRE_FALSE(missing.is_ok());
  CHECK_MESSAGE(missing.status().code() == Code::kNotFound, missing.status().to_string());
  CHECK_MESSAGE(contains_nocase(missing.status().message(), "init"), missing.status().to_string());
  // An existing but empty directory is not initialised either.
  auto empty = Context::open(tmp.path(), test_options());
  REQUIRE_FALSE(empty.is_ok());
  CHECK_MESSAGE(empty.status().code() == Code::kNotFound, empty.status().to_string());
  CHECK_MESSAGE(contains_nocase(empty.status().message(), "init"), empty.status().to_string());
}

TEST_CASE("opening a directory does not initialise it") {
  TempDir tmp;
  CHECK_FALSE(Context::open(tmp.sub("data"), test_options()).is_ok());
  // A failed open must not leave a half-made store that makes init fail.
  MF_CHECK_OK(Context::init(tmp.sub("data"), kAdminName, kAdminPassword, test_options()));
}

TEST_CASE("initialising a directory twice is refused as already existing") {
  TempDir tmp;
  auto ctx = make_context(tmp.sub("data"));
  MF_REQUIRE_OK(ctx->directory().add_domain(ctx->local_administrator(kOrigin), "exemple.fr"));
  ctx.reset();
  MF_CHECK_CODE(Context::init(tmp.sub("data"), "other", "other-password", test_options()),
                Code::kAlreadyExists);
  // The existing store is untouched: same administrator, same domains.
  auto reopened = Context::open(tmp.sub("data"), test_options());
  REQUIRE_MESSAGE(reopened.is_ok(), reopened.status().to_string());
  CHECK(domain_names(**reopened) == std::vector<std::string>{"exemple.fr"});
  MF_CHECK_OK((*reopened)->authenticate(kAdminName, kAdminPassword, Service::kAdmin, kOrigin));
  MF_CHECK_CODE((*reopened)->authenticate("other", "other-password", Service::kAdmin, kOrigin),
                Code::kUnauthenticated);
}

TEST_CASE("init refuses a bad administrator name and creates nothing") {
  TempDir tmp;
  for (const char* bad : {"", "admin@ma-societe.fr", "ad min", "admin/x", "admin:1"}) {
    MF_CHECK_CODE(Context::init(tmp.sub("data"), bad, kAdminPassword, test_options()),
                  Code::kInvalidArgument);
  }
  MF_CHECK_CODE(Context::open(tmp.sub("data"), test_options()), Code::kNotFound);
  MF_CHECK_OK(Context::init(tmp.sub("data"), "root.admin_1-x", kAdminPassword, test_options()));
}

TEST_CASE("init refuses an administrator password shorter than 8 characters") {
  TempDir tmp;
  MF_CHECK_CODE(Context::init(tmp.sub("data"), kAdminName, "1234567", test_options()),
                Code::kInvalidArgument);
  MF_CHECK_CODE(Context::open(tmp.sub("data"), test_options()), Code::kNotFound);
  MF_CHECK_OK(Context::init(tmp.sub("data"), kAdminName, "12345678", test_options()));
}

TEST_CASE("the local administrator principal carries the given origin") {
  Fixture f(Fixture::Load::kEmpty);
  Principal admin = f.ctx().local_administrator("mfctl uid=0");
  CHECK(admin.is_administrator());
  CHECK(admin.kind() == Principal::Kind::kAdministrator);
  CHECK(admin.name() == kAdminName);
  CHECK(admin.origin() == "mfctl uid=0");
}

TEST_CASE("the context reports its data directory and schema version") {
  Fixture f(Fixture::Load::kEmpty);
  CHECK(f.ctx().data_dir() == f.data_path());
  auto stats = f.ctx().store_stats();
  REQUIRE_MESSAGE(stats.is_ok(), stats.status().to_string());
  CHECK(Context::schema_version() > 0);
  CHECK(stats->schema_version == Context::schema_version());
  CHECK(stats->map_size >= f.options().initial_map_size);
  CHECK(stats->used_bytes > 0);
  CHECK(stats->used_bytes <= stats->map_size);
  CHECK(stats->map_resizes == 0);
}

TEST_CASE("the store lives under store in the data directory") {
  Fixture f(Fixture::Load::kEmpty);
  CHECK(std::filesystem::is_directory(f.data_path() + "/store"));
}

TEST_CASE("the directory survives closing and reopening") {
  Fixture f;
  f.reopen();
  CHECK(domain_names(f.ctx()) == std::vector<std::string>{kDemoDomain});
  CHECK(account_count(f.ctx(), kDemoDomain) == 6);
  CHECK(f.mailboxes(demo("support")) ==
        std::vector<std::string>{demo("emma.durand"), demo("luc.petit")});
  MF_CHECK_OK(f.ctx().authenticate(demo("direction"), kJeanPassword, Service::kImap, kOrigin));
  auto grants = f.dir().list_managers(f.admin(), kDemoDomain);
  REQUIRE_MESSAGE(grants.is_ok(), grants.status().to_string());
  CHECK(grants->size() == 1);
}

TEST_CASE("a redirection with one missing target among several leaves nothing behind") {
  Fixture f;
  size_t audit_before = f.audit().size();
  MF_CHECK_CODE(f.dir().add_redirection(
                    f.admin(), demo("equipe"),
                    {demo("luc.petit"), demo("emma.durand"), "x@example.org", demo("personne")},
                    SendAs::kMembersMaySend),
                Code::kNotFound);
  MF_CHECK_CODE(f.dir().resolve(demo("equipe")), Code::kNotFound);
  auto list = f.dir().list_redirections(f.admin(), kDemoDomain);
  REQUIRE_MESSAGE(list.is_ok(), list.status().to_string());
  CHECK(list->size() == 2);
  auto info = f.dir().show_domain(f.admin(), kDemoDomain);
  REQUIRE_MESSAGE(info.is_ok(), info.status().to_string());
  CHECK(info->redirections == 2);
  CHECK(f.audit().size() == audit_before);
  // The may_send_as index holds nothing of it either.
  auto may = f.dir().may_send_as(demo("luc.petit"), demo("equipe"));
  CHECK_FALSE((may.is_ok() && *may));
}

TEST_CASE("a refused domain removal leaves everything in place") {
  Fixture f;
  MF_CHECK_CODE(f.dir().remove_domain(f.admin(), kDemoDomain, Removal::kRefuseIfInUse),
                Code::kFailedPrecondition);
  auto info = f.dir().show_domain(f.admin(), kDemoDomain);
  REQUIRE_MESSAGE(info.is_ok(), info.status().to_string());
  CHECK(info->accounts == 6);
  CHECK(info->aliases == 4);
  CHECK(info->redirections == 2);
  CHECK(info->managers.size() == 1);
  for (const char* local : {"abuse", "postmaster", "jean.martin", "direction", "support"}) {
    MF_CHECK_OK(f.dir().resolve(demo(local)));
  }
}

TEST_CASE("concurrent writers from several threads all succeed") {
  Fixture f(Fixture::Load::kEmpty);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  for (int t = 0; t < kThreads; ++t) {
    MF_REQUIRE_OK(f.dir().add_domain(f.admin(), "d" + std::to_string(t) + ".fr"));
  }
  std::vector<std::thread> threads;
  std::vector<int> failures(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&f, &failures, t] {
      Principal admin = f.ctx().local_administrator("thread");
      for (int i = 0; i < kPerThread; ++i) {
        std::string address = "u" + std::to_string(i) + "@d" + std::to_string(t) + ".fr";
        if (!f.dir().add_account(admin, address, {"U", "", {}}).is_ok()) ++failures[t];
        if (!f.dir().resolve(address).is_ok()) ++failures[t];
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    CHECK(failures[t] == 0);
    CHECK(account_count(f.ctx(), "d" + std::to_string(t) + ".fr") == kPerThread + 2);
  }
}

TEST_CASE("the map grows when full and every account survives reopening") {
  TempDir tmp;
  Options o = test_options();
  o.initial_map_size = uint64_t{256} << 10;
  auto ctx = make_context(tmp.sub("data"), o);
  Principal admin = ctx->local_administrator(kOrigin);
  MF_REQUIRE_OK(ctx->directory().add_domain(admin, kDemoDomain));
  constexpr int kAccounts = 1500;
  for (int i = 0; i < kAccounts; ++i) {
    Status s = ctx->directory().add_account(admin, numbered(i), bulky_account(i));
    REQUIRE_MESSAGE(s.is_ok(), "account ", i, ": ", s.to_string());
  }
  auto stats = ctx->store_stats();
  REQUIRE_MESSAGE(stats.is_ok(), stats.status().to_string());
  CHECK(stats->map_resizes > 0);
  CHECK(stats->map_size > o.initial_map_size);
  CHECK(account_count(*ctx, kDemoDomain) == kAccounts + 2);
  ctx.reset();

  auto reopened = Context::open(tmp.sub("data"), o);
  REQUIRE_MESSAGE(reopened.is_ok(), reopened.status().to_string());
  CHECK(account_count(**reopened, kDemoDomain) == kAccounts + 2);
  for (int i = 0; i < kAccounts; ++i) {
    auto r = (*reopened)->directory().resolve(numbered(i));
    if (!r.is_ok()) {
      FAIL_CHECK("account ", i, " lost: ", r.status().to_string());
      break;
    }
  }
}

TEST_CASE("past the maximum map size writes fail as exhausted and nothing written is lost") {
  TempDir tmp;
  Options o = test_options();
  o.initial_map_size = uint64_t{128} << 10;
  o.max_map_size = uint64_t{512} << 10;
  auto ctx = make_context(tmp.sub("data"), o);
  Principal admin = ctx->local_administrator(kOrigin);
  MF_REQUIRE_OK(ctx->directory().add_domain(admin, kDemoDomain));

  int written = 0;
  Status failure;
  for (int i = 0; i < 100000; ++i) {
    Status s = ctx->directory().add_account(admin, numbered(i), bulky_account(i));
    if (!s.is_ok()) {
      failure = s;
      break;
    }
    ++written;
  }
  REQUIRE_MESSAGE(!failure.is_ok(), "512 KiB never filled up");
  CHECK_MESSAGE(failure.code() == Code::kResourceExhausted, failure.to_string());
  CHECK(written > 0);
  auto stats = ctx->store_stats();
  REQUIRE_MESSAGE(stats.is_ok(), stats.status().to_string());
  CHECK(stats->map_size <= o.max_map_size);

  // Reads still work, the failed account is absent, and a second write fails the same way.
  CHECK(account_count(*ctx, kDemoDomain) == static_cast<uint64_t>(written) + 2);
  MF_CHECK_CODE(ctx->directory().resolve(numbered(written)), Code::kNotFound);
  MF_CHECK_CODE(ctx->directory().add_account(admin, numbered(written), bulky_account(written)),
                Code::kResourceExhausted);
  ctx.reset();

  auto reopened = Context::open(tmp.sub("data"), o);
  REQUIRE_MESSAGE(reopened.is_ok(), reopened.status().to_string());
  CHECK(account_count(**reopened, kDemoDomain) == static_cast<uint64_t>(written) + 2);
  for (int i = 0; i < written; ++i) {
    auto r = (*reopened)->directory().resolve(numbered(i));
    if (!r.is_ok()) {
      FAIL_CHECK("account ", i, " lost: ", r.status().to_string());
      break;
    }
  }
  MF_CHECK_CODE((*reopened)->directory().resolve(numbered(written)), Code::kNotFound);
  reopened->reset();

  // With a larger limit the same directory accepts writes again.
  Options larger = o;
  larger.max_map_size = uint64_t{64} << 20;
  auto grown = Context::open(tmp.sub("data"), larger);
  REQUIRE_MESSAGE(grown.is_ok(), grown.status().to_string());
  Principal admin2 = (*grown)->local_administrator(kOrigin);
  MF_CHECK_OK((*grown)->directory().add_account(admin2, numbered(written), {"Compte", "", {}}));
  CHECK(account_count(**grown, kDemoDomain) == static_cast<uint64_t>(written) + 3);
}

TEST_CASE("code names are stable") {
  CHECK(code_name(Code::kOk) == "ok");
  CHECK(code_name(Code::kNotFound) == "not_found");
  CHECK(code_name(Code::kPermissionDenied) == "permission_denied");
  CHECK(code_name(Code::kAlreadyExists) == "already_exists");
  CHECK(address_kind_name(AddressKind::kAccount) == "account");
  CHECK(address_kind_name(AddressKind::kAlias) == "alias");
  CHECK(address_kind_name(AddressKind::kRedirection) == "redirection");
  Status s = not_found("no such domain: x.fr");
  CHECK(s.to_string() == "not_found: no such domain: x.fr");
}

}  // namespace
}  // namespace mf::test
