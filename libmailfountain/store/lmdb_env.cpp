// store/lmdb_env.cpp — LMDB environment, transactions, cursors and map growth.
#include "store/lmdb_env.h"

#include <fmt/format.h>

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

namespace mf::store {

namespace {

MDB_val to_val(std::string_view s) {
  return MDB_val{s.size(), const_cast<char*>(s.data())};
}

std::string_view from_val(const MDB_val& v) {
  return {static_cast<const char*>(v.mv_data), v.mv_size};
}

// Aborts a transaction unless released; keeps aborts on every path, exceptions included.
struct TxnGuard {
  MDB_txn* txn;
  ~TxnGuard() {
    if (txn) mdb_txn_abort(txn);
  }
  MDB_txn* release() {
    MDB_txn* t = txn;
    txn = nullptr;
    return t;
  }
};

constexpr unsigned kMaxGrowAttempts = 64;
constexpr unsigned kMaxReaders = 1024;

}  // namespace

const char* table_name(Table t) {
  switch (t) {
    case Table::kMeta: return "meta";
    case Table::kDomains: return "domains";
    case Table::kAddresses: return "addresses";
    case Table::kAliasIndex: return "alias_index";
    case Table::kReferrers: return "referrers";
    case Table::kGrants: return "grants";
    case Table::kAudit: return "audit";
    case Table::kNotices: return "notices";
    case Table::kMailFolders: return "mail_folders";
    case Table::kMailMessages: return "mail_messages";
    case Table::kMailModseq: return "mail_modseq";
    case Table::kMailExpunged: return "mail_expunged";
    case Table::kMailBodies: return "mail_bodies";
    case Table::kMailGarbage: return "mail_garbage";
    case Table::kMailQuota: return "mail_quota";
    case Table::kQueueMessages: return "queue_messages";
    case Table::kQueueRecipients: return "queue_recipients";
    case Table::kQueueDue: return "queue_due";
    case Table::kQueueDomains: return "queue_domains";
    case Table::kQueueHeld: return "queue_held";
    case Table::kQueueReports: return "queue_reports";
    case Table::kQueueCounts: return "queue_counts";
    case Table::kMailSubscriptions: return "mail_subscriptions";
    case Table::kCount: break;
  }
  return "?";
}

// ---- Cursor ----

Cursor::~Cursor() {
  if (cur_) mdb_cursor_close(cur_);
}

bool Cursor::move(MDB_cursor_op op, std::string_view key) {
  MDB_val k = to_val(key);
  MDB_val v{0, nullptr};
  int rc = mdb_cursor_get(cur_, &k, &v, op);
  valid_ = rc == MDB_SUCCESS;
  if (valid_) {
    key_ = from_val(k);
    value_ = from_val(v);
  }
  return valid_;
}

bool Cursor::seek(std::string_view key) {
  if (key.empty()) return first();
  return move(MDB_SET_RANGE, key);
}
bool Cursor::first() { return move(MDB_FIRST); }
bool Cursor::last() { return move(MDB_LAST); }
bool Cursor::next() { return move(MDB_NEXT); }

// ---- Txn ----

Status Txn::lmdb_error(int rc, std::string_view what) {
  if (rc == MDB_MAP_FULL) {
    map_full_ = true;
    return resource_exhausted(fmt::format("{}: the store's map is full", what));
  }
  return io_error(fmt::format("{}: {}", what, mdb_strerror(rc)));
}

Result<std::optional<std::string>> Txn::get(Table t, std::string_view key) {
  MDB_val k = to_val(key);
  MDB_val v;
  int rc = mdb_get(txn_, dbis_[static_cast<int>(t)], &k, &v);
  if (rc == MDB_NOTFOUND) return std::optional<std::string>();
  if (rc != MDB_SUCCESS) return lmdb_error(rc, fmt::format("reading {}", table_name(t)));
  return std::optional<std::string>(std::string(from_val(v)));
}

Result<bool> Txn::contains(Table t, std::string_view key) {
  MDB_val k = to_val(key);
  MDB_val v;
  int rc = mdb_get(txn_, dbis_[static_cast<int>(t)], &k, &v);
  if (rc == MDB_NOTFOUND) return false;
  if (rc != MDB_SUCCESS) return lmdb_error(rc, fmt::format("reading {}", table_name(t)));
  return true;
}

Status Txn::put(Table t, std::string_view key, std::string_view value, Put mode) {
  if (!writable_) return internal_error("write in a read-only transaction");
  if (key.empty() || key.size() > 511) {
    return invalid_argument(fmt::format("key of {} bytes does not fit the store", key.size()));
  }
  MDB_val k = to_val(key);
  MDB_val v = to_val(value);
  int rc = mdb_put(txn_, dbis_[static_cast<int>(t)], &k, &v,
                   mode == Put::kNoOverwrite ? MDB_NOOVERWRITE : 0);
  if (rc == MDB_KEYEXIST) return already_exists("key exists");
  if (rc != MDB_SUCCESS) return lmdb_error(rc, fmt::format("writing {}", table_name(t)));
  return Status::ok();
}

Result<bool> Txn::del(Table t, std::string_view key) {
  if (!writable_) return internal_error("delete in a read-only transaction");
  MDB_val k = to_val(key);
  int rc = mdb_del(txn_, dbis_[static_cast<int>(t)], &k, nullptr);
  if (rc == MDB_NOTFOUND) return false;
  if (rc != MDB_SUCCESS) return lmdb_error(rc, fmt::format("deleting from {}", table_name(t)));
  return true;
}

Result<Cursor> Txn::cursor(Table t) {
  MDB_cursor* cur = nullptr;
  int rc = mdb_cursor_open(txn_, dbis_[static_cast<int>(t)], &cur);
  if (rc != MDB_SUCCESS) return lmdb_error(rc, fmt::format("opening a cursor on {}", table_name(t)));
  return Cursor(cur);
}

Status Txn::scan_prefix(Table t, std::string_view prefix,
                        const std::function<bool(std::string_view, std::string_view)>& fn) {
  MF_ASSIGN_OR_RETURN(Cursor c, cursor(t));
  for (bool ok = c.seek(prefix); ok; ok = c.next()) {
    if (c.key().substr(0, prefix.size()) != prefix) break;
    if (!fn(c.key(), c.value())) break;
  }
  return Status::ok();
}

// ---- LmdbEnv ----

Result<std::unique_ptr<LmdbEnv>> LmdbEnv::open(const std::string& path,
                                               const EnvOptions& options,
                                               std::function<int64_t()> clock) {
  if (options.initial_map_size == 0 || options.max_map_size < options.initial_map_size) {
    return invalid_argument("store options: need 0 < initial_map_size <= max_map_size");
  }
  MDB_env* raw = nullptr;
  int rc = mdb_env_create(&raw);
  if (rc != MDB_SUCCESS) return io_error(fmt::format("creating the LMDB environment: {}", mdb_strerror(rc)));
  std::unique_ptr<LmdbEnv> env(new LmdbEnv(raw, options, std::move(clock)));
  rc = mdb_env_set_maxdbs(raw, static_cast<MDB_dbi>(Table::kCount) + 4);
  if (rc == MDB_SUCCESS) rc = mdb_env_set_mapsize(raw, options.initial_map_size);
  // With MDB_NOTLS every concurrent read transaction takes a reader slot.
  if (rc == MDB_SUCCESS) rc = mdb_env_set_maxreaders(raw, kMaxReaders);
  if (rc != MDB_SUCCESS) return io_error(fmt::format("configuring the LMDB environment: {}", mdb_strerror(rc)));
  // MDB_NOTLS: read transactions are not tied to a thread, so the worker pool may use them.
  rc = mdb_env_open(raw, path.c_str(), MDB_NOTLS, 0600);
  if (rc != MDB_SUCCESS) {
    return io_error(fmt::format("opening the store in {}: {}", path, mdb_strerror(rc)));
  }
  // Open every table once, in one write transaction; handles stay valid for the env's life.
  for (unsigned attempt = 0;; ++attempt) {
    MDB_txn* txn = nullptr;
    rc = mdb_txn_begin(raw, nullptr, 0, &txn);
    if (rc == MDB_MAP_RESIZED && attempt < 3) {
      mdb_env_set_mapsize(raw, 0);
      continue;
    }
    if (rc != MDB_SUCCESS) return io_error(fmt::format("opening the store: {}", mdb_strerror(rc)));
    TxnGuard guard{txn};
    for (int i = 0; i < static_cast<int>(Table::kCount); ++i) {
      rc = mdb_dbi_open(txn, table_name(static_cast<Table>(i)), MDB_CREATE, &env->dbis_[i]);
      if (rc != MDB_SUCCESS) {
        return io_error(fmt::format("opening table {}: {}", table_name(static_cast<Table>(i)),
                                    mdb_strerror(rc)));
      }
    }
    rc = mdb_txn_commit(guard.release());
    if (rc == MDB_MAP_FULL && attempt < 3) {
      mdb_env_set_mapsize(raw, env->map_size() * 2);
      continue;
    }
    if (rc != MDB_SUCCESS) return io_error(fmt::format("opening the store: {}", mdb_strerror(rc)));
    break;
  }
  return env;
}

LmdbEnv::~LmdbEnv() {
  if (env_) mdb_env_close(env_);
}

uint64_t LmdbEnv::map_size() {
  MDB_envinfo info;
  mdb_env_info(env_, &info);
  return info.me_mapsize;
}

Status LmdbEnv::adopt_resize() {
  std::unique_lock lock(resize_mu_);
  int rc = mdb_env_set_mapsize(env_, 0);
  if (rc != MDB_SUCCESS) return io_error(fmt::format("adopting the store's new size: {}", mdb_strerror(rc)));
  return Status::ok();
}

Status LmdbEnv::grow(uint64_t seen_size) {
  std::unique_lock lock(resize_mu_);
  uint64_t current = map_size();
  if (current > seen_size) return Status::ok();  // another thread grew it meanwhile
  if (current >= options_.max_map_size) {
    return resource_exhausted(fmt::format(
        "the store is full: it reached its maximum size of {} bytes; raise the maximum "
        "map size or remove data",
        options_.max_map_size));
  }
  uint64_t next = std::min(current * 2, options_.max_map_size);
  int rc = mdb_env_set_mapsize(env_, next);
  if (rc != MDB_SUCCESS) return io_error(fmt::format("growing the store to {} bytes: {}", next, mdb_strerror(rc)));
  resizes_.fetch_add(1, std::memory_order_relaxed);
  return Status::ok();
}

Status LmdbEnv::read(const std::function<Status(Txn&)>& fn) {
  for (unsigned attempt = 0;; ++attempt) {
    std::shared_lock lock(resize_mu_);
    MDB_txn* raw = nullptr;
    int rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &raw);
    if (rc == MDB_MAP_RESIZED && attempt < kMaxGrowAttempts) {
      lock.unlock();
      MF_RETURN_IF_ERROR(adopt_resize());
      continue;
    }
    if (rc != MDB_SUCCESS) return io_error(fmt::format("starting a read transaction: {}", mdb_strerror(rc)));
    TxnGuard guard{raw};
    Txn txn(raw, dbis_, /*writable=*/false, clock_());
    return fn(txn);
  }
}

