// imap/mailbox_names.cpp — mailbox names at the protocol boundary, and LIST patterns.
#include "imap/mailbox_names.h"

#include "base/text.h"
#include "imap/mutf7.h"
#include "mailbox/folders.h"

#include <map>
#include <utility>

namespace mf::imap {

namespace {

constexpr char kSep = mailbox::kHierarchySeparator;

// INBOX in any case as the first level of `s` is written "INBOX".
std::string with_inbox_normalised(std::string s) {
  std::string_view first = std::string_view(s).substr(0, s.find(kSep));
  if (ascii_iequals(first, mailbox::kInbox)) s.replace(0, first.size(), mailbox::kInbox);
  return s;
}

// Whether `name` matches `pattern`: '*' any run, '%' any run without the separator.
// Dynamic programming from the pattern's end, one row per pattern position: O(pattern ×
// name) time whatever the wildcards, O(name) memory.
bool glob(std::string_view pattern, std::string_view name) {
  const size_t n = name.size();
  std::vector<char> next(n + 1, 0), row(n + 1, 0);  // next: pattern[i+1:], row: pattern[i:]
  next[n] = 1;                                      // the empty pattern matches the empty rest
  for (size_t i = pattern.size(); i-- > 0;) {
    const char c = pattern[i];
    row[n] = (c == '*' || c == '%') && next[n];
    for (size_t j = n; j-- > 0;) {
      if (c == '*')
        row[j] = next[j] || row[j + 1];
      else if (c == '%')
        row[j] = next[j] || (name[j] != kSep && row[j + 1]);
      else
        row[j] = c == name[j] && next[j + 1];
    }
    std::swap(row, next);
  }
  return next[0];
}

}  // namespace

Result<std::string> name_from_client(std::string_view wire, NameEncoding encoding) {
  std::string utf8;
  if (encoding == NameEncoding::kModifiedUtf7) {
    MF_ASSIGN_OR_RETURN(utf8, mutf7_decode(wire));
  } else {
    utf8 = std::string(wire);
  }
  return mailbox::normalize_folder_name(utf8);
}

Result<std::string> name_to_client(std::string_view stored, NameEncoding encoding) {
  if (encoding == NameEncoding::kModifiedUtf7) return mutf7_encode(stored);
  if (!is_valid_utf8(stored)) return invalid_argument("a stored folder name is not UTF-8");
  return std::string(stored);
}

ListPattern::ListPattern(std::string_view reference, std::string_view pattern) {
  if (!pattern.empty() && pattern.front() == kSep) pattern.remove_prefix(1);
  std::string joined(reference);
  if (!joined.empty() && !pattern.empty() && joined.back() != kSep) joined += kSep;
  if (pattern.empty()) joined.clear();  // LIST "ref" "": the delimiter, not a listing
  joined += pattern;
  // A run of wildcards is one: '*' if it holds one, else '%'. Then a pattern with more
  // literal bytes than a name can hold matches nothing, which bounds glob()'s work by the
  // name length whatever a client sends.
  std::string collapsed;
  size_t literals = 0;
  for (size_t i = 0; i < joined.size();) {
    if (joined[i] != '*' && joined[i] != '%') {
      collapsed += joined[i++];
      ++literals;
      continue;
    }
    char w = '%';
    for (; i < joined.size() && (joined[i] == '*' || joined[i] == '%'); ++i)
      if (joined[i] == '*') w = '*';
    collapsed += w;
  }
  text_ = with_inbox_normalised(std::move(collapsed));
  impossible_ = literals > mailbox::kMaxFolderNameBytes;
}

bool ListPattern::matches(std::string_view name) const {
  return !text_.empty() && !impossible_ && glob(text_, name);
}

std::vector<ListEntry> list_matches(const std::vector<std::string>& names,
                                    const ListPattern& pattern) {
  std::map<std::string, ListEntry, std::less<>> out;
  if (pattern.text().empty()) return {};
  for (const std::string& name : names) {
    if (pattern.matches(name)) {
      ListEntry& e = out[name];
      e.name = name;
      e.exists = true;
    }
  }
  // Children and missing parents: every level above each name.
  for (const std::string& name : names) {
    for (size_t slash = name.find(kSep); slash != std::string::npos;
         slash = name.find(kSep, slash + 1)) {
      std::string parent = name.substr(0, slash);
      auto it = out.find(parent);
      if (it != out.end()) {
        it->second.has_children = true;
        continue;
      }
      // An existing parent that matches is in `out` already: this one does not exist.
      if (!pattern.returns_parents() || !pattern.matches(parent)) continue;
      out.emplace(parent, ListEntry{parent, false, true});
    }
  }
  std::vector<ListEntry> v;
  v.reserve(out.size());
  for (auto& [key, e] : out) v.push_back(std::move(e));
  return v;
}

}  // namespace mf::imap
