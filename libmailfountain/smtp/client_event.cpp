// smtp/client_event.cpp — names and one-line descriptions of the SMTP client's phases and
// events (see client_session.h), for logs, tests and the fuzz target.
#include "smtp/client_session.h"

#include <fmt/format.h>

namespace mf::smtp {

namespace {

std::string_view delivery_name(Delivery d) {
  switch (d) {
    case Delivery::kDelivered:
      return "delivered";
    case Delivery::kDeferred:
      return "deferred";
    case Delivery::kBounced:
      return "bounced";
  }
  return "?";
}

std::string_view stage_name(Stage s) {
  switch (s) {
    case Stage::kLocal:
      return "local";
    case Stage::kConnection:
      return "connection";
    case Stage::kMail:
      return "mail";
    case Stage::kRcpt:
      return "rcpt";
    case Stage::kData:
      return "data";
    case Stage::kDataEnd:
      return "data-end";
  }
  return "?";
}

std::string reply_text(const Reply& r) {
  std::string s = std::to_string(r.code);
  if (!r.enhanced.empty()) s += " " + r.enhanced;
  if (!r.text.empty()) s += " " + r.text;
  return s;
}

struct Describe {
  std::string operator()(const client_event::Ready&) const { return "ready"; }
  std::string operator()(const client_event::StartTls& e) const {
    return fmt::format("starttls discarded={}", e.discarded_bytes);
  }
  std::string operator()(const client_event::DowngradeNeeded&) const { return "downgrade-needed"; }
  std::string operator()(const client_event::TransactionDone& e) const {
    std::string s = "done";
    for (const RecipientResult& r : e.results) {
      s += fmt::format("; {} {} {} ({}{})", r.address, delivery_name(r.delivery),
                       reply_text(r.reply), stage_name(r.stage), r.remote ? ", remote" : "");
    }
    return s;
  }
  std::string operator()(const client_event::ConnectionFailed& e) const {
    return fmt::format("failed {} {} {}{}", client_phase_name(e.phase),
                       e.permanent ? "permanent" : "temporary", reply_text(e.reply),
                       e.remote ? " (remote)" : "");
  }
  std::string operator()(const client_event::Closed&) const { return "closed"; }
};

}  // namespace

std::string_view client_phase_name(ClientPhase phase) {
  switch (phase) {
    case ClientPhase::kGreeting:
      return "greeting";
    case ClientPhase::kEhlo:
      return "ehlo";
    case ClientPhase::kStartTls:
      return "starttls";
    case ClientPhase::kTlsHandshake:
      return "tls-handshake";
    case ClientPhase::kAuth:
      return "auth";
    case ClientPhase::kIdle:
      return "idle";
    case ClientPhase::kMail:
      return "mail";
    case ClientPhase::kRcpt:
      return "rcpt";
    case ClientPhase::kDataInit:
      return "data-init";
    case ClientPhase::kDataBlock:
      return "data-block";
    case ClientPhase::kDataDone:
      return "data-done";
    case ClientPhase::kRset:
      return "rset";
    case ClientPhase::kQuit:
      return "quit";
    case ClientPhase::kClosed:
      return "closed";
  }
  return "?";
}

std::string describe(const ClientEvent& event) {
  return std::visit(Describe{}, event);
}

}  // namespace mf::smtp
