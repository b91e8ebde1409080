// net/tls_context.cpp — TlsServerContext and TlsClientContext: certificate loading, the
// cipher-suite profiles, SNI selection, and the per-context random generator.
#include "net/tls_context.h"

#include "net/tls_internal.h"

#include <mbedtls/dhm.h>
#include <mbedtls/error.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/ssl_ciphersuites.h>
#include <mbedtls/x509_crt.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <utility>

// The contract in tls_context.h (contexts may be shared across threads) rests on this.
#if !defined(MBEDTLS_THREADING_C) || !defined(MBEDTLS_THREADING_PTHREAD)
#error "mbedTLS must be built with MBEDTLS_THREADING_C and MBEDTLS_THREADING_PTHREAD"
#endif

namespace mf::net {

// ---- shared pieces ------------------------------------------------------------------------

TlsRandom::TlsRandom() {
  mbedtls_entropy_init(&entropy_);
  mbedtls_ctr_drbg_init(&drbg_);
}

TlsRandom::~TlsRandom() {
  mbedtls_ctr_drbg_free(&drbg_);
  mbedtls_entropy_free(&entropy_);
}

Status TlsRandom::seed(std::string_view personalization) {
  int rc = mbedtls_ctr_drbg_seed(&drbg_, mbedtls_entropy_func, &entropy_,
                                 reinterpret_cast<const unsigned char*>(personalization.data()),
                                 personalization.size());
  if (rc != 0) return internal_error("cannot seed the TLS random generator: " + tls_error_text(rc));
  return Status::ok();
}

std::string tls_error_text(int mbedtls_error) {
  char buf[256];
  mbedtls_strerror(mbedtls_error, buf, sizeof buf);
  return fmt::format("{} (-0x{:04X})", buf, mbedtls_error < 0 ? -mbedtls_error : mbedtls_error);
}

Result<std::string> read_whole_file(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return io_error(fmt::format("cannot read {} {}: {}", what, path, std::strerror(errno)));
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return io_error(fmt::format("cannot read {} {}: read error", what, path));
  return data;
}

const std::vector<int>& tls_profile_suites(TlsProfile profile) {
  // Zero-terminated, as mbedtls_ssl_conf_ciphersuites() wants; immutable after first use.
  static const std::vector<int> kStrict = {
      MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
      MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
      MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
      MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
      MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
      MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
      0,
  };
  static const std::vector<int> kMx = {
      // The strict list first: a modern peer gets the same suite as on submission.
      MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
      MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
      MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
      MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
      MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
      MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
      MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_CCM,
      MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_CCM,
      MBEDTLS_TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
      MBEDTLS_TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
      MBEDTLS_TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
      MBEDTLS_TLS_DHE_RSA_WITH_AES_256_CCM,
      MBEDTLS_TLS_DHE_RSA_WITH_AES_128_CCM,
      // CBC with HMAC: for MX peers whose TLS stacks predate AEAD.
      MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384,
      MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,
      MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
      MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
      MBEDTLS_TLS_DHE_RSA_WITH_AES_256_CBC_SHA256,
      MBEDTLS_TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,
      MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
      MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
      MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
      MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
      MBEDTLS_TLS_DHE_RSA_WITH_AES_256_CBC_SHA,
      MBEDTLS_TLS_DHE_RSA_WITH_AES_128_CBC_SHA,
      0,
  };
  return profile == TlsProfile::kStrict ? kStrict : kMx;
}

namespace {

// A certificate chain and its private key, checked to belong together.
struct CertKey {
  mbedtls_x509_crt chain;
  mbedtls_pk_context key;

