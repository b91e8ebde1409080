// Scripted dialogues with the SMTP client state machine (smtp/client_session.h): what the
// server says, what the client sends, and the events the glue gets. Also the pieces it is
// made of: the reply parser, the EHLO capabilities, the dot-stuffer and the MAIL/RCPT lines.
#include "smtp/client_session.h"
#include "smtp/command.h"
#include "smtp/data_reader.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace mf::smtp;

namespace {

// A message given to the session in fixed chunks, as a body file read piece by piece.
struct ChunkedBody : BodySource {
  std::vector<std::string> chunks;
  size_t next = 0;
  size_t offset = 0;
  bool fail = false;

  explicit ChunkedBody(std::vector<std::string> c = {"Subject: hi\r\n\r\nHello\r\n"})
      : chunks(std::move(c)) {}
  mf::Result<size_t> read(std::string& out, size_t max) override {
    if (fail) return mf::io_error("disk on fire");
    while (next < chunks.size() && offset == chunks[next].size()) {
      ++next;
      offset = 0;
    }
    if (next == chunks.size()) return size_t{0};
    size_t n = std::min(max, chunks[next].size() - offset);
    out.append(chunks[next], offset, n);
    offset += n;
    return n;
  }
};

ClientConfig config(TlsPolicy tls = TlsPolicy::kNever) {
  ClientConfig c;
  c.helo_name = "out.ma-societe.fr";
  c.tls = tls;
  return c;
}

ClientEnvelope envelope(std::vector<std::string> recipients) {
  ClientEnvelope e;
  e.mail_from = "jean@ma-societe.fr";
  for (auto& r : recipients) e.recipients.push_back(ClientRecipient{r, std::nullopt, std::nullopt});
  return e;
}

// The glue's side of the conversation, with the server's bytes given by the test.
struct Client {
  ClientSession session;
  std::string pending;              // server bytes not consumed yet
  std::vector<std::string> events;  // describe() of every event so far
  size_t body_budget = 5;           // write_body's step, small to cut the body anywhere

  explicit Client(ClientConfig c = config())
      : session(std::move(ClientSession::create(c).value())) {}

  // The server sends `bytes`; returns what the client sent in answer. Feeding stops where
  // the session gives the turn to the glue (Ready); the body is written when wanted.
  std::string server(std::string_view bytes) {
    pending += bytes;
    std::string sent;
    for (;;) {
      size_t n = session.feed(pending);
      pending.erase(0, n);
      while (session.wants_body()) session.write_body(body_budget);
      sent += take_sent();
      collect();
      if (n == 0 || pending.empty() || session.phase() == ClientPhase::kIdle) break;
    }
    return sent;
  }
  // The same, one byte at a time.
  std::string server_bytewise(std::string_view bytes) {
    std::string sent;
    for (char c : bytes) sent += server(std::string_view(&c, 1));
    return sent;
  }
  std::string take_sent() {
    std::string out = std::move(session.output());
    session.output().clear();
    return out;
  }
  void collect() {
    for (const ClientEvent& e : session.take_events()) events.push_back(describe(e));
  }
  std::vector<std::string> take_events() {
    collect();
    return std::exchange(events, {});
  }
  // Starts a transaction and returns what it sent.
  std::string start(const ClientEnvelope& e, BodySource& body) {
    mf::Status st = session.start_transaction(e, body);
    REQUIRE(st.is_ok());
    std::string sent = take_sent();
    collect();
    return sent;
  }
};

constexpr std::string_view kGreeting = "220 mx.example.net ESMTP Postfix\r\n";
constexpr std::string_view kEhloPlain =
    "250-mx.example.net\r\n250-SIZE 10240000\r\n250 8BITMIME\r\n";
constexpr std::string_view kEhloFull =
    "250-mx.example.net\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-ETRN\r\n"
    "250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n";

// A client greeted and past EHLO with `ehlo`, idle.
Client ready_client(std::string_view ehlo, ClientConfig c = config()) {
  Client client(c);
  CHECK(client.server(kGreeting) == "EHLO out.ma-societe.fr\r\n");
  CHECK(client.server(ehlo) == "");
  CHECK(client.take_events() == std::vector<std::string>{"ready"});
  CHECK(client.session.phase() == ClientPhase::kIdle);
  return client;
}

using Events = std::vector<std::string>;

}  // namespace

// ---- the pieces ----

