// mta/dsn.h — building a delivery status notification (a bounce, a delay notice, a success
// report): an RFC 3464 multipart/report (RFC 6522) made with the message core's builder,
// sent from the null sender to the original envelope sender. Pure: no I/O, no clock (dates
// are the caller's), no global state; the original body is read through a callback and the
// DSN is written to one, so a large original is never held in memory.
//
// The DSN has three parts:
//   1. text/plain, in English then in French: which recipients failed (or are delayed, or
//      were delivered) and why, quoting the remote server's reply;
//   2. message/delivery-status: Original-Envelope-Id (ENVID), Reporting-MTA, Arrival-Date,
//      then per recipient Original-Recipient (ORCPT), Final-Recipient, Action, Status,
//      Remote-MTA, Diagnostic-Code, Last-Attempt-Date, Will-Retry-Until;
//   3. the returned content: message/rfc822 (the whole original) or text/rfc822-headers
//      (its header only).
// When the original needed SMTPUTF8, the RFC 6533 types are used instead —
// multipart/report; report-type=global-delivery-status with message/global-delivery-status,
// message/global or message/global-headers — and the DSN itself needs SMTPUTF8.
//
// What is returned (RFC 3461 §4.3): RET=HDRS the header only; RET=FULL the whole message;
// no RET the whole message when it is at most `full_return_limit` octets, else the header.
// A report of delays or successes only returns the header whatever RET says, as Postfix
// does: the message is not lost, the sender needs only to recognise it. A whole message
// that cannot travel as it is (a bare LF, a NUL, a line over 998 octets, 8-bit bytes in a
// 7-bit DSN) is returned as its header only.
//
// NOTIFY (RFC 3461 §4.1): each recipient is reported only when its NOTIFY asks for its
// action — FAILURE for failed, DELAY for delayed, SUCCESS for delivered, relayed and
// expanded; NEVER for none; no NOTIFY means FAILURE and DELAY.
//
// Thread-safety: pure functions over values.
#ifndef MF_MTA_DSN_H
#define MF_MTA_DSN_H

#include <mailfountain/status.h>

#include "mime/date.h"
#include "smtp/params.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mf::mta {

// RFC 3464 §2.3.3.
enum class DsnAction { kFailed, kDelayed, kDelivered, kRelayed, kExpanded };

// "failed", "delayed", ...
std::string_view dsn_action_name(DsnAction action);

// One recipient of the original message and what became of it.
struct DsnRecipient {
  // The final recipient in canonical SMTP form (smtp::Path::mailbox()); UTF-8 only when the
  // original used SMTPUTF8.
  std::string address;
  std::optional<smtp::Notify> notify;  // as RCPT carried it; nullopt when absent
  std::optional<smtp::Orcpt> orcpt;    // as RCPT carried it (already decoded)
  DsnAction action = DsnAction::kFailed;
  std::string status;      // RFC 3463 "x.y.z": "5.1.1", "4.4.7"
  std::string remote_mta;  // the host that answered ("mx.example.net"); empty when none did
  // The remote reply, "550 5.1.1 <x>: Recipient address rejected", lines of a multi-line
  // reply separated by CRLF or LF; or, when no server answered, our own explanation
  // ("Host or domain name not found"). Control characters are written as spaces.
  std::string diagnostic;
  // "smtp" for a remote reply; "X-MailFountain" for our own explanation.
  std::string diagnostic_type = "smtp";
  std::optional<mime::DateTime> last_attempt;
  std::optional<mime::DateTime> will_retry_until;  // for delayed recipients
};

// The original message's envelope and what the report is about.
struct DsnRequest {
  std::string reporting_mta;    // this server's host name (Reporting-MTA: dns; ...)
  std::string envelope_sender;  // MAIL FROM of the original, canonical form; "" for <>
  smtp::Ret ret = smtp::Ret::kUnspecified;
  std::optional<std::string> envid;  // ENVID, decoded
  bool smtputf8 = false;             // the original transaction used SMTPUTF8
  std::optional<mime::DateTime> arrival_date;
  std::string queue_id;  // written as X-MailFountain-Queue-ID when not empty
  std::vector<DsnRecipient> recipients;

  // The DSN message itself.
  mime::DateTime date;
  std::string message_id;           // without angle brackets
  std::string from_address;         // "MAILER-DAEMON@host" when empty
  std::string original_message_id;  // for In-Reply-To/References; may be empty
  // No RET: the whole message goes back when it is at most this size, else its header.
  uint64_t full_return_limit = 1 << 20;
  uint64_t boundary_seed = 0;  // a random value in production (see mime::BuildOptions)
};

// Gives the bytes of the original body to `chunk`, in order, from the start. It is called
// up to three times when the whole message is returned — to check that the body can
// travel as it is, to check that the report's boundary is absent from it, to copy it —
// and never when only the header is; each call must give the same bytes. A failure it
// returns, or one `chunk` returns, stops the build.
using ChunkFn = std::function<Status(std::string_view)>;
using BodyReader = std::function<Status(const ChunkFn& chunk)>;

// The original message: its header (every field, each ending with CRLF; the blank line
// after it may be included or not) and its body.
struct OriginalMessage {
  std::string_view header;
  uint64_t body_size = 0;
  BodyReader read_body;  // may be empty when body_size is 0
};

enum class ReturnedContent { kFull, kHeaders };

enum class DsnVerdict {
  kWritten,       // the DSN was written to the sink
  kNothingToSend  // no recipient's NOTIFY asks for this report: nothing was written
};

// What was written and how to send it. The envelope is always MAIL FROM:<> (RFC 3461 §6.2,
// RFC 5321 §4.5.5) to `recipient`.
struct DsnResult {
  DsnVerdict verdict = DsnVerdict::kNothingToSend;
  std::string recipient;  // the original envelope sender
  bool needs_smtputf8 = false;
  bool needs_8bitmime = false;  // the DSN holds 8-bit bytes
  ReturnedContent returned = ReturnedContent::kHeaders;
  size_t reported = 0;  // recipients in the report
};

// The recipients of `request` that their NOTIFY asks to report, in order.
std::vector<const DsnRecipient*> dsn_recipients_to_report(const DsnRequest& request);

// Builds the DSN and gives its bytes (CRLF line ends, not dot-stuffed) to `sink` in order.
// Nothing is written when the verdict is kNothingToSend. Errors:
//   - kFailedPrecondition: the original has the null sender (a bounce is never bounced;
//     the caller logs the loss instead);
//   - kInvalidArgument: a malformed input (an empty Reporting-MTA or recipient address, a
//     status that is not x.y.z with x in 2, 4, 5, non-ASCII in a non-SMTPUTF8 report);
//   - whatever the body reader or the sink returns; the sink may then have received part
//     of the DSN, which the caller discards.
Result<DsnResult> write_dsn(const DsnRequest& request, const OriginalMessage& original,
                            const ChunkFn& sink);

// The same, returning the bytes (empty when the verdict is kNothingToSend): for small
// messages and tests.
Result<std::string> build_dsn(const DsnRequest& request, const OriginalMessage& original,
                              DsnResult* result = nullptr);

}  // namespace mf::mta

#endif  // MF_MTA_DSN_H
