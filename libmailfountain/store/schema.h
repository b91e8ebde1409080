// store/schema.h — the schema version of a data directory and its migrations.
//
// The version lives in the meta table under "schema_version" (4 bytes, big-endian). A
// library opens directories of its own version or older ones, which it migrates step by
// step (each Migration takes the store from `from` to `from + 1`) inside the caller's
// write transaction, so that a migration is applied whole or not at all. A directory
// written by a newer library is refused with kUnsupported.
#ifndef MF_STORE_SCHEMA_H
#define MF_STORE_SCHEMA_H

#include "store/lmdb_env.h"

#include <cstdint>
#include <functional>
#include <span>

namespace mf::store {

// The version this library writes. 2: the mailbox store (mail_* tables, default folders).
// 3: the outbound queue (queue_* tables, docs/queue.md). 4: IMAP subscriptions
// (mail_subscriptions, mailbox/subscriptions.h).
constexpr uint32_t kSchemaVersion = 4;

struct Migration {
  uint32_t from;  // takes a store at this version to from + 1
  std::function<Status(Txn&)> apply;
};

// The migrations of this library, in order: 1 → 2 creates the default folders of every
// existing account (mailbox/folders.h); 2 → 3 (the outbound queue) changes no data;
// 3 → 4 subscribes every existing folder (mailbox/subscriptions.h).
std::span<const Migration> builtin_migrations();

// Reads the stored version; nullopt when the store has none (not initialised).
Result<std::optional<uint32_t>> read_schema_version(Txn& txn);
Status write_schema_version(Txn& txn, uint32_t version);

// Brings the store in `txn` from its version to `target` with `migrations`. kUnsupported
// if the stored version is newer than `target` or a step is missing; kNotFound if the
// store has no version.
Status upgrade_schema(Txn& txn, uint32_t target, std::span<const Migration> migrations);

}  // namespace mf::store

#endif  // MF_STORE_SCHEMA_H