TEST_CASE("the reply parser assembles a multi-line reply and condenses its text") {
  ReplyParser p;
  std::string_view in = "250-mx.example.net\r\n250-PIPELINING\r\n250 SIZE 1000\r\n354 next";
  size_t n = p.feed(in);
  CHECK(n == in.find("354"));
  REQUIRE(p.has_reply());
  ServerReply r = p.take();
  CHECK(r.code == 250);
  CHECK(r.lines == std::vector<std::string>{"mx.example.net", "PIPELINING", "SIZE 1000"});
  CHECK(p.feed(in.substr(n)) == 8);
  CHECK_FALSE(p.has_reply());
  CHECK(p.in_reply());

  ServerReply refusal{550,
                      {"5.1.1 <x@example.net>: Recipient address rejected:", "5.1.1 User unknown"}};
  Reply c = refusal.condensed();
  CHECK(c.code == 550);
  CHECK(c.enhanced == "5.1.1");
  CHECK(c.text == "<x@example.net>: Recipient address rejected: User unknown");
  // An enhanced code of another class than the reply's is text, not a code.
  CHECK(ServerReply{250, {"5.1.1 odd"}}.condensed().enhanced == "");
  CHECK(ServerReply{250, {""}}.condensed().text == "");
  CHECK(enhanced_code_prefix("2.0.0 Ok", 250) == "2.0.0");
  CHECK(enhanced_code_prefix("2.0.0", 250) == "2.0.0");
  CHECK(enhanced_code_prefix("2.0.0Ok", 250) == "");
  CHECK(enhanced_code_prefix("2.1000.0 x", 250) == "");
  CHECK(enhanced_code_prefix("4.7.0 x", 250) == "");
  CHECK(reply_enhanced_code("550 5.1.1 User unknown") == "5.1.1");
  CHECK(reply_enhanced_code("451 4.4.1") == "4.4.1");
  CHECK(reply_enhanced_code("550 4.1.1 wrong class") == "");
  CHECK(reply_enhanced_code("550 User unknown") == "");
  CHECK(reply_enhanced_code("55x 5.1.1 x") == "");
  CHECK(reply_enhanced_code("550-5.1.1 x") == "");
}

TEST_CASE("the reply parser refuses what is not a reply") {
  auto error_of = [](std::string_view in, ReplyParserLimits limits = {}) {
    ReplyParser p(limits);
    while (!in.empty() && !p.failed()) {
      size_t n = p.feed(in);
      in.remove_prefix(n);
      if (p.has_reply()) p.take();
    }
    return p.error();
  };
  CHECK(error_of("250 ok\n") == "line end without CR in a reply");
  CHECK(error_of("250 ok\rx\r\n") == "CR without LF in a reply");
  CHECK(error_of(std::string_view("250 o\0k\r\n", 9)) == "NUL byte in a reply");
  CHECK(error_of("HTTP/1.1 400 Bad Request\r\n") == "reply line without a reply code");
  CHECK(error_of("25\r\n") == "reply line without a reply code");
  CHECK(error_of("650 no\r\n") == "reply line without a reply code");
  CHECK(error_of("250xok\r\n") == "reply code not followed by a space or a dash");
  CHECK(error_of("250-a\r\n251 b\r\n") == "reply code changes inside a multi-line reply");
  CHECK(error_of(std::string(600, '2') + "\r\n", {512, 10}) == "reply line too long");
  CHECK(error_of("250-a\r\n250-b\r\n250 c\r\n", {512, 2}) == "too many lines in a reply");
  CHECK(error_of("250-a\r\n250-b\r\n250 c\r\n", {512, 3}) == "");
  CHECK(error_of("250\r\n") == "");  // a reply code alone is a reply
}

TEST_CASE("EHLO capabilities are read case-insensitively, AUTH= included") {
  Capabilities c = parse_ehlo_lines({"mx.example.net greets you", "pipelining", "SIZE 0",
                                     "AUTH=LOGIN", "AUTH PLAIN login CRAM-MD5", "STARTTLS",
                                     "X-UNKNOWN 1", "", "ENHANCEDSTATUSCODES", "DSN", "CHUNKING"});
  CHECK(c.esmtp);
  CHECK(c.pipelining);
  CHECK(c.size);
  CHECK(c.size_limit == 0);
  CHECK(c.starttls);
  CHECK(c.enhanced_status_codes);
  CHECK(c.dsn);
  CHECK(c.chunking);
  CHECK_FALSE(c.eightbitmime);
  CHECK_FALSE(c.smtputf8);
  CHECK(c.auth_mechanisms == std::vector<std::string>{"LOGIN", "PLAIN", "CRAM-MD5"});
  CHECK(parse_ehlo_lines({"x", "SIZE 99999999999999999999999"}).size_limit == 0);
  CHECK(parse_ehlo_lines({"x", "SIZE 1000"}).size_limit == 1000);
  // The first line is the server's name, never a keyword.
  CHECK_FALSE(parse_ehlo_lines({"PIPELINING"}).pipelining);
}

TEST_CASE("the dot-stuffer gives the same bytes wherever the message is split") {
  const std::string message =
      ".start\r\nline\r\n.\r\n..two\r\nbare\nlf\n.after-lf\r.after-cr\r\nend";
  const std::string expected =
      "..start\r\nline\r\n..\r\n...two\r\nbare\r\nlf\r\n..after-lf\r..after-cr\r\nend\r\n.\r\n";
  for (size_t cut = 0; cut <= message.size(); ++cut) {
    for (size_t cut2 = cut; cut2 <= message.size(); cut2 += 3) {
      DotStuffer s;
      std::string out;
      s.write(std::string_view(message).substr(0, cut), out);
      s.write(std::string_view(message).substr(cut, cut2 - cut), out);
      s.write(std::string_view(message).substr(cut2), out);
      s.finish(out);
      REQUIRE(out == expected);
    }
  }
  auto stuffed = [](std::string_view m) {
    DotStuffer s;
    std::string out;
    s.write(m, out);
    s.finish(out);
    return out;
  };
  CHECK(stuffed("") == ".\r\n");
  CHECK(stuffed("Hi") == "Hi\r\n.\r\n");
  CHECK(stuffed("Hi\r") == "Hi\r\n.\r\n");
  CHECK(stuffed("Hi\r\n") == "Hi\r\n.\r\n");
  CHECK(stuffed(".") == "..\r\n.\r\n");
  // The smuggling look-alikes never leave a bare "." line behind.
  CHECK(stuffed("a\n.\nb") == "a\r\n..\r\nb\r\n.\r\n");
  CHECK(stuffed("a\r\n.\rb") == "a\r\n..\rb\r\n.\r\n");
}

