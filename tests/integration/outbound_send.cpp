// outbound_send — sends a message file over ONE outbound SMTP connection
// (libmailfountain/outbound/smtp_connection.h) and prints what happened as JSON lines. A
// test driver: tests/integration/test_outbound_connection.py points it at smtp-sink and
// at small Python SMTP servers on loopback.
//
//   outbound_send --host [NAME=]ADDR[,ADDR...] [--host ...] --port N
//                 [--tls none|may|require] [--verify none|optional|require] [--ca FILE]
//                 [--helo NAME] [--bind ADDR] [--timeout SECONDS] [--idle SECONDS]
//                 --from A --to B [--to C...] [--messages K] [--cancel-after N]
//                 [--cancel-ms MS] [--wake-ms MS] FILE
//
// The hosts are tried in order, their addresses in order (as a Route from DNS would give
// them). FILE (CR LF line ends, or LF, which are converted) is sent K times (default 1),
// each as one transaction to every --to; a file with 8-bit bytes is declared
// BODY=8BITMIME and downgraded with mime::downgrade_to_7bit for a peer without 8BITMIME.
// --cancel-after N calls cancel() when the N-th transaction has been reported;
// --cancel-ms MS calls it MS milliseconds after the start. --wake-ms MS hands out only
// the first message at first, the others MS milliseconds after the start, with wake()
// (use with --idle). The file is read in the blocks
// the connection asks for, so the tool's memory shows the connection's buffering.
// Output, on stdout, one line per recipient result:
//   {"event":"result","message":1,"to":...,"delivery":"delivered|deferred|bounced",
//    "code":250,"enhanced":"2.0.0","text":...,"stage":...,"remote":true,"relay":...,
//    "tls":{"version":...,"cipher":...}|null,"downgraded":false}
// then one line for the connection:
//   {"event":"connection","connected":true,"relay":...,"transactions":K,"failure":{...}|null,
//    "attempts":[{"relay","phase","code","enhanced","text","permanent","remote"}...],
//    "cancelled":false,"tls":...,"tls_discarded_bytes":0,"vm_hwm_kb":N}  (peak RSS)
// The connection's log lines go to stderr. Exit status 0 once `finished` ran, 2 for bad
// arguments, 1 for a setup error, 3 if the loop ended without `finished`.
#include "mime/downgrade.h"
#include "outbound/smtp_connection.h"

#include <event2/event.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using mf::outbound::ConnectionFailure;

