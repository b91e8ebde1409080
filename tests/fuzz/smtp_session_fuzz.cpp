// Fuzz target: the SMTP server state machine (smtp/session.h). The first byte picks the
// options (role, TLS, AUTH, small limits); the rest is what a client sends. A host accepts
// everything and answers every wait at once (AUTH alternately accepted and refused). It
// checks that
// - fed whole, or in pieces whose sizes come from the data, or a byte at a time, the
//   session writes the same replies and hands the host the same message bytes: no
//   decision depends on how TCP split the stream;
// - every reply line is a three-digit code, a space or dash, text, CR LF;
// - the host never gets more message bytes than the size limit per message, and every
//   started message is ended or aborted exactly once.
#include "smtp/session.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace mf::smtp;

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

struct Host : SessionHost {
  Session* session = nullptr;
  uint64_t limit = 0;
  std::string log;  // what the host saw, in order
  uint64_t current = 0;
  int open = 0;
  int auths = 0;

  std::optional<Reply> on_mail(const Envelope&, const MailCommand& m) override {
    log += "M" + m.sender.mailbox() + "\n";
    return std::nullopt;
  }
  std::optional<Reply> on_rcpt(const Envelope&, const RcptCommand& r) override {
    log += "R" + r.recipient.mailbox() + "\n";
    if (r.recipient.local == "x") return Reply{550, "5.1.1", "User unknown"};
    return std::nullopt;
  }
  std::optional<Reply> on_message_start(const Envelope&) override {
    require(open == 0);
    ++open;
    current = 0;
    log += "S\n";
    return std::nullopt;
  }
  void on_message_bytes(std::string_view b) override {
    require(open == 1);
    current += b.size();
    require(current <= limit);
    log.append(b);
  }
  void on_message_end(const Envelope&, const DataStats&) override {
    require(open == 1);
    --open;
    log += "E\n";
  }
  void on_message_abort() override {
    require(open == 1);
    --open;
    log += "A\n";
  }
  void on_auth(const Envelope&, const Credentials& c) override {
    log += "U" + c.login + "\n";
    ++auths;
  }
};

struct Outcome {
  std::string output;
  std::string log;
};

// Answers whatever the session waits for, as a glue would.
void answer(Session& s, Host& host) {
  switch (s.waiting()) {
    case Session::Wait::kMessage:
      s.complete_message(Reply{250, "2.0.0", "Ok"});
      break;
    case Session::Wait::kAuth:
      if (host.auths % 2) {
        s.complete_auth(std::string("a@b.example"), Reply{});
      } else {
        s.complete_auth(std::nullopt, Reply{535, "5.7.8", "Authentication credentials invalid"});
      }
      break;
    case Session::Wait::kStartTls:
      s.tls_started();
      break;
    case Session::Wait::kNone:
      break;
  }
}

Outcome run(const SessionOptions& options, bool tls, std::string_view in, size_t stride_seed) {
  Host host;
  host.limit = options.max_message_bytes;
  Outcome o;
  {
    Session s(options, host, tls);
    host.session = &s;
    s.start();
    std::string pending;
    size_t pos = 0;
    size_t step = 0;
    while (!s.closing()) {
      if (pos < in.size()) {
        size_t n = stride_seed == 0
                       ? in.size() - pos
                       : 1 + (static_cast<unsigned char>(in[pos]) + step) % stride_seed;
        if (n > in.size() - pos) n = in.size() - pos;
        pending.append(in.substr(pos, n));
        pos += n;
        ++step;
      }
      for (;;) {
        size_t used = s.feed(pending);
        require(used <= pending.size());
        pending.erase(0, used);
        if (s.waiting() == Session::Wait::kNone) break;
        answer(s, host);
      }
      if (pos == in.size()) break;
    }
    o.output = s.output();
  }
  require(host.open == 0);
  o.log = host.log;
  return o;
}

void check_replies(std::string_view out) {
  size_t i = 0;
  while (i < out.size()) {
    size_t end = out.find("\r\n", i);
    require(end != std::string_view::npos);
    std::string_view line = out.substr(i, end - i);
    require(line.size() >= 4);
    for (int k = 0; k < 3; ++k) require(line[k] >= '0' && line[k] <= '9');
    require(line[3] == ' ' || line[3] == '-');
    require(line.find('\r') == std::string_view::npos && line.find('\n') == std::string_view::npos);
    i = end + 2;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  uint8_t mode = data[0];
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  SessionOptions o;
  o.hostname = "mx.example";
  o.role = (mode & 1) ? Role::kSubmission : Role::kMx;
  o.starttls_available = mode & 2;
  o.auth_enabled = mode & 4;
  o.auth_required = (mode & 5) == 5;
  o.auth_requires_tls = !(mode & 8);
  o.max_message_bytes = (mode & 16) ? 64 : 4096;
  o.max_command_line = (mode & 32) ? 40 : 512;
  o.max_recipients = 3;
  o.max_errors = (mode & 64) ? 5 : 50;
  o.bare_lf_policy = (mode & 128) ? BareLfPolicy::kRefuse : BareLfPolicy::kAccept;
  bool tls = (mode & 3) == 1;

  Outcome whole = run(o, tls, in, 0);
  check_replies(whole.output);
  Outcome pieces = run(o, tls, in, 7);
  require(pieces.output == whole.output);
  require(pieces.log == whole.log);
  Outcome bytes = run(o, tls, in, 1);
  require(bytes.output == whole.output);
  require(bytes.log == whole.log);
  return 0;
}