  CertKey() {
    mbedtls_x509_crt_init(&chain);
    mbedtls_pk_init(&key);
  }
  ~CertKey() {
    mbedtls_pk_free(&key);
    mbedtls_x509_crt_free(&chain);
  }
  CertKey(const CertKey&) = delete;
  CertKey& operator=(const CertKey&) = delete;
};

Status parse_certificates(mbedtls_x509_crt* chain, const std::string& path, std::string_view what) {
  MF_ASSIGN_OR_RETURN(std::string pem, read_whole_file(path, what));
  // PEM parsing wants the terminating NUL counted in the length.
  int rc = mbedtls_x509_crt_parse(chain, reinterpret_cast<const unsigned char*>(pem.c_str()),
                                  pem.size() + 1);
  if (rc < 0) {
    return invalid_argument(fmt::format("cannot parse {} {}: {}", what, path, tls_error_text(rc)));
  }
  if (rc > 0) {
    return invalid_argument(
        fmt::format("cannot parse {} {}: {} of its certificates are invalid", what, path, rc));
  }
  return Status::ok();
}

Result<std::unique_ptr<CertKey>> load_cert_key(const TlsCertificateFiles& files) {
  if (files.cert_file.empty() || files.key_file.empty()) {
    return invalid_argument("a TLS certificate needs both a certificate file and a key file");
  }
  auto ck = std::make_unique<CertKey>();
  MF_RETURN_IF_ERROR(parse_certificates(&ck->chain, files.cert_file, "certificate"));

  MF_ASSIGN_OR_RETURN(std::string key_pem, read_whole_file(files.key_file, "key"));
  int rc = mbedtls_pk_parse_key(&ck->key, reinterpret_cast<const unsigned char*>(key_pem.c_str()),
                                key_pem.size() + 1, nullptr, 0);
  mbedtls_platform_zeroize(key_pem.data(), key_pem.size());
  if (rc != 0) {
    return invalid_argument(
        fmt::format("cannot parse key {}: {}", files.key_file, tls_error_text(rc)));
  }
  if (mbedtls_pk_check_pair(&ck->chain.pk, &ck->key) != 0) {
    return invalid_argument(
        fmt::format("key {} does not match certificate {}", files.key_file, files.cert_file));
  }
  return ck;
}

bool equal_ignoring_case(std::string_view a, const unsigned char* b, size_t len) {
  if (a.size() != len) return false;
  for (size_t i = 0; i < len; ++i) {
    auto lower = [](unsigned char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; };
    if (lower(static_cast<unsigned char>(a[i])) != lower(b[i])) return false;
  }
  return true;
}

// The settings both sides share: TLS 1.2 exactly, the profile's suites, our RNG.
void apply_common(mbedtls_ssl_config* conf, TlsRandom& random, TlsProfile profile) {
  mbedtls_ssl_conf_rng(conf, mbedtls_ctr_drbg_random, random.drbg());
  mbedtls_ssl_conf_min_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
  mbedtls_ssl_conf_max_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
  mbedtls_ssl_conf_ciphersuites(conf, tls_profile_suites(profile).data());
  // A renegotiation is a second handshake mid-stream that nobody in mail needs.
  mbedtls_ssl_conf_renegotiation(conf, MBEDTLS_SSL_RENEGOTIATION_DISABLED);
}

}  // namespace

// ---- server -------------------------------------------------------------------------------

struct TlsServerContext::Impl {
  TlsRandom random;
  mbedtls_ssl_config conf;
  std::unique_ptr<CertKey> default_cert;
  std::vector<std::pair<std::string, std::unique_ptr<CertKey>>> sni;
  TlsProfile profile = TlsProfile::kStrict;

  Impl() { mbedtls_ssl_config_init(&conf); }
  ~Impl() { mbedtls_ssl_config_free(&conf); }

