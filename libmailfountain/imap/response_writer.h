// imap/response_writer.h — how the server writes strings and flag lists in responses
// (RFC 9051 §4.3, §9 "string", "nstring", "astring", "literal8"). Pure functions that
// append to the caller's std::string: the session builds a response line with them and
// sends it; nothing here knows about sockets.
//
// The form chosen for a string, in order of preference:
//   atom    only for append_astring, when every byte is an ASTRING-CHAR and the value is
//           not "NIL" (which a client could read as the NIL of an nstring);
//   quoted  when every byte is a QUOTED-CHAR: 7-bit and not CR, LF or NUL (or, with
//           Utf8::kAllowed — IMAP4rev2 or UTF8=ACCEPT enabled — well-formed UTF-8), and
//           the value is at most kMaxQuoted bytes long; '"' and '\' are escaped;
//   literal "{n}" CRLF and the bytes, for anything else without NUL;
//   literal8 "~{n}" CRLF and the bytes (RFC 3516), only where the grammar allows it
//           (FETCH BINARY[...]) and only when needed: content with a NUL.
#ifndef MF_IMAP_RESPONSE_WRITER_H
#define MF_IMAP_RESPONSE_WRITER_H

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mf::imap {

// Whether quoted strings may carry UTF-8 for this client.
enum class Utf8 { kRefused, kAllowed };

// Longer values are sent as literals even when they could be quoted: a reader of the log
// stays sane, and clients handle literals everywhere a string may appear.
constexpr size_t kMaxQuoted = 1024;

// Appends `s` as a quoted string or a literal. A NUL byte cannot be sent in either: it is
// the caller's bug to pass one (it is written as a literal regardless; clients may refuse
// it). Use append_binary for content that may hold NULs.
void append_string(std::string& out, std::string_view s, Utf8 utf8 = Utf8::kRefused);

// Appends an astring: an atom when possible, else as append_string.
void append_astring(std::string& out, std::string_view s, Utf8 utf8 = Utf8::kRefused);

// Appends NIL for nullopt, else the string as append_string.
void append_nstring(std::string& out, std::optional<std::string_view> s,
                    Utf8 utf8 = Utf8::kRefused);

// Appends "NIL".
void append_nil(std::string& out);

// Appends a literal "{n}" CRLF + bytes, whatever they are.
void append_literal(std::string& out, std::string_view bytes);

// Appends FETCH BINARY[...] content: literal8 "~{n}" CRLF + bytes when it holds a NUL,
// otherwise an ordinary literal.
void append_binary(std::string& out, std::string_view bytes);

// Appends a parenthesised flag list: "(\Seen $Forwarded)", "()" when empty. Flags are
// written as given; they must be atoms ("\" + atom for system flags), which the parser
// guarantees for client-given flags and the store for stored ones.
void append_flag_list(std::string& out, const std::vector<std::string>& flags);

// Whether `s` can be written as an atom (non-empty, every byte an ATOM-CHAR).
bool is_atom(std::string_view s);

}  // namespace mf::imap

#endif  // MF_IMAP_RESPONSE_WRITER_H
