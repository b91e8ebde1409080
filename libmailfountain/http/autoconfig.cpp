// http/autoconfig.cpp — the autoconfiguration documents (declared in http/autoconfig.h).
#include "http/autoconfig.h"

#include "base/text.h"

#include <fmt/format.h>
#include <mbedtls/sha1.h>

#include <array>

namespace mf::http {

namespace {

constexpr size_t kMaxAddressBytes = 254;  // RFC 5321 §4.5.3.1.3, less the brackets

bool is_tls(const MailEndpoint& e) {
  return e.security == Security::kImplicitTls;
}

bool has_incoming(const AutoconfigSettings& s) {
  return preferred_endpoint(s, MailProtocol::kImap) || preferred_endpoint(s, MailProtocol::kPop3);
}

Status check_complete(const AutoconfigSettings& s) {
  if (!has_incoming(s))
    return failed_precondition("the server has no IMAP or POP3 listener to advertise");
  if (!preferred_endpoint(s, MailProtocol::kSmtp))
    return failed_precondition("the server has no submission listener to advertise");
  return Status::ok();
}

// One clientConfig server element (incomingServer or outgoingServer).
void append_mozilla_server(std::string& out, std::string_view element, std::string_view type,
                           const std::string& host, const MailEndpoint& e) {
  out += fmt::format(
      "    <{0} type=\"{1}\">\n"
      "      <hostname>{2}</hostname>\n"
      "      <port>{3}</port>\n"
      "      <socketType>{4}</socketType>\n"
      "      <authentication>password-cleartext</authentication>\n"
      "      <username>%EMAILADDRESS%</username>\n"
      "    </{0}>\n",
      element, type, xml_escape(host), e.port, is_tls(e) ? "SSL" : "STARTTLS");
}

void append_autodiscover_protocol(std::string& out, std::string_view type, const std::string& host,
                                  const MailEndpoint& e, std::string_view address) {
  out += fmt::format(
      "      <Protocol>\n"
      "        <Type>{}</Type>\n"
      "        <Server>{}</Server>\n"
      "        <Port>{}</Port>\n"
      "        <DomainRequired>off</DomainRequired>\n"
      "        <LoginName>{}</LoginName>\n"
      "        <SPA>off</SPA>\n"
      "        <SSL>on</SSL>\n"
      "        <AuthRequired>on</AuthRequired>\n"
      "        <Encryption>{}</Encryption>\n"
      "      </Protocol>\n",
      type, xml_escape(host), e.port, xml_escape(address), is_tls(e) ? "SSL" : "TLS");
}

std::string plist_string(std::string_view key, std::string_view value) {
  return fmt::format("\t\t\t<key>{}</key>\n\t\t\t<string>{}</string>\n", key, xml_escape(value));
}

std::string plist_integer(std::string_view key, unsigned value) {
  return fmt::format("\t\t\t<key>{}</key>\n\t\t\t<integer>{}</integer>\n", key, value);
}

std::string plist_bool(std::string_view key, bool value) {
  return fmt::format("\t\t\t<key>{}</key>\n\t\t\t<{}/>\n", key, value ? "true" : "false");
}

}  // namespace

AutoconfigSettings autoconfig_settings(std::string hostname,
                                       const std::vector<ListenerStatus>& listeners) {
  AutoconfigSettings out;
  out.hostname = std::move(hostname);
  // Protocol by protocol, implicit TLS first, in the listeners' order within each.
  for (MailProtocol protocol : {MailProtocol::kImap, MailProtocol::kPop3, MailProtocol::kSmtp}) {
    for (Security security : {Security::kImplicitTls, Security::kStartTls}) {
      for (const ListenerStatus& l : listeners) {
        MailEndpoint e;
        switch (l.role) {
          case ListenerRole::kImaps:
            e = {MailProtocol::kImap, l.port, Security::kImplicitTls};
            break;
          case ListenerRole::kImap:
            e = {MailProtocol::kImap, l.port, Security::kStartTls};
            break;
          case ListenerRole::kPop3s:
            e = {MailProtocol::kPop3, l.port, Security::kImplicitTls};
            break;
          case ListenerRole::kPop3:
            e = {MailProtocol::kPop3, l.port, Security::kStartTls};
            break;
          case ListenerRole::kSubmissions:
            e = {MailProtocol::kSmtp, l.port, Security::kImplicitTls};
            break;
          case ListenerRole::kSubmission:
            e = {MailProtocol::kSmtp, l.port, Security::kStartTls};
            break;
          default:  // port 25 is for other servers; http serves these documents
            continue;
        }
        if (e.protocol != protocol || e.security != security) continue;
        bool seen = false;
        for (const MailEndpoint& o : out.endpoints)
          seen = seen || (o.protocol == e.protocol && o.port == e.port);
        if (!seen) out.endpoints.push_back(e);
      }
    }
  }
  return out;
}

const MailEndpoint* preferred_endpoint(const AutoconfigSettings& settings, MailProtocol protocol) {
  for (const MailEndpoint& e : settings.endpoints)
    if (e.protocol == protocol) return &e;
  return nullptr;
}

Result<std::string> address_domain(std::string_view address) {
  if (address.empty()) return invalid_argument("no mail address given");
  if (address.size() > kMaxAddressBytes)
    return invalid_argument(fmt::format("the address is longer than {} octets", kMaxAddressBytes));
  if (!is_valid_utf8(address)) return invalid_argument("the address is not valid UTF-8");
  for (char c : address) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F)
      return invalid_argument("the address holds a space or a control character");
  }
  const size_t at = address.find('@');
  if (at == std::string_view::npos || address.find('@', at + 1) != std::string_view::npos)
    return invalid_argument("a mail address has exactly one '@'");
  if (at == 0 || at + 1 == address.size())
    return invalid_argument("a mail address has a local part and a domain around its '@'");
  return ascii_lower(address.substr(at + 1));
}

