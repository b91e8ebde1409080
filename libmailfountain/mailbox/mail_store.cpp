// mailbox/mail_store.cpp — opening the mailbox store, the committer thread (group commit
// of deliveries) and the garbage sweep. Reading and changing messages and folders are in
// mail_store_messages.cpp; subscriptions in mail_store_notify.cpp.
#include "mailbox/mail_store_impl.h"

#include "base/codec.h"
#include "mailbox/backup_files.h"
#include "mailbox/folders.h"
#include "mailbox/quota_rules.h"
#include "mime/message.h"
#include "model/directory_impl.h"
#include "model/records.h"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <future>
#include <set>

namespace mf::mailbox {

using store::Table;
using store::Txn;

namespace {

// Parses the staged body through a read-only mapping (the file is never read into the
// heap whole) and returns its encoded structure, or "" when it has none within the MIME
// limits (IMAP then parses the file itself).
std::string structure_of(const StagedBody& body) {
  if (body.size() == 0) {
    auto empty = mime::parse_message(std::string_view());
    return empty.is_ok() ? encode_structure(make_structure(*empty)) : std::string();
  }
  void* map = ::mmap(nullptr, body.size(), PROT_READ, MAP_PRIVATE, body.fd(), 0);
  if (map == MAP_FAILED) return {};
  std::string out;
  auto msg = mime::parse_message(std::string_view(static_cast<const char*>(map), body.size()));
  if (msg.is_ok()) out = encode_structure(make_structure(*msg));
  ::munmap(map, body.size());
  return out;
}

// Stores one message for one delivery inside the batch's transaction. A refusal (quota,
// unknown or disabled account, unknown folder) goes to *out and writes nothing; the
// returned Status is a store failure that aborts the whole transaction.
Status deliver_one(Txn& txn, const Delivery& d, uint64_t body_id, uint64_t body_size,
                   DeliveryOutcome* out, Change* change) {
  std::optional<uint64_t> limit;
  Status refusal;
  MF_RETURN_IF_ERROR(check_account(txn, d.account, &limit, &refusal));
  if (!refusal.is_ok()) {
    *out = refusal;
    return Status::ok();
  }
  auto name = normalize_folder_name(d.folder);
  if (!name.is_ok()) {
    *out = name.status();
    return Status::ok();
  }
  MF_ASSIGN_OR_RETURN(auto folder, load_folder(txn, d.account, *name));
  if (!folder) {
    *out = not_found(fmt::format("{} has no folder '{}'", d.account, *name));
    return Status::ok();
  }
  uint64_t size = d.prefix.size() + body_size;
  MF_ASSIGN_OR_RETURN(QuotaUsage usage, load_usage(txn, d.account));
  if (d.quota != QuotaMode::kExempt && !fits_quota(usage.bytes, size, limit)) {
    *out = resource_exhausted(
        fmt::format("mailbox full: {} uses {} of its {} bytes; this message needs {}", d.account,
                    usage.bytes, *limit, size));
    return Status::ok();
  }
  if (folder->uidnext == UINT32_MAX) {
    *out =
        resource_exhausted(fmt::format("folder '{}' of {} has used up its UIDs", *name, d.account));
    return Status::ok();
  }
  MessageRecord m;
  m.body_id = body_id;
  m.prefix = d.prefix;
  m.flags = d.flags & kAllFlags;
  m.keywords = d.keywords;
  std::sort(m.keywords.begin(), m.keywords.end());
  m.keywords.erase(std::unique(m.keywords.begin(), m.keywords.end()), m.keywords.end());
  m.internal_date = d.internal_date.value_or(txn.now());
  m.size = size;
  m.modseq = folder->highest_modseq + 1;
  uint32_t uid = folder->uidnext;
  MF_RETURN_IF_ERROR(txn.put(Table::kMailMessages, message_key(folder->id, uid), encode(m)));
  MF_RETURN_IF_ERROR(txn.put(Table::kMailModseq, modseq_key(folder->id, m.modseq, uid), ""));
  folder->uidnext = uid + 1;
  folder->highest_modseq = m.modseq;
  folder->messages += 1;
  if (!(m.flags & kSeen)) folder->unseen += 1;
  MF_RETURN_IF_ERROR(store_folder(txn, d.account, *name, *folder));
  const uint64_t before = usage.bytes;
  usage.bytes += size;
  usage.messages += 1;
  QuotaWarningStep warning = quota_warning_step(before, usage.bytes, limit, usage.warned,
                                                d.quota == QuotaMode::kEnforceAndWarn);
  usage.warned = warning.warned;
  MF_RETURN_IF_ERROR(store_usage(txn, d.account, usage));
  Delivered delivered{d.account, *name, folder->uidvalidity, uid, m.modseq, std::nullopt};
  if (warning.send) delivered.quota_warning = QuotaWarning{usage.bytes, *limit};
  *out = std::move(delivered);
  *change = Change{d.account, *name, Change::Kind::kAppended, m.modseq};
  return Status::ok();
}

}  // namespace

Status check_account(Txn& txn, std::string_view account, std::optional<uint64_t>* limit,
                     Status* refusal) {
  MF_ASSIGN_OR_RETURN(auto raw, txn.get(Table::kAddresses, address_table_key(account)));
  AddressRecord rec;
  if (raw) MF_RETURN_IF_ERROR(decode(*raw, &rec));
  if (!raw || rec.kind != AddressKind::kAccount) {
    *refusal = not_found(fmt::format("{} is not an account", account));
    return Status::ok();
  }
  if (rec.account.state != AccountState::kEnabled) {
    *refusal = failed_precondition(fmt::format("account {} is disabled", account));
    return Status::ok();
  }
  MF_ASSIGN_OR_RETURN(QuotaInfo quota, effective_quota(txn, account, rec.account));
  *limit = quota.limit_bytes;
  return Status::ok();
}

// ---- Opening and closing ----

MailStore::MailStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<MailStore>> MailStore::open(store::LmdbEnv* env, const std::string& data_dir,
                                                   MailStoreOptions options) {
  auto impl = std::make_unique<Impl>(env, data_dir + "/messages", std::move(options));
  // One process at a time owns deliveries: body ids are allocated in its memory, and the
  // orphans it removes at open are files another owner could be placing right now. The
  // daemon is that owner; mfctl and other tools opening the same data directory meanwhile
  // are guests: they read and change metadata, but store no message.
  const std::string& root = impl->files.root();
  if (::mkdir(root.c_str(), 0700) != 0 && errno != EEXIST)
    return io_error(fmt::format("cannot create {}: {}", root, std::strerror(errno)));
  const std::string lock_path = root + "/owner.lock";
  impl->lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (impl->lock_fd < 0)
    return io_error(fmt::format("cannot open {}: {}", lock_path, std::strerror(errno)));
  if (::flock(impl->lock_fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK)
      return io_error(fmt::format("cannot lock {}: {}", lock_path, std::strerror(errno)));
    impl->owner = false;
    return std::unique_ptr<MailStore>(new MailStore(std::move(impl)));
  }
  impl->owner = true;
  uint64_t high_water = 0;
  MF_RETURN_IF_ERROR(env->read([&](Txn& txn) -> Status {
    MF_ASSIGN_OR_RETURN(high_water, load_counter(txn, kBodyHighWaterKey));
    return Status::ok();
  }));
  MF_ASSIGN_OR_RETURN(uint64_t orphans, impl->files.prepare(high_water));
  impl->counters.orphans_removed = orphans;
  impl->next_body_id = high_water + 1;
  Impl* raw = impl.get();
  impl->preparer = std::thread([raw] { raw->run_preparer(); });
  impl->committer = std::thread([raw] { raw->run_committer(); });
  return std::unique_ptr<MailStore>(new MailStore(std::move(impl)));
}

MailStore::~MailStore() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  // The preparer hands on what was asked for, then the committer commits it all.
  if (impl_->preparer.joinable()) impl_->preparer.join();
  impl_->commit_cv.notify_all();
  if (impl_->committer.joinable()) impl_->committer.join();
  if (impl_->lock_fd >= 0) ::close(impl_->lock_fd);
}

