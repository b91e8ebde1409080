// Unit tests of yescrypt password hashing (model/password.h).
#include <doctest/doctest.h>

#include "model/password.h"

using namespace mf;

TEST_CASE("a hashed password verifies and a wrong one does not") {
  auto h = PasswordHasher::create(1);
  REQUIRE(h.is_ok());
  auto hash = h->hash("correct horse");
  REQUIRE(hash.is_ok());
  CHECK(hash->rfind("$y$", 0) == 0);
  CHECK(hash->find("correct horse") == std::string::npos);
  CHECK(h->verify("correct horse", *hash));
  CHECK_FALSE(h->verify("correct horsf", *hash));
  CHECK_FALSE(h->verify("", *hash));
}

TEST_CASE("two hashes of one password differ by their salt") {
  auto h = PasswordHasher::create(1);
  REQUIRE(h.is_ok());
  CHECK(*h->hash("same password") != *h->hash("same password"));
}

TEST_CASE("an empty or foreign stored hash never matches") {
  auto h = PasswordHasher::create(1);
  REQUIRE(h.is_ok());
  CHECK_FALSE(h->verify("anything", ""));
  CHECK_FALSE(h->verify("anything", "$1$abc$def"));
  CHECK_FALSE(h->verify("anything", "garbage"));
}

TEST_CASE("a hash made with another cost needs a rehash") {
  auto cheap = PasswordHasher::create(1);
  auto dearer = PasswordHasher::create(2);
  REQUIRE(cheap.is_ok());
  REQUIRE(dearer.is_ok());
  auto hash = cheap->hash("rehash me please");
  REQUIRE(hash.is_ok());
  CHECK_FALSE(cheap->needs_rehash(*hash));
  CHECK(dearer->needs_rehash(*hash));
  CHECK(dearer->verify("rehash me please", *hash));  // old hashes still verify
}

TEST_CASE("a cost outside 1..11 is refused") {
  CHECK_FALSE(PasswordHasher::create(0).is_ok());
  CHECK_FALSE(PasswordHasher::create(12).is_ok());
}
