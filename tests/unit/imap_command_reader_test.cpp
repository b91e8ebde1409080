// Unit tests of the IMAP command reader (imap/command_reader.h): commands with literals of
// every kind, input split at every byte boundary, every limit, and the reader staying in
// step with the client after each refusal.
#include <doctest/doctest.h>

#include "imap/command_reader.h"

#include <string>
#include <vector>

using namespace mf::imap;

namespace {

// Feeds input and writes down what the reader reports: CMD[bytes], +n (a literal request,
// accepted or refused as told), ERR[reply line].
struct Driver {
  explicit Driver(Limits limits = {}, bool accept = true) : reader(limits), accept(accept) {}

  void feed(std::string_view in) {
    while (true) {
      ReadStep step = reader.feed(in);
      REQUIRE(step.consumed <= in.size());
      in.remove_prefix(step.consumed);
      switch (step.event) {
        case ReadEvent::kNeedMore:
          CHECK(in.empty());
          return;
        case ReadEvent::kCommand:
          log += "CMD[" + reader.take_command().bytes + "]";
          break;
        case ReadEvent::kLiteralRequest:
          log += '+';
          log += std::to_string(reader.literal_request().size);
          if (reader.literal_request().in_append) log += 'a';
          if (reader.literal_request().binary) log += 'b';
          if (accept) {
            reader.accept_literal();
          } else {
            reader.refuse_literal();
          }
          break;
        case ReadEvent::kError: {
          std::string wire = reader.error().wire();
          REQUIRE(wire.size() >= 2);
          CHECK(wire.substr(wire.size() - 2) == "\r\n");
          log += "ERR[" + wire.substr(0, wire.size() - 2) + "]";
          if (reader.closed()) return;
          break;
        }
      }
    }
  }

  CommandReader reader;
  bool accept;
  std::string log;
};

std::string read_all(std::string_view in, Limits limits = {}, bool accept = true) {
  Driver d(limits, accept);
  d.feed(in);
  return d.log;
}

// The same input in two chunks split at every position, and byte by byte, must give the
// same report as in one piece.
void check_splits(std::string_view in, Limits limits = {}, bool accept = true) {
  std::string whole = read_all(in, limits, accept);
  for (size_t cut = 0; cut <= in.size(); ++cut) {
    Driver d(limits, accept);
    d.feed(in.substr(0, cut));
    if (!d.reader.closed()) d.feed(in.substr(cut));
    CHECK_MESSAGE(d.log == whole, "split at ", cut);
  }
  Driver bytes(limits, accept);
  for (char c : in) {
    if (bytes.reader.closed()) break;
    bytes.feed(std::string_view(&c, 1));
  }
  CHECK(bytes.log == whole);
}

}  // namespace

TEST_CASE("IMAP reader yields pipelined command lines one by one") {
  CHECK(read_all("a1 CAPABILITY\r\na2 NOOP\r\n") == "CMD[a1 CAPABILITY]CMD[a2 NOOP]");
  // Empty lines between commands are ignored; a bare LF ends a line too.
  CHECK(read_all("\r\n\r\na1 NOOP\na2 NOOP\r\n") == "CMD[a1 NOOP]CMD[a2 NOOP]");
  // An incomplete line waits.
  CHECK(read_all("a1 NOO") == "");
}

TEST_CASE("IMAP reader asks before a synchronizing literal and keeps it in the command") {
  std::string msg = "From: a@example.org\r\nSubject: hi\r\n\r\nHello\r\n";
  std::string n = std::to_string(msg.size());
  std::string command = std::string("A003 APPEND saved-messages (\\Seen) {") + n + "}\r\n";
  std::string in = command + msg + "\r\nA004 NOOP\r\n";
  std::string expected = std::string("+") + n + "aCMD[" + command + msg + "]CMD[A004 NOOP]";
  CHECK(read_all(in) == expected);
  check_splits(in);
}

TEST_CASE("IMAP reader takes LOGIN with two literals, split anywhere") {
  std::string in = "a1 LOGIN {4}\r\nfred {5}\r\ns3cr3\r\na2 LOGOUT\r\n";
  CHECK(read_all(in) == "+4+5CMD[a1 LOGIN {4}\r\nfred {5}\r\ns3cr3]CMD[a2 LOGOUT]");
  check_splits(in);
}

