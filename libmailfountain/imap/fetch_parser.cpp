// imap/fetch_parser.cpp — FETCH's arguments (RFC 9051 §6.4.5, RFC 3516 BINARY, RFC 7162
// CHANGEDSINCE and VANISHED): the sequence set, the items (macros expanded), sections,
// partial ranges and modifiers.
#include "base/text.h"
#include "imap/chars.h"
#include "imap/command_parts.h"

namespace mf::imap {

namespace {

using FetchKind = FetchItem::Kind;

bool is_name_char(char c) {
  return is_digit(c) || c == '.' || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

FetchItem simple(FetchKind kind) {
  FetchItem item;
  item.kind = kind;
  return item;
}

// The text after a section's part numbers (or alone): HEADER, HEADER.FIELDS[.NOT] (...),
// TEXT, and MIME after a part.
Status section_text(TokenCursor& c, Section& s, bool after_part) {
  std::string word = ascii_lower(c.take_while(is_name_char));
  if (word == "header") {
    s.text = Section::Text::kHeader;
  } else if (word == "text") {
    s.text = Section::Text::kText;
  } else if (word == "mime" && after_part) {
    s.text = Section::Text::kMime;
  } else if (word == "header.fields" || word == "header.fields.not") {
    s.text =
        word == "header.fields" ? Section::Text::kHeaderFields : Section::Text::kHeaderFieldsNot;
    MF_RETURN_IF_ERROR(c.sp());
    MF_RETURN_IF_ERROR(c.expect('(', "header list"));
    while (true) {
      if (s.fields.size() >= c.limits().max_list_items) return bad("Too many header fields");
      MF_ASSIGN_OR_RETURN(std::string field, c.astring());
      if (field.empty()) return bad("Invalid section: empty header field name");
      s.fields.push_back(std::move(field));
      if (c.consume(')')) break;
      MF_RETURN_IF_ERROR(c.sp());
    }
  } else {
    return bad("Invalid section");
  }
  return Status::ok();
}

// "[" section-spec "]" for BODY; "[" [section-part] "]" for BINARY (`binary`).
Status section(TokenCursor& c, Section& s, bool binary) {
  if (!c.consume('[')) return bad("Invalid section");
  if (c.consume(']')) return Status::ok();
  if (is_digit(c.peek())) {
    while (true) {
      if (s.part.size() >= 100) return bad("Invalid section: too deep");
      auto n = c.nz_number();
      if (!n.is_ok()) return bad("Invalid section");
      s.part.push_back(*n);
      if (c.peek() == '.' && is_digit(c.peek(1))) {
        c.consume('.');
        continue;
      }
      break;
    }
    if (!binary && c.consume('.')) MF_RETURN_IF_ERROR(section_text(c, s, true));
  } else if (binary) {
    return bad("Invalid section");
  } else {
    MF_RETURN_IF_ERROR(section_text(c, s, false));
  }
  if (!c.consume(']')) return bad("Invalid section");
  return Status::ok();
}

// "<" number64 "." nz-number64 ">", when present.
Status partial(TokenCursor& c, std::optional<Partial>& p) {
  if (!c.consume('<')) return Status::ok();
  Partial out;
  auto offset = c.number64();
  if (!offset.is_ok() || !c.consume('.')) return bad("Invalid partial range");
  auto count = c.nz_number64();
  if (!count.is_ok() || !c.consume('>')) return bad("Invalid partial range");
  out.offset = *offset;
  out.count = *count;
  p = out;
  return Status::ok();
}

Result<FetchItem> item(TokenCursor& c) {
  if (c.at_end()) return bad("Missing argument");
  std::string name = ascii_lower(c.take_while(is_name_char));
  if (name == "envelope") return simple(FetchKind::kEnvelope);
  if (name == "flags") return simple(FetchKind::kFlags);
  if (name == "internaldate") return simple(FetchKind::kInternalDate);
  if (name == "rfc822") return simple(FetchKind::kRfc822);
  if (name == "rfc822.header") return simple(FetchKind::kRfc822Header);
  if (name == "rfc822.size") return simple(FetchKind::kRfc822Size);
  if (name == "rfc822.text") return simple(FetchKind::kRfc822Text);
  if (name == "bodystructure") return simple(FetchKind::kBodyStructure);
  if (name == "uid") return simple(FetchKind::kUid);
  if (name == "modseq") return simple(FetchKind::kModSeq);
  FetchItem it;
  if (name == "body" && c.peek() != '[') return simple(FetchKind::kBody);
  if (name == "body" || name == "body.peek") {
    it.kind = FetchKind::kBodySection;
    it.peek = name == "body.peek";
    MF_RETURN_IF_ERROR(section(c, it.section, false));
    MF_RETURN_IF_ERROR(partial(c, it.partial));
    return it;
  }
  if (name == "binary" || name == "binary.peek") {
    it.kind = FetchKind::kBinary;
    it.peek = name == "binary.peek";
    MF_RETURN_IF_ERROR(section(c, it.section, true));
    MF_RETURN_IF_ERROR(partial(c, it.partial));
    return it;
  }
  if (name == "binary.size") {
    it.kind = FetchKind::kBinarySize;
    MF_RETURN_IF_ERROR(section(c, it.section, true));
    return it;
  }
  return bad("Unknown fetch item");
}

Status modifiers(TokenCursor& c, FetchArgs& args, bool uid) {
  MF_RETURN_IF_ERROR(c.expect('(', "fetch modifiers"));
  while (true) {
    if (c.keyword("CHANGEDSINCE")) {
      if (args.changed_since) return bad("Duplicate fetch modifier");
      MF_RETURN_IF_ERROR(c.sp());
      MF_ASSIGN_OR_RETURN(uint64_t v, c.nz_number64());
      args.changed_since = v;
    } else if (c.keyword("VANISHED")) {
      if (args.vanished) return bad("Duplicate fetch modifier");
      args.vanished = true;
    } else {
      return c.at_end() ? bad("Missing argument") : bad("Unknown fetch modifier");
    }
    if (c.consume(')')) break;
    MF_RETURN_IF_ERROR(c.sp());
  }
  // RFC 7162 §3.2.6: VANISHED only in UID FETCH, and only with CHANGEDSINCE.
  if (args.vanished && (!uid || !args.changed_since)) {
    return bad("VANISHED needs UID FETCH and CHANGEDSINCE");
  }
  return Status::ok();
}

}  // namespace

Result<FetchArgs> parse_fetch_args(TokenCursor& c, bool uid) {
  FetchArgs args;
  MF_ASSIGN_OR_RETURN(args.set, c.sequence_set());
  MF_RETURN_IF_ERROR(c.sp());
  if (c.keyword("ALL")) {
    args.items = {simple(FetchKind::kFlags), simple(FetchKind::kInternalDate),
                  simple(FetchKind::kRfc822Size), simple(FetchKind::kEnvelope)};
  } else if (c.keyword("FAST")) {
    args.items = {simple(FetchKind::kFlags), simple(FetchKind::kInternalDate),
                  simple(FetchKind::kRfc822Size)};
  } else if (c.keyword("FULL")) {
    args.items = {simple(FetchKind::kFlags), simple(FetchKind::kInternalDate),
                  simple(FetchKind::kRfc822Size), simple(FetchKind::kEnvelope),
                  simple(FetchKind::kBody)};
  } else if (c.consume('(')) {
    while (true) {
      if (args.items.size() >= c.limits().max_list_items) return bad("Too many fetch items");
      MF_ASSIGN_OR_RETURN(FetchItem it, item(c));
      args.items.push_back(std::move(it));
      if (c.consume(')')) break;
      MF_RETURN_IF_ERROR(c.sp());
    }
  } else {
    MF_ASSIGN_OR_RETURN(FetchItem it, item(c));
    args.items.push_back(std::move(it));
  }
  if (!c.at_end()) {
    MF_RETURN_IF_ERROR(c.sp());
    MF_RETURN_IF_ERROR(modifiers(c, args, uid));
  }
  return args;
}

}  // namespace mf::imap
