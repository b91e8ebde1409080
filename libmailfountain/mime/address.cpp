// mime/address.cpp — address-list parsing (see address.h).
//
// Two passes: a tokenizer turns the field into atoms, quoted strings, domain literals,
// comments and specials (quoted-pairs resolved, folding dropped); a walker then splits
// the tokens into entries at top-level commas, tracks groups, and parses each entry on
// its own, so one malformed entry costs only itself.
#include "mime/address.h"

#include "base/text.h"

#include "mime/chars.h"
#include "mime/encoded_word.h"

#include <fmt/format.h>

namespace mf::mime {

namespace {

enum class Kind { kAtom, kQuoted, kLiteral, kComment, kSpecial };

struct Token {
  Kind kind;
  std::string text;  // unquoted content; the character itself for a special
  size_t offset;     // where the token starts in the field
  size_t end;        // just after it
  bool space_before = false;
  bool unterminated = false;
};

// Reads a delimited token (quoted string, comment, domain literal) starting at s[i], the
// opening delimiter. Quoted-pairs are resolved (except in literals, kept as written) and
// line breaks dropped. Comments nest. Returns the index just after the closing delimiter.
//
// Line breaks are folding, never content, even right after a backslash: a backslash,
// CRLF and a space unfold to the quoted-pair of a space. A line break kept in the text
// could not survive a second trip (addr_spec() quotes it, the next parse drops it).
size_t read_delimited(std::string_view s, size_t i, char open, char close, Token* t) {
  int depth = 1;
  size_t k = i + 1;
  if (open == '[') t->text.push_back('[');
  while (k < s.size()) {
    char c = s[k];
    if (c == '\\') {
      size_t next = k + 1;
      while (next < s.size() && (s[next] == '\r' || s[next] == '\n')) ++next;
      if (next < s.size()) {
        if (open == '[') t->text.push_back('\\');
        t->text.push_back(s[next]);
        k = next + 1;
        continue;
      }
    }
    if (c == '\r' || c == '\n') {
      ++k;
      continue;
    }
    if (c == close && --depth == 0) {
      if (open == '[') t->text.push_back(']');
      return k + 1;
    }
    if (open == '(' && c == '(') ++depth;
    t->text.push_back(c);
    ++k;
  }
  t->unterminated = true;
  return k;
}

std::vector<Token> tokenize(std::string_view s) {
  std::vector<Token> tokens;
  bool space = false;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (is_space(c)) {
      space = true;
      ++i;
      continue;
    }
    Token t{Kind::kSpecial, {}, i, i + 1, space};
    if (c == '"') {
      t.kind = Kind::kQuoted;
      t.end = read_delimited(s, i, '"', '"', &t);
    } else if (c == '(') {
      t.kind = Kind::kComment;
      t.end = read_delimited(s, i, '(', ')', &t);
    } else if (c == '[') {
      t.kind = Kind::kLiteral;
      t.end = read_delimited(s, i, '[', ']', &t);
    } else if (is_atext(c)) {
      t.kind = Kind::kAtom;
      size_t k = i;
      while (k < s.size() && is_atext(s[k])) ++k;
      t.text.assign(s.substr(i, k - i));
      t.end = k;
    } else {
      t.text.assign(1, c);
    }
    i = t.end;
    tokens.push_back(std::move(t));
    space = false;
  }
  return tokens;
}

bool is_special(const Token& t, char c) {
  return t.kind == Kind::kSpecial && t.text[0] == c;
}

std::string describe(const Token& t) {
  switch (t.kind) {
    case Kind::kQuoted:
      return "a quoted string";
    case Kind::kLiteral:
      return "a domain literal";
    case Kind::kComment:
      return "a comment";
    case Kind::kAtom:
      return fmt::format("'{}'", t.text);
    case Kind::kSpecial:
      break;
  }
  return fmt::format("'{}'", t.text);
}

// Parses one entry, tokens [b, e) of the field, into a mailbox; returns the error reason,
// empty on success.
class EntryParser {
 public:
  EntryParser(const std::vector<Token>& tokens, EncodedWords words)
      : tokens_(tokens), words_(words) {}

