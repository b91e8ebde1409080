// store/lmdb_env.h — RAII over LMDB: one environment per data directory, typed tables,
// transactions that are applied whole or not at all, and safe map growth.
//
// Every operation of the library runs inside LmdbEnv::read() or LmdbEnv::write(), which
// own the transaction: the callback sees a Txn, and the environment commits (write, when
// the callback returns OK) or aborts (otherwise, or on an exception). A write that runs
// out of map space is aborted, the map is doubled (up to the configured maximum) and the
// callback is run again from the start, so callbacks must be free of side effects outside
// the Txn. Growing the map needs no transaction open in this process (an LMDB 0.9 rule):
// transactions hold a shared lock and a resize takes it exclusively. When another process
// grew the map, beginning a transaction reports MDB_MAP_RESIZED, and the environment
// adopts the new size the same way.
//
// Caveats (LMDB's): no LmdbEnv across fork(); a thread runs one transaction at a time (do
// not nest read() or write() calls); keep read transactions short; at most 1024
// transactions at once (reader slots). glibc's shared_mutex prefers readers, so a
// resize waits for a moment with no transaction open: under a steady stream of
// overlapping reads it may wait long, but it cannot deadlock.
#ifndef MF_STORE_LMDB_ENV_H
#define MF_STORE_LMDB_ENV_H

#include <mailfountain/status.h>

#include <lmdb.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>

namespace mf::store {

// The named databases of the environment. Key encodings: docs/store.md.
enum class Table : int {
  kMeta = 0,       // "schema_version", "admin", counters
  kDomains,        // A-label domain → DomainRecord
  kAddresses,      // "local@domain" → AddressRecord (account, alias or redirection)
  kAliasIndex,     // "account\0alias" → "" (aliases of an account)
  kReferrers,      // "target\0source" → "" (redirections and forwards naming target)
  kGrants,         // 'O' kind object '\0' account and 'P' account '\0' kind object → rights
  kAudit,          // be64 seq → AuditRecord
  kNotices,        // "account\0" be64 seq → NoticeRecord
  // The mailbox store (mailbox/, docs/mailbox.md).
  kMailFolders,    // "account\0folder" → FolderRecord
  kMailMessages,   // be64 folder id, be32 uid → MessageRecord
  kMailModseq,     // be64 folder id, be64 modseq, be32 uid → "" (changed-since index)
  kMailExpunged,   // be64 folder id, be64 modseq, be32 uid → "" (QRESYNC)
  kMailBodies,     // be64 body id → BodyRecord
  kMailGarbage,    // be64 body id → "" (body files to delete)
  kMailQuota,      // account → QuotaUsage
  // The outbound queue (queue/, docs/queue.md); schema version 3.
  kQueueMessages,    // be64 message id → queue MessageRecord
  kQueueRecipients,  // be64 message id, be32 index → RecipientRecord
  kQueueDue,         // u8 priority, be64 next attempt, be64 id, be32 index → domain
  kQueueDomains,     // domain "\0" be64 id, be32 index → u8 state, be64 next attempt
  kQueueHeld,        // be64 id, be32 index → "" (held recipients)
  kQueueReports,     // be64 id, be32 index → "" (finished recipients awaiting a DSN)
  kQueueCounts,      // "all" and "d" domain → Counts
  // IMAP subscriptions (mailbox/subscriptions.h); schema version 4.
  kMailSubscriptions,  // "account\0folder" → "" (may name folders that do not exist)
  kCount,
};

const char* table_name(Table t);

struct EnvOptions {
  uint64_t initial_map_size = uint64_t{64} << 20;
  uint64_t max_map_size = uint64_t{64} << 30;
};

struct EnvStats {
  uint64_t map_size = 0;
  uint64_t used_bytes = 0;
  uint32_t resizes = 0;
};

class Txn;

// A position in one table, for range scans. Valid only inside its Txn.
class Cursor {
 public:
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;
  Cursor(Cursor&& other) noexcept : cur_(other.cur_) { other.cur_ = nullptr; }
  ~Cursor();

