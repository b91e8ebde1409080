// mfctl/commands_init.cpp — `mfctl init`: creates a data directory and its administrator.
#include "commands.h"

#include <fmt/format.h>

#include <sys/stat.h>

namespace mfctl {
namespace {

struct InitArgs {
  std::string admin = "admin";
};

mf::Status run_init(Session& s, const InitArgs& args) {
  const std::string& dir = s.settings().data_dir;
  if (!s.settings().as.empty()) {
    return mf::invalid_argument(
        "init creates the administrator, so there is no one to act as yet: drop --as");
  }
  // Refuse an initialised directory before asking for a password.
  struct stat st {};
  if (stat(dir.c_str(), &st) == 0 && mf::Context::open(dir, s.options()).is_ok()) {
    return mf::already_exists(
        fmt::format("{} is already an initialised data directory; use it as it is, or give another "
                    "directory with --data DIR",
                    dir));
  }
  MF_ASSIGN_OR_RETURN(std::string password,
                      s.passwords().read_new(fmt::format("the administrator {}", args.admin)));
  MF_RETURN_IF_ERROR(mf::Context::init(dir, args.admin, password, s.options()));
  s.out().done("init", dir,
               fmt::format("initialised the data directory {} with the administrator login {}", dir,
                           args.admin));
  return mf::Status::ok();
}

}  // namespace

void add_init_command(CLI::App& app, Commands& commands) {
  auto args = std::make_shared<InitArgs>();
  CLI::App* init = app.add_subcommand("init", "Create the data directory and its administrator");
  init->footer(
      "The administrator's password is read from standard input, or prompted for twice\n"
      "without echo when standard input is a terminal.");
  init->add_option("--admin", args->admin, "The administrator's login name")->capture_default_str();
  commands.add(
      init, [args](Session& s) { return run_init(s, *args); }, Needs::kNothing);
}

}  // namespace mfctl
