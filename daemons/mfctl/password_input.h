// mfctl/password_input.h — reading passwords without ever taking them from argv.
//
// When standard input is a terminal, passwords are prompted for on stderr with echo
// turned off (and echo is restored even if the user interrupts). Otherwise each password
// is one line of standard input, in the order the command asks for them: with --as, the
// acting account's password is line 1 and a new password (user add, user passwd) line 2.
// A trailing "\r" is removed; everything else on the line is the password.
#ifndef MFCTL_PASSWORD_INPUT_H
#define MFCTL_PASSWORD_INPUT_H

#include <mailfountain/status.h>

#include <string>
#include <string_view>

namespace mfctl {

class PasswordReader {
 public:
  // Reads from file descriptor 0.
  PasswordReader();

  // The password of an existing login (for --as): one line, or one prompt
  // "Password for <login>: ". kInvalidArgument if standard input holds no more lines.
  mf::Result<std::string> read_current(std::string_view login);

  // A new password for `whose` ("luc.petit@ma-societe.fr", "the administrator admin"):
  // one line, or two prompts whose answers must match. kInvalidArgument if standard input
  // holds no more lines, if the two answers differ, or if the password is empty.
  mf::Result<std::string> read_new(std::string_view whose);

 private:
  // One line of standard input, or nullopt-like failure at end of input.
  mf::Result<std::string> read_line(std::string_view what);
  // One answer typed at the terminal with echo off.
  mf::Result<std::string> prompt(std::string_view text);

  bool terminal_;
  int lines_read_ = 0;
};

}  // namespace mfctl

#endif  // MFCTL_PASSWORD_INPUT_H
