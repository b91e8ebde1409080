// mfctl/commands.cpp — the verb registry.
#include "commands.h"

#include <string_view>

namespace mfctl {
namespace {

// "user add" for the verb `add` of the noun `user`.
std::string command_name(const CLI::App* verb) {
  std::string name = verb->get_name();
  for (const CLI::App* p = verb->get_parent(); p != nullptr && p->get_parent() != nullptr;
       p = p->get_parent()) {
    name = p->get_name() + " " + name;
  }
  return name;
}

}  // namespace

void Commands::add(CLI::App* verb, Action action, Needs needs) {
  commands_[verb] = Command{command_name(verb), needs, std::move(action)};
}

const Command* Commands::chosen(const CLI::App& app) const {
  const CLI::App* current = &app;
  for (;;) {
    auto it = commands_.find(current);
    if (it != commands_.end()) return &it->second;
    std::vector<CLI::App*> selected = current->get_subcommands();
    if (selected.empty()) return nullptr;
    current = selected.front();
  }
}

mf::Status with_force_hint(const mf::Status& status) {
  // The library ends an in-use refusal with "... or force the removal"; name the option.
  // Other refusals (abuse@ and postmaster@ stay while their domain exists) cannot be
  // forced and are left as they are.
  constexpr std::string_view kForce = "force the removal";
  const std::string& message = status.message();
  if (status.code() != mf::Code::kFailedPrecondition || message.find(kForce) == std::string::npos) {
    return status;
  }
  std::string hinted = message;
  hinted.insert(message.find(kForce) + kForce.size(), " with --force");
  return mf::Status(status.code(), std::move(hinted));
}

CLI::App* add_noun(CLI::App& app, const std::string& name, const std::string& description) {
  CLI::App* noun = app.add_subcommand(name, description);
  noun->require_subcommand(1);
  return noun;
}

}  // namespace mfctl
