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
#ifndef MF_MTA_POLICY_H
#define MF_MTA_POLICY_H

#include <mailfountain/context.h>
#include <mailfountain/mail_server.h>

#include "mailbox/mail_store.h"
#include "mta/incoming_message.h"
#include "mta/sending_limiter.h"
#include "smtp/session.h"

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

class Policy {
 public:
  // `limiter` may be null (no sending limits). All must outlive the Policy.
  Policy(Context& context, mailbox::MailStore& store, SendingLimiter* limiter,
         std::string hostname);

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
  RcptDecision local_recipient(std::string_view address, uint64_t size_hint);
  std::string postmaster_address();

  Directory& directory_;
  mailbox::MailStore& store_;
  SendingLimiter* limiter_;
  std::string hostname_;
  Principal admin_;
};

}  // namespace mf::mta

#endif  // MF_MTA_POLICY_H
