// Unit tests of DKIM relaxed canonicalization and the body hash (dkim/canonical.h).
// Expected body hashes were computed with dkimpy's Relaxed canonicalization and SHA-256.
#include <doctest/doctest.h>

#include "dkim/canonical.h"
#include "mime/transfer_encoding.h"

#include <string>

using namespace mf;
using namespace mf::dkim;

namespace {

std::string canonical_body(std::string_view body) {
  RelaxedBodyCanonicalizer canon;
  std::string out;
  canon.update(body, &out);
  canon.finish(&out);
  return out;
}

// The body fed as one chunk per byte: the most adversarial split.
std::string canonical_body_bytewise(std::string_view body) {
  RelaxedBodyCanonicalizer canon;
  std::string out;
  for (char c : body) canon.update(std::string_view(&c, 1), &out);
  canon.finish(&out);
  return out;
}

std::string body_hash_base64(std::string_view body) {
  RelaxedBodyHash hash;
  hash.update(body);
  auto digest = hash.finish();
  return mime::base64_encode(std::string_view(reinterpret_cast<const char*>(digest.data()), 32),
                             mime::Base64Lines::kNone);
}

}  // namespace

TEST_CASE("relaxed header canonicalization matches RFC 6376's example") {
  // RFC 6376 §3.4.5: "A: X" and "B : Y<TAB><CRLF><TAB>Z  " become "a:X" and "b:Y Z".
  CHECK(relaxed_header("A", " X") == "a:X\r\n");
  CHECK(relaxed_header("B ", " Y\t\r\n\tZ  ") == "b:Y Z\r\n");
}

TEST_CASE("relaxed header canonicalization unfolds, collapses whitespace runs and trims") {
  CHECK(relaxed_header("Subject", "\t  Votre   facture\r\n   de\tmars \t") ==
        "subject:Votre facture de mars\r\n");
  CHECK(relaxed_header("Content-Type", " multipart/mixed;\r\n boundary=\"b1\"") ==
        "content-type:multipart/mixed; boundary=\"b1\"\r\n");
  CHECK(relaxed_header("X-Empty", "") == "x-empty:\r\n");
  CHECK(relaxed_header("X-Blank", "   \r\n  ") == "x-blank:\r\n");
  // Bytes other than ASCII letters are not case-folded, in the name or the value.
  CHECK(relaxed_header("MIME-Version", " 1.0") == "mime-version:1.0\r\n");
  CHECK(relaxed_header("Subject", " Caf\xc3\xa9 OK") == "subject:Caf\xc3\xa9 OK\r\n");
}

TEST_CASE("relaxed body canonicalization matches RFC 6376's example") {
  CHECK(canonical_body(" C \r\nD \t E\r\n\r\n\r\n") == " C\r\nD E\r\n");
  CHECK(body_hash_base64(" C \r\nD \t E\r\n\r\n\r\n") ==
        "unak6JHq0wL+Q1HP7dW1tjBx9FLA6DffoZ0qrLwbbpo=");
}

