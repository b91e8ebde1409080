// smtp/session.cpp — the SMTP server state machine. Reply texts follow Postfix's where it
// has one, so that operators and client logs read the same.
#include "smtp/session.h"

#include "smtp/sasl.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <utility>

namespace mf::smtp {

namespace {

// RFC 4954 §4: a server must accept SASL responses of at least 12288 octets.
constexpr size_t kMaxAuthLine = 12288;

// The base64 of the AUTH LOGIN prompts (a de-facto mechanism: draft-murchison-sasl-login).
constexpr std::string_view kLoginUserPrompt = "VXNlcm5hbWU6";  // "Username:"
constexpr std::string_view kLoginPassPrompt = "UGFzc3dvcmQ6";  // "Password:"

// The refusal of a message over the size limit, the same at MAIL (SIZE=), for BDAT and
// after DATA.
Reply size_refusal() {
  DataStats over;
  over.over_size = true;
  return *data_refusal(over, BareLfPolicy::kAccept);
}

}  // namespace

Session::Session(SessionOptions options, SessionHost& host, bool tls_from_start)
    : options_(std::move(options)), host_(host) {
  env_.tls = tls_from_start;
}

Session::~Session() {
  // A message whose data was being received is abandoned with the connection.
  if (message_started_) host_.on_message_abort();
}

void Session::start() {
  if (greeted_) return;
  greeted_ = true;
  output_ += fmt::format("220 {} ESMTP\r\n", options_.hostname);
}

size_t Session::feed(std::string_view in) {
  size_t consumed = 0;
  while (consumed < in.size() && wait_ == Wait::kNone && !closing_) {
    std::string_view rest = in.substr(consumed);
    size_t n = 0;
    switch (mode_) {
      case Mode::kData:
        n = feed_data(rest);
        break;
      case Mode::kBdat:
        n = feed_bdat(rest);
        break;
      default:
        n = feed_line(rest);
        break;
    }
    if (n == 0) break;
    consumed += n;
  }
  return consumed;
}

size_t Session::feed_line(std::string_view in) {
  const bool auth_line = mode_ == Mode::kAuthResponse;
  const size_t limit = auth_line ? kMaxAuthLine : options_.max_command_line;
  const size_t lf = in.find('\n');

  if (mode_ == Mode::kDiscardLine) {
    if (lf == std::string_view::npos) return in.size();
    mode_ = Mode::kCommand;
    return lf + 1;
  }

  auto too_long = [&] {
    if (auth_line) mode_ = Mode::kCommand;  // the exchange is over
    reply(500, "5.5.2", "Error: line too long");
  };

  if (lf == std::string_view::npos) {
    // No line end yet: wait for more, unless the line can no longer fit (a CR may still
    // come before the LF, hence the + 1).
    if (in.size() <= limit + 1) return 0;
    too_long();
    if (!closing_) mode_ = Mode::kDiscardLine;
    return in.size();
  }

  std::string_view line = in.substr(0, lf);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.size() > limit) {
    too_long();
    return lf + 1;
  }
  if (auth_line) {
    handle_auth_response(line);
  } else {
    handle_line(line);
  }
  return lf + 1;
}

