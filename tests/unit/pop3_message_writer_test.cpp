// pop3/message_writer.h: RETR and TOP response bodies, stuffed and cut.
#include "pop3/message_writer.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <optional>
#include <string>

namespace mf::pop3 {
namespace {

// Writes `message` in pieces of `chunk` bytes, stopping when the writer says it is done.
std::string write(std::string_view message, std::optional<uint32_t> lines, size_t chunk) {
  MessageWriter writer(lines);
  std::string out;
  while (!message.empty()) {
    bool done = writer.write(message.substr(0, chunk), out);
    message.remove_prefix(std::min(chunk, message.size()));
    if (done) break;
  }
  writer.finish(out);
  return out;
}

const std::string kMessage =
    "Subject: dots\r\nFrom: a@example.net\r\n\r\n.first\r\nsecond\r\n..third\r\n.\r\nlast\r\n";

TEST_CASE("RETR's body is the message, dot-stuffed, then the final dot line") {
  for (size_t chunk : {1u, 2u, 5u, 1000u}) {
    CHECK(write(kMessage, std::nullopt, chunk) ==
          "Subject: dots\r\nFrom: a@example.net\r\n\r\n..first\r\nsecond\r\n...third\r\n..\r\n"
          "last\r\n.\r\n");
  }
}

TEST_CASE("a message whose last line has no line end gets one before the dot") {
  CHECK(write("Subject: x\r\n\r\nno end", std::nullopt, 3) == "Subject: x\r\n\r\nno end\r\n.\r\n");
  CHECK(write("", std::nullopt, 3) == ".\r\n");
}

TEST_CASE("TOP 0 sends the header and the blank line only") {
  for (size_t chunk : {1u, 3u, 1000u}) {
    CHECK(write(kMessage, 0u, chunk) == "Subject: dots\r\nFrom: a@example.net\r\n\r\n.\r\n");
  }
}

TEST_CASE("TOP n sends n body lines, stuffed") {
  for (size_t chunk : {1u, 4u, 1000u}) {
    CHECK(write(kMessage, 2u, chunk) ==
          "Subject: dots\r\nFrom: a@example.net\r\n\r\n..first\r\nsecond\r\n.\r\n");
  }
}

TEST_CASE("TOP beyond the body sends the whole message") {
  CHECK(write(kMessage, 100u, 7) == write(kMessage, std::nullopt, 7));
}

TEST_CASE("a message without a blank line is all header for TOP") {
  CHECK(write("Subject: a\r\nFrom: b\r\n", 0u, 2) == "Subject: a\r\nFrom: b\r\n.\r\n");
}

TEST_CASE("a message that starts with the blank line has an empty header") {
  CHECK(write("\r\nbody 1\r\nbody 2\r\n", 1u, 2) == "\r\nbody 1\r\n.\r\n");
}

}  // namespace
}  // namespace mf::pop3
