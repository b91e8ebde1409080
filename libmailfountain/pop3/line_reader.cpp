// pop3/line_reader.cpp — the POP3 line splitter (see line_reader.h).
#include "pop3/line_reader.h"

namespace mf::pop3 {

LineReader::Step LineReader::feed(std::string_view in) {
  if (complete_) {
    line_.clear();
    complete_ = false;
  }
  Step step;
  size_t lf = in.find('\n');
  size_t take = lf == std::string_view::npos ? in.size() : lf + 1;
  step.consumed = take;
  if (!skipping_) {
    if (line_.size() + take > max_octets_) {
      skipping_ = true;
      line_.clear();
    } else {
      line_.append(in.substr(0, take));
    }
  }
  if (lf == std::string_view::npos) return step;  // kNeedMore

  if (skipping_) {
    skipping_ = false;
    step.event = Event::kTooLong;
    return step;
  }
  line_.pop_back();  // LF
  if (!line_.empty() && line_.back() == '\r') line_.pop_back();
  complete_ = true;
  step.event = Event::kLine;
  return step;
}

}  // namespace mf::pop3
