// Backup and restore of a data directory (mailfountain/backup.h): a restored copy serves
// the same mail, body deletion waits for a backup, and what restore refuses.
#include "mailbox_fixture.h"

#include "mailbox/backup_files.h"
#include "mailbox/backup_manifest.h"

#include <mailfountain/backup.h>

#include <fmt/format.h>
#include <sys/stat.h>

#include <fstream>
#include <map>
#include <sstream>

namespace mf::test {
namespace {

using mailbox::FlagOp;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

// Everything an account's folders hold, as text: folder status, then per message its
// UID, flags, keywords, size, internal date and bytes.
std::string snapshot_of(mailbox::MailStore& store, const std::string& account) {
  std::string out;
  auto folders = store.list_folders(account);
  REQUIRE_MESSAGE(folders.is_ok(), folders.status().to_string());
  for (const auto& folder : *folders) {
    out += fmt::format("folder {} uidvalidity={} uidnext={} modseq={} messages={} unseen={}\n",
                       folder.name, folder.uidvalidity, folder.uidnext, folder.highest_modseq,
                       folder.messages, folder.unseen);
    auto messages = store.list_messages(account, folder.name);
    REQUIRE_MESSAGE(messages.is_ok(), messages.status().to_string());
    for (const auto& m : *messages) {
      auto reader = store.open_message(account, folder.name, m.uid);
      REQUIRE_MESSAGE(reader.is_ok(), reader.status().to_string());
      auto text = reader->read_all();
      REQUIRE_MESSAGE(text.is_ok(), text.status().to_string());
      std::string keywords;
      for (const auto& k : m.keywords) keywords += k + ",";
      out += fmt::format("  uid={} flags={} keywords={} size={} date={}\n{}\n", m.uid, m.flags,
                         keywords, m.size, m.internal_date, *text);
    }
  }
  return out;
}

// A fixture whose accounts hold mail in several folders, with flags and keywords.
struct FilledStore : MailFixture {
  FilledStore() {
    for (int i = 0; i < 3; ++i) {
      deliver(fmt::format("Subject: to alice {}\r\n\r\nbody {}\r\n", i, i),
              {to("alice", "Delivered-To: alice@example.org\r\n")});
    }
    // One body for two accounts.
    deliver("Subject: shared\r\n\r\nfor bob and carol\r\n",
            {to("bob", "Delivered-To: bob@example.org\r\n"),
             to("carol", "Delivered-To: carol@example.org\r\n")});
    MF_REQUIRE_OK(mail().create_folder(at("bob"), "Projets/Été"));
    mailbox::Delivery archived = to("bob");
    archived.folder = "Projets/Été";
    archived.keywords = {"$Important"};
    deliver("Subject: filed\r\n\r\n8-bit \xc3\xa9t\xc3\xa9\r\n", {archived});
    MF_REQUIRE_OK(
        mail().set_flags(at("alice"), "INBOX", {1, 3}, FlagOp::kAdd, mailbox::kSeen, {"work"}));
  }

