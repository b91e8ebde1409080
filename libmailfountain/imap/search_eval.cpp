// imap/search_eval.cpp — evaluating SEARCH programs (see search_eval.h).
#include "imap/search_eval.h"

#include "base/text.h"
#include "imap/search_text.h"
#include "mime/body.h"
#include "mime/charset.h"
#include "mime/date.h"
#include "mime/header.h"
#include "mime/message.h"
#include "mime/transfer_encoding.h"

#include <algorithm>
#include <optional>
#include <string>

namespace mf::imap {

namespace search_eval_detail {

using Kind = SearchKey::Kind;

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
// Out-of-range days ("31 Feb") count on into the next month, which keeps comparisons sane.
int64_t civil_day_number(int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int64_t day_of(int64_t unix_seconds, int zone_minutes) {
  int64_t local = unix_seconds + int64_t{zone_minutes} * 60;
  return local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
}

// Header blocks as served were accepted by the store: no limit beyond their own size.
mime::HeaderLimits unlimited_header(std::string_view bytes) {
  mime::HeaderLimits limits;
  limits.max_bytes = bytes.size() + 1;
  limits.max_fields = bytes.size() + 1;
  return limits;
}

// 0: MessageInfo only; 1: the header; 2: the whole message.
int key_cost(Kind kind) {
  switch (kind) {
    case Kind::kBcc:
    case Kind::kCc:
    case Kind::kFrom:
    case Kind::kHeader:
    case Kind::kSubject:
    case Kind::kTo:
    case Kind::kSentBefore:
    case Kind::kSentOn:
    case Kind::kSentSince:
      return 1;
    case Kind::kBody:
    case Kind::kText:
      return 2;
    default:
      return 0;
  }
}

std::string_view header_field_of(Kind kind) {
  switch (kind) {
    case Kind::kBcc:
      return "Bcc";
    case Kind::kCc:
      return "Cc";
    case Kind::kFrom:
      return "From";
    case Kind::kSubject:
      return "Subject";
    case Kind::kTo:
      return "To";
    default:
      return "";
  }
}

bool in_ranges(const std::vector<UidRange>& ranges, uint32_t n) {
  auto it = std::upper_bound(ranges.begin(), ranges.end(), n,
                             [](uint32_t v, const UidRange& r) { return v < r.first; });
  return it != ranges.begin() && n <= std::prev(it)->last;
}

// Text of a part in UTF-8: its charset's conversion, or the decoded bytes as they are.
std::string part_utf8(std::string_view decoded, std::string_view charset,
                      mime::CharsetConverters* converters) {
  auto text = mime::to_utf8(charset.empty() ? "us-ascii" : charset, decoded, converters);
  if (text.is_ok()) return std::move(text->text);
  return mime::sanitize_utf8(decoded).text;
}

std::string decode_transfer(std::string_view bytes, std::string_view encoding) {
  if (ascii_iequals(encoding, "base64")) return mime::base64_decode(bytes).bytes;
  if (ascii_iequals(encoding, "quoted-printable")) return mime::qp_decode(bytes).bytes;
  return std::string(bytes);
}

// The folded text of every text/* leaf, separated by newlines, from the cached structure.
bool body_from_structure(std::string_view message, const mailbox::BodyStructure& s,
                         mime::CharsetConverters* converters, std::string* out) {
  if (s.parts.empty() || s.parts[0].body_end > message.size()) return false;
  const uint64_t prefix = message.size() - s.parts[0].body_end;
  for (const mailbox::PartStructure& p : s.parts) {
    if (p.kind != mime::PartKind::kLeaf || p.type != "text") continue;
    if (p.body_offset > p.body_end || p.body_end > s.parts[0].body_end) return false;
    std::string_view raw = message.substr(prefix + p.body_offset, p.body_end - p.body_offset);
    std::string_view charset;
    for (const auto& [name, value] : p.params) {
      if (name == "charset") charset = value;
    }
    append_folded(part_utf8(decode_transfer(raw, p.encoding), charset, converters), out);
    out->push_back('\n');
  }
  return true;
}

// The same from a fresh parse; false when the message is beyond mime::MimeLimits.
bool body_from_parse(std::string_view message, mime::CharsetConverters* converters,
                     std::string* out) {
  auto parsed = mime::parse_message(message);
  if (!parsed.is_ok()) return false;
  for (const mime::Part& p : parsed->parts) {
    if (p.kind != mime::PartKind::kLeaf || p.content_type.type != "text") continue;
    auto text = mime::body_text(*parsed, p, converters);
    if (text.is_ok()) {
      append_folded(text->text, out);
    } else {
      append_folded(mime::sanitize_utf8(mime::decode_body(*parsed, p).bytes).text, out);
    }
    out->push_back('\n');
  }
  return true;
}

// Everything after the header, as it is: for messages no parser would take.
void body_raw(std::string_view message, std::string* out) {
  auto block = mime::parse_header_block(message, unlimited_header(message));
  size_t start = block.is_ok() ? block->body_offset : 0;
  append_folded(mime::sanitize_utf8(message.substr(start)).text, out);
}

// What one evaluation has loaded of one message.
class LoadedMessage {
 public:
  LoadedMessage(SearchMessage& msg, mime::CharsetConverters* converters)
      : msg_(msg), converters_(converters) {}

  SearchMessage& msg() { return msg_; }

  Result<const mime::HeaderBlock*> header() {
    if (!header_) {
      MF_ASSIGN_OR_RETURN(std::string_view bytes, msg_.header());
      auto block = mime::parse_header_block(bytes, unlimited_header(bytes));
      header_ = block.is_ok() ? std::move(*block) : mime::HeaderBlock{};
    }
    return &*header_;
  }

  // Whether a field named `name` has `needle` (folded) in its decoded value.
  Result<bool> field_has(std::string_view name, std::string_view needle) {
    MF_ASSIGN_OR_RETURN(const mime::HeaderBlock* block, header());
    for (const mime::HeaderField& f : block->fields) {
      if (!ascii_iequals(f.name, name)) continue;
      if (needle.empty() || contains_folded(decoded_field_value(f.value), needle)) return true;
    }
    return false;
  }

  Result<std::string_view> header_text() {
    if (!header_text_) {
      MF_ASSIGN_OR_RETURN(const mime::HeaderBlock* block, header());
      std::string text;
      for (const mime::HeaderField& f : block->fields) {
        append_folded(f.name, &text);
        text += ": ";
        append_folded(decoded_field_value(f.value), &text);
        text += '\n';
      }
      header_text_ = std::move(text);
    }
    return std::string_view(*header_text_);
  }

  Result<std::string_view> body_text() {
    if (!body_text_) {
      MF_ASSIGN_OR_RETURN(std::string_view message, msg_.message());
      std::string text;
      bool done = false;
      auto structure = msg_.structure();
      if (structure.is_ok()) {
        done = body_from_structure(message, **structure, converters_, &text);
      } else if (structure.status().code() != Code::kNotFound) {
        return structure.status();
      }
      if (!done) {
        text.clear();
        if (!body_from_parse(message, converters_, &text)) {
          text.clear();
          body_raw(message, &text);
        }
      }
      body_text_ = std::move(text);
    }
    return std::string_view(*body_text_);
  }

  // The day written in the Date: field, or the internal date's in `zone_minutes`.
  Result<int64_t> sent_day(int zone_minutes) {
    if (!sent_day_) {
      MF_ASSIGN_OR_RETURN(const mime::HeaderBlock* block, header());
      sent_day_ = day_of(msg_.info().internal_date, zone_minutes);
      if (const mime::HeaderField* date = block->find("Date")) {
        auto parsed = mime::parse_date(date->value);
        if (parsed.is_ok()) sent_day_ = day_of(parsed->unix_seconds, parsed->zone_minutes);
      }
    }
    return *sent_day_;
  }

 private:
  SearchMessage& msg_;
  mime::CharsetConverters* converters_;
  std::optional<mime::HeaderBlock> header_;
  std::optional<std::string> header_text_;
  std::optional<std::string> body_text_;
  std::optional<int64_t> sent_day_;
};

bool saved_has(const std::vector<uint32_t>* saved, uint32_t uid) {
  return saved != nullptr && std::binary_search(saved->begin(), saved->end(), uid);
}

bool has_keyword(const mailbox::MessageInfo& info, std::string_view keyword) {
  return std::any_of(info.keywords.begin(), info.keywords.end(),
                     [&](const std::string& k) { return ascii_iequals(k, keyword); });
}

}  // namespace search_eval_detail

struct SearchProgram::Impl {
  struct Node {
    SearchKey::Kind kind = SearchKey::Kind::kAll;
    std::string field;   // header keys: the field name
    std::string needle;  // string keys: folded
    uint64_t number = 0;
    int64_t day = 0;  // date keys: day number
    bool saved = false;
    std::vector<UidRange> ranges;
    std::vector<uint32_t> children;
    int cost = 0;
  };
  std::vector<Node> nodes;  // nodes[0] is the root
  const std::vector<uint32_t>* saved = nullptr;
  mime::CharsetConverters* converters = nullptr;
  int zone_minutes = 0;
  bool needs_header = false;
  bool needs_body = false;