  std::string parse(size_t b, size_t e, Mailbox* m) {
    // Work on the tokens that are not comments; keep the last comment for a display name.
    std::vector<const Token*> toks;
    const Token* comment = nullptr;
    for (size_t i = b; i < e; ++i) {
      const Token& t = tokens_[i];
      if (t.unterminated) {
        return fmt::format("{} is not terminated", describe(t));
      }
      if (t.kind == Kind::kComment) {
        comment = &t;
      } else {
        toks.push_back(&t);
      }
    }
    size_t open = toks.size();
    for (size_t i = 0; i < toks.size(); ++i) {
      if (is_special(*toks[i], '<')) {
        open = i;
        break;
      }
    }
    if (open == toks.size()) {
      std::string reason = addr_spec(toks, 0, toks.size(), m);
      if (!reason.empty()) return reason;
      if (comment != nullptr) m->display_name = decode(comment->text);
      return {};
    }
    m->display_name = decode(phrase(toks, 0, open));
    size_t close = open + 1;
    while (close < toks.size() && !is_special(*toks[close], '>')) ++close;
    if (close == toks.size()) return "there is no '>' after '<'";
    if (close + 1 < toks.size()) {
      return fmt::format("{} follows the '>'", describe(*toks[close + 1]));
    }
    size_t start = open + 1;
    if (start < close && is_special(*toks[start], '@')) {
      // An obsolete source route: "@relay1,@relay2:" before the address.
      while (start < close && !is_special(*toks[start], ':')) ++start;
      if (start == close) return "the source route before the address has no ':'";
      ++start;
    }
    if (start == close) return "the address between '<' and '>' is empty";
    return addr_spec(toks, start, close, m);
  }

 private:
  std::string decode(const std::string& text) const {
    if (words_ == EncodedWords::kKeep) return text;
    return decode_encoded_words(text).text;
  }

  // The words of a phrase joined as written: one space wherever there was whitespace.
  static std::string phrase(const std::vector<const Token*>& toks, size_t b, size_t e) {
    std::string out;
    for (size_t i = b; i < e; ++i) {
      if (i > b && toks[i]->space_before) out.push_back(' ');
      out += toks[i]->text;
    }
    return out;
  }

  static std::string addr_spec(const std::vector<const Token*>& toks, size_t b, size_t e,
                               Mailbox* m) {
    size_t at = b;
    while (at < e && !is_special(*toks[at], '@')) ++at;
    if (at == e) return "there is no '@' in the address";
    if (at == b) return "the local part before '@' is empty";
    std::string local;
    bool has_word = false;
    for (size_t i = b; i < at; ++i) {
      const Token& t = *toks[i];
      if (t.kind == Kind::kAtom || t.kind == Kind::kQuoted) {
        has_word = true;
      } else if (!is_special(t, '.')) {
        return fmt::format("{} is not allowed in the local part", describe(t));
      }
      local += t.text;
    }
    if (!has_word) return "the local part has no word, only dots";
    if (local.empty()) return "the local part is an empty quoted string";
    if (at + 1 == e) return "there is no domain after '@'";
    std::string domain;
    if (toks[at + 1]->kind == Kind::kLiteral) {
      if (at + 2 != e) return fmt::format("{} follows the domain literal", describe(*toks[at + 2]));
      domain = toks[at + 1]->text;
    } else {
      bool want_label = true;
      for (size_t i = at + 1; i < e; ++i) {
        const Token& t = *toks[i];
        if (t.kind == Kind::kAtom && want_label) {
          domain += t.text;
          want_label = false;
        } else if (is_special(t, '.') && !want_label) {
          domain += '.';
          want_label = true;
        } else {
          return fmt::format("{} is not allowed in the domain", describe(t));
        }
      }
      if (want_label) return fmt::format("the domain '{}' ends with a dot", domain);
    }
    m->local = std::move(local);
    m->domain = std::move(domain);
    return {};
  }

  const std::vector<Token>& tokens_;
  EncodedWords words_;
};

bool is_dot_atom(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '.') {
      if (s[i + 1] == '.') return false;
    } else if (!is_atext(s[i])) {
      return false;
    }
  }
  return true;
}

// Splits the tokens into entries and groups and parses each entry.
class ListWalker {
 public:
  ListWalker(std::string_view value, EncodedWords words)
      : value_(value), tokens_(tokenize(value)), parser_(tokens_, words), words_(words) {}

