// imap/search_text.cpp — case folding, decoded header values and base subjects (see
// search_text.h).
#include "imap/search_text.h"

#include "base/text.h"
#include "mime/encoded_word.h"
#include "mime/header.h"

#include <algorithm>
#include <functional>

namespace mf::imap {

namespace search_text_detail {

// Even code points are capitals whose small letter follows (U+0100 Ā, U+0101 ā).
uint32_t even_upper(uint32_t cp) {
  return (cp & 1u) ? cp : cp + 1;
}
// Odd code points are capitals whose small letter follows (U+0139 Ĺ, U+013A ĺ).
uint32_t odd_upper(uint32_t cp) {
  return (cp & 1u) ? cp + 1 : cp;
}

uint32_t fold_latin(uint32_t cp) {
  if (cp < 0xC0) return cp == 0xB5 ? 0x3BC : cp;  // micro sign → Greek mu
  if (cp <= 0xDE) return cp == 0xD7 ? cp : cp + 32;
  if (cp < 0x100) return cp;
  if (cp < 0x180) {
    if (cp == 0x130 || cp == 0x131 || cp == 0x138 || cp == 0x149) return cp;
    if (cp == 0x178) return 0xFF;
    if (cp == 0x17F) return 's';
    if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E)) return odd_upper(cp);
    return even_upper(cp);
  }
  if (cp >= 0x1CD && cp <= 0x1DC) return odd_upper(cp);
  if ((cp >= 0x1DE && cp <= 0x1EF) || (cp >= 0x1F8 && cp <= 0x21F) ||
      (cp >= 0x222 && cp <= 0x233) || (cp >= 0x246 && cp <= 0x24F)) {
    return even_upper(cp);
  }
  return cp;
}

uint32_t fold_greek_cyrillic(uint32_t cp) {
  if (cp == 0x386) return 0x3AC;
  if (cp >= 0x388 && cp <= 0x38A) return cp + 37;
  if (cp == 0x38C) return 0x3CC;
  if (cp == 0x38E || cp == 0x38F) return cp + 63;
  if ((cp >= 0x391 && cp <= 0x3A1) || (cp >= 0x3A3 && cp <= 0x3AB)) return cp + 32;
  if (cp == 0x3C2) return 0x3C3;  // final sigma
  if (cp >= 0x400 && cp <= 0x40F) return cp + 80;
  if (cp >= 0x410 && cp <= 0x42F) return cp + 32;
  if ((cp >= 0x460 && cp <= 0x481) || (cp >= 0x48A && cp <= 0x4BF) ||
      (cp >= 0x4D0 && cp <= 0x52F)) {
    return even_upper(cp);
  }
  if (cp == 0x4C0) return 0x4CF;
  if (cp >= 0x4C1 && cp <= 0x4CE) return odd_upper(cp);
  if (cp >= 0x531 && cp <= 0x556) return cp + 48;  // Armenian
  return cp;
}

uint32_t fold_other(uint32_t cp) {
  if ((cp >= 0x1E00 && cp <= 0x1E95) || (cp >= 0x1EA0 && cp <= 0x1EFF)) return even_upper(cp);
  if (cp == 0x1E9E) return 0xDF;                     // capital sharp s
  if (cp == 0x2126) return 0x3C9;                    // Ohm sign
  if (cp == 0x212A) return 'k';                      // Kelvin sign
  if (cp == 0x212B) return 0xE5;                     // Angstrom sign
  if (cp >= 0x2160 && cp <= 0x216F) return cp + 16;  // Roman numerals
  if (cp >= 0x24B6 && cp <= 0x24CF) return cp + 26;  // circled letters
  if (cp >= 0xFF21 && cp <= 0xFF3A) return cp + 32;  // fullwidth Latin
  return cp;
}

uint32_t decode_utf8(std::string_view s, size_t i, size_t n) {
  auto b = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(s[i + k])); };
  if (n == 2) return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
  if (n == 3) return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
  return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
}

bool is_wsp(char c) {
  return c == ' ' || c == '\t';
}

bool starts_with_ci(std::string_view s, size_t pos, std::string_view prefix) {
  return s.size() - pos >= prefix.size() && ascii_iequals(s.substr(pos, prefix.size()), prefix);
}

// subj-blob = "[" *BLOBCHAR "]" *WSP at s[pos]: the offset after it, or npos. BLOBCHAR is
// any byte but "[", "]" and NUL (bytes from 0x80 up included: the subject is UTF-8 here).
size_t match_blob(std::string_view s, size_t pos) {
  if (pos >= s.size() || s[pos] != '[') return std::string_view::npos;
  size_t i = pos + 1;
  while (i < s.size() && s[i] != '[' && s[i] != ']' && s[i] != '\0') ++i;
  if (i >= s.size() || s[i] != ']') return std::string_view::npos;
  ++i;
  while (i < s.size() && is_wsp(s[i])) ++i;
  return i;
}

