// Unit tests of SMTP command lines (smtp/command.h): verbs, MAIL and RCPT with their
// paths and parameters, BDAT, AUTH, HELO/EHLO — and what comes out of each classic
// relay trick, so the policy layer's tests can rely on it.
#include <doctest/doctest.h>

#include "smtp/command.h"

#include <string>

using namespace mf::smtp;

namespace {

Extensions everything() {
  Extensions e;
  e.size = e.eightbitmime = e.binarymime = e.smtputf8 = e.dsn = e.auth = true;
  return e;
}

// Parses a whole MAIL line as the session would: the line first, then the argument.
ReplyOr<MailCommand> mail(std::string_view line, const Extensions& offered = everything()) {
  auto cl = parse_command_line(line);
  REQUIRE(cl.is_ok());
  REQUIRE(cl->verb == Verb::kMail);
  return parse_mail(cl->argument, offered);
}

ReplyOr<RcptCommand> rcpt(std::string_view line, Smtputf8 tx = Smtputf8::kNotDeclared,
                          const Extensions& offered = everything()) {
  auto cl = parse_command_line(line);
  REQUIRE(cl.is_ok());
  REQUIRE(cl->verb == Verb::kRcpt);
  return parse_rcpt(cl->argument, offered, tx);
}

// "501 5.1.3" for a refusal, "ok" otherwise: short to compare.
template <typename T>
std::string code_of(const ReplyOr<T>& r) {
  if (r.is_ok()) return "ok";
  return std::to_string(r.reply().code) + " " + r.reply().enhanced;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// The command line

TEST_CASE("verbs are recognised in any letter case and the argument follows the spaces") {
  auto cl = parse_command_line("mAiL FROM:<a@example.org>");
  REQUIRE(cl.is_ok());
  CHECK(cl->verb == Verb::kMail);
  CHECK(cl->argument == "FROM:<a@example.org>");

  auto st = parse_command_line("starttls");
  REQUIRE(st.is_ok());
  CHECK(st->verb == Verb::kStartTls);
  CHECK(verb_name(st->verb) == "STARTTLS");

  auto ehlo = parse_command_line("EHLO    client.example.org");
  REQUIRE(ehlo.is_ok());
  CHECK(ehlo->argument == "client.example.org");
}

TEST_CASE("every verb of the server is known") {
  for (auto [line, verb] : {std::pair{"HELO x", Verb::kHelo},
                            {"EHLO x", Verb::kEhlo},
                            {"MAIL FROM:<>", Verb::kMail},
                            {"RCPT TO:<a@b.c>", Verb::kRcpt},
                            {"DATA", Verb::kData},
                            {"BDAT 1", Verb::kBdat},
                            {"RSET", Verb::kRset},
                            {"NOOP", Verb::kNoop},
                            {"QUIT", Verb::kQuit},
                            {"VRFY x", Verb::kVrfy},
                            {"EXPN x", Verb::kExpn},
                            {"HELP", Verb::kHelp},
                            {"STARTTLS", Verb::kStartTls},
                            {"AUTH PLAIN", Verb::kAuth}}) {
    auto cl = parse_command_line(line);
    REQUIRE_MESSAGE(cl.is_ok(), line);
    CHECK(cl->verb == verb);
  }
}

TEST_CASE("an unknown verb is 500 5.5.1") {
  for (auto line : {"ETRN example.org", "XCLIENT ADDR=1.2.3.4", "MAILFROM:<a@b.c>", "TURN", "QUITX",
                    "DATA\tx"}) {
    auto cl = parse_command_line(line);
    CHECK_MESSAGE(code_of(cl) == "500 5.5.1", line);
  }
}

TEST_CASE("an empty line, a NUL byte, an 8-bit verb or broken UTF-8 is 500 5.5.2") {
  using namespace std::string_literals;
  for (auto line : {""s, "   "s, "\t"s, " QUIT"s, "QU\0IT"s, "NOOP \0"s, "MAIL FROM:<a\0@b.c>"s,
                    "QU\xC3\x8FT"s, "\xFFQUIT"s, "HELO \xC3"s, "RCPT TO:<a@b.c> \xC0\xAF"s}) {
    auto cl = parse_command_line(line);
    CHECK_MESSAGE(code_of(cl) == "500 5.5.2", line);
  }
  CHECK(parse_command_line("HELO \xC3").reply().text == "Error: bad UTF-8 syntax");
}

TEST_CASE("commands without arguments refuse one, and the others require theirs") {
  for (auto line : {"DATA x", "RSET now", "QUIT please", "STARTTLS x"}) {
    auto cl = parse_command_line(line);
    CHECK_MESSAGE(code_of(cl) == "501 5.5.4", line);
  }
  CHECK(parse_command_line("DATA x").reply().text == "Syntax: DATA");
  for (auto line : {"HELO", "EHLO ", "MAIL", "RCPT", "BDAT", "AUTH", "VRFY", "EXPN"}) {
    auto cl = parse_command_line(line);
    CHECK_MESSAGE(code_of(cl) == "501 5.5.4", line);
  }
  CHECK(parse_command_line("EHLO").reply().text == "Syntax: EHLO hostname");
  CHECK(parse_command_line("NOOP").is_ok());
  CHECK(parse_command_line("NOOP anything at all")->argument == "anything at all");
  CHECK(parse_command_line("HELP MAIL")->argument == "MAIL");
}

TEST_CASE("trailing whitespace is forgiven") {
  CHECK(parse_command_line("QUIT ").is_ok());
  CHECK(parse_command_line("DATA \t ").is_ok());
  CHECK(parse_command_line("VRFY postmaster  ")->argument == "postmaster");
}

TEST_CASE("a reply's wire form is one CRLF-terminated line") {
  auto cl = parse_command_line("FOO");
  CHECK(cl.reply().wire() == "500 5.5.1 Error: command not recognized\r\n");
}

// ---------------------------------------------------------------------------------------
// MAIL

TEST_CASE("MAIL FROM takes a path, with a space after the colon tolerated as by Postfix") {
  auto m = mail("MAIL FROM:<claire.martin@ma-societe.fr>");
  REQUIRE(m.is_ok());
  CHECK(m->sender.local == "claire.martin");
  CHECK(m->sender.domain == "ma-societe.fr");
  CHECK(m->sender.domain_kind == DomainKind::kName);
  CHECK(m->sender.mailbox() == "claire.martin@ma-societe.fr");

  auto spaced = mail("MAIL from:  <claire.martin@ma-societe.fr>  SIZE=12 ");
  REQUIRE(spaced.is_ok());
  CHECK(spaced->sender.mailbox() == "claire.martin@ma-societe.fr");
  CHECK(spaced->params.size == 12u);
}

TEST_CASE("MAIL FROM:<> is the null sender") {
  auto m = mail("MAIL FROM:<> BODY=8BITMIME");
  REQUIRE(m.is_ok());
  CHECK(m->sender.is_null);
  CHECK(m->sender.mailbox() == "");
  CHECK(m->params.body == Body::k8BitMime);
}

TEST_CASE("MAIL without FROM: is a syntax error, a bad path a bad sender") {
  CHECK(code_of(mail("MAIL TO:<a@b.fr>")) == "501 5.5.4");
  CHECK(code_of(mail("MAIL FROM <a@b.fr>")) == "501 5.5.4");
  CHECK(code_of(mail("MAIL FROM :<a@b.fr>")) == "501 5.5.4");
  CHECK(code_of(mail("MAIL FROM:")) == "501 5.5.4");
  CHECK(mail("MAIL FROM:").reply().text == "Syntax: MAIL FROM:<address>");
  CHECK(code_of(mail("MAIL FROM:<a@b.fr>SIZE=10")) == "501 5.5.4");
  // Without brackets, which Postfix tolerates by default, the address itself is refused.
  auto bare = mail("MAIL FROM:a@b.fr");
  CHECK(code_of(bare) == "501 5.1.7");
  CHECK(bare.reply().text == "Bad sender address syntax: the address must be enclosed in <>");
  CHECK(code_of(mail("MAIL FROM:<a@b.fr")) == "501 5.1.7");
  CHECK(code_of(mail("MAIL FROM:<a@>")) == "501 5.1.7");
  CHECK(code_of(mail("MAIL FROM:<@b.fr>")) == "501 5.1.7");
  CHECK(code_of(mail("MAIL FROM:<Postmaster>")) == "501 5.1.7");  // only a recipient may
}

TEST_CASE("MAIL parameters are parsed when their extension was offered") {
  auto m = mail(
      "MAIL FROM:<a@b.fr> size=1024 BODY=binarymime SMTPUTF8 RET=hdrs ENVID=QQ+2B1 "
      "AUTH=e+3Dmc2@example.org");
  REQUIRE(m.is_ok());
  CHECK(m->params.size == 1024u);
  CHECK(m->params.body == Body::kBinaryMime);
  CHECK(m->params.smtputf8);
  CHECK(m->params.ret == Ret::kHeaders);
  CHECK(m->params.envid == "QQ+1");
  CHECK(m->params.auth == "e=mc2@example.org");

  auto none = mail("MAIL FROM:<a@b.fr>");
  REQUIRE(none.is_ok());
  CHECK(!none->params.size);
  CHECK(none->params.body == Body::kUnspecified);
  CHECK(!none->params.smtputf8);
  CHECK(none->params.ret == Ret::kUnspecified);
  CHECK(!none->params.envid);
  CHECK(!none->params.auth);
}

TEST_CASE("a parameter of an extension not offered is 555 5.5.4") {
  Extensions nothing;  // after HELO
  for (auto line : {"MAIL FROM:<a@b.fr> SIZE=10", "MAIL FROM:<a@b.fr> BODY=8BITMIME",
                    "MAIL FROM:<a@b.fr> SMTPUTF8", "MAIL FROM:<a@b.fr> RET=FULL",
                    "MAIL FROM:<a@b.fr> ENVID=x", "MAIL FROM:<a@b.fr> AUTH=<>"}) {
    CHECK_MESSAGE(code_of(mail(line, nothing)) == "555 5.5.4", line);
  }
  CHECK(mail("MAIL FROM:<a@b.fr> size=10", nothing).reply().text == "Unsupported parameter: SIZE");
  Extensions only8bit;
  only8bit.eightbitmime = true;
  CHECK(code_of(mail("MAIL FROM:<a@b.fr> BODY=7BIT", only8bit)) == "ok");
  CHECK(code_of(mail("MAIL FROM:<a@b.fr> BODY=BINARYMIME", only8bit)) == "555 5.5.4");
}

TEST_CASE("unknown, repeated and malformed MAIL parameters are 555 5.5.4") {
  for (auto line : {
           "MAIL FROM:<a@b.fr> FOO=bar",        // unknown
           "MAIL FROM:<a@b.fr> XVERP",          // unknown, no value
           "MAIL FROM:<a@b.fr> SIZE=1 size=2",  // repeated, any case
           "MAIL FROM:<a@b.fr> SMTPUTF8 SMTPUTF8",
           "MAIL FROM:<a@b.fr> SIZE",   // value missing
           "MAIL FROM:<a@b.fr> SIZE=",  // empty value
           "MAIL FROM:<a@b.fr> SIZE=12k",
           "MAIL FROM:<a@b.fr> SIZE=-1",
           "MAIL FROM:<a@b.fr> BODY=8BIT",
           "MAIL FROM:<a@b.fr> SMTPUTF8=yes",  // SMTPUTF8 takes no value
           "MAIL FROM:<a@b.fr> RET=ALL",
           "MAIL FROM:<a@b.fr> ENVID=a+2b",  // lower-case hex
           "MAIL FROM:<a@b.fr> ENVID=a+0A",  // decodes to a control
           "MAIL FROM:<a@b.fr> ENVID=a+",    // truncated hexchar
           "MAIL FROM:<a@b.fr> AUTH=a=b",    // '=' is not an esmtp-value character
           "MAIL FROM:<a@b.fr> -SIZE=1",     // keyword must start alphanumeric
           "MAIL FROM:<a@b.fr> =1",
           "MAIL FROM:<a@b.fr> SIZE=1\x01",
       }) {
    CHECK_MESSAGE(code_of(mail(line)) == "555 5.5.4", line);
  }
  CHECK(mail("MAIL FROM:<a@b.fr> SIZE=1 Size=2").reply().text == "Duplicate SIZE parameter");
  CHECK(mail("MAIL FROM:<a@b.fr> RET=ALL").reply().text == "Bad RET parameter syntax");
}

TEST_CASE("a SIZE too large to count is 552 5.3.4, the largest countable one passes") {
  auto max = mail("MAIL FROM:<a@b.fr> SIZE=18446744073709551615");
  REQUIRE(max.is_ok());
  CHECK(max->params.size == 18446744073709551615u);
  CHECK(code_of(mail("MAIL FROM:<a@b.fr> SIZE=18446744073709551616")) == "552 5.3.4");
  CHECK(code_of(mail("MAIL FROM:<a@b.fr> SIZE=99999999999999999999999999")) == "552 5.3.4");
  CHECK(mail("MAIL FROM:<a@b.fr> SIZE=000000000000000000000000001")->params.size == 1u);
}

TEST_CASE("ENVID is xtext-decoded and at most 100 characters once decoded") {
  std::string hundred(100, 'x');
  CHECK(mail("MAIL FROM:<a@b.fr> ENVID=" + hundred)->params.envid == hundred);
  CHECK(code_of(mail("MAIL FROM:<a@b.fr> ENVID=" + hundred + "x")) == "555 5.5.4");
  // 100 characters decoded from 300 encoded ones still fit.
  std::string encoded;
  for (int i = 0; i < 100; ++i) encoded += "+20";
  CHECK(mail("MAIL FROM:<a@b.fr> ENVID=" + encoded)->params.envid == std::string(100, ' '));
}

TEST_CASE("AUTH=<> is kept as the unknown submitter") {
  auto m = mail("MAIL FROM:<a@b.fr> AUTH=<>");
  REQUIRE(m.is_ok());
  CHECK(m->params.auth == "<>");
}

// ---------------------------------------------------------------------------------------
// RCPT

TEST_CASE("RCPT TO takes a forward path and never the null path") {
  auto r = rcpt("RCPT TO: <support@ma-societe.fr>");
  REQUIRE(r.is_ok());
  CHECK(r->recipient.mailbox() == "support@ma-societe.fr");
  auto null = rcpt("RCPT TO:<>");
  CHECK(code_of(null) == "501 5.1.3");
  CHECK(null.reply().text == "Bad recipient address syntax: the null path <> is not a recipient");
  CHECK(code_of(rcpt("RCPT FROM:<a@b.fr>")) == "501 5.5.4");
  CHECK(rcpt("RCPT FROM:<a@b.fr>").reply().text == "Syntax: RCPT TO:<address>");
  CHECK(code_of(rcpt("RCPT TO:a@b.fr")) == "501 5.1.3");
}

TEST_CASE("RCPT TO:<Postmaster> without a domain is accepted in any case") {
  for (auto line : {"RCPT TO:<Postmaster>", "RCPT TO:<postmaster>", "rcpt to:<POSTMASTER>"}) {
    auto r = rcpt(line);
    REQUIRE_MESSAGE(r.is_ok(), line);
    CHECK(r->recipient.is_bare_postmaster());
    CHECK(r->recipient.domain.empty());
    CHECK(r->recipient.domain_kind == DomainKind::kNone);
  }
  CHECK(rcpt("RCPT TO:<PostMaster>")->recipient.local == "PostMaster");
  CHECK(rcpt("RCPT TO:<PostMaster>")->recipient.mailbox() == "PostMaster");
  // Only the literal form of RFC 5321 §4.1.1.3: not quoted, not routed, not another name.
  CHECK(code_of(rcpt("RCPT TO:<\"Postmaster\">")) == "501 5.1.3");
  CHECK(code_of(rcpt("RCPT TO:<@relay.example:Postmaster>")) == "501 5.1.3");
  CHECK(code_of(rcpt("RCPT TO:<abuse>")) == "501 5.1.3");
  auto full = rcpt("RCPT TO:<Postmaster@ma-societe.fr>");
  REQUIRE(full.is_ok());
  CHECK(!full->recipient.is_bare_postmaster());
}

TEST_CASE("RCPT parameters: NOTIFY and ORCPT") {
  auto r = rcpt("RCPT TO:<a@b.fr> NOTIFY=success,Delay ORCPT=rfc822;a+2Bb@example.org");
  REQUIRE(r.is_ok());
  REQUIRE(r->params.notify);
  CHECK(r->params.notify->success);
  CHECK(!r->params.notify->failure);
  CHECK(r->params.notify->delay);
  CHECK(!r->params.notify->never());
  REQUIRE(r->params.orcpt);
  CHECK(r->params.orcpt->addr_type == "rfc822");
  CHECK(r->params.orcpt->address == "a+b@example.org");

  auto never = rcpt("RCPT TO:<a@b.fr> NOTIFY=NEVER");
  REQUIRE(never.is_ok());
  CHECK(never->params.notify->never());
  CHECK(!rcpt("RCPT TO:<a@b.fr>")->params.notify);
}

TEST_CASE("bad NOTIFY and ORCPT values, and DSN parameters not offered, are 555 5.5.4") {
  for (auto line : {"RCPT TO:<a@b.fr> NOTIFY=NEVER,DELAY", "RCPT TO:<a@b.fr> NOTIFY=DELAY,NEVER",
                    "RCPT TO:<a@b.fr> NOTIFY=SUCCESS,SUCCESS", "RCPT TO:<a@b.fr> NOTIFY=SUCCESS,",
                    "RCPT TO:<a@b.fr> NOTIFY=ALWAYS", "RCPT TO:<a@b.fr> NOTIFY",
                    "RCPT TO:<a@b.fr> NOTIFY=NEVER NOTIFY=NEVER", "RCPT TO:<a@b.fr> ORCPT=a@b.fr",
                    "RCPT TO:<a@b.fr> ORCPT=;a@b.fr", "RCPT TO:<a@b.fr> ORCPT=rfc822;",
                    "RCPT TO:<a@b.fr> ORCPT=rfc822;a+zzb.fr", "RCPT TO:<a@b.fr> SIZE=10"}) {
    CHECK_MESSAGE(code_of(rcpt(line)) == "555 5.5.4", line);
  }
  Extensions no_dsn = everything();
  no_dsn.dsn = false;
  CHECK(code_of(rcpt("RCPT TO:<a@b.fr> NOTIFY=NEVER", Smtputf8::kNotDeclared, no_dsn)) ==
        "555 5.5.4");
  std::string long_orcpt = "RCPT TO:<a@b.fr> ORCPT=rfc822;" + std::string(493, 'a');
  CHECK(code_of(rcpt(long_orcpt)) == "ok");  // 500 characters
  CHECK(code_of(rcpt(long_orcpt + "a")) == "555 5.5.4");
}

TEST_CASE("ORCPT=utf-8 is decoded per RFC 6533, raw UTF-8 only in an SMTPUTF8 transaction") {
  auto r = rcpt("RCPT TO:<a@b.fr> ORCPT=utf-8;ren\\x{E9}@example.org");
  REQUIRE(r.is_ok());
  CHECK(r->params.orcpt->address == "ren\xC3\xA9@example.org");
  CHECK(code_of(rcpt("RCPT TO:<a@b.fr> ORCPT=UTF-8;ren\xC3\xA9@example.org")) == "555 5.5.4");
  auto raw = rcpt("RCPT TO:<a@b.fr> ORCPT=UTF-8;ren\xC3\xA9@example.org", Smtputf8::kDeclared);
  REQUIRE(raw.is_ok());
  CHECK(raw->params.orcpt->address == "ren\xC3\xA9@example.org");
}

// ---------------------------------------------------------------------------------------
// What comes out of the classic relay tricks. Refusing or routing them is the policy
// layer's job; the parser's is that what it returns is exactly what was written, so that
// the domain it reports is the one the mail would really go to.

TEST_CASE("relay trick: the percent hack stays in the local part") {
  auto r = rcpt("RCPT TO:<victim%remote.example@ma-societe.fr>");
  REQUIRE(r.is_ok());
  CHECK(r->recipient.local == "victim%remote.example");
  CHECK(r->recipient.domain == "ma-societe.fr");
  CHECK(r->recipient.mailbox() == "victim%remote.example@ma-societe.fr");
  // Without a domain, it is not an address at all.
  CHECK(code_of(rcpt("RCPT TO:<victim%remote.example>")) == "501 5.1.3");
}

TEST_CASE("relay trick: a bang path stays in the local part") {
  auto r = rcpt("RCPT TO:<remote.example!victim@ma-societe.fr>");
  REQUIRE(r.is_ok());
  CHECK(r->recipient.local == "remote.example!victim");
  CHECK(r->recipient.domain == "ma-societe.fr");
  CHECK(code_of(rcpt("RCPT TO:<remote.example!victim>")) == "501 5.1.3");
}

TEST_CASE("relay trick: a source route is dropped and the final domain is reported") {
  auto r = rcpt("RCPT TO:<@ma-societe.fr:victim@remote.example>");
  REQUIRE(r.is_ok());
  CHECK(r->recipient.source_route_dropped);
  CHECK(r->recipient.local == "victim");
  CHECK(r->recipient.domain == "remote.example");  // the relay check sees the real target
  auto two = rcpt("RCPT TO:<@a.example,@b.example:victim@remote.example>");
  REQUIRE(two.is_ok());
  CHECK(two->recipient.mailbox() == "victim@remote.example");
  auto sender = mail("MAIL FROM:<@relay.example:claire@ma-societe.fr>");
  REQUIRE(sender.is_ok());
  CHECK(sender->sender.mailbox() == "claire@ma-societe.fr");
  for (auto line : {"RCPT TO:<@:victim@remote.example>", "RCPT TO:<@a.example,b.example:v@r.fr>",
                    "RCPT TO:<@a.example;v@r.fr>", "RCPT TO:<@a.example:>",
                    "RCPT TO:<@[192.0.2.1]:v@r.fr>", "RCPT TO:<@a.example.:v@r.fr>"}) {
    CHECK_MESSAGE(code_of(rcpt(line)) == "501 5.1.3", line);
  }
}

TEST_CASE("relay trick: an '@' inside a quoted local part does not split the address") {
  auto r = rcpt("RCPT TO:<\"victim@remote.example\"@ma-societe.fr>");
  REQUIRE(r.is_ok());
  CHECK(r->recipient.quoted_local);
  CHECK(r->recipient.local == "victim@remote.example");
  CHECK(r->recipient.domain == "ma-societe.fr");
  CHECK(r->recipient.mailbox() == "\"victim@remote.example\"@ma-societe.fr");

  // Quoted-pairs are resolved; the quote and backslash come back escaped.
  auto esc = rcpt("RCPT TO:<\"a\\\"b\\\\c\\@d e\"@ma-societe.fr>");
  REQUIRE(esc.is_ok());
  CHECK(esc->recipient.local == "a\"b\\c@d e");
  CHECK(esc->recipient.mailbox() == "\"a\\\"b\\\\c@d e\"@ma-societe.fr");

  // A quoted dot-string means the same as the unquoted one.
  auto plain = rcpt("RCPT TO:<\"claire.martin\"@ma-societe.fr>");
  REQUIRE(plain.is_ok());
  CHECK(plain->recipient.quoted_local);
  CHECK(plain->recipient.mailbox() == "claire.martin@ma-societe.fr");

  // Unquoted, a second '@' is a syntax error, not a choice between two domains.
  CHECK(code_of(rcpt("RCPT TO:<victim@remote.example@ma-societe.fr>")) == "501 5.1.3");
  CHECK(code_of(rcpt("RCPT TO:<\"victim@remote.example\"@>")) == "501 5.1.3");
  CHECK(code_of(rcpt("RCPT TO:<\"victim\"x@ma-societe.fr>")) == "501 5.1.3");
  CHECK(code_of(rcpt("RCPT TO:<\"unterminated@ma-societe.fr>")) == "501 5.1.3");
  CHECK(code_of(rcpt("RCPT TO:<\"tab\there\"@ma-societe.fr>")) == "501 5.1.3");
}

TEST_CASE("relay trick: a trailing dot in the domain is refused") {
  auto r = rcpt("RCPT TO:<support@ma-societe.fr.>");
  CHECK(code_of(r) == "501 5.1.3");
  CHECK(r.reply().text == "Bad recipient address syntax: trailing dot in the domain");
  CHECK(code_of(mail("MAIL FROM:<claire@ma-societe.fr.>")) == "501 5.1.7");
  for (auto line : {"RCPT TO:<a@.ma-societe.fr>", "RCPT TO:<a@ma-societe..fr>", "RCPT TO:<a@.>",
                    "RCPT TO:<a@-x.fr>", "RCPT TO:<a@x-.fr>", "RCPT TO:<a@x_y.fr>"}) {
    CHECK_MESSAGE(code_of(rcpt(line)) == "501 5.1.3", line);
  }
}

TEST_CASE("relay trick: address literals are validated and reported apart") {
  auto v4 = rcpt("RCPT TO:<postmaster@[192.0.2.1]>");
  REQUIRE(v4.is_ok());
  CHECK(v4->recipient.domain_kind == DomainKind::kIPv4);
  CHECK(v4->recipient.domain == "[192.0.2.1]");
  CHECK(v4->recipient.address_literal == "192.0.2.1");

  auto v6 = rcpt("RCPT TO:<postmaster@[ipv6:2001:DB8::1]>");
  REQUIRE(v6.is_ok());
  CHECK(v6->recipient.domain_kind == DomainKind::kIPv6);
  CHECK(v6->recipient.address_literal == "2001:DB8::1");
  CHECK(rcpt("RCPT TO:<a@[IPv6:::ffff:192.0.2.1]>").is_ok());

  for (auto line :
       {"RCPT TO:<a@[192.0.2.256]>", "RCPT TO:<a@[010.0.0.1]>",  // octal-looking
        "RCPT TO:<a@[192.0.2]>", "RCPT TO:<a@[192.0.2.1.5]>", "RCPT TO:<a@[]>",
        "RCPT TO:<a@[IPv6:2001:db8::g]>", "RCPT TO:<a@[IPv6:fe80::1%eth0]>", "RCPT TO:<a@[IPv6:]>",
        "RCPT TO:<a@[x-tag:whatever]>", "RCPT TO:<a@[192.0.2.1]x>", "RCPT TO:<a@[192.0.2.1>"}) {
    CHECK_MESSAGE(code_of(rcpt(line)) == "501 5.1.3", line);
  }
  // A bare IP address is not a domain name: it must be written as a literal.
  auto bare = rcpt("RCPT TO:<a@192.0.2.1>");
  CHECK(code_of(bare) == "501 5.1.3");
  CHECK(bare.reply().text ==
        "Bad recipient address syntax: numeric top-level label (write an IP address as "
        "[192.0.2.1])");
}

TEST_CASE("relay trick: letter case is kept as written for the policy layer to fold") {
  auto r = rcpt("rcpt to:<Support@MA-SOCIETE.FR>");
  REQUIRE(r.is_ok());
  CHECK(r->recipient.local == "Support");
  CHECK(r->recipient.domain == "MA-SOCIETE.FR");
}

TEST_CASE("relay trick: UTF-8 addresses need SMTPUTF8, and are kept byte for byte") {
  // Without SMTPUTF8 on MAIL: 553 5.6.7, as Postfix.
  auto m = mail("MAIL FROM:<ren\xC3\xA9@ma-soci\xC3\xA9t\xC3\xA9.fr>");
  CHECK(code_of(m) == "553 5.6.7");
  CHECK(m.reply().text == "Must declare SMTPUTF8 to send unicode address");
  auto ok = mail("MAIL FROM:<ren\xC3\xA9@ma-soci\xC3\xA9t\xC3\xA9.fr> SMTPUTF8");
  REQUIRE(ok.is_ok());
  CHECK(ok->sender.has_utf8);
  CHECK(ok->sender.local == "ren\xC3\xA9");

  CHECK(code_of(rcpt("RCPT TO:<support@ma-soci\xC3\xA9t\xC3\xA9.fr>")) == "553 5.6.7");
  auto u = rcpt("RCPT TO:<support@ma-soci\xC3\xA9t\xC3\xA9.fr>", Smtputf8::kDeclared);
  REQUIRE(u.is_ok());
  CHECK(u->recipient.domain == "ma-soci\xC3\xA9t\xC3\xA9.fr");
  CHECK(!rcpt("RCPT TO:<support@ma-societe.fr>", Smtputf8::kDeclared)->recipient.has_utf8);

  // A FULLWIDTH COMMERCIAL AT (U+FF20) is a letter of the local part, not a separator.
  auto fw = rcpt("RCPT TO:<victim\xEF\xBC\xA0remote.example@ma-societe.fr>", Smtputf8::kDeclared);
  REQUIRE(fw.is_ok());
  CHECK(fw->recipient.local == "victim\xEF\xBC\xA0remote.example");
  CHECK(fw->recipient.domain == "ma-societe.fr");

  // UTF-8 inside quotes needs SMTPUTF8 too; a quoted-pair never escapes UTF-8.
  CHECK(code_of(rcpt("RCPT TO:<\"r\xC3\xA9 n\"@ma-societe.fr>")) == "553 5.6.7");
  CHECK(code_of(rcpt("RCPT TO:<\"r\xC3\xA9 n\"@ma-societe.fr>", Smtputf8::kDeclared)) == "ok");
  CHECK(code_of(rcpt("RCPT TO:<\"r\\\xC3\xA9\"@ma-societe.fr>", Smtputf8::kDeclared)) ==
        "501 5.1.3");

  // An overlong encoding of '@' (0xC0 0x80 family) is not UTF-8: refused at the line.
  CHECK(code_of(parse_command_line("RCPT TO:<victim\xC1\x80remote.example@ma-societe.fr>")) ==
        "500 5.5.2");
}

// ---------------------------------------------------------------------------------------
// Lengths (RFC 5321 §4.5.3.1)

TEST_CASE("a local part over 64 octets is accepted within the path's 256") {
  // SRS and VERP addresses exceed 64 octets; RFC 5321 §4.5.3.1 asks not to impose limits.
  std::string srs = "SRS0=HHH=TT=" + std::string(40, 'e') + ".example=" + std::string(30, 'j');
  REQUIRE(srs.size() > 64);
  auto r = rcpt("RCPT TO:<" + srs + "@ma-societe.fr>");
  REQUIRE(code_of(r) == "ok");
  CHECK(r.value().recipient.local == srs);
  CHECK(code_of(mail("MAIL FROM:<" + srs + "@ma-societe.fr>")) == "ok");
  // The path's limit still holds: 256 octets with the brackets.
  std::string local(256 - 2 - 5, 'a');  // <local@b.fr>
  CHECK(code_of(rcpt("RCPT TO:<" + local + "@b.fr>")) == "ok");
  auto too_long = rcpt("RCPT TO:<" + local + "a@b.fr>");
  CHECK(code_of(too_long) == "501 5.1.3");
  CHECK(too_long.reply().text == "Recipient address too long: the path exceeds 256 octets");
}

TEST_CASE("a path may have 256 octets with its brackets, and labels 63") {
  std::string label(63, 'd');
  // "<" 64 "@" 189 ">" = 256 octets, the domain being 63 + 1 + 63 + 1 + 61.
  std::string domain = label + "." + label + "." + std::string(60, 'd') + "x";
  std::string path = "<" + std::string(64, 'a') + "@" + domain + ">";
  REQUIRE(path.size() == 256);
  CHECK(code_of(rcpt("RCPT TO:" + path)) == "ok");
  std::string longer = "<" + std::string(64, 'a') + "@" + label + "." + domain + ">";
  auto r = rcpt("RCPT TO:" + longer);
  CHECK(code_of(r) == "501 5.1.3");
  CHECK(r.reply().text == "Recipient address too long: the path exceeds 256 octets");
  CHECK(code_of(rcpt("RCPT TO:<a@" + std::string(64, 'd') + ".fr>")) == "501 5.1.3");
}

// ---------------------------------------------------------------------------------------
// BDAT, AUTH, HELO

TEST_CASE("BDAT takes a size and an optional LAST") {
  auto b = parse_bdat("1000");
  REQUIRE(b.is_ok());
  CHECK(b->size == 1000u);
  CHECK(!b->last);
  auto last = parse_bdat("0  last");
  REQUIRE(last.is_ok());
  CHECK(last->size == 0u);
  CHECK(last->last);
  CHECK(parse_bdat("18446744073709551615 LAST")->size == 18446744073709551615u);
  for (auto arg :
       {"", "x", "10 FIRST", "10 LAST more", "-1", "1e3", "+5", "18446744073709551616"}) {
    auto r = parse_bdat(arg);
    CHECK_MESSAGE(code_of(r) == "501 5.5.4", arg);
  }
  CHECK(parse_bdat("10 FIRST").reply().text == "Syntax: BDAT count [LAST]");
}

TEST_CASE("AUTH upper-cases the mechanism and keeps the initial response") {
  auto a = parse_auth("plain");
  REQUIRE(a.is_ok());
  CHECK(a->mechanism == "PLAIN");
  CHECK(!a->initial_response);
  auto empty = parse_auth("PLAIN =");
  REQUIRE(empty.is_ok());
  REQUIRE(empty->initial_response);
  CHECK(empty->initial_response->empty());
  auto ir = parse_auth("PLAIN AGVtbWEAc2VjcmV0");
  REQUIRE(ir.is_ok());
  CHECK(ir->initial_response == "AGVtbWEAc2VjcmV0");
  CHECK(parse_auth("scram-sha-256")->mechanism == "SCRAM-SHA-256");
  CHECK(parse_auth("X_OAUTH2")->mechanism == "X_OAUTH2");
  for (auto arg : {"", "PL@IN", "PLAIN a b", "PLAIN\tx"}) {
    CHECK_MESSAGE(code_of(parse_auth(arg)) == "501 5.5.4", arg);
  }
  CHECK(code_of(parse_auth(std::string(21, 'A'))) == "501 5.5.4");
  CHECK(code_of(parse_auth(std::string(20, 'A'))) == "ok");
}

TEST_CASE("HELO and EHLO accept any name and say whether it is valid") {
  auto h = parse_helo(Verb::kEhlo, "mail.ma-societe.fr");
  REQUIRE(h.is_ok());
  CHECK(h->name == "mail.ma-societe.fr");
  CHECK(h->valid);
  CHECK(parse_helo(Verb::kEhlo, "[192.0.2.1]")->valid);
  CHECK(parse_helo(Verb::kEhlo, "[IPv6:2001:db8::1]")->valid);
  CHECK(parse_helo(Verb::kHelo, "localhost")->valid);
  for (auto name : {"my laptop", "under_score.example", "mail.example.org.", "192.0.2.1",
                    "[192.0.2.999]", "-x.fr", "caf\xC3\xA9.fr"}) {
    auto r = parse_helo(Verb::kHelo, name);
    REQUIRE_MESSAGE(r.is_ok(), name);
    CHECK_MESSAGE(!r->valid, name);
    CHECK(r->name == name);
  }
  auto empty = parse_helo(Verb::kHelo, "  ");
  CHECK(code_of(empty) == "501 5.5.4");
  CHECK(empty.reply().text == "Syntax: HELO hostname");
}
