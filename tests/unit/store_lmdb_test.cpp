// Unit tests of the LMDB layer: transactions, map growth, schema versions.
#include <doctest/doctest.h>

#include "store/lmdb_env.h"
#include "store/schema.h"
#include "test_support.h"

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ctime>
#include <stdexcept>

using namespace mf;
using namespace mf::store;

namespace {

int64_t fixed_clock() { return 1700000000; }

std::unique_ptr<LmdbEnv> open_env(const std::string& dir, uint64_t initial, uint64_t max) {
  auto env = LmdbEnv::open(dir, EnvOptions{initial, max}, fixed_clock);
  REQUIRE_MESSAGE(env.is_ok(), env.status().to_string());
  return std::move(env).value();
}

// Writes `count` keys "k<i>" with 1 KiB values, one transaction each.
Status fill(LmdbEnv& env, int from, int count) {
  std::string value(1024, 'v');
  for (int i = from; i < from + count; ++i) {
    Status s = env.write([&](Txn& txn) { return txn.put(Table::kMeta, fmt::format("k{:06}", i), value); });
    if (!s.is_ok()) return s;
  }
  return Status::ok();
}

int count_keys(LmdbEnv& env) {
  int n = 0;
  Status s = env.read([&](Txn& txn) {
    return txn.scan_prefix(Table::kMeta, "k", [&](std::string_view, std::string_view v) {
      if (v.size() == 1024) ++n;
      return true;
    });
  });
  REQUIRE(s.is_ok());
  return n;
}

}  // namespace

TEST_CASE("a write transaction that fails leaves nothing behind") {
  test::TempDir dir;
  auto env = open_env(dir.path(), 1 << 20, 1 << 20);
  Status s = env->write([&](Txn& txn) -> Status {
    MF_RETURN_IF_ERROR(txn.put(Table::kMeta, "first", "1"));
    return invalid_argument("second step refused");
  });
  CHECK(s.code() == Code::kInvalidArgument);
  CHECK(env->read([&](Txn& txn) -> Status {
           MF_ASSIGN_OR_RETURN(auto v, txn.get(Table::kMeta, "first"));
           CHECK_FALSE(v.has_value());
           return Status::ok();
         }).is_ok());
}

TEST_CASE("an exception inside a write transaction aborts it") {
  test::TempDir dir;
  auto env = open_env(dir.path(), 1 << 20, 1 << 20);
  CHECK_THROWS_AS(env->write([&](Txn& txn) -> Status {
    (void)txn.put(Table::kMeta, "thrown", "1");
    throw std::runtime_error("boom");
  }),
                  std::runtime_error);
  CHECK(env->read([&](Txn& txn) -> Status {
           MF_ASSIGN_OR_RETURN(bool has, txn.contains(Table::kMeta, "thrown"));
           CHECK_FALSE(has);
           return Status::ok();
         }).is_ok());
}

TEST_CASE("put with no-overwrite refuses an existing key") {
  test::TempDir dir;
  auto env = open_env(dir.path(), 1 << 20, 1 << 20);
  CHECK(env->write([&](Txn& txn) { return txn.put(Table::kMeta, "a", "1", Txn::Put::kNoOverwrite); }).is_ok());
  Status s = env->write([&](Txn& txn) { return txn.put(Table::kMeta, "a", "2", Txn::Put::kNoOverwrite); });
  CHECK(s.code() == Code::kAlreadyExists);
}

TEST_CASE("the map grows when full and every write survives") {
  test::TempDir dir;
  auto env = open_env(dir.path(), 64 << 10, 64 << 20);
  uint64_t initial = env->stats().map_size;
  REQUIRE(fill(*env, 0, 2000).is_ok());  // about 2 MiB into a 64 KiB map
  EnvStats st = env->stats();
  CHECK(st.resizes > 0);
  CHECK(st.map_size > initial);
  CHECK(count_keys(*env) == 2000);
  env.reset();
  auto again = open_env(dir.path(), 64 << 10, 64 << 20);
  CHECK(count_keys(*again) == 2000);
}

TEST_CASE("a full store at its maximum size refuses writes and loses nothing") {
  test::TempDir dir;
  auto env = open_env(dir.path(), 64 << 10, 512 << 10);
  Status s = fill(*env, 0, 5000);
  REQUIRE(s.code() == Code::kResourceExhausted);
  CHECK(s.message().find("maximum size") != std::string::npos);
  int written = count_keys(*env);
  CHECK(written > 100);
  // A transaction that would overflow is refused whole: nothing of it is visible.
  std::string big(200 << 10, 'x');
  Status t = env->write([&](Txn& txn) -> Status {
    MF_RETURN_IF_ERROR(txn.put(Table::kMeta, "marker", "m"));
    for (int i = 0; i < 8; ++i) MF_RETURN_IF_ERROR(txn.put(Table::kMeta, fmt::format("big{}", i), big));
    return Status::ok();
  });
  CHECK(t.code() == Code::kResourceExhausted);
  CHECK(env->read([&](Txn& txn) -> Status {
           MF_ASSIGN_OR_RETURN(bool has, txn.contains(Table::kMeta, "marker"));
           CHECK_FALSE(has);
           return Status::ok();
         }).is_ok());
  env.reset();
  auto again = open_env(dir.path(), 64 << 10, 1 << 20);
  CHECK(count_keys(*again) == written);
  // With a larger maximum, writing goes on.
  CHECK(fill(*again, 100000, 50).is_ok());
}

