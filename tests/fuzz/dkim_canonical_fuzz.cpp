// Fuzz target: DKIM relaxed canonicalization (dkim/canonical.h).
//   - the streaming body canonicalizer gives the same bytes, and the body hash the same
//     digest, whether the body comes whole, in three chunks split where the input's first
//     two bytes say, or byte by byte;
//   - its output equals a plain line-by-line reference written from RFC 6376 §3.4.4;
//   - a relaxed header field ends with its only CRLF, holds no tab and no double space.
#include "dkim/canonical.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

bool is_wsp(char c) {
  return c == ' ' || c == '\t';
}

// Runs of spaces and tabs become one space.
std::string collapse(std::string_view line) {
  std::string out;
  bool space = false;
  for (char c : line) {
    if (is_wsp(c)) {
      space = true;
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  if (space) out += ' ';
  return out;
}

// The obvious, whole-body version: split at CRLF, drop line-end whitespace, collapse runs,
// give an unterminated last line its CRLF, drop the empty lines at the end.
std::string reference_body(std::string_view body) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (true) {
    size_t crlf = body.find("\r\n", start);
    if (crlf == std::string_view::npos) break;
    std::string_view line = body.substr(start, crlf - start);
    while (!line.empty() && is_wsp(line.back())) line.remove_suffix(1);
    lines.push_back(collapse(line));
    start = crlf + 2;
  }
  if (start < body.size()) lines.push_back(collapse(body.substr(start)));
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  std::string out;
  for (const std::string& l : lines) out += l + "\r\n";
  return out;
}

std::string canonical(const std::vector<std::string_view>& chunks) {
  mf::dkim::RelaxedBodyCanonicalizer canon;
  std::string out;
  for (std::string_view c : chunks) canon.update(c, &out);
  canon.finish(&out);
  return out;
}

std::array<unsigned char, 32> hashed(const std::vector<std::string_view>& chunks) {
  mf::dkim::RelaxedBodyHash hash;
  for (std::string_view c : chunks) hash.update(c);
  return hash.finish();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  std::string_view body(reinterpret_cast<const char*>(data) + 2, size - 2);
  size_t a = body.empty() ? 0 : data[0] % (body.size() + 1);
  size_t b = body.empty() ? 0 : data[1] % (body.size() + 1);
  if (a > b) std::swap(a, b);

  const std::vector<std::string_view> whole = {body};
  const std::vector<std::string_view> three = {body.substr(0, a), body.substr(a, b - a),
                                               body.substr(b)};
  std::vector<std::string_view> bytes;
  for (size_t i = 0; i < body.size(); ++i) bytes.push_back(body.substr(i, 1));

  const std::string expected = canonical(whole);
  if (expected != reference_body(body)) std::abort();
  if (canonical(three) != expected || canonical(bytes) != expected) std::abort();
  if (hashed(three) != hashed(whole)) std::abort();

  // The same bytes as a header field: name up to the first colon, value after it.
  size_t colon = body.find(':');
  if (colon != std::string_view::npos) {
    std::string field = mf::dkim::relaxed_header(body.substr(0, colon), body.substr(colon + 1));
    if (field.size() < 3 || field.substr(field.size() - 2) != "\r\n") std::abort();
    std::string_view inner(field.data(), field.size() - 2);
    // The name is only lower-cased (the fuzzer may put anything in it); the value is clean.
    std::string_view value = inner.substr(inner.find(':') + 1);
    if (!value.empty() && (value.front() == ' ' || value.back() == ' ')) std::abort();
    if (value.find('\t') != std::string_view::npos || value.find("  ") != std::string_view::npos ||
        value.find('\r') != std::string_view::npos || value.find('\n') != std::string_view::npos) {
      std::abort();
    }
  }
  return 0;
}