Status LmdbEnv::write(const std::function<Status(Txn&)>& fn) {
  for (unsigned attempt = 0;; ++attempt) {
    std::shared_lock lock(resize_mu_);
    uint64_t seen = map_size();
    MDB_txn* raw = nullptr;
    int rc = mdb_txn_begin(env_, nullptr, 0, &raw);
    if (rc == MDB_MAP_RESIZED && attempt < kMaxGrowAttempts) {
      lock.unlock();
      MF_RETURN_IF_ERROR(adopt_resize());
      continue;
    }
    if (rc != MDB_SUCCESS) return io_error(fmt::format("starting a write transaction: {}", mdb_strerror(rc)));
    TxnGuard guard{raw};
    Txn txn(raw, dbis_, /*writable=*/true, clock_());
    Status s = fn(txn);
    bool map_full = txn.map_full_;
    if (s.is_ok() && !map_full) {
      rc = mdb_txn_commit(guard.release());
      if (rc == MDB_SUCCESS) return Status::ok();
      if (rc != MDB_MAP_FULL) return io_error(fmt::format("committing: {}", mdb_strerror(rc)));
      map_full = true;
    }
    if (!map_full) return s;  // the guard aborts: nothing of this transaction remains
    // Out of map space: abort, release the shared lock, grow, and run fn again.
    if (guard.txn) mdb_txn_abort(guard.release());
    lock.unlock();
    if (attempt >= kMaxGrowAttempts) return resource_exhausted("the store could not grow enough");
    MF_RETURN_IF_ERROR(grow(seen));
  }
}

