// smtp/command.cpp — command-line splitting and the argument parsers (see command.h).
#include "smtp/command.h"

#include "base/text.h"

#include <limits>
#include <vector>

namespace mf::smtp {

namespace {

struct VerbEntry {
  std::string_view name;
  Verb verb;
};

constexpr VerbEntry kVerbs[] = {
    {"HELO", Verb::kHelo},         {"EHLO", Verb::kEhlo}, {"MAIL", Verb::kMail},
    {"RCPT", Verb::kRcpt},         {"DATA", Verb::kData}, {"BDAT", Verb::kBdat},
    {"RSET", Verb::kRset},         {"NOOP", Verb::kNoop}, {"QUIT", Verb::kQuit},
    {"VRFY", Verb::kVrfy},         {"EXPN", Verb::kExpn}, {"HELP", Verb::kHelp},
    {"STARTTLS", Verb::kStartTls}, {"AUTH", Verb::kAuth},
};

enum class Arity { kNone, kRequired, kOptional };

Arity arity(Verb verb) {
  switch (verb) {
    case Verb::kData:
    case Verb::kRset:
    case Verb::kQuit:
    case Verb::kStartTls:
      return Arity::kNone;
    case Verb::kNoop:
    case Verb::kHelp:
      return Arity::kOptional;
    default:
      return Arity::kRequired;
  }
}

std::string_view usage(Verb verb) {
  switch (verb) {
    case Verb::kHelo:
      return "Syntax: HELO hostname";
    case Verb::kEhlo:
      return "Syntax: EHLO hostname";
    case Verb::kMail:
      return "Syntax: MAIL FROM:<address>";
    case Verb::kRcpt:
      return "Syntax: RCPT TO:<address>";
    case Verb::kData:
      return "Syntax: DATA";
    case Verb::kBdat:
      return "Syntax: BDAT count [LAST]";
    case Verb::kRset:
      return "Syntax: RSET";
    case Verb::kNoop:
      return "Syntax: NOOP [string]";
    case Verb::kQuit:
      return "Syntax: QUIT";
    case Verb::kVrfy:
      return "Syntax: VRFY address";
    case Verb::kExpn:
      return "Syntax: EXPN mailing-list";
    case Verb::kHelp:
      return "Syntax: HELP [topic]";
    case Verb::kStartTls:
      return "Syntax: STARTTLS";
    case Verb::kAuth:
      return "Syntax: AUTH mechanism [initial-response]";
  }
  return "Syntax error";
}

Reply syntax_error(Verb verb) {
  return Reply{501, "5.5.4", std::string(usage(verb))};
}

bool is_space_or_tab(char c) {
  return c == ' ' || c == '\t';
}

std::string_view skip_spaces(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  return s.substr(i);
}

// Cuts `s` at runs of SP.
std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (true) {
    while (i < s.size() && s[i] == ' ') ++i;
    if (i == s.size()) break;
    size_t end = s.find(' ', i);
    if (end == std::string_view::npos) end = s.size();
    out.push_back(s.substr(i, end - i));
    i = end;
  }
  return out;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && ascii_iequals(s.substr(0, prefix.size()), prefix);
}

// The part shared by MAIL and RCPT: "FROM:" or "TO:", optional SPs (Postfix's default
// tolerance), the bracketed path and what follows it. On success *path_text is the path
// with its brackets and *params_text the rest.
std::optional<Reply> cut_path(std::string_view argument, Verb verb, std::string_view prefix,
                              PathRole role, std::string_view* path_text,
                              std::string_view* params_text) {
  if (!starts_with_ci(argument, prefix)) return syntax_error(verb);
  std::string_view rest = skip_spaces(argument.substr(prefix.size()));
  if (rest.empty()) return syntax_error(verb);
  // An unbracketed or unterminated path is a bad address (5.1.7 / 5.1.3), like any
  // other fault of the path itself.
  size_t span = path_span(rest);
  if (span == std::string_view::npos) {
    std::string why = rest[0] == '<' ? "missing '>'" : "the address must be enclosed in <>";
    if (role == PathRole::kSender) return Reply{501, "5.1.7", "Bad sender address syntax: " + why};
    return Reply{501, "5.1.3", "Bad recipient address syntax: " + why};
  }
  *path_text = rest.substr(0, span);
  *params_text = rest.substr(span);
  // The path must be followed by the end of the line or SP ("<a@b>SIZE=1" is refused).
  if (!params_text->empty() && (*params_text)[0] != ' ') return syntax_error(verb);
  return std::nullopt;
}

Reply utf8_not_declared() {
  return Reply{553, "5.6.7", "Must declare SMTPUTF8 to send unicode address"};
}

bool is_mechanism_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

}  // namespace

std::string_view verb_name(Verb verb) {
  for (const auto& e : kVerbs) {
    if (e.verb == verb) return e.name;
  }
  return "";
}

