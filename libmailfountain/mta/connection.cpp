// mta/connection.cpp — one SMTP client connection: the socket (plain or TLS) under an
// smtp::Session, and the session's host: policy decisions, the message's body file and
// its delivery into the mailbox store.
#include "mta/local_outcome.h"
#include "mta/outbound_request.h"
#include "mta/quota_notice.h"
#include "mta/received.h"
#include "mta/server_impl.h"
#include "queue/queue_store.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <fmt/format.h>

#include <set>

namespace mf::mta {

using smtp::Reply;

namespace {

smtp::Role session_role(ListenerRole role) {
  switch (role) {
    case ListenerRole::kMx:
      return smtp::Role::kMx;
    case ListenerRole::kSubmission:
      return smtp::Role::kSubmission;
    case ListenerRole::kSubmissions:
      return smtp::Role::kSubmissions;
    case ListenerRole::kImap:
    case ListenerRole::kImaps:
    case ListenerRole::kPop3:
    case ListenerRole::kPop3s:
    case ListenerRole::kHttp:
      break;  // IMAP, POP3 and HTTP listeners get their own connections
  }
  return smtp::Role::kMx;
}

// Input held while the session waits (for a password check, a commit) is bounded: past
// this, libevent stops reading the socket until the session drains it.
constexpr size_t kMaxBufferedInput = 1 << 20;

}  // namespace

Connection::Connection(MailServerImpl& server, uint64_t id, ListenerRole role, std::string ip,
                       std::shared_ptr<const Settings> settings)
    : server_(server), id_(id), role_(role), ip_(std::move(ip)), settings_(std::move(settings)) {
  client_.ip = ip_;
  client_.role = role_;
  client_.trusted = settings_->trusted.contains(std::string_view(ip_));
}

Connection::~Connection() {
  // The session first: it may abandon a message in progress through on_message_abort.
  session_.reset();
  if (auth_timer_ != nullptr) event_free(auth_timer_);
  if (bev_ != nullptr) bufferevent_free(bev_);
}

bool Connection::start(int fd) {
  bev_ = bufferevent_socket_new(server_.base(), fd, BEV_OPT_CLOSE_ON_FREE);
  if (bev_ == nullptr) {
    ::close(fd);
    return false;
  }
  const ServerConfig& cfg = settings_->config;
  smtp::SessionOptions o;
  o.hostname = settings_->hostname;
  o.role = session_role(role_);
  o.starttls_available = role_ != ListenerRole::kSubmissions;
  o.auth_enabled = role_ != ListenerRole::kMx;
  o.auth_required = role_ != ListenerRole::kMx;
  o.max_message_bytes = cfg.limits.max_message_bytes;
  o.max_recipients = cfg.limits.max_recipients;
  o.max_command_line = cfg.limits.max_command_line;
  o.max_errors = cfg.limits.max_errors;
  const bool implicit_tls = role_ == ListenerRole::kSubmissions;
  session_ = std::make_unique<smtp::Session>(o, *this, implicit_tls);
  if (implicit_tls) {
    auto wrapped = net::tls_wrap_server(server_.base(), bev_, settings_->tls_strict);
    if (!wrapped.is_ok()) {
      log(LogLevel::kWarning, fmt::format("TLS setup failed: {}", wrapped.status().message()));
      return false;
    }
    bev_ = wrapped->bev;
    tls_ = wrapped->tls;
  }
  bufferevent_setwatermark(bev_, EV_READ, 0, kMaxBufferedInput);
  set_callbacks();
  set_timeout(cfg.limits.command_timeout_seconds);
  bufferevent_enable(bev_, EV_READ | EV_WRITE);
  session_->start();
  flush();
  return true;
}

void Connection::set_callbacks() {
  bufferevent_setcb(bev_, &Connection::read_cb, &Connection::write_cb, &Connection::event_cb, this);
}

void Connection::set_timeout(uint32_t seconds) {
  timeval tv{static_cast<time_t>(seconds), 0};
  bufferevent_set_timeouts(bev_, &tv, &tv);
}

void Connection::read_cb(bufferevent*, void* arg) {
  static_cast<Connection*>(arg)->on_read();
}
void Connection::write_cb(bufferevent*, void* arg) {
  static_cast<Connection*>(arg)->on_written();
}
void Connection::event_cb(bufferevent*, short what, void* arg) {
  static_cast<Connection*>(arg)->on_event(what);
}

void Connection::on_read() {
  auto self = shared_from_this();
  pump();
}

void Connection::pump() {
  // A completion may come synchronously from inside feed() (a refusal at end of data):
  // the outer loop goes on with the input then; a nested pump would drain it twice.
  if (closed_ || draining_ || pumping_) return;
  pumping_ = true;
  struct Done {
    bool& flag;
    ~Done() { flag = false; }
  } done{pumping_};
  for (;;) {
    evbuffer* in = bufferevent_get_input(bev_);  // STARTTLS changes bev_
    if (session_->waiting() != smtp::Session::Wait::kNone || session_->closing()) break;
    size_t len = evbuffer_get_length(in);
    if (len == 0) break;
    const char* p = reinterpret_cast<const char*>(evbuffer_pullup(in, static_cast<ssize_t>(len)));
    size_t used = session_->feed(std::string_view(p, len));
    evbuffer_drain(in, used);
    if (session_->waiting() == smtp::Session::Wait::kStartTls) {
      flush();
      start_tls();
      if (closed_) return;
      continue;
    }
    if (used == 0) break;
  }
  flush();
}

void Connection::start_tls() {
  auto wrapped = net::tls_wrap_server(
      server_.base(), bev_,
      settings_->tls_mx && role_ == ListenerRole::kMx ? settings_->tls_mx : settings_->tls_strict);
  if (!wrapped.is_ok()) {
    log(LogLevel::kWarning, fmt::format("STARTTLS failed: {}", wrapped.status().message()));
    close();
    return;
  }
  if (wrapped->discarded_plaintext > 0)
    log(LogLevel::kWarning, fmt::format("discarded {} bytes of plaintext pipelined after STARTTLS",
                                        wrapped->discarded_plaintext));
  bev_ = wrapped->bev;
  tls_ = wrapped->tls;
  bufferevent_setwatermark(bev_, EV_READ, 0, kMaxBufferedInput);
  set_callbacks();
  set_timeout(settings_->config.limits.command_timeout_seconds);
  bufferevent_enable(bev_, EV_READ | EV_WRITE);
  session_->tls_started();
}

void Connection::flush() {
  if (closed_) return;
  std::string& out = session_->output();
  if (!out.empty()) {
    bufferevent_write(bev_, out.data(), out.size());
    out.clear();
  }
  if (session_->closing() && !draining_) {
    draining_ = true;
    bufferevent_disable(bev_, EV_READ);
    if (tls_ != nullptr) net::tls_shutdown(bev_);
    on_written();
  }
}

void Connection::on_written() {
  if (!draining_ || closed_) return;
  size_t unsent = tls_ != nullptr ? net::tls_unsent_bytes(bev_)
                                  : evbuffer_get_length(bufferevent_get_output(bev_));
  if (unsent == 0) close();
}

void Connection::on_event(short what) {
  auto self = shared_from_this();
  if (what & BEV_EVENT_CONNECTED) return;  // the TLS handshake completed
  if (what & BEV_EVENT_TIMEOUT) {
    if (draining_) return close();
    log(LogLevel::kInfo, "timeout");
    session_->timed_out();
    flush();
    return;
  }
  if (what & BEV_EVENT_ERROR) {
    if (tls_ != nullptr && !net::tls_last_error(*tls_).empty())
      log(LogLevel::kInfo, net::tls_last_error(*tls_));
  }
  close();
}

void Connection::close() {
  if (closed_) return;
  closed_ = true;
  if (bev_ != nullptr) bufferevent_disable(bev_, EV_READ | EV_WRITE);
  log(LogLevel::kInfo, "disconnect");
  server_.connection_closed(id_);
}

void Connection::shut_down() {
  if (closed_) return;
  if (session_->waiting() == smtp::Session::Wait::kMessage) return;  // after its reply
  session_->shutting_down();
  flush();
}

void Connection::log(LogLevel level, std::string_view line) {
  if (!queue_id_.empty()) {
    server_.log(level, fmt::format("{}: {}", queue_id_, line));
  } else {
    server_.log(level, fmt::format("[{}] {}", ip_, line));
  }
}

// ---- SessionHost ----

std::optional<Reply> Connection::on_mail(const smtp::Envelope& env, const smtp::MailCommand& mail) {
  auto refusal = server_.policy().check_sender(client_, env, mail, server_.now());
  if (refusal) {
    log(LogLevel::kInfo,
        fmt::format("reject: MAIL from [{}]: {} {} {}; from=<{}>", ip_, refusal->code,
                    refusal->enhanced, refusal->text, mail.sender.mailbox()));
    return refusal;
  }
  recipients_.clear();
  queue_id_.clear();
  return std::nullopt;
}

std::optional<Reply> Connection::on_rcpt(const smtp::Envelope& env, const smtp::RcptCommand& rcpt) {
  RcptDecision d =
      server_.policy().check_recipient(client_, env, rcpt, recipients_.size(), server_.now());
  if (d.refusal) {
    log(LogLevel::kInfo,
        fmt::format("reject: RCPT from [{}]: {} {} {}; from=<{}> to=<{}>", ip_, d.refusal->code,
                    d.refusal->enhanced, d.refusal->text, env.sender ? env.sender->mailbox() : "",
                    rcpt.recipient.mailbox()));
    return d.refusal;
  }
  recipients_.push_back(std::move(d.accepted));
  return std::nullopt;
}

std::optional<Reply> Connection::on_message_start(const smtp::Envelope& env) {
  queue_id_ = server_.next_queue_id();
  auto writer = server_.store().begin_body();
  if (!writer.is_ok()) {
    log(LogLevel::kError, fmt::format("cannot create a body file: {}", writer.status().message()));
    queue_id_.clear();
    return Reply{451, "4.3.0", "Error: queue file write error"};
  }
  writer_.emplace(std::move(*writer));
  write_status_ = Status();

  ReceivedInfo r;
  r.helo = env.helo;
  r.client_ip = ip_;
  r.hostname = settings_->hostname;
  r.queue_id = queue_id_;
  r.esmtp = env.esmtp;
  r.tls = env.tls;
  r.authenticated = !env.authenticated_as.empty();
  r.smtputf8 = env.mail_params.smtputf8;
  if (tls_ != nullptr) r.tls_clause = net::tls_received_clause(net::tls_info(*tls_));
  if (env.recipients.size() == 1) r.recipient = env.recipients.front().path.mailbox();
  r.date = mime::DateTime{server_.now(), 0, false};

  IncomingOptions o;
  o.max_header_bytes = settings_->config.limits.max_header_bytes;
  o.complete_header = role_ != ListenerRole::kMx && !env.authenticated_as.empty();
  o.now = r.date;
  o.message_id = fmt::format("{}@{}", queue_id_, settings_->hostname);
  incoming_.emplace(o, received_field(r),
                    [this](std::string_view bytes) { return writer_->append(bytes); });
  set_timeout(settings_->config.limits.data_timeout_seconds);
  return std::nullopt;
}

void Connection::on_message_bytes(std::string_view bytes) {
  if (!incoming_ || !write_status_.is_ok()) return;
  write_status_ = incoming_->append(bytes);
}

void Connection::reset_message() {
  incoming_.reset();
  writer_.reset();  // deletes an unfinished body file
  set_timeout(settings_->config.limits.command_timeout_seconds);
}

void Connection::on_message_abort() {
  if (incoming_ && !queue_id_.empty()) log(LogLevel::kInfo, "message abandoned");
  reset_message();
  queue_id_.clear();
}

void Connection::on_message_end(const smtp::Envelope& env, const smtp::DataStats& stats) {
  (void)stats;
  if (write_status_.is_ok()) write_status_ = incoming_->finish();
  if (!write_status_.is_ok()) {
    log(LogLevel::kError, fmt::format("writing the message failed: {}", write_status_.message()));
    reset_message();
    return complete(Reply{451, "4.3.0", "Error: queue file write error"});
  }
  if (auto refusal = server_.policy().check_message(
          client_, env, *incoming_, settings_->config.limits.max_received_headers)) {
    log(LogLevel::kInfo, fmt::format("reject: end of data: {} {} {}", refusal->code,
                                     refusal->enhanced, refusal->text));
    reset_message();
    server_.count_message(false, 0);
    return complete(*refusal);
  }
  auto staged = writer_->finish();
  const uint64_t size = incoming_->bytes_written();
  const std::string message_id = incoming_->message_id();
  const std::string dkim_domain = server_.policy().signing_domain(incoming_->from());
  reset_message();
  if (!staged.is_ok()) {
    log(LogLevel::kError, fmt::format("writing the message failed: {}", staged.status().message()));
    return complete(Reply{451, "4.3.0", "Error: queue file write error"});
  }

  // One delivery per account, whatever the number of recipient addresses reaching it: the
  // first address that reached it names it in Delivered-To.
  const std::string sender = env.sender ? env.sender->mailbox() : "";
  std::vector<mailbox::Delivery> deliveries;
  std::vector<LocalCopy> copies;
  std::set<std::string> seen;
  for (size_t i = 0; i < recipients_.size(); ++i) {
    const AcceptedRecipient& r = recipients_[i];
    for (const std::string& box : r.mailboxes) {
      if (!seen.insert(box).second) continue;
      mailbox::Delivery d;
      d.account = box;
      d.prefix = delivery_prefix(sender, r.address);
      d.quota = mailbox::QuotaMode::kEnforceAndWarn;
      deliveries.push_back(std::move(d));
      copies.push_back(LocalCopy{box, r.address, i});
    }
  }
  log(LogLevel::kInfo, fmt::format("from=<{}>, size={}, nrcpt={}, message-id=<{}>, client=[{}]{}",
                                   sender, size, env.recipients.size(), message_id, ip_,
                                   env.authenticated_as.empty()
                                       ? ""
                                       : fmt::format(", sasl_username={}", env.authenticated_as)));

  // The remote recipients are queued in the same commit as the local copies, and so are
  // the DSN entries of the copies the store refused (mta/local_outcome.h).
  OutboundInfo info;
  info.queue_id = queue_id_;
  info.size = size;
  info.dkim_domain = dkim_domain;
  info.origin_kind =
      env.authenticated_as.empty() ? queue::OriginKind::kClientIp : queue::OriginKind::kAccount;
  info.origin = env.authenticated_as.empty() ? ip_ : env.authenticated_as;
  info.forward_sender = server_.forward_sender();
  auto parts = std::make_shared<std::vector<QueuedPart>>(outbound_parts(env, recipients_, info));
  size_t remote = 0;
  for (const QueuedPart& part : *parts) remote += part.recipients.size();
  // What the last run of the transaction bounced (it may run more than once), read after
  // the commit.
  auto bounced = std::make_shared<std::vector<std::pair<std::string, std::string>>>();
  const int64_t now = server_.now();
  mailbox::InCommitAfter in_commit =
      [parts, remote, bounced, now, env, copies, info](
          store::Txn& txn, uint64_t body_id,
          const std::vector<mailbox::DeliveryOutcome>& outcomes) -> Status {
    bounced->clear();
    size_t delivered = 0;
    for (const auto& o : outcomes) delivered += o.is_ok() ? 1 : 0;
    if (!message_taken(delivered, remote)) return Status::ok();  // refused whole: no DSN
    for (QueuedPart& part : *parts) {
      part.message.body_id = body_id;
      MF_RETURN_IF_ERROR(queue::enqueue(txn, part.message, part.recipients, now).status());
    }
    std::optional<LocalBounce> bounce = local_bounce(env, copies, outcomes, info);
    if (!bounce) return Status::ok();
    bounce->part.message.body_id = body_id;
    MF_ASSIGN_OR_RETURN(uint64_t id,
                        queue::enqueue(txn, bounce->part.message, bounce->part.recipients, now));
    for (uint32_t i = 0; i < bounce->part.recipients.size(); ++i) {
      MF_RETURN_IF_ERROR(
          queue::bounced(txn, queue::EntryRef{id, i}, bounce->replies[i], now).status());
      bounced->emplace_back(bounce->part.recipients[i].address, bounce->replies[i]);
    }
    return Status::ok();
  };

  std::weak_ptr<Connection> weak = weak_from_this();
  MailServerImpl* server = &server_;
  std::string qid = queue_id_;
  std::string account = env.authenticated_as;
  size_t nrcpt = env.recipients.size();
  server_.poster().expect();
  server_.store().deliver(
      std::move(*staged), std::move(deliveries), std::move(in_commit),
      [weak, server, qid, copies, account, nrcpt, parts, remote, bounced](
          Status committed, std::vector<mailbox::DeliveryOutcome> out) {
        server->poster().post([weak, server, qid, copies, account, nrcpt, parts, remote, bounced,
                               committed, out = std::move(out)]() {
          const bool queued = remote > 0 && committed.is_ok();
          if (queued) {
            for (const QueuedPart& part : *parts) {
              for (const queue::NewRecipient& r : part.recipients) {
                server->log(LogLevel::kInfo,
                            fmt::format("{}: to=<{}>, status=queued (for delivery to {})", qid,
                                        r.address, r.domain));
              }
            }
            server->outbound_queued();
          } else if (remote > 0) {
            server->log(LogLevel::kError, fmt::format("{}: queueing {} remote recipient(s) "
                                                      "failed: {}",
                                                      qid, remote, committed.message()));
          }
          const Reply reply = end_of_data_reply(out, remote, queued, qid);
          const bool taken = reply.code == 250;
          size_t ok = 0;
          for (size_t i = 0; i < out.size(); ++i) {
            const std::string& to = i < copies.size() ? copies[i].address : std::string();
            if (out[i].is_ok()) {
              ++ok;
              server->log(LogLevel::kInfo,
                          fmt::format("{}: to=<{}>, orig_to=<{}>, relay=local, status=sent "
                                      "(delivered to {} uid {})",
                                      qid, out[i]->account, to, out[i]->folder, out[i]->uid));
              if (out[i]->quota_warning)
                send_quota_warning(*server, out[i]->account, *out[i]->quota_warning);
            } else if (taken && committed.is_ok() && i < copies.size()) {
              server->log(LogLevel::kInfo,
                          fmt::format("{}: to=<{}>, orig_to=<{}>, relay=local, status=bounced "
                                      "({})",
                                      qid, copies[i].account, to,
                                      local_refusal_reply(copies[i].account, out[i].status())));
            } else {
              server->log(LogLevel::kWarning,
                          fmt::format("{}: orig_to=<{}>, relay=local, status=deferred ({})", qid,
                                      to, out[i].status().message()));
            }
          }
          if (taken && committed.is_ok() && !bounced->empty()) server->reports_pending();
          if (taken && !account.empty()) server->limiter().record(account, 1, nrcpt, server->now());
          server->count_message(taken, ok);
          if (auto c = weak.lock()) c->complete(reply);
        });
      });
}

void Connection::complete(const Reply& reply) {
  if (closed_) return;
  queue_id_.clear();
  recipients_.clear();
  session_->complete_message(reply);
  if (server_.stopping()) {
    session_->shutting_down();
    flush();
    return;
  }
  pump();
}

void Connection::on_auth(const smtp::Envelope& env, const smtp::Credentials& credentials) {
  (void)env;
  AuthThrottle::Verdict v = server_.throttle().check(ip_, credentials.login, server_.now_ms());
  if (v.kind != AuthThrottle::Verdict::Kind::kAllow) {
    log(LogLevel::kWarning,
        fmt::format("AUTH refused: too many failures for login {} from [{}] ({}s left)",
                    credentials.login, ip_, v.retry_after));
    session_->complete_auth(
        std::nullopt,
        Reply{454, "4.7.0", "Too many failed logins from this address; try again later"});
    return;
  }
  // An authorisation identity other than the login itself is not supported (there are no
  // master users): refuse it rather than ignore it.
  if (!credentials.authzid.empty() && credentials.authzid != credentials.login) {
    session_->complete_auth(std::nullopt,
                            Reply{535, "5.7.8", "Authentication credentials invalid"});
    return;
  }
  pending_auth_ = credentials;
  if (v.delay_ms == 0) return run_auth();
  // Slow down a guesser: the check starts after the delay. The timer belongs to the
  // connection and dies with it.
  if (auth_timer_ == nullptr)
    auth_timer_ = evtimer_new(
        server_.base(), [](int, short, void* arg) { static_cast<Connection*>(arg)->run_auth(); },
        this);
  timeval tv{static_cast<time_t>(v.delay_ms / 1000),
             static_cast<suseconds_t>((v.delay_ms % 1000) * 1000)};
  evtimer_add(auth_timer_, &tv);
}

void Connection::run_auth() {
  smtp::Credentials credentials = std::move(pending_auth_);
  pending_auth_ = smtp::Credentials{};
  std::weak_ptr<Connection> weak = weak_from_this();
  MailServerImpl* server = &server_;
  std::string login = credentials.login;
  std::string mechanism = credentials.mechanism;
  server_.poster().expect();
  server_.context().authenticate_async(
      credentials.login, credentials.password, Service::kSmtp, ip_,
      [weak, server, login, mechanism](Result<Principal> result) {
        server->poster().post([weak, login, mechanism, result = std::move(result)]() mutable {
          if (auto c = weak.lock()) c->finish_auth(login, mechanism, std::move(result));
        });
      });
}

void Connection::finish_auth(const std::string& login, const std::string& mechanism,
                             Result<Principal> result) {
  if (closed_) return;
  const bool ok = result.is_ok();
  server_.throttle().record(ip_, login, ok, server_.now_ms());
  if (ok) {
    log(LogLevel::kInfo, fmt::format("AUTH {} as {}", mechanism, result->name()));
    session_->complete_auth(result->name(), Reply{});
  } else if (result.status().code() == Code::kFailedPrecondition) {
    log(LogLevel::kWarning, fmt::format("AUTH failed for {}: account disabled", login));
    session_->complete_auth(std::nullopt,
                            Reply{535, "5.7.8", "Authentication credentials invalid"});
  } else if (result.status().code() == Code::kUnauthenticated) {
    log(LogLevel::kWarning, fmt::format("AUTH failed for {} from [{}]", login, ip_));
    session_->complete_auth(std::nullopt,
                            Reply{535, "5.7.8", "Authentication credentials invalid"});
  } else {
    log(LogLevel::kError, fmt::format("AUTH error: {}", result.status().message()));
    session_->complete_auth(std::nullopt, Reply{454, "4.7.0", "Temporary authentication failure"});
  }
  pump();
}

}  // namespace mf::mta
