// The mailbox store's COPY and MOVE (copy_messages, move_messages): new UIDs in the target,
// flags and dates kept, bodies shared, the quota counted, expunge records for a move.
#include "mailbox_fixture.h"

#include <algorithm>
#include <mutex>
#include <utility>

namespace mf::test {
namespace {

using mailbox::FlagOp;

TEST_CASE("copied messages get the target's next UIDs and keep flags, keywords and date") {
  MailFixture f;
  auto a = f.deliver_one("alice");
  auto b = f.deliver_one("alice");
  MF_REQUIRE_OK(f.mail().set_flags(at("alice"), "INBOX", {a.uid}, FlagOp::kAdd,
                                   mailbox::kSeen | mailbox::kFlagged, {"$Label1"}));
  auto before = f.mail().folder_status(at("alice"), "Archive");
  MF_REQUIRE_OK(before);
  // UIDs out of order, repeated, and one that does not exist: copied once each, in order.
  auto r = f.mail().copy_messages(at("alice"), "INBOX", {b.uid, a.uid, b.uid, 999}, "Archive");
  MF_REQUIRE_OK(r);
  CHECK(r->uidvalidity == before->uidvalidity);
  REQUIRE(r->uids.size() == 2);
  CHECK(r->uids[0] == std::make_pair(a.uid, before->uidnext));
  CHECK(r->uids[1] == std::make_pair(b.uid, before->uidnext + 1));
  CHECK(r->modseq == before->highest_modseq + 1);

  auto copies = f.mail().list_messages(at("alice"), "Archive");
  auto originals = f.mail().list_messages(at("alice"), "INBOX");
  MF_REQUIRE_OK(copies);
  REQUIRE(copies->size() == 2);
  CHECK(copies->at(0).flags == (mailbox::kSeen | mailbox::kFlagged));
  CHECK(copies->at(0).keywords == std::vector<std::string>{"$Label1"});
  CHECK(copies->at(0).internal_date == originals->at(0).internal_date);
  CHECK(copies->at(0).size == originals->at(0).size);
  CHECK(copies->at(1).flags == 0);
  auto st = f.mail().folder_status(at("alice"), "Archive");
  CHECK(st->messages == 2);
  CHECK(st->unseen == 1);
  CHECK(st->uidnext == before->uidnext + 2);
  // The source is untouched, the bytes are the same, and the quota counts both copies.
  CHECK(f.mail().folder_status(at("alice"), "INBOX")->messages == 2);
  CHECK(f.mail().open_message(at("alice"), "Archive", r->uids[0].second)->read_all().value() ==
        f.mail().open_message(at("alice"), "INBOX", a.uid)->read_all().value());
  CHECK(f.mail().quota_usage(at("alice"))->messages == 4);
  // Bodies are shared: no new file.
  CHECK(f.body_files().size() == 2);
}

TEST_CASE("a copy into the same folder appends new UIDs there") {
  MailFixture f;
  auto a = f.deliver_one("alice");
  auto r = f.mail().copy_messages(at("alice"), "inbox", {a.uid}, "INBOX");
  MF_REQUIRE_OK(r);
  REQUIRE(r->uids.size() == 1);
  CHECK(r->uids[0].second == a.uid + 1);
  auto st = f.mail().folder_status(at("alice"), "INBOX");
  CHECK(st->messages == 2);
  CHECK(st->uidnext == a.uid + 2);
}

TEST_CASE("a move removes the originals as expunged and leaves the quota as it was") {
  MailFixture f;
  auto a = f.deliver_one("alice");
  auto b = f.deliver_one("alice");
  auto c = f.deliver_one("alice");
  auto usage = f.mail().quota_usage(at("alice")).value();
  auto inbox = f.mail().folder_status(at("alice"), "INBOX").value();
  auto r = f.mail().move_messages(at("alice"), "INBOX", {a.uid, c.uid}, "Trash");
  MF_REQUIRE_OK(r);
  REQUIRE(r->uids.size() == 2);
  auto left = f.mail().list_messages(at("alice"), "INBOX");
  REQUIRE(left->size() == 1);
  CHECK(left->at(0).uid == b.uid);
  auto after = f.mail().folder_status(at("alice"), "INBOX").value();
  CHECK(after.messages == 1);
  CHECK(after.unseen == 1);
  CHECK(after.highest_modseq == inbox.highest_modseq + 1);
  CHECK(*f.mail().expunged_since(at("alice"), "INBOX", inbox.highest_modseq) ==
        std::vector<uint32_t>{a.uid, c.uid});
  CHECK(f.mail().folder_status(at("alice"), "Trash")->messages == 2);
  CHECK(f.mail().quota_usage(at("alice"))->bytes == usage.bytes);
  CHECK(f.mail().quota_usage(at("alice"))->messages == usage.messages);
  // The moved messages read as before, and expunging them from Trash frees their bodies.
  CHECK(f.mail().open_message(at("alice"), "Trash", r->uids[0].second).is_ok());
  MF_REQUIRE_OK(f.mail().set_flags(at("alice"), "Trash", {r->uids[0].second, r->uids[1].second},
                                   FlagOp::kAdd, mailbox::kDeleted));
  MF_REQUIRE_OK(f.mail().expunge(at("alice"), "Trash"));
  MF_REQUIRE_OK(f.mail().sweep_garbage());
  CHECK(f.body_files().size() == 1);
}

TEST_CASE("copy and move refuse what cannot be done, and change nothing then") {
  MailFixture f;
  auto a = f.deliver_one("alice");
  MF_CHECK_CODE(f.mail().copy_messages(at("alice"), "INBOX", {a.uid}, "Nowhere").status(),
                Code::kNotFound);
  MF_CHECK_CODE(f.mail().move_messages(at("alice"), "Nowhere", {a.uid}, "Trash").status(),
                Code::kNotFound);
  MF_CHECK_CODE(f.mail().move_messages(at("alice"), "INBOX", {a.uid}, "inbox").status(),
                Code::kInvalidArgument);
  // Over quota: a copy is refused whole; a move still works (it adds nothing).
  uint64_t used = f.mail().quota_usage(at("alice"))->bytes;
  MF_REQUIRE_OK(f.dir().set_account_quota(f.admin(), at("alice"), used + 1));
  MF_CHECK_CODE(f.mail().copy_messages(at("alice"), "INBOX", {a.uid}, "Archive").status(),
                Code::kResourceExhausted);
  CHECK(f.mail().folder_status(at("alice"), "Archive")->messages == 0);
  MF_REQUIRE_OK(f.mail().move_messages(at("alice"), "INBOX", {a.uid}, "Archive"));
  CHECK(f.mail().folder_status(at("alice"), "Archive")->messages == 1);
  // Nothing to copy is not an error.
  auto none = f.mail().copy_messages(at("alice"), "INBOX", {12345}, "Trash");
  MF_REQUIRE_OK(none);
  CHECK(none->uids.empty());
  CHECK(none->modseq == 0);
}

TEST_CASE("subscribers hear of the copies in the target and of the move's expunges") {
  MailFixture f;
  auto a = f.deliver_one("alice");
  std::mutex mu;
  std::vector<mailbox::Change> seen;
  auto sub = f.mail().subscribe(at("alice"), [&](const mailbox::Change& c) {
    std::lock_guard lock(mu);
    seen.push_back(c);
  });
  MF_REQUIRE_OK(f.mail().move_messages(at("alice"), "INBOX", {a.uid}, "Archive"));
  std::lock_guard lock(mu);
  // The delivery's own notice may come late (from the committer thread): look for the two.
  auto is = [](const mailbox::Change& c, std::string_view folder, mailbox::Change::Kind kind) {
    return c.folder == folder && c.kind == kind;
  };
  auto appended = std::find_if(seen.begin(), seen.end(), [&](const auto& c) {
    return is(c, "Archive", mailbox::Change::Kind::kAppended);
  });
  auto expunged = std::find_if(seen.begin(), seen.end(), [&](const auto& c) {
    return is(c, "INBOX", mailbox::Change::Kind::kExpunged);
  });
  CHECK(appended != seen.end());
  CHECK(expunged != seen.end());
}

TEST_CASE("renaming INBOX moves its messages to a new folder and leaves INBOX empty") {
  MailFixture f;
  auto a = f.deliver_one("alice");
  auto b = f.deliver_one("alice");
  MF_REQUIRE_OK(f.mail().create_folder(at("alice"), "INBOX/Factures"));
  auto inbox = f.mail().folder_status(at("alice"), "INBOX").value();
  MF_REQUIRE_OK(f.mail().rename_folder(at("alice"), "inbox", "Old mail"));
  auto old = f.mail().list_messages(at("alice"), "Old mail");
  MF_REQUIRE_OK(old);
  CHECK(old->size() == 2);
  auto after = f.mail().folder_status(at("alice"), "INBOX").value();
  CHECK(after.messages == 0);
  CHECK(after.unseen == 0);
  CHECK(after.uidvalidity == inbox.uidvalidity);  // INBOX stays the same mailbox
  CHECK(after.uidnext == inbox.uidnext);
  CHECK(*f.mail().expunged_since(at("alice"), "INBOX", inbox.highest_modseq) ==
        std::vector<uint32_t>{a.uid, b.uid});
  // Its inferiors stay where they are.
  CHECK(f.mail().folder_status(at("alice"), "INBOX/Factures").is_ok());
  CHECK(f.mail().folder_status(at("alice"), "Old mail/Factures").status().code() ==
        Code::kNotFound);
  // New mail goes to the (still existing) INBOX.
  f.deliver_one("alice");
  CHECK(f.mail().folder_status(at("alice"), "INBOX")->messages == 1);
  // Renaming it to an existing name changes nothing.
  MF_CHECK_CODE(f.mail().rename_folder(at("alice"), "INBOX", "Old mail"), Code::kAlreadyExists);
  CHECK(f.mail().folder_status(at("alice"), "INBOX")->messages == 1);
  // An empty INBOX renamed makes an empty folder; under INBOX itself is allowed.
  MF_REQUIRE_OK(f.mail().rename_folder(at("alice"), "INBOX", "INBOX/old"));
  CHECK(f.mail().folder_status(at("alice"), "INBOX/old")->messages == 1);
}

}  // namespace
}  // namespace mf::test
