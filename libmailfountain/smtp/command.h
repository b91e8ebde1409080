// smtp/command.h — SMTP command lines (RFC 5321 §4.1.1) as the server receives them:
// the verb, then each argument-bearing command's argument. Pure functions over bytes,
// fuzzed (tests/fuzz/smtp_command_fuzz.cpp).
//
// The session splits its input into lines and calls parse_command_line on one line
// without its CRLF. Enforcing the line length limit (RFC 5321 §4.5.3.1.4/.5: 512 octets
// for a command line, more with extensions) is the session's job, as is every decision
// that depends on state (503 bad sequence, relay policy, size limits, authentication):
// the session may check its state between parse_command_line and the command's own
// parser, as Postfix does, so that a command out of order gets 503 whatever its syntax.
//
// Every function returns ReplyOr<T> (smtp/reply_or.h): the parsed command, or the reply
// that refuses it. Replies, following Postfix's texts where it has one:
//   500 5.5.2  empty line, NUL byte, ill-formed UTF-8 anywhere in the line (Postfix, with
//              SMTPUTF8 enabled, refuses such lines the same way), 8-bit byte in the verb
//   500 5.5.1  unknown verb
//   501 5.5.4  bad syntax: an argument where none is allowed, a missing argument,
//              "MAIL FROM:" or "RCPT TO:" missing, BDAT or AUTH malformed
//   501 5.1.7  bad sender path (smtp/path.h)     501 5.1.3  bad recipient path
//   553 5.6.7  UTF-8 in an address without SMTPUTF8 on MAIL: Postfix's reply; 553 is
//              "mailbox name not allowed" and X.6.7 RFC 6531's "non-ASCII addresses not
//              permitted for that sender/recipient"; 501 would tell the client its
//              syntax is wrong, when only its declaration is missing
//   555 5.5.4  unknown, unoffered, repeated or malformed parameter (smtp/params.h)
//   552 5.3.4  SIZE too large to count
#ifndef MF_SMTP_COMMAND_H
#define MF_SMTP_COMMAND_H

#include "smtp/params.h"
#include "smtp/path.h"
#include "smtp/reply_or.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mf::smtp {

enum class Verb {
  kHelo,
  kEhlo,
  kMail,
  kRcpt,
  kData,
  kBdat,
  kRset,
  kNoop,
  kQuit,
  kVrfy,
  kExpn,
  kHelp,
  kStartTls,
  kAuth,
};

// The verb in upper case: "STARTTLS".
std::string_view verb_name(Verb verb);

struct CommandLine {
  Verb verb;
  // The rest of the line after the verb and its separating SPs, trailing SP and HTAB
  // removed. Points into the line given to parse_command_line: valid as long as it is.
  std::string_view argument;
};

// Splits a command line (without CRLF) into verb and argument. The verb is everything up
// to the first SP, matched case-insensitively. The arity is checked here: DATA, RSET,
// QUIT and STARTTLS take no argument; HELO, EHLO, MAIL, RCPT, BDAT, AUTH, VRFY and EXPN
// need one; NOOP and HELP take an optional string (RFC 5321 §4.1.1.9, §4.1.1.8), left
// for the session. Trailing whitespace is tolerated, as Postfix does; leading whitespace
// is not.
ReplyOr<CommandLine> parse_command_line(std::string_view line);

struct MailCommand {
  Path sender;  // may be the null path
  MailParams params;
};

struct RcptCommand {
  Path recipient;  // may be the bare Postmaster
  RcptParams params;
};

// MAIL's argument: "FROM:" (any case), optional SPs — Postfix accepts "MAIL FROM: <a@b>"
// by default, and so do we — then the reverse-path in angle brackets, then parameters.
// Unbracketed addresses, which Postfix also takes by default, are refused (501 5.1.7):
// every client in use today sends the brackets. UTF-8 in the path is allowed only with
// the SMTPUTF8 parameter (553 5.6.7 otherwise).
ReplyOr<MailCommand> parse_mail(std::string_view argument, const Extensions& offered);

// RCPT's argument: "TO:" (any case), optional SPs, the forward-path, parameters.
// `transaction` says whether MAIL declared SMTPUTF8; UTF-8 in the path without it is
// refused with 553 5.6.7.
ReplyOr<RcptCommand> parse_rcpt(std::string_view argument, const Extensions& offered,
                                Smtputf8 transaction);

struct BdatCommand {
  uint64_t size = 0;
  bool last = false;
};

// BDAT's argument (RFC 3030 §2): chunk size digits, then optionally LAST (any case).
// A size that does not fit 64 bits is refused with 501 like any other syntax error. After
// a refused BDAT the session cannot know how many octets follow; Postfix answers 521
// and closes, and the session should do the same.
ReplyOr<BdatCommand> parse_bdat(std::string_view argument);

// RFC 4954 §4: a mechanism name is 1 to 20 of A-Z 0-9 - _.
constexpr size_t kMaxSaslMechanism = 20;

struct AuthCommand {
  std::string mechanism;  // upper-cased ("plain" → "PLAIN")
  // The initial response as sent, still base64 (decode with smtp/sasl.h): nullopt when
  // none was given; empty when it was "=", the empty response (RFC 4954 §4).
  std::optional<std::string> initial_response;
};

// AUTH's argument: mechanism [SP initial-response]. The initial response is one token;
// its base64 is checked when it is decoded.
ReplyOr<AuthCommand> parse_auth(std::string_view argument);

struct HeloCommand {
  std::string name;  // the whole argument as given
  // Whether the name is a syntactically valid ASCII domain or address literal
  // (smtp/path.h's rules). Like Postfix by default, an invalid name is still accepted:
  // the session logs it and may use it in policy, but does not refuse the greeting.
  bool valid = false;
};

// HELO/EHLO's argument; `verb` only shapes the syntax reply when the argument is empty.
ReplyOr<HeloCommand> parse_helo(Verb verb, std::string_view argument);

}  // namespace mf::smtp

#endif  // MF_SMTP_COMMAND_H
