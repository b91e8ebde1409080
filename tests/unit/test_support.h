// Helpers shared by the unit tests: temporary data directories and contexts opened on
// them with cheap password hashing.
#ifndef MF_TESTS_UNIT_TEST_SUPPORT_H
#define MF_TESTS_UNIT_TEST_SUPPORT_H

#include <mailfountain/mailfountain.hpp>

#include <memory>
#include <string>

namespace mf::test {

// A fresh directory under $TMPDIR, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Options for tests: the lowest yescrypt cost, so that hashing takes microseconds.
Options test_options();

constexpr const char* kAdminName = "admin";
constexpr const char* kAdminPassword = "admin-secret-1";

// init + open of a data directory `dir` with test_options(); fails the test on error.
std::unique_ptr<Context> make_context(const std::string& dir, Options options = test_options());

// Loads MA SOCIETE as DEMO.md describes (accounts with password "<first name>-pw-123",
// e.g. "jean-pw-123"; aliases; redirections; Jean manager of ma-societe.fr).
void load_demo(Context& ctx);

}  // namespace mf::test

#endif  // MF_TESTS_UNIT_TEST_SUPPORT_H