  // mbedTLS calls this during the handshake with the name of the ClientHello's SNI.
  static int on_sni(void* arg, mbedtls_ssl_context* ssl, const unsigned char* name, size_t len) {
    auto* self = static_cast<Impl*>(arg);
    if (ssl->p_bio != nullptr && len <= 255) {
      static_cast<TlsBioUser*>(ssl->p_bio)
          ->sni_received.assign(reinterpret_cast<const char*>(name), len);
    }
    for (const auto& [server_name, ck] : self->sni) {
      if (equal_ignoring_case(server_name, name, len)) {
        return mbedtls_ssl_set_hs_own_cert(ssl, &ck->chain, &ck->key);
      }
    }
    return 0;  // unknown names get the default certificate
  }
};

TlsServerContext::TlsServerContext(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TlsServerContext::~TlsServerContext() = default;

const mbedtls_ssl_config* TlsServerContext::ssl_config() const {
  return &impl_->conf;
}
TlsProfile TlsServerContext::profile() const {
  return impl_->profile;
}

Result<std::shared_ptr<TlsServerContext>> TlsServerContext::create(const TlsServerConfig& config) {
  auto impl = std::make_unique<Impl>();
  impl->profile = config.profile;
  MF_RETURN_IF_ERROR(impl->random.seed("mailfountain tls server"));
  MF_ASSIGN_OR_RETURN(impl->default_cert, load_cert_key(config.certificate));
  for (const TlsSniEntry& entry : config.sni) {
    if (entry.server_name.empty()) return invalid_argument("an SNI entry has no server name");
    MF_ASSIGN_OR_RETURN(auto ck, load_cert_key(entry.files));
    impl->sni.emplace_back(entry.server_name, std::move(ck));
  }

  mbedtls_ssl_config* conf = &impl->conf;
  int rc = mbedtls_ssl_config_defaults(conf, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
                                       MBEDTLS_SSL_PRESET_DEFAULT);
  if (rc != 0) return internal_error("mbedtls_ssl_config_defaults: " + tls_error_text(rc));
  apply_common(conf, impl->random, config.profile);
  // Mail clients do not present certificates; we do not ask.
  mbedtls_ssl_conf_authmode(conf, MBEDTLS_SSL_VERIFY_NONE);
  rc = mbedtls_ssl_conf_own_cert(conf, &impl->default_cert->chain, &impl->default_cert->key);
  if (rc != 0) return internal_error("mbedtls_ssl_conf_own_cert: " + tls_error_text(rc));
  // Always installed, even without SNI entries, so that the name asked for is recorded.
  mbedtls_ssl_conf_sni(conf, &Impl::on_sni, impl.get());
  if (config.profile == TlsProfile::kMx) {
    // The DHE suites' group: the 2048-bit MODP group of RFC 3526.
    static const unsigned char kP[] = MBEDTLS_DHM_RFC3526_MODP_2048_P_BIN;
    static const unsigned char kG[] = MBEDTLS_DHM_RFC3526_MODP_2048_G_BIN;
    rc = mbedtls_ssl_conf_dh_param_bin(conf, kP, sizeof kP, kG, sizeof kG);
    if (rc != 0) return internal_error("mbedtls_ssl_conf_dh_param_bin: " + tls_error_text(rc));
  }
  return std::make_shared<TlsServerContext>(std::move(impl));
}

// ---- client -------------------------------------------------------------------------------

struct TlsClientContext::Impl {
  TlsRandom random;
  mbedtls_ssl_config conf;
  mbedtls_x509_crt ca_chain;
  TlsVerify verify = TlsVerify::kRequired;

  Impl() {
    mbedtls_ssl_config_init(&conf);
    mbedtls_x509_crt_init(&ca_chain);
  }
  ~Impl() {
    mbedtls_x509_crt_free(&ca_chain);
    mbedtls_ssl_config_free(&conf);
  }
};

TlsClientContext::TlsClientContext(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TlsClientContext::~TlsClientContext() = default;

const mbedtls_ssl_config* TlsClientContext::ssl_config() const {
  return &impl_->conf;
}
TlsVerify TlsClientContext::verify() const {
  return impl_->verify;
}

Result<std::shared_ptr<TlsClientContext>> TlsClientContext::create(const TlsClientConfig& config) {
  auto impl = std::make_unique<Impl>();
  impl->verify = config.verify;
  MF_RETURN_IF_ERROR(impl->random.seed("mailfountain tls client"));
  bool have_cas = false;
  if (!config.ca_file.empty()) {
    MF_RETURN_IF_ERROR(parse_certificates(&impl->ca_chain, config.ca_file, "CA file"));
    have_cas = true;
  }
  if (!config.ca_path.empty()) {
    int rc = mbedtls_x509_crt_parse_path(&impl->ca_chain, config.ca_path.c_str());
    // A positive count means some files were not certificates, which a directory like
    // /etc/ssl/certs may hold; only a directory with no usable certificate is an error.
    if (rc < 0) {
      return io_error(
          fmt::format("cannot read CA directory {}: {}", config.ca_path, tls_error_text(rc)));
    }
    have_cas = true;
  }

  mbedtls_ssl_config* conf = &impl->conf;
  int rc = mbedtls_ssl_config_defaults(conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                       MBEDTLS_SSL_PRESET_DEFAULT);
  if (rc != 0) return internal_error("mbedtls_ssl_config_defaults: " + tls_error_text(rc));
  apply_common(conf, impl->random, config.profile);
  switch (config.verify) {
    case TlsVerify::kNone:
      mbedtls_ssl_conf_authmode(conf, MBEDTLS_SSL_VERIFY_NONE);
      break;
    case TlsVerify::kOptional:
      mbedtls_ssl_conf_authmode(conf, MBEDTLS_SSL_VERIFY_OPTIONAL);
      break;
    case TlsVerify::kRequired:
      mbedtls_ssl_conf_authmode(conf, MBEDTLS_SSL_VERIFY_REQUIRED);
      break;
  }
  if (have_cas) mbedtls_ssl_conf_ca_chain(conf, &impl->ca_chain, nullptr);
  if (config.adjust) MF_RETURN_IF_ERROR(config.adjust(*conf));
  return std::make_shared<TlsClientContext>(std::move(impl));
}

}  // namespace mf::net
