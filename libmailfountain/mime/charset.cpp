// mime/charset.cpp — charset conversion to UTF-8 through iconv (see charset.h).
#include "mime/charset.h"

#include "base/text.h"

#include <fmt/format.h>
#include <iconv.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <utility>

namespace mf::mime {

namespace {

constexpr size_t kMaxCharsetName = 64;
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace

namespace {

// The MIME token characters a charset name may use (RFC 2978 §2.3, less the odd ones).
bool is_charset_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == ':' || c == '+' || c == '(' || c == ')';
}

const iconv_t kNoConverter = reinterpret_cast<iconv_t>(-1);

// Closes the descriptor it owns.
class IconvHandle {
 public:
  explicit IconvHandle(iconv_t cd) : cd_(cd) {}
  ~IconvHandle() {
    if (cd_ != kNoConverter) iconv_close(cd_);
  }
  IconvHandle(const IconvHandle&) = delete;
  IconvHandle& operator=(const IconvHandle&) = delete;
  IconvHandle& operator=(IconvHandle&& other) noexcept {
    std::swap(cd_, other.cd_);
    return *this;
  }
  bool ok() const { return cd_ != kNoConverter; }
  iconv_t get() const { return cd_; }

 private:
  iconv_t cd_;
};

}  // namespace

Utf8Text sanitize_utf8(std::string_view bytes) {
  Utf8Text out;
  if (is_valid_utf8(bytes)) {
    out.text.assign(bytes);
    return out;
  }
  out.clean = false;
  out.text.reserve(bytes.size() + 8);
  for (size_t i = 0; i < bytes.size();) {
    size_t n = utf8_sequence_length(bytes, i);
    if (n == 0) {
      out.text += kReplacement;
      ++i;
    } else {
      out.text.append(bytes.substr(i, n));
      i += n;
    }
  }
  return out;
}

CharsetConverters::~CharsetConverters() {
  for (const Entry& e : entries_) iconv_close(static_cast<iconv_t>(e.cd));
}

Result<Utf8Text> to_utf8(std::string_view charset, std::string_view bytes,
                         CharsetConverters* converters) {
  size_t star = charset.find('*');
  if (star != std::string_view::npos) charset = charset.substr(0, star);
  if (charset.empty() || charset.size() > kMaxCharsetName) {
    return invalid_argument(fmt::format("'{}' is not a charset name (1 to {} octets)",
                                        charset.substr(0, kMaxCharsetName), kMaxCharsetName));
  }
  for (char c : charset) {
    if (!is_charset_char(c)) {
      return invalid_argument(
          fmt::format("'{}' is not a charset name: it holds the character '{}'", charset, c));
    }
  }
  std::string name = ascii_lower(charset);
  if (name == "utf-8" || name == "utf8") return sanitize_utf8(bytes);
  if (name == "us-ascii" || name == "ascii") {
    // Text that is valid UTF-8 throughout is the usual mislabelling; anything else is
    // some other 8-bit charset, of which a few pairs may look like UTF-8 by chance, so
    // every 8-bit byte is replaced rather than half of them read as UTF-8.
    if (is_valid_utf8(bytes)) return Utf8Text{std::string(bytes), true};
    Utf8Text out;
    out.clean = false;
    out.text.reserve(bytes.size() + 8);
    for (char c : bytes) {
      if (static_cast<unsigned char>(c) >= 0x80) {
        out.text += kReplacement;
      } else {
        out.text.push_back(c);
      }
    }
    return out;
  }

  iconv_t cd = kNoConverter;
  IconvHandle owned(kNoConverter);
  if (converters != nullptr) {
    auto& entries = converters->entries_;
    auto it = std::find_if(entries.begin(), entries.end(),
                           [&](const CharsetConverters::Entry& e) { return e.name == name; });
    if (it != entries.end()) {
      cd = static_cast<iconv_t>(it->cd);
      iconv(cd, nullptr, nullptr, nullptr, nullptr);  // back to the initial shift state
      it->last_used = ++converters->clock_;
    } else {
      cd = iconv_open("UTF-8", name.c_str());
      if (cd == kNoConverter) return unsupported(fmt::format("unknown charset '{}'", charset));
      if (entries.size() == CharsetConverters::kMaxOpen) {
        auto lru = std::min_element(
            entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.last_used < b.last_used; });
        iconv_close(static_cast<iconv_t>(lru->cd));
        entries.erase(lru);
      }
      entries.push_back({name, cd, ++converters->clock_});
    }
  } else {
    owned = IconvHandle(iconv_open("UTF-8", name.c_str()));
    if (!owned.ok()) return unsupported(fmt::format("unknown charset '{}'", charset));
    cd = owned.get();
  }

  Utf8Text out;
  out.text.reserve(bytes.size() + bytes.size() / 2 + 16);
  char buf[1024];
  // iconv's interface takes a non-const input pointer but does not write through it.
  char* in = const_cast<char*>(bytes.data());
  size_t in_left = bytes.size();
  while (true) {
    char* o = buf;
    size_t o_left = sizeof buf;
    size_t r = in_left > 0 ? iconv(cd, &in, &in_left, &o, &o_left)
                           : iconv(cd, nullptr, nullptr, &o, &o_left);  // flush shift state
    int err = errno;
    out.text.append(buf, static_cast<size_t>(o - buf));
    if (r != static_cast<size_t>(-1)) {
      if (in_left == 0 && in != nullptr) {
        in = nullptr;  // one more round to flush a stateful encoding
        continue;
      }
      break;
    }
    if (err == E2BIG) continue;
    // EILSEQ (an invalid sequence) or EINVAL (one cut short at the end): replace one byte.
    out.clean = false;
    out.text += kReplacement;
    if (in_left == 0 || in == nullptr) break;
    ++in;
    --in_left;
  }
  return out;
}

}  // namespace mf::mime
