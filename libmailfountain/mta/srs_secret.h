// mta/srs_secret.h — the SRS key of a data directory: DATA/srs/secret, made at the first
// start (32 random bytes from getrandom(2), hex), mode 0600. Forwarded mail's senders are
// signed with it (mta/srs.h), so it must survive restarts and restores: a new key would
// make the bounces to addresses issued before it fail verification.
#ifndef MF_MTA_SRS_SECRET_H
#define MF_MTA_SRS_SECRET_H

#include <mailfountain/status.h>

#include <string>

namespace mf::mta {

// The secret of `data_dir`, created when missing. kIOError naming the file on failure;
// kCorruption when the file exists but is empty.
Result<std::string> load_or_create_srs_secret(const std::string& data_dir);

}  // namespace mf::mta

#endif  // MF_MTA_SRS_SECRET_H
