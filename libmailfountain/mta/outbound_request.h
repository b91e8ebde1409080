// mta/outbound_request.h — what the SMTP server queues for outbound delivery at the end of
// a message's data: the accepted recipients that are remote, turned into queue entries
// (queue/queue_store.h) with the envelope's DSN parameters. Pure.
//
// A relayed recipient (the client named a remote address) keeps the envelope sender. A
// redirection's external member (forwarding) gets the sender the caller's `forward_sender`
// gives for the redirection's domain — the SRS address (mta/srs.h), so that SPF passes at
// the destination and a bounce comes back. Since a queued message has one sender, the
// forwarded members of each redirection domain form their own queued message over the
// same body. An address is queued once per queued message, whatever the number of ways
// it was reached; its DSN parameters are those of the first RCPT that reached it.
#ifndef MF_MTA_OUTBOUND_REQUEST_H
#define MF_MTA_OUTBOUND_REQUEST_H

#include "mta/policy.h"
#include "queue/queue_store.h"
#include "smtp/session.h"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace mf::mta {

struct QueuedPart {
  queue::NewMessage message;  // body_id left 0: the commit fills it in
  std::vector<queue::NewRecipient> recipients;
};

struct OutboundInfo {
  std::string queue_id;
  uint64_t size = 0;
  std::string dkim_domain;  // the local From domain to sign for, or ""
  queue::OriginKind origin_kind = queue::OriginKind::kClientIp;
  std::string origin;  // the account, or the client's IP address
  queue::Priority priority = queue::Priority::kInteractive;
  // The envelope sender for mail forwarded by a redirection of `domain` (a local domain),
  // given the original sender ("" stays ""). Empty function: the sender is kept.
  std::function<std::string(std::string_view sender, std::string_view domain)> forward_sender;
};

// The queued message's envelope for `env` with `sender` (ENVID, RET, 8BITMIME and
// SMTPUTF8 from MAIL; queue ID, size, origin, priority and DKIM domain from `info`);
// body_id left 0.
queue::NewMessage queued_message(const smtp::Envelope& env, const OutboundInfo& info,
                                 std::string sender);

// The queued messages for `accepted` (in RCPT order, parallel to env.recipients); empty
// when no recipient is remote.
std::vector<QueuedPart> outbound_parts(const smtp::Envelope& env,
                                       const std::vector<AcceptedRecipient>& accepted,
                                       const OutboundInfo& info);

// The destination of a canonical remote address: the text after its last '@', lower-cased.
std::string destination_of(std::string_view address);

}  // namespace mf::mta

#endif  // MF_MTA_OUTBOUND_REQUEST_H
