// smtp/ehlo_caps.h — what a server offers in its EHLO reply (RFC 5321 §4.1.1.1: the first
// line greets, each further line names an extension and its parameters). Pure.
//
// Keywords are matched case-insensitively; unknown ones are ignored. Recognised:
//   SIZE [n]         RFC 1870; no n or n = 0 means no declared limit
//   PIPELINING       RFC 2920
//   8BITMIME         RFC 6152
//   SMTPUTF8         RFC 6531
//   DSN              RFC 3461
//   STARTTLS         RFC 3207
//   AUTH mech...     RFC 4954; also the pre-standard "AUTH=mech..." some servers still send
//   CHUNKING         RFC 3030
//   ENHANCEDSTATUSCODES  RFC 2034
#ifndef MF_SMTP_EHLO_CAPS_H
#define MF_SMTP_EHLO_CAPS_H

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mf::smtp {

struct Capabilities {
  bool esmtp = false;  // the server answered EHLO (false after a HELO fallback)
  bool size = false;
  uint64_t size_limit = 0;  // 0: no declared limit
  bool pipelining = false;
  bool eightbitmime = false;
  bool smtputf8 = false;
  bool dsn = false;
  bool starttls = false;
  bool chunking = false;
  bool enhanced_status_codes = false;
  std::vector<std::string> auth_mechanisms;  // upper case, in the server's order

  bool offers_auth(std::string_view mechanism) const;
};

// Reads the lines of a 250 reply to EHLO (ServerReply::lines). The first line is the
// server's name and is skipped. Never fails: a malformed line is ignored, a SIZE value
// that is not a number (or does not fit 64 bits) counts as no declared limit.
Capabilities parse_ehlo_lines(const std::vector<std::string>& lines);

}  // namespace mf::smtp

#endif  // MF_SMTP_EHLO_CAPS_H
