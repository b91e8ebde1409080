// Unit tests of SEARCH evaluation (imap/search_eval.h) and its text folding
// (imap/search_text.h), with search programs written as clients send them.
#include <doctest/doctest.h>

#include "imap/command_parser.h"
#include "imap/search_eval.h"
#include "imap/search_text.h"
#include "imap_search_fixture.h"
#include "mime/charset.h"

#include <string>
#include <vector>

using namespace mf;
using namespace mf::imap;
using mf::imap::testing::MemoryMessage;

namespace {

SearchKey program(std::string_view keys) {
  auto cmd = parse_command("a SEARCH " + std::string(keys));
  REQUIRE_MESSAGE(cmd.is_ok(), cmd.status().to_string());
  return std::get<SearchArgs>(cmd->args).program;
}

bool matches(std::string_view keys, MemoryMessage& msg, const SearchContext& ctx = {}) {
  auto r = search_matches(program(keys), msg, ctx);
  REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
  return *r;
}

// The sequence numbers of `msgs` that match, as SEARCH answers.
std::vector<uint32_t> search(std::string_view keys, std::vector<MemoryMessage>& msgs,
                             SearchContext ctx = {}) {
  if (ctx.messages == 0) ctx.messages = static_cast<uint32_t>(msgs.size());
  for (const MemoryMessage& m : msgs) ctx.highest_uid = std::max(ctx.highest_uid, m.info().uid);
  SearchProgram p(program(keys), ctx);
  std::vector<uint32_t> out;
  for (MemoryMessage& m : msgs) {
    auto r = p.matches(m);
    REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
    if (*r) out.push_back(m.seq());
  }
  return out;
}

mailbox::MessageInfo with_flags(uint32_t flags, std::vector<std::string> keywords = {}) {
  mailbox::MessageInfo info;
  info.flags = flags;
  info.keywords = std::move(keywords);
  return info;
}

const std::string kPlain =
    "From: Emma Durand <emma.durand@example.fr>\r\n"
    "To: support@example.fr, \"Jean Dupont\" <jean@example.org>\r\n"
    "Cc: =?ISO-8859-1?Q?Fran=E7ois_L=E9ger?= <fl@example.fr>\r\n"
    "Subject: =?UTF-8?B?UsOpdW5pb24gZHUgY29taXTDqQ==?=\r\n"
    " de direction\r\n"
    "Date: Sun, 29 Nov 2026 23:30:00 -0500\r\n"
    "X-Priority: 1\r\n"
    "\r\n"
    "Bonjour, the meeting is moved to Thursday.\r\n";

}  // namespace

TEST_CASE("IMAP SEARCH flag keys test the system flags and keywords") {
  std::vector<MemoryMessage> msgs;
  msgs.emplace_back(1, kPlain, with_flags(mailbox::kSeen | mailbox::kAnswered));
  msgs.emplace_back(2, kPlain, with_flags(mailbox::kFlagged | mailbox::kDraft, {"$Forwarded"}));
  msgs.emplace_back(3, kPlain, with_flags(mailbox::kDeleted | mailbox::kSeen, {"Work"}));
  CHECK(search("SEEN", msgs) == std::vector<uint32_t>{1, 3});
  CHECK(search("UNSEEN", msgs) == std::vector<uint32_t>{2});
  CHECK(search("ANSWERED", msgs) == std::vector<uint32_t>{1});
  CHECK(search("UNANSWERED", msgs) == std::vector<uint32_t>{2, 3});
  CHECK(search("FLAGGED", msgs) == std::vector<uint32_t>{2});
  CHECK(search("UNFLAGGED", msgs) == std::vector<uint32_t>{1, 3});
  CHECK(search("DRAFT", msgs) == std::vector<uint32_t>{2});
  CHECK(search("UNDRAFT", msgs) == std::vector<uint32_t>{1, 3});
  CHECK(search("DELETED", msgs) == std::vector<uint32_t>{3});
  CHECK(search("UNDELETED", msgs) == std::vector<uint32_t>{1, 2});
  CHECK(search("KEYWORD $forwarded", msgs) == std::vector<uint32_t>{2});
  CHECK(search("KEYWORD WORK", msgs) == std::vector<uint32_t>{3});
  CHECK(search("UNKEYWORD work", msgs) == std::vector<uint32_t>{1, 2});
  // No \Recent in this server: RECENT and NEW never match, OLD always does.
  CHECK(search("RECENT", msgs).empty());
  CHECK(search("NEW", msgs).empty());
  CHECK(search("OLD", msgs) == std::vector<uint32_t>{1, 2, 3});
  CHECK(search("ALL", msgs) == std::vector<uint32_t>{1, 2, 3});
}

