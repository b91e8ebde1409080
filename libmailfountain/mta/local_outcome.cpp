// mta/local_outcome.cpp — the reply to DATA and the DSN entries of refused local copies.
#include "mta/local_outcome.h"

#include "base/text.h"
#include "queue/dsn_params.h"

#include <fmt/format.h>

namespace mf::mta {

std::string local_refusal_reply(std::string_view account, const Status& refusal) {
  switch (refusal.code()) {
    case Code::kResourceExhausted:
      return fmt::format("552 5.2.2 <{}>: Mailbox full ({})", account, refusal.message());
    case Code::kNotFound:
      return fmt::format("550 5.1.1 <{}>: Recipient address rejected: User unknown ({})", account,
                         refusal.message());
    case Code::kFailedPrecondition:
      return fmt::format("550 5.2.1 <{}>: Recipient address rejected: mailbox disabled ({})",
                         account, refusal.message());
    default:
      return fmt::format("554 5.3.0 <{}>: local delivery failed ({})", account, refusal.message());
  }
}

bool message_taken(size_t delivered, size_t remote) {
  return delivered > 0 || remote > 0;
}

std::optional<LocalBounce> local_bounce(const smtp::Envelope& env,
                                        const std::vector<LocalCopy>& copies,
                                        const std::vector<mailbox::DeliveryOutcome>& outcomes,
                                        const OutboundInfo& info) {
  LocalBounce out;
  for (size_t i = 0; i < copies.size() && i < outcomes.size(); ++i) {
    if (outcomes[i].is_ok()) continue;
    const LocalCopy& copy = copies[i];
    queue::NewRecipient r;
    r.address = copy.account;
    r.domain = destination_of(copy.account);
    if (copy.rcpt_index < env.recipients.size()) {
      const smtp::RcptParams& params = env.recipients[copy.rcpt_index].params;
      r.notify = queue::notify_bits(params.notify);
      if (params.orcpt) {
        r.orcpt_type = params.orcpt->addr_type;
        r.orcpt = params.orcpt->address;
      }
    }
    if (r.orcpt.empty() && ascii_lower(copy.address) != ascii_lower(copy.account)) {
      bool ascii = true;
      for (unsigned char c : copy.address) ascii &= c < 0x80;
      r.orcpt_type = ascii ? "rfc822" : "utf-8";
      r.orcpt = copy.address;
    }
    out.part.recipients.push_back(std::move(r));
    out.replies.push_back(local_refusal_reply(copy.account, outcomes[i].status()));
  }
  if (out.part.recipients.empty()) return std::nullopt;
  out.part.message = queued_message(env, info, env.sender ? env.sender->mailbox() : std::string());
  return out;
}

smtp::Reply end_of_data_reply(const std::vector<mailbox::DeliveryOutcome>& outcomes, size_t remote,
                              bool queued, std::string_view queue_id) {
  size_t delivered = 0, full = 0;
  for (const auto& o : outcomes) {
    if (o.is_ok()) {
      ++delivered;
    } else if (o.status().code() == Code::kResourceExhausted) {
      ++full;
    }
  }
  // Every recipient or none: a 4xx makes the client send again, and local copies
  // already stored would then arrive twice, but that is the lesser harm than losing the
  // remote ones.
  if (remote > 0 && !queued) return smtp::Reply{451, "4.3.0", "Error: queue file write error"};
  if (!message_taken(delivered, remote)) {
    if (!outcomes.empty() && full == outcomes.size())
      return smtp::Reply{452, "4.2.2", "Mailbox full"};
    return smtp::Reply{451, "4.3.0", "Error: local delivery failed"};
  }
  return smtp::Reply{250, "2.0.0", fmt::format("Ok: queued as {}", queue_id)};
}

}  // namespace mf::mta
