// smtp/dot_stuffer.cpp — DATA's content from a message (see dot_stuffer.h).
#include "smtp/dot_stuffer.h"

namespace mf::smtp {

void DotStuffer::write(std::string_view in, std::string& out) {
  bytes_in_ += in.size();
  out.reserve(out.size() + in.size() + in.size() / 64 + 4);
  for (char c : in) {
    if (pending_cr_) {
      pending_cr_ = false;
      if (c == '\n') {
        out += "\r\n";
        line_start_ = true;
        after_lf_ = true;
        continue;
      }
      // A bare CR: sent as it is, and what follows is treated as a line start.
      out += '\r';
      line_start_ = true;
      after_lf_ = false;
    }
    if (c == '\r') {
      pending_cr_ = true;
    } else if (c == '\n') {
      out += "\r\n";
      line_start_ = true;
      after_lf_ = true;
    } else {
      if (c == '.' && line_start_) out += '.';
      out += c;
      line_start_ = false;
      after_lf_ = false;
    }
  }
}

void DotStuffer::finish(std::string& out) {
  if (pending_cr_ || !after_lf_) out += "\r\n";
  pending_cr_ = false;
  out += ".\r\n";
  line_start_ = true;
  after_lf_ = true;
}

}  // namespace mf::smtp
