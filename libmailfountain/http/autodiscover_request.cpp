// http/autodiscover_request.cpp — the Autodiscover request reader (declared in
// http/autodiscover_request.h): a small XML scanner that keeps the path of open elements
// and collects the text of the two it wants.
#include "http/autodiscover_request.h"

#include "base/text.h"

#include <fmt/format.h>

#include <vector>

namespace mf::http {

namespace {

constexpr size_t kMaxDepth = 32;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool is_name_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u != 0x7F && c != '>' && c != '/' && c != '=' && c != '<' && c != '"' &&
         c != '\'' && c != '&';
}

// A name from the request as error messages show it: at most 40 bytes, printable ASCII.
std::string shown(std::string_view name) {
  std::string out;
  for (char c : name.substr(0, 40)) {
    const auto u = static_cast<unsigned char>(c);
    out += u >= 0x20 && u < 0x7F ? c : '?';
  }
  if (name.size() > 40) out += "...";
  return out;
}

std::string_view local_name(std::string_view name) {
  const size_t colon = name.rfind(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Character data with its references resolved.
Result<std::string> decode_text(std::string_view raw) {
  std::string out;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '&') {
      out += raw[i];
      continue;
    }
    const size_t semi = raw.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10)
      return invalid_argument("an '&' that starts no entity reference");
    const std::string_view ref = raw.substr(i + 1, semi - i - 1);
    i = semi;
    if (ref == "lt") {
      out += '<';
    } else if (ref == "gt") {
      out += '>';
    } else if (ref == "amp") {
      out += '&';
    } else if (ref == "quot") {
      out += '"';
    } else if (ref == "apos") {
      out += '\'';
    } else if (ref.size() >= 2 && ref[0] == '#') {
      const bool hex = ref[1] == 'x';
      const std::string_view digits = ref.substr(hex ? 2 : 1);
      if (digits.empty()) return invalid_argument("an empty character reference");
      uint32_t cp = 0;
      for (char c : digits) {
        int v = -1;
        if (c >= '0' && c <= '9') v = c - '0';
        if (hex && c >= 'a' && c <= 'f') v = c - 'a' + 10;
        if (hex && c >= 'A' && c <= 'F') v = c - 'A' + 10;
        if (v < 0) return invalid_argument("a malformed character reference");
        cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(v);
        if (cp > 0x10FFFF) return invalid_argument("a character reference beyond U+10FFFF");
      }
      if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF))
        return invalid_argument("a character reference to a character XML does not allow");
      append_utf8(out, cp);
    } else {
      return invalid_argument(fmt::format("the undeclared entity &{};", shown(ref)));
    }
  }
  return out;
}

// Checks the attributes between an element's name and its '>' or "/>".
Status check_attributes(std::string_view attrs) {
  size_t i = 0;
  while (i < attrs.size()) {
    if (is_space(attrs[i])) {
      ++i;
      continue;
    }
    const size_t name_start = i;
    while (i < attrs.size() && is_name_char(attrs[i])) ++i;
    if (i == name_start) return invalid_argument("a malformed attribute");
    while (i < attrs.size() && is_space(attrs[i])) ++i;
    if (i >= attrs.size() || attrs[i] != '=')
      return invalid_argument("an attribute without a value");
    ++i;
    while (i < attrs.size() && is_space(attrs[i])) ++i;
    if (i >= attrs.size() || (attrs[i] != '"' && attrs[i] != '\''))
      return invalid_argument("an attribute value without quotes");
    const char quote = attrs[i];
    const size_t end = attrs.find(quote, i + 1);
    if (end == std::string_view::npos) return invalid_argument("an unterminated attribute value");
    if (attrs.substr(i + 1, end - i - 1).find('<') != std::string_view::npos)
      return invalid_argument("a '<' inside an attribute value");
    i = end + 1;
  }
  return Status::ok();
}

}  // namespace

