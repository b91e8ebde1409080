// Unit tests of IMAP sequence sets (imap/sequence_set.h): what parses, what is refused,
// and how sets resolve against a mailbox without ever being expanded.
#include <doctest/doctest.h>

#include "imap/sequence_set.h"

#include <string>

using namespace mf::imap;

namespace {

std::string parsed(std::string_view text) {
  auto set = parse_sequence_set(text);
  return set ? to_string(*set) : "error: " + set.status().message();
}

std::string resolved(std::string_view text, uint32_t largest) {
  auto set = parse_sequence_set(text);
  REQUIRE(set.is_ok());
  return to_string(resolve(*set, largest));
}

}  // namespace

TEST_CASE("IMAP sequence sets keep numbers, ranges, stars and $ as written") {
  CHECK(parsed("1") == "1");
  CHECK(parsed("1:*") == "1:*");
  CHECK(parsed("4:2,7,9:*,*") == "4:2,7,9:*,*");
  CHECK(parsed("4294967295") == "4294967295");
  CHECK(parsed("$") == "$");
  auto saved = parse_sequence_set("$");
  REQUIRE(saved.is_ok());
  CHECK(saved->saved);
  CHECK(saved->ranges.empty());
}

TEST_CASE("IMAP sequence sets refuse zero, overflow, empty elements and stray characters") {
  CHECK(parsed("0") == "error: Invalid sequence set: numbers start at 1");
  CHECK(parsed("01") == "error: Invalid sequence set: numbers start at 1");
  CHECK(parsed("4294967296") == "error: Invalid sequence set: number too large");
  CHECK(parsed("") == "error: Invalid sequence set: empty");
  CHECK(parsed("1,,2") == "error: Invalid sequence set: empty element");
  CHECK(parsed("1,") == "error: Invalid sequence set: empty element");
  CHECK(parsed("1:") == "error: Invalid sequence set: empty number");
  CHECK(parsed(":3") == "error: Invalid sequence set: empty number");
  CHECK(parsed("1:2:3") == "error: Invalid sequence set: unexpected character");
  CHECK(parsed("1,$") == "error: Invalid sequence set: unexpected character");
  CHECK(parsed("a") == "error: Invalid sequence set: unexpected character");
}

TEST_CASE("IMAP sequence sets are capped in elements") {
  std::string many;
  for (int i = 1; i <= 5; ++i) {
    if (i > 1) many += ',';
    many += std::to_string(i);
  }
  CHECK(parse_sequence_set(many, 5).is_ok());
  CHECK(!parse_sequence_set(many + ",6", 5).is_ok());
}

TEST_CASE("IMAP sequence sets resolve to sorted, merged, clipped ranges") {
  CHECK(resolved("1:*", 10) == "1:10");
  CHECK(resolved("*", 10) == "10");
  CHECK(resolved("5:2", 10) == "2:5");
  CHECK(resolved("7,1:3,4,9:8", 10) == "1:4,7:9");
  CHECK(resolved("3:20", 10) == "3:10");
  CHECK(resolved("11:20", 10) == "");
  // RFC 9051 §6.4.8: "559:*" includes the last UID even when 559 is above it.
  CHECK(resolved("559:*", 500) == "500");
  CHECK(resolved("1:*", 0) == "");
  // Huge ranges stay ranges.
  CHECK(resolved("1:4294967295", 4294967295u) == "1:4294967295");
  auto saved = parse_sequence_set("$");
  REQUIRE(saved.is_ok());
  CHECK(resolve(*saved, 10).empty());
}

TEST_CASE("IMAP sequence numbers beyond the message count are detected") {
  auto set = parse_sequence_set("1:5,*");
  REQUIRE(set.is_ok());
  CHECK(within(*set, 5));
  CHECK(!within(*set, 4));
  auto star = parse_sequence_set("*:1");
  REQUIRE(star.is_ok());
  CHECK(within(*star, 1));
}

namespace mf::imap {
namespace {

TEST_CASE("numbers the server writes become merged ranges, and membership is a search") {
  CHECK(to_string(ranges_of({1, 2, 3, 7, 9, 10})) == "1:3,7,9:10");
  CHECK(to_string(ranges_of({4, 4, 5})) == "4:5");
  CHECK(ranges_of({}).empty());
  const std::vector<UidRange> r = ranges_of({2, 3, 4, 10, 4294967295u});
  CHECK_FALSE(contains(r, 1));
  CHECK(contains(r, 2));
  CHECK(contains(r, 4));
  CHECK_FALSE(contains(r, 5));
  CHECK(contains(r, 10));
  CHECK(contains(r, 4294967295u));
  CHECK_FALSE(contains({}, 1));
}

}  // namespace
}  // namespace mf::imap
