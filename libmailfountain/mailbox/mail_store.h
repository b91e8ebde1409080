// mailbox/mail_store.h — the mailbox store of one data directory: per-account folders,
// messages with UIDs, flags, keywords and modification sequences, bodies stored once as
// files, quota usage, and change notifications. Designed for the SMTP server's local
// delivery now and IMAP later (docs/mailbox.md).
//
// Ownership: the Context owns its MailStore (reach it with mail_store(Context&)); there
// is no global state. The MailStore keeps a pointer to the Context's LmdbEnv.
//
// Threading: every method may be called from any thread. Deliveries are committed in
// batches (group commit) by two threads: a preparer places and syncs a batch's bodies
// while a committer commits the batches prepared before it in one LMDB transaction.
// deliver() returns at once and its callback runs on the committer thread after that
// commit; the caller posts it
// back to its own loop. Everything else runs its own transaction on the calling thread
// and blocks for it (LMDB writes are serialised; a commit syncs the disk): do not call
// those from an event loop that must not block.
//
// Durability: a delivery is reported delivered only after its body file was moved into
// place and fsynced, the shard directory fsynced, and the LMDB transaction referencing it
// committed (synced). A crash at any point loses no delivered message and leaks no file.
#ifndef MF_MAILBOX_MAIL_STORE_H
#define MF_MAILBOX_MAIL_STORE_H

#include <mailfountain/backup.h>
#include <mailfountain/status.h>

#include "mailbox/body_files.h"
#include "mailbox/records.h"
#include "mailbox/structure.h"
#include "store/lmdb_env.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mf {
class Context;
}

namespace mf::mailbox {

// How a delivery meets the account's quota (mailbox/quota_rules.h).
enum class QuotaMode {
  kEnforce,         // refused when it does not fit (IMAP APPEND, DSNs)
  kEnforceAndWarn,  // the same, and may send the 90 % warning (SMTP delivery)
  kExempt,          // stored even over the limit, counted in the usage (the warning itself)
};

// One recipient of a delivered or appended message.
struct Delivery {
  std::string account;           // canonical account address (resolved by the caller)
  std::string folder = "INBOX";  // UTF-8 name; "INBOX" in any case is the inbox
  std::string prefix;            // header lines for this recipient only, CRLF-terminated
  uint32_t flags = 0;            // Flag bits set initially
  std::vector<std::string> keywords;
  std::optional<int64_t> internal_date;  // default: the commit's time
  QuotaMode quota = QuotaMode::kEnforce;
};

// The account's usage reached 90 % of its limit with this delivery (quota_warning_step):
// the caller sends the warning. The store has already recorded it as sent.
struct QuotaWarning {
  uint64_t usage_bytes = 0;  // after the delivery
  uint64_t limit_bytes = 0;
};

// Where a message went.
struct Delivered {
  std::string account;
  std::string folder;
  uint32_t uidvalidity = 0;
  uint32_t uid = 0;
  uint64_t modseq = 0;
  std::optional<QuotaWarning> quota_warning;  // only with QuotaMode::kEnforceAndWarn
};

// Per-delivery outcome: Delivered, or the refusal: kResourceExhausted ("mailbox full")
// over quota; kNotFound when the account or folder does not exist; kFailedPrecondition
// when the account is disabled; kIOError (temporary) when the store failed.
using DeliveryOutcome = Result<Delivered>;
// Called once per deliver() with one outcome per Delivery, in the same order.
using DeliverDone = std::function<void(std::vector<DeliveryOutcome>)>;
// More work in the same LMDB transaction as a delivery, given the id of the message's
// body, whose mail_bodies record exists when it runs (with one reference per local copy,
// possibly none): the SMTP server queues the message's outbound recipients here, taking
// the body's reference in that step (queue::enqueue), so that one commit delivers locally
// and queues before 250 is answered. It runs on the committer thread, may run more than
// once for one commit (LMDB map growth: it must recompute what it reports), and an error
// it returns fails the whole batch's commit: return only store failures.
using InCommit = std::function<Status(store::Txn&, uint64_t body_id)>;
// The same, also given the outcomes of the request's local copies as this run of the
// transaction decided them (one per Delivery, in order): the SMTP server queues the DSN
// of the copies refused (mailbox full) in the same commit.
using InCommitAfter = std::function<Status(store::Txn&, uint64_t body_id,
                                           const std::vector<DeliveryOutcome>& outcomes)>;
// Called once per deliver() with in_commit: whether the message's transaction committed
// (an error: its body could not be stored, or the commit failed; then nothing
// `in_commit` did remains), and the per-delivery outcomes.
using CommitDone = std::function<void(Status committed, std::vector<DeliveryOutcome>)>;

struct FolderStatus {
  std::string name;
  SpecialUse special_use = SpecialUse::kNone;
  uint32_t uidvalidity = 0, uidnext = 0;
  uint64_t highest_modseq = 0;
  uint32_t messages = 0, unseen = 0;
};

struct MessageInfo {
  uint32_t uid = 0;
  uint32_t flags = 0;
  std::vector<std::string> keywords;
  uint64_t size = 0;  // prefix + body: what IMAP's RFC822.SIZE reports
  int64_t internal_date = 0;
  uint64_t modseq = 0;
  uint64_t prefix_size = 0;  // of the per-delivery prefix (MessageReader::prefix_size())
};

// What copy_messages and move_messages did (UIDPLUS, RFC 4315 COPYUID).
struct CopyResult {
  uint32_t uidvalidity = 0;                         // the target folder's
  std::vector<std::pair<uint32_t, uint32_t>> uids;  // (source UID, new UID), source order
  uint64_t modseq = 0;                              // of the copies; 0 when none
};

// A message's bytes: the per-delivery prefix then the body file. Holds the body file
// open, so the bytes stay readable even if the message is expunged meanwhile. Move-only.
class MessageReader {
 public:
  MessageReader(std::string prefix, int fd, uint64_t body_size);
  MessageReader(MessageReader&& other) noexcept;
  MessageReader& operator=(MessageReader&&) = delete;
  MessageReader(const MessageReader&) = delete;
  ~MessageReader();

