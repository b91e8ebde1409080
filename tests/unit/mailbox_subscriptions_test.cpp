// The mailbox store's IMAP subscriptions: made with the default folders, a set of stored
// names that may name missing folders, moved by a rename with the inferiors, kept by a
// delete and by renaming INBOX, removed with the account, and the schema step 3 → 4.
#include "mailbox_fixture.h"

#include "store/lmdb_env.h"
#include "store/schema.h"

#include <algorithm>
#include <mutex>

namespace mf::test {
namespace {

using Names = std::vector<std::string>;

const Names kDefaults = {"Archive", "Drafts", "INBOX", "Junk", "Sent", "Trash"};

Names subscribed(MailFixture& f, std::string_view local) {
  auto names = f.mail().subscriptions(at(local));
  REQUIRE_MESSAGE(names.is_ok(), names.status().to_string());
  return *names;
}

// kDefaults with `extra` added, in name order.
Names defaults_and(Names extra) {
  Names out = kDefaults;
  out.insert(out.end(), extra.begin(), extra.end());
  std::sort(out.begin(), out.end());
  return out;
}

TEST_CASE("a new account is subscribed to its default folders") {
  MailFixture f;
  CHECK(subscribed(f, "alice") == kDefaults);
  CHECK(subscribed(f, "bob") == kDefaults);
  // Creating a folder does not subscribe it: the client asks (SUBSCRIBE).
  MF_REQUIRE_OK(f.mail().create_folder(at("alice"), "Projects"));
  CHECK(subscribed(f, "alice") == kDefaults);
}

TEST_CASE("subscriptions are a set of stored names, listed in name order") {
  MailFixture f;
  MF_REQUIRE_OK(f.mail().create_folder(at("alice"), "Projects"));
  MF_REQUIRE_OK(f.mail().subscribe_folder(at("alice"), "Projects"));
  MF_REQUIRE_OK(f.mail().subscribe_folder(at("alice"), "Projects"));  // twice: still one
  // Stored form: INBOX in any case is INBOX, also as the first level of a child.
  MF_REQUIRE_OK(f.mail().subscribe_folder(at("alice"), "inbox/Lists"));
  MF_REQUIRE_OK(f.mail().subscribe_folder(at("alice"), "Été"));
  CHECK(subscribed(f, "alice") == defaults_and({"INBOX/Lists", "Projects", "Été"}));
  // Another account's subscriptions are its own.
  CHECK(subscribed(f, "bob") == kDefaults);
}

TEST_CASE("a name may be subscribed before its folder exists, and unsubscribed") {
  MailFixture f;
  MF_REQUIRE_OK(f.mail().subscribe_folder(at("alice"), "Later/On"));
  CHECK(subscribed(f, "alice") == defaults_and({"Later/On"}));
  MF_REQUIRE_OK(f.mail().unsubscribe_folder(at("alice"), "Later/On"));
  MF_REQUIRE_OK(f.mail().unsubscribe_folder(at("alice"), "Junk"));
  CHECK(subscribed(f, "alice") == Names{"Archive", "Drafts", "INBOX", "Sent", "Trash"});
}

TEST_CASE("unsubscribing a name that is not subscribed succeeds and changes nothing") {
  MailFixture f;
  MF_REQUIRE_OK(f.mail().unsubscribe_folder(at("alice"), "Never"));
  CHECK(subscribed(f, "alice") == kDefaults);
}

TEST_CASE("bad names are refused and an account without a mailbox cannot subscribe") {
  MailFixture f;
  for (const char* bad : {"", "a//b", "/a", "a/", "tab\there"}) {
    CHECK(f.mail().subscribe_folder(at("alice"), bad).code() == Code::kInvalidArgument);
    CHECK(f.mail().unsubscribe_folder(at("alice"), bad).code() == Code::kInvalidArgument);
  }
  CHECK(f.mail().subscribe_folder(at("nobody"), "INBOX").code() == Code::kNotFound);
  CHECK(subscribed(f, "nobody").empty());
  CHECK(subscribed(f, "alice") == kDefaults);
}

TEST_CASE("deleting a folder keeps its subscription") {
  MailFixture f;
  MF_REQUIRE_OK(f.mail().create_folder(at("alice"), "Old"));
  MF_REQUIRE_OK(f.mail().subscribe_folder(at("alice"), "Old"));
  MF_REQUIRE_OK(f.mail().delete_folder(at("alice"), "Old"));
  MF_REQUIRE_OK(f.mail().delete_folder(at("alice"), "Junk"));
  CHECK(subscribed(f, "alice") == defaults_and({"Old"}));
}

TEST_CASE("renaming a folder moves its subscription and its inferiors' ones") {
  MailFixture f;
  for (const char* name : {"a", "a/x", "a/x/y", "ab", "a.b"}) {
    MF_REQUIRE_OK(f.mail().create_folder(at("alice"), name));
  }
  // "a/x" is not subscribed; "a/ghost" names no folder; "ab" and "a.b" only share a prefix.
  for (const char* name : {"a", "a/x/y", "a/ghost", "ab", "a.b"}) {
    MF_REQUIRE_OK(f.mail().subscribe_folder(at("alice"), name));
  }
  MF_REQUIRE_OK(f.mail().rename_folder(at("alice"), "a", "b"));
  CHECK(subscribed(f, "alice") == defaults_and({"a.b", "ab", "b", "b/ghost", "b/x/y"}));
  // An inferior renamed to the top level takes its own inferiors' subscriptions along.
  MF_REQUIRE_OK(f.mail().rename_folder(at("alice"), "b/x", "c"));
  CHECK(subscribed(f, "alice") == defaults_and({"a.b", "ab", "b", "b/ghost", "c/y"}));
}

TEST_CASE("renaming an unsubscribed folder leaves the subscriptions as they were") {
  MailFixture f;
  MF_REQUIRE_OK(f.mail().create_folder(at("alice"), "p"));
  MF_REQUIRE_OK(f.mail().subscribe_folder(at("alice"), "q"));  // the new name, already
  MF_REQUIRE_OK(f.mail().rename_folder(at("alice"), "p", "q"));
  CHECK(subscribed(f, "alice") == defaults_and({"q"}));
}

TEST_CASE("renaming onto a subscription name nested in the old one keeps every moved name") {
  MailFixture f;
  MF_REQUIRE_OK(f.mail().create_folder(at("alice"), "a/b"));
  // Subscriptions of inferiors that do not exist (so the folder rename is allowed).
  for (const char* name : {"a/b", "a/b/b/x", "a/b/x"})
    MF_REQUIRE_OK(f.mail().subscribe_folder(at("alice"), name));
  // "a/b" → "a": "a/b/b/x" becomes "a/b/x", a name that was moving too ("a/b/x" → "a/x").
  MF_REQUIRE_OK(f.mail().rename_folder(at("alice"), "a/b", "a"));
  CHECK(subscribed(f, "alice") == defaults_and({"a", "a/b/x", "a/x"}));
}

TEST_CASE("renaming INBOX leaves INBOX subscribed and does not subscribe the new folder") {
  MailFixture f;
  f.deliver_one("alice");
  MF_REQUIRE_OK(f.mail().create_folder(at("alice"), "INBOX/Kept"));
  MF_REQUIRE_OK(f.mail().subscribe_folder(at("alice"), "INBOX/Kept"));
  MF_REQUIRE_OK(f.mail().rename_folder(at("alice"), "inbox", "Old mail"));
  CHECK(f.mail().folder_status(at("alice"), "Old mail")->messages == 1);
  CHECK(subscribed(f, "alice") == defaults_and({"INBOX/Kept"}));
}

TEST_CASE("removing an account removes its subscriptions, not another's") {
  MailFixture f;
  MF_REQUIRE_OK(f.mail().subscribe_folder(at("alice"), "Ghost"));
  MF_REQUIRE_OK(f.mail().subscribe_folder(at("bob"), "Ghost"));
  MF_REQUIRE_OK(f.dir().remove_account(f.admin(), at("alice"), Removal::kForce));
  CHECK(subscribed(f, "alice").empty());
  CHECK(subscribed(f, "bob") == defaults_and({"Ghost"}));
  // A new account of the same name starts from the defaults, not from alice's old set.
  MF_REQUIRE_OK(f.dir().add_account(f.admin(), at("alice"), NewAccount{}));
  CHECK(subscribed(f, "alice") == kDefaults);
}

TEST_CASE("subscribing and unsubscribing notify a folders change only when something changed") {
  MailFixture f;
  std::mutex mu;
  std::vector<mailbox::Change> seen;
  auto sub = f.mail().subscribe(at("alice"), [&](const mailbox::Change& c) {
    std::lock_guard lock(mu);
    seen.push_back(c);
  });
  MF_REQUIRE_OK(f.mail().subscribe_folder(at("alice"), "News"));
  MF_REQUIRE_OK(f.mail().subscribe_folder(at("alice"), "News"));     // no change
  MF_REQUIRE_OK(f.mail().unsubscribe_folder(at("alice"), "Never"));  // no change
  MF_REQUIRE_OK(f.mail().unsubscribe_folder(at("alice"), "News"));
  std::lock_guard lock(mu);
  REQUIRE(seen.size() == 2);
  for (const auto& c : seen) {
    CHECK(c.kind == mailbox::Change::Kind::kFolders);
    CHECK(c.account == at("alice"));
  }
}

TEST_CASE("the migration from schema 3 to 4 subscribes every existing folder") {
  MailFixture f;
  MF_REQUIRE_OK(f.mail().create_folder(at("alice"), "Projects/2026"));
  MF_REQUIRE_OK(f.mail().delete_folder(at("bob"), "Junk"));
  // Version 3 had no subscription at all.
  f.rewind_schema(3, store::Table::kMailSubscriptions);
  auto stats = f.ctx().store_stats();
  MF_REQUIRE_OK(stats);
  CHECK(stats->schema_version == 4u);
  CHECK(store::kSchemaVersion == 4u);
  CHECK(subscribed(f, "alice") == defaults_and({"Projects/2026"}));
  CHECK(subscribed(f, "bob") == Names{"Archive", "Drafts", "INBOX", "Sent", "Trash"});
  // Folders are untouched, and the store works at version 4 across a reopen.
  CHECK(f.mail().list_folders(at("alice"))->size() == kDefaults.size() + 1);
  MF_REQUIRE_OK(f.mail().unsubscribe_folder(at("alice"), "Projects/2026"));
  f.reopen();
  CHECK(subscribed(f, "alice") == kDefaults);
}

}  // namespace
}  // namespace mf::test
