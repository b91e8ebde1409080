// Tests of the log lines mailfountaind writes to stderr.
#include "log.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <string>

namespace mailfountaind {
namespace {

TEST_CASE("a stderr log line has an ISO-8601 UTC time, the program and pid, and the level") {
  CHECK(format_stderr_line(1714557600, 4242, mf::LogLevel::kInfo,
                           "4Dh2A: from=<a@b.fr>, size=1234, nrcpt=2") ==
        "2024-05-01T10:00:00Z mailfountaind[4242]: 4Dh2A: from=<a@b.fr>, size=1234, nrcpt=2");
  CHECK(format_stderr_line(0, 1, mf::LogLevel::kWarning, "x") ==
        "1970-01-01T00:00:00Z mailfountaind[1]: warning: x");
  CHECK(format_stderr_line(0, 1, mf::LogLevel::kError, "y") ==
        "1970-01-01T00:00:00Z mailfountaind[1]: error: y");
}

TEST_CASE("control bytes in a log line are escaped so that a peer cannot forge lines") {
  CHECK(escape_control_bytes("helo evil\r\nmailfountaind[1]: forged") ==
        "helo evil\\x0d\\x0amailfountaind[1]: forged");
  CHECK(escape_control_bytes(std::string("nul\0tab\tdel\x7f", 12)) == "nul\\x00tab\\x09del\\x7f");
  CHECK(escape_control_bytes("back\\slash") == "back\\\\slash");
  // UTF-8 is kept as it is.
  CHECK(escape_control_bytes("émile") == "émile");
}

TEST_CASE("the stream sink writes one whole line per event") {
  std::FILE* stream = std::tmpfile();
  REQUIRE(stream != nullptr);
  mf::LogSink sink = make_stream_sink(stream);
  sink(mf::LogLevel::kInfo, "first");
  sink(mf::LogLevel::kError, "second\nline");
  std::rewind(stream);
  char buffer[512] = {};
  size_t n = std::fread(buffer, 1, sizeof buffer - 1, stream);
  std::fclose(stream);
  std::string text(buffer, n);
  size_t newline = text.find('\n');
  REQUIRE(newline != std::string::npos);
  CHECK(text.substr(0, newline).find(" mailfountaind[") == 20);
  CHECK(text.substr(0, newline).find(": first") != std::string::npos);
  std::string second = text.substr(newline + 1);
  CHECK(second.find(": error: second\\x0aline\n") != std::string::npos);
  CHECK(second.back() == '\n');
  CHECK(second.find('\n') == second.size() - 1);
}

}  // namespace
}  // namespace mailfountaind
