// smtp/data_reader.cpp — the incremental SMTP DATA reader (see data_reader.h).
//
// A byte-level state machine. Inside a line, runs of ordinary bytes are copied in one
// append; only CR, LF and line-start dots go through the states, and the only bytes ever
// held back are a CR (is it followed by LF?) and a line-start "." after CR LF (is it the
// end marker?). A held-back "." is never written: it is either the end marker's or a
// stuffing dot.
#include "smtp/data_reader.h"

#include <algorithm>

namespace mf::smtp {

DataReader::DataReader(DataReaderOptions options) : options_(options) {}

void DataReader::emit(std::string& out, const char* bytes, size_t n) {
  const uint64_t limit = options_.max_message_bytes;
  const uint64_t before = stats_.message_bytes;
  stats_.message_bytes += n;
  if (before < limit) {
    // Append what still fits, so the output is an exact prefix of the message and never
    // holds more than the limit.
    out.append(bytes, static_cast<size_t>(std::min<uint64_t>(n, limit - before)));
  }
  if (stats_.message_bytes > limit) stats_.over_size = true;
}

void DataReader::emit_text(std::string& out, const char* bytes, size_t n) {
  const uint64_t max = options_.max_line_length;
  // Counted once per line, when its text first goes past the limit.
  if (line_length_ <= max && line_length_ + n > max) ++stats_.long_lines;
  line_length_ += n;
  emit(out, bytes, n);
}

void DataReader::emit_bare_cr(std::string& out) {
  ++stats_.bare_cr;
  emit_text(out, "\r", 1);
}

size_t DataReader::feed(std::string_view in, std::string& out) {
  if (state_ == State::kDone) return 0;
  const char* p = in.data();
  const char* const end = p + in.size();
  // Each case either consumes bytes or moves to a state that will consume the current byte
  // (kText, which always consumes at least one), so the loop always advances.
  while (p < end) {
    switch (state_) {
      case State::kLineStartCrlf:
        if (*p == '.') {
          ++p;
          state_ = State::kDot;
        } else {
          state_ = State::kText;
        }
        break;
      case State::kLineStartLf:
        // After a bare LF a "." is a stuffing dot but never the start of the end marker:
        // only CR LF "." CR LF ends the data.
        if (*p == '.') ++p;
        state_ = State::kText;
        break;
      case State::kDot:
        if (*p == '\r') {
          ++p;
          state_ = State::kDotCr;
        } else {
          // The dot was a stuffing dot; the byte after it is the line's first.
          state_ = State::kText;
        }
        break;
      case State::kDotCr:
        if (*p == '\n') {
          ++p;
          state_ = State::kDone;
          return static_cast<size_t>(p - in.data());
        }
        // "." CR then anything but LF: a line whose text starts with a bare CR ("\r.\r" and
        // "\r\n.\r" + other are no end). The byte after the CR is read as text.
        emit_bare_cr(out);
        state_ = State::kText;
        break;
      case State::kCr:
        if (*p == '\n') {
          ++p;
          emit(out, "\r\n", 2);
          line_length_ = 0;
          state_ = State::kLineStartCrlf;
        } else {
          emit_bare_cr(out);
          state_ = State::kText;
        }
        break;
      case State::kText: {
        const char* run = p;
        while (p < end && *p != '\r' && *p != '\n') {
          if (*p == '\0') ++stats_.nul;
          ++p;
        }
        if (p > run) emit_text(out, run, static_cast<size_t>(p - run));
        if (p == end) break;
        if (*p == '\r') {
          state_ = State::kCr;
        } else {
          ++stats_.bare_lf;
          if (options_.bare_lf == BareLf::kNormalize) {
            emit(out, "\r\n", 2);
          } else {
            emit(out, "\n", 1);
          }
          line_length_ = 0;
          state_ = State::kLineStartLf;
        }
        ++p;
        break;
      }
      case State::kDone:
        return static_cast<size_t>(p - in.data());
    }
  }
  return in.size();
}

std::optional<Reply> data_refusal(const DataStats& stats, BareLfPolicy bare_lf) {
  if (stats.over_size) {
    return Reply{552, "5.3.4", "Message exceeds the maximum size accepted here"};
  }
  if (stats.nul > 0) return Reply{554, "5.6.0", "Message contains NUL bytes"};
  if (bare_lf == BareLfPolicy::kRefuse && stats.bare_lf > 0) {
    return Reply{550, "5.5.2", "Bare <LF> received: lines must end with <CR><LF>"};
  }
  return std::nullopt;
}

}  // namespace mf::smtp
