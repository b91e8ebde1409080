// dkim/signer.h — DKIM signatures (RFC 6376): rsa-sha256, relaxed/relaxed.
//
// A DkimSigner holds one domain's private key and selector. sign() takes the header block
// and the body (whole or in chunks) of a message exactly as it will be sent — after any
// 7-bit downgrade, since a downgrade rewrites the body and would break the signature — and
// returns the DKIM-Signature field to prepend, folded to at most 78 columns, CRLF-terminated.
//
// Fields signed, each only when present (h= lists a name once per occurrence, so every
// instance is covered): From, To, Cc, Subject, Date, Message-ID, MIME-Version,
// Content-Type, Content-Transfer-Encoding, List-Unsubscribe, List-Unsubscribe-Post,
// Reply-To, In-Reply-To, References. From is listed once more than it occurs
// ("over-signing", RFC 6376 §8.15): a From added in transit then breaks the signature,
// instead of being shown to the reader as the sender of a validly signed message.
//
// Slow-ish: one RSA-2048 private-key operation (~1–2 ms). Call sign() off the event loop
// (a worker thread). Thread-safety: sign() is const and may run on several threads at once
// on one signer; mbedTLS (built with MBEDTLS_THREADING_C, checked at compile time) locks
// the RSA blinding values and the random generator.
#ifndef MF_DKIM_SIGNER_H
#define MF_DKIM_SIGNER_H

#include <mailfountain/status.h>

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mf::dkim {

// The names of the fields we sign, in h= order (lower case).
const std::vector<std::string_view>& signed_field_names();

class DkimSigner {
 public:
  // A signer for d=`domain` (an ASCII domain: A-labels for IDNs) and s=`selector`, with the
  // RSA private key in `private_key_pem` (PKCS#1 or PKCS#8 PEM). kInvalidArgument for a bad
  // domain or selector, a key that does not parse, a key that is not RSA or is under 1024
  // bits (RFC 8301 §3.2).
  static Result<std::unique_ptr<DkimSigner>> create(std::string_view domain,
                                                    std::string_view selector,
                                                    std::string_view private_key_pem);
  ~DkimSigner();
  DkimSigner(const DkimSigner&) = delete;
  DkimSigner& operator=(const DkimSigner&) = delete;

  // The DKIM-Signature field ("DKIM-Signature: v=1; ...\r\n", folded) for the message whose
  // header block is `header` (fields as on the wire; a final blank line is allowed and
  // ignored) and whose body is the concatenation of `body_chunks`. `timestamp` is t=
  // (seconds since the epoch). kInvalidArgument when the header has no From field or
  // cannot be parsed (over the message core's header limits).
  Result<std::string> sign(std::string_view header, std::span<const std::string_view> body_chunks,
                           int64_t timestamp) const;

  // The same, for a body already hashed with RelaxedBodyHash (dkim/canonical.h): the form
  // for a body streamed from disk.
  Result<std::string> sign_with_body_hash(std::string_view header,
                                          const std::array<unsigned char, 32>& body_hash,
                                          int64_t timestamp) const;

  // sign() over a whole message (header, blank line, body).
  Result<std::string> sign_message(std::string_view message, int64_t timestamp) const;

  const std::string& domain() const;
  const std::string& selector() const;

 private:
  struct Impl;
  explicit DkimSigner(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mf::dkim

#endif  // MF_DKIM_SIGNER_H
