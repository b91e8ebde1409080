// imap/command.h — IMAP client commands in structured form, as imap/command_parser.h
// produces them: the tag, the command, and its typed arguments (RFC 9051 §6, RFC 3501 §6,
// and the extensions of issue 6: CONDSTORE/QRESYNC RFC 7162, LIST-EXTENDED RFC 5258,
// LIST-STATUS RFC 5819, SPECIAL-USE RFC 6154, SORT/THREAD RFC 5256, QUOTA RFC 9208,
// ID RFC 2971, MULTIAPPEND RFC 3502, BINARY RFC 3516, UTF8=ACCEPT RFC 6855, SEARCHRES and
// ESEARCH RFC 5182/4731, SASL-IR RFC 4959, UIDPLUS RFC 4315, MOVE RFC 6851).
//
// Plain values: strings are copies (literal contents included), so a Command outlives the
// bytes it was parsed from. Keywords (command names, search keys, fetch items, options)
// are matched case-insensitively and turned into enums; client strings stay as sent.
#ifndef MF_IMAP_COMMAND_H
#define MF_IMAP_COMMAND_H

#include "imap/sequence_set.h"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace mf::imap {

enum class CommandName {
  kCapability,
  kNoop,
  kLogout,
  kStartTls,
  kAuthenticate,
  kLogin,
  kEnable,
  kSelect,
  kExamine,
  kCreate,
  kDelete,
  kRename,
  kSubscribe,
  kUnsubscribe,
  kList,
  kLsub,
  kNamespace,
  kStatus,
  kAppend,
  kIdle,
  kCheck,
  kClose,
  kUnselect,
  kExpunge,
  kSearch,
  kFetch,
  kStore,
  kCopy,
  kMove,
  kSort,
  kThread,
  kGetQuota,
  kGetQuotaRoot,
  kSetQuota,
  kId,
};

// The name in upper case: "UID" is not part of it ("FETCH" for UID FETCH too).
std::string_view command_name(CommandName name);

// A mailbox name as the client sent it (modified UTF-7 or UTF-8: converting it is the
// session's business, via imap/mutf7.h), and whether it is INBOX in any case — which
// RFC 9051 §5.1 makes case-insensitive.
struct Mailbox {
  std::string raw;
  bool inbox = false;
};

struct Date {
  int year = 0;   // 4 digits
  int month = 0;  // 1..12
  int day = 0;    // 1..31 (not checked against the month)
  bool operator==(const Date&) const = default;
};

// APPEND's date-time: "17-Jul-1996 02:44:25 -0700".
struct DateTime {
  Date date;
  int hour = 0, minute = 0, second = 0;
  int zone_minutes = 0;  // east of UTC: -0700 is -420
};

// ---- Per-command arguments --------------------------------------------------------------

struct AuthenticateArgs {
  std::string mechanism;  // upper-cased
  // SASL-IR (RFC 4959): the base64 as sent; "=" (the empty response) gives "". nullopt
  // when none was given. Decoding it is the session's (smtp/sasl.h's base64 rules).
  std::optional<std::string> initial_response;
};

struct LoginArgs {
  std::string user;
  std::string password;
};

struct EnableArgs {
  std::vector<std::string> capabilities;  // upper-cased
};

// QRESYNC's parameters (RFC 7162 §3.2.5).
struct Qresync {
  uint32_t uidvalidity = 0;
  uint64_t modseq = 0;
  std::optional<SequenceSet> known_uids;
  // seq-match-data: known sequence numbers and their UIDs.
  std::optional<SequenceSet> known_sequence_set;
  std::optional<SequenceSet> known_uid_set;
};

struct SelectArgs {  // SELECT and EXAMINE
  Mailbox mailbox;
  bool condstore = false;
  std::optional<Qresync> qresync;
};

struct MailboxArgs {  // DELETE, SUBSCRIBE, UNSUBSCRIBE, GETQUOTAROOT
  Mailbox mailbox;
};

struct CreateArgs {
  Mailbox mailbox;
  std::vector<std::string> special_use;  // CREATE ... (USE (\Drafts)), as sent
};

struct RenameArgs {
  Mailbox from;
  Mailbox to;
};

enum class StatusItem {
  kMessages,
  kUidNext,
  kUidValidity,
  kUnseen,
  kDeleted,
  kSize,
  kRecent,
  kHighestModSeq,
  kAppendLimit,
};

struct ListArgs {
  // Selection options (RFC 5258 §3.1, RFC 6154 §3).
  bool subscribed = false;
  bool remote = false;
  bool recursive_match = false;
  bool special_use = false;           // select only mailboxes with a special use
  std::string reference;              // as sent, may be empty
  std::vector<std::string> patterns;  // one, or several in "( ... )"; wildcards kept
  bool extended = false;              // any selection or return option or pattern list was given
  // Return options (RFC 5258 §3.2, RFC 5819, RFC 6154).
  bool return_subscribed = false;
  bool return_children = false;
  bool return_special_use = false;
  std::vector<StatusItem> return_status;  // RETURN (STATUS (...)); empty for none
};

struct StatusArgs {
  Mailbox mailbox;
  std::vector<StatusItem> items;
};

// One message of APPEND (RFC 3502 MULTIAPPEND allows several).
struct AppendMessage {
  std::vector<std::string> flags;  // as sent ("\Seen", "$Forwarded")
  std::optional<DateTime> date_time;
  std::string data;     // the literal's octets
  bool binary = false;  // sent as literal8 "~{n}" (RFC 3516)
  bool utf8 = false;    // wrapped in "UTF8 ( ... )" (RFC 6855)
};

