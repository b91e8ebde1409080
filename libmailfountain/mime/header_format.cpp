// mime/header_format.cpp — writing header fields (see header_format.h).
//
// Each field is laid out by a FieldWriter from a list of tokens that must stay whole
// (an address, "<id>", an encoded word, "name=value;") separated by whitespace where a
// fold may go. Non-ASCII text in 7-bit mode goes through encode_header_value, whose
// output is split back into tokens so that it can be laid out with the rest.
#include "mime/header_format.h"

#include "base/text.h"
#include "mime/chars.h"
#include "mime/encoded_word.h"
#include "mime/message_id.h"
#include "model/names.h"

#include <fmt/format.h>

#include <cstring>
#include <utility>

namespace mf::mime {

namespace {

// A parameter token ("name=value" or one section) with the folding space before it and
// the ';' after it fills at most one 78-column line.
constexpr size_t kMaxParameterToken = kFoldColumn - 2;

bool is_ascii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_wsp(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_wsp(s.back())) s.remove_suffix(1);
  return s;
}

// atext of RFC 5322 §3.2.3; in kUtf8 mode every byte from 0x80 up too (RFC 6532 §3.2).
bool is_atext(char ch, HeaderCharset charset) {
  if (static_cast<unsigned char>(ch) >= 0x80) return charset == HeaderCharset::kUtf8;
  return mf::is_atext(ch);
}

bool all_atext(std::string_view word, HeaderCharset charset) {
  if (word.empty()) return false;
  for (char c : word) {
    if (!is_atext(c, charset)) return false;
  }
  return true;
}

// A dot-atom: atext runs separated by single dots.
bool is_dot_atom(std::string_view s, HeaderCharset charset) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '.') {
      if (s[i + 1] == '.') return false;
    } else if (!is_atext(s[i], charset)) {
      return false;
    }
  }
  return true;
}

// A token of RFC 2045 §5.1: printable ASCII without space and tspecials.
bool is_token_char(char ch) {
  auto c = static_cast<unsigned char>(ch);
  return c > 32 && c < 127 && std::strchr("()<>@,;:\\\"/[]?=", c) == nullptr;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_token_char(c)) return false;
  }
  return true;
}

// attribute-char of RFC 2231 §7: what an extended value may hold without a %XX escape.
bool is_attribute_char(char c) {
  return is_token_char(c) && c != '*' && c != '\'' && c != '%';
}

// The quoted-string form of `s`: '"' and '\' escaped, everything else as is.
std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

// Checks that header text is valid UTF-8 without control characters other than HTAB.
Status check_header_text(std::string_view what, std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        return invalid_argument(fmt::format(
            "{} holds the control character 0x{:02X} at byte {}; header text may not hold line "
            "breaks or control characters",
            what, c, i));
      }
      ++i;
      continue;
    }
    size_t n = utf8_sequence_length(text, i);
    if (n == 0) return invalid_argument(fmt::format("{} is not valid UTF-8 (byte {})", what, i));
    i += n;
  }
  return Status::ok();
}

// Splits `s` at runs of whitespace (space, tab, CR, LF) into its words.
std::vector<std::string> split_at_whitespace(std::string_view s) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (is_wsp(s[i]) || s[i] == '\r' || s[i] == '\n')) ++i;
    size_t start = i;
    while (i < s.size() && !is_wsp(s[i]) && s[i] != '\r' && s[i] != '\n') ++i;
    if (i > start) words.emplace_back(s.substr(start, i - start));
  }
  return words;
}

// Lays out a field: "Name:" then tokens, each after its separator, folding before the
// separator when a token would cross the fold column on a line that holds one already.
class FieldWriter {
 public:
  explicit FieldWriter(std::string_view name) : out_(name), column_(name.size() + 1) {
    out_ += ':';
  }

  void add(std::string_view sep, std::string_view token) {
    bool overflow = column_ + sep.size() + token.size() > kFoldColumn;
    if (!sep.empty() && has_token_ && (overflow || fold_next_)) {
      out_ += "\r\n";
      column_ = 0;
    }
    fold_next_ = false;
    out_ += sep;
    out_ += token;
    column_ += sep.size() + token.size();
    has_token_ = true;
  }