Result<std::string> mozilla_autoconfig(const AutoconfigSettings& settings,
                                       std::string_view domain) {
  MF_RETURN_IF_ERROR(check_complete(settings));
  const std::string d = xml_escape(domain);
  std::string out = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<clientConfig version=\"1.1\">\n"
      "  <emailProvider id=\"{0}\">\n"
      "    <domain>{0}</domain>\n"
      "    <displayName>{0}</displayName>\n"
      "    <displayShortName>{0}</displayShortName>\n",
      d);
  for (const MailEndpoint& e : settings.endpoints) {
    if (e.protocol == MailProtocol::kImap)
      append_mozilla_server(out, "incomingServer", "imap", settings.hostname, e);
  }
  for (const MailEndpoint& e : settings.endpoints) {
    if (e.protocol == MailProtocol::kPop3)
      append_mozilla_server(out, "incomingServer", "pop3", settings.hostname, e);
  }
  for (const MailEndpoint& e : settings.endpoints) {
    if (e.protocol == MailProtocol::kSmtp)
      append_mozilla_server(out, "outgoingServer", "smtp", settings.hostname, e);
  }
  out +=
      "  </emailProvider>\n"
      "</clientConfig>\n";
  return out;
}

Result<std::string> autodiscover_response(const AutoconfigSettings& settings,
                                          std::string_view address) {
  MF_RETURN_IF_ERROR(check_complete(settings));
  std::string out = fmt::format(
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
      "<Autodiscover "
      "xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">\n"
      "  <Response xmlns=\"{}\">\n"
      "    <User>\n"
      "      <DisplayName>{}</DisplayName>\n"
      "    </User>\n"
      "    <Account>\n"
      "      <AccountType>email</AccountType>\n"
      "      <Action>settings</Action>\n",
      kAutodiscoverOutlookSchema, xml_escape(address));
  const std::pair<MailProtocol, std::string_view> types[] = {
      {MailProtocol::kImap, "IMAP"}, {MailProtocol::kPop3, "POP3"}, {MailProtocol::kSmtp, "SMTP"}};
  for (const auto& [protocol, name] : types) {
    if (const MailEndpoint* e = preferred_endpoint(settings, protocol))
      append_autodiscover_protocol(out, name, settings.hostname, *e, address);
  }
  out +=
      "    </Account>\n"
      "  </Response>\n"
      "</Autodiscover>\n";
  return out;
}

std::string autodiscover_error(int code, std::string_view message, int64_t unix_seconds) {
  const int64_t day_seconds = ((unix_seconds % 86400) + 86400) % 86400;
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
      "<Autodiscover "
      "xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">\n"
      "  <Response>\n"
      "    <Error Time=\"{:02}:{:02}:{:02}\" Id=\"{}\">\n"
      "      <ErrorCode>{}</ErrorCode>\n"
      "      <Message>{}</Message>\n"
      "      <DebugData />\n"
      "    </Error>\n"
      "  </Response>\n"
      "</Autodiscover>\n",
      day_seconds / 3600, day_seconds / 60 % 60, day_seconds % 60,
      static_cast<uint32_t>(unix_seconds), code, xml_escape(message));
}