void Session::handle_line(std::string_view line) {
  auto cmd = parse_command_line(line);
  if (!cmd) {
    reply(cmd.reply());
    return;
  }
  const std::string_view arg = cmd->argument;
  switch (cmd->verb) {
    case Verb::kHelo:
    case Verb::kEhlo:
      handle_helo(cmd->verb, arg);
      break;
    case Verb::kMail:
      handle_mail(arg);
      break;
    case Verb::kRcpt:
      handle_rcpt(arg);
      break;
    case Verb::kData:
      handle_data();
      break;
    case Verb::kBdat:
      handle_bdat(arg);
      break;
    case Verb::kRset:
      reset_transaction();
      reply(250, "2.0.0", "Ok");
      break;
    case Verb::kNoop:
      reply(250, "2.0.0", "Ok");
      break;
    case Verb::kQuit:
      reply(221, "2.0.0", "Bye");
      closing_ = true;
      break;
    case Verb::kVrfy:
      // RFC 5321 §3.5.3: a server that will not verify says so with 252 rather than
      // helping address harvesting.
      reply(252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery");
      break;
    case Verb::kExpn:
      reply(502, "5.5.1", "EXPN command is disabled");
      break;
    case Verb::kHelp:
      reply(214, "2.0.0", "See RFC 5321");
      break;
    case Verb::kStartTls:
      handle_starttls();
      break;
    case Verb::kAuth:
      handle_auth(arg);
      break;
  }
}

void Session::handle_helo(Verb verb, std::string_view argument) {
  auto helo = parse_helo(verb, argument);
  if (!helo) {
    reply(helo.reply());
    return;
  }
  reset_transaction();
  env_.helo = helo->name;
  env_.esmtp = verb == Verb::kEhlo;
  if (env_.esmtp) {
    write_ehlo_reply();
  } else {
    output_ += fmt::format("250 {}\r\n", options_.hostname);
  }
}

void Session::write_ehlo_reply() {
  std::vector<std::string> lines;
  lines.push_back(options_.hostname);
  lines.emplace_back("PIPELINING");
  lines.push_back(fmt::format("SIZE {}", options_.max_message_bytes));
  if (options_.starttls_available && !env_.tls) lines.emplace_back("STARTTLS");
  if (auth_offered()) lines.emplace_back("AUTH PLAIN LOGIN");
  lines.emplace_back("ENHANCEDSTATUSCODES");
  lines.emplace_back("8BITMIME");
  lines.emplace_back("DSN");
  lines.emplace_back("SMTPUTF8");
  lines.emplace_back("CHUNKING");
  for (size_t i = 0; i < lines.size(); ++i)
    output_ += fmt::format("250{}{}\r\n", i + 1 < lines.size() ? '-' : ' ', lines[i]);
}

bool Session::auth_offered() const {
  return options_.auth_enabled && (env_.tls || !options_.auth_requires_tls);
}

Extensions Session::extensions() const {
  Extensions ext;
  if (!env_.esmtp) return ext;  // after HELO, no parameter was offered
  ext.size = true;
  ext.eightbitmime = true;
  ext.smtputf8 = true;
  ext.dsn = true;
  ext.auth = auth_offered();
  return ext;
}

void Session::handle_mail(std::string_view argument) {
  if (env_.helo.empty()) return reply(503, "5.5.1", "Error: send HELO/EHLO first");
  if (env_.sender) return reply(503, "5.5.1", "Error: nested MAIL command");
  if (options_.auth_required && env_.authenticated_as.empty()) {
    if (options_.starttls_available && !env_.tls && options_.auth_requires_tls)
      return reply(530, "5.7.0", "Must issue a STARTTLS command first");
    return reply(530, "5.7.0", "Authentication required");
  }
  auto mail = parse_mail(argument, extensions());
  if (!mail) return reply(mail.reply());
  if (mail->params.size && *mail->params.size > options_.max_message_bytes)
    return reply(size_refusal());
  if (auto refusal = host_.on_mail(env_, *mail)) return reply(*refusal);
  env_.sender = std::move(mail->sender);
  env_.mail_params = std::move(mail->params);
  reply(250, "2.1.0", "Ok");
}

void Session::handle_rcpt(std::string_view argument) {
  if (!env_.sender) return reply(503, "5.5.1", "Error: need MAIL command");
  if (in_bdat_) return reply(503, "5.5.1", "Error: RCPT after BDAT");
  auto rcpt = parse_rcpt(argument, extensions(),
                         env_.mail_params.smtputf8 ? Smtputf8::kDeclared : Smtputf8::kNotDeclared);
  if (!rcpt) return reply(rcpt.reply());
  if (env_.recipients.size() >= options_.max_recipients)
    return reply(452, "4.5.3", "Error: too many recipients");
  if (auto refusal = host_.on_rcpt(env_, *rcpt)) return reply(*refusal);
  env_.recipients.push_back(Recipient{std::move(rcpt->recipient), std::move(rcpt->params)});
  reply(250, "2.1.5", "Ok");
}

// Checks shared by DATA and BDAT before a message may begin; nullopt when it may.
std::optional<Reply> Session::message_precondition() const {
  if (!env_.sender) return Reply{503, "5.5.1", "Error: need MAIL command"};
  if (env_.recipients.empty()) return Reply{554, "5.5.1", "Error: no valid recipients"};
  return std::nullopt;
}

void Session::handle_data() {
  if (in_bdat_) return reply(503, "5.5.1", "Error: DATA after BDAT");
  if (auto refusal = message_precondition()) return reply(*refusal);
  if (auto refusal = host_.on_message_start(env_)) {
    reply(*refusal);
    reset_transaction();
    return;
  }
  message_started_ = true;
  env_.chunking = false;
  DataReaderOptions opts;
  opts.bare_lf = options_.bare_lf;
  opts.max_message_bytes = options_.max_message_bytes;
  opts.max_line_length = options_.max_data_line;
  reader_.emplace(opts);
  mode_ = Mode::kData;
  reply(354, "", "End data with <CR><LF>.<CR><LF>");
}

size_t Session::feed_data(std::string_view in) {
  size_t n = reader_->feed(in, chunk_);
  if (!chunk_.empty()) {
    host_.on_message_bytes(chunk_);
    chunk_.clear();
  }
  if (reader_->done()) {
    mode_ = Mode::kCommand;
    DataStats stats = reader_->stats();
    reader_.reset();
    finish_message(stats);
  }
  return n;
}

void Session::finish_message(const DataStats& stats) {
  if (auto refusal = data_refusal(stats, options_.bare_lf_policy)) {
    reply(*refusal);
    reset_transaction();
    return;
  }
  message_started_ = false;
  wait_ = Wait::kMessage;  // before the call: the host may complete at once
  host_.on_message_end(env_, stats);
}

void Session::complete_message(const Reply& r) {
  assert(wait_ == Wait::kMessage);
  wait_ = Wait::kNone;
  reply(r);
  reset_transaction();
}

void Session::handle_bdat(std::string_view argument) {
  auto bdat = parse_bdat(argument);
  if (!bdat) {
    // The chunk's length is unknown: the session cannot find the next command. Postfix
    // answers 521 and closes too.
    output_ += Reply{521, bdat.reply().enhanced, bdat.reply().text}.wire();
    closing_ = true;
    return;
  }
  // The chunk is read whatever happens (RFC 3030 §2: its octets are not commands); what
  // is decided here is whether they are kept.
  std::optional<Reply> failure;
  if (!env_.esmtp) {
    failure = Reply{503, "5.5.1", "Error: send EHLO first"};
  } else if (auto refusal = message_precondition()) {
    failure = refusal;
  } else if (bdat_failure_) {
    failure = bdat_failure_;
  } else {
    if (!in_bdat_) {
      in_bdat_ = true;
      env_.chunking = true;
      bdat_total_ = 0;
      if (auto start_refusal = host_.on_message_start(env_)) {
        bdat_failure_ = start_refusal;
      } else {
        message_started_ = true;
      }
    }
    if (!bdat_failure_ && bdat_total_ + bdat->size > options_.max_message_bytes) {
      bdat_failure_ = size_refusal();
      host_.on_message_abort();
      message_started_ = false;
    }
    failure = bdat_failure_;
  }
  bdat_discard_ = failure.has_value();
  chunk_failure_ = std::move(failure);
  bdat_left_ = bdat->size;
  bdat_last_ = bdat->last;
  mode_ = Mode::kBdat;
  if (bdat_left_ == 0) finish_bdat_chunk();
}

size_t Session::feed_bdat(std::string_view in) {
  size_t take = static_cast<size_t>(std::min<uint64_t>(in.size(), bdat_left_));
  if (!bdat_discard_) {
    host_.on_message_bytes(in.substr(0, take));
    bdat_total_ += take;
  }
  bdat_left_ -= take;
  if (bdat_left_ == 0) finish_bdat_chunk();
  return take;
}

void Session::finish_bdat_chunk() {
  mode_ = Mode::kCommand;
  if (chunk_failure_) {
    Reply failure = std::move(*chunk_failure_);
    chunk_failure_.reset();
    reply(failure);
    // A failed transaction ends with its LAST chunk (or RSET); one that never began has
    // nothing to end.
    if (bdat_last_ && in_bdat_) reset_transaction();
    return;
  }
  if (!bdat_last_) {
    reply(250, "2.0.0", fmt::format("Ok: {} octets received", bdat_total_));
    return;
  }
  DataStats stats;
  stats.message_bytes = bdat_total_;
  message_started_ = false;
  wait_ = Wait::kMessage;
  host_.on_message_end(env_, stats);
}

void Session::handle_auth(std::string_view argument) {
  if (!auth_offered()) {
    if (options_.auth_enabled && !env_.tls && options_.starttls_available)
      return reply(530, "5.7.0", "Must issue a STARTTLS command first");
    return reply(503, "5.5.1", "Error: authentication not enabled");
  }
  if (!env_.esmtp) return reply(503, "5.5.1", "Error: send EHLO first");
  if (!env_.authenticated_as.empty()) return reply(503, "5.5.1", "Error: already authenticated");
  if (env_.sender) return reply(503, "5.5.1", "Error: MAIL transaction in progress");
  auto auth = parse_auth(argument);
  if (!auth) return reply(auth.reply());

  pending_auth_ = Credentials{};
  pending_auth_.mechanism = auth->mechanism;
  if (auth->mechanism == "PLAIN") {
    auth_step_ = 0;
    if (auth->initial_response) return handle_auth_response(*auth->initial_response);
    mode_ = Mode::kAuthResponse;
    output_ += "334 \r\n";
    return;
  }
  if (auth->mechanism == "LOGIN") {
    auth_step_ = 1;
    if (auth->initial_response) return handle_auth_response(*auth->initial_response);
    mode_ = Mode::kAuthResponse;
    output_ += fmt::format("334 {}\r\n", kLoginUserPrompt);
    return;
  }
  reply(504, "5.5.4", "Unrecognized authentication type");
}

void Session::handle_auth_response(std::string_view line) {
  mode_ = Mode::kCommand;  // unless another challenge follows
  if (line == "*") {
    pending_auth_ = Credentials{};
    return reply(501, "5.0.0", "Authentication aborted");
  }
  if (pending_auth_.mechanism == "PLAIN") {
    auto plain = decode_sasl_plain(line);
    if (!plain) return reply(plain.reply());
    pending_auth_.authzid = std::move(plain->authzid);
    pending_auth_.login = std::move(plain->authcid);
    pending_auth_.password = std::move(plain->password);
  } else {
    auto decoded = decode_sasl_base64(line);
    if (!decoded) return reply(decoded.reply());
    if (auth_step_ == 1) {
      pending_auth_.login = std::move(*decoded);
      auth_step_ = 2;
      mode_ = Mode::kAuthResponse;
      output_ += fmt::format("334 {}\r\n", kLoginPassPrompt);
      return;
    }
    pending_auth_.password = std::move(*decoded);
  }
  wait_ = Wait::kAuth;
  Credentials creds = std::move(pending_auth_);
  pending_auth_ = Credentials{};
  host_.on_auth(env_, creds);
}

void Session::complete_auth(std::optional<std::string> account, const Reply& refusal) {
  assert(wait_ == Wait::kAuth);
  wait_ = Wait::kNone;
  if (account) {
    env_.authenticated_as = std::move(*account);
    reply(235, "2.7.0", "Authentication successful");
  } else {
    reply(refusal);
  }
}

void Session::handle_starttls() {
  if (env_.tls) return reply(554, "5.5.1", "Error: TLS already active");
  if (!options_.starttls_available) return reply(502, "5.5.1", "Error: command not implemented");
  if (!env_.esmtp) return reply(503, "5.5.1", "Error: send EHLO first");
  reply(220, "2.0.0", "Ready to start TLS");
  wait_ = Wait::kStartTls;
}

void Session::tls_started() {
  assert(wait_ == Wait::kStartTls);
  wait_ = Wait::kNone;
  reset_transaction();
  // RFC 3207 §4.2: everything learnt before the handshake is forgotten, EHLO included.
  env_ = Envelope{};
  env_.tls = true;
}

void Session::timed_out() {
  if (closing_) return;
  output_ += fmt::format("421 4.4.2 {} Error: timeout exceeded\r\n", options_.hostname);
  closing_ = true;
}

void Session::shutting_down() {
  if (closing_) return;
  output_ += fmt::format("421 4.3.2 {} Service shutting down\r\n", options_.hostname);
  closing_ = true;
}

void Session::reset_transaction() {
  if (message_started_) {
    host_.on_message_abort();
    message_started_ = false;
  }
  env_.sender.reset();
  env_.mail_params = MailParams{};
  env_.recipients.clear();
  env_.chunking = false;
  reader_.reset();
  chunk_.clear();
  in_bdat_ = false;
  bdat_failure_.reset();
  chunk_failure_.reset();
  bdat_total_ = 0;
}

void Session::reply(int code, std::string_view enhanced, std::string_view text) {
  reply(Reply{code, std::string(enhanced), std::string(text)});
}

void Session::reply(const Reply& r) {
  output_ += r.wire();
  if (r.code < 400 || closing_) return;
  if (++errors_ >= options_.max_errors) {
    output_ += fmt::format("421 4.7.0 {} Error: too many errors\r\n", options_.hostname);
    closing_ = true;
  }
}

}  // namespace mf::smtp
