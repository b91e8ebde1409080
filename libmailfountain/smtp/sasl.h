// smtp/sasl.h — decoding SASL data carried by SMTP AUTH (RFC 4954): the strict base64 of
// every client response, and the PLAIN mechanism's message (RFC 4616). Pure functions.
//
// SMTP carries SASL data as base64 on one line. A response that does not decode cleanly
// (a character outside the alphabet, whitespace, bad or missing padding, a lone trailing
// sextet) is refused with 501 5.5.2 "Cannot decode response", as Postfix does, rather
// than decoded leniently: a credential must mean exactly one thing. The cancel line "*"
// (RFC 4954 §4) is the session's to recognise before calling these.
#ifndef MF_SMTP_SASL_H
#define MF_SMTP_SASL_H

#include "smtp/reply_or.h"

#include <string>
#include <string_view>

namespace mf::smtp {

// RFC 4616 §2: authzid, authcid and passwd are each at most 255 octets of UTF-8.
constexpr size_t kMaxSaslPlainField = 255;

// Decodes one SASL response strictly. An empty input decodes to empty.
ReplyOr<std::string> decode_sasl_base64(std::string_view base64);

struct SaslPlain {
  std::string authzid;   // empty when the client asks to act as itself
  std::string authcid;   // the login name; never empty
  std::string password;  // never empty
};

// Decodes a PLAIN response: base64 of [authzid] NUL authcid NUL passwd. Refused with
// 501 5.5.2 when the base64 is not clean, when there are not exactly two NULs, when the
// authcid or password is empty, when a field exceeds 255 octets or is not UTF-8.
// Checking the credentials is the directory's job.
ReplyOr<SaslPlain> decode_sasl_plain(std::string_view base64);

}  // namespace mf::smtp

#endif  // MF_SMTP_SASL_H
