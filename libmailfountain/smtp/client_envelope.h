// smtp/client_envelope.h — the envelope of one outbound transaction, and the MAIL and RCPT
// command lines the SMTP client writes for it (RFC 5321 §4.1.1.2–3 with the parameters of
// SIZE, 8BITMIME, SMTPUTF8 and DSN). Pure functions.
//
// The parameter types are the server's (smtp/params.h), so what the server side parsed
// from a client can be relayed as it is. A command line never carries a parameter of an
// extension the peer did not offer; deciding what to do when a message needs one that is
// missing (SMTPUTF8, 8BITMIME, SIZE) is the session's (smtp/client_session.h).
#ifndef MF_SMTP_CLIENT_ENVELOPE_H
#define MF_SMTP_CLIENT_ENVELOPE_H

#include "mailfountain/status.h"
#include "smtp/ehlo_caps.h"
#include "smtp/params.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mf::smtp {

struct ClientRecipient {
  // The mailbox as Path::mailbox() writes it ("u@example.org", "\"a b\"@example.org",
  // "Postmaster"), without angle brackets.
  std::string address;
  std::optional<Notify> notify;  // DSN NOTIFY=, sent only when the peer offers DSN
  std::optional<Orcpt> orcpt;    // DSN ORCPT= (addr_type "rfc822" or "utf-8"), decoded
};

struct ClientEnvelope {
  std::string mail_from;             // as Path::mailbox() writes it; "" for the null sender
  std::optional<uint64_t> size;      // the message's size in octets, if known (SIZE=)
  Body body = Body::kUnspecified;    // k8BitMime when the body has 8-bit bytes; kBinaryMime
                                     // is not supported (no BDAT yet)
  bool smtputf8 = false;             // the message needs SMTPUTF8 (UTF-8 addresses or headers)
  Ret ret = Ret::kUnspecified;       // DSN RET=
  std::optional<std::string> envid;  // DSN ENVID=, decoded (printable ASCII, ≤ 100)
  std::vector<ClientRecipient> recipients;
};

// Checks what the caller gives: at least one recipient; every address parses as an SMTP
// path (so no CR, LF or SP can reach a command line), UTF-8 in one only with smtputf8; an
// ENVID of 1 to 100 printable ASCII characters; an ORCPT with an atom as its type, an
// address that is printable ASCII (or UTF-8 for "utf-8"), at most 500 octets encoded;
// no BINARYMIME. kInvalidArgument otherwise, naming the fault.
Status check_envelope(const ClientEnvelope& envelope);

// "MAIL FROM:<sender> [SIZE=n] [BODY=...] [SMTPUTF8] [RET=...] [ENVID=xtext]\r\n" with
// only the parameters `peer` offers. The envelope must have passed check_envelope.
std::string format_mail(const ClientEnvelope& envelope, const Capabilities& peer);

// "RCPT TO:<address> [NOTIFY=...] [ORCPT=type;xtext]\r\n" (DSN parameters only when `peer`
// offers DSN). ORCPT=utf-8 is written in the ASCII utf-8-addr-xtext form of RFC 6533,
// which every DSN server reads.
std::string format_rcpt(const ClientRecipient& recipient, const Capabilities& peer);

}  // namespace mf::smtp

#endif  // MF_SMTP_CLIENT_ENVELOPE_H
