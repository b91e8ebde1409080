// mailbox/mail_store_backup.cpp — MailStore::backup and backup_data_dir(): a consistent
// copy of a data directory while the daemon runs (mailfountain/backup.h).
//
// Why the copy is consistent: body deletion is held off (backup.lock, shared) before the
// LMDB snapshot is taken and until every body it refers to is copied. A body file is
// deleted only by the garbage sweep (for bodies no record refers to any more, and that no
// later snapshot can refer to, since ids are never reused), by a failed commit and by
// orphan removal at open (both for ids above the committed high-water mark, which no
// committed snapshot refers to). So every body the snapshot refers to is in place while
// it is copied. Bodies committed after the snapshot are neither referred to nor copied,
// and the snapshot's high-water mark is below them: a restored store sees no orphan.
#include "mailbox/mail_store_impl.h"

#include "base/codec.h"
#include "mailbox/backup_files.h"
#include "mailbox/backup_manifest.h"
#include "mailbox/records.h"
#include "store/schema.h"

#include <mailfountain/context.h>

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <utility>
#include <vector>

namespace mf::mailbox {

using store::Table;
using store::Txn;

namespace {

// Bodies are listed from the snapshot this many at a time, so memory stays bounded
// whatever the store's size.
constexpr size_t kBodiesPerRound = 1024;

Status check_destination(const std::string& dest) {
  struct stat st {};
  if (::stat(dest.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) {
      return already_exists(fmt::format("{} exists and is not a directory", dest));
    }
    MF_ASSIGN_OR_RETURN(bool empty, dir_is_empty(dest));
    if (!empty) {
      return already_exists(
          fmt::format("{} is not empty: a backup goes into a new or empty directory", dest));
    }
    return Status::ok();
  }
  if (errno != ENOENT)
    return io_error(fmt::format("cannot use {}: {}", dest, std::strerror(errno)));
  std::string parent = parent_dir(dest);
  MF_ASSIGN_OR_RETURN(bool parent_exists, path_exists(parent));
  if (!parent_exists) {
    return not_found(
        fmt::format("cannot create {}: its directory {} does not exist", dest, parent));
  }
  return Status::ok();
}

// Writes the snapshot of `env` to `store_dir`/data.mdb.
Status copy_store(store::LmdbEnv& env, const std::string& store_dir) {
  std::string path = store_dir + "/data.mdb";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return io_error(fmt::format("cannot create {}: {}", path, std::strerror(errno)));
  Status copied = env.copy_to(fd);
  if (::close(fd) != 0 && copied.is_ok()) {
    copied = io_error(fmt::format("cannot close {}: {}", path, std::strerror(errno)));
  }
  return copied;
}

Result<uint64_t> file_size(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return io_error(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  }
  return static_cast<uint64_t>(st.st_size);
}

struct SnapshotBodies {
  uint32_t schema_version = 0;
  uint64_t bodies = 0;
  uint64_t bytes = 0;
};

// Copies every body the store copy in `store_dir` refers to from `from` into `to`, shard
// by shard; each file and shard directory is fsynced.
Result<SnapshotBodies> copy_referenced_bodies(const std::string& store_dir, const BodyFiles& from,
                                              const BodyFiles& to) {
  MF_ASSIGN_OR_RETURN(auto snapshot, store::LmdbEnv::open(store_dir, store::EnvOptions{}, [] {
                        return static_cast<int64_t>(std::time(nullptr));
                      }));
  SnapshotBodies out;
  MF_RETURN_IF_ERROR(snapshot->read([&](Txn& txn) -> Status {
    MF_ASSIGN_OR_RETURN(auto version, store::read_schema_version(txn));
    if (!version) return corruption("the store copy has no schema version");
    out.schema_version = *version;
    return Status::ok();
  }));
  std::string shard;  // the shard directory being filled
  uint64_t next = 0;  // the first body id of the next round
  for (;;) {
    std::vector<std::pair<uint64_t, uint64_t>> round;  // body id, size
    // The store copy is private to this function: its read transactions may be long.
    MF_RETURN_IF_ERROR(snapshot->read([&](Txn& txn) -> Status {
      round.clear();
      MF_ASSIGN_OR_RETURN(store::Cursor c, txn.cursor(Table::kMailBodies));
      for (bool ok = c.seek(body_key(next)); ok && round.size() < kBodiesPerRound; ok = c.next()) {
        if (c.key().size() != 8) return corruption("a mail_bodies key is not a body id");
        BodyRecord rec;
        MF_RETURN_IF_ERROR(decode(c.value(), &rec));
        round.emplace_back(decode_be64(c.key()), rec.size);
      }
      return Status::ok();
    }));
    if (round.empty()) break;
    for (const auto& [id, size] : round) {
      if (to.shard_dir(id) != shard) {
        if (!shard.empty()) MF_RETURN_IF_ERROR(BodyFiles::sync_dir(shard));
        shard = to.shard_dir(id);
        MF_RETURN_IF_ERROR(make_private_dir(shard));
      }
      uint64_t copied = 0;
      Status s = copy_file(from.path_of(id), to.path_of(id), 0600, &copied);
      if (!s.is_ok()) {
        auto present = path_exists(from.path_of(id));
        if (present.is_ok() && !*present) {
          return corruption(
              fmt::format("body {}, which the store refers to, is missing", from.path_of(id)));
        }
        return s;
      }
      if (copied != size) {
        return corruption(fmt::format("body {} has {} bytes, but the store says {}",
                                      from.path_of(id), copied, size));
      }
      out.bodies += 1;
      out.bytes += copied;
    }
    next = round.back().first + 1;
  }
  if (!shard.empty()) MF_RETURN_IF_ERROR(BodyFiles::sync_dir(shard));
  return out;
}

}  // namespace

Result<BackupReport> MailStore::backup(const std::string& dest_arg) {
  const std::string dest = without_trailing_slash(dest_arg);
  if (dest.empty()) return invalid_argument("the backup directory path is empty");
  const BodyFiles& files = impl_->files;
  const std::string data_dir = parent_dir(files.root());
  MF_RETURN_IF_ERROR(check_destination(dest));
  MF_ASSIGN_OR_RETURN(StagingDir staging, StagingDir::create(dest + ".partial"));
  const std::string store_dir = staging.path() + "/store";
  BodyFiles copied_files(staging.path() + "/messages");
  MF_RETURN_IF_ERROR(make_private_dir(store_dir));
  MF_RETURN_IF_ERROR(make_private_dir(copied_files.root()));

  BackupReport report;
  report.path = dest;
  BackupManifest& m = report.manifest;
  m.format = kManifestFormat;
  m.created_at = static_cast<int64_t>(std::time(nullptr));
  {
    // From before the snapshot until its bodies are copied, no body may be deleted.
    MF_ASSIGN_OR_RETURN(FileLock hold, hold_off_body_deletion(files.root()));
    MF_RETURN_IF_ERROR(copy_store(*impl_->env, store_dir));
    MF_ASSIGN_OR_RETURN(SnapshotBodies bodies,
                        copy_referenced_bodies(store_dir, files, copied_files));
    m.schema_version = bodies.schema_version;
    m.bodies = bodies.bodies;
    m.body_bytes = bodies.bytes;
  }
  // Opening the copy made a lock file; the restored store makes its own.
  ::unlink((store_dir + "/lock.mdb").c_str());
  MF_ASSIGN_OR_RETURN(m.store_bytes, file_size(store_dir + "/data.mdb"));
  MF_RETURN_IF_ERROR(BodyFiles::sync_dir(store_dir));
  MF_RETURN_IF_ERROR(BodyFiles::sync_dir(copied_files.root()));

  // The rest of the state a restored server needs: its TLS certificate and key (made at
  // the first start when none is configured) and the domains' DKIM keys (their public
  // halves are published in DNS: a restored server must sign with the same ones). The
  // control socket and lock files belong to a running process and are not copied.
  for (const char* sub : kKeyDirectories) {
    const std::string from = data_dir + "/" + sub;
    MF_ASSIGN_OR_RETURN(bool present, path_exists(from));
    if (!present) continue;
    uint64_t bytes = 0;
    MF_RETURN_IF_ERROR(copy_tree(from, staging.path() + "/" + sub, &report.other_files, &bytes));
  }

  // The manifest last: a directory with one is complete.
  MF_RETURN_IF_ERROR(write_new_file(staging.path() + "/" + kManifestName, encode_manifest(m)));
  MF_RETURN_IF_ERROR(BodyFiles::sync_dir(staging.path()));
  if (::rename(staging.path().c_str(), dest.c_str()) != 0) {
    if (errno == ENOTEMPTY || errno == EEXIST || errno == ENOTDIR) {
      return already_exists(fmt::format("{} was filled while the backup ran", dest));
    }
    return io_error(
        fmt::format("cannot rename {} to {}: {}", staging.path(), dest, std::strerror(errno)));
  }
  staging.committed();
  MF_RETURN_IF_ERROR(BodyFiles::sync_dir(parent_dir(dest)));
  return report;
}

}  // namespace mf::mailbox

namespace mf {

Result<BackupReport> backup_data_dir(Context& context, const std::string& dest) {
  return mailbox::mail_store(context).backup(dest);
}

}  // namespace mf
