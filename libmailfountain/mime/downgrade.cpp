// mime/downgrade.cpp — the 8BITMIME → 7bit downgrade (see downgrade.h).
#include "mime/downgrade.h"

#include "base/text.h"
#include "mime/builder.h"
#include "mime/charset.h"
#include "mime/encoded_word.h"
#include "mime/header.h"
#include "mime/transfer_encoding.h"

#include <fmt/format.h>

#include <string_view>
#include <vector>

namespace mf::mime {

namespace {

constexpr size_t kMaxDataLine = 998;  // RFC 5321 §4.5.3.1.6, line end excluded

// 7-bit data in the RFC 2045 §2.7 sense: bytes 1..127, CR only before LF, short lines.
bool is_7bit_data(std::string_view s) {
  size_t line = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == 0 || c >= 0x80) return false;
    if (c == '\n') {
      line = 0;
      continue;
    }
    if (c == '\r') {
      if (i + 1 == s.size() || s[i + 1] != '\n') return false;
      continue;
    }
    if (++line > kMaxDataLine) return false;
  }
  return true;
}

bool has_8bit_byte(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80 || c == 0) return true;
  }
  return false;
}

bool is_unstructured(std::string_view name) {
  return ascii_iequals(name, "Subject") || ascii_iequals(name, "Comments") ||
         ascii_iequals(name, "Content-Description") || ascii_iequals(name, "Thread-Topic");
}

class Downgrader {
 public:
  explicit Downgrader(const Message& msg) : msg_(msg) { out_.reserve(msg.bytes.size() * 5 / 4); }

  Status entity(uint32_t index);
  std::string take() { return std::move(out_); }

 private:
  // Writes the part's header, replacing its Content-Transfer-Encoding by `encoding`
  // when not empty, and its blank line.
  Status header(const Part& p, std::string_view encoding);
  // Copies [from, to) of the message, 8-bit and NUL bytes replaced by a character found
  // in no enclosing boundary (preamble, epilogue and delimiter lines, which readers do
  // not display). A replacement that a boundary contains could turn a line of the
  // preamble into a delimiter ("--b\xffc" becoming "--b?c" under boundary "b?c").
  void copy_ignored(size_t from, size_t to);
  Status leaf(const Part& p);

  // Whether a line of `encoded` starts with the delimiter of an enclosing multipart.
  bool holds_delimiter(std::string_view encoded) const;

  const Message& msg_;
  std::string out_;
  std::vector<std::string_view> boundaries_;  // of the enclosing multiparts
};

bool Downgrader::holds_delimiter(std::string_view encoded) const {
  for (size_t line = 0; line < encoded.size();) {
    std::string_view rest = encoded.substr(line);
    if (rest.starts_with("--")) {
      for (std::string_view b : boundaries_) {
        if (rest.substr(2).starts_with(b)) return true;
      }
    }
    size_t nl = encoded.find('\n', line);
    if (nl == std::string_view::npos) break;
    line = nl + 1;
  }
  return false;
}

Status Downgrader::header(const Part& p, std::string_view encoding) {
  for (const HeaderField& f : p.fields) {
    if (!encoding.empty() && ascii_iequals(f.name, "Content-Transfer-Encoding")) continue;
    std::string_view bytes = msg_.bytes.substr(f.offset, f.end - f.offset);
    if (!has_8bit_byte(bytes)) {
      out_ += bytes;
      if (out_.back() != '\n') out_ += "\r\n";
      continue;
    }
    if (!is_unstructured(f.name)) {
      return failed_precondition(
          fmt::format("the {} field at byte {} holds 8-bit characters: the message needs SMTPUTF8",
                      std::string(f.name), f.offset));
    }
    std::string value = sanitize_utf8(unfold(f.value)).text;
    out_ += f.name;
    out_ += ':';
    out_ += encode_header_value(f.name, value);
    out_ += "\r\n";
  }
  if (!encoding.empty()) {
    out_ += "Content-Transfer-Encoding: ";
    out_ += encoding;
    out_ += "\r\n";
  }
  if (p.header_end == p.body_offset) {
    // No blank line was written (a header ended by a non-field line): one keeps the body
    // the body, also after a field added above.
    if (p.body_offset < p.body_end) out_ += "\r\n";
  } else {
    out_ += msg_.bytes.substr(p.header_end, p.body_offset - p.header_end);
  }
  return Status();
}

