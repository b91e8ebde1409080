// pop3::Session with an in-memory maildrop, driven the way the server glue drives it: bytes
// in, the work half run inline, responses out.
#include "pop3/session.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace mf::pop3 {
namespace {

// What a test sees of the maildrops it handed out, after they are gone.
struct MaildropLog {
  int opened = 0;
  int released = 0;
  std::vector<std::vector<size_t>> commits;
  int reads = 0;
};

class MemoryMaildrop : public Maildrop {
 public:
  MemoryMaildrop(std::vector<std::string> bodies, MaildropLog& log) : bodies_(bodies), log_(log) {
    for (size_t i = 0; i < bodies_.size(); ++i) {
      entries_.push_back({bodies_[i].size(), "1700000000." + std::to_string(i + 1)});
    }
  }
  ~MemoryMaildrop() override { ++log_.released; }

  const std::vector<MaildropEntry>& messages() const override { return entries_; }

  Status read(size_t index, uint64_t offset, size_t max, std::string& out) override {
    ++log_.reads;
    if (fail_read_at && offset >= *fail_read_at) return io_error("disk gone");
    if (index == removed) return not_found("message removed");
    const std::string& body = bodies_.at(index);
    if (offset < body.size()) out.append(body, offset, max);
    return Status::ok();
  }

  Status commit_deletions(const std::vector<size_t>& indexes) override {
    log_.commits.push_back(indexes);
    return fail_commit ? io_error("disk full") : Status::ok();
  }

  std::vector<MaildropEntry> entries_;
  std::optional<uint64_t> fail_read_at;
  size_t removed = static_cast<size_t>(-1);
  bool fail_commit = false;

 private:
  std::vector<std::string> bodies_;
  MaildropLog& log_;
};

const std::string kAlice = "alice@example.org";

class FakeHost : public SessionHost {
 public:
  Session* session = nullptr;
  std::vector<std::string> logins;  // "login/mechanism"
  bool answer_at_once = true;       // otherwise the test calls complete_login()
  std::optional<MaildropError> open_error;
  std::vector<std::string> bodies;
  std::function<void(MemoryMaildrop&)> tune;  // adjusts each maildrop opened
  MaildropLog drops;

  void check_login(const std::string& login, const std::string& password,
                   std::string_view mechanism) override {
    logins.push_back(login + "/" + std::string(mechanism));
    if (!answer_at_once) return;
    const bool ok = login == kAlice && password == "pw";
    session->complete_login(ok ? LoginOutcome::kOk : LoginOutcome::kFailed, login);
  }

  MaildropOpening open_maildrop(const std::string& account) override {
    CHECK(account == kAlice);
    MaildropOpening opening;
    if (open_error) {
      opening.error = *open_error;
      return opening;
    }
    ++drops.opened;
    auto drop = std::make_unique<MemoryMaildrop>(bodies, drops);
    if (tune) tune(*drop);
    opening.maildrop = std::move(drop);
    return opening;
  }

  void log(LogLevel, std::string_view) override {}
};

// One session with the glue's loop reduced to its rules: feed until the session waits, run
// work inline, start "TLS" when asked and drop what was pipelined after STLS.
class Driver {
 public:
  explicit Driver(SessionOptions options = {}) : session_(std::move(options), host_) {
    host_.session = &session_;
    host_.bodies = {
        "Subject: one\r\n\r\nfirst body\r\n",
        "Subject: two\r\n\r\n.dotted\r\nline 2\r\n.\r\nline 4\r\n",
        "Subject: three\r\n\r\nthird\r\n",
    };
    session_.start();
    greeting_ = std::move(session_.output());
    session_.output().clear();
  }

  std::string send(std::string_view bytes) {
    size_t at = 0;
    while (!session_.closing()) {
      settle();
      if (session_.waiting() == Session::Wait::kStartTls) {
        session_.tls_started();
        dropped_ += bytes.size() - at;
        at = bytes.size();
        break;
      }
      if (at == bytes.size()) break;
      size_t used = session_.feed(bytes.substr(at));
      at += used;
      if (used == 0 && session_.waiting() == Session::Wait::kNone) break;
      if (session_.waiting() == Session::Wait::kLogin) break;  // the test answers
    }
    settle();
    unread_ = std::string(bytes.substr(at));
    return take();
  }

