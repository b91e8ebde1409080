// Unit tests of Content-Type and Content-Disposition parsing (mime/content_type.h).
#include <doctest/doctest.h>

#include "mime/content_type.h"

#include <string>
#include <vector>

using namespace mf::mime;
using Problems = std::vector<std::string>;

namespace {

std::string param(const Parameters& params, std::string_view name) {
  const Parameter* p = params.find(name);
  return p ? p->value : "(none)";
}

}  // namespace

TEST_CASE("type and subtype are lower-cased and parameters read") {
  auto ct = parse_content_type("Text/HTML; Charset=\"UTF-8\"; format=flowed");
  CHECK(ct.mime_type() == "text/html");
  CHECK(ct.problems.empty());
  REQUIRE(ct.params.list.size() == 2);
  CHECK(ct.params.list[0].name == "charset");
  CHECK(ct.params.list[0].value == "UTF-8");
  CHECK(param(ct.params, "FORMAT") == "flowed");
  CHECK(param(ct.params, "delsp") == "(none)");
}

TEST_CASE("a folded multipart boundary with comments is kept byte-exact") {
  auto ct = parse_content_type(
      " multipart/mixed (pieces jointes);\r\n\tboundary=\"----=_Part_12_3456.789\" (fin);");
  CHECK(ct.mime_type() == "multipart/mixed");
  CHECK(ct.problems.empty());
  CHECK(param(ct.params, "boundary") == "----=_Part_12_3456.789");
  auto spaced = parse_content_type("multipart / alternative ; boundary = b1");
  CHECK(spaced.mime_type() == "multipart/alternative");
  CHECK(param(spaced.params, "boundary") == "b1");
}

TEST_CASE("quoted strings resolve quoted-pairs and keep specials") {
  auto cd =
      parse_content_disposition("attachment; filename=\"devis \\\"final\\\"; v2.pdf\"; size=1024");
  CHECK(cd.disposition == "attachment");
  CHECK(cd.problems.empty());
  CHECK(param(cd.params, "filename") == "devis \"final\"; v2.pdf");
  CHECK(param(cd.params, "size") == "1024");
}

TEST_CASE("an unquoted value with spaces is taken up to the next semicolon") {
  auto cd = parse_content_disposition("attachment; filename=Facture mars 2026.pdf ; x=1");
  CHECK(param(cd.params, "filename") == "Facture mars 2026.pdf");
  CHECK(param(cd.params, "x") == "1");
  CHECK(cd.problems.empty());
}

TEST_CASE("a missing or malformed type reads as text/plain and is reported") {
  auto missing = parse_content_type("");
  CHECK(missing.mime_type() == "text/plain");
  CHECK(missing.problems == Problems{"the content type is missing; text/plain is assumed"});

  auto no_subtype = parse_content_type("text; charset=iso-8859-1");
  CHECK(no_subtype.mime_type() == "text/plain");
  CHECK(no_subtype.problems == Problems{"the content type is malformed; text/plain is assumed"});
  CHECK(param(no_subtype.params, "charset") == "iso-8859-1");

  auto junk = parse_content_type("text/html junk; charset=utf-8");
  CHECK(junk.mime_type() == "text/plain");
  CHECK(param(junk.params, "charset") == "utf-8");

  auto only_params = parse_content_type("; charset=utf-8");
  CHECK(only_params.mime_type() == "text/plain");
  CHECK(param(only_params.params, "charset") == "utf-8");
}

TEST_CASE("RFC 2231 charset and language are decoded to UTF-8") {
  auto cd = parse_content_disposition("attachment; filename*=utf-8'fr'%C3%A9t%C3%A9.pdf");
  CHECK(cd.problems.empty());
  const Parameter* p = cd.params.find("filename");
  REQUIRE(p != nullptr);
  CHECK(p->value == "\xC3\xA9t\xC3\xA9.pdf");
  CHECK(p->language == "fr");

  auto latin = parse_content_type("text/plain; name*=ISO-8859-1''r%E9sum%E9.txt");
  CHECK(param(latin.params, "name") == "r\xC3\xA9sum\xC3\xA9.txt");
}

