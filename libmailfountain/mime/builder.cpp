// mime/builder.cpp — building a message from a tree of entities (see builder.h).
//
// Entities are written bottom-up: a multipart first writes its children, then picks a
// boundary that none of them contains. Header fields are written by header_format.h.
//
// Boundaries are "=_" and 24 characters of [0-9a-v]. "=_" cannot occur in base64 (no
// '_', and '=' only as final padding) nor in quoted-printable (an '=' is followed by two
// hex digits or a line break), so only 7bit/8bit text, verbatim parts and header fields
// can hold it; the boundary is checked against all of them anyway. All boundaries have
// the same length, so one is never a prefix of another.
#include "mime/builder.h"

#include "base/text.h"
#include "mime/charset.h"
#include "mime/header_format.h"
#include "mime/transfer_encoding.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace mf::mime {

namespace {

constexpr std::string_view kBoundaryPrefix = "=_";
constexpr size_t kBoundaryChars = 24;  // 120 bits from the generator
constexpr int kBoundaryTries = 16;
constexpr char kBoundaryAlphabet[] = "0123456789abcdefghijklmnopqrstuv";

// Dates format_date can write: local time within years 1900..9999.
constexpr int64_t kFirstFormattableSecond = -2208988800;  // 1900-01-01T00:00:00
constexpr int64_t kLastFormattableSecond = 253402300799;  // 9999-12-31T23:59:59

// SplitMix64: a small generator whose state is a counter; one per build, seeded by the
// caller, so the library holds no random state.
uint64_t splitmix64(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// FNV-1a, to make boundaries after a clash depend on the content.
uint64_t fnv1a(std::string_view s, uint64_t h) {
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

bool ends_with_crlf(std::string_view s) {
  return s.size() >= 2 && s.substr(s.size() - 2) == "\r\n";
}

// CRLF, bare LF and bare CR all become CRLF; a final line break is added to non-empty
// text that lacks one.
std::string normalize_line_ends(std::string_view in) {
  std::string out;
  out.reserve(in.size() + in.size() / 32 + 2);
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '\r') {
      out += "\r\n";
      if (i + 1 < in.size() && in[i + 1] == '\n') ++i;
    } else if (c == '\n') {
      out += "\r\n";
    } else {
      out.push_back(c);
    }
  }
  if (!out.empty() && !ends_with_crlf(out)) out += "\r\n";
  return out;
}

// The transfer encoding's name in Content-Transfer-Encoding.
std::string_view encoding_name(TextEncoding e) {
  switch (e) {
    case TextEncoding::k7bit:
      return "7bit";
    case TextEncoding::k8bit:
      return "8bit";
    case TextEncoding::kQuotedPrintable:
      return "quoted-printable";
    case TextEncoding::kBase64:
      return "base64";
  }
  return "base64";
}

// Fields only the builder writes; an extra field of one of these names is refused.
bool is_builder_field(std::string_view name) {
  static constexpr std::string_view kNames[] = {"date",
                                                "from",
                                                "sender",
                                                "reply-to",
                                                "to",
                                                "cc",
                                                "bcc",
                                                "subject",
                                                "message-id",
                                                "in-reply-to",
                                                "references",
                                                "mime-version",
                                                "content-type",
                                                "content-transfer-encoding",
                                                "content-disposition",
                                                "content-id",
                                                "content-description"};
  for (std::string_view n : kNames) {
    if (ascii_iequals(n, name)) return true;
  }
  return false;
}

// An entity written out: its MIME header fields (each ending with CRLF) and its body.
struct Written {
  std::string headers;
  std::string body;
  bool eight_bit = false;  // the body (or a descendant's) holds 8-bit text
};

// One build: the options, the boundary generator and the boundaries used so far.
class Builder {
 public:
  explicit Builder(const BuildOptions& options)
      : options_(options),
        charset_(options.smtputf8 ? HeaderCharset::kUtf8 : HeaderCharset::kAscii),
        state_(options.boundary_seed) {}

  HeaderCharset charset() const { return charset_; }

  // Writes `e`, found at `path` ("" for the message body, "1.2" inside multiparts).
  Result<Written> write(const Entity& e, const std::string& path, size_t depth);

