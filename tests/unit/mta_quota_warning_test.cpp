// The "mailbox almost full" message (mta/quota_warning.h): sizes for people in both
// languages, and a well-formed bilingual message from the postmaster of the account's
// domain.
#include <doctest/doctest.h>

#include "mime/message.h"
#include "mime/transfer_encoding.h"
#include "mta/quota_warning.h"

#include <string>

namespace mf::mta {
namespace {

bool has(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

TEST_CASE("sizes are written in binary multiples with one decimal, French and English") {
  CHECK(human_size(512, Language::kFrench) == "512 octets");
  CHECK(human_size(512, Language::kEnglish) == "512 bytes");
  CHECK(human_size(1536, Language::kFrench) == "1,5 Ko");
  CHECK(human_size(1536, Language::kEnglish) == "1.5 KB");
  CHECK(human_size(10 * 1024 * 1024, Language::kFrench) == "10 Mo");
  CHECK(human_size(9'646'899, Language::kEnglish) == "9.2 MB");
  CHECK(human_size(uint64_t{2} << 30, Language::kFrench) == "2 Go");
  CHECK(human_size(uint64_t{3} << 40, Language::kEnglish) == "3 TB");
  CHECK(human_size(uint64_t{5} << 50, Language::kEnglish) == "5120 TB");
}

TEST_CASE("the warning comes from the postmaster of the account's domain, in both languages") {
  QuotaWarningNotice n;
  n.account = "luc.petit@ma-societe.fr";
  n.usage_bytes = 9'646'899;
  n.limit_bytes = 10 * 1024 * 1024;
  n.date = mime::DateTime{1796025600, 0, false};
  n.message_id = "1ABC.quota@ma-societe.fr";
  auto built = build_quota_warning(n);
  REQUIRE(built.is_ok());
  const std::string& text = *built;
  CHECK(has(text, "From: Postmaster <postmaster@ma-societe.fr>\r\n"));
  CHECK(has(text, "To: luc.petit@ma-societe.fr\r\n"));
  CHECK(has(text, "Auto-Submitted: auto-generated\r\n"));
  CHECK(has(text, "Message-ID: <1ABC.quota@ma-societe.fr>\r\n"));
  CHECK(text.find('\n') == text.find("\r\n") + 1);  // CRLF line ends
  auto parsed = mime::parse_message(text);
  REQUIRE(parsed.is_ok());
  // The subject is RFC 2047-encoded (7-bit): decoded, it names both languages.
  size_t body_at = text.find("\r\n\r\n");
  REQUIRE(body_at != std::string::npos);
  const std::string body = mime::qp_decode(std::string_view(text).substr(body_at + 4)).bytes;
  CHECK(has(body, "Votre boîte aux lettres luc.petit@ma-societe.fr est presque pleine"));
  CHECK(has(body, "9,2 Mo"));
  CHECK(has(body, "10 Mo"));
  CHECK(has(body, "(91 %)"));
  CHECK(has(body, "Your mailbox luc.petit@ma-societe.fr is almost full"));
  CHECK(has(body, "9.2 MB of the 10 MB"));
  CHECK(has(body, "(91%)"));
  CHECK(has(body, "Le postmaster de ma-societe.fr"));
  CHECK(has(body, "The postmaster of ma-societe.fr"));
}

TEST_CASE("a warning needs an address with a domain") {
  QuotaWarningNotice n;
  n.account = "nobody";
  CHECK(build_quota_warning(n).status().code() == Code::kInvalidArgument);
}

}  // namespace
}  // namespace mf::mta
