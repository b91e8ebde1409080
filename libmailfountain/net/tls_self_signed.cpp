// net/tls_self_signed.cpp — the self-signed certificate the daemon makes for its host name
// when no certificate is configured (contract in tls_context.h).
#include "net/tls_context.h"

#include "net/key_generation.h"
#include "net/tls_internal.h"

#include <mbedtls/asn1write.h>
#include <mbedtls/bignum.h>
#include <mbedtls/ecp.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/rsa.h>
#include <mbedtls/x509_crt.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <vector>

namespace mf::net {
namespace {

constexpr int kValidityYears = 10;

bool is_dns_name(std::string_view name) {
  if (name.empty() || name.size() > 253 || name.front() == '.' || name.front() == '-') return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// "YYYYMMDDhhmmss" in UTC, years from now. 29 February becomes the 28th when the target
// year is not a leap year (mbedTLS refuses impossible dates when it parses the certificate).
std::string x509_time(std::time_t now, int years_ahead) {
  std::tm tm{};
  gmtime_r(&now, &tm);
  int year = tm.tm_year + 1900 + years_ahead;
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  int day = (tm.tm_mon == 1 && tm.tm_mday == 29 && !leap) ? 28 : tm.tm_mday;
  return fmt::format("{:04}{:02}{:02}{:02}{:02}{:02}", year, tm.tm_mon + 1, day, tm.tm_hour,
                     tm.tm_min, tm.tm_sec);
}

// The DER of a subjectAltName holding one dNSName (mbedTLS 2.28 has no writer for it).
// asn1write fills the buffer from its end; the result is [p, end).
Status encode_san(std::string_view host, std::vector<unsigned char>& out) {
  unsigned char buf[300];
  unsigned char* p = buf + sizeof buf;
  int total = 0;
  auto step = [&](int rc) {
    if (rc < 0) return false;
    total += rc;
    return true;
  };
  bool ok = step(mbedtls_asn1_write_raw_buffer(
                &p, buf, reinterpret_cast<const unsigned char*>(host.data()), host.size())) &&
            step(mbedtls_asn1_write_len(&p, buf, host.size())) &&
            // dNSName is [2] IMPLICIT IA5String.
            step(mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2));
  int inner = total;
  ok = ok && step(mbedtls_asn1_write_len(&p, buf, static_cast<size_t>(inner))) &&
       step(mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
  if (!ok) return internal_error("cannot encode the subjectAltName");
  out.assign(p, p + total);
  return Status::ok();
}

bool exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

// RAII for the mbedTLS objects of one generation.
struct Generation {
  TlsRandom random;
  mbedtls_pk_context key;
  mbedtls_x509write_cert crt;
  mbedtls_mpi serial;
  Generation() {
    mbedtls_pk_init(&key);
    mbedtls_x509write_crt_init(&crt);
    mbedtls_mpi_init(&serial);
  }
  ~Generation() {
    mbedtls_mpi_free(&serial);
    mbedtls_x509write_crt_free(&crt);
    mbedtls_pk_free(&key);
  }
};

Status check(int rc, std::string_view what) {
  if (rc == 0) return Status::ok();
  return internal_error(fmt::format("self-signed certificate: {}: {}", what, tls_error_text(rc)));
}

}  // namespace

Status generate_self_signed(std::string_view hostname, const std::string& cert_path,
                            const std::string& key_path, SelfSignedKey key_type) {
  if (!is_dns_name(hostname)) {
    return invalid_argument(fmt::format("not a host name for a certificate: '{}'", hostname));
  }
  if (exists(cert_path)) return already_exists(fmt::format("{} already exists", cert_path));
  if (exists(key_path)) return already_exists(fmt::format("{} already exists", key_path));

  Generation g;
  MF_RETURN_IF_ERROR(g.random.seed("mailfountain self-signed certificate"));
  auto* drbg = g.random.drbg();

  if (key_type == SelfSignedKey::kRsa2048) {
    MF_RETURN_IF_ERROR(
        generate_rsa_key(&g.key, drbg, 2048).with_context("self-signed certificate"));
  } else {
    MF_RETURN_IF_ERROR(
        check(mbedtls_pk_setup(&g.key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)), "pk_setup"));
    MF_RETURN_IF_ERROR(check(mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(g.key),
                                                 mbedtls_ctr_drbg_random, drbg),
                             "EC key generation"));
  }

