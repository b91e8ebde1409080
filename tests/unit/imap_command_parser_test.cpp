// Unit tests of the IMAP command parser (imap/command_parser.h): tags and command names,
// and the arguments of every command, from RFC 9051's examples and what Thunderbird,
// Outlook, K-9 and mutt send; then the refusals, each with its BAD text.
#include <doctest/doctest.h>

#include "imap/command_parser.h"

#include <string>
#include <variant>

using namespace mf::imap;

namespace {

Command parsed(std::string_view s) {
  auto r = parse_command(s);
  INFO(std::string(s));
  REQUIRE_MESSAGE(r.is_ok(), r.status().message());
  return *r;
}

std::string error_of(std::string_view s, const ParserLimits& limits = {}) {
  auto r = parse_command(s, limits);
  return r ? std::string("ok") : r.status().message();
}

template <typename T>
T args_of(std::string_view s) {
  Command c = parsed(s);
  REQUIRE(std::holds_alternative<T>(c.args));
  return std::get<T>(c.args);
}

}  // namespace

TEST_CASE("IMAP tags follow the grammar and command names are case-insensitive") {
  Command c = parsed("A003 noop");
  CHECK(c.tag == "A003");
  CHECK(c.name == CommandName::kNoop);
  CHECK(!c.uid);
  CHECK(parsed("x]y.1 CAPABILITY").tag == "x]y.1");
  CHECK(command_name(CommandName::kGetQuotaRoot) == "GETQUOTAROOT");
  CHECK(error_of("") == "Missing tag");
  for (std::string_view bad_tag : {"+a NOOP", "a+b NOOP", "a* NOOP", "(a NOOP", "\"a\" NOOP",
                                   "a%1 NOOP", "a{1 NOOP", " NOOP", "a\\b NOOP"}) {
    CHECK_MESSAGE(error_of(bad_tag) == "Invalid tag", bad_tag);
  }
  CHECK(error_of("a1") == "Missing command");
  CHECK(error_of("a1 ") == "Missing argument");
  CHECK(error_of("a1  NOOP") == "Invalid atom");
  CHECK(error_of("a1 FROB") == "Unknown command");
  CHECK(error_of("a1 NOOP extra") == "Extra arguments");
  CHECK(error_of("a1 UID LOGIN a b") == "UID not allowed here");
  CHECK(error_of("a1 UID") == "Missing command");
  CHECK(error_of("a1 DONE") == "Unknown command");
}

TEST_CASE("IMAP tags are found for a tagged BAD even when the command is broken") {
  CHECK(command_tag("a1 FROB") == "a1");
  CHECK(command_tag("a1") == "a1");
  CHECK(command_tag("+a FROB") == std::nullopt);
  CHECK(command_tag("a\x01 NOOP") == std::nullopt);
  CHECK(command_tag("") == std::nullopt);
}

TEST_CASE("IMAP IDLE's DONE is recognised in any case") {
  CHECK(is_done_line("DONE"));
  CHECK(is_done_line("done"));
  CHECK(!is_done_line("DONE "));
  CHECK(!is_done_line("a1 DONE"));
}

TEST_CASE("IMAP commands without arguments refuse any") {
  for (std::string_view name : {"CAPABILITY", "NOOP", "LOGOUT", "STARTTLS", "NAMESPACE", "IDLE",
                                "CHECK", "CLOSE", "UNSELECT", "EXPUNGE"}) {
    std::string line = "t " + std::string(name);
    Command c = parsed(line);
    CHECK(std::holds_alternative<std::monostate>(c.args));
    CHECK(command_name(c.name) == name);
    CHECK(error_of(line + " x") == "Extra arguments");
  }
}

