// imap/mailbox_parser.cpp — the arguments of the mailbox commands: SELECT/EXAMINE with
// CONDSTORE and QRESYNC (RFC 7162), CREATE with USE (RFC 6154), LIST with LIST-EXTENDED
// (RFC 5258), LIST-STATUS (RFC 5819) and SPECIAL-USE, LSUB, STATUS, and APPEND with
// MULTIAPPEND (RFC 3502), literal8 (RFC 3516) and UTF8 (RFC 6855).
#include "base/text.h"
#include "imap/chars.h"
#include "imap/command_parts.h"

namespace mf::imap {

namespace {

Result<StatusItem> status_item(TokenCursor& c) {
  struct Entry {
    std::string_view name;
    StatusItem item;
  };
  static constexpr Entry kItems[] = {
      {"MESSAGES", StatusItem::kMessages},       {"UIDNEXT", StatusItem::kUidNext},
      {"UIDVALIDITY", StatusItem::kUidValidity}, {"UNSEEN", StatusItem::kUnseen},
      {"DELETED", StatusItem::kDeleted},         {"SIZE", StatusItem::kSize},
      {"RECENT", StatusItem::kRecent},           {"HIGHESTMODSEQ", StatusItem::kHighestModSeq},
      {"APPENDLIMIT", StatusItem::kAppendLimit},
  };
  for (const Entry& e : kItems) {
    if (c.keyword(e.name)) return e.item;
  }
  return c.at_end() ? bad("Missing argument") : bad("Unknown status item");
}

// "(" status-att *(SP status-att) ")".
Result<std::vector<StatusItem>> status_items(TokenCursor& c) {
  MF_RETURN_IF_ERROR(c.expect('(', "status items"));
  std::vector<StatusItem> items;
  while (true) {
    if (items.size() >= c.limits().max_list_items) return bad("Too many status items");
    MF_ASSIGN_OR_RETURN(StatusItem it, status_item(c));
    items.push_back(it);
    if (c.consume(')')) return items;
    MF_RETURN_IF_ERROR(c.sp());
  }
}

Result<Qresync> qresync(TokenCursor& c) {
  Qresync q;
  MF_RETURN_IF_ERROR(c.expect('(', "QRESYNC parameters"));
  MF_ASSIGN_OR_RETURN(q.uidvalidity, c.nz_number());
  MF_RETURN_IF_ERROR(c.sp());
  MF_ASSIGN_OR_RETURN(q.modseq, c.nz_number64());
  if (c.consume(')')) return q;
  MF_RETURN_IF_ERROR(c.sp());
  if (c.peek() != '(') {
    MF_ASSIGN_OR_RETURN(q.known_uids, c.sequence_set());
    if (c.consume(')')) return q;
    MF_RETURN_IF_ERROR(c.sp());
  }
  MF_RETURN_IF_ERROR(c.expect('(', "sequence match data"));
  MF_ASSIGN_OR_RETURN(q.known_sequence_set, c.sequence_set());
  MF_RETURN_IF_ERROR(c.sp());
  MF_ASSIGN_OR_RETURN(q.known_uid_set, c.sequence_set());
  MF_RETURN_IF_ERROR(c.expect(')', "')'"));
  MF_RETURN_IF_ERROR(c.expect(')', "')'"));
  return q;
}

}  // namespace

Result<SelectArgs> parse_select_args(TokenCursor& c) {
  SelectArgs args;
  MF_ASSIGN_OR_RETURN(args.mailbox, c.mailbox());
  if (c.at_end()) return args;
  MF_RETURN_IF_ERROR(c.sp());
  MF_RETURN_IF_ERROR(c.expect('(', "select parameters"));
  while (true) {
    if (c.keyword("CONDSTORE")) {
      args.condstore = true;
    } else if (c.keyword("QRESYNC")) {
      if (args.qresync) return bad("Duplicate QRESYNC");
      MF_RETURN_IF_ERROR(c.sp());
      MF_ASSIGN_OR_RETURN(args.qresync, qresync(c));
    } else {
      return c.at_end() ? bad("Missing argument") : bad("Unknown select parameter");
    }
    if (c.consume(')')) break;
    MF_RETURN_IF_ERROR(c.sp());
  }
  return args;
}

Result<CreateArgs> parse_create_args(TokenCursor& c) {
  CreateArgs args;
  MF_ASSIGN_OR_RETURN(args.mailbox, c.mailbox());
  if (c.at_end()) return args;
  MF_RETURN_IF_ERROR(c.sp());
  MF_RETURN_IF_ERROR(c.expect('(', "create parameters"));
  if (!c.keyword("USE")) return bad("Unknown create parameter");
  MF_RETURN_IF_ERROR(c.sp());
  MF_ASSIGN_OR_RETURN(args.special_use, c.flag_list());
  for (const std::string& use : args.special_use) {
    if (use.empty() || use[0] != '\\') return bad("Invalid special-use attribute");
  }
  MF_RETURN_IF_ERROR(c.expect(')', "')'"));
  return args;
}

Result<ListArgs> parse_list_args(TokenCursor& c) {
  ListArgs args;
  if (c.consume('(')) {
    args.extended = true;
    bool first = true;
    while (!c.consume(')')) {
      if (!first) MF_RETURN_IF_ERROR(c.sp());
      first = false;
      if (c.keyword("SUBSCRIBED")) {
        args.subscribed = true;
      } else if (c.keyword("REMOTE")) {
        args.remote = true;
      } else if (c.keyword("RECURSIVEMATCH")) {
        args.recursive_match = true;
      } else if (c.keyword("SPECIAL-USE")) {
        args.special_use = true;
      } else {
        return c.at_end() ? bad("Missing argument") : bad("Unknown LIST option");
      }
    }
    // RFC 5258 §3.1: RECURSIVEMATCH needs a base option to modify.
    if (args.recursive_match && !args.subscribed && !args.special_use) {
      return bad("RECURSIVEMATCH needs another selection option");
    }
    MF_RETURN_IF_ERROR(c.sp());
  }
  MF_ASSIGN_OR_RETURN(args.reference, c.astring());
  MF_RETURN_IF_ERROR(c.sp());
  if (c.consume('(')) {
    args.extended = true;
    while (true) {
      if (args.patterns.size() >= c.limits().max_list_items) return bad("Too many patterns");
      MF_ASSIGN_OR_RETURN(std::string p, c.list_mailbox());
      args.patterns.push_back(std::move(p));
      if (c.consume(')')) break;
      MF_RETURN_IF_ERROR(c.sp());
    }
  } else {
    MF_ASSIGN_OR_RETURN(std::string p, c.list_mailbox());
    args.patterns.push_back(std::move(p));
  }
  if (c.at_end()) return args;
  MF_RETURN_IF_ERROR(c.sp());
  if (!c.keyword("RETURN")) return bad("Extra arguments");
  args.extended = true;
  MF_RETURN_IF_ERROR(c.sp());
  MF_RETURN_IF_ERROR(c.expect('(', "return options"));
  bool first = true;
  while (!c.consume(')')) {
    if (!first) MF_RETURN_IF_ERROR(c.sp());
    first = false;
    if (c.keyword("SUBSCRIBED")) {
      args.return_subscribed = true;
    } else if (c.keyword("CHILDREN")) {
      args.return_children = true;
    } else if (c.keyword("SPECIAL-USE")) {
      args.return_special_use = true;
    } else if (c.keyword("STATUS")) {
      if (!args.return_status.empty()) return bad("Duplicate STATUS return option");
      MF_RETURN_IF_ERROR(c.sp());
      MF_ASSIGN_OR_RETURN(args.return_status, status_items(c));
    } else {
      return c.at_end() ? bad("Missing argument") : bad("Unknown LIST return option");
    }
  }
  return args;
}

Result<ListArgs> parse_lsub_args(TokenCursor& c) {
  ListArgs args;
  args.subscribed = true;
  MF_ASSIGN_OR_RETURN(args.reference, c.astring());
  MF_RETURN_IF_ERROR(c.sp());
  MF_ASSIGN_OR_RETURN(std::string p, c.list_mailbox());
  args.patterns.push_back(std::move(p));
  return args;
}

Result<StatusArgs> parse_status_args(TokenCursor& c) {
  StatusArgs args;
  MF_ASSIGN_OR_RETURN(args.mailbox, c.mailbox());
  MF_RETURN_IF_ERROR(c.sp());
  MF_ASSIGN_OR_RETURN(args.items, status_items(c));
  return args;
}

Result<AppendArgs> parse_append_args(TokenCursor& c) {
  AppendArgs args;
  MF_ASSIGN_OR_RETURN(args.mailbox, c.mailbox());
  // 1*(SP [flag-list SP] [date-time SP] append-data)
  do {
    if (args.messages.size() >= c.limits().max_list_items) return bad("Too many messages");
    MF_RETURN_IF_ERROR(c.sp());
    AppendMessage m;
    if (c.peek() == '(') {
      MF_ASSIGN_OR_RETURN(m.flags, c.flag_list());
      MF_RETURN_IF_ERROR(c.sp());
    }
    if (c.peek() == '"') {
      MF_ASSIGN_OR_RETURN(m.date_time, c.date_time());
      MF_RETURN_IF_ERROR(c.sp());
    }
    if (c.keyword("UTF8")) {
      m.utf8 = true;
      MF_RETURN_IF_ERROR(c.sp());
      MF_RETURN_IF_ERROR(c.expect('(', "'('"));
      if (c.peek() != '{' && c.peek() != '~') return bad("Expected a literal");
      MF_ASSIGN_OR_RETURN(m.data, c.string(TokenCursor::Binary::kAllowed, &m.binary));
      MF_RETURN_IF_ERROR(c.expect(')', "')'"));
    } else {
      if (c.peek() != '{' && c.peek() != '~') return bad("Expected a literal");
      MF_ASSIGN_OR_RETURN(m.data, c.string(TokenCursor::Binary::kAllowed, &m.binary));
    }
    args.messages.push_back(std::move(m));
  } while (!c.at_end());
  return args;
}

}  // namespace mf::imap