  // A positive 128-bit serial (RFC 5280 §4.1.2.2 allows up to 20 octets).
  unsigned char serial[16];
  MF_RETURN_IF_ERROR(check(mbedtls_ctr_drbg_random(drbg, serial, sizeof serial), "serial"));
  serial[0] = static_cast<unsigned char>((serial[0] & 0x7F) | 0x01);
  MF_RETURN_IF_ERROR(check(mbedtls_mpi_read_binary(&g.serial, serial, sizeof serial), "serial"));

  std::string name = fmt::format("CN={}", hostname);
  std::time_t now = std::time(nullptr);
  mbedtls_x509write_crt_set_version(&g.crt, MBEDTLS_X509_CRT_VERSION_3);
  mbedtls_x509write_crt_set_md_alg(&g.crt, MBEDTLS_MD_SHA256);
  mbedtls_x509write_crt_set_subject_key(&g.crt, &g.key);
  mbedtls_x509write_crt_set_issuer_key(&g.crt, &g.key);
  MF_RETURN_IF_ERROR(
      check(mbedtls_x509write_crt_set_subject_name(&g.crt, name.c_str()), "subject"));
  MF_RETURN_IF_ERROR(check(mbedtls_x509write_crt_set_issuer_name(&g.crt, name.c_str()), "issuer"));
  MF_RETURN_IF_ERROR(check(mbedtls_x509write_crt_set_serial(&g.crt, &g.serial), "serial"));
  MF_RETURN_IF_ERROR(
      check(mbedtls_x509write_crt_set_validity(&g.crt, x509_time(now, 0).c_str(),
                                               x509_time(now, kValidityYears).c_str()),
            "validity"));
  MF_RETURN_IF_ERROR(
      check(mbedtls_x509write_crt_set_basic_constraints(&g.crt, 0, -1), "basicConstraints"));
  MF_RETURN_IF_ERROR(
      check(mbedtls_x509write_crt_set_subject_key_identifier(&g.crt), "subjectKeyIdentifier"));
  unsigned int usage = MBEDTLS_X509_KU_DIGITAL_SIGNATURE;
  if (key_type == SelfSignedKey::kRsa2048) usage |= MBEDTLS_X509_KU_KEY_ENCIPHERMENT;
  MF_RETURN_IF_ERROR(check(
      mbedtls_x509write_crt_set_key_usage(&g.crt, static_cast<unsigned char>(usage)), "keyUsage"));
  std::vector<unsigned char> san;
  MF_RETURN_IF_ERROR(encode_san(hostname, san));
  MF_RETURN_IF_ERROR(
      check(mbedtls_x509write_crt_set_extension(&g.crt, MBEDTLS_OID_SUBJECT_ALT_NAME,
                                                MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME), 0,
                                                san.data(), san.size()),
            "subjectAltName"));

  std::vector<unsigned char> pem(16384);
  MF_RETURN_IF_ERROR(check(
      mbedtls_x509write_crt_pem(&g.crt, pem.data(), pem.size(), mbedtls_ctr_drbg_random, drbg),
      "writing the certificate"));
  std::string cert_pem(reinterpret_cast<const char*>(pem.data()));

  MF_RETURN_IF_ERROR(
      check(mbedtls_pk_write_key_pem(&g.key, pem.data(), pem.size()), "writing the key"));
  std::string key_pem(reinterpret_cast<const char*>(pem.data()));
  mbedtls_platform_zeroize(pem.data(), pem.size());

  Status s = write_new_file(key_path, key_pem, 0600);
  mbedtls_platform_zeroize(key_pem.data(), key_pem.size());
  MF_RETURN_IF_ERROR(s);
  s = write_new_file(cert_path, cert_pem, 0644);
  if (!s.is_ok()) ::unlink(key_path.c_str());  // neither file, rather than a lone key
  return s;
}

}  // namespace mf::net