  // Adds tokens that should share a line (one address): they go to the next line when
  // they would not end on this one but fit the next. Longer ones fold inside.
  void add_unit(const std::vector<std::string>& tokens) {
    size_t length = 0;
    for (const std::string& t : tokens) length += 1 + t.size();
    fold_next_ = column_ + length > kFoldColumn && length <= kFoldColumn;
    for (const std::string& t : tokens) add(" ", t);
  }

  std::string finish() {
    out_ += "\r\n";
    return std::move(out_);
  }

 private:
  std::string out_;
  size_t column_;
  bool has_token_ = false;
  bool fold_next_ = false;  // fold before the next token
};

// Refuses a field with a line over 998 octets (a word no fold can shorten).
Status check_lines(std::string_view name, std::string_view field) {
  size_t start = 0;
  while (start < field.size()) {
    size_t end = field.find("\r\n", start);
    if (end == std::string_view::npos) end = field.size();
    if (end - start > kMaxLineLength) {
      return invalid_argument(fmt::format(
          "the {} field would have a line of {} octets, a word too long to fold; header lines "
          "may not exceed {} octets (RFC 5322 §2.1.1)",
          name, end - start, kMaxLineLength));
    }
    start = end + 2;
  }
  return Status::ok();
}

// Appends the tokens of a phrase (a display name or a group name) to `tokens`, folding
// points between them. Nothing is appended for an empty phrase.
Status add_phrase(std::string_view what, std::string_view phrase, HeaderCharset charset,
                  std::vector<std::string>* tokens) {
  MF_RETURN_IF_ERROR(check_header_text(what, phrase));
  phrase = trim(phrase);
  if (phrase.empty()) return Status::ok();
  // Readers decode "=?...?=" even inside quoted strings, so such text is always encoded.
  bool raw = (charset == HeaderCharset::kUtf8 || is_ascii(phrase)) &&
             phrase.find("=?") == std::string_view::npos;
  if (raw) {
    bool atoms = true;
    for (size_t i = 0; i < phrase.size() && atoms; ++i) {
      if (phrase[i] == ' ') {
        atoms = phrase[i + 1] != ' ';  // trimmed: phrase[i + 1] exists
      } else {
        atoms = is_atext(phrase[i], charset);
      }
    }
    if (atoms) {
      for (auto& w : split_at_whitespace(phrase)) tokens->push_back(std::move(w));
      return Status::ok();
    }
    // One quoted string, with folding points at the single spaces inside it; unfolding
    // gives the spaces back. quote() escapes only '"' and '\', so no space is escaped.
    std::string q = quote(phrase);
    size_t start = 0;
    for (size_t i = 1; i + 1 < q.size(); ++i) {
      if (q[i] == ' ' && !is_wsp(q[i - 1]) && !is_wsp(q[i + 1])) {
        tokens->push_back(q.substr(start, i - start));
        start = i + 1;
      }
    }
    tokens->push_back(q.substr(start));
    return Status::ok();
  }
  // 7-bit with non-ASCII (or "=?"): RFC 2047 words for the words that need them, a
  // quoted string for each ASCII word holding specials (RFC 2047 §5 forbids encoded words
  // inside quoted strings, so quoting is per word), atoms as they are. The Q words
  // encode_header_value writes are safe in a phrase.
  std::string prepared;
  for (const std::string& word : split_at_whitespace(phrase)) {
    if (!prepared.empty()) prepared.push_back(' ');
    bool plain_ascii = is_ascii(word) && word.find("=?") == std::string::npos;
    prepared += plain_ascii && !all_atext(word, HeaderCharset::kAscii) ? quote(word) : word;
  }
  for (auto& w : split_at_whitespace(encode_header_value("", prepared))) {
    tokens->push_back(std::move(w));
  }
  return Status::ok();
}

