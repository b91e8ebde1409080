// imap/command_parser.h — parses one complete IMAP command (as imap/command_reader.h
// yields it) into imap/command.h's structured form. Pure functions over bytes, fuzzed
// (tests/fuzz/imap_command_fuzz.cpp), following RFC 9051 §9's grammar and the extensions'
// (see command.h), with the leniency real clients need and nothing more:
//   - the tag is 1*<ASTRING-CHAR except "+">; command names, keywords, search keys, fetch
//     items and options are case-insensitive; arguments are separated by exactly one SP;
//   - quoted strings may hold UTF-8 (RFC 9051, RFC 6855), never CR, LF or NUL; "\" escapes
//     only '"' and '\'; literals anywhere a string may be; literal8 only in APPEND;
//   - every state-dependent check (is a mailbox selected, is UTF8=ACCEPT enabled, is the
//     sequence set within the mailbox, is CONDSTORE enabled) is the session's.
//
// Errors are kInvalidArgument Statuses whose message is the text of the BAD reply:
//   "Missing tag", "Invalid tag", "Missing command", "Unknown command", "Missing argument",
//   "Expected space", "Extra arguments", "Invalid sequence set: <why>", "Nesting too deep",
//   "Too many search keys", "Unknown search key", "Unknown fetch item", "Invalid section",
//   "Invalid date", "Invalid string", "Invalid flag", "Unknown status item", "Unknown LIST
//   option", "Unknown sort key", "Unknown threading algorithm", "UID not allowed here" and
//   a few more, each naming the element at fault. The session answers
//   "<tag> BAD <message>" when command_tag() finds a tag, "* BAD <message>" otherwise.
#ifndef MF_IMAP_COMMAND_PARSER_H
#define MF_IMAP_COMMAND_PARSER_H

#include "imap/command.h"

#include <mailfountain/status.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace mf::imap {

struct ParserLimits {
  // Parenthesised nesting: search key lists, NOT/OR chains count too (Dovecot refuses
  // deeper than a few dozen as well). A 64 KiB line could otherwise recurse 30,000 deep.
  size_t max_depth = 32;
  // Search keys in one SEARCH/SORT/THREAD, counting every key at every depth.
  size_t max_search_keys = 1000;
  // Elements of any other list: fetch items, header field names, flags, patterns, ID
  // pairs (RFC 2971 allows 30), ENABLE capabilities, APPEND messages.
  size_t max_list_items = 1000;
};

// Parses `bytes`: one command without its final CRLF, literals in place.
Result<Command> parse_command(std::string_view bytes, const ParserLimits& limits = {});

// The tag at the start of `bytes` if it is a valid one (followed by SP or the end), for a
// tagged BAD when parse_command fails; nullopt otherwise (answer "* BAD").
std::optional<std::string> command_tag(std::string_view bytes);

// Whether `line` (without CRLF) is IDLE's "DONE" (RFC 2177; case-insensitive).
bool is_done_line(std::string_view line);

}  // namespace mf::imap

#endif  // MF_IMAP_COMMAND_PARSER_H
