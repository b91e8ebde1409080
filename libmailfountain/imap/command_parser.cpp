// imap/command_parser.cpp — the tag, the command name and the arguments of the small
// commands; the larger grammars are in search_parser.cpp, fetch_parser.cpp and
// mailbox_parser.cpp (see command_parser.h).
#include "imap/command_parser.h"

#include "base/text.h"
#include "imap/chars.h"
#include "imap/command_parts.h"
#include "imap/token_cursor.h"

namespace mf::imap {

namespace {

struct NameEntry {
  std::string_view name;
  CommandName command;
  bool uid_allowed;
};

constexpr NameEntry kNames[] = {
    {"CAPABILITY", CommandName::kCapability, false},
    {"NOOP", CommandName::kNoop, false},
    {"LOGOUT", CommandName::kLogout, false},
    {"STARTTLS", CommandName::kStartTls, false},
    {"AUTHENTICATE", CommandName::kAuthenticate, false},
    {"LOGIN", CommandName::kLogin, false},
    {"ENABLE", CommandName::kEnable, false},
    {"SELECT", CommandName::kSelect, false},
    {"EXAMINE", CommandName::kExamine, false},
    {"CREATE", CommandName::kCreate, false},
    {"DELETE", CommandName::kDelete, false},
    {"RENAME", CommandName::kRename, false},
    {"SUBSCRIBE", CommandName::kSubscribe, false},
    {"UNSUBSCRIBE", CommandName::kUnsubscribe, false},
    {"LIST", CommandName::kList, false},
    {"LSUB", CommandName::kLsub, false},
    {"NAMESPACE", CommandName::kNamespace, false},
    {"STATUS", CommandName::kStatus, false},
    {"APPEND", CommandName::kAppend, false},
    {"IDLE", CommandName::kIdle, false},
    {"CHECK", CommandName::kCheck, false},
    {"CLOSE", CommandName::kClose, false},
    {"UNSELECT", CommandName::kUnselect, false},
    {"EXPUNGE", CommandName::kExpunge, true},
    {"SEARCH", CommandName::kSearch, true},
    {"FETCH", CommandName::kFetch, true},
    {"STORE", CommandName::kStore, true},
    {"COPY", CommandName::kCopy, true},
    {"MOVE", CommandName::kMove, true},
    {"SORT", CommandName::kSort, true},
    {"THREAD", CommandName::kThread, true},
    {"GETQUOTA", CommandName::kGetQuota, false},
    {"GETQUOTAROOT", CommandName::kGetQuotaRoot, false},
    {"SETQUOTA", CommandName::kSetQuota, false},
    {"ID", CommandName::kId, false},
};

// RFC 2971 §3.3: at most 30 field-value pairs.
constexpr size_t kMaxIdPairs = 30;

bool is_base64_char(char c) {
  return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '+' || c == '/';
}

Result<AuthenticateArgs> authenticate(TokenCursor& c) {
  AuthenticateArgs args;
  MF_ASSIGN_OR_RETURN(std::string_view mech, c.atom());
  for (char ch : mech) args.mechanism += static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
  if (c.at_end()) return args;
  MF_RETURN_IF_ERROR(c.sp());
  // SASL-IR: base64 or "=" (RFC 4959 §7).
  if (c.consume('=')) {
    args.initial_response = std::string();
    return args;
  }
  std::string_view b64 = c.take_while(is_base64_char);
  std::string_view pad = c.take_while([](char ch) { return ch == '='; });
  if (b64.empty() || pad.size() > 2 || (b64.size() + pad.size()) % 4 != 0) {
    return bad("Invalid initial response");
  }
  args.initial_response = std::string(b64) + std::string(pad);
  return args;
}

Result<LoginArgs> login(TokenCursor& c) {
  LoginArgs args;
  MF_ASSIGN_OR_RETURN(args.user, c.astring());
  MF_RETURN_IF_ERROR(c.sp());
  MF_ASSIGN_OR_RETURN(args.password, c.astring());
  return args;
}

Result<EnableArgs> enable(TokenCursor& c) {
  EnableArgs args;
  while (true) {
    if (args.capabilities.size() >= c.limits().max_list_items) return bad("Too many arguments");
    MF_ASSIGN_OR_RETURN(std::string_view cap, c.atom());
    std::string upper(cap);
    for (char& ch : upper) {
      if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 32);
    }
    args.capabilities.push_back(std::move(upper));
    if (c.at_end()) return args;
    MF_RETURN_IF_ERROR(c.sp());
  }
}

Result<RenameArgs> rename(TokenCursor& c) {
  RenameArgs args;
  MF_ASSIGN_OR_RETURN(args.from, c.mailbox());
  MF_RETURN_IF_ERROR(c.sp());
  MF_ASSIGN_OR_RETURN(args.to, c.mailbox());
  return args;
}

Result<CopyArgs> copy(TokenCursor& c) {
  CopyArgs args;
  MF_ASSIGN_OR_RETURN(args.set, c.sequence_set());
  MF_RETURN_IF_ERROR(c.sp());
  MF_ASSIGN_OR_RETURN(args.mailbox, c.mailbox());
  return args;
}

Result<StoreArgs> store(TokenCursor& c) {
  StoreArgs args;
  MF_ASSIGN_OR_RETURN(args.set, c.sequence_set());
  MF_RETURN_IF_ERROR(c.sp());
  if (c.consume('(')) {
    if (!c.keyword("UNCHANGEDSINCE")) {
      return c.at_end() ? bad("Missing argument") : bad("Unknown store modifier");
    }
    MF_RETURN_IF_ERROR(c.sp());
    MF_ASSIGN_OR_RETURN(uint64_t v, c.number64());
    args.unchanged_since = v;
    MF_RETURN_IF_ERROR(c.expect(')', "')'"));
    MF_RETURN_IF_ERROR(c.sp());
  }
  if (c.consume('+')) {
    args.op = StoreArgs::Op::kAdd;
  } else if (c.consume('-')) {
    args.op = StoreArgs::Op::kRemove;
  }
  if (c.keyword("FLAGS")) {
    args.silent = false;
  } else if (c.keyword("FLAGS.SILENT")) {
    args.silent = true;
  } else {
    return c.at_end() ? bad("Missing argument") : bad("Invalid store item");
  }
  MF_RETURN_IF_ERROR(c.sp());
  if (c.peek() == '(') {
    MF_ASSIGN_OR_RETURN(args.flags, c.flag_list());
    return args;
  }
  while (true) {
    if (args.flags.size() >= c.limits().max_list_items) return bad("Too many flags");
    MF_ASSIGN_OR_RETURN(std::string f, c.flag());
    args.flags.push_back(std::move(f));
    if (c.at_end()) return args;
    MF_RETURN_IF_ERROR(c.sp());
  }
}

Result<SetQuotaArgs> setquota(TokenCursor& c) {
  SetQuotaArgs args;
  MF_ASSIGN_OR_RETURN(args.root, c.astring());
  MF_RETURN_IF_ERROR(c.sp());
  MF_RETURN_IF_ERROR(c.expect('(', "'('"));
  bool first = true;
  while (!c.consume(')')) {
    if (!first) MF_RETURN_IF_ERROR(c.sp());
    first = false;
    if (args.limits.size() >= c.limits().max_list_items) return bad("Too many quota limits");
    SetQuotaArgs::Limit limit;
    MF_ASSIGN_OR_RETURN(std::string_view res, c.atom());
    for (char ch : res) limit.resource += static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
    MF_RETURN_IF_ERROR(c.sp());
    MF_ASSIGN_OR_RETURN(limit.limit, c.number64());
    args.limits.push_back(std::move(limit));
  }
  return args;
}

Result<IdArgs> id(TokenCursor& c) {
  IdArgs args;
  if (c.keyword("NIL")) return args;
  MF_RETURN_IF_ERROR(c.expect('(', "'(' or NIL"));
  args.fields.emplace();
  bool first = true;
  while (!c.consume(')')) {
    if (!first) MF_RETURN_IF_ERROR(c.sp());
    first = false;
    if (args.fields->size() >= kMaxIdPairs) return bad("Too many ID fields");
    MF_ASSIGN_OR_RETURN(std::string field, c.string());
    MF_RETURN_IF_ERROR(c.sp());
    MF_ASSIGN_OR_RETURN(std::optional<std::string> value, c.nstring());
    args.fields->emplace_back(std::move(field), std::move(value));
  }
  return args;
}

template <typename T>
Result<CommandArgs> wrap(Result<T> r) {
  if (!r.is_ok()) return r.status();
  return CommandArgs(std::move(r).value());
}

Result<MailboxArgs> mailbox_only(TokenCursor& c) {
  MailboxArgs args;
  MF_ASSIGN_OR_RETURN(args.mailbox, c.mailbox());
  return args;
}

Result<CommandArgs> arguments(TokenCursor& c, CommandName name, bool uid) {
  switch (name) {
    case CommandName::kCapability:
    case CommandName::kNoop:
    case CommandName::kLogout:
    case CommandName::kStartTls:
    case CommandName::kNamespace:
    case CommandName::kIdle:
    case CommandName::kCheck:
    case CommandName::kClose:
    case CommandName::kUnselect:
      return CommandArgs();
    case CommandName::kExpunge: {
      if (!uid) return CommandArgs();
      MF_RETURN_IF_ERROR(c.sp());
      MF_ASSIGN_OR_RETURN(SequenceSet set, c.sequence_set());
      return CommandArgs(UidExpungeArgs{std::move(set)});
    }
    default:
      break;
  }
  MF_RETURN_IF_ERROR(c.sp());
  switch (name) {
    case CommandName::kAuthenticate:
      return wrap(authenticate(c));
    case CommandName::kLogin:
      return wrap(login(c));
    case CommandName::kEnable:
      return wrap(enable(c));
    case CommandName::kSelect:
    case CommandName::kExamine:
      return wrap(parse_select_args(c));
    case CommandName::kCreate:
      return wrap(parse_create_args(c));
    case CommandName::kDelete:
    case CommandName::kSubscribe:
    case CommandName::kUnsubscribe:
    case CommandName::kGetQuotaRoot:
      return wrap(mailbox_only(c));
    case CommandName::kRename:
      return wrap(rename(c));
    case CommandName::kList:
      return wrap(parse_list_args(c));
    case CommandName::kLsub:
      return wrap(parse_lsub_args(c));
    case CommandName::kStatus:
      return wrap(parse_status_args(c));
    case CommandName::kAppend:
      return wrap(parse_append_args(c));
    case CommandName::kSearch:
      return wrap(parse_search_args(c));
    case CommandName::kFetch:
      return wrap(parse_fetch_args(c, uid));
    case CommandName::kStore:
      return wrap(store(c));
    case CommandName::kCopy:
    case CommandName::kMove:
      return wrap(copy(c));
    case CommandName::kSort:
      return wrap(parse_sort_args(c));
    case CommandName::kThread:
      return wrap(parse_thread_args(c));
    case CommandName::kGetQuota: {
      MF_ASSIGN_OR_RETURN(std::string root, c.astring());
      return CommandArgs(QuotaRootArgs{std::move(root)});
    }
    case CommandName::kSetQuota:
      return wrap(setquota(c));
    case CommandName::kId:
      return wrap(id(c));
    default:
      return bad("Unknown command");  // unreachable: the commands without arguments
  }
}

const NameEntry* find_name(std::string_view word) {
  for (const NameEntry& e : kNames) {
    if (ascii_iequals(word, e.name)) return &e;
  }
  return nullptr;
}

}  // namespace

