// Unit tests of FETCH response items (imap/fetch_response.h) over messages held in memory:
// the exact bytes of ENVELOPE, BODY, BODYSTRUCTURE, sections, partial ranges, BINARY.
#include <doctest/doctest.h>

#include "imap/command_parser.h"
#include "imap/fetch_response.h"
#include "mailbox/records.h"
#include "mailbox/structure.h"
#include "mime/message.h"

#include <string>
#include <vector>

using namespace mf;
using namespace mf::imap;

namespace {

// A message in memory: a per-delivery prefix and a body, with the body's structure cached
// (as the store caches it) or not (the fetch code then parses the served bytes).
class MemorySource : public FetchSource {
 public:
  enum class Cache { kStructure, kNone };
  MemorySource(std::string prefix, std::string body, Cache cache = Cache::kStructure)
      : prefix_size_(prefix.size()), body_(std::move(body)), served_(prefix + body_) {
    info_.uid = 7;
    info_.size = served_.size();
    info_.internal_date = 1795929769;  // 2026-11-29 05:22:49 UTC
    info_.modseq = 42;
    if (cache == Cache::kStructure) {
      auto msg = mime::parse_message(std::string_view(body_));
      REQUIRE(msg.is_ok());
      structure_ = mailbox::make_structure(*msg);
      cached_ = true;
    }
  }
  mailbox::MessageInfo& mutable_info() { return info_; }
  mailbox::BodyStructure& mutable_structure() { return structure_; }
  int reads = 0;
  Status read_error;  // returned by read() when set

  const mailbox::MessageInfo& info() const override { return info_; }
  uint32_t uid() const override { return info_.uid; }
  uint64_t size() const override { return served_.size(); }
  uint64_t prefix_size() const override { return prefix_size_; }
  Status read(uint64_t offset, uint64_t length, std::string* out) override {
    ++reads;
    if (!read_error.is_ok()) return read_error;
    if (offset < served_.size()) out->append(served_, offset, length);
    return Status::ok();
  }
  Result<const mailbox::BodyStructure*> structure() override {
    if (!cached_) return not_found("no structure cached");
    return &structure_;
  }

 private:
  size_t prefix_size_;
  std::string body_;
  std::string served_;
  mailbox::MessageInfo info_;
  mailbox::BodyStructure structure_;
  bool cached_ = false;
};

std::vector<FetchItem> items_of(const std::string& items) {
  auto cmd = parse_command("a FETCH 1 " + items);
  REQUIRE_MESSAGE(cmd.is_ok(), cmd.status().to_string());
  return std::get<FetchArgs>(cmd->args).items;
}

std::string fetch(FetchSource& src, const std::string& items, FetchOptions options = {}) {
  std::string out;
  Status st = append_fetch_items(items_of(items), src, options, &out);
  REQUIRE_MESSAGE(st.is_ok(), st.to_string());
  return out;
}

std::string literal(const std::string& s) {
  return "{" + std::to_string(s.size()) + "}\r\n" + s;
}

const std::string kPrefix = "Return-Path: <emma@example.fr>\r\n";

const std::string kSimple =
    "Date: Sun, 29 Nov 2026 06:22:49 +0100\r\n"
    "From: \"Emma Durand\" <emma@example.fr>\r\n"
    "Subject: =?UTF-8?Q?Caf=C3=A9?= du\r\n"
    " matin\r\n"
    "To: Team: a@example.org, \"B b\" <b@example.org>;, undisclosed:;\r\n"
    "Message-ID: <1@example.fr>\r\n"
    "X-Note: one\r\n"
    "subject-extra: x\r\n"
    "x-note: two\r\n"
    "\tfolded\r\n"
    "\r\n"
    "Hello\r\n"
    "World\r\n";

const std::string kMixed =
    "From: a@example.org\r\n"
    "To: b@example.org\r\n"
    "Subject: mixed\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"outer\"\r\n"
    "\r\n"
    "preamble\r\n"
    "--outer\r\n"
    "Content-Type: multipart/alternative; boundary=\"inner\"\r\n"
    "\r\n"
    "--inner\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "Caf=C3=A9 cr=\r\n"
    "=C3=A8me\r\n"
    "--inner\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "\r\n"
    "<p>Caf&eacute;</p>\r\n"
    "--inner--\r\n"
    "--outer\r\n"
    "Content-Type: application/octet-stream; name=\"z.bin\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "Content-Disposition: attachment; filename=\"z.bin\"\r\n"
    "Content-Language: en, fr\r\n"
    "Content-Location: http://example.org/z.bin\r\n"
    "Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\r\n"
    "Content-ID: <z@example.org>\r\n"
    "Content-Description: zeros\r\n"
    "\r\n"
    "AAECAw==\r\n"
    "--outer\r\n"
    "Content-Type: message/rfc822\r\n"
    "\r\n"
    "From: \"Inner\" <inner@example.net>\r\n"
    "Subject: inner\r\n"
    "Date: Mon, 1 Jan 2024 00:00:00 +0000\r\n"
    "Content-Type: text/plain; charset=us-ascii\r\n"
    "\r\n"
    "inner body\r\n"
    "--outer\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Transfer-Encoding: x-uuencode\r\n"
    "\r\n"
    "begin 644 x\r\n"
    "--outer--\r\n"
    "epilogue\r\n";

const std::string kInner =
    "From: \"Inner\" <inner@example.net>\r\n"
    "Subject: inner\r\n"
    "Date: Mon, 1 Jan 2024 00:00:00 +0000\r\n"
    "Content-Type: text/plain; charset=us-ascii\r\n"
    "\r\n"
    "inner body";

}  // namespace

