// mailbox/quota_rules.cpp — the quota decisions of local delivery (see quota_rules.h).
#include "mailbox/quota_rules.h"

#include <algorithm>

namespace mf::mailbox {

bool fits_quota(uint64_t usage, uint64_t size, std::optional<uint64_t> limit) {
  if (!limit) return true;
  return usage <= *limit && size <= *limit - usage;
}

bool rcpt_over_quota(uint64_t usage, std::optional<uint64_t> limit,
                     std::optional<uint64_t> declared_size) {
  return !fits_quota(usage, std::max<uint64_t>(declared_size.value_or(0), 1), limit);
}

uint64_t quota_warning_mark(uint64_t limit) {
  return limit - limit / 10;
}

QuotaWarningStep quota_warning_step(uint64_t before, uint64_t after, std::optional<uint64_t> limit,
                                    bool warned, bool may_warn) {
  QuotaWarningStep out;
  if (!limit) return out;  // unlimited: nothing to warn about, and re-armed
  const uint64_t mark = quota_warning_mark(*limit);
  out.warned = warned && before >= mark;
  if (after >= mark && !out.warned && may_warn) {
    out.send = true;
    out.warned = true;
  }
  return out;
}

}  // namespace mf::mailbox
