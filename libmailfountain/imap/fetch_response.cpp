// imap/fetch_response.cpp — the data items of a FETCH response (see fetch_response.h).
#include "imap/fetch_response.h"

#include "base/text.h"
#include "mime/address.h"
#include "mime/header.h"
#include "mime/message.h"
#include "mime/transfer_encoding.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string_view>

namespace mf::imap {

namespace fetch_response_detail {

using mailbox::BodyStructure;
using mailbox::PartStructure;
using mime::PartKind;

// Deeper structures than MIME parsing allows are corrupt; the bound keeps the recursive
// writers' stack small whatever the cache holds.
constexpr int kMaxStructureDepth = 100;

// A served byte range [begin, end).
struct Range {
  uint64_t begin = 0, end = 0;
};

// The message being fetched: the source, and its structure once loaded, with children
// lists and the shift from structure offsets to served offsets.
class FetchedMessage {
 public:
  explicit FetchedMessage(FetchSource& src) : src_(src) {}

  FetchSource& source() { return src_; }

  // Loads the structure once: the cached one, or a parse of the served bytes.
  Status load() {
    if (parts_ != nullptr) return Status::ok();
    Result<const BodyStructure*> cached = src_.structure();
    if (cached.is_ok() && *cached != nullptr && !(*cached)->parts.empty()) {
      parts_ = &(*cached)->parts;
      shift_ = src_.prefix_size();
    } else if (!cached.is_ok() && cached.status().code() != Code::kNotFound) {
      return cached.status();
    } else {
      MF_RETURN_IF_ERROR(parse_served());
      parts_ = &owned_.parts;
      shift_ = 0;
    }
    children_.assign(parts_->size(), {});
    for (uint32_t i = 1; i < parts_->size(); ++i) {
      uint32_t parent = (*parts_)[i].parent;
      if (parent >= i) return corruption("the cached body structure of a message is inconsistent");
      children_[parent].push_back(i);
    }
    for (uint32_t i = 0; i < parts_->size(); ++i) {
      if ((*parts_)[i].kind == PartKind::kMessage && children_[i].size() != 1) {
        return corruption("the cached body structure of a message is inconsistent");
      }
    }
    return Status::ok();
  }

  const std::vector<PartStructure>& parts() const { return *parts_; }
  const std::vector<uint32_t>& children(uint32_t i) const { return children_[i]; }

  // The entity's header, including the blank line; the top header starts at 0 and
  // includes the prefix.
  Range header(uint32_t i) const {
    const PartStructure& p = (*parts_)[i];
    return {i == 0 ? 0 : clip(shift_ + p.header_offset), clip(shift_ + p.body_offset)};
  }
  Range body(uint32_t i) const {
    const PartStructure& p = (*parts_)[i];
    return {clip(shift_ + p.body_offset), clip(shift_ + p.body_end)};
  }

  Status read(Range r, std::string* out) {
    if (r.end <= r.begin) return Status::ok();
    return src_.read(r.begin, r.end - r.begin, out);
  }

  // The part an IMAP section-part names (mime::find_section's rules over the cached
  // tree), or kNoPart.
  uint32_t find(const std::vector<uint32_t>& section) const {
    uint32_t body = 0;
    const auto& parts = *parts_;
    for (size_t i = 0; i < section.size(); ++i) {
      uint32_t n = section[i];
      const PartStructure& b = parts[body];
      uint32_t cur;
      if (b.kind == PartKind::kMultipart) {
        if (n < 1 || n > children_[body].size()) return mime::kNoPart;
        cur = children_[body][n - 1];
      } else if (n == 1 && (body == 0 || parts[b.parent].kind == PartKind::kMessage)) {
        cur = body;  // a message that is not a multipart: part 1 is its body
      } else {
        return mime::kNoPart;
      }
      if (i + 1 == section.size()) return cur;
      const PartStructure& c = parts[cur];
      if (c.kind == PartKind::kMessage) {
        body = children_[cur][0];
      } else if (c.kind == PartKind::kMultipart && cur != body) {
        body = cur;
      } else {
        return mime::kNoPart;
      }
    }
    return 0;
  }

