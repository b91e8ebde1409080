// smtp/params.cpp — MAIL and RCPT parameters (see params.h).
//
// The list is cut into keyword[=value] tokens at SP; each token is checked against the
// esmtp-param grammar, then handed to its keyword's parser. The first fault, left to
// right, is the one reported.
#include "smtp/params.h"

#include "base/text.h"
#include "smtp/path.h"
#include "smtp/xtext.h"

#include <limits>
#include <vector>

namespace mf::smtp {

namespace {

struct Param {
  std::string_view keyword;
  std::string_view value;
  bool has_value = false;
};

bool is_alnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

Reply param_reply(std::string text) {
  return Reply{555, "5.5.4", std::move(text)};
}

// Upper-cases a keyword for a reply. Only called on keywords that passed the
// esmtp-keyword grammar, so the reply never carries control or 8-bit bytes; long ones
// are cut so a reply stays short.
std::string shown(std::string_view keyword) {
  std::string out(keyword.substr(0, 32));
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

Reply unsupported(std::string_view keyword) {
  return param_reply("Unsupported parameter: " + shown(keyword));
}
Reply malformed(std::string_view keyword) {
  return param_reply("Bad " + shown(keyword) + " parameter syntax");
}
Reply duplicate(std::string_view keyword) {
  return param_reply("Duplicate " + shown(keyword) + " parameter");
}

// esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
bool is_keyword(std::string_view s) {
  if (s.empty() || !is_alnum(static_cast<unsigned char>(s[0]))) return false;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (!is_alnum(c) && c != '-') return false;
  }
  return true;
}

// esmtp-value = 1*(%d33-60 / %d62-126), plus UTF-8 (RFC 6531 §3.3); well-formedness of
// the UTF-8 is checked on the whole list beforehand.
bool is_value(std::string_view s) {
  if (s.empty()) return false;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 33 || c == '=' || c == 127) return false;
  }
  return true;
}

// Cuts the list into parameters, or returns the reply for the first malformed one.
ReplyOr<std::vector<Param>> split_params(std::string_view text) {
  std::vector<Param> params;
  if (text.find('\0') != std::string_view::npos || !is_valid_utf8(text)) {
    return param_reply("Bad parameter syntax");
  }
  size_t i = 0;
  while (true) {
    while (i < text.size() && text[i] == ' ') ++i;
    if (i == text.size()) break;
    size_t end = text.find(' ', i);
    if (end == std::string_view::npos) end = text.size();
    std::string_view token = text.substr(i, end - i);
    i = end;
    Param p;
    size_t eq = token.find('=');
    p.keyword = token.substr(0, eq);
    if (!is_keyword(p.keyword)) return param_reply("Bad parameter syntax");
    if (eq != std::string_view::npos) {
      p.has_value = true;
      p.value = token.substr(eq + 1);
      if (!is_value(p.value)) return malformed(p.keyword);
    }
    params.push_back(p);
  }
  return params;
}

// SIZE: 1*DIGIT. An overflowing number is a size beyond every limit, not a syntax error.
ReplyOr<uint64_t> parse_size(std::string_view keyword, std::string_view value) {
  uint64_t n = 0;
  bool overflow = false;
  for (char c : value) {
    if (c < '0' || c > '9') return malformed(keyword);
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (n > (std::numeric_limits<uint64_t>::max() - digit) / 10) overflow = true;
    if (!overflow) n = n * 10 + digit;
  }
  if (overflow) return Reply{552, "5.3.4", "Message size exceeds fixed maximum message size"};
  return n;
}

ReplyOr<Notify> parse_notify(std::string_view keyword, std::string_view value) {
  Notify notify;
  bool never = false;
  bool any = false;
  size_t start = 0;
  while (start <= value.size()) {
    size_t comma = value.find(',', start);
    if (comma == std::string_view::npos) comma = value.size();
    std::string_view item = value.substr(start, comma - start);
    bool* flag = nullptr;
    if (ascii_iequals(item, "NEVER")) {
      flag = &never;
    } else if (ascii_iequals(item, "SUCCESS")) {
      flag = &notify.success;
    } else if (ascii_iequals(item, "FAILURE")) {
      flag = &notify.failure;
    } else if (ascii_iequals(item, "DELAY")) {
      flag = &notify.delay;
    } else {
      return malformed(keyword);
    }
    if (*flag) return malformed(keyword);  // the same word twice
    *flag = true;
    // NEVER must stand alone (RFC 3461 §4.1).
    if (never && any) return malformed(keyword);
    any = true;
    start = comma + 1;
  }
  return notify;
}

