// Fuzz target: the header block splitter (mime/header.h) must never crash, and what it
// returns must describe the input: fields in order, inside the header block, each view
// pointing into the input, and the body starting after the last field.
#include "mime/header.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

bool inside(std::string_view part, std::string_view whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  mf::mime::HeaderLimits limits;
  limits.max_bytes = 4096;
  limits.max_fields = 64;
  auto block = mf::mime::parse_header_block(in, limits);
  if (!block.is_ok()) return 0;
  if (block->header_end > block->body_offset || block->body_offset > in.size()) std::abort();
  size_t previous_end = 0;
  for (const auto& f : block->fields) {
    if (f.offset != previous_end || f.end <= f.offset || f.end > block->header_end) std::abort();
    if (f.name.empty() || !inside(f.name, in) || !inside(f.value, in)) std::abort();
    if (static_cast<size_t>(f.name.data() - in.data()) != f.offset) std::abort();
    if (block->find(f.name) == nullptr || block->find_all(f.name).empty()) std::abort();
    (void)mf::mime::unfold(f.value);
    previous_end = f.end;
  }
  if (previous_end != block->header_end) std::abort();
  return 0;
}