// subj-leader's first form, *subj-blob subj-refwd, at the start of s: the offset after
// it, or npos. subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":".
size_t match_refwd_leader(std::string_view s) {
  size_t pos = 0;
  for (size_t next; (next = match_blob(s, pos)) != std::string_view::npos;) pos = next;
  if (starts_with_ci(s, pos, "re")) {
    pos += 2;
  } else if (starts_with_ci(s, pos, "fw")) {
    pos += 2;
    if (pos < s.size() && (s[pos] == 'd' || s[pos] == 'D')) ++pos;
  } else {
    return std::string_view::npos;
  }
  while (pos < s.size() && is_wsp(s[pos])) ++pos;
  if (size_t next = match_blob(s, pos); next != std::string_view::npos) pos = next;
  if (pos >= s.size() || s[pos] != ':') return std::string_view::npos;
  return pos + 1;
}

bool has_non_wsp(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return !is_wsp(c); });
}

}  // namespace search_text_detail

uint32_t simple_case_fold(uint32_t cp) {
  if (cp < 0x80) return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
  if (cp < 0x250) return search_text_detail::fold_latin(cp);
  if (cp < 0x600) return search_text_detail::fold_greek_cyrillic(cp);
  return search_text_detail::fold_other(cp);
}

void append_folded(std::string_view text, std::string* out) {
  out->reserve(out->size() + text.size());
  for (size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      out->push_back(static_cast<char>((c >= 'A' && c <= 'Z') ? c + 32 : c));
      ++i;
      continue;
    }
    size_t n = utf8_sequence_length(text, i);
    if (n == 0) {  // not UTF-8: kept as it is
      out->push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    uint32_t cp = search_text_detail::decode_utf8(text, i, n);
    uint32_t folded = simple_case_fold(cp);
    if (folded == cp) {
      out->append(text.substr(i, n));
    } else {
      append_utf8(*out, folded);
    }
    i += n;
  }
}

std::string fold_case(std::string_view text) {
  std::string out;
  append_folded(text, &out);
  return out;
}

bool contains_folded(std::string_view haystack, std::string_view needle_folded) {
  if (needle_folded.empty()) return true;
  if (haystack.size() < needle_folded.size()) return false;  // folding never lengthens
  std::string folded = fold_case(haystack);
  return std::search(folded.begin(), folded.end(),
                     std::boyer_moore_horspool_searcher(needle_folded.begin(),
                                                        needle_folded.end())) != folded.end();
}

std::string decoded_field_value(std::string_view raw_value) {
  return mime::decode_encoded_words(mime::unfold(raw_value)).text;
}

BaseSubject base_subject(std::string_view raw_value) {
  BaseSubject out;
  // (1) Decoded, tabs and folds as spaces, runs of spaces as one.
  std::string decoded = decoded_field_value(raw_value);
  std::string s;
  s.reserve(decoded.size());
  for (char c : decoded) {
    if (search_text_detail::is_wsp(c) || c == '\r' || c == '\n') {
      if (s.empty() || s.back() != ' ') s.push_back(' ');
    } else {
      s.push_back(c);
    }
  }
  while (true) {
    // (2) Trailers: WSP and "(fwd)".
    while (!s.empty()) {
      if (s.back() == ' ') {
        s.pop_back();
      } else if (s.size() >= 5 &&
                 ascii_iequals(std::string_view(s).substr(s.size() - 5), "(fwd)")) {
        s.resize(s.size() - 5);
        out.reply_or_forward = true;
      } else {
        break;
      }
    }
    // (3) to (5): leaders, then one blob when something is left after it, repeated.
    for (bool changed = true; changed;) {
      changed = false;
      while (!s.empty()) {
        if (s[0] == ' ') {
          s.erase(0, 1);
        } else if (size_t end = search_text_detail::match_refwd_leader(s);
                   end != std::string_view::npos) {
          s.erase(0, end);
          out.reply_or_forward = true;
        } else {
          break;
        }
        changed = true;
      }
      size_t end = search_text_detail::match_blob(s, 0);
      if (end != std::string_view::npos &&
          search_text_detail::has_non_wsp(std::string_view(s).substr(end))) {
        s.erase(0, end);
        changed = true;
      }
    }
    // (6) "[fwd:" subject "]": unwrap and start again from (2).
    if (s.size() >= 6 && search_text_detail::starts_with_ci(s, 0, "[fwd:") && s.back() == ']') {
      s = s.substr(5, s.size() - 6);
      out.reply_or_forward = true;
      continue;
    }
    break;
  }
  out.text = std::move(s);
  return out;
}

std::string casemap_key(std::string_view text) {
  std::string key = fold_case(text);
  for (char& c : key) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  }
  return key;
}

}  // namespace mf::imap
