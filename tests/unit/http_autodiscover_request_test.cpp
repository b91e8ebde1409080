// http/autodiscover_request.h: reading Outlook's Autodiscover POX request.
#include "http/autodiscover_request.h"

#include <doctest/doctest.h>

#include <string>

namespace mf::http {
namespace {

constexpr const char* kOutlookRequest =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n"
    "<Autodiscover "
    "xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006\">\r\n"
    "  <Request>\r\n"
    "    <EMailAddress>jean.martin@ma-societe.fr</EMailAddress>\r\n"
    "    <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/"
    "responseschema/2006a</AcceptableResponseSchema>\r\n"
    "  </Request>\r\n"
    "</Autodiscover>\r\n";

std::string refusal(std::string_view body) {
  Result<AutodiscoverRequest> r = parse_autodiscover_request(body);
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().code() == Code::kInvalidArgument);
  return r.status().message();
}

TEST_CASE("Outlook's request gives its address and the schema it accepts") {
  Result<AutodiscoverRequest> r = parse_autodiscover_request(kOutlookRequest);
  REQUIRE(r.is_ok());
  CHECK(r->email_address == "jean.martin@ma-societe.fr");
  CHECK(r->acceptable_schema ==
        "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a");
}

TEST_CASE("prefixes, comments, entities and a BOM are read; the schema may be absent") {
  Result<AutodiscoverRequest> r = parse_autodiscover_request(
      "\xEF\xBB\xBF<!-- hi --><a:Autodiscover xmlns:a='urn:x'><a:Request x=\"1\">"
      "<a:EMailAddress> luc.petit&#43;news&#x40;ma-societe.fr </a:EMailAddress><Other/>"
      "</a:Request></a:Autodiscover>\n");
  REQUIRE(r.is_ok());
  CHECK(r->email_address == "luc.petit+news@ma-societe.fr");
  CHECK(r->acceptable_schema.empty());
}

TEST_CASE("an address elsewhere than Autodiscover/Request does not count") {
  CHECK(refusal("<Autodiscover><EMailAddress>a@b.fr</EMailAddress></Autodiscover>") ==
        "no EMailAddress in the request");
  CHECK(refusal("<Autodiscover><Request><EMailAddress> </EMailAddress></Request></Autodiscover>") ==
        "no EMailAddress in the request");
}

TEST_CASE("documents that are not well-formed are refused") {
  CHECK(refusal("") == "no <Autodiscover> element");
  CHECK(refusal("not xml") == "text outside the root element");
  CHECK(refusal("<Other/>") == "the root element is <Other>, not <Autodiscover>");
  CHECK(refusal("<Autodiscover><Request>") == "the element <Request> is not closed");
  CHECK(refusal("<Autodiscover></Request></Autodiscover>") ==
        "the end tag </Request> closes nothing open");
  CHECK(refusal("<Autodiscover/><Autodiscover/>") == "a second root element");
  CHECK(refusal("<Autodiscover a=1/>") == "an attribute value without quotes");
  CHECK(refusal("<Autodiscover a=\"1/>") == "an unterminated attribute value");
  CHECK(refusal("<Autodiscover") == "an unterminated tag");
  CHECK(refusal("<Autodiscover>&bogus;</Autodiscover>") == "the undeclared entity &bogus;");
  CHECK(refusal("<Autodiscover>&#0;</Autodiscover>") ==
        "a character reference to a character XML does not allow");
  CHECK(refusal("<Autodiscover>a & b</Autodiscover>") == "an '&' that starts no entity reference");
  CHECK(refusal("<Autodiscover>\xff</Autodiscover>") == "the request is not UTF-8");
}

TEST_CASE("messages show at most 40 printable bytes of the request's names") {
  CHECK(refusal("<" + std::string(50, 'x') + "/>") ==
        "the root element is <" + std::string(40, 'x') + "...>, not <Autodiscover>");
  CHECK(refusal("<Autodiscover>&b\x01;</Autodiscover>") == "the undeclared entity &b?;");
  CHECK(refusal("<Aut\x01x/>") == "a malformed attribute");
}

TEST_CASE("DOCTYPE and CDATA are refused: no entity is ever declared or expanded") {
  CHECK(refusal("<!DOCTYPE a [<!ENTITY x \"y\">]><Autodiscover/>") ==
        "a DOCTYPE or CDATA section, which a request has no use for");
  CHECK(refusal("<Autodiscover><![CDATA[x]]></Autodiscover>") ==
        "a DOCTYPE or CDATA section, which a request has no use for");
}

TEST_CASE("nesting and size are bounded") {
  std::string deep = "<Autodiscover>";
  for (int i = 0; i < 40; ++i) deep += "<a>";
  CHECK(refusal(deep) == "elements nested too deep");
  std::string big = std::string(kOutlookRequest) + std::string(kMaxAutodiscoverRequestBytes, ' ');
  CHECK(refusal(big) == "the request is larger than 65536 bytes");
}

}  // namespace
}  // namespace mf::http
