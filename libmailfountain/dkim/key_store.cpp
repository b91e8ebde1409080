// dkim/key_store.cpp — DKIM key files: generation, selectors, the active key.
#include "dkim/key_store.h"

#include "mime/transfer_encoding.h"
#include "net/key_generation.h"
#include "net/tls_context.h"
#include "net/tls_internal.h"

#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>

#include <fmt/format.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

namespace mf::dkim {

namespace {

constexpr unsigned kKeyBits = 2048;

// Domain names become directory names: only lower-case letters, digits, hyphens and inner
// dots get through, so no name can climb out of DATA/dkim.
bool is_safe_domain(std::string_view d) {
  if (d.empty() || d.size() > 253 || d.front() == '.' || d.back() == '.') return false;
  for (size_t i = 0; i < d.size(); ++i) {
    char c = d[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
              (c == '.' && d[i - 1] != '.');
    if (!ok) return false;
  }
  return true;
}

Status make_dir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) == 0 || errno == EEXIST) return Status::ok();
  return io_error(fmt::format("cannot create {}: {}", path, std::strerror(errno)));
}

Status sync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error(fmt::format("cannot open {}: {}", dir, std::strerror(errno)));
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return io_error(fmt::format("cannot fsync {}: {}", dir, std::strerror(errno)));
  return Status::ok();
}

std::string trim_line(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// The selectors of the *.key files in `dir`; an absent directory has none.
Result<std::vector<std::string>> key_selectors(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    if (errno == ENOENT) return out;
    return io_error(fmt::format("cannot read {}: {}", dir, std::strerror(errno)));
  }
  while (dirent* e = ::readdir(d)) {
    std::string_view name(e->d_name);
    if (name.size() > 4 && name.substr(name.size() - 4) == ".key") {
      out.emplace_back(name.substr(0, name.size() - 4));
    }
  }
  ::closedir(d);
  std::sort(out.begin(), out.end(), std::greater<>());
  return out;
}

// Makes `selector` the active key: written beside, then renamed over "active".
Status set_active(const std::string& dir, const std::string& selector) {
  std::string next = dir + "/active.next";
  ::unlink(next.c_str());  // a leftover of a crash between write and rename
  MF_RETURN_IF_ERROR(net::write_new_file(next, selector + "\n", 0600));
  std::string active = dir + "/active";
  if (::rename(next.c_str(), active.c_str()) != 0) {
    return io_error(fmt::format("cannot rename {}: {}", next, std::strerror(errno)));
  }
  return sync_dir(dir);
}

}  // namespace

