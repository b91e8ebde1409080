// mfctl/exit_codes.cpp — maps library status codes to mfctl's exit status.
#include "exit_codes.h"

namespace mfctl {

int exit_code_for(mf::Code code) {
  switch (code) {
    case mf::Code::kOk:
      return kExitOk;
    case mf::Code::kInvalidArgument:
      return kExitUsage;
    case mf::Code::kNotFound:
      return kExitNotFound;
    case mf::Code::kPermissionDenied:
    case mf::Code::kUnauthenticated:
      return kExitPermissionDenied;
    case mf::Code::kAlreadyExists:
      return kExitConflict;
    case mf::Code::kFailedPrecondition:
    case mf::Code::kResourceExhausted:
    case mf::Code::kIOError:
    case mf::Code::kCorruption:
    case mf::Code::kUnsupported:
    case mf::Code::kInternal:
      break;
  }
  return kExitOther;
}

const char* exit_status_help() {
  return "EXIT STATUS:\n"
         "  0  success\n"
         "  2  usage: bad command line, or a malformed argument (address, size, password)\n"
         "  3  not found: no such data directory, domain, account or address\n"
         "  4  permission denied: the acting principal lacks the right, or --as\n"
         "     authentication failed\n"
         "  5  conflict: the name or address already exists\n"
         "  6  not running: no mailfountaind answers on the data directory (status, queue)\n"
         "  1  any other failure (the object is in use, a disabled account, I/O errors)\n"
         "\n"
         "Passwords are never taken from the command line: they are read from standard\n"
         "input, one per line (with --as, its password first), or prompted for without\n"
         "echo when standard input is a terminal. See mfctl(1).";
}

}  // namespace mfctl