bool MailStore::owns_deliveries() const {
  return impl_->owner;
}

namespace {

Status not_owner(const BodyFiles& files) {
  return failed_precondition(fmt::format(
      "another process (mailfountaind) owns deliveries to {}: messages can be stored only "
      "through it",
      files.root()));
}

}  // namespace

const BodyFiles& MailStore::files() const {
  return impl_->files;
}

MailStoreStats MailStore::stats() const {
  const auto& c = impl_->counters;
  MailStoreStats s;
  s.commits = c.commits.load();
  s.batches = c.batches.load();
  s.requests = c.requests.load();
  s.deliveries = c.deliveries.load();
  s.bodies_stored = c.bodies_stored.load();
  s.bodies_deleted = c.bodies_deleted.load();
  s.orphans_removed = c.orphans_removed.load();
  s.sweeps_deferred = c.sweeps_deferred.load();
  return s;
}

// ---- Delivery ----

Result<BodyWriter> MailStore::begin_body() {
  if (!impl_->owner) return not_owner(impl_->files);
  return impl_->files.begin();
}

void MailStore::deliver(StagedBody body, std::vector<Delivery> deliveries, DeliverDone done) {
  deliver(std::move(body), std::move(deliveries), InCommit(),
          [done = std::move(done)](Status, std::vector<DeliveryOutcome> outcomes) {
            done(std::move(outcomes));
          });
}

