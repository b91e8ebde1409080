// Scripted dialogues with the SMTP server state machine (smtp/session.h): the bytes a
// client sends, the replies it gets, and what the host was asked.
#include "smtp/session.h"

#include <doctest/doctest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

using namespace mf::smtp;

namespace {

// A host that accepts everything but a few marked addresses and records what it is told.
struct FakeHost : SessionHost {
  Session* session = nullptr;
  bool complete_at_once = true;  // answer on_message_end synchronously with 250
  bool refuse_start = false;
  std::string body;
  std::vector<std::string> messages;  // bodies of completed messages
  std::vector<Envelope> envelopes;
  int starts = 0, aborts = 0, ends = 0;
  std::vector<Credentials> auths;

  std::optional<Reply> on_mail(const Envelope&, const MailCommand& mail) override {
    if (mail.sender.local == "refused") return Reply{553, "5.7.1", "Sender address rejected"};
    return std::nullopt;
  }
  std::optional<Reply> on_rcpt(const Envelope&, const RcptCommand& rcpt) override {
    if (rcpt.recipient.local == "nobody") return Reply{550, "5.1.1", "User unknown"};
    return std::nullopt;
  }
  std::optional<Reply> on_message_start(const Envelope&) override {
    if (refuse_start) return Reply{451, "4.3.0", "Error: queue file write error"};
    ++starts;
    body.clear();
    return std::nullopt;
  }
  void on_message_bytes(std::string_view bytes) override { body += bytes; }
  void on_message_end(const Envelope& env, const DataStats&) override {
    ++ends;
    messages.push_back(body);
    envelopes.push_back(env);
    if (complete_at_once) session->complete_message(Reply{250, "2.0.0", "Ok: queued"});
  }
  void on_message_abort() override { ++aborts; }
  void on_auth(const Envelope&, const Credentials& c) override { auths.push_back(c); }
};

// A client's side of the conversation.
struct Dialogue {
  FakeHost host;
  std::unique_ptr<Session> session;
  std::string pending;  // bytes sent but not consumed yet

  explicit Dialogue(SessionOptions options = {}, bool tls = false) {
    options.hostname = "mx.ma-societe.fr";
    session = std::make_unique<Session>(options, host, tls);
    host.session = session.get();
    session->start();
    take();
  }

  // Sends bytes; returns the replies the session wrote.
  std::string send(std::string_view bytes) {
    pending += bytes;
    size_t n = session->feed(pending);
    pending.erase(0, n);
    return take();
  }
  // Feeds again what is still pending (after the session stopped waiting).
  std::string resume() { return send(""); }
  std::string take() {
    std::string out = std::move(session->output());
    session->output().clear();
    return out;
  }
};

SessionOptions submission_options() {
  SessionOptions o;
  o.role = Role::kSubmission;
  o.starttls_available = true;
  o.auth_enabled = true;
  o.auth_required = true;
  return o;
}

}  // namespace

TEST_CASE("the greeting and the EHLO reply list the offered extensions") {
  FakeHost host;
  SessionOptions o;
  o.hostname = "mx.ma-societe.fr";
  o.starttls_available = true;
  o.max_message_bytes = 1000;
  Session s(o, host);
  s.start();
  CHECK(s.output() == "220 mx.ma-societe.fr ESMTP\r\n");
  s.output().clear();
  s.feed("EHLO client.example\r\n");
  CHECK(s.output() ==
        "250-mx.ma-societe.fr\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250-STARTTLS\r\n"
        "250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n"
        "250 CHUNKING\r\n");
  s.output().clear();
  s.feed("HELO client.example\r\n");
  CHECK(s.output() == "250 mx.ma-societe.fr\r\n");
}

