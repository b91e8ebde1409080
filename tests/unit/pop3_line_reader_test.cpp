// pop3/line_reader.h: lines from a byte stream split anywhere, with a length limit.
#include "pop3/line_reader.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace mf::pop3 {
namespace {

// Feeds `in` in pieces of `chunk` bytes; returns the lines, "!" for each line too long.
std::vector<std::string> read_all(LineReader& reader, std::string_view in, size_t chunk) {
  std::vector<std::string> lines;
  while (!in.empty()) {
    std::string_view piece = in.substr(0, chunk);
    while (!piece.empty()) {
      LineReader::Step step = reader.feed(piece);
      REQUIRE(step.consumed <= piece.size());
      piece.remove_prefix(step.consumed);
      in.remove_prefix(step.consumed);
      if (step.event == LineReader::Event::kLine) lines.emplace_back(reader.line());
      if (step.event == LineReader::Event::kTooLong) lines.emplace_back("!");
      if (step.event == LineReader::Event::kNeedMore) CHECK(piece.empty());
    }
  }
  return lines;
}

TEST_CASE("lines end with CRLF or a bare LF, whatever the chunking") {
  const std::string in = "STAT\r\nLIST 1\nRETR 2\r\n\r\nQUIT\r\n";
  for (size_t chunk : {1u, 2u, 3u, 7u, 100u}) {
    LineReader reader(512);
    CHECK(read_all(reader, in, chunk) ==
          std::vector<std::string>{"STAT", "LIST 1", "RETR 2", "", "QUIT"});
  }
}

TEST_CASE("a line over the limit is reported once at its end, and the next one is read") {
  // The limit counts the line end: "12345678\r\n" is 10 octets.
  for (size_t chunk : {1u, 4u, 100u}) {
    LineReader reader(10);
    CHECK(read_all(reader, "12345678\r\n123456789\r\nNOOP\r\n", chunk) ==
          std::vector<std::string>{"12345678", "!", "NOOP"});
  }
}

TEST_CASE("a partial line stays in the reader and consumes all input") {
  LineReader reader(512);
  LineReader::Step step = reader.feed("US");
  CHECK(step.event == LineReader::Event::kNeedMore);
  CHECK(step.consumed == 2);
  step = reader.feed("ER a\r\nPASS");
  CHECK(step.event == LineReader::Event::kLine);
  CHECK(step.consumed == 6);
  CHECK(reader.line() == "USER a");
}

TEST_CASE("a raised limit lets a longer line through") {
  LineReader reader(8);
  reader.set_limit(2048);
  CHECK(read_all(reader, std::string(1000, 'A') + "\r\n", 64) ==
        std::vector<std::string>{std::string(1000, 'A')});
}

}  // namespace
}  // namespace mf::pop3
