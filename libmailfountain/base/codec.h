// base/codec.h — the byte encoding of stored records and keys.
//
// Records are a record-format version byte followed by fields, each a LEB128 varint, a
// zig-zag varint for signed numbers, or a varint length followed by bytes. Decoding is
// strict about truncation and lenient about nothing: a short or overlong record is
// reported as kCorruption by the caller. The layout of every record is documented in
// docs/store.md.
#ifndef MF_BASE_CODEC_H
#define MF_BASE_CODEC_H

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mf {

class Encoder {
 public:
  Encoder& u8(uint8_t v);
  Encoder& varint(uint64_t v);
  Encoder& i64(int64_t v);
  Encoder& str(std::string_view s);
  Encoder& strs(const std::vector<std::string>& v);
  Encoder& opt_u64(const std::optional<uint64_t>& v);

  const std::string& bytes() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// Reads fields in order. Each getter returns false (and leaves the Decoder failed) when
// the input is too short or malformed; once failed, every getter fails.
class Decoder {
 public:
  explicit Decoder(std::string_view in) : in_(in) {}

  bool u8(uint8_t* v);
  bool varint(uint64_t* v);
  bool varint32(uint32_t* v);  // a varint that must fit 32 bits
  bool i64(int64_t* v);
  bool str(std::string* s);
  bool strs(std::vector<std::string>* v);
  bool opt_u64(std::optional<uint64_t>* v);

  bool failed() const { return failed_; }
  // True when every byte was consumed and nothing failed.
  bool done() const { return !failed_ && in_.empty(); }

 private:
  bool fail() {
    failed_ = true;
    return false;
  }
  std::string_view in_;
  bool failed_ = false;
};

// Big-endian fixed-width integers, for keys that must sort numerically.
std::string encode_be64(uint64_t v);
uint64_t decode_be64(std::string_view s);  // s.size() must be 8
std::string encode_be32(uint32_t v);
uint32_t decode_be32(std::string_view s);  // reads the first 4 bytes (fewer: as zeros)

}  // namespace mf

#endif  // MF_BASE_CODEC_H
