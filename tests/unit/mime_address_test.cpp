// Unit tests of address-list parsing (mime/address.h).
#include <doctest/doctest.h>

#include "mime/address.h"

#include <string>

using namespace mf::mime;

TEST_CASE("plain addresses and name-addr forms parse") {
  auto list = parse_address_list(
      "claire.martin@ma-societe.fr, Service Facturation <facturation@ma-societe.fr>,\r\n"
      " \"Martin, Claire\" <claire.martin@ma-societe.fr>");
  CHECK(list.errors.empty());
  REQUIRE(list.mailboxes.size() == 3);
  CHECK(list.mailboxes[0].display_name == "");
  CHECK(list.mailboxes[0].local == "claire.martin");
  CHECK(list.mailboxes[0].domain == "ma-societe.fr");
  CHECK(list.mailboxes[1].display_name == "Service Facturation");
  CHECK(list.mailboxes[1].addr_spec() == "facturation@ma-societe.fr");
  CHECK(list.mailboxes[2].display_name == "Martin, Claire");
  CHECK(list.mailboxes[2].group == "");
}

TEST_CASE("groups name their members and an empty group is one entry") {
  auto list = parse_address_list(
      "Direction: pdg@ma-societe.fr, Daf <daf@ma-societe.fr>;, undisclosed-recipients:;, "
      "compta@ma-societe.fr");
  CHECK(list.errors.empty());
  REQUIRE(list.mailboxes.size() == 4);
  CHECK(list.mailboxes[0].group == "Direction");
  CHECK(list.mailboxes[0].local == "pdg");
  CHECK(list.mailboxes[1].group == "Direction");
  CHECK(list.mailboxes[1].display_name == "Daf");
  CHECK(list.mailboxes[2].group == "undisclosed-recipients");
  CHECK(list.mailboxes[2].local.empty());
  CHECK(list.mailboxes[2].domain.empty());
  CHECK(list.mailboxes[3].group == "");
  CHECK(list.mailboxes[3].local == "compta");
}

TEST_CASE("a group whose ';' is missing ends with the field") {
  auto list = parse_address_list("Equipe: a@ma-societe.fr, b@ma-societe.fr");
  CHECK(list.errors.empty());
  REQUIRE(list.mailboxes.size() == 2);
  CHECK(list.mailboxes[1].group == "Equipe");
}

TEST_CASE("comments are skipped, and one after a bare address is its display name") {
  auto list = parse_address_list(
      "jdoe@ma-societe.fr (John Doe), (vide) Jane (the boss) <jane(x)@(y)ma-societe.fr>");
  CHECK(list.errors.empty());
  REQUIRE(list.mailboxes.size() == 2);
  CHECK(list.mailboxes[0].display_name == "John Doe");
  CHECK(list.mailboxes[1].display_name == "Jane");
  CHECK(list.mailboxes[1].addr_spec() == "jane@ma-societe.fr");
}

TEST_CASE("nested comments and quoted-pairs are understood") {
  auto list = parse_address_list(
      "a@ma-societe.fr (outer (inner) \\) still), \"say \\\"hi\\\"\" <b@ma-societe.fr>");
  CHECK(list.errors.empty());
  REQUIRE(list.mailboxes.size() == 2);
  CHECK(list.mailboxes[0].display_name == "outer (inner) ) still");
  CHECK(list.mailboxes[1].display_name == "say \"hi\"");
}

TEST_CASE("quoted local parts are unquoted, and quoted again by addr_spec") {
  auto list = parse_address_list(
      "\"john doe\"@ma-societe.fr, \"a\\\"b\"@ma-societe.fr, \"plain\"@ma-societe.fr");
  CHECK(list.errors.empty());
  REQUIRE(list.mailboxes.size() == 3);
  CHECK(list.mailboxes[0].local == "john doe");
  CHECK(list.mailboxes[0].addr_spec() == "\"john doe\"@ma-societe.fr");
  CHECK(list.mailboxes[1].local == "a\"b");
  CHECK(list.mailboxes[1].addr_spec() == "\"a\\\"b\"@ma-societe.fr");
  CHECK(list.mailboxes[2].addr_spec() == "plain@ma-societe.fr");
}

TEST_CASE("encoded display names are decoded on request and kept otherwise") {
  std::string field =
      "=?UTF-8?Q?J=C3=A9r=C3=B4me?= Dupont <jerome@ma-societe.fr>, "
      "\"=?iso-8859-1?q?H=E9l=E8ne?=\" <helene@ma-societe.fr>";
  auto decoded = parse_address_list(field);
  REQUIRE(decoded.mailboxes.size() == 2);
  CHECK(decoded.mailboxes[0].display_name == "Jérôme Dupont");
  CHECK(decoded.mailboxes[1].display_name == "Hélène");
  auto kept = parse_address_list(field, EncodedWords::kKeep);
  REQUIRE(kept.mailboxes.size() == 2);
  CHECK(kept.mailboxes[0].display_name == "=?UTF-8?Q?J=C3=A9r=C3=B4me?= Dupont");
}

TEST_CASE("raw UTF-8 names and addresses are accepted (RFC 6532)") {
  auto list = parse_address_list("Jérôme Müller <jérôme@société.fr>");
  CHECK(list.errors.empty());
  REQUIRE(list.mailboxes.size() == 1);
  CHECK(list.mailboxes[0].display_name == "Jérôme Müller");
  CHECK(list.mailboxes[0].local == "jérôme");
  CHECK(list.mailboxes[0].domain == "société.fr");
}

