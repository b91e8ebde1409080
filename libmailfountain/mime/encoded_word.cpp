// mime/encoded_word.cpp — RFC 2047 decoding and encoding (see encoded_word.h).
#include "mime/encoded_word.h"

#include "base/text.h"
#include "mime/chars.h"
#include "mime/charset.h"
#include "mime/transfer_encoding.h"

#include <algorithm>

namespace mf::mime {

namespace {

constexpr size_t kMaxEncodedWord = 75;  // RFC 2047 §2
constexpr size_t kMaxFoldedLine = 78;   // RFC 5322 §2.1.1
constexpr std::string_view kQPrefix = "=?UTF-8?Q?";
constexpr std::string_view kBPrefix = "=?UTF-8?B?";
constexpr size_t kWordOverhead = 12;  // the prefix and "?="

bool is_lwsp(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// One syntactically valid encoded word found in the text.
struct Word {
  size_t start;  // offset of "=?"
  size_t end;    // offset just after "?="
  std::string_view charset;
  char encoding;  // 'B' or 'Q'
  std::string_view payload;
};

// Parses an encoded word starting at text[p] ("=?" there); false when it is not one.
bool parse_word(std::string_view text, size_t p, Word* w) {
  size_t q1 = text.find('?', p + 2);
  if (q1 == std::string_view::npos || q1 == p + 2) return false;
  std::string_view charset = text.substr(p + 2, q1 - p - 2);
  for (char c : charset) {
    if (is_lwsp(c) || c == '=') return false;
  }
  if (q1 + 2 >= text.size() || text[q1 + 2] != '?') return false;
  char enc = text[q1 + 1];
  if (enc == 'b') enc = 'B';
  if (enc == 'q') enc = 'Q';
  if (enc != 'B' && enc != 'Q') return false;
  size_t q2 = text.find('?', q1 + 3);
  if (q2 == std::string_view::npos || q2 + 1 >= text.size() || text[q2 + 1] != '=') return false;
  std::string_view payload = text.substr(q1 + 3, q2 - q1 - 3);
  for (char c : payload) {
    if (is_lwsp(c)) return false;
  }
  *w = Word{p, q2 + 2, charset, enc, payload};
  return true;
}

Decoded q_decode(std::string_view payload) {
  Decoded out;
  out.bytes.reserve(payload.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (size_t i = 0; i < payload.size(); ++i) {
    char c = payload[i];
    if (c == '_') {
      out.bytes.push_back(' ');
    } else if (c == '=' && i + 2 < payload.size() && hex(payload[i + 1]) >= 0 &&
               hex(payload[i + 2]) >= 0) {
      out.bytes.push_back(static_cast<char>(hex(payload[i + 1]) * 16 + hex(payload[i + 2])));
      i += 2;
    } else {
      if (c == '=') out.clean = false;
      out.bytes.push_back(c);
    }
  }
  return out;
}

// The charset part that decides whether two words can be joined: lower case, no language.
std::string charset_key(std::string_view charset) {
  return ascii_lower(charset.substr(0, std::min(charset.find('*'), charset.size())));
}

// Consecutive encoded words of one charset, waiting to be converted together.
class PendingRun {
 public:
  bool empty() const { return !active_; }
  bool same_charset(std::string_view charset) const {
    return active_ && key_ == charset_key(charset);
  }

  void start(const Word& w, std::string bytes) {
    active_ = true;
    charset_ = w.charset;
    key_ = charset_key(w.charset);
    bytes_ = std::move(bytes);
    raw_start_ = w.start;
    raw_end_ = w.end;
  }
  void extend(const Word& w, std::string_view bytes) {
    bytes_ += bytes;
    raw_end_ = w.end;
  }

  // Appends the run, converted to UTF-8 or left as written, to `out`.
  void flush(std::string_view text, DecodedHeaderText* out, CharsetConverters* converters) {
    if (!active_) return;
    active_ = false;
    auto converted = to_utf8(charset_, bytes_, converters);
    if (converted.is_ok()) {
      out->text += converted->text;
      if (!converted->clean) out->clean = false;
      return;
    }
    out->text += text.substr(raw_start_, raw_end_ - raw_start_);
    std::string name(charset_);
    if (std::find(out->unknown_charsets.begin(), out->unknown_charsets.end(), name) ==
        out->unknown_charsets.end()) {
      out->unknown_charsets.push_back(std::move(name));
    }
  }

 private:
  bool active_ = false;
  std::string_view charset_;
  std::string key_;
  std::string bytes_;
  size_t raw_start_ = 0;
  size_t raw_end_ = 0;
};

// What a character costs in a Q word: 1 when it may appear as is in any RFC 2047 context
// (RFC 2047 §5 rule 3, the strictest), 3 when it must be escaped.
size_t q_cost(unsigned char c) {
  bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '!' || c == '*' || c == '+' || c == '-' || c == '/' || c == ' ';
  return plain ? 1 : 3;
}

// Splits off the longest prefix of `rest` (whole UTF-8 characters) that fits one encoded
// word of at most `capacity` characters, and returns that word; the prefix is removed
// from `rest`. At least one character is taken, whatever the capacity.
std::string take_encoded_word(std::string_view* rest, size_t capacity) {
  size_t q_len = 0;
  size_t q_bytes = 0;
  size_t b_bytes = 0;
  bool q_open = true;
  bool b_open = true;
  size_t i = 0;
  while (i < rest->size() && (q_open || b_open)) {
    size_t n = utf8_sequence_length(*rest, i);
    if (n == 0) n = 1;  // an invalid byte travels alone
    if (q_open) {
      size_t cost = 0;
      for (size_t k = i; k < i + n; ++k) cost += q_cost(static_cast<unsigned char>((*rest)[k]));
      if (kWordOverhead + q_len + cost <= capacity || q_bytes == 0) {
        q_len += cost;
        q_bytes = i + n;
      } else {
        q_open = false;
      }
    }
    if (b_open) {
      size_t b_len = (i + n + 2) / 3 * 4;
      if (kWordOverhead + b_len <= capacity || b_bytes == 0) {
        b_bytes = i + n;
      } else {
        b_open = false;
      }
    }
    i += n;
  }
  std::string word;
  if (q_bytes >= b_bytes) {
    std::string_view chunk = rest->substr(0, q_bytes);
    word = kQPrefix;
    for (char ch : chunk) {
      auto c = static_cast<unsigned char>(ch);
      if (c == ' ') {
        word.push_back('_');
      } else if (q_cost(c) == 1) {
        word.push_back(ch);
      } else {
        word.push_back('=');
        word.push_back(kHexDigits[c >> 4]);
        word.push_back(kHexDigits[c & 15]);
      }
    }
    rest->remove_prefix(q_bytes);
  } else {
    word = kBPrefix;
    word += base64_encode(rest->substr(0, b_bytes), Base64Lines::kNone);
    rest->remove_prefix(b_bytes);
  }
  word += "?=";
  return word;
}

bool needs_encoding(std::string_view word) {
  for (char ch : word) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7f) return true;
  }
  return word.find("=?") != std::string_view::npos;
}

// Lays out a header value in lines of at most kMaxFoldedLine characters, folding before the
// whitespace that separates tokens.
class Folder {
 public:
  explicit Folder(size_t first_column) : column_(first_column) {}

