// mailbox/folders.h — folders and an account's mail inside the caller's transaction: the
// default folders made with an account, removing an account's mail, creating and
// removing one folder, releasing bodies, quota usage. These functions take a store::Txn
// so that the Directory can create an account's folders, and remove its mail, in the same
// transaction as the account itself; the MailStore uses them too.
//
// Folder names are UTF-8 with '/' as the hierarchy separator (IMAP's modified UTF-7 is
// the IMAP server's business). "INBOX" in any case names the inbox, stored as "INBOX".
//
// Body files are never deleted here: a body whose last message goes is put on the
// garbage list (kMailGarbage) in the same transaction, and MailStore's sweep deletes the
// file later (docs/mailbox.md).
#ifndef MF_MAILBOX_FOLDERS_H
#define MF_MAILBOX_FOLDERS_H

#include "mailbox/records.h"
#include "store/lmdb_env.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mf::mailbox {

using store::Txn;

inline constexpr std::string_view kInbox = "INBOX";
inline constexpr char kHierarchySeparator = '/';
inline constexpr size_t kMaxFolderNameBytes = 200;

// The stored form of a folder name: "INBOX" for any case of it, also as the first level of
// a child ("inbox/a" is "INBOX/a"); kInvalidArgument for an
// empty name, invalid UTF-8, a control character, an empty hierarchy level ("a//b", "/a",
// "a/") or more than kMaxFolderNameBytes bytes.
Result<std::string> normalize_folder_name(std::string_view name);

// The folders every account has: INBOX, Sent, Drafts, Trash, Junk, Archive.
struct DefaultFolder {
  std::string_view name;
  SpecialUse use;
};
extern const DefaultFolder kDefaultFolders[6];

// Creates the default folders of `account` (canonical address) that it lacks, and
// subscribes it to each folder created (subscriptions.h).
Status create_default_folders(Txn& txn, std::string_view account);

// Creates folder `name` (already normalised) of `account`: a fresh id and UIDVALIDITY.
// kAlreadyExists if it exists.
Result<FolderRecord> create_folder(Txn& txn, std::string_view account, std::string_view name,
                                   SpecialUse use);

Result<std::optional<FolderRecord>> load_folder(Txn& txn, std::string_view account,
                                                std::string_view name);
// The folder, or kNotFound naming it.
Result<FolderRecord> require_folder(Txn& txn, std::string_view account, std::string_view name);
Status store_folder(Txn& txn, std::string_view account, std::string_view name,
                    const FolderRecord& rec);

// The folders of `account` whose names start with `name_prefix` ("" for all of them), in
// name order, with their records. kCorruption if a record does not decode.
Result<std::vector<std::pair<std::string, FolderRecord>>> scan_folders(
    Txn& txn, std::string_view account, std::string_view name_prefix);

// Removes every message of a folder (bodies released, quota usage lowered) and its
// modseq and expunge records, then the folder itself.
Status remove_folder(Txn& txn, std::string_view account, std::string_view name,
                     const FolderRecord& rec);

// Removes all mail of `account`: every folder with its messages, its subscriptions and
// its quota usage.
// Nothing to remove is not an error.
Status remove_account_mail(Txn& txn, std::string_view account);

// Drops one reference to a body; at zero the body record goes and the body joins the
// garbage list.
Status release_body(Txn& txn, uint64_t body_id);

// Takes one more reference to a body that has a record (a reference held by something
// other than a folder message: the outbound queue's copy of the message). kNotFound if
// the body has no record: a caller placing a new body writes its record first.
Status retain_body(Txn& txn, uint64_t body_id);

Result<QuotaUsage> load_usage(Txn& txn, std::string_view account);
Status store_usage(Txn& txn, std::string_view account, const QuotaUsage& usage);

// Schema migration 1 → 2: the default folders for every existing account.
Status migrate_add_default_folders(Txn& txn);

// Reads or writes a be64 counter of the meta table (0 when absent).
Result<uint64_t> load_counter(Txn& txn, std::string_view key);
Status store_counter(Txn& txn, std::string_view key, uint64_t value);

}  // namespace mf::mailbox

#endif  // MF_MAILBOX_FOLDERS_H