struct AppendArgs {
  Mailbox mailbox;
  std::vector<AppendMessage> messages;  // at least one
};

struct UidExpungeArgs {
  SequenceSet uids;
};

struct SearchKey {
  enum class Kind {
    kAll,
    kAnswered,
    kBcc,
    kBefore,
    kBody,
    kCc,
    kDeleted,
    kDraft,
    kFlagged,
    kFrom,
    kHeader,
    kKeyword,
    kLarger,
    kNew,
    kNot,
    kOld,
    kOn,
    kOr,
    kRecent,
    kSeen,
    kSentBefore,
    kSentOn,
    kSentSince,
    kSince,
    kSmaller,
    kSubject,
    kText,
    kTo,
    kUid,
    kUnanswered,
    kUndeleted,
    kUndraft,
    kUnflagged,
    kUnkeyword,
    kUnseen,
    kSequenceSet,
    kAnd,     // a parenthesised list: all children
    kModSeq,  // RFC 7162
  };
  Kind kind = Kind::kAll;
  std::string text;     // BCC..TO strings, HEADER's field name, KEYWORD's flag,
                        // MODSEQ's entry name ("/flags/\Seen"), or empty
  std::string value;    // HEADER's string; MODSEQ's entry type ("priv", "shared", "all")
  uint64_t number = 0;  // LARGER/SMALLER octets, MODSEQ value
  Date date;            // BEFORE, ON, SINCE, SENT*
  SequenceSet set;      // UID and sequence-set keys
  std::vector<SearchKey> children;  // NOT: one; OR: two; kAnd: one or more
};

// ESEARCH return options (RFC 4731, RFC 5182).
struct SearchReturn {
  bool min = false, max = false, all = false, count = false, save = false;
};

struct SearchArgs {
  // Given: "SEARCH RETURN (...)" — the answer is an ESEARCH response (an empty RETURN ()
  // means ALL, RFC 4731 §3.1).
  std::optional<SearchReturn> result_options;
  std::optional<std::string> charset;  // as sent
  SearchKey program;                   // kAnd over the keys given
};

struct Section {
  std::vector<uint32_t> part;  // "1.2.3" → {1,2,3}; empty for the whole message
  enum class Text { kNone, kHeader, kHeaderFields, kHeaderFieldsNot, kText, kMime };
  Text text = Text::kNone;
  std::vector<std::string> fields;  // HEADER.FIELDS (...) names, as sent
};

struct Partial {
  uint64_t offset = 0;
  uint64_t count = 0;  // > 0
};

struct FetchItem {
  enum class Kind {
    kEnvelope,
    kFlags,
    kInternalDate,
    kRfc822,
    kRfc822Header,
    kRfc822Size,
    kRfc822Text,
    kBody,  // BODY without a section: the structure without extensions
    kBodyStructure,
    kUid,
    kBodySection,  // BODY[section]<partial>, BODY.PEEK[...]
    kBinary,       // BINARY[part]<partial>, BINARY.PEEK[...]
    kBinarySize,   // BINARY.SIZE[part]
    kModSeq,
  };
  Kind kind = Kind::kFlags;
  bool peek = false;
  Section section;  // kBodySection; kBinary/kBinarySize use section.part only
  std::optional<Partial> partial;
};

struct FetchArgs {
  SequenceSet set;
  std::vector<FetchItem> items;           // macros expanded: ALL, FAST, FULL
  std::optional<uint64_t> changed_since;  // (CHANGEDSINCE n)
  bool vanished = false;                  // (... VANISHED), UID FETCH only
};

struct StoreArgs {
  SequenceSet set;
  std::optional<uint64_t> unchanged_since;
  enum class Op { kReplace, kAdd, kRemove };
  Op op = Op::kReplace;
  bool silent = false;
  std::vector<std::string> flags;
};

struct CopyArgs {  // COPY and MOVE
  SequenceSet set;
  Mailbox mailbox;
};

struct SortCriterion {
  enum class Key { kArrival, kCc, kDate, kFrom, kSize, kSubject, kTo };
  Key key = Key::kArrival;
  bool reverse = false;
};

struct SortArgs {
  std::vector<SortCriterion> criteria;
  std::string charset;
  SearchKey program;
};

struct ThreadArgs {
  enum class Algorithm { kOrderedSubject, kReferences };
  Algorithm algorithm = Algorithm::kReferences;
  std::string charset;
  SearchKey program;
};

struct QuotaRootArgs {  // GETQUOTA
  std::string root;
};

struct SetQuotaArgs {
  std::string root;
  struct Limit {
    std::string resource;  // upper-cased ("STORAGE")
    uint64_t limit = 0;
  };
  std::vector<Limit> limits;
};

struct IdArgs {
  // nullopt for "ID NIL"; else the pairs, values NIL as nullopt.
  std::optional<std::vector<std::pair<std::string, std::optional<std::string>>>> fields;
};

using CommandArgs =
    std::variant<std::monostate, AuthenticateArgs, LoginArgs, EnableArgs, SelectArgs, MailboxArgs,
                 CreateArgs, RenameArgs, ListArgs, StatusArgs, AppendArgs, UidExpungeArgs,
                 SearchArgs, FetchArgs, StoreArgs, CopyArgs, SortArgs, ThreadArgs, QuotaRootArgs,
                 SetQuotaArgs, IdArgs>;

struct Command {
  std::string tag;
  CommandName name = CommandName::kNoop;
  bool uid = false;  // "UID FETCH", "UID SEARCH", ... and UID EXPUNGE
  CommandArgs args;  // std::monostate for commands without arguments
};

}  // namespace mf::imap

#endif  // MF_IMAP_COMMAND_H