TEST_CASE("IMAP LOGIN takes atoms, quoted strings with escapes and literals") {
  auto a = args_of<LoginArgs>("a001 LOGIN SMITH SESAME");
  CHECK(a.user == "SMITH");
  CHECK(a.password == "SESAME");
  a = args_of<LoginArgs>("a002 LOGIN \"jean@example.fr\" \"p\\\"w\\\\d\"");
  CHECK(a.user == "jean@example.fr");
  CHECK(a.password == "p\"w\\d");
  a = args_of<LoginArgs>("a003 LOGIN {4}\r\nfred {6}\r\n\"a b\"\\");
  CHECK(a.user == "fred");
  CHECK(a.password == "\"a b\"\\");
  a = args_of<LoginArgs>("a004 LOGIN {4+}\r\nfred ]x");
  CHECK(a.password == "]x");
  CHECK(error_of("a LOGIN fred") == "Missing argument");
  CHECK(error_of("a LOGIN fred \"x\\y\"") == "Invalid string: bad escape");
  CHECK(error_of("a LOGIN fred \"xy") == "Invalid string: unterminated quoted string");
  CHECK(error_of("a LOGIN fred {10}\r\nabc") == "Invalid literal: truncated");
  CHECK(error_of("a LOGIN fred {3}abc") == "Invalid literal");
  CHECK(error_of("a LOGIN fred ~{3}\r\nabc") == "Invalid string: literal8 not allowed here");
  CHECK(error_of(std::string("a LOGIN fred {3}\r\na\0c", 21)) == "Invalid literal: NUL octet");
  CHECK(error_of("a LOGIN fr\xC3\xA9"
                 "d x") == "Expected space");
  CHECK(error_of("a LOGIN \"fr\xC3\" x") == "Invalid string: not UTF-8");
  CHECK(args_of<LoginArgs>("a LOGIN \"fr\xC3\xA9"
                           "d\" x")
            .user ==
        "fr\xC3\xA9"
        "d");
}

TEST_CASE("IMAP AUTHENTICATE takes a mechanism and a SASL-IR initial response") {
  auto a = args_of<AuthenticateArgs>("a AUTHENTICATE plain");
  CHECK(a.mechanism == "PLAIN");
  CHECK(!a.initial_response);
  a = args_of<AuthenticateArgs>("a AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=");
  CHECK(a.initial_response == "dGVzdAB0ZXN0AHRlc3Q=");
  a = args_of<AuthenticateArgs>("a AUTHENTICATE PLAIN =");
  CHECK(a.initial_response == "");
  CHECK(error_of("a AUTHENTICATE PLAIN abc") == "Invalid initial response");
  CHECK(error_of("a AUTHENTICATE PLAIN ab=c") == "Invalid initial response");
  CHECK(error_of("a AUTHENTICATE") == "Missing argument");
}

TEST_CASE("IMAP ENABLE, ID and the QUOTA commands") {
  CHECK(args_of<EnableArgs>("a ENABLE condstore QRESYNC").capabilities ==
        std::vector<std::string>{"CONDSTORE", "QRESYNC"});
  auto id = args_of<IdArgs>("A3 ID (\"name\" \"Thunderbird\" \"version\" \"115.0\")");
  REQUIRE(id.fields);
  REQUIRE(id.fields->size() == 2);
  CHECK((*id.fields)[0].first == "name");
  CHECK((*id.fields)[1].second == "115.0");
  CHECK(!args_of<IdArgs>("a ID NIL").fields);
  auto nil_value = args_of<IdArgs>("a ID (\"name\" NIL)");
  CHECK(!(*nil_value.fields)[0].second);
  CHECK(args_of<IdArgs>("a ID ()").fields->empty());
  std::string many = "a ID (";
  for (int i = 0; i < 31; ++i) many += (i ? " \"k" : "\"k") + std::to_string(i) + "\" \"v\"";
  CHECK(error_of(many + ")") == "Too many ID fields");
  CHECK(error_of("a ID (name \"x\")") == "Invalid string");
  CHECK(args_of<QuotaRootArgs>("a GETQUOTA \"\"").root == "");
  CHECK(args_of<MailboxArgs>("a GETQUOTAROOT INBOX").mailbox.inbox);
  auto sq = args_of<SetQuotaArgs>("a SETQUOTA \"\" (storage 512 MESSAGE 1000)");
  REQUIRE(sq.limits.size() == 2);
  CHECK(sq.limits[0].resource == "STORAGE");
  CHECK(sq.limits[1].limit == 1000);
  CHECK(args_of<SetQuotaArgs>("a SETQUOTA \"\" ()").limits.empty());
}

