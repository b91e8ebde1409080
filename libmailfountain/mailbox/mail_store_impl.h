// mailbox/mail_store_impl.h — the inside of MailStore, shared by mail_store.cpp (open,
// the committer and delivery), mail_store_messages.cpp (reading, flags, expunge,
// folders) and mail_store_notify.cpp (subscriptions).
#ifndef MF_MAILBOX_MAIL_STORE_IMPL_H
#define MF_MAILBOX_MAIL_STORE_IMPL_H

#include "mailbox/mail_store.h"
#include "mailbox/sync_pool.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace mf::mailbox {

struct Subscription::State {
  std::weak_ptr<struct Registry> registry;
  std::string account;
  ChangeCallback callback;
  std::mutex mu;  // held while the callback runs
  bool active = true;
};

struct Registry {
  std::mutex mu;
  std::vector<std::shared_ptr<Subscription::State>> subscribers;
};

// What the committer knows of one body of a batch before its transaction.
struct PreparedBody {
  Status error;
  uint64_t body_id = 0;  // 0: not placed (or removed after a failure)
  uint64_t size = 0;
  std::string structure;
};

struct MailStore::Impl {
  // Bodies synced at once per batch, besides the committer itself (see sync_pool.h).
  static constexpr size_t kSyncThreads = 8;

  Impl(store::LmdbEnv* e, std::string root, MailStoreOptions o)
      : env(e),
        files(std::move(root)),
        options(std::move(o)),
        registry(std::make_shared<Registry>()) {}

  struct Request {
    StagedBody body;
    std::vector<Delivery> deliveries;
    CommitDone done;
    InCommitAfter in_commit;  // may be empty
  };

  store::LmdbEnv* env;
  BodyFiles files;
  int lock_fd = -1;    // messages/owner.lock, flock'ed exclusively by the owner
  bool owner = false;  // this process stores messages (see MailStore::open)
  MailStoreOptions options;

  // A batch between the two stages of the group commit.
  struct PreparedBatch {
    std::vector<Request> requests;
    std::vector<PreparedBody> bodies;  // one per request, in order
  };

  std::mutex mu;
  std::condition_variable cv;                // the preparer waits for requests
  std::condition_variable commit_cv;         // the committer waits for prepared batches
  std::deque<Request> queue;                 // guarded by mu
  std::deque<PreparedBatch> prepared_queue;  // guarded by mu
  bool stopping = false;                     // guarded by mu
  bool preparer_done = false;                // guarded by mu
  bool sweep_requested = false;              // guarded by mu
  std::thread preparer;
  std::thread committer;
  uint64_t next_body_id = 1;      // preparer thread only
  SyncPool syncer{kSyncThreads};  // used by the preparer

  std::mutex sweep_mu;  // one sweep at a time
  std::atomic<bool> garbage_pending{true};

  std::shared_ptr<Registry> registry;

  struct Counters {
    std::atomic<uint64_t> commits{0}, batches{0}, requests{0}, deliveries{0}, bodies_stored{0},
        bodies_deleted{0}, orphans_removed{0}, sweeps_deferred{0};
  } counters;

  void run_preparer();
  void run_committer();
  // Stage 1: structure, body ids, places and syncs (sets work.bodies).
  void prepare_batch(PreparedBatch& work);
  // Stage 2: one LMDB transaction for the batch, then the callbacks and notifications.
  void commit_batch(PreparedBatch& work);
  // Syncs the placed bodies of a batch and the directories that gained entries; a body
  // whose file or directory could not be synced gets its error and loses its file.
  void sync_bodies(std::vector<Request>& batch, std::vector<PreparedBody>& prepared,
                   const std::set<std::string>& dirs, bool root_dirty);
  Status sweep();
  // Wakes the committer to sweep the garbage list (after an expunge or a folder removal).
  void request_sweep();
  void notify(const std::vector<Change>& changes);
};

// Whether mail may be stored for `account`: *refusal is set to kNotFound when it is not an
// account, kFailedPrecondition when it is disabled; otherwise *limit is its quota limit
// (nullopt: unlimited). The returned Status is a store failure, not a refusal.
// RENAME INBOX (RFC 9051 §6.3.6): a new folder `to` (normalised, must not exist) receives
// every message of INBOX, which stays, empty, with its inferiors; one transaction.
Status rename_inbox(MailStore::Impl& impl, std::string_view account, const std::string& to);

Status check_account(store::Txn& txn, std::string_view account, std::optional<uint64_t>* limit,
                     Status* refusal);

}  // namespace mf::mailbox

#endif  // MF_MAILBOX_MAIL_STORE_IMPL_H
