// base/text.h — small ASCII string helpers used across the library.
#ifndef MF_BASE_TEXT_H
#define MF_BASE_TEXT_H

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mf {

// Lower-cases ASCII letters only; other bytes (UTF-8 included) are kept.
std::string ascii_lower(std::string_view s);

bool ascii_iequals(std::string_view a, std::string_view b);

// Compares in time that depends only on the lengths, not on where the bytes differ.
bool constant_time_equals(std::string_view a, std::string_view b);

// Whether `s` is well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF).
bool is_valid_utf8(std::string_view s);

// Length of the well-formed UTF-8 sequence starting at s[i], or 0 if there is none.
size_t utf8_sequence_length(std::string_view s, size_t i);

// Appends code point `cp` (at most U+10FFFF; callers check) to `out` in UTF-8.
void append_utf8(std::string& out, uint32_t cp);

// Whether `c` is atext (RFC 5322 §3.2.3: letters, digits and !#$%&'*+-/=?^_`{|}~), every
// byte from 0x80 up counting as atext too, as in UTF-8 addresses and headers (RFC 6531
// §3.3, RFC 6532 §3.2). Callers that must stay ASCII check for 0x80 and up first.
bool is_atext(char c);

// Whether every byte of `s` is printable ASCII (0x20 to 0x7E, space included).
bool is_printable_ascii(std::string_view s);

// Joins with `sep`.
std::string join(const std::vector<std::string>& parts, std::string_view sep);

// Sorts and removes duplicates.
void sort_unique(std::vector<std::string>* v);

}  // namespace mf

#endif  // MF_BASE_TEXT_H