  std::map<std::string, std::string> snapshots(mailbox::MailStore& store) {
    std::map<std::string, std::string> out;
    for (const char* who : {"alice", "bob", "carol"}) out[who] = snapshot_of(store, at(who));
    return out;
  }
};

TEST_CASE("a backup restored into a fresh directory serves the same mail in every account") {
  FilledStore f;
  TempDir tmp;
  auto before = f.snapshots(f.mail());

  auto report = backup_data_dir(f.ctx(), tmp.sub("backup"));
  MF_REQUIRE_OK(report);
  CHECK(report->path == tmp.sub("backup"));
  CHECK(report->manifest.bodies == 5);  // three for alice, one shared, one filed
  CHECK(report->manifest.schema_version == Context::schema_version());
  CHECK(report->manifest.store_bytes > 0);
  CHECK(exists(tmp.sub("backup/manifest")));
  CHECK_FALSE(exists(tmp.sub("backup.partial")));
  CHECK_FALSE(exists(tmp.sub("backup/store/lock.mdb")));

  auto restored = restore_data_dir(tmp.sub("backup"), tmp.sub("restored"), RestoreMode::kIntoEmpty);
  MF_REQUIRE_OK(restored);
  CHECK(restored->moved_aside.empty());
  CHECK(restored->manifest.bodies == 5);
  CHECK_FALSE(exists(tmp.sub("restored.restoring")));

  auto ctx = Context::open(tmp.sub("restored"), test_options());
  MF_REQUIRE_OK(ctx);
  mailbox::MailStore& store = mailbox::mail_store(**ctx);
  CHECK(store.owns_deliveries());
  CHECK(f.snapshots(store) == before);
  // Nothing restored is an orphan or garbage: every body is still there after a sweep.
  MF_REQUIRE_OK(store.sweep_garbage());
  CHECK(store.stats().orphans_removed == 0);
  CHECK(store.stats().bodies_deleted == 0);
  CHECK(f.snapshots(store) == before);
  // The directory model came back too, and the restored store takes new mail.
  CHECK((*ctx)->directory().resolve(at("carol")).is_ok());
  auto more = store.append_bytes("Subject: after\r\n\r\nnew\r\n", MailFixture::to("carol"));
  MF_REQUIRE_OK(more);
  CHECK(more->uid == 2);
}

TEST_CASE("bodies added after the backup's snapshot are not in the backup") {
  FilledStore f;
  TempDir tmp;
  MF_REQUIRE_OK(backup_data_dir(f.ctx(), tmp.sub("one")));
  f.deliver_one("carol");
  auto second = backup_data_dir(f.ctx(), tmp.sub("two"));
  MF_REQUIRE_OK(second);
  CHECK(second->manifest.bodies == 6);
  auto first = read_backup_manifest(tmp.sub("one"));
  MF_REQUIRE_OK(first);
  CHECK(first->bodies == 5);
  MF_REQUIRE_OK(restore_data_dir(tmp.sub("one"), tmp.sub("restored"), RestoreMode::kIntoEmpty));
  auto ctx = Context::open(tmp.sub("restored"), test_options());
  MF_REQUIRE_OK(ctx);
  CHECK(mailbox::mail_store(**ctx).list_messages(at("carol"), "INBOX")->size() == 1);
}

TEST_CASE("the garbage sweep deletes no body while a backup holds off deletion") {
  MailFixture f;
  uint32_t uid = f.deliver_one("alice").uid;
  f.deliver_one("bob");
  REQUIRE(f.body_files().size() == 2);
  {
    auto hold = mailbox::hold_off_body_deletion(f.mail().files().root());
    MF_REQUIRE_OK(hold);
    MF_REQUIRE_OK(f.mail().set_flags(at("alice"), "INBOX", {uid}, FlagOp::kAdd, mailbox::kDeleted));
    MF_REQUIRE_OK(f.mail().expunge(at("alice"), "INBOX"));
    MF_REQUIRE_OK(f.mail().sweep_garbage());
    CHECK(f.body_files().size() == 2);  // released, but kept while the backup copies
    CHECK(f.mail().stats().sweeps_deferred >= 1);
    CHECK(f.mail().stats().bodies_deleted == 0);
    // Another backup at the same time is not held up by the first.
    TempDir tmp;
    auto report = backup_data_dir(f.ctx(), tmp.sub("backup"));
    MF_REQUIRE_OK(report);
    CHECK(report->manifest.bodies == 1);  // its snapshot no longer refers to alice's body
  }
  MF_REQUIRE_OK(f.mail().sweep_garbage());
  CHECK(f.body_files().size() == 1);
  CHECK(f.mail().stats().bodies_deleted == 1);
}

TEST_CASE("a backup goes only into a new or empty directory") {
  MailFixture f;
  f.deliver_one("alice");
  TempDir tmp;
  ::mkdir(tmp.sub("full").c_str(), 0700);
  write_file(tmp.sub("full/something"), "keep me");
  MF_CHECK_CODE(backup_data_dir(f.ctx(), tmp.sub("full")), Code::kAlreadyExists);
  CHECK(read_file(tmp.sub("full/something")) == "keep me");
  CHECK_FALSE(exists(tmp.sub("full.partial")));

  write_file(tmp.sub("file"), "x");
  MF_CHECK_CODE(backup_data_dir(f.ctx(), tmp.sub("file")), Code::kAlreadyExists);
  MF_CHECK_CODE(backup_data_dir(f.ctx(), tmp.sub("no/such/parent")), Code::kNotFound);

  // An interrupted backup's staging directory is not reused silently.
  ::mkdir(tmp.sub("next.partial").c_str(), 0700);
  MF_CHECK_CODE(backup_data_dir(f.ctx(), tmp.sub("next")), Code::kAlreadyExists);
  CHECK_FALSE(exists(tmp.sub("next")));

  ::mkdir(tmp.sub("empty").c_str(), 0700);
  auto report = backup_data_dir(f.ctx(), tmp.sub("empty") + "/");
  MF_REQUIRE_OK(report);
  CHECK(report->manifest.bodies == 1);
}

TEST_CASE("the TLS files of the data directory are backed up and restored with their modes") {
  MailFixture f;
  ::mkdir((f.data_path() + "/tls").c_str(), 0700);
  write_file(f.data_path() + "/tls/self-signed.key", "-----BEGIN KEY-----\n");
  ::chmod((f.data_path() + "/tls/self-signed.key").c_str(), 0600);
  write_file(f.data_path() + "/tls/self-signed.crt", "-----BEGIN CERTIFICATE-----\n");
  ::chmod((f.data_path() + "/tls/self-signed.crt").c_str(), 0644);
  TempDir tmp;
  auto report = backup_data_dir(f.ctx(), tmp.sub("b"));
  MF_REQUIRE_OK(report);
  CHECK(report->other_files == 2);
  MF_REQUIRE_OK(restore_data_dir(tmp.sub("b"), tmp.sub("r"), RestoreMode::kIntoEmpty));
  CHECK(read_file(tmp.sub("r/tls/self-signed.key")) == "-----BEGIN KEY-----\n");
  struct stat st {};
  REQUIRE(::stat(tmp.sub("r/tls/self-signed.key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  REQUIRE(::stat(tmp.sub("r/tls/self-signed.crt").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);
}

TEST_CASE("restore refuses what is not a whole backup made by this format") {
  MailFixture f;
  f.deliver_one("alice");
  f.deliver_one("bob");
  TempDir tmp;
  MF_REQUIRE_OK(backup_data_dir(f.ctx(), tmp.sub("good")));
  std::string good_manifest = read_file(tmp.sub("good/manifest"));
  auto copy_of_good = [&](const std::string& name) {
    // A backup is a backup wherever it is: restore it to make a second one.
    MF_REQUIRE_OK(restore_data_dir(tmp.sub("good"), tmp.sub(name), RestoreMode::kIntoEmpty));
    write_file(tmp.sub(name + "/manifest"), good_manifest);
    return tmp.sub(name);
  };
  const std::string target = tmp.sub("target");

  MF_CHECK_CODE(restore_data_dir(tmp.sub("nothing"), target, RestoreMode::kIntoEmpty),
                Code::kNotFound);
  // A data directory, or an interrupted backup: no manifest.
  MF_CHECK_CODE(restore_data_dir(f.data_path(), target, RestoreMode::kIntoEmpty),
                Code::kInvalidArgument);

  std::string garbled = copy_of_good("garbled");
  write_file(garbled + "/manifest", "this is not a manifest\n");
  MF_CHECK_CODE(restore_data_dir(garbled, target, RestoreMode::kIntoEmpty), Code::kCorruption);

  std::string newer = copy_of_good("newer");
  std::string text = good_manifest;
  text.replace(text.find("mailfountain-backup 1"), 21, "mailfountain-backup 2");
  write_file(newer + "/manifest", text);
  MF_CHECK_CODE(restore_data_dir(newer, target, RestoreMode::kIntoEmpty), Code::kUnsupported);

  std::string future_schema = copy_of_good("future");
  text = good_manifest;
  text.replace(text.find("schema_version "), 16, "schema_version 9");
  write_file(future_schema + "/manifest", text);
  MF_CHECK_CODE(restore_data_dir(future_schema, target, RestoreMode::kIntoEmpty),
                Code::kUnsupported);

  // A body lost from the backup.
  std::string lossy = copy_of_good("lossy");
  std::string shard = lossy + "/messages/000000";
  auto names = MailFixture::list(shard);
  REQUIRE(names.size() == 2);
  ::unlink((shard + "/" + names[0]).c_str());
  MF_CHECK_CODE(restore_data_dir(lossy, target, RestoreMode::kIntoEmpty), Code::kCorruption);

  // Nothing of the refused restores was left behind.
  CHECK_FALSE(exists(target));
  CHECK_FALSE(exists(target + ".restoring"));

  MF_REQUIRE_OK(restore_data_dir(tmp.sub("good"), target, RestoreMode::kIntoEmpty));
}

TEST_CASE("restore refuses a data directory a running store owns") {
  MailFixture f;
  f.deliver_one("alice");
  TempDir tmp;
  MF_REQUIRE_OK(backup_data_dir(f.ctx(), tmp.sub("b")));
  // The fixture's context owns deliveries, as mailfountaind does.
  MF_CHECK_CODE(restore_data_dir(tmp.sub("b"), f.data_path(), RestoreMode::kReplace),
                Code::kFailedPrecondition);
  CHECK(f.mail().list_messages(at("alice"), "INBOX")->size() == 1);
  CHECK_FALSE(exists(f.data_path() + ".restoring"));
}

TEST_CASE("restore replaces a non-empty data directory only when asked, moving it aside") {
  MailFixture f;
  f.deliver_one("alice");
  TempDir tmp;
  MF_REQUIRE_OK(backup_data_dir(f.ctx(), tmp.sub("b")));
  ::mkdir(tmp.sub("data").c_str(), 0700);
  write_file(tmp.sub("data/old-file"), "old");
  MF_CHECK_CODE(restore_data_dir(tmp.sub("b"), tmp.sub("data"), RestoreMode::kIntoEmpty),
                Code::kAlreadyExists);
  CHECK(read_file(tmp.sub("data/old-file")) == "old");

  auto replaced = restore_data_dir(tmp.sub("b"), tmp.sub("data"), RestoreMode::kReplace);
  MF_REQUIRE_OK(replaced);
  REQUIRE_FALSE(replaced->moved_aside.empty());
  CHECK(contains(replaced->moved_aside, tmp.sub("data.before-restore-")));
  CHECK(read_file(replaced->moved_aside + "/old-file") == "old");
  CHECK_FALSE(exists(tmp.sub("data/old-file")));
  auto ctx = Context::open(tmp.sub("data"), test_options());
  MF_REQUIRE_OK(ctx);
  CHECK(mailbox::mail_store(**ctx).list_messages(at("alice"), "INBOX")->size() == 1);
}

TEST_CASE("a backup manifest round-trips and its parser refuses anything else") {
  BackupManifest m;
  m.created_at = 1714557600;
  m.schema_version = 2;
  m.bodies = 3;
  m.body_bytes = 12345;
  m.store_bytes = 65536;
  std::string text = mailbox::encode_manifest(m);
  CHECK(text ==
        "mailfountain-backup 1\ncreated 1714557600\nschema_version 2\nbodies 3\n"
        "body_bytes 12345\nstore_bytes 65536\n");
  auto back = mailbox::parse_manifest(text);
  MF_REQUIRE_OK(back);
  CHECK(back->format == 1);
  CHECK(back->created_at == m.created_at);
  CHECK(back->bodies == 3);
  CHECK(back->body_bytes == 12345);
  CHECK(back->store_bytes == 65536);

  const std::vector<std::string> bad_manifests = {
      std::string(""),
      text.substr(0, text.size() - 1),               // last line unterminated
      text + "extra 1\n",                            // trailing line
      "mailfountain-backup 01\n" + text.substr(22),  // leading zero
      "mailfountain-backup 0\n" + text.substr(22),   // format 0
      "mailfountain-backup 1\nschema_version 2\ncreated 1714557600\nbodies 3\n"
      "body_bytes 12345\nstore_bytes 65536\n",  // lines out of order
      "mailfountain-backup 1\ncreated -5\nschema_version 2\nbodies 3\n"
      "body_bytes 12345\nstore_bytes 65536\n",  // a sign
      "mailfountain-backup 1\ncreated 1\nschema_version 2\nbodies 99999999999999999999\n"
      "body_bytes 1\nstore_bytes 1\n",  // overflow
  };
  for (const std::string& bad : bad_manifests) {
    MF_CHECK_CODE(mailbox::parse_manifest(bad), Code::kCorruption);
  }
  MF_CHECK_CODE(mailbox::parse_manifest("mailfountain-backup 7\nanything\n"), Code::kUnsupported);
}

}  // namespace
}  // namespace mf::test
