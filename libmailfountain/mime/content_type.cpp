// mime/content_type.cpp — Content-Type and Content-Disposition (see content_type.h).
//
// Two steps: the field is read into its head (type/subtype or disposition) and raw
// parameters (name as written, value unquoted); the raw parameters are then grouped by
// name, RFC 2231 sections joined and decoded, duplicates reported.
#include "mime/content_type.h"

#include "mime/chars.h"
#include "mime/charset.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

namespace mf::mime {

namespace {

std::string lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = to_lower_ascii(c);
  return out;
}

// A token character of RFC 2045 §5.1; bytes from 0x80 up are let through (RFC 6532).
bool is_utf8_token_char(char ch) {
  auto c = static_cast<unsigned char>(ch);
  if (c >= 0x80) return true;
  if (c <= 0x20 || c == 0x7F) return false;
  return std::string_view("()<>@,;:\\\"/[]?=").find(ch) == std::string_view::npos;
}

struct RawParameter {
  std::string name;  // lower-cased, as written otherwise (with its '*' suffix)
  std::string value;
};

class FieldReader {
 public:
  FieldReader(std::string_view v, std::vector<std::string>& problems)
      : v_(v), problems_(problems) {}

  bool at_end() const { return i_ >= v_.size(); }
  char peek() const { return i_ < v_.size() ? v_[i_] : '\0'; }

  // Skips whitespace, folding and comments (nested, with quoted-pairs).
  void skip_cfws() {
    while (i_ < v_.size()) {
      if (is_space(v_[i_])) {
        ++i_;
      } else if (v_[i_] == '(') {
        int depth = 0;
        for (; i_ < v_.size(); ++i_) {
          if (v_[i_] == '\\') {
            ++i_;
          } else if (v_[i_] == '(') {
            ++depth;
          } else if (v_[i_] == ')' && --depth == 0) {
            break;
          }
        }
        if (i_ >= v_.size()) {
          problems_.push_back("a comment is never closed");
          i_ = v_.size();
          return;
        }
        ++i_;
      } else {
        return;
      }
    }
  }

  std::string_view token() {
    size_t start = i_;
    while (i_ < v_.size() && is_utf8_token_char(v_[i_])) ++i_;
    return v_.substr(start, i_ - start);
  }

  // Moves to the next ';' outside quoted strings (or to the end).
  void skip_to_semicolon() {
    skip_past_semicolon();
    if (i_ > 0 && v_[i_ - 1] == ';') --i_;
  }

  // Moves past the next ';' outside quoted strings (or to the end).
  void skip_past_semicolon() {
    bool quoted = false;
    for (; i_ < v_.size(); ++i_) {
      if (quoted && v_[i_] == '\\') {
        ++i_;
      } else if (v_[i_] == '"') {
        quoted = !quoted;
      } else if (!quoted && v_[i_] == ';') {
        ++i_;
        return;
      }
    }
    i_ = v_.size();  // a quoted-pair at the very end stepped past it
  }

  void advance() { ++i_; }

  // Reads "; name=value" pairs until the end.
  std::vector<RawParameter> parameters() {
    std::vector<RawParameter> out;
    bool too_many = false;
    while (true) {
      skip_cfws();
      if (at_end()) break;
      if (peek() != ';') {
        problems_.push_back(
            fmt::format("unexpected '{}' at byte {}; ';' was expected", peek(), i_));
        skip_past_semicolon();
        continue;
      }
      ++i_;
      skip_cfws();
      if (at_end()) break;  // a trailing ';' is common and harmless
      if (peek() == ';') continue;
      size_t start = i_;
      std::string name = lowered(token());
      skip_cfws();
      if (name.empty() || peek() != '=') {
        problems_.push_back(fmt::format("the parameter at byte {} has no name=value form", start));
        i_ = start;
        skip_to_semicolon();
        continue;
      }
      ++i_;
      skip_cfws();
      std::string value;
      if (peek() == '"') {
        value = quoted_string();
      } else {
        size_t vstart = i_;
        value = std::string(token());
        skip_cfws();
        if (!at_end() && peek() != ';') {
          // An unquoted value with spaces or specials: take it up to the next ';'.
          i_ = vstart;
          skip_to_semicolon();
          std::string_view raw = v_.substr(vstart, i_ - vstart);
          while (!raw.empty() && is_space(raw.back())) raw.remove_suffix(1);
          value = std::string(raw);
        }
      }
      if (out.size() == kMaxParameters) {
        if (!too_many)
          problems_.push_back(
              fmt::format("more than {} parameters; the rest is ignored", kMaxParameters));
        too_many = true;
        continue;
      }
      out.push_back({std::move(name), std::move(value)});
    }
    return out;
  }

