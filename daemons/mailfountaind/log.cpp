// mailfountaind/log.cpp — the stderr and syslog sinks.
#include "log.h"

#include <fmt/format.h>

#include <syslog.h>
#include <unistd.h>

#include <ctime>

namespace mailfountaind {

std::string escape_control_bytes(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) {
      out += fmt::format("\\x{:02x}", byte);
    } else if (c == '\\') {
      out += "\\\\";
    } else {
      out += c;
    }
  }
  return out;
}

std::string_view level_prefix(mf::LogLevel level) {
  switch (level) {
    case mf::LogLevel::kInfo:
      return "";
    case mf::LogLevel::kWarning:
      return "warning: ";
    case mf::LogLevel::kError:
      return "error: ";
  }
  return "";
}

std::string format_stderr_line(int64_t unix_seconds, pid_t pid, mf::LogLevel level,
                               std::string_view text) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return fmt::format("{} mailfountaind[{}]: {}{}", when, pid, level_prefix(level),
                     escape_control_bytes(text));
}

mf::LogSink make_stream_sink(std::FILE* stream) {
  return [stream](mf::LogLevel level, std::string_view text) {
    std::string line = format_stderr_line(std::time(nullptr), getpid(), level, text);
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stream);
    std::fflush(stream);
  };
}

mf::LogSink make_syslog_sink() {
  openlog("mailfountaind", LOG_PID | LOG_NDELAY, LOG_MAIL);
  return [](mf::LogLevel level, std::string_view text) {
    int priority = level == mf::LogLevel::kError     ? LOG_ERR
                   : level == mf::LogLevel::kWarning ? LOG_WARNING
                                                     : LOG_INFO;
    std::string line = fmt::format("{}{}", level_prefix(level), escape_control_bytes(text));
    syslog(priority, "%s", line.c_str());
  };
}

mf::LogSink make_log_sink(LogDestination destination) {
  return destination == LogDestination::kSyslog ? make_syslog_sink() : make_stream_sink(stderr);
}

}  // namespace mailfountaind
