// imap/token_cursor.cpp — the IMAP parser's lexical level (see token_cursor.h).
#include "imap/token_cursor.h"

#include "base/text.h"
#include "imap/chars.h"

namespace mf::imap {

namespace {

constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

int two_digits(char a, char b) {
  return (a - '0') * 10 + (b - '0');
}

}  // namespace

bool TokenCursor::consume(char c) {
  if (peek() != c || at_end()) return false;
  ++pos_;
  return true;
}

Status TokenCursor::sp() {
  if (at_end()) return bad("Missing argument");
  if (!consume(' ')) return bad("Expected space");
  if (at_end()) return bad("Missing argument");
  return Status::ok();
}

Status TokenCursor::expect(char c, std::string_view what) {
  if (at_end()) return bad("Missing argument");
  if (!consume(c)) return bad("Expected " + std::string(what));
  return Status::ok();
}

Status TokenCursor::end() const {
  if (!at_end()) return bad("Extra arguments");
  return Status::ok();
}

std::string_view TokenCursor::peek_atom() const {
  size_t e = pos_;
  while (e < s_.size() && is_atom_char(s_[e])) ++e;
  return s_.substr(pos_, e - pos_);
}

bool TokenCursor::keyword(std::string_view kw) {
  std::string_view a = peek_atom();
  if (!ascii_iequals(a, kw)) return false;
  pos_ += a.size();
  return true;
}

Result<std::string_view> TokenCursor::atom() {
  if (at_end()) return bad("Missing argument");
  std::string_view a = peek_atom();
  if (a.empty()) return bad("Invalid atom");
  pos_ += a.size();
  return a;
}

Result<uint64_t> TokenCursor::number64() {
  if (at_end()) return bad("Missing argument");
  std::string_view digits = take_while(is_digit);
  if (digits.empty()) return bad("Expected a number");
  if (digits.size() > 19) return bad("Number too large");
  uint64_t v = 0;
  for (char c : digits) v = v * 10 + static_cast<uint64_t>(c - '0');
  if (v > 0x7FFFFFFFFFFFFFFFull) return bad("Number too large");
  return v;
}

Result<uint64_t> TokenCursor::nz_number64() {
  MF_ASSIGN_OR_RETURN(uint64_t v, number64());
  if (v == 0) return bad("Expected a non-zero number");
  return v;
}

Result<uint32_t> TokenCursor::number() {
  MF_ASSIGN_OR_RETURN(uint64_t v, number64());
  if (v > 0xFFFFFFFFull) return bad("Number too large");
  return static_cast<uint32_t>(v);
}

Result<uint32_t> TokenCursor::nz_number() {
  MF_ASSIGN_OR_RETURN(uint32_t v, number());
  if (v == 0) return bad("Expected a non-zero number");
  return v;
}

Result<std::string> TokenCursor::quoted() {
  ++pos_;  // the opening quote
  std::string out;
  while (true) {
    if (at_end()) return bad("Invalid string: unterminated quoted string");
    char c = s_[pos_++];
    if (c == '"') break;
    if (c == '\0' || c == '\r' || c == '\n') return bad("Invalid string: CR, LF or NUL");
    if (c == '\\') {
      if (at_end()) return bad("Invalid string: unterminated quoted string");
      char e = s_[pos_++];
      if (e != '"' && e != '\\') return bad("Invalid string: bad escape");
      c = e;
    }
    out += c;
  }
  if (!is_valid_utf8(out)) return bad("Invalid string: not UTF-8");
  return out;
}

Result<std::string> TokenCursor::literal(Binary binary, bool* was_binary) {
  bool is8 = consume('~');
  if (is8 && binary == Binary::kRefused) return bad("Invalid string: literal8 not allowed here");
  if (!consume('{')) return bad("Invalid string");
  MF_ASSIGN_OR_RETURN(uint64_t n, number64());
  consume('+');
  if (!consume('}') || !consume('\r') || !consume('\n')) return bad("Invalid literal");
  if (n > s_.size() - pos_) return bad("Invalid literal: truncated");
  std::string_view data = s_.substr(pos_, static_cast<size_t>(n));
  if (!is8 && data.find('\0') != std::string_view::npos) {
    return bad("Invalid literal: NUL octet");
  }
  pos_ += static_cast<size_t>(n);
  if (was_binary) *was_binary = is8;
  return std::string(data);
}

Result<std::string> TokenCursor::string(Binary binary, bool* was_binary) {
  if (was_binary) *was_binary = false;
  if (at_end()) return bad("Missing argument");
  if (peek() == '"') return quoted();
  if (peek() == '{' || peek() == '~') return literal(binary, was_binary);
  return bad("Invalid string");
}

Result<std::string> TokenCursor::astring() {
  if (at_end()) return bad("Missing argument");
  if (peek() == '"' || peek() == '{' || (peek() == '~' && peek(1) == '{')) return string();
  std::string_view a = take_while(is_astring_char);
  if (a.empty()) return bad("Invalid string");
  return std::string(a);
}

Result<std::optional<std::string>> TokenCursor::nstring() {
  if (keyword("NIL")) return std::optional<std::string>();
  MF_ASSIGN_OR_RETURN(std::string s, string());
  return std::optional<std::string>(std::move(s));
}

Result<Mailbox> TokenCursor::mailbox() {
  MF_ASSIGN_OR_RETURN(std::string raw, astring());
  Mailbox m;
  m.inbox = ascii_iequals(raw, "INBOX");
  m.raw = std::move(raw);
  return m;
}

Result<std::string> TokenCursor::list_mailbox() {
  if (at_end()) return bad("Missing argument");
  if (peek() == '"' || peek() == '{' || (peek() == '~' && peek(1) == '{')) return string();
  std::string_view a = take_while(is_list_char);
  if (a.empty()) return bad("Invalid mailbox pattern");
  return std::string(a);
}

Result<Date> TokenCursor::date() {
  bool q = consume('"');
  std::string_view day = take_while(is_digit);
  Date d;
  if (day.empty() || day.size() > 2 || !consume('-')) return bad("Invalid date");
  d.day = day.size() == 1 ? day[0] - '0' : two_digits(day[0], day[1]);
  std::string_view mon = take_while([](char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; });
  for (int m = 0; m < 12; ++m) {
    if (ascii_iequals(mon, kMonths[m])) d.month = m + 1;
  }
  if (d.month == 0 || !consume('-')) return bad("Invalid date");
  std::string_view year = take_while(is_digit);
  if (year.size() != 4) return bad("Invalid date");
  d.year = two_digits(year[0], year[1]) * 100 + two_digits(year[2], year[3]);
  if (d.day < 1 || d.day > 31) return bad("Invalid date");
  if (q && !consume('"')) return bad("Invalid date");
  return d;
}

Result<DateTime> TokenCursor::date_time() {
  // DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE
  if (!consume('"')) return bad("Invalid date-time");
  DateTime t;
  char d0 = peek(), d1 = peek(1);
  if (!(d0 == ' ' || is_digit(d0)) || !is_digit(d1)) return bad("Invalid date-time");
  pos_ += 2;
  t.date.day = d0 == ' ' ? d1 - '0' : two_digits(d0, d1);
  if (!consume('-')) return bad("Invalid date-time");
  std::string_view mon = s_.substr(pos_, 3);
  for (int m = 0; m < 12; ++m) {
    if (ascii_iequals(mon, kMonths[m])) t.date.month = m + 1;
  }
  if (t.date.month == 0) return bad("Invalid date-time");
  pos_ += 3;
  if (!consume('-')) return bad("Invalid date-time");
  std::string_view rest = s_.substr(pos_);
  // "yyyy hh:mm:ss +zzzz\"" is 20 bytes.
  if (rest.size() < 20) return bad("Invalid date-time");
  auto digits = [&](size_t at, size_t n) {
    for (size_t k = at; k < at + n; ++k) {
      if (!is_digit(rest[k])) return false;
    }
    return true;
  };
  if (!digits(0, 4) || rest[4] != ' ' || !digits(5, 2) || rest[7] != ':' || !digits(8, 2) ||
      rest[10] != ':' || !digits(11, 2) || rest[13] != ' ' ||
      (rest[14] != '+' && rest[14] != '-') || !digits(15, 4) || rest[19] != '"') {
    return bad("Invalid date-time");
  }
  t.date.year = two_digits(rest[0], rest[1]) * 100 + two_digits(rest[2], rest[3]);
  t.hour = two_digits(rest[5], rest[6]);
  t.minute = two_digits(rest[8], rest[9]);
  t.second = two_digits(rest[11], rest[12]);
  int zh = two_digits(rest[15], rest[16]);
  int zm = two_digits(rest[17], rest[18]);
  if (t.date.day < 1 || t.date.day > 31 || t.hour > 23 || t.minute > 59 || t.second > 60 ||
      zm > 59) {
    return bad("Invalid date-time");
  }
  t.zone_minutes = (rest[14] == '-' ? -1 : 1) * (zh * 60 + zm);
  pos_ += 20;
  return t;
}

Result<SequenceSet> TokenCursor::sequence_set() {
  if (at_end()) return bad("Missing argument");
  std::string_view text = take_while(
      [](char c) { return is_digit(c) || c == ':' || c == ',' || c == '*' || c == '$'; });
  if (text.empty()) return bad("Invalid sequence set: expected a number");
  if (!at_end() && peek() != ' ' && peek() != ')') {
    return bad("Invalid sequence set: unexpected character");
  }
  return parse_sequence_set(text);
}

Result<std::string> TokenCursor::flag() {
  if (at_end()) return bad("Missing argument");
  size_t start = pos_;
  consume('\\');
  std::string_view a = peek_atom();
  if (a.empty()) return bad("Invalid flag");
  pos_ += a.size();
  return std::string(s_.substr(start, pos_ - start));
}

Result<std::vector<std::string>> TokenCursor::flag_list() {
  MF_RETURN_IF_ERROR(expect('(', "flag list"));
  std::vector<std::string> flags;
  while (!consume(')')) {
    if (!flags.empty()) MF_RETURN_IF_ERROR(sp());
    if (flags.size() >= limits_.max_list_items) return bad("Too many flags");
    MF_ASSIGN_OR_RETURN(std::string f, flag());
    flags.push_back(std::move(f));
    if (at_end()) return bad("Missing argument");
  }
  return flags;
}

Status TokenCursor::enter() {
  if (++depth_ > limits_.max_depth) return bad("Nesting too deep");
  return Status::ok();
}

}  // namespace mf::imap
