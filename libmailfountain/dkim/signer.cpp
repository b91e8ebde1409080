// dkim/signer.cpp — the DKIM-Signature field: field selection, the tag list and its
// folding, the header hash and the RSA signature (RFC 6376 §3.5, §3.7, §5).
#include "dkim/signer.h"

#include "dkim/canonical.h"
#include "mime/header.h"
#include "mime/transfer_encoding.h"
#include "net/tls_context.h"
#include "net/tls_internal.h"

#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/rsa.h>
#include <mbedtls/sha256.h>

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

// sign()'s thread-safety contract (signer.h) rests on mbedTLS's locks.
#if !defined(MBEDTLS_THREADING_C) || !defined(MBEDTLS_THREADING_PTHREAD)
#error "mbedTLS must be built with MBEDTLS_THREADING_C and MBEDTLS_THREADING_PTHREAD"
#endif

namespace mf::dkim {

namespace {

// Lines of the field are at most this many columns, CRLF not counted (RFC 5322 §2.1.1).
constexpr size_t kMaxColumns = 78;

bool is_ldh(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

// Dot-separated labels of letters, digits and hyphens, none empty, none over 63 octets:
// both d= (domain-name) and s= (selector) have this shape (RFC 6376 §3.5).
bool is_dotted_ldh(std::string_view s, size_t max_size) {
  if (s.empty() || s.size() > max_size) return false;
  size_t label = 0;
  for (char c : s) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
    } else if (is_ldh(c) || c == '_') {
      if (++label > 63) return false;
    } else {
      return false;
    }
  }
  return label > 0;
}

// Appends tag texts to a field, starting a new line (CRLF + one space) before a tag that
// would pass the column limit. Relaxed canonicalization turns each fold into one space,
// which is why folds go only where a space is allowed (before a tag, after a colon of h=).
class FieldFolder {
 public:
  explicit FieldFolder(std::string start) : text_(std::move(start)), column_(text_.size()) {}

  // Appends `piece`, after a space or a fold.
  void add(std::string_view piece) {
    if (column_ + 1 + piece.size() > kMaxColumns) {
      text_ += "\r\n ";
      column_ = 1;
    } else {
      text_ += ' ';
      ++column_;
    }
    text_ += piece;
    column_ += piece.size();
  }

  // Appends `piece` with no space before it unless the line is full (a fold is FWS).
  void add_tight(std::string_view piece) {
    if (column_ + piece.size() > kMaxColumns) {
      text_ += "\r\n ";
      column_ = 1;
    }
    text_ += piece;
    column_ += piece.size();
  }

  // Appends `base64` cut at the line ends (FWS may sit anywhere in a base64 tag value).
  void add_base64(std::string_view base64) {
    while (!base64.empty()) {
      if (column_ >= kMaxColumns) {
        text_ += "\r\n ";
        column_ = 1;
      }
      size_t room = kMaxColumns - column_;
      std::string_view part = base64.substr(0, room);
      text_ += part;
      column_ += part.size();
      base64.remove_prefix(part.size());
    }
  }

  const std::string& text() const { return text_; }

 private:
  std::string text_;
  size_t column_;
};

struct PkContext {
  mbedtls_pk_context pk;
  PkContext() { mbedtls_pk_init(&pk); }
  ~PkContext() { mbedtls_pk_free(&pk); }
  PkContext(const PkContext&) = delete;
  PkContext& operator=(const PkContext&) = delete;
};

std::string base64_of(const unsigned char* data, size_t size) {
  return mime::base64_encode(std::string_view(reinterpret_cast<const char*>(data), size),
                             mime::Base64Lines::kNone);
}

}  // namespace

const std::vector<std::string_view>& signed_field_names() {
  static const std::vector<std::string_view> kNames = {
      "from",
      "to",
      "cc",
      "subject",
      "date",
      "message-id",
      "mime-version",
      "content-type",
      "content-transfer-encoding",
      "list-unsubscribe",
      "list-unsubscribe-post",
      "reply-to",
      "in-reply-to",
      "references",
  };
  return kNames;
}

struct DkimSigner::Impl {
  std::string domain;
  std::string selector;
  PkContext key;
  // The random generator for RSA blinding; mbedTLS locks it (MBEDTLS_THREADING_C).
  net::TlsRandom random;
};

DkimSigner::DkimSigner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DkimSigner::~DkimSigner() = default;

const std::string& DkimSigner::domain() const {
  return impl_->domain;
}
const std::string& DkimSigner::selector() const {
  return impl_->selector;
}

