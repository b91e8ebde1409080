// mime/date.cpp — Date parsing and formatting (see date.h).
//
// The value is cut into words (comments and whitespace dropped, ',' and ':' kept as
// words of their own), then read left to right: [day-name ","] day month year
// hour ":" minute [":" second] [zone [word]].
#include "mime/date.h"

#include "mime/chars.h"

#include <fmt/format.h>

#include <array>
#include <cstdlib>
#include <vector>

namespace mf::mime {

namespace {

constexpr std::array<std::string_view, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr size_t kMaxWords = 64;

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (to_lower_ascii(a[i]) != to_lower_ascii(b[i])) return false;
  return true;
}

bool is_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

bool is_alpha(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
  return true;
}

// The index of a day or month name: the three-letter form or a full name starting with
// it ("November", "Thursday"); -1 when there is none.
int name_index(std::string_view word, const std::string_view* names, size_t count) {
  if (word.size() < 3 || !is_alpha(word)) return -1;
  for (size_t i = 0; i < count; ++i)
    if (iequals(word.substr(0, 3), names[i])) return static_cast<int>(i);
  return -1;
}

// Splits the value into words; comments (nested, with quoted-pairs) and whitespace
// separate words and are dropped. Fails on an unterminated comment or too many words.
Result<std::vector<std::string_view>> words_of(std::string_view v) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < v.size()) {
    char c = v[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++i;
    } else if (c == '(') {
      int depth = 0;
      for (; i < v.size(); ++i) {
        if (v[i] == '\\') {
          ++i;
        } else if (v[i] == '(') {
          ++depth;
        } else if (v[i] == ')' && --depth == 0) {
          break;
        }
      }
      if (i >= v.size()) return invalid_argument("the date has an unterminated comment");
      ++i;
    } else {
      size_t start = i;
      if (c == ',' || c == ':') {
        ++i;
      } else {
        while (i < v.size() && v[i] != ' ' && v[i] != '\t' && v[i] != '\r' && v[i] != '\n' &&
               v[i] != '(' && v[i] != ',' && v[i] != ':')
          ++i;
      }
      if (out.size() == kMaxWords) return invalid_argument("the date has too many words");
      out.push_back(v.substr(start, i - start));
    }
  }
  return out;
}

int to_int(std::string_view digits) {
  int n = 0;
  for (char c : digits) n = n * 10 + (c - '0');
  return n;
}

bool is_leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int y, int m) {
  static constexpr std::array<int, 12> kLength = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kLength[static_cast<size_t>(m - 1)];
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct Civil {
  int64_t year;
  int month;
  int day;
};

// The inverse of days_from_civil.
Civil civil_from_days(int64_t z) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (m <= 2), m, d};
}

// Reads an alphabetic zone (RFC 5322 §4.3). Returns false when `w` is none.
bool alpha_zone(std::string_view w, DateTime& dt) {
  struct Zone {
    std::string_view name;
    int hours;
  };
  static constexpr std::array<Zone, 10> kZones = {{{"UT", 0},
                                                   {"GMT", 0},
                                                   {"EST", -5},
                                                   {"EDT", -4},
                                                   {"CST", -6},
                                                   {"CDT", -5},
                                                   {"MST", -7},
                                                   {"MDT", -6},
                                                   {"PST", -8},
                                                   {"PDT", -7}}};
  for (const auto& z : kZones) {
    if (iequals(w, z.name)) {
      dt.zone_minutes = z.hours * 60;
      return true;
    }
  }
  // UTC is no RFC 5322 zone but is common; military zones carry no information.
  if (iequals(w, "UTC")) return true;
  if (w.size() == 1 && is_alpha(w) && to_lower_ascii(w[0]) != 'j') {
    dt.zone_unknown = true;
    return true;
  }
  return false;
}

}  // namespace

