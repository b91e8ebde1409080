// mta/dsn.cpp — building delivery status notifications (see dsn.h).
//
// The message core's builder writes the whole DSN but for the original body: the returned
// message/rfc822 part holds the original header and a placeholder line, which the output
// replaces with the body read from the caller's reader. The body is read three times at
// most — to check that it can travel as it is, to check that the multipart boundary does
// not occur in it, and to copy it — and never held: memory stays the size of the header
// and one chunk.
#include "mta/dsn.h"

#include "base/text.h"
#include "mime/builder.h"
#include "mime/charset.h"
#include "smtp/xtext.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace mf::mta {

namespace {

constexpr size_t kMaxLine = 998;
constexpr size_t kFoldAt = 78;
constexpr size_t kMaxWord = 900;   // a longer word in a field is cut (no line over 998)
constexpr int kBoundaryTries = 8;  // seeds tried when the body holds the boundary

bool has_8bit(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

// Checks bytes streamed in chunks: CRLF line ends only, no NUL, no line over 998 octets;
// notes 8-bit bytes.
class VerbatimScanner {
 public:
  void feed(std::string_view chunk) {
    for (char ch : chunk) {
      if (!problem_.empty()) return;
      auto c = static_cast<unsigned char>(ch);
      if (prev_cr_) {
        prev_cr_ = false;
        if (c != '\n') {
          problem_ = "a bare CR";
          return;
        }
        line_ = 0;
        continue;
      }
      if (c == '\r') {
        prev_cr_ = true;
      } else if (c == '\n') {
        problem_ = "a bare LF";
      } else if (c == 0) {
        problem_ = "a NUL byte";
      } else {
        if (c >= 0x80) eight_bit_ = true;
        if (++line_ > kMaxLine) problem_ = "a line over 998 octets";
      }
    }
  }
  void finish() {
    if (prev_cr_ && problem_.empty()) problem_ = "a bare CR";
  }
  bool ok() const { return problem_.empty(); }
  bool eight_bit() const { return eight_bit_; }

 private:
  bool prev_cr_ = false;
  bool eight_bit_ = false;
  size_t line_ = 0;
  std::string problem_;
};

// Finds `needle` in bytes streamed in chunks.
class StreamSearch {
 public:
  explicit StreamSearch(std::string needle) : needle_(std::move(needle)) {}
  void feed(std::string_view chunk) {
    if (found_) return;
    tail_.append(chunk);
    if (tail_.find(needle_) != std::string::npos) {
      found_ = true;
      return;
    }
    if (tail_.size() >= needle_.size()) tail_.erase(0, tail_.size() - (needle_.size() - 1));
  }
  bool found() const { return found_; }

 private:
  std::string needle_;
  std::string tail_;
  bool found_ = false;
};

// Text from a remote server or a caller, made safe for one header-like field or one line
// of the text part: controls become spaces, runs of spaces one space; bytes that are not
// valid UTF-8 become '?', and so does any non-ASCII when `ascii_only`.
std::string clean_text(std::string_view in, bool ascii_only) {
  std::string out;
  for (size_t i = 0; i < in.size();) {
    auto c = static_cast<unsigned char>(in[i]);
    if (c < 0x80) {
      char w = (c < 0x20 || c == 0x7f) ? ' ' : static_cast<char>(c);
      if (!(w == ' ' && (out.empty() || out.back() == ' '))) out.push_back(w);
      ++i;
      continue;
    }
    size_t n = utf8_sequence_length(in, i);
    if (n == 0 || ascii_only) {
      out.push_back('?');
      i += n == 0 ? 1 : n;
    } else {
      out.append(in.substr(i, n));
      i += n;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// "Name: value" folded between words at 78 columns where the words allow it; a word longer
// than kMaxWord is cut, so no line exceeds 998 octets.
std::string fold_field(std::string_view name, std::string_view value) {
  std::string out(name);
  out += ":";
  size_t column = out.size();
  size_t i = 0;
  while (i < value.size()) {
    size_t end = value.find(' ', i);
    if (end == std::string_view::npos) end = value.size();
    std::string_view word = value.substr(i, std::min(end - i, kMaxWord));
    if (!word.empty()) {
      if (column + 1 + word.size() > kFoldAt && column > name.size() + 1) {
        out += "\r\n";
        column = 0;
      }
      out += ' ';
      out += word;
      column += 1 + word.size();
    }
    i = end + 1;
  }
  out += "\r\n";
  return out;
}

bool valid_status(std::string_view s) {
  if (s.size() < 5 || (s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.') return false;
  size_t dot = s.find('.', 2);
  if (dot == std::string_view::npos) return false;
  auto digits = [](std::string_view d) {
    return !d.empty() && d.size() <= 3 &&
           std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  return digits(s.substr(2, dot - 2)) && digits(s.substr(dot + 1));
}

// An address for a header field: unquoted local part and domain.
mime::Mailbox to_mailbox(std::string_view address) {
  mime::Mailbox m;
  if (!address.empty() && address.front() == '"') {
    size_t i = 1;
    for (; i < address.size() && address[i] != '"'; ++i) {
      if (address[i] == '\\' && i + 1 < address.size()) ++i;
      m.local.push_back(address[i]);
    }
    if (i + 1 < address.size() && address[i + 1] == '@') m.domain = address.substr(i + 2);
    return m;
  }
  size_t at = address.rfind('@');
  m.local = address.substr(0, at);
  if (at != std::string_view::npos) m.domain = address.substr(at + 1);
  return m;
}

bool notify_asks(const DsnRecipient& r) {
  if (!r.notify) return r.action == DsnAction::kFailed || r.action == DsnAction::kDelayed;
  switch (r.action) {
    case DsnAction::kFailed:
      return r.notify->failure;
    case DsnAction::kDelayed:
      return r.notify->delay;
    case DsnAction::kDelivered:
    case DsnAction::kRelayed:
    case DsnAction::kExpanded:
      return r.notify->success;
  }
  return false;
}

// A plain-words reason for an enhanced status code, in English and French (RFC 3463).
struct Reason {
  std::string_view en;
  std::string_view fr;
};

Reason reason_for(std::string_view status, DsnAction action) {
  std::string_view detail = status.size() > 2 ? status.substr(2) : std::string_view();
  if (detail == "1.1") return {"the address does not exist", "l'adresse n'existe pas"};
  if (detail == "1.2" || detail == "1.10")
    return {"the domain does not exist or accepts no mail",
            "le domaine n'existe pas ou ne reçoit pas de courrier"};
  if (detail == "2.1") return {"the mailbox is disabled", "la boîte aux lettres est désactivée"};
  if (detail == "2.2") return {"the mailbox is full", "la boîte aux lettres est pleine"};
  if (detail == "2.3" || detail == "3.4")
    return {"the message is too large", "le message est trop volumineux"};
  if (detail == "4.7")
    return {"delivery took too long and was given up",
            "la remise a pris trop de temps et a été abandonnée"};
  if (detail == "6.7")
    return {"the receiving server cannot take addresses with accented letters (SMTPUTF8)",
            "le serveur destinataire n'accepte pas les adresses accentuées (SMTPUTF8)"};
  if (detail.starts_with("7."))
    return {"the receiving server refused it by its policy, often as suspected spam",
            "le serveur destinataire l'a refusé selon sa politique, souvent comme spam présumé"};
  if (detail.starts_with("4."))
    return {"the receiving server could not be reached",
            "le serveur destinataire n'a pas pu être joint"};
  switch (action) {
    case DsnAction::kFailed:
      return {"the receiving server refused it", "le serveur destinataire l'a refusé"};
    case DsnAction::kDelayed:
      return {"the receiving server asked to try again later",
              "le serveur destinataire a demandé de réessayer plus tard"};
    default:
      return {"delivered", "remis"};
  }
}

std::string diagnostic_line(const DsnRecipient& r, bool ascii_only) {
  return clean_text(r.diagnostic, ascii_only);
}

std::string human_text(const DsnRequest& req, const std::vector<const DsnRecipient*>& list,
                       ReturnedContent returned) {
  auto group = [&](DsnAction a) {
    std::vector<const DsnRecipient*> out;
    for (const DsnRecipient* r : list) {
      bool success = r->action != DsnAction::kFailed && r->action != DsnAction::kDelayed;
      if (r->action == a || (a == DsnAction::kDelivered && success)) out.push_back(r);
    }
    return out;
  };
  auto failed = group(DsnAction::kFailed);
  auto delayed = group(DsnAction::kDelayed);
  auto delivered = group(DsnAction::kDelivered);
  bool ascii = !req.smtputf8;

  std::string en = fmt::format("This is the mail system at {}.\n\n", req.reporting_mta);
  std::string fr = fmt::format("Ceci est le système de messagerie de {}.\n\n", req.reporting_mta);
  auto item = [&](const DsnRecipient* r, std::string* text, bool french) {
    Reason why = reason_for(r->status, r->action);
    std::string address = clean_text(r->address, ascii);
    *text += fmt::format("  <{}>{}: {}\n", address, french ? " " : "", french ? why.fr : why.en);
    std::string diag = diagnostic_line(*r, false);
    if (!diag.empty()) {
      if (!r->remote_mta.empty()) {
        std::string host = clean_text(r->remote_mta, true);
        *text += french ? fmt::format("    Le serveur {} a répondu : {}\n", host, diag)
                        : fmt::format("    The server {} answered: {}\n", host, diag);
      } else {
        *text += french ? fmt::format("    Détail : {}\n", diag)
                        : fmt::format("    Details: {}\n", diag);
      }
    }
  };
  if (!failed.empty()) {
    en += "Your message could not be delivered to the following recipients:\n\n";
    fr += "Votre message n'a pas pu être remis aux destinataires suivants :\n\n";
    for (const DsnRecipient* r : failed) {
      item(r, &en, false);
      item(r, &fr, true);
    }
    en += "\n";
    fr += "\n";
  }
  if (!delayed.empty()) {
    en +=
        "Your message has not been delivered yet to the following recipients. There is "
        "nothing to do: the mail system keeps trying";
    fr +=
        "Votre message n'a pas encore pu être remis aux destinataires suivants. Vous n'avez "
        "rien à faire : le système de messagerie continue d'essayer";
    std::optional<mime::DateTime> until;
    for (const DsnRecipient* r : delayed) {
      if (r->will_retry_until &&
          (!until || r->will_retry_until->unix_seconds > until->unix_seconds))
        until = r->will_retry_until;
    }
    if (until) {
      en += fmt::format(" until {}", mime::format_date(*until));
      fr += fmt::format(" jusqu'au {}", mime::format_date(*until));
    }
    en += ".\n\n";
    fr += ".\n\n";
    for (const DsnRecipient* r : delayed) {
      item(r, &en, false);
      item(r, &fr, true);
    }
    en += "\n";
    fr += "\n";
  }
  if (!delivered.empty()) {
    en += "Your message was delivered to the following recipients:\n\n";
    fr += "Votre message a été remis aux destinataires suivants :\n\n";
    for (const DsnRecipient* r : delivered) {
      std::string address = clean_text(r->address, ascii);
      en += fmt::format("  <{}>: {}\n", address, dsn_action_name(r->action));
      fr += fmt::format("  <{}> : {}\n", address,
                        r->action == DsnAction::kExpanded  ? "redistribué"
                        : r->action == DsnAction::kRelayed ? "transmis"
                                                           : "remis");
    }
    en += "\n";
    fr += "\n";
  }
  if (returned == ReturnedContent::kFull) {
    en += "Your message is attached below.\n";
    fr += "Votre message est joint ci-dessous.\n";
  } else {
    en += "The header of your message is attached below.\n";
    fr += "L'en-tête de votre message est joint ci-dessous.\n";
  }
  // French first: MailFountain's users are French, and the bounces of their own mail come
  // back to them.
  return fr + "\n----------------------------------------------------------------------\n\n" + en;
}

// The address type and address of an Original-Recipient field.
std::string original_recipient(const smtp::Orcpt& orcpt, bool global) {
  if (ascii_iequals(orcpt.addr_type, "utf-8")) {
    // RFC 6533 §3: raw UTF-8 in message/global-delivery-status, utf-8-addr-xtext otherwise.
    return "utf-8; " +
           (global ? clean_text(orcpt.address, false) : smtp::utf8_addr_encode(orcpt.address));
  }
  return clean_text(orcpt.addr_type, true) + "; " + clean_text(orcpt.address, !global);
}

std::string delivery_status(const DsnRequest& req, const std::vector<const DsnRecipient*>& list) {
  bool global = req.smtputf8;
  std::string out;
  if (req.envid) out += fold_field("Original-Envelope-Id", clean_text(*req.envid, true));
  out += fold_field("Reporting-MTA", "dns; " + clean_text(req.reporting_mta, true));
  if (req.arrival_date) out += fold_field("Arrival-Date", mime::format_date(*req.arrival_date));
  if (!req.queue_id.empty()) {
    out += fold_field("X-MailFountain-Queue-ID", clean_text(req.queue_id, true));
  }
  for (const DsnRecipient* r : list) {
    out += "\r\n";
    if (r->orcpt) out += fold_field("Original-Recipient", original_recipient(*r->orcpt, global));
    bool utf8_address = has_8bit(r->address);
    out += fold_field("Final-Recipient", std::string(utf8_address ? "utf-8; " : "rfc822; ") +
                                             clean_text(r->address, !global));
    out += fold_field("Action", dsn_action_name(r->action));
    out += fold_field("Status", r->status);
    if (!r->remote_mta.empty()) {
      out += fold_field("Remote-MTA", "dns; " + clean_text(r->remote_mta, true));
    }
    std::string diag = diagnostic_line(*r, !global);
    if (!diag.empty()) {
      std::string type = clean_text(r->diagnostic_type, true);
      out += fold_field("Diagnostic-Code", (type.empty() ? "smtp" : type) + "; " + diag);
    }
    if (r->last_attempt) {
      out += fold_field("Last-Attempt-Date", mime::format_date(*r->last_attempt));
    }
    if (r->will_retry_until && r->action == DsnAction::kDelayed) {
      out += fold_field("Will-Retry-Until", mime::format_date(*r->will_retry_until));
    }
  }
  return out;
}

// The header block with exactly one CRLF at its end (the blank line removed).
std::string header_block(std::string_view header) {
  std::string h(header);
  while (h.size() >= 4 && h.ends_with("\r\n\r\n")) h.resize(h.size() - 2);
  if (!h.empty() && !h.ends_with("\r\n")) {
    if (h.ends_with("\r")) h.pop_back();
    h += "\r\n";
  }
  return h;
}

Status read_all(const OriginalMessage& original, const ChunkFn& chunk) {
  if (original.body_size == 0 && !original.read_body) return Status::ok();
  if (!original.read_body) return invalid_argument("the original has a body but no body reader");
  return original.read_body(chunk);
}

}  // namespace

std::string_view dsn_action_name(DsnAction action) {
  switch (action) {
    case DsnAction::kFailed:
      return "failed";
    case DsnAction::kDelayed:
      return "delayed";
    case DsnAction::kDelivered:
      return "delivered";
    case DsnAction::kRelayed:
      return "relayed";
    case DsnAction::kExpanded:
      return "expanded";
  }
  return "failed";
}

std::vector<const DsnRecipient*> dsn_recipients_to_report(const DsnRequest& request) {
  std::vector<const DsnRecipient*> out;
  for (const DsnRecipient& r : request.recipients) {
    if (notify_asks(r)) out.push_back(&r);
  }
  return out;
}

Result<DsnResult> write_dsn(const DsnRequest& req, const OriginalMessage& original,
                            const ChunkFn& sink) {
  if (req.envelope_sender.empty()) {
    return failed_precondition(
        "the original message has the null sender: a notification is never sent to <> "
        "(RFC 5321 §4.5.5), so it is dropped");
  }
  if (req.reporting_mta.empty()) return invalid_argument("the DSN needs a Reporting-MTA host name");
  bool global = req.smtputf8;
  for (const DsnRecipient& r : req.recipients) {
    if (r.address.empty()) return invalid_argument("a DSN recipient has an empty address");
    if (!valid_status(r.status)) {
      return invalid_argument(
          fmt::format("the status '{}' of <{}> is not an RFC 3463 code (2, 4 or 5, then .x.y)",
                      clean_text(r.status, true), clean_text(r.address, true)));
    }
    if (!global && has_8bit(r.address)) {
      return invalid_argument(fmt::format("<{}> is not ASCII but the original did not use SMTPUTF8",
                                          clean_text(r.address, true)));
    }
  }
  if (!global && has_8bit(req.envelope_sender)) {
    return invalid_argument(
        "the envelope sender is not ASCII but the original did not use SMTPUTF8");
  }

  DsnResult result;
  result.recipient = req.envelope_sender;
  std::vector<const DsnRecipient*> list = dsn_recipients_to_report(req);
  if (list.empty()) return result;  // kNothingToSend: nothing written
  result.reported = list.size();

  // What goes back: the whole message only for failures, as RET asks, and only when its
  // bytes can travel as they are.
  bool any_failed = std::any_of(list.begin(), list.end(), [](const DsnRecipient* r) {
    return r->action == DsnAction::kFailed;
  });
  std::string header = header_block(original.header);
  uint64_t total = header.size() + 2 + original.body_size;
  bool full = any_failed && (req.ret == smtp::Ret::kFull || (req.ret == smtp::Ret::kUnspecified &&
                                                             total <= req.full_return_limit));
  VerbatimScanner header_scan;
  header_scan.feed(header);
  header_scan.finish();
  bool body_8bit = false;
  if (full) {
    VerbatimScanner body_scan;
    MF_RETURN_IF_ERROR(read_all(original, [&](std::string_view chunk) {
      body_scan.feed(chunk);
      return Status::ok();
    }));
    body_scan.finish();
    // 8-bit content in a DSN without SMTPUTF8 makes the DSN need 8BITMIME; the SMTP
    // client's 7-bit downgrade takes care of a peer that lacks it.
    full = header_scan.ok() && body_scan.ok();
    body_8bit = body_scan.eight_bit();
  }
  bool eight_bit = global || (full && (header_scan.eight_bit() || body_8bit));
  result.returned = full ? ReturnedContent::kFull : ReturnedContent::kHeaders;
  result.needs_smtputf8 = global;

  // The DSN itself.
  mime::OutgoingMessage m;
  mime::Mailbox from;
  if (req.from_address.empty()) {
    from = mime::Mailbox{"Mail Delivery System", "MAILER-DAEMON", req.reporting_mta, ""};
  } else {
    from = to_mailbox(req.from_address);
    from.display_name = "Mail Delivery System";
  }
  m.from = {from};
  m.to = {to_mailbox(req.envelope_sender)};
  m.date = req.date;
  m.message_id = req.message_id;
  if (!req.original_message_id.empty()) {
    m.in_reply_to = {req.original_message_id};
    m.references = {req.original_message_id};
  }
  bool any_delayed = std::any_of(list.begin(), list.end(), [](const DsnRecipient* r) {
    return r->action == DsnAction::kDelayed;
  });
  m.subject = any_failed    ? "Undelivered Mail Returned to Sender / Message non distribué"
              : any_delayed ? "Delayed Mail (still being retried) / Message retardé"
                            : "Successful Mail Delivery Report / Message distribué";
  m.extra_fields = {{"Auto-Submitted", "auto-replied"}};

  mime::Entity text = mime::text_part("plain", human_text(req, list, result.returned));
  text.description = "Notification";
  mime::Entity status = mime::delivery_status_part(delivery_status(req, list));
  if (global) status.subtype = "global-delivery-status";
  status.description = "Delivery report";

  // A placeholder line stands for the body; it carries an 8-bit character when the body
  // does, so the builder labels the parts 8bit as the body needs.
  std::string placeholder =
      fmt::format("MF-DSN-BODY-{:016x}{}\r\n", req.boundary_seed, body_8bit ? "\xc3\xa9" : "");
  mime::Entity returned;
  if (full) {
    returned = mime::message_part(header + "\r\n" + placeholder);
    if (global) returned.subtype = "global";
    returned.description = "Undelivered Message";
  } else {
    if (global && header_scan.ok()) {
      returned.type = "message";
      returned.subtype = "global-headers";
      returned.content = mime::ContentKind::kVerbatim;
      returned.data = header;
    } else {
      returned = mime::headers_part(header);
    }
    returned.description = "Undelivered Message Headers";
  }
  m.body = mime::multipart("report", {std::move(text), std::move(status), std::move(returned)});
  m.body.params.push_back(
      {"report-type", global ? "global-delivery-status" : "delivery-status", ""});

  mime::BuildOptions options;
  options.smtputf8 = global;
  options.eight_bit = eight_bit;
  uint64_t seed = req.boundary_seed;
  for (int attempt = 0; attempt < kBoundaryTries; ++attempt) {
    options.boundary_seed = seed + static_cast<uint64_t>(attempt) * 0x9e3779b97f4a7c15ULL;
    MF_ASSIGN_OR_RETURN(std::string built, mime::build_message(m, options));
    if (!full) {
      result.needs_8bitmime = has_8bit(built);
      MF_RETURN_IF_ERROR(sink(built));
      result.verdict = DsnVerdict::kWritten;
      return result;
    }
    size_t at = built.find(placeholder);
    if (at == std::string::npos || built.find(placeholder, at + 1) != std::string::npos) {
      return internal_error("the DSN body placeholder is not where it should be");
    }
    // The report's boundary is on the last line: "--" boundary "--".
    size_t last = built.rfind("\r\n--", built.size() - 3);
    std::string boundary = built.substr(last + 4, built.size() - last - 4 - 4);
    StreamSearch search(boundary);
    MF_RETURN_IF_ERROR(read_all(original, [&](std::string_view chunk) {
      search.feed(chunk);
      return Status::ok();
    }));
    if (search.found()) continue;  // the body holds this boundary: draw another

    result.needs_8bitmime = eight_bit && (has_8bit(built) || body_8bit);
    MF_RETURN_IF_ERROR(sink(std::string_view(built).substr(0, at)));
    MF_RETURN_IF_ERROR(read_all(original, sink));
    MF_RETURN_IF_ERROR(sink(std::string_view(built).substr(at + placeholder.size())));
    result.verdict = DsnVerdict::kWritten;
    return result;
  }
  return internal_error(fmt::format(
      "the original body holds each of {} multipart boundaries drawn for its DSN", kBoundaryTries));
}

Result<std::string> build_dsn(const DsnRequest& request, const OriginalMessage& original,
                              DsnResult* result) {
  std::string out;
  MF_ASSIGN_OR_RETURN(DsnResult r, write_dsn(request, original, [&out](std::string_view bytes) {
                        out.append(bytes);
                        return Status::ok();
                      }));
  if (result) *result = r;
  return out;
}

}  // namespace mf::mta