// The message from memory, handed out in the blocks the connection asks for.
class StringBody : public mf::smtp::BodySource {
 public:
  explicit StringBody(std::shared_ptr<const std::string> text) : text_(std::move(text)) {}
  mf::Result<size_t> read(std::string& out, size_t max) override {
    size_t n = std::min(max, text_->size() - pos_);
    out.append(*text_, pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::shared_ptr<const std::string> text_;
  size_t pos_ = 0;
};

// The message read from its file as the connection asks for it (so the tool's memory
// shows the connection's buffering, not the file's size), bare LF written as CR LF.
class FileBody : public mf::smtp::BodySource {
 public:
  explicit FileBody(const std::string& path) : in_(path, std::ios::binary) {}
  mf::Result<size_t> read(std::string& out, size_t max) override {
    if (!in_) return size_t{0};
    std::string raw(std::max<size_t>(max / 2, 1), '\0');
    in_.read(raw.data(), static_cast<std::streamsize>(raw.size()));
    raw.resize(static_cast<size_t>(in_.gcount()));
    size_t before = out.size();
    for (char c : raw) {
      if (c == '\n' && last_ != '\r') out.push_back('\r');
      out.push_back(c);
      last_ = c;
    }
    return out.size() - before;
  }

 private:
  std::ifstream in_;
  char last_ = '\0';
};

// The file as sent: its size with CR LF line ends, and whether it has 8-bit bytes.
struct FileFacts {
  uint64_t size = 0;
  bool eight_bit = false;
};

std::optional<FileFacts> scan_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  FileFacts facts;
  char last = '\0';
  std::string block(1 << 16, '\0');
  while (in.read(block.data(), static_cast<std::streamsize>(block.size())) || in.gcount() > 0) {
    for (std::streamsize i = 0; i < in.gcount(); ++i) {
      char c = block[static_cast<size_t>(i)];
      if (c == '\n' && last != '\r') ++facts.size;
      if (static_cast<unsigned char>(c) >= 0x80) facts.eight_bit = true;
      ++facts.size;
      last = c;
    }
  }
  return facts;
}

// The whole file with CR LF line ends (for the downgrade, which needs the message).
std::string load_file(const std::string& path) {
  FileBody body(path);
  std::string text;
  while (true) {
    auto n = body.read(text, 1 << 16);
    if (!n.is_ok() || *n == 0) break;
  }
  return text;
}

const char* delivery_name(mf::smtp::Delivery d) {
  switch (d) {
    case mf::smtp::Delivery::kDelivered:
      return "delivered";
    case mf::smtp::Delivery::kDeferred:
      return "deferred";
    case mf::smtp::Delivery::kBounced:
      return "bounced";
  }
  return "?";
}

const char* stage_name(mf::smtp::Stage s) {
  switch (s) {
    case mf::smtp::Stage::kLocal:
      return "local";
    case mf::smtp::Stage::kConnection:
      return "connection";
    case mf::smtp::Stage::kMail:
      return "mail";
    case mf::smtp::Stage::kRcpt:
      return "rcpt";
    case mf::smtp::Stage::kData:
      return "data";
    case mf::smtp::Stage::kDataEnd:
      return "data-end";
  }
  return "?";
}

nlohmann::json tls_json(const std::optional<mf::net::TlsSessionInfo>& tls) {
  if (!tls) return nullptr;
  return {{"version", tls->version},
          {"cipher", tls->cipher},
          {"server_name", tls->server_name},
          {"peer_verified", tls->peer_verified}};
}

nlohmann::json failure_json(const ConnectionFailure& f) {
  return {{"relay", f.relay},     {"phase", f.phase},
          {"code", f.reply.code}, {"enhanced", f.reply.enhanced},
          {"text", f.reply.text}, {"permanent", f.permanent},
          {"remote", f.remote}};
}

// "[NAME=]ADDR[,ADDR...]": a host as DNS would give it (the name is the first address when
// absent, flagged numeric like an MX target that is an address literal).
bool parse_host(const std::string& arg, mf::dns::MxHost& host) {
  std::string list = arg;
  size_t eq = arg.find('=');
  if (eq != std::string::npos) {
    host.name = arg.substr(0, eq);
    list = arg.substr(eq + 1);
  }
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ',')) {
    auto ip = mf::mta::parse_ip(item);
    if (!ip) return false;
    host.addresses.push_back(*ip);
  }
  if (host.addresses.empty()) return false;
  if (host.name.empty()) {
    host.name = mf::dns::ip_to_string(host.addresses.front());
    host.numeric = true;
  }
  return true;
}

// The process's peak resident set (VmHWM of /proc/self/status, which unlike getrusage()
// does not count what the parent had before exec), in KiB; 0 if unknown.
long peak_rss_kb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return 0;
}

