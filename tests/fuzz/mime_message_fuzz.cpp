// Fuzz target: the MIME tree parser (mime/message.h) and part reading (mime/body.h) must
// never crash or loop, and the tree must describe the input: every part inside its
// parent's body, children in order and disjoint, multipart preamble and epilogue in
// place, header fields inside their part's header, IMAP section numbers that find their
// part back. The 8BITMIME downgrade, run on the same input, must give 7-bit bytes that
// parse again into no more parts.
#include "mime/body.h"
#include "mime/downgrade.h"
#include "mime/message.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mf::mime;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  MimeLimits limits;
  limits.max_depth = 12;
  limits.max_parts = 200;
  limits.header.max_bytes = 2048;
  limits.header.max_fields = 64;
  auto parsed = parse_message(in, limits);
  if (!parsed.is_ok()) return 0;
  const Message& msg = *parsed;
  check(!msg.parts.empty() && msg.parts.size() <= limits.max_parts);
  check(msg.root().header_offset == 0 && msg.root().body_end == in.size());
  size_t problems = 0;
  for (uint32_t i = 0; i < msg.parts.size(); ++i) {
    const Part& p = msg.parts[i];
    problems += p.problems.size();
    check(p.header_offset <= p.header_end && p.header_end <= p.body_offset);
    check(p.body_offset <= p.body_end && p.body_end <= in.size());
    check(p.depth <= limits.max_depth);
    for (const auto& f : p.fields) check(f.offset >= p.header_offset && f.end <= p.header_end);
    size_t previous_end = p.body_offset;
    for (uint32_t c : p.children) {
      const Part& child = msg.parts[c];
      check(c > i && child.parent == i && child.depth == p.depth + 1);
      check(child.header_offset >= previous_end && child.body_end <= p.body_end);
      previous_end = child.body_end;
    }
    switch (p.kind) {
      case PartKind::kLeaf:
        check(p.children.empty());
        break;
      case PartKind::kMessage:
        check(p.children.size() == 1);
        check(msg.parts[p.children[0]].header_offset == p.body_offset);
        check(msg.parts[p.children[0]].body_end == p.body_end);
        break;
      case PartKind::kMultipart:
        check(!p.boundary.empty());
        check(p.body_offset <= p.preamble_end && p.preamble_end <= p.epilogue_offset);
        check(p.epilogue_offset <= p.body_end);
        if (!p.children.empty()) {
          check(p.preamble_end <= msg.parts[p.children.front()].header_offset);
          check(msg.parts[p.children.back()].body_end <= p.epilogue_offset);
        }
        break;
    }
    std::vector<uint32_t> section = section_of(msg, i);
    if (!section.empty()) check(find_section(msg, section) == i);
    (void)decode_body(msg, p);
    if (p.kind == PartKind::kLeaf && p.content_type.type == "text") (void)body_text(msg, p);
    (void)part_filename(p);
  }
  check(problems == msg.problem_count);

  auto down = downgrade_to_7bit(in, limits);
  if (down.is_ok()) {
    for (char c : *down) check(c != 0 && static_cast<unsigned char>(c) < 0x80);
    MimeLimits relaxed = limits;
    // Encoded words make 8-bit header text longer: an invalid byte becomes U+FFFD (three
    // bytes), base64 makes four characters of those three, plus each word's "=?UTF-8?B?"
    // and "?=" and the folding: about five times at worst.
    relaxed.header.max_bytes *= 8;
    // ... and each entity may gain one Content-Transfer-Encoding field.
    relaxed.header.max_fields += 1;
    auto again = parse_message(*down, relaxed);
    check(again.is_ok() && again->parts.size() <= msg.parts.size());
  }
  return 0;
}