ReplyOr<Orcpt> parse_orcpt(std::string_view keyword, std::string_view value, Smtputf8 transaction) {
  if (value.size() > kMaxOrcpt) return malformed(keyword);
  size_t semi = value.find(';');
  if (semi == std::string_view::npos || semi == 0) return malformed(keyword);
  Orcpt orcpt;
  orcpt.addr_type = std::string(value.substr(0, semi));
  // addr-type is an atom; in practice "rfc822" or "utf-8": letters, digits and '-'.
  if (!is_keyword(orcpt.addr_type)) return malformed(keyword);
  std::string_view encoded = value.substr(semi + 1);
  if (ascii_iequals(orcpt.addr_type, "utf-8")) {
    auto decoded = utf8_addr_decode(
        encoded, transaction == Smtputf8::kDeclared ? RawUtf8::kAllowed : RawUtf8::kRefused);
    if (!decoded) return malformed(keyword);
    orcpt.address = std::move(*decoded);
    return orcpt;
  }
  auto decoded = xtext_decode(encoded);
  // RFC 3461 §4.2: the original address, decoded, is printable US-ASCII.
  if (!decoded || decoded->empty() || !is_printable_ascii(*decoded)) return malformed(keyword);
  orcpt.address = std::move(*decoded);
  return orcpt;
}

}  // namespace

ReplyOr<MailParams> parse_mail_params(std::string_view text, const Extensions& offered) {
  auto split = split_params(text);
  if (!split) return split.reply();
  MailParams out;
  bool seen_size = false, seen_body = false, seen_ret = false;
  for (const Param& p : split.value()) {
    const std::string_view k = p.keyword;
    if (ascii_iequals(k, "SIZE") && offered.size) {
      if (seen_size) return duplicate(k);
      seen_size = true;
      if (!p.has_value) return malformed(k);
      auto size = parse_size(k, p.value);
      if (!size) return size.reply();
      out.size = size.value();
    } else if (ascii_iequals(k, "BODY") && (offered.eightbitmime || offered.binarymime)) {
      if (seen_body) return duplicate(k);
      seen_body = true;
      if (ascii_iequals(p.value, "7BIT")) {
        out.body = Body::k7Bit;
      } else if (ascii_iequals(p.value, "8BITMIME") && offered.eightbitmime) {
        out.body = Body::k8BitMime;
      } else if (ascii_iequals(p.value, "BINARYMIME") && offered.binarymime) {
        out.body = Body::kBinaryMime;
      } else {
        return malformed(k);
      }
    } else if (ascii_iequals(k, "SMTPUTF8") && offered.smtputf8) {
      if (out.smtputf8) return duplicate(k);
      if (p.has_value) return malformed(k);  // RFC 6531 §3.4: no value
      out.smtputf8 = true;
    } else if (ascii_iequals(k, "RET") && offered.dsn) {
      if (seen_ret) return duplicate(k);
      seen_ret = true;
      if (ascii_iequals(p.value, "FULL")) {
        out.ret = Ret::kFull;
      } else if (ascii_iequals(p.value, "HDRS")) {
        out.ret = Ret::kHeaders;
      } else {
        return malformed(k);
      }
    } else if (ascii_iequals(k, "ENVID") && offered.dsn) {
      if (out.envid) return duplicate(k);
      auto decoded = xtext_decode(p.value);
      if (!p.has_value || !decoded || decoded->size() > kMaxEnvid ||
          !is_printable_ascii(*decoded)) {
        return malformed(k);
      }
      out.envid = std::move(*decoded);
    } else if (ascii_iequals(k, "AUTH") && offered.auth) {
      if (out.auth) return duplicate(k);
      // "<>" is itself valid xtext, decoding to "<>": no special case is needed.
      auto decoded = xtext_decode(p.value);
      if (!p.has_value || !decoded || decoded->size() > kMaxPath) return malformed(k);
      out.auth = std::move(*decoded);
    } else {
      return unsupported(k);
    }
  }
  return out;
}

ReplyOr<RcptParams> parse_rcpt_params(std::string_view text, const Extensions& offered,
                                      Smtputf8 transaction) {
  auto split = split_params(text);
  if (!split) return split.reply();
  RcptParams out;
  for (const Param& p : split.value()) {
    const std::string_view k = p.keyword;
    if (ascii_iequals(k, "NOTIFY") && offered.dsn) {
      if (out.notify) return duplicate(k);
      if (!p.has_value) return malformed(k);
      auto notify = parse_notify(k, p.value);
      if (!notify) return notify.reply();
      out.notify = notify.value();
    } else if (ascii_iequals(k, "ORCPT") && offered.dsn) {
      if (out.orcpt) return duplicate(k);
      if (!p.has_value) return malformed(k);
      auto orcpt = parse_orcpt(k, p.value, transaction);
      if (!orcpt) return orcpt.reply();
      out.orcpt = std::move(orcpt.value());
    } else {
      return unsupported(k);
    }
  }
  return out;
}

}  // namespace mf::smtp
