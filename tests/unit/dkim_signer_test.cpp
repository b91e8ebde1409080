// Unit tests of the DKIM signer (dkim/signer.h). The signatures are checked here by a
// small verifier written over mbedTLS; tests/dkim/test_dkim_verify.py checks them again
// with dkimpy, an independent implementation.
#include <doctest/doctest.h>

#include "dkim/canonical.h"
#include "dkim/key_store.h"
#include "dkim/signer.h"
#include "mime/header.h"
#include "mime/transfer_encoding.h"
#include "net/key_generation.h"

#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

using namespace mf;
using namespace mf::dkim;

namespace {

// One RSA key for the whole test binary: generation takes a good fraction of a second.
const std::string& test_key() {
  static const std::string pem = [] {
    auto key = net::generate_rsa_key_pem(2048);
    REQUIRE_MESSAGE(key.is_ok(), key.status().to_string());
    return *key;
  }();
  return pem;
}

std::unique_ptr<DkimSigner> make_signer() {
  auto signer = DkimSigner::create("ma-societe.fr", "mf202611", test_key());
  REQUIRE_MESSAGE(signer.is_ok(), signer.status().to_string());
  return std::move(signer).value();
}

const std::string kMessage =
    "From: Jean Dupont <jean@ma-societe.fr>\r\n"
    "To: client@example.net\r\n"
    "Subject: Votre devis\r\n"
    "Date: Mon, 30 Nov 2026 10:00:00 +0100\r\n"
    "Message-ID: <devis-42@ma-societe.fr>\r\n"
    "X-Mailer: not signed\r\n"
    "\r\n"
    "Bonjour,\r\n"
    "\r\n"
    "Voici le devis.\r\n";

// The tags of a DKIM-Signature field (its value unfolded, whitespace removed).
std::map<std::string, std::string> tags_of(std::string_view field) {
  std::string value(field.substr(field.find(':') + 1));
  std::string compact;
  for (char c : value) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') compact += c;
  }
  std::map<std::string, std::string> tags;
  std::stringstream in(compact);
  std::string tag;
  while (std::getline(in, tag, ';')) {
    size_t eq = tag.find('=');
    if (eq != std::string::npos) tags[tag.substr(0, eq)] = tag.substr(eq + 1);
  }
  return tags;
}

// A minimal relaxed/relaxed rsa-sha256 verifier (RFC 6376 §6.1.3) over `signed_message`
// (the DKIM-Signature field first), with the public key of test_key().
bool verifies(const std::string& signed_message) {
  auto block = mime::parse_header_block(signed_message);
  REQUIRE(block.is_ok());
  const mime::HeaderField& sig = block->fields.front();
  REQUIRE(sig.name == "DKIM-Signature");
  auto tags = tags_of(signed_message.substr(sig.offset, sig.end - sig.offset));

  RelaxedBodyHash body_hash;
  body_hash.update(std::string_view(signed_message).substr(block->body_offset));
  auto bh = body_hash.finish();
  if (mime::base64_encode(std::string_view(reinterpret_cast<const char*>(bh.data()), 32),
                          mime::Base64Lines::kNone) != tags["bh"]) {
    return false;
  }

  std::string hashed;
  std::map<std::string, size_t> used;  // per name, how many instances taken from the bottom
  std::stringstream names(tags["h"]);
  std::string name;
  while (std::getline(names, name, ':')) {
    auto all = block->find_all(name);
    size_t k = used[name]++;
    if (k < all.size()) {
      const mime::HeaderField* f = all[all.size() - 1 - k];
      hashed += relaxed_header(f->name, f->value);
    }
  }
  // The signature field itself, b= emptied (everything after "b=" to the end: b= is the
  // last tag, after bh=, and base64 may itself end in "b=").
  std::string value(sig.value);
  size_t b = value.find("b=", value.find(';', value.find("bh=")));
  std::string emptied = relaxed_header(sig.name, value.substr(0, b + 2));
  hashed += emptied.substr(0, emptied.size() - 2);

  unsigned char digest[32];
  mbedtls_sha256_ret(reinterpret_cast<const unsigned char*>(hashed.data()), hashed.size(), digest,
                     0);
  mime::Decoded signature = mime::base64_decode(tags["b"]);
  mbedtls_pk_context pk;
  mbedtls_pk_init(&pk);
  const std::string& pem = test_key();
  REQUIRE(mbedtls_pk_parse_key(&pk, reinterpret_cast<const unsigned char*>(pem.c_str()),
                               pem.size() + 1, nullptr, 0) == 0);
  int rc = mbedtls_pk_verify(&pk, MBEDTLS_MD_SHA256, digest, sizeof digest,
                             reinterpret_cast<const unsigned char*>(signature.bytes.data()),
                             signature.bytes.size());
  mbedtls_pk_free(&pk);
  return rc == 0;
}

}  // namespace

TEST_CASE("a signature names the algorithm, domain, selector, time and signed fields") {
  auto signer = make_signer();
  auto field = signer->sign_message(kMessage, 1796115600);
  REQUIRE_MESSAGE(field.is_ok(), field.status().to_string());
  CHECK(field->rfind("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=ma-societe.fr;", 0) ==
        0);
  CHECK(field->substr(field->size() - 2) == "\r\n");
  auto tags = tags_of(*field);
  CHECK(tags["s"] == "mf202611");
  CHECK(tags["t"] == "1796115600");
  // Present fields only, in the signer's order; From once more than it occurs.
  CHECK(tags["h"] == "from:from:to:subject:date:message-id");
  CHECK(tags["bh"].size() == 44);
  CHECK(tags["b"].size() == 344);  // 256 octets of RSA-2048 signature in base64
}

