// imap/search_parser.cpp — SEARCH, SORT and THREAD arguments: search keys of RFC 9051
// §6.4.4 (with RFC 3501's NEW, OLD, RECENT and RFC 7162's MODSEQ), ESEARCH return options,
// sort criteria and threading algorithms of RFC 5256.
#include "base/text.h"
#include "imap/chars.h"
#include "imap/command_parts.h"

namespace mf::imap {

namespace {

using SearchKind = SearchKey::Kind;

struct KeyEntry {
  std::string_view name;
  SearchKind kind;
  enum class Arg { kNone, kString, kDate, kNumber, kKeyword, kHeader, kSet, kNot, kOr, kModSeq };
  Arg arg;
};

using Arg = KeyEntry::Arg;

constexpr KeyEntry kKeys[] = {
    {"ALL", SearchKind::kAll, Arg::kNone},
    {"ANSWERED", SearchKind::kAnswered, Arg::kNone},
    {"BCC", SearchKind::kBcc, Arg::kString},
    {"BEFORE", SearchKind::kBefore, Arg::kDate},
    {"BODY", SearchKind::kBody, Arg::kString},
    {"CC", SearchKind::kCc, Arg::kString},
    {"DELETED", SearchKind::kDeleted, Arg::kNone},
    {"DRAFT", SearchKind::kDraft, Arg::kNone},
    {"FLAGGED", SearchKind::kFlagged, Arg::kNone},
    {"FROM", SearchKind::kFrom, Arg::kString},
    {"HEADER", SearchKind::kHeader, Arg::kHeader},
    {"KEYWORD", SearchKind::kKeyword, Arg::kKeyword},
    {"LARGER", SearchKind::kLarger, Arg::kNumber},
    {"MODSEQ", SearchKind::kModSeq, Arg::kModSeq},
    {"NEW", SearchKind::kNew, Arg::kNone},
    {"NOT", SearchKind::kNot, Arg::kNot},
    {"OLD", SearchKind::kOld, Arg::kNone},
    {"ON", SearchKind::kOn, Arg::kDate},
    {"OR", SearchKind::kOr, Arg::kOr},
    {"RECENT", SearchKind::kRecent, Arg::kNone},
    {"SEEN", SearchKind::kSeen, Arg::kNone},
    {"SENTBEFORE", SearchKind::kSentBefore, Arg::kDate},
    {"SENTON", SearchKind::kSentOn, Arg::kDate},
    {"SENTSINCE", SearchKind::kSentSince, Arg::kDate},
    {"SINCE", SearchKind::kSince, Arg::kDate},
    {"SMALLER", SearchKind::kSmaller, Arg::kNumber},
    {"SUBJECT", SearchKind::kSubject, Arg::kString},
    {"TEXT", SearchKind::kText, Arg::kString},
    {"TO", SearchKind::kTo, Arg::kString},
    {"UID", SearchKind::kUid, Arg::kSet},
    {"UNANSWERED", SearchKind::kUnanswered, Arg::kNone},
    {"UNDELETED", SearchKind::kUndeleted, Arg::kNone},
    {"UNDRAFT", SearchKind::kUndraft, Arg::kNone},
    {"UNFLAGGED", SearchKind::kUnflagged, Arg::kNone},
    {"UNKEYWORD", SearchKind::kUnkeyword, Arg::kKeyword},
    {"UNSEEN", SearchKind::kUnseen, Arg::kNone},
};

class KeyParser {
 public:
  explicit KeyParser(TokenCursor& c) : c_(c) {}

