// net/tls_context.h — mbedTLS configurations for MailFountain's TLS endpoints: one
// TlsServerContext per listener configuration, one TlsClientContext per outbound policy.
//
// A context owns everything a TLS connection needs besides its own mbedtls_ssl_context: an
// entropy source and CTR_DRBG of its own (no global state), the mbedtls_ssl_config, the
// certificates and keys. Connections hold it through std::shared_ptr, so a SIGHUP reload
// builds a new context for new connections while the old ones keep theirs until they close.
//
// Both sides speak TLS 1.2 only: the minimum is set explicitly (never left to the library's
// default), and Debian 12's mbedTLS 2.28 has no TLS 1.3 (MBEDTLS_SSL_PROTO_TLS1_3_EXPERIMENTAL
// is off). There is no session cache and no session tickets: every connection makes a full
// handshake, and the context holds no state that changes per connection.
//
// Threading: a context is immutable after create() and may be shared by the connections of
// one event_base thread; that is the design. Debian's mbedTLS is built with
// MBEDTLS_THREADING_C and MBEDTLS_THREADING_PTHREAD, so the DRBG, the entropy pool and the RSA
// keys lock internally and sharing one context across threads is also safe (this file checks
// the build flag at compile time); nothing else in the context is written after create().
#ifndef MF_NET_TLS_CONTEXT_H
#define MF_NET_TLS_CONTEXT_H

#include <mailfountain/status.h>

#include <mbedtls/ssl.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mf::net {

// Which cipher suites a context offers or accepts (both TLS 1.2; lists in docs/tls.md).
enum class TlsProfile {
  // Submission (587, 465) and, later, IMAP and POP3: ECDHE key exchange with an AEAD cipher
  // (AES-GCM or ChaCha20-Poly1305) only, for ECDSA and RSA certificates alike.
  kStrict,
  // Port 25 (MX peers are diverse): also DHE, AES-CCM and the CBC suites with SHA-256/384 or
  // SHA-1 MACs, still forward-secret only: no static-RSA key exchange, no RC4, 3DES, NULL or
  // export suites.
  kMx,
};

// The mbedTLS suite identifiers of a profile, strongest first.
const std::vector<int>& tls_profile_suites(TlsProfile profile);

// A certificate chain (PEM: the leaf first, then intermediates) and its private key (PEM).
struct TlsCertificateFiles {
  std::string cert_file;
  std::string key_file;
};

// One SNI entry: connections asking for `server_name` (compared case-insensitively, exact
// name; no wildcards) get these files instead of the default certificate.
struct TlsSniEntry {
  std::string server_name;
  TlsCertificateFiles files;
};

struct TlsServerConfig {
  TlsCertificateFiles certificate;  // the default certificate, for unknown or absent SNI
  std::vector<TlsSniEntry> sni;     // may be empty
  TlsProfile profile = TlsProfile::kStrict;
};

class TlsServerContext {
 public:
  // Reads and checks every certificate and key. Errors (all kInvalidArgument or kIOError,
  // with the file name): "cannot read certificate /x/y.pem: No such file or directory",
  // "cannot parse key /x/y.key: ...", "key /x/y.key does not match certificate /x/y.pem".
  static Result<std::shared_ptr<TlsServerContext>> create(const TlsServerConfig& config);

  ~TlsServerContext();
  TlsServerContext(const TlsServerContext&) = delete;
  TlsServerContext& operator=(const TlsServerContext&) = delete;

  // The configuration connections are set up with (valid as long as the context).
  const mbedtls_ssl_config* ssl_config() const;
  TlsProfile profile() const;

  struct Impl;
  explicit TlsServerContext(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

// How a client treats the server's certificate.
enum class TlsVerify {
  kNone,      // not checked at all (opportunistic TLS that does not even look)
  kOptional,  // checked; the result is reported (TlsSessionInfo) but never fails the handshake
  kRequired,  // checked against the CAs and the server name; a failure fails the handshake
};

struct TlsClientConfig {
  // Trusted CAs: a PEM file and/or a directory of PEM files (e.g. /etc/ssl/certs). Both
  // empty with kRequired means no server can be verified.
  std::string ca_file;
  std::string ca_path;
  TlsVerify verify = TlsVerify::kRequired;
  // kMx by default: the SMTP client talks to MX servers, which are as diverse as MX clients.
  TlsProfile profile = TlsProfile::kMx;
  // Applied last to the finished configuration. An escape hatch for settings this struct
  // lacks; the unit tests use it to build TLS 1.1-only and CBC-only clients. Production code
  // should not need it.
  std::function<Status(mbedtls_ssl_config&)> adjust;
};

class TlsClientContext {
 public:
  // Errors as for TlsServerContext::create, naming the CA file or directory.
  static Result<std::shared_ptr<TlsClientContext>> create(const TlsClientConfig& config);

  ~TlsClientContext();
  TlsClientContext(const TlsClientContext&) = delete;
  TlsClientContext& operator=(const TlsClientContext&) = delete;

  const mbedtls_ssl_config* ssl_config() const;
  TlsVerify verify() const;

  struct Impl;
  explicit TlsClientContext(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

// mbedTLS's text for an error code, e.g. "SSL - Processing of the ClientHello handshake
// message failed (-0x7900)".
std::string tls_error_text(int mbedtls_error);

// The key of a generated certificate.
enum class SelfSignedKey {
  // RSA 2048: the default, because every MX peer in the wild can use it, including old
  // ones that know no ECDSA suite.
  kRsa2048,
  // ECDSA on P-256: smaller and faster; for tests and for callers that know their peers.
  kEcdsaP256,
};

// Makes a self-signed certificate for `hostname` (the daemon's fallback when no certificate
// is configured): CN = hostname, subjectAltName dNSName = hostname, SHA-256 signature, a
// random 128-bit serial, valid from now for 10 years, basicConstraints CA:FALSE. Writes the
// key (mode 0600) then the certificate (mode 0644), each atomically: a temporary file in the
// same directory, fsync, then link() into place (which, unlike rename(), never replaces a
// file that appeared meanwhile) and an fsync of the directory.
// Errors: kAlreadyExists if either file exists (neither is touched); kInvalidArgument if
// hostname is not a DNS name (letters, digits, '-', '.'); kIOError for the filesystem.
Status generate_self_signed(std::string_view hostname, const std::string& cert_path,
                            const std::string& key_path,
                            SelfSignedKey key_type = SelfSignedKey::kRsa2048);

}  // namespace mf::net

#endif  // MF_NET_TLS_CONTEXT_H
