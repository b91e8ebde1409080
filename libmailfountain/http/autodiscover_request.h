// http/autodiscover_request.h — reads the body of an Outlook Autodiscover POX request:
//
//   <Autodiscover
//   xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
//     <Request>
//       <EMailAddress>jean.martin@ma-societe.fr</EMailAddress>
//       <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
//     </Request>
//   </Autodiscover>
//
// A pure function over bytes, with a fuzz target (tests/fuzz/autodiscover_request_fuzz.cpp).
// It checks the document is well-formed as far as it reads it (tags nest and match,
// attribute values are quoted, entities are the five predefined ones or character
// references) and refuses what a request never needs: a DOCTYPE (so no entity can be
// declared, let alone expanded), CDATA sections, more than 32 levels of nesting, more than
// kMaxAutodiscoverRequestBytes. Namespace prefixes are ignored: elements are matched by
// their local names.
#ifndef MF_HTTP_AUTODISCOVER_REQUEST_H
#define MF_HTTP_AUTODISCOVER_REQUEST_H

#include <mailfountain/status.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace mf::http {

inline constexpr size_t kMaxAutodiscoverRequestBytes = 64 * 1024;

struct AutodiscoverRequest {
  std::string email_address;      // Autodiscover/Request/EMailAddress, trimmed
  std::string acceptable_schema;  // Autodiscover/Request/AcceptableResponseSchema, trimmed;
                                  // empty when absent
};

// kInvalidArgument, saying what is wrong, when `body` is not such a document or has no
// (or an empty) EMailAddress.
Result<AutodiscoverRequest> parse_autodiscover_request(std::string_view body);

}  // namespace mf::http

#endif  // MF_HTTP_AUTODISCOVER_REQUEST_H
