// dkim/canonical.cpp — relaxed header and body canonicalization (RFC 6376 §3.4.2, §3.4.4).
#include "dkim/canonical.h"

namespace mf::dkim {

namespace {

bool is_wsp(char c) {
  return c == ' ' || c == '\t';
}

char ascii_lower_char(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

}  // namespace

std::string relaxed_header(std::string_view name, std::string_view value) {
  std::string out;
  out.reserve(name.size() + value.size() + 3);
  // The name: lower-cased, without any whitespace left before the colon.
  size_t name_end = name.size();
  while (name_end > 0 && is_wsp(name[name_end - 1])) --name_end;
  for (size_t i = 0; i < name_end; ++i) out.push_back(ascii_lower_char(name[i]));
  out.push_back(':');

  // The value: line breaks vanish (a fold becomes the whitespace after it), runs of
  // whitespace become one space, and none is kept at either end.
  bool pending_space = false;
  bool any = false;
  for (char c : value) {
    if (c == '\r' || c == '\n') continue;
    if (is_wsp(c)) {
      pending_space = true;
      continue;
    }
    if (pending_space && any) out.push_back(' ');
    pending_space = false;
    any = true;
    out.push_back(c);
  }
  out += "\r\n";
  return out;
}

void RelaxedBodyCanonicalizer::content_byte(char c, std::string* out) {
  // A byte other than whitespace proves the empty lines held back were inner ones.
  for (; pending_empty_lines_ > 0; --pending_empty_lines_) out->append("\r\n");
  if (pending_space_) out->push_back(' ');
  pending_space_ = false;
  line_has_content_ = true;
  out->push_back(c);
}

void RelaxedBodyCanonicalizer::update(std::string_view chunk, std::string* out) {
  for (char c : chunk) {
    if (pending_cr_) {
      pending_cr_ = false;
      if (c == '\n') {
        // A line end: trailing whitespace is dropped; an empty line waits to be proven inner.
        pending_space_ = false;
        if (line_has_content_) {
          out->append("\r\n");
        } else {
          ++pending_empty_lines_;
        }
        line_has_content_ = false;
        continue;
      }
      content_byte('\r', out);  // a bare CR is data
    }
    if (c == '\r') {
      pending_cr_ = true;
    } else if (is_wsp(c)) {
      pending_space_ = true;
    } else {
      content_byte(c, out);
    }
  }
}

void RelaxedBodyCanonicalizer::finish(std::string* out) {
  if (pending_cr_) content_byte('\r', out);
  // An unterminated last line gets its CRLF (keeping one space for a trailing run, see
  // the header); trailing empty lines and a body of only whitespace give nothing.
  if (pending_space_) {
    // Trailing whitespace with no line end after it still counts as a line's content.
    for (; pending_empty_lines_ > 0; --pending_empty_lines_) out->append("\r\n");
    out->push_back(' ');
    line_has_content_ = true;
  }
  if (line_has_content_) out->append("\r\n");
  *this = RelaxedBodyCanonicalizer();
}

RelaxedBodyHash::RelaxedBodyHash() {
  mbedtls_sha256_init(&sha_);
  mbedtls_sha256_starts_ret(&sha_, 0);  // 0: SHA-256, not SHA-224; cannot fail in software
}

RelaxedBodyHash::~RelaxedBodyHash() {
  mbedtls_sha256_free(&sha_);
}

void RelaxedBodyHash::hash_pending() {
  mbedtls_sha256_update_ret(&sha_, reinterpret_cast<const unsigned char*>(buffer_.data()),
                            buffer_.size());
  length_ += buffer_.size();
  buffer_.clear();
}

void RelaxedBodyHash::update(std::string_view chunk) {
  // Large chunks are canonicalized in slices so the buffer stays small.
  constexpr size_t kSlice = 64 * 1024;
  while (!chunk.empty()) {
    std::string_view slice = chunk.substr(0, kSlice);
    chunk.remove_prefix(slice.size());
    canon_.update(slice, &buffer_);
    hash_pending();
  }
}

std::array<unsigned char, 32> RelaxedBodyHash::finish() {
  canon_.finish(&buffer_);
  hash_pending();
  std::array<unsigned char, 32> digest{};
  mbedtls_sha256_finish_ret(&sha_, digest.data());
  return digest;
}

}  // namespace mf::dkim