TEST_CASE("IMAP mailbox names keep their bytes and know INBOX in any case") {
  auto s = args_of<SelectArgs>("A142 SELECT iNbOx");
  CHECK(s.mailbox.raw == "iNbOx");
  CHECK(s.mailbox.inbox);
  CHECK(!args_of<SelectArgs>("a SELECT \"INBOX.Sent\"").mailbox.inbox);
  CHECK(args_of<SelectArgs>("a SELECT &AMk-l&AOk-ments").mailbox.raw == "&AMk-l&AOk-ments");
  auto r = args_of<RenameArgs>("a RENAME INBOX \"Old Mail\"");
  CHECK(r.from.inbox);
  CHECK(r.to.raw == "Old Mail");
  CHECK(args_of<MailboxArgs>("a DELETE foo/bar").mailbox.raw == "foo/bar");
  CHECK(args_of<MailboxArgs>("a SUBSCRIBE #news.comp.mail.mime").mailbox.raw ==
        "#news.comp.mail.mime");
  CHECK(args_of<MailboxArgs>("a UNSUBSCRIBE \"\"").mailbox.raw.empty());
  CHECK(error_of("a DELETE foo*") == "Extra arguments");
  CHECK(error_of("a RENAME foo") == "Missing argument");
}

TEST_CASE("IMAP SELECT and EXAMINE take CONDSTORE and QRESYNC parameters") {
  CHECK(args_of<SelectArgs>("a EXAMINE INBOX (CONDSTORE)").condstore);
  auto q = args_of<SelectArgs>(
      "A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))");
  REQUIRE(q.qresync);
  CHECK(q.qresync->uidvalidity == 67890007u);
  CHECK(q.qresync->modseq == 20050715194045000ull);
  REQUIRE(q.qresync->known_uids);
  CHECK(to_string(*q.qresync->known_uids) == "41,43:211,214:541");
  CHECK(!q.qresync->known_sequence_set);
  q = args_of<SelectArgs>(
      "B04 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500,9000,9990:9999 "
      "15000,22500,27000,29970,29973,29976,29979,29982,29985,29988,29991,29994,29997)))");
  REQUIRE(q.qresync->known_sequence_set);
  CHECK(to_string(*q.qresync->known_sequence_set) == "5000,7500,9000,9990:9999");
  q = args_of<SelectArgs>("a SELECT INBOX (QRESYNC (1 2 (1:2 3:4)) CONDSTORE)");
  CHECK(!q.qresync->known_uids);
  CHECK(to_string(*q.qresync->known_uid_set) == "3:4");
  CHECK(q.condstore);
  CHECK(!args_of<SelectArgs>("a SELECT INBOX").qresync);
  CHECK(error_of("a SELECT INBOX (FOO)") == "Unknown select parameter");
  CHECK(error_of("a SELECT INBOX (QRESYNC (0 1))") == "Expected a non-zero number");
  CHECK(error_of("a SELECT INBOX (QRESYNC (1))") == "Expected space");
  CHECK(error_of("a SELECT INBOX ()") == "Unknown select parameter");
}

TEST_CASE("IMAP CREATE takes a special use") {
  CHECK(args_of<CreateArgs>("A003 CREATE owatagusiam/").mailbox.raw == "owatagusiam/");
  auto c = args_of<CreateArgs>("t1 CREATE \"Important Messages\" (USE (\\Important \\Flagged))");
  CHECK(c.special_use == std::vector<std::string>{"\\Important", "\\Flagged"});
  CHECK(error_of("a CREATE x (USE (Drafts))") == "Invalid special-use attribute");
  CHECK(error_of("a CREATE x (FOO (\\Drafts))") == "Unknown create parameter");
}