void MailStore::deliver(StagedBody body, std::vector<Delivery> deliveries, InCommit in_commit,
                        CommitDone done) {
  InCommitAfter after;
  if (in_commit)
    after = [in_commit = std::move(in_commit)](Txn& txn, uint64_t body_id,
                                               const std::vector<DeliveryOutcome>&) {
      return in_commit(txn, body_id);
    };
  deliver(std::move(body), std::move(deliveries), std::move(after), std::move(done));
}

void MailStore::deliver(StagedBody body, std::vector<Delivery> deliveries, InCommitAfter in_commit,
                        CommitDone done) {
  if (!impl_->owner) {
    Status refusal = not_owner(impl_->files);
    std::vector<DeliveryOutcome> refused(deliveries.size(), DeliveryOutcome(refusal));
    done(refusal, std::move(refused));
    return;
  }
  {
    std::lock_guard lock(impl_->mu);
    impl_->queue.push_back(Impl::Request{std::move(body), std::move(deliveries), std::move(done),
                                         std::move(in_commit)});
  }
  impl_->cv.notify_one();
}

DeliveryOutcome MailStore::append(StagedBody body, Delivery delivery) {
  std::promise<DeliveryOutcome> promise;
  auto future = promise.get_future();
  std::vector<Delivery> one;
  one.push_back(std::move(delivery));
  deliver(std::move(body), std::move(one), [&promise](std::vector<DeliveryOutcome> outcomes) {
    promise.set_value(std::move(outcomes.at(0)));
  });
  return future.get();
}

DeliveryOutcome MailStore::append_bytes(std::string_view message, Delivery delivery) {
  MF_ASSIGN_OR_RETURN(BodyWriter writer, begin_body());
  MF_RETURN_IF_ERROR(writer.append(message));
  MF_ASSIGN_OR_RETURN(StagedBody body, writer.finish());
  return append(std::move(body), std::move(delivery));
}

