// mta/quota_warning.h — the message that tells an account its mailbox is almost full
// (its usage reached 90 % of its quota: mailbox/quota_rules.h), written into its INBOX
// from the postmaster of its domain. Plain text, in French then in English, with the
// usage, the limit and what to do. Pure: no I/O, no clock.
//
// Thread-safety: pure functions over values.
#ifndef MF_MTA_QUOTA_WARNING_H
#define MF_MTA_QUOTA_WARNING_H

#include <mailfountain/status.h>

#include "mime/date.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace mf::mta {

enum class Language { kFrench, kEnglish };

// A size for people: "512 octets", "1,5 Ko", "9,2 Mo", "2 Go" in French; "512 bytes",
// "1.5 KB", "9.2 MB", "2 GB" in English. Binary multiples (1 Ko = 1024 octets, as mfctl's
// quota suffixes), one decimal, dropped when it is zero.
std::string human_size(uint64_t bytes, Language language);

struct QuotaWarningNotice {
  std::string account;  // canonical address; its domain names the postmaster
  uint64_t usage_bytes = 0;
  uint64_t limit_bytes = 0;
  mime::DateTime date;
  std::string message_id;  // without angle brackets
};

// The whole message, CRLF line ends: From "Postmaster <postmaster@DOMAIN>", To the
// account, Subject in both languages, Auto-Submitted: auto-generated (RFC 3834: no
// automatic reply to it), a text/plain UTF-8 body. kInvalidArgument for an account
// without a domain. SMTPUTF8 header form when the address is not ASCII.
Result<std::string> build_quota_warning(const QuotaWarningNotice& notice);

}  // namespace mf::mta

#endif  // MF_MTA_QUOTA_WARNING_H
