// mfctl/output.h — what mfctl prints: aligned tables and fields for people, JSON for
// scripts, and errors in the form each of them expects.
//
// In human mode results go to stdout and errors to stderr as "mfctl: <message>". In JSON
// mode (--json) everything goes to stdout as one JSON document, errors included:
// {"error": {"code": "not_found", "message": "..."}}. The shapes are documented in
// docs/mfctl-json.md and built in json_objects.cpp.
#ifndef MFCTL_OUTPUT_H
#define MFCTL_OUTPUT_H

#include <mailfountain/status.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mfctl {

// JSON objects keep their members in the documented order.
using Json = nlohmann::ordered_json;

// The number of terminal columns `text` (UTF-8) takes: combining marks take none, East
// Asian wide and full-width characters two, everything else one. Bytes that are not valid
// UTF-8 count one column each.
size_t display_width(std::string_view text);

// A table with a header row, printed with every column as wide as its widest cell. Cells
// are plain text; an empty cell prints as "-".
class Table {
 public:
  explicit Table(std::vector<std::string> headers);

  // `cells` must have one entry per header.
  void add_row(std::vector<std::string> cells);
  bool empty() const { return rows_.empty(); }

  // The table as text, one line per row, columns separated by two spaces, no trailing
  // blanks.
  std::string render() const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// "Name: value" lines with the names aligned, for `show` commands.
using Fields = std::vector<std::pair<std::string, std::string>>;
std::string render_fields(const Fields& fields);

// Joins `items` with ", " (or returns "" for none).
std::string join(const std::vector<std::string>& items, std::string_view separator = ", ");

// A Unix time as "2024-05-01 10:00:00 UTC"; 0 prints as "-".
std::string format_time(int64_t unix_seconds);

// Writes results and errors for one mfctl run.
class Output {
 public:
  explicit Output(bool json) : json_(json) {}

  bool json_mode() const { return json_; }

  // Human mode: prints text as is (a newline is added if missing).
  void print_text(std::string_view text);
  void print_table(const Table& table) { print_text(table.render()); }
  void print_fields(const Fields& fields) { print_text(render_fields(fields)); }

  // JSON mode: prints `document`, indented, followed by a newline.
  void print_json(const Json& document);

  // Reports a finished change: `message` in human mode, in JSON mode
  // {"ok": true, "command": command, "target": target}.
  void done(std::string_view command, std::string_view target, std::string_view message);

  // Reports a failure: "mfctl: <message>" on stderr in human mode, the error object on
  // stdout in JSON mode. `code` is the stable code name ("not_found", or "usage" for a
  // command line mfctl could not parse). `hint` is an extra line for people only.
  void error(std::string_view code, std::string_view message, std::string_view hint = {});
  void error(const mf::Status& status);

  // A warning for people on stderr ("mfctl: <message>"); in JSON mode it is dropped, since
  // the document on stdout carries the same information.
  void warn(std::string_view message);

  // Whether an error was already printed (for commands that report partial failures
  // themselves, such as resolve with several addresses).
  bool error_reported() const { return error_reported_; }
  void mark_error_reported() { error_reported_ = true; }

 private:
  bool json_;
  bool error_reported_ = false;
};

// The JSON error object {"code": ..., "message": ...} of `status`.
Json error_object(const mf::Status& status);

}  // namespace mfctl

#endif  // MFCTL_OUTPUT_H