void Downgrader::copy_ignored(size_t from, size_t to) {
  // A boundary has at most 70 characters (RFC 2046 §5.1.1; the parser enforces no more
  // than its line), so among these some are in none of the enclosing ones.
  char replacement = '?';
  for (char candidate : std::string_view("?#*~!%&^|<>[]{}@$;")) {
    replacement = candidate;
    bool used = false;
    for (std::string_view b : boundaries_) used = used || b.find(candidate) != std::string_view::npos;
    if (!used) break;
  }
  for (size_t i = from; i < to; ++i) {
    char c = msg_.bytes[i];
    out_ += static_cast<unsigned char>(c) >= 0x80 || c == 0 ? replacement : c;
  }
}

Status Downgrader::leaf(const Part& p) {
  std::string_view raw = msg_.body_bytes(p);
  bool eight_bit_label =
      p.encoding == TransferEncoding::k8bit || p.encoding == TransferEncoding::kBinary;
  if (is_7bit_data(raw)) {
    MF_RETURN_IF_ERROR(header(p, eight_bit_label ? "7bit" : ""));
    out_ += raw;
    return Status();
  }
  if (p.encoding == TransferEncoding::kUnknown) {
    return failed_precondition(fmt::format(
        "the part at byte {} holds 8-bit data in the unknown transfer encoding '{}': it "
        "cannot be converted to 7 bits",
        p.header_offset, p.encoding_name));
  }
  std::string decoded;
  if (p.encoding == TransferEncoding::kBase64) {
    decoded = base64_decode(raw).bytes;
  } else if (p.encoding == TransferEncoding::kQuotedPrintable) {
    decoded = qp_decode(raw).bytes;
  } else {
    decoded = std::string(raw);
  }
  // The builder's rule: quoted-printable while it is no larger than base64. A soft line
  // break can bring "--boundary" to the start of a line, which would split the part:
  // then base64, whose alphabet has no '-'.
  std::string qp;
  if (p.content_type.type == "text" &&
      choose_text_encoding(decoded, false) != TextEncoding::kBase64) {
    qp = qp_encode(decoded, QpInput::kText);
    if (holds_delimiter(qp)) qp.clear();
  }
  if (!qp.empty()) {
    MF_RETURN_IF_ERROR(header(p, "quoted-printable"));
    out_ += qp;
  } else {
    MF_RETURN_IF_ERROR(header(p, "base64"));
    std::string encoded = base64_encode(decoded);
    // The line break before a following delimiter (or the message end) is the part's own.
    if (encoded.ends_with("\r\n") && p.parent != kNoPart) encoded.resize(encoded.size() - 2);
    out_ += encoded;
  }
  return Status();
}

Status Downgrader::entity(uint32_t index) {
  const Part& p = msg_.parts[index];
  bool eight_bit_label =
      p.encoding == TransferEncoding::k8bit || p.encoding == TransferEncoding::kBinary;
  switch (p.kind) {
    case PartKind::kLeaf:
      return leaf(p);
    case PartKind::kMessage: {
      std::string_view body = msg_.body_bytes(p);
      if (p.content_type.subtype == "global" && !is_7bit_data(body)) {
        MF_RETURN_IF_ERROR(header(p, "base64"));
        std::string encoded = base64_encode(body);
        if (encoded.ends_with("\r\n") && p.parent != kNoPart) encoded.resize(encoded.size() - 2);
        out_ += encoded;
        return Status();
      }
      MF_RETURN_IF_ERROR(header(p, eight_bit_label ? "7bit" : ""));
      return entity(p.children[0]);
    }
    case PartKind::kMultipart: {
      MF_RETURN_IF_ERROR(header(p, eight_bit_label ? "7bit" : ""));
      boundaries_.push_back(p.boundary);
      size_t pos = p.body_offset;
      for (uint32_t c : p.children) {
        const Part& child = msg_.parts[c];
        copy_ignored(pos, child.header_offset);
        MF_RETURN_IF_ERROR(entity(c));
        pos = child.body_end;
      }
      copy_ignored(pos, p.body_end);
      boundaries_.pop_back();
      return Status();
    }
  }
  return Status();
}

}  // namespace

bool is_7bit_message(std::string_view message) {
  return is_7bit_data(message);
}

Result<std::string> downgrade_to_7bit(std::string_view message, const MimeLimits& limits) {
  if (is_7bit_data(message)) return std::string(message);
  MF_ASSIGN_OR_RETURN(Message msg, parse_message(message, limits));
  Downgrader d(msg);
  MF_RETURN_IF_ERROR(d.entity(0));
  return d.take();
}

}  // namespace mf::mime
