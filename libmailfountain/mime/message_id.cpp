// mime/message_id.cpp — message-id lists (see message_id.h).
#include "mime/message_id.h"

#include "mime/chars.h"

#include <fmt/format.h>

namespace mf::mime {

namespace {

// Skips a comment starting at `i` (a '('); returns the index after it, or the end.
size_t skip_comment(std::string_view v, size_t i) {
  int depth = 0;
  for (; i < v.size(); ++i) {
    if (v[i] == '\\') {
      ++i;
    } else if (v[i] == '(') {
      ++depth;
    } else if (v[i] == ')' && --depth == 0) {
      return i + 1;
    }
  }
  return v.size();
}

class Reader {
 public:
  explicit Reader(MessageIdList& out) : out_(out) {}

  // Adds an id unless a limit forbids it.
  void add(std::string id, size_t offset) {
    if (id.empty()) {
      out_.problems.push_back(fmt::format("the '<>' at byte {} holds no id", offset));
    } else if (id.size() > kMaxMessageIdLength) {
      out_.problems.push_back(
          fmt::format("the id at byte {} is longer than {} octets", offset, kMaxMessageIdLength));
    } else if (out_.ids.size() == kMaxMessageIds) {
      if (!full_)
        out_.problems.push_back(
            fmt::format("more than {} ids; the rest is ignored", kMaxMessageIds));
      full_ = true;
    } else {
      out_.ids.push_back(std::move(id));
    }
  }

 private:
  MessageIdList& out_;
  bool full_ = false;
};

}  // namespace

MessageIdList parse_message_ids(std::string_view v) {
  MessageIdList out;
  Reader reader(out);
  bool bracketed = v.find('<') != std::string_view::npos;
  size_t i = 0;
  while (i < v.size()) {
    char c = v[i];
    if (is_space(c)) {
      ++i;
    } else if (c == '(') {
      i = skip_comment(v, i);
    } else if (c == '<') {
      size_t start = i++;
      std::string id;
      bool quoted = false;
      for (; i < v.size(); ++i) {
        char d = v[i];
        if (quoted && d == '\\' && i + 1 < v.size()) {
          id += d;
          id += v[++i];
          continue;
        }
        if (d == '"') quoted = !quoted;
        if (!quoted && (d == '>' || d == '<')) break;
        if (is_space(d) && !quoted) continue;
        if (d == '(' && !quoted) {
          i = skip_comment(v, i) - 1;
          continue;
        }
        id += d;
      }
      if (i >= v.size() || v[i] == '<') {
        out.problems.push_back(fmt::format("the '<' at byte {} is never closed", start));
        continue;  // a '<' found inside starts the next id
      }
      ++i;
      // Whitespace inside a quoted local part would make the id ambiguous to callers.
      bool ok = true;
      for (char d : id)
        if (is_space(d) || d == '<' || d == '>') ok = false;
      if (!ok) {
        out.problems.push_back(fmt::format("the id at byte {} holds whitespace", start));
        continue;
      }
      reader.add(std::move(id), start);
    } else {
      // A word outside brackets: an obsolete phrase, or a bare id when there are no brackets.
      size_t start = i;
      bool quoted = false;
      for (; i < v.size(); ++i) {
        if (v[i] == '"') quoted = !quoted;
        if (!quoted && (is_space(v[i]) || v[i] == '(' || v[i] == '<')) break;
      }
      std::string_view word = v.substr(start, i - start);
      if (!bracketed && word.find('@') != std::string_view::npos &&
          word.find('"') == std::string_view::npos && word.find('>') == std::string_view::npos)
        reader.add(std::string(word), start);
    }
  }
  return out;
}

}  // namespace mf::mime