 private:
  Result<Written> write_leaf(const Entity& e, std::string_view what, std::string_view type,
                             std::string_view subtype);
  Result<Written> write_multipart(const Entity& e, std::string_view what, const std::string& path,
                                  size_t depth);
  // Content-Disposition, Content-ID and Content-Description of `e`.
  Status write_common_fields(const Entity& e, std::string* headers);
  Result<std::string> pick_boundary(std::string_view what,
                                    const std::vector<std::string>& children);

  BuildOptions options_;
  HeaderCharset charset_;
  uint64_t state_;
  std::vector<std::string> used_boundaries_;
};

Result<Written> Builder::write(const Entity& e, const std::string& path, size_t depth) {
  std::string type = ascii_lower(e.type);
  std::string subtype = ascii_lower(e.subtype);
  std::string what = path.empty() ? fmt::format("the message body ({}/{})", type, subtype)
                                  : fmt::format("part {} ({}/{})", path, type, subtype);
  if (e.content == ContentKind::kMultipart) {
    if (type != "multipart") {
      return invalid_argument(
          fmt::format("{}: an entity with parts must have type multipart", what));
    }
    return write_multipart(e, what, path, depth);
  }
  if (type == "multipart") {
    return invalid_argument(
        fmt::format("{}: a multipart entity needs ContentKind::kMultipart", what));
  }
  return write_leaf(e, what, type, subtype);
}

Status Builder::write_common_fields(const Entity& e, std::string* headers) {
  if (e.disposition != Disposition::kNone || !e.filename.empty()) {
    std::vector<Parameter> params;
    if (!e.filename.empty()) params.push_back({"filename", e.filename, ""});
    std::string_view value = e.disposition == Disposition::kInline ? "inline" : "attachment";
    MF_ASSIGN_OR_RETURN(std::string field,
                        format_parameter_field("Content-Disposition", value, params, charset_));
    *headers += field;
  }
  if (!e.content_id.empty()) {
    MF_ASSIGN_OR_RETURN(std::string field,
                        format_message_id_field("Content-ID", {e.content_id}, charset_));
    *headers += field;
  }
  if (!e.description.empty()) {
    MF_ASSIGN_OR_RETURN(std::string field,
                        format_unstructured_field("Content-Description", e.description, charset_));
    *headers += field;
  }
  return Status::ok();
}

Result<Written> Builder::write_leaf(const Entity& e, std::string_view what, std::string_view type,
                                    std::string_view subtype) {
  bool is_message = type == "message" && (subtype == "rfc822" || subtype == "global");
  if (is_message && e.content != ContentKind::kVerbatim) {
    return invalid_argument(fmt::format(
        "{}: an embedded message must be ContentKind::kVerbatim (RFC 2046 §5.2.1 forbids "
        "encoding it)",
        what));
  }
  bool text_charset = type == "text" && e.content == ContentKind::kText;
  std::vector<Parameter> params;
  if (text_charset) params.push_back({"charset", "utf-8", ""});
  bool has_name = false;
  for (const Parameter& p : e.params) {
    if (ascii_iequals(p.name, "boundary")) {
      return invalid_argument(fmt::format("{}: only a multipart has a boundary parameter", what));
    }
    if (text_charset && ascii_iequals(p.name, "charset")) {
      return invalid_argument(fmt::format(
          "{}: the charset parameter is the builder's (text parts are UTF-8 and declared so)",
          what));
    }
    if (ascii_iequals(p.name, "name")) has_name = true;
    params.push_back(p);
  }
  if (!e.filename.empty() && !has_name) params.push_back({"name", e.filename, ""});

  Written out;
  TextEncoding encoding = TextEncoding::kBase64;
  switch (e.content) {
    case ContentKind::kText: {
      for (size_t i = 0; i < e.data.size();) {
        size_t n =
            static_cast<unsigned char>(e.data[i]) < 0x80 ? 1 : utf8_sequence_length(e.data, i);
        if (n == 0) {
          return invalid_argument(fmt::format(
              "{} is not valid UTF-8 (byte {}); text parts are UTF-8, other bytes go in a binary "
              "part",
              what, i));
        }
        i += n;
      }
      std::string text = normalize_line_ends(e.data);
      encoding = choose_text_encoding(text, options_.eight_bit);
      switch (encoding) {
        case TextEncoding::k7bit:
        case TextEncoding::k8bit:
          out.body = std::move(text);
          break;
        case TextEncoding::kQuotedPrintable:
          out.body = qp_encode(text, QpInput::kText);
          break;
        case TextEncoding::kBase64:
          out.body = base64_encode(text);
          break;
      }
      break;
    }
    case ContentKind::kBinary:
      out.body = base64_encode(e.data);
      break;
    case ContentKind::kVerbatim: {
      std::string_view d = e.data;
      bool eight = false;
      size_t line_start = 0;
      for (size_t i = 0; i < d.size(); ++i) {
        auto c = static_cast<unsigned char>(d[i]);
        if (c == '\r' || c == '\n') {
          if (c == '\n' || i + 1 == d.size() || d[i + 1] != '\n') {
            return invalid_argument(fmt::format(
                "{} has a bare {} at byte {}; its bytes are written as they are and must have CRLF "
                "line ends",
                what, c == '\r' ? "CR" : "LF", i));
          }
          if (i - line_start > kMaxLineLength) {
            return invalid_argument(
                fmt::format("{} has a line of {} octets (at byte {}); at most {} are allowed", what,
                            i - line_start, line_start, kMaxLineLength));
          }
          line_start = i + 2;
          ++i;
        } else if (c == 0) {
          return invalid_argument(fmt::format("{} holds a NUL byte at byte {}", what, i));
        } else if (c >= 0x80) {
          eight = true;
        }
      }
      if (d.size() - line_start > kMaxLineLength) {
        return invalid_argument(
            fmt::format("{} has a line of {} octets (at byte {}); at most {} are allowed", what,
                        d.size() - line_start, line_start, kMaxLineLength));
      }
      if (eight && !options_.eight_bit) {
        return invalid_argument(fmt::format(
            "{} holds 8-bit bytes, which only 8BITMIME (eight_bit) can carry as they are; without "
            "it, return only the headers (text/rfc822-headers)",
            what));
      }
      encoding = eight ? TextEncoding::k8bit : TextEncoding::k7bit;
      out.body = e.data;
      break;
    }
    case ContentKind::kMultipart:
      return internal_error("write_leaf called on a multipart");
  }
  out.eight_bit = encoding == TextEncoding::k8bit;

  Result<std::string> content_type = format_parameter_field(
      "Content-Type", fmt::format("{}/{}", e.type, e.subtype), params, charset_);
  if (!content_type.is_ok()) return content_type.status().with_context(what);
  out.headers = std::move(content_type).value();
  out.headers += fmt::format("Content-Transfer-Encoding: {}\r\n", encoding_name(encoding));
  Status common = write_common_fields(e, &out.headers);
  if (!common.is_ok()) return common.with_context(what);
  return out;
}

Result<Written> Builder::write_multipart(const Entity& e, std::string_view what,
                                         const std::string& path, size_t depth) {
  if (depth >= kMaxBuildDepth) {
    return resource_exhausted(
        fmt::format("{} nests multiparts {} levels deep; at most {} are built", what, depth + 1,
                    kMaxBuildDepth));
  }
  if (e.parts.empty()) {
    return invalid_argument(
        fmt::format("{} has no parts; a multipart needs one at least (RFC 2046 §5.1.1)", what));
  }
  for (const Parameter& p : e.params) {
    if (ascii_iequals(p.name, "boundary")) {
      return invalid_argument(
          fmt::format("{}: the boundary parameter is the builder's to choose", what));
    }
  }
  Written out;
  std::vector<std::string> children;
  children.reserve(e.parts.size());
  for (size_t i = 0; i < e.parts.size(); ++i) {
    std::string child_path =
        path.empty() ? std::to_string(i + 1) : fmt::format("{}.{}", path, i + 1);
    MF_ASSIGN_OR_RETURN(Written child, write(e.parts[i], child_path, depth + 1));
    out.eight_bit = out.eight_bit || child.eight_bit;
    children.push_back(std::move(child.headers) + "\r\n" + std::move(child.body));
  }
  MF_ASSIGN_OR_RETURN(std::string boundary, pick_boundary(what, children));

  // RFC 2046 §5.1.1: the CRLF before each delimiter belongs to the delimiter.
  size_t size = 0;
  for (const std::string& c : children) size += c.size() + boundary.size() + 6;
  out.body.reserve(size + boundary.size() + 6);
  for (const std::string& c : children) {
    out.body += "--";
    out.body += boundary;
    out.body += "\r\n";
    out.body += c;
    out.body += "\r\n";
  }
  out.body += "--";
  out.body += boundary;
  out.body += "--\r\n";

  std::vector<Parameter> params = e.params;
  params.push_back({"boundary", boundary, ""});
  Result<std::string> content_type = format_parameter_field(
      "Content-Type", fmt::format("{}/{}", e.type, e.subtype), params, charset_);
  if (!content_type.is_ok()) return content_type.status().with_context(what);
  out.headers = std::move(content_type).value();
  // RFC 2045 §6.4: a multipart's encoding is 7bit (the default), or 8bit when it holds
  // 8bit content.
  if (out.eight_bit) out.headers += "Content-Transfer-Encoding: 8bit\r\n";
  Status common = write_common_fields(e, &out.headers);
  if (!common.is_ok()) return common.with_context(what);
  return out;
}

Result<std::string> Builder::pick_boundary(std::string_view what,
                                           const std::vector<std::string>& children) {
  uint64_t salt = 0;
  for (int attempt = 0; attempt < kBoundaryTries; ++attempt) {
    std::string b(kBoundaryPrefix);
    for (int half = 0; half < 2; ++half) {
      uint64_t bits = splitmix64(&state_) ^ salt;
      for (size_t k = 0; k < kBoundaryChars / 2; ++k) {
        b.push_back(kBoundaryAlphabet[bits & 31]);
        bits >>= 5;
      }
    }
    bool clash =
        std::find(used_boundaries_.begin(), used_boundaries_.end(), b) != used_boundaries_.end();
    for (size_t i = 0; i < children.size() && !clash; ++i) {
      clash = children[i].find(b) != std::string::npos;
    }
    if (!clash) {
      used_boundaries_.push_back(b);
      return b;
    }
    // Later candidates depend on the content too, so text crafted against a known seed
    // cannot hold them all.
    if (salt == 0) {
      salt = 0xcbf29ce484222325ULL;
      for (const std::string& c : children) salt = fnv1a(c, salt);
    }
  }
  return internal_error(
      fmt::format("{}: no boundary absent from the parts after {} tries", what, kBoundaryTries));
}

}  // namespace