TEST_CASE("a map grown by another process is adopted") {
  test::TempDir dir;
  auto env = open_env(dir.path(), 64 << 10, 64 << 20);
  REQUIRE(fill(*env, 0, 10).is_ok());
  uint64_t before = env->stats().map_size;
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // The child opens its own environment (never the parent's) and grows the map.
    auto child = LmdbEnv::open(dir.path(), EnvOptions{64 << 10, 64 << 20}, fixed_clock);
    int rc = child.is_ok() && fill(**child, 1000, 1000).is_ok() ? 0 : 1;
    _exit(rc);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  CHECK(count_keys(*env) == 1010);
  CHECK(fill(*env, 5000, 10).is_ok());
  CHECK(count_keys(*env) == 1020);
  CHECK(env->stats().map_size > before);
}

TEST_CASE("a data directory of a newer schema version is refused with a clear error") {
  test::TempDir dir;
  auto ctx = test::make_context(dir.path());
  ctx.reset();
  {
    auto env = open_env(dir.path() + "/store", 1 << 20, 1 << 30);
    REQUIRE(env->write([](Txn& txn) { return write_schema_version(txn, kSchemaVersion + 7); }).is_ok());
  }
  auto again = Context::open(dir.path(), test::test_options());
  REQUIRE_FALSE(again.is_ok());
  CHECK(again.status().code() == Code::kUnsupported);
  CHECK(again.status().message().find("newer") != std::string::npos);
  CHECK(again.status().message().find("upgrade MailFountain") != std::string::npos);
}

TEST_CASE("an older schema is migrated step by step in one transaction") {
  test::TempDir dir;
  auto env = open_env(dir.path(), 1 << 20, 1 << 20);
  REQUIRE(env->write([](Txn& txn) { return write_schema_version(txn, 1); }).is_ok());
  std::vector<Migration> steps = {
      {1, [](Txn& txn) { return txn.put(Table::kMeta, "added_by_v2", "yes"); }},
      {2, [](Txn& txn) { return txn.put(Table::kMeta, "added_by_v3", "yes"); }},
  };
  REQUIRE(env->write([&](Txn& txn) { return upgrade_schema(txn, 3, steps); }).is_ok());
  CHECK(env->read([](Txn& txn) -> Status {
           MF_ASSIGN_OR_RETURN(auto v, read_schema_version(txn));
           CHECK(v == 3u);
           MF_ASSIGN_OR_RETURN(bool a, txn.contains(Table::kMeta, "added_by_v2"));
           MF_ASSIGN_OR_RETURN(bool b, txn.contains(Table::kMeta, "added_by_v3"));
           CHECK(a);
           CHECK(b);
           return Status::ok();
         }).is_ok());
}

TEST_CASE("a failing migration leaves the store at its old version") {
  test::TempDir dir;
  auto env = open_env(dir.path(), 1 << 20, 1 << 20);
  REQUIRE(env->write([](Txn& txn) { return write_schema_version(txn, 1); }).is_ok());
  std::vector<Migration> steps = {
      {1, [](Txn& txn) { return txn.put(Table::kMeta, "half", "done"); }},
      {2, [](Txn&) { return io_error("disk on fire"); }},
  };
  Status s = env->write([&](Txn& txn) { return upgrade_schema(txn, 3, steps); });
  CHECK(s.code() == Code::kIOError);
  CHECK(s.message().find("migrating schema 2 to 3") != std::string::npos);
  CHECK(env->read([](Txn& txn) -> Status {
           MF_ASSIGN_OR_RETURN(auto v, read_schema_version(txn));
           CHECK(v == 1u);
           MF_ASSIGN_OR_RETURN(bool half, txn.contains(Table::kMeta, "half"));
           CHECK_FALSE(half);
           return Status::ok();
         }).is_ok());
}

TEST_CASE("a missing migration step is reported") {
  test::TempDir dir;
  auto env = open_env(dir.path(), 1 << 20, 1 << 20);
  REQUIRE(env->write([](Txn& txn) { return write_schema_version(txn, 1); }).is_ok());
  Status s = env->write([&](Txn& txn) { return upgrade_schema(txn, 2, {}); });
  CHECK(s.code() == Code::kUnsupported);
  CHECK(s.message().find("no migration from schema version 1") != std::string::npos);
}
