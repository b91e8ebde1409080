// pop3/message_writer.cpp — RETR and TOP response bodies (see message_writer.h).
#include "pop3/message_writer.h"

namespace mf::pop3 {

size_t MessageWriter::top_prefix(std::string_view chunk) {
  for (size_t i = 0; i < chunk.size(); ++i) {
    char c = chunk[i];
    if (c != '\n') {
      if (c != '\r') line_has_text_ = true;
      continue;
    }
    bool had_text = line_has_text_;
    line_has_text_ = false;
    if (in_header_) {
      if (had_text) continue;
      in_header_ = false;  // the blank line after the header
      if (*body_lines_ == 0) {
        cut_ = true;
        return i + 1;
      }
      continue;
    }
    if (++lines_sent_ >= *body_lines_) {
      cut_ = true;
      return i + 1;
    }
  }
  return chunk.size();
}

bool MessageWriter::write(std::string_view chunk, std::string& out) {
  if (cut_) return true;
  if (body_lines_) chunk = chunk.substr(0, top_prefix(chunk));
  stuffer_.write(chunk, out);
  return cut_;
}

void MessageWriter::finish(std::string& out) {
  stuffer_.finish(out);
}

}  // namespace mf::pop3
