// mta/local_outcome.h — what the end of a message's data makes of its local copies once
// the mailbox store has decided each one (mailbox/mail_store.h): the reply to DATA, and
// the DSN entries of the copies refused (a mailbox full, an account removed since RCPT).
// Pure: no store, no clock.
//
// The rule (docs/smtp.md "Quotas"):
//   - the message is TAKEN when at least one local copy was stored or a remote recipient
//     is queued. It is then answered 250, and each refused copy is reported to the sender
//     by a DSN: the copies' accounts are queued as recipients and bounced at once in the
//     same commit (queue::enqueue then queue::bounced), so the delivery engine's report
//     pass (outbound/report_pass.h) builds and sends the DSN. A mailbox full is reported
//     as 552 5.2.2, a permanent failure, as Dovecot's LMTP does by default
//     (quota_full_tempfail = no): there is no local retry queue, and the sender learns at
//     once that this recipient did not get the message while the others did.
//   - otherwise NOTHING is stored and the whole DATA is refused: 452 4.2.2 when every
//     copy was refused for a full mailbox (the sender retries later, as a sender of a
//     one-recipient message expects), 451 4.3.0 for any other mix. A message nobody
//     received never causes a bounce (no backscatter for a forged sender).
#ifndef MF_MTA_LOCAL_OUTCOME_H
#define MF_MTA_LOCAL_OUTCOME_H

#include <mailfountain/status.h>

#include "mailbox/mail_store.h"
#include "mta/outbound_request.h"
#include "smtp/reply.h"
#include "smtp/session.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mf::mta {

// One local copy of a received message, parallel to the deliveries given to the store.
struct LocalCopy {
  std::string account;    // canonical account address
  std::string address;    // the accepted recipient that reached it (its Delivered-To)
  size_t rcpt_index = 0;  // of that recipient in env.recipients
};

// The reply recorded for a refused copy, as a server would have answered it: "552 5.2.2
// <account>: Mailbox full (...)" for kResourceExhausted, "550 5.1.1 ... User unknown" for
// kNotFound, "550 5.2.1 ... mailbox disabled" for kFailedPrecondition, "554 5.3.0 ..."
// otherwise. The store's explanation follows in parentheses.
std::string local_refusal_reply(std::string_view account, const Status& refusal);

// Whether the message is taken (see above): `delivered` local copies stored, `remote`
// remote recipients to queue.
bool message_taken(size_t delivered, size_t remote);

// The DSN entries of the refused copies: a queued message with `info`'s envelope (the
// original sender, ENVID, RET, SMTPUTF8) whose recipients are the refused accounts, each
// with its RCPT's NOTIFY and ORCPT (ORCPT defaults to the address the client gave when
// it differs from the account: an alias or a redirection), and the reply each is bounced
// with, in the same order. nullopt when no copy was refused. `outcomes` is parallel to
// `copies`.
struct LocalBounce {
  QueuedPart part;
  std::vector<std::string> replies;
};
std::optional<LocalBounce> local_bounce(const smtp::Envelope& env,
                                        const std::vector<LocalCopy>& copies,
                                        const std::vector<mailbox::DeliveryOutcome>& outcomes,
                                        const OutboundInfo& info);

// The reply to the end of data. `outcomes` are the local copies' (all failing with the
// commit's error when it failed), `remote` the remote recipients and `queued` whether the
// commit queued them.
smtp::Reply end_of_data_reply(const std::vector<mailbox::DeliveryOutcome>& outcomes, size_t remote,
                              bool queued, std::string_view queue_id);

}  // namespace mf::mta

#endif  // MF_MTA_LOCAL_OUTCOME_H
