// http/autoconfig.h — the documents mail clients read to configure an account by
// themselves (docs/autoconfig.md): Mozilla's autoconfig (Thunderbird, K-9/FairEmail,
// Evolution), Microsoft's Autodiscover "POX" answer (Outlook and clients imitating it) and
// an Apple configuration profile (.mobileconfig, iOS and macOS Mail).
//
// Pure functions: settings and an address in, a document out; no I/O, no clock, no
// randomness, so the tests read the exact text. Every value put in a document is
// XML-escaped here. The HTTP side is http/autoconfig_service.h.
#ifndef MF_HTTP_AUTOCONFIG_H
#define MF_HTTP_AUTOCONFIG_H

#include <mailfountain/mail_server.h>
#include <mailfountain/status.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mf::http {

enum class MailProtocol { kImap, kPop3, kSmtp };  // kSmtp: submission of the user's mail

// How a client secures one port: TLS from the first byte (993, 995, 465: RFC 8314) or a
// plaintext greeting then STARTTLS/STLS (143, 110, 587).
enum class Security { kImplicitTls, kStartTls };

struct MailEndpoint {
  MailProtocol protocol = MailProtocol::kImap;
  uint16_t port = 0;
  Security security = Security::kImplicitTls;
};

// What the documents advertise: the host name clients connect to and the ports, each
// protocol's in order of preference (the first is the one a client should take).
struct AutoconfigSettings {
  std::string hostname;  // the mail server's name, as in its TLS certificate
  std::vector<MailEndpoint> endpoints;
};

// The settings of a running server: `hostname` and one endpoint per listener serving
// users (imap, imaps, pop3, pop3s, submission, submissions — not smtp on port 25 nor
// http), with the port it is bound to (the configured port; the chosen one when 0 was
// configured). Implicit TLS comes before STARTTLS (RFC 8314 §3); duplicates (the same port
// on IPv4 and IPv6) are listed once.
AutoconfigSettings autoconfig_settings(std::string hostname,
                                       const std::vector<ListenerStatus>& listeners);

// The first endpoint of `protocol`, or nullptr.
const MailEndpoint* preferred_endpoint(const AutoconfigSettings& settings, MailProtocol protocol);

// A mail address as the autoconfiguration services accept it: "local@domain", one '@',
// neither side empty, at most 254 octets, well-formed UTF-8, no space nor control
// character. Returns the domain, lower-cased (ASCII letters), or kInvalidArgument saying
// what is wrong. It says nothing of whether the address exists.
Result<std::string> address_domain(std::string_view address);

// Mozilla's clientConfig version 1.1 for `domain`: one <incomingServer> per IMAP and POP3
// endpoint (IMAP first), one <outgoingServer> per submission endpoint; socketType SSL or
// STARTTLS, authentication password-cleartext (inside TLS), username %EMAILADDRESS%.
// kFailedPrecondition when the settings hold no incoming or no outgoing endpoint.
Result<std::string> mozilla_autoconfig(const AutoconfigSettings& settings, std::string_view domain);

// The Outlook POX answer (responseschema 2006a) for `address`: one <Protocol> each for
// IMAP, POP3 and SMTP (those the settings hold; the preferred endpoint of each), with
// SSL on, Encryption SSL (implicit TLS) or TLS (STARTTLS), SPA off, AuthRequired on and
// the address as LoginName. kFailedPrecondition as for mozilla_autoconfig.
Result<std::string> autodiscover_response(const AutoconfigSettings& settings,
                                          std::string_view address);

// An Autodiscover error answer: ErrorCode 500 (address unknown), 600 (invalid request) or
// 601 (no provider for the requested schema), with `message`. `unix_seconds` gives the
// Error element's Time (UTC, HH:MM:SS) and Id attributes.
std::string autodiscover_error(int code, std::string_view message, int64_t unix_seconds);

// The namespace Outlook's POX answer is in, which a request names as its
// AcceptableResponseSchema.
inline constexpr std::string_view kAutodiscoverOutlookSchema =
    "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";

// An Apple configuration profile (unsigned plist XML) holding one
// com.apple.mail.managed payload for `address`: IMAP if the settings have it, else POP3;
// SMTP submission; the preferred endpoints; UseSSL true for implicit TLS (false with
// STARTTLS, which Apple Mail then negotiates); password authentication with the address as
// user name. The payload UUIDs are name-based (version 5, RFC 9562 §5.5) from the
// lower-cased address: downloading the profile again gives the same UUIDs, so installing it
// replaces the earlier one. kFailedPrecondition as for mozilla_autoconfig.
Result<std::string> apple_mobileconfig(const AutoconfigSettings& settings,
                                       std::string_view address);

// A version 5 (SHA-1, name-based) UUID of `name` in the URL namespace of RFC 9562,
// in lower-case 8-4-4-4-12 form.
std::string name_based_uuid(std::string_view name);

// `text` escaped for XML character data and attribute values (&, <, >, ", '); control
// characters XML 1.0 cannot carry, DEL and bytes that are not well-formed UTF-8 are
// replaced by '?'.
std::string xml_escape(std::string_view text);

}  // namespace mf::http

#endif  // MF_HTTP_AUTOCONFIG_H
