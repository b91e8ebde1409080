// mta/policy.cpp — sender, recipient and message decisions of the SMTP server.
#include "mta/policy.h"

#include "mailbox/quota_rules.h"
#include "model/names.h"

#include <fmt/format.h>

namespace mf::mta {

using smtp::Reply;

namespace {

bool is_authenticated(const smtp::Envelope& env) {
  return !env.authenticated_as.empty();
}

}  // namespace

Result<std::string> remote_address(const smtp::Path& path) {
  if (path.domain_kind == smtp::DomainKind::kName) {
    MF_ASSIGN_OR_RETURN(std::string domain, normalize_domain(path.domain));
    return fmt::format("{}@{}", smtp::format_local_part(path.local), domain);
  }
  if (path.domain_kind == smtp::DomainKind::kNone)
    return invalid_argument("a remote address needs a domain");
  return path.mailbox();  // an address literal, as written
}

SrsRecipient srs_recipient(const Srs& srs, std::string_view address, bool bounce, bool may_relay,
                           int64_t now) {
  SrsRecipient out;
  if (!bounce && !may_relay) {
    // Relaying such mail from here would fail its sender's SPF at the original domain.
    out.refusal =
        Reply{550, "5.7.1",
              fmt::format("<{}>: Recipient address rejected: SRS address accepts bounces only "
                          "(MAIL FROM:<>)",
                          address)};
    return out;
  }
  auto original = srs.reverse(address, now);
  if (original.is_ok()) {
    out.original = std::move(*original);
    return out;
  }
  switch (original.status().code()) {
    case Code::kPermissionDenied:
      out.refusal = Reply{
          550, "5.7.1",
          fmt::format("<{}>: Recipient address rejected: Hash invalid in SRS address", address)};
      break;
    case Code::kFailedPrecondition:
      out.refusal = Reply{550, "5.1.1",
                          fmt::format("<{}>: Recipient address rejected: Time stamp out of date "
                                      "in SRS address ({})",
                                      address, original.status().message())};
      break;
    default:
      out.refusal = Reply{550, "5.1.1",
                          fmt::format("<{}>: Recipient address rejected: User unknown (invalid "
                                      "SRS address: {})",
                                      address, original.status().message())};
      break;
  }
  return out;
}

Policy::Policy(Context& context, mailbox::MailStore& store, SendingLimiter* limiter,
               std::string hostname, std::shared_ptr<const Srs> srs)
    : directory_(context.directory()),
      store_(store),
      limiter_(limiter),
      hostname_(std::move(hostname)),
      srs_(std::move(srs)),
      admin_(context.local_administrator("smtp")) {}

std::optional<Reply> Policy::check_sender(const ClientInfo& client, const smtp::Envelope& env,
                                          const smtp::MailCommand& mail, int64_t now) {
  (void)client;
  if (!is_authenticated(env)) return std::nullopt;  // MX: anyone may send us mail
  const std::string& account = env.authenticated_as;
  if (mail.sender.is_null)
    return Reply{553, "5.7.1",
                 fmt::format("<>: Sender address rejected: not owned by user {}", account)};
  std::string sender = mail.sender.mailbox();
  auto may = directory_.may_send_as(account, sender);
  if (!may.is_ok()) return Reply{451, "4.3.0", "Error: temporary sender lookup failure"};
  if (!*may)
    return Reply{
        553, "5.7.1",
        fmt::format("<{}>: Sender address rejected: not owned by user {}", sender, account)};
  if (limiter_ != nullptr) {
    if (auto over = limiter_->check_message(account, now))
      return Reply{451, "4.7.1", fmt::format("Error: sending limit reached: {}", *over)};
  }
  return std::nullopt;
}

std::string Policy::postmaster_address() {
  // RFC 5321 §4.5.1: "Postmaster" without a domain must be accepted. It goes to the
  // postmaster of the host name's domain, or of the first parent domain that is local.
  std::string_view name = hostname_;
  while (!name.empty()) {
    auto local = directory_.is_local_domain(name);
    if (local.is_ok() && *local) return fmt::format("postmaster@{}", name);
    size_t dot = name.find('.');
    if (dot == std::string_view::npos) break;
    name.remove_prefix(dot + 1);
  }
  auto domains = directory_.list_domains(admin_);
  if (domains.is_ok() && !domains->empty())
    return fmt::format("postmaster@{}", domains->front().name);
  return {};
}

RcptDecision Policy::local_recipient(std::string_view address, uint64_t size_hint) {
  RcptDecision d;
  auto res = directory_.resolve(address);
  if (!res.is_ok()) {
    switch (res.status().code()) {
      case Code::kNotFound:
        d.refusal = Reply{550, "5.1.1",
                          fmt::format("<{}>: Recipient address rejected: User unknown", address)};
        break;
      case Code::kInvalidArgument:
        d.refusal =
            Reply{550, "5.1.3",
                  fmt::format("<{}>: Recipient address rejected: bad address syntax", address)};
        break;
      case Code::kFailedPrecondition:
        d.refusal =
            Reply{550, "5.2.1",
                  fmt::format("<{}>: Recipient address rejected: mailbox disabled", address)};
        break;
      case Code::kResourceExhausted:
        d.refusal = Reply{550, "5.4.6",
                          fmt::format("<{}>: Recipient address rejected: redirections nest too "
                                      "deeply or expand too far",
                                      address)};
        break;
      default:
        d.refusal = Reply{451, "4.3.0", "Error: temporary recipient lookup failure"};
        break;
    }
    return d;
  }
  d.accepted.address = res->address;
  d.accepted.mailboxes = res->mailboxes;
  d.accepted.remote = res->external;
  d.accepted.forwarded = !res->external.empty();
  // Every final account of the address (an alias's, a redirection's members) is looked at;
  // the address is refused only when none can take the message. Those that cannot are
  // bounced after the data (mta/local_outcome.h) while the others receive it.
  for (const std::string& box : res->mailboxes) {
    auto quota = directory_.show_quota(admin_, box);
    if (!quota.is_ok() || !quota->limit_bytes) continue;
    auto usage = store_.quota_usage(box);
    if (!usage.is_ok()) continue;
    const std::optional<uint64_t> declared =
        size_hint > 0 ? std::optional<uint64_t>(size_hint) : std::nullopt;
    if (mailbox::rcpt_over_quota(usage->bytes, quota->limit_bytes, declared))
      d.accepted.over_quota.push_back(box);
  }
  if (d.accepted.remote.empty() && d.accepted.over_quota.size() == res->mailboxes.size())
    d.refusal = Reply{452, "4.2.2", fmt::format("<{}>: Mailbox full", address)};
  return d;
}

RcptDecision Policy::srs_local_recipient(std::string_view address, const smtp::Envelope& env,
                                         bool may_relay, uint64_t size_hint, int64_t now,
                                         int depth) {
  const bool bounce = env.sender && env.sender->is_null;
  SrsRecipient srs = srs_recipient(*srs_, address, bounce, may_relay, now);
  RcptDecision d;
  if (srs.refusal) {
    d.refusal = std::move(srs.refusal);
    return d;
  }
  auto path = smtp::parse_path(fmt::format("<{}>", srs.original), smtp::PathRole::kRecipient);
  std::optional<std::string> remote;
  if (path.is_ok()) {
    if (path->domain_kind == smtp::DomainKind::kName) {
      auto local = directory_.is_local_domain(path->domain);
      if (!local.is_ok()) {
        d.refusal = Reply{451, "4.3.0", "Error: temporary recipient lookup failure"};
        return d;
      }
      if (*local) {
        // An SRS1 address names the first forwarder's SRS0 address, which may be ours.
        if (depth > 0 && is_srs_address(srs.original))
          return srs_local_recipient(srs.original, env, may_relay, size_hint, now, depth - 1);
        return local_recipient(srs.original, size_hint);
      }
    }
    auto canonical = remote_address(*path);
    if (canonical.is_ok()) remote = std::move(*canonical);
  }
  if (!remote) {
    d.refusal =
        Reply{550, "5.1.1",
              fmt::format("<{}>: Recipient address rejected: User unknown (the SRS address names "
                          "an invalid original sender)",
                          address)};
    return d;
  }
  d.accepted.address = std::string(address);
  d.accepted.remote.push_back(std::move(*remote));
  return d;
}

RcptDecision Policy::check_recipient(const ClientInfo& client, const smtp::Envelope& env,
                                     const smtp::RcptCommand& rcpt, size_t accepted_so_far,
                                     int64_t now) {
  const smtp::Path& path = rcpt.recipient;
  const uint64_t size_hint = env.mail_params.size.value_or(0);
  if (is_authenticated(env) && limiter_ != nullptr) {
    if (auto over = limiter_->check_recipients(env.authenticated_as, accepted_so_far + 1, now)) {
      RcptDecision d;
      d.refusal = Reply{451, "4.7.1", fmt::format("Error: sending limit reached: {}", *over)};
      return d;
    }
  }
  if (path.is_bare_postmaster()) {
    std::string pm = postmaster_address();
    if (!pm.empty()) return local_recipient(pm, 0);
  }
  std::string address = path.mailbox();
  if (path.domain_kind == smtp::DomainKind::kName) {
    auto local = directory_.is_local_domain(path.domain);
    if (!local.is_ok()) {
      RcptDecision d;
      d.refusal = Reply{451, "4.3.0", "Error: temporary recipient lookup failure"};
      return d;
    }
    if (*local) {
      if (srs_ && is_srs_address(address)) {
        const bool may_relay = is_authenticated(env) || client.trusted;
        return srs_local_recipient(address, env, may_relay, size_hint, now, 2);
      }
      return local_recipient(address, size_hint);
    }
  }
  RcptDecision d;
  if (!is_authenticated(env) && !client.trusted) {
    d.refusal = Reply{554, "5.7.1", fmt::format("<{}>: Relay access denied", address)};
    return d;
  }
  auto remote = remote_address(path);
  if (!remote.is_ok()) {
    d.refusal = Reply{
        553, "5.1.2",
        fmt::format("<{}>: Recipient address rejected: {}", address, remote.status().message())};
    return d;
  }
  d.accepted.address = *remote;
  d.accepted.remote.push_back(*remote);
  return d;
}

std::string Policy::signing_domain(const std::vector<std::string>& from) {
  if (from.empty()) return {};
  size_t at = from.front().rfind('@');
  if (at == std::string::npos) return {};
  auto domain = normalize_domain(std::string_view(from.front()).substr(at + 1));
  if (!domain.is_ok()) return {};
  auto local = directory_.is_local_domain(*domain);
  return local.is_ok() && *local ? *domain : std::string();
}

std::optional<Reply> Policy::check_message(const ClientInfo& client, const smtp::Envelope& env,
                                           const IncomingMessage& message, uint32_t max_received) {
  (void)client;
  if (message.header_too_large())
    return Reply{552, "5.3.4", "Message header size exceeds the limit accepted here"};
  if (message.received_count() > max_received)
    return Reply{554, "5.4.6", "Too many \"Received\" header fields: mail forwarding loop"};
  if (is_authenticated(env)) {
    for (const std::string& from : message.from()) {
      auto may = directory_.may_send_as(env.authenticated_as, from);
      if (!may.is_ok()) return Reply{451, "4.3.0", "Error: temporary sender lookup failure"};
      if (!*may)
        return Reply{550, "5.7.1",
                     fmt::format("From header address <{}> not owned by user {}", from,
                                 env.authenticated_as)};
    }
  }
  return std::nullopt;
}

}  // namespace mf::mta
