// smtp/client_session.cpp — the SMTP client's conversation (see client_session.h).
// Failure texts follow Postfix's smtp(8) where it has one, so logs read the same.
#include "smtp/client_session.h"

#include "mime/transfer_encoding.h"
#include "smtp/path.h"

#include <fmt/format.h>

#include <utility>

namespace mf::smtp {

namespace {

int reply_class(int code) {
  return code / 100;
}

bool is_helo_fallback_code(int code) {
  // Command unrecognised (500), syntax (501), not implemented (502, 504): a server that
  // predates ESMTP. Other refusals of EHLO are refusals of us.
  return code == 500 || code == 501 || code == 502 || code == 504;
}

Status check_credential(const std::string& s, std::string_view what) {
  if (s.empty() || s.size() > 255 || s.find('\0') != std::string::npos) {
    return invalid_argument(fmt::format("the AUTH {} must be 1 to 255 octets without NUL", what));
  }
  return Status::ok();
}

std::string base64(std::string_view s) {
  return mime::base64_encode(s, mime::Base64Lines::kNone);
}

}  // namespace

Result<ClientSession> ClientSession::create(ClientConfig config) {
  const std::string& name = config.helo_name;
  bool ascii = !name.empty();
  for (char c : name) {
    if (static_cast<unsigned char>(c) >= 0x80) ascii = false;
  }
  bool valid = ascii && (name.front() == '[' ? !address_literal_error(name).has_value()
                                             : !domain_syntax_error(name).has_value());
  if (!valid) return invalid_argument("the HELO name must be an ASCII domain or address literal");
  if (config.credentials) {
    MF_RETURN_IF_ERROR(check_credential(config.credentials->user, "user name"));
    MF_RETURN_IF_ERROR(check_credential(config.credentials->password, "password"));
  }
  return ClientSession(std::move(config));
}

ClientSession::ClientSession(ClientConfig config)
    : config_(std::move(config)), parser_(config_.reply_limits) {
  pending_.push_back(Cmd::kGreeting);
}

std::vector<ClientEvent> ClientSession::take_events() {
  std::vector<ClientEvent> out = std::move(events_);
  events_.clear();
  return out;
}

ClientPhase ClientSession::phase() const {
  switch (state_) {
    case State::kTlsHandshake:
      return ClientPhase::kTlsHandshake;
    case State::kIdle:
      return ClientPhase::kIdle;
    case State::kBody:
      return ClientPhase::kDataBlock;
    case State::kClosed:
      return ClientPhase::kClosed;
    default:
      break;
  }
  if (pending_.empty()) return ClientPhase::kClosed;
  switch (pending_.front()) {
    case Cmd::kGreeting:
      return ClientPhase::kGreeting;
    case Cmd::kEhlo:
    case Cmd::kHelo:
      return ClientPhase::kEhlo;
    case Cmd::kStartTls:
      return ClientPhase::kStartTls;
    case Cmd::kAuthPlain:
    case Cmd::kAuthLogin:
      return ClientPhase::kAuth;
    case Cmd::kMail:
      return ClientPhase::kMail;
    case Cmd::kRcpt:
      return ClientPhase::kRcpt;
    case Cmd::kData:
      return ClientPhase::kDataInit;
    case Cmd::kDataEnd:
    case Cmd::kDataEndDiscard:
      return ClientPhase::kDataDone;
    case Cmd::kRset:
      return ClientPhase::kRset;
    case Cmd::kQuit:
      return ClientPhase::kQuit;
  }
  return ClientPhase::kClosed;
}

size_t ClientSession::feed(std::string_view in) {
  // Before the handshake, nothing the server says can be trusted to be its own.
  if (state_ == State::kClosed || state_ == State::kTlsHandshake) return in.size();
  stop_ = false;
  size_t used = 0;
  while (used < in.size() && !stop_ && state_ != State::kClosed) {
    used += parser_.feed(in.substr(used));
    if (parser_.failed()) {
      protocol_error(parser_.error());
      break;
    }
    if (!parser_.has_reply()) continue;
    handle_reply(parser_.take());
    if (starttls_accepted_) {
      starttls_accepted_ = false;
      emit(client_event::StartTls{in.size() - used});
      return in.size();
    }
  }
  if (state_ == State::kClosed) return in.size();
  return used;
}

void ClientSession::send(std::string_view line, Cmd expect) {
  output_ += line;
  pending_.push_back(expect);
}

void ClientSession::handle_reply(const ServerReply& server_reply) {
  Reply reply = server_reply.condensed();
  if (pending_.empty()) {
    // Nothing was asked: a server that closes an idle connection says 421; anything
    // else is out of step with the conversation. Either way the connection is done.
    fail_connection(reply, false, true, false);
    return;
  }
  if (pending_.front() == Cmd::kQuit) {
    close();  // whatever the reply: the conversation is over
    return;
  }
  Cmd cmd = pending_.front();
  replying_phase_ = phase();
  pending_.pop_front();
  // RFC 5321 §3.8: 421 may answer any command; the server closes the connection.
  if (reply.code == 421) {
    fail_connection(reply, false, true, false);
    replying_phase_.reset();
    return;
  }
  switch (cmd) {
    case Cmd::kGreeting:
    case Cmd::kEhlo:
    case Cmd::kHelo:
    case Cmd::kStartTls:
    case Cmd::kAuthPlain:
    case Cmd::kAuthLogin:
      handle_setup_reply(cmd, server_reply);
      break;
    default:
      handle_transaction_reply(cmd, server_reply);
      break;
  }
  replying_phase_.reset();
}

void ClientSession::handle_setup_reply(Cmd cmd, const ServerReply& server_reply) {
  Reply reply = server_reply.condensed();
  int cls = reply_class(reply.code);
  // A refusal at greeting or EHLO/HELO is the server refusing us; a 5xx there is
  // reported as permanent, the rest as temporary.
  auto refused = [&](bool permanent) { fail_connection(reply, permanent, true, true); };
  switch (cmd) {
    case Cmd::kGreeting:
      if (reply.code == 220) {
        send("EHLO " + config_.helo_name + "\r\n", Cmd::kEhlo);
      } else if (cls == 4 || cls == 5) {
        refused(cls == 5);
      } else {
        protocol_error("unexpected greeting");
      }
      return;
    case Cmd::kEhlo:
      if (cls == 2) {
        caps_ = parse_ehlo_lines(server_reply.lines);
        after_ehlo();
      } else if (is_helo_fallback_code(reply.code)) {
        send("HELO " + config_.helo_name + "\r\n", Cmd::kHelo);
      } else if (cls == 4 || cls == 5) {
        refused(cls == 5);
      } else {
        protocol_error("unexpected reply to EHLO");
      }
      return;
    case Cmd::kHelo:
      if (cls == 2) {
        caps_ = Capabilities{};
        after_ehlo();
      } else if (cls == 4 || cls == 5) {
        refused(cls == 5);
      } else {
        protocol_error("unexpected reply to HELO");
      }
      return;
    case Cmd::kStartTls:
      if (reply.code == 220) {
        state_ = State::kTlsHandshake;
        starttls_accepted_ = true;
      } else if (cls != 4 && cls != 5) {
        protocol_error("unexpected reply to STARTTLS");
      } else if (config_.tls == TlsPolicy::kRequired) {
        fail_connection(reply, false, true, true);
      } else {
        after_tls_decision();  // opportunistic: go on without TLS
      }
      return;
    case Cmd::kAuthPlain:
    case Cmd::kAuthLogin:
      if (reply.code == 235) {
        authenticated_ = true;
        ready();
      } else if (reply.code == 334 && cmd == Cmd::kAuthLogin && login_step_ < 2) {
        // LOGIN's prompts are "Username:" then "Password:"; their text is not checked,
        // as servers word them differently.
        const ClientCredentials& c = *config_.credentials;
        send(base64(login_step_ == 0 ? c.user : c.password) + "\r\n", Cmd::kAuthLogin);
        ++login_step_;
      } else if (cls == 4 || cls == 5) {
        // Like Postfix, a refused login defers rather than bounces: it is the
        // operator's to fix, and the mail must not be lost meanwhile.
        fail_connection(reply, false, true, true);
      } else {
        protocol_error("unexpected reply to AUTH");
      }
      return;
    default:
      return;
  }
}

void ClientSession::after_ehlo() {
  if (!tls_ && config_.tls != TlsPolicy::kNever) {
    if (caps_.starttls) {
      send("STARTTLS\r\n", Cmd::kStartTls);
      return;
    }
    if (config_.tls == TlsPolicy::kRequired) {
      fail_connection(Reply{451, "4.7.4", "TLS is required, but was not offered by host"}, false,
                      false, true);
      return;
    }
  }
  after_tls_decision();
}

void ClientSession::after_tls_decision() {
  if (!config_.credentials || authenticated_) {
    ready();
    return;
  }
  if (!tls_ && config_.auth_requires_tls) {
    fail_connection(Reply{451, "4.7.0", "not sending credentials over a connection without TLS"},
                    false, false, true);
    return;
  }
  const ClientCredentials& c = *config_.credentials;
  if (caps_.offers_auth("PLAIN")) {
    std::string message;
    message += '\0';
    message += c.user;
    message += '\0';
    message += c.password;
    send("AUTH PLAIN " + base64(message) + "\r\n", Cmd::kAuthPlain);
  } else if (caps_.offers_auth("LOGIN")) {
    login_step_ = 0;
    send("AUTH LOGIN\r\n", Cmd::kAuthLogin);
  } else {
    fail_connection(
        Reply{451, "4.7.0",
              "SASL authentication required, but the server offers neither PLAIN nor LOGIN"},
        false, false, true);
  }
}

void ClientSession::tls_started() {
  if (state_ != State::kTlsHandshake) return;
  tls_ = true;
  caps_ = Capabilities{};  // RFC 3207 §4.2: what the server said before TLS is forgotten
  state_ = State::kSetup;
  send("EHLO " + config_.helo_name + "\r\n", Cmd::kEhlo);
}

void ClientSession::ready() {
  state_ = State::kIdle;
  stop_ = true;
  emit(client_event::Ready{});
}

Status ClientSession::start_transaction(const ClientEnvelope& envelope, BodySource& body) {
  if (state_ != State::kIdle) return failed_precondition("the SMTP session is not idle");
  MF_RETURN_IF_ERROR(check_envelope(envelope));

  std::optional<Reply> refusal;
  if (envelope.smtputf8 && !caps_.smtputf8) {
    refusal = Reply{553, "5.6.7", "SMTPUTF8 is required, but was not offered by host"};
  } else if (envelope.size && caps_.size && caps_.size_limit != 0 &&
             *envelope.size > caps_.size_limit) {
    refusal = Reply{552, "5.3.4",
                    fmt::format("message size {} exceeds size limit {} of server", *envelope.size,
                                caps_.size_limit)};
  }
  if (refusal) {
    client_event::TransactionDone done;
    for (const ClientRecipient& r : envelope.recipients) {
      done.results.push_back(
          RecipientResult{r.address, Delivery::kBounced, *refusal, Stage::kLocal, false});
    }
    emit(std::move(done));
    ready();
    return Status::ok();
  }
  if (envelope.body == Body::k8BitMime && !caps_.eightbitmime) {
    emit(client_event::DowngradeNeeded{});
    return Status::ok();
  }

  Transaction t;
  t.envelope = envelope;
  t.body = &body;
  t.results.resize(envelope.recipients.size());
  t.accepted.resize(envelope.recipients.size());
  txn_ = std::move(t);
  state_ = State::kTransaction;
  send(format_mail(txn_->envelope, caps_), Cmd::kMail);
  if (caps_.pipelining) {
    // RFC 2920 §3.1: DATA ends the group; the message waits for its 354.
    for (size_t i = 0; i < txn_->envelope.recipients.size(); ++i) send_rcpt(i);
    send("DATA\r\n", Cmd::kData);
  }
  return Status::ok();
}

void ClientSession::send_rcpt(size_t index) {
  send(format_rcpt(txn_->envelope.recipients[index], caps_), Cmd::kRcpt);
  txn_->next_rcpt = index + 1;
}

void ClientSession::set_result(size_t index, Delivery delivery, const Reply& reply, Stage stage,
                               bool remote) {
  txn_->results[index] =
      RecipientResult{txn_->envelope.recipients[index].address, delivery, reply, stage, remote};
}

// Every accepted recipient without a result yet gets `reply`'s verdict.
void ClientSession::fail_accepted(const Reply& reply, Stage stage) {
  Delivery d = reply_class(reply.code) == 5 ? Delivery::kBounced : Delivery::kDeferred;
  for (size_t i = 0; i < txn_->results.size(); ++i) {
    if (!txn_->results[i] && txn_->accepted[i]) set_result(i, d, reply, stage, true);
  }
}

void ClientSession::handle_transaction_reply(Cmd cmd, const ServerReply& server_reply) {
  Reply reply = server_reply.condensed();
  int cls = reply_class(reply.code);
  Transaction& t = *txn_;
  const bool pipelined = caps_.pipelining;
  switch (cmd) {
    case Cmd::kMail:
      if (cls == 2) {
        if (!pipelined) send_rcpt(0);
      } else if (cls == 4 || cls == 5) {
        t.mail_refusal = reply;
        // Pipelined, the RCPT and DATA replies still come (503) and are skipped.
        if (!pipelined) end_transaction(true);
      } else {
        protocol_error("unexpected reply to MAIL");
      }
      return;
    case Cmd::kRcpt: {
      size_t index = 0;
      // The RCPT replies come in order: the index is the count of those before.
      for (Cmd c : pending_) {
        if (c == Cmd::kRcpt) ++index;
      }
      index = t.next_rcpt - 1 - index;
      if (cls != 2 && cls != 4 && cls != 5) {
        protocol_error("unexpected reply to RCPT");
        return;
      }
      if (!t.mail_refusal) {
        if (cls == 2) {
          t.accepted[index] = true;
          ++t.accepted_count;
        } else {
          set_result(index, cls == 5 ? Delivery::kBounced : Delivery::kDeferred, reply,
                     Stage::kRcpt, true);
        }
      }
      if (!pipelined) {
        if (t.next_rcpt < t.envelope.recipients.size()) {
          send_rcpt(t.next_rcpt);
        } else if (t.accepted_count > 0) {
          send("DATA\r\n", Cmd::kData);
        } else {
          end_transaction(true);
        }
      }
      return;
    }
    case Cmd::kData:
      if (reply.code == 354) {
        if (!t.mail_refusal && t.accepted_count > 0) {
          state_ = State::kBody;
          stop_ = true;
        } else {
          // RFC 2920 §3.1: a server may accept DATA with no valid recipient; an empty
          // message ends it, and the server delivers it to nobody.
          send(".\r\n", Cmd::kDataEndDiscard);
        }
      } else if (cls == 4 || cls == 5) {
        if (!t.mail_refusal) fail_accepted(reply, Stage::kData);
        end_transaction(true);
      } else {
        protocol_error("unexpected reply to DATA");
      }
      return;
    case Cmd::kDataEnd:
      if (cls == 2) {
        for (size_t i = 0; i < t.results.size(); ++i) {
          if (!t.results[i] && t.accepted[i]) {
            set_result(i, Delivery::kDelivered, reply, Stage::kDataEnd, true);
          }
        }
        end_transaction(false);
      } else if (cls == 4 || cls == 5) {
        fail_accepted(reply, Stage::kDataEnd);
        end_transaction(false);
      } else {
        protocol_error("unexpected reply to the end of DATA");
      }
      return;
    case Cmd::kDataEndDiscard:
      if (cls != 2 && cls != 4 && cls != 5) {
        protocol_error("unexpected reply to the end of DATA");
        return;
      }
      end_transaction(true);
      return;
    case Cmd::kRset:
      if (cls == 2) {
        ready();
      } else if (cls == 4 || cls == 5) {
        // A server that cannot reset cannot be trusted with the next message either.
        fail_connection(reply, false, true, true);
      } else {
        protocol_error("unexpected reply to RSET");
      }
      return;
    default:
      return;
  }
}

// Reports the transaction's results. Every recipient without one was refused with MAIL
// (or, without PIPELINING, never asked after it). With `reset`, RSET follows and Ready
// comes with its reply; without, the transaction ended with the final "." and the
// session is ready at once.
void ClientSession::end_transaction(bool reset) {
  Transaction& t = *txn_;
  for (size_t i = 0; i < t.results.size(); ++i) {
    if (t.results[i]) continue;
    if (t.mail_refusal) {
      Delivery d =
          reply_class(t.mail_refusal->code) == 5 ? Delivery::kBounced : Delivery::kDeferred;
      set_result(i, d, *t.mail_refusal, Stage::kMail, true);
    } else {
      // Cannot happen: an accepted recipient always gets the DATA or end reply.
      set_result(i, Delivery::kDeferred, Reply{451, "4.3.0", "transaction ended without a reply"},
                 Stage::kLocal, false);
    }
  }
  client_event::TransactionDone done;
  for (auto& r : t.results) done.results.push_back(std::move(*r));
  txn_.reset();
  emit(std::move(done));
  if (reset) {
    state_ = State::kTransaction;
    send("RSET\r\n", Cmd::kRset);
  } else {
    ready();
  }
}

void ClientSession::write_body(size_t max_bytes) {
  if (state_ != State::kBody || max_bytes == 0) return;
  Transaction& t = *txn_;
  std::string chunk;
  Result<size_t> n = t.body->read(chunk, max_bytes);
  if (!n) {
    // The data cannot be ended without the rest of the message: closing without the
    // final "." makes the server drop what it got.
    Reply reply{451, "4.3.0", "error reading the message: " + n.status().message()};
    for (size_t i = 0; i < t.results.size(); ++i) {
      if (!t.results[i]) set_result(i, Delivery::kDeferred, reply, Stage::kLocal, false);
    }
    client_event::TransactionDone done;
    for (auto& r : t.results) done.results.push_back(std::move(*r));
    txn_.reset();
    emit(std::move(done));
    close();
    return;
  }
  if (*n == 0) {
    t.stuffer.finish(output_);
    state_ = State::kTransaction;
    pending_.push_back(Cmd::kDataEnd);
    return;
  }
  t.stuffer.write(std::string_view(chunk).substr(0, *n), output_);
}

void ClientSession::fail_connection(const Reply& reply, bool permanent, bool remote,
                                    bool send_quit) {
  // Inside handle_reply, the phase is the one of the reply that caused the failure.
  ClientPhase at = replying_phase_.value_or(phase());
  if (txn_) {
    // The connection's failure is no verdict on the recipients: all open ones wait.
    for (size_t i = 0; i < txn_->results.size(); ++i) {
      if (!txn_->results[i]) set_result(i, Delivery::kDeferred, reply, Stage::kConnection, remote);
    }
    client_event::TransactionDone done;
    for (auto& r : txn_->results) done.results.push_back(std::move(*r));
    txn_.reset();
    emit(std::move(done));
  }
  emit(client_event::ConnectionFailed{at, reply, permanent, remote});
  pending_.clear();
  if (send_quit) {
    state_ = State::kQuitting;
    stop_ = false;
    send("QUIT\r\n", Cmd::kQuit);
  } else {
    close();
  }
}

void ClientSession::protocol_error(std::string_view why) {
  if (state_ == State::kQuitting) {
    close();  // the failure, if any, was reported before QUIT
    return;
  }
  fail_connection(Reply{451, "4.5.0", fmt::format("protocol error: {}", why)}, false, false, false);
}

void ClientSession::close() {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  pending_.clear();
  stop_ = true;
  emit(client_event::Closed{});
}

void ClientSession::quit() {
  switch (state_) {
    case State::kIdle:
      state_ = State::kQuitting;
      send("QUIT\r\n", Cmd::kQuit);
      return;
    case State::kQuitting:
    case State::kClosed:
      return;
    default:
      fail_connection(Reply{451, "4.3.2",
                            fmt::format("connection closed locally while waiting in phase {}",
                                        client_phase_name(phase()))},
                      false, false, false);
      return;
  }
}

void ClientSession::connection_lost() {
  if (state_ == State::kIdle || state_ == State::kQuitting) {
    close();
    return;
  }
  if (state_ == State::kClosed) return;
  fail_connection(
      Reply{451, "4.4.2",
            fmt::format("lost connection with server in phase {}", client_phase_name(phase()))},
      false, false, false);
}

void ClientSession::timed_out() {
  if (state_ == State::kIdle || state_ == State::kQuitting) {
    close();
    return;
  }
  if (state_ == State::kClosed) return;
  fail_connection(Reply{451, "4.4.2",
                        fmt::format("conversation with server timed out in phase {}",
                                    client_phase_name(phase()))},
                  false, false, false);
}

}  // namespace mf::smtp