TEST_CASE("IMAP reader reads non-synchronizing and binary literals without asking") {
  std::string in = "a1 LOGIN {4+}\r\nfred {3+}\r\npwd\r\n";
  CHECK(read_all(in) == "CMD[a1 LOGIN {4+}\r\nfred {3+}\r\npwd]");
  check_splits(in);
  std::string bin = std::string("a2 APPEND x ~{3+}\r\na\0b\r\n", 24);
  CHECK(read_all(bin) == "CMD[" + std::string("a2 APPEND x ~{3+}\r\na\0b", 22) + "]");
  check_splits(bin);
  std::string sync_bin = std::string("a3 APPEND x ~{2}\r\n\0\0\r\n", 22);
  CHECK(read_all(sync_bin) == "+2abCMD[" + std::string("a3 APPEND x ~{2}\r\n\0\0", 20) + "]");
  // A zero-length literal.
  CHECK(read_all("a4 LOGIN {0+}\r\n {0}\r\n\r\n") == "+0CMD[a4 LOGIN {0+}\r\n {0}\r\n]");
}

TEST_CASE("IMAP reader sees no literal in a brace inside a quoted string") {
  CHECK(read_all("a1 X \"{3}\r\na2 NOOP\r\n") == "CMD[a1 X \"{3}]CMD[a2 NOOP]");
  CHECK(read_all("a1 X \"a\\\"b\" {3}\r\nabc\r\n") == "+3CMD[a1 X \"a\\\"b\" {3}\r\nabc]");
  // A brace not at the end of the line, or malformed, is no announcement either.
  CHECK(read_all("a1 X {3} y\r\n") == "CMD[a1 X {3} y]");
  CHECK(read_all("a1 X {3a}\r\n") == "CMD[a1 X {3a}]");
  CHECK(read_all("a1 X {}\r\n") == "CMD[a1 X {}]");
}

TEST_CASE("IMAP reader lets the caller refuse a synchronizing literal") {
  std::string in = "a1 APPEND INBOX {500}\r\na2 NOOP\r\n";
  CHECK(read_all(in, {}, false) == "+500aCMD[a2 NOOP]");
  check_splits(in, {}, false);
}

TEST_CASE("IMAP reader refuses an oversized synchronizing literal before it is sent") {
  Limits limits;
  limits.max_literal = 10;
  limits.max_append_literal = 100;
  std::string in = "a1 LOGIN {11}\r\na2 APPEND INBOX {101}\r\na3 APPEND INBOX {100}\r\n";
  CHECK(read_all(in, limits) ==
        "ERR[a1 BAD [TOOBIG] Literal too large]ERR[a2 NO [TOOBIG] Literal too large]+100a");
  check_splits(in, limits);
  // A size beyond 63 bits.
  CHECK(read_all("a1 LOGIN {99999999999999999999}\r\na2 NOOP\r\n") ==
        "ERR[a1 BAD [TOOBIG] Literal size too large]CMD[a2 NOOP]");
}

TEST_CASE("IMAP reader skips a refused non-synchronizing literal and serves on") {
  // LITERAL- (the default): over 4096 octets is refused; the octets are skipped, commands
  // hidden in them included.
  std::string body(5000, 'x');
  body.replace(100, 11, "a9 LOGOUT\r\n");
  std::string in = "a1 APPEND INBOX {5000+}\r\n" + body + " more {2+}\r\nzz\r\na2 NOOP\r\n";
  CHECK(read_all(in) ==
        "ERR[a1 BAD [TOOBIG] Non-synchronizing literal over 4096 octets (LITERAL-)]CMD[a2 NOOP]");
  check_splits(in);
  // LITERAL+ takes it.
  Limits plus;
  plus.non_sync = NonSyncLiterals::kLiteralPlus;
  CHECK(read_all("a1 APPEND INBOX {5000+}\r\n" + body + "\r\n", plus) ==
        "CMD[a1 APPEND INBOX {5000+}\r\n" + body + "]");
  // Over the literal limit: refused and skipped as well.
  Limits small;
  small.max_literal = 3;
  CHECK(read_all("a1 LOGIN {4+}\r\nfred x\r\na2 NOOP\r\n", small) ==
        "ERR[a1 BAD [TOOBIG] Literal too large]CMD[a2 NOOP]");
}

TEST_CASE("IMAP reader says BYE for a non-synchronizing literal too large to skip") {
  Limits limits;
  limits.non_sync = NonSyncLiterals::kLiteralPlus;
  limits.max_append_literal = 100;
  limits.max_discard = 1000;
  CHECK(read_all("a1 APPEND INBOX {1001+}\r\nxxxx", limits) ==
        "ERR[* BYE Literal too large to skip]");
  CHECK(read_all("a1 LOGIN {99999999999999999999+}\r\n") == "ERR[* BYE Literal size too large]");
  // After BYE the reader consumes nothing more.
  Driver d(limits);
  d.feed("a1 APPEND INBOX {1001+}\r\n");
  ReadStep step = d.reader.feed("a2 NOOP\r\n");
  CHECK(step.consumed == 0);
  CHECK(step.event == ReadEvent::kError);
}

