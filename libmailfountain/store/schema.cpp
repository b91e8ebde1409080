// store/schema.cpp — schema version check and migrations (see schema.h).
#include "store/schema.h"

#include "base/codec.h"
#include "mailbox/folders.h"
#include "mailbox/subscriptions.h"

#include <fmt/format.h>

namespace mf::store {

namespace {
constexpr std::string_view kVersionKey = "schema_version";
}

std::span<const Migration> builtin_migrations() {
  // The mail_* tables are created empty by LmdbEnv::open; what version 2 adds to an
  // existing store is the folders every account has.
  static const Migration steps[] = {
      {1, [](Txn& txn) { return mailbox::migrate_add_default_folders(txn); }},
      // The queue_* tables are created empty by LmdbEnv::open too, and an empty queue has
      // no records (absent counters read as zero): version 3 only records that this store
      // may now hold queued mail, which an older library must not open.
      {2, [](Txn&) { return Status::ok(); }},
      // mail_subscriptions is created empty by LmdbEnv::open. No client could subscribe
      // before version 4, and many show only subscribed folders: every existing folder
      // is subscribed, as the default folders of a new account are.
      {3, [](Txn& txn) { return mailbox::migrate_subscribe_existing_folders(txn); }},
  };
  return steps;
}

Result<std::optional<uint32_t>> read_schema_version(Txn& txn) {
  MF_ASSIGN_OR_RETURN(auto raw, txn.get(Table::kMeta, kVersionKey));
  if (!raw) return std::optional<uint32_t>();
  if (raw->size() != 4) return corruption("the stored schema version is unreadable");
  uint32_t v = 0;
  for (char c : *raw) v = (v << 8) | static_cast<uint8_t>(c);
  return std::optional<uint32_t>(v);
}

Status write_schema_version(Txn& txn, uint32_t version) {
  std::string raw(4, '\0');
  for (int i = 3; i >= 0; --i) {
    raw[i] = static_cast<char>(version & 0xff);
    version >>= 8;
  }
  return txn.put(Table::kMeta, kVersionKey, raw);
}

Status upgrade_schema(Txn& txn, uint32_t target, std::span<const Migration> migrations) {
  MF_ASSIGN_OR_RETURN(auto found, read_schema_version(txn));
  if (!found) return not_found("the store has no schema version: it is not initialised");
  uint32_t version = *found;
  if (version > target) {
    return unsupported(fmt::format(
        "the data directory has schema version {}, newer than version {} that this "
        "MailFountain supports; upgrade MailFountain to open it",
        version, target));
  }
  while (version < target) {
    const Migration* step = nullptr;
    for (const auto& m : migrations) {
      if (m.from == version) step = &m;
    }
    if (!step) {
      return unsupported(fmt::format("no migration from schema version {} to {}", version,
                                     version + 1));
    }
    MF_RETURN_IF_ERROR(step->apply(txn).with_context(
        fmt::format("migrating schema {} to {}", version, version + 1)));
    ++version;
    MF_RETURN_IF_ERROR(write_schema_version(txn, version));
  }
  return Status::ok();
}

}  // namespace mf::store
