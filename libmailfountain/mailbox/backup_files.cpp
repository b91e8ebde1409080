// mailbox/backup_files.cpp — durable copies, staging directories and the backup lock
// (backup_files.h).
#include "mailbox/backup_files.h"

#include "mailbox/body_files.h"

#include <fmt/format.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <vector>

namespace mf::mailbox {

namespace {

Status backup_file_error(std::string_view what, const std::string& path) {
  return io_error(fmt::format("{} {}: {}", what, path, std::strerror(errno)));
}

// Closes `fd` on every path out of a scope.
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

Result<std::optional<FileLock>> lock_file(const std::string& path, int operation, bool create) {
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
  if (fd < 0) {
    if (!create && errno == ENOENT) return std::optional<FileLock>(FileLock());
    return backup_file_error("cannot open", path);
  }
  FileLock lock(fd);
  for (;;) {
    if (::flock(fd, operation) == 0) return std::optional<FileLock>(std::move(lock));
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK && (operation & LOCK_NB)) return std::optional<FileLock>();
    return backup_file_error("cannot lock", path);
  }
}

// Copies the bytes of `in` to `out` (both at offset 0), in the kernel when it can.
Status copy_bytes(int in, int out, const std::string& from, uint64_t* copied) {
  uint64_t total = 0;
  bool in_kernel = true;
  std::vector<char> buffer;
  for (;;) {
    ssize_t n;
    if (in_kernel) {
      n = ::copy_file_range(in, nullptr, out, nullptr, 1 << 20, 0);
      if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP) &&
          total == 0) {
        in_kernel = false;  // another file system, or an old kernel: plain reads and writes
        continue;
      }
    } else {
      buffer.resize(64 * 1024);
      n = ::read(in, buffer.data(), buffer.size());
      for (ssize_t done = 0; n > 0 && done < n;) {
        ssize_t w = ::write(out, buffer.data() + done, static_cast<size_t>(n - done));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return backup_file_error("cannot write the copy of", from);
        done += w;
      }
    }
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      return backup_file_error("cannot copy", from);
    }
    total += static_cast<uint64_t>(n);
  }
  *copied = total;
  return Status::ok();
}

}  // namespace

// ---- FileLock ----

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

FileLock::~FileLock() {
  release();
}

void FileLock::release() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
  fd_ = -1;
}

std::string backup_lock_path(const std::string& messages_root) {
  return messages_root + "/backup.lock";
}

Result<FileLock> hold_off_body_deletion(const std::string& messages_root) {
  MF_ASSIGN_OR_RETURN(auto lock, lock_file(backup_lock_path(messages_root), LOCK_SH, true));
  // A blocking lock is always taken or an error; the check keeps the contract explicit.
  if (!lock.has_value()) return internal_error("the backup lock was not taken");
  return std::move(*lock);
}

Result<std::optional<FileLock>> permit_body_deletion(const std::string& messages_root) {
  return lock_file(backup_lock_path(messages_root), LOCK_EX | LOCK_NB, true);
}

Result<std::optional<FileLock>> try_lock_owner(const std::string& data_dir) {
  return lock_file(data_dir + "/messages/owner.lock", LOCK_EX | LOCK_NB, false);
}

// ---- StagingDir ----

Result<StagingDir> StagingDir::create(std::string path) {
  if (::mkdir(path.c_str(), 0700) != 0) {
    if (errno == EEXIST) {
      return already_exists(fmt::format(
          "{} exists: an interrupted backup or restore left it; remove it and try again", path));
    }
    return backup_file_error("cannot create directory", path);
  }
  return StagingDir(std::move(path));
}

StagingDir::~StagingDir() {
  if (path_.empty()) return;
  std::error_code ec;  // nothing to report to: the failure that brought us here is
  std::filesystem::remove_all(path_, ec);
}

// ---- Copies ----

Status copy_file(const std::string& from, const std::string& to, mode_t mode, uint64_t* bytes) {
  int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return backup_file_error("cannot open", from);
  FdCloser close_in{in};
  int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 07777);
  if (out < 0) return backup_file_error("cannot create", to);
  FdCloser close_out{out};
  // open() applies the umask; the copy keeps the original's bits.
  if (::fchmod(out, mode & 07777) != 0) return backup_file_error("cannot set the mode of", to);
  uint64_t copied = 0;
  MF_RETURN_IF_ERROR(copy_bytes(in, out, from, &copied));
  if (::fsync(out) != 0) return backup_file_error("cannot sync", to);
  close_out.fd = -1;
  if (::close(out) != 0) return backup_file_error("cannot close", to);
  *bytes += copied;
  return Status::ok();
}

Status copy_tree(const std::string& from, const std::string& to, uint64_t* files, uint64_t* bytes) {
  struct stat st {};
  if (::stat(from.c_str(), &st) != 0) return backup_file_error("cannot read", from);
  if (::mkdir(to.c_str(), 0700) != 0) return backup_file_error("cannot create directory", to);
  DIR* dir = ::opendir(from.c_str());
  if (!dir) return backup_file_error("cannot read directory", from);
  std::vector<std::string> names;
  while (dirent* e = ::readdir(dir)) {
    std::string_view n = e->d_name;
    if (n != "." && n != "..") names.emplace_back(n);
  }
  ::closedir(dir);
  for (const std::string& name : names) {
    std::string source = from + "/" + name;
    struct stat entry {};
    if (::lstat(source.c_str(), &entry) != 0) return backup_file_error("cannot read", source);
    if (S_ISDIR(entry.st_mode)) {
      MF_RETURN_IF_ERROR(copy_tree(source, to + "/" + name, files, bytes));
    } else if (S_ISREG(entry.st_mode)) {
      MF_RETURN_IF_ERROR(copy_file(source, to + "/" + name, entry.st_mode, bytes));
      ++*files;
    } else {
      return unsupported(
          fmt::format("{} is neither a regular file nor a directory: it cannot be copied", source));
    }
  }
  if (::chmod(to.c_str(), st.st_mode & 07777) != 0)
    return backup_file_error("cannot set the mode of", to);
  return BodyFiles::sync_dir(to);
}

// ---- Small things ----

Result<bool> path_exists(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) return true;
  if (errno == ENOENT) return false;
  return backup_file_error("cannot read", path);
}

Result<bool> dir_is_empty(const std::string& path) {
  DIR* dir = ::opendir(path.c_str());
  if (!dir) return backup_file_error("cannot read directory", path);
  bool empty = true;
  while (dirent* e = ::readdir(dir)) {
    std::string_view n = e->d_name;
    if (n != "." && n != "..") {
      empty = false;
      break;
    }
  }
  ::closedir(dir);
  return empty;
}

Status make_private_dir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) == 0) return Status::ok();
  if (errno == EEXIST) return already_exists(fmt::format("{} exists", path));
  return backup_file_error("cannot create directory", path);
}

Status write_new_file(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return backup_file_error("cannot create", path);
  FdCloser closer{fd};
  for (size_t done = 0; done < text.size();) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return backup_file_error("cannot write", path);
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) return backup_file_error("cannot sync", path);
  return Status::ok();
}

std::string without_trailing_slash(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

std::string parent_dir(const std::string& path) {
  std::string p = without_trailing_slash(path);
  size_t slash = p.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return p.substr(0, slash);
}

}  // namespace mf::mailbox