Result<DateTime> parse_date(std::string_view value) {
  MF_ASSIGN_OR_RETURN(auto w, words_of(value));
  size_t i = 0;
  auto at = [&](size_t k) -> std::string_view { return k < w.size() ? w[k] : std::string_view(); };

  if (is_alpha(at(i))) {
    if (name_index(at(i), kDays.data(), kDays.size()) < 0)
      return invalid_argument(fmt::format("'{}' is not a day of the week", at(i)));
    ++i;
    if (at(i) == ",") ++i;
  }
  if (!is_digits(at(i)) || at(i).size() > 2)
    return invalid_argument(fmt::format("expected a day of the month, found '{}'", at(i)));
  int day = to_int(at(i++));
  int month = name_index(at(i), kMonths.data(), kMonths.size()) + 1;
  if (month == 0) return invalid_argument(fmt::format("'{}' is not a month", at(i)));
  ++i;
  if (!is_digits(at(i)) || at(i).size() < 2 || at(i).size() > 4)
    return invalid_argument(fmt::format("expected a year, found '{}'", at(i)));
  int year = to_int(at(i));
  if (at(i).size() == 2) {
    year += year < 50 ? 2000 : 1900;
  } else if (at(i).size() == 3) {
    year += 1900;
  }
  ++i;
  if (year < 1900) return invalid_argument(fmt::format("the year {} is before 1900", year));
  if (day < 1 || day > days_in_month(year, month))
    return invalid_argument(fmt::format("there is no day {} in {} {}", day,
                                        kMonths[static_cast<size_t>(month - 1)], year));

  int clock[3] = {0, 0, 0};
  for (int part = 0; part < 3; ++part) {
    if (part > 0) {
      if (at(i) != ":") {
        if (part == 2) break;  // seconds are optional
        return invalid_argument("expected ':' in the time of day");
      }
      ++i;
    }
    if (!is_digits(at(i)) || at(i).size() > 2)
      return invalid_argument(fmt::format("expected a time of day, found '{}'", at(i)));
    clock[part] = to_int(at(i++));
  }
  if (clock[0] > 23 || clock[1] > 59 || clock[2] > 60)
    return invalid_argument(
        fmt::format("{:02}:{:02}:{:02} is not a time of day", clock[0], clock[1], clock[2]));

  DateTime dt;
  std::string_view zone = at(i);
  if (zone.empty()) {
    dt.zone_unknown = true;
  } else if ((zone[0] == '+' || zone[0] == '-') && zone.size() == 5 && is_digits(zone.substr(1))) {
    int hh = to_int(zone.substr(1, 2));
    int mm = to_int(zone.substr(3, 2));
    if (mm > 59) return invalid_argument(fmt::format("'{}' is not a zone offset", zone));
    dt.zone_minutes = (zone[0] == '-' ? -1 : 1) * (hh * 60 + mm);
    dt.zone_unknown = zone == "-0000";
    ++i;
    if (is_alpha(at(i))) ++i;  // "+0100 CET": a zone name written without parentheses
  } else if (alpha_zone(zone, dt)) {
    ++i;
  } else {
    return invalid_argument(fmt::format("'{}' is not a zone", zone));
  }
  if (i < w.size()) return invalid_argument(fmt::format("unexpected '{}' after the date", w[i]));

  int64_t days = days_from_civil(year, month, day);
  int64_t local = days * 86400 + clock[0] * 3600 + clock[1] * 60 + clock[2];
  // A leap second on the last day of 9999 is the first instant of a five-digit year, which
  // RFC 5322 cannot write (and format_date would not give back in four digits).
  if (local >= days_from_civil(10000, 1, 1) * 86400)
    return invalid_argument("the date falls after the end of the year 9999");
  dt.unix_seconds = local - static_cast<int64_t>(dt.zone_minutes) * 60;
  return dt;
}

std::string format_date(const DateTime& dt) {
  int64_t local = dt.unix_seconds + static_cast<int64_t>(dt.zone_minutes) * 60;
  int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
  int64_t secs = local - days * 86400;
  Civil c = civil_from_days(days);
  int64_t weekday = ((days % 7) + 11) % 7;  // 1970-01-01 was a Thursday
  int offset = dt.zone_minutes < 0 ? -dt.zone_minutes : dt.zone_minutes;
  char sign = (dt.zone_minutes < 0 || dt.zone_unknown) ? '-' : '+';
  if (dt.zone_unknown) offset = 0;
  return fmt::format("{}, {} {} {:04} {:02}:{:02}:{:02} {}{:02}{:02}",
                     kDays[static_cast<size_t>(weekday)], c.day,
                     kMonths[static_cast<size_t>(c.month - 1)], c.year, secs / 3600, secs / 60 % 60,
                     secs % 60, sign, offset / 60, offset % 60);
}

}  // namespace mf::mime
