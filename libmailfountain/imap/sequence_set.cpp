// imap/sequence_set.cpp — sequence-set parsing and resolution (see sequence_set.h).
#include "imap/sequence_set.h"

#include <algorithm>

namespace mf::imap {

namespace {

Status bad_set(std::string_view why) {
  return invalid_argument("Invalid sequence set: " + std::string(why));
}

// One seq-number: "*" or nz-number (1..2^32-1, first digit not 0).
Result<uint32_t> parse_number(std::string_view s) {
  if (s == "*") return kStar;
  if (s.empty()) return bad_set("empty number");
  if (s[0] == '0') return bad_set("numbers start at 1");
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return bad_set("unexpected character");
    v = v * 10 + static_cast<uint64_t>(c - '0');
    if (v > 0xFFFFFFFFu) return bad_set("number too large");
  }
  return static_cast<uint32_t>(v);
}

void append_number(std::string& out, uint32_t n) {
  if (n == kStar) {
    out += '*';
  } else {
    out += std::to_string(n);
  }
}

}  // namespace

Result<SequenceSet> parse_sequence_set(std::string_view text, size_t max_ranges) {
  SequenceSet set;
  if (text == "$") {
    set.saved = true;
    return set;
  }
  if (text.empty()) return bad_set("empty");
  size_t pos = 0;
  while (true) {
    size_t comma = text.find(',', pos);
    std::string_view element =
        text.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    if (element.empty()) return bad_set("empty element");
    if (set.ranges.size() >= max_ranges) return bad_set("too many elements");
    size_t colon = element.find(':');
    SeqRange range;
    if (colon == std::string_view::npos) {
      MF_ASSIGN_OR_RETURN(range.first, parse_number(element));
      range.last = range.first;
    } else {
      MF_ASSIGN_OR_RETURN(range.first, parse_number(element.substr(0, colon)));
      MF_ASSIGN_OR_RETURN(range.last, parse_number(element.substr(colon + 1)));
    }
    set.ranges.push_back(range);
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return set;
}

std::vector<UidRange> resolve(const SequenceSet& set, uint32_t largest) {
  std::vector<UidRange> out;
  if (set.saved || largest == 0) return out;
  out.reserve(set.ranges.size());
  for (const SeqRange& r : set.ranges) {
    uint32_t a = r.first == kStar ? largest : r.first;
    uint32_t b = r.last == kStar ? largest : r.last;
    if (a > b) std::swap(a, b);
    if (a > largest) continue;
    out.push_back({a, std::min(b, largest)});
  }
  std::sort(out.begin(), out.end(),
            [](const UidRange& x, const UidRange& y) { return x.first < y.first; });
  std::vector<UidRange> merged;
  for (const UidRange& r : out) {
    // Adjacent ranges merge too: 1:3,4:5 is 1:5. r.first >= 1, so r.first - 1 is safe.
    if (!merged.empty() && r.first - 1 <= merged.back().last) {
      merged.back().last = std::max(merged.back().last, r.last);
    } else {
      merged.push_back(r);
    }
  }
  return merged;
}

bool within(const SequenceSet& set, uint32_t largest) {
  for (const SeqRange& r : set.ranges) {
    if (r.first != kStar && r.first > largest) return false;
    if (r.last != kStar && r.last > largest) return false;
  }
  return true;
}

std::string to_string(const SequenceSet& set) {
  if (set.saved) return "$";
  std::string out;
  for (const SeqRange& r : set.ranges) {
    if (!out.empty()) out += ',';
    append_number(out, r.first);
    if (r.last != r.first) {
      out += ':';
      append_number(out, r.last);
    }
  }
  return out;
}

std::vector<UidRange> ranges_of(const std::vector<uint32_t>& ascending) {
  std::vector<UidRange> ranges;
  for (uint32_t n : ascending) {
    if (!ranges.empty() && n <= ranges.back().last) continue;  // a duplicate
    if (!ranges.empty() && ranges.back().last + 1 == n)
      ranges.back().last = n;
    else
      ranges.push_back({n, n});
  }
  return ranges;
}

bool contains(const std::vector<UidRange>& ranges, uint32_t n) {
  auto it = std::upper_bound(ranges.begin(), ranges.end(), n,
                             [](uint32_t x, const UidRange& r) { return x < r.first; });
  return it != ranges.begin() && n <= std::prev(it)->last;
}

std::string to_string(const std::vector<UidRange>& ranges) {
  std::string out;
  for (const UidRange& r : ranges) {
    if (!out.empty()) out += ',';
    out += std::to_string(r.first);
    if (r.last != r.first) out += ':' + std::to_string(r.last);
  }
  return out;
}

}  // namespace mf::imap