// The first stage of the group commit: batches of requests are parsed, placed and synced
// here while the committer runs the previous batch's LMDB transaction, so the disk
// flushes of the two stages overlap instead of adding up.
void MailStore::Impl::run_preparer() {
  for (;;) {
    std::vector<Request> batch;
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return stopping || !queue.empty(); });
      if (queue.empty()) {  // stopping, and everything asked for was handed on
        preparer_done = true;
        commit_cv.notify_all();
        return;
      }
      size_t deliveries = 0;
      while (!queue.empty() && (batch.empty() || deliveries < options.max_batch)) {
        deliveries += std::max<size_t>(1, queue.front().deliveries.size());
        batch.push_back(std::move(queue.front()));
        queue.pop_front();
      }
    }
    PreparedBatch ready{std::move(batch), {}};
    prepare_batch(ready);
    {
      std::lock_guard lock(mu);
      prepared_queue.push_back(std::move(ready));
    }
    commit_cv.notify_all();
  }
}

// The second stage: every batch prepared so far goes into one LMDB transaction.
void MailStore::Impl::run_committer() {
  (void)sweep();
  for (;;) {
    PreparedBatch work;
    {
      std::unique_lock lock(mu);
      commit_cv.wait_for(lock, options.sweep_interval, [&] {
        return preparer_done || sweep_requested || !prepared_queue.empty();
      });
      sweep_requested = false;
      if (prepared_queue.empty()) {
        if (preparer_done) return;
        lock.unlock();
        (void)sweep();  // idle: bodies released by account removal
        continue;
      }
      while (!prepared_queue.empty()) {
        PreparedBatch& next = prepared_queue.front();
        for (auto& r : next.requests) work.requests.push_back(std::move(r));
        for (auto& p : next.bodies) work.bodies.push_back(std::move(p));
        prepared_queue.pop_front();
      }
    }
    commit_batch(work);
    if (garbage_pending.load()) (void)sweep();
  }
}

void MailStore::Impl::sync_bodies(std::vector<Request>& batch, std::vector<PreparedBody>& prepared,
                                  const std::set<std::string>& dirs, bool root_dirty) {
  std::vector<SyncPool::Item> items;
  std::vector<size_t> owner;  // index in batch of each body item
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!prepared[i].body_id) continue;
    items.push_back({batch[i].body.fd(), true});
    owner.push_back(i);
  }
  std::vector<std::string> dir_paths(dirs.begin(), dirs.end());
  if (root_dirty) dir_paths.push_back(files.root());
  Status dirs_synced;
  std::vector<int> dir_fds;
  for (const auto& dir : dir_paths) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      dirs_synced = io_error(fmt::format("cannot open {}: {}", dir, std::strerror(errno)));
      continue;
    }
    dir_fds.push_back(fd);
    items.push_back({fd, false});
  }
  syncer.sync_all(items);
  for (size_t k = owner.size(); k < items.size(); ++k) {
    if (items[k].error && dirs_synced.is_ok()) {
      dirs_synced = io_error(
          fmt::format("cannot sync a message directory: {}", std::strerror(items[k].error)));
    }
  }
  for (int fd : dir_fds) ::close(fd);
  // A body that is not durable is not delivered: its file goes now, since it may be
  // below the high-water mark the rest of the batch sets.
  for (size_t k = 0; k < owner.size(); ++k) {
    PreparedBody& p = prepared[owner[k]];
    if (items[k].error) {
      p.error =
          io_error(fmt::format("cannot sync message body: {}", std::strerror(items[k].error)));
    } else if (!dirs_synced.is_ok()) {
      p.error = dirs_synced;
    }
    if (!p.error.is_ok()) {
      (void)files.remove(p.body_id);
      p.body_id = 0;
    }
  }
}

