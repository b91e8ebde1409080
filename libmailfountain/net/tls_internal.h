// net/tls_internal.h — pieces shared by the TLS files of net/ (not for other modules).
#ifndef MF_NET_TLS_INTERNAL_H
#define MF_NET_TLS_INTERNAL_H

#include <mailfountain/status.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>

#include <string>
#include <string_view>

namespace mf::net {

// An entropy pool and a CTR_DRBG seeded from it, owned by one context (no global RNG).
// Not movable: the DRBG keeps a pointer to the pool.
class TlsRandom {
 public:
  TlsRandom();
  ~TlsRandom();
  TlsRandom(const TlsRandom&) = delete;
  TlsRandom& operator=(const TlsRandom&) = delete;

  // Seeds the DRBG; `personalization` separates the streams of distinct uses.
  Status seed(std::string_view personalization);
  mbedtls_ctr_drbg_context* drbg() { return &drbg_; }

 private:
  mbedtls_entropy_context entropy_;
  mbedtls_ctr_drbg_context drbg_;
};

// What the TLS contexts know about a connection: mbedtls_ssl_set_bio's context pointer is
// always a TlsBioUser, so that the server's SNI callback can record the name the client
// asked for (mbedTLS 2.28 has no getter for it).
struct TlsBioUser {
  std::string sni_received;
};

// The whole content of a file, or kIOError "cannot read <what> <path>: <strerror>".
Result<std::string> read_whole_file(const std::string& path, std::string_view what);

}  // namespace mf::net

#endif  // MF_NET_TLS_INTERNAL_H
