// mailbox/restore.cpp — restore_data_dir(): a backup brought back as a data directory
// (mailfountain/backup.h).
//
// The copy is assembled and checked in DATA.restoring beside the data directory, then
// put in place with one rename: a missing or empty DATA is replaced by rename(2) itself; a
// non-empty one (kReplace) is swapped with renameat2(RENAME_EXCHANGE), after which the old
// contents, now at DATA.restoring, are renamed aside. Nothing is deleted but the staging
// copy of a failed restore. The owner's lock of DATA is held throughout, so no daemon
// starts delivering into the directory being replaced.
#include <mailfountain/backup.h>

#include "mailbox/backup_files.h"
#include "mailbox/backup_manifest.h"
#include "mailbox/body_files.h"
#include "store/lmdb_env.h"
#include "store/schema.h"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace mf {

namespace {

using mailbox::BodyFiles;

// "DATA.before-restore-20240501T100000Z".
std::string aside_path(const std::string& data_dir) {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
  return fmt::format("{}.before-restore-{}", data_dir, stamp);
}

// Checks the store copied into `store_dir` against the manifest: its schema version and
// the number of bodies it refers to.
Status check_store(const std::string& store_dir, const BackupManifest& manifest) {
  MF_ASSIGN_OR_RETURN(auto env, store::LmdbEnv::open(store_dir, store::EnvOptions{}, [] {
                        return static_cast<int64_t>(std::time(nullptr));
                      }));
  uint64_t referenced = 0;
  MF_RETURN_IF_ERROR(env->read([&](store::Txn& txn) -> Status {
    MF_ASSIGN_OR_RETURN(auto version, store::read_schema_version(txn));
    if (!version || *version != manifest.schema_version) {
      return corruption(
          fmt::format("the backup's store has schema version {}, its manifest says {}",
                      version ? *version : 0, manifest.schema_version));
    }
    return txn.scan_prefix(store::Table::kMailBodies, "", [&](std::string_view, std::string_view) {
      ++referenced;
      return true;
    });
  }));
  if (referenced != manifest.bodies) {
    return corruption(fmt::format("the backup's store refers to {} bodies, its manifest says {}",
                                  referenced, manifest.bodies));
  }
  return Status::ok();
}

// Puts the assembled `staged` copy at `data_dir`. Returns where old contents went ("" if
// none). From the moment the copy is in place, `staged` no longer removes its path (which
// may then hold the old contents).
Result<std::string> swap_in(mailbox::StagingDir& staged, const std::string& data_dir, bool existed,
                            bool was_empty) {
  const std::string staging = staged.path();
  if (!existed || was_empty) {
    // rename(2) replaces an empty directory in one step.
    if (::rename(staging.c_str(), data_dir.c_str()) != 0) {
      return io_error(
          fmt::format("cannot rename {} to {}: {}", staging, data_dir, std::strerror(errno)));
    }
    staged.committed();
    return std::string();
  }
  std::string aside = aside_path(data_dir);
  MF_ASSIGN_OR_RETURN(bool taken, mailbox::path_exists(aside));
  if (taken) return already_exists(fmt::format("{} exists; try again in a second", aside));
  if (::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, data_dir.c_str(), RENAME_EXCHANGE) == 0) {
    staged.committed();
    if (::rename(staging.c_str(), aside.c_str()) != 0) {
      return io_error(fmt::format(
          "the backup is restored in {}, but its previous contents, now in {}, could not be "
          "renamed to {}: {}",
          data_dir, staging, aside, std::strerror(errno)));
    }
    return aside;
  }
  if (errno != EINVAL && errno != ENOSYS) {
    return io_error(
        fmt::format("cannot exchange {} and {}: {}", staging, data_dir, std::strerror(errno)));
  }
  // A file system without RENAME_EXCHANGE: two renames, with a moment without DATA.
  if (::rename(data_dir.c_str(), aside.c_str()) != 0) {
    return io_error(
        fmt::format("cannot move {} aside to {}: {}", data_dir, aside, std::strerror(errno)));
  }
  staged.committed();  // the old contents must survive a failure below
  if (::rename(staging.c_str(), data_dir.c_str()) != 0) {
    return io_error(
        fmt::format("{} was moved aside to {}, but the restored copy {} could not "
                    "take its place: {}",
                    data_dir, aside, staging, std::strerror(errno)));
  }
  return aside;
}

}  // namespace

