// The mailbox store's flags, keywords, modification sequences (CONDSTORE), expunge
// records (QRESYNC) and the cached structure.
#include "mailbox_fixture.h"

#include "mailbox/structure.h"

namespace mf::test {
namespace {

using mailbox::FlagOp;

TEST_CASE("flags and keywords change, bump the modseq once per operation and keep unseen right") {
  MailFixture f;
  auto a = f.deliver_one("alice");
  auto b = f.deliver_one("alice");
  auto c = f.deliver_one("alice");
  auto start = f.mail().folder_status(at("alice"), "INBOX");
  MF_REQUIRE_OK(start);
  CHECK(start->unseen == 3);
  CHECK(start->highest_modseq == c.modseq);

  auto m1 = f.mail().set_flags(at("alice"), "INBOX", {a.uid, b.uid}, FlagOp::kAdd,
                               mailbox::kSeen | mailbox::kFlagged, {"$Important", "work"});
  MF_REQUIRE_OK(m1);
  CHECK(*m1 == start->highest_modseq + 1);
  auto st = f.mail().folder_status(at("alice"), "INBOX");
  CHECK(st->unseen == 1);
  CHECK(st->highest_modseq == *m1);

  // Adding what is there already changes nothing and takes no modseq.
  auto same = f.mail().set_flags(at("alice"), "INBOX", {a.uid}, FlagOp::kAdd, mailbox::kSeen);
  MF_REQUIRE_OK(same);
  CHECK(*same == 0);

  auto m2 =
      f.mail().set_flags(at("alice"), "INBOX", {a.uid}, FlagOp::kRemove, mailbox::kSeen, {"work"});
  MF_REQUIRE_OK(m2);
  CHECK(*m2 > *m1);
  auto msgs = f.mail().list_messages(at("alice"), "INBOX");
  MF_REQUIRE_OK(msgs);
  REQUIRE(msgs->size() == 3);
  CHECK((*msgs)[0].flags == mailbox::kFlagged);
  CHECK((*msgs)[0].keywords == std::vector<std::string>{"$Important"});
  CHECK((*msgs)[0].modseq == *m2);
  CHECK((*msgs)[1].flags == (mailbox::kSeen | mailbox::kFlagged));
  CHECK((*msgs)[1].keywords == std::vector<std::string>{"$Important", "work"});
  CHECK(f.mail().folder_status(at("alice"), "INBOX")->unseen == 2);

  auto m3 = f.mail().set_flags(at("alice"), "INBOX", {c.uid}, FlagOp::kReplace, mailbox::kAnswered);
  MF_REQUIRE_OK(m3);
  CHECK(f.mail().list_messages(at("alice"), "INBOX")->back().flags == mailbox::kAnswered);
  MF_CHECK_CODE(f.mail().set_flags(at("alice"), "INBOX", {a.uid}, FlagOp::kAdd, 0, {"bad word"}),
                Code::kInvalidArgument);
}

TEST_CASE("changed-since returns exactly the messages changed after a modseq, in modseq order") {
  MailFixture f;
  std::vector<uint32_t> uids;
  for (int i = 0; i < 6; ++i) uids.push_back(f.deliver_one("alice").uid);
  uint64_t mark = f.mail().folder_status(at("alice"), "INBOX")->highest_modseq;
  CHECK(f.mail().changed_since(at("alice"), "INBOX", mark)->empty());
  MF_REQUIRE_OK(f.mail().set_flags(at("alice"), "INBOX", {uids[4]}, FlagOp::kAdd, mailbox::kSeen));
  MF_REQUIRE_OK(
      f.mail().set_flags(at("alice"), "INBOX", {uids[1]}, FlagOp::kAdd, mailbox::kFlagged));
  auto newest = f.deliver_one("alice");
  auto changed = f.mail().changed_since(at("alice"), "INBOX", mark);
  MF_REQUIRE_OK(changed);
  REQUIRE(changed->size() == 3);
  CHECK((*changed)[0].uid == uids[4]);
  CHECK((*changed)[1].uid == uids[1]);
  CHECK((*changed)[2].uid == newest.uid);
  // From the beginning: every message once, at its latest modseq.
  CHECK(f.mail().changed_since(at("alice"), "INBOX", 0)->size() == 7);
}

TEST_CASE("expunge removes deleted messages and records their UIDs with a modseq") {
  MailFixture f;
  std::vector<uint32_t> uids;
  for (int i = 0; i < 4; ++i) uids.push_back(f.deliver_one("alice").uid);
  MF_REQUIRE_OK(f.mail().set_flags(at("alice"), "INBOX", {uids[3]}, FlagOp::kAdd, mailbox::kSeen));
  uint64_t mark = f.mail().folder_status(at("alice"), "INBOX")->highest_modseq;
  MF_REQUIRE_OK(f.mail().set_flags(at("alice"), "INBOX", {uids[1], uids[3]}, FlagOp::kAdd,
                                   mailbox::kDeleted));
  auto gone = f.mail().expunge(at("alice"), "INBOX");
  MF_REQUIRE_OK(gone);
  CHECK(*gone == std::vector<uint32_t>{uids[1], uids[3]});
  auto st = f.mail().folder_status(at("alice"), "INBOX");
  MF_REQUIRE_OK(st);
  CHECK(st->messages == 2);
  CHECK(st->unseen == 2);  // uids[3] was seen, uids[1] not
  auto vanished = f.mail().expunged_since(at("alice"), "INBOX", mark);
  MF_REQUIRE_OK(vanished);
  CHECK(*vanished == std::vector<uint32_t>{uids[1], uids[3]});
  CHECK(f.mail().expunged_since(at("alice"), "INBOX", st->highest_modseq)->empty());
  // The expunged messages are gone from every listing, and so are their bodies.
  auto left = f.mail().list_messages(at("alice"), "INBOX");
  REQUIRE(left->size() == 2);
  CHECK((*left)[0].uid == uids[0]);
  CHECK((*left)[1].uid == uids[2]);
  MF_CHECK_CODE(f.mail().open_message(at("alice"), "INBOX", uids[1]), Code::kNotFound);
  MF_REQUIRE_OK(f.mail().sweep_garbage());
  CHECK(f.body_files().size() == 2);
  // Nothing flagged: nothing to do, no modseq taken.
  auto none = f.mail().expunge(at("alice"), "INBOX");
  CHECK(none->empty());
  CHECK(f.mail().folder_status(at("alice"), "INBOX")->highest_modseq == st->highest_modseq);
}

TEST_CASE("the structure of a multipart message is cached with offsets into the body") {
  MailFixture f;
  std::string message =
      "From: a@example.net\r\n"
      "To: alice@example.org\r\n"
      "Subject: =?utf-8?q?R=C3=A9union?=\r\n"
      "Message-ID: <m1@example.net>\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=\"XX\"\r\n"
      "\r\n"
      "--XX\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n"
      "\r\n"
      "Bonjour\r\n"
      "--XX\r\n"
      "Content-Type: application/pdf; name=a.pdf\r\n"
      "Content-Disposition: attachment; filename=a.pdf\r\n"
      "Content-Transfer-Encoding: base64\r\n"
      "Content-ID: <pdf1@example.net>\r\n"
      "\r\n"
      "JVBERi0=\r\n"
      "--XX--\r\n";
  auto out = f.deliver(message, {MailFixture::to("alice", "Delivered-To: alice@example.org\r\n")});
  MF_REQUIRE_OK(out.at(0));
  auto s = f.mail().structure(at("alice"), "INBOX", out[0]->uid);
  MF_REQUIRE_OK(s);
  REQUIRE(s->parts.size() == 3);
  const auto& root = s->parts[0];
  CHECK(root.type == "multipart");
  CHECK(root.subtype == "mixed");
  REQUIRE(root.envelope.has_value());
  CHECK(root.envelope->subject == "=?utf-8?q?R=C3=A9union?=");
  CHECK(root.envelope->message_id == "<m1@example.net>");
  const auto& pdf = s->parts[2];
  CHECK(pdf.parent == 0);
  CHECK(pdf.type == "application");
  CHECK(pdf.encoding == "base64");
  CHECK(pdf.disposition == "attachment");
  CHECK(pdf.id == "<pdf1@example.net>");
  CHECK(message.substr(pdf.body_offset, pdf.body_end - pdf.body_offset) == "JVBERi0=");
  CHECK_FALSE(pdf.envelope.has_value());
  // The offsets are into the body: the reader's prefix comes before them.
  auto reader = f.mail().open_message(at("alice"), "INBOX", out[0]->uid);
  std::string bytes;
  MF_REQUIRE_OK(reader->read(reader->prefix_size() + s->parts[1].body_offset, 7, &bytes));
  CHECK(bytes == "Bonjour");
}

TEST_CASE("the structure encoding round-trips and refuses damaged bytes") {
  auto msg = mime::parse_message(std::string_view(MailFixture::kSample));
  MF_REQUIRE_OK(msg);
  mailbox::BodyStructure s = mailbox::make_structure(*msg);
  std::string bytes = mailbox::encode_structure(s);
  mailbox::BodyStructure back;
  MF_REQUIRE_OK(mailbox::decode_structure(bytes, &back));
  CHECK(back == s);
  MF_CHECK_CODE(mailbox::decode_structure(bytes.substr(0, bytes.size() - 1), &back),
                Code::kCorruption);
  MF_CHECK_CODE(mailbox::decode_structure(bytes + "x", &back), Code::kCorruption);
  MF_CHECK_CODE(mailbox::decode_structure("", &back), Code::kCorruption);
}

TEST_CASE("an envelope field present but empty is told apart from an absent one") {
  auto msg = mime::parse_message(std::string_view("From: a@example.org\r\nSubject:\r\n"
                                                  "In-Reply-To: \r\n\r\nbody\r\n"));
  MF_REQUIRE_OK(msg);
  mailbox::BodyStructure s = mailbox::make_structure(*msg);
  REQUIRE(s.parts[0].envelope);
  CHECK(s.parts[0].envelope->present_empty ==
        (mailbox::kEnvelopeSubject | mailbox::kEnvelopeInReplyTo));
  mailbox::BodyStructure back;
  MF_REQUIRE_OK(mailbox::decode_structure(mailbox::encode_structure(s), &back));
  CHECK(back == s);
  // Without such fields the encoding is the first format's: older stores read the same.
  auto plain = mime::parse_message(std::string_view("Subject: x\r\n\r\nbody\r\n"));
  MF_REQUIRE_OK(plain);
  std::string bytes = mailbox::encode_structure(mailbox::make_structure(*plain));
  MF_REQUIRE_OK(mailbox::decode_structure(bytes, &back));
  CHECK(back.parts[0].envelope->present_empty == 0);
}

}  // namespace
}  // namespace mf::test
