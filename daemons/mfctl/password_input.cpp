// mfctl/password_input.cpp — passwords from standard input or a no-echo prompt.
#include "password_input.h"

#include <fmt/format.h>

#include <termios.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

namespace mfctl {
namespace {

// A password line longer than this is refused rather than truncated.
constexpr size_t kMaxLine = 4096;

// The terminal settings to restore if a signal arrives while echo is off. Process-wide
// state is acceptable here: mfctl is a single-threaded program and this is its only
// terminal. The handler only calls async-signal-safe functions.
struct termios saved_termios;
volatile std::sig_atomic_t echo_is_off = 0;

extern "C" void restore_echo_and_reraise(int signal_number) {
  if (echo_is_off) {
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_termios);
    (void)!write(STDERR_FILENO, "\n", 1);
  }
  std::signal(signal_number, SIG_DFL);
  std::raise(signal_number);
}

// Turns echo off on construction and back on on destruction.
class EchoOff {
 public:
  EchoOff() {
    if (tcgetattr(STDIN_FILENO, &saved_termios) != 0) return;
    struct termios quiet = saved_termios;
    quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
    quiet.c_lflag |= ECHONL;
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP}) {
      std::signal(s, restore_echo_and_reraise);
    }
    echo_is_off = 1;
    if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) != 0) echo_is_off = 0;
  }
  ~EchoOff() {
    if (echo_is_off) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_termios);
    echo_is_off = 0;
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP}) std::signal(s, SIG_DFL);
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;
};

// Reads one line from fd 0 a byte at a time, so that nothing past the line is consumed.
// Returns false at end of input before any byte.
bool read_fd_line(std::string& line, bool& too_long) {
  line.clear();
  too_long = false;
  bool any = false;
  for (;;) {
    char c;
    ssize_t n = read(STDIN_FILENO, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return any;
    any = true;
    if (c == '\n') break;
    if (line.size() >= kMaxLine) {
      too_long = true;
    } else {
      line.push_back(c);
    }
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return true;
}

}  // namespace

PasswordReader::PasswordReader() : terminal_(isatty(STDIN_FILENO) == 1) {}

mf::Result<std::string> PasswordReader::read_line(std::string_view what) {
  std::string line;
  bool too_long = false;
  if (!read_fd_line(line, too_long)) {
    std::string where = lines_read_ == 0 ? "standard input is empty"
                                         : fmt::format("standard input ended after {} line{}",
                                                       lines_read_, lines_read_ == 1 ? "" : "s");
    return mf::invalid_argument(fmt::format(
        "no {} to read: {}; write each password as one line on standard input (with --as, "
        "its password comes first), or run mfctl from a terminal to be prompted",
        what, where));
  }
  ++lines_read_;
  if (too_long) {
    return mf::invalid_argument(
        fmt::format("the {} on line {} of standard input is longer than {} bytes", what,
                    lines_read_, kMaxLine));
  }
  return line;
}

mf::Result<std::string> PasswordReader::prompt(std::string_view text) {
  std::fputs(std::string(text).c_str(), stderr);
  std::fflush(stderr);
  std::string line;
  bool too_long = false;
  bool got;
  {
    EchoOff quiet;
    got = read_fd_line(line, too_long);
  }
  if (!got) return mf::invalid_argument("no password typed (end of input)");
  if (too_long) {
    return mf::invalid_argument(fmt::format("password longer than {} bytes", kMaxLine));
  }
  return line;
}

mf::Result<std::string> PasswordReader::read_current(std::string_view login) {
  if (terminal_) return prompt(fmt::format("Password for {}: ", login));
  return read_line(fmt::format("password for {}", login));
}

mf::Result<std::string> PasswordReader::read_new(std::string_view whose) {
  std::string password;
  if (terminal_) {
    MF_ASSIGN_OR_RETURN(password, prompt(fmt::format("New password for {}: ", whose)));
    MF_ASSIGN_OR_RETURN(std::string again,
                        prompt(fmt::format("Retype the new password for {}: ", whose)));
    if (again != password) {
      return mf::invalid_argument("the two passwords typed differ; nothing was changed");
    }
  } else {
    MF_ASSIGN_OR_RETURN(password, read_line(fmt::format("new password for {}", whose)));
  }
  if (password.empty()) {
    return mf::invalid_argument(
        fmt::format("the new password for {} is empty; give a password of at least 8 "
                    "characters",
                    whose));
  }
  return password;
}

}  // namespace mfctl