TEST_CASE("stuffed data read back by the server's DATA reader is the message") {
  const std::string message = "Subject: x\r\n\r\n.\r\n..\r\n.x\r\nlast";
  DotStuffer s;
  std::string wire;
  s.write(message, wire);
  s.finish(wire);
  DataReader reader;
  std::string out;
  CHECK(reader.feed(wire, out) == wire.size());
  CHECK(reader.done());
  CHECK(out == message + "\r\n");
}

TEST_CASE("MAIL and RCPT lines carry only the parameters the peer offers") {
  ClientEnvelope e = envelope({"emma@example.net"});
  e.size = 1234;
  e.body = Body::k8BitMime;
  e.ret = Ret::kHeaders;
  e.envid = "Q1+id=2";
  e.recipients[0].notify = Notify{true, true, false};
  e.recipients[0].orcpt = Orcpt{"rfc822", "old+box=1@example.org"};
  REQUIRE(check_envelope(e).is_ok());

  Capabilities none;
  CHECK(format_mail(e, none) == "MAIL FROM:<jean@ma-societe.fr>\r\n");
  CHECK(format_rcpt(e.recipients[0], none) == "RCPT TO:<emma@example.net>\r\n");

  Capabilities all = parse_ehlo_lines({"x", "SIZE 0", "8BITMIME", "DSN", "SMTPUTF8"});
  std::string mail = format_mail(e, all);
  std::string rcpt = format_rcpt(e.recipients[0], all);
  CHECK(mail ==
        "MAIL FROM:<jean@ma-societe.fr> SIZE=1234 BODY=8BITMIME RET=HDRS ENVID=Q1+2Bid+3D2\r\n");
  CHECK(rcpt ==
        "RCPT TO:<emma@example.net> NOTIFY=SUCCESS,FAILURE "
        "ORCPT=rfc822;old+2Bbox+3D1@example.org\r\n");

  // The server's own parsers read back what the client wrote.
  Extensions ext;
  ext.size = ext.eightbitmime = ext.dsn = ext.smtputf8 = true;
  auto m = parse_mail(std::string_view(mail).substr(5, mail.size() - 7), ext);
  REQUIRE(m.is_ok());
  CHECK(*m->params.size == 1234);
  CHECK(m->params.body == Body::k8BitMime);
  CHECK(m->params.ret == Ret::kHeaders);
  CHECK(*m->params.envid == "Q1+id=2");
  auto r =
      parse_rcpt(std::string_view(rcpt).substr(5, rcpt.size() - 7), ext, Smtputf8::kNotDeclared);
  REQUIRE(r.is_ok());
  CHECK(r->params.notify->success);
  CHECK(r->params.notify->failure);
  CHECK_FALSE(r->params.notify->delay);
  CHECK(r->params.orcpt->address == "old+box=1@example.org");

  // NOTIFY=NEVER, and a UTF-8 original recipient in RFC 6533's ASCII form.
  ClientRecipient u{"emma@example.net", Notify{},
                    Orcpt{"utf-8", "j\xC3\xA9r\xC3\xB4me@example.org"}};
  std::string line = format_rcpt(u, all);
  CHECK(line ==
        "RCPT TO:<emma@example.net> NOTIFY=NEVER ORCPT=utf-8;j\\x{E9}r\\x{F4}me@example.org\r\n");
  auto ru =
      parse_rcpt(std::string_view(line).substr(5, line.size() - 7), ext, Smtputf8::kNotDeclared);
  REQUIRE(ru.is_ok());
  CHECK(ru->params.orcpt->address == "j\xC3\xA9r\xC3\xB4me@example.org");
  CHECK(ru->params.notify->never());
}

TEST_CASE("an envelope that could inject a command or breaks the rules is refused") {
  ClientEnvelope e = envelope({"a@example.net>\r\nRCPT TO:<b@example.net"});
  CHECK(check_envelope(e).code() == mf::Code::kInvalidArgument);
  e = envelope({"a@example.net"});
  e.mail_from = "x@y.example>\r\nDATA";
  CHECK(check_envelope(e).code() == mf::Code::kInvalidArgument);
  e = envelope({});
  CHECK(check_envelope(e).code() == mf::Code::kInvalidArgument);
  e = envelope({"j\xC3\xA9r\xC3\xB4me@example.net"});
  CHECK(check_envelope(e).code() == mf::Code::kInvalidArgument);  // UTF-8 without SMTPUTF8
  e.smtputf8 = true;
  CHECK(check_envelope(e).is_ok());
  e = envelope({"a@example.net"});
  e.envid = std::string(101, 'x');
  CHECK(check_envelope(e).code() == mf::Code::kInvalidArgument);
  e = envelope({"a@example.net"});
  e.body = Body::kBinaryMime;
  CHECK(check_envelope(e).code() == mf::Code::kInvalidArgument);
  e = envelope({"Postmaster"});
  e.mail_from = "";
  CHECK(check_envelope(e).is_ok());

  ClientConfig c = config();
  c.helo_name = "bad name\r\nMAIL";
  CHECK(ClientSession::create(c).status().code() == mf::Code::kInvalidArgument);
  c.helo_name = "[192.0.2.1]";
  CHECK(ClientSession::create(c).is_ok());
}

