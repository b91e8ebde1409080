// mfctl/session.h — one run of mfctl: the global options, the opened data directory and
// the principal every command acts as.
#ifndef MFCTL_SESSION_H
#define MFCTL_SESSION_H

#include "output.h"
#include "password_input.h"

#include <mailfountain/context.h>
#include <mailfountain/directory.h>
#include <mailfountain/principal.h>
#include <mailfountain/status.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mfctl {

// The default data directory when neither --data nor MAILFOUNTAIN_DATA is given.
inline constexpr const char* kDefaultDataDir = "/var/lib/mailfountain";

// The global options, as parsed.
struct Settings {
  std::string data_dir;        // never empty after parsing
  bool json = false;           // --json
  std::string as;              // --as ADDRESS; empty: the local administrator
  unsigned password_cost = 5;  // --password-cost (hidden; for tests)
};

class Session {
 public:
  // `out` and `passwords` must outlive the Session.
  Session(Settings settings, Output& out, PasswordReader& passwords);

  // Opens the data directory and establishes the principal: the local administrator
  // (whoever can write the data directory), or with --as the account (or administrator
  // login) whose password is read first. Must succeed before context(), directory() or
  // who() are used. The errors name the fix: run init, check --data, the --as password.
  mf::Status open();

  const Settings& settings() const { return settings_; }
  Output& out() { return out_; }
  PasswordReader& passwords() { return passwords_; }

  // The library options this run uses (--password-cost).
  mf::Options options() const;

  // "mfctl uid=1000": where the actions come from, as written to the audit log.
  std::string origin() const;

  mf::Context& context() { return *context_; }
  mf::Directory& directory() { return context_->directory(); }
  const mf::Principal& who() const { return *who_; }

  // For a failure whose exit status is not the one its status code maps to (exit_codes.h):
  // mfctl status exits with kExitNotRunning when no daemon answers.
  void set_exit_status(int status) { exit_status_ = status; }
  std::optional<int> exit_status() const { return exit_status_; }

  // The domains a list command covers: just `domain` when it is given, otherwise every
  // domain the principal may see (Directory::list_domains), sorted.
  mf::Result<std::vector<std::string>> domains_in_scope(const std::string& domain);

 private:
  Settings settings_;
  Output& out_;
  PasswordReader& passwords_;
  std::unique_ptr<mf::Context> context_;
  std::optional<mf::Principal> who_;
  std::optional<int> exit_status_;
};

// `text` quoted for a POSIX shell when it needs quoting, for commands shown in messages.
std::string shell_quote(const std::string& text);

}  // namespace mfctl

#endif  // MFCTL_SESSION_H
