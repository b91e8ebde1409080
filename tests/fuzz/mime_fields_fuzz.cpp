// Fuzz target: the structured-field parsers (mime/content_type.h, mime/message_id.h,
// mime/date.h) must never crash and must keep their promises: lower-cased types and
// parameter names without duplicates, within the limits; ids without whitespace or
// brackets that parse back alone; and a parsed date that formats and parses back to
// the same instant and zone.
#include "mime/charset.h"
#include "mime/content_type.h"
#include "mime/date.h"
#include "mime/message_id.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

bool is_lower(std::string_view s) {
  for (char c : s)
    if (c >= 'A' && c <= 'Z') return false;
  return true;
}

void check_parameters(const mf::mime::Parameters& params) {
  if (params.list.size() > mf::mime::kMaxParameters) std::abort();
  for (size_t i = 0; i < params.list.size(); ++i) {
    const auto& p = params.list[i];
    if (p.name.empty() || !is_lower(p.name) || p.name.find('*') != std::string::npos) std::abort();
    if (params.find(p.name) != &p) std::abort();  // names are unique
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);

  auto ct = mf::mime::parse_content_type(in);
  if (ct.type.empty() || ct.subtype.empty() || !is_lower(ct.type) || !is_lower(ct.subtype))
    std::abort();
  check_parameters(ct.params);
  auto cd = mf::mime::parse_content_disposition(in);
  // An empty disposition is always reported.
  if (!is_lower(cd.disposition) || (cd.disposition.empty() && cd.problems.empty())) std::abort();
  check_parameters(cd.params);

  auto ids = mf::mime::parse_message_ids(in);
  if (ids.ids.size() > mf::mime::kMaxMessageIds) std::abort();
  for (const auto& id : ids.ids) {
    if (id.empty() || id.size() > mf::mime::kMaxMessageIdLength) std::abort();
    if (id.find_first_of(" \t\r\n<>") != std::string::npos) std::abort();
    // An id with a comment opener or an unbalanced quote would not survive a second trip.
    if (id.find('(') != std::string::npos || id.find('"') != std::string::npos) continue;
    auto again = mf::mime::parse_message_ids("<" + id + ">");
    if (again.ids.size() != 1 || again.ids[0] != id || !again.problems.empty()) std::abort();
  }

  auto date = mf::mime::parse_date(in);
  if (date.is_ok()) {
    std::string text = mf::mime::format_date(date.value());
    auto again = mf::mime::parse_date(text);
    if (!again.is_ok() || !(again.value() == date.value())) std::abort();
  }
  return 0;
}