// The domain of an address as it is written in `charset`.
Result<std::string> format_domain(std::string_view what, std::string_view domain,
                                  HeaderCharset charset) {
  if (domain.empty()) return invalid_argument(fmt::format("{} has an empty domain", what));
  if (domain.front() == '[') {
    bool ok = domain.size() >= 2 && domain.back() == ']';
    for (size_t i = 1; ok && i + 1 < domain.size(); ++i) {
      auto c = static_cast<unsigned char>(domain[i]);
      ok = c > 32 && c < 127 && c != '[' && c != ']' && c != '\\';
    }
    if (!ok) return invalid_argument(fmt::format("{}: '{}' is not a domain literal", what, domain));
    return std::string(domain);
  }
  MF_RETURN_IF_ERROR(check_header_text(fmt::format("{}'s domain", what), domain));
  if (!is_dot_atom(domain, HeaderCharset::kUtf8)) {
    return invalid_argument(fmt::format("{}: '{}' is not a valid domain", what, domain));
  }
  if (is_ascii(domain)) return std::string(domain);
  Result<std::string> a_label = normalize_domain(domain);
  if (!a_label.is_ok()) return a_label.status().with_context(what);
  if (charset == HeaderCharset::kAscii) return std::move(a_label).value();
  return std::string(domain);
}

// Appends the tokens of one mailbox: a bare addr-spec, or a phrase and "<addr-spec>".
Status add_mailbox(std::string_view what, const Mailbox& m, HeaderCharset charset,
                   std::vector<std::string>* tokens) {
  if (m.local.empty()) return invalid_argument(fmt::format("{} has an empty local part", what));
  MF_RETURN_IF_ERROR(check_header_text(fmt::format("{}'s local part", what), m.local));
  if (charset == HeaderCharset::kAscii && !is_ascii(m.local)) {
    return invalid_argument(fmt::format(
        "{} ('{}@{}') has a non-ASCII local part, which only SMTPUTF8 (RFC 6531) can carry; "
        "the message must be sent with SMTPUTF8",
        what, m.local, m.domain));
  }
  Mailbox spec;
  spec.local = m.local;
  MF_ASSIGN_OR_RETURN(spec.domain, format_domain(what, m.domain, charset));
  std::string addr = spec.addr_spec();
  size_t before = tokens->size();
  MF_RETURN_IF_ERROR(
      add_phrase(fmt::format("{}'s display name", what), m.display_name, charset, tokens));
  if (tokens->size() == before) {
    tokens->push_back(std::move(addr));
  } else {
    tokens->push_back("<" + addr + ">");
  }
  return Status::ok();
}

// Appends to `tokens` the RFC 2045/2231 form of one parameter: one token, or one per
// section when the value does not fit a line.
Status add_parameter(std::string_view what, const Parameter& p, HeaderCharset charset,
                     std::vector<std::string>* tokens) {
  std::string name = ascii_lower(p.name);
  if (!is_token(name) || name.find('*') != std::string::npos ||
      name.size() > kMaxParameterToken / 2) {
    return invalid_argument(fmt::format("{}: '{}' is not a parameter name", what, p.name));
  }
  MF_RETURN_IF_ERROR(check_header_text(what, p.value));
  for (char c : p.language) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok)
      return invalid_argument(fmt::format("{}: '{}' is not a language tag", what, p.language));
  }
  bool extended = !p.language.empty() || (charset == HeaderCharset::kAscii && !is_ascii(p.value));
  std::string_view v = p.value;

  // The written form of each character (a whole UTF-8 sequence): section breaks fall
  // between them only.
  std::vector<std::string> pieces;
  for (size_t i = 0; i < v.size();) {
    size_t n = static_cast<unsigned char>(v[i]) < 0x80 ? 1 : utf8_sequence_length(v, i);
    std::string piece;
    for (size_t k = i; k < i + n; ++k) {
      char c = v[k];
      if (extended) {
        if (is_attribute_char(c)) {
          piece.push_back(c);
        } else {
          auto u = static_cast<unsigned char>(c);
          piece += {'%', kHexDigits[u >> 4], kHexDigits[u & 15]};
        }
      } else {
        if (c == '"' || c == '\\') piece.push_back('\\');
        piece.push_back(c);
      }
    }
    pieces.push_back(std::move(piece));
    i += n;
  }

  std::string charset_prefix = extended ? "utf-8'" + p.language + "'" : "";
  std::string whole;
  for (const std::string& piece : pieces) whole += piece;
  std::string single;
  if (extended) {
    single = name + "*=" + charset_prefix + whole;
  } else {
    single = name + "=" + (is_token(v) ? std::string(v) : "\"" + whole + "\"");
  }
  if (single.size() <= kMaxParameterToken) {
    tokens->push_back(std::move(single));
    return Status::ok();
  }

  // RFC 2231 §3 continuations: name*0*=utf-8''..., name*1*=... (extended) or
  // name*0="...", name*1="..." (plain), each section one token.
  std::vector<std::string> sections;
  auto head = [&](size_t k) {
    if (extended) return fmt::format("{}*{}*={}", name, k, k == 0 ? charset_prefix : "");
    return fmt::format("{}*{}=\"", name, k);
  };
  std::string current = head(0);
  size_t content = 0;  // pieces in the current section
  const size_t closing = extended ? 0 : 1;
  for (const std::string& piece : pieces) {
    if (content > 0 && current.size() + piece.size() + closing > kMaxParameterToken) {
      if (!extended) current.push_back('"');
      sections.push_back(std::move(current));
      current = head(sections.size());
      content = 0;
    }
    current += piece;
    ++content;
  }
  if (!extended) current.push_back('"');
  sections.push_back(std::move(current));
  if (sections.size() >= kMaxSections) {
    return invalid_argument(
        fmt::format("{} is too long: it would take {} RFC 2231 sections, at most {} are read", what,
                    sections.size(), kMaxSections - 1));
  }
  for (auto& s : sections) tokens->push_back(std::move(s));
  return Status::ok();
}

}  // namespace