// ---- dialogues ----

TEST_CASE("one recipient without PIPELINING: one command at a time, then QUIT") {
  Client c = ready_client(kEhloPlain);
  ChunkedBody body;
  CHECK(c.session.capabilities().size_limit == 10240000);
  CHECK(c.start(envelope({"emma@example.net"}), body) == "MAIL FROM:<jean@ma-societe.fr>\r\n");
  CHECK(c.session.phase() == ClientPhase::kMail);
  CHECK(c.server("250 2.1.0 Ok\r\n") == "RCPT TO:<emma@example.net>\r\n");
  CHECK(c.session.phase() == ClientPhase::kRcpt);
  CHECK(c.server("250 2.1.5 Ok\r\n") == "DATA\r\n");
  CHECK(c.session.phase() == ClientPhase::kDataInit);
  CHECK(c.server("354 End data with <CR><LF>.<CR><LF>\r\n") == "Subject: hi\r\n\r\nHello\r\n.\r\n");
  CHECK(c.session.phase() == ClientPhase::kDataDone);
  CHECK(c.server("250 2.0.0 Ok: queued as 4Dh2\r\n") == "");
  CHECK(c.take_events() ==
        Events{"done; emma@example.net delivered 250 2.0.0 Ok: queued as 4Dh2 (data-end, remote)",
               "ready"});
  c.session.quit();
  CHECK(c.take_sent() == "QUIT\r\n");
  CHECK(c.session.phase() == ClientPhase::kQuit);
  CHECK(c.server("221 2.0.0 Bye\r\n") == "");
  CHECK(c.take_events() == Events{"closed"});
  CHECK(c.session.phase() == ClientPhase::kClosed);
}

TEST_CASE("with PIPELINING, MAIL, every RCPT and DATA go in one group and replies match in order") {
  Client c = ready_client(kEhloFull);
  ChunkedBody body;
  ClientEnvelope e = envelope({"a@example.net", "b@example.net", "c@example.net", "d@example.net"});
  e.size = 400;
  CHECK(
      c.start(e, body) ==
      "MAIL FROM:<jean@ma-societe.fr> SIZE=400\r\nRCPT TO:<a@example.net>\r\n"
      "RCPT TO:<b@example.net>\r\nRCPT TO:<c@example.net>\r\nRCPT TO:<d@example.net>\r\nDATA\r\n");
  CHECK(c.server("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550-5.1.1 <b@example.net>: Recipient address\r\n"
                 "550 5.1.1 rejected: User unknown\r\n450 4.2.0 <c@example.net>: Greylisted\r\n"
                 "250 2.1.5 Ok\r\n354 End data\r\n") == "Subject: hi\r\n\r\nHello\r\n.\r\n");
  CHECK(c.server("250 2.0.0 Ok: queued as 77\r\n") == "");
  CHECK(c.take_events() ==
        Events{"done; a@example.net delivered 250 2.0.0 Ok: queued as 77 (data-end, remote)"
               "; b@example.net bounced 550 5.1.1 <b@example.net>: Recipient address rejected: "
               "User unknown (rcpt, remote)"
               "; c@example.net deferred 450 4.2.0 <c@example.net>: Greylisted (rcpt, remote)"
               "; d@example.net delivered 250 2.0.0 Ok: queued as 77 (data-end, remote)",
               "ready"});
}

TEST_CASE("multi-line replies split byte by byte give the same conversation") {
  auto run = [](bool bytewise) {
    Client c;
    auto say = [&](std::string_view s) { return bytewise ? c.server_bytewise(s) : c.server(s); };
    std::string sent = say(kGreeting);
    sent += say(kEhloFull);
    ChunkedBody body({"Sub", "ject: x\r\n\r", "\n.", "dot\r\n"});
    sent += c.start(envelope({"a@example.net", "b@example.net"}), body);
    sent +=
        say("250-2.1.0 Sender\r\n250 2.1.0 ok\r\n550-5.1.1 no\r\n550 5.1.1 such user\r\n"
            "250 2.1.5 Ok\r\n354 go\r\n");
    sent += say("250-2.0.0 Ok\r\n250 2.0.0 queued\r\n");
    return std::make_pair(sent, c.take_events());
  };
  auto whole = run(false);
  auto bytes = run(true);
  CHECK(bytes.first == whole.first);
  CHECK(bytes.second == whole.second);
  CHECK(whole.first.find("Subject: x\r\n\r\n..dot\r\n.\r\n") != std::string::npos);
  CHECK(whole.second.back() == "ready");
  CHECK(whole.second.size() == 3);
  CHECK(whole.second[1] ==
        "done; a@example.net bounced 550 5.1.1 no such user (rcpt, remote)"
        "; b@example.net delivered 250 2.0.0 Ok queued (data-end, remote)");
}

