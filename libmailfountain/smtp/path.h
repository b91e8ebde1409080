// smtp/path.h — the reverse-path of MAIL and the forward-path of RCPT (RFC 5321 §4.1.2),
// parsed into the mailbox they name. A pure function over bytes, fuzzed through
// tests/fuzz/smtp_command_fuzz.cpp.
//
// The parser is strict (RFC 5321 grammar, RFC 6531 UTF-8) except where RFC 5321 itself
// asks for tolerance, and it decides nothing about relaying. What it guarantees is that
// the address it returns is the one the client wrote, so the policy layer after it cannot
// be fooled:
//   - '%' and '!' stay in the local part as written ("u%remote@local" is the local part
//     "u%remote" at "local"): the percent hack and bang paths are for the policy layer to
//     treat as local addresses, never for the parser to reroute;
//   - a quoted local part is unquoted into `local` with `quoted_local` set, and is never
//     split at an '@' inside the quotes ("\"u@remote\"@local" is at "local");
//   - a source route ("<@a,@b:u@d>") is checked and dropped (RFC 5321 §4.1.1.3 and
//     Appendix C: the mailbox alone is used), and `source_route_dropped` says so;
//   - the domain is returned as written, case included: comparing it with local domains
//     (case-insensitively, in A-label form) is the policy layer's job (model/names.h);
//   - a domain ending in a dot ("u@example.org.") is refused rather than normalised, so no
//     two spellings of a domain can reach the policy layer; so is a name whose top label
//     is numeric ("u@192.0.2.1"), which some resolvers would take for an IP address;
//   - address literals must be a valid dotted quad without leading zeros ("[192.0.2.1]",
//     so no octal reading elsewhere) or "[IPv6:...]" as inet_pton reads it; other tags
//     (General-address-literal) are refused, as nothing can route to them.
//
// Limits (RFC 5321 §4.5.3.1): domain at most 255 octets, the whole path at most 256
// octets with its brackets. The local part is bounded by the path only, not by the 64
// octets of §4.5.3.1.1, which the same section asks implementations not to impose where
// they can avoid it: SRS, VERP and BATV addresses (ours included: a forwarded message's
// bounce comes back to an SRS address) routinely exceed it, and Postfix accepts them.
//
// UTF-8 (RFC 6531) is accepted in the local part and domain here and reported in
// `has_utf8`: whether it is allowed depends on the SMTPUTF8 parameter, which the command
// parser (smtp/command.h) checks. Bytes that are not well-formed UTF-8, and NUL, are
// refused.
#ifndef MF_SMTP_PATH_H
#define MF_SMTP_PATH_H

#include "smtp/reply_or.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace mf::smtp {

// Hard limits of RFC 5321 §4.5.3.1, in octets.
constexpr size_t kMaxDomain = 255;
constexpr size_t kMaxPath = 256;

// What the part after '@' is.
enum class DomainKind {
  kNone,  // the null path, or the bare <Postmaster>
  kName,  // a domain name (LDH labels; U-labels under SMTPUTF8)
  kIPv4,  // "[192.0.2.1]"
  kIPv6,  // "[IPv6:2001:db8::1]"
};

struct Path {
  bool is_null = false;  // "<>" (MAIL only)
  std::string local;     // unquoted; "Postmaster" as written for the bare form
  std::string domain;    // as written: "Example.ORG", "[192.0.2.1]", "[IPv6:..]"
  DomainKind domain_kind = DomainKind::kNone;
  std::string address_literal;        // for kIPv4/kIPv6: the address without brackets or tag
  bool quoted_local = false;          // the local part was written as a quoted string
  bool source_route_dropped = false;  // "<@a,@b:u@d>" was given; only u@d is kept
  bool has_utf8 = false;              // a byte from 0x80 up in the local part or domain

  // RCPT TO:<Postmaster> without a domain (RFC 5321 §4.5.1), in any letter case.
  bool is_bare_postmaster() const { return !is_null && domain_kind == DomainKind::kNone; }

  // The mailbox in canonical SMTP form: "local@domain", the local part quoted only when
  // it is not a dot-string (RFC 5321 §4.1.2 asks for the unquoted form when possible);
  // "Postmaster" for the bare form; "" for the null path. Parsing "<" + mailbox() + ">"
  // again gives the same local part and domain.
  std::string mailbox() const;
};

// Whom the path names: decides the enhanced codes (5.1.7 bad sender, 5.1.3 bad
// recipient) and which special forms are allowed ("<>" for a sender, "<Postmaster>" for a
// recipient).
enum class PathRole { kSender, kRecipient };

// Parses one whole path, "<" to ">" and nothing around it. On failure, the reply is
// 501 5.1.7 (sender) or 501 5.1.3 (recipient) with a sentence naming the fault; it
// never echoes the client's bytes.
ReplyOr<Path> parse_path(std::string_view text, PathRole role);

// The length of the path at the start of `text` (which must start with '<'): up to and
// including the first '>' outside a quoted string; std::string_view::npos if there is
// none. Used to cut a path from the parameters that follow it.
size_t path_span(std::string_view text);

// Why `name` is not a syntactically valid domain name (RFC 5321 §4.1.2 Domain: LDH
// labels of at most 63 octets, at most 255 octets in all, no trailing dot, a non-numeric
// top label; bytes from 0x80 up allowed in labels as U-labels), or nullopt when it is.
// The reason is a short English phrase ("trailing dot in the domain").
std::optional<std::string_view> domain_syntax_error(std::string_view name);

// Why `text` ("[...]", brackets included) is not a valid address literal, or nullopt.
// Sets *kind and *address (the address alone) when it is valid and they are not null.
std::optional<std::string_view> address_literal_error(std::string_view text,
                                                      DomainKind* kind = nullptr,
                                                      std::string* address = nullptr);

// Whether `local` (unquoted) can be written as a Dot-string, i.e. without quotes.
bool is_dot_string(std::string_view local);

// `local` as it is written in a path: as is when it is a dot-string, else quoted with
// '"' and '\\' escaped (RFC 5321 §4.1.2 Quoted-string).
std::string format_local_part(std::string_view local);

}  // namespace mf::smtp

#endif  // MF_SMTP_PATH_H
