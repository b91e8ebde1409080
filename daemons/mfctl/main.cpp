// NAME
//   mfctl - administer a MailFountain data directory
//
// SYNOPSIS
//   mfctl [--data DIR] [--json] [--as ADDRESS] <noun> <verb> [arguments]
//
// DESCRIPTION
//   mfctl is the command-line tool over libmailfountain for administrators and scripts. It
//   creates a data directory (init) and manages its directory model: domains, accounts,
//   aliases, redirections, domain managers and quotas; it resolves addresses the way the
//   mail server will, and shows the audit log. `mfctl status` asks the running
//   mailfountaind, through its control socket, what it listens on and has done;
//   `mfctl queue ...` lists and administers its outbound queue the same way.
//   `mfctl backup DEST` copies the data directory consistently, also while the daemon
//   runs, and `mfctl restore SRC` brings such a copy back (docs/mailbox.md).
//
//   Whoever can write the data directory is its administrator, so mfctl acts as the
//   administrator by default. With --as ADDRESS it authenticates as that account (or the
//   administrator login) and acts with its rights only: a domain manager on their domains,
//   a standard user on their own password and display name.
//
//   Output is aligned tables for people, or with --json one JSON document on stdout whose
//   shape is documented in docs/mfctl-json.md (errors included).
//
// READS AND WRITES
//   The data directory: --data DIR, else $MAILFOUNTAIN_DATA, else /var/lib/mailfountain.
//   It holds the LMDB store (DIR/store/); every change is one transaction, recorded in the
//   store's audit log with the origin "mfctl uid=N".
//   Passwords are read from standard input, one per line (with --as, its password first),
//   or prompted for without echo when standard input is a terminal; never from argv.
//   Results go to stdout; in human mode errors go to stderr as "mfctl: <message>".
//
// EXIT STATUS
//   0 success, 2 usage, 3 not found, 4 permission denied (or a failed --as login),
//   5 conflict (already exists), 6 mailfountaind not running (status, queue), 1 anything
//   else.
//   See exit_codes.h.
//
// SEE ALSO
//   mfctl(1) (docs/mfctl.1), docs/mfctl-json.md.
#include "commands.h"
#include "exit_codes.h"
#include "output.h"
#include "password_input.h"
#include "session.h"

#include <fmt/format.h>
#include <mailfountain/context.h>
#include <mailfountain/version.h>
#include <CLI/CLI.hpp>

#include <cstring>
#include <exception>
#include <string>
#include <vector>

namespace {

// Whether --json appears among the options, so that even a command line CLI11 cannot parse
// is reported as JSON when the caller asked for it.
bool wants_json(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--") == 0) return false;
    if (std::strcmp(argv[i], "--json") == 0) return true;
  }
  return false;
}

// "mfctl user add --help" for the deepest command chosen on the command line so far.
std::string help_hint(const CLI::App& app) {
  std::string path = "mfctl";
  const CLI::App* current = &app;
  for (;;) {
    std::vector<CLI::App*> selected = current->get_subcommands();
    if (selected.empty()) break;
    current = selected.front();
    path += " " + current->get_name();
  }
  return fmt::format("Run `{} --help` for usage.", path);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace mfctl;

  CLI::App app(
      "mfctl — administer a MailFountain data directory: domains, accounts, aliases,\n"
      "redirections, managers, quotas, address resolution and the audit log.",
      "mfctl");
  app.footer(exit_status_help());
  app.set_version_flag("--version", fmt::format("mfctl (MailFountain) {}", MF_VERSION_STRING));
  app.require_subcommand(1);
  // Global options are accepted after the noun and verb too: `mfctl domain list --json`.
  app.fallthrough();

  Settings settings;
  app.add_option("--data", settings.data_dir,
                 fmt::format("The data directory (default: {})", kDefaultDataDir))
      ->envname("MAILFOUNTAIN_DATA")
      ->type_name("DIR");
  app.add_flag("--json", settings.json, "One JSON document on stdout, errors included");
  app.add_option("--as", settings.as, "Act as this login, with its rights")->type_name("ADDRESS");
  // For tests only: a cheap password hash. Hidden from --help on purpose.
  app.add_option("--password-cost", settings.password_cost,
                 "yescrypt cost for passwords set in this run (tests only)")
      ->check(CLI::Range(1u, 11u))
      ->group("");

  Commands commands;
  add_init_command(app, commands);
  add_domain_commands(app, commands);
  add_user_commands(app, commands);
  add_alias_commands(app, commands);
  add_redirect_commands(app, commands);
  add_manager_commands(app, commands);
  add_quota_commands(app, commands);
  add_resolve_commands(app, commands);
  add_audit_command(app, commands);
  add_status_command(app, commands);
  add_backup_commands(app, commands);
  add_dkim_commands(app, commands);
  add_dns_commands(app, commands);
  add_queue_commands(app, commands);

  Output out(wants_json(argc, argv));
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help or --version
  } catch (const CLI::ParseError& e) {
    out.error("usage", e.what(), help_hint(app));
    return kExitUsage;
  }

  if (settings.data_dir.empty()) settings.data_dir = kDefaultDataDir;
  const Command* command = commands.chosen(app);
  if (command == nullptr) {
    out.error("usage", "no command given", "Run `mfctl --help` for usage.");
    return kExitUsage;
  }

  PasswordReader passwords;
  Session session(settings, out, passwords);
  mf::Status status;
  try {
    if (command->needs == Needs::kOpenStore) status = session.open();
    if (status.is_ok()) status = command->action(session);
  } catch (const std::exception& e) {
    // Nothing throws on purpose (the library never does): this is memory exhaustion or a bug.
    status = mf::internal_error(fmt::format("{} failed: {}", command->name, e.what()));
  }
  if (status.is_ok()) return kExitOk;
  if (!out.error_reported()) out.error(status);
  return session.exit_status().value_or(exit_code_for(status.code()));
}
