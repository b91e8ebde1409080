// tests/consume/consumer.cpp — a program written the way a third-party product uses an
// installed libmailfountain: it includes only <mailfountain/mailfountain.hpp> and links
// the library through find_package, pkg-config or add_subdirectory (see run.sh).
//
// It creates a data directory in a fresh temporary directory, adds the domain
// ma-societe.fr, and checks that postmaster@ma-societe.fr resolves to its own mailbox
// (the account the domain creates, RFC 2142). Exits 0 and prints one line on success;
// prints what went wrong and exits 1 otherwise. Takes one argument: a label for the
// output ("find_package shared", ...).

#include <mailfountain/mailfountain.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace {

// Prints `what` and the status' message, and returns false, when `status` is an error.
bool check(const mf::Status& status, const char* what) {
  if (status.is_ok()) return true;
  std::fprintf(stderr, "consumer: %s failed: %s\n", what, status.to_string().c_str());
  return false;
}

bool run(const std::string& dir, const char* label) {
  mf::Options options;
  options.password_cost = 1;  // The lowest cost: this program tests linking, not hashing.
  options.initial_map_size = uint64_t{1} << 20;

  if (!check(mf::Context::init(dir, "admin", "consumer-secret-1", options), "Context::init")) {
    return false;
  }
  auto context = mf::Context::open(dir, options);
  if (!check(context.status(), "Context::open")) return false;

  mf::Directory& directory = (*context)->directory();
  const mf::Principal admin = (*context)->local_administrator("consume test");
  if (!check(directory.add_domain(admin, "ma-societe.fr"), "add_domain")) return false;

  auto resolution = directory.resolve("postmaster@ma-societe.fr");
  if (!check(resolution.status(), "resolve")) return false;
  const std::vector<std::string> expected = {"postmaster@ma-societe.fr"};
  if (resolution->kind != mf::AddressKind::kAccount || resolution->mailboxes != expected ||
      !resolution->external.empty()) {
    std::fprintf(stderr,
                 "consumer: postmaster@ma-societe.fr resolved to %zu mailbox(es), %zu external "
                 "address(es), kind %s; expected the account itself\n",
                 resolution->mailboxes.size(), resolution->external.size(),
                 std::string(mf::address_kind_name(resolution->kind)).c_str());
    return false;
  }

  auto missing = directory.resolve("nobody@ma-societe.fr");
  if (missing.status().code() != mf::Code::kNotFound) {
    std::fprintf(stderr, "consumer: resolving nobody@ma-societe.fr gave '%s', not not_found\n",
                 missing.status().to_string().c_str());
    return false;
  }

  std::printf("consumer (%s, MailFountain %s): postmaster@ma-societe.fr -> %s\n", label,
              MF_VERSION_STRING, resolution->mailboxes.front().c_str());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const char* label = argc > 1 ? argv[1] : "consumer";

  std::error_code error;
  const std::filesystem::path base = std::filesystem::temp_directory_path(error);
  if (error) {
    std::fprintf(stderr, "consumer: no temporary directory: %s\n", error.message().c_str());
    return 1;
  }
  std::string pattern = (base / "mf-consumer-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    std::perror("consumer: mkdtemp");
    return 1;
  }

  const bool ok = run(pattern + "/data", label);
  std::filesystem::remove_all(pattern, error);
  return ok ? 0 : 1;
}