Status validate_field_name(std::string_view name) {
  if (name.empty() || name.size() > kFoldColumn - 2) {
    return invalid_argument(fmt::format(
        "'{}' is not a header field name: it must have 1 to {} characters", name, kFoldColumn - 2));
  }
  for (char ch : name) {
    auto c = static_cast<unsigned char>(ch);
    if (c <= 32 || c >= 127 || c == ':') {
      return invalid_argument(fmt::format(
          "'{}' is not a header field name: it may hold only printable ASCII without ':' or space",
          name));
    }
  }
  return Status::ok();
}

Result<std::string> format_unstructured_field(std::string_view name, std::string_view utf8,
                                              HeaderCharset charset) {
  MF_RETURN_IF_ERROR(validate_field_name(name));
  MF_RETURN_IF_ERROR(check_header_text(fmt::format("the {} field", name), utf8));
  std::string field;
  if (charset == HeaderCharset::kAscii || utf8.find("=?") != std::string_view::npos) {
    field = std::string(name) + ":" + encode_header_value(name, utf8) + "\r\n";
  } else {
    // Raw UTF-8: fold before the whitespace between words, keeping it as it was.
    FieldWriter w(name);
    std::string_view rest = trim(utf8);
    std::string_view sep = " ";
    while (!rest.empty()) {
      size_t end = 0;
      while (end < rest.size() && !is_wsp(rest[end])) ++end;
      w.add(sep, rest.substr(0, end));
      size_t next = end;
      while (next < rest.size() && is_wsp(rest[next])) ++next;
      sep = rest.substr(end, next - end);
      rest.remove_prefix(next);
    }
    field = w.finish();
  }
  MF_RETURN_IF_ERROR(check_lines(name, field));
  return field;
}

