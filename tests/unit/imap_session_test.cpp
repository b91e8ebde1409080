// imap::Session over a real mailbox store, driven the way the server glue drives it: bytes
// in, the work half run inline, responses out.
#include "imap/session.h"

#include "mailbox_fixture.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace mf::test {
namespace {

class FakeHost : public imap::SessionHost {
 public:
  imap::Session* session = nullptr;
  std::vector<std::string> logins;
  std::string subscribed;

  void check_login(const std::string& login, const std::string& password,
                   std::string_view) override {
    logins.push_back(login);
    const bool ok = password == "pw" && (login == at("alice") || login == at("bob"));
    session->complete_login(ok ? imap::LoginOutcome::kOk : imap::LoginOutcome::kFailed, login);
  }
  void logged_in(const std::string& account) override { subscribed = account; }
  void log(LogLevel, std::string_view) override {}
};

// One session with the glue's loop reduced to its rules: feed until the session waits, run
// work inline, start "TLS" when asked.
class Driver {
 public:
  Driver(mailbox::MailStore& store, imap::SessionOptions options = {})
      : session_(std::move(options), host_, store) {
    host_.session = &session_;
    session_.start();
    session_.output().clear();
  }

  // Feeds `bytes` as the glue would; returns the responses. After STARTTLS the rest of
  // `bytes` is dropped, as the TLS wrapper drops pipelined plaintext.
  std::string send(std::string_view bytes) {
    size_t at = 0;
    while (!session_.closing()) {
      settle();
      if (session_.waiting() == imap::Session::Wait::kStartTls) {
        session_.tls_started();
        dropped_ = bytes.size() - at;
        break;
      }
      if (at == bytes.size()) break;
      size_t used = session_.feed(bytes.substr(at));
      at += used;
      if (used == 0 && session_.waiting() == imap::Session::Wait::kNone) break;
    }
    settle();
    std::string out = std::move(session_.output());
    session_.output().clear();
    return out;
  }

  void settle() {
    while (session_.waiting() == imap::Session::Wait::kWork) {
      session_.run_work();
      session_.finish_work();
      ++work_runs;
    }
  }

  std::string login(const std::string& who) {
    send("s STARTTLS\r\n");
    return send("l LOGIN " + at(who) + " pw\r\n");
  }

  imap::Session& session() { return session_; }
  FakeHost& host() { return host_; }
  size_t dropped() const { return dropped_; }
  int work_runs = 0;