  uint64_t size() const { return prefix_.size() + body_size_; }
  size_t prefix_size() const { return prefix_.size(); }
  // Appends up to `length` bytes starting at `offset` (of prefix + body) to *out; fewer
  // only at the end of the message. Reads only that range from the file.
  Status read(uint64_t offset, uint64_t length, std::string* out) const;
  Result<std::string> read_all() const;

 private:
  std::string prefix_;
  int fd_;
  uint64_t body_size_;
};

// How set_flags changes the flags and keywords of each message.
enum class FlagOp { kAdd, kRemove, kReplace };

// What changed, for change notifications.
struct Change {
  enum class Kind { kAppended, kFlags, kExpunged, kFolders };
  std::string account;
  std::string folder;  // empty for kFolders
  Kind kind = Kind::kAppended;
  uint64_t highest_modseq = 0;
};
using ChangeCallback = std::function<void(const Change&)>;

// Unsubscribes when destroyed; after the destructor returns the callback is not running
// and will not run again. Do not destroy it from inside its own callback.
class Subscription {
 public:
  Subscription() = default;
  Subscription(Subscription&&) noexcept = default;
  Subscription& operator=(Subscription&& other) noexcept;  // unsubscribes the old one
  ~Subscription();
  struct State;

 private:
  friend class MailStore;
  explicit Subscription(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

enum class Durability {
  kSync,   // fsync body files and directories (the default; what the contract promises)
  kNoSync  // tests and benchmarks of the rest only: a crash may lose delivered mail
};

struct MailStoreOptions {
  Durability durability = Durability::kSync;
  // Deliveries in one commit at most (the rest wait for the next batch).
  size_t max_batch = 1024;
  // The committer sweeps the garbage list at least this often when idle (bodies released
  // by account removal, which happens outside the MailStore).
  std::chrono::milliseconds sweep_interval{std::chrono::seconds(60)};
};

struct MailStoreStats {
  uint64_t commits = 0;          // LMDB write transactions of the committer
  uint64_t batches = 0;          // batches prepared (a commit holds one or more)
  uint64_t requests = 0;         // deliver() calls committed
  uint64_t deliveries = 0;       // messages stored (per account)
  uint64_t bodies_stored = 0;    // body files committed
  uint64_t bodies_deleted = 0;   // body files swept
  uint64_t orphans_removed = 0;  // at open
  uint64_t sweeps_deferred = 0;  // sweeps skipped because a backup was copying bodies
};

class MailStore {
 public:
  // Opens the store over `env` (not owned; must outlive the MailStore) with bodies under
  // `data_dir`/messages: removes orphans, starts the committer (which sweeps pending
  // garbage first).
  static Result<std::unique_ptr<MailStore>> open(store::LmdbEnv* env, const std::string& data_dir,
                                                 MailStoreOptions options = {});
  // Commits every delivery already queued (their callbacks run), then stops.
  ~MailStore();
  MailStore(const MailStore&) = delete;
  MailStore& operator=(const MailStore&) = delete;

  // Whether this process stores messages. The first MailStore opened on a data directory
  // owns deliveries (an exclusive lock on messages/owner.lock, held until it closes);
  // others opened meanwhile — mfctl while the daemon runs — are guests: begin_body(),
  // deliver() and append() fail there with kFailedPrecondition, everything else works.
  bool owns_deliveries() const;

  // ---- Delivery ----

  // A new body file to write a message into.
  Result<BodyWriter> begin_body();
  // Queues `body` for every delivery in `deliveries` and returns at once. The body is
  // stored once whatever the number of accounts; a repeated account (same account and
  // folder) collapses into its first occurrence, whose outcome it shares. `done` is
  // called on the committer thread (always exactly once, also on failure); it must not
  // call append() (which would wait for the committer it runs on) and should be short.
  void deliver(StagedBody body, std::vector<Delivery> deliveries, DeliverDone done);
  // The same, with `in_commit` run in the delivery's transaction after the local copies
  // (see InCommit); `deliveries` may then be empty. A body that neither a local copy nor
  // `in_commit` took a reference on is deleted.
  void deliver(StagedBody body, std::vector<Delivery> deliveries, InCommit in_commit,
               CommitDone done);
  void deliver(StagedBody body, std::vector<Delivery> deliveries, InCommitAfter in_commit,
               CommitDone done);
  // The same, waiting for the outcome (IMAP APPEND, saving to Sent). Blocks.
  DeliveryOutcome append(StagedBody body, Delivery delivery);
  // Convenience for small messages held in memory.
  DeliveryOutcome append_bytes(std::string_view message, Delivery delivery);

  // ---- Folders ----

  Result<std::vector<FolderStatus>> list_folders(std::string_view account);
  Result<FolderStatus> folder_status(std::string_view account, std::string_view folder);
  Status create_folder(std::string_view account, std::string_view folder);
  // Renames a folder and its inferiors ("a" → "b" also moves "a/x" to "b/x"); UIDs and
  // UIDVALIDITY are kept. INBOX is special (RFC 9051 §6.3.6): a new folder `to` receives
  // all of INBOX's messages (new UIDs, as a move) and INBOX stays, empty, with its inferiors.
  Status rename_folder(std::string_view account, std::string_view from, std::string_view to);
  // Deletes a folder and its messages (inferiors stay). INBOX cannot be deleted.
  // Its subscription is kept (RFC 9051 §6.3.7). rename_folder moves the subscriptions of
  // the folder and its inferiors, except when renaming INBOX (subscriptions.h).
  Status delete_folder(std::string_view account, std::string_view folder);

  // ---- Subscriptions (IMAP SUBSCRIBE, UNSUBSCRIBE, LSUB, LIST (SUBSCRIBED)) ----

  // Subscribes `account` to `folder` (normalised: kInvalidArgument for a bad name), which
  // need not exist; subscribing twice is OK. kNotFound when the account has no mailbox.
  // Notifies a kFolders change when the subscription is new.
  Status subscribe_folder(std::string_view account, std::string_view folder);
  // Removes a subscription; OK also when there was none (as Dovecot answers UNSUBSCRIBE).
  // kInvalidArgument for a bad name. Notifies a kFolders change when one was removed.
  Status unsubscribe_folder(std::string_view account, std::string_view folder);
  // The stored names `account` is subscribed to, in name (byte) order, including names
  // of folders that do not exist (LIST (SUBSCRIBED) marks those \NonExistent, RFC 5258).
  Result<std::vector<std::string>> subscriptions(std::string_view account);

  // ---- Messages ----

  // Messages with min_uid <= uid <= max_uid, in UID order.
  Result<std::vector<MessageInfo>> list_messages(std::string_view account, std::string_view folder,
                                                 uint32_t min_uid = 1,
                                                 uint32_t max_uid = UINT32_MAX);
  // Messages whose modseq is above `modseq` (CONDSTORE CHANGEDSINCE), in modseq order;
  // a range scan of the modseq index.
  Result<std::vector<MessageInfo>> changed_since(std::string_view account, std::string_view folder,
                                                 uint64_t modseq);
  // UIDs expunged with a modseq above `modseq` (QRESYNC VANISHED), ascending.
  Result<std::vector<uint32_t>> expunged_since(std::string_view account, std::string_view folder,
                                               uint64_t modseq);
  Result<MessageReader> open_message(std::string_view account, std::string_view folder,
                                     uint32_t uid);
  // A stored body by its id, without any prefix (the outbound queue's messages hold a
  // reference on theirs). kNotFound when it has no record or its file is gone.
  Result<MessageReader> open_body(uint64_t body_id);
  // The cached structure; offsets are into the body (add the reader's prefix_size()).
  // kNotFound when the body has none cached (it could not be parsed within the limits).
  Result<BodyStructure> structure(std::string_view account, std::string_view folder, uint32_t uid);
  // Changes flags and keywords of the messages `uids` that exist (others are skipped).
  // One new modseq for the whole operation, given to each message that actually
  // changed; returns it (0 when nothing changed).
  Result<uint64_t> set_flags(std::string_view account, std::string_view folder,
                             const std::vector<uint32_t>& uids, FlagOp op, uint32_t flags,
                             const std::vector<std::string>& keywords = {});
  // Removes the messages flagged \Deleted, records their UIDs as expunged with one new
  // modseq, releases bodies and lowers quota usage. Returns the expunged UIDs. With
  // `only` (sorted ascending: IMAP's UID EXPUNGE), only those of its UIDs.
  Result<std::vector<uint32_t>> expunge(std::string_view account, std::string_view folder,
                                        const std::vector<uint32_t>* only = nullptr);
  // Removes the messages `uids` (sorted ascending) that exist, flagged \Deleted or not, as
  // expunge() does (one modseq, one kExpunged change): POP3's UPDATE state. Returns the
  // UIDs removed.
  Result<std::vector<uint32_t>> remove_messages(std::string_view account, std::string_view folder,
                                                const std::vector<uint32_t>& uids);

  // COPY and MOVE (RFC 9051 §6.4.7, RFC 6851): the messages `uids` of `from` that exist,
  // in UID order, get new UIDs in `to` (one new modseq for all of them), keeping flags,
  // keywords, internal date and per-delivery prefix; each copy shares its body. One
  // transaction: all or nothing. A copy counts against the quota (kResourceExhausted
  // "mailbox full", nothing copied); a move does not change the usage, and removes the
  // originals in the same transaction, recorded as expunged in `from` with one new modseq
  // (QRESYNC's VANISHED). kNotFound for a missing folder; kInvalidArgument to move a
  // folder's messages into itself; kResourceExhausted when `to` has no UIDs left.
  // Returns to's UIDVALIDITY and the (source UID, new UID) pairs, for COPYUID.
  Result<CopyResult> copy_messages(std::string_view account, std::string_view from,
                                   const std::vector<uint32_t>& uids, std::string_view to);
  Result<CopyResult> move_messages(std::string_view account, std::string_view from,
                                   const std::vector<uint32_t>& uids, std::string_view to);

  Result<QuotaUsage> quota_usage(std::string_view account);
  // The account's storage limit in octets (its own, or its domain's default; nullopt:
  // unlimited), as deliveries enforce it. kNotFound when it is not an account.
  Result<std::optional<uint64_t>> quota_limit(std::string_view account);

  // ---- Notifications ----

  // `callback` runs after every commit that touches `account`, on the committing thread.
  Subscription subscribe(std::string_view account, ChangeCallback callback);

  // ---- Maintenance ----

  // Deletes the files of bodies on the garbage list, then their entries. While a backup
  // holds off body deletion (backup_files.h) it deletes nothing, counts a deferred sweep
  // and returns OK: the list is swept at the next turn (after a batch, or when idle).
  Status sweep_garbage();
  // Copies the data directory into `dest` (mailfountain/backup.h, backup_data_dir()).
  // Works on guests too: it only reads the store and the body files.
  Result<BackupReport> backup(const std::string& dest);
  MailStoreStats stats() const;
  const BodyFiles& files() const;

  struct Impl;

 private:
  explicit MailStore(std::unique_ptr<Impl> impl);
  // expunge() and remove_messages(): removes the messages for which `removed` is true.
  Result<std::vector<uint32_t>> remove_where(
      std::string_view account, std::string_view folder,
      const std::function<bool(uint32_t uid, uint32_t flags)>& removed);
  std::unique_ptr<Impl> impl_;
};

// The MailStore of a Context made by Context::open (every Context is one). Lives as long
// as the Context.
MailStore& mail_store(Context& context);

}  // namespace mf::mailbox

#endif  // MF_MAILBOX_MAIL_STORE_H