Result<std::unique_ptr<DkimSigner>> DkimSigner::create(std::string_view domain,
                                                       std::string_view selector,
                                                       std::string_view private_key_pem) {
  if (!is_dotted_ldh(domain, 253)) {
    return invalid_argument(fmt::format("DKIM: not an ASCII domain name: '{}'", domain));
  }
  if (!is_dotted_ldh(selector, 63)) {
    return invalid_argument(fmt::format("DKIM: not a valid selector: '{}'", selector));
  }
  auto impl = std::make_unique<Impl>();
  impl->domain = std::string(domain);
  impl->selector = std::string(selector);
  // PEM parsing wants a NUL-terminated buffer, its length counting the NUL.
  std::string pem(private_key_pem);
  int rc = mbedtls_pk_parse_key(&impl->key.pk, reinterpret_cast<const unsigned char*>(pem.c_str()),
                                pem.size() + 1, nullptr, 0);
  mbedtls_platform_zeroize(pem.data(), pem.size());
  if (rc != 0) {
    return invalid_argument("DKIM: cannot parse the private key: " + net::tls_error_text(rc));
  }
  if (mbedtls_pk_get_type(&impl->key.pk) != MBEDTLS_PK_RSA) {
    return invalid_argument("DKIM: the private key is not an RSA key (rsa-sha256 needs one)");
  }
  if (mbedtls_pk_get_bitlen(&impl->key.pk) < 1024) {
    return invalid_argument(fmt::format("DKIM: an RSA key of {} bits is too short (1024 at least)",
                                        mbedtls_pk_get_bitlen(&impl->key.pk)));
  }
  MF_RETURN_IF_ERROR(impl->random.seed("mailfountain dkim signer"));
  return std::unique_ptr<DkimSigner>(new DkimSigner(std::move(impl)));
}

Result<std::string> DkimSigner::sign(std::string_view header,
                                     std::span<const std::string_view> body_chunks,
                                     int64_t timestamp) const {
  RelaxedBodyHash body_hash;
  for (std::string_view chunk : body_chunks) body_hash.update(chunk);
  return sign_with_body_hash(header, body_hash.finish(), timestamp);
}

Result<std::string> DkimSigner::sign_message(std::string_view message, int64_t timestamp) const {
  MF_ASSIGN_OR_RETURN(mime::HeaderBlock block, mime::parse_header_block(message));
  std::string_view body = message.substr(std::min(block.body_offset, message.size()));
  std::string_view chunks[] = {body};
  return sign(message.substr(0, block.body_offset), chunks, timestamp);
}

Result<std::string> DkimSigner::sign_with_body_hash(std::string_view header,
                                                    const std::array<unsigned char, 32>& body_hash,
                                                    int64_t timestamp) const {
  auto parsed = mime::parse_header_block(header);
  if (!parsed.is_ok()) return invalid_argument("DKIM: " + parsed.status().message());
  const mime::HeaderBlock& block = *parsed;
  if (block.find("From") == nullptr) {
    return invalid_argument("DKIM: the message has no From field, which DKIM must sign");
  }

  // h=: each present name once per occurrence; the verifier takes instances from the
  // bottom up (RFC 6376 §5.4.2), so the k-th listing hashes the k-th from the bottom.
  std::vector<std::string_view> h_names;
  std::string header_text;  // the canonical signed fields, in h= order
  for (std::string_view name : signed_field_names()) {
    std::vector<const mime::HeaderField*> found = block.find_all(name);
    for (auto it = found.rbegin(); it != found.rend(); ++it) {
      h_names.push_back(name);
      header_text += relaxed_header((*it)->name, (*it)->value);
    }
    // Over-signing: one more "from" than there are, matching a field that does not
    // exist, hashed as nothing (RFC 6376 §5.4.2).
    if (name == "from") h_names.push_back(name);
  }

  FieldFolder field("DKIM-Signature:");
  field.add("v=1;");
  field.add("a=rsa-sha256;");
  field.add("c=relaxed/relaxed;");
  field.add(fmt::format("d={};", impl_->domain));
  field.add(fmt::format("s={};", impl_->selector));
  field.add(fmt::format("t={};", timestamp));
  for (size_t i = 0; i < h_names.size(); ++i) {
    bool last = i + 1 == h_names.size();
    std::string piece = fmt::format("{}{}{}", i == 0 ? "h=" : "", h_names[i], last ? ";" : ":");
    if (i == 0) {
      field.add(piece);
    } else {
      field.add_tight(piece);
    }
  }
  field.add(fmt::format("bh={};", base64_of(body_hash.data(), body_hash.size())));
  field.add("b=");

  // The signature covers the signed fields, then this field with an empty b= and no
  // final CRLF (RFC 6376 §3.7): the verifier deletes b='s value, folds included.
  std::string unsigned_field = field.text();
  std::string_view name_value(unsigned_field);
  size_t colon = name_value.find(':');
  std::string canonical_self =
      relaxed_header(name_value.substr(0, colon), name_value.substr(colon + 1));
  canonical_self.resize(canonical_self.size() - 2);  // without its CRLF
  header_text += canonical_self;

  unsigned char digest[32];
  mbedtls_sha256_ret(reinterpret_cast<const unsigned char*>(header_text.data()), header_text.size(),
                     digest, 0);
  unsigned char signature[MBEDTLS_MPI_MAX_SIZE];
  size_t signature_size = 0;
  int rc = mbedtls_pk_sign(&impl_->key.pk, MBEDTLS_MD_SHA256, digest, sizeof digest, signature,
                           &signature_size, mbedtls_ctr_drbg_random, impl_->random.drbg());
  if (rc != 0) return internal_error("DKIM: RSA signature failed: " + net::tls_error_text(rc));

  field.add_base64(base64_of(signature, signature_size));
  return field.text() + "\r\n";
}

}  // namespace mf::dkim