TEST_CASE("no recipient accepted: RSET instead of DATA, then ready") {
  Client c = ready_client(kEhloPlain);
  ChunkedBody body;
  c.start(envelope({"a@example.net", "b@example.net"}), body);
  CHECK(c.server("250 2.1.0 Ok\r\n") == "RCPT TO:<a@example.net>\r\n");
  CHECK(c.server("550 5.1.1 User unknown\r\n") == "RCPT TO:<b@example.net>\r\n");
  CHECK(c.server("451 4.3.0 Try later\r\n") == "RSET\r\n");
  CHECK(c.take_events() ==
        Events{"done; a@example.net bounced 550 5.1.1 User unknown (rcpt, remote)"
               "; b@example.net deferred 451 4.3.0 Try later (rcpt, remote)"});
  CHECK(c.session.phase() == ClientPhase::kRset);
  CHECK(c.server("250 2.0.0 Ok\r\n") == "");
  CHECK(c.take_events() == Events{"ready"});
}

TEST_CASE("pipelined with no recipient accepted: DATA's refusal, then RSET") {
  Client c = ready_client(kEhloFull);
  ChunkedBody body;
  c.start(envelope({"a@example.net"}), body);
  CHECK(c.server(
            "250 2.1.0 Ok\r\n550 5.1.1 User unknown\r\n554 5.5.1 Error: no valid recipients\r\n") ==
        "RSET\r\n");
  CHECK(c.server("250 2.0.0 Ok\r\n") == "");
  CHECK(c.take_events() ==
        Events{"done; a@example.net bounced 550 5.1.1 User unknown (rcpt, remote)", "ready"});
}

TEST_CASE("pipelined, a 354 with no recipient accepted is ended with an empty message") {
  Client c = ready_client(kEhloFull);
  ChunkedBody body;
  c.start(envelope({"a@example.net"}), body);
  CHECK(c.server("250 2.1.0 Ok\r\n450 4.1.1 Later\r\n354 go ahead\r\n") == ".\r\n");
  CHECK(c.server("554 5.5.1 no valid recipients\r\n") == "RSET\r\n");
  CHECK(c.server("250 Ok\r\n") == "");
  CHECK(c.take_events() ==
        Events{"done; a@example.net deferred 450 4.1.1 Later (rcpt, remote)", "ready"});
}

TEST_CASE("a refused MAIL gives every recipient its reply, pipelined or not") {
  Client p = ready_client(kEhloFull);
  ChunkedBody body;
  p.start(envelope({"a@example.net", "b@example.net"}), body);
  CHECK(p.server("553 5.7.1 Sender rejected\r\n503 5.5.1 need MAIL\r\n503 5.5.1 need MAIL\r\n"
                 "503 5.5.1 need MAIL\r\n") == "RSET\r\n");
  CHECK(p.take_events() ==
        Events{"done; a@example.net bounced 553 5.7.1 Sender rejected (mail, remote)"
               "; b@example.net bounced 553 5.7.1 Sender rejected (mail, remote)"});
  Client s = ready_client(kEhloPlain);
  s.start(envelope({"a@example.net"}), body);
  CHECK(s.server("452 4.3.1 Insufficient system storage\r\n") == "RSET\r\n");
  CHECK(
      s.take_events() ==
      Events{"done; a@example.net deferred 452 4.3.1 Insufficient system storage (mail, remote)"});
}

TEST_CASE("a refused DATA or end of data applies to the accepted recipients only") {
  Client c = ready_client(kEhloFull);
  ChunkedBody body;
  c.start(envelope({"a@example.net", "b@example.net"}), body);
  CHECK(c.server("250 Ok\r\n250 Ok\r\n550 5.1.1 Unknown\r\n451 4.3.0 Queue full\r\n") ==
        "RSET\r\n");
  CHECK(c.take_events() == Events{"done; a@example.net deferred 451 4.3.0 Queue full (data, remote)"
                                  "; b@example.net bounced 550 5.1.1 Unknown (rcpt, remote)"});
  c.server("250 Ok\r\n");
  c.take_events();
  ChunkedBody body2;
  c.start(envelope({"a@example.net"}), body2);
  c.server("250 Ok\r\n250 Ok\r\n354 go\r\n");
  CHECK(c.server("554 5.7.1 Spam\r\n") == "");  // the transaction is over: no RSET
  CHECK(c.take_events() ==
        Events{"done; a@example.net bounced 554 5.7.1 Spam (data-end, remote)", "ready"});
}

TEST_CASE("two transactions on one connection without RSET between them") {
  Client c = ready_client(kEhloFull);
  for (int i = 0; i < 2; ++i) {
    ChunkedBody body({"x"});
    CHECK(c.start(envelope({"a@example.net"}), body) ==
          "MAIL FROM:<jean@ma-societe.fr>\r\nRCPT TO:<a@example.net>\r\nDATA\r\n");
    CHECK(c.server("250 Ok\r\n250 Ok\r\n354 go\r\n") == "x\r\n.\r\n");
    c.server("250 2.0.0 queued\r\n");
    CHECK(c.take_events() ==
          Events{"done; a@example.net delivered 250 2.0.0 queued (data-end, remote)", "ready"});
  }
  ChunkedBody body;
  CHECK(c.session.start_transaction(envelope({"a@example.net"}), body).is_ok());
  CHECK(c.session.start_transaction(envelope({"a@example.net"}), body).code() ==
        mf::Code::kFailedPrecondition);
}