Result<std::string> next_selector(int64_t now, const std::vector<std::string>& taken) {
  std::time_t t = static_cast<std::time_t>(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::string base = fmt::format("mf{:04}{:02}", tm.tm_year + 1900, tm.tm_mon + 1);
  auto is_taken = [&](const std::string& s) {
    return std::find(taken.begin(), taken.end(), s) != taken.end();
  };
  if (!is_taken(base)) return base;
  for (char c = 'b'; c <= 'z'; ++c) {
    std::string candidate = base + c;
    if (!is_taken(candidate)) return candidate;
  }
  return resource_exhausted(
      fmt::format("DKIM: no selector left for {} (26 keys this month)", base));
}

Result<std::pair<std::string, unsigned>> public_key_of(std::string_view private_key_pem) {
  struct Pk {
    mbedtls_pk_context pk;
    Pk() { mbedtls_pk_init(&pk); }
    ~Pk() { mbedtls_pk_free(&pk); }
  } key;
  std::string pem(private_key_pem);
  int rc = mbedtls_pk_parse_key(&key.pk, reinterpret_cast<const unsigned char*>(pem.c_str()),
                                pem.size() + 1, nullptr, 0);
  mbedtls_platform_zeroize(pem.data(), pem.size());
  if (rc != 0) return invalid_argument("DKIM: cannot parse the key: " + net::tls_error_text(rc));
  unsigned char der[4096];
  // mbedtls_pk_write_pubkey_der writes at the end of the buffer and returns the length.
  rc = mbedtls_pk_write_pubkey_der(&key.pk, der, sizeof der);
  if (rc < 0)
    return internal_error("DKIM: cannot encode the public key: " + net::tls_error_text(rc));
  std::string_view spki(reinterpret_cast<const char*>(der + sizeof der - rc),
                        static_cast<size_t>(rc));
  return std::make_pair(mime::base64_encode(spki, mime::Base64Lines::kNone),
                        static_cast<unsigned>(mbedtls_pk_get_bitlen(&key.pk)));
}

DkimKeyStore::DkimKeyStore(std::string data_dir) : root_(std::move(data_dir) + "/dkim") {}

std::string DkimKeyStore::domain_dir(std::string_view domain) const {
  return fmt::format("{}/{}", root_, domain);
}

Result<std::vector<DkimKeyInfo>> DkimKeyStore::list(std::string_view domain) const {
  if (!is_safe_domain(domain)) {
    return invalid_argument(fmt::format("DKIM: not a lower-case ASCII domain name: '{}'", domain));
  }
  std::string dir = domain_dir(domain);
  MF_ASSIGN_OR_RETURN(std::vector<std::string> selectors, key_selectors(dir));
  if (selectors.empty()) return not_found(fmt::format("DKIM: the domain {} has no key", domain));
  std::string active;
  if (auto a = net::read_whole_file(dir + "/active", "DKIM active selector"); a.is_ok()) {
    active = trim_line(*a);
  }
  std::vector<DkimKeyInfo> out;
  for (const std::string& selector : selectors) {
    DkimKeyInfo info;
    info.domain = std::string(domain);
    info.selector = selector;
    info.active = selector == active;
    info.path = fmt::format("{}/{}.key", dir, selector);
    MF_ASSIGN_OR_RETURN(std::string pem, net::read_whole_file(info.path, "DKIM key"));
    auto pub = public_key_of(pem);
    mbedtls_platform_zeroize(pem.data(), pem.size());
    if (!pub.is_ok()) return corruption(fmt::format("{}: {}", info.path, pub.status().message()));
    info.public_key = pub->first;
    info.bits = pub->second;
    out.push_back(std::move(info));
  }
  std::stable_partition(out.begin(), out.end(), [](const DkimKeyInfo& k) { return k.active; });
  return out;
}

Result<DkimKeyInfo> DkimKeyStore::rotate(std::string_view domain, int64_t now) {
  if (!is_safe_domain(domain)) {
    return invalid_argument(fmt::format("DKIM: not a lower-case ASCII domain name: '{}'", domain));
  }
  std::string dir = domain_dir(domain);
  MF_RETURN_IF_ERROR(make_dir(root_));
  MF_RETURN_IF_ERROR(make_dir(dir));
  MF_ASSIGN_OR_RETURN(std::vector<std::string> taken, key_selectors(dir));
  MF_ASSIGN_OR_RETURN(std::string selector, next_selector(now, taken));
  MF_ASSIGN_OR_RETURN(std::string pem, net::generate_rsa_key_pem(kKeyBits));
  Status written = net::write_new_file(fmt::format("{}/{}.key", dir, selector), pem, 0600);
  mbedtls_platform_zeroize(pem.data(), pem.size());
  MF_RETURN_IF_ERROR(written);
  MF_RETURN_IF_ERROR(set_active(dir, selector));
  MF_ASSIGN_OR_RETURN(std::vector<DkimKeyInfo> keys, list(domain));
  return keys.front();
}

Result<DkimKeyInfo> DkimKeyStore::ensure(std::string_view domain, int64_t now) {
  auto keys = list(domain);
  if (keys.is_ok() && keys->front().active) return keys->front();
  if (keys.is_ok()) {
    // Keys but none active (the "active" file lost): the newest one signs again.
    MF_RETURN_IF_ERROR(set_active(domain_dir(domain), keys->front().selector));
    MF_ASSIGN_OR_RETURN(auto again, list(domain));
    return again.front();
  }
  if (keys.status().code() != Code::kNotFound) return keys.status();
  return rotate(domain, now);
}

Result<std::unique_ptr<DkimSigner>> DkimKeyStore::signer(std::string_view domain) const {
  MF_ASSIGN_OR_RETURN(std::vector<DkimKeyInfo> keys, list(domain));
  const DkimKeyInfo& key = keys.front();
  if (!key.active) {
    return not_found(fmt::format("DKIM: the domain {} has no active key", domain));
  }
  MF_ASSIGN_OR_RETURN(std::string pem, net::read_whole_file(key.path, "DKIM key"));
  auto signer = DkimSigner::create(domain, key.selector, pem);
  mbedtls_platform_zeroize(pem.data(), pem.size());
  return signer;
}

}  // namespace mf::dkim

namespace mf {

Result<DkimKey> dkim_ensure_key(const std::string& data_dir, std::string_view domain, int64_t now) {
  return dkim::DkimKeyStore(data_dir).ensure(domain, now);
}

Result<DkimKey> dkim_rotate_key(const std::string& data_dir, std::string_view domain, int64_t now) {
  return dkim::DkimKeyStore(data_dir).rotate(domain, now);
}

Result<std::vector<DkimKey>> dkim_list_keys(const std::string& data_dir, std::string_view domain) {
  return dkim::DkimKeyStore(data_dir).list(domain);
}

}  // namespace mf