 private:
  FakeHost host_;
  imap::Session session_;
  size_t dropped_ = 0;
};

std::string small_message(int i) {
  return "From: a@example.net\r\nSubject: message " + std::to_string(i) + "\r\n\r\nbody " +
         std::to_string(i) + "\r\n";
}

TEST_CASE("LOGIN waits for TLS, and STARTTLS drops the commands pipelined after it") {
  MailFixture f;
  Driver d(f.mail());
  std::string out = d.send("a LOGIN " + at("alice") + " pw\r\n");
  CHECK(out.find("a NO [PRIVACYREQUIRED]") == 0);
  CHECK(d.host().logins.empty());
  out = d.send("b STARTTLS\r\nc LOGIN " + at("alice") + " pw\r\n");
  CHECK(out == "b OK Begin TLS negotiation now.\r\n");
  CHECK(d.dropped() == ("c LOGIN " + at("alice") + " pw\r\n").size());
  CHECK(d.host().logins.empty());
  out = d.send("d LOGIN " + at("alice") + " wrong\r\n");
  CHECK(out == "d NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
  out = d.send("e LOGIN " + at("alice") + " pw\r\n");
  CHECK(out.find("e OK [CAPABILITY IMAP4rev1 IMAP4rev2") == 0);
  CHECK(d.host().subscribed == at("alice"));
  CHECK(d.send("f STARTTLS\r\n").find("f BAD") == 0);
}

TEST_CASE("AUTHENTICATE PLAIN takes the response after a continuation, or inline") {
  MailFixture f;
  Driver d(f.mail());
  d.send("s STARTTLS\r\n");
  std::string out = d.send("a AUTHENTICATE PLAIN\r\n");
  CHECK(out == "+ \r\n");
  // base64 of "\0alice@example.org\0pw"
  out = d.send("AGFsaWNlQGV4YW1wbGUub3JnAHB3\r\n");
  CHECK(out.find("a OK [CAPABILITY") == 0);
  Driver d2(f.mail());
  d2.send("s STARTTLS\r\n");
  CHECK(d2.send("b AUTHENTICATE PLAIN\r\n") == "+ \r\n");
  CHECK(d2.send("*\r\n") == "b BAD Authentication aborted.\r\n");
  // An authorisation identity other than the login: refused, no master users.
  // base64 of "bob@example.org\0alice@example.org\0pw"
  out = d2.send("c AUTHENTICATE PLAIN Ym9iQGV4YW1wbGUub3JnAGFsaWNlQGV4YW1wbGUub3JnAHB3\r\n");
  CHECK(out == "c NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
}

TEST_CASE("an APPEND literal before login is refused before the client sends it") {
  MailFixture f;
  Driver d(f.mail());
  std::string out = d.send("a APPEND INBOX {10}\r\n");
  CHECK(out == "a BAD Not logged in.\r\n");
  // The session is in step: the next line is a new command.
  CHECK(d.send("b NOOP\r\n") == "b OK NOOP completed.\r\n");
}

TEST_CASE("APPEND with a synchronizing literal, then FETCH of the stored message") {
  MailFixture f;
  Driver d(f.mail());
  d.login("alice");
  const std::string msg = small_message(1);
  std::string out = d.send("a APPEND INBOX (\\Flagged) {" + std::to_string(msg.size()) + "}\r\n");
  CHECK(out == "+ Ready for literal data\r\n");
  out = d.send(msg + "\r\n");
  CHECK(out.find("a OK [APPENDUID ") == 0);
  out = d.send("b SELECT INBOX\r\n");
  CHECK(out.find("* 1 EXISTS\r\n") != std::string::npos);
  out = d.send("c FETCH 1 (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])\r\n");
  CHECK(out ==
        "* 1 FETCH (FLAGS (\\Flagged) BODY[HEADER.FIELDS (SUBJECT)] {22}\r\n"
        "Subject: message 1\r\n\r\n)\r\nc OK Fetch completed.\r\n");
}

TEST_CASE("a FETCH of many messages runs in slices, each message once and in order") {
  MailFixture f;
  for (int i = 1; i <= 30; ++i) {
    auto r = f.mail().append_bytes(small_message(i), MailFixture::to("alice"));
    REQUIRE(r.is_ok());
  }
  imap::SessionOptions o;
  o.fetch_slice_bytes = 300;
  Driver d(f.mail(), o);
  d.login("alice");
  d.send("a SELECT INBOX\r\n");
  d.work_runs = 0;
  std::string out = d.send("b FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])\r\n");
  CHECK(d.work_runs > 3);
  size_t pos = 0;
  for (int i = 1; i <= 30; ++i) {
    std::string line = "* " + std::to_string(i) + " FETCH (UID " + std::to_string(i) + " ";
    size_t at = out.find(line, pos);
    REQUIRE_MESSAGE(at != std::string::npos, "message ", i);
    pos = at + line.size();
  }
  CHECK(out.find("b OK Fetch completed.\r\n") == out.size() - 23);
}

TEST_CASE("IDLE is told of a delivery pushed by the store, and ends with DONE") {
  MailFixture f;
  Driver d(f.mail());
  d.login("bob");
  d.send("a SELECT INBOX\r\n");
  CHECK(d.send("b IDLE\r\n") == "+ idling\r\n");
  CHECK(d.session().idling());
  REQUIRE(f.mail().append_bytes(small_message(1), MailFixture::to("bob")).is_ok());
  d.session().store_changed();  // what the glue does when the store's notification comes
  CHECK(d.send("") == "* 1 EXISTS\r\n* 0 RECENT\r\n");
  CHECK(d.send("DONE\r\n") == "b OK Idle completed.\r\n");
  CHECK_FALSE(d.session().idling());
}

TEST_CASE("an expunge by another session waits for a command that may tell it") {
  MailFixture f;
  for (int i = 1; i <= 3; ++i)
    REQUIRE(f.mail().append_bytes(small_message(i), MailFixture::to("alice")).is_ok());
  Driver a(f.mail()), b(f.mail());
  a.login("alice");
  b.login("alice");
  a.send("s SELECT INBOX\r\n");
  b.send("s SELECT INBOX\r\n");
  a.send("t STORE 2 +FLAGS.SILENT (\\Deleted)\r\n");
  CHECK(a.send("u EXPUNGE\r\n") == "* 2 EXPUNGE\r\nu OK Expunge completed.\r\n");
  b.session().store_changed();
  std::string out = b.send("f FETCH 1:3 (FLAGS)\r\n");
  CHECK(out.find(" EXPUNGE\r\n") == std::string::npos);
  CHECK(out.find("* 3 FETCH") != std::string::npos);  // still numbered as b knows it
  CHECK(out.find("f NO [EXPUNGEISSUED]") != std::string::npos);
  out = b.send("n NOOP\r\n");
  CHECK(out == "* 2 EXPUNGE\r\nn OK NOOP completed.\r\n");
  CHECK(b.send("g FETCH 2 (UID)\r\n") == "* 2 FETCH (UID 3)\r\ng OK Fetch completed.\r\n");
}

TEST_CASE("UID EXPUNGE removes only the given messages") {
  MailFixture f;
  for (int i = 1; i <= 4; ++i)
    REQUIRE(f.mail().append_bytes(small_message(i), MailFixture::to("alice")).is_ok());
  Driver d(f.mail());
  d.login("alice");
  d.send("s SELECT INBOX\r\n");
  d.send("t STORE 1:4 +FLAGS.SILENT (\\Deleted)\r\n");
  CHECK(d.send("u UID EXPUNGE 2:3\r\n") ==
        "* 3 EXPUNGE\r\n* 2 EXPUNGE\r\nu OK Expunge completed.\r\n");
  CHECK(d.send("v UID SEARCH DELETED\r\n") == "* SEARCH 1 4\r\nv OK Search completed.\r\n");
}

TEST_CASE("STORE reports flags, or only the new MODSEQ when silent under CONDSTORE") {
  MailFixture f;
  for (int i = 1; i <= 2; ++i)
    REQUIRE(f.mail().append_bytes(small_message(i), MailFixture::to("alice")).is_ok());
  Driver d(f.mail());
  d.login("alice");
  d.send("s SELECT INBOX\r\n");
  CHECK(d.send("a STORE 1 +FLAGS (\\Seen)\r\n") ==
        "* 1 FETCH (UID 1 FLAGS (\\Seen))\r\na OK Store completed.\r\n");
  CHECK(d.send("b STORE 1 +FLAGS.SILENT (\\Flagged)\r\n") == "b OK Store completed.\r\n");
  std::string out = d.send("c UID STORE 2 (UNCHANGEDSINCE 100) +FLAGS.SILENT (\\Seen)\r\n");
  CHECK(out.find("* 2 FETCH (UID 2 MODSEQ (") == 0);
  CHECK(out.find("FLAGS") == std::string::npos);
  // A message changed after the client's modseq is not stored: MODIFIED names it.
  out = d.send("e UID STORE 1:2 (UNCHANGEDSINCE 1) +FLAGS (\\Answered)\r\n");
  CHECK(out.find("e OK [MODIFIED 1:2] Conditional STORE failed.") != std::string::npos);
}

TEST_CASE("too many bad commands end the session") {
  MailFixture f;
  imap::SessionOptions o;
  o.max_bad_commands = 3;
  Driver d(f.mail(), o);
  CHECK(d.send("a FROB\r\n") == "a BAD Unknown command\r\n");
  d.send("b FROB\r\n");
  std::string out = d.send("c FROB\r\nd NOOP\r\n");
  CHECK(out == "c BAD Unknown command\r\n* BYE Too many invalid IMAP commands.\r\n");
  CHECK(d.session().closing());
}

TEST_CASE("commands of the selected state need a selected mailbox") {
  MailFixture f;
  Driver d(f.mail());
  CHECK(d.send("a SELECT INBOX\r\n") == "a BAD Not logged in.\r\n");
  d.login("alice");
  CHECK(d.send("b FETCH 1 FLAGS\r\n") == "b BAD No mailbox selected.\r\n");
  CHECK(d.send("c SELECT Nowhere\r\n").find("c NO [NONEXISTENT]") == 0);
}

}  // namespace
}  // namespace mf::test
