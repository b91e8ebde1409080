// mfctl/exit_codes.h — the exit status of mfctl, one per kind of failure.
//
// These values are part of mfctl's documented interface (mfctl --help, mfctl(1),
// docs/mfctl-json.md): scripts branch on them, so they never change.
#ifndef MFCTL_EXIT_CODES_H
#define MFCTL_EXIT_CODES_H

#include <mailfountain/status.h>

namespace mfctl {

inline constexpr int kExitOk = 0;
inline constexpr int kExitOther = 1;             // any failure not listed below
inline constexpr int kExitUsage = 2;             // bad command line or bad argument value
inline constexpr int kExitNotFound = 3;          // the named object does not exist
inline constexpr int kExitPermissionDenied = 4;  // not allowed, or wrong --as password
inline constexpr int kExitConflict = 5;          // the name or address is already taken
inline constexpr int kExitNotRunning = 6;        // status, queue: no mailfountaind answers

// The exit status for a failed library call with `code` (kOk maps to kExitOk).
int exit_code_for(mf::Code code);

// The text of the "EXIT STATUS" section shown at the end of `mfctl --help`.
const char* exit_status_help();

}  // namespace mfctl

#endif  // MFCTL_EXIT_CODES_H
