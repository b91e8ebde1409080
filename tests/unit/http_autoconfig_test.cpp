// http/autoconfig.h: the documents mail clients read, from settings and an address.
#include "http/autoconfig.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace mf::http {
namespace {

// What MA SOCIETE's server advertises in production: the standard ports.
AutoconfigSettings standard_settings() {
  return autoconfig_settings("mail.ma-societe.fr", {
                                                       {ListenerRole::kMx, "0.0.0.0", 25},
                                                       {ListenerRole::kSubmission, "0.0.0.0", 587},
                                                       {ListenerRole::kSubmissions, "0.0.0.0", 465},
                                                       {ListenerRole::kImap, "0.0.0.0", 143},
                                                       {ListenerRole::kImaps, "0.0.0.0", 993},
                                                       {ListenerRole::kPop3, "0.0.0.0", 110},
                                                       {ListenerRole::kPop3s, "0.0.0.0", 995},
                                                       {ListenerRole::kHttp, "0.0.0.0", 80},
                                                   });
}

// The text between the first `open` tag at or after `from` and its end tag, tags included.
std::string block(const std::string& doc, const std::string& open, const std::string& close,
                  size_t from = 0) {
  const size_t start = doc.find(open, from);
  REQUIRE(start != std::string::npos);
  const size_t end = doc.find(close, start);
  REQUIRE(end != std::string::npos);
  return doc.substr(start, end + close.size() - start);
}

size_t count(const std::string& doc, const std::string& needle) {
  size_t n = 0;
  for (size_t at = doc.find(needle); at != std::string::npos; at = doc.find(needle, at + 1)) ++n;
  return n;
}

TEST_CASE("listeners become endpoints: implicit TLS first, port 25 and http left out") {
  AutoconfigSettings s = standard_settings();
  CHECK(s.hostname == "mail.ma-societe.fr");
  REQUIRE(s.endpoints.size() == 6);
  auto is = [](const MailEndpoint& e, MailProtocol p, uint16_t port, Security sec) {
    return e.protocol == p && e.port == port && e.security == sec;
  };
  CHECK(is(s.endpoints[0], MailProtocol::kImap, 993, Security::kImplicitTls));
  CHECK(is(s.endpoints[1], MailProtocol::kImap, 143, Security::kStartTls));
  CHECK(is(s.endpoints[2], MailProtocol::kPop3, 995, Security::kImplicitTls));
  CHECK(is(s.endpoints[3], MailProtocol::kPop3, 110, Security::kStartTls));
  CHECK(is(s.endpoints[4], MailProtocol::kSmtp, 465, Security::kImplicitTls));
  CHECK(is(s.endpoints[5], MailProtocol::kSmtp, 587, Security::kStartTls));
}

TEST_CASE("a port bound on IPv4 and IPv6 is advertised once, with the bound port") {
  AutoconfigSettings s =
      autoconfig_settings("h.example", {{ListenerRole::kImaps, "0.0.0.0", 2993},
                                        {ListenerRole::kImaps, "::", 2993},
                                        {ListenerRole::kSubmission, "::", 2587}});
  REQUIRE(s.endpoints.size() == 2);
  CHECK(s.endpoints[0].port == 2993);
  CHECK(s.endpoints[1].port == 2587);
  CHECK(preferred_endpoint(s, MailProtocol::kPop3) == nullptr);
  REQUIRE(preferred_endpoint(s, MailProtocol::kSmtp) != nullptr);
  CHECK(preferred_endpoint(s, MailProtocol::kSmtp)->security == Security::kStartTls);
}

TEST_CASE("address_domain accepts one '@' between two non-empty parts and lower-cases the domain") {
  CHECK(*address_domain("Jean.Martin@MA-SOCIETE.fr") == "ma-societe.fr");
  CHECK(*address_domain("luc.petit+news@ma-societe.fr") == "ma-societe.fr");
  CHECK(*address_domain("élodie@société.fr") == "société.fr");
  for (const char* bad : {"", "jean", "@ma-societe.fr", "jean@", "a@b@c", "jean martin@x.fr",
                          "jean\n@x.fr", "\xff@x.fr"}) {
    CAPTURE(bad);
    CHECK(address_domain(bad).status().code() == Code::kInvalidArgument);
  }
  CHECK_FALSE(address_domain(std::string(250, 'a') + "@x.fr").is_ok());
}

TEST_CASE(
    "the Mozilla document lists IMAP, then POP3 incoming servers, then SMTP, as Thunderbird reads "
    "them") {
  Result<std::string> doc = mozilla_autoconfig(standard_settings(), "ma-societe.fr");
  REQUIRE(doc.is_ok());
  CHECK(*doc ==
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<clientConfig version=\"1.1\">\n"
        "  <emailProvider id=\"ma-societe.fr\">\n"
        "    <domain>ma-societe.fr</domain>\n"
        "    <displayName>ma-societe.fr</displayName>\n"
        "    <displayShortName>ma-societe.fr</displayShortName>\n"
        "    <incomingServer type=\"imap\">\n"
        "      <hostname>mail.ma-societe.fr</hostname>\n"
        "      <port>993</port>\n"
        "      <socketType>SSL</socketType>\n"
        "      <authentication>password-cleartext</authentication>\n"
        "      <username>%EMAILADDRESS%</username>\n"
        "    </incomingServer>\n"
        "    <incomingServer type=\"imap\">\n"
        "      <hostname>mail.ma-societe.fr</hostname>\n"
        "      <port>143</port>\n"
        "      <socketType>STARTTLS</socketType>\n"
        "      <authentication>password-cleartext</authentication>\n"
        "      <username>%EMAILADDRESS%</username>\n"
        "    </incomingServer>\n"
        "    <incomingServer type=\"pop3\">\n"
        "      <hostname>mail.ma-societe.fr</hostname>\n"
        "      <port>995</port>\n"
        "      <socketType>SSL</socketType>\n"
        "      <authentication>password-cleartext</authentication>\n"
        "      <username>%EMAILADDRESS%</username>\n"
        "    </incomingServer>\n"
        "    <incomingServer type=\"pop3\">\n"
        "      <hostname>mail.ma-societe.fr</hostname>\n"
        "      <port>110</port>\n"
        "      <socketType>STARTTLS</socketType>\n"
        "      <authentication>password-cleartext</authentication>\n"
        "      <username>%EMAILADDRESS%</username>\n"
        "    </incomingServer>\n"
        "    <outgoingServer type=\"smtp\">\n"
        "      <hostname>mail.ma-societe.fr</hostname>\n"
        "      <port>465</port>\n"
        "      <socketType>SSL</socketType>\n"
        "      <authentication>password-cleartext</authentication>\n"
        "      <username>%EMAILADDRESS%</username>\n"
        "    </outgoingServer>\n"
        "    <outgoingServer type=\"smtp\">\n"
        "      <hostname>mail.ma-societe.fr</hostname>\n"
        "      <port>587</port>\n"
        "      <socketType>STARTTLS</socketType>\n"
        "      <authentication>password-cleartext</authentication>\n"
        "      <username>%EMAILADDRESS%</username>\n"
        "    </outgoingServer>\n"
        "  </emailProvider>\n"
        "</clientConfig>\n");
}

TEST_CASE("documents escape what they carry") {
  AutoconfigSettings s = standard_settings();
  s.hostname = "a<b>&\"c'";
  Result<std::string> doc = mozilla_autoconfig(s, "x&y.fr");
  REQUIRE(doc.is_ok());
  CHECK(doc->find("<emailProvider id=\"x&amp;y.fr\">") != std::string::npos);
  CHECK(doc->find("<hostname>a&lt;b&gt;&amp;&quot;c&apos;</hostname>") != std::string::npos);
  CHECK(xml_escape("a\x01"
                   "b\x7f"
                   "c\td\xc3\xa9\xff") == "a?b?c\td\xc3\xa9?");
}

TEST_CASE("without an incoming or a submission listener there is no document") {
  AutoconfigSettings only_mx = autoconfig_settings("h", {{ListenerRole::kMx, "::", 25}});
  CHECK(mozilla_autoconfig(only_mx, "x.fr").status().code() == Code::kFailedPrecondition);
  AutoconfigSettings no_smtp = autoconfig_settings("h", {{ListenerRole::kImaps, "::", 993}});
  CHECK(mozilla_autoconfig(no_smtp, "x.fr").status().code() == Code::kFailedPrecondition);
  CHECK(autodiscover_response(no_smtp, "a@x.fr").status().code() == Code::kFailedPrecondition);
  CHECK(apple_mobileconfig(no_smtp, "a@x.fr").status().code() == Code::kFailedPrecondition);
}

TEST_CASE(
    "the Autodiscover answer has one Protocol per type, the preferred port, the address as login") {
  Result<std::string> doc = autodiscover_response(standard_settings(), "jean.martin@ma-societe.fr");
  REQUIRE(doc.is_ok());
  CHECK(doc->find("<Autodiscover "
                  "xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/"
                  "2006\">") != std::string::npos);
  CHECK(doc->find("<Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/"
                  "responseschema/2006a\">") != std::string::npos);
  CHECK(block(*doc, "<Account>", "<Protocol>")
            .find("<AccountType>email</AccountType>\n"
                  "      <Action>settings</Action>") != std::string::npos);
  CHECK(count(*doc, "<Protocol>") == 3);
  const std::string imap = block(*doc, "<Protocol>", "</Protocol>");
  CHECK(imap ==
        "<Protocol>\n"
        "        <Type>IMAP</Type>\n"
        "        <Server>mail.ma-societe.fr</Server>\n"
        "        <Port>993</Port>\n"
        "        <DomainRequired>off</DomainRequired>\n"
        "        <LoginName>jean.martin@ma-societe.fr</LoginName>\n"
        "        <SPA>off</SPA>\n"
        "        <SSL>on</SSL>\n"
        "        <AuthRequired>on</AuthRequired>\n"
        "        <Encryption>SSL</Encryption>\n"
        "      </Protocol>");
  const std::string pop3 = block(*doc, "<Type>POP3</Type>", "</Protocol>");
  CHECK(pop3.find("<Port>995</Port>") != std::string::npos);
  const std::string smtp = block(*doc, "<Type>SMTP</Type>", "</Protocol>");
  CHECK(smtp.find("<Port>465</Port>") != std::string::npos);
  CHECK(smtp.find("<LoginName>jean.martin@ma-societe.fr</LoginName>") != std::string::npos);
}

TEST_CASE("Autodiscover says Encryption TLS for a STARTTLS-only port") {
  AutoconfigSettings s = autoconfig_settings(
      "h.fr", {{ListenerRole::kImap, "::", 143}, {ListenerRole::kSubmission, "::", 587}});
  Result<std::string> doc = autodiscover_response(s, "a@h.fr");
  REQUIRE(doc.is_ok());
  CHECK(count(*doc, "<Protocol>") == 2);
  CHECK(count(*doc, "<Encryption>TLS</Encryption>") == 2);
  CHECK(count(*doc, "<SSL>on</SSL>") == 2);
}

TEST_CASE("an Autodiscover error carries its code, message and the time of day") {
  // 2026-11-30 13:05:09 UTC.
  std::string doc = autodiscover_error(600, "Invalid Request: <x>", 1796043909);
  CHECK(doc.find("<Error Time=\"13:05:09\" Id=\"1796043909\">") != std::string::npos);
  CHECK(doc.find("<ErrorCode>600</ErrorCode>") != std::string::npos);
  CHECK(doc.find("<Message>Invalid Request: &lt;x&gt;</Message>") != std::string::npos);
}

TEST_CASE("name-based UUIDs are RFC 9562 version 5") {
  // Python's uuid.uuid5(uuid.NAMESPACE_URL, "http://example.org/") gives the same.
  CHECK(name_based_uuid("http://example.org/") == "715d503b-5f95-5532-9100-00663eb45ade");
  const std::string u = name_based_uuid("mailto:a@b.fr#profile");
  CHECK(u.size() == 36);
  CHECK(u[14] == '5');
  CHECK(std::string("89ab").find(u[19]) != std::string::npos);
  CHECK(u == name_based_uuid("mailto:a@b.fr#profile"));
  CHECK(u != name_based_uuid("mailto:a@b.fr#mail"));
}

TEST_CASE("the Apple profile holds one mail payload with the preferred ports and stable UUIDs") {
  Result<std::string> doc = apple_mobileconfig(standard_settings(), "Emma.Durand@ma-societe.fr");
  REQUIRE(doc.is_ok());
  CHECK(doc->find("<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\"") != std::string::npos);
  const std::string payload = block(*doc, "\t\t<dict>", "\t\t</dict>");
  auto has = [&](const std::string& key, const std::string& value) {
    CAPTURE(key);
    CHECK(payload.find("<key>" + key + "</key>\n\t\t\t" + value + "\n") != std::string::npos);
  };
  has("PayloadType", "<string>com.apple.mail.managed</string>");
  has("EmailAccountType", "<string>EmailTypeIMAP</string>");
  has("EmailAddress", "<string>Emma.Durand@ma-societe.fr</string>");
  has("IncomingMailServerHostName", "<string>mail.ma-societe.fr</string>");
  has("IncomingMailServerPortNumber", "<integer>993</integer>");
  has("IncomingMailServerUseSSL", "<true/>");
  has("IncomingMailServerUsername", "<string>Emma.Durand@ma-societe.fr</string>");
  has("IncomingMailServerAuthentication", "<string>EmailAuthPassword</string>");
  has("OutgoingMailServerPortNumber", "<integer>465</integer>");
  has("OutgoingMailServerUseSSL", "<true/>");
  has("OutgoingMailServerUsername", "<string>Emma.Durand@ma-societe.fr</string>");
  const std::string mail_uuid = name_based_uuid("mailto:emma.durand@ma-societe.fr#mail");
  const std::string profile_uuid = name_based_uuid("mailto:emma.durand@ma-societe.fr#profile");
  has("PayloadUUID", "<string>" + mail_uuid + "</string>");
  CHECK(doc->find("\t<key>PayloadType</key>\n\t<string>Configuration</string>\n") !=
        std::string::npos);
  CHECK(doc->find("\t<key>PayloadUUID</key>\n\t<string>" + profile_uuid + "</string>\n") !=
        std::string::npos);
  // The same account written in another case gives the same profile UUID.
  CHECK(apple_mobileconfig(standard_settings(), "emma.durand@MA-SOCIETE.FR")->find(profile_uuid) !=
        std::string::npos);
}

TEST_CASE("the Apple profile falls back to POP3 and to STARTTLS when that is all there is") {
  AutoconfigSettings s = autoconfig_settings(
      "h.fr", {{ListenerRole::kPop3, "::", 110}, {ListenerRole::kSubmission, "::", 587}});
  Result<std::string> doc = apple_mobileconfig(s, "a@h.fr");
  REQUIRE(doc.is_ok());
  CHECK(doc->find("<string>EmailTypePOP</string>") != std::string::npos);
  CHECK(doc->find("<key>IncomingMailServerUseSSL</key>\n\t\t\t<false/>") != std::string::npos);
  CHECK(doc->find("<key>OutgoingMailServerPortNumber</key>\n\t\t\t<integer>587</integer>") !=
        std::string::npos);
}

}  // namespace
}  // namespace mf::http
