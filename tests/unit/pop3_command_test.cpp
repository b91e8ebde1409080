// pop3/command.h: POP3 command lines and AUTH continuation lines.
#include "pop3/command.h"

#include <doctest/doctest.h>

#include <string>

namespace mf::pop3 {
namespace {

std::string refusal(std::string_view line) {
  Result<Command> cmd = parse_command(line);
  REQUIRE_FALSE(cmd.is_ok());
  return cmd.status().message();
}

TEST_CASE("keywords are matched without regard to case") {
  for (const char* line : {"stat", "STAT", "sTaT"}) {
    Result<Command> cmd = parse_command(line);
    REQUIRE(cmd.is_ok());
    CHECK(cmd->name == CommandName::kStat);
  }
  CHECK(parse_command("top 1 0")->name == CommandName::kTop);
  CHECK(command_name(CommandName::kUidl) == "UIDL");
}

TEST_CASE("unknown keywords and empty lines are refused") {
  CHECK(refusal("XTND XMIT") == "Unknown command.");
  CHECK(refusal("STATS") == "Unknown command.");
  CHECK(refusal(" STAT") == "Unknown command.");
  CHECK(refusal("") == "Empty command line.");
  CHECK(refusal("   ") == "Empty command line.");
}

TEST_CASE("NUL and CR are refused anywhere in a line") {
  CHECK(refusal(std::string("USER a\0b", 8)) == "Invalid characters in command line.");
  CHECK(refusal("PASS a\rb") == "Invalid characters in command line.");
}

TEST_CASE("commands without arguments refuse one, but trailing spaces pass") {
  CHECK(refusal("STAT 1") == "Too many arguments.");
  CHECK(refusal("QUIT now") == "Too many arguments.");
  CHECK(parse_command("NOOP  \t").is_ok());
  CHECK(parse_command("CAPA ").is_ok());
}

TEST_CASE("message numbers are positive decimal numbers that fit 32 bits") {
  Result<Command> retr = parse_command("RETR 12");
  REQUIRE(retr.is_ok());
  CHECK(retr->message == 12u);
  CHECK(parse_command("DELE  4294967295")->message == 4294967295u);
  CHECK(refusal("RETR 0") == "Invalid message number.");
  CHECK(refusal("RETR 4294967296") == "Invalid message number.");
  CHECK(refusal("RETR -1") == "Invalid message number.");
  CHECK(refusal("RETR 1x") == "Invalid message number.");
  CHECK(refusal("RETR") == "Missing argument.");
  CHECK(refusal("RETR 1 2") == "Too many arguments.");
  CHECK(refusal("DELE") == "Missing argument.");
}

TEST_CASE("LIST and UIDL take an optional message number") {
  CHECK_FALSE(parse_command("LIST")->message.has_value());
  CHECK(parse_command("LIST 3")->message == 3u);
  CHECK_FALSE(parse_command("UIDL")->message.has_value());
  CHECK(parse_command("uidl 7")->message == 7u);
  CHECK(refusal("UIDL x") == "Invalid message number.");
  CHECK(refusal("LIST 1 2") == "Too many arguments.");
}

TEST_CASE("TOP takes a message and a line count, large counts clamped") {
  Result<Command> top = parse_command("TOP 2 10");
  REQUIRE(top.is_ok());
  CHECK(top->message == 2u);
  CHECK(top->lines == 10u);
  CHECK(parse_command("TOP 2 0")->lines == 0u);
  CHECK(parse_command("TOP 2 99999999999999")->lines == 4294967295u);
  CHECK(refusal("TOP 2") == "Missing argument.");
  CHECK(refusal("TOP 2 -1") == "Invalid number of lines.");
  CHECK(refusal("TOP 0 1") == "Invalid message number.");
}

TEST_CASE("USER takes one argument; PASS takes the rest of the line, spaces kept") {
  CHECK(parse_command("USER alice@example.org")->text == "alice@example.org");
  CHECK(refusal("USER") == "Missing argument.");
  CHECK(refusal("USER a b") == "Too many arguments.");
  CHECK(parse_command("PASS two words ")->text == "two words ");
  CHECK(parse_command("PASS  lead")->text == " lead");
  CHECK(refusal("PASS") == "Missing argument.");
  CHECK(refusal("PASS ") == "Missing argument.");
  CHECK(refusal("PASS " + std::string(256, 'x')) == "Argument too long.");
  CHECK(parse_command("PASS " + std::string(255, 'x')).is_ok());
  CHECK(refusal("USER " + std::string(256, 'x')) == "Argument too long.");
}

TEST_CASE("AUTH takes a mechanism, upper-cased, and an optional initial response") {
  Result<Command> list = parse_command("AUTH");
  REQUIRE(list.is_ok());
  CHECK(list->text.empty());
  CHECK_FALSE(list->initial_response.has_value());
  Result<Command> plain = parse_command("AUTH plain");
  CHECK(plain->text == "PLAIN");
  CHECK_FALSE(plain->initial_response.has_value());
  Result<Command> ir = parse_command("AUTH PLAIN AGEAYg==");
  CHECK(ir->initial_response == "AGEAYg==");
  CHECK(parse_command("AUTH PLAIN =")->initial_response == "");
  CHECK(refusal("AUTH PL/AIN") == "Invalid mechanism name.");
  CHECK(refusal("AUTH " + std::string(21, 'A')) == "Invalid mechanism name.");
  CHECK(refusal("AUTH PLAIN a b") == "Too many arguments.");
}

TEST_CASE("APOP is recognised whatever its arguments, to be refused by the session") {
  CHECK(parse_command("APOP mrose c4c9334bac560ecc979e58001b3e22fb")->name == CommandName::kApop);
}

TEST_CASE("an AUTH continuation line is base64 as sent, or the cancelling star") {
  Result<AuthResponse> star = parse_auth_response("*");
  REQUIRE(star.is_ok());
  CHECK(star->cancelled);
  Result<AuthResponse> data = parse_auth_response("AGEAYg==");
  CHECK_FALSE(data->cancelled);
  CHECK(data->data == "AGEAYg==");
  CHECK_FALSE(parse_auth_response(std::string("a\0", 2)).is_ok());
}

}  // namespace
}  // namespace mf::pop3