TEST_CASE("IMAP LIST in its plain and extended forms, and LSUB") {
  auto l = args_of<ListArgs>("A101 LIST \"\" \"\"");
  CHECK(l.reference.empty());
  CHECK(l.patterns == std::vector<std::string>{""});
  CHECK(!l.extended);
  l = args_of<ListArgs>("A102 LIST #news.comp.mail.misc *");
  CHECK(l.reference == "#news.comp.mail.misc");
  CHECK(l.patterns == std::vector<std::string>{"*"});
  CHECK(args_of<ListArgs>("a LIST \"\" %/]x").patterns[0] == "%/]x");
  l = args_of<ListArgs>(
      "A04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (\"INBOX\" Drafts %) RETURN (CHILDREN "
      "STATUS (MESSAGES UNSEEN SIZE))");
  CHECK(l.extended);
  CHECK(l.subscribed);
  CHECK(l.recursive_match);
  CHECK(l.patterns == std::vector<std::string>{"INBOX", "Drafts", "%"});
  CHECK(l.return_children);
  CHECK(l.return_status ==
        std::vector<StatusItem>{StatusItem::kMessages, StatusItem::kUnseen, StatusItem::kSize});
  l = args_of<ListArgs>("t1 LIST (SPECIAL-USE) \"\" *");
  CHECK(l.special_use);
  l = args_of<ListArgs>("t1 LIST \"\" % RETURN (SPECIAL-USE SUBSCRIBED)");
  CHECK(l.return_special_use);
  CHECK(l.return_subscribed);
  CHECK(args_of<ListArgs>("a LIST () \"\" *").extended);
  CHECK(args_of<ListArgs>("a LIST \"\" * RETURN ()").extended);
  CHECK(error_of("a LIST (RECURSIVEMATCH) \"\" *") ==
        "RECURSIVEMATCH needs another selection option");
  CHECK(error_of("a LIST (FOO) \"\" *") == "Unknown LIST option");
  CHECK(error_of("a LIST \"\" * RETURN (FOO)") == "Unknown LIST return option");
  CHECK(error_of("a LIST \"\" * RETURN (STATUS (FOO))") == "Unknown status item");
  CHECK(error_of("a LIST \"\" * FOO") == "Extra arguments");
  CHECK(error_of("a LIST \"\"") == "Missing argument");
  auto ls = args_of<ListArgs>("A002 LSUB \"#news.\" \"comp.mail.*\"");
  CHECK(ls.subscribed);
  CHECK(ls.patterns == std::vector<std::string>{"comp.mail.*"});
}

TEST_CASE("IMAP STATUS takes every status item") {
  auto s = args_of<StatusArgs>("A042 STATUS blurdybloop (UIDNEXT MESSAGES)");
  CHECK(s.mailbox.raw == "blurdybloop");
  CHECK(s.items == std::vector<StatusItem>{StatusItem::kUidNext, StatusItem::kMessages});
  s = args_of<StatusArgs>(
      "a STATUS INBOX (messages uidnext uidvalidity unseen deleted size recent highestmodseq "
      "appendlimit)");
  CHECK(s.items.size() == 9);
  CHECK(s.items.back() == StatusItem::kAppendLimit);
  CHECK(error_of("a STATUS INBOX (FOO)") == "Unknown status item");
  CHECK(error_of("a STATUS INBOX ()") == "Unknown status item");
  CHECK(error_of("a STATUS INBOX MESSAGES") == "Expected status items");
  CHECK(error_of("a STATUS INBOX (MESSAGES") == "Missing argument");
}

TEST_CASE("IMAP APPEND takes flags, a date-time, literals, literal8, UTF8 and several messages") {
  std::string msg =
      "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\nSubject: afternoon meeting\r\n"
      "\r\nHello Joe\r\n";
  std::string n = std::to_string(msg.size());
  auto a = args_of<AppendArgs>("A003 APPEND saved-messages (\\Seen) {" + n + "}\r\n" + msg);
  CHECK(a.mailbox.raw == "saved-messages");
  REQUIRE(a.messages.size() == 1);
  CHECK(a.messages[0].flags == std::vector<std::string>{"\\Seen"});
  CHECK(a.messages[0].data == msg);
  CHECK(!a.messages[0].date_time);
  a = args_of<AppendArgs>("a APPEND INBOX (\\Seen $Forwarded) \" 7-Feb-1994 21:52:25 -0800\" {" +
                          n + "+}\r\n" + msg);
  REQUIRE(a.messages[0].date_time);
  CHECK(a.messages[0].date_time->date == Date{1994, 2, 7});
  CHECK(a.messages[0].date_time->hour == 21);
  CHECK(a.messages[0].date_time->zone_minutes == -480);
  a = args_of<AppendArgs>("a APPEND Drafts \"17-Jul-1996 02:44:25 +0200\" {3}\r\nabc");
  CHECK(a.messages[0].date_time->date == Date{1996, 7, 17});
  CHECK(a.messages[0].date_time->zone_minutes == 120);
  a = args_of<AppendArgs>(std::string("a APPEND INBOX ~{3}\r\na\0b", 24));
  CHECK(a.messages[0].binary);
  CHECK(a.messages[0].data == std::string("a\0b", 3));
  a = args_of<AppendArgs>("a APPEND INBOX UTF8 (~{3+}\r\nabc)");
  CHECK(a.messages[0].utf8);
  CHECK(a.messages[0].binary);
  // MULTIAPPEND (RFC 3502).
  a = args_of<AppendArgs>("A003 APPEND INBOX {3}\r\nabc (\\Seen) {2}\r\nde");
  REQUIRE(a.messages.size() == 2);
  CHECK(a.messages[1].data == "de");
  CHECK(a.messages[1].flags == std::vector<std::string>{"\\Seen"});
  CHECK(error_of("a APPEND INBOX \"text\"") == "Invalid date-time");
  CHECK(error_of("a APPEND INBOX text") == "Expected a literal");
  CHECK(error_of("a APPEND INBOX") == "Missing argument");
  CHECK(error_of("a APPEND INBOX \"32-Feb-1994 21:52:25 -0800\" {1}\r\nx") == "Invalid date-time");
  CHECK(error_of("a APPEND INBOX \"7-Feb-1994 21:52:25 -0800\" {1}\r\nx") == "Invalid date-time");
  CHECK(error_of("a APPEND INBOX (\\Seen {1}\r\nx") == "Invalid flag");
  CHECK(error_of("a APPEND INBOX {1}\r\nx ") == "Missing argument");
}

