// net/key_generation.h — RSA key generation with mbedTLS and writing key files, shared by
// the self-signed TLS certificate (net/tls_self_signed.cpp) and the DKIM keys
// (dkim/key_store.cpp).
//
// Slow: a 2048-bit key takes about 0.1 to 1 s of one core (prime search), and the file
// writes fsync. Never call these on an event loop thread. Thread-safe: no shared state.
#ifndef MF_NET_KEY_GENERATION_H
#define MF_NET_KEY_GENERATION_H

#include <mailfountain/status.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/pk.h>

#include <sys/types.h>

#include <string>
#include <string_view>

namespace mf::net {

// Sets up `key` (initialized with mbedtls_pk_init, not yet set up) as a new RSA key of
// `bits` bits with public exponent 65537, drawing randomness from `drbg`.
// kInternal when mbedTLS fails (it does not on a sane system).
Status generate_rsa_key(mbedtls_pk_context* key, mbedtls_ctr_drbg_context* drbg, unsigned bits);

// A new RSA private key of `bits` bits in PEM ("-----BEGIN RSA PRIVATE KEY-----", PKCS#1),
// from a random generator of its own. The caller should zeroize the string when done.
Result<std::string> generate_rsa_key_pem(unsigned bits);

// Writes `data` to a new file `path` with permissions `mode`, atomically and never over an
// existing file (kAlreadyExists then): the bytes go to a temporary 0600 file in the same
// directory (a key is never readable by others, even briefly), are synced, linked into
// place, and the directory is synced so the new name survives a crash. kIOError otherwise.
Status write_new_file(const std::string& path, std::string_view data, mode_t mode);

}  // namespace mf::net

#endif  // MF_NET_KEY_GENERATION_H
