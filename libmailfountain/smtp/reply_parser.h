// smtp/reply_parser.h — reading an SMTP server's replies (RFC 5321 §4.2) as a client: a
// push parser fed the server's bytes in pieces of any size, which assembles multi-line
// replies and refuses what is not a reply. Pure; fuzzed through
// tests/fuzz/smtp_client_fuzz.cpp.
//
//   reply-line = *( Reply-code "-" [ textstring ] CRLF )
//                   Reply-code [ SP textstring ] CRLF
//
// What the parser refuses, each a protocol error that ends the conversation (after one,
// the byte stream cannot be trusted to be in step with the commands any more):
//   - a line end without CR (a bare LF), a CR not followed by LF, a NUL byte;
//   - a line that does not start with three digits, the first from 2 to 5, followed by
//     SP, "-" or the line end;
//   - a continuation line whose code differs from the first line's;
//   - a line longer than `max_line` octets (RFC 5321 §4.5.3.1.5 says 512 with the CRLF;
//     real servers send longer texts, so the default cap is 4096), or a reply of more than
//     `max_lines` lines.
// Text is kept as sent otherwise, 8-bit bytes included (some servers send UTF-8).
#ifndef MF_SMTP_REPLY_PARSER_H
#define MF_SMTP_REPLY_PARSER_H

#include "smtp/reply.h"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mf::smtp {

// One complete reply as the server sent it.
struct ServerReply {
  int code = 0;
  // The text of each line after the code and its separator ("" for a bare "250").
  std::vector<std::string> lines;

  // The reply condensed for results and logs: the code, the enhanced status code of the
  // first line when it has one of the reply's class (RFC 3463: "2.1.5" for a 250), and
  // the lines' texts joined with a space, each without its leading enhanced code.
  Reply condensed() const;
};

// The enhanced status code at the start of `text` ("5.1.1 User unknown" → "5.1.1"), if it
// is well-formed (class 2, 4 or 5; subject and detail of 1 to 3 digits; followed by SP or
// the end) and its class is `code`'s first digit; "" otherwise.
std::string enhanced_code_prefix(std::string_view text, int code);

// The enhanced status code of a one-line reply as the queue records it ("550 5.1.1 User
// unknown" → "5.1.1"), under the same conditions; "" when there is none or the reply does
// not start with three digits and a space.
std::string reply_enhanced_code(std::string_view reply);

struct ReplyParserLimits {
  size_t max_line = 4096;  // octets of one line, without CR LF
  size_t max_lines = 100;  // lines of one reply
};

class ReplyParser {
 public:
  explicit ReplyParser(ReplyParserLimits limits = {}) : limits_(limits) {}

  // Reads `in` up to the end of the next complete reply and returns how many bytes it
  // consumed: all of them when no reply is complete yet (a partial line is kept inside),
  // otherwise up to and including the reply's last LF, so the caller can act on the reply
  // before reading what follows it. Consumes nothing once a reply waits in take() or once
  // the parser failed.
  size_t feed(std::string_view in);

  // Whether a complete reply is ready, and taking it (which lets feed() read on).
  bool has_reply() const { return ready_; }
  ServerReply take();

  // Whether the input was not a reply; error() says why, in a short English phrase.
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }

  // Whether a reply has begun but is not complete (part of a line, or "250-" lines).
  bool in_reply() const { return !line_.empty() || !current_.lines.empty() || pending_cr_; }

 private:
  void end_line();
  void fail(std::string why);

  ReplyParserLimits limits_;
  std::string line_;  // the current line so far, without its CR
  bool pending_cr_ = false;
  ServerReply current_;
  bool ready_ = false;
  std::string error_;
};

}  // namespace mf::smtp

#endif  // MF_SMTP_REPLY_PARSER_H
