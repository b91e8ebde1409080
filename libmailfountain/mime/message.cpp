// mime/message.cpp — the MIME tree parser (see message.h).
//
// Each multipart is split by scanning its own body region for its own delimiter lines;
// the regions handed to its parts end where the next delimiter starts, so an inner part
// can never read past an enclosing delimiter, whatever is broken inside it. Every level
// scans only its own region once, with memmem, so the work is bounded by
// depth × size and nothing loops.
#include "mime/message.h"

#include "base/text.h"
#include "mime/chars.h"

#include <fmt/format.h>

#include <string.h>
#include <algorithm>
#include <cstring>

namespace mf::mime {

namespace {

// Longest boundary accepted. RFC 2046 allows 70 characters; real senders stay below, but
// a longer one is still unambiguous, so only absurd lengths make the multipart a leaf.
constexpr size_t kMaxBoundaryLength = 998;

// A delimiter line found in a region.
struct Delimiter {
  size_t line_start;  // where "--" starts
  size_t next;        // where the following line starts (or the region end)
  bool close;         // "--boundary--"
};

// The lower-cased Content-Transfer-Encoding token, without comments or parameters.
std::string encoding_token(std::string_view raw) {
  std::string value = unfold(raw);
  size_t i = 0;
  std::string out;
  while (i < value.size()) {
    char c = value[i];
    if (c == '(') {  // a comment, possibly nested
      int level = 0;
      for (; i < value.size(); ++i) {
        if (value[i] == '\\') {
          ++i;
          continue;
        }
        if (value[i] == '(') ++level;
        if (value[i] == ')' && --level == 0) break;
      }
      ++i;
      continue;
    }
    if (is_wsp(c) || c == ';') {
      if (!out.empty()) break;
      ++i;
      continue;
    }
    out.push_back(c);
    ++i;
  }
  return ascii_lower(out);
}

TransferEncoding encoding_of(std::string_view token) {
  if (token == "7bit") return TransferEncoding::k7bit;
  if (token == "8bit") return TransferEncoding::k8bit;
  if (token == "binary") return TransferEncoding::kBinary;
  if (token == "quoted-printable") return TransferEncoding::kQuotedPrintable;
  if (token == "base64") return TransferEncoding::kBase64;
  return TransferEncoding::kUnknown;
}

// IMAP's "body-fld-lines": the line ends in the body. The CRLF before a boundary belongs
// to the boundary (RFC 2046 §5.1.1), so a part's last line has none and is not counted —
// what Dovecot and Cyrus answer, which clients compare against.
uint32_t count_lines(std::string_view body) {
  size_t n = static_cast<size_t>(std::count(body.begin(), body.end(), '\n'));
  return static_cast<uint32_t>(std::min<size_t>(n, UINT32_MAX));
}

class Parser {
 public:
  Parser(std::string_view in, const MimeLimits& limits, Message* msg)
      : in_(in), limits_(limits), msg_(msg) {}

  // Parses the entity in [start, end) as a child of `parent` (kNoPart for the message).
  Status parse_entity(size_t start, size_t end, uint32_t parent, uint32_t depth, bool digest_child);

 private:
  Part& part(uint32_t i) { return msg_->parts[i]; }
  void problem(uint32_t i, std::string text) {
    part(i).problems.push_back(std::move(text));
    ++msg_->problem_count;
  }
  Status read_header(uint32_t idx, size_t start, size_t end);
  void read_types(uint32_t idx, bool digest_child);
  Status split_multipart(uint32_t idx, uint32_t depth);
  // The first delimiter line of `delim` ("--boundary") in [from, end), or none.
  bool find_delimiter(std::string_view delim, size_t region_start, size_t from, size_t end,
                      Delimiter* out) const;
  // Where the content before a delimiter line starting at `line_start` ends: the line
  // break before it belongs to the delimiter (RFC 2046 §5.1.1).
  size_t content_end_before(size_t content_start, size_t line_start) const;

