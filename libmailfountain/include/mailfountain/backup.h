// mailfountain/backup.h — a consistent copy of a data directory while it is in use, and
// bringing such a copy back (docs/mailbox.md, "Backup and restore").
//
// A backup is a directory holding:
//   manifest          what the backup holds (format below); written last
//   store/data.mdb    a compacted snapshot of the LMDB environment
//   messages/SSSSSS/NNNNNNNNNNNNNNNN   every body file that snapshot refers to
//   tls/              the data directory's tls/ (the self-signed certificate and key)
// Every file is fsynced. It is written into DEST.partial and renamed to DEST only when
// complete, so a directory named DEST is always a whole backup.
//
// The manifest is text, one "key value" line each, in this order:
//   mailfountain-backup 1      the format version
//   created 1714557600         Unix time of the snapshot
//   schema_version 2           of the store in the snapshot
//   bodies 1234                body files copied
//   body_bytes 5678901         their total size
//   store_bytes 123456         size of store/data.mdb
//
// Thread-safety: these functions may run on any thread; they block for the whole copy.
#ifndef MAILFOUNTAIN_BACKUP_H
#define MAILFOUNTAIN_BACKUP_H

#include <mailfountain/export.h>
#include <mailfountain/status.h>

#include <cstdint>
#include <string>

namespace mf {

class Context;

// What a backup holds, as its manifest says.
struct BackupManifest {
  uint32_t format = 0;  // the manifest's format version (1)
  int64_t created_at = 0;
  uint32_t schema_version = 0;
  uint64_t bodies = 0;
  uint64_t body_bytes = 0;
  uint64_t store_bytes = 0;
};

struct BackupReport {
  std::string path;  // the finished backup directory (DEST)
  BackupManifest manifest;
  uint64_t other_files = 0;  // files copied besides the store and the bodies (tls/)
};

// Copies the data directory of `context` into `dest`, which must not exist or be an
// empty directory (kAlreadyExists otherwise; also when DEST.partial is left by an
// interrupted backup: remove it first). The parent of `dest` must exist (kNotFound).
// Works while mailfountaind runs and delivers: the LMDB snapshot is taken first, then the
// bodies it refers to are copied while body deletion is held off (a shared flock on
// DATA/messages/backup.lock, which the garbage sweep takes exclusively without waiting,
// skipping its turn when it cannot). Bodies written after the snapshot are not copied.
// A body the snapshot refers to but that is missing or of the wrong size fails the
// backup with kCorruption, naming it. Nothing is left at `dest` on failure.
MF_EXPORT Result<BackupReport> backup_data_dir(Context& context, const std::string& dest);

// Reads and checks the manifest of the backup at `dir`: kNotFound when `dir` does not
// exist; kInvalidArgument when it is not a backup (no manifest); kCorruption when the
// manifest is malformed; kUnsupported when its format or schema version is newer than this
// library's.
MF_EXPORT Result<BackupManifest> read_backup_manifest(const std::string& dir);

enum class RestoreMode {
  kIntoEmpty,  // the data directory must not exist or be empty (else kAlreadyExists)
  kReplace,    // a non-empty data directory is moved aside (renamed), never deleted
};

struct RestoreReport {
  std::string data_dir;
  std::string moved_aside;  // where the previous contents went (kReplace), or ""
  BackupManifest manifest;
};

// Brings the backup at `backup_dir` back as the data directory `data_dir`. Checks the
// manifest (read_backup_manifest) and that the copied store and bodies match it
// (kCorruption otherwise); refuses with kFailedPrecondition while a process owns
// deliveries on `data_dir` (mailfountaind running: its flock on messages/owner.lock). The
// copy is assembled in DATA.restoring and swapped in with one rename (renameat2
// RENAME_EXCHANGE when replacing), so `data_dir` is never half restored; with kReplace the
// old contents end up in DATA.before-restore-YYYYmmddTHHMMSS. The restored directory
// opens with Context::open (older schema versions are migrated then as usual).
MF_EXPORT Result<RestoreReport> restore_data_dir(const std::string& backup_dir,
                                                 const std::string& data_dir, RestoreMode mode);

}  // namespace mf

#endif  // MAILFOUNTAIN_BACKUP_H
