// mime/date.h — the Date field (RFC 5322 §3.3), with the obsolete syntax of §4.3
// tolerated, and its formatting. Pure functions, fuzzed (tests/fuzz/mime_fields_fuzz.cpp).
//
// Tolerated, as the major mail readers have it:
//   - a missing day of week, and a day of week that does not match the date;
//   - comments and extra whitespace anywhere, including around the colons of the time;
//   - the alphabetic zones UT, GMT, EST, EDT, CST, CDT, MST, MDT, PST, PDT, and the
//     military one-letter zones, read as -0000 ("no information", RFC 5322 §4.3);
//   - two-digit years (below 50 → 20xx, otherwise 19xx) and three-digit years (+1900);
//   - missing seconds, month and day names in any case, full month and day names;
//   - one trailing word after a numeric zone ("+0100 CET"), a missing zone (-0000).
// Refused with kInvalidArgument and a reason: impossible dates (31 April, 29 February
// of a common year), hours over 23, minutes over 59, seconds over 60, zones whose
// minutes are over 59, years outside 1900..9999, and anything else left over.
#ifndef MF_MIME_DATE_H
#define MF_MIME_DATE_H

#include <mailfountain/status.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace mf::mime {

// An instant and the zone it was written in.
struct DateTime {
  int64_t unix_seconds = 0;   // seconds since 1970-01-01T00:00:00Z
  int zone_minutes = 0;       // offset of local time from UTC: +0130 is 90
  bool zone_unknown = false;  // written as -0000, an obsolete zone or no zone at all

  bool operator==(const DateTime&) const = default;
};

// Parses a Date field value (raw with folding, or unfolded).
Result<DateTime> parse_date(std::string_view value);

// Formats `dt` as RFC 5322 writes it: "Sun, 29 Nov 2026 06:22:49 +0100", in the zone
// of `dt` ("-0000" when zone_unknown). Contract: the local date falls in years
// 1900..9999 and |zone_minutes| < 6000 (parse_date only gives such values).
std::string format_date(const DateTime& dt);

}  // namespace mf::mime

#endif  // MF_MIME_DATE_H