Result<std::string> apple_mobileconfig(const AutoconfigSettings& settings,
                                       std::string_view address) {
  MF_RETURN_IF_ERROR(check_complete(settings));
  MF_ASSIGN_OR_RETURN(std::string domain, address_domain(address));
  const std::string key = ascii_lower(address);
  const std::string profile_uuid = name_based_uuid("mailto:" + key + "#profile");
  const std::string payload_uuid = name_based_uuid("mailto:" + key + "#mail");
  const MailEndpoint* imap = preferred_endpoint(settings, MailProtocol::kImap);
  const MailEndpoint* incoming = imap ? imap : preferred_endpoint(settings, MailProtocol::kPop3);
  const MailEndpoint* outgoing = preferred_endpoint(settings, MailProtocol::kSmtp);

  std::string payload;
  payload += plist_string("EmailAccountDescription", address);
  payload += plist_string("EmailAccountName", address);
  payload += plist_string("EmailAccountType", imap ? "EmailTypeIMAP" : "EmailTypePOP");
  payload += plist_string("EmailAddress", address);
  payload += plist_string("IncomingMailServerAuthentication", "EmailAuthPassword");
  payload += plist_string("IncomingMailServerHostName", settings.hostname);
  payload += plist_integer("IncomingMailServerPortNumber", incoming->port);
  payload += plist_bool("IncomingMailServerUseSSL", is_tls(*incoming));
  payload += plist_string("IncomingMailServerUsername", address);
  payload += plist_string("OutgoingMailServerAuthentication", "EmailAuthPassword");
  payload += plist_string("OutgoingMailServerHostName", settings.hostname);
  payload += plist_integer("OutgoingMailServerPortNumber", outgoing->port);
  payload += plist_bool("OutgoingMailServerUseSSL", is_tls(*outgoing));
  payload += plist_string("OutgoingMailServerUsername", address);
  payload += plist_bool("OutgoingPasswordSameAsIncomingPassword", true);
  payload += plist_string("PayloadDescription", "Mail account " + std::string(address));
  payload += plist_string("PayloadDisplayName", std::string(address));
  payload += plist_string("PayloadIdentifier", "mailfountain.email." + payload_uuid);
  payload += plist_string("PayloadType", "com.apple.mail.managed");
  payload += plist_string("PayloadUUID", payload_uuid);
  payload += plist_integer("PayloadVersion", 1);

  // The profile's own keys, one level less indented than the payload's.
  auto top = [](std::string text) {
    std::string out;
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      out += text.substr(start + 2, end + 1 - start - 2);
      start = end + 1;
    }
    return out;
  };
  std::string profile;
  profile += top(plist_string("PayloadDescription",
                              fmt::format("Sets up the mail account {} on {}", address, domain)));
  profile += top(plist_string("PayloadDisplayName", fmt::format("Mail ({})", address)));
  profile += top(plist_string("PayloadIdentifier", "mailfountain.profile." + profile_uuid));
  profile += top(plist_string("PayloadOrganization", domain));
  profile += top(plist_bool("PayloadRemovalDisallowed", false));
  profile += top(plist_string("PayloadType", "Configuration"));
  profile += top(plist_string("PayloadUUID", profile_uuid));
  profile += top(plist_integer("PayloadVersion", 1));

  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
      "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
      "<plist version=\"1.0\">\n"
      "<dict>\n"
      "\t<key>PayloadContent</key>\n"
      "\t<array>\n"
      "\t\t<dict>\n"
      "{}"
      "\t\t</dict>\n"
      "\t</array>\n"
      "{}"
      "</dict>\n"
      "</plist>\n",
      payload, profile);
}

std::string name_based_uuid(std::string_view name) {
  // The URL namespace, 6ba7b811-9dad-11d1-80b4-00c04fd430c8 (RFC 9562 Appendix A).
  static constexpr unsigned char kNamespace[16] = {0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
                                                   0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
  std::array<unsigned char, 20> digest{};
  mbedtls_sha1_context sha;
  mbedtls_sha1_init(&sha);
  // In software these cannot fail.
  mbedtls_sha1_starts_ret(&sha);
  mbedtls_sha1_update_ret(&sha, kNamespace, sizeof kNamespace);
  mbedtls_sha1_update_ret(&sha, reinterpret_cast<const unsigned char*>(name.data()), name.size());
  mbedtls_sha1_finish_ret(&sha, digest.data());
  mbedtls_sha1_free(&sha);
  digest[6] = static_cast<unsigned char>((digest[6] & 0x0F) | 0x50);  // version 5
  digest[8] = static_cast<unsigned char>((digest[8] & 0x3F) | 0x80);  // the RFC's variant
  std::string out;
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += fmt::format("{:02x}", digest[i]);
  }
  return out;
}

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) {
      // Well-formed UTF-8 is kept whole; a stray byte would make the document unreadable.
      const size_t n = utf8_sequence_length(text, i);
      if (n == 0) {
        out += '?';
      } else {
        out.append(text.substr(i, n));
        i += n - 1;
      }
      continue;
    }
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += (u >= 0x20 && u != 0x7F) || c == '\t' || c == '\n' || c == '\r' ? c : '?';
    }
  }
  return out;
}

}  // namespace mf::http