  void settle() {
    while (session_.waiting() == Session::Wait::kWork) {
      session_.run_work();
      session_.finish_work();
      ++work_runs;
    }
  }

  std::string take() {
    std::string out = std::move(session_.output());
    session_.output().clear();
    return out;
  }

  std::string login() {
    send("STLS\r\n");
    return send("USER " + kAlice + "\r\nPASS pw\r\n");
  }

  Session& session() { return session_; }
  FakeHost& host() { return host_; }
  const std::string& greeting() const { return greeting_; }
  size_t dropped() const { return dropped_; }
  const std::string& unread() const { return unread_; }
  int work_runs = 0;

 private:
  FakeHost host_;
  Session session_;
  std::string greeting_;
  size_t dropped_ = 0;
  std::string unread_;
};

SessionOptions implicit_tls() {
  SessionOptions o;
  o.tls = true;
  return o;
}

TEST_CASE("the greeting and CAPA before TLS offer STLS, not USER or SASL") {
  Driver d;
  CHECK(d.greeting() == "+OK MailFountain POP3 server ready.\r\n");
  CHECK(d.send("CAPA\r\n") ==
        "+OK Capability list follows.\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\n"
        "PIPELINING\r\nSTLS\r\nIMPLEMENTATION MailFountain\r\n.\r\n");
}

TEST_CASE("CAPA over TLS offers USER and SASL PLAIN; after login neither") {
  Driver d(implicit_tls());
  std::string caps = d.send("CAPA\r\n");
  CHECK(caps.find("USER\r\nSASL PLAIN\r\n") != std::string::npos);
  CHECK(caps.find("STLS") == std::string::npos);
  d.send("USER " + kAlice + "\r\nPASS pw\r\n");
  caps = d.send("CAPA\r\n");
  CHECK(caps.find("USER") == std::string::npos);
  CHECK(caps.find("SASL") == std::string::npos);
  CHECK(caps.find("UIDL\r\n") != std::string::npos);
}

TEST_CASE("login is refused before TLS without asking the host") {
  Driver d;
  const std::string refused =
      "-ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.\r\n";
  CHECK(d.send("USER " + kAlice + "\r\n") == refused);
  CHECK(d.send("PASS pw\r\n") == refused);
  CHECK(d.send("AUTH PLAIN AGFsaWNlQGV4YW1wbGUub3JnAHB3\r\n") == refused);
  CHECK(d.host().logins.empty());
  CHECK(d.session().state() == Session::State::kAuthorization);
}

TEST_CASE("STLS stops reading at its +OK, so pipelined plaintext is dropped") {
  Driver d;
  const std::string pipelined = "USER " + kAlice + "\r\nPASS pw\r\n";
  CHECK(d.send("STLS\r\n" + pipelined) == "+OK Begin TLS negotiation now.\r\n");
  CHECK(d.dropped() == pipelined.size());
  CHECK(d.host().logins.empty());
  CHECK(d.send("STLS\r\n") == "-ERR TLS is already active.\r\n");
  CHECK(d.send(pipelined).find("+OK Logged in: 3 messages") != std::string::npos);
}

TEST_CASE("STLS is refused where it is not available") {
  SessionOptions o;
  o.starttls_available = false;
  Driver d(o);
  CHECK(d.send("STLS\r\n") == "-ERR STLS is not available.\r\n");
  CHECK(d.send("CAPA\r\n").find("STLS") == std::string::npos);
}

TEST_CASE("USER/PASS logs in and opens the maildrop; a wrong password does not") {
  Driver d(implicit_tls());
  CHECK(d.send("USER " + kAlice + "\r\n") == "+OK Send your password.\r\n");
  CHECK(d.send("PASS wrong\r\n") == "-ERR [AUTH] Authentication failed.\r\n");
  CHECK(d.host().drops.opened == 0);
  CHECK(d.send("PASS pw\r\n") == "-ERR No user name given: send USER first.\r\n");
  std::string out = d.send("USER " + kAlice + "\r\nPASS pw\r\n");
  CHECK(out == "+OK Send your password.\r\n+OK Logged in: 3 messages (97 octets).\r\n");
  CHECK(d.host().logins.back() == kAlice + "/USER");
  CHECK(d.session().state() == Session::State::kTransaction);
  CHECK(d.session().account() == kAlice);
}

TEST_CASE("PASS must follow USER at once") {
  Driver d(implicit_tls());
  d.send("USER " + kAlice + "\r\n");
  CHECK(d.send("CAPA\r\n").find("+OK") == 0);
  CHECK(d.send("PASS pw\r\n") == "-ERR No user name given: send USER first.\r\n");
  CHECK(d.host().logins.empty());
}

TEST_CASE("AUTH PLAIN logs in with an initial response or after a continuation") {
  // base64 of "\0alice@example.org\0pw"
  const std::string response = "AGFsaWNlQGV4YW1wbGUub3JnAHB3";
  Driver d(implicit_tls());
  CHECK(d.send("AUTH PLAIN " + response + "\r\n").find("+OK Logged in") == 0);
  CHECK(d.host().logins.back() == kAlice + "/PLAIN");

  Driver d2(implicit_tls());
  CHECK(d2.send("AUTH PLAIN\r\n") == "+ \r\n");
  CHECK(d2.send(response + "\r\n").find("+OK Logged in") == 0);
}

TEST_CASE("AUTH is cancelled by a star and refused for a bad response or another identity") {
  Driver d(implicit_tls());
  d.send("AUTH PLAIN\r\n");
  CHECK(d.send("*\r\n") == "-ERR Authentication aborted.\r\n");
  CHECK(d.send("AUTH PLAIN not-base64!\r\n") == "-ERR Invalid SASL PLAIN response.\r\n");
  // base64 of "bob@example.org\0alice@example.org\0pw"
  CHECK(d.send("AUTH PLAIN Ym9iQGV4YW1wbGUub3JnAGFsaWNlQGV4YW1wbGUub3JnAHB3\r\n") ==
        "-ERR [AUTH] Authentication failed.\r\n");
  CHECK(d.send("AUTH LOGIN\r\n") == "-ERR Unsupported authentication mechanism.\r\n");
  CHECK(d.send("AUTH\r\n") == "+OK\r\nPLAIN\r\n.\r\n");
  CHECK(d.send("APOP alice 0123\r\n") == "-ERR APOP is not supported.\r\n");
  CHECK(d.host().logins.empty());
}

TEST_CASE("a locked or unreadable maildrop refuses the login, which may be retried") {
  Driver d(implicit_tls());
  d.host().open_error = MaildropError::kInUse;
  CHECK(d.send("USER " + kAlice + "\r\nPASS pw\r\n") ==
        "+OK Send your password.\r\n"
        "-ERR [IN-USE] The mailbox is in use by another POP3 session.\r\n");
  CHECK(d.session().state() == Session::State::kAuthorization);
  CHECK(d.session().account().empty());
  d.host().open_error = MaildropError::kTemporary;
  CHECK(d.send("USER " + kAlice + "\r\nPASS pw\r\n").find("-ERR [SYS/TEMP]") != std::string::npos);
  d.host().open_error.reset();
  CHECK(d.send("USER " + kAlice + "\r\nPASS pw\r\n").find("+OK Logged in") != std::string::npos);
}

TEST_CASE("a listing with an invalid unique-id is not served") {
  Driver d(implicit_tls());
  d.host().tune = [](MemoryMaildrop& m) { m.entries_[1].uidl = "has space"; };
  CHECK(d.send("USER " + kAlice + "\r\nPASS pw\r\n").find("-ERR [SYS/TEMP]") != std::string::npos);
  CHECK(d.host().drops.released == 1);
  CHECK(d.session().state() == Session::State::kAuthorization);
}

TEST_CASE("commands of the other state are refused") {
  Driver d(implicit_tls());
  CHECK(d.send("STAT\r\n") == "-ERR Command not allowed before login.\r\n");
  CHECK(d.send("RETR 1\r\n") == "-ERR Command not allowed before login.\r\n");
  d.send("USER " + kAlice + "\r\nPASS pw\r\n");
  CHECK(d.send("USER " + kAlice + "\r\n") == "-ERR Already logged in.\r\n");
  CHECK(d.send("AUTH PLAIN\r\n") == "-ERR Already logged in.\r\n");
  CHECK(d.send("STLS\r\n") == "-ERR STLS is not allowed after login.\r\n");
}

TEST_CASE("STAT, LIST and UIDL list the maildrop, whole or one message") {
  Driver d;
  d.login();
  CHECK(d.send("STAT\r\n") == "+OK 3 97\r\n");
  CHECK(d.send("LIST\r\n") == "+OK 3 messages (97 octets)\r\n1 28\r\n2 44\r\n3 25\r\n.\r\n");
  CHECK(d.send("LIST 2\r\n") == "+OK 2 44\r\n");
  CHECK(d.send("UIDL\r\n") ==
        "+OK Unique-ID listing follows.\r\n1 1700000000.1\r\n2 1700000000.2\r\n"
        "3 1700000000.3\r\n.\r\n");
  CHECK(d.send("UIDL 3\r\n") == "+OK 3 1700000000.3\r\n");
  CHECK(d.send("LIST 4\r\n") == "-ERR No such message.\r\n");
  CHECK(d.send("UIDL 4\r\n") == "-ERR No such message.\r\n");
  CHECK(d.send("NOOP\r\n") == "+OK\r\n");
}

TEST_CASE("RETR sends the message dot-stuffed and ended by a dot line") {
  Driver d;
  d.login();
  CHECK(d.send("RETR 2\r\n") ==
        "+OK 44 octets\r\nSubject: two\r\n\r\n..dotted\r\nline 2\r\n..\r\nline 4\r\n.\r\n");
  CHECK(d.send("RETR 9\r\n") == "-ERR No such message.\r\n");
}

TEST_CASE("TOP sends the header and the first lines of the body") {
  Driver d;
  d.login();
  CHECK(d.send("TOP 2 0\r\n") == "+OK Top of message follows.\r\nSubject: two\r\n\r\n.\r\n");
  CHECK(d.send("TOP 2 1\r\n") ==
        "+OK Top of message follows.\r\nSubject: two\r\n\r\n..dotted\r\n.\r\n");
  CHECK(d.send("TOP 1 50\r\n") ==
        "+OK Top of message follows.\r\nSubject: one\r\n\r\nfirst body\r\n.\r\n");
}

TEST_CASE("DELE hides a message until RSET; its number then gives -ERR") {
  Driver d;
  d.login();
  CHECK(d.send("DELE 2\r\n") == "+OK Message 2 deleted.\r\n");
  CHECK(d.send("STAT\r\n") == "+OK 2 53\r\n");
  CHECK(d.send("LIST\r\n") == "+OK 2 messages (53 octets)\r\n1 28\r\n3 25\r\n.\r\n");
  CHECK(d.send("UIDL\r\n").find("2 1700000000.2") == std::string::npos);
  for (const char* cmd : {"RETR 2\r\n", "TOP 2 0\r\n", "LIST 2\r\n", "UIDL 2\r\n", "DELE 2\r\n"}) {
    CHECK(d.send(cmd) == "-ERR Message 2 is deleted.\r\n");
  }
  CHECK(d.send("RSET\r\n") == "+OK 3 messages (97 octets).\r\n");
  CHECK(d.send("LIST 2\r\n") == "+OK 2 44\r\n");
}

TEST_CASE("QUIT commits exactly the deleted messages, then releases the maildrop") {
  Driver d;
  d.login();
  d.send("DELE 3\r\nDELE 1\r\nDELE 2\r\nRSET\r\nDELE 3\r\nDELE 1\r\n");
  CHECK(d.send("QUIT\r\n") == "+OK MailFountain POP3 server signing off (2 messages deleted).\r\n");
  CHECK(d.session().closing());
  CHECK(d.session().state() == Session::State::kUpdate);
  REQUIRE(d.host().drops.commits.size() == 1);
  CHECK(d.host().drops.commits[0] == std::vector<size_t>{0, 2});
  CHECK(d.host().drops.released == 1);
}

TEST_CASE("QUIT without deletions commits nothing") {
  Driver d;
  d.login();
  CHECK(d.send("QUIT\r\n") == "+OK MailFountain POP3 server signing off.\r\n");
  CHECK(d.host().drops.commits.empty());
  CHECK(d.host().drops.released == 1);
}

TEST_CASE("a session that times out deletes nothing") {
  Driver d;
  d.login();
  d.send("DELE 1\r\nDELE 2\r\n");
  CHECK(d.host().drops.released == 0);
  d.session().timed_out();
  CHECK(d.take() == "-ERR Disconnected for inactivity.\r\n");
  CHECK(d.session().closing());
  CHECK(d.host().drops.commits.empty());
  CHECK(d.host().drops.released == 1);
}

TEST_CASE("a session destroyed without QUIT (the connection dropped) deletes nothing") {
  FakeHost host;
  host.bodies = {"a\r\n", "b\r\n"};
  auto session = std::make_unique<Session>(implicit_tls(), host);
  host.session = session.get();
  session->start();
  session->feed("USER " + kAlice + "\r\nPASS pw\r\n");
  REQUIRE(session->waiting() == Session::Wait::kWork);
  session->run_work();
  session->finish_work();
  CHECK(session->feed("DELE 1\r\n") == 8);
  CHECK(session->output().find("+OK Message 1 deleted.") != std::string::npos);
  session.reset();
  CHECK(host.drops.opened == 1);
  CHECK(host.drops.released == 1);
  CHECK(host.drops.commits.empty());
}

TEST_CASE("a failed commit at QUIT is told, and the session still ends") {
  Driver d;
  d.host().tune = [](MemoryMaildrop& m) { m.fail_commit = true; };
  d.login();
  d.send("DELE 1\r\n");
  CHECK(d.send("QUIT\r\n") == "-ERR [SYS/TEMP] Some deleted messages were not removed.\r\n");
  CHECK(d.session().closing());
}

TEST_CASE("pipelined commands are answered in order, held back while the login waits") {
  Driver d(implicit_tls());
  d.host().answer_at_once = false;
  const std::string script = "USER " + kAlice + "\r\nPASS pw\r\nSTAT\r\nDELE 1\r\nLIST\r\n";
  CHECK(d.send(script) == "+OK Send your password.\r\n");
  CHECK(d.session().waiting() == Session::Wait::kLogin);
  CHECK(d.unread() == "STAT\r\nDELE 1\r\nLIST\r\n");
  CHECK(d.session().feed(d.unread()) == 0);
  d.session().complete_login(LoginOutcome::kOk, kAlice);
  CHECK(d.send(std::string(d.unread())) ==
        "+OK Logged in: 3 messages (97 octets).\r\n+OK 3 97\r\n+OK Message 1 deleted.\r\n"
        "+OK 2 messages (69 octets)\r\n2 44\r\n3 25\r\n.\r\n");
}

TEST_CASE("the responses do not depend on how the input is split") {
  const std::string script =
      "CAPA\r\nSTLS\r\n" + std::string("USER ") + kAlice +
      "\r\nPASS pw\r\nSTAT\r\nLIST\r\nUIDL 2\r\nRETR 2\r\nTOP 1 0\r\nDELE 1\r\nNOOP\nLIST 1\r\n"
      "RSET\r\nDELE 3\r\nQUIT\r\n";
  // STLS drops what follows it in the same send: the script goes in two parts.
  const size_t split = script.find("USER");
  auto run = [&](size_t chunk) {
    Driver d;
    std::string out;
    for (std::string_view part :
         {std::string_view(script).substr(0, split), std::string_view(script).substr(split)}) {
      for (size_t at = 0; at < part.size(); at += chunk) {
        out += d.send(std::string(d.unread()) + std::string(part.substr(at, chunk)));
      }
    }
    CHECK(d.session().closing());
    REQUIRE(d.host().drops.commits.size() == 1);
    CHECK(d.host().drops.commits[0] == std::vector<size_t>{2});
    return out;
  };
  const std::string whole = run(script.size());
  CHECK(whole.find("+OK 44 octets\r\n") != std::string::npos);
  for (size_t chunk : {1u, 2u, 3u, 5u, 8u, 13u}) {
    CAPTURE(chunk);
    CHECK(run(chunk) == whole);
  }
}

TEST_CASE("a large message is sent in slices of bounded size") {
  SessionOptions o = implicit_tls();
  o.slice_bytes = 1000;
  o.read_bytes = 300;
  Driver d(o);
  std::string big = "Subject: big\r\n\r\n";
  for (int i = 0; i < 2000; ++i) big += (i % 3 == 0 ? "." : "") + std::to_string(i) + "\r\n";
  d.host().bodies.push_back(big);
  d.send("USER " + kAlice + "\r\nPASS pw\r\n");
  d.work_runs = 0;
  std::string out;
  d.session().feed("RETR 4\r\nNOOP\r\n");
  size_t largest = 0;
  while (d.session().waiting() == Session::Wait::kWork) {
    d.session().run_work();
    d.session().finish_work();
    largest = std::max(largest, d.session().output().size());
    out += d.take();
    ++d.work_runs;
  }
  CHECK(d.work_runs > 5);
  CHECK(largest < 1000 + 2 * 300);
  std::string expected = "+OK " + std::to_string(big.size()) + " octets\r\n";
  MessageWriter w(std::nullopt);
  w.write(big, expected);
  w.finish(expected);
  CHECK(out == expected);
  CHECK(d.send("NOOP\r\n") == "+OK\r\n");
}

TEST_CASE("a message that cannot be read gives -ERR, or ends the session once begun") {
  SessionOptions o = implicit_tls();
  o.read_bytes = 10;
  Driver d(o);
  d.host().tune = [](MemoryMaildrop& m) {
    m.removed = 0;
    m.fail_read_at = 20;
  };
  d.send("USER " + kAlice + "\r\nPASS pw\r\n");
  CHECK(d.send("RETR 1\r\n") == "-ERR Message 1 was removed by another session.\r\n");
  CHECK_FALSE(d.session().closing());
  std::string out = d.send("RETR 2\r\nNOOP\r\n");
  CHECK(out == "+OK 44 octets\r\nSubject: two\r\n\r\n..dot");
  CHECK(d.session().closing());
  CHECK(d.host().drops.commits.empty());
}

TEST_CASE("a line too long is refused and the next command is served") {
  Driver d(implicit_tls());
  CHECK(d.send("USER " + std::string(600, 'a') + "\r\nCAPA\r\n")
            .find("-ERR Command line too long.\r\n+OK Capability") == 0);
}

TEST_CASE("too many bad commands close the session") {
  SessionOptions o;
  o.max_bad_commands = 3;
  Driver d(o);
  CHECK(d.send("XYZZY\r\nSTAT\r\n") ==
        "-ERR Unknown command.\r\n-ERR Command not allowed before login.\r\n");
  CHECK(d.send("FOO\r\nCAPA\r\n") == "-ERR Too many invalid commands.\r\n");
  CHECK(d.session().closing());
}

TEST_CASE("QUIT before login ends the session without opening the maildrop") {
  Driver d;
  CHECK(d.send("QUIT\r\nCAPA\r\n") == "+OK MailFountain POP3 server signing off.\r\n");
  CHECK(d.session().closing());
  CHECK(d.host().drops.opened == 0);
}

TEST_CASE("a shutdown during a transfer lets the slice end, then closes without a line") {
  SessionOptions o = implicit_tls();
  o.slice_bytes = 20;
  o.read_bytes = 10;
  Driver d(o);
  d.send("USER " + kAlice + "\r\nPASS pw\r\n");
  d.session().feed("RETR 2\r\n");
  REQUIRE(d.session().waiting() == Session::Wait::kWork);
  d.session().run_work();
  d.session().shut_down();
  d.session().finish_work();
  CHECK(d.session().closing());
  CHECK(d.take().find("-ERR") == std::string::npos);
  CHECK(d.host().drops.released == 1);
}

}  // namespace
}  // namespace mf::pop3