TEST_CASE("FETCH FLAGS, UID, MODSEQ, INTERNALDATE and RFC822.SIZE come from the message info") {
  MemorySource src(kPrefix, kSimple);
  src.mutable_info().flags = mailbox::kSeen | mailbox::kDraft | mailbox::kFlagged;
  src.mutable_info().keywords = {"$Forwarded", "Work"};
  FetchOptions options;
  options.extra_flags = {"\\Recent"};
  CHECK(fetch(src, "(UID FLAGS MODSEQ INTERNALDATE RFC822.SIZE)", options) ==
        "UID 7 FLAGS (\\Seen \\Flagged \\Draft \\Recent $Forwarded Work) MODSEQ (42) "
        "INTERNALDATE \"29-Nov-2026 05:22:49 +0000\" RFC822.SIZE " +
            std::to_string(kPrefix.size() + kSimple.size()));
  src.mutable_info().flags = 0;
  src.mutable_info().keywords.clear();
  CHECK(fetch(src, "FLAGS") == "FLAGS ()");
}

TEST_CASE("FETCH INTERNALDATE formats days, months and the epoch with two digits") {
  CHECK(format_internal_date(0) == "01-Jan-1970 00:00:00 +0000");
  CHECK(format_internal_date(951782400) == "29-Feb-2000 00:00:00 +0000");
  CHECK(format_internal_date(-1) == "31-Dec-1969 23:59:59 +0000");
}

TEST_CASE("FETCH ENVELOPE: raw unfolded values, groups, and Sender and Reply-To from From") {
  MemorySource src(kPrefix, kSimple);
  CHECK(fetch(src, "ENVELOPE") ==
        "ENVELOPE (\"Sun, 29 Nov 2026 06:22:49 +0100\" \"=?UTF-8?Q?Caf=C3=A9?= du matin\" "
        "((\"Emma Durand\" NIL \"emma\" \"example.fr\")) "
        "((\"Emma Durand\" NIL \"emma\" \"example.fr\")) "
        "((\"Emma Durand\" NIL \"emma\" \"example.fr\")) "
        "((NIL NIL \"Team\" NIL)(NIL NIL \"a\" \"example.org\")(\"B b\" NIL \"b\" "
        "\"example.org\")(NIL NIL NIL NIL)(NIL NIL \"undisclosed\" NIL)(NIL NIL NIL NIL)) "
        "NIL NIL NIL \"<1@example.fr>\")");
}

