// Unit tests of message-id lists (mime/message_id.h).
#include <doctest/doctest.h>

#include "mime/message_id.h"

#include <string>
#include <vector>

using namespace mf::mime;
using Ids = std::vector<std::string>;

TEST_CASE("a Message-ID gives the id without angle brackets") {
  auto list = parse_message_ids(" <20261129052249.4f2a@mail.ma-societe.fr>");
  CHECK(list.ids == Ids{"20261129052249.4f2a@mail.ma-societe.fr"});
  CHECK(list.problems.empty());
}

TEST_CASE("References keep their order across folding and comments") {
  auto list = parse_message_ids(
      "<a1@ma-societe.fr>\r\n <b2@ma-societe.fr> (relance)\r\n\t<c3@ma-societe.fr><d4@x.fr>");
  CHECK(list.ids == Ids{"a1@ma-societe.fr", "b2@ma-societe.fr", "c3@ma-societe.fr", "d4@x.fr"});
  CHECK(list.problems.empty());
}

TEST_CASE("obsolete forms are tolerated") {
  // A phrase in In-Reply-To, whitespace and comments inside the brackets.
  CHECK(parse_message_ids("Your message of \"Mon, 2 Jan\" <x1@ma-societe.fr>").ids ==
        Ids{"x1@ma-societe.fr"});
  CHECK(parse_message_ids("< x1 . y @ ma-societe.fr >").ids == Ids{"x1.y@ma-societe.fr"});
  CHECK(parse_message_ids("<x1(comment)@ma-societe.fr>").ids == Ids{"x1@ma-societe.fr"});
  // A quoted local part is kept as written, an id without '@' is kept.
  CHECK(parse_message_ids("<\"x.y\"@ma-societe.fr>").ids == Ids{"\"x.y\"@ma-societe.fr"});
  CHECK(parse_message_ids("<1234567>").ids == Ids{"1234567"});
  // No brackets at all: the words with '@' are the ids.
  CHECK(parse_message_ids("abc@ma-societe.fr def@ma-societe.fr").ids ==
        Ids{"abc@ma-societe.fr", "def@ma-societe.fr"});
  CHECK(parse_message_ids("no id here").ids.empty());
  CHECK(parse_message_ids("").ids.empty());
}

TEST_CASE("broken ids are reported and the others still read") {
  auto list = parse_message_ids("<a@x.fr> <> <b@x.fr> <c@x.fr");
  CHECK(list.ids == Ids{"a@x.fr", "b@x.fr"});
  REQUIRE(list.problems.size() == 2);
  CHECK(list.problems[0] == "the '<>' at byte 9 holds no id");
  CHECK(list.problems[1] == "the '<' at byte 21 is never closed");

  auto nested = parse_message_ids("<a@x.fr <b@x.fr>");
  CHECK(nested.ids == Ids{"b@x.fr"});
  CHECK(nested.problems == Ids{"the '<' at byte 0 is never closed"});

  auto spaced = parse_message_ids("<\"a b\"@x.fr>");
  CHECK(spaced.ids.empty());
  CHECK(spaced.problems == Ids{"the id at byte 0 holds whitespace"});
}

TEST_CASE("limits on id length and count are reported") {
  auto long_id = parse_message_ids("<" + std::string(kMaxMessageIdLength + 1, 'a') + "@x.fr>");
  CHECK(long_id.ids.empty());
  CHECK(long_id.problems == Ids{"the id at byte 0 is longer than 998 octets"});

  std::string many;
  for (size_t i = 0; i <= kMaxMessageIds; ++i) many += "<" + std::to_string(i) + "@x.fr>";
  auto list = parse_message_ids(many);
  CHECK(list.ids.size() == kMaxMessageIds);
  CHECK(list.ids.back() == std::to_string(kMaxMessageIds - 1) + "@x.fr");
  CHECK(list.problems == Ids{"more than 10000 ids; the rest is ignored"});
}
