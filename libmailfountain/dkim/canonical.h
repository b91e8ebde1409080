// dkim/canonical.h — the "relaxed" canonicalizations of DKIM (RFC 6376 §3.4.2 for header
// fields, §3.4.4 for the body), and the streaming SHA-256 of a canonical body (the bh= tag).
//
// Pure code over bytes: no I/O, no global state. The body canonicalizer is a push
// transformer: the body may arrive in chunks of any size, split anywhere (even between
// the CR and the LF of a line end), and the output is the same as for the whole body at
// once. Its memory is bounded whatever the input: it holds only a count of pending empty
// lines and two flags (a pending whitespace run, a pending CR), never the bytes themselves.
//
// Line ends are CRLF only, as on the wire (RFC 5321 §2.3.8): a bare CR or a bare LF is an
// ordinary byte. Callers holding LF-only text convert it first.
#ifndef MF_DKIM_CANONICAL_H
#define MF_DKIM_CANONICAL_H

#include <mbedtls/sha256.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mf::dkim {

// The relaxed form of one header field, "name:value\r\n": the name lower-cased with the
// whitespace before the colon removed; the value unfolded (line breaks removed), each run
// of spaces and tabs reduced to one space, and the whitespace at both ends removed.
// `value` is everything after the colon, folding included (mime::HeaderField::value).
std::string relaxed_header(std::string_view name, std::string_view value);

// Appends the relaxed canonical form of a body, chunk by chunk, to a caller's string.
// Relaxed body rules: whitespace at the end of a line is dropped, other runs of spaces
// and tabs become one space, empty lines at the end of the body are dropped, and a
// non-empty body ends with CRLF (an empty body, or one made only of empty lines,
// canonicalizes to nothing: RFC 6376 errata 3203, as every verifier does).
//
// A last line without CRLF keeps one space for its trailing whitespace run before the
// CRLF added to it (even a line of only whitespace), as dkimpy's verifier reads it: the
// RFC does not say whether "end of line" covers an unterminated last line. It never
// happens on the wire, where DATA always ends with CRLF.
//
// Not thread-safe; one object per body. Reusable after finish().
class RelaxedBodyCanonicalizer {
 public:
  // Canonicalizes `chunk` and appends what is certain so far to `*out` (whitespace and
  // empty lines are held back until a later byte decides what they become).
  void update(std::string_view chunk, std::string* out);
  // Flushes the end of the body to `*out` and resets for a new body.
  void finish(std::string* out);

 private:
  void content_byte(char c, std::string* out);

  uint64_t pending_empty_lines_ = 0;  // CRLFs of empty lines not yet known to be inner ones
  bool pending_space_ = false;        // a run of spaces/tabs since the last content byte
  bool pending_cr_ = false;           // a CR whose next byte decides if it ends a line
  bool line_has_content_ = false;     // the current line has a byte other than whitespace
};

// SHA-256 of the relaxed canonical body, fed in chunks: the bh= value before base64.
// Holds a bounded buffer (at most one chunk's canonical output at a time).
// Not thread-safe; one object per body; not copyable (owns an mbedTLS context).
class RelaxedBodyHash {
 public:
  RelaxedBodyHash();
  ~RelaxedBodyHash();
  RelaxedBodyHash(const RelaxedBodyHash&) = delete;
  RelaxedBodyHash& operator=(const RelaxedBodyHash&) = delete;

  void update(std::string_view chunk);
  // The digest. Call once; the object is then spent.
  std::array<unsigned char, 32> finish();
  // How many canonical bytes were hashed (for tests and the l= tag we do not emit).
  uint64_t canonical_length() const { return length_; }

 private:
  void hash_pending();

  RelaxedBodyCanonicalizer canon_;
  mbedtls_sha256_context sha_;
  std::string buffer_;
  uint64_t length_ = 0;
};

}  // namespace mf::dkim

#endif  // MF_DKIM_CANONICAL_H
