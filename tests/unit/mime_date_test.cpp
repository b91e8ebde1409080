// Unit tests of Date parsing and formatting (mime/date.h).
#include <doctest/doctest.h>

#include "mime/date.h"

#include <string>

using namespace mf::mime;

namespace {

DateTime parsed(std::string_view value) {
  auto r = parse_date(value);
  REQUIRE_MESSAGE(r.is_ok(), r.status().message());
  return r.value();
}

std::string refusal(std::string_view value) {
  auto r = parse_date(value);
  REQUIRE(!r.is_ok());
  CHECK(r.status().code() == mf::Code::kInvalidArgument);
  return r.status().message();
}

}  // namespace

TEST_CASE("a modern date gives the instant and the zone") {
  auto dt = parsed("Sun, 29 Nov 2026 06:22:49 +0100");
  CHECK(dt.unix_seconds == 1795929769);
  CHECK(dt.zone_minutes == 60);
  CHECK(!dt.zone_unknown);
}

TEST_CASE("the RFC 5322 examples parse, folding and comments included") {
  CHECK(parsed("Fri, 21 Nov 1997 09:55:06 -0600").unix_seconds == 880127706);
  auto dt = parsed(
      "Thu,\r\n      13\r\n        Feb\r\n          1969\r\n      23:32\r\n"
      "               -0330 (Newfoundland Time)");
  CHECK(dt.unix_seconds == -27723480);
  CHECK(dt.zone_minutes == -210);
  CHECK(parsed("21 Nov 97 09:55:06 GMT").unix_seconds == 880127706 - 6 * 3600);
  CHECK(parsed("Fri, 21 Nov 1997 09 :   55  :  06 -0600").unix_seconds == 880127706);
}

TEST_CASE("obsolete alphabetic zones have their offsets and military zones are unknown") {
  CHECK(parsed("Fri, 21 Nov 1997 09:55:06 CST").zone_minutes == -360);
  CHECK(parsed("Fri, 21 Nov 1997 09:55:06 cst").unix_seconds == 880127706);
  CHECK(parsed("Fri, 21 Nov 1997 10:55:06 CDT").unix_seconds == 880127706);
  CHECK(parsed("Fri, 21 Nov 1997 07:55:06 PST").unix_seconds == 880127706);
  CHECK(parsed("Fri, 21 Nov 1997 11:55:06 EST").zone_minutes == -300);
  CHECK(parsed("Fri, 21 Nov 1997 15:55:06 UT").zone_minutes == 0);
  auto military = parsed("Fri, 21 Nov 1997 15:55:06 Z");
  CHECK(military.zone_unknown);
  CHECK(military.unix_seconds == 880127706);
  CHECK(parsed("Fri, 21 Nov 1997 15:55:06 -0000").zone_unknown);
  CHECK(!parsed("Fri, 21 Nov 1997 15:55:06 +0000").zone_unknown);
  CHECK(parsed("Fri, 21 Nov 1997 15:55:06").zone_unknown);
}

TEST_CASE("two- and three-digit years follow RFC 5322 section 4.3") {
  CHECK(parsed("1 Jan 49 00:00:00 +0000").unix_seconds == 2493072000);
  CHECK(parsed("1 Jan 50 00:00:00 +0000").unix_seconds == -631152000);
  CHECK(parsed("1 Jan 050 00:00:00 +0000").unix_seconds == -631152000);
  CHECK(parsed("1 Jan 149 00:00:00 +0000").unix_seconds == 2493072000);
}

