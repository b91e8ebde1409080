// net/key_generation.cpp — RSA key generation and key files (see key_generation.h).
#include "net/key_generation.h"

#include "net/tls_context.h"
#include "net/tls_internal.h"

#include <mbedtls/platform_util.h>
#include <mbedtls/rsa.h>

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace mf::net {

Status generate_rsa_key(mbedtls_pk_context* key, mbedtls_ctr_drbg_context* drbg, unsigned bits) {
  int rc = mbedtls_pk_setup(key, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA));
  if (rc != 0) return internal_error("RSA key generation: pk_setup: " + tls_error_text(rc));
  rc = mbedtls_rsa_gen_key(mbedtls_pk_rsa(*key), mbedtls_ctr_drbg_random, drbg, bits, 65537);
  if (rc != 0) return internal_error("RSA key generation: " + tls_error_text(rc));
  return Status::ok();
}

Result<std::string> generate_rsa_key_pem(unsigned bits) {
  struct Key {
    mbedtls_pk_context pk;
    Key() { mbedtls_pk_init(&pk); }
    ~Key() { mbedtls_pk_free(&pk); }
  } key;
  TlsRandom random;
  MF_RETURN_IF_ERROR(random.seed("mailfountain rsa key"));
  MF_RETURN_IF_ERROR(generate_rsa_key(&key.pk, random.drbg(), bits));
  std::vector<unsigned char> pem(16384);
  int rc = mbedtls_pk_write_key_pem(&key.pk, pem.data(), pem.size());
  if (rc != 0) return internal_error("RSA key generation: writing PEM: " + tls_error_text(rc));
  std::string out(reinterpret_cast<const char*>(pem.data()));
  mbedtls_platform_zeroize(pem.data(), pem.size());
  return out;
}

// Writes `data` to `path` atomically and never over an existing file: a temporary file in
// the same directory (created 0600, so a key is never readable by others, even briefly),
// fsync, link() into place (fails with EEXIST where rename() would replace), fsync of the
// directory so the new name survives a crash.
Status write_new_file(const std::string& path, std::string_view data, mode_t mode) {
  std::string tmp = path + ".tmp-XXXXXX";
  int fd = mkstemp(tmp.data());
  if (fd < 0)
    return io_error(fmt::format("cannot create a file beside {}: {}", path, std::strerror(errno)));
  auto fail = [&](std::string what) {
    int saved = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return io_error(fmt::format("cannot {} {}: {}", what, tmp, std::strerror(saved)));
  };
  if (fchmod(fd, mode) != 0) return fail("set the mode of");
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail("write");
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0) return fail("fsync");
  ::close(fd);
  if (::link(tmp.c_str(), path.c_str()) != 0) {
    int saved = errno;
    ::unlink(tmp.c_str());
    if (saved == EEXIST) return already_exists(fmt::format("{} already exists", path));
    return io_error(fmt::format("cannot create {}: {}", path, std::strerror(saved)));
  }
  ::unlink(tmp.c_str());
  // (std::filesystem::path::parent_path trips g++ 12's -Wrestrict false positive at -O2.)
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "."
                          : slash == 0               ? "/"
                                                     : path.substr(0, slash);
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    int rc = fsync(dfd);
    ::close(dfd);
    if (rc != 0) return io_error(fmt::format("cannot fsync {}: {}", dir, std::strerror(errno)));
  }
  return Status::ok();
}

}  // namespace mf::net
