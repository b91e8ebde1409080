// smtp/xtext.h — the xtext encoding of ESMTP parameter values (RFC 3461 §4: ENVID, ORCPT;
// RFC 4954 §5: AUTH=) and the utf-8-addr forms of RFC 6533 §3 used by ORCPT=utf-8;...
// Pure functions; the server decodes what clients send, the outbound side encodes what it
// relays.
//
//   xtext   = *( xchar / hexchar )
//   xchar   = "!" .. "~" except "+" and "="
//   hexchar = "+" two upper-case hexadecimal digits
//
//   utf-8-addr-xtext   = 1*( QCHAR / "\x{" HEXPOINT "}" )   (ASCII only)
//   utf-8-addr-unitext = 1*( QCHAR / UTF-8 non-ASCII / "\x{" HEXPOINT "}" )
//   QCHAR              = "!" .. "~" except "+", "=" and "\"
#ifndef MF_SMTP_XTEXT_H
#define MF_SMTP_XTEXT_H

#include <optional>
#include <string>
#include <string_view>

namespace mf::smtp {

// Encodes any bytes as xtext: "+" "=" and everything outside "!".."~" become "+XX".
std::string xtext_encode(std::string_view raw);

// Decodes xtext strictly: nullopt when a byte is not an xchar, or "+" is not followed by
// two upper-case hex digits (RFC 3461 asks for upper case; lower case is refused, as
// nothing is lost by asking a client to follow it).
std::optional<std::string> xtext_decode(std::string_view xtext);

// Whether raw UTF-8 (the unitext form) is acceptable in utf8_addr_decode.
enum class RawUtf8 { kRefused, kAllowed };

// Decodes RFC 6533's utf-8-addr-xtext (raw kRefused) or utf-8-addr-unitext (kAllowed,
// only in an SMTPUTF8 transaction) into UTF-8. nullopt when empty, when a character is
// not allowed, or when an "\x{HEX}" escape is malformed: 2 to 6 hex digits without
// needless leading zeros, naming a code point that could not be written directly (a
// control other than NUL, SP, "+", "=", "\", DEL or non-ASCII) and that is not a
// surrogate or beyond U+10FFFF.
std::optional<std::string> utf8_addr_decode(std::string_view text, RawUtf8 raw);

// Encodes UTF-8 as utf-8-addr-xtext: QCHARs as they are, every other code point as
// "\x{HEX}" (upper case, at least two digits). `utf8` must be well-formed UTF-8; an
// ill-formed byte is encoded as its own value, so the output is always ASCII.
std::string utf8_addr_encode(std::string_view utf8);

}  // namespace mf::smtp

#endif  // MF_SMTP_XTEXT_H
