// imap/search_text.h — text as SEARCH, SORT and THREAD compare it: case folding for
// substring matching, decoded header values, and the base subject of RFC 5256 §2.1.
// Pure functions over bytes; no state.
#ifndef MF_IMAP_SEARCH_TEXT_H
#define MF_IMAP_SEARCH_TEXT_H

#include <cstdint>
#include <string>
#include <string_view>

namespace mf::imap {

// The Unicode simple case folding (CaseFolding.txt, statuses C and S) of one code point,
// for the scripts mail in European languages uses: ASCII, Latin-1, Latin Extended-A and
// the regular pairs of Extended-B and Extended Additional (Vietnamese, Romanian), modern Greek,
// Cyrillic, Armenian, fullwidth Latin, and the compatibility signs that fold to letters
// (micro, Kelvin, Angstrom, Ohm). Other code points are returned unchanged. "ß" stays
// "ß" (full folding, which gives "ss", changes lengths; simple folding does not).
uint32_t simple_case_fold(uint32_t cp);

// `text` with every code point folded by simple_case_fold. Bytes that are not well-formed
// UTF-8 are copied unchanged (an ASCII letter among them is still folded), so folding
// never fails and two texts that differ only in case fold to the same bytes. The result
// is never longer than `text`.
std::string fold_case(std::string_view text);

// Appends fold_case(text) to *out.
void append_folded(std::string_view text, std::string* out);

// Whether `needle_folded` (already folded) occurs in fold_case(haystack). An empty
// needle occurs everywhere.
bool contains_folded(std::string_view haystack, std::string_view needle_folded);

// A header field value as SEARCH matches it: unfolded, RFC 2047 encoded words decoded to
// UTF-8 (words in unknown charsets kept as written), other bytes unchanged.
std::string decoded_field_value(std::string_view raw_value);

// RFC 5256 §2.1: the base subject of a Subject field's raw value.
struct BaseSubject {
  std::string text;  // decoded, whitespace collapsed, "Re:", "Fwd:", "[blob]", "(fwd)" and
                     // "[fwd: ...]" removed; case kept
  bool reply_or_forward = false;  // whether a "re"/"fw"/"fwd" leader, a "(fwd)" trailer
                                  // or a "[fwd: ...]" wrapper was removed
};
BaseSubject base_subject(std::string_view raw_value);

// The comparison key of a text under SORT's collation: fold_case, then ASCII letters
// upper-cased, so that byte order is that of i;ascii-casemap (RFC 4790) for ASCII text
// and equal keys mean equal up to case for the rest.
std::string casemap_key(std::string_view text);

}  // namespace mf::imap

#endif  // MF_IMAP_SEARCH_TEXT_H
