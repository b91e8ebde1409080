// smtp/params.h — the ESMTP parameters after the path of MAIL and RCPT (RFC 5321 §4.1.2
// Mail-parameters / Rcpt-parameters). Pure functions over bytes, fuzzed through
// tests/fuzz/smtp_command_fuzz.cpp.
//
//   MAIL: SIZE=<digits> (RFC 1870), BODY=7BIT|8BITMIME (RFC 6152) or BINARYMIME
//         (RFC 3030), SMTPUTF8 (RFC 6531, no value), RET=FULL|HDRS and ENVID=<xtext>
//         (RFC 3461 §4.3, §4.4), AUTH=<xtext>|<> (RFC 4954 §5)
//   RCPT: NOTIFY=NEVER or a list of SUCCESS,FAILURE,DELAY and ORCPT=<type>;<xtext>
//         (RFC 3461 §4.1, §4.2; addr-type utf-8 per RFC 6533)
//
// Keywords and the enumerated values are case-insensitive. Parameters are separated by
// one or more SP. A parameter may appear once. A parameter belongs to an extension, and
// is accepted only when the caller says it offered that extension in its EHLO reply
// (after HELO, nothing is offered). Every refusal is a 555 5.5.4 reply naming the
// parameter — unknown, not offered, repeated or malformed — except a SIZE too large to
// count, which is 552 5.3.4 as in Postfix (it certainly exceeds any limit; comparing a
// SIZE with the configured limit is the session's job). Postfix answers 501 5.5.4 for a
// malformed value of a known parameter; 555 is what RFC 5321 §4.3.2 lists for MAIL and
// RCPT parameters, and one code for every parameter fault is simpler for clients.
#ifndef MF_SMTP_PARAMS_H
#define MF_SMTP_PARAMS_H

#include "smtp/reply_or.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mf::smtp {

// The extensions whose parameters the server offered in its EHLO reply. Nothing by
// default: a caller states what it advertised.
struct Extensions {
  bool size = false;          // SIZE: SIZE=
  bool eightbitmime = false;  // 8BITMIME: BODY=7BIT, BODY=8BITMIME
  bool binarymime = false;    // BINARYMIME (with CHUNKING): BODY=7BIT, BODY=BINARYMIME
  bool smtputf8 = false;      // SMTPUTF8: SMTPUTF8
  bool dsn = false;           // DSN: RET=, ENVID=, NOTIFY=, ORCPT=
  bool auth = false;          // AUTH: AUTH=
};

enum class Body { kUnspecified, k7Bit, k8BitMime, kBinaryMime };
enum class Ret { kUnspecified, kFull, kHeaders };

// RFC 3461 §4.4: the ENVID, after xtext decoding, is at most 100 characters.
constexpr size_t kMaxEnvid = 100;
// RFC 3461 §4.2: servers must accept ORCPT values of up to 500 characters; longer ones
// are refused (the limit applies to the value as written).
constexpr size_t kMaxOrcpt = 500;

struct MailParams {
  std::optional<uint64_t> size;
  Body body = Body::kUnspecified;
  bool smtputf8 = false;
  Ret ret = Ret::kUnspecified;
  std::optional<std::string> envid;  // xtext-decoded; printable ASCII, 1..100 characters
  // AUTH= xtext-decoded: the submitter's mailbox, or "<>" when the client says it is
  // unknown (RFC 4954 §5). Whether to trust it is the session's decision.
  std::optional<std::string> auth;
};

// NOTIFY: all false means NEVER.
struct Notify {
  bool success = false;
  bool failure = false;
  bool delay = false;
  bool never() const { return !success && !failure && !delay; }
};

// ORCPT: the address type as written ("rfc822", "utf-8"; compare case-insensitively) and
// the decoded original recipient (xtext decoded; for "utf-8", RFC 6533 decoded to UTF-8).
struct Orcpt {
  std::string addr_type;
  std::string address;
};

struct RcptParams {
  std::optional<Notify> notify;
  std::optional<Orcpt> orcpt;
};

// Whether the transaction's MAIL carried SMTPUTF8: it allows raw UTF-8 in RCPT addresses
// and in ORCPT=utf-8;... values.
enum class Smtputf8 { kNotDeclared, kDeclared };

// Parses MAIL's parameters: `text` is everything after the path (leading and trailing SP
// are ignored; empty means none).
ReplyOr<MailParams> parse_mail_params(std::string_view text, const Extensions& offered);

// Parses RCPT's parameters, likewise.
ReplyOr<RcptParams> parse_rcpt_params(std::string_view text, const Extensions& offered,
                                      Smtputf8 transaction);

}  // namespace mf::smtp

#endif  // MF_SMTP_PARAMS_H
