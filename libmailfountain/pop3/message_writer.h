// pop3/message_writer.h — the body of a RETR or TOP response (RFC 1939 §3, §7): a message
// given in chunks of any size, split anywhere, written byte-stuffed and ended with ".".
// For TOP, only the header, the blank line after it and the first n lines of the body
// are written. Pure.
//
// Stuffing is smtp::DotStuffer's (smtp/dot_stuffer.h): a "." at a line start is doubled,
// a bare LF is sent as CRLF, and the last line gets a CRLF before the final ".\r\n" when
// the message lacks one. The maildrop gives messages with CRLF line ends (pop3/session.h),
// so for them the response is the message, stuffed, then ".\r\n".
//
// TOP's cut: the header ends at its first empty line (a line of nothing but its line end);
// a message without one is all header, and TOP sends it whole. Body lines are counted at
// their LF; a body shorter than n lines is sent whole.
#ifndef MF_POP3_MESSAGE_WRITER_H
#define MF_POP3_MESSAGE_WRITER_H

#include "smtp/dot_stuffer.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mf::pop3 {

class MessageWriter {
 public:
  // `body_lines`: nullopt for RETR (the whole message), n for TOP.
  explicit MessageWriter(std::optional<uint32_t> body_lines) : body_lines_(body_lines) {}

  // Appends the stuffed part of `chunk` that the response includes to `out`. Returns true
  // once the response needs no more of the message (TOP's cut is reached): the caller
  // may stop reading. After that, further chunks write nothing.
  bool write(std::string_view chunk, std::string& out);

  // Appends the end of the response (a CRLF if the last line lacks one, then ".\r\n").
  // Call once, after the last write().
  void finish(std::string& out);

  bool cut() const { return cut_; }

 private:
  // How much of `chunk` TOP keeps; sets cut_ when the cut falls inside it.
  size_t top_prefix(std::string_view chunk);

  std::optional<uint32_t> body_lines_;
  smtp::DotStuffer stuffer_;
  bool cut_ = false;
  bool in_header_ = true;
  bool line_has_text_ = false;  // the current line has a byte other than CR
  uint32_t lines_sent_ = 0;     // body lines ended so far
};

}  // namespace mf::pop3

#endif  // MF_POP3_MESSAGE_WRITER_H