TEST_CASE("a message is received, unstuffed, and its 250 waits for the host") {
  Dialogue d;
  d.host.complete_at_once = false;
  CHECK(d.send("EHLO c.example\r\n").find("250 CHUNKING") != std::string::npos);
  CHECK(d.send("MAIL FROM:<jean@example.org>\r\n") == "250 2.1.0 Ok\r\n");
  CHECK(d.send("RCPT TO:<emma.durand@ma-societe.fr>\r\n") == "250 2.1.5 Ok\r\n");
  CHECK(d.send("DATA\r\n") == "354 End data with <CR><LF>.<CR><LF>\r\n");
  CHECK(d.send("Subject: hi\r\n\r\n..dot\r\n") == "");
  // The end of data with a pipelined QUIT: nothing is answered before the host is done.
  CHECK(d.send(".\r\nQUIT\r\n") == "");
  CHECK(d.session->waiting() == Session::Wait::kMessage);
  CHECK(d.pending == "QUIT\r\n");
  REQUIRE(d.host.messages.size() == 1);
  CHECK(d.host.messages[0] == "Subject: hi\r\n\r\n.dot\r\n");
  CHECK(d.host.envelopes[0].sender->mailbox() == "jean@example.org");
  CHECK(d.host.envelopes[0].recipients.at(0).path.mailbox() == "emma.durand@ma-societe.fr");
  d.session->complete_message(Reply{250, "2.0.0", "Ok: queued as 4Dh2"});
  CHECK(d.take() == "250 2.0.0 Ok: queued as 4Dh2\r\n");
  CHECK(d.resume() == "221 2.0.0 Bye\r\n");
  CHECK(d.session->closing());
}

TEST_CASE("pipelined commands are answered in order, and a second transaction follows") {
  Dialogue d;
  d.send("EHLO c.example\r\n");
  std::string out = d.send(
      "MAIL FROM:<a@example.org>\r\nRCPT TO:<x@ma-societe.fr>\r\nRCPT TO:<nobody@ma-societe.fr>\r\n"
      "RCPT TO:<y@ma-societe.fr>\r\nDATA\r\n");
  CHECK(out ==
        "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550 5.1.1 User unknown\r\n250 2.1.5 Ok\r\n"
        "354 End data with <CR><LF>.<CR><LF>\r\n");
  CHECK(d.send("x\r\n.\r\nMAIL FROM:<>\r\n") == "250 2.0.0 Ok: queued\r\n250 2.1.0 Ok\r\n");
  CHECK(d.host.envelopes.at(0).recipients.size() == 2);
  CHECK(d.session->envelope().sender->is_null);
  CHECK(d.session->envelope().recipients.empty());
}

TEST_CASE("a bare LF sequence never ends the data (no SMTP smuggling)") {
  Dialogue d;
  d.send("EHLO c\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<x@ma-societe.fr>\r\nDATA\r\n");
  CHECK(d.send("one\n.\nMAIL FROM:<evil@example.org>\r\nRCPT TO:<y@ma-societe.fr>\r\n") == "");
  CHECK(d.send("two\r\n.\r\n") == "250 2.0.0 Ok: queued\r\n");
  REQUIRE(d.host.messages.size() == 1);
  CHECK(d.host.messages[0].find("MAIL FROM:<evil@example.org>") != std::string::npos);
}

TEST_CASE("commands out of order get 503 and nothing happens") {
  Dialogue d;
  CHECK(d.send("MAIL FROM:<a@example.org>\r\n") == "503 5.5.1 Error: send HELO/EHLO first\r\n");
  d.send("EHLO c\r\n");
  CHECK(d.send("RCPT TO:<x@ma-societe.fr>\r\n") == "503 5.5.1 Error: need MAIL command\r\n");
  CHECK(d.send("DATA\r\n") == "503 5.5.1 Error: need MAIL command\r\n");
  d.send("MAIL FROM:<a@example.org>\r\n");
  CHECK(d.send("MAIL FROM:<a@example.org>\r\n") == "503 5.5.1 Error: nested MAIL command\r\n");
  CHECK(d.send("DATA\r\n") == "554 5.5.1 Error: no valid recipients\r\n");
  CHECK(d.host.starts == 0);
  CHECK(d.send("RSET\r\n") == "250 2.0.0 Ok\r\n");
  CHECK(d.send("RCPT TO:<x@ma-societe.fr>\r\n") == "503 5.5.1 Error: need MAIL command\r\n");
}