void MailStore::Impl::prepare_batch(PreparedBatch& work) {
  const bool sync = options.durability == Durability::kSync;
  counters.batches.fetch_add(1);
  std::vector<Request>& batch = work.requests;
  // 1. Each body: its structure, a body id, and its place in a shard. Moving it before it
  // is synced is safe: until the commit below refers to it, a body is above the committed
  // high-water mark, an orphan that a failed commit or the next open deletes.
  std::vector<PreparedBody> prepared(batch.size());
  std::set<std::string> dirty_dirs;
  bool root_dirty = false;
  for (size_t i = 0; i < batch.size(); ++i) {
    Request& req = batch[i];
    PreparedBody& p = prepared[i];
    if (!req.body.valid()) {
      p.error = invalid_argument("no message body to deliver");
      continue;
    }
    p.size = req.body.size();
    p.structure = structure_of(req.body);
    uint64_t id = next_body_id++;
    bool new_shard = false;
    p.error = files.place(req.body, id, &new_shard);
    if (!p.error.is_ok()) continue;
    p.body_id = id;
    dirty_dirs.insert(files.shard_dir(id));
    root_dirty |= new_shard;
  }
  // 2. Durability, in one wave: every body's data and every directory that gained an
  // entry (the shards, and the root when a shard was created) synced concurrently, so the
  // batch costs about one disk flush rather than one per body (see sync_pool.h).
  if (sync) sync_bodies(batch, prepared, dirty_dirs, root_dirty);
  work.bodies = std::move(prepared);
}

void MailStore::Impl::commit_batch(PreparedBatch& work) {
  std::vector<Request>& batch = work.requests;
  std::vector<PreparedBody>& prepared = work.bodies;
  uint64_t max_id = 0;
  for (auto& p : prepared) {
    if (p.body_id) max_id = std::max(max_id, p.body_id);
  }
  // 3. One transaction for every delivery of the batch. It may run more than once (map
  // growth), so it recomputes everything from the transaction.
  std::vector<std::vector<DeliveryOutcome>> outcomes(batch.size());
  std::vector<Change> changes;
  uint64_t stored = 0, delivered = 0, unreferenced = 0;
  Status committed = env->write([&](Txn& txn) -> Status {
    changes.clear();
    stored = delivered = unreferenced = 0;
    for (size_t i = 0; i < batch.size(); ++i) {
      const Request& req = batch[i];
      const PreparedBody& p = prepared[i];
      auto& out = outcomes[i];
      out.assign(req.deliveries.size(),
                 DeliveryOutcome(p.error.is_ok() ? internal_error("not delivered") : p.error));
      if (!p.error.is_ok()) continue;
      uint64_t refs = 0;
      std::vector<std::string> keys;  // account and folder, to find repeats
      for (const Delivery& d : req.deliveries) {
        auto name = normalize_folder_name(d.folder);
        keys.push_back(d.account + '\0' + (name.is_ok() ? *name : d.folder));
      }
      for (size_t j = 0; j < req.deliveries.size(); ++j) {
        const Delivery& d = req.deliveries[j];
        // A repeated account and folder shares its first occurrence's outcome.
        size_t first = std::find(keys.begin(), keys.end(), keys[j]) - keys.begin();
        if (first != j) {
          out[j] = out[first];
          continue;
        }
        Change change;
        MF_RETURN_IF_ERROR(deliver_one(txn, d, p.body_id, p.size, &out[j], &change));
        if (out[j].is_ok()) {
          ++refs;
          changes.push_back(std::move(change));
        }
      }
      if (req.in_commit) {
        // The record first, so that the hook can take its references on it; then what it
        // left decides whether the body is kept.
        BodyRecord body{refs, p.size, p.structure};
        MF_RETURN_IF_ERROR(txn.put(Table::kMailBodies, body_key(p.body_id), encode(body)));
        MF_RETURN_IF_ERROR(req.in_commit(txn, p.body_id, out));
        MF_ASSIGN_OR_RETURN(auto raw, txn.get(Table::kMailBodies, body_key(p.body_id)));
        if (!raw) return corruption(fmt::format("body {} lost its record", p.body_id));
        MF_RETURN_IF_ERROR(decode(*raw, &body));
        delivered += refs;
        if (body.refcount) {
          ++stored;
        } else {
          MF_RETURN_IF_ERROR(txn.del(Table::kMailBodies, body_key(p.body_id)).status());
          MF_RETURN_IF_ERROR(txn.put(Table::kMailGarbage, body_key(p.body_id), ""));
          ++unreferenced;
        }
      } else if (refs) {
        BodyRecord body{refs, p.size, p.structure};
        MF_RETURN_IF_ERROR(txn.put(Table::kMailBodies, body_key(p.body_id), encode(body)));
        ++stored;
        delivered += refs;
      } else {
        // Nobody took it: the file goes with the next sweep.
        MF_RETURN_IF_ERROR(txn.put(Table::kMailGarbage, body_key(p.body_id), ""));
        ++unreferenced;
      }
    }
    if (max_id) {
      MF_ASSIGN_OR_RETURN(uint64_t high_water, load_counter(txn, kBodyHighWaterKey));
      if (max_id > high_water) MF_RETURN_IF_ERROR(store_counter(txn, kBodyHighWaterKey, max_id));
    }
    return Status::ok();
  });
  if (committed.is_ok()) {
    counters.commits.fetch_add(1);
    counters.requests.fetch_add(batch.size());
    counters.deliveries.fetch_add(delivered);
    counters.bodies_stored.fetch_add(stored);
    if (unreferenced) garbage_pending = true;
  } else {
    // Nothing refers to the bodies placed for this batch: they are above the committed
    // high-water mark, so delete them now (or at the next open, after a crash).
    changes.clear();
    for (size_t i = 0; i < batch.size(); ++i) {
      if (prepared[i].body_id) (void)files.remove(prepared[i].body_id);
      for (auto& o : outcomes[i]) o = committed;
      outcomes[i].resize(batch[i].deliveries.size(), DeliveryOutcome(committed));
    }
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    if (batch[i].done)
      batch[i].done(committed.is_ok() ? prepared[i].error : committed, std::move(outcomes[i]));
  }
  notify(changes);
}

