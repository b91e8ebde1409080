// Unit tests of the IMAP response writer (imap/response_writer.h): which form a string
// takes, and the exact bytes written.
#include <doctest/doctest.h>

#include "imap/response_writer.h"

#include <string>

using namespace mf::imap;

namespace {

std::string str(std::string_view s, Utf8 utf8 = Utf8::kRefused) {
  std::string out;
  append_string(out, s, utf8);
  return out;
}

std::string astr(std::string_view s) {
  std::string out;
  append_astring(out, s);
  return out;
}

}  // namespace

TEST_CASE("IMAP strings are quoted when safe, with quotes and backslashes escaped") {
  CHECK(str("hello world") == "\"hello world\"");
  CHECK(str("") == "\"\"");
  CHECK(str("say \"hi\" \\o/") == "\"say \\\"hi\\\" \\\\o/\"");
}

TEST_CASE("IMAP strings with CR, LF or 8-bit octets become literals") {
  CHECK(str("a\r\nb") == "{4}\r\na\r\nb");
  CHECK(str("caf\xC3\xA9") == "{5}\r\ncaf\xC3\xA9");
  // With UTF8=ACCEPT or IMAP4rev2, well-formed UTF-8 may be quoted; broken UTF-8 may not.
  CHECK(str("caf\xC3\xA9", Utf8::kAllowed) == "\"caf\xC3\xA9\"");
  CHECK(str("caf\xC3", Utf8::kAllowed) == "{4}\r\ncaf\xC3");
  CHECK(str(std::string(kMaxQuoted + 1, 'x')).rfind("{1025}\r\n", 0) == 0);
  CHECK(str(std::string(kMaxQuoted, 'x')).front() == '"');
}

TEST_CASE("IMAP astrings are atoms when possible, never a bare NIL") {
  CHECK(astr("INBOX") == "INBOX");
  CHECK(astr("Sent]") == "Sent]");
  CHECK(astr("My Folder") == "\"My Folder\"");
  CHECK(astr("a*") == "\"a*\"");
  CHECK(astr("NIL") == "\"NIL\"");
  CHECK(astr("nil") == "\"nil\"");
  CHECK(astr("") == "\"\"");
}

TEST_CASE("IMAP nstrings, literals, binary content and flag lists") {
  std::string out;
  append_nstring(out, std::nullopt);
  out += ' ';
  append_nstring(out, std::string_view("x"));
  CHECK(out == "NIL \"x\"");
  out.clear();
  append_binary(out, std::string("a\0b", 3));
  CHECK(out == std::string("~{3}\r\na\0b", 9));
  out.clear();
  append_binary(out, "plain");
  CHECK(out == "{5}\r\nplain");
  out.clear();
  append_flag_list(out, {"\\Seen", "\\Answered", "$Forwarded"});
  CHECK(out == "(\\Seen \\Answered $Forwarded)");
  out.clear();
  append_flag_list(out, {});
  CHECK(out == "()");
  CHECK(is_atom("abc"));
  CHECK(!is_atom(""));
  CHECK(!is_atom("a b"));
  CHECK(!is_atom("a]"));
}