TEST_CASE("unknown commands, NUL bytes and overlong lines are refused and the session goes on") {
  Dialogue d;
  CHECK(d.send("XYZZY\r\n") == "500 5.5.1 Error: command not recognized\r\n");
  CHECK(d.send(std::string("NOOP\0x\r\n", 8)).substr(0, 9) == "500 5.5.2");
  CHECK(d.send(std::string(3000, 'A') + "\r\n") == "500 5.5.2 Error: line too long\r\n");
  // Sent in pieces, an overlong line is refused once and its remainder skipped.
  CHECK(d.send(std::string(2500, 'B')) == "500 5.5.2 Error: line too long\r\n");
  CHECK(d.send(std::string(2500, 'B')) == "");
  CHECK(d.send("\r\nNOOP\r\n") == "250 2.0.0 Ok\r\n");
  // A command ended by a bare LF is read like one ended by CR LF, as Postfix does.
  CHECK(d.send("NOOP\n") == "250 2.0.0 Ok\r\n");
  CHECK(d.send("VRFY jean\r\n").substr(0, 9) == "252 2.5.0");
  CHECK(d.session->errors() == 4);
  CHECK_FALSE(d.session->closing());
}

TEST_CASE("too many errors end the session with 421") {
  SessionOptions o;
  o.max_errors = 3;
  Dialogue d(o);
  d.send("BAD\r\nBAD\r\n");
  CHECK(d.send("BAD\r\nNOOP\r\n") ==
        "500 5.5.1 Error: command not recognized\r\n"
        "421 4.7.0 mx.ma-societe.fr Error: too many errors\r\n");
  CHECK(d.session->closing());
  CHECK(d.pending == "NOOP\r\n");
  CHECK(d.send("NOOP\r\n") == "");
}

TEST_CASE("the size limit is enforced at MAIL and on the data") {
  SessionOptions o;
  o.max_message_bytes = 100;
  Dialogue d(o);
  d.send("EHLO c\r\n");
  CHECK(d.send("MAIL FROM:<a@example.org> SIZE=101\r\n") ==
        "552 5.3.4 Message exceeds the maximum size accepted here\r\n");
  d.send("MAIL FROM:<a@example.org> SIZE=50\r\nRCPT TO:<x@ma-societe.fr>\r\nDATA\r\n");
  CHECK(d.send(std::string(200, 'x') + "\r\n.\r\n") ==
        "552 5.3.4 Message exceeds the maximum size accepted here\r\n");
  CHECK(d.host.aborts == 1);
  CHECK(d.host.ends == 0);
  CHECK_FALSE(d.session->envelope().sender.has_value());
}

TEST_CASE("recipients beyond the limit get 452 4.5.3") {
  SessionOptions o;
  o.max_recipients = 2;
  Dialogue d(o);
  d.send("EHLO c\r\nMAIL FROM:<a@example.org>\r\n");
  CHECK(d.send("RCPT TO:<x@ma-societe.fr>\r\nRCPT TO:<y@ma-societe.fr>\r\nRCPT "
               "TO:<z@ma-societe.fr>\r\n") ==
        "250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n452 4.5.3 Error: too many recipients\r\n");
}

TEST_CASE("after HELO no ESMTP parameter is accepted") {
  Dialogue d;
  d.send("HELO c\r\n");
  CHECK(d.send("MAIL FROM:<a@example.org> SIZE=10\r\n").substr(0, 9) == "555 5.5.4");
  CHECK(d.send("MAIL FROM:<a@example.org>\r\n") == "250 2.1.0 Ok\r\n");
}

TEST_CASE("BDAT chunks are taken as bytes and the last one waits for the host") {
  Dialogue d;
  d.host.complete_at_once = false;
  d.send("EHLO c\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<x@ma-societe.fr>\r\n");
  // A chunk's bytes are data even when they look like commands or an end of data.
  CHECK(d.send("BDAT 11\r\nQUIT\r\n.\r\nab") == "250 2.0.0 Ok: 11 octets received\r\n");
  CHECK(d.send("RCPT TO:<y@ma-societe.fr>\r\n") == "503 5.5.1 Error: RCPT after BDAT\r\n");
  CHECK(d.send("BDAT 3 LAST\r\nxyzNOOP\r\n") == "");
  CHECK(d.session->waiting() == Session::Wait::kMessage);
  REQUIRE(d.host.messages.size() == 1);
  CHECK(d.host.messages[0] == "QUIT\r\n.\r\nabxyz");
  CHECK(d.host.envelopes[0].chunking);
  d.session->complete_message(Reply{250, "2.0.0", "Ok: queued"});
  CHECK(d.take() == "250 2.0.0 Ok: queued\r\n");
  CHECK(d.resume() == "250 2.0.0 Ok\r\n");
}

