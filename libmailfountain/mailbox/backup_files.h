// mailbox/backup_files.h — the file work of backup and restore: durable copies of files
// and directory trees, staging directories that vanish unless completed, and the lock
// that holds off body deletion while a backup copies bodies.
//
// The lock: DATA/messages/backup.lock. A backup holds it shared (waiting for a sweep in
// progress to finish) from before its LMDB snapshot until it has copied every body that
// snapshot refers to. The garbage sweep takes it exclusively without waiting and, when a
// backup holds it, leaves the garbage list for its next turn. Several backups may run at
// once. flock(2) locks belong to the open file, so this also works between two opens in
// one process (the unit tests).
//
// Thread-safety: free functions; a FileLock or StagingDir belongs to one thread at a time.
#ifndef MF_MAILBOX_BACKUP_FILES_H
#define MF_MAILBOX_BACKUP_FILES_H

#include <mailfountain/status.h>

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace mf::mailbox {

// An flock(2) held on an open file; released (closed) on destruction. Move-only.
class FileLock {
 public:
  FileLock() = default;
  explicit FileLock(int fd) : fd_(fd) {}
  FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

  bool held() const { return fd_ >= 0; }
  void release();

 private:
  int fd_ = -1;
};

// `messages_root` is DATA/messages (BodyFiles::root()).
std::string backup_lock_path(const std::string& messages_root);
// The backup's side: shared, waits for a sweep in progress.
Result<FileLock> hold_off_body_deletion(const std::string& messages_root);
// The sweep's side: exclusive, never waits; nullopt while a backup holds the lock.
Result<std::optional<FileLock>> permit_body_deletion(const std::string& messages_root);

// The owner's lock of a data directory (messages/owner.lock, MailStore::open), taken
// exclusively without waiting: nullopt when a process owns deliveries there. A data
// directory without the file is not owned (the lock is then not created).
Result<std::optional<FileLock>> try_lock_owner(const std::string& data_dir);

// A directory being assembled (DEST.partial, DATA.restoring): created here (kAlreadyExists
// if it exists: left by an interrupted run), removed with its contents on destruction
// unless commit() renamed it into place.
class StagingDir {
 public:
  static Result<StagingDir> create(std::string path);
  StagingDir(StagingDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  StagingDir& operator=(StagingDir&&) = delete;
  StagingDir(const StagingDir&) = delete;
  ~StagingDir();

  const std::string& path() const { return path_; }
  // Hands the directory over (it was renamed); the destructor no longer removes it.
  void committed() { path_.clear(); }

 private:
  explicit StagingDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// Copies the regular file `from` to the new file `to` (which must not exist) with the mode
// `mode`, fsyncs it, and adds its size to *bytes.
Status copy_file(const std::string& from, const std::string& to, mode_t mode, uint64_t* bytes);

// Copies the tree `from` (directories and regular files; anything else is refused with
// kUnsupported) into `to`, which must not exist, keeping permission bits; every file and
// directory is fsynced. Adds to *files and *bytes.
Status copy_tree(const std::string& from, const std::string& to, uint64_t* files, uint64_t* bytes);

// The directories of DATA holding keys a backup carries besides the store and the bodies:
// the TLS certificate and key, and the DKIM keys of the domains.
inline constexpr const char* kKeyDirectories[] = {"tls", "dkim"};

// Whether `path` exists (any kind of file).
Result<bool> path_exists(const std::string& path);
// Whether the directory `path` has no entries.
Result<bool> dir_is_empty(const std::string& path);
// mkdir with mode 0700; kAlreadyExists when it exists.
Status make_private_dir(const std::string& path);
// Writes `text` to the new file `path` (mode 0600) and fsyncs it.
Status write_new_file(const std::string& path, const std::string& text);
// `path` without trailing slashes ("/" stays "/"); and its parent directory ("." if none).
std::string without_trailing_slash(std::string path);
std::string parent_dir(const std::string& path);

}  // namespace mf::mailbox

#endif  // MF_MAILBOX_BACKUP_FILES_H