  // Positions at the first key >= `key`. Returns false if there is none.
  bool seek(std::string_view key);
  bool first();
  bool last();
  bool next();
  bool valid() const { return valid_; }
  std::string_view key() const { return key_; }
  std::string_view value() const { return value_; }

 private:
  friend class Txn;
  explicit Cursor(MDB_cursor* cur) : cur_(cur) {}
  bool move(MDB_cursor_op op, std::string_view key = {});

  MDB_cursor* cur_ = nullptr;
  bool valid_ = false;
  std::string_view key_;
  std::string_view value_;
};

class Txn {
 public:
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;

  bool writable() const { return writable_; }

  // The value at `key`, copied; nullopt if absent.
  Result<std::optional<std::string>> get(Table t, std::string_view key);
  Result<bool> contains(Table t, std::string_view key);

  enum class Put { kOverwrite, kNoOverwrite };
  // With kNoOverwrite, an existing key gives kAlreadyExists. Writes need a write Txn.
  Status put(Table t, std::string_view key, std::string_view value, Put mode = Put::kOverwrite);
  // Deletes `key`; deleting an absent key is not an error. Returns whether it existed.
  Result<bool> del(Table t, std::string_view key);

  // A cursor over table `t` (fails only on an LMDB error, reported as kIOError).
  Result<Cursor> cursor(Table t);

  // Calls fn(key, value) for every key starting with `prefix`, in key order, until fn
  // returns false.
  Status scan_prefix(Table t, std::string_view prefix,
                     const std::function<bool(std::string_view, std::string_view)>& fn);

  // Seconds since the epoch, fixed for the whole transaction.
  int64_t now() const { return now_; }

 private:
  friend class LmdbEnv;
  Txn(MDB_txn* txn, const MDB_dbi* dbis, bool writable, int64_t now)
      : txn_(txn), dbis_(dbis), writable_(writable), now_(now) {}
  Status lmdb_error(int rc, std::string_view what);

  MDB_txn* txn_;
  const MDB_dbi* dbis_;
  bool writable_;
  int64_t now_;
  bool map_full_ = false;  // set when a put hit MDB_MAP_FULL: the write is retried
};

class LmdbEnv {
 public:
  // Opens (creating if needed) the environment in directory `path`, which must exist.
  static Result<std::unique_ptr<LmdbEnv>> open(const std::string& path,
                                               const EnvOptions& options,
                                               std::function<int64_t()> clock);
  ~LmdbEnv();
  LmdbEnv(const LmdbEnv&) = delete;
  LmdbEnv& operator=(const LmdbEnv&) = delete;

  // Runs fn in a read-only transaction.
  Status read(const std::function<Status(Txn&)>& fn);
  // Runs fn in a write transaction and commits it if fn returns OK. See the file comment
  // for map growth: fn may run more than once.
  Status write(const std::function<Status(Txn&)>& fn);

  EnvStats stats();

  // Writes a consistent, compacted copy of the whole environment (one snapshot: LMDB's
  // mdb_env_copyfd2 with MDB_CP_COMPACT, which runs its own read transaction) to `fd`, an
  // empty file open for writing, and fsyncs it. Writers go on meanwhile; the copy holds
  // one reader slot for its duration. The caller must not have a transaction open on
  // this thread. On failure the file's contents are unspecified.
  Status copy_to(int fd);

 private:
  LmdbEnv(MDB_env* env, const EnvOptions& options, std::function<int64_t()> clock)
      : env_(env), options_(options), clock_(std::move(clock)) {}
  // Grows the map past `seen_size` (no-op if another thread already did). Takes the
  // resize lock exclusively.
  Status grow(uint64_t seen_size);
  Status adopt_resize();
  uint64_t map_size();

  MDB_env* env_;
  EnvOptions options_;
  std::function<int64_t()> clock_;
  MDB_dbi dbis_[static_cast<int>(Table::kCount)] = {};
  std::shared_mutex resize_mu_;  // shared: any transaction; exclusive: set_mapsize
  std::atomic<uint32_t> resizes_{0};
};

}  // namespace mf::store

#endif  // MF_STORE_LMDB_ENV_H