TEST_CASE("a signature field is folded to at most 78 columns") {
  auto signer = make_signer();
  std::string many =
      "From: jean@ma-societe.fr\r\nTo: a@example.net\r\nTo: b@example.net\r\nCc: c@example.net\r\n"
      "Subject: s\r\nDate: d\r\nMessage-ID: <m@x>\r\nMIME-Version: 1.0\r\n"
      "Content-Type: text/plain\r\nContent-Transfer-Encoding: 7bit\r\n"
      "List-Unsubscribe: <mailto:u@x>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
      "Reply-To: r@x\r\nIn-Reply-To: <p@x>\r\nReferences: <p@x>\r\n\r\nbody\r\n";
  auto field = signer->sign_message(many, 1796115600);
  REQUIRE(field.is_ok());
  std::stringstream lines(*field);
  std::string line;
  int count = 0;
  while (std::getline(lines, line, '\n')) {
    ++count;
    CHECK(line.back() == '\r');
    CHECK_MESSAGE(line.size() - 1 <= 78, line);
    if (count > 1) CHECK(line.front() == ' ');
  }
  CHECK(count > 3);
  CHECK(tags_of(*field)["h"] ==
        "from:from:to:to:cc:subject:date:message-id:mime-version:content-type:"
        "content-transfer-encoding:list-unsubscribe:list-unsubscribe-post:reply-to:"
        "in-reply-to:references");
  CHECK(verifies(*field + many));
}

TEST_CASE("a signed message verifies, and changing a signed byte breaks it") {
  auto signer = make_signer();
  auto field = signer->sign_message(kMessage, 1796115600);
  REQUIRE(field.is_ok());
  CHECK(verifies(*field + kMessage));

  std::string other_body = *field + kMessage;
  other_body.replace(other_body.find("devis."), 6, "DEVIS.");
  CHECK_FALSE(verifies(other_body));

  std::string other_subject = *field + kMessage;
  other_subject.replace(other_subject.find("Votre devis"), 11, "Votre facture");
  CHECK_FALSE(verifies(other_subject));

  // Whitespace changes that relaxed canonicalization forgives still verify.
  std::string rewrapped = *field + kMessage;
  rewrapped.replace(rewrapped.find("Subject: Votre devis"), 20, "Subject:   Votre\r\n\tdevis");
  rewrapped.replace(rewrapped.find("Voici le devis.\r\n"), 17, "Voici  le devis. \r\n\r\n");
  CHECK(verifies(rewrapped));
}

TEST_CASE("an added From breaks the signature because From is over-signed") {
  auto signer = make_signer();
  auto field = signer->sign_message(kMessage, 1796115600);
  REQUIRE(field.is_ok());
  std::string second_from = *field + "From: attacker@evil.example\r\n" + kMessage;
  CHECK_FALSE(verifies(second_from));
  // An unsigned field may be added in transit.
  CHECK(verifies(*field + "Received: by relay\r\n" + kMessage));
}

TEST_CASE("signing a body in chunks gives the same field as signing it whole") {
  auto signer = make_signer();
  auto block = mime::parse_header_block(kMessage);
  REQUIRE(block.is_ok());
  std::string_view header = std::string_view(kMessage).substr(0, block->body_offset);
  std::string_view body = std::string_view(kMessage).substr(block->body_offset);
  std::string_view whole[] = {body};
  std::string_view chunks[] = {body.substr(0, 9), body.substr(9, 1), body.substr(10)};
  auto a = signer->sign(header, whole, 1796115600);
  auto b = signer->sign(header, chunks, 1796115600);
  REQUIRE(a.is_ok());
  REQUIRE(b.is_ok());
  // PKCS#1 v1.5 signatures are deterministic: the same input gives the same field.
  CHECK(*a == *b);
  CHECK(*a == *signer->sign_message(kMessage, 1796115600));
}

TEST_CASE("a message without From cannot be signed") {
  auto signer = make_signer();
  auto field = signer->sign_message("To: a@example.net\r\nSubject: x\r\n\r\nbody\r\n", 1);
  REQUIRE_FALSE(field.is_ok());
  CHECK(field.status().code() == Code::kInvalidArgument);
}

TEST_CASE("a signer refuses bad keys, domains and selectors") {
  CHECK(DkimSigner::create("ma-societe.fr", "mf202611", "not a key").status().code() ==
        Code::kInvalidArgument);
  CHECK(DkimSigner::create("ma-societe.fr", "mf202611", "").status().code() ==
        Code::kInvalidArgument);
  CHECK(DkimSigner::create("ma societe.fr", "mf202611", test_key()).status().code() ==
        Code::kInvalidArgument);
  CHECK(DkimSigner::create("ma-societe.fr", "../x", test_key()).status().code() ==
        Code::kInvalidArgument);
  CHECK(DkimSigner::create("", "s", test_key()).status().code() == Code::kInvalidArgument);
  CHECK(DkimSigner::create("ma-societe.fr", "s1.sub", test_key()).is_ok());
}

TEST_CASE("the public key of a private key is its DER SubjectPublicKeyInfo in base64") {
  auto pub = public_key_of(test_key());
  REQUIRE(pub.is_ok());
  CHECK(pub->second == 2048);
  // An RSA-2048 SubjectPublicKeyInfo is 294 octets: 392 base64 characters.
  CHECK(pub->first.size() == 392);
  CHECK(pub->first.rfind("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA", 0) == 0);
}
