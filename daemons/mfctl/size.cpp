// mfctl/size.cpp — parsing and formatting storage sizes.
#include "size.h"

#include <fmt/format.h>

#include <limits>

namespace mfctl {
namespace {

// The shift of each suffix, in order of size.
struct Suffix {
  char letter;
  unsigned shift;
};
constexpr Suffix kSuffixes[] = {{'K', 10}, {'M', 20}, {'G', 30}, {'T', 40}};

mf::Status bad_size(std::string_view text, std::string_view why) {
  return mf::invalid_argument(fmt::format("bad size \"{}\" ({}): give {}", text, why, kSizeForms));
}

}  // namespace

mf::Result<uint64_t> parse_size(std::string_view text) {
  if (text.empty()) return bad_size(text, "empty");
  std::string_view digits = text;
  unsigned shift = 0;
  char last = text.back();
  if (last < '0' || last > '9') {
    char upper = (last >= 'a' && last <= 'z') ? static_cast<char>(last - 'a' + 'A') : last;
    bool known = false;
    for (const Suffix& s : kSuffixes) {
      if (s.letter == upper) {
        shift = s.shift;
        known = true;
      }
    }
    if (!known) return bad_size(text, fmt::format("unknown suffix '{}'", last));
    digits.remove_suffix(1);
  }
  if (digits.empty()) return bad_size(text, "no number");
  uint64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return bad_size(text, "not a whole number");
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10) {
      return bad_size(text, "too large");
    }
    value = value * 10 + digit;
  }
  if (shift > 0 && value > (std::numeric_limits<uint64_t>::max() >> shift)) {
    return bad_size(text, "too large");
  }
  return value << shift;
}

std::string format_size(uint64_t bytes) {
  if (bytes == 0) return "0";
  for (auto it = std::rbegin(kSuffixes); it != std::rend(kSuffixes); ++it) {
    uint64_t unit = uint64_t{1} << it->shift;
    if (bytes % unit == 0) return fmt::format("{}{}", bytes / unit, it->letter);
  }
  return fmt::format("{}", bytes);
}

}  // namespace mfctl