Result<RestoreReport> restore_data_dir(const std::string& backup_arg, const std::string& data_arg,
                                       RestoreMode mode) {
  const std::string src = mailbox::without_trailing_slash(backup_arg);
  const std::string data_dir = mailbox::without_trailing_slash(data_arg);
  if (src.empty() || data_dir.empty()) return invalid_argument("empty path");
  MF_ASSIGN_OR_RETURN(BackupManifest manifest, read_backup_manifest(src));

  // The target: missing, empty, or (kReplace) anything not owned by a running daemon.
  struct stat st {};
  bool existed = ::stat(data_dir.c_str(), &st) == 0;
  if (!existed && errno != ENOENT) {
    return io_error(fmt::format("cannot use {}: {}", data_dir, std::strerror(errno)));
  }
  if (existed && !S_ISDIR(st.st_mode)) {
    return already_exists(fmt::format("{} exists and is not a directory", data_dir));
  }
  mailbox::FileLock owner;
  bool was_empty = false;
  if (existed) {
    MF_ASSIGN_OR_RETURN(auto lock, mailbox::try_lock_owner(data_dir));
    if (!lock) {
      return failed_precondition(fmt::format(
          "mailfountaind (or another program storing mail) is running on {}: stop it before "
          "restoring",
          data_dir));
    }
    owner = std::move(*lock);
    MF_ASSIGN_OR_RETURN(was_empty, mailbox::dir_is_empty(data_dir));
    if (!was_empty && mode == RestoreMode::kIntoEmpty) {
      return already_exists(fmt::format(
          "{} is not empty: restore into a new or empty directory, or replace it (its contents "
          "are then moved aside, not deleted)",
          data_dir));
    }
  } else {
    std::string parent = mailbox::parent_dir(data_dir);
    MF_ASSIGN_OR_RETURN(bool parent_exists, mailbox::path_exists(parent));
    if (!parent_exists) {
      return not_found(fmt::format("cannot create {}: {} does not exist", data_dir, parent));
    }
  }

  // Assemble and check the copy.
  MF_ASSIGN_OR_RETURN(auto staging, mailbox::StagingDir::create(data_dir + ".restoring"));
  const std::string dir = staging.path();
  uint64_t store_bytes = 0, bodies = 0, body_bytes = 0, other_files = 0, other_bytes = 0;
  MF_RETURN_IF_ERROR(mailbox::make_private_dir(dir + "/store"));
  MF_ASSIGN_OR_RETURN(bool has_store, mailbox::path_exists(src + "/store/data.mdb"));
  if (!has_store) return corruption(fmt::format("the backup {} has no store/data.mdb", src));
  MF_RETURN_IF_ERROR(
      mailbox::copy_file(src + "/store/data.mdb", dir + "/store/data.mdb", 0600, &store_bytes));
  MF_ASSIGN_OR_RETURN(bool has_messages, mailbox::path_exists(src + "/messages"));
  if (!has_messages) return corruption(fmt::format("the backup {} has no messages/", src));
  MF_RETURN_IF_ERROR(
      mailbox::copy_tree(src + "/messages", dir + "/messages", &bodies, &body_bytes));
  for (const char* sub : mailbox::kKeyDirectories) {
    MF_ASSIGN_OR_RETURN(bool present, mailbox::path_exists(src + "/" + sub));
    if (!present) continue;
    MF_RETURN_IF_ERROR(
        mailbox::copy_tree(src + "/" + sub, dir + "/" + sub, &other_files, &other_bytes));
  }
  if (store_bytes != manifest.store_bytes || bodies != manifest.bodies ||
      body_bytes != manifest.body_bytes) {
    return corruption(fmt::format(
        "the backup {} does not match its manifest: the store has {} bytes (manifest: {}), "
        "messages/ has {} files of {} bytes (manifest: {} bodies of {} bytes)",
        src, store_bytes, manifest.store_bytes, bodies, body_bytes, manifest.bodies,
        manifest.body_bytes));
  }
  MF_RETURN_IF_ERROR(check_store(dir + "/store", manifest));
  ::unlink((dir + "/store/lock.mdb").c_str());
  MF_RETURN_IF_ERROR(BodyFiles::sync_dir(dir + "/store"));
  MF_RETURN_IF_ERROR(BodyFiles::sync_dir(dir));

  RestoreReport report;
  report.data_dir = data_dir;
  report.manifest = manifest;
  MF_ASSIGN_OR_RETURN(report.moved_aside, swap_in(staging, data_dir, existed, was_empty));
  MF_RETURN_IF_ERROR(BodyFiles::sync_dir(mailbox::parent_dir(data_dir)));
  return report;
}

}  // namespace mf