ReplyOr<CommandLine> parse_command_line(std::string_view line) {
  // Trailing whitespace is forgiven (Postfix's tokenizer ignores it); a line of spaces
  // is as empty as an empty one.
  while (!line.empty() && is_space_or_tab(line.back())) line.remove_suffix(1);
  if (line.empty()) return Reply{500, "5.5.2", "Error: bad syntax"};
  if (line.find('\0') != std::string_view::npos) {
    return Reply{500, "5.5.2", "Error: NUL byte in command"};
  }
  size_t sp = line.find(' ');
  std::string_view word = line.substr(0, sp);
  if (word.empty()) return Reply{500, "5.5.2", "Error: bad syntax"};
  for (char c : word) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      return Reply{500, "5.5.2", "Error: 8-bit byte in command verb"};
    }
  }
  // The argument may carry UTF-8 (SMTPUTF8 addresses), but never broken UTF-8: every
  // later stage can then rely on it.
  if (!is_valid_utf8(line)) return Reply{500, "5.5.2", "Error: bad UTF-8 syntax"};

  const VerbEntry* found = nullptr;
  for (const auto& e : kVerbs) {
    if (ascii_iequals(word, e.name)) found = &e;
  }
  if (!found) return Reply{500, "5.5.1", "Error: command not recognized"};

  CommandLine out{found->verb, {}};
  if (sp != std::string_view::npos) out.argument = skip_spaces(line.substr(sp));
  Arity a = arity(out.verb);
  if (a == Arity::kNone && !out.argument.empty()) return syntax_error(out.verb);
  if (a == Arity::kRequired && out.argument.empty()) return syntax_error(out.verb);
  return out;
}

ReplyOr<MailCommand> parse_mail(std::string_view argument, const Extensions& offered) {
  std::string_view path_text, params_text;
  if (auto r =
          cut_path(argument, Verb::kMail, "FROM:", PathRole::kSender, &path_text, &params_text)) {
    return *r;
  }
  auto path = parse_path(path_text, PathRole::kSender);
  if (!path) return path.reply();
  auto params = parse_mail_params(params_text, offered);
  if (!params) return params.reply();
  if (path->has_utf8 && !params->smtputf8) return utf8_not_declared();
  return MailCommand{std::move(path.value()), std::move(params.value())};
}

ReplyOr<RcptCommand> parse_rcpt(std::string_view argument, const Extensions& offered,
                                Smtputf8 transaction) {
  std::string_view path_text, params_text;
  if (auto r =
          cut_path(argument, Verb::kRcpt, "TO:", PathRole::kRecipient, &path_text, &params_text)) {
    return *r;
  }
  auto path = parse_path(path_text, PathRole::kRecipient);
  if (!path) return path.reply();
  auto params = parse_rcpt_params(params_text, offered, transaction);
  if (!params) return params.reply();
  if (path->has_utf8 && transaction != Smtputf8::kDeclared) return utf8_not_declared();
  return RcptCommand{std::move(path.value()), std::move(params.value())};
}

ReplyOr<BdatCommand> parse_bdat(std::string_view argument) {
  auto w = words(argument);
  if (w.empty() || w.size() > 2) return syntax_error(Verb::kBdat);
  BdatCommand out;
  for (char c : w[0]) {
    if (c < '0' || c > '9') return syntax_error(Verb::kBdat);
    auto digit = static_cast<uint64_t>(c - '0');
    if (out.size > (std::numeric_limits<uint64_t>::max() - digit) / 10) {
      return Reply{501, "5.5.4", "Syntax: BDAT count [LAST] (count too large)"};
    }
    out.size = out.size * 10 + digit;
  }
  if (w.size() == 2) {
    if (!ascii_iequals(w[1], "LAST")) return syntax_error(Verb::kBdat);
    out.last = true;
  }
  return out;
}

ReplyOr<AuthCommand> parse_auth(std::string_view argument) {
  auto w = words(argument);
  if (w.empty() || w.size() > 2) return syntax_error(Verb::kAuth);
  if (w[0].size() > kMaxSaslMechanism) return syntax_error(Verb::kAuth);
  AuthCommand out;
  for (char c : w[0]) {
    if (!is_mechanism_char(c)) return syntax_error(Verb::kAuth);
    out.mechanism += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  if (w.size() == 2) out.initial_response = w[1] == "=" ? std::string() : std::string(w[1]);
  return out;
}

ReplyOr<HeloCommand> parse_helo(Verb verb, std::string_view argument) {
  while (!argument.empty() && is_space_or_tab(argument.back())) argument.remove_suffix(1);
  argument = skip_spaces(argument);
  if (argument.empty()) return syntax_error(verb);
  HeloCommand out;
  out.name = std::string(argument);
  if (argument[0] == '[') {
    out.valid = !address_literal_error(argument);
  } else {
    bool ascii = true;
    for (char c : argument) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
    out.valid = ascii && !domain_syntax_error(argument);
  }
  return out;
}

}  // namespace mf::smtp