 private:
  uint64_t clip(uint64_t offset) const { return std::min(offset, src_.size()); }

  // No cached structure: parse what is served. A message over the MIME limits becomes
  // one text/plain part split at its first empty line.
  Status parse_served() {
    std::string bytes;
    MF_RETURN_IF_ERROR(src_.read(0, src_.size(), &bytes));
    Result<mime::Message> msg = mime::parse_message(std::string_view(bytes));
    if (msg.is_ok()) {
      owned_ = mailbox::make_structure(*msg);
      return Status::ok();
    }
    PartStructure p;
    p.type = "text";
    p.subtype = "plain";
    p.encoding = "7bit";
    size_t blank = bytes.find("\r\n\r\n");
    p.body_offset = blank == std::string::npos ? bytes.size() : blank + 4;
    p.body_end = bytes.size();
    std::string_view b = std::string_view(bytes).substr(p.body_offset);
    p.lines = static_cast<uint32_t>(std::count(b.begin(), b.end(), '\n') +
                                    (!b.empty() && b.back() != '\n' ? 1 : 0));
    p.envelope = mailbox::Envelope{};
    owned_.parts = {std::move(p)};
    return Status::ok();
  }

  FetchSource& src_;
  const std::vector<PartStructure>* parts_ = nullptr;
  BodyStructure owned_;
  uint64_t shift_ = 0;
  std::vector<std::vector<uint32_t>> children_;
};

// ---- Strings ----------------------------------------------------------------------------

void put_nstring(std::string& out, std::string_view s, Utf8 utf8) {
  if (s.empty()) {
    append_nil(out);
  } else {
    append_string(out, s, utf8);
  }
}

// Section contents: a literal ("" when empty), NUL sent as 0x80.
void put_section_content(std::string& out, std::string content) {
  if (content.empty()) {
    out += "\"\"";
    return;
  }
  std::replace(content.begin(), content.end(), '\0', '\x80');
  append_literal(out, content);
}

void put_binary_content(std::string& out, std::string_view content) {
  if (content.empty()) {
    out += "\"\"";
  } else {
    append_binary(out, content);
  }
}

// Content clipped to a partial range; empty when the origin is past the end.
std::string_view clip_partial(std::string_view s, const std::optional<Partial>& partial) {
  if (!partial) return s;
  if (partial->offset >= s.size()) return {};
  return s.substr(partial->offset, partial->count);
}

Range clip_partial(Range r, const std::optional<Partial>& partial) {
  if (!partial) return r;
  uint64_t size = r.end - r.begin;
  if (partial->offset >= size) return {r.begin, r.begin};
  uint64_t count = std::min(partial->count, size - partial->offset);
  return {r.begin + partial->offset, r.begin + partial->offset + count};
}

// ---- ENVELOPE ---------------------------------------------------------------------------

mime::AddressList parse_addresses(std::string_view value) {
  return mime::parse_address_list(value, mime::EncodedWords::kKeep);
}

// An address list: NIL when it holds no address; groups as RFC 9051 §7.5.2 says: a start
// (NIL NIL "name" NIL), the members, an end (NIL NIL NIL NIL).
void put_address_list(std::string& out, const mime::AddressList& list, Utf8 utf8) {
  if (list.mailboxes.empty()) {
    append_nil(out);
    return;
  }
  out += '(';
  const std::string* open_group = nullptr;
  for (const mime::Mailbox& m : list.mailboxes) {
    if (open_group && *open_group != m.group) {
      out += "(NIL NIL NIL NIL)";
      open_group = nullptr;
    }
    if (!m.group.empty() && !open_group) {
      out += "(NIL NIL ";
      append_string(out, m.group, utf8);
      out += " NIL)";
      open_group = &m.group;
    }
    bool empty_group = !m.group.empty() && m.local.empty() && m.domain.empty();
    if (empty_group) continue;
    out += '(';
    put_nstring(out, m.display_name, utf8);
    out += " NIL ";
    put_nstring(out, m.local, utf8);
    out += ' ';
    put_nstring(out, m.domain, utf8);
    out += ')';
  }
  if (open_group) out += "(NIL NIL NIL NIL)";
  out += ')';
}

// An nstring of ENVELOPE: NIL when the field is absent, "" when present but empty.
void put_envelope_nstring(std::string& out, const mailbox::Envelope& e, std::string_view s,
                          uint32_t bit, Utf8 utf8) {
  if (s.empty() && (e.present_empty & bit) != 0)
    out += "\"\"";
  else
    put_nstring(out, s, utf8);
}

void put_envelope(std::string& out, const mailbox::Envelope& e, Utf8 utf8) {
  out += '(';
  put_envelope_nstring(out, e, e.date, mailbox::kEnvelopeDate, utf8);
  out += ' ';
  put_envelope_nstring(out, e, e.subject, mailbox::kEnvelopeSubject, utf8);
  mime::AddressList from = parse_addresses(e.from);
  out += ' ';
  put_address_list(out, from, utf8);
  // RFC 9051 §7.5.2: absent or empty Sender and Reply-To are set to From.
  for (const std::string* defaulted : {&e.sender, &e.reply_to}) {
    mime::AddressList list = parse_addresses(*defaulted);
    out += ' ';
    put_address_list(out, list.mailboxes.empty() ? from : list, utf8);
  }
  for (const std::string* plain : {&e.to, &e.cc, &e.bcc}) {
    out += ' ';
    put_address_list(out, parse_addresses(*plain), utf8);
  }
  out += ' ';
  put_envelope_nstring(out, e, e.in_reply_to, mailbox::kEnvelopeInReplyTo, utf8);
  out += ' ';
  put_envelope_nstring(out, e, e.message_id, mailbox::kEnvelopeMessageId, utf8);
  out += ')';
}

// ---- BODY and BODYSTRUCTURE -------------------------------------------------------------

enum class Extensions { kWithout, kWith };

// An entity whose body cannot be described: Dovecot's empty text/plain.
constexpr std::string_view kEmptyBody =
    "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0)";
constexpr std::string_view kEmptyEnvelope = "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)";

class StructureWriter {
 public:
  StructureWriter(const FetchedMessage& msg, const FetchOptions& options, Extensions ext)
      : msg_(msg), options_(options), ext_(ext) {}