Status LmdbEnv::copy_to(int fd) {
  for (unsigned attempt = 0;; ++attempt) {
    std::shared_lock lock(resize_mu_);
    int rc = mdb_env_copyfd2(env_, fd, MDB_CP_COMPACT);
    if (rc == MDB_MAP_RESIZED && attempt < kMaxGrowAttempts) {
      // Another process grew the map: adopt its size and copy again from the start.
      lock.unlock();
      MF_RETURN_IF_ERROR(adopt_resize());
      if (::ftruncate(fd, 0) != 0 || ::lseek(fd, 0, SEEK_SET) != 0) {
        return io_error(fmt::format("restarting the store copy: {}", std::strerror(errno)));
      }
      continue;
    }
    if (rc != MDB_SUCCESS) return io_error(fmt::format("copying the store: {}", mdb_strerror(rc)));
    break;
  }
  // LMDB writes the copy but does not sync it.
  if (::fsync(fd) != 0) return io_error(fmt::format("syncing the store copy: {}", std::strerror(errno)));
  return Status::ok();
}

EnvStats LmdbEnv::stats() {
  std::shared_lock lock(resize_mu_);
  EnvStats st;
  MDB_envinfo info;
  MDB_stat stat;
  mdb_env_info(env_, &info);
  mdb_env_stat(env_, &stat);
  st.map_size = info.me_mapsize;
  st.used_bytes = static_cast<uint64_t>(info.me_last_pgno + 1) * stat.ms_psize;
  st.resizes = resizes_.load(std::memory_order_relaxed);
  return st;
}

}  // namespace mf::store