  Result<SearchKey> key() {
    if (++count_ > c_.limits().max_search_keys) return bad("Too many search keys");
    if (c_.at_end()) return bad("Missing argument");
    SearchKey k;
    char first = c_.peek();
    if (first == '(') {
      MF_RETURN_IF_ERROR(c_.enter());
      c_.consume('(');
      k.kind = SearchKind::kAnd;
      MF_RETURN_IF_ERROR(list_until(k, ')'));
      c_.leave();
      return k;
    }
    if (is_digit(first) || first == '*' || first == '$') {
      k.kind = SearchKind::kSequenceSet;
      MF_ASSIGN_OR_RETURN(k.set, c_.sequence_set());
      return k;
    }
    std::string_view name = c_.peek_atom();
    const KeyEntry* entry = nullptr;
    for (const KeyEntry& e : kKeys) {
      if (ascii_iequals(name, e.name)) entry = &e;
    }
    if (!entry) return bad("Unknown search key");
    MF_RETURN_IF_ERROR(c_.atom().status());
    k.kind = entry->kind;
    if (entry->arg == Arg::kNone) return k;
    MF_RETURN_IF_ERROR(c_.sp());
    switch (entry->arg) {
      case Arg::kNone:
        break;
      case Arg::kString: {
        MF_ASSIGN_OR_RETURN(k.text, c_.astring());
        break;
      }
      case Arg::kDate: {
        MF_ASSIGN_OR_RETURN(k.date, c_.date());
        break;
      }
      case Arg::kNumber: {
        MF_ASSIGN_OR_RETURN(k.number, c_.number64());
        break;
      }
      case Arg::kKeyword: {
        MF_ASSIGN_OR_RETURN(std::string_view kw, c_.atom());
        k.text = std::string(kw);
        break;
      }
      case Arg::kHeader: {
        MF_ASSIGN_OR_RETURN(k.text, c_.astring());
        MF_RETURN_IF_ERROR(c_.sp());
        MF_ASSIGN_OR_RETURN(k.value, c_.astring());
        break;
      }
      case Arg::kSet: {
        MF_ASSIGN_OR_RETURN(k.set, c_.sequence_set());
        break;
      }
      case Arg::kNot: {
        MF_RETURN_IF_ERROR(c_.enter());
        MF_ASSIGN_OR_RETURN(SearchKey child, key());
        c_.leave();
        k.children.push_back(std::move(child));
        break;
      }
      case Arg::kOr: {
        MF_RETURN_IF_ERROR(c_.enter());
        MF_ASSIGN_OR_RETURN(SearchKey a, key());
        MF_RETURN_IF_ERROR(c_.sp());
        MF_ASSIGN_OR_RETURN(SearchKey b, key());
        c_.leave();
        k.children.push_back(std::move(a));
        k.children.push_back(std::move(b));
        break;
      }
      case Arg::kModSeq: {
        // "MODSEQ" [SP entry-name SP entry-type-req] SP mod-sequence-valzer (RFC 7162).
        if (c_.peek() == '"') {
          MF_ASSIGN_OR_RETURN(k.text, c_.string());
          if (k.text.rfind("/flags/", 0) != 0) return bad("Invalid MODSEQ entry name");
          MF_RETURN_IF_ERROR(c_.sp());
          MF_ASSIGN_OR_RETURN(std::string_view type, c_.atom());
          k.value = ascii_lower(type);
          if (k.value != "priv" && k.value != "shared" && k.value != "all") {
            return bad("Invalid MODSEQ entry type");
          }
          MF_RETURN_IF_ERROR(c_.sp());
        }
        MF_ASSIGN_OR_RETURN(k.number, c_.number64());
        break;
      }
    }
    return k;
  }

  // Keys separated by SP up to `close` (consumed), or to the end when close is '\0'.
  Status list_until(SearchKey& parent, char close) {
    while (true) {
      MF_ASSIGN_OR_RETURN(SearchKey k, key());
      parent.children.push_back(std::move(k));
      if (close != '\0' && c_.consume(close)) return Status::ok();
      if (close == '\0' && c_.at_end()) return Status::ok();
      MF_RETURN_IF_ERROR(c_.sp());
    }
  }