  AddressList run() {
    size_t start = 0;
    int angle = 0;
    bool in_route = false;  // between "<@" and the route's ':'
    for (size_t i = 0; i < tokens_.size(); ++i) {
      const Token& t = tokens_[i];
      if (t.kind != Kind::kSpecial) continue;
      char c = t.text[0];
      if (c == '<') {
        ++angle;
        in_route = i + 1 < tokens_.size() && is_special(tokens_[i + 1], '@');
        continue;
      }
      if (c == '>') {
        if (angle > 0) --angle;
        in_route = false;
        continue;
      }
      if (angle > 0) {
        // Inside angle brackets only the commas of a source route are not separators:
        // a '<' left open must not swallow the rest of the list.
        if (c == ':') in_route = false;
        if (c != ',' || in_route) continue;
        angle = 0;
      }
      if (c == ',') {
        finish(start, i);
        start = i + 1;
      } else if (c == ':' && !in_group_ && is_group_name(start, i)) {
        group_ = phrase_text(start, i);
        if (words_ == EncodedWords::kDecode) {
          std::string decoded = decode_encoded_words(group_).text;
          if (!decoded.empty()) group_ = std::move(decoded);
        }
        in_group_ = true;
        members_ = 0;
        start = i + 1;
      } else if (c == ';') {
        // Ends a group; outside one, a ';' is taken as a separator, as Outlook users type.
        finish(start, i);
        start = i + 1;
        close_group();
      }
    }
    finish(start, tokens_.size());
    close_group();  // a group whose ';' is missing ends with the field
    return std::move(out_);
  }

 private:
  // True when tokens [b, e) can name a group: words only, at least one not empty.
  bool is_group_name(size_t b, size_t e) const {
    bool word = false;
    for (size_t i = b; i < e; ++i) {
      const Token& t = tokens_[i];
      if (t.kind == Kind::kAtom || t.kind == Kind::kQuoted) {
        word = word || !t.text.empty();
      } else if (t.kind != Kind::kComment && !is_special(t, '.')) {
        return false;
      }
    }
    return word;  // a group needs a name: "" alone is none
  }

  std::string phrase_text(size_t b, size_t e) const {
    std::string out;
    for (size_t i = b; i < e; ++i) {
      const Token& t = tokens_[i];
      if (t.kind == Kind::kComment) continue;
      if (!out.empty() && t.space_before) out.push_back(' ');
      out += t.text;
    }
    return out;
  }

  void finish(size_t b, size_t e) {
    bool empty = true;
    for (size_t i = b; i < e && empty; ++i) empty = tokens_[i].kind == Kind::kComment;
    if (empty) return;
    size_t offset = tokens_[b].offset;
    std::string_view text = value_.substr(offset, tokens_[e - 1].end - offset);
    if (out_.mailboxes.size() + out_.errors.size() >= kMaxAddresses) {
      if (!limit_reported_) {
        out_.errors.push_back(
            {offset, std::string(text),
             fmt::format("the list has more than {} entries; the rest is ignored", kMaxAddresses)});
        limit_reported_ = true;
      }
      return;
    }
    Mailbox m;
    std::string reason = parser_.parse(b, e, &m);
    if (!reason.empty()) {
      out_.errors.push_back({offset, std::string(text), std::move(reason)});
      return;
    }
    if (in_group_) {
      m.group = group_;
      ++members_;
    }
    out_.mailboxes.push_back(std::move(m));
  }

  void close_group() {
    if (!in_group_) return;
    if (members_ == 0 && !limit_reported_) {
      Mailbox m;
      m.group = group_;
      out_.mailboxes.push_back(std::move(m));
    }
    in_group_ = false;
    group_.clear();
  }

  std::string_view value_;
  std::vector<Token> tokens_;
  EntryParser parser_;
  EncodedWords words_;
  AddressList out_;
  bool in_group_ = false;
  std::string group_;
  size_t members_ = 0;
  bool limit_reported_ = false;
};

}  // namespace

std::string Mailbox::addr_spec() const {
  if (is_dot_atom(local)) return local + "@" + domain;
  std::string out = "\"";
  for (char c : local) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out += "\"@";
  out += domain;
  return out;
}

AddressList parse_address_list(std::string_view value, EncodedWords words) {
  return ListWalker(value, words).run();
}

}  // namespace mf::mime