TEST_CASE("EHLO refused as unknown falls back to HELO, and no parameter is sent") {
  Client c;
  c.server(kGreeting);
  CHECK(c.server("502 5.5.2 Error: command not recognized\r\n") == "HELO out.ma-societe.fr\r\n");
  CHECK(c.session.phase() == ClientPhase::kEhlo);
  CHECK(c.server("250 mx.example.net\r\n") == "");
  CHECK(c.take_events() == Events{"ready"});
  CHECK_FALSE(c.session.capabilities().esmtp);
  ClientEnvelope e = envelope({"a@example.net"});
  e.size = 10;
  e.envid = "id";
  e.recipients[0].notify = Notify{false, true, false};
  ChunkedBody body;
  CHECK(c.start(e, body) == "MAIL FROM:<jean@ma-societe.fr>\r\n");
  CHECK(c.server("250 Ok\r\n") == "RCPT TO:<a@example.net>\r\n");
}

TEST_CASE("a greeting of 554 fails the connection permanently, then QUIT") {
  Client c;
  CHECK(c.server("554 5.7.1 No SMTP service here\r\n") == "QUIT\r\n");
  CHECK(c.take_events() ==
        Events{"failed greeting permanent 554 5.7.1 No SMTP service here (remote)"});
  c.server("221 Bye\r\n");
  CHECK(c.take_events() == Events{"closed"});
  Client t;
  CHECK(t.server("450 busy\r\n") == "QUIT\r\n");
  CHECK(t.take_events() == Events{"failed greeting temporary 450 busy (remote)"});
}

TEST_CASE("STARTTLS: bytes after its 220 are discarded and the capabilities read again") {
  Client c(config(TlsPolicy::kOpportunistic));
  c.server(kGreeting);
  CHECK(c.server("250-mx.example.net\r\n250-PIPELINING\r\n250-AUTH PLAIN\r\n250 STARTTLS\r\n") ==
        "STARTTLS\r\n");
  CHECK(c.session.phase() == ClientPhase::kStartTls);
  // A man in the middle appends a reply, hoping it is read as the answer to what follows.
  const std::string injected = "250-mx.evil\r\n250 SIZE 1\r\n";
  CHECK(c.server("220 2.0.0 Ready to start TLS\r\n" + injected) == "");
  CHECK(c.pending.empty());
  CHECK(c.take_events() == Events{"starttls discarded=" + std::to_string(injected.size())});
  CHECK(c.session.phase() == ClientPhase::kTlsHandshake);
  CHECK(c.server("250 more\r\n") == "");  // anything before tls_started() goes too
  CHECK(c.take_events().empty());
  c.session.tls_started();
  CHECK(c.session.tls_active());
  CHECK_FALSE(c.session.capabilities().pipelining);  // forgotten until the new EHLO
  CHECK(c.take_sent() == "EHLO out.ma-societe.fr\r\n");
  CHECK(c.server("250-mx.example.net\r\n250 SIZE 2000\r\n") == "");
  CHECK(c.take_events() == Events{"ready"});
  CHECK(c.session.capabilities().size_limit == 2000);
  CHECK_FALSE(c.session.capabilities().pipelining);
  CHECK_FALSE(c.session.capabilities().starttls);
}

TEST_CASE("required TLS that is not offered or refused fails the connection") {
  Client c(config(TlsPolicy::kRequired));
  c.server(kGreeting);
  CHECK(c.server(kEhloFull) == "QUIT\r\n");
  CHECK(c.take_events() ==
        Events{"failed ehlo temporary 451 4.7.4 TLS is required, but was not offered by host"});

  Client r(config(TlsPolicy::kRequired));
  r.server(kGreeting);
  r.server("250-mx\r\n250 STARTTLS\r\n");
  CHECK(r.server("454 4.7.0 TLS not available due to local problem\r\n") == "QUIT\r\n");
  CHECK(r.take_events() ==
        Events{
            "failed starttls temporary 454 4.7.0 TLS not available due to local problem (remote)"});

  // Opportunistic TLS goes on without it.
  Client o(config(TlsPolicy::kOpportunistic));
  o.server(kGreeting);
  o.server("250-mx\r\n250 STARTTLS\r\n");
  CHECK(o.server("454 4.7.0 TLS not available\r\n") == "");
  CHECK(o.take_events() == Events{"ready"});
  CHECK_FALSE(o.session.tls_active());
}

TEST_CASE("a message needing SMTPUTF8 is bounced with 5.6.7 when the peer lacks it") {
  Client c = ready_client(kEhloPlain);
  ClientEnvelope e = envelope({"j\xC3\xA9r\xC3\xB4me@example.net"});
  e.smtputf8 = true;
  ChunkedBody body;
  CHECK(c.start(e, body) == "");
  CHECK(
      c.take_events() ==
      Events{
          "done; j\xC3\xA9r\xC3\xB4me@example.net bounced 553 5.6.7 SMTPUTF8 is required, but was "
          "not offered by host (local)",
          "ready"});
  CHECK(c.session.phase() == ClientPhase::kIdle);
  // Offered, it is declared on MAIL.
  Client u = ready_client(kEhloFull);
  CHECK(u.start(e, body).starts_with("MAIL FROM:<jean@ma-societe.fr> SMTPUTF8\r\n"));
}

