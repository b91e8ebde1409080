// Fuzz target: the SMTP DATA reader (smtp/data_reader.h). For any input, in both bare-LF
// modes, it checks that
// - the data ends exactly at the first "\r\n.\r\n" in "\r\n" + input, and only there
//   (no smuggling look-alike ends it), and the bytes after it are not consumed;
// - one feed, two feeds split at a point derived from the data, and one byte at a time
//   give the same output, consumption and counts;
// - the output and counts equal those of a plain, non-incremental reference written
//   straight from the documented rules;
// - a size limit gives an exact prefix of the unlimited output, and the same counts;
// - stuffing the output again (a dot before every line-start dot), followed by ".\r\n",
//   reads back to the same output with the same counts: unstuffing and the end of data
//   cannot be fooled into losing or adding anything.
#include "smtp/data_reader.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

using namespace mf::smtp;

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

struct Read {
  std::string out;
  size_t consumed = 0;
  bool done = false;
  DataStats stats;
};

Read read_chunks(const std::vector<std::string_view>& chunks, const DataReaderOptions& options) {
  DataReader reader(options);
  Read r;
  for (std::string_view chunk : chunks) {
    size_t n = reader.feed(chunk, r.out);
    require(n <= chunk.size());
    require(n == chunk.size() || reader.done());
    r.consumed += n;
  }
  r.done = reader.done();
  r.stats = reader.stats();
  return r;
}

bool same_stats(const DataStats& a, const DataStats& b) {
  return a.message_bytes == b.message_bytes && a.bare_lf == b.bare_lf && a.bare_cr == b.bare_cr &&
         a.nul == b.nul && a.long_lines == b.long_lines && a.over_size == b.over_size;
}

bool same(const Read& a, const Read& b) {
  return a.out == b.out && a.consumed == b.consumed && a.done == b.done &&
         same_stats(a.stats, b.stats);
}

// The documented rules, applied to the whole data at once (`d`: the bytes before the end
// marker's ".\r\n", empty or ending in CR LF).
Read reference(std::string_view d, const DataReaderOptions& options) {
  Read r;
  bool line_start = true;
  uint64_t line_length = 0;
  for (size_t i = 0; i < d.size(); ++i) {
    char c = d[i];
    if (line_start) {
      line_start = false;
      line_length = 0;
      if (c == '.') continue;  // a stuffing dot
    }
    if (c == '\n') {
      if (i > 0 && d[i - 1] == '\r') {
        r.out += '\n';
      } else {
        ++r.stats.bare_lf;
        r.out += options.bare_lf == BareLf::kNormalize ? "\r\n" : "\n";
      }
      line_start = true;
      continue;
    }
    if (c == '\r' && i + 1 < d.size() && d[i + 1] == '\n') {
      r.out += c;
      continue;
    }
    if (c == '\r') ++r.stats.bare_cr;
    if (c == '\0') ++r.stats.nul;
    r.out += c;
    if (++line_length == options.max_line_length + 1) ++r.stats.long_lines;
  }
  r.stats.message_bytes = r.out.size();
  return r;
}

// How an SMTP client sends `message` (empty or ending in CR LF): a dot added before every
// line-start dot, a line start being the start or after any LF, then the end marker.
std::string stuff(std::string_view message) {
  std::string s;
  bool line_start = true;
  for (char c : message) {
    if (line_start && c == '.') s += '.';
    s += c;
    line_start = c == '\n';
  }
  s += ".\r\n";
  return s;
}

void check(std::string_view in, size_t split, DataReaderOptions options) {
  // Where the data must end: the first "\r\n.\r\n", the DATA command's CR LF counting as
  // the first one.
  const std::string with_crlf = "\r\n" + std::string(in);
  const size_t marker = with_crlf.find("\r\n.\r\n");

  Read one = read_chunks({in}, options);
  require(one.done == (marker != std::string::npos));
  require(one.consumed == (one.done ? marker + 3 : in.size()));
  require(same(one, read_chunks({in.substr(0, split), in.substr(split)}, options)));

  // The input, then the end marker: the data always ends, at the first marker.
  const std::string full = std::string(in) + "\r\n.\r\n";
  const size_t end = ("\r\n" + full).find("\r\n.\r\n");
  Read whole = read_chunks({full}, options);
  require(whole.done && whole.consumed == end + 3);
  std::vector<std::string_view> bytes;
  for (size_t i = 0; i < full.size(); ++i) bytes.push_back(std::string_view(full).substr(i, 1));
  require(same(whole, read_chunks(bytes, options)));
  std::string_view v(full);
  require(same(whole, read_chunks({v.substr(0, split), v.substr(split)}, options)));

  Read ref = reference(v.substr(0, end), options);
  require(whole.out == ref.out && same_stats(whole.stats, ref.stats));
  require(whole.out.empty() || whole.out.substr(whole.out.size() - 2) == "\r\n");

  // A size limit cuts the output, nothing else.
  DataReaderOptions limited = options;
  limited.max_message_bytes = whole.out.size() - split % (whole.out.size() + 1) + split % 2;
  Read cut = read_chunks({v.substr(0, split), v.substr(split)}, limited);
  require(cut.done && cut.consumed == whole.consumed);
  require(cut.out == whole.out.substr(0, limited.max_message_bytes));
  require(cut.stats.over_size == (whole.out.size() > limited.max_message_bytes));
  DataStats uncut = cut.stats;
  uncut.over_size = false;
  require(same_stats(uncut, whole.stats));

  // Sending the message again reads back the same message.
  const std::string again = stuff(whole.out);
  Read back = read_chunks({again}, options);
  require(back.done && back.consumed == again.size() && back.out == whole.out);
  require(back.stats.bare_cr == whole.stats.bare_cr && back.stats.nul == whole.stats.nul);
  require(back.stats.long_lines == whole.stats.long_lines);
  require(back.stats.bare_lf ==
          (options.bare_lf == BareLf::kKeep ? whole.stats.bare_lf : uint64_t{0}));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  // A split point and a line limit derived from the data, so every input is its own test.
  size_t seed = 0;
  for (size_t i = 0; i < size && i < 8; ++i) seed = seed * 131 + data[i];
  size_t split = size == 0 ? 0 : seed % (size + 1);

  DataReaderOptions options;
  options.max_line_length = seed % 7 == 0 ? 998 : seed % 13;
  check(in, split, options);
  options.bare_lf = BareLf::kKeep;
  check(in, split, options);
  return 0;
}