  Status write(std::string& out, uint32_t i, int depth) {
    if (depth > kMaxStructureDepth) {
      return corruption("the cached body structure of a message is nested too deeply");
    }
    const PartStructure& p = msg_.parts()[i];
    if (p.kind == PartKind::kMultipart) return write_multipart(out, i, depth);
    return write_single(out, i, depth);
  }

 private:
  Utf8 utf8() const { return options_.utf8; }

  void put_params(std::string& out, const std::vector<std::pair<std::string, std::string>>& params,
                  bool default_charset) {
    if (params.empty() && !default_charset) {
      append_nil(out);
      return;
    }
    out += '(';
    bool first = true;
    for (const auto& [name, value] : params) {
      if (!first) out += ' ';
      first = false;
      append_string(out, name, utf8());
      out += ' ';
      append_string(out, value, utf8());
    }
    if (default_charset) {
      if (!first) out += ' ';
      out += "\"charset\" \"us-ascii\"";
    }
    out += ')';
  }

  static bool has_charset(const PartStructure& p) {
    return std::any_of(p.params.begin(), p.params.end(),
                       [](const auto& kv) { return ascii_iequals(kv.first, "charset"); });
  }

  void put_encoding(std::string& out, const std::string& encoding) {
    append_string(out, encoding.empty() ? std::string_view("7bit") : encoding, utf8());
  }

  // body-fld-dsp SP body-fld-lang SP body-fld-loc
  void put_disposition_language_location(std::string& out, const PartStructure& p) {
    out += ' ';
    if (p.disposition.empty()) {
      append_nil(out);
    } else {
      out += '(';
      append_string(out, p.disposition, utf8());
      out += ' ';
      put_params(out, p.disposition_params, false);
      out += ')';
    }
    out += ' ';
    std::vector<std::string_view> tags;
    std::string_view rest = p.language;
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      std::string_view tag = rest.substr(0, comma);
      while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
      while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
      if (!tag.empty()) tags.push_back(tag);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
    if (tags.empty()) {
      append_nil(out);
    } else {
      out += '(';
      for (size_t k = 0; k < tags.size(); ++k) {
        if (k) out += ' ';
        append_string(out, tags[k], utf8());
      }
      out += ')';
    }
    out += ' ';
    put_nstring(out, p.location, utf8());
  }