 private:
  TokenCursor& c_;
  size_t count_ = 0;
};

// 1*(key) separated by SP, to the end: a kAnd over them.
Result<SearchKey> program(TokenCursor& c) {
  SearchKey all;
  all.kind = SearchKind::kAnd;
  KeyParser p(c);
  MF_RETURN_IF_ERROR(p.list_until(all, '\0'));
  return all;
}

Result<std::string> charset(TokenCursor& c) {
  MF_ASSIGN_OR_RETURN(std::string cs, c.astring());
  if (cs.empty()) return bad("Invalid charset");
  return cs;
}

}  // namespace

Result<SearchArgs> parse_search_args(TokenCursor& c) {
  SearchArgs args;
  if (c.keyword("RETURN")) {
    MF_RETURN_IF_ERROR(c.sp());
    MF_RETURN_IF_ERROR(c.expect('(', "'('"));
    SearchReturn r;
    bool first = true;
    while (!c.consume(')')) {
      if (!first) MF_RETURN_IF_ERROR(c.sp());
      first = false;
      if (c.keyword("MIN")) {
        r.min = true;
      } else if (c.keyword("MAX")) {
        r.max = true;
      } else if (c.keyword("ALL")) {
        r.all = true;
      } else if (c.keyword("COUNT")) {
        r.count = true;
      } else if (c.keyword("SAVE")) {
        r.save = true;
      } else {
        return c.at_end() ? bad("Missing argument") : bad("Unknown search return option");
      }
    }
    args.result_options = r;
    MF_RETURN_IF_ERROR(c.sp());
  }
  if (c.keyword("CHARSET")) {
    MF_RETURN_IF_ERROR(c.sp());
    MF_ASSIGN_OR_RETURN(args.charset, charset(c));
    MF_RETURN_IF_ERROR(c.sp());
  }
  MF_ASSIGN_OR_RETURN(args.program, program(c));
  return args;
}

Result<SortArgs> parse_sort_args(TokenCursor& c) {
  SortArgs args;
  MF_RETURN_IF_ERROR(c.expect('(', "sort criteria"));
  while (true) {
    if (args.criteria.size() >= c.limits().max_list_items) return bad("Too many sort keys");
    SortCriterion crit;
    if (c.keyword("REVERSE")) {
      crit.reverse = true;
      MF_RETURN_IF_ERROR(c.sp());
    }
    using Key = SortCriterion::Key;
    if (c.keyword("ARRIVAL")) {
      crit.key = Key::kArrival;
    } else if (c.keyword("CC")) {
      crit.key = Key::kCc;
    } else if (c.keyword("DATE")) {
      crit.key = Key::kDate;
    } else if (c.keyword("FROM")) {
      crit.key = Key::kFrom;
    } else if (c.keyword("SIZE")) {
      crit.key = Key::kSize;
    } else if (c.keyword("SUBJECT")) {
      crit.key = Key::kSubject;
    } else if (c.keyword("TO")) {
      crit.key = Key::kTo;
    } else {
      return c.at_end() ? bad("Missing argument") : bad("Unknown sort key");
    }
    args.criteria.push_back(crit);
    if (c.consume(')')) break;
    MF_RETURN_IF_ERROR(c.sp());
  }
  MF_RETURN_IF_ERROR(c.sp());
  MF_ASSIGN_OR_RETURN(args.charset, charset(c));
  MF_RETURN_IF_ERROR(c.sp());
  MF_ASSIGN_OR_RETURN(args.program, program(c));
  return args;
}

Result<ThreadArgs> parse_thread_args(TokenCursor& c) {
  ThreadArgs args;
  if (c.keyword("REFERENCES")) {
    args.algorithm = ThreadArgs::Algorithm::kReferences;
  } else if (c.keyword("ORDEREDSUBJECT")) {
    args.algorithm = ThreadArgs::Algorithm::kOrderedSubject;
  } else {
    return bad("Unknown threading algorithm");
  }
  MF_RETURN_IF_ERROR(c.sp());
  MF_ASSIGN_OR_RETURN(args.charset, charset(c));
  MF_RETURN_IF_ERROR(c.sp());
  MF_ASSIGN_OR_RETURN(args.program, program(c));
  return args;
}

}  // namespace mf::imap
