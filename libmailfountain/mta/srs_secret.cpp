// mta/srs_secret.cpp — DATA/srs/secret.
#include "mta/srs_secret.h"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mf::mta {

namespace {

Status errno_error(std::string_view what, const std::string& path) {
  return io_error(fmt::format("cannot {} {}: {}", what, path, std::strerror(errno)));
}

Result<std::string> read_secret(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno_error("open", path);
  char buf[256];
  ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  if (n < 0) return errno_error("read", path);
  std::string secret(buf, static_cast<size_t>(n));
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (secret.empty()) return corruption(fmt::format("{} is empty", path));
  return secret;
}

}  // namespace

Result<std::string> load_or_create_srs_secret(const std::string& data_dir) {
  const std::string dir = data_dir + "/srs";
  const std::string path = dir + "/secret";
  if (::access(path.c_str(), F_OK) == 0) return read_secret(path);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return errno_error("create", dir);
  unsigned char raw[32];
  if (::getrandom(raw, sizeof raw, 0) != static_cast<ssize_t>(sizeof raw))
    return errno_error("get random bytes for", path);
  std::string hex;
  for (unsigned char c : raw) hex += fmt::format("{:02x}", c);
  // Written aside, synced, then renamed: a crash never leaves a short key in place.
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return errno_error("create", tmp);
  std::string line = hex + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
            ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (!ok) {
    errno = err;
    ::unlink(tmp.c_str());
    return errno_error("write", tmp);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) return errno_error("rename", tmp);
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    (void)::fsync(dfd);
    ::close(dfd);
  }
  return hex;
}

}  // namespace mf::mta
