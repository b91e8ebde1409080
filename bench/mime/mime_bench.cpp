// bench/mime/mime_bench.cpp — parse throughput of libmailfountain's MIME parser
// (mime/message.h, mime/body.h), run by hand through bench/mime/run.
//
// Usage: mime_bench [--min-seconds S] [--measure parse|decode|all] PATH...
//
// Every PATH is a message file or a directory of message files (regular files not
// starting with a dot, read in name order). All files are read into memory first; only
// the parsing is timed. Two measures, the same as in mime_bench.py (Python's email) and
// gmime_bench.c (GMime):
//   parse   build the MIME tree, walk every part and read its content type;
//   decode  the same, then undo the transfer encoding of every leaf and convert every
//           text/* leaf to UTF-8 (body_text; decode_body when its charset is unknown).
// Each measure runs a short warm-up (the first 100 messages), then whole passes over the
// inputs until at least S seconds (default 2) of CPU time have been spent, and prints:
//   RESULT impl=mailfountain measure=parse messages=N bytes=B passes=P seconds=T wall=W
//          parts=Q errors=E
// (one line, fields separated by spaces): T is the CPU time of the passes (user and system:
// other processes on a shared machine do not count), W their wall time; parts and errors
// are per pass. bench/mime/table.py turns these lines into MB/s and messages/s.
#include "mime/body.h"
#include "mime/message.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <time.h>

namespace {

namespace fs = std::filesystem;
using mf::mime::Message;
using mf::mime::Part;
using mf::mime::PartKind;

enum class Measure { kParse, kDecode };

struct PassCounts {
  size_t parts = 0;
  size_t errors = 0;  // parse failures (limits) and unknown charsets
  size_t sink = 0;    // sizes summed so that no work can be optimised away
};

bool read_file(const fs::path& path, std::vector<std::string>* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  out->push_back(buffer.str());
  return true;
}

bool load(const char* arg, std::vector<std::string>* out) {
  fs::path path(arg);
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return read_file(path, out);
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(path, ec)) {
    bool hidden = entry.path().filename().string().starts_with(".");
    if (entry.is_regular_file() && !hidden) files.push_back(entry.path());
  }
  if (ec) return false;
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    if (!read_file(f, out)) return false;
  }
  return true;
}

// One message, as the measure says. The content type is touched through its strings, as
// a caller choosing how to show a part would. Converters are kept across messages, as an
// IMAP session or an e-mailing worker keeps them (mime/charset.h).
void process(std::string_view bytes, Measure measure, PassCounts* counts,
             mf::mime::CharsetConverters* converters) {
  auto parsed = mf::mime::parse_message(bytes);
  if (!parsed.is_ok()) {
    ++counts->errors;
    return;
  }
  const Message& msg = *parsed;
  for (const Part& p : msg.parts) {
    ++counts->parts;
    counts->sink += p.content_type.type.size() + p.content_type.subtype.size();
    if (measure != Measure::kDecode || p.kind != PartKind::kLeaf) continue;
    if (p.content_type.type == "text") {
      auto text = mf::mime::body_text(msg, p, converters);
      if (text.is_ok()) {
        counts->sink += text->text.size();
        continue;
      }
      ++counts->errors;  // an unknown charset: the decoded bytes are what a reader gets
    }
    counts->sink += mf::mime::decode_body(msg, p).bytes.size();
  }
}

// The process's CPU time (user and system): what other load on a shared machine does not
// inflate. On an idle machine it is the wall time, the program being single-threaded.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void run(const std::vector<std::string>& messages, size_t total_bytes, Measure measure,
         double min_seconds) {
  mf::mime::CharsetConverters converters;
  PassCounts warm;
  size_t warm_count = std::min<size_t>(messages.size(), 100);
  for (size_t i = 0; i < warm_count; ++i) process(messages[i], measure, &warm, &converters);

  PassCounts pass;
  size_t passes = 0;
  size_t sink = warm.sink;
  double elapsed = 0;  // CPU seconds
  double wall = 0;
  do {  // at least one pass, then whole passes until min_seconds
    pass = PassCounts{};
    double start = cpu_seconds();
    double wall_start = wall_seconds();
    for (const auto& m : messages) process(m, measure, &pass, &converters);
    elapsed += cpu_seconds() - start;
    wall += wall_seconds() - wall_start;
    sink += pass.sink;
    ++passes;
  } while (elapsed < min_seconds);
  std::printf(
      "RESULT impl=mailfountain measure=%s messages=%zu bytes=%zu passes=%zu seconds=%.6f "
      "wall=%.6f parts=%zu errors=%zu\n",
      measure == Measure::kParse ? "parse" : "decode", messages.size(), total_bytes, passes,
      elapsed, wall, pass.parts, pass.errors);
  // The sink is printed so the compiler must compute it.
  std::fprintf(stderr, "mailfountain %s: checksum %zu\n",
               measure == Measure::kParse ? "parse" : "decode", sink);
}

int usage() {
  std::fprintf(stderr,
               "usage: mime_bench [--min-seconds S] [--measure parse|decode|all] PATH...\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  double min_seconds = 2.0;
  std::string measure = "all";
  std::vector<std::string> messages;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--min-seconds" && i + 1 < argc) {
      min_seconds = std::atof(argv[++i]);
    } else if (arg == "--measure" && i + 1 < argc) {
      measure = argv[++i];
    } else if (arg.starts_with("--")) {
      return usage();
    } else if (!load(argv[i], &messages)) {
      std::fprintf(stderr, "mime_bench: cannot read %s\n", argv[i]);
      return 1;
    }
  }
  if (messages.empty() || (measure != "parse" && measure != "decode" && measure != "all")) {
    return usage();
  }
  size_t total = 0;
  for (const auto& m : messages) total += m.size();
  if (measure != "decode") run(messages, total, Measure::kParse, min_seconds);
  if (measure != "parse") run(messages, total, Measure::kDecode, min_seconds);
  return 0;
}