TEST_CASE("FETCH ENVELOPE of a message without header fields is all NIL") {
  MemorySource src("", "\r\nno header\r\n");
  CHECK(fetch(src, "ENVELOPE") == "ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
}

TEST_CASE("FETCH ENVELOPE sends 8-bit values quoted only when UTF-8 is accepted") {
  MemorySource src("", "Subject: caf\xC3\xA9\r\n\r\nx\r\n");
  CHECK(fetch(src, "ENVELOPE") ==
        "ENVELOPE (NIL {5}\r\ncaf\xC3\xA9 NIL NIL NIL NIL NIL NIL NIL NIL)");
  FetchOptions utf8;
  utf8.utf8 = Utf8::kAllowed;
  CHECK(fetch(src, "ENVELOPE", utf8) ==
        "ENVELOPE (NIL \"caf\xC3\xA9\" NIL NIL NIL NIL NIL NIL NIL NIL)");
}

TEST_CASE("FETCH BODYSTRUCTURE of a text message has the default charset and line count") {
  MemorySource src(kPrefix, kSimple);
  CHECK(fetch(src, "(BODYSTRUCTURE BODY)") ==
        "BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 14 2 "
        "NIL NIL NIL NIL) "
        "BODY (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 14 2)");
}

TEST_CASE("FETCH BODYSTRUCTURE of nested multiparts and a message/rfc822 part") {
  // Line counts are line ends (as Dovecot and Cyrus count): the last line of a part
  // inside a multipart has none, its CRLF belonging to the boundary.
  MemorySource src(kPrefix, kMixed);
  const std::string inner_envelope =
      "(\"Mon, 1 Jan 2024 00:00:00 +0000\" \"inner\" ((\"Inner\" NIL \"inner\" "
      "\"example.net\")) ((\"Inner\" NIL \"inner\" \"example.net\")) ((\"Inner\" NIL "
      "\"inner\" \"example.net\")) NIL NIL NIL NIL NIL)";
  CHECK(fetch(src, "BODYSTRUCTURE") ==
        "BODYSTRUCTURE ("
        "((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 23 1 NIL NIL "
        "NIL NIL)"
        "(\"text\" \"html\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 18 0 NIL NIL NIL NIL) "
        "\"alternative\" (\"boundary\" \"inner\") NIL NIL NIL)"
        "(\"application\" \"octet-stream\" (\"name\" \"z.bin\") \"<z@example.org>\" \"zeros\" "
        "\"base64\" 8 \"Q2hlY2sgSW50ZWdyaXR5IQ==\" (\"attachment\" (\"filename\" \"z.bin\")) "
        "(\"en\" \"fr\") \"http://example.org/z.bin\")"
        "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" " +
            std::to_string(kInner.size()) + " " + inner_envelope +
            " (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 10 0 NIL NIL NIL "
            "NIL) 5 NIL NIL NIL NIL)"
            "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"x-uuencode\" 11 0 NIL NIL "
            "NIL NIL) "
            "\"mixed\" (\"boundary\" \"outer\") NIL NIL NIL)");
  CHECK(fetch(src, "BODY") ==
        "BODY ("
        "((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 23 1)"
        "(\"text\" \"html\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 18 0) \"alternative\")"
        "(\"application\" \"octet-stream\" (\"name\" \"z.bin\") \"<z@example.org>\" \"zeros\" "
        "\"base64\" 8)"
        "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" " +
            std::to_string(kInner.size()) + " " + inner_envelope +
            " (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 10 0) 5)"
            "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"x-uuencode\" 11 0) "
            "\"mixed\")");
}

TEST_CASE("FETCH BODYSTRUCTURE gives message/global the message form only in IMAP4rev2") {
  const std::string body =
      "Content-Type: message/global\r\n"
      "\r\n"
      "Subject: inner\r\n"
      "\r\n"
      "x\r\n";
  MemorySource src("", body);
  FetchOptions rev2;
  rev2.imap4rev2 = true;
  CHECK(fetch(src, "BODY", rev2) ==
        "BODY (\"message\" \"global\" NIL NIL NIL \"7bit\" 21 (NIL \"inner\" NIL NIL NIL NIL NIL "
        "NIL NIL NIL) (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 3 1) 3)");
  CHECK(fetch(src, "BODY") == "BODY (\"message\" \"global\" NIL NIL NIL \"7bit\" 21)");
}

TEST_CASE("FETCH BODY[section] numbers parts of multiparts and of message/rfc822 parts") {
  MemorySource src(kPrefix, kMixed);
  CHECK(fetch(src, "BODY.PEEK[1.1]") == "BODY[1.1] " + literal("Caf=C3=A9 cr=\r\n=C3=A8me"));
  CHECK(fetch(src, "BODY.PEEK[1.2]") == "BODY[1.2] " + literal("<p>Caf&eacute;</p>"));
  CHECK(fetch(src, "BODY.PEEK[1.MIME]") ==
        "BODY[1.MIME] " +
            literal("Content-Type: multipart/alternative; boundary=\"inner\"\r\n\r\n"));
  CHECK(fetch(src, "BODY.PEEK[3]") == "BODY[3] " + literal(kInner));
  CHECK(fetch(src, "BODY.PEEK[3.HEADER]") ==
        "BODY[3.HEADER] " + literal(kInner.substr(0, kInner.find("\r\n\r\n") + 4)));
  CHECK(fetch(src, "BODY.PEEK[3.TEXT]") == "BODY[3.TEXT] " + literal("inner body"));
  CHECK(fetch(src, "BODY.PEEK[3.1]") == "BODY[3.1] " + literal("inner body"));
  CHECK(fetch(src, "BODY.PEEK[3.HEADER.FIELDS (subject FROM)]") ==
        "BODY[3.HEADER.FIELDS (subject FROM)] " +
            literal("From: \"Inner\" <inner@example.net>\r\nSubject: inner\r\n\r\n"));
  CHECK(fetch(src, "BODY.PEEK[3.MIME]") ==
        "BODY[3.MIME] " + literal("Content-Type: message/rfc822\r\n\r\n"));
}

TEST_CASE("FETCH BODY[section] of a part that does not exist is the empty string") {
  MemorySource src(kPrefix, kMixed);
  CHECK(fetch(src, "BODY.PEEK[6]") == "BODY[6] \"\"");
  CHECK(fetch(src, "BODY.PEEK[1.3]") == "BODY[1.3] \"\"");
  CHECK(fetch(src, "BODY.PEEK[2.1]") == "BODY[2.1] \"\"");
  CHECK(fetch(src, "BODY.PEEK[3.2]") == "BODY[3.2] \"\"");
  // HEADER and TEXT belong to messages: a part that is not message/rfc822 has none.
  CHECK(fetch(src, "BODY.PEEK[1.1.HEADER]") == "BODY[1.1.HEADER] \"\"");
  CHECK(fetch(src, "BODY.PEEK[2.TEXT]") == "BODY[2.TEXT] \"\"");
  CHECK(fetch(src, "BINARY.PEEK[6]") == "BINARY[6] \"\"");
  CHECK(fetch(src, "BINARY.SIZE[6]") == "BINARY.SIZE[6] 0");
}

TEST_CASE("FETCH BODY[1] of a single-part message is its body; BODY[2] does not exist") {
  MemorySource src(kPrefix, kSimple);
  CHECK(fetch(src, "BODY.PEEK[1]") == "BODY[1] " + literal("Hello\r\nWorld\r\n"));
  CHECK(fetch(src, "BODY.PEEK[2]") == "BODY[2] \"\"");
  CHECK(fetch(src, "BODY.PEEK[1.1]") == "BODY[1.1] \"\"");
}

TEST_CASE("FETCH BODY[HEADER] and RFC822.HEADER include the delivery prefix") {
  MemorySource src(kPrefix, kSimple);
  std::string header = kPrefix + kSimple.substr(0, kSimple.find("\r\n\r\n") + 4);
  CHECK(fetch(src, "BODY.PEEK[HEADER]") == "BODY[HEADER] " + literal(header));
  CHECK(fetch(src, "RFC822.HEADER") == "RFC822.HEADER " + literal(header));
  CHECK(fetch(src, "BODY.PEEK[TEXT]") == "BODY[TEXT] " + literal("Hello\r\nWorld\r\n"));
  CHECK(fetch(src, "RFC822.TEXT") == "RFC822.TEXT " + literal("Hello\r\nWorld\r\n"));
  CHECK(fetch(src, "BODY.PEEK[]") == "BODY[] " + literal(kPrefix + kSimple));
  CHECK(fetch(src, "RFC822") == "RFC822 " + literal(kPrefix + kSimple));
}

TEST_CASE("FETCH without a cached structure parses the served bytes to the same answers") {
  const std::string items =
      "(ENVELOPE BODYSTRUCTURE BODY.PEEK[HEADER] BODY.PEEK[TEXT] BODY.PEEK[1.MIME] "
      "BODY.PEEK[3.HEADER.FIELDS (SUBJECT)] BINARY.PEEK[1.1] BINARY.SIZE[2])";
  for (const std::string* body : {&kSimple, &kMixed}) {
    MemorySource cached(kPrefix, *body);
    MemorySource parsed(kPrefix, *body, MemorySource::Cache::kNone);
    CHECK(fetch(cached, items) == fetch(parsed, items));
  }
}

TEST_CASE("FETCH BODY[HEADER.FIELDS] keeps matching fields with folding, in message order") {
  MemorySource src(kPrefix, kSimple);
  CHECK(fetch(src, "BODY.PEEK[HEADER.FIELDS (X-NOTE)]") ==
        "BODY[HEADER.FIELDS (X-NOTE)] " +
            literal("X-Note: one\r\nx-note: two\r\n\tfolded\r\n\r\n"));
  // Whole names only: "Subject" does not match "subject-extra".
  CHECK(fetch(src, "BODY.PEEK[HEADER.FIELDS (subject)]") ==
        "BODY[HEADER.FIELDS (subject)] " +
            literal("Subject: =?UTF-8?Q?Caf=C3=A9?= du\r\n matin\r\n\r\n"));
  // The prefix is part of the top-level header.
  CHECK(fetch(src, "BODY.PEEK[HEADER.FIELDS (Return-Path)]") ==
        "BODY[HEADER.FIELDS (Return-Path)] " + literal(kPrefix + "\r\n"));
  // No match: the blank line alone.
  CHECK(fetch(src, "BODY.PEEK[HEADER.FIELDS (X-Absent)]") ==
        "BODY[HEADER.FIELDS (X-Absent)] " + literal("\r\n"));
}

TEST_CASE("FETCH BODY[HEADER.FIELDS.NOT] drops the named fields") {
  MemorySource src("", kSimple);
  CHECK(fetch(src, "BODY.PEEK[HEADER.FIELDS.NOT (Date From Subject To Message-ID x-note)]") ==
        "BODY[HEADER.FIELDS.NOT (Date From Subject To Message-ID x-note)] " +
            literal("subject-extra: x\r\n\r\n"));
}

TEST_CASE("FETCH partial ranges: origin-only names, count beyond the end, origin past it") {
  MemorySource src(kPrefix, kSimple);
  std::string served = kPrefix + kSimple;
  CHECK(fetch(src, "BODY.PEEK[]<0.10>") == "BODY[]<0> " + literal(served.substr(0, 10)));
  CHECK(fetch(src, "BODY.PEEK[TEXT]<7.1000>") == "BODY[TEXT]<7> " + literal("World\r\n"));
  CHECK(fetch(src, "BODY.PEEK[TEXT]<14.5>") == "BODY[TEXT]<14> \"\"");
  CHECK(fetch(src, "BODY.PEEK[]<100000.5>") == "BODY[]<100000> \"\"");
  // HEADER.FIELDS is cut after subsetting.
  CHECK(fetch(src, "BODY.PEEK[HEADER.FIELDS (X-NOTE)]<3.5>") ==
        "BODY[HEADER.FIELDS (X-NOTE)]<3> " + literal("ote: "));
  MemorySource mixed("", kMixed);
  CHECK(fetch(mixed, "BINARY.PEEK[1.1]<3.3>") == "BINARY[1.1]<3> " + literal("\xC3\xA9 "));
}

TEST_CASE("FETCH BINARY decodes base64 and quoted-printable, literal8 only with a NUL") {
  MemorySource src(kPrefix, kMixed);
  const std::string creme = "Caf\xC3\xA9 cr\xC3\xA8me";
  CHECK(fetch(src, "BINARY.PEEK[1.1]") == "BINARY[1.1] " + literal(creme));
  CHECK(fetch(src, "BINARY.SIZE[1.1]") == "BINARY.SIZE[1.1] " + std::to_string(creme.size()));
  CHECK(fetch(src, "BINARY.PEEK[2]") == std::string("BINARY[2] ~{4}\r\n\x00\x01\x02\x03", 20));
  CHECK(fetch(src, "BINARY.SIZE[2]") == "BINARY.SIZE[2] 4");
  // 7bit parts and message/rfc822 parts are served as they are.
  CHECK(fetch(src, "BINARY.PEEK[1.2]") == "BINARY[1.2] " + literal("<p>Caf&eacute;</p>"));
  CHECK(fetch(src, "BINARY.PEEK[3]") == "BINARY[3] " + literal(kInner));
  CHECK(fetch(src, "BINARY.SIZE[3]") == "BINARY.SIZE[3] " + std::to_string(kInner.size()));
  CHECK(fetch(src, "BINARY.PEEK[]") == "BINARY[] " + literal(kPrefix + kMixed));
}

TEST_CASE("FETCH BINARY of an unknown transfer encoding fails with UNKNOWN-CTE") {
  MemorySource src(kPrefix, kMixed);
  for (const char* item : {"BINARY.PEEK[4]", "BINARY.SIZE[4]"}) {
    std::string out;
    Status st = append_fetch_items(items_of(item), src, {}, &out);
    CHECK(st.code() == Code::kFailedPrecondition);
    CHECK(st.message() == "UNKNOWN-CTE");
  }
  // BODY[4] is still served, undecoded.
  CHECK(fetch(src, "BODY.PEEK[4]") == "BODY[4] " + literal("begin 644 x"));
}

TEST_CASE("FETCH BODY[] sends a NUL in stored content as 0x80") {
  const std::string body = std::string("Subject: x\r\n\r\na\0b\r\n", 19);
  MemorySource src("", body);
  CHECK(fetch(src, "BODY.PEEK[TEXT]") == "BODY[TEXT] " + literal("a\x80"
                                                                 "b\r\n"));
}

TEST_CASE("FETCH items are space-separated in the order asked, bytes read only when needed") {
  MemorySource src(kPrefix, kSimple);
  CHECK(fetch(src, "(UID RFC822.SIZE FLAGS)") ==
        "UID 7 RFC822.SIZE " + std::to_string(kPrefix.size() + kSimple.size()) + " FLAGS ()");
  CHECK(src.reads == 0);
  fetch(src, "(BODYSTRUCTURE ENVELOPE)");
  CHECK(src.reads == 0);
}

TEST_CASE("FETCH sets \\Seen for BODY[] and BINARY[] without PEEK, RFC822 and RFC822.TEXT") {
  CHECK(fetch_sets_seen(items_of("BODY[]")));
  CHECK(fetch_sets_seen(items_of("BINARY[1]")));
  CHECK(fetch_sets_seen(items_of("RFC822")));
  CHECK(fetch_sets_seen(items_of("RFC822.TEXT")));
  CHECK(fetch_sets_seen(items_of("(UID BODY[HEADER])")));
  CHECK_FALSE(fetch_sets_seen(items_of("(BODY.PEEK[] BINARY.PEEK[1] BINARY.SIZE[1])")));
  CHECK_FALSE(fetch_sets_seen(items_of("(RFC822.HEADER RFC822.SIZE BODY BODYSTRUCTURE)")));
  CHECK_FALSE(fetch_sets_seen(items_of("FULL")));
}

TEST_CASE("FETCH fails with the source's error when the bytes cannot be read") {
  MemorySource src(kPrefix, kMixed);
  src.read_error = io_error("disk on fire");
  std::string out;
  CHECK(append_fetch_items(items_of("BODY.PEEK[1.1]"), src, {}, &out).code() == Code::kIOError);
  // Without a cached structure even BODYSTRUCTURE needs the bytes.
  MemorySource uncached(kPrefix, kMixed, MemorySource::Cache::kNone);
  uncached.read_error = not_found("expunged");
  CHECK(append_fetch_items(items_of("BODYSTRUCTURE"), uncached, {}, &out).code() ==
        Code::kNotFound);
}

TEST_CASE("FETCH refuses a cached structure whose tree is inconsistent") {
  MemorySource src(kPrefix, kMixed);
  // The message/rfc822 part (index 5) loses its encapsulated message.
  src.mutable_structure().parts[6].parent = 0;
  std::string out;
  CHECK(append_fetch_items(items_of("BODYSTRUCTURE"), src, {}, &out).code() == Code::kCorruption);
}