  // Space left on the current line after `sep`.
  size_t room(std::string_view sep) const {
    size_t used = column_ + sep.size();
    return used >= kMaxFoldedLine ? 0 : kMaxFoldedLine - used;
  }
  void fold() {
    out_ += "\r\n";
    column_ = 0;
  }
  // Appends `sep` and `token`, folding first when they would overflow a line that holds
  // something already.
  void add(std::string_view sep, std::string_view token) {
    if (column_ + sep.size() + token.size() > kMaxFoldedLine && !line_empty()) fold();
    out_ += sep;
    out_ += token;
    column_ += sep.size() + token.size();
  }
  bool line_empty() const { return column_ == 0; }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
  size_t column_;
};

}  // namespace

DecodedHeaderText decode_encoded_words(std::string_view text, CharsetConverters* converters) {
  DecodedHeaderText out;
  out.text.reserve(text.size());
  PendingRun pending;
  size_t plain_start = 0;  // start of text not yet copied
  size_t search = 0;
  while (true) {
    size_t p = text.find("=?", search);
    Word w;
    if (p == std::string_view::npos) break;
    if (!parse_word(text, p, &w)) {
      search = p + 1;
      continue;
    }
    std::string_view gap = text.substr(plain_start, p - plain_start);
    bool only_space = std::all_of(gap.begin(), gap.end(), is_lwsp);
    if (pending.empty() || !only_space) {
      pending.flush(text, &out, converters);
      out.text += gap;
    }
    Decoded bytes = w.encoding == 'B' ? base64_decode(w.payload) : q_decode(w.payload);
    if (!bytes.clean) out.clean = false;
    if (pending.same_charset(w.charset)) {
      pending.extend(w, bytes.bytes);
    } else {
      pending.flush(text, &out, converters);
      pending.start(w, std::move(bytes.bytes));
    }
    plain_start = search = w.end;
  }
  pending.flush(text, &out, converters);
  out.text += text.substr(plain_start);
  return out;
}

std::string encode_header_value(std::string_view name, std::string_view utf8) {
  auto is_wsp = [](char c) { return c == ' ' || c == '\t'; };
  while (!utf8.empty() && is_wsp(utf8.front())) utf8.remove_prefix(1);
  while (!utf8.empty() && is_wsp(utf8.back())) utf8.remove_suffix(1);

  Folder folder(name.size() + 1);
  std::string_view sep = " ";
  size_t i = 0;
  while (i < utf8.size()) {
    // The next word and whether it, and the words after it, need encoding.
    size_t word_end = i;
    while (word_end < utf8.size() && !is_wsp(utf8[word_end])) ++word_end;
    std::string_view word = utf8.substr(i, word_end - i);
    if (!needs_encoding(word)) {
      folder.add(sep, word);
    } else {
      // Extend the run over every following word that needs encoding too.
      size_t run_end = word_end;
      while (run_end < utf8.size()) {
        size_t next = run_end;
        while (next < utf8.size() && is_wsp(utf8[next])) ++next;
        size_t next_end = next;
        while (next_end < utf8.size() && !is_wsp(utf8[next_end])) ++next_end;
        if (next == utf8.size() || !needs_encoding(utf8.substr(next, next_end - next))) break;
        run_end = next_end;
      }
      std::string_view rest = utf8.substr(i, run_end - i);
      while (!rest.empty()) {
        // A word needs room for its overhead and one character (8 base64 characters).
        if (folder.room(sep) < kWordOverhead + 8 && !folder.line_empty()) folder.fold();
        size_t capacity = std::min(kMaxEncodedWord, folder.room(sep));
        folder.add(sep, take_encoded_word(&rest, capacity));
        sep = " ";
      }
      word_end = run_end;
    }
    // The whitespace after this token separates it from the next one.
    size_t sep_start = word_end;
    while (word_end < utf8.size() && is_wsp(utf8[word_end])) ++word_end;
    sep = utf8.substr(sep_start, word_end - sep_start);
    i = word_end;
  }
  return folder.take();
}

}  // namespace mf::mime
