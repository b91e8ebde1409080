// mfctl/session.cpp — opening the data directory and choosing who acts.
#include "session.h"

#include <fmt/format.h>

#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

namespace mfctl {

Session::Session(Settings settings, Output& out, PasswordReader& passwords)
    : settings_(std::move(settings)), out_(out), passwords_(passwords) {}

mf::Options Session::options() const {
  mf::Options options;
  options.password_cost = settings_.password_cost;
  // mfctl authenticates at most once per run: one hashing thread is plenty.
  options.auth_workers = 1;
  return options;
}

std::string Session::origin() const {
  return fmt::format("mfctl uid={}", getuid());
}

mf::Status Session::open() {
  const std::string& dir = settings_.data_dir;
  std::string init_hint = fmt::format("mfctl --data {} init", shell_quote(dir));

  struct stat st {};
  if (stat(dir.c_str(), &st) != 0) {
    if (errno == ENOENT) {
      return mf::not_found(
          fmt::format("no data directory at {}: create one with `{}`, or name an existing one with "
                      "--data DIR or MAILFOUNTAIN_DATA",
                      dir, init_hint));
    }
    return mf::io_error(
        fmt::format("cannot use the data directory {}: {}", dir, std::strerror(errno)));
  }
  if (!S_ISDIR(st.st_mode)) {
    return mf::invalid_argument(
        fmt::format("{} is not a directory: give the data directory "
                    "with --data DIR",
                    dir));
  }
  // Whoever can write the data directory is its administrator; anyone else must say who
  // they are with --as.
  if (settings_.as.empty() && access(dir.c_str(), W_OK) != 0) {
    return mf::permission_denied(fmt::format(
        "you cannot write the data directory {}, so you are not its administrator: run mfctl "
        "as its owner, or act as an account with --as ADDRESS",
        dir));
  }

  auto opened = mf::Context::open(dir, options());
  if (!opened) {
    mf::Status status = opened.status();
    if (status.code() == mf::Code::kNotFound) {
      // The library's message may already say how to initialise the directory.
      if (status.message().find(" init") != std::string::npos) return status;
      return mf::not_found(fmt::format("{}: run `{}` to initialise the data directory",
                                       status.message(), init_hint));
    }
    return status.with_context(fmt::format("cannot open the data directory {}", dir));
  }
  context_ = std::move(opened).value();

  if (settings_.as.empty()) {
    who_.emplace(context_->local_administrator(origin()));
    return mf::Status::ok();
  }
  MF_ASSIGN_OR_RETURN(std::string password, passwords_.read_current(settings_.as));
  auto principal = context_->authenticate(settings_.as, password, mf::Service::kAdmin, origin());
  if (!principal) {
    mf::Status status = principal.status();
    if (status.code() == mf::Code::kUnauthenticated) {
      return mf::unauthenticated(
          fmt::format("--as {}: {}; check the address and give its password as the first line of "
                      "standard input",
                      settings_.as, status.message()));
    }
    return status.with_context(fmt::format("--as {}", settings_.as));
  }
  who_.emplace(std::move(principal).value());
  return mf::Status::ok();
}

mf::Result<std::vector<std::string>> Session::domains_in_scope(const std::string& domain) {
  if (!domain.empty()) return std::vector<std::string>{domain};
  MF_ASSIGN_OR_RETURN(auto domains, directory().list_domains(who()));
  std::vector<std::string> names;
  names.reserve(domains.size());
  for (const mf::DomainInfo& d : domains) names.push_back(d.name);
  return names;
}

std::string shell_quote(const std::string& text) {
  bool plain = !text.empty();
  for (char c : text) {
    bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                (c != '\0' && std::strchr("/._-+:,=@%", c) != nullptr);
    if (!safe) plain = false;
  }
  if (plain) return text;
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  quoted += "'";
  return quoted;
}

}  // namespace mfctl