TEST_CASE("a message over the peer's SIZE is bounced with 5.3.4 before sending") {
  Client c = ready_client(kEhloPlain);
  ClientEnvelope e = envelope({"a@example.net"});
  e.size = 10240001;
  ChunkedBody body;
  CHECK(c.start(e, body) == "");
  CHECK(c.take_events() ==
        Events{"done; a@example.net bounced 552 5.3.4 message size 10240001 exceeds size limit "
               "10240000 of server (local)",
               "ready"});
  e.size = 10240000;
  CHECK(c.start(e, body) == "MAIL FROM:<jean@ma-societe.fr> SIZE=10240000\r\n");
}

TEST_CASE("an 8-bit message to a peer without 8BITMIME asks for a downgrade") {
  Client c = ready_client("250-mx.example.net\r\n250 PIPELINING\r\n");
  ClientEnvelope e = envelope({"a@example.net"});
  e.body = Body::k8BitMime;
  ChunkedBody body;
  CHECK(c.start(e, body) == "");
  CHECK(c.take_events() == Events{"downgrade-needed"});
  CHECK(c.session.phase() == ClientPhase::kIdle);
  e.body = Body::k7Bit;
  CHECK(c.start(e, body) ==
        "MAIL FROM:<jean@ma-societe.fr>\r\nRCPT TO:<a@example.net>\r\nDATA\r\n");
}