TEST_CASE("IMAP SEARCH size and MODSEQ keys compare MessageInfo") {
  std::vector<MemoryMessage> msgs;
  for (uint32_t i = 1; i <= 3; ++i) {
    mailbox::MessageInfo info;
    info.size = 1000 * i;
    info.modseq = 10 * i;
    msgs.emplace_back(i, kPlain, info);
  }
  CHECK(search("LARGER 2000", msgs) == std::vector<uint32_t>{3});
  CHECK(search("LARGER 1999", msgs) == std::vector<uint32_t>{2, 3});
  CHECK(search("SMALLER 2000", msgs) == std::vector<uint32_t>{1});
  CHECK(search("MODSEQ 20", msgs) == std::vector<uint32_t>{2, 3});
  CHECK(search("MODSEQ \"/flags/\\\\Seen\" all 21", msgs) == std::vector<uint32_t>{3});
}

TEST_CASE("IMAP SEARCH sequence sets, UID sets and the saved result resolve against the mailbox") {
  std::vector<MemoryMessage> msgs;
  for (uint32_t i = 1; i <= 5; ++i) msgs.emplace_back(i, kPlain);  // UIDs 10, 20, ... 50
  CHECK(search("2:3", msgs) == std::vector<uint32_t>{2, 3});
  CHECK(search("4:*", msgs) == std::vector<uint32_t>{4, 5});
  CHECK(search("*", msgs) == std::vector<uint32_t>{5});
  CHECK(search("1,3,5", msgs) == std::vector<uint32_t>{1, 3, 5});
  CHECK(search("UID 20:40", msgs) == std::vector<uint32_t>{2, 3, 4});
  CHECK(search("UID 15:25,50", msgs) == std::vector<uint32_t>{2, 5});
  // "*" is the highest UID, so a range beyond it still names the last message.
  CHECK(search("UID 60:*", msgs) == std::vector<uint32_t>{5});
  CHECK(search("UID 60:70", msgs).empty());

  std::vector<uint32_t> saved = {20, 40};
  SearchContext ctx;
  ctx.saved = &saved;
  CHECK(search("$", msgs, ctx) == std::vector<uint32_t>{2, 4});
  CHECK(search("UID $", msgs, ctx) == std::vector<uint32_t>{2, 4});
  CHECK(search("NOT $", msgs, ctx) == std::vector<uint32_t>{1, 3, 5});
  CHECK(search("$", msgs).empty());  // nothing saved
}

TEST_CASE("IMAP SEARCH NOT, OR and parenthesised lists combine keys") {
  std::vector<MemoryMessage> msgs;
  msgs.emplace_back(1, kPlain, with_flags(mailbox::kSeen));
  msgs.emplace_back(2, kPlain, with_flags(mailbox::kFlagged));
  msgs.emplace_back(3, kPlain, with_flags(mailbox::kSeen | mailbox::kFlagged));
  msgs.emplace_back(4, kPlain, with_flags(0));
  CHECK(search("SEEN FLAGGED", msgs) == std::vector<uint32_t>{3});
  CHECK(search("OR SEEN FLAGGED", msgs) == std::vector<uint32_t>{1, 2, 3});
  CHECK(search("NOT OR SEEN FLAGGED", msgs) == std::vector<uint32_t>{4});
  CHECK(search("(SEEN NOT FLAGGED) 1:2", msgs) == std::vector<uint32_t>{1});
  CHECK(search("OR (SEEN FLAGGED) (UNSEEN UNFLAGGED)", msgs) == std::vector<uint32_t>{3, 4});
  CHECK(search("NOT NOT SEEN", msgs) == std::vector<uint32_t>{1, 3});
}