// ---- Garbage ----

void MailStore::Impl::request_sweep() {
  {
    std::lock_guard lock(mu);
    sweep_requested = true;
  }
  commit_cv.notify_one();
}

Status MailStore::sweep_garbage() {
  return impl_->sweep();
}

Status MailStore::Impl::sweep() {
  std::lock_guard lock(sweep_mu);
  constexpr size_t kPerRound = 1000;
  for (;;) {
    garbage_pending = false;
    std::vector<uint64_t> ids;
    MF_RETURN_IF_ERROR(env->read([&](Txn& txn) -> Status {
      ids.clear();
      return txn.scan_prefix(Table::kMailGarbage, "", [&](std::string_view k, std::string_view) {
        if (k.size() == 8) ids.push_back(decode_be64(k));
        return ids.size() < kPerRound;
      });
    }));
    if (ids.empty()) return Status::ok();
    // A backup copies the bodies of its LMDB snapshot after taking it, and a body released
    // since may be one of them: while a backup holds the lock, nothing is deleted.
    MF_ASSIGN_OR_RETURN(auto permit, permit_body_deletion(files.root()));
    if (!permit) {
      garbage_pending = true;
      counters.sweeps_deferred.fetch_add(1);
      return Status::ok();
    }
    std::set<std::string> dirs;
    for (uint64_t id : ids) {
      Status s = files.remove(id);
      if (!s.is_ok()) {
        garbage_pending = true;
        return s;
      }
      dirs.insert(files.shard_dir(id));
    }
    // The deletions made durable before their entries go, so that a crash cannot bring
    // back a file nothing lists.
    if (options.durability == Durability::kSync) {
      for (const auto& d : dirs) MF_RETURN_IF_ERROR(BodyFiles::sync_dir(d));
    }
    MF_RETURN_IF_ERROR(env->write([&](Txn& txn) -> Status {
      for (uint64_t id : ids)
        MF_RETURN_IF_ERROR(txn.del(Table::kMailGarbage, body_key(id)).status());
      return Status::ok();
    }));
    counters.bodies_deleted.fetch_add(ids.size());
    if (ids.size() < kPerRound) return Status::ok();
  }
}

}  // namespace mf::mailbox
