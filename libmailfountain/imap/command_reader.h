// imap/command_reader.h — the incremental reader of IMAP client commands (RFC 9051 §2.2.1,
// §4.3, §7.5; RFC 7888 LITERAL+ and LITERAL-; RFC 3516 literal8). It takes the bytes a
// client sends, in chunks of any size split anywhere, and yields whole commands: the
// command line together with every literal it announces. A push parser with no I/O: the
// session feeds what the socket gave, answers the reader's events, and hands complete
// commands to imap/command_parser.h. The same reader serves the lines a command reads
// inside itself (AUTHENTICATE responses, IDLE's DONE): each arrives as a RawCommand.
//
// Literals. A line ending in "{n}" announces a synchronizing literal: the client waits for
// a "+" continuation before sending its n octets, so the reader stops with
// ReadEvent::kLiteralRequest and the session either sends "+ ..." and calls
// accept_literal(), or refuses it (tagged NO/BAD: quota, APPENDLIMIT) and calls
// refuse_literal(), after which the command is over and the next bytes are a new command.
// "{n+}" is non-synchronizing: the octets follow at once. With LITERAL- only (the IMAP4rev2
// base), a "{n+}" over 4096 octets is refused. "~{n}" / "~{n+}" is a literal8: only there
// may the octets include NUL. A "{" inside a quoted string announces nothing.
//
// Limits (Limits below), each answered as RFC 9051 and RFC 7888 ask, and always in step
// with the client so that the session keeps serving after a BAD or NO:
//   - an oversized synchronizing literal is refused before the client sends it
//     (NO [TOOBIG] in APPEND, BAD [TOOBIG] elsewhere); the command is over;
//   - an oversized non-synchronizing literal, a line over max_line_octets, a NUL outside a
//     literal8, too many literals: BAD (tagged when the tag is known); then the reader
//     skips the rest of the command — the rest of the line, each non-synchronizing
//     literal it announces (up to max_discard octets each), up to the line that ends the
//     command or announces a synchronizing literal (the client waits for a "+" it will
//     never get: the tagged BAD it already has ends the command);
//   - a non-synchronizing literal too large to skip (over max_discard, or a size beyond
//     64 bits): BYE — the session sends it and closes.
// Lines end with CRLF; a bare LF is accepted too (as Dovecot does). Empty lines between
// commands are ignored.
#ifndef MF_IMAP_COMMAND_READER_H
#define MF_IMAP_COMMAND_READER_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mf::imap {

// Non-synchronizing literals the server advertises: LITERAL- (the IMAP4rev2 base, "{n+}"
// up to 4096 octets) or LITERAL+ (any size up to the limits).
enum class NonSyncLiterals { kLiteralMinus, kLiteralPlus };

// The reader's limits. Defaults follow Dovecot where it has one.
struct Limits {
  // Octets of one command outside its literals (all its lines, line ends included).
  // Dovecot's imap_max_line_length is 64 KiB.
  size_t max_line_octets = 64 * 1024;
  // One literal's size in any command but APPEND (LOGIN passwords, SEARCH strings).
  uint64_t max_literal = 64 * 1024;
  // One literal's size in APPEND: the APPENDLIMIT advertised (RFC 7889).
  uint64_t max_append_literal = 50 * 1024 * 1024;
  // All literals of one command (MULTIAPPEND of several messages).
  uint64_t max_command_literal_octets = 100 * 1024 * 1024;
  // Literals in one command.
  size_t max_literals = 100;
  // The largest refused non-synchronizing literal the reader skips to stay in step; over
  // it the session says BYE, as reading on would only feed the client's bandwidth.
  uint64_t max_discard = 50 * 1024 * 1024;
  NonSyncLiterals non_sync = NonSyncLiterals::kLiteralMinus;
};

// LITERAL-'s cap on non-synchronizing literals (RFC 7888 §5).
constexpr uint64_t kLiteralMinusMax = 4096;

// One complete command as the client sent it.
struct RawCommand {
  // The command's bytes without its final line end: the line(s) with every literal in
  // place as "{n}" CRLF + the n octets ("{n+}" and "~{n}" kept as sent), each inner line
  // end written CRLF.
  std::string bytes;
  size_t literals = 0;          // literals in the command
  uint64_t literal_octets = 0;  // their total size
};

