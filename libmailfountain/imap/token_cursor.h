// imap/token_cursor.h — the lexical level of the IMAP command parser (RFC 9051 §4, §9):
// a cursor over one complete command's bytes (imap/command_reader.h's RawCommand) that
// reads atoms, numbers, quoted strings, literals, dates, flags and sequence sets. Internal
// to imap/command_parser.cpp and its helpers.
//
// Every read either advances past what it read and returns it, or fails with
// kInvalidArgument and a message fit for a tagged BAD ("Missing argument", "Invalid
// string"); after a failure the cursor's position is unspecified (the command is refused).
#ifndef MF_IMAP_TOKEN_CURSOR_H
#define MF_IMAP_TOKEN_CURSOR_H

#include "imap/command.h"
#include "imap/command_parser.h"

#include <mailfountain/status.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mf::imap {

class TokenCursor {
 public:
  TokenCursor(std::string_view bytes, const ParserLimits& limits) : s_(bytes), limits_(limits) {}

  const ParserLimits& limits() const { return limits_; }
  bool at_end() const { return pos_ >= s_.size(); }
  // The next byte, or '\0' at the end.
  char peek(size_t ahead = 0) const { return pos_ + ahead < s_.size() ? s_[pos_ + ahead] : '\0'; }
  // Consumes `c` if it is next.
  bool consume(char c);

  // SP. "Missing argument" at the end, "Expected space" elsewhere.
  Status sp();
  // `c` next, else "Expected <what>" ("Missing argument" at the end).
  Status expect(char c, std::string_view what);
  // The end of the command, else "Extra arguments".
  Status end() const;

  // Consumes a keyword (ASCII, case-insensitive) if the next atom is exactly `kw`.
  bool keyword(std::string_view kw);
  // The next run of ATOM-CHARs, possibly empty, without consuming it.
  std::string_view peek_atom() const;
  // A non-empty atom ("Missing argument" / "Invalid atom"), consumed.
  Result<std::string_view> atom();
  // A run of bytes for which `pred` holds (possibly empty), consumed.
  template <typename Pred>
  std::string_view take_while(Pred pred) {
    size_t start = pos_;
    while (pos_ < s_.size() && pred(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }

  // number (32 bits), nz-number, number64, nz-number64 (RFC 9051 §9).
  Result<uint32_t> number();
  Result<uint32_t> nz_number();
  Result<uint64_t> number64();
  Result<uint64_t> nz_number64();

  // string: quoted or literal. literal8 ("~{n}") only with Binary::kAllowed; *binary
  // (when given) says which form was read.
  enum class Binary { kRefused, kAllowed };
  Result<std::string> string(Binary binary = Binary::kRefused, bool* was_binary = nullptr);
  // astring: an atom of ASTRING-CHARs, or a string.
  Result<std::string> astring();
  // nstring: NIL (nullopt) or a string.
  Result<std::optional<std::string>> nstring();
  // mailbox: an astring, with its INBOX-ness.
  Result<Mailbox> mailbox();
  // list-mailbox: 1*list-char (wildcards allowed) or a string.
  Result<std::string> list_mailbox();
  // date: date-text, optionally in quotes ("1-Feb-1994").
  Result<Date> date();
  // date-time: quoted "dd-Mon-yyyy hh:mm:ss +zzzz" (day may be " 1").
  Result<DateTime> date_time();
  // sequence-set (with "*" and "$").
  Result<SequenceSet> sequence_set();
  // flag: "\" atom (system or extension flag) or a keyword atom.
  Result<std::string> flag();
  // flag-list: "(" [flag *(SP flag)] ")".
  Result<std::vector<std::string>> flag_list();

  // Nesting of parenthesised lists: enter() fails with "Nesting too deep" beyond
  // limits().max_depth.
  Status enter();
  void leave() { --depth_; }

 private:
  Result<std::string> quoted();
  Result<std::string> literal(Binary binary, bool* was_binary);

  std::string_view s_;
  size_t pos_ = 0;
  size_t depth_ = 0;
  const ParserLimits& limits_;
};

// A Status for a BAD reply: kInvalidArgument with `text`.
inline Status bad(std::string text) {
  return invalid_argument(std::move(text));
}

}  // namespace mf::imap

#endif  // MF_IMAP_TOKEN_CURSOR_H