TEST_CASE("an empty body and a body of empty lines canonicalize to nothing") {
  CHECK(canonical_body("").empty());
  CHECK(canonical_body("\r\n").empty());
  CHECK(canonical_body("\r\n\r\n\r\n").empty());
  CHECK(canonical_body(" \t\r\n \r\n").empty());
  // The SHA-256 of the empty string.
  CHECK(body_hash_base64("") == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  CHECK(body_hash_base64("\r\n\r\n") == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
}

TEST_CASE("trailing empty lines are dropped but inner empty lines are kept") {
  CHECK(canonical_body("a\r\n\r\n\r\nb\r\n\r\n\r\n") == "a\r\n\r\n\r\nb\r\n");
  CHECK(canonical_body("\r\n\r\na\r\n") == "\r\n\r\na\r\n");
  // A line of whitespace between text lines is an (inner) empty line.
  CHECK(canonical_body("a\r\n \t \r\nb\r\n") == "a\r\n\r\nb\r\n");
}

TEST_CASE("whitespace runs become one space and line-end whitespace disappears") {
  CHECK(canonical_body("a  \t b\t\r\n") == "a b\r\n");
  CHECK(canonical_body("\t\tindented\r\n") == " indented\r\n");
  CHECK(canonical_body("-- \r\nJean\r\n") == "--\r\nJean\r\n");
  CHECK(body_hash_base64("Bonjour,\r\n\r\nVoici la facture.\t \r\n-- \r\nJean\r\n\r\n") ==
        "uwN/v//x93nVi/G2xr2eGFxQg4CJ28aImiHkEzZRitM=");
}

TEST_CASE("a body without a final CRLF gets one, keeping one space of trailing whitespace") {
  CHECK(canonical_body("Hello") == "Hello\r\n");
  CHECK(canonical_body("a\r\n\r\nHello") == "a\r\n\r\nHello\r\n");
  CHECK(canonical_body("Hello  world  ") == "Hello world \r\n");
  CHECK(body_hash_base64("Hello  world  ") == "ymUbXeeIlnK0/WtIH+W0uSWXwSrDrYc+SIdBUYMRuvc=");
}

TEST_CASE("bare CR and bare LF are data, not line ends") {
  CHECK(canonical_body("a\rb\r\n") == "a\rb\r\n");
  CHECK(canonical_body("a\nb\r\n") == "a\nb\r\n");
  CHECK(canonical_body("a\r\r\n") == "a\r\r\n");
  CHECK(canonical_body("a\r") == "a\r\r\n");
  // A bare LF after whitespace: the whitespace is inside the line, so it stays one space.
  CHECK(canonical_body("a \nb\r\n") == "a \nb\r\n");
}

TEST_CASE("a canonicalizer is reusable after finish") {
  RelaxedBodyCanonicalizer canon;
  std::string first;
  canon.update("x \r\n\r\n", &first);
  canon.finish(&first);
  std::string second;
  canon.update("\r\ny", &second);
  canon.finish(&second);
  CHECK(first == "x\r\n");
  CHECK(second == "\r\ny\r\n");
}

TEST_CASE("splitting the body at every offset gives the same canonical form and hash") {
  const std::string bodies[] = {
      " C \r\nD \t E\r\n\r\n\r\n",
      "Bonjour,\r\n\r\nVoici la facture.\t \r\n-- \r\nJean\r\n\r\n",
      "a\r\r\n \r\n\t\r\nb  c\r\n\r\n  ",
      "no line end at all   ",
      "\r\n\r\n\r\n",
  };
  for (const std::string& body : bodies) {
    const std::string whole = canonical_body(body);
    const std::string whole_hash = body_hash_base64(body);
    CHECK(canonical_body_bytewise(body) == whole);
    for (size_t split = 0; split <= body.size(); ++split) {
      for (size_t split2 = split; split2 <= body.size(); ++split2) {
        RelaxedBodyCanonicalizer canon;
        std::string out;
        canon.update(std::string_view(body).substr(0, split), &out);
        canon.update(std::string_view(body).substr(split, split2 - split), &out);
        canon.update(std::string_view(body).substr(split2), &out);
        canon.finish(&out);
        CHECK_MESSAGE(out == whole, "body ", body.size(), " bytes split at ", split, ",", split2);
      }
      RelaxedBodyHash hash;
      hash.update(std::string_view(body).substr(0, split));
      hash.update(std::string_view(body).substr(split));
      auto digest = hash.finish();
      CHECK(mime::base64_encode(std::string_view(reinterpret_cast<const char*>(digest.data()), 32),
                                mime::Base64Lines::kNone) == whole_hash);
    }
  }
}

TEST_CASE("the body canonicalizer holds back at most what it must, not the body") {
  // A million spaces are one pending flag; a million empty lines one counter. Nothing is
  // written until a later byte decides, and the output stays small.
  RelaxedBodyCanonicalizer canon;
  std::string out;
  std::string spaces(1 << 20, ' ');
  canon.update(spaces, &out);
  CHECK(out.empty());
  std::string empty_lines;
  for (int i = 0; i < 1000; ++i) empty_lines += "\r\n";
  canon.update("x", &out);
  canon.update(empty_lines, &out);
  CHECK(out == " x\r\n");
  canon.update("y", &out);
  CHECK(out.size() == 4 + 999 * 2 + 1);
  canon.finish(&out);
  CHECK(out.substr(out.size() - 3) == "y\r\n");
}

TEST_CASE("the body hash counts the canonical bytes") {
  RelaxedBodyHash hash;
  hash.update("a  b \r\n\r\n");
  (void)hash.finish();
  CHECK(hash.canonical_length() == 5);
}