TEST_CASE("IMAP SEARCH BEFORE, ON and SINCE compare the internal date's day in the zone") {
  // 2026-11-29 23:30 UTC: 30 November at +0100, still 29 November at UTC.
  mailbox::MessageInfo info;
  info.internal_date = 1795995000;
  MemoryMessage msg(1, kPlain, info);
  CHECK(matches("ON 29-Nov-2026", msg));
  CHECK(matches("SINCE 29-Nov-2026", msg));
  CHECK_FALSE(matches("SINCE 30-Nov-2026", msg));
  CHECK(matches("BEFORE 30-Nov-2026", msg));
  CHECK_FALSE(matches("BEFORE 29-Nov-2026", msg));
  SearchContext paris;
  paris.zone_minutes = 60;
  CHECK(matches("ON 30-Nov-2026", msg, paris));
  CHECK_FALSE(matches("BEFORE 30-Nov-2026", msg, paris));
  CHECK(matches("SINCE 1-Jan-1970", msg));
}

TEST_CASE("IMAP SEARCH SENT keys use the date written in the Date field") {
  // Date: Sun, 29 Nov 2026 23:30:00 -0500 is 30 November in UTC; the key ignores that.
  mailbox::MessageInfo info;
  info.internal_date = 1795995000 - 86400;  // 28 November 2026
  MemoryMessage msg(1, kPlain, info);
  CHECK(matches("SENTON 29-Nov-2026", msg));
  CHECK_FALSE(matches("SENTON 30-Nov-2026", msg));
  CHECK(matches("SENTBEFORE 30-Nov-2026", msg));
  CHECK(matches("SENTSINCE 29-Nov-2026", msg));
  CHECK_FALSE(matches("SENTSINCE 30-Nov-2026", msg));

  // Without a usable Date field, the internal date stands in (as Dovecot does).
  MemoryMessage undated(2, "Subject: x\r\nDate: someday\r\n\r\nbody\r\n", info);
  CHECK(matches("SENTON 28-Nov-2026", undated));
  MemoryMessage no_date(3, "Subject: x\r\n\r\nbody\r\n", info);
  CHECK(matches("SENTBEFORE 29-Nov-2026", no_date));
}

TEST_CASE("IMAP SEARCH header keys match decoded, unfolded values case-insensitively") {
  MemoryMessage msg(1, kPlain);
  CHECK(matches("FROM durand", msg));
  CHECK(matches("FROM \"EMMA.DURAND@EXAMPLE\"", msg));
  CHECK_FALSE(matches("FROM jean", msg));
  CHECK(matches("TO \"Jean Dupont\"", msg));
  CHECK(matches("TO support@", msg));
  CHECK(matches("CC \"fran\xC3\xA7ois l\xC3\xA9ger\"", msg));  // ISO-8859-1 Q word
  CHECK(matches("CC \"FRAN\xC3\x87OIS\"", msg));               // Ç folds to ç
  CHECK_FALSE(matches("BCC emma", msg));
  // A B-encoded UTF-8 word followed by a folded plain continuation.
  CHECK(matches("SUBJECT \"r\xC3\xA9union du comit\xC3\xA9 de direction\"", msg));
  CHECK(matches("SUBJECT \"R\xC3\x89UNION\"", msg));  // É folds to é
  CHECK_FALSE(matches("SUBJECT UsOpdW5p", msg));      // the encoded form is not searched
  CHECK(matches("HEADER X-Priority 1", msg));
  CHECK(matches("HEADER x-priority \"\"", msg));  // an empty value: the field exists
  CHECK_FALSE(matches("HEADER X-Mailer \"\"", msg));
  CHECK_FALSE(matches("HEADER X-Priority 2", msg));
  CHECK_FALSE(matches("SUBJECT meeting", msg));  // body text is not the subject
  // An empty string matches every message that has the field.
  CHECK(matches("FROM \"\"", msg));
  CHECK_FALSE(matches("BCC \"\"", msg));
}

TEST_CASE("IMAP SEARCH header keys see the per-delivery prefix and every field of a name") {
  MemoryMessage msg(1,
                    "Received: from a.example by b.example\r\n"
                    "Received: from c.example by d.example\r\n"
                    "Subject: x\r\n\r\nbody\r\n",
                    {}, "Return-Path: <bounce@lists.example>\r\nDelivered-To: emma@example.fr\r\n");
  CHECK(matches("HEADER Delivered-To emma", msg));
  CHECK(matches("HEADER Return-Path bounce", msg));
  CHECK(matches("HEADER Received c.example", msg));
  CHECK(matches("HEADER Received a.example", msg));
}

