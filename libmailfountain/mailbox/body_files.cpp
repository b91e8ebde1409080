// mailbox/body_files.cpp — body files: writing, placing, orphan removal (body_files.h).
#include "mailbox/body_files.h"

#include <fmt/format.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace mf::mailbox {

namespace {

constexpr size_t kBufferBytes = 64 * 1024;
constexpr unsigned kShardBits = 12;

Status body_file_error(std::string_view what, const std::string& path) {
  return io_error(fmt::format("{} {}: {}", what, path, std::strerror(errno)));
}

Status make_dir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) == 0 || errno == EEXIST) return Status::ok();
  return body_file_error("cannot create directory", path);
}

// Parses a lower-case hex name of exactly `digits` digits.
bool parse_hex(std::string_view name, size_t digits, uint64_t* out) {
  if (name.size() != digits) return false;
  uint64_t v = 0;
  for (char c : name) {
    int d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else
      return false;
    v = (v << 4) | static_cast<uint64_t>(d);
  }
  *out = v;
  return true;
}

// The names in a directory (without "." and "..").
Result<std::vector<std::string>> list_dir(const std::string& path) {
  DIR* dir = ::opendir(path.c_str());
  if (!dir) return body_file_error("cannot read directory", path);
  std::vector<std::string> names;
  while (dirent* e = ::readdir(dir)) {
    std::string_view n = e->d_name;
    if (n != "." && n != "..") names.emplace_back(n);
  }
  ::closedir(dir);
  return names;
}

}  // namespace

// ---- StagedBody ----

StagedBody::StagedBody(StagedBody&& other) noexcept
    : fd_(other.fd_), tmp_path_(std::move(other.tmp_path_)), size_(other.size_) {
  other.fd_ = -1;
}

StagedBody& StagedBody::operator=(StagedBody&& other) noexcept {
  if (this != &other) {
    discard();
    fd_ = other.fd_;
    tmp_path_ = std::move(other.tmp_path_);
    size_ = other.size_;
    other.fd_ = -1;
  }
  return *this;
}

StagedBody::~StagedBody() {
  discard();
}

void StagedBody::discard() {
  if (fd_ < 0) return;
  ::close(fd_);
  fd_ = -1;
  if (!tmp_path_.empty()) ::unlink(tmp_path_.c_str());
}

void StagedBody::release_file() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  tmp_path_.clear();
}

// ---- BodyWriter ----

BodyWriter::BodyWriter(int fd, std::string tmp_path) : file_(fd, std::move(tmp_path), 0) {
  buffer_.reserve(kBufferBytes);
}

Status BodyWriter::flush() {
  size_t done = 0;
  while (done < buffer_.size()) {
    ssize_t n = ::write(file_.fd(), buffer_.data() + done, buffer_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      failed_ = body_file_error("cannot write message body", file_.tmp_path());
      return failed_;
    }
    done += static_cast<size_t>(n);
  }
  buffer_.clear();
  return Status::ok();
}

Status BodyWriter::append(std::string_view bytes) {
  MF_RETURN_IF_ERROR(failed_);
  if (!file_.valid()) return failed_precondition("the body writer is finished");
  size_ += bytes.size();
  if (buffer_.size() + bytes.size() > kBufferBytes) {
    MF_RETURN_IF_ERROR(flush());
    if (bytes.size() >= kBufferBytes) {
      buffer_.assign(bytes);  // one large chunk: written straight through
      return flush();
    }
  }
  buffer_.append(bytes);
  return Status::ok();
}

Result<StagedBody> BodyWriter::finish() {
  MF_RETURN_IF_ERROR(failed_);
  if (!file_.valid()) return failed_precondition("the body writer is finished");
  MF_RETURN_IF_ERROR(flush());
  // The staged body keeps a read-only descriptor: the committer maps it to parse the
  // structure and fsyncs through it (fsync works on any descriptor of the file).
  std::string path = file_.tmp_path();
  file_.release_file();
  int again = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (again < 0) {
    ::unlink(path.c_str());
    return body_file_error("cannot reopen message body", path);
  }
  return StagedBody(again, std::move(path), size_);
}

// ---- BodyFiles ----

std::string BodyFiles::shard_dir(uint64_t id) const {
  return fmt::format("{}/{:06x}", root_, id >> kShardBits);
}

std::string BodyFiles::path_of(uint64_t id) const {
  return fmt::format("{}/{:06x}/{:016x}", root_, id >> kShardBits, id);
}

Result<uint64_t> BodyFiles::prepare(uint64_t high_water) {
  MF_RETURN_IF_ERROR(make_dir(root_));
  MF_RETURN_IF_ERROR(make_dir(tmp_dir()));
  MF_ASSIGN_OR_RETURN(auto tmp_names, list_dir(tmp_dir()));
  for (const auto& n : tmp_names) ::unlink((tmp_dir() + "/" + n).c_str());
  // Only shards at or above the high-water mark's can hold orphans: the top level is
  // listed (one entry per 4096 bodies), the old shards are not opened.
  uint64_t removed = 0;
  MF_ASSIGN_OR_RETURN(auto shards, list_dir(root_));
  for (const auto& s : shards) {
    uint64_t shard = 0;
    if (!parse_hex(s, 6, &shard) || shard < (high_water >> kShardBits)) continue;
    std::string dir = root_ + "/" + s;
    MF_ASSIGN_OR_RETURN(auto files, list_dir(dir));
    for (const auto& f : files) {
      uint64_t id = 0;
      if (!parse_hex(f, 16, &id) || id <= high_water) continue;
      if (::unlink((dir + "/" + f).c_str()) == 0) ++removed;
    }
    if (removed) MF_RETURN_IF_ERROR(sync_dir(dir));
  }
  return removed;
}

Result<BodyWriter> BodyFiles::begin() {
  std::string path = fmt::format("{}/{}-{}.tmp", tmp_dir(), ::getpid(),
                                 tmp_seq_.fetch_add(1, std::memory_order_relaxed));
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return body_file_error("cannot create message body", path);
  return BodyWriter(fd, std::move(path));
}

Status BodyFiles::place(StagedBody& body, uint64_t id, bool* new_shard) {
  std::string shard = shard_dir(id);
  *new_shard = false;
  if (::mkdir(shard.c_str(), 0700) == 0) {
    *new_shard = true;
  } else if (errno != EEXIST) {
    return body_file_error("cannot create directory", shard);
  }
  std::string target = path_of(id);
  if (::rename(body.tmp_path().c_str(), target.c_str()) != 0) {
    return body_file_error("cannot move message body into", target);
  }
  body.forget_path();
  return Status::ok();
}

Status BodyFiles::sync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return body_file_error("cannot open directory", dir);
  int rc = ::fsync(fd);
  int saved = errno;
  ::close(fd);
  errno = saved;
  if (rc != 0) return body_file_error("cannot sync directory", dir);
  return Status::ok();
}

Status BodyFiles::remove(uint64_t id) {
  std::string path = path_of(id);
  if (::unlink(path.c_str()) == 0 || errno == ENOENT) return Status::ok();
  return body_file_error("cannot delete message body", path);
}

}  // namespace mf::mailbox
