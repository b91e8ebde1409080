// mailbox/mail_store_impl.h — the inside of MailStore, shared by mail_store.cpp (open,
// the committer and delivery), mail_store_messages.cpp (reading, flags, expunge,
// folders) and mail_store_notify.cpp (subscriptions).
#ifndef MF_MAILBOX_MAIL_STORE_IMPL_H
#define MF_MAILBOX_MAIL_STORE_IMPL_H

#include "mailbox/mail_store.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
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

struct MailStore::Impl {
  Impl(store::LmdbEnv* e, std::string root, MailStoreOptions o)
      : env(e),
        files(std::move(root)),
        options(std::move(o)),
        registry(std::make_shared<Registry>()) {}

  struct Request {
    StagedBody body;
    std::vector<Delivery> deliveries;
    DeliverDone done;
  };

  store::LmdbEnv* env;
  BodyFiles files;
  int lock_fd = -1;    // messages/owner.lock, flock'ed exclusively by the owner
  bool owner = false;  // this process stores messages (see MailStore::open)
  MailStoreOptions options;

  std::mutex mu;
  std::condition_variable cv;
  std::deque<Request> queue;     // guarded by mu
  bool stopping = false;         // guarded by mu
  bool sweep_requested = false;  // guarded by mu
  std::thread committer;
  uint64_t next_body_id = 1;  // committer thread only

  std::mutex sweep_mu;  // one sweep at a time
  std::atomic<bool> garbage_pending{true};

  std::shared_ptr<Registry> registry;

  struct Counters {
    std::atomic<uint64_t> commits{0}, batches{0}, requests{0}, deliveries{0}, bodies_stored{0},
        bodies_deleted{0}, orphans_removed{0};
  } counters;

  void run_committer();
  void commit_batch(std::vector<Request>& batch);
  Status sweep();
  // Wakes the committer to sweep the garbage list (after an expunge or a folder removal).
  void request_sweep();
  void notify(const std::vector<Change>& changes);
};

// Whether mail may be stored for `account`: *refusal is set to kNotFound when it is not an
// account, kFailedPrecondition when it is disabled; otherwise *limit is its quota limit
// (nullopt: unlimited). The returned Status is a store failure, not a refusal.
Status check_account(store::Txn& txn, std::string_view account, std::optional<uint64_t>* limit,
                     Status* refusal);

}  // namespace mf::mailbox

#endif  // MF_MAILBOX_MAIL_STORE_IMPL_H
