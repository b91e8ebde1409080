// smtp/client_envelope.cpp — the client's MAIL and RCPT lines (see client_envelope.h).
#include "smtp/client_envelope.h"

#include "base/text.h"
#include "smtp/path.h"
#include "smtp/xtext.h"

#include <fmt/format.h>

namespace mf::smtp {

namespace {

bool is_atom(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string orcpt_value(const Orcpt& orcpt) {
  if (ascii_iequals(orcpt.addr_type, "utf-8")) return "utf-8;" + utf8_addr_encode(orcpt.address);
  return orcpt.addr_type + ";" + xtext_encode(orcpt.address);
}

Status check_address(const std::string& address, PathRole role, bool smtputf8,
                     std::string_view what) {
  if (role == PathRole::kSender && address.empty()) return Status::ok();
  ReplyOr<Path> path = parse_path("<" + address + ">", role);
  if (!path) return invalid_argument(fmt::format("{} is not a valid SMTP address", what));
  if (path->is_null) return invalid_argument(fmt::format("{} is empty", what));
  if (path->has_utf8 && !smtputf8) {
    return invalid_argument(
        fmt::format("{} has UTF-8 but the envelope does not declare SMTPUTF8", what));
  }
  return Status::ok();
}

}  // namespace

Status check_envelope(const ClientEnvelope& envelope) {
  if (envelope.recipients.empty()) return invalid_argument("the envelope has no recipient");
  if (envelope.body == Body::kBinaryMime) {
    return invalid_argument("BODY=BINARYMIME is not supported by the SMTP client");
  }
  MF_RETURN_IF_ERROR(
      check_address(envelope.mail_from, PathRole::kSender, envelope.smtputf8, "the sender"));
  if (envelope.envid) {
    if (envelope.envid->empty() || envelope.envid->size() > kMaxEnvid ||
        !is_printable_ascii(*envelope.envid)) {
      return invalid_argument("the ENVID must be 1 to 100 printable ASCII characters");
    }
  }
  for (size_t i = 0; i < envelope.recipients.size(); ++i) {
    const ClientRecipient& r = envelope.recipients[i];
    MF_RETURN_IF_ERROR(check_address(r.address, PathRole::kRecipient, envelope.smtputf8,
                                     fmt::format("recipient {}", i + 1)));
    if (r.orcpt) {
      bool utf8 = ascii_iequals(r.orcpt->addr_type, "utf-8");
      bool ok = is_atom(r.orcpt->addr_type) && !r.orcpt->address.empty() &&
                (utf8 ? is_valid_utf8(r.orcpt->address) : is_printable_ascii(r.orcpt->address)) &&
                orcpt_value(*r.orcpt).size() <= kMaxOrcpt;
      if (!ok) return invalid_argument(fmt::format("recipient {} has an invalid ORCPT", i + 1));
    }
  }
  return Status::ok();
}

std::string format_mail(const ClientEnvelope& envelope, const Capabilities& peer) {
  std::string line = "MAIL FROM:<" + envelope.mail_from + ">";
  if (peer.size && envelope.size) line += fmt::format(" SIZE={}", *envelope.size);
  if (peer.eightbitmime) {
    if (envelope.body == Body::k8BitMime) line += " BODY=8BITMIME";
    if (envelope.body == Body::k7Bit) line += " BODY=7BIT";
  }
  if (peer.smtputf8 && envelope.smtputf8) line += " SMTPUTF8";
  if (peer.dsn) {
    if (envelope.ret == Ret::kFull) line += " RET=FULL";
    if (envelope.ret == Ret::kHeaders) line += " RET=HDRS";
    if (envelope.envid) line += " ENVID=" + xtext_encode(*envelope.envid);
  }
  line += "\r\n";
  return line;
}

std::string format_rcpt(const ClientRecipient& recipient, const Capabilities& peer) {
  std::string line = "RCPT TO:<" + recipient.address + ">";
  if (peer.dsn) {
    if (recipient.notify) {
      const Notify& n = *recipient.notify;
      if (n.never()) {
        line += " NOTIFY=NEVER";
      } else {
        std::string list;
        if (n.success) list += ",SUCCESS";
        if (n.failure) list += ",FAILURE";
        if (n.delay) list += ",DELAY";
        line += " NOTIFY=" + list.substr(1);
      }
    }
    if (recipient.orcpt) line += " ORCPT=" + orcpt_value(*recipient.orcpt);
  }
  line += "\r\n";
  return line;
}

}  // namespace mf::smtp