std::string_view command_name(CommandName name) {
  for (const NameEntry& e : kNames) {
    if (e.command == name) return e.name;
  }
  return "";
}

std::optional<std::string> command_tag(std::string_view bytes) {
  size_t n = 0;
  while (n < bytes.size() && is_tag_char(bytes[n])) ++n;
  if (n == 0 || (n < bytes.size() && bytes[n] != ' ')) return std::nullopt;
  return std::string(bytes.substr(0, n));
}

bool is_done_line(std::string_view line) {
  return ascii_iequals(line, "DONE");
}

Result<Command> parse_command(std::string_view bytes, const ParserLimits& limits) {
  if (bytes.empty()) return bad("Missing tag");
  std::optional<std::string> tag = command_tag(bytes);
  if (!tag) return bad("Invalid tag");
  TokenCursor c(bytes, limits);
  c.take_while(is_tag_char);  // the tag, checked above
  if (c.at_end()) return bad("Missing command");
  MF_RETURN_IF_ERROR(c.sp());
  Command cmd;
  cmd.tag = std::move(*tag);
  MF_ASSIGN_OR_RETURN(std::string_view word, c.atom());
  if (ascii_iequals(word, "UID")) {
    cmd.uid = true;
    if (c.at_end()) return bad("Missing command");
    MF_RETURN_IF_ERROR(c.sp());
    MF_ASSIGN_OR_RETURN(word, c.atom());
  }
  const NameEntry* entry = find_name(word);
  if (!entry) return bad("Unknown command");
  if (cmd.uid && !entry->uid_allowed) return bad("UID not allowed here");
  cmd.name = entry->command;
  MF_ASSIGN_OR_RETURN(cmd.args, arguments(c, cmd.name, cmd.uid));
  MF_RETURN_IF_ERROR(c.end());
  return cmd;
}

}  // namespace mf::imap
