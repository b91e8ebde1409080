// http/autoconfig_service.h — the HTTP routes of mail-client autoconfiguration
// (docs/autoconfig.md), over the documents of http/autoconfig.h:
//
//   GET  /mail/config-v1.1.xml?emailaddress=A            Mozilla autoconfig (host
//   GET  /.well-known/autoconfig/mail/config-v1.1.xml    autoconfig.DOMAIN, or DOMAIN)
//   POST /autodiscover/autodiscover.xml                  Outlook Autodiscover (POX); any
//                                                        letter case in the path
//   GET  /mobileconfig?emailaddress=A                    Apple configuration profile
//   GET  /email.mobileconfig?emailaddress=A              (the same)
//
// Only domains of the directory get answers; other domains get 404 with the reason. The
// answer is the same for every address of a local domain, existing or not, so these routes
// tell nobody which accounts exist. Bad requests get 400 (Autodiscover: with an Error
// element, ErrorCode 600), a request for another Autodiscover schema 406 (ErrorCode 601).
#ifndef MF_HTTP_AUTOCONFIG_SERVICE_H
#define MF_HTTP_AUTOCONFIG_SERVICE_H

#include "http/autoconfig.h"
#include "http/server.h"

#include <cstdint>
#include <functional>
#include <string_view>

namespace mf::http {

// Where the routes get what they need, asked at every request (called on the server's
// loop thread; they must not block for long).
struct AutoconfigSource {
  std::function<AutoconfigSettings()> settings;  // the host name and listeners now
  // Whether `domain` (lower case, as asked) is a domain of ours. kInvalidArgument (a
  // malformed domain) counts as "not ours"; other failures give 503.
  std::function<Result<bool>(std::string_view domain)> is_local_domain;
  std::function<int64_t()> now;  // Unix seconds, for Autodiscover error elements
};

// Adds the routes above to `router`.
void add_autoconfig_routes(Router& router, AutoconfigSource source);

// The domain a Mozilla autoconfig request asks about: the domain of its emailaddress
// parameter when there is one (kInvalidArgument if that is no address), else its Host
// less a leading "autoconfig." (kInvalidArgument when there is no Host either).
Result<std::string> autoconfig_request_domain(const Request& request);

}  // namespace mf::http

#endif  // MF_HTTP_AUTOCONFIG_SERVICE_H
