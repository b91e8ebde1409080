// smtp/dot_stuffer.h — writing a message as DATA's content (RFC 5321 §4.5.2): dot-stuffing,
// CR LF line ends and the final "." line, over a message given in chunks of any size split
// anywhere. Pure; the inverse of smtp/data_reader.h.
//
// Rules, chosen so that no receiver, strict or lenient, can see an end of data before the
// real one (the SMTP smuggling class, CVE-2023-51764; see docs/smtp.md "DATA reader"):
//   - a bare LF is sent as CR LF: a lenient receiver could end the data at "\n.\n";
//   - a "." is doubled at every line start: the start of the message, after CR LF, and
//     after a bare CR, which RFC 5322 §2.3 forbids in a message but which a lenient
//     receiver might read as a line end ("\r.\r\n"); a strict receiver then keeps one
//     extra dot in such a message, which is already malformed;
//   - other bytes, bare CRs and 8-bit bytes included, are sent unchanged;
//   - finish() ends a message whose last line has no line end with CR LF (a trailing bare
//     CR becomes that CR LF), then writes ".\r\n".
// The stuffer keeps two flags between chunks, never a line.
#ifndef MF_SMTP_DOT_STUFFER_H
#define MF_SMTP_DOT_STUFFER_H

#include <cstdint>
#include <string>
#include <string_view>

namespace mf::smtp {

class DotStuffer {
 public:
  // Appends `in`, stuffed, to `out`. A CR at the end of `in` is held back until the next
  // byte says whether it ends a line.
  void write(std::string_view in, std::string& out);

  // Appends the end of the data to `out`. Call once, after the last write().
  void finish(std::string& out);

  // The message bytes given to write() so far.
  uint64_t bytes_in() const { return bytes_in_; }

 private:
  bool line_start_ = true;  // the next byte starts a line
  bool after_lf_ = true;    // the last byte written was LF (or nothing was written)
  bool pending_cr_ = false;
  uint64_t bytes_in_ = 0;
};

}  // namespace mf::smtp

#endif  // MF_SMTP_DOT_STUFFER_H
