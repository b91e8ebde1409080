// Fuzz target: the SMTP client state machine (smtp/client_session.h) and its reply
// parser. The first byte picks the configuration (TLS policy, credentials, reply limits,
// what the message needs); the rest is what a server sends, in reads separated by NUL
// bytes. A glue answers every event at once: Ready starts one of two transactions (then
// QUIT), StartTls skips the rest of the read and completes the handshake, DowngradeNeeded
// restarts with a 7-bit body, and the body is written whenever it is wanted. It checks that
// - fed whole reads, reads cut in data-derived pieces, or a byte at a time, the client
//   sends the same bytes and reports the same events (the count of bytes dropped after
//   STARTTLS aside, which depends on the split by design; their total does not);
// - every transaction reports exactly one result per recipient, and nothing follows Closed;
// - what the client sends never has a bare LF, so no receiver can read a line end, or an
//   end of data, that another would not.
#include "smtp/client_session.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

using namespace mf::smtp;

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

struct StringBody : BodySource {
  std::string_view text;
  size_t pos = 0;
  explicit StringBody(std::string_view t) : text(t) {}
  mf::Result<size_t> read(std::string& out, size_t max) override {
    size_t n = std::min(max, text.size() - pos);
    out.append(text.substr(pos, n));
    pos += n;
    return n;
  }
};

constexpr std::string_view kBody = "Subject: x\r\n\r\n.\r\n..\nbare\n.\n\r.\r\nend";

struct Outcome {
  std::string sent;
  std::string events;
  size_t discarded = 0;
};

struct Glue {
  ClientSession session;
  uint8_t mode;
  size_t budget;
  int transactions = 0;
  size_t recipients = 0;
  bool closed = false;
  bool skip_read = false;  // StartTls: the rest of this read is dropped
  std::optional<StringBody> body;
  Outcome out;

  Glue(ClientSession s, uint8_t m) : session(std::move(s)), mode(m), budget(1 + (m >> 5)) {}

  ClientEnvelope envelope(bool downgraded) const {
    ClientEnvelope e;
    e.mail_from = "a@example.org";
    e.recipients.push_back(
        {"b@example.net", Notify{false, true, false}, Orcpt{"rfc822", "b@example.net"}});
    e.recipients.push_back({"c@example.net", std::nullopt, std::nullopt});
    if (transactions == 2) e.recipients.push_back({"d@example.net", std::nullopt, std::nullopt});
    e.size = (mode & 8) ? 100000000 : kBody.size();
    e.body = (mode & 16) && !downgraded ? Body::k8BitMime : Body::kUnspecified;
    e.smtputf8 = (mode & 4) && transactions == 1;
    e.envid = "id+1";
    e.ret = Ret::kHeaders;
    return e;
  }

  void start(bool downgraded) {
    if (transactions >= 2 && !downgraded) {
      session.quit();
      return;
    }
    if (!downgraded) ++transactions;
    ClientEnvelope e = envelope(downgraded);
    recipients = e.recipients.size();
    body.emplace(kBody);
    require(session.start_transaction(e, *body).is_ok());
  }

  // Answers every event and want until the session waits for the server.
  void react() {
    for (int guard = 0; guard < 100; ++guard) {
      bool acted = false;
      while (session.wants_body()) {
        session.write_body(budget);
        acted = true;
      }
      for (ClientEvent& e : session.take_events()) {
        require(!closed);
        acted = true;
        if (auto* tls = std::get_if<client_event::StartTls>(&e)) {
          out.discarded += tls->discarded_bytes;
          out.events += "starttls\n";
          skip_read = true;
          session.tls_started();
          continue;
        }
        out.events += describe(e) + "\n";
        if (auto* done = std::get_if<client_event::TransactionDone>(&e)) {
          require(done->results.size() == recipients);
        } else if (std::holds_alternative<client_event::Closed>(e)) {
          closed = true;
        } else if (std::holds_alternative<client_event::DowngradeNeeded>(e)) {
          start(true);
        }
      }
      if (session.phase() == ClientPhase::kIdle) {
        start(false);
        acted = true;
      }
      out.sent += session.output();
      session.output().clear();
      if (!acted) return;
    }
    require(false);  // the session keeps asking: a loop
  }

  // Feeds one read, cut in pieces of data-derived sizes (whole when stride is 0).
  void read(std::string_view in, size_t stride) {
    std::string pending;
    size_t pos = 0;
    skip_read = false;
    while (pos < in.size() && !skip_read) {
      size_t n =
          stride == 0 ? in.size() - pos : 1 + (static_cast<unsigned char>(in[pos]) + pos) % stride;
      n = std::min(n, in.size() - pos);
      pending.append(in.substr(pos, n));
      pos += n;
      while (!pending.empty() && !skip_read) {
        size_t used = session.feed(pending);
        require(used <= pending.size());
        pending.erase(0, used);
        react();
        if (used == 0) break;
      }
      if (skip_read) out.discarded += pending.size() + (in.size() - pos);
    }
    require(pending.empty() || skip_read);
  }
};

Outcome run(const ClientConfig& config, uint8_t mode, std::string_view in, size_t stride) {
  Glue glue(std::move(ClientSession::create(config).value()), mode);
  glue.react();
  size_t start = 0;
  while (start <= in.size()) {
    size_t end = in.find('\0', start);
    if (end == std::string_view::npos) end = in.size();
    glue.read(in.substr(start, end - start), stride);
    start = end + 1;
  }
  glue.session.connection_lost();
  glue.react();
  require(glue.closed);
  return glue.out;
}

void check_sent(std::string_view sent) {
  for (size_t i = 0; i < sent.size(); ++i) {
    if (sent[i] == '\n') require(i > 0 && sent[i - 1] == '\r');
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  uint8_t mode = data[0];
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  ClientConfig c;
  c.helo_name = "out.example.org";
  c.tls = static_cast<TlsPolicy>(mode % 3);
  if (mode & 32) c.credentials = ClientCredentials{"user", "pass"};
  c.auth_requires_tls = !(mode & 64);
  if (mode & 128) c.reply_limits = ReplyParserLimits{40, 4};

  Outcome whole = run(c, mode, in, 0);
  check_sent(whole.sent);
  Outcome pieces = run(c, mode, in, 7);
  require(pieces.sent == whole.sent);
  require(pieces.events == whole.events);
  require(pieces.discarded == whole.discarded);
  Outcome bytes = run(c, mode, in, 1);
  require(bytes.sent == whole.sent);
  require(bytes.events == whole.events);
  require(bytes.discarded == whole.discarded);
  return 0;
}
