// Helpers shared by the directory model's unit tests: a data directory with a fake clock,
// optionally loaded with MA SOCIETE (DEMO.md), logins of the demo people, and assertion
// macros that print a failed Status in full.
//
// Everything here uses the public API only (mailfountain.hpp): these tests check the
// directory's contract as an embedding program sees it.
#ifndef MF_TESTS_UNIT_DIRECTORY_FIXTURE_H
#define MF_TESTS_UNIT_DIRECTORY_FIXTURE_H

#include "test_support.h"

#include <mailfountain/mailfountain.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

// Checks that a Status or Result expression succeeded; prints the status otherwise.
#define MF_CHECK_OK(expr)                                                  \
  do {                                                                     \
    const ::mf::Status mf_check_status_ = ::mf::detail::to_status((expr)); \
    CHECK_MESSAGE(mf_check_status_.is_ok(), mf_check_status_.to_string()); \
  } while (0)

#define MF_REQUIRE_OK(expr)                                                  \
  do {                                                                       \
    const ::mf::Status mf_require_status_ = ::mf::detail::to_status((expr)); \
    REQUIRE_MESSAGE(mf_require_status_.is_ok(), mf_require_status_.to_string()); \
  } while (0)

// Checks that a Status or Result expression failed with `code`.
#define MF_CHECK_CODE(expr, expected_code)                                             \
  do {                                                                                 \
    const ::mf::Status mf_check_status_ = ::mf::detail::to_status((expr));             \
    CHECK_MESSAGE(mf_check_status_.code() == (expected_code), "expected ",             \
                  ::mf::code_name(expected_code), ", got ", mf_check_status_.to_string()); \
  } while (0)

namespace mf::test {

// The fake time every fixture starts at (2023-11-14T22:13:20Z).
inline constexpr int64_t kFakeNow = 1700000000;

inline constexpr const char* kDemoDomain = "ma-societe.fr";
inline constexpr const char* kOrigin = "unit-test";

// "jean.martin" -> "jean.martin@ma-societe.fr".
inline std::string demo(std::string_view local) {
  return std::string(local) + "@" + kDemoDomain;
}

// The demo passwords of test_support.cpp's load_demo().
inline constexpr const char* kJeanPassword = "jean-pw-123";
inline constexpr const char* kSophiePassword = "sophie-pw-123";
inline constexpr const char* kLucPassword = "luc-pw-123";
inline constexpr const char* kEmmaPassword = "emma-pw-123";

// "a, b, c", for failure messages.
inline std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return "[" + out + "]";
}

inline std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

inline bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

inline bool contains_nocase(std::string_view haystack, std::string_view needle) {
  return contains(lower(haystack), lower(needle));
}

inline std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// A data directory opened with test_options() and a settable fake clock.
class Fixture {
 public:
  enum class Load { kEmpty, kDemo };

  explicit Fixture(Load load = Load::kDemo) : now_(std::make_shared<std::atomic<int64_t>>(kFakeNow)) {
    ctx_ = make_context(data_path(), options());
    if (load == Load::kDemo) load_demo(*ctx_);
  }

  // The options this fixture opens its context with (fake clock included).
  Options options() const {
    Options o = test_options();
    std::shared_ptr<std::atomic<int64_t>> now = now_;
    o.clock = [now] { return now->load(); };
    return o;
  }

  std::string data_path() const { return tmp_.sub("data"); }
  Context& ctx() { return *ctx_; }
  Directory& dir() { return ctx_->directory(); }
  void set_now(int64_t t) { now_->store(t); }

  // Closes the context and opens the data directory again with `o`.
  void reopen(const Options& o) {
    ctx_.reset();
    auto reopened = Context::open(data_path(), o);
    REQUIRE_MESSAGE(reopened.is_ok(), reopened.status().to_string());
    ctx_ = std::move(reopened).value();
  }
  void reopen() { reopen(options()); }
  // Closes the context (reopen() opens it again), e.g. to open its store alone.
  void close() { ctx_.reset(); }

  Principal admin() { return ctx_->local_administrator(kOrigin); }

  // Logs in through the web service (open to accounts, closed to the administrator).
  Principal login(std::string_view address, std::string_view password) {
    auto p = ctx_->authenticate(address, password, Service::kWeb, kOrigin);
    REQUIRE_MESSAGE(p.is_ok(), "login ", std::string(address), ": ", p.status().to_string());
    return std::move(p).value();
  }

  Principal jean() { return login(demo("jean.martin"), kJeanPassword); }
  Principal sophie() { return login(demo("sophie.bernard"), kSophiePassword); }
  Principal luc() { return login(demo("luc.petit"), kLucPassword); }
  Principal emma() { return login(demo("emma.durand"), kEmmaPassword); }

  // The mailboxes `address` resolves to; fails the test if it does not resolve.
  std::vector<std::string> mailboxes(std::string_view address) {
    auto r = dir().resolve(address);
    REQUIRE_MESSAGE(r.is_ok(), "resolve ", std::string(address), ": ", r.status().to_string());
    return r->mailboxes;
  }

  // The audit log, whole.
  std::vector<AuditEntry> audit() {
    auto entries = dir().list_audit(admin(), 0, 1000000);
    REQUIRE_MESSAGE(entries.is_ok(), entries.status().to_string());
    return std::move(entries).value();
  }

 private:
  TempDir tmp_;
  std::shared_ptr<std::atomic<int64_t>> now_;
  std::unique_ptr<Context> ctx_;
};

}  // namespace mf::test

#endif  // MF_TESTS_UNIT_DIRECTORY_FIXTURE_H
