// mta/quota_notice.h — storing the "mailbox almost full" warning (mta/quota_warning.h)
// into an account's INBOX, when a delivery of the SMTP server crossed its 90 % mark
// (mailbox::Delivered::quota_warning). The warning is exempt from the quota
// (mailbox::QuotaMode::kExempt) so that it arrives even when the account is nearly full,
// and it counts in the usage like any message.
//
// Best effort: the crossing is recorded in the same commit as the delivery that caused
// it, the warning is stored by a later commit; a crash between the two loses this one
// warning (the next crossing sends another). Failures are logged.
//
// Threading: on the server's loop thread; the store's commit is waited for through the
// server's LoopPoster, never on the loop.
#ifndef MF_MTA_QUOTA_NOTICE_H
#define MF_MTA_QUOTA_NOTICE_H

#include "mailbox/mail_store.h"

#include <string>

namespace mf::mta {

class MailServerImpl;

void send_quota_warning(MailServerImpl& server, const std::string& account,
                        const mailbox::QuotaWarning& warning);

}  // namespace mf::mta

#endif  // MF_MTA_QUOTA_NOTICE_H
