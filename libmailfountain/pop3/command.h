// pop3/command.h — POP3 command lines (RFC 1939 §3, RFC 2449, RFC 5034) as the server
// receives them: the keyword, then each command's typed arguments. Pure functions over
// bytes, fuzzed (tests/fuzz/pop3_command_fuzz.cpp).
//
// The session splits its input into lines (pop3/line_reader.h, which enforces the line
// length) and calls parse_command() on one line without its line end. Every decision that
// depends on the session's state (which commands the state allows, whether a message
// number names a message, whether login is allowed yet) is the session's.
//
// Syntax, following RFC 1939 but lenient where clients are:
//   - the keyword is matched case-insensitively; it is followed by SP and arguments;
//   - arguments are separated by one or more SP; trailing SP and HTAB are ignored;
//   - PASS's argument is everything after the one SP that follows the keyword, spaces and
//     all (RFC 1939 §7 allows servers to treat spaces as part of the password);
//   - NUL and CR are refused anywhere in the line;
//   - an argument is at most 255 octets (RFC 2449 §4 raises RFC 1939's 40 to 255).
// A refusal is a Status (kInvalidArgument) whose message is the text of the "-ERR" line,
// printable ASCII, never the client's bytes: "Unknown command.", "Invalid message number."
#ifndef MF_POP3_COMMAND_H
#define MF_POP3_COMMAND_H

#include <mailfountain/status.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mf::pop3 {

enum class CommandName {
  kCapa,  // RFC 2449
  kStls,  // RFC 2595 §4
  kUser,
  kPass,
  kAuth,  // RFC 5034
  kApop,  // recognised so that it can be refused clearly; not supported
  kStat,
  kList,
  kUidl,
  kRetr,
  kTop,
  kDele,
  kNoop,
  kRset,
  kQuit,
};

// The keyword in upper case: "UIDL".
std::string_view command_name(CommandName name);

// An argument longer than this is refused (RFC 2449 §4).
constexpr size_t kMaxArgument = 255;

// RFC 4422 §3.1 via RFC 5034: a SASL mechanism name is 1 to 20 of A-Z 0-9 - _.
constexpr size_t kMaxMechanism = 20;

struct Command {
  CommandName name = CommandName::kNoop;
  // LIST and UIDL (optional), RETR, TOP and DELE (required): the message number as sent,
  // from 1. Whether it names a message is the session's to check.
  std::optional<uint32_t> message;
  // TOP: how many lines of the body to send after the header.
  uint32_t lines = 0;
  // USER: the name. PASS: the password. AUTH: the mechanism, upper-cased (empty for AUTH
  // alone, which asks for the list of mechanisms). APOP: empty (the arguments are not
  // read).
  std::string text;
  // AUTH: the initial response as sent, still base64; nullopt when none was given, empty
  // when it was "=" (the empty response, RFC 5034 §4).
  std::optional<std::string> initial_response;
};

// Parses one command line, without its CRLF. Refusals (the "-ERR" text):
//   "Empty command line."          nothing, or only spaces
//   "Invalid characters in command line."  NUL or CR
//   "Unknown command."             a keyword this server does not know
//   "Missing argument."            USER, PASS, RETR, TOP, DELE without one
//   "Too many arguments."          more than the command takes
//   "Argument too long."           an argument over kMaxArgument octets
//   "Invalid message number."      not 1 to 4294967295 in plain decimal digits
//   "Invalid number of lines."     TOP's second argument not decimal digits (a count over
//                                  4294967295 is taken as 4294967295)
//   "Invalid mechanism name."      AUTH's mechanism not 1-20 of A-Z a-z 0-9 - _
Result<Command> parse_command(std::string_view line);

// A line the client sends in answer to an AUTH continuation ("+ "), without its CRLF.
struct AuthResponse {
  bool cancelled = false;  // the line was "*" (RFC 5034 §4)
  std::string_view data;   // the base64 otherwise, as sent; points into the line
};

// Reads an AUTH continuation line. Refused ("Invalid characters in command line.") for NUL
// or CR, like a command; the base64 itself is checked when it is decoded (smtp/sasl.h).
Result<AuthResponse> parse_auth_response(std::string_view line);

}  // namespace mf::pop3

#endif  // MF_POP3_COMMAND_H
