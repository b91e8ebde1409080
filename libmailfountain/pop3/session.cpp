// pop3/session.cpp — pop3::Session: reading commands, login, the TRANSACTION commands
// answered from the list taken at opening, and the work half's store access (see
// session.h).
#include "pop3/session.h"

#include "smtp/sasl.h"

#include <fmt/format.h>

#include <utility>

namespace mf::pop3 {

namespace {

constexpr std::string_view kPlaintextRefused =
    "-ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.\r\n";

// RFC 1939 §7: a unique-id is 1 to 70 characters in the range 0x21 to 0x7E.
constexpr size_t kMaxUidl = 70;

// Buffers larger than this are released after use rather than kept for the next command.
constexpr size_t kKeptBufferBytes = 16 * 1024;

}  // namespace

// A RETR or TOP in progress: the work half reads and writes it a slice at a time.
struct Session::Transfer {
  Transfer(size_t i, uint32_t n, std::optional<uint32_t> lines)
      : index(i), number(n), top(lines.has_value()), writer(lines) {}
  size_t index;     // 0-based
  uint32_t number;  // as the client named it
  bool top;
  MessageWriter writer;
  uint64_t offset = 0;   // octets of the message read so far
  bool started = false;  // the +OK line is written
};

Session::Session(SessionOptions options, SessionHost& host)
    : options_(std::move(options)),
      host_(host),
      reader_(options_.max_command_line),
      tls_(options_.tls) {}

Session::~Session() = default;

void Session::start() {
  output_ += "+OK MailFountain POP3 server ready.\r\n";
}

size_t Session::feed(std::string_view in) {
  size_t used = 0;
  while (wait_ == Wait::kNone && !closing_ && used < in.size()) {
    LineReader::Step step = reader_.feed(in.substr(used));
    used += step.consumed;
    switch (step.event) {
      case LineReader::Event::kNeedMore:
        return used;
      case LineReader::Event::kTooLong:
        if (auth_pending_) {
          auth_pending_ = false;
          reader_.set_limit(options_.max_command_line);
          bad_command("Authentication response too long.");
        } else {
          user_.reset();
          bad_command("Command line too long.");
        }
        break;
      case LineReader::Event::kLine:
        handle_line(reader_.line());
        break;
    }
  }
  return used;
}

void Session::handle_line(std::string_view line) {
  if (auth_pending_) return handle_auth_response(line);
  Result<Command> cmd = parse_command(line);
  if (!cmd.is_ok()) {
    user_.reset();
    return bad_command(cmd.status().message());
  }
  handle(std::move(*cmd));
}

void Session::bad_command(std::string_view text) {
  if (++bad_commands_ >= options_.max_bad_commands) {
    host_.log(LogLevel::kWarning, "pop3: too many invalid commands, closing");
    return close_with("-ERR Too many invalid commands.");
  }
  output_ += fmt::format("-ERR {}\r\n", text);
}

void Session::close_with(std::string_view line) {
  output_ += line;
  output_ += "\r\n";
  closing_ = true;
  maildrop_.reset();  // releases the lock now; nothing is deleted
}

void Session::handle(Command cmd) {
  if (state_ == State::kAuthorization) return handle_authorization(cmd);
  handle_transaction(cmd);
}

bool Session::plaintext_refused() {
  if (tls_) return false;
  output_ += kPlaintextRefused;
  return true;
}

void Session::write_capabilities() {
  output_ +=
      "+OK Capability list follows.\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\n"
      "PIPELINING\r\n";
  if (state_ == State::kAuthorization) {
    if (tls_) {
      output_ += "USER\r\nSASL PLAIN\r\n";
    } else if (options_.starttls_available) {
      output_ += "STLS\r\n";
    }
  }
  output_ += "IMPLEMENTATION MailFountain\r\n.\r\n";
}

void Session::handle_authorization(Command& cmd) {
  // RFC 1939 §7: PASS only right after USER.
  std::optional<std::string> user = std::move(user_);
  user_.reset();
  switch (cmd.name) {
    case CommandName::kCapa:
      return write_capabilities();
    case CommandName::kStls:
      if (tls_) return bad_command("TLS is already active.");
      if (!options_.starttls_available) return bad_command("STLS is not available.");
      output_ += "+OK Begin TLS negotiation now.\r\n";
      wait_ = Wait::kStartTls;
      return;
    case CommandName::kUser:
      if (plaintext_refused()) return;
      user_ = std::move(cmd.text);
      output_ += "+OK Send your password.\r\n";
      return;
    case CommandName::kPass:
      if (plaintext_refused()) return;
      if (!user) return bad_command("No user name given: send USER first.");
      return start_login(std::move(*user), std::move(cmd.text), "USER");
    case CommandName::kAuth:
      return auth(cmd);
    case CommandName::kApop:
      output_ += "-ERR APOP is not supported.\r\n";
      return;
    case CommandName::kQuit:
      return close_with("+OK MailFountain POP3 server signing off.");
    default:
      return bad_command("Command not allowed before login.");
  }
}

void Session::auth(const Command& cmd) {
  if (cmd.text.empty()) {
    // AUTH alone lists the mechanisms (RFC 1734, which clients still send).
    output_ += tls_ ? "+OK\r\nPLAIN\r\n.\r\n" : "+OK\r\n.\r\n";
    return;
  }
  if (plaintext_refused()) return;
  if (cmd.text != "PLAIN") {
    output_ += "-ERR Unsupported authentication mechanism.\r\n";
    return;
  }
  if (cmd.initial_response) return finish_plain(*cmd.initial_response);
  output_ += "+ \r\n";  // RFC 4616: PLAIN starts with an empty challenge
  auth_pending_ = true;
  reader_.set_limit(options_.max_auth_line);
}

void Session::handle_auth_response(std::string_view line) {
  auth_pending_ = false;
  reader_.set_limit(options_.max_command_line);
  Result<AuthResponse> response = parse_auth_response(line);
  if (!response.is_ok()) return bad_command(response.status().message());
  if (response->cancelled) {
    output_ += "-ERR Authentication aborted.\r\n";
    return;
  }
  finish_plain(response->data);
}

void Session::finish_plain(std::string_view response) {
  smtp::ReplyOr<smtp::SaslPlain> plain = smtp::decode_sasl_plain(response);
  if (!plain.is_ok()) return bad_command("Invalid SASL PLAIN response.");
  // No master users: an authorisation identity other than the login itself is refused.
  if (!plain->authzid.empty() && plain->authzid != plain->authcid) {
    output_ += "-ERR [AUTH] Authentication failed.\r\n";
    return;
  }
  start_login(std::move(plain->authcid), std::move(plain->password), "PLAIN");
}

void Session::start_login(std::string login, std::string password, std::string_view mechanism) {
  wait_ = Wait::kLogin;
  host_.check_login(login, password, mechanism);  // may call complete_login() at once
}

void Session::complete_login(LoginOutcome outcome, const std::string& account) {
  if (wait_ != Wait::kLogin) return;
  wait_ = Wait::kNone;
  if (closing_) return;
  switch (outcome) {
    case LoginOutcome::kOk:
      account_ = account;
      return start_work(Job::kOpen);
    case LoginOutcome::kFailed:
      output_ += "-ERR [AUTH] Authentication failed.\r\n";
      return;
    case LoginOutcome::kThrottled:
      output_ += "-ERR [SYS/TEMP] Too many failed logins from this address; try again later.\r\n";
      return;
    case LoginOutcome::kTemporary:
      output_ += "-ERR [SYS/TEMP] Temporary authentication failure.\r\n";
      return;
  }
}

void Session::tls_started() {
  if (wait_ != Wait::kStartTls) return;
  wait_ = Wait::kNone;
  tls_ = true;
  // feed() stopped right after STLS, so the reader holds nothing of what followed.
  reader_ = LineReader(options_.max_command_line);
}

std::optional<size_t> Session::message_index(uint32_t number) {
  if (number == 0 || number > deleted_.size()) {
    output_ += "-ERR No such message.\r\n";
    return std::nullopt;
  }
  size_t index = number - 1;
  if (deleted_[index]) {
    output_ += fmt::format("-ERR Message {} is deleted.\r\n", number);
    return std::nullopt;
  }
  return index;
}

void Session::handle_transaction(const Command& cmd) {
  const std::vector<MaildropEntry>& messages = maildrop_->messages();
  const size_t left = messages.size() - deleted_count_;
  auto total_octets = [&] {
    uint64_t octets = 0;
    for (size_t i = 0; i < messages.size(); ++i) {
      if (!deleted_[i]) octets += messages[i].octets;
    }
    return octets;
  };
  switch (cmd.name) {
    case CommandName::kCapa:
      return write_capabilities();
    case CommandName::kStat:
      output_ += fmt::format("+OK {} {}\r\n", left, total_octets());
      return;
    case CommandName::kList:
    case CommandName::kUidl: {
      const bool list = cmd.name == CommandName::kList;
      auto value = [&](size_t i) {
        return list ? std::to_string(messages[i].octets) : messages[i].uidl;
      };
      if (cmd.message) {
        std::optional<size_t> i = message_index(*cmd.message);
        if (i) output_ += fmt::format("+OK {} {}\r\n", *cmd.message, value(*i));
        return;
      }
      if (list) {
        output_ += fmt::format("+OK {} messages ({} octets)\r\n", left, total_octets());
      } else {
        output_ += "+OK Unique-ID listing follows.\r\n";
      }
      for (size_t i = 0; i < messages.size(); ++i) {
        if (!deleted_[i]) output_ += fmt::format("{} {}\r\n", i + 1, value(i));
      }
      output_ += ".\r\n";
      return;
    }
    case CommandName::kRetr:
    case CommandName::kTop: {
      std::optional<size_t> i = message_index(*cmd.message);
      if (!i) return;
      std::optional<uint32_t> lines;
      if (cmd.name == CommandName::kTop) lines = cmd.lines;
      transfer_ = std::make_unique<Transfer>(*i, *cmd.message, lines);
      return start_work(Job::kRetrieve);
    }
    case CommandName::kDele: {
      std::optional<size_t> i = message_index(*cmd.message);
      if (!i) return;
      deleted_[*i] = true;
      ++deleted_count_;
      output_ += fmt::format("+OK Message {} deleted.\r\n", *cmd.message);
      return;
    }
    case CommandName::kNoop:
      output_ += "+OK\r\n";
      return;
    case CommandName::kRset:
      deleted_.assign(messages.size(), false);
      deleted_count_ = 0;
      output_ += fmt::format("+OK {} messages ({} octets).\r\n", messages.size(), total_octets());
      return;
    case CommandName::kQuit:
      state_ = State::kUpdate;
      if (deleted_count_ == 0) return close_with("+OK MailFountain POP3 server signing off.");
      return start_work(Job::kQuit);
    case CommandName::kStls:
      return bad_command("STLS is not allowed after login.");
    default:  // USER, PASS, AUTH, APOP
      return bad_command("Already logged in.");
  }
}

void Session::start_work(Job job) {
  job_ = job;
  wait_ = Wait::kWork;
}

void Session::timed_out() {
  if (closing_) return;
  if (wait_ == Wait::kWork) {
    close_after_work_ = true;
    close_line_ = "-ERR Disconnected for inactivity.\r\n";
    return;
  }
  close_with("-ERR Disconnected for inactivity.");
}

void Session::shut_down() {
  if (closing_) return;
  if (wait_ == Wait::kWork) {
    close_after_work_ = true;
    close_line_ = "-ERR Server shutting down.\r\n";
    return;
  }
  close_with("-ERR Server shutting down.");
}

// ---- the work half

void Session::run_work() {
  work_.clear();
  switch (job_) {
    case Job::kOpen:
      return work_open();
    case Job::kRetrieve:
      return work_retrieve();
    case Job::kQuit:
      return work_quit();
  }
}

bool Session::valid_listing(const std::vector<MaildropEntry>& messages) {
  for (const MaildropEntry& m : messages) {
    if (m.uidl.empty() || m.uidl.size() > kMaxUidl) return false;
    for (char c : m.uidl) {
      if (c < 0x21 || c > 0x7E) return false;
    }
  }
  return true;
}

void Session::work_open() {
  MaildropOpening opening = host_.open_maildrop(account_);
  if (opening.maildrop && !valid_listing(opening.maildrop->messages())) {
    host_.log(LogLevel::kError,
              fmt::format("pop3: the maildrop of {} lists an invalid unique-id", account_));
    opening.maildrop.reset();
    opening.error = MaildropError::kTemporary;
  }
  if (!opening.maildrop) {
    account_.clear();
    work_ += opening.error == MaildropError::kInUse
                 ? "-ERR [IN-USE] The mailbox is in use by another POP3 session.\r\n"
                 : "-ERR [SYS/TEMP] The mailbox cannot be opened; try again later.\r\n";
    return;
  }
  maildrop_ = std::move(opening.maildrop);
  const std::vector<MaildropEntry>& messages = maildrop_->messages();
  deleted_.assign(messages.size(), false);
  deleted_count_ = 0;
  uint64_t octets = 0;
  for (const MaildropEntry& m : messages) octets += m.octets;
  state_ = State::kTransaction;
  work_ += fmt::format("+OK Logged in: {} messages ({} octets).\r\n", messages.size(), octets);
}

void Session::work_retrieve() {
  Transfer& t = *transfer_;
  std::string chunk;
  while (work_.size() < options_.slice_bytes) {
    chunk.clear();
    Status read = maildrop_->read(t.index, t.offset, options_.read_bytes, chunk);
    if (!read.is_ok()) {
      host_.log(LogLevel::kError, fmt::format("pop3: {}: message {} cannot be read: {}", account_,
                                              t.number, read.to_string()));
      if (!t.started) {
        work_ += read.code() == Code::kNotFound
                     ? fmt::format("-ERR Message {} was removed by another session.\r\n", t.number)
                     : "-ERR [SYS/TEMP] The message cannot be read; try again later.\r\n";
      } else {
        // Part of the message is sent: no line can follow that the client would not take
        // for more of it. The connection closes; the client sees no final ".".
        close_after_work_ = true;
        close_line_.clear();
      }
      transfer_.reset();
      return;
    }
    if (!t.started) {
      t.started = true;
      work_ += t.top ? std::string("+OK Top of message follows.\r\n")
                     : fmt::format("+OK {} octets\r\n", maildrop_->messages()[t.index].octets);
    }
    const bool ended = chunk.size() < options_.read_bytes;
    t.offset += chunk.size();
    if (t.writer.write(chunk, work_) || ended) {
      t.writer.finish(work_);
      transfer_.reset();
      return;
    }
  }
}

void Session::work_quit() {
  std::vector<size_t> indexes;
  indexes.reserve(deleted_count_);
  for (size_t i = 0; i < deleted_.size(); ++i) {
    if (deleted_[i]) indexes.push_back(i);
  }
  Status committed = maildrop_->commit_deletions(indexes);
  if (committed.is_ok()) {
    work_ += fmt::format("+OK MailFountain POP3 server signing off ({} messages deleted).\r\n",
                         indexes.size());
  } else {
    host_.log(LogLevel::kError, fmt::format("pop3: {}: deletions at QUIT failed: {}", account_,
                                            committed.to_string()));
    work_ += "-ERR [SYS/TEMP] Some deleted messages were not removed.\r\n";
  }
  maildrop_.reset();
  close_after_work_ = true;
  close_line_.clear();
}

void Session::finish_work() {
  if (wait_ != Wait::kWork) return;
  if (output_.empty()) {
    output_.swap(work_);  // a large slice is not copied
  } else {
    output_ += work_;
  }
  // An idle session keeps little: a large slice's buffer is not kept for the next one.
  if (work_.capacity() > kKeptBufferBytes) {
    std::string().swap(work_);
  } else {
    work_.clear();
  }
  if (transfer_ && !close_after_work_) return;  // more slices: wait_ stays kWork
  wait_ = Wait::kNone;
  if (!close_after_work_) return;
  // A transfer cut short by shut_down() or timed_out() gets no line after its part.
  if (!transfer_) output_ += close_line_;
  transfer_.reset();
  closing_ = true;
  maildrop_.reset();
}

}  // namespace mf::pop3