enum class ReadEvent {
  kNeedMore,        // every byte given was consumed; nothing complete yet
  kCommand,         // a command is complete: take_command()
  kLiteralRequest,  // a synchronizing literal is announced: literal_request(), then
                    // accept_literal() (after sending "+ ...") or refuse_literal()
  kError,           // send error().wire(); if it is a BYE, close the connection
};

struct ReadStep {
  size_t consumed = 0;  // bytes of the input consumed; the rest stay with the caller
  ReadEvent event = ReadEvent::kNeedMore;
};

struct LiteralRequest {
  uint64_t size = 0;
  bool binary = false;     // "~{n}"
  bool in_append = false;  // the command is APPEND (its limit applied)
};

enum class ErrorReply { kBad, kNo, kBye };

struct ReadError {
  ErrorReply reply = ErrorReply::kBad;
  std::string tag;   // the command's tag, empty when unknown (then the reply is untagged)
  std::string code;  // response code without brackets ("TOOBIG"), or empty
  std::string text;  // a short reason ("Line too long")
  // The response line with CRLF: "a1 BAD [TOOBIG] Literal too large\r\n",
  // "* BAD Line too long\r\n", "* BYE Literal too large to skip\r\n".
  std::string wire() const;
};

// Reads the commands of one connection. Not thread-safe (one session owns it). Memory: the
// current command only, bounded by max_line_octets + max_command_literal_octets; bytes
// after a complete command stay with the caller (pipelining applies back-pressure).
class CommandReader {
 public:
  explicit CommandReader(Limits limits = {});

  // Reads from `in` until it is used up or an event needs the caller: returns how many
  // bytes were consumed and the event. The caller feeds the unconsumed rest again after
  // handling the event. While a literal request waits for a decision, or after a BYE,
  // consumes nothing and repeats the event.
  ReadStep feed(std::string_view in);

  // After kCommand: the command (moved out). The next feed() starts a new command.
  RawCommand take_command();

  // After kLiteralRequest.
  const LiteralRequest& literal_request() const { return request_; }
  // The caller has sent "+ ..."; the literal's octets come next.
  void accept_literal();
  // The caller has refused the literal with a tagged reply; the command is over.
  void refuse_literal();

  // After kError.
  const ReadError& error() const { return error_; }

  // The tag of the command being read, when already known (for the caller's own replies
  // to a literal request); empty otherwise.
  std::string current_tag() const;

  // True after a BYE: the connection must close.
  bool closed() const { return state_ == State::kClosed; }

 private:
  enum class State {
    kLine,            // reading line bytes
    kLiteral,         // reading a literal's octets
    kAwaitDecision,   // a synchronizing literal waits for accept/refuse
    kCommandReady,    // a command is complete, not yet taken
    kDiscard,         // skipping the rest of a refused command's line
    kDiscardLiteral,  // skipping a refused command's non-synchronizing literal
    kClosed,          // BYE sent
  };

  void reset_command();
  void track_quotes(std::string_view chunk, bool& in_quote, bool& escape) const;
  // Handles the end of a line in kLine; returns the event for the step.
  ReadEvent end_of_line();
  // Handles the end of a line in kDiscard; returns kError for a BYE, kNeedMore otherwise.
  ReadEvent end_of_discarded_line();
  // How the reader gets back in step after refusing a command: the next bytes start a new
  // command; or the rest of the current line is skipped; or a literal of `literal_size`
  // octets, then the rest of its line. Each skipped line may announce more literals.
  enum class Resync { kNextCommand, kRestOfLine, kLiteralThenLine };
  // Records an error (a BYE when the literal to skip is over max_discard) and resyncs.
  ReadEvent fail(ErrorReply reply, std::string code, std::string text, Resync resync,
                 uint64_t literal_size = 0);
  bool command_is_append() const;
  // Starts reading the literal just announced (or returns to the line for "{0}").
  void begin_literal();

  Limits limits_;
  State state_ = State::kLine;
  RawCommand cmd_;
  size_t line_start_ = 0;   // offset in cmd_.bytes of the current line part
  size_t line_octets_ = 0;  // non-literal octets read for this command
  bool in_quote_ = false;
  bool escape_ = false;
  uint64_t literal_left_ = 0;
  bool literal_binary_ = false;
  LiteralRequest request_;
  ReadError error_;
  std::string tail_;           // kDiscard: the last octets of the line, to spot "{n+}"
  bool tail_dropped_ = false;  // tail_ lost the line's start
};

}  // namespace mf::imap

#endif  // MF_IMAP_COMMAND_READER_H