TextEncoding choose_text_encoding(std::string_view text, bool eight_bit) {
  bool non_ascii = false;
  bool controls = false;
  bool unsafe_line = false;  // too long, or starting with "." or "From "
  size_t escaped = 0;        // bytes quoted-printable must write as =XX
  size_t line_start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) {
      std::string_view line = text.substr(line_start, i - line_start);
      if (line.size() > kMaxLineLength || line.starts_with(".") || line.starts_with("From ")) {
        unsafe_line = true;
      }
      line_start = i + 2;
      ++i;
      continue;
    }
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      non_ascii = true;
      ++escaped;
    } else if ((c < 0x20 && c != '\t' && c != '\f') || c == 0x7f) {
      controls = true;  // NUL, a bare CR or LF...
      ++escaped;
    } else if (c == '=') {
      ++escaped;
    }
  }
  if (!controls && !unsafe_line) {
    if (!non_ascii) return TextEncoding::k7bit;
    if (eight_bit) return TextEncoding::k8bit;
  }
  return escaped * 6 <= text.size() ? TextEncoding::kQuotedPrintable : TextEncoding::kBase64;
}

Entity text_part(std::string_view subtype, std::string utf8) {
  Entity e;
  e.type = "text";
  e.subtype = std::string(subtype);
  e.content = ContentKind::kText;
  e.data = std::move(utf8);
  return e;
}