  Status write_multipart(std::string& out, uint32_t i, int depth) {
    const PartStructure& p = msg_.parts()[i];
    out += '(';
    for (uint32_t c : msg_.children(i)) MF_RETURN_IF_ERROR(write(out, c, depth + 1));
    if (msg_.children(i).empty()) out += kEmptyBody;
    out += ' ';
    append_string(out, p.subtype.empty() ? std::string_view("mixed") : p.subtype, utf8());
    if (ext_ == Extensions::kWith) {
      out += ' ';
      put_params(out, p.params, false);
      put_disposition_language_location(out, p);
    }
    out += ')';
    return Status::ok();
  }

  Status write_single(std::string& out, uint32_t i, int depth) {
    const PartStructure& p = msg_.parts()[i];
    bool text = ascii_iequals(p.type, "text");
    bool rfc822 = ascii_iequals(p.type, "message") && ascii_iequals(p.subtype, "rfc822");
    bool global = ascii_iequals(p.type, "message") && ascii_iequals(p.subtype, "global");
    // The message form: envelope, body, lines. A message/rfc822 leaf (one sent in base64)
    // keeps the form, with an empty envelope and body, as the grammar expects it.
    bool message_form = rfc822 || (global && options_.imap4rev2 && p.kind == PartKind::kMessage);
    Range body = msg_.body(i);

    out += '(';
    append_string(out, p.type.empty() ? std::string_view("text") : p.type, utf8());
    out += ' ';
    append_string(out, p.subtype.empty() ? std::string_view("plain") : p.subtype, utf8());
    out += ' ';
    put_params(out, p.params, text && !has_charset(p));
    out += ' ';
    put_nstring(out, p.id, utf8());
    out += ' ';
    put_nstring(out, p.description, utf8());
    out += ' ';
    put_encoding(out, p.encoding);
    out += ' ';
    out += std::to_string(body.end - body.begin);
    if (message_form) {
      out += ' ';
      if (p.kind == PartKind::kMessage) {
        uint32_t child = msg_.children(i)[0];
        const auto& env = msg_.parts()[child].envelope;
        put_envelope(out, env ? *env : mailbox::Envelope{}, utf8());
        out += ' ';
        MF_RETURN_IF_ERROR(write(out, child, depth + 1));
      } else {
        out += kEmptyEnvelope;
        out += ' ';
        out += kEmptyBody;
      }
      out += ' ';
      out += std::to_string(p.lines);
    } else if (text) {
      out += ' ';
      out += std::to_string(p.lines);
    }
    if (ext_ == Extensions::kWith) {
      out += ' ';
      put_nstring(out, p.md5, utf8());
      put_disposition_language_location(out, p);
    }
    out += ')';
    return Status::ok();
  }

