// Fuzz target: the POP3 protocol core (pop3/). The input's first byte picks the options
// (TLS from the start, small limits, small slices); the rest is what a client sends.
//   - Every line of the input goes through parse_command() and parse_auth_response(): a
//     refusal is one short line of printable ASCII, never the client's bytes; an accepted
//     command keeps the argument limits.
//   - The whole input drives a session over an in-memory maildrop (messages with dot lines,
//     a bare LF, no final line end), with a host that accepts "u" / "p" and answers every
//     wait at once (and, when the mode says so, finds the maildrop in use the first time). Fed
//     whole, in pieces whose sizes come from the data, or a byte at a time, the session writes the
//     same output and commits the same deletions: nothing depends on how TCP split the stream. (The
//     driver starts "TLS" after STLS and goes on with the bytes that followed, so that the three
//     runs read the same bytes.)
//   - The output is lines ended by CRLF; deletions are committed at most once, in the
//     UPDATE state, as ascending indexes of listed messages.
#include "pop3/command.h"
#include "pop3/session.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

using namespace mf::pop3;

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

void check_text(std::string_view text) {
  require(!text.empty() && text.size() < 100);
  for (char c : text) require(c >= 0x20 && c <= 0x7E);
}

void check_line(std::string_view line) {
  auto cmd = parse_command(line);
  if (!cmd.is_ok()) {
    check_text(cmd.status().message());
  } else {
    require(cmd->text.size() <= kMaxArgument);
    if (cmd->message) require(*cmd->message > 0);
    switch (cmd->name) {
      case CommandName::kRetr:
      case CommandName::kTop:
      case CommandName::kDele:
        require(cmd->message.has_value());
        break;
      case CommandName::kUser:
      case CommandName::kPass:
        require(!cmd->text.empty());
        break;
      case CommandName::kAuth:
        require(cmd->text.size() <= kMaxMechanism);
        break;
      default:
        break;
    }
  }
  auto response = parse_auth_response(line);
  if (!response.is_ok()) check_text(response.status().message());
}

const std::vector<std::string> kBodies = {
    "Subject: a\r\n\r\n.one\r\n..two\r\n.\r\nend\r\n",
    "Subject: b\r\nX: y\r\n\r\nbare\nlf\r\n.",
    "no header at all",
    "",
};

struct Log {
  std::vector<std::vector<size_t>> commits;
  bool committed_in_update = true;
};

class FuzzMaildrop : public Maildrop {
 public:
  FuzzMaildrop(Log& log, const Session& session) : log_(log), session_(session) {
    for (size_t i = 0; i < kBodies.size(); ++i) {
      entries_.push_back({kBodies[i].size(), "uid-" + std::to_string(i)});
    }
  }
  const std::vector<MaildropEntry>& messages() const override { return entries_; }
  mf::Status read(size_t index, uint64_t offset, size_t max, std::string& out) override {
    require(index < kBodies.size());
    const std::string& body = kBodies[index];
    if (offset < body.size()) out.append(body, offset, max);
    return mf::Status::ok();
  }
  mf::Status commit_deletions(const std::vector<size_t>& indexes) override {
    require(!indexes.empty());
    for (size_t i = 0; i < indexes.size(); ++i) {
      require(indexes[i] < kBodies.size());
      if (i > 0) require(indexes[i] > indexes[i - 1]);
    }
    if (session_.state() != Session::State::kUpdate) log_.committed_in_update = false;
    log_.commits.push_back(indexes);
    return mf::Status::ok();
  }

 private:
  std::vector<MaildropEntry> entries_;
  Log& log_;
  const Session& session_;
};

class FuzzHost : public SessionHost {
 public:
  FuzzHost(Log& log, bool first_in_use) : log_(log), first_in_use_(first_in_use) {}
  Session* session = nullptr;
  void check_login(const std::string& login, const std::string& password,
                   std::string_view) override {
    require(!login.empty() && !password.empty());
    const bool ok = login == "u" && password == "p";
    session->complete_login(ok ? LoginOutcome::kOk : LoginOutcome::kFailed, login);
  }
  MaildropOpening open_maildrop(const std::string& account) override {
    require(account == "u");
    MaildropOpening opening;
    if (first_in_use_ && ++opens_ == 1) {
      opening.error = MaildropError::kInUse;  // another session holds the drop
      return opening;
    }
    opening.maildrop = std::make_unique<FuzzMaildrop>(log_, *session);
    return opening;
  }
  void log(mf::LogLevel, std::string_view) override {}

 private:
  Log& log_;
  bool first_in_use_;
  int opens_ = 0;
};

struct Outcome {
  std::string output;
  Log log;
};

void settle(Session& s) {
  for (;;) {
    switch (s.waiting()) {
      case Session::Wait::kWork:
        s.run_work();
        s.finish_work();
        continue;
      case Session::Wait::kStartTls:
        s.tls_started();
        continue;
      case Session::Wait::kLogin:  // the host answers at once
        std::abort();
      case Session::Wait::kNone:
        return;
    }
  }
}

Outcome run(const SessionOptions& options, bool in_use, std::string_view in, size_t stride_seed) {
  Outcome o;
  FuzzHost host(o.log, in_use);
  {
    Session s(options, host);
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
      while (!s.closing()) {
        size_t used = s.feed(pending);
        require(used <= pending.size());
        pending.erase(0, used);
        if (s.waiting() == Session::Wait::kNone) break;
        settle(s);
      }
      if (pos == in.size()) break;
    }
    o.output = s.output();
  }
  return o;
}

void check_output(std::string_view out) {
  require(out.size() >= 2 && out.substr(out.size() - 2) == "\r\n");
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == '\n') require(i > 0 && out[i - 1] == '\r');
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);

  for (size_t at = 0; at <= in.size();) {
    size_t lf = in.find('\n', at);
    if (lf == std::string_view::npos) lf = in.size();
    std::string_view line = in.substr(at, lf - at);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    check_line(line);
    at = lf + 1;
  }

  SessionOptions o;
  o.tls = mode & 1;
  o.starttls_available = mode & 2;
  o.max_command_line = (mode & 4) ? 24 : 512;
  o.max_auth_line = (mode & 4) ? 40 : 2048;
  o.max_bad_commands = (mode & 8) ? 3 : 50;
  o.slice_bytes = (mode & 16) ? 8 : 256;
  o.read_bytes = (mode & 32) ? 3 : 64;
  const bool in_use = mode & 64;

  Outcome whole = run(o, in_use, in, 0);
  check_output(whole.output);
  require(whole.log.commits.size() <= 1);
  require(whole.log.committed_in_update);
  Outcome pieces = run(o, in_use, in, 7);
  require(pieces.output == whole.output);
  require(pieces.log.commits == whole.log.commits);
  Outcome bytes = run(o, in_use, in, 1);
  require(bytes.output == whole.output);
  require(bytes.log.commits == whole.log.commits);
  return 0;
}