int usage() {
  std::cerr << "usage: outbound_send --host [NAME=]ADDR[,ADDR...] [--host ...] --port N\n"
               "       [--tls none|may|require] [--verify none|optional|require] [--ca FILE]\n"
               "       [--helo NAME] [--bind ADDR] [--timeout SECONDS] [--idle SECONDS]\n"
               "       --from A --to B [--to C...] [--messages K] [--cancel-after N]\n"
               "       [--cancel-ms MS] [--wake-ms MS] FILE\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  mf::outbound::SmtpConnectionConfig config;
  config.session.helo_name = "client.test";
  config.session.tls = mf::smtp::TlsPolicy::kNever;
  mf::net::TlsClientConfig tls_config;
  tls_config.verify = mf::net::TlsVerify::kNone;
  std::string from;
  std::vector<std::string> to;
  std::string file;
  int messages = 1;
  int cancel_after = 0;
  int cancel_ms = 0;
  int wake_ms = 0;
  bool held = false;  // --wake-ms: messages after the first wait for the wake timer
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::exit(usage());
      }
      return argv[++i];
    };
    if (arg == "--host") {
      mf::dns::MxHost host;
      if (!parse_host(value(), host)) return usage();
      config.hosts.push_back(std::move(host));
    } else if (arg == "--port") {
      config.port = static_cast<uint16_t>(std::atoi(value().c_str()));
    } else if (arg == "--tls") {
      std::string v = value();
      if (v == "none") {
        config.session.tls = mf::smtp::TlsPolicy::kNever;
      } else if (v == "may") {
        config.session.tls = mf::smtp::TlsPolicy::kOpportunistic;
      } else if (v == "require") {
        config.session.tls = mf::smtp::TlsPolicy::kRequired;
      } else {
        return usage();
      }
    } else if (arg == "--verify") {
      std::string v = value();
      if (v == "none") {
        tls_config.verify = mf::net::TlsVerify::kNone;
      } else if (v == "optional") {
        tls_config.verify = mf::net::TlsVerify::kOptional;
      } else if (v == "require") {
        tls_config.verify = mf::net::TlsVerify::kRequired;
      } else {
        return usage();
      }
    } else if (arg == "--ca") {
      tls_config.ca_file = value();
    } else if (arg == "--helo") {
      config.session.helo_name = value();
    } else if (arg == "--bind") {
      auto ip = mf::mta::parse_ip(value());
      if (!ip) return usage();
      (ip->family == mf::dns::IpFamily::kIPv4 ? config.bind_ipv4 : config.bind_ipv6) = *ip;
    } else if (arg == "--timeout") {
      std::chrono::seconds s(std::atoi(value().c_str()));
      auto& t = config.timeouts;
      t.connect = t.greeting = t.ehlo = t.starttls = t.auth = t.mail = t.rcpt = t.data_init =
          t.data_block = t.data_done = t.rset = t.quit = s;
    } else if (arg == "--idle") {
      config.timeouts.idle_before_reuse = std::chrono::seconds(std::atoi(value().c_str()));
    } else if (arg == "--from") {
      from = value();
    } else if (arg == "--to") {
      to.push_back(value());
    } else if (arg == "--messages") {
      messages = std::atoi(value().c_str());
    } else if (arg == "--cancel-after") {
      cancel_after = std::atoi(value().c_str());
    } else if (arg == "--cancel-ms") {
      cancel_ms = std::atoi(value().c_str());
    } else if (arg == "--wake-ms") {
      wake_ms = std::atoi(value().c_str());
      held = true;
    } else if (arg == "--help" || arg == "-h") {
      usage();
      return 0;
    } else if (!arg.empty() && arg[0] == '-') {
      return usage();
    } else {
      file = arg;
    }
  }
  if (config.hosts.empty() || to.empty() || file.empty() || messages < 1) return usage();

  std::optional<FileFacts> facts = scan_file(file);
  if (!facts) {
    std::cerr << "outbound_send: cannot read " << file << "\n";
    return 1;
  }

  if (config.session.tls != mf::smtp::TlsPolicy::kNever) {
    auto ctx = mf::net::TlsClientContext::create(tls_config);
    if (!ctx) {
      std::cerr << "outbound_send: " << ctx.status().to_string() << "\n";
      return 1;
    }
    config.tls = *ctx;
  }

  std::unique_ptr<event_base, void (*)(event_base*)> base(event_base_new(), event_base_free);
  int handed_out = 0;
  int reported = 0;
  bool finished = false;
  std::shared_ptr<mf::outbound::SmtpConnection> conn;

  mf::outbound::SmtpConnectionCallbacks cb;
  cb.next_message = [&]() -> std::optional<mf::outbound::OutboundMessage> {
    if (handed_out >= messages || (held && handed_out >= 1)) return std::nullopt;
    mf::outbound::OutboundMessage m;
    m.tag = static_cast<uint64_t>(++handed_out);
    m.envelope.mail_from = from;
    m.envelope.size = facts->size;
    m.envelope.body = facts->eight_bit ? mf::smtp::Body::k8BitMime : mf::smtp::Body::kUnspecified;
    for (const std::string& r : to)
      m.envelope.recipients.push_back({r, std::nullopt, std::nullopt});
    m.body = std::make_unique<FileBody>(file);
    m.downgrade = [file]() -> mf::Result<mf::outbound::DowngradedBody> {
      MF_ASSIGN_OR_RETURN(std::string seven, mf::mime::downgrade_to_7bit(load_file(file)));
      auto shared = std::make_shared<const std::string>(std::move(seven));
      mf::outbound::DowngradedBody d;
      d.size = shared->size();
      d.body = std::make_unique<StringBody>(shared);
      return d;
    };
    return m;
  };
  cb.on_transaction = [&](const mf::outbound::TransactionReport& r) {
    for (const mf::smtp::RecipientResult& res : r.results) {
      nlohmann::json j = {{"event", "result"},      {"message", r.tag},
                          {"to", res.address},      {"delivery", delivery_name(res.delivery)},
                          {"code", res.reply.code}, {"enhanced", res.reply.enhanced},
                          {"text", res.reply.text}, {"stage", stage_name(res.stage)},
                          {"remote", res.remote},   {"relay", r.relay},
                          {"tls", tls_json(r.tls)}, {"downgraded", r.downgraded}};
      std::cout << j.dump() << "\n";
    }
    if (++reported == cancel_after) conn->cancel();
  };
  cb.finished = [&](const mf::outbound::ConnectionSummary& s) {
    nlohmann::json attempts = nlohmann::json::array();
    for (const ConnectionFailure& f : s.attempts) attempts.push_back(failure_json(f));
    nlohmann::json j = {{"event", "connection"},
                        {"connected", s.connected},
                        {"relay", s.relay},
                        {"transactions", s.transactions},
                        {"failure", s.failure ? failure_json(*s.failure) : nlohmann::json()},
                        {"attempts", attempts},
                        {"cancelled", s.cancelled},
                        {"tls", tls_json(s.tls)},
                        {"tls_discarded_bytes", s.tls_discarded_bytes},
                        {"vm_hwm_kb", peak_rss_kb()}};
    std::cout << j.dump() << "\n";
    std::cout.flush();
    finished = true;
  };
  cb.log = [](mf::LogLevel, std::string_view line) { std::cerr << line << "\n"; };

  auto created = mf::outbound::SmtpConnection::create(base.get(), config, std::move(cb));
  if (!created) {
    std::cerr << "outbound_send: " << created.status().to_string() << "\n";
    return 1;
  }
  conn = *created;
  // --cancel-ms: cancel() from a timer, wherever the conversation is then.
  std::unique_ptr<event, void (*)(event*)> cancel_timer(nullptr, event_free);
  if (cancel_ms > 0) {
    cancel_timer.reset(evtimer_new(
        base.get(),
        [](evutil_socket_t, short, void* arg) {
          static_cast<mf::outbound::SmtpConnection*>(arg)->cancel();
        },
        conn.get()));
    timeval tv{cancel_ms / 1000, (cancel_ms % 1000) * 1000};
    evtimer_add(cancel_timer.get(), &tv);
  }
  // --wake-ms: the held messages become available, and the idle connection is woken.
  struct Waker {
    bool* held;
    mf::outbound::SmtpConnection* conn;
  } waker{&held, conn.get()};
  std::unique_ptr<event, void (*)(event*)> wake_timer(nullptr, event_free);
  if (wake_ms > 0) {
    wake_timer.reset(evtimer_new(
        base.get(),
        [](evutil_socket_t, short, void* arg) {
          auto* w = static_cast<Waker*>(arg);
          *w->held = false;
          w->conn->wake();
        },
        &waker));
    timeval tv{wake_ms / 1000, (wake_ms % 1000) * 1000};
    evtimer_add(wake_timer.get(), &tv);
  }
  conn->start();
  if (!finished) event_base_dispatch(base.get());
  cancel_timer.reset();
  wake_timer.reset();
  conn.reset();
  if (!finished) {
    std::cerr << "outbound_send: the loop ended without the connection finishing\n";
    return 3;
  }
  return 0;
}