  const FetchedMessage& msg_;
  const FetchOptions& options_;
  Extensions ext_;
};

// ---- Sections ---------------------------------------------------------------------------

// The fields of a header block whose names are (or, with `exclude`, are not) in `names`,
// each with its folding and line end, in message order, then the blank line when the
// block has one (RFC 9051 §6.4.5).
Result<std::string> filter_header(std::string_view header, const std::vector<std::string>& names,
                                  bool exclude) {
  MF_ASSIGN_OR_RETURN(mime::HeaderBlock block, mime::parse_header_block(header));
  std::string out;
  for (const mime::HeaderField& f : block.fields) {
    bool listed = std::any_of(names.begin(), names.end(),
                              [&](const std::string& n) { return ascii_iequals(n, f.name); });
    if (listed == exclude) continue;
    std::string_view line = header.substr(f.offset, f.end - f.offset);
    out.append(line);
    if (line.empty() || line.back() != '\n') out += "\r\n";
  }
  if (block.body_offset > block.header_end) out += "\r\n";
  return out;
}

// The response name of a section: "1.2.HEADER.FIELDS (SUBJECT DATE)", "" for BODY[].
std::string section_name(const Section& s, Utf8 utf8) {
  std::string out;
  for (size_t k = 0; k < s.part.size(); ++k) {
    if (k) out += '.';
    out += std::to_string(s.part[k]);
  }
  std::string_view text;
  switch (s.text) {
    case Section::Text::kNone:
      return out;
    case Section::Text::kHeader:
      text = "HEADER";
      break;
    case Section::Text::kHeaderFields:
      text = "HEADER.FIELDS";
      break;
    case Section::Text::kHeaderFieldsNot:
      text = "HEADER.FIELDS.NOT";
      break;
    case Section::Text::kText:
      text = "TEXT";
      break;
    case Section::Text::kMime:
      text = "MIME";
      break;
  }
  if (!out.empty()) out += '.';
  out += text;
  if (s.text == Section::Text::kHeaderFields || s.text == Section::Text::kHeaderFieldsNot) {
    out += " (";
    for (size_t k = 0; k < s.fields.size(); ++k) {
      if (k) out += ' ';
      append_astring(out, s.fields[k], utf8);
    }
    out += ')';
  }
  return out;
}

// What a section's content is: a byte range of the served message, or bytes built here
// (HEADER.FIELDS), or nothing (a section that does not exist).
struct SectionContent {
  std::optional<Range> range;
  std::optional<std::string> bytes;
};

Result<SectionContent> locate_section(FetchedMessage& msg, const Section& s) {
  using Text = Section::Text;
  SectionContent c;
  uint32_t entity = 0;  // the message whose header or text is wanted
  if (s.part.empty()) {
    if (s.text == Text::kNone) {
      c.range = Range{0, msg.source().size()};
      return c;
    }
    MF_RETURN_IF_ERROR(msg.load());
  } else {
    MF_RETURN_IF_ERROR(msg.load());
    uint32_t part = msg.find(s.part);
    if (part == mime::kNoPart) return c;
    if (s.text == Text::kNone) {
      c.range = msg.body(part);
      return c;
    }
    if (s.text == Text::kMime) {
      c.range = msg.header(part);
      return c;
    }
    // HEADER, HEADER.FIELDS[.NOT], TEXT of a part: only of a message/rfc822 part.
    if (msg.parts()[part].kind != PartKind::kMessage) return c;
    entity = msg.children(part)[0];
  }
  switch (s.text) {
    case Text::kHeader:
      c.range = msg.header(entity);
      break;
    case Text::kText:
      c.range = msg.body(entity);
      break;
    case Text::kHeaderFields:
    case Text::kHeaderFieldsNot: {
      std::string header;
      MF_RETURN_IF_ERROR(msg.read(msg.header(entity), &header));
      MF_ASSIGN_OR_RETURN(c.bytes,
                          filter_header(header, s.fields, s.text == Text::kHeaderFieldsNot));
      break;
    }
    case Text::kMime:  // MIME of the message itself: the parser refuses it; its header
      c.range = msg.header(entity);
      break;
    case Text::kNone:
      break;
  }
  return c;
}

Status put_body_section(std::string& out, FetchedMessage& msg, const Section& s,
                        const std::optional<Partial>& partial) {
  MF_ASSIGN_OR_RETURN(SectionContent c, locate_section(msg, s));
  std::string content;
  if (c.range) {
    MF_RETURN_IF_ERROR(msg.read(clip_partial(*c.range, partial), &content));
  } else if (c.bytes) {
    content = std::string(clip_partial(*c.bytes, partial));
  }
  put_section_content(out, std::move(content));
  return Status::ok();
}

enum class Decoding { kIdentity, kBase64, kQuotedPrintable, kUnknown };

Decoding decoding_of(const std::string& encoding) {
  if (encoding.empty() || ascii_iequals(encoding, "7bit") || ascii_iequals(encoding, "8bit") ||
      ascii_iequals(encoding, "binary")) {
    return Decoding::kIdentity;
  }
  if (ascii_iequals(encoding, "base64")) return Decoding::kBase64;
  if (ascii_iequals(encoding, "quoted-printable")) return Decoding::kQuotedPrintable;
  return Decoding::kUnknown;
}

Status unknown_cte() {
  return failed_precondition("UNKNOWN-CTE");
}

// BINARY's content: the whole message as stored for BINARY[], a part's decoded body
// otherwise; nullopt for a part that does not exist.
struct BinaryContent {
  std::optional<Range> range;  // identity: bytes as served
  std::optional<std::string> decoded;
};

Result<BinaryContent> locate_binary(FetchedMessage& msg, const std::vector<uint32_t>& part) {
  BinaryContent c;
  if (part.empty()) {
    c.range = Range{0, msg.source().size()};
    return c;
  }
  MF_RETURN_IF_ERROR(msg.load());
  uint32_t i = msg.find(part);
  if (i == mime::kNoPart) return c;
  Decoding d = decoding_of(msg.parts()[i].encoding);
  if (d == Decoding::kUnknown) return unknown_cte();
  if (d == Decoding::kIdentity) {
    c.range = msg.body(i);
    return c;
  }
  std::string raw;
  MF_RETURN_IF_ERROR(msg.read(msg.body(i), &raw));
  c.decoded = d == Decoding::kBase64 ? mime::base64_decode(raw).bytes : mime::qp_decode(raw).bytes;
  return c;
}

Status put_binary(std::string& out, FetchedMessage& msg, const FetchItem& item) {
  MF_ASSIGN_OR_RETURN(BinaryContent c, locate_binary(msg, item.section.part));
  std::string content;
  if (c.range) {
    MF_RETURN_IF_ERROR(msg.read(clip_partial(*c.range, item.partial), &content));
  } else if (c.decoded) {
    content = std::string(clip_partial(*c.decoded, item.partial));
  }
  put_binary_content(out, content);
  return Status::ok();
}

// The decoded size; base64 and quoted-printable parts are decoded to know it.
Result<uint64_t> binary_size(FetchedMessage& msg, const std::vector<uint32_t>& part) {
  MF_ASSIGN_OR_RETURN(BinaryContent c, locate_binary(msg, part));
  if (c.range) return c.range->end - c.range->begin;
  return c.decoded ? c.decoded->size() : uint64_t{0};
}

// ---- Items ------------------------------------------------------------------------------

void put_flags(std::string& out, const mailbox::MessageInfo& info, const FetchOptions& options) {
  static constexpr std::pair<uint32_t, std::string_view> kSystem[] = {
      {mailbox::kSeen, "\\Seen"},       {mailbox::kAnswered, "\\Answered"},
      {mailbox::kFlagged, "\\Flagged"}, {mailbox::kDeleted, "\\Deleted"},
      {mailbox::kDraft, "\\Draft"},
  };
  std::vector<std::string> flags;
  for (const auto& [bit, name] : kSystem) {
    if (info.flags & bit) flags.emplace_back(name);
  }
  flags.insert(flags.end(), options.extra_flags.begin(), options.extra_flags.end());
  flags.insert(flags.end(), info.keywords.begin(), info.keywords.end());
  append_flag_list(out, flags);
}

std::string partial_suffix(const std::optional<Partial>& partial) {
  return partial ? "<" + std::to_string(partial->offset) + ">" : std::string();
}

Status put_item(std::string& out, const FetchItem& item, FetchedMessage& msg,
                const FetchOptions& options) {
  using Kind = FetchItem::Kind;
  FetchSource& src = msg.source();
  switch (item.kind) {
    case Kind::kFlags:
      out += "FLAGS ";
      put_flags(out, src.info(), options);
      return Status::ok();
    case Kind::kInternalDate:
      out += "INTERNALDATE \"";
      out += format_internal_date(src.info().internal_date);
      out += '"';
      return Status::ok();
    case Kind::kUid:
      out += "UID ";
      out += std::to_string(src.uid());
      return Status::ok();
    case Kind::kModSeq:
      out += "MODSEQ (";
      out += std::to_string(src.info().modseq);
      out += ')';
      return Status::ok();
    case Kind::kRfc822Size:
      out += "RFC822.SIZE ";
      out += std::to_string(src.info().size);
      return Status::ok();
    case Kind::kEnvelope: {
      MF_RETURN_IF_ERROR(msg.load());
      out += "ENVELOPE ";
      const auto& env = msg.parts()[0].envelope;
      put_envelope(out, env ? *env : mailbox::Envelope{}, options.utf8);
      return Status::ok();
    }
    case Kind::kBody:
    case Kind::kBodyStructure: {
      MF_RETURN_IF_ERROR(msg.load());
      bool ext = item.kind == Kind::kBodyStructure;
      out += ext ? "BODYSTRUCTURE " : "BODY ";
      StructureWriter w(msg, options, ext ? Extensions::kWith : Extensions::kWithout);
      return w.write(out, 0, 0);
    }
    case Kind::kRfc822:
    case Kind::kRfc822Header:
    case Kind::kRfc822Text: {
      Section s;
      if (item.kind == Kind::kRfc822Header) s.text = Section::Text::kHeader;
      if (item.kind == Kind::kRfc822Text) s.text = Section::Text::kText;
      out += item.kind == Kind::kRfc822         ? "RFC822 "
             : item.kind == Kind::kRfc822Header ? "RFC822.HEADER "
                                                : "RFC822.TEXT ";
      return put_body_section(out, msg, s, std::nullopt);
    }
    case Kind::kBodySection:
      out += "BODY[";
      out += section_name(item.section, options.utf8);
      out += ']';
      out += partial_suffix(item.partial);
      out += ' ';
      return put_body_section(out, msg, item.section, item.partial);
    case Kind::kBinary:
    case Kind::kBinarySize: {
      Section part_only;
      part_only.part = item.section.part;
      bool size = item.kind == Kind::kBinarySize;
      out += size ? "BINARY.SIZE[" : "BINARY[";
      out += section_name(part_only, options.utf8);
      out += ']';
      if (size) {
        MF_ASSIGN_OR_RETURN(uint64_t n, binary_size(msg, item.section.part));
        out += ' ';
        out += std::to_string(n);
        return Status::ok();
      }
      out += partial_suffix(item.partial);
      out += ' ';
      return put_binary(out, msg, item);
    }
  }
  return Status::ok();
}

// Days since 1970-01-01 to a civil date (H. Hinnant's algorithm).
void civil_from_days(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2 ? 1 : 0);
}

}  // namespace fetch_response_detail