TEST_CASE("IMAP SEARCH folds Greek, Cyrillic and Latin letters beyond ASCII") {
  MemoryMessage msg(1,
                    "Subject: =?UTF-8?B?zprOsc67zrfOvM6tz4HOsSDQnNC+0YHQutCy0LA=?=\r\n"
                    "To: =?UTF-8?Q?=C5=81ukasz_=C5=BBO=C5=81=C4=98D=C5=B9?= <l@example.pl>\r\n"
                    "\r\nbody\r\n");
  CHECK(matches("SUBJECT \"\xCE\x9A\xCE\x91\xCE\x9B\xCE\x97\xCE\x9C\"", msg));  // ΚΑΛΗΜ
  CHECK(matches("SUBJECT \"\xD0\xBC\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0\"", msg));  // москва
  CHECK(matches("TO \"\xC5\x82ukasz \xC5\xBC\xC3\xB3\"", msg) == false);  // ó is not O
  CHECK(matches("TO \"\xC5\x82ukasz \xC5\xBCo\xC5\x82\xC4\x99\"", msg));  // łukasz żołę
  CHECK(fold_case("\xC3\x9F") == "\xC3\x9F");                             // ß stays
  CHECK(fold_case("\xE2\x84\xAA") == "k");                                // Kelvin sign
  CHECK(fold_case("\xCF\x82") == "\xCF\x83");                             // final sigma
  CHECK(fold_case("A\xFF"
                  "B") ==
        "a\xFF"
        "b");                                 // not UTF-8: kept
  CHECK(simple_case_fold(0x178) == 0xFF);     // Ÿ
  CHECK(simple_case_fold(0x218) == 0x219);    // Ș
  CHECK(simple_case_fold(0x1EA0) == 0x1EA1);  // Ạ
  CHECK(simple_case_fold(0x130) == 0x130);    // İ has no simple folding
}

namespace {

const std::string kMultipart =
    "From: a@example.fr\r\n"
    "Subject: Devis\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"outer\"\r\n"
    "\r\n"
    "preamble words\r\n"
    "--outer\r\n"
    "Content-Type: text/plain; charset=ISO-8859-1\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "Voici le devis pour l'=E9t=E9 proch=\r\n"
    "ain.\r\n"
    "--outer\r\n"
    "Content-Type: text/html; charset=UTF-8\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "PHA+TGEgZmFjdHVyZSBlc3Qgam9pbnRlIOKCrDwvcD4=\r\n"  // <p>La facture est jointe €</p>
    "--outer\r\n"
    "Content-Type: application/octet-stream\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "c2VjcmV0IGJpbmFyeSBwYXlsb2Fk\r\n"  // "secret binary payload"
    "--outer\r\n"
    "Content-Type: message/rfc822\r\n"
    "\r\n"
    "Subject: inner\r\n"
    "Content-Type: text/plain; charset=windows-1252\r\n"
    "Content-Transfer-Encoding: 8bit\r\n"
    "\r\n"
    "Forwarded text \x93quoted\x94\r\n"
    "--outer--\r\n";

}  // namespace

TEST_CASE("IMAP SEARCH BODY matches the decoded text of text parts only") {
  for (bool cached : {true, false}) {
    CAPTURE(cached);
    MemoryMessage msg(1, kMultipart, {}, "Delivered-To: a@example.fr\r\n", cached);
    CHECK(matches("BODY \"l'\xC3\xA9t\xC3\xA9 prochain\"", msg));  // QP, ISO-8859-1, soft break
    CHECK(matches("BODY \"L'\xC3\x89T\xC3\x89\"", msg));
    CHECK(matches("BODY \"facture est jointe \xE2\x82\xAC\"", msg));  // base64 UTF-8 HTML
    CHECK(matches("BODY \"\xE2\x80\x9Cquoted\xE2\x80\x9D\"", msg));   // attached message, cp1252
    CHECK_FALSE(matches("BODY secret", msg));    // application/octet-stream is skipped
    CHECK_FALSE(matches("BODY =E9t=E9", msg));   // the encoded form is not searched
    CHECK_FALSE(matches("BODY a@example", msg));  // the header is not the body
    CHECK_FALSE(matches("BODY preamble", msg));  // nor is the preamble
    CHECK(matches("BODY \"\"", msg));
    CHECK(matches("TEXT devis", msg));           // TEXT: header...
    CHECK(matches("TEXT \"est jointe\"", msg));  // ...or body
    CHECK(matches("TEXT delivered-to", msg));    // field names count as header text
    CHECK_FALSE(matches("TEXT secret", msg));
  }
}

