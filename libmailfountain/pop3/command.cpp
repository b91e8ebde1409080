// pop3/command.cpp — POP3 command line parsing (see command.h).
#include "pop3/command.h"

#include <array>
#include <limits>
#include <utility>
#include <vector>

namespace mf::pop3 {

namespace {

struct KeywordEntry {
  std::string_view keyword;
  CommandName name;
};

constexpr std::array<KeywordEntry, 15> kKeywords = {{
    {"CAPA", CommandName::kCapa},
    {"STLS", CommandName::kStls},
    {"USER", CommandName::kUser},
    {"PASS", CommandName::kPass},
    {"AUTH", CommandName::kAuth},
    {"APOP", CommandName::kApop},
    {"STAT", CommandName::kStat},
    {"LIST", CommandName::kList},
    {"UIDL", CommandName::kUidl},
    {"RETR", CommandName::kRetr},
    {"TOP", CommandName::kTop},
    {"DELE", CommandName::kDele},
    {"NOOP", CommandName::kNoop},
    {"RSET", CommandName::kRset},
    {"QUIT", CommandName::kQuit},
}};

char upper_ascii(char c) {
  return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

std::optional<CommandName> find_keyword(std::string_view word) {
  if (word.size() < 3 || word.size() > 4) return std::nullopt;
  for (const KeywordEntry& e : kKeywords) {
    if (e.keyword.size() != word.size()) continue;
    bool same = true;
    for (size_t i = 0; i < word.size() && same; ++i) same = upper_ascii(word[i]) == e.keyword[i];
    if (same) return e.name;
  }
  return std::nullopt;
}

Status refuse(const char* text) {
  return invalid_argument(text);
}

bool has_forbidden_byte(std::string_view line) {
  for (char c : line) {
    if (c == '\0' || c == '\r') return true;
  }
  return false;
}

// The arguments after the keyword, split at runs of SP.
std::vector<std::string_view> split_arguments(std::string_view rest) {
  std::vector<std::string_view> args;
  size_t i = 0;
  while (i < rest.size()) {
    while (i < rest.size() && rest[i] == ' ') ++i;
    if (i == rest.size()) break;
    size_t end = rest.find(' ', i);
    if (end == std::string_view::npos) end = rest.size();
    args.push_back(rest.substr(i, end - i));
    i = end;
  }
  return args;
}

// Decimal digits only, to at most `max`; nullopt otherwise. `clamp` takes larger values as
// `max` instead of refusing them.
std::optional<uint32_t> parse_decimal(std::string_view s, bool clamp) {
  if (s.empty()) return std::nullopt;
  uint64_t v = 0;
  constexpr uint64_t kMax = std::numeric_limits<uint32_t>::max();
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    if (v <= kMax) v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > kMax) {
    if (!clamp) return std::nullopt;
    v = kMax;
  }
  return static_cast<uint32_t>(v);
}

Result<uint32_t> parse_message_number(std::string_view s) {
  std::optional<uint32_t> n = parse_decimal(s, false);
  if (!n || *n == 0) return refuse("Invalid message number.");
  return *n;
}

bool is_mechanism_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

}  // namespace

std::string_view command_name(CommandName name) {
  for (const KeywordEntry& e : kKeywords) {
    if (e.name == name) return e.keyword;
  }
  return "?";
}

Result<Command> parse_command(std::string_view line) {
  if (has_forbidden_byte(line)) return refuse("Invalid characters in command line.");
  size_t space = line.find(' ');
  std::string_view keyword = line.substr(0, space);
  std::string_view rest = space == std::string_view::npos ? std::string_view() : line.substr(space);
  // Trailing SP and HTAB are tolerated (but kept in PASS's argument, below).
  std::string_view trimmed = rest;
  while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\t')) {
    trimmed.remove_suffix(1);
  }
  if (keyword.empty()) {
    if (trimmed.find_first_not_of(' ') == std::string_view::npos) {
      return refuse("Empty command line.");
    }
    return refuse("Unknown command.");
  }
  std::optional<CommandName> name = find_keyword(keyword);
  if (!name) return refuse("Unknown command.");

  Command cmd;
  cmd.name = *name;
  if (cmd.name == CommandName::kPass) {
    // Everything after the one SP, as the password.
    std::string_view password = rest.empty() ? rest : rest.substr(1);
    if (password.empty()) return refuse("Missing argument.");
    if (password.size() > kMaxArgument) return refuse("Argument too long.");
    cmd.text = std::string(password);
    return cmd;
  }

  std::vector<std::string_view> args = split_arguments(trimmed);
  for (std::string_view a : args) {
    if (a.size() > kMaxArgument) return refuse("Argument too long.");
  }
  auto arity = [&](size_t min, size_t max) -> Status {
    if (args.size() < min) return refuse("Missing argument.");
    if (args.size() > max) return refuse("Too many arguments.");
    return Status::ok();
  };

  switch (cmd.name) {
    case CommandName::kCapa:
    case CommandName::kStls:
    case CommandName::kStat:
    case CommandName::kNoop:
    case CommandName::kRset:
    case CommandName::kQuit:
      MF_RETURN_IF_ERROR(arity(0, 0));
      return cmd;
    case CommandName::kApop:
      return cmd;  // refused by the session whatever its arguments
    case CommandName::kUser:
      MF_RETURN_IF_ERROR(arity(1, 1));
      cmd.text = std::string(args[0]);
      return cmd;
    case CommandName::kAuth: {
      MF_RETURN_IF_ERROR(arity(0, 2));
      if (args.empty()) return cmd;
      if (args[0].size() > kMaxMechanism) return refuse("Invalid mechanism name.");
      for (char c : args[0]) {
        if (!is_mechanism_char(c)) return refuse("Invalid mechanism name.");
        cmd.text += upper_ascii(c);
      }
      if (args.size() == 2) cmd.initial_response = args[1] == "=" ? "" : std::string(args[1]);
      return cmd;
    }
    case CommandName::kList:
    case CommandName::kUidl:
      MF_RETURN_IF_ERROR(arity(0, 1));
      if (args.empty()) return cmd;
      break;
    case CommandName::kRetr:
    case CommandName::kDele:
      MF_RETURN_IF_ERROR(arity(1, 1));
      break;
    case CommandName::kTop: {
      MF_RETURN_IF_ERROR(arity(2, 2));
      std::optional<uint32_t> lines = parse_decimal(args[1], true);
      if (!lines) return refuse("Invalid number of lines.");
      cmd.lines = *lines;
      break;
    }
    case CommandName::kPass:
      break;  // handled above
  }
  MF_ASSIGN_OR_RETURN(cmd.message, parse_message_number(args[0]));
  return cmd;
}

Result<AuthResponse> parse_auth_response(std::string_view line) {
  if (has_forbidden_byte(line)) return refuse("Invalid characters in command line.");
  AuthResponse r;
  if (line == "*") {
    r.cancelled = true;
    return r;
  }
  r.data = line;
  return r;
}

}  // namespace mf::pop3