TEST_CASE("IMAP SEARCH takes every key, nested lists, OR, NOT and sequence sets") {
  auto s = args_of<SearchArgs>("A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"");
  CHECK(!s.charset);
  CHECK(!s.result_options);
  REQUIRE(s.program.kind == SearchKey::Kind::kAnd);
  REQUIRE(s.program.children.size() == 3);
  CHECK(s.program.children[0].kind == SearchKey::Kind::kFlagged);
  CHECK(s.program.children[1].date == Date{1994, 2, 1});
  CHECK(s.program.children[2].kind == SearchKey::Kind::kNot);
  CHECK(s.program.children[2].children[0].text == "Smith");
  s = args_of<SearchArgs>(
      "a UID SEARCH RETURN (MIN COUNT SAVE) CHARSET UTF-8 OR (SUBJECT \"r\xC3\xA9union\" "
      "FROM x) HEADER Message-ID \"<a@b>\" UID 1:* 2,4:*");
  REQUIRE(s.result_options);
  CHECK(s.result_options->min);
  CHECK(s.result_options->count);
  CHECK(s.result_options->save);
  CHECK(!s.result_options->max);
  CHECK(s.charset == "UTF-8");
  const auto& keys = s.program.children;
  REQUIRE(keys.size() == 3);
  CHECK(keys[0].kind == SearchKey::Kind::kOr);
  CHECK(keys[0].children[0].kind == SearchKey::Kind::kAnd);
  CHECK(keys[0].children[0].children[0].text == "r\xC3\xA9union");
  CHECK(keys[0].children[1].kind == SearchKey::Kind::kHeader);
  CHECK(keys[0].children[1].text == "Message-ID");
  CHECK(keys[0].children[1].value == "<a@b>");
  CHECK(keys[1].kind == SearchKey::Kind::kUid);
  CHECK(keys[2].kind == SearchKey::Kind::kSequenceSet);
  CHECK(to_string(keys[2].set) == "2,4:*");
  CHECK(args_of<SearchArgs>("a SEARCH $").program.children[0].set.saved);
  CHECK(args_of<SearchArgs>("a SEARCH RETURN () ALL").result_options.has_value());
  // Every other key.
  s = args_of<SearchArgs>(
      "a SEARCH ALL ANSWERED BCC x BEFORE \"1-Jan-2020\" BODY y CC z DELETED DRAFT KEYWORD "
      "$Junk LARGER 100 NEW OLD ON 31-Dec-1999 RECENT SEEN SENTBEFORE 1-Jan-2000 SENTON "
      "1-Jan-2000 SENTSINCE 1-Jan-2000 SMALLER 5 SUBJECT s TEXT t TO u UNANSWERED UNDELETED "
      "UNDRAFT UNFLAGGED UNKEYWORD $Junk UNSEEN FLAGGED FROM f HEADER h v SINCE 1-Jan-2000 "
      "UID 1:2 MODSEQ 5 MODSEQ \"/flags/\\\\draft\" all 620162338");
  CHECK(s.program.children.size() == 35);
  CHECK(s.program.children[33].number == 5);
  CHECK(s.program.children[34].text == "/flags/\\draft");
  CHECK(s.program.children[34].value == "all");
  CHECK(s.program.children[34].number == 620162338);
  // A literal search string.
  CHECK(args_of<SearchArgs>("a SEARCH CHARSET UTF-8 TEXT {6}\r\n\xD0\xB4\xD0\xB0\xD0\xB0")
            .program.children[0]
            .text == "\xD0\xB4\xD0\xB0\xD0\xB0");
}

TEST_CASE("IMAP SEARCH refuses unknown keys, bad arguments, deep nesting and too many keys") {
  CHECK(error_of("a SEARCH FOO") == "Unknown search key");
  CHECK(error_of("a SEARCH") == "Missing argument");
  CHECK(error_of("a SEARCH BEFORE 31-Foo-2020") == "Invalid date");
  CHECK(error_of("a SEARCH BEFORE 1-Jan-20") == "Invalid date");
  CHECK(error_of("a SEARCH LARGER x") == "Expected a number");
  CHECK(error_of("a SEARCH OR SEEN") == "Missing argument");
  CHECK(error_of("a SEARCH (SEEN") == "Missing argument");
  CHECK(error_of("a SEARCH ()") == "Unknown search key");
  CHECK(error_of("a SEARCH 0") == "Invalid sequence set: numbers start at 1");
  CHECK(error_of("a SEARCH 1:2x") == "Invalid sequence set: unexpected character");
  CHECK(error_of("a SEARCH RETURN (FOO) ALL") == "Unknown search return option");
  CHECK(error_of("a SEARCH MODSEQ \"/other\" all 5") == "Invalid MODSEQ entry name");
  CHECK(error_of("a SEARCH MODSEQ \"/flags/\\\\seen\" mine 5") == "Invalid MODSEQ entry type");
  std::string nots = "a SEARCH ";
  for (int i = 0; i < 40; ++i) nots += "NOT ";
  CHECK(error_of(nots + "ALL") == "Nesting too deep");
  std::string parens = "a SEARCH " + std::string(40, '(') + "ALL" + std::string(40, ')');
  CHECK(error_of(parens) == "Nesting too deep");
  std::string ok_parens = "a SEARCH " + std::string(30, '(') + "ALL" + std::string(30, ')');
  CHECK(error_of(ok_parens) == "ok");
  ParserLimits limits;
  limits.max_search_keys = 3;
  CHECK(error_of("a SEARCH ALL ALL ALL", limits) == "ok");
  CHECK(error_of("a SEARCH ALL (ALL ALL)", limits) == "Too many search keys");
}

TEST_CASE("IMAP FETCH parses Thunderbird's header fetch") {
  auto f = args_of<FetchArgs>(
      "a1 UID FETCH 1:* (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (From To Cc Bcc Subject "
      "Date Message-ID Priority X-Priority References Newsgroups In-Reply-To Content-Type "
      "Reply-To)])");
  CHECK(to_string(f.set) == "1:*");
  REQUIRE(f.items.size() == 4);
  CHECK(f.items[0].kind == FetchItem::Kind::kUid);
  CHECK(f.items[1].kind == FetchItem::Kind::kRfc822Size);
  CHECK(f.items[2].kind == FetchItem::Kind::kFlags);
  const FetchItem& h = f.items[3];
  CHECK(h.kind == FetchItem::Kind::kBodySection);
  CHECK(h.peek);
  CHECK(h.section.text == Section::Text::kHeaderFields);
  CHECK(h.section.fields.size() == 14);
  CHECK(h.section.fields.front() == "From");
  CHECK(h.section.fields.back() == "Reply-To");
  CHECK(parsed("a1 UID FETCH 1:* (FLAGS)").uid);
}

TEST_CASE("IMAP FETCH takes every item, section, partial and modifier") {
  auto f = args_of<FetchArgs>("A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])");
  CHECK(f.items[1].section.fields == std::vector<std::string>{"DATE", "FROM"});
  CHECK(!f.items[1].peek);
  CHECK(args_of<FetchArgs>("a FETCH 1 ALL").items.size() == 4);
  CHECK(args_of<FetchArgs>("a FETCH 1 fast").items.size() == 3);
  auto full = args_of<FetchArgs>("a FETCH 1 FULL");
  REQUIRE(full.items.size() == 5);
  CHECK(full.items[4].kind == FetchItem::Kind::kBody);
  f = args_of<FetchArgs>(
      "a FETCH 1 (ENVELOPE INTERNALDATE RFC822 RFC822.HEADER RFC822.TEXT BODY BODYSTRUCTURE "
      "MODSEQ BODY[] BODY[]<0.2048> BODY[1.2.MIME] BODY[2.HEADER.FIELDS.NOT (Received)] "
      "BODY[3.TEXT] BODY.PEEK[TEXT]<100.200> BINARY[] BINARY.PEEK[1.2]<0.100> BINARY.SIZE[2])");
  REQUIRE(f.items.size() == 17);
  CHECK(f.items[6].kind == FetchItem::Kind::kBodyStructure);
  CHECK(f.items[8].kind == FetchItem::Kind::kBodySection);
  CHECK(f.items[8].section.part.empty());
  CHECK(f.items[8].section.text == Section::Text::kNone);
  REQUIRE(f.items[9].partial);
  CHECK(f.items[9].partial->count == 2048);
  CHECK(f.items[10].section.part == std::vector<uint32_t>{1, 2});
  CHECK(f.items[10].section.text == Section::Text::kMime);
  CHECK(f.items[11].section.text == Section::Text::kHeaderFieldsNot);
  CHECK(f.items[12].section.text == Section::Text::kText);
  CHECK(f.items[13].partial->offset == 100);
  CHECK(f.items[14].kind == FetchItem::Kind::kBinary);
  CHECK(f.items[15].peek);
  CHECK(f.items[15].section.part == std::vector<uint32_t>{1, 2});
  CHECK(f.items[16].kind == FetchItem::Kind::kBinarySize);
  f = args_of<FetchArgs>("s100 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)");
  CHECK(f.changed_since == 12345u);
  CHECK(f.vanished);
  CHECK(args_of<FetchArgs>("a FETCH 1:* FLAGS (CHANGEDSINCE 1)").changed_since == 1u);
}

TEST_CASE("IMAP FETCH refuses bad items, sections, ranges and modifiers") {
  CHECK(error_of("a FETCH 1 FOO") == "Unknown fetch item");
  CHECK(error_of("a FETCH 1 (FLAGS") == "Missing argument");
  CHECK(error_of("a FETCH 1 ()") == "Unknown fetch item");
  CHECK(error_of("a FETCH 1 (ALL)") == "Unknown fetch item");
  CHECK(error_of("a FETCH 1 BODY[MIME]") == "Invalid section");
  CHECK(error_of("a FETCH 1 BODY[0]") == "Invalid section");
  CHECK(error_of("a FETCH 1 BODY[1") == "Invalid section");
  CHECK(error_of("a FETCH 1 BODY[HEADER.FIELDS ()]") == "Invalid string");
  CHECK(error_of("a FETCH 1 BODY.PEEK") == "Invalid section");
  CHECK(error_of("a FETCH 1 BINARY[HEADER]") == "Invalid section");
  CHECK(error_of("a FETCH 1 BINARY[1.MIME]") == "Invalid section");
  CHECK(error_of("a FETCH 1 BODY[]<0.0>") == "Invalid partial range");
  CHECK(error_of("a FETCH 1 BODY[]<5>") == "Invalid partial range");
  CHECK(error_of("a FETCH 1 BINARY.SIZE[1]<0.1>") == "Expected space");
  CHECK(error_of("a FETCH 0 FLAGS") == "Invalid sequence set: numbers start at 1");
  CHECK(error_of("a FETCH 1") == "Missing argument");
  CHECK(error_of("a FETCH 1 FLAGS (VANISHED)") == "VANISHED needs UID FETCH and CHANGEDSINCE");
  CHECK(error_of("a FETCH 1 FLAGS (CHANGEDSINCE 1 VANISHED)") ==
        "VANISHED needs UID FETCH and CHANGEDSINCE");
  CHECK(error_of("a FETCH 1 FLAGS (FOO)") == "Unknown fetch modifier");
  CHECK(error_of("a FETCH 1 FLAGS (CHANGEDSINCE 0)") == "Expected a non-zero number");
}

TEST_CASE("IMAP STORE, COPY, MOVE and UID EXPUNGE") {
  auto s = args_of<StoreArgs>("A003 STORE 2:4 +FLAGS (\\Deleted)");
  CHECK(s.op == StoreArgs::Op::kAdd);
  CHECK(!s.silent);
  CHECK(s.flags == std::vector<std::string>{"\\Deleted"});
  s = args_of<StoreArgs>("a UID STORE 1 -flags.silent \\Seen $Label1");
  CHECK(s.op == StoreArgs::Op::kRemove);
  CHECK(s.silent);
  CHECK(s.flags == std::vector<std::string>{"\\Seen", "$Label1"});
  s = args_of<StoreArgs>("d105 STORE 7,5,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)");
  CHECK(s.unchanged_since == 320162338u);
  CHECK(args_of<StoreArgs>("a STORE 1 FLAGS ()").flags.empty());
  CHECK(error_of("a STORE 1 FLAGS.LOUD (\\Seen)") == "Invalid store item");
  CHECK(error_of("a STORE 1 +FLAGS (\\*)") == "Invalid flag");
  CHECK(error_of("a STORE 1 +FLAGS") == "Missing argument");
  CHECK(error_of("a STORE 1 (FOO 1) FLAGS ()") == "Unknown store modifier");
  auto m = args_of<CopyArgs>("a UID MOVE 42:69 foo");
  CHECK(to_string(m.set) == "42:69");
  CHECK(m.mailbox.raw == "foo");
  CHECK(parsed("a UID MOVE 42:69 foo").name == CommandName::kMove);
  CHECK(args_of<CopyArgs>("A003 COPY 2:4 MEETING").mailbox.raw == "MEETING");
  Command e = parsed("A202 UID EXPUNGE 3000:3002");
  CHECK(e.name == CommandName::kExpunge);
  CHECK(to_string(std::get<UidExpungeArgs>(e.args).uids) == "3000:3002");
  CHECK(error_of("a UID EXPUNGE") == "Missing argument");
  CHECK(error_of("a COPY 1:x INBOX") == "Invalid sequence set: unexpected character");
}

TEST_CASE("IMAP SORT and THREAD take RFC 5256's criteria, algorithms and charsets") {
  auto s = args_of<SortArgs>("A282 SORT (SUBJECT) UTF-8 SINCE 1-Feb-1994");
  CHECK(s.criteria.size() == 1);
  CHECK(s.charset == "UTF-8");
  s = args_of<SortArgs>("A283 UID SORT (REVERSE DATE ARRIVAL cc from size to) US-ASCII ALL");
  REQUIRE(s.criteria.size() == 6);
  CHECK(s.criteria[0].reverse);
  CHECK(s.criteria[0].key == SortCriterion::Key::kDate);
  CHECK(!s.criteria[1].reverse);
  CHECK(s.criteria[5].key == SortCriterion::Key::kTo);
  CHECK(error_of("a SORT (FOO) UTF-8 ALL") == "Unknown sort key");
  CHECK(error_of("a SORT (DATE) ALL") == "Missing argument");
  CHECK(error_of("a SORT () UTF-8 ALL") == "Unknown sort key");
  auto t = args_of<ThreadArgs>("A283 THREAD ORDEREDSUBJECT UTF-8 SINCE 5-MAR-2000");
  CHECK(t.algorithm == ThreadArgs::Algorithm::kOrderedSubject);
  CHECK(t.program.children[0].date == Date{2000, 3, 5});
  t = args_of<ThreadArgs>("A284 UID THREAD REFERENCES US-ASCII TEXT \"gewp\"");
  CHECK(t.algorithm == ThreadArgs::Algorithm::kReferences);
  CHECK(error_of("a THREAD FOO UTF-8 ALL") == "Unknown threading algorithm");
}

TEST_CASE("IMAP list limits apply to flags, fetch items and header fields") {
  ParserLimits limits;
  limits.max_list_items = 2;
  CHECK(error_of("a STORE 1 FLAGS (a b c)", limits) == "Too many flags");
  CHECK(error_of("a FETCH 1 (UID FLAGS UID)", limits) == "Too many fetch items");
  CHECK(error_of("a FETCH 1 BODY[HEADER.FIELDS (a b c)]", limits) == "Too many header fields");
  CHECK(error_of("a FETCH 1 (UID FLAGS)", limits) == "ok");
}