  std::string_view in_;
  const MimeLimits& limits_;
  Message* msg_;
};

Status Parser::parse_entity(size_t start, size_t end, uint32_t parent, uint32_t depth,
                            bool digest_child) {
  if (msg_->parts.size() >= limits_.max_parts) {
    return resource_exhausted(
        fmt::format("the message has more than {} MIME parts (at byte {}); it is refused",
                    limits_.max_parts, start));
  }
  if (depth > limits_.max_depth) {
    return resource_exhausted(
        fmt::format("the MIME structure nests deeper than {} levels (at byte {}); the message "
                    "is refused",
                    limits_.max_depth, start));
  }
  uint32_t idx = static_cast<uint32_t>(msg_->parts.size());
  msg_->parts.emplace_back();
  part(idx).parent = parent;
  part(idx).depth = depth;
  if (parent != kNoPart) part(parent).children.push_back(idx);

  MF_RETURN_IF_ERROR(read_header(idx, start, end));
  read_types(idx, digest_child);

  Part& p = part(idx);
  if (p.content_type.type == "multipart") return split_multipart(idx, depth);
  if (p.content_type.type == "message" &&
      (p.content_type.subtype == "rfc822" || p.content_type.subtype == "global")) {
    if (p.encoding == TransferEncoding::kBase64 ||
        p.encoding == TransferEncoding::kQuotedPrintable ||
        p.encoding == TransferEncoding::kUnknown) {
      problem(idx, fmt::format("a {} part in the '{}' transfer encoding is read as content",
                               p.content_type.mime_type(), p.encoding_name));
    } else {
      p.kind = PartKind::kMessage;
      p.body_lines = count_lines(msg_->body_bytes(p));
      size_t body_offset = p.body_offset;
      size_t body_end = p.body_end;
      return parse_entity(body_offset, body_end, idx, depth + 1, false);
    }
  }
  Part& leaf = part(idx);
  if (leaf.content_type.type == "text" || leaf.content_type.type == "message") {
    leaf.body_lines = count_lines(msg_->body_bytes(leaf));
  }
  return Status();
}

Status Parser::read_header(uint32_t idx, size_t start, size_t end) {
  auto block = parse_header_block(in_.substr(start, end - start), limits_.header);
  if (!block.is_ok()) {
    if (start == 0) return block.status();
    return Status(block.status().code(), fmt::format("in the MIME part starting at byte {}: {}",
                                                     start, block.status().message()));
  }
  Part& p = part(idx);
  p.header_offset = start;
  p.header_end = start + block->header_end;
  p.body_offset = start + block->body_offset;
  p.body_end = end;
  p.fields = std::move(block->fields);
  for (auto& f : p.fields) {
    f.offset += start;
    f.end += start;
  }
  return Status();
}

void Parser::read_types(uint32_t idx, bool digest_child) {
  Part& p = part(idx);
  if (const HeaderField* ct = p.find("Content-Type")) {
    p.content_type = parse_content_type(ct->value);
    p.content_type_given = true;
    for (const auto& text : p.content_type.problems) problem(idx, "Content-Type: " + text);
  } else if (digest_child) {
    p.content_type.type = "message";
    p.content_type.subtype = "rfc822";
  }
  Part& q = part(idx);
  if (const HeaderField* cte = q.find("Content-Transfer-Encoding")) {
    q.encoding_name = encoding_token(cte->value);
    q.encoding = encoding_of(q.encoding_name);
    if (q.encoding == TransferEncoding::kUnknown) {
      problem(idx, fmt::format("unknown Content-Transfer-Encoding '{}': the body is opaque",
                               q.encoding_name));
    }
  } else {
    q.encoding_name = "7bit";
  }
}

size_t Parser::content_end_before(size_t content_start, size_t line_start) const {
  if (line_start <= content_start) return content_start;
  size_t e = line_start - 1;  // in_[e] is the '\n' ending the previous line
  if (e > content_start && in_[e - 1] == '\r') --e;
  return e;
}

bool Parser::find_delimiter(std::string_view delim, size_t region_start, size_t from, size_t end,
                            Delimiter* out) const {
  size_t pos = from;
  while (pos < end && end - pos >= delim.size()) {
    const void* hit = memmem(in_.data() + pos, end - pos, delim.data(), delim.size());
    if (hit == nullptr) return false;
    size_t at = static_cast<size_t>(static_cast<const char*>(hit) - in_.data());
    pos = at + 1;
    if (at != region_start && in_[at - 1] != '\n') continue;  // not at a line start
    size_t i = at + delim.size();
    bool close = false;
    if (end - i >= 2 && in_[i] == '-' && in_[i + 1] == '-') {
      close = true;
      i += 2;
    }
    while (i < end && is_wsp(in_[i])) ++i;
    size_t next;
    if (i == end) {
      next = end;
    } else if (in_[i] == '\n') {
      next = i + 1;
    } else if (in_[i] == '\r' && i + 1 < end && in_[i + 1] == '\n') {
      next = i + 2;
    } else {
      continue;  // "--boundary" followed by other text: content
    }
    *out = Delimiter{at, next, close};
    return true;
  }
  return false;
}

Status Parser::split_multipart(uint32_t idx, uint32_t depth) {
  Part& p = part(idx);
  const Parameter* b = p.content_type.params.find("boundary");
  if (b == nullptr || b->value.empty() || b->value.size() > kMaxBoundaryLength ||
      b->value.find_first_of("\r\n") != std::string::npos) {
    problem(idx, fmt::format("{} without a usable boundary parameter is read as one part",
                             p.content_type.mime_type()));
    return Status();
  }
  std::string delim = "--" + b->value;
  size_t body_offset = p.body_offset;
  size_t end = p.body_end;
  Delimiter d;
  if (!find_delimiter(delim, body_offset, body_offset, end, &d)) {
    problem(idx,
            fmt::format("the boundary '{}' never appears: the body is read as one part", b->value));
    return Status();
  }
  {
    Part& m = part(idx);
    m.kind = PartKind::kMultipart;
    m.boundary = b->value;
    m.preamble_end = content_end_before(body_offset, d.line_start);
    m.epilogue_offset = end;
  }
  bool digest = part(idx).content_type.subtype == "digest";
  if (d.close) problem(idx, "the first delimiter line is the close delimiter: there are no parts");
  while (!d.close) {
    size_t part_start = d.next;
    Delimiter next;
    bool found = find_delimiter(delim, body_offset, part_start, end, &next);
    size_t part_end = found ? content_end_before(part_start, next.line_start) : end;
    MF_RETURN_IF_ERROR(parse_entity(part_start, part_end, idx, depth + 1, digest));
    if (!found) {
      problem(idx, fmt::format("the close delimiter '--{}--' is missing", part(idx).boundary));
      return Status();
    }
    d = next;
  }
  part(idx).epilogue_offset = d.next;
  return Status();
}

}  // namespace

const HeaderField* Part::find(std::string_view name) const {
  for (const auto& f : fields) {
    if (ascii_iequals(f.name, name)) return &f;
  }
  return nullptr;
}

Result<Message> parse_message(std::string_view bytes, const MimeLimits& limits) {
  Message msg;
  msg.bytes = bytes;
  Parser parser(bytes, limits, &msg);
  MF_RETURN_IF_ERROR(parser.parse_entity(0, bytes.size(), kNoPart, 0, false));
  return msg;
}

uint32_t find_section(const Message& msg, const std::vector<uint32_t>& section) {
  if (msg.parts.empty()) return kNoPart;
  uint32_t body = 0;  // the entity whose parts the next number counts
  for (size_t i = 0; i < section.size(); ++i) {
    uint32_t n = section[i];
    const Part& b = msg.parts[body];
    uint32_t cur;
    if (b.kind == PartKind::kMultipart) {
      if (n < 1 || n > b.children.size()) return kNoPart;
      cur = b.children[n - 1];
    } else if (n == 1 && (body == 0 || msg.parts[b.parent].kind == PartKind::kMessage)) {
      cur = body;  // a message that is not a multipart: part 1 is its body
    } else {
      return kNoPart;
    }
    if (i + 1 == section.size()) return cur;
    const Part& c = msg.parts[cur];
    if (c.kind == PartKind::kMessage) {
      body = c.children[0];
    } else if (c.kind == PartKind::kMultipart && cur != body) {
      body = cur;
    } else {
      return kNoPart;
    }
  }
  return 0;
}

std::vector<uint32_t> section_of(const Message& msg, uint32_t index) {
  if (index >= msg.parts.size()) return {};
  const Part& p = msg.parts[index];
  if (index == 0) {
    if (p.kind == PartKind::kMultipart) return {};
    return {1};
  }
  const Part& parent = msg.parts[p.parent];
  if (parent.kind == PartKind::kMessage) {  // an encapsulated message
    if (p.kind == PartKind::kMultipart) return {};
    std::vector<uint32_t> s = section_of(msg, p.parent);
    s.push_back(1);
    return s;
  }
  // A part of a multipart: its number after the numbers that lead to that multipart.
  std::vector<uint32_t> s;
  if (p.parent != 0) {
    const Part& grand = msg.parts[parent.parent];
    s = grand.kind == PartKind::kMessage ? section_of(msg, parent.parent)
                                         : section_of(msg, p.parent);
  }
  auto it = std::find(parent.children.begin(), parent.children.end(), index);
  s.push_back(static_cast<uint32_t>(it - parent.children.begin()) + 1);
  return s;
}

}  // namespace mf::mime
