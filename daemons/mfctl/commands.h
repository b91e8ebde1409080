// mfctl/commands.h — how the nouns and verbs of mfctl are declared and found.
//
// Each commands_*.cpp file declares one noun: its CLI11 subcommands, their arguments and
// the action each verb runs. main.cpp parses the command line, finds the verb that was
// chosen and runs its action with an opened Session.
#ifndef MFCTL_COMMANDS_H
#define MFCTL_COMMANDS_H

#include "session.h"

#include <mailfountain/status.h>
#include <CLI/CLI.hpp>

#include <functional>
#include <map>
#include <string>

namespace mfctl {

// What a verb needs before it runs.
enum class Needs {
  kOpenStore,  // an opened data directory and a principal (every verb but init)
  kNothing,    // nothing: the verb sets up the data directory itself (init)
};

// The body of a verb. Returns the failure to report; printing the result is its job.
using Action = std::function<mf::Status(Session&)>;

struct Command {
  std::string name;  // "user add", for JSON results and messages
  Needs needs = Needs::kOpenStore;
  Action action;
};

// The verbs of every noun, by their CLI11 subcommand.
class Commands {
 public:
  // Declares that choosing `verb` (a subcommand of a noun) runs `action`.
  void add(CLI::App* verb, Action action, Needs needs = Needs::kOpenStore);

  // The command of the verb chosen on the parsed command line `app`, or nullptr when
  // none was (CLI11 refuses that before, since every noun requires a verb).
  const Command* chosen(const CLI::App& app) const;

 private:
  std::map<const CLI::App*, Command> commands_;
};

// Declare the nouns. Each adds its subcommand to `app` and its verbs to `commands`.
void add_init_command(CLI::App& app, Commands& commands);
void add_domain_commands(CLI::App& app, Commands& commands);
void add_user_commands(CLI::App& app, Commands& commands);
void add_alias_commands(CLI::App& app, Commands& commands);
void add_redirect_commands(CLI::App& app, Commands& commands);
void add_manager_commands(CLI::App& app, Commands& commands);
void add_quota_commands(CLI::App& app, Commands& commands);
void add_resolve_commands(CLI::App& app, Commands& commands);  // resolve, address list
void add_audit_command(CLI::App& app, Commands& commands);
void add_status_command(CLI::App& app, Commands& commands);  // asks the running daemon
void add_backup_commands(CLI::App& app, Commands& commands);  // backup, restore
void add_dkim_commands(CLI::App& app, Commands& commands);    // dkim show|rotate
void add_dns_commands(CLI::App& app, Commands& commands);     // dns records
void add_queue_commands(CLI::App& app, Commands& commands);   // queue ... (asks the daemon)

// For a removal refused because the object is in use (kFailedPrecondition): the same
// status, its message naming the option that forces the removal. Other statuses are
// returned unchanged.
mf::Status with_force_hint(const mf::Status& status);

// Adds a noun to `app`: a subcommand that requires exactly one verb.
CLI::App* add_noun(CLI::App& app, const std::string& name, const std::string& description);

}  // namespace mfctl

#endif  // MFCTL_COMMANDS_H
