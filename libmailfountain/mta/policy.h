// mta/policy.h — what the SMTP server accepts: senders at MAIL, recipients at RCPT, the
// message at the end of its data. Decisions over the directory and the mailbox store;
// no sockets. The replies follow Postfix's texts where it has one.
//
// Relaying (RFC 5321 §3.6, §7.1): mail for a domain of the directory is local, whoever
// sends it; mail for any other destination (another domain, an address literal) is
// relayed only for an authenticated client or one in the trusted networks: it is queued
// for the outbound delivery (queue/queue_store.h). A redirection's external members are
// queued too (forwarding), whoever sent the mail, since the redirection is the local
// domain's own decision. Addresses are
// judged as the client wrote them (smtp/path.h keeps '%', '!' and quoted '@' in the local
// part), so the classic relay tricks name a local address that does not exist: 550 5.1.1.
//
// SRS (mta/srs.h): a recipient of a local domain whose local part is SRS0/SRS1 is the
// return path of a message this server forwarded. When its hash and timestamp check out it
// goes back to the original sender: queued as a remote recipient, the envelope sender (the
// null sender of a bounce) kept; delivered locally when the original domain is local.
// From a client that may not relay, only bounces (the null sender) are taken: see
// srs_recipient() and docs/outbound.md "SRS".
#ifndef MF_MTA_POLICY_H
#define MF_MTA_POLICY_H

#include <mailfountain/context.h>
#include <mailfountain/mail_server.h>

#include "mailbox/mail_store.h"
#include "mta/incoming_message.h"
#include "mta/sending_limiter.h"
#include "mta/srs.h"
#include "smtp/session.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mf::mta {

struct ClientInfo {
  std::string ip;
  bool trusted = false;  // in the trusted networks
  ListenerRole role = ListenerRole::kMx;
};

// A recipient the server accepted: the address as given and where it goes.
struct AcceptedRecipient {
  std::string address;                  // canonical form of what the client gave
  std::vector<std::string> mailboxes;   // local accounts that get a copy
  std::vector<std::string> over_quota;  // of those, the ones already full (logged)
  // Remote addresses to queue, canonical (local part as given, domain a lower-case
  // A-label or an address literal): the address itself when it is not local (relaying),
  // or a redirection's external members (forwarding).
  std::vector<std::string> remote;
  bool forwarded = false;  // `remote` comes from a redirection: the sender is rewritten
};

struct RcptDecision {
  std::optional<smtp::Reply> refusal;
  AcceptedRecipient accepted;  // when not refused
};

// The canonical form of a remote recipient: the local part as given (quoted when it must
// be), the domain as a lower-case A-label, or the address literal as written.
// kInvalidArgument for a domain that cannot exist or a path without a domain.
Result<std::string> remote_address(const smtp::Path& path);

// What a recipient that is an SRS address of a local domain (is_srs_address) becomes: the
// address the bounce goes back to (Srs::reverse, canonical form), or the reply refusing it:
//   - 550 5.7.1 "Hash invalid in SRS address" (forged or altered; libsrs2's wording);
//   - 550 5.1.1 "Time stamp out of date" (older than the Srs's max age), or "User unknown"
//     with the reason when the SRS fields are malformed;
//   - 550 5.7.1 when `bounce` is false (a non-null sender) and `may_relay` is false (the
//     client is neither authenticated nor trusted): an SRS address receives bounces only.
// Pure: no directory, no clock.
struct SrsRecipient {
  std::optional<smtp::Reply> refusal;
  std::string original;  // when not refused
};
SrsRecipient srs_recipient(const Srs& srs, std::string_view address, bool bounce, bool may_relay,
                           int64_t now);

class Policy {
 public:
  // `limiter` may be null (no sending limits). All must outlive the Policy. `srs` reverses
  // SRS recipients of local domains; null: they are looked up like any other address.
  Policy(Context& context, mailbox::MailStore& store, SendingLimiter* limiter, std::string hostname,
         std::shared_ptr<const Srs> srs = nullptr);

  std::optional<smtp::Reply> check_sender(const ClientInfo& client, const smtp::Envelope& env,
                                          const smtp::MailCommand& mail, int64_t now);

  RcptDecision check_recipient(const ClientInfo& client, const smtp::Envelope& env,
                               const smtp::RcptCommand& rcpt, size_t accepted_so_far, int64_t now);

  // After the data: the header checks (size, loops, the From of an authenticated user).
  std::optional<smtp::Reply> check_message(const ClientInfo& client, const smtp::Envelope& env,
                                           const IncomingMessage& message, uint32_t max_received);

  // The domain to DKIM-sign a message for: the first From address's domain when it is a
  // local domain (canonical form), else "".
  std::string signing_domain(const std::vector<std::string>& from);

 private:
  // `size_hint`: MAIL's SIZE=, 0 when not declared (mailbox::rcpt_over_quota).
  RcptDecision local_recipient(std::string_view address, uint64_t size_hint);
  // An SRS recipient of a local domain: reversed, then local (again, up to `depth` more
  // SRS layers) or queued to the original sender.
  RcptDecision srs_local_recipient(std::string_view address, const smtp::Envelope& env,
                                   bool may_relay, uint64_t size_hint, int64_t now, int depth);
  std::string postmaster_address();

  Directory& directory_;
  mailbox::MailStore& store_;
  SendingLimiter* limiter_;
  std::string hostname_;
  std::shared_ptr<const Srs> srs_;
  Principal admin_;
};

}  // namespace mf::mta

#endif  // MF_MTA_POLICY_H
