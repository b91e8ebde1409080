// imap/command_reader.cpp — the incremental command reader (see command_reader.h).
#include "imap/command_reader.h"

#include "base/text.h"
#include "imap/chars.h"

#include <algorithm>

namespace mf::imap {

namespace {

// Enough for "~{" + 19 digits + "+}" with room to spare.
constexpr size_t kTailMax = 40;

// A literal announcement at the end of a line: "{n}", "{n+}", "~{n}", "~{n+}".
struct Announcement {
  enum class Kind { kNone, kLiteral, kTooLarge };
  Kind kind = Kind::kNone;
  uint64_t size = 0;
  bool sync = true;
  bool binary = false;
};

// `truncated` says that `line` is only the end of the line: a run of digits reaching its
// start is then a size too long to have been kept, not a missing "{".
Announcement parse_announcement(std::string_view line, bool truncated) {
  Announcement a;
  if (line.empty() || line.back() != '}') return a;
  size_t p = line.size() - 1;
  if (p > 0 && line[p - 1] == '+') {
    a.sync = false;
    --p;
  }
  size_t digits_end = p;
  while (p > 0 && is_digit(line[p - 1])) --p;
  size_t ndigits = digits_end - p;
  if (ndigits == 0) return a;
  if (p == 0) {
    if (truncated) a.kind = Announcement::Kind::kTooLarge;
    return a;
  }
  if (line[p - 1] != '{') return a;
  a.binary = p >= 2 && line[p - 2] == '~';
  // number64 (RFC 9051): at most 2^63 - 1, so 19 digits at most.
  if (ndigits > 19) {
    a.kind = Announcement::Kind::kTooLarge;
    return a;
  }
  uint64_t v = 0;
  for (size_t k = p; k < digits_end; ++k) v = v * 10 + static_cast<uint64_t>(line[k] - '0');
  if (v > 0x7FFFFFFFFFFFFFFFull) {
    a.kind = Announcement::Kind::kTooLarge;
    return a;
  }
  a.kind = Announcement::Kind::kLiteral;
  a.size = v;
  return a;
}

std::string_view first_line(std::string_view bytes) {
  size_t crlf = bytes.find("\r\n");
  return crlf == std::string_view::npos ? bytes : bytes.substr(0, crlf);
}

void keep_tail(std::string& tail, bool& dropped, std::string_view more) {
  tail.append(more);
  if (tail.size() > kTailMax) {
    tail.erase(0, tail.size() - kTailMax);
    dropped = true;
  }
}

}  // namespace

std::string ReadError::wire() const {
  std::string out = tag.empty() ? "*" : tag;
  switch (reply) {
    case ErrorReply::kBad:
      out += " BAD";
      break;
    case ErrorReply::kNo:
      out += " NO";
      break;
    case ErrorReply::kBye:
      out += " BYE";
      break;
  }
  if (!code.empty()) out += " [" + code + "]";
  out += ' ';
  out += text;
  out += "\r\n";
  return out;
}

CommandReader::CommandReader(Limits limits) : limits_(limits) {}

void CommandReader::reset_command() {
  cmd_ = RawCommand{};
  line_start_ = 0;
  line_octets_ = 0;
}

void CommandReader::track_quotes(std::string_view chunk, bool& in_quote, bool& escape) const {
  for (char c : chunk) {
    if (!in_quote) {
      if (c == '"') in_quote = true;
    } else if (escape) {
      escape = false;
    } else if (c == '\\') {
      escape = true;
    } else if (c == '"') {
      in_quote = false;
    }
  }
}

std::string CommandReader::current_tag() const {
  std::string_view line = first_line(cmd_.bytes);
  size_t sp = line.find(' ');
  if (sp == std::string_view::npos || sp == 0) return {};
  std::string_view tag = line.substr(0, sp);
  for (char c : tag) {
    if (!is_tag_char(c)) return {};
  }
  return std::string(tag);
}

bool CommandReader::command_is_append() const {
  std::string_view line = first_line(cmd_.bytes);
  size_t sp = line.find(' ');
  if (sp == std::string_view::npos) return false;
  std::string_view rest = line.substr(sp + 1);
  return ascii_iequals(rest.substr(0, rest.find(' ')), "APPEND");
}

ReadEvent CommandReader::fail(ErrorReply reply, std::string code, std::string text, Resync resync,
                              uint64_t literal_size) {
  error_ = ReadError{reply, reply == ErrorReply::kBye ? std::string() : current_tag(),
                     std::move(code), std::move(text)};
  if (resync == Resync::kLiteralThenLine && literal_size > limits_.max_discard) {
    error_ = ReadError{ErrorReply::kBye, "", "", "Literal too large to skip"};
  }
  if (error_.reply == ErrorReply::kBye) {
    state_ = State::kClosed;
    return ReadEvent::kError;
  }
  switch (resync) {
    case Resync::kNextCommand:
      in_quote_ = escape_ = false;
      state_ = State::kLine;
      break;
    case Resync::kRestOfLine: {
      std::string_view part = std::string_view(cmd_.bytes).substr(line_start_);
      tail_.clear();
      tail_dropped_ = false;
      keep_tail(tail_, tail_dropped_, part);
      state_ = State::kDiscard;
      break;
    }
    case Resync::kLiteralThenLine:
      in_quote_ = escape_ = false;
      tail_.clear();
      tail_dropped_ = false;
      literal_left_ = literal_size;
      state_ = literal_size == 0 ? State::kDiscard : State::kDiscardLiteral;
      break;
  }
  reset_command();
  return ReadEvent::kError;
}

ReadEvent CommandReader::end_of_line() {
  bool quoted = in_quote_;
  in_quote_ = escape_ = false;
  if (cmd_.bytes.empty()) {  // an empty line between commands
    line_octets_ = 0;
    return ReadEvent::kNeedMore;
  }
  std::string_view part = std::string_view(cmd_.bytes).substr(line_start_);
  Announcement a = quoted ? Announcement{} : parse_announcement(part, false);
  if (a.kind == Announcement::Kind::kNone) {
    state_ = State::kCommandReady;
    return ReadEvent::kCommand;
  }
  if (a.kind == Announcement::Kind::kTooLarge) {
    if (a.sync) {
      return fail(ErrorReply::kBad, "TOOBIG", "Literal size too large", Resync::kNextCommand);
    }
    return fail(ErrorReply::kBye, "", "Literal size too large", Resync::kNextCommand);
  }
  bool append = command_is_append();
  uint64_t cap = append ? limits_.max_append_literal : limits_.max_literal;
  ErrorReply reply = ErrorReply::kBad;
  std::string code;
  std::string text;
  if (cmd_.literals + 1 > limits_.max_literals) {
    text = "Too many literals";
  } else if (a.size > cap || a.size > limits_.max_command_literal_octets - cmd_.literal_octets) {
    reply = append ? ErrorReply::kNo : ErrorReply::kBad;
    code = "TOOBIG";
    text = "Literal too large";
  } else if (!a.sync && limits_.non_sync == NonSyncLiterals::kLiteralMinus &&
             a.size > kLiteralMinusMax) {
    code = "TOOBIG";
    text = "Non-synchronizing literal over 4096 octets (LITERAL-)";
  }
  if (!text.empty()) {
    if (a.sync) return fail(reply, code, text, Resync::kNextCommand);
    return fail(reply, code, text, Resync::kLiteralThenLine, a.size);
  }
  cmd_.bytes += "\r\n";
  cmd_.literals++;
  cmd_.literal_octets += a.size;
  literal_left_ = a.size;
  literal_binary_ = a.binary;
  if (a.sync) {
    request_ = LiteralRequest{a.size, a.binary, append};
    state_ = State::kAwaitDecision;
    return ReadEvent::kLiteralRequest;
  }
  begin_literal();
  return ReadEvent::kNeedMore;
}

void CommandReader::begin_literal() {
  if (literal_left_ == 0) {
    state_ = State::kLine;
    line_start_ = cmd_.bytes.size();
  } else {
    state_ = State::kLiteral;
  }
}

ReadEvent CommandReader::end_of_discarded_line() {
  bool quoted = in_quote_;
  in_quote_ = escape_ = false;
  Announcement a = quoted ? Announcement{} : parse_announcement(tail_, tail_dropped_);
  tail_.clear();
  tail_dropped_ = false;
  if (a.kind == Announcement::Kind::kNone || a.sync) {
    // The refused command ends here: at its last line, or at a synchronizing literal the
    // client waits in vain to be invited to send.
    reset_command();
    state_ = State::kLine;
    return ReadEvent::kNeedMore;
  }
  if (a.kind == Announcement::Kind::kTooLarge || a.size > limits_.max_discard) {
    error_ = ReadError{ErrorReply::kBye, "", "", "Literal too large to skip"};
    state_ = State::kClosed;
    return ReadEvent::kError;
  }
  literal_left_ = a.size;
  state_ = a.size == 0 ? State::kDiscard : State::kDiscardLiteral;
  return ReadEvent::kNeedMore;
}

void CommandReader::accept_literal() {
  if (state_ != State::kAwaitDecision) return;
  begin_literal();
}

void CommandReader::refuse_literal() {
  if (state_ != State::kAwaitDecision) return;
  reset_command();
  state_ = State::kLine;
}

RawCommand CommandReader::take_command() {
  RawCommand out = std::move(cmd_);
  reset_command();
  state_ = State::kLine;
  return out;
}

ReadStep CommandReader::feed(std::string_view in) {
  if (state_ == State::kClosed) return {0, ReadEvent::kError};
  if (state_ == State::kAwaitDecision) return {0, ReadEvent::kLiteralRequest};
  if (state_ == State::kCommandReady) {
    reset_command();
    state_ = State::kLine;
  }
  size_t i = 0;
  while (i < in.size()) {
    switch (state_) {
      case State::kLine: {
        std::string_view rest = in.substr(i);
        size_t lf = rest.find('\n');
        std::string_view chunk = lf == std::string_view::npos ? rest : rest.substr(0, lf);
        size_t nul = chunk.find('\0');
        if (nul != std::string_view::npos) chunk = chunk.substr(0, nul);
        if (line_octets_ + chunk.size() > limits_.max_line_octets) {
          // What fits is kept (for the tag); the rest stays unconsumed for the discarding
          // state to read.
          size_t room =
              limits_.max_line_octets > line_octets_ ? limits_.max_line_octets - line_octets_ : 0;
          std::string_view head = chunk.substr(0, room);
          track_quotes(head, in_quote_, escape_);
          cmd_.bytes.append(head);
          i += head.size();
          return {i, fail(ErrorReply::kBad, "", "Line too long", Resync::kRestOfLine)};
        }
        track_quotes(chunk, in_quote_, escape_);
        cmd_.bytes.append(chunk);
        line_octets_ += chunk.size();
        i += chunk.size();
        if (nul != std::string_view::npos) {
          ++i;
          return {i, fail(ErrorReply::kBad, "", "NUL octet in command line", Resync::kRestOfLine)};
        }
        if (lf == std::string_view::npos) break;
        ++i;
        ++line_octets_;
        if (cmd_.bytes.size() > line_start_ && cmd_.bytes.back() == '\r') cmd_.bytes.pop_back();
        ReadEvent ev = end_of_line();
        if (ev != ReadEvent::kNeedMore) return {i, ev};
        break;
      }
      case State::kLiteral: {
        size_t n = static_cast<size_t>(std::min<uint64_t>(literal_left_, in.size() - i));
        std::string_view data = in.substr(i, n);
        if (!literal_binary_) {
          size_t nul = data.find('\0');
          if (nul != std::string_view::npos) {
            i += nul + 1;
            literal_left_ -= nul + 1;
            return {i, fail(ErrorReply::kBad, "", "NUL octet in a literal (use ~{n})",
                            Resync::kLiteralThenLine, literal_left_)};
          }
        }
        cmd_.bytes.append(data);
        i += n;
        literal_left_ -= n;
        if (literal_left_ == 0) begin_literal();
        break;
      }
      case State::kDiscard: {
        std::string_view rest = in.substr(i);
        size_t lf = rest.find('\n');
        std::string_view chunk = lf == std::string_view::npos ? rest : rest.substr(0, lf);
        track_quotes(chunk, in_quote_, escape_);
        keep_tail(tail_, tail_dropped_, chunk);
        i += chunk.size();
        if (lf == std::string_view::npos) break;
        ++i;
        if (!tail_.empty() && tail_.back() == '\r') tail_.pop_back();
        ReadEvent ev = end_of_discarded_line();
        if (ev != ReadEvent::kNeedMore) return {i, ev};
        break;
      }
      case State::kDiscardLiteral: {
        size_t n = static_cast<size_t>(std::min<uint64_t>(literal_left_, in.size() - i));
        i += n;
        literal_left_ -= n;
        if (literal_left_ == 0) state_ = State::kDiscard;
        break;
      }
      case State::kAwaitDecision:
        return {i, ReadEvent::kLiteralRequest};
      case State::kCommandReady:
        return {i, ReadEvent::kCommand};
      case State::kClosed:
        return {i, ReadEvent::kError};
    }
  }
  return {i, ReadEvent::kNeedMore};
}

}  // namespace mf::imap
