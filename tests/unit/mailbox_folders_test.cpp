// The mailbox store's folders: made with each account and by the schema migration,
// created, renamed and deleted, with their UIDVALIDITY.
#include "mailbox_fixture.h"

#include "mailbox/folders.h"
#include "store/lmdb_env.h"
#include "store/schema.h"

#include <set>

namespace mf::test {
namespace {

using mailbox::Delivery;
using mailbox::SpecialUse;

std::vector<std::string> names(const std::vector<mailbox::FolderStatus>& folders) {
  std::vector<std::string> out;
  for (const auto& f : folders) out.push_back(f.name);
  return out;
}

const std::vector<std::string> kDefaults = {"Archive", "Drafts", "INBOX", "Junk", "Sent", "Trash"};

TEST_CASE("a new account has INBOX and the special-use folders") {
  MailFixture f;
  auto folders = f.mail().list_folders(at("alice"));
  MF_REQUIRE_OK(folders);
  CHECK(names(*folders) == kDefaults);
  for (const auto& folder : *folders) {
    CHECK(folder.messages == 0);
    CHECK(folder.uidnext == 1);
    CHECK(folder.uidvalidity >= kFakeNow);
    if (folder.name == "Sent") CHECK(folder.special_use == SpecialUse::kSent);
    if (folder.name == "Junk") CHECK(mailbox::special_use_name(folder.special_use) == "\\Junk");
    if (folder.name == "INBOX") CHECK(folder.special_use == SpecialUse::kNone);
  }
  // Every folder got its own UIDVALIDITY, from the clock and above the last one given.
  std::set<uint32_t> validities;
  for (const auto& folder : *folders) validities.insert(folder.uidvalidity);
  CHECK(validities.size() == folders->size());
  // abuse@ and postmaster@, made with the domain, have them too.
  auto postmaster = f.mail().list_folders(at("postmaster"));
  MF_REQUIRE_OK(postmaster);
  CHECK(names(*postmaster) == kDefaults);
}

TEST_CASE("the migration from schema 1 creates the default folders of existing accounts") {
  MailFixture f;
  // Version 1 had no folders.
  f.rewind_schema(1, store::Table::kMailFolders);
  auto stats = f.ctx().store_stats();
  MF_REQUIRE_OK(stats);
  CHECK(stats->schema_version == Context::schema_version());  // migrated step by step
  for (const char* who : {"alice", "bob", "carol", "abuse", "postmaster"}) {
    auto folders = f.mail().list_folders(at(who));
    MF_REQUIRE_OK(folders);
    CHECK(names(*folders) == kDefaults);
  }
}

TEST_CASE("folders are created, renamed with their inferiors, and deleted; INBOX stays") {
  MailFixture f;
  MF_REQUIRE_OK(f.mail().create_folder(at("alice"), "Projets/Été 2024"));
  MF_REQUIRE_OK(f.mail().create_folder(at("alice"), "Projets"));
  MF_CHECK_CODE(f.mail().create_folder(at("alice"), "Projets"), Code::kAlreadyExists);
  MF_CHECK_CODE(f.mail().create_folder(at("alice"), "a//b"), Code::kInvalidArgument);
  MF_CHECK_CODE(f.mail().create_folder(at("alice"), "inbox"), Code::kAlreadyExists);
  MF_CHECK_CODE(f.mail().create_folder(at("nobody"), "x"), Code::kNotFound);
  Delivery d = MailFixture::to("alice");
  d.folder = "Projets/Été 2024";
  auto out = f.deliver(MailFixture::kSample, {d});
  MF_REQUIRE_OK(out.at(0));
  auto before = f.mail().folder_status(at("alice"), "Projets/Été 2024");
  MF_REQUIRE_OK(before);

  MF_REQUIRE_OK(f.mail().rename_folder(at("alice"), "Projets", "Travail"));
  auto folders = f.mail().list_folders(at("alice"));
  MF_REQUIRE_OK(folders);
  auto n = names(*folders);
  CHECK(std::find(n.begin(), n.end(), "Travail/Été 2024") != n.end());
  CHECK(std::find(n.begin(), n.end(), "Projets") == n.end());
  auto after = f.mail().folder_status(at("alice"), "Travail/Été 2024");
  MF_REQUIRE_OK(after);
  CHECK(after->uidvalidity == before->uidvalidity);
  CHECK(after->messages == 1);
  MF_CHECK_CODE(f.mail().rename_folder(at("alice"), "INBOX", "Sent"), Code::kAlreadyExists);
  MF_CHECK_CODE(f.mail().rename_folder(at("alice"), "Travail", "Sent"), Code::kAlreadyExists);

  MF_CHECK_CODE(f.mail().delete_folder(at("alice"), "INBOX"), Code::kFailedPrecondition);
  MF_REQUIRE_OK(f.mail().delete_folder(at("alice"), "Travail/Été 2024"));
  MF_REQUIRE_OK(f.mail().sweep_garbage());
  CHECK(f.body_files().empty());
  CHECK(f.mail().quota_usage(at("alice"))->messages == 0);
}

TEST_CASE("a folder deleted and created again gets a new UIDVALIDITY, even in the same second") {
  MailFixture f;
  MF_REQUIRE_OK(f.mail().create_folder(at("alice"), "Lists"));
  auto first = f.mail().folder_status(at("alice"), "Lists");
  MF_REQUIRE_OK(first);
  MF_REQUIRE_OK(f.mail().delete_folder(at("alice"), "Lists"));
  MF_REQUIRE_OK(f.mail().create_folder(at("alice"), "Lists"));
  auto second = f.mail().folder_status(at("alice"), "Lists");
  MF_REQUIRE_OK(second);
  CHECK(second->uidvalidity > first->uidvalidity);
}

}  // namespace
}  // namespace mf::test

TEST_CASE("INBOX is matched in any case, also as the first level of its children") {
  CHECK(mf::mailbox::normalize_folder_name("inbox").value() == "INBOX");
  CHECK(mf::mailbox::normalize_folder_name("Inbox/Factures").value() == "INBOX/Factures");
  CHECK(mf::mailbox::normalize_folder_name("INBOXES").value() == "INBOXES");
  CHECK(mf::mailbox::normalize_folder_name("Archive/inbox").value() == "Archive/inbox");
  CHECK(mf::mailbox::normalize_folder_name("inbox/").status().code() == mf::Code::kInvalidArgument);
}
