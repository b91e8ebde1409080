// smtp/reply.h — an SMTP reply as the protocol core produces it: the basic code (RFC 5321
// §4.2), the enhanced status code (RFC 3463, without the leading code; empty when none) and
// the text. Errors a client causes come back from the smtp/ pieces as one of these.
#ifndef MF_SMTP_REPLY_H
#define MF_SMTP_REPLY_H

#include <string>

namespace mf::smtp {

struct Reply {
  int code;
  std::string enhanced;
  std::string text;
  // The reply as sent: "501 5.5.4 text\r\n" ("250 text\r\n" without an enhanced code).
  // One line; multi-line replies are not needed by the protocol core yet.
  std::string wire() const;
};

}  // namespace mf::smtp

#endif  // MF_SMTP_REPLY_H