TEST_CASE("RFC 2231 continuations are joined in section order") {
  auto ct = parse_content_type(
      "application/pdf;\r\n name*2=\".pdf\";\r\n name*0*=utf-8''Compte%20rendu%20;\r\n"
      " name*1*=r%C3%A9union");
  CHECK(ct.problems.empty());
  CHECK(param(ct.params, "name") == "Compte rendu r\xC3\xA9union.pdf");

  auto plain = parse_content_type(
      "message/external-body; access-type=URL;\r\n"
      " URL*0=\"ftp://\"; URL*1=\"ma-societe.fr/doc.txt\"");
  CHECK(param(plain.params, "url") == "ftp://ma-societe.fr/doc.txt");
}

TEST_CASE("an RFC 2231 value wins over a plain one of the same name") {
  auto cd = parse_content_disposition(
      "attachment; filename=\"ete.pdf\"; filename*=utf-8''%C3%A9t%C3%A9.pdf");
  CHECK(cd.problems.empty());
  CHECK(cd.params.list.size() == 1);
  CHECK(param(cd.params, "filename") == "\xC3\xA9t\xC3\xA9.pdf");
}

TEST_CASE("a missing section stops the value and is reported") {
  auto ct = parse_content_type("text/plain; name*0=a; name*2=c");
  CHECK(param(ct.params, "name") == "a");
  CHECK(ct.problems == Problems{"section 1 of the parameter 'name' is missing"});

  auto no_first = parse_content_type("text/plain; name=fallback; name*1=b");
  CHECK(param(no_first.params, "name") == "fallback");
  CHECK(no_first.problems == Problems{"section 0 of the parameter 'name' is missing"});
}

TEST_CASE("duplicate parameters keep the first and are reported") {
  auto ct = parse_content_type("text/plain; charset=utf-8; CHARSET=iso-8859-1; a*0=x; a*0=y");
  CHECK(param(ct.params, "charset") == "utf-8");
  CHECK(param(ct.params, "a") == "x");
  CHECK(ct.problems == Problems{"the parameter 'charset' is given twice; the first is kept",
                                "the parameter 'a*0' is given twice; the first is kept"});
}

TEST_CASE("an unknown charset keeps the bytes and is reported") {
  auto ct = parse_content_type("text/plain; name*=x-martian-7''abc%FF");
  CHECK(param(ct.params, "name") == "abc\xEF\xBF\xBD");
  REQUIRE(ct.problems.size() == 1);
  CHECK(ct.problems[0].find("the parameter 'name': ") == 0);
  CHECK(ct.problems[0].find("x-martian-7") != std::string::npos);

  auto no_prefix = parse_content_type("text/plain; name*=abc%41");
  CHECK(param(no_prefix.params, "name") == "abcA");
  CHECK(no_prefix.problems == Problems{"the parameter 'name' has no charset'language' prefix"});
}

TEST_CASE("malformed parameters are skipped and reported, the rest still read") {
  auto ct = parse_content_type("text/plain; oops; charset=utf-8; =x; n*01=a; n*x=b; *=c; q=\"open");
  CHECK(param(ct.params, "charset") == "utf-8");
  CHECK(param(ct.params, "q") == "open");
  CHECK(ct.params.find("n") == nullptr);
  CHECK(ct.problems == Problems{"the parameter at byte 12 has no name=value form",
                                "the parameter at byte 33 has no name=value form",
                                "the quoted string at byte 59 is never closed",
                                "'n*01' is not a parameter name", "'n*x' is not a parameter name",
                                "'*' is not a parameter name"});
  // A trailing or doubled ';' is harmless.
  auto trailing = parse_content_type("text/plain;; charset=utf-8;");
  CHECK(trailing.problems.empty());
  CHECK(param(trailing.params, "charset") == "utf-8");
}

TEST_CASE("limits on parameters and sections are reported") {
  std::string many = "text/plain";
  for (size_t i = 0; i <= kMaxParameters; ++i) many += "; p" + std::to_string(i) + "=v";
  auto ct = parse_content_type(many);
  CHECK(ct.params.list.size() == kMaxParameters);
  CHECK(ct.problems == Problems{"more than 64 parameters; the rest is ignored"});

  auto deep = parse_content_type("text/plain; name*0=a; name*100=b");
  CHECK(param(deep.params, "name") == "a");
  CHECK(deep.problems == Problems{"the parameter 'name' has a section number over 99"});
}

TEST_CASE("a disposition without type is reported and its parameters still read") {
  auto cd = parse_content_disposition("; filename=a.txt");
  CHECK(cd.disposition.empty());
  CHECK(cd.problems == Problems{"the disposition type is missing or malformed"});
  CHECK(param(cd.params, "filename") == "a.txt");
  CHECK(parse_content_disposition("INLINE").disposition == "inline");
}
