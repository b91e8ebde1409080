// imap/session.cpp — imap::Session's loop half: reading commands, the states before login,
// LOGIN and AUTHENTICATE PLAIN, STARTTLS, IDLE, and the hand-over of store work to the
// work half (dispatched here, run by the other session_*.cpp files).
#include "imap/session.h"

#include "imap/command_parser.h"
#include "imap/mutf7.h"
#include "imap/response_writer.h"
#include "imap/session_state.h"
#include "mailbox/mail_store.h"
#include "smtp/sasl.h"

#include <mailfountain/version.h>

#include <fmt/format.h>

namespace mf::imap {

namespace {

// Commands that need a selected mailbox (RFC 9051 §6.4).
bool needs_selected(CommandName name) {
  switch (name) {
    case CommandName::kCheck:
    case CommandName::kClose:
    case CommandName::kUnselect:
    case CommandName::kExpunge:
    case CommandName::kSearch:
    case CommandName::kFetch:
    case CommandName::kStore:
    case CommandName::kCopy:
    case CommandName::kMove:
    case CommandName::kSort:
    case CommandName::kThread:
      return true;
    default:
      return false;
  }
}

// Whether the untagged responses that end `cmd` may include EXPUNGE: not while responding
// to FETCH, STORE or SEARCH by sequence number (RFC 9051 §7.5.1; SORT and THREAD answer
// with sequence numbers too).
bool expunge_allowed_after(const Command& cmd) {
  switch (cmd.name) {
    case CommandName::kFetch:
    case CommandName::kStore:
    case CommandName::kSearch:
    case CommandName::kSort:
    case CommandName::kThread:
      return cmd.uid;
    default:
      return true;
  }
}

// Buffers larger than this are released after use rather than kept for the next command.
constexpr size_t kKeptBufferBytes = 16 * 1024;

}  // namespace

Session::Session(SessionOptions options, SessionHost& host, mailbox::MailStore& store)
    : options_(std::move(options)),
      host_(host),
      store_(store),
      reader_(options_.limits),
      tls_(options_.tls) {}

Session::~Session() = default;

std::string Session::capabilities() const {
  std::string caps = "IMAP4rev1 IMAP4rev2";
  caps += options_.limits.non_sync == NonSyncLiterals::kLiteralPlus ? " LITERAL+" : " LITERAL-";
  if (!authenticated()) {
    caps += " SASL-IR ID ENABLE IDLE";
    if (!tls_) {
      if (options_.starttls_available) caps += " STARTTLS";
      caps += " LOGINDISABLED";
    } else {
      caps += " AUTH=PLAIN";
    }
    return caps;
  }
  caps +=
      " ID ENABLE IDLE NAMESPACE UNSELECT UIDPLUS MOVE CHILDREN SPECIAL-USE LIST-EXTENDED"
      " LIST-STATUS STATUS=SIZE ESEARCH SEARCHRES SORT THREAD=ORDEREDSUBJECT THREAD=REFERENCES"
      " CONDSTORE QRESYNC QUOTA QUOTA=RES-STORAGE BINARY MULTIAPPEND UTF8=ACCEPT";
  caps += fmt::format(" APPENDLIMIT={}", options_.limits.max_append_literal);
  return caps;
}

void Session::start() {
  output_ += fmt::format("* OK [CAPABILITY {}] MailFountain IMAP ready.\r\n", capabilities());
}

void Session::tagged(std::string& out, std::string_view tag, std::string_view status,
                     std::string_view text) {
  out += tag;
  out += ' ';
  out += status;
  out += ' ';
  out += text;
  out += "\r\n";
}

void Session::done(std::string_view tag, std::string_view status, std::string_view text) {
  final_.clear();
  tagged(final_, tag, status, text);
}

void Session::bad_command(std::string_view tag, std::string_view text) {
  tagged(output_, tag.empty() ? "*" : tag, "BAD", text);
  if (++bad_commands_ >= options_.max_bad_commands) {
    output_ += "* BYE Too many invalid IMAP commands.\r\n";
    closing_ = true;
  }
}

size_t Session::feed(std::string_view in) {
  size_t used = 0;
  while (wait_ == Wait::kNone && !closing_ && used < in.size()) {
    ReadStep step = reader_.feed(in.substr(used));
    used += step.consumed;
    switch (step.event) {
      case ReadEvent::kNeedMore:
        return used;
      case ReadEvent::kLiteralRequest:
        // The reader applied its size limits. APPEND is for logged-in clients only: do not
        // make anyone else upload a message to be refused.
        if (reader_.literal_request().in_append && !authenticated()) {
          std::string tag = reader_.current_tag();
          reader_.refuse_literal();
          bad_command(tag, "Not logged in.");
        } else {
          output_ += "+ Ready for literal data\r\n";
          reader_.accept_literal();
        }
        break;
      case ReadEvent::kError: {
        const ReadError& e = reader_.error();
        if (e.reply == ErrorReply::kBye) {
          output_ += e.wire();
          closing_ = true;
        } else if (e.reply == ErrorReply::kBad) {
          bad_command(e.tag, e.code.empty() ? e.text : fmt::format("[{}] {}", e.code, e.text));
        } else {
          output_ += e.wire();
        }
        break;
      }
      case ReadEvent::kCommand: {
        RawCommand raw = reader_.take_command();
        if (idling_ || auth_tag_) {
          handle_line(raw.bytes);
          break;
        }
        Result<Command> cmd = parse_command(raw.bytes);
        if (!cmd.is_ok()) {
          std::optional<std::string> tag = command_tag(raw.bytes);
          bad_command(tag ? *tag : "*", cmd.status().message());
          break;
        }
        handle(std::move(*cmd));
        break;
      }
    }
  }
  return used;
}

void Session::handle(Command cmd) {
  const std::string& tag = cmd.tag;
  switch (cmd.name) {
    case CommandName::kCapability:
      output_ += fmt::format("* CAPABILITY {}\r\n", capabilities());
      tagged(output_, tag, "OK", "Capability completed.");
      return;
    case CommandName::kLogout:
      output_ += "* BYE Logging out.\r\n";
      tagged(output_, tag, "OK", "Logout completed.");
      closing_ = true;
      return;
    case CommandName::kId: {
      // RFC 2971: the server's identity; what the client says is only logged.
      const auto& a = std::get<IdArgs>(cmd.args);
      if (a.fields) {
        std::string said;
        for (const auto& [k, v] : *a.fields)
          said += fmt::format("{}{}={}", said.empty() ? "" : ", ", k, v ? *v : "NIL");
        host_.log(LogLevel::kInfo, fmt::format("imap ID: {}", said));
      }
      output_ +=
          fmt::format("* ID (\"name\" \"MailFountain\" \"version\" \"{}\")\r\n", MF_VERSION_STRING);
      tagged(output_, tag, "OK", "ID completed.");
      return;
    }
    case CommandName::kNoop:
      if (!authenticated()) {
        tagged(output_, tag, "OK", "NOOP completed.");
        return;
      }
      break;
    case CommandName::kStartTls:
      if (tls_ || !options_.starttls_available) return bad_command(tag, "TLS is already active.");
      if (authenticated()) return bad_command(tag, "STARTTLS is not allowed after login.");
      tagged(output_, tag, "OK", "Begin TLS negotiation now.");
      wait_ = Wait::kStartTls;
      return;
    case CommandName::kLogin: {
      if (authenticated()) return bad_command(tag, "Already logged in.");
      if (!tls_) {
        tagged(output_, tag, "NO",
               "[PRIVACYREQUIRED] Plaintext authentication is not allowed without TLS: use "
               "STARTTLS.");
        return;
      }
      auto& a = std::get<LoginArgs>(cmd.args);
      start_login(tag, std::move(a.user), std::move(a.password), "LOGIN");
      return;
    }
    case CommandName::kAuthenticate:
      return authenticate(cmd);
    case CommandName::kIdle:
      if (!authenticated()) return bad_command(tag, "Not logged in.");
      output_ += "+ idling\r\n";
      idling_ = true;
      idle_tag_ = tag;
      if (changed_.load()) start_poll();
      return;
    default:
      break;
  }
  if (!authenticated()) return bad_command(tag, "Not logged in.");
  start_work(std::move(cmd));
}

void Session::authenticate(const Command& cmd) {
  const auto& a = std::get<AuthenticateArgs>(cmd.args);
  if (authenticated()) return bad_command(cmd.tag, "Already logged in.");
  if (a.mechanism != "PLAIN") {
    tagged(output_, cmd.tag, "NO", "Unsupported authentication mechanism.");
    return;
  }
  if (!tls_) {
    tagged(output_, cmd.tag, "NO",
           "[PRIVACYREQUIRED] Plaintext authentication is not allowed without TLS: use "
           "STARTTLS.");
    return;
  }
  if (a.initial_response) return finish_plain(cmd.tag, *a.initial_response);
  output_ += "+ \r\n";  // RFC 4616: PLAIN starts with an empty challenge
  auth_tag_ = cmd.tag;
}

void Session::handle_line(std::string_view bytes) {
  if (auth_tag_) {
    std::string tag = std::move(*auth_tag_);
    auth_tag_.reset();
    if (bytes == "*") return bad_command(tag, "Authentication aborted.");
    return finish_plain(tag, bytes);
  }
  // IDLE ends with DONE (RFC 2177); anything else ends it too, as a bad command.
  idling_ = false;
  std::string tag = std::move(idle_tag_);
  if (!is_done_line(bytes)) return bad_command(tag, "Expected DONE to end IDLE.");
  tagged(output_, tag, "OK", "Idle completed.");
}

void Session::finish_plain(std::string_view tag, std::string_view response) {
  smtp::ReplyOr<smtp::SaslPlain> plain = smtp::decode_sasl_plain(response);
  if (!plain.is_ok()) return bad_command(tag, "Invalid SASL PLAIN response.");
  // No master users: an authorisation identity other than the login itself is refused.
  if (!plain->authzid.empty() && plain->authzid != plain->authcid) {
    tagged(output_, tag, "NO", "[AUTHENTICATIONFAILED] Authentication failed.");
    return;
  }
  start_login(std::string(tag), std::move(plain->authcid), std::move(plain->password), "PLAIN");
}

void Session::start_login(const std::string& tag, std::string login, std::string password,
                          std::string_view mechanism) {
  pending_tag_ = tag;
  wait_ = Wait::kLogin;
  host_.check_login(login, password, mechanism);
}

void Session::complete_login(LoginOutcome outcome, const std::string& account) {
  if (wait_ != Wait::kLogin) return;
  wait_ = Wait::kNone;
  std::string tag = std::move(pending_tag_);
  switch (outcome) {
    case LoginOutcome::kOk:
      account_ = account;
      tagged(output_, tag, "OK", fmt::format("[CAPABILITY {}] Logged in.", capabilities()));
      host_.logged_in(account_);
      return;
    case LoginOutcome::kFailed:
      tagged(output_, tag, "NO", "[AUTHENTICATIONFAILED] Authentication failed.");
      return;
    case LoginOutcome::kThrottled:
      tagged(output_, tag, "NO",
             "[UNAVAILABLE] Too many failed logins from this address; try again later.");
      return;
    case LoginOutcome::kTemporary:
      tagged(output_, tag, "NO", "[UNAVAILABLE] Temporary authentication failure.");
      return;
  }
}

void Session::tls_started() {
  if (wait_ != Wait::kStartTls) return;
  tls_ = true;
  // Anything read after STARTTLS was plaintext the client pipelined: forget it.
  reader_ = CommandReader(options_.limits);
  wait_ = Wait::kNone;
}

void Session::start_work(Command cmd) {
  work_cmd_ = std::move(cmd);
  wait_ = Wait::kWork;
}

void Session::start_poll() {
  work_cmd_.reset();
  wait_ = Wait::kWork;
}

void Session::store_changed() {
  changed_.store(true);
  if (idling_ && wait_ == Wait::kNone && !closing_) start_poll();
}

void Session::timed_out() {
  if (closing_) return;
  output_ += "* BYE Autologout; idle for too long.\r\n";
  closing_ = true;
}

void Session::shut_down() {
  if (closing_) return;
  if (wait_ == Wait::kWork) {
    stop_after_work_ = true;
    return;
  }
  output_ += "* BYE Server shutting down.\r\n";
  closing_ = true;
}

void Session::run_work() {
  work_.clear();
  final_.clear();
  if (work_more_) return fetch_slice();
  if (!work_cmd_) return report_changes(true);  // IDLE
  execute(*work_cmd_);
}

void Session::finish_work() {
  if (output_.empty())
    output_.swap(work_);  // a large answer is not copied
  else
    output_ += work_;
  // An idle session keeps little: a large answer's buffer is not kept for the next one.
  if (work_.capacity() > kKeptBufferBytes)
    std::string().swap(work_);
  else
    work_.clear();
  if (work_more_) return;  // wait_ stays kWork: the glue runs the next slice
  work_cmd_.reset();
  wait_ = Wait::kNone;
  if (stop_after_work_ && !closing_) {
    output_ += "* BYE Server shutting down.\r\n";
    closing_ = true;
    return;
  }
  if (idling_ && changed_.load() && !closing_) start_poll();
}

void Session::execute(const Command& cmd) {
  const std::string& tag = cmd.tag;
  if (needs_selected(cmd.name) && !selected_) {
    tagged(work_, tag, "BAD", "No mailbox selected.");
    return;
  }
  switch (cmd.name) {
    case CommandName::kNoop:
    case CommandName::kCheck:
      done(tag, "OK", fmt::format("{} completed.", command_name(cmd.name)));
      break;
    case CommandName::kEnable:
      cmd_enable(cmd);
      break;
    case CommandName::kNamespace:
      cmd_namespace(cmd);
      break;
    case CommandName::kList:
      cmd_list(cmd);
      break;
    case CommandName::kLsub:
      cmd_lsub(cmd);
      break;
    case CommandName::kStatus:
      cmd_status(cmd);
      break;
    case CommandName::kCreate:
      cmd_create(cmd);
      break;
    case CommandName::kDelete:
      cmd_delete(cmd);
      break;
    case CommandName::kRename:
      cmd_rename(cmd);
      break;
    case CommandName::kSubscribe:
      cmd_subscribe(cmd, true);
      break;
    case CommandName::kUnsubscribe:
      cmd_subscribe(cmd, false);
      break;
    case CommandName::kSelect:
    case CommandName::kExamine:
      cmd_select(cmd);
      break;
    case CommandName::kGetQuota:
    case CommandName::kGetQuotaRoot:
    case CommandName::kSetQuota:
      cmd_quota(cmd);
      break;
    case CommandName::kClose:
      cmd_close(cmd, true);
      break;
    case CommandName::kUnselect:
      cmd_close(cmd, false);
      break;
    case CommandName::kExpunge:
      cmd_expunge(cmd);
      break;
    case CommandName::kStore:
      cmd_store(cmd);
      break;
    case CommandName::kCopy:
      cmd_copy(cmd, false);
      break;
    case CommandName::kMove:
      cmd_copy(cmd, true);
      break;
    case CommandName::kAppend:
      cmd_append(cmd);
      break;
    case CommandName::kFetch:
      cmd_fetch(cmd);  // its last slice reports the changes and answers
      return;
    case CommandName::kSearch:
      cmd_search(cmd);
      break;
    case CommandName::kSort:
      cmd_sort(cmd);
      break;
    case CommandName::kThread:
      cmd_thread(cmd);
      break;
    default:
      tagged(work_, tag, "BAD", "Command not allowed now.");
      return;
  }
  // Changes are looked for when the store announced some, when expunges were held back
  // during an earlier command and may be told now, and always for NOOP and CHECK (their
  // purpose). A command that failed early (a BAD) leaves them for later.
  const bool allow = expunge_allowed_after(cmd);
  const bool held_back = selected_ && selected_->expunge_modseq < selected_->modseq;
  if (changed_.load() || (allow && held_back) || cmd.name == CommandName::kNoop ||
      cmd.name == CommandName::kCheck)
    report_changes(allow);
  work_ += final_;
  final_.clear();
}

// ---- helpers shared by the command files ----

NameEncoding Session::name_encoding() const {
  return utf8_ ? NameEncoding::kUtf8 : NameEncoding::kModifiedUtf7;
}

Utf8 Session::quoted_utf8() const {
  return utf8_ ? Utf8::kAllowed : Utf8::kRefused;
}

void Session::write_mailbox_name(std::string& out, std::string_view stored) const {
  Result<std::string> name = name_to_client(stored, name_encoding());
  append_astring(out, name.is_ok() ? std::string_view(*name) : stored, quoted_utf8());
}

Result<std::string> Session::mailbox_from_client(const Mailbox& mailbox) const {
  if (mailbox.inbox) return std::string("INBOX");
  return name_from_client(mailbox.raw, name_encoding());
}

void Session::store_error(std::string_view tag, const Status& status) {
  std::string_view code;
  std::string text = status.message();
  switch (status.code()) {
    case Code::kNotFound:
      code = "NONEXISTENT";
      break;
    case Code::kAlreadyExists:
      code = "ALREADYEXISTS";
      break;
    case Code::kResourceExhausted:
      code = text.find("full") != std::string::npos ? "OVERQUOTA" : "LIMIT";
      break;
    case Code::kInvalidArgument:
    case Code::kFailedPrecondition:
      code = "CANNOT";
      break;
    case Code::kPermissionDenied:
      code = "NOPERM";
      break;
    default:
      host_.log(LogLevel::kError, fmt::format("imap: store error for {}: {}", account_, text));
      code = "SERVERBUG";
      text = "Internal error; see the server log.";
      break;
  }
  if (!text.empty() && text.back() != '.') text += '.';
  done(tag, "NO", fmt::format("[{}] {}", code, text));
}

}  // namespace mf::imap
