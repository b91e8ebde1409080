// mta/outbound_request.cpp — the queue entries of a received message's remote recipients.
#include "mta/outbound_request.h"

#include "base/text.h"
#include "queue/dsn_params.h"

#include <map>
#include <set>

namespace mf::mta {

std::string destination_of(std::string_view address) {
  size_t at = address.rfind('@');
  return ascii_lower(at == std::string_view::npos ? std::string_view() : address.substr(at + 1));
}

queue::NewMessage queued_message(const smtp::Envelope& env, const OutboundInfo& info,
                                 std::string sender) {
  queue::NewMessage m;
  m.queue_id = info.queue_id;
  m.sender = std::move(sender);
  m.envid = env.mail_params.envid;
  m.ret = queue::ret_of(env.mail_params.ret);
  m.size = info.size;
  if (env.mail_params.body == smtp::Body::k8BitMime) m.flags |= queue::kEightBitMime;
  if (env.mail_params.smtputf8) m.flags |= queue::kSmtpUtf8;
  m.priority = info.priority;
  m.origin_kind = info.origin_kind;
  m.origin = info.origin;
  m.dkim_domain = info.dkim_domain;
  return m;
}

std::vector<QueuedPart> outbound_parts(const smtp::Envelope& env,
                                       const std::vector<AcceptedRecipient>& accepted,
                                       const OutboundInfo& info) {
  const std::string sender = env.sender ? env.sender->mailbox() : std::string();
  // Parts by forwarding domain; "" is the relayed part, which keeps the sender.
  std::map<std::string, QueuedPart> parts;
  std::map<std::string, std::set<std::string>> seen;
  for (size_t i = 0; i < accepted.size(); ++i) {
    const AcceptedRecipient& a = accepted[i];
    if (a.remote.empty()) continue;
    const std::string key = a.forwarded ? destination_of(a.address) : std::string();
    auto [it, fresh] = parts.try_emplace(key);
    if (fresh) {
      std::string part_sender = sender;
      if (a.forwarded && info.forward_sender) part_sender = info.forward_sender(sender, key);
      it->second.message = queued_message(env, info, std::move(part_sender));
    }
    const smtp::RcptParams* params =
        i < env.recipients.size() ? &env.recipients[i].params : nullptr;
    for (const std::string& address : a.remote) {
      if (!seen[key].insert(ascii_lower(address)).second) continue;
      queue::NewRecipient r;
      r.address = address;
      r.domain = destination_of(address);
      if (params != nullptr) {
        // A forwarded member's NOTIFY is the original recipient's; its ORCPT names the
        // address the sender wrote (RFC 3461 §4.2: keep the original recipient).
        r.notify = queue::notify_bits(params->notify);
        if (params->orcpt) {
          r.orcpt_type = params->orcpt->addr_type;
          r.orcpt = params->orcpt->address;
        }
      }
      if (r.orcpt.empty() && a.forwarded) {
        bool ascii = true;
        for (unsigned char c : a.address) ascii &= c < 0x80;
        r.orcpt_type = ascii ? "rfc822" : "utf-8";
        r.orcpt = a.address;
      }
      it->second.recipients.push_back(std::move(r));
    }
  }
  std::vector<QueuedPart> out;
  for (auto& [key, part] : parts) {
    if (!part.recipients.empty()) out.push_back(std::move(part));
  }
  return out;
}

}  // namespace mf::mta
