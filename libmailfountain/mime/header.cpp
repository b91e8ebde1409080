// mime/header.cpp — header block splitting and unfolding (see header.h).
#include "mime/header.h"

#include "base/text.h"
#include "mime/chars.h"

#include <fmt/format.h>

namespace mf::mime {

namespace {

// A line of the input: [start, content_end) is its text, `next` is where the following
// line starts (after the LF), equal to content_end at the end of input without a break.
struct Line {
  size_t start;
  size_t content_end;
  size_t next;
};

Line read_line(std::string_view s, size_t start) {
  size_t nl = s.find('\n', start);
  if (nl == std::string_view::npos) return {start, s.size(), s.size()};
  size_t content_end = nl;
  if (content_end > start && s[content_end - 1] == '\r') --content_end;
  return {start, content_end, nl + 1};
}

// The field-name characters of RFC 5322 §3.6.8: printable ASCII except the colon.
bool is_ftext(char c) {
  return c >= 33 && c <= 126 && c != ':';
}

// The length of the field name at the start of `line`, and where its colon is; false when
// the line is not a field (no name, or a character that no name may hold before the colon).
bool split_field_line(std::string_view line, size_t* name_len, size_t* colon) {
  size_t i = 0;
  while (i < line.size() && is_ftext(line[i])) ++i;
  if (i == 0) return false;
  size_t n = i;
  while (i < line.size() && is_wsp(line[i])) ++i;
  if (i == line.size() || line[i] != ':') return false;
  *name_len = n;
  *colon = i;
  return true;
}

}  // namespace

const HeaderField* HeaderBlock::find(std::string_view name) const {
  for (const auto& f : fields) {
    if (ascii_iequals(f.name, name)) return &f;
  }
  return nullptr;
}

std::vector<const HeaderField*> HeaderBlock::find_all(std::string_view name) const {
  std::vector<const HeaderField*> out;
  for (const auto& f : fields) {
    if (ascii_iequals(f.name, name)) out.push_back(&f);
  }
  return out;
}

Result<HeaderBlock> parse_header_block(std::string_view message, const HeaderLimits& limits) {
  HeaderBlock block;
  size_t pos = 0;
  HeaderField* current = nullptr;
  size_t value_start = 0;  // where the current field's value starts
  auto too_big = [&](size_t at) {
    return resource_exhausted(
        fmt::format("the header block exceeds {} bytes (at byte {}); the message is refused as too "
                    "large a header",
                    limits.max_bytes, at));
  };
  while (true) {
    if (pos >= message.size()) {
      block.ended_by = HeaderEnd::kEndOfInput;
      block.header_end = block.body_offset = message.size();
      break;
    }
    Line line = read_line(message, pos);
    std::string_view text = message.substr(line.start, line.content_end - line.start);
    if (text.empty()) {
      block.ended_by = HeaderEnd::kBlankLine;
      block.header_end = line.start;
      block.body_offset = line.next;
      break;
    }
    if (line.next > limits.max_bytes) return too_big(line.start);
    if (is_wsp(text[0]) && current != nullptr) {
      // A continuation line: the field grows to include it.
      current->value = message.substr(value_start, line.content_end - value_start);
      current->end = line.next;
      pos = line.next;
      continue;
    }
    size_t name_len = 0;
    size_t colon = 0;
    if (!split_field_line(text, &name_len, &colon)) {
      block.ended_by = HeaderEnd::kNonField;
      block.header_end = block.body_offset = line.start;
      break;
    }
    if (block.fields.size() == limits.max_fields) {
      return resource_exhausted(fmt::format(
          "the header block has more than {} fields (at byte {}); the message is refused",
          limits.max_fields, line.start));
    }
    HeaderField f;
    f.name = text.substr(0, name_len);
    f.value = text.substr(colon + 1);
    f.offset = line.start;
    f.end = line.next;
    block.fields.push_back(f);
    current = &block.fields.back();
    value_start = line.start + colon + 1;
    pos = line.next;
  }
  return block;
}

std::string unfold(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c == '\n') continue;
    if (c == '\r' && i + 1 < value.size() && value[i + 1] == '\n') continue;
    out.push_back(c);
  }
  size_t b = 0;
  while (b < out.size() && is_wsp(out[b])) ++b;
  size_t e = out.size();
  while (e > b && is_wsp(out[e - 1])) --e;
  return out.substr(b, e - b);
}

}  // namespace mf::mime
