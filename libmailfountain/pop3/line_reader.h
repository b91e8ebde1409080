// pop3/line_reader.h — splitting a POP3 client's byte stream into lines, with a hard
// length limit. A push reader: bytes in chunks of any size, split anywhere. Pure.
//
// A line ends with LF; a CR just before it is removed too (CRLF, or a bare LF from a
// lenient client). A line longer than the limit is not kept: the reader skips it up to
// its LF, then reports it once as kTooLong, so the session answers it in its place among
// the pipelined commands and the next line starts clean. The reader holds at most one
// partial line (at most the limit).
#ifndef MF_POP3_LINE_READER_H
#define MF_POP3_LINE_READER_H

#include <cstddef>
#include <string>
#include <string_view>

namespace mf::pop3 {

class LineReader {
 public:
  // `max_octets`: the longest line accepted, its line end included.
  explicit LineReader(size_t max_octets) : max_octets_(max_octets) {}

  enum class Event {
    kNeedMore,  // every byte given was consumed; no line is complete yet
    kLine,      // line() holds a complete line
    kTooLong,   // a line over the limit ended (and was dropped)
  };
  struct Step {
    Event event = Event::kNeedMore;
    size_t consumed = 0;  // bytes of the input used, up to and including the line's LF
  };

  // Consumes bytes up to the end of the next line, or all of `in` when none ends in it.
  Step feed(std::string_view in);

  // The line kLine reported, without its line end. Valid until the next feed().
  std::string_view line() const { return line_; }

  // The limit for the lines that follow (and for the partial line held, if any).
  void set_limit(size_t max_octets) { max_octets_ = max_octets; }
  size_t limit() const { return max_octets_; }

 private:
  size_t max_octets_;
  std::string line_;       // the line so far, with its line end until it is stripped
  bool complete_ = false;  // line_ was reported; the next feed() starts a new line
  bool skipping_ = false;  // the current line passed the limit
};

}  // namespace mf::pop3

#endif  // MF_POP3_LINE_READER_H