std::string format_internal_date(int64_t unix_seconds) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int64_t days = unix_seconds / 86400;
  int64_t secs = unix_seconds % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  int64_t year = 0;
  unsigned month = 1, day = 1;
  fetch_response_detail::civil_from_days(days, &year, &month, &day);
  year = std::clamp<int64_t>(year, 0, 9999);  // date-year is 4DIGIT
  char buf[40];
  snprintf(buf, sizeof buf, "%02u-%s-%04lld %02lld:%02lld:%02lld +0000", day, kMonths[month - 1],
           static_cast<long long>(year), static_cast<long long>(secs / 3600),
           static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
  return buf;
}

Status append_fetch_items(const std::vector<FetchItem>& items, FetchSource& msg,
                          const FetchOptions& options, std::string* out) {
  fetch_response_detail::FetchedMessage fetched(msg);
  for (size_t k = 0; k < items.size(); ++k) {
    if (k) *out += ' ';
    MF_RETURN_IF_ERROR(fetch_response_detail::put_item(*out, items[k], fetched, options));
  }
  return Status::ok();
}

bool fetch_sets_seen(const std::vector<FetchItem>& items) {
  using Kind = FetchItem::Kind;
  return std::any_of(items.begin(), items.end(), [](const FetchItem& i) {
    return ((i.kind == Kind::kBodySection || i.kind == Kind::kBinary) && !i.peek) ||
           i.kind == Kind::kRfc822 || i.kind == Kind::kRfc822Text;
  });
}

}  // namespace mf::imap
