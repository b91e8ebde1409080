// mailbox/quota_rules.h — the quota decisions of local delivery, as pure functions over
// numbers: whether a recipient is refused at RCPT, where the 90 % warning mark lies, and
// when an account is warned (once per crossing of that mark). The mailbox store applies
// them in the delivery's transaction; the SMTP policy applies the RCPT rule before the
// data. docs/mailbox.md "Quotas" describes the behaviour.
//
// Thread-safety: pure functions over values.
#ifndef MF_MAILBOX_QUOTA_RULES_H
#define MF_MAILBOX_QUOTA_RULES_H

#include <cstdint>
#include <optional>

namespace mf::mailbox {

// Whether a message of `size` octets fits under `limit` (nullopt: unlimited) next to
// `usage`: usage + size <= limit, without overflow.
bool fits_quota(uint64_t usage, uint64_t size, std::optional<uint64_t> limit);

// RCPT TO's decision for one account: refused (452 4.2.2) when the message cannot fit.
// `declared_size` is MAIL FROM's SIZE= (RFC 1870); without it the message is taken to be
// at least one octet, so an account already at or over its limit is refused (what
// Dovecot's LMTP does with lmtp_rcpt_check_quota), and one with room is accepted.
bool rcpt_over_quota(uint64_t usage, std::optional<uint64_t> limit,
                     std::optional<uint64_t> declared_size);

// The usage from which an account is warned: 90 % of `limit`, rounded up
// (limit - floor(limit / 10)).
uint64_t quota_warning_mark(uint64_t limit);

// One delivery's effect on the warning state.
struct QuotaWarningStep {
  bool warned = false;  // the flag to store with the new usage
  bool send = false;    // send the warning now
};

// Given the usage before and after a delivery, the account's limit (nullopt: unlimited,
// never warned), the stored flag, and whether this delivery may send the warning (SMTP
// deliveries do; IMAP APPEND and the warning itself do not):
//   - a usage below the mark before the delivery re-arms the warning (the flag is
//     cleared: mail was expunged, or the limit was raised, since the last warning);
//   - a usage at or above the mark after it, with the warning armed and `may_warn`,
//     sends it and sets the flag. So an account is warned once per crossing, not at
//     every delivery above the mark; when a delivery that may not warn crosses it, the
//     next one that may does.
QuotaWarningStep quota_warning_step(uint64_t before, uint64_t after, std::optional<uint64_t> limit,
                                    bool warned, bool may_warn);

}  // namespace mf::mailbox

#endif  // MF_MAILBOX_QUOTA_RULES_H
