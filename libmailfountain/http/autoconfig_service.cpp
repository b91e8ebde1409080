// http/autoconfig_service.cpp — the autoconfiguration routes (declared in
// http/autoconfig_service.h).
#include "http/autoconfig_service.h"

#include "http/autodiscover_request.h"

#include <fmt/format.h>

#include <memory>
#include <optional>

namespace mf::http {

namespace {

constexpr std::string_view kXml = "text/xml; charset=utf-8";
constexpr std::string_view kMobileconfig = "application/x-apple-aspen-config";

Response xml_response(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = std::string(kXml);
  r.body = std::move(body);
  return r;
}

Response method_not_allowed(std::string_view allowed) {
  Response r = text_response(405, fmt::format("Use {} here.", allowed));
  r.headers.emplace_back("Allow", std::string(allowed));
  return r;
}

// nullopt when `domain` is ours; else the response saying why not.
std::optional<Response> refuse_unless_local(const AutoconfigSource& source,
                                            std::string_view domain) {
  Result<bool> local = source.is_local_domain(domain);
  if (!local.is_ok() && local.status().code() != Code::kInvalidArgument)
    return text_response(503, "The directory cannot be read now; try again later.");
  if (!local.is_ok() || !*local)
    return text_response(404, fmt::format("{} is not a mail domain of this server.", domain));
  return std::nullopt;
}

// A document builder's failure: the server lacks the listeners to advertise.
Response unavailable(const Status& status) {
  return text_response(503, fmt::format("No settings to give: {}.", status.message()));
}

Response mozilla(const AutoconfigSource& source, const Request& request) {
  if (request.method != Method::kGet && request.method != Method::kHead)
    return method_not_allowed("GET");
  Result<std::string> domain = autoconfig_request_domain(request);
  if (!domain.is_ok()) return text_response(400, domain.status().message());
  if (auto refused = refuse_unless_local(source, *domain)) return *refused;
  Result<std::string> document = mozilla_autoconfig(source.settings(), *domain);
  if (!document.is_ok()) return unavailable(document.status());
  return xml_response(200, std::move(*document));
}

Response autodiscover(const AutoconfigSource& source, const Request& request) {
  if (request.method != Method::kPost) return method_not_allowed("POST");
  auto error = [&](int status, int code, std::string_view message) {
    return xml_response(status, autodiscover_error(code, message, source.now()));
  };
  Result<AutodiscoverRequest> parsed = parse_autodiscover_request(request.body);
  if (!parsed.is_ok())
    return error(400, 600, fmt::format("Invalid Request: {}", parsed.status().message()));
  if (!parsed->acceptable_schema.empty() && parsed->acceptable_schema != kAutodiscoverOutlookSchema)
    return error(406, 601, "Provider is not available for the requested schema");
  Result<std::string> domain = address_domain(parsed->email_address);
  if (!domain.is_ok())
    return error(400, 600, fmt::format("Invalid Request: {}", domain.status().message()));
  if (auto refused = refuse_unless_local(source, *domain)) {
    if (refused->status == 404)
      return error(404, 500, fmt::format("{} is not a mail domain of this server", *domain));
    return *refused;
  }
  Result<std::string> document = autodiscover_response(source.settings(), parsed->email_address);
  if (!document.is_ok()) return error(503, 603, document.status().message());
  return xml_response(200, std::move(*document));
}

Response mobileconfig(const AutoconfigSource& source, const Request& request) {
  if (request.method != Method::kGet && request.method != Method::kHead)
    return method_not_allowed("GET");
  const std::string* address = request.query_value("emailaddress");
  if (address == nullptr)
    return text_response(400, "Give the account's address: ?emailaddress=name@domain");
  Result<std::string> domain = address_domain(*address);
  if (!domain.is_ok()) return text_response(400, domain.status().message());
  if (auto refused = refuse_unless_local(source, *domain)) return *refused;
  Result<std::string> profile = apple_mobileconfig(source.settings(), *address);
  if (!profile.is_ok()) return unavailable(profile.status());
  Response r;
  r.content_type = std::string(kMobileconfig);
  r.body = std::move(*profile);
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"mail.mobileconfig\"");
  return r;
}

}  // namespace

Result<std::string> autoconfig_request_domain(const Request& request) {
  if (const std::string* address = request.query_value("emailaddress"))
    return address_domain(*address);
  constexpr std::string_view kPrefix = "autoconfig.";
  std::string_view host = request.host;
  if (host.substr(0, kPrefix.size()) == kPrefix) host.remove_prefix(kPrefix.size());
  if (host.empty())
    return invalid_argument("Give the account's address: ?emailaddress=name@domain");
  return std::string(host);
}

void add_autoconfig_routes(Router& router, AutoconfigSource source) {
  auto shared = std::make_shared<const AutoconfigSource>(std::move(source));
  Handler moz = [shared](const Request& r) { return mozilla(*shared, r); };
  router.add("/mail/config-v1.1.xml", moz);
  router.add("/.well-known/autoconfig/mail/config-v1.1.xml", moz);
  router.add(
      "/autodiscover/autodiscover.xml",
      [shared](const Request& r) { return autodiscover(*shared, r); }, Router::Case::kInsensitive);
  Handler apple = [shared](const Request& r) { return mobileconfig(*shared, r); };
  router.add("/mobileconfig", apple);
  router.add("/email.mobileconfig", apple);
}

}  // namespace mf::http