Entity binary_part(std::string_view type, std::string_view subtype, std::string bytes) {
  Entity e;
  e.type = std::string(type);
  e.subtype = std::string(subtype);
  e.content = ContentKind::kBinary;
  e.data = std::move(bytes);
  return e;
}

Entity multipart(std::string_view subtype, std::vector<Entity> parts) {
  Entity e;
  e.type = "multipart";
  e.subtype = std::string(subtype);
  e.content = ContentKind::kMultipart;
  e.parts = std::move(parts);
  return e;
}

Entity message_part(std::string message) {
  Entity e;
  e.type = "message";
  e.subtype = "rfc822";
  e.content = ContentKind::kVerbatim;
  e.data = std::move(message);
  return e;
}

Entity delivery_status_part(std::string_view fields) {
  Entity e;
  e.type = "message";
  e.subtype = "delivery-status";
  e.content = ContentKind::kVerbatim;
  e.data = normalize_line_ends(fields);
  return e;
}

Entity headers_part(std::string_view header_block) {
  return text_part("rfc822-headers", sanitize_utf8(header_block).text);
}

Result<std::string> build_message(const OutgoingMessage& m, const BuildOptions& options) {
  Builder builder(options);
  HeaderCharset cs = builder.charset();
  if (m.from.empty()) {
    return invalid_argument(
        "a message needs a From address (RFC 5322 §3.6); OutgoingMessage::from is empty");
  }
  if (m.from.size() > 1 && !m.sender) {
    return invalid_argument(
        "a message with several From addresses needs a Sender (RFC 5322 §3.6.2)");
  }
  std::string out;
  auto add = [&out](Result<std::string> field) -> Status {
    if (!field.is_ok()) return field.status();
    out += *field;
    return Status::ok();
  };
  if (m.date) {
    int64_t local = m.date->unix_seconds + int64_t{m.date->zone_minutes} * 60;
    if (m.date->zone_minutes <= -6000 || m.date->zone_minutes >= 6000 ||
        local < kFirstFormattableSecond || local > kLastFormattableSecond) {
      return invalid_argument(
          "the Date is outside what RFC 5322 can write (years 1900 to 9999, "
          "zones within ±99:59)");
    }
    out += format_date_field(*m.date);
  }
  MF_RETURN_IF_ERROR(add(format_address_field("From", m.from, cs)));
  if (m.sender) MF_RETURN_IF_ERROR(add(format_address_field("Sender", {*m.sender}, cs)));
  if (!m.reply_to.empty())
    MF_RETURN_IF_ERROR(add(format_address_field("Reply-To", m.reply_to, cs)));
  if (!m.to.empty()) MF_RETURN_IF_ERROR(add(format_address_field("To", m.to, cs)));
  if (!m.cc.empty()) MF_RETURN_IF_ERROR(add(format_address_field("Cc", m.cc, cs)));
  if (!m.subject.empty())
    MF_RETURN_IF_ERROR(add(format_unstructured_field("Subject", m.subject, cs)));
  if (!m.message_id.empty()) {
    MF_RETURN_IF_ERROR(add(format_message_id_field("Message-ID", {m.message_id}, cs)));
  }
  if (!m.in_reply_to.empty()) {
    MF_RETURN_IF_ERROR(add(format_message_id_field("In-Reply-To", m.in_reply_to, cs)));
  }
  if (!m.references.empty()) {
    MF_RETURN_IF_ERROR(add(format_message_id_field("References", m.references, cs)));
  }
  for (const ExtraField& f : m.extra_fields) {
    MF_RETURN_IF_ERROR(validate_field_name(f.name));
    if (is_builder_field(f.name)) {
      return invalid_argument(fmt::format(
          "the extra field '{}' is one the builder writes itself; set it in the message or its "
          "body entity (Bcc is never written into a message)",
          f.name));
    }
    MF_RETURN_IF_ERROR(add(format_unstructured_field(f.name, f.value, cs)));
  }
  out += "MIME-Version: 1.0\r\n";
  MF_ASSIGN_OR_RETURN(Written body, builder.write(m.body, "", 0));
  out += body.headers;
  out += "\r\n";
  out += body.body;
  if (!ends_with_crlf(out)) out += "\r\n";
  return out;
}

}  // namespace mf::mime