TEST_CASE("real-world variants are tolerated") {
  // Missing day of week and seconds, full names, lower case, a bare zone name after the offset.
  CHECK(parsed("29 Feb 2000 00:00 +0000").unix_seconds == 951782400);
  CHECK(parsed("Tuesday, 29 February 2000 00:00:00 +0000").unix_seconds == 951782400);
  CHECK(parsed("tue, 29 feb 2000 01:00:00 +0100 CET").unix_seconds == 951782400);
  CHECK(parsed("Tue, 1 Jul 2003 10:52:37 +0200 (CEST)").unix_seconds == 1057049557);
  CHECK(parsed("  Tue ,  1 Jul 2003 10:52:37 +0200  ").unix_seconds == 1057049557);
  // A day of week that does not match the date is common and ignored.
  CHECK(parsed("Mon, 1 Jul 2003 10:52:37 +0200").unix_seconds == 1057049557);
  // A leap second is the next minute's first second.
  CHECK(parsed("31 Dec 1998 23:59:60 +0000").unix_seconds == 915148800);
}

TEST_CASE("impossible dates are refused with a reason") {
  CHECK(refusal("31 Apr 2024 10:00:00 +0000") == "there is no day 31 in Apr 2024");
  CHECK(refusal("29 Feb 1900 10:00:00 +0000") == "there is no day 29 in Feb 1900");
  CHECK(parse_date("29 Feb 2024 10:00:00 +0000").is_ok());
  CHECK(refusal("1 Jan 2024 24:00:00 +0000") == "24:00:00 is not a time of day");
  CHECK(refusal("1 Jan 2024 12:60:00 +0000") == "12:60:00 is not a time of day");
  CHECK(refusal("1 Jan 2024 12:00:61 +0000") == "12:00:61 is not a time of day");
  CHECK(refusal("1 Jan 2024 12:00:00 +0160") == "'+0160' is not a zone offset");
  CHECK(refusal("0 Jan 2024 12:00:00 +0000") == "there is no day 0 in Jan 2024");
  CHECK(refusal("1 Jan 1899 12:00:00 +0000") == "the year 1899 is before 1900");
  CHECK(parse_date("31 Dec 9999 23:59:59 -0959").is_ok());
  CHECK(refusal("31 Dec 9999 23:59:60 -9959") == "the date falls after the end of the year 9999");
}

TEST_CASE("malformed dates are refused with a reason") {
  CHECK(refusal("") == "expected a day of the month, found ''");
  CHECK(refusal("Foo, 1 Jan 2024 12:00 +0000") == "'Foo' is not a day of the week");
  CHECK(refusal("1 Jxn 2024 12:00 +0000") == "'Jxn' is not a month");
  CHECK(refusal("1 Jan 2024 12:00 +0000 extra words") == "unexpected 'words' after the date");
  CHECK(refusal("1 Jan 2024 12:00 J") == "'J' is not a zone");
  CHECK(refusal("1 Jan 2024 12:00 +0000 (open") == "the date has an unterminated comment");
  CHECK(refusal("2024-01-01T12:00:00Z") == "expected a day of the month, found '2024-01-01T12'");
  CHECK(refusal("1 Jan 2024") == "expected a time of day, found ''");
}

TEST_CASE("formatting writes RFC 5322 form in the date's own zone") {
  CHECK(format_date({1795929769, 60, false}) == "Sun, 29 Nov 2026 06:22:49 +0100");
  CHECK(format_date({880127706, -360, false}) == "Fri, 21 Nov 1997 09:55:06 -0600");
  CHECK(format_date({-27723480, -210, false}) == "Thu, 13 Feb 1969 23:32:00 -0330");
  CHECK(format_date({0, 0, true}) == "Thu, 1 Jan 1970 00:00:00 -0000");
}

TEST_CASE("a formatted date parses back to the same instant and zone") {
  for (std::string_view in :
       {"Thu, 13 Feb 1969 23:32 -0330", "29 Feb 2000 00:00 +0000", "1 Jan 49 00:00:00 EDT",
        "31 Dec 9999 23:59:59 -9959", "1 Jan 1900 00:00:00 +9959", "Fri, 21 Nov 1997 15:55:06 Z"}) {
    auto dt = parsed(in);
    CHECK(parsed(format_date(dt)) == dt);
  }
}