 private:
  // Reads a quoted string at '"', resolving quoted-pairs and dropping folding.
  std::string quoted_string() {
    size_t start = i_++;
    std::string out;
    for (; i_ < v_.size(); ++i_) {
      char c = v_[i_];
      if (c == '\\' && i_ + 1 < v_.size()) {
        out += v_[++i_];
      } else if (c == '"') {
        ++i_;
        return out;
      } else if (c != '\r' && c != '\n') {
        out += c;
      }
    }
    problems_.push_back(fmt::format("the quoted string at byte {} is never closed", start));
    return out;
  }

  std::string_view v_;
  std::vector<std::string>& problems_;
  size_t i_ = 0;
};

struct Section {
  size_t index;
  std::string value;
  bool encoded;
};

// All the raw parameters of one name.
struct Group {
  std::string name;
  std::optional<std::string> plain;
  std::optional<std::string> extended;  // "name*="
  std::vector<Section> sections;        // "name*N=" and "name*N*="
};

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = to_lower_ascii(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Decodes %XX escapes; a '%' not followed by two hex digits is kept as written.
std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Builds the value of an RFC 2231 parameter from its sections, in order; the first
// section, when encoded, starts with "charset'language'".
Parameter join_sections(const std::string& name, const std::vector<Section>& sections,
                        std::vector<std::string>& problems) {
  Parameter p;
  p.name = name;
  std::string charset;
  std::string bytes;
  for (size_t k = 0; k < sections.size(); ++k) {
    std::string_view text = sections[k].value;
    if (!sections[k].encoded) {
      bytes += text;
      continue;
    }
    if (k == 0) {
      size_t q1 = text.find('\'');
      size_t q2 = q1 == std::string_view::npos ? q1 : text.find('\'', q1 + 1);
      if (q2 == std::string_view::npos) {
        problems.push_back(fmt::format("the parameter '{}' has no charset'language' prefix", name));
      } else {
        charset = std::string(text.substr(0, q1));
        p.language = std::string(text.substr(q1 + 1, q2 - q1 - 1));
        text.remove_prefix(q2 + 1);
      }
    }
    bytes += percent_decode(text);
  }
  if (charset.empty()) {
    p.value = sanitize_utf8(bytes).text;
    return p;
  }
  auto converted = to_utf8(charset, bytes);
  if (converted.is_ok()) {
    p.value = std::move(converted.value().text);
  } else {
    problems.push_back(fmt::format("the parameter '{}': {}", name, converted.status().message()));
    p.value = sanitize_utf8(bytes).text;
  }
  return p;
}

// Groups raw parameters by name and resolves RFC 2231 sections and duplicates.
Parameters resolve(const std::vector<RawParameter>& raws, std::vector<std::string>& problems) {
  std::vector<Group> groups;
  for (const auto& raw : raws) {
    std::string base = raw.name;
    enum { kPlain, kExtended, kSection } form = kPlain;
    size_t index = 0;
    bool encoded = false;
    size_t star = raw.name.find('*');
    if (star != std::string::npos) {
      base = raw.name.substr(0, star);
      std::string_view rest = std::string_view(raw.name).substr(star + 1);
      if (base.empty()) {
        problems.push_back(fmt::format("'{}' is not a parameter name", raw.name));
        continue;
      }
      if (rest.empty()) {
        form = kExtended;
        encoded = true;
      } else {
        if (rest.back() == '*') {
          encoded = true;
          rest.remove_suffix(1);
        }
        bool digits = !rest.empty() && rest.size() <= 3 && (rest.size() == 1 || rest[0] != '0');
        for (char c : rest) digits = digits && c >= '0' && c <= '9';
        if (!digits) {
          problems.push_back(fmt::format("'{}' is not a parameter name", raw.name));
          continue;
        }
        index = static_cast<size_t>(std::stoi(std::string(rest)));
        if (index >= kMaxSections) {
          problems.push_back(fmt::format("the parameter '{}' has a section number over {}", base,
                                         kMaxSections - 1));
          continue;
        }
        form = kSection;
      }
    }
    auto it =
        std::find_if(groups.begin(), groups.end(), [&](const Group& g) { return g.name == base; });
    if (it == groups.end()) {
      groups.push_back({base, std::nullopt, std::nullopt, {}});
      it = groups.end() - 1;
    }
    bool duplicate = false;
    if (form == kPlain) {
      duplicate = it->plain.has_value();
      if (!duplicate) it->plain = raw.value;
    } else if (form == kExtended) {
      duplicate = it->extended.has_value();
      if (!duplicate) it->extended = raw.value;
    } else {
      duplicate = std::any_of(it->sections.begin(), it->sections.end(),
                              [&](const Section& s) { return s.index == index; });
      if (!duplicate) it->sections.push_back({index, raw.value, encoded});
    }
    if (duplicate)
      problems.push_back(
          fmt::format("the parameter '{}' is given twice; the first is kept", raw.name));
  }

  Parameters out;
  for (auto& g : groups) {
    if (g.extended) {
      out.list.push_back(join_sections(g.name, {{0, *g.extended, true}}, problems));
      continue;
    }
    if (!g.sections.empty()) {
      std::sort(g.sections.begin(), g.sections.end(),
                [](const Section& a, const Section& b) { return a.index < b.index; });
      size_t n = 0;
      while (n < g.sections.size() && g.sections[n].index == n) ++n;
      if (n < g.sections.size()) {
        problems.push_back(fmt::format("section {} of the parameter '{}' is missing", n, g.name));
        g.sections.resize(n);
      }
      if (!g.sections.empty()) {
        out.list.push_back(join_sections(g.name, g.sections, problems));
        continue;
      }
    }
    if (g.plain) out.list.push_back({g.name, *g.plain, ""});
  }
  return out;
}

}  // namespace

const Parameter* Parameters::find(std::string_view name) const {
  std::string key = lowered(name);
  for (const auto& p : list)
    if (p.name == key) return &p;
  return nullptr;
}

ContentType parse_content_type(std::string_view value) {
  ContentType ct;
  FieldReader r(value, ct.problems);
  r.skip_cfws();
  std::string type = lowered(r.token());
  r.skip_cfws();
  bool slash = r.peek() == '/';
  std::string subtype;
  if (slash) {
    r.advance();
    r.skip_cfws();
    subtype = lowered(r.token());
    r.skip_cfws();
  }
  if (type.empty() || subtype.empty() || (!r.at_end() && r.peek() != ';')) {
    ct.problems.push_back(type.empty() && r.at_end()
                              ? "the content type is missing; text/plain is assumed"
                              : "the content type is malformed; text/plain is assumed");
    r.skip_to_semicolon();
  } else {
    ct.type = std::move(type);
    ct.subtype = std::move(subtype);
  }
  ct.params = resolve(r.parameters(), ct.problems);
  return ct;
}

ContentDisposition parse_content_disposition(std::string_view value) {
  ContentDisposition cd;
  FieldReader r(value, cd.problems);
  r.skip_cfws();
  cd.disposition = lowered(r.token());
  r.skip_cfws();
  if (cd.disposition.empty() || (!r.at_end() && r.peek() != ';')) {
    cd.problems.push_back("the disposition type is missing or malformed");
    cd.disposition.clear();
    r.skip_to_semicolon();
  }
  cd.params = resolve(r.parameters(), cd.problems);
  return cd;
}

}  // namespace mf::mime