TEST_CASE("IMAP SEARCH BODY reads a charset it does not know as the bytes given") {
  MemoryMessage msg(1,
                    "Content-Type: text/plain; charset=x-unknown-charset\r\n\r\n"
                    "plain ascii words\r\n");
  CHECK(matches("BODY \"ASCII WORDS\"", msg));
}

TEST_CASE("IMAP SEARCH BODY searches raw bytes of a message beyond the MIME limits") {
  // Nested deeper than MimeLimits::max_depth: no parse, no structure; the text is found.
  std::string body = "Subject: deep\r\n";
  for (int i = 0; i < 60; ++i) {
    body += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\r\n\r\n--b" +
            std::to_string(i) + "\r\n";
  }
  body += "Content-Type: text/plain\r\n\r\nneedle in the haystack\r\n";
  MemoryMessage msg(1, body, {}, "", false);
  CHECK(matches("BODY \"NEEDLE IN\"", msg));
  CHECK_FALSE(matches("BODY deep", msg));
}

TEST_CASE("IMAP SEARCH loads only what its keys need") {
  MemoryMessage msg(1, kPlain, with_flags(mailbox::kSeen));
  SearchContext ctx;
  ctx.messages = 1;
  ctx.highest_uid = 10;
  CHECK(matches("SEEN UID 1:* 1 LARGER 1 OR ON 1-Jan-1970 MODSEQ 0", msg, ctx));
  CHECK(msg.header_calls == 0);
  CHECK(msg.message_calls == 0);
  CHECK(matches("SUBJECT direction", msg));
  CHECK(msg.message_calls == 0);

  CHECK_FALSE(search_needs_header(program("SEEN 1:3 OR UID 4 NOT KEYWORD x")));
  CHECK(search_needs_header(program("NOT (SEEN SENTON 1-Jan-2000)")));
  CHECK(search_needs_header(program("OR SEEN TEXT x")));
  CHECK_FALSE(search_needs_body(program("FROM x HEADER a b")));
  CHECK(search_needs_body(program("OR SEEN BODY x")));
  CHECK_FALSE(search_needs_header(program("BODY x")));

  SearchProgram p(program("BODY x SEEN"), {});
  CHECK(p.needs_body());
  CHECK_FALSE(p.needs_header());
}

TEST_CASE("IMAP SEARCH reports unreadable messages unless cheaper keys already decided") {
  MemoryMessage msg(1, kPlain, with_flags(0));
  msg.fail = true;
  auto r = search_matches(program("BODY x"), msg, {});
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().code() == Code::kIOError);
  // SEEN is false and evaluated first: the body is never read.
  r = search_matches(program("BODY x SEEN"), msg, {});
  REQUIRE(r.is_ok());
  CHECK_FALSE(*r);
  r = search_matches(program("OR FROM x UNSEEN"), msg, {});
  REQUIRE(r.is_ok());
  CHECK(*r);
}

TEST_CASE("IMAP SEARCH keeps iconv converters open across messages when given some") {
  mime::CharsetConverters converters;
  SearchContext ctx;
  ctx.converters = &converters;
  std::vector<MemoryMessage> msgs;
  msgs.emplace_back(1, kMultipart);
  msgs.emplace_back(2, kPlain);
  msgs.emplace_back(3, kMultipart);
  CHECK(search("BODY \"\xC3\xA9t\xC3\xA9\"", msgs, ctx) == std::vector<uint32_t>{1, 3});
}

TEST_CASE("IMAP SEARCH supports the UTF-8 and US-ASCII charsets") {
  CHECK(search_charset_supported("UTF-8"));
  CHECK(search_charset_supported("utf-8"));
  CHECK(search_charset_supported("US-ASCII"));
  CHECK_FALSE(search_charset_supported("ISO-8859-1"));
  CHECK_FALSE(search_charset_supported("UTF8"));
  CHECK_FALSE(search_charset_supported(""));
}