Result<std::string> format_address_field(std::string_view name,
                                         const std::vector<Mailbox>& mailboxes,
                                         HeaderCharset charset) {
  MF_RETURN_IF_ERROR(validate_field_name(name));
  if (mailboxes.empty()) {
    return invalid_argument(fmt::format("the {} field needs at least one address", name));
  }
  // Each mailbox is a unit of tokens kept on one line when it fits; a group's name goes
  // with its first member, its ';' with its last.
  FieldWriter w(name);
  size_t i = 0;
  while (i < mailboxes.size()) {
    std::vector<std::string> unit;
    const Mailbox& m = mailboxes[i];
    if (m.group.empty()) {
      std::string what = fmt::format("the {} field's address {}", name, i + 1);
      if (m.local.empty() && m.domain.empty()) {
        return invalid_argument(fmt::format("{} is empty (no local part, no domain)", what));
      }
      MF_RETURN_IF_ERROR(add_mailbox(what, m, charset, &unit));
      ++i;
    } else {
      std::string what = fmt::format("the {} field's group '{}'", name, m.group);
      MF_RETURN_IF_ERROR(add_phrase(what, m.group, charset, &unit));
      if (unit.empty()) return invalid_argument(fmt::format("{} has a blank name", what));
      unit.back().push_back(':');
      bool first = true;
      for (; i < mailboxes.size() && mailboxes[i].group == m.group; ++i) {
        const Mailbox& member = mailboxes[i];
        if (member.local.empty() && member.domain.empty()) continue;  // the empty group
        if (!first) {
          unit.back().push_back(',');
          w.add_unit(unit);
          unit.clear();
        }
        first = false;
        MF_RETURN_IF_ERROR(add_mailbox(fmt::format("the {} field's address {}", name, i + 1),
                                       member, charset, &unit));
      }
      unit.back().push_back(';');
    }
    if (i < mailboxes.size()) unit.back().push_back(',');
    w.add_unit(unit);
  }
  std::string field = w.finish();
  MF_RETURN_IF_ERROR(check_lines(name, field));
  return field;
}

Result<std::string> format_message_id_field(std::string_view name,
                                            const std::vector<std::string>& ids,
                                            HeaderCharset charset) {
  MF_RETURN_IF_ERROR(validate_field_name(name));
  if (ids.empty()) return invalid_argument(fmt::format("the {} field needs at least one id", name));
  FieldWriter w(name);
  for (size_t i = 0; i < ids.size(); ++i) {
    const std::string& id = ids[i];
    std::string what = fmt::format("the {} field's id {} ('{}')", name, i + 1, id);
    if (id.empty())
      return invalid_argument(fmt::format("the {} field's id {} is empty", name, i + 1));
    if (id.size() > kMaxMessageIdLength) {
      return invalid_argument(
          fmt::format("the {} field's id {} has {} octets; at most {} are allowed", name, i + 1,
                      id.size(), kMaxMessageIdLength));
    }
    MF_RETURN_IF_ERROR(check_header_text(what, id));
    for (char ch : id) {
      auto c = static_cast<unsigned char>(ch);
      if (c == ' ' || c == '\t' || c == '<' || c == '>') {
        return invalid_argument(
            fmt::format("{} holds '{}'; give ids without angle brackets or spaces", what, ch));
      }
      if (c >= 0x80 && charset == HeaderCharset::kAscii) {
        return invalid_argument(
            fmt::format("{} holds non-ASCII characters, which need SMTPUTF8", what));
      }
    }
    w.add(" ", "<" + id + ">");
  }
  std::string field = w.finish();
  MF_RETURN_IF_ERROR(check_lines(name, field));
  return field;
}

std::string format_date_field(const DateTime& date) {
  return "Date: " + format_date(date) + "\r\n";
}

Result<std::string> format_parameter_field(std::string_view name, std::string_view value,
                                           const std::vector<Parameter>& params,
                                           HeaderCharset charset) {
  MF_RETURN_IF_ERROR(validate_field_name(name));
  std::string lowered = ascii_lower(value);
  size_t slash = lowered.find('/');
  bool ok = slash == std::string::npos ? is_token(lowered)
                                       : is_token(std::string_view(lowered).substr(0, slash)) &&
                                             is_token(std::string_view(lowered).substr(slash + 1));
  if (!ok) {
    return invalid_argument(fmt::format("the {} field's value '{}' is not a MIME token{}", name,
                                        value,
                                        slash == std::string::npos ? "" : " pair (type/subtype)"));
  }
  std::vector<std::string> tokens{lowered};
  for (const Parameter& p : params) {
    MF_RETURN_IF_ERROR(add_parameter(fmt::format("the {} field's parameter '{}'", name, p.name), p,
                                     charset, &tokens));
  }
  // The value, each parameter and each section of one are separated by ';'.
  FieldWriter w(name);
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i + 1 < tokens.size()) tokens[i].push_back(';');
    w.add(" ", tokens[i]);
  }
  std::string field = w.finish();
  MF_RETURN_IF_ERROR(check_lines(name, field));
  return field;
}

}  // namespace mf::mime