  uint32_t add(const SearchKey& key, const SearchContext& ctx);
  Result<bool> evaluate(uint32_t index, search_eval_detail::LoadedMessage& m) const;
};

uint32_t SearchProgram::Impl::add(const SearchKey& key, const SearchContext& ctx) {
  uint32_t index = static_cast<uint32_t>(nodes.size());
  nodes.emplace_back();
  Node n;
  n.kind = key.kind;
  n.cost = search_eval_detail::key_cost(key.kind);
  n.number = key.number;
  n.day = search_eval_detail::civil_day_number(key.date.year, key.date.month, key.date.day);
  switch (key.kind) {
    case SearchKey::Kind::kHeader:
      n.field = key.text;
      n.needle = fold_case(key.value);
      break;
    case SearchKey::Kind::kBcc:
    case SearchKey::Kind::kCc:
    case SearchKey::Kind::kFrom:
    case SearchKey::Kind::kSubject:
    case SearchKey::Kind::kTo:
      n.field = std::string(search_eval_detail::header_field_of(key.kind));
      n.needle = fold_case(key.text);
      break;
    case SearchKey::Kind::kBody:
    case SearchKey::Kind::kText:
      n.needle = fold_case(key.text);
      break;
    case SearchKey::Kind::kKeyword:
    case SearchKey::Kind::kUnkeyword:
      n.needle = key.text;
      break;
    case SearchKey::Kind::kUid:
      n.saved = key.set.saved;
      n.ranges = resolve(key.set, ctx.highest_uid);
      break;
    case SearchKey::Kind::kSequenceSet:
      n.saved = key.set.saved;
      n.ranges = resolve(key.set, ctx.messages);
      break;
    default:
      break;
  }
  for (const SearchKey& child : key.children) {
    uint32_t c = add(child, ctx);
    n.children.push_back(c);
    n.cost = std::max(n.cost, nodes[c].cost);
  }
  // Cheap keys first: AND and OR stop at the first decisive child.
  std::stable_sort(n.children.begin(), n.children.end(),
                   [this](uint32_t a, uint32_t b) { return nodes[a].cost < nodes[b].cost; });
  nodes[index] = std::move(n);
  return index;
}

Result<bool> SearchProgram::Impl::evaluate(uint32_t index,
                                           search_eval_detail::LoadedMessage& m) const {
  const Node& n = nodes[index];
  const mailbox::MessageInfo& info = m.msg().info();
  switch (n.kind) {
    case SearchKey::Kind::kAll:
    case SearchKey::Kind::kOld:
      return true;
    case SearchKey::Kind::kNew:
    case SearchKey::Kind::kRecent:
      return false;
    case SearchKey::Kind::kAnswered:
      return (info.flags & mailbox::kAnswered) != 0;
    case SearchKey::Kind::kDeleted:
      return (info.flags & mailbox::kDeleted) != 0;
    case SearchKey::Kind::kDraft:
      return (info.flags & mailbox::kDraft) != 0;
    case SearchKey::Kind::kFlagged:
      return (info.flags & mailbox::kFlagged) != 0;
    case SearchKey::Kind::kSeen:
      return (info.flags & mailbox::kSeen) != 0;
    case SearchKey::Kind::kUnanswered:
      return (info.flags & mailbox::kAnswered) == 0;
    case SearchKey::Kind::kUndeleted:
      return (info.flags & mailbox::kDeleted) == 0;
    case SearchKey::Kind::kUndraft:
      return (info.flags & mailbox::kDraft) == 0;
    case SearchKey::Kind::kUnflagged:
      return (info.flags & mailbox::kFlagged) == 0;
    case SearchKey::Kind::kUnseen:
      return (info.flags & mailbox::kSeen) == 0;
    case SearchKey::Kind::kKeyword:
      return search_eval_detail::has_keyword(info, n.needle);
    case SearchKey::Kind::kUnkeyword:
      return !search_eval_detail::has_keyword(info, n.needle);
    case SearchKey::Kind::kLarger:
      return info.size > n.number;
    case SearchKey::Kind::kSmaller:
      return info.size < n.number;
    case SearchKey::Kind::kModSeq:
      return info.modseq >= n.number;
    case SearchKey::Kind::kBefore:
      return search_eval_detail::day_of(info.internal_date, zone_minutes) < n.day;
    case SearchKey::Kind::kOn:
      return search_eval_detail::day_of(info.internal_date, zone_minutes) == n.day;
    case SearchKey::Kind::kSince:
      return search_eval_detail::day_of(info.internal_date, zone_minutes) >= n.day;
    case SearchKey::Kind::kSentBefore:
    case SearchKey::Kind::kSentOn:
    case SearchKey::Kind::kSentSince: {
      MF_ASSIGN_OR_RETURN(int64_t day, m.sent_day(zone_minutes));
      if (n.kind == SearchKey::Kind::kSentBefore) return day < n.day;
      if (n.kind == SearchKey::Kind::kSentOn) return day == n.day;
      return day >= n.day;
    }
    case SearchKey::Kind::kBcc:
    case SearchKey::Kind::kCc:
    case SearchKey::Kind::kFrom:
    case SearchKey::Kind::kSubject:
    case SearchKey::Kind::kTo:
    case SearchKey::Kind::kHeader:
      return m.field_has(n.field, n.needle);
    case SearchKey::Kind::kBody: {
      if (n.needle.empty()) return true;
      MF_ASSIGN_OR_RETURN(std::string_view body, m.body_text());
      return body.find(n.needle) != std::string_view::npos;
    }
    case SearchKey::Kind::kText: {
      if (n.needle.empty()) return true;
      MF_ASSIGN_OR_RETURN(std::string_view header, m.header_text());
      if (header.find(n.needle) != std::string_view::npos) return true;
      MF_ASSIGN_OR_RETURN(std::string_view body, m.body_text());
      return body.find(n.needle) != std::string_view::npos;
    }
    case SearchKey::Kind::kUid:
      return n.saved ? search_eval_detail::saved_has(saved, info.uid)
                     : search_eval_detail::in_ranges(n.ranges, info.uid);
    case SearchKey::Kind::kSequenceSet:
      return n.saved ? search_eval_detail::saved_has(saved, info.uid)
                     : search_eval_detail::in_ranges(n.ranges, m.msg().seq());
    case SearchKey::Kind::kNot: {
      if (n.children.empty()) return true;
      MF_ASSIGN_OR_RETURN(bool inner, evaluate(n.children[0], m));
      return !inner;
    }
    case SearchKey::Kind::kOr: {
      for (uint32_t c : n.children) {
        MF_ASSIGN_OR_RETURN(bool inner, evaluate(c, m));
        if (inner) return true;
      }
      return false;
    }
    case SearchKey::Kind::kAnd: {
      for (uint32_t c : n.children) {
        MF_ASSIGN_OR_RETURN(bool inner, evaluate(c, m));
        if (!inner) return false;
      }
      return true;
    }
  }
  return false;
}

SearchProgram::SearchProgram(const SearchKey& key, const SearchContext& ctx)
    : impl_(std::make_unique<Impl>()) {
  impl_->saved = ctx.saved;
  impl_->converters = ctx.converters;
  impl_->zone_minutes = ctx.zone_minutes;
  impl_->add(key, ctx);
  impl_->needs_header = search_needs_header(key);
  impl_->needs_body = search_needs_body(key);
}

SearchProgram::~SearchProgram() = default;
SearchProgram::SearchProgram(SearchProgram&&) noexcept = default;
SearchProgram& SearchProgram::operator=(SearchProgram&&) noexcept = default;

Result<bool> SearchProgram::matches(SearchMessage& msg) const {
  search_eval_detail::LoadedMessage loaded(msg, impl_->converters);
  return impl_->evaluate(0, loaded);
}

bool SearchProgram::needs_header() const {
  return impl_->needs_header;
}
bool SearchProgram::needs_body() const {
  return impl_->needs_body;
}

Result<bool> search_matches(const SearchKey& key, SearchMessage& msg, const SearchContext& ctx) {
  return SearchProgram(key, ctx).matches(msg);
}

namespace search_eval_detail {
bool any_key(const SearchKey& key, bool (*pred)(Kind)) {
  if (pred(key.kind)) return true;
  return std::any_of(key.children.begin(), key.children.end(),
                     [&](const SearchKey& c) { return any_key(c, pred); });
}
bool reads_header(Kind kind) {
  return key_cost(kind) == 1 || kind == Kind::kText;
}
bool reads_body(Kind kind) {
  return key_cost(kind) == 2;
}
}  // namespace search_eval_detail

bool search_needs_header(const SearchKey& key) {
  return search_eval_detail::any_key(key, search_eval_detail::reads_header);
}
bool search_needs_body(const SearchKey& key) {
  return search_eval_detail::any_key(key, search_eval_detail::reads_body);
}

bool search_charset_supported(std::string_view charset) {
  return ascii_iequals(charset, "UTF-8") || ascii_iequals(charset, "US-ASCII");
}

}  // namespace mf::imap
