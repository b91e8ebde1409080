// smtp/data_reader.h — the incremental reader of SMTP DATA (RFC 5321 §4.1.1.4, §4.5.2): it
// takes the bytes a client sends after the server's 354 reply, in chunks of any size split
// anywhere, finds the end of the data, undoes dot-stuffing, counts bare line ends and NUL
// bytes, applies the size and line-length limits, and appends the message to the caller's
// string. A push parser with no I/O: the session feeds what the socket gave and writes the
// output to disk as it grows.
//
// The end of data is the raw sequence CR LF "." CR LF and nothing else, where the first
// CR LF ends the last line of the message or is the DATA command's own line end (so ".\r\n"
// at the very start is an empty message). Every look-alike — "\n.\n", "\r.\r", "\n.\r\n",
// "\r\n.\n", "\r\n.\r" followed by anything but LF — is message content: a server that
// ends data on any of them lets a client smuggle a second message past a relay that does
// not (SMTP smuggling, CVE-2023-51764/51765/51766). Equivalently: the data ends at the first
// occurrence of "\r\n.\r\n" in "\r\n" followed by the input.
//
// Lines and dot-stuffing. A line ends at CR LF or at a bare LF (an LF not preceded by CR),
// as in Postfix, which splits lines at every LF; a bare CR (a CR not followed by LF) is
// content and ends nothing. At the start of every line — the start of the data, after a CR
// LF and after a bare LF — a leading "." is a stuffing dot and is removed (§4.5.2). So
// "\n..x" gives "\n.x", and a "." line that is not the end marker ("\n.\r\n", "\r\n.\n") is
// read as an empty line. Removing a dot can therefore never turn a non-CR-LF sequence into
// the end of data: the end is decided on the raw bytes before any dot is removed. A client
// relaying a message read in BareLf::kKeep mode must stuff a dot after every LF, bare or
// not, for the message to come back unchanged (Postfix's smtp client does).
#ifndef MF_SMTP_DATA_READER_H
#define MF_SMTP_DATA_READER_H

#include "smtp/reply.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mf::smtp {

// What the reader writes for a bare LF. Bare CRs are always kept as they are.
enum class BareLf {
  kNormalize,  // CR LF, so the stored message has only CR LF line ends (Postfix's default,
               // smtpd_forbid_bare_newline = normalize)
  kKeep,       // the LF as it came
};

struct DataReaderOptions {
  BareLf bare_lf = BareLf::kNormalize;
  // The largest message accepted, in bytes as written to the output (after unstuffing and
  // normalising, the last line's CR LF included). The default is Postfix's
  // message_size_limit.
  uint64_t max_message_bytes = 10240000;
  // The longest line accepted, in bytes of text: neither its line end nor a stuffing dot
  // counts. RFC 5321 §4.5.3.1.6 allows 1000 octets with the CR LF, hence 998.
  size_t max_line_length = 998;
};

// What the reader saw; every count covers the whole data, also past the size limit.
struct DataStats {
  uint64_t message_bytes = 0;  // the message's full size, counted on past the limit
  uint64_t bare_lf = 0;        // LFs not preceded by CR
  uint64_t bare_cr = 0;        // CRs not followed by LF
  uint64_t nul = 0;            // NUL bytes (kept in the output)
  uint64_t long_lines = 0;     // lines longer than max_line_length (kept whole)
  bool over_size = false;      // message_bytes > max_message_bytes
};

// Reads one message's DATA. One reader per message; not thread-safe (one session owns it).
// The state kept between calls is a few integers whatever the message's size: at most a CR
// or a line-start "." whose meaning depends on the next byte is held back, never a line.
class DataReader {
 public:
  explicit DataReader(DataReaderOptions options = {});

  // Reads `in`, the next bytes from the client, and appends the message bytes they complete
  // to `out` (the caller may empty `out` between calls, e.g. after writing it to disk).
  // Returns how many bytes of `in` it consumed: all of them while the end has not been
  // found; up to and including the end marker's final LF once it is found, so the rest —
  // a pipelined next command (RFC 2920) — stays with the caller. Once done(), consumes
  // nothing and returns 0. Consumed bytes whose meaning is still open (a trailing CR or
  // line-start ".") are held inside the reader, not lost.
  //
  // Over the size limit the output stops growing at exactly max_message_bytes (a prefix of
  // the message, to be discarded) while the reader keeps scanning for the end so the
  // session stays in step with the client; it never appends more than max_message_bytes in
  // all. Never fails: every byte sequence is data until the end marker.
  size_t feed(std::string_view in, std::string& out);

  // True once the end of data has been read.
  bool done() const { return state_ == State::kDone; }

  const DataStats& stats() const { return stats_; }

 private:
  enum class State {
    kLineStartCrlf,  // at a line start after CR LF (or at the start): "." may be the end
    kLineStartLf,    // at a line start after a bare LF: "." is only a stuffing dot
    kText,           // inside a line
    kCr,             // after a CR inside a line, held back until the next byte
    kDot,            // after a line-start "." that may begin the end marker (dropped)
    kDotCr,          // after "." CR at a line start after CR LF, held back
    kDone,           // the end marker has been read
  };

  // Writes message bytes: counts them, and appends what fits under the size limit.
  void emit(std::string& out, const char* bytes, size_t n);
  // Writes text bytes of the current line (also counting them for the line-length limit).
  void emit_text(std::string& out, const char* bytes, size_t n);
  void emit_bare_cr(std::string& out);

  DataReaderOptions options_;
  DataStats stats_;
  State state_ = State::kLineStartCrlf;
  uint64_t line_length_ = 0;
};

// What the server does with a message containing bare LFs, at the end of data. Postfix's
// smtpd_forbid_bare_newline: "normalize" (or "no") accepts, "reject" refuses.
enum class BareLfPolicy { kAccept, kRefuse };

// The reply refusing the message just read, or nullopt when nothing the reader counted
// forbids it; to send once done() (never before: the client is still sending). In order
// of precedence: over the size limit, 552 5.3.4 (RFC 1870, RFC 3463); NUL bytes,
// 554 5.6.0 (RFC 5321 §2.3.8 allows none in text); bare LFs under kRefuse, 550 5.5.2 (the
// code and enhanced code Postfix uses). Long lines and bare CRs are not refused here: like
// Postfix, the server accepts them and the counts are for its log.
std::optional<Reply> data_refusal(const DataStats& stats, BareLfPolicy bare_lf);

}  // namespace mf::smtp

#endif  // MF_SMTP_DATA_READER_H
