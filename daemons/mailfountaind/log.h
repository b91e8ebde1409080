// mailfountaind/log.h — where the daemon's log lines go: standard error or syslog.
//
// The library logs one line per event through an mf::LogSink; so does the daemon itself
// (listeners, reloads, shutdown). Both sinks write one line per call, whatever the text:
// control bytes (a newline in a client's HELO name, say) are escaped as \xHH, so that a
// peer cannot forge log lines. Lines below kWarning carry no level word; the others start
// with "warning: " or "error: ", as Postfix's do, in both destinations.
#ifndef MAILFOUNTAIND_LOG_H
#define MAILFOUNTAIND_LOG_H

#include "config.h"

#include <mailfountain/mail_server.h>

#include <sys/types.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace mailfountaind {

// `text` with every byte below 0x20 and 0x7F written as \xHH, and backslash as \\ so
// that the escaping can be undone.
std::string escape_control_bytes(std::string_view text);

// "warning: " for kWarning, "error: " for kError, "" for kInfo.
std::string_view level_prefix(mf::LogLevel level);

// One stderr line without its newline, in syslog's shape with an ISO-8601 UTC time:
// "2024-05-01T10:00:00Z mailfountaind[1234]: warning: <text, escaped>".
std::string format_stderr_line(int64_t unix_seconds, pid_t pid, mf::LogLevel level,
                               std::string_view text);

// A sink writing format_stderr_line lines to `stream` (which must outlive the sink), each
// with one write and a flush, so that lines of several processes sharing the stream do not
// interleave mid-line.
mf::LogSink make_stream_sink(std::FILE* stream);

// A sink writing to syslog(3). Calls openlog("mailfountaind", LOG_PID | LOG_NDELAY,
// LOG_MAIL): the process's syslog identity, so only the daemon's main calls it, once.
// Levels map to LOG_INFO, LOG_WARNING and LOG_ERR.
mf::LogSink make_syslog_sink();

// The sink for `destination`.
mf::LogSink make_log_sink(LogDestination destination);

}  // namespace mailfountaind

#endif  // MAILFOUNTAIND_LOG_H