TEST_CASE("a BDAT that cannot be accepted still has its chunk read") {
  Dialogue d;
  d.send("EHLO c\r\n");
  CHECK(d.send("BDAT 6 LAST\r\nNOOP\r\nNOOP\r\n") ==
        "503 5.5.1 Error: need MAIL command\r\n250 2.0.0 Ok\r\n");
  CHECK(d.send("BDAT 0 LAST\r\n") == "503 5.5.1 Error: need MAIL command\r\n");
  CHECK(d.host.starts == 0);
}

TEST_CASE("a BDAT message over the size limit fails until its LAST chunk") {
  SessionOptions o;
  o.max_message_bytes = 10;
  Dialogue d(o);
  d.send("EHLO c\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<x@ma-societe.fr>\r\n");
  CHECK(d.send("BDAT 8\r\n12345678") == "250 2.0.0 Ok: 8 octets received\r\n");
  CHECK(d.send("BDAT 8\r\n12345678") ==
        "552 5.3.4 Message exceeds the maximum size accepted here\r\n");
  CHECK(d.host.aborts == 1);
  CHECK(d.send("BDAT 1 LAST\r\nx") ==
        "552 5.3.4 Message exceeds the maximum size accepted here\r\n");
  CHECK_FALSE(d.session->envelope().sender.has_value());
  CHECK(d.host.ends == 0);
}

TEST_CASE("a malformed BDAT closes the session, as its chunk cannot be found") {
  Dialogue d;
  d.send("EHLO c\r\n");
  CHECK(d.send("BDAT lots\r\n").substr(0, 4) == "521 ");
  CHECK(d.session->closing());
}

TEST_CASE("RSET during BDAT drops the message") {
  Dialogue d;
  d.send("EHLO c\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<x@ma-societe.fr>\r\nBDAT 2\r\nab");
  CHECK(d.host.starts == 1);
  CHECK(d.send("RSET\r\n") == "250 2.0.0 Ok\r\n");
  CHECK(d.host.aborts == 1);
}

TEST_CASE("STARTTLS stops reading at its line and the session starts afresh") {
  SessionOptions o;
  o.starttls_available = true;
  Dialogue d(o);
  d.send("EHLO c\r\n");
  // Commands pipelined after STARTTLS are not read: the glue discards them (the STARTTLS
  // injection attack).
  CHECK(d.send("STARTTLS\r\nMAIL FROM:<evil@example.org>\r\n") ==
        "220 2.0.0 Ready to start TLS\r\n");
  CHECK(d.session->waiting() == Session::Wait::kStartTls);
  CHECK(d.pending == "MAIL FROM:<evil@example.org>\r\n");
  d.pending.clear();
  d.session->tls_started();
  CHECK(d.session->envelope().tls);
  CHECK(d.session->envelope().helo.empty());
  CHECK(d.send("MAIL FROM:<a@example.org>\r\n") == "503 5.5.1 Error: send HELO/EHLO first\r\n");
  CHECK(d.send("EHLO c\r\n").find("STARTTLS") == std::string::npos);
  CHECK(d.send("STARTTLS\r\n") == "554 5.5.1 Error: TLS already active\r\n");
}

TEST_CASE("STARTTLS is refused where it is not offered") {
  Dialogue d;
  d.send("EHLO c\r\n");
  CHECK(d.send("STARTTLS\r\n") == "502 5.5.1 Error: command not implemented\r\n");
}

TEST_CASE("submission needs TLS before AUTH and AUTH before MAIL") {
  Dialogue d(submission_options());
  CHECK(d.send("EHLO c\r\n").find("AUTH") == std::string::npos);
  CHECK(d.send("AUTH PLAIN AGVtbWEAc2VjcmV0\r\n") ==
        "530 5.7.0 Must issue a STARTTLS command first\r\n");
  CHECK(d.send("MAIL FROM:<emma@ma-societe.fr>\r\n") ==
        "530 5.7.0 Must issue a STARTTLS command first\r\n");
  d.send("STARTTLS\r\n");
  d.session->tls_started();
  CHECK(d.send("EHLO c\r\n").find("250-AUTH PLAIN LOGIN\r\n") != std::string::npos);
  CHECK(d.send("MAIL FROM:<emma@ma-societe.fr>\r\n") == "530 5.7.0 Authentication required\r\n");
  CHECK(d.host.auths.empty());
}

