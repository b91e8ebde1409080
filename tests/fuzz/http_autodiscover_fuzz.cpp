// Fuzz target: Outlook's Autodiscover request reader and the autoconfiguration documents
// (http/autodiscover_request.h, http/autoconfig.h). The input is a request body.
//   - parse_autodiscover_request() never crashes; a refusal is kInvalidArgument with a
//     short message; an accepted request has a non-empty, trimmed, UTF-8 address.
//   - xml_escape() of the input leaves no '<', '>', quote or stray '&', and only UTF-8.
//   - An accepted address that address_domain() takes gives an Autodiscover answer and an
//     Apple profile that are UTF-8, hold the address escaped, and no raw '<' from it.
#include "base/text.h"
#include "http/autoconfig.h"
#include "http/autodiscover_request.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace mf::http;

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

void check_escaped(std::string_view s) {
  require(mf::is_valid_utf8(s));
  for (size_t i = 0; i < s.size(); ++i) {
    require(s[i] != '<' && s[i] != '>' && s[i] != '"' && s[i] != '\'');
    if (s[i] == '&') {
      std::string_view rest = s.substr(i);
      require(rest.rfind("&amp;", 0) == 0 || rest.rfind("&lt;", 0) == 0 ||
              rest.rfind("&gt;", 0) == 0 || rest.rfind("&quot;", 0) == 0 ||
              rest.rfind("&apos;", 0) == 0);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  check_escaped(xml_escape(in));

  auto request = parse_autodiscover_request(in);
  if (!request.is_ok()) {
    require(request.status().code() == mf::Code::kInvalidArgument);
    require(!request.status().message().empty() && request.status().message().size() < 200);
    return 0;
  }
  const std::string& address = request->email_address;
  require(!address.empty() && mf::is_valid_utf8(address));
  require(address.front() != ' ' && address.back() != ' ');
  if (!address_domain(address).is_ok()) return 0;

  static const AutoconfigSettings settings = autoconfig_settings(
      "mail.example.org",
      {{mf::ListenerRole::kImaps, "::", 993}, {mf::ListenerRole::kSubmissions, "::", 465}});
  auto answer = autodiscover_response(settings, address);
  require(answer.is_ok() && mf::is_valid_utf8(*answer));
  require(answer->find("<LoginName>" + xml_escape(address) + "</LoginName>") != std::string::npos);
  auto profile = apple_mobileconfig(settings, address);
  require(profile.is_ok() && mf::is_valid_utf8(*profile));
  require(profile->find("<string>" + xml_escape(address) + "</string>") != std::string::npos);
  return 0;
}