TEST_CASE("obsolete forms are tolerated") {
  auto list = parse_address_list(
      "<@relay1.example,@relay2.example:route@ma-societe.fr>, , john . doe @ ma-societe . fr,"
      " John Q. Public <jqp@ma-societe.fr>, jdoe@ma-societe.fr <jdoe@ma-societe.fr>,"
      " postmaster@[192.0.2.10]");
  CHECK(list.errors.empty());
  REQUIRE(list.mailboxes.size() == 5);
  CHECK(list.mailboxes[0].addr_spec() == "route@ma-societe.fr");
  CHECK(list.mailboxes[1].addr_spec() == "john.doe@ma-societe.fr");
  CHECK(list.mailboxes[2].display_name == "John Q. Public");
  CHECK(list.mailboxes[3].display_name == "jdoe@ma-societe.fr");
  CHECK(list.mailboxes[4].domain == "[192.0.2.10]");
}

TEST_CASE("a ';' outside a group separates addresses") {
  auto list = parse_address_list("a@ma-societe.fr; b@ma-societe.fr");
  CHECK(list.errors.empty());
  CHECK(list.mailboxes.size() == 2);
}

TEST_CASE("a malformed entry is reported and the rest is still parsed") {
  auto list = parse_address_list(
      "Martin, Claire <claire.martin@ma-societe.fr>, <>, a@, @b.fr, x@y@z, \"\"@ma-societe.fr,"
      " \"open@ma-societe.fr");
  REQUIRE(list.mailboxes.size() == 1);
  CHECK(list.mailboxes[0].addr_spec() == "claire.martin@ma-societe.fr");
  CHECK(list.mailboxes[0].display_name == "Claire");
  REQUIRE(list.errors.size() == 7);
  CHECK(list.errors[0].text == "Martin");
  CHECK(list.errors[0].offset == 0);
  CHECK(list.errors[0].reason == "there is no '@' in the address");
  CHECK(list.errors[1].text == "<>");
  CHECK(list.errors[1].reason == "the address between '<' and '>' is empty");
  CHECK(list.errors[2].reason == "there is no domain after '@'");
  CHECK(list.errors[3].reason == "the local part before '@' is empty");
  CHECK(list.errors[4].reason == "'@' is not allowed in the domain");
  CHECK(list.errors[5].reason == "the local part is an empty quoted string");
  CHECK(list.errors[6].reason == "a quoted string is not terminated");
}

TEST_CASE("specific reasons are given for broken angle addresses and domains") {
  auto list = parse_address_list("<a@ma-societe.fr, b <b@ma-societe.fr> x, c@ma-societe., <@r:>");
  CHECK(list.mailboxes.empty());
  REQUIRE(list.errors.size() == 4);
  CHECK(list.errors[0].reason == "there is no '>' after '<'");
  CHECK(list.errors[1].reason == "'x' follows the '>'");
  CHECK(list.errors[2].reason == "the domain 'ma-societe.' ends with a dot");
  CHECK(list.errors[3].reason == "the address between '<' and '>' is empty");
}

TEST_CASE("an address list with too many entries stops with one error") {
  std::string field;
  for (size_t i = 0; i < kMaxAddresses + 5; ++i) field += "a@b.fr,";
  auto list = parse_address_list(field);
  CHECK(list.mailboxes.size() == kMaxAddresses);
  REQUIRE(list.errors.size() == 1);
  CHECK(list.errors[0].reason.find("more than 10000 entries") != std::string::npos);
}

TEST_CASE("an empty field gives an empty list") {
  auto list = parse_address_list("  \r\n (just a comment) ");
  CHECK(list.mailboxes.empty());
  CHECK(list.errors.empty());
}

TEST_CASE("an empty quoted string cannot name a group") {
  auto list = parse_address_list("\"\": a@ma-societe.fr;");
  CHECK(list.mailboxes.empty());
  REQUIRE(list.errors.size() == 1);
  CHECK(list.errors[0].reason == "':' is not allowed in the local part");
}

TEST_CASE("several empty quoted strings cannot name a group either") {
  // The fuzzer's input: without a name the group would give a mailbox with no address
  // and no group.
  auto list = parse_address_list("\"\" \"\":@ma-societe.fr, \"\" (c) . \"\":;");
  CHECK(list.mailboxes.empty());
  REQUIRE(list.errors.size() == 2);
  CHECK(list.errors[0].offset == 0);
  CHECK(list.errors[0].text == "\"\" \"\":@ma-societe.fr");
  CHECK(list.errors[0].reason == "':' is not allowed in the local part");
  CHECK(list.errors[1].text == "\"\" (c) . \"\":");
  CHECK(list.errors[1].reason == "there is no '@' in the address");
}

TEST_CASE("a line break after a backslash is folding, not part of a quoted local part") {
  auto list = parse_address_list(
      "\"a\\\nb\"@ma-societe.fr, \"c\\\r\n d\"@ma-societe.fr, (x\\\r\ny) e@ma-societe.fr");
  CHECK(list.errors.empty());
  REQUIRE(list.mailboxes.size() == 3);
  CHECK(list.mailboxes[0].local == "ab");
  CHECK(list.mailboxes[0].addr_spec() == "ab@ma-societe.fr");
  CHECK(list.mailboxes[1].local == "c d");
  CHECK(list.mailboxes[1].addr_spec() == "\"c d\"@ma-societe.fr");
  CHECK(list.mailboxes[2].display_name == "xy");
  auto again = parse_address_list(list.mailboxes[1].addr_spec());
  REQUIRE(again.mailboxes.size() == 1);
  CHECK(again.mailboxes[0].local == "c d");
}
