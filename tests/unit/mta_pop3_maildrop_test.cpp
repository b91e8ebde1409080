// The POP3 maildrop over the mailbox store (mta/pop3_maildrop.h): the INBOX listed with
// sizes and stable UIDLs, ranged reads, the lock, and the deletions at QUIT removing
// messages whether flagged or not.
#include "mailbox_fixture.h"

#include "mailbox/folders.h"
#include "mta/pop3_maildrop.h"

#include <doctest/doctest.h>

namespace mf::test {
namespace {

using mta::MaildropLocks;
using mta::StoreMaildrop;

class MaildropFixture : public MailFixture {
 public:
  MaildropFixture() {
    for (const char* m : {"Subject: one\r\n\r\nfirst\r\n", "Subject: two\r\n\r\nsecond\r\n",
                          "Subject: three\r\n\r\nthird\r\n"})
      deliver(m, {to("alice")});
  }
  pop3::MaildropOpening open() { return StoreMaildrop::open(mail(), locks, at("alice")); }
  MaildropLocks locks;
};

TEST_CASE_FIXTURE(MaildropFixture, "the maildrop lists the INBOX with its sizes and UIDLs") {
  auto opening = open();
  REQUIRE(opening.maildrop != nullptr);
  const auto& list = opening.maildrop->messages();
  REQUIRE(list.size() == 3);
  auto inbox = mail().list_messages(at("alice"), mailbox::kInbox);
  REQUIRE(inbox.is_ok());
  auto status = mail().folder_status(at("alice"), mailbox::kInbox);
  REQUIRE(status.is_ok());
  for (size_t i = 0; i < 3; ++i) {
    CHECK(list[i].octets == (*inbox)[i].size);
    CHECK(list[i].uidl == StoreMaildrop::uidl((*inbox)[i].uid, status->uidvalidity));
  }
  CHECK(StoreMaildrop::uidl(1, 0x5f3a1b2c) == "000000015F3A1B2C");
  std::string out;
  MF_REQUIRE_OK(opening.maildrop->read(1, 0, 1 << 20, out));
  CHECK(out == "Subject: two\r\n\r\nsecond\r\n");
  out.clear();
  MF_REQUIRE_OK(opening.maildrop->read(1, 9, 3, out));
  CHECK(out == "two");
  out.clear();
  MF_REQUIRE_OK(opening.maildrop->read(1, list[1].octets, 100, out));
  CHECK(out.empty());
}

TEST_CASE_FIXTURE(MaildropFixture,
                  "a second maildrop of the account is refused until the first goes") {
  auto first = open();
  REQUIRE(first.maildrop != nullptr);
  auto second = open();
  CHECK(second.maildrop == nullptr);
  CHECK(second.error == pop3::MaildropError::kInUse);
  // Another account is not locked.
  auto bob = StoreMaildrop::open(mail(), locks, at("bob"));
  CHECK(bob.maildrop != nullptr);
  first.maildrop.reset();
  CHECK(open().maildrop != nullptr);
}

TEST_CASE_FIXTURE(MaildropFixture,
                  "deletions remove the messages, flagged or not, and keep the others' UIDLs") {
  auto opening = open();
  REQUIRE(opening.maildrop != nullptr);
  const std::string kept = opening.maildrop->messages()[1].uidl;
  MF_REQUIRE_OK(opening.maildrop->commit_deletions({0, 2}));
  opening.maildrop.reset();
  auto inbox = mail().list_messages(at("alice"), mailbox::kInbox);
  REQUIRE(inbox.is_ok());
  REQUIRE(inbox->size() == 1);
  auto again = open();
  REQUIRE(again.maildrop != nullptr);
  REQUIRE(again.maildrop->messages().size() == 1);
  CHECK(again.maildrop->messages()[0].uidl == kept);
}

TEST_CASE_FIXTURE(MaildropFixture, "a message expunged by IMAP meanwhile reads as not found") {
  auto opening = open();
  REQUIRE(opening.maildrop != nullptr);
  auto inbox = mail().list_messages(at("alice"), mailbox::kInbox);
  REQUIRE(inbox.is_ok());
  MF_REQUIRE_OK(mail().remove_messages(at("alice"), mailbox::kInbox, {(*inbox)[0].uid}).status());
  std::string out;
  Status st = opening.maildrop->read(0, 0, 100, out);
  CHECK(st.code() == Code::kNotFound);
  CHECK(out.empty());
  // Deleting it at QUIT too is no error: already gone counts as removed.
  MF_CHECK_OK(opening.maildrop->commit_deletions({0}));
}

}  // namespace
}  // namespace mf::test