TEST_CASE("IMAP reader refuses an overlong line, tagged when it can, and resynchronises") {
  Limits limits;
  limits.max_line_octets = 20;
  std::string in = "a1 " + std::string(40, 'x') + "\r\na2 NOOP\r\n";
  CHECK(read_all(in, limits) == "ERR[a1 BAD Line too long]CMD[a2 NOOP]");
  check_splits(in, limits);
  CHECK(read_all(std::string(40, 'x') + "\r\na2 NOOP\r\n", limits) ==
        "ERR[* BAD Line too long]CMD[a2 NOOP]");
  // The skipped line's non-synchronizing literal is skipped too; a synchronizing one ends
  // the refused command (the client waits for a "+" that never comes).
  std::string lit = "a1 " + std::string(40, 'x') + " {5+}\r\na3 NO\r\na2 NOOP\r\n";
  CHECK(read_all(lit, limits) == "ERR[a1 BAD Line too long]CMD[a2 NOOP]");
  check_splits(lit, limits);
  std::string sync = "a1 " + std::string(40, 'x') + " {5}\r\na2 NOOP\r\n";
  CHECK(read_all(sync, limits) == "ERR[a1 BAD Line too long]CMD[a2 NOOP]");
  // The limit counts every line of a command, not the literals.
  limits.max_line_octets = 30;
  CHECK(read_all("a1 LOGIN {3+}\r\nabc {3+}\r\nabc {3+}\r\nabc x\r\n", limits) ==
        "ERR[a1 BAD Line too long]");
}

TEST_CASE("IMAP reader refuses NUL outside literal8 and resynchronises") {
  std::string nul_line = std::string("a1 NO\0OP\r\na2 NOOP\r\n", 19);
  CHECK(read_all(nul_line) == "ERR[a1 BAD NUL octet in command line]CMD[a2 NOOP]");
  check_splits(nul_line);
  std::string nul_lit = std::string("a1 LOGIN {3+}\r\na\0b c\r\na2 NOOP\r\n", 31);
  CHECK(read_all(nul_lit) == "ERR[a1 BAD NUL octet in a literal (use ~{n})]CMD[a2 NOOP]");
  check_splits(nul_lit);
  std::string nul_sync = std::string("a1 LOGIN {3}\r\na\0b c {2+}\r\nxx\r\na2 NOOP\r\n", 39);
  CHECK(read_all(nul_sync) == "+3ERR[a1 BAD NUL octet in a literal (use ~{n})]CMD[a2 NOOP]");
  check_splits(nul_sync);
}

TEST_CASE("IMAP reader caps literals per command and their total size") {
  Limits limits;
  limits.max_literals = 2;
  CHECK(read_all("a1 X {1+}\r\na {1+}\r\nb {1+}\r\nc\r\na2 NOOP\r\n", limits) ==
        "ERR[a1 BAD Too many literals]CMD[a2 NOOP]");
  Limits total;
  total.max_command_literal_octets = 10;
  total.max_append_literal = 8;
  CHECK(read_all("a1 APPEND INBOX {8}\r\n12345678 {3}\r\na2 NOOP\r\n", total) ==
        "+8aERR[a1 NO [TOOBIG] Literal too large]CMD[a2 NOOP]");
}

TEST_CASE("IMAP reader repeats a pending literal request until it is answered") {
  CommandReader r;
  ReadStep step = r.feed("a1 LOGIN {3}\r\nabc\r\n");
  CHECK(step.event == ReadEvent::kLiteralRequest);
  CHECK(step.consumed == 14);
  CHECK(r.current_tag() == "a1");
  ReadStep again = r.feed("abc\r\n");
  CHECK(again.consumed == 0);
  CHECK(again.event == ReadEvent::kLiteralRequest);
  r.accept_literal();
  ReadStep done = r.feed("abc\r\n");
  CHECK(done.event == ReadEvent::kCommand);
  CHECK(done.consumed == 5);
  CHECK(r.take_command().bytes == "a1 LOGIN {3}\r\nabc");
}

TEST_CASE("IMAP reader error lines are well formed") {
  ReadError e{ErrorReply::kBad, "a1", "TOOBIG", "Literal too large"};
  CHECK(e.wire() == "a1 BAD [TOOBIG] Literal too large\r\n");
  ReadError bye{ErrorReply::kBye, "", "", "Literal too large to skip"};
  CHECK(bye.wire() == "* BYE Literal too large to skip\r\n");
}