TEST_CASE("DSN parameters are sent only when the peer offers DSN") {
  ClientEnvelope e = envelope({"a@example.net"});
  e.ret = Ret::kFull;
  e.envid = "env 1";
  e.recipients[0].notify = Notify{false, true, true};
  e.recipients[0].orcpt = Orcpt{"rfc822", "a@example.net"};
  ChunkedBody body;
  Client with = ready_client(kEhloFull);
  CHECK(with.start(e, body) ==
        "MAIL FROM:<jean@ma-societe.fr> RET=FULL ENVID=env+201\r\n"
        "RCPT TO:<a@example.net> NOTIFY=FAILURE,DELAY ORCPT=rfc822;a@example.net\r\nDATA\r\n");
  Client without = ready_client("250-mx.example.net\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
  CHECK(without.start(e, body) ==
        "MAIL FROM:<jean@ma-societe.fr>\r\nRCPT TO:<a@example.net>\r\nDATA\r\n");
}

TEST_CASE("the body is dot-stuffed across awkward chunk boundaries and ended") {
  Client c = ready_client(kEhloFull);
  c.body_budget = 1000;
  // A '.' starts a chunk right after a chunk that ended with CR LF, and a CR LF is split.
  ChunkedBody body({"line one\r\n", ".hidden\r", "\n", ".", ".two\r\n", "no final line end"});
  c.start(envelope({"a@example.net"}), body);
  CHECK(c.server("250 Ok\r\n250 Ok\r\n354 go\r\n") ==
        "line one\r\n..hidden\r\n...two\r\nno final line end\r\n.\r\n");
}

TEST_CASE("421 in the middle of a transaction defers every open recipient and closes") {
  Client c = ready_client(kEhloFull);
  ChunkedBody body;
  c.start(envelope({"a@example.net", "b@example.net", "c@example.net"}), body);
  CHECK(c.server("250 Ok\r\n250 Ok\r\n550 5.1.1 Unknown\r\n421 4.3.2 Service shutting down\r\n") ==
        "");
  CHECK(c.take_events() ==
        Events{"done; a@example.net deferred 421 4.3.2 Service shutting down (connection, remote)"
               "; b@example.net bounced 550 5.1.1 Unknown (rcpt, remote)"
               "; c@example.net deferred 421 4.3.2 Service shutting down (connection, remote)",
               "failed rcpt temporary 421 4.3.2 Service shutting down (remote)", "closed"});
  CHECK(c.session.phase() == ClientPhase::kClosed);
  CHECK(c.server("250 late\r\n") == "");  // ignored once closed
}

TEST_CASE("421 while idle, the server closing, a timeout: the phase is named") {
  Client idle = ready_client(kEhloFull);
  CHECK(idle.server("421 4.4.2 mx.example.net Error: timeout exceeded\r\n") == "");
  CHECK(idle.take_events() ==
        Events{"failed idle temporary 421 4.4.2 mx.example.net Error: timeout exceeded (remote)",
               "closed"});

  Client lost = ready_client(kEhloPlain);
  ChunkedBody body;
  lost.start(envelope({"a@example.net"}), body);
  lost.server("250 Ok\r\n250 Ok\r\n");
  CHECK(lost.session.phase() == ClientPhase::kDataInit);
  lost.session.connection_lost();
  CHECK(
      lost.take_events() ==
      Events{"done; a@example.net deferred 451 4.4.2 lost connection with server in phase "
             "data-init (connection)",
             "failed data-init temporary 451 4.4.2 lost connection with server in phase data-init",
             "closed"});

  Client slow;
  slow.session.timed_out();
  CHECK(slow.take_events() == Events{"failed greeting temporary 451 4.4.2 conversation with server "
                                     "timed out in phase greeting",
                                     "closed"});

  // The server closing an idle connection is no failure.
  Client quiet = ready_client(kEhloPlain);
  quiet.session.connection_lost();
  CHECK(quiet.take_events() == Events{"closed"});
}

TEST_CASE("garbage from the server is a protocol error that closes without QUIT") {
  Client c = ready_client(kEhloFull);
  ChunkedBody body;
  c.start(envelope({"a@example.net"}), body);
  CHECK(c.server("250 Ok\n") == "");
  CHECK(c.take_events() ==
        Events{"done; a@example.net deferred 451 4.5.0 protocol error: line end without CR in a "
               "reply (connection)",
               "failed mail temporary 451 4.5.0 protocol error: line end without CR in a reply",
               "closed"});

  Client m;
  m.server(kGreeting);
  m.server("250-mx\r\n251 odd\r\n");
  CHECK(m.take_events() == Events{"failed ehlo temporary 451 4.5.0 protocol error: reply code "
                                  "changes inside a multi-line reply",
                                  "closed"});

  Client w;
  w.server("354 what\r\n");
  CHECK(
      w.take_events() ==
      Events{"failed greeting temporary 451 4.5.0 protocol error: unexpected greeting", "closed"});
}

TEST_CASE("a reply while the body is being written ends the connection") {
  Client c = ready_client(kEhloFull);
  ChunkedBody body;
  CHECK(c.session.start_transaction(envelope({"a@example.net"}), body).is_ok());
  c.take_sent();
  CHECK(c.session.feed("250 Ok\r\n250 Ok\r\n354 go\r\n554 go away\r\n") == 24);
  CHECK(c.session.wants_body());
  CHECK(c.session.phase() == ClientPhase::kDataBlock);
  CHECK(c.session.feed("554 go away\r\n") == 13);
  CHECK(c.take_events() == Events{"done; a@example.net deferred 554 go away (connection, remote)",
                                  "failed data-block temporary 554 go away (remote)", "closed"});
}

TEST_CASE("a body that cannot be read defers the recipients and closes mid-data") {
  Client c = ready_client(kEhloFull);
  ChunkedBody body;
  body.fail = true;
  c.start(envelope({"a@example.net"}), body);
  CHECK(c.server("250 Ok\r\n250 Ok\r\n354 go\r\n") == "");
  CHECK(
      c.take_events() ==
      Events{
          "done; a@example.net deferred 451 4.3.0 error reading the message: disk on fire (local)",
          "closed"});
}

TEST_CASE("AUTH PLAIN after TLS sends the credentials in one line") {
  ClientConfig cfg = config(TlsPolicy::kRequired);
  cfg.credentials = ClientCredentials{"jean", "s3cret"};
  Client c(cfg);
  c.server(kGreeting);
  c.server("250-relay\r\n250-AUTH LOGIN PLAIN\r\n250 STARTTLS\r\n");
  c.server("220 go\r\n");
  c.session.tls_started();
  c.take_sent();
  c.take_events();
  CHECK(c.server("250-relay\r\n250 AUTH LOGIN PLAIN\r\n") == "AUTH PLAIN AGplYW4AczNjcmV0\r\n");
  CHECK(c.session.phase() == ClientPhase::kAuth);
  CHECK(c.server("235 2.7.0 Authentication successful\r\n") == "");
  CHECK(c.session.authenticated());
  CHECK(c.take_events() == Events{"ready"});
}

TEST_CASE("AUTH LOGIN answers the two prompts; a refusal defers and quits") {
  ClientConfig cfg = config();
  cfg.credentials = ClientCredentials{"jean", "s3cret"};
  cfg.auth_requires_tls = false;
  Client c(cfg);
  c.server(kGreeting);
  CHECK(c.server("250-relay\r\n250 AUTH=LOGIN\r\n") == "AUTH LOGIN\r\n");
  CHECK(c.server("334 VXNlcm5hbWU6\r\n") == "amVhbg==\r\n");
  CHECK(c.server("334 UGFzc3dvcmQ6\r\n") == "czNjcmV0\r\n");
  CHECK(c.server("535 5.7.8 Error: authentication failed\r\n") == "QUIT\r\n");
  CHECK(c.take_events() ==
        Events{"failed auth temporary 535 5.7.8 Error: authentication failed (remote)"});
  for (const std::string& e : c.events) CHECK(e.find("s3cret") == std::string::npos);
}

TEST_CASE("credentials are never sent without TLS by default, nor without a known mechanism") {
  ClientConfig cfg = config();
  cfg.credentials = ClientCredentials{"jean", "s3cret"};
  Client c(cfg);
  c.server(kGreeting);
  CHECK(c.server("250-relay\r\n250 AUTH PLAIN LOGIN\r\n") == "QUIT\r\n");
  CHECK(
      c.take_events() ==
      Events{
          "failed ehlo temporary 451 4.7.0 not sending credentials over a connection without TLS"});
  cfg.auth_requires_tls = false;
  Client m(cfg);
  m.server(kGreeting);
  CHECK(m.server("250-relay\r\n250 AUTH CRAM-MD5\r\n") == "QUIT\r\n");
}