Result<AutodiscoverRequest> parse_autodiscover_request(std::string_view body) {
  if (body.size() > kMaxAutodiscoverRequestBytes)
    return invalid_argument(
        fmt::format("the request is larger than {} bytes", kMaxAutodiscoverRequestBytes));
  if (!is_valid_utf8(body)) return invalid_argument("the request is not UTF-8");
  if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);

  std::vector<std::string_view> open;  // local names of the open elements
  bool root_seen = false;
  bool have_address = false;
  AutodiscoverRequest out;
  size_t i = 0;
  while (i < body.size()) {
    if (body[i] != '<') {
      const size_t next = body.find('<', i);
      const std::string_view raw =
          body.substr(i, next == std::string_view::npos ? body.npos : next - i);
      i = next == std::string_view::npos ? body.size() : next;
      if (open.empty()) {
        if (!trim(raw).empty()) return invalid_argument("text outside the root element");
        continue;
      }
      if (raw.find("]]>") != std::string_view::npos)
        return invalid_argument("']]>' in character data");
      MF_ASSIGN_OR_RETURN(std::string text, decode_text(raw));
      if (open.size() == 3 && open[0] == "Autodiscover" && open[1] == "Request") {
        if (open[2] == "EMailAddress") out.email_address += text;
        if (open[2] == "AcceptableResponseSchema") out.acceptable_schema += text;
      }
      continue;
    }
    const std::string_view rest = body.substr(i);
    if (rest.substr(0, 4) == "<!--") {
      const size_t end = body.find("-->", i + 4);
      if (end == std::string_view::npos) return invalid_argument("an unterminated comment");
      i = end + 3;
      continue;
    }
    if (rest.substr(0, 2) == "<?") {
      const size_t end = body.find("?>", i + 2);
      if (end == std::string_view::npos)
        return invalid_argument("an unterminated processing instruction");
      i = end + 2;
      continue;
    }
    if (rest.substr(0, 2) == "<!")
      return invalid_argument("a DOCTYPE or CDATA section, which a request has no use for");
    const size_t close = body.find('>', i);
    if (close == std::string_view::npos) return invalid_argument("an unterminated tag");
    std::string_view tag = body.substr(i + 1, close - i - 1);
    i = close + 1;
    if (!tag.empty() && tag.front() == '/') {
      const std::string_view name = trim(tag.substr(1));
      if (open.empty() || local_name(name) != open.back())
        return invalid_argument(fmt::format("the end tag </{}> closes nothing open", shown(name)));
      if (open.size() == 3 && open[1] == "Request" && open[2] == "EMailAddress")
        have_address = true;
      open.pop_back();
      continue;
    }
    const bool empty_element = !tag.empty() && tag.back() == '/';
    if (empty_element) tag.remove_suffix(1);
    size_t name_end = 0;
    while (name_end < tag.size() && is_name_char(tag[name_end])) ++name_end;
    if (name_end == 0) return invalid_argument("a tag without a name");
    MF_RETURN_IF_ERROR(check_attributes(tag.substr(name_end)));
    const std::string_view name = local_name(tag.substr(0, name_end));
    if (open.empty()) {
      if (root_seen) return invalid_argument("a second root element");
      if (name != "Autodiscover")
        return invalid_argument(
            fmt::format("the root element is <{}>, not <Autodiscover>", shown(name)));
      root_seen = true;
    }
    if (empty_element) continue;
    if (open.size() >= kMaxDepth) return invalid_argument("elements nested too deep");
    open.push_back(name);
  }
  if (!root_seen) return invalid_argument("no <Autodiscover> element");
  if (!open.empty())
    return invalid_argument(fmt::format("the element <{}> is not closed", shown(open.back())));
  out.email_address = std::string(trim(out.email_address));
  out.acceptable_schema = std::string(trim(out.acceptable_schema));
  if (!have_address || out.email_address.empty())
    return invalid_argument("no EMailAddress in the request");
  return out;
}

}  // namespace mf::http
