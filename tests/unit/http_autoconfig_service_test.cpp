// http/autoconfig_service.h and http/server.h's pure parts: routes, status codes and the
// domain a request asks about, without sockets.
#include "http/autoconfig_service.h"

#include <doctest/doctest.h>

#include <string>

namespace mf::http {
namespace {

// A router with the autoconfiguration routes over a directory knowing ma-societe.fr only.
Router autoconfig_router(bool directory_works = true) {
  AutoconfigSource source;
  source.settings = [] {
    return autoconfig_settings("mail.ma-societe.fr", {{ListenerRole::kImaps, "::", 2993},
                                                      {ListenerRole::kSubmission, "::", 2587}});
  };
  source.is_local_domain = [directory_works](std::string_view domain) -> Result<bool> {
    if (!directory_works) return io_error("the store is gone");
    if (domain.find(' ') != std::string_view::npos) return invalid_argument("bad domain");
    return domain == "ma-societe.fr";
  };
  source.now = [] { return int64_t{0}; };
  Router router;
  add_autoconfig_routes(router, std::move(source));
  return router;
}

Request get(std::string path, std::string query = "", std::string host = "") {
  Request r;
  r.method = Method::kGet;
  r.path = std::move(path);
  r.query = parse_query(query);
  r.host = std::move(host);
  return r;
}

Request post(std::string path, std::string body) {
  Request r;
  r.method = Method::kPost;
  r.path = std::move(path);
  r.body = std::move(body);
  return r;
}

std::string pox(std::string_view address) {
  return "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/"
         "requestschema/2006\"><Request><EMailAddress>" +
         std::string(address) + "</EMailAddress></Request></Autodiscover>";
}

TEST_CASE("queries are split and percent-decoded, '+' kept") {
  auto q = parse_query("emailaddress=luc.petit%2Bx+y%40ma-societe.fr&flag&&bad=%zz");
  REQUIRE(q.size() == 3);
  CHECK(q[0].first == "emailaddress");
  CHECK(q[0].second == "luc.petit+x+y@ma-societe.fr");
  CHECK(q[1] == std::pair<std::string, std::string>("flag", ""));
  CHECK(q[2].second == "%zz");
  CHECK(percent_decode("%41%4a%") == "AJ%");
}

TEST_CASE("the domain comes from emailaddress, else from the Host less autoconfig.") {
  CHECK(*autoconfig_request_domain(get("/", "emailaddress=a%40MA-SOCIETE.fr", "x.org")) ==
        "ma-societe.fr");
  CHECK(*autoconfig_request_domain(get("/", "", "autoconfig.ma-societe.fr")) == "ma-societe.fr");
  CHECK(*autoconfig_request_domain(get("/", "", "ma-societe.fr")) == "ma-societe.fr");
  CHECK_FALSE(autoconfig_request_domain(get("/", "", "")).is_ok());
  CHECK_FALSE(autoconfig_request_domain(get("/", "emailaddress=nobody", "ma-societe.fr")).is_ok());
}

TEST_CASE("Mozilla autoconfig answers for local domains at both paths") {
  Router router = autoconfig_router();
  for (const char* path :
       {"/mail/config-v1.1.xml", "/.well-known/autoconfig/mail/config-v1.1.xml"}) {
    CAPTURE(path);
    Response r = router.dispatch(get(path, "emailaddress=jean.martin%40ma-societe.fr"));
    CHECK(r.status == 200);
    CHECK(r.content_type == "text/xml; charset=utf-8");
    CHECK(r.body.find("<port>2993</port>") != std::string::npos);
    CHECK(r.body.find("<port>2587</port>") != std::string::npos);
  }
  Response by_host = router.dispatch(get("/mail/config-v1.1.xml", "", "autoconfig.ma-societe.fr"));
  CHECK(by_host.status == 200);
}

TEST_CASE("other domains get 404 with the reason; bad requests 400; a broken directory 503") {
  Router router = autoconfig_router();
  Response other = router.dispatch(get("/mail/config-v1.1.xml", "emailaddress=a%40example.org"));
  CHECK(other.status == 404);
  CHECK(other.body == "example.org is not a mail domain of this server.\n");
  CHECK(router.dispatch(get("/mail/config-v1.1.xml", "emailaddress=a%40b%20c")).status == 400);
  CHECK(router.dispatch(get("/mail/config-v1.1.xml", "emailaddress=a")).status == 400);
  CHECK(router.dispatch(get("/mail/config-v1.1.xml")).status == 400);
  Router broken = autoconfig_router(false);
  CHECK(broken.dispatch(get("/mail/config-v1.1.xml", "emailaddress=a%40ma-societe.fr")).status ==
        503);
}

TEST_CASE("wrong methods get 405 with Allow; unknown paths 404") {
  Router router = autoconfig_router();
  Response r = router.dispatch(post("/mail/config-v1.1.xml", ""));
  CHECK(r.status == 405);
  REQUIRE(r.headers.size() == 1);
  CHECK(r.headers[0] == std::pair<std::string, std::string>("Allow", "GET"));
  CHECK(router.dispatch(get("/autodiscover/autodiscover.xml")).status == 405);
  CHECK(router.dispatch(get("/nothing")).status == 404);
}

TEST_CASE("Autodiscover answers at any letter case of its path") {
  Router router = autoconfig_router();
  for (const char* path : {"/autodiscover/autodiscover.xml", "/Autodiscover/Autodiscover.xml"}) {
    CAPTURE(path);
    Response r = router.dispatch(post(path, pox("sophie.bernard@ma-societe.fr")));
    CHECK(r.status == 200);
    CHECK(r.body.find("<LoginName>sophie.bernard@ma-societe.fr</LoginName>") != std::string::npos);
  }
}

TEST_CASE("Autodiscover errors are Error elements with the matching status") {
  Router router = autoconfig_router();
  Response bad = router.dispatch(post("/autodiscover/autodiscover.xml", "<oops"));
  CHECK(bad.status == 400);
  CHECK(bad.body.find("<ErrorCode>600</ErrorCode>") != std::string::npos);
  Response no_address = router.dispatch(post("/autodiscover/autodiscover.xml", pox("nobody")));
  CHECK(no_address.status == 400);
  CHECK(no_address.body.find("<ErrorCode>600</ErrorCode>") != std::string::npos);
  Response other = router.dispatch(post("/autodiscover/autodiscover.xml", pox("a@example.org")));
  CHECK(other.status == 404);
  CHECK(other.body.find("<ErrorCode>500</ErrorCode>") != std::string::npos);
  std::string mobilesync =
      "<Autodiscover><Request><EMailAddress>a@ma-societe.fr</EMailAddress>"
      "<AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/mobilesync/"
      "responseschema/2006</AcceptableResponseSchema></Request></Autodiscover>";
  Response unsupported = router.dispatch(post("/autodiscover/autodiscover.xml", mobilesync));
  CHECK(unsupported.status == 406);
  CHECK(unsupported.body.find("<ErrorCode>601</ErrorCode>") != std::string::npos);
}

TEST_CASE("the Apple profile is a download of its own type, for a local address only") {
  Router router = autoconfig_router();
  Response r = router.dispatch(get("/mobileconfig", "emailaddress=emma.durand%40ma-societe.fr"));
  CHECK(r.status == 200);
  CHECK(r.content_type == "application/x-apple-aspen-config");
  REQUIRE(r.headers.size() == 1);
  CHECK(r.headers[0].first == "Content-Disposition");
  CHECK(r.body.find("<integer>2993</integer>") != std::string::npos);
  CHECK(router.dispatch(get("/email.mobileconfig", "emailaddress=a%40ma-societe.fr")).status ==
        200);
  CHECK(router.dispatch(get("/mobileconfig", "emailaddress=a%40example.org")).status == 404);
  CHECK(router.dispatch(get("/mobileconfig")).status == 400);
}

}  // namespace
}  // namespace mf::http