TEST_CASE("AUTH PLAIN with an initial response asks the host and waits for its answer") {
  Dialogue d(submission_options(), /*tls=*/true);
  d.send("EHLO c\r\n");
  // base64 of "\0emma\0secret"
  CHECK(d.send("AUTH PLAIN AGVtbWEAc2VjcmV0\r\nMAIL FROM:<emma@ma-societe.fr>\r\n") == "");
  CHECK(d.session->waiting() == Session::Wait::kAuth);
  REQUIRE(d.host.auths.size() == 1);
  CHECK(d.host.auths[0].mechanism == "PLAIN");
  CHECK(d.host.auths[0].login == "emma");
  CHECK(d.host.auths[0].password == "secret");
  d.session->complete_auth(std::string("emma.durand@ma-societe.fr"), Reply{});
  CHECK(d.take() == "235 2.7.0 Authentication successful\r\n");
  CHECK(d.resume() == "250 2.1.0 Ok\r\n");
  CHECK(d.session->envelope().authenticated_as == "emma.durand@ma-societe.fr");
  CHECK(d.send("RSET\r\nAUTH PLAIN AGVtbWEAc2VjcmV0\r\n") ==
        "250 2.0.0 Ok\r\n503 5.5.1 Error: already authenticated\r\n");
}

TEST_CASE("AUTH LOGIN prompts for the user name and the password") {
  Dialogue d(submission_options(), /*tls=*/true);
  d.send("EHLO c\r\n");
  CHECK(d.send("AUTH LOGIN\r\n") == "334 VXNlcm5hbWU6\r\n");
  CHECK(d.send("ZW1tYQ==\r\n") == "334 UGFzc3dvcmQ6\r\n");
  CHECK(d.send("c2VjcmV0\r\n") == "");
  REQUIRE(d.host.auths.size() == 1);
  CHECK(d.host.auths[0].login == "emma");
  CHECK(d.host.auths[0].password == "secret");
  d.session->complete_auth(std::nullopt, Reply{535, "5.7.8", "Authentication credentials invalid"});
  CHECK(d.take() == "535 5.7.8 Authentication credentials invalid\r\n");
  CHECK(d.session->envelope().authenticated_as.empty());
}

TEST_CASE("an AUTH exchange can be cancelled and bad base64 is refused") {
  Dialogue d(submission_options(), /*tls=*/true);
  d.send("EHLO c\r\n");
  CHECK(d.send("AUTH PLAIN\r\n") == "334 \r\n");
  CHECK(d.send("*\r\n") == "501 5.0.0 Authentication aborted\r\n");
  CHECK(d.send("AUTH PLAIN\r\n") == "334 \r\n");
  CHECK(d.send("not base64!\r\n").substr(0, 9) == "501 5.5.2");
  CHECK(d.send("AUTH CRAM-MD5\r\n") == "504 5.5.4 Unrecognized authentication type\r\n");
  CHECK(d.host.auths.empty());
  CHECK(d.send("NOOP\r\n") == "250 2.0.0 Ok\r\n");
}

TEST_CASE("a refused sender and a refused message start are the host's replies") {
  Dialogue d;
  d.send("EHLO c\r\n");
  CHECK(d.send("MAIL FROM:<refused@example.org>\r\n") == "553 5.7.1 Sender address rejected\r\n");
  d.host.refuse_start = true;
  d.send("MAIL FROM:<a@example.org>\r\nRCPT TO:<x@ma-societe.fr>\r\n");
  CHECK(d.send("DATA\r\n") == "451 4.3.0 Error: queue file write error\r\n");
  CHECK_FALSE(d.session->envelope().sender.has_value());
}

TEST_CASE("a timeout and a shutdown end the session with 421") {
  Dialogue d;
  d.session->timed_out();
  CHECK(d.take() == "421 4.4.2 mx.ma-societe.fr Error: timeout exceeded\r\n");
  CHECK(d.session->closing());
  Dialogue e;
  e.session->shutting_down();
  CHECK(e.take() == "421 4.3.2 mx.ma-societe.fr Service shutting down\r\n");
}

TEST_CASE("a connection lost during DATA abandons the message") {
  Dialogue d;
  d.send("EHLO c\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<x@ma-societe.fr>\r\nDATA\r\npart");
  CHECK(d.host.starts == 1);
  FakeHost& host = d.host;
  d.session.reset();
  CHECK(host.aborts == 1);
}
