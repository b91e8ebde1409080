// smtp/reply_parser.cpp — assembling a server's replies from its bytes (see reply_parser.h).
#include "smtp/reply_parser.h"

#include <utility>

namespace mf::smtp {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Reads 1 to 3 digits at text[*i]; false when there are none or more than three.
bool read_number(std::string_view text, size_t* i) {
  size_t start = *i;
  while (*i < text.size() && is_digit(text[*i])) ++*i;
  size_t n = *i - start;
  return n >= 1 && n <= 3;
}

}  // namespace

std::string enhanced_code_prefix(std::string_view text, int code) {
  if (text.size() < 5) return "";
  char cls = text[0];
  if (cls != '2' && cls != '4' && cls != '5') return "";
  if (cls - '0' != code / 100) return "";
  if (text[1] != '.') return "";
  size_t i = 2;
  if (!read_number(text, &i)) return "";
  if (i >= text.size() || text[i] != '.') return "";
  ++i;
  if (!read_number(text, &i)) return "";
  if (i < text.size() && text[i] != ' ') return "";
  return std::string(text.substr(0, i));
}

std::string reply_enhanced_code(std::string_view reply) {
  if (reply.size() < 4 || reply[3] != ' ') return "";
  int code = 0;
  for (size_t i = 0; i < 3; ++i) {
    if (reply[i] < '0' || reply[i] > '9') return "";
    code = code * 10 + (reply[i] - '0');
  }
  return enhanced_code_prefix(reply.substr(4), code);
}

Reply ServerReply::condensed() const {
  Reply r{code, "", ""};
  if (!lines.empty()) r.enhanced = enhanced_code_prefix(lines.front(), code);
  for (const std::string& line : lines) {
    std::string_view text = line;
    std::string prefix = enhanced_code_prefix(text, code);
    // Continuation lines usually repeat the code; each copy is dropped, not only the first.
    if (!prefix.empty()) {
      text.remove_prefix(prefix.size());
      if (!text.empty()) text.remove_prefix(1);
    }
    if (text.empty()) continue;
    if (!r.text.empty()) r.text += ' ';
    r.text += text;
  }
  return r;
}

size_t ReplyParser::feed(std::string_view in) {
  size_t i = 0;
  while (i < in.size() && !ready_ && !failed()) {
    char c = in[i++];
    if (pending_cr_) {
      pending_cr_ = false;
      if (c != '\n') {
        fail("CR without LF in a reply");
        break;
      }
      end_line();
      continue;
    }
    if (c == '\r') {
      pending_cr_ = true;
    } else if (c == '\n') {
      fail("line end without CR in a reply");
    } else if (c == '\0') {
      fail("NUL byte in a reply");
    } else if (line_.size() >= limits_.max_line) {
      fail("reply line too long");
    } else {
      line_ += c;
    }
  }
  return i;
}

void ReplyParser::end_line() {
  std::string_view line = line_;
  if (line.size() < 3 || line[0] < '2' || line[0] > '5' || !is_digit(line[1]) ||
      !is_digit(line[2])) {
    fail("reply line without a reply code");
    return;
  }
  if (line.size() > 3 && line[3] != ' ' && line[3] != '-') {
    fail("reply code not followed by a space or a dash");
    return;
  }
  int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  if (!current_.lines.empty() && code != current_.code) {
    fail("reply code changes inside a multi-line reply");
    return;
  }
  if (current_.lines.size() >= limits_.max_lines) {
    fail("too many lines in a reply");
    return;
  }
  current_.code = code;
  current_.lines.emplace_back(line.size() > 4 ? line.substr(4) : std::string_view());
  bool last = line.size() == 3 || line[3] == ' ';
  line_.clear();
  if (last) ready_ = true;
}

ServerReply ReplyParser::take() {
  ServerReply r = std::move(current_);
  current_ = ServerReply{};
  ready_ = false;
  return r;
}

void ReplyParser::fail(std::string why) {
  error_ = std::move(why);
  ready_ = false;
}

}  // namespace mf::smtp
