// imap/session.h — one IMAP connection's protocol state machine (RFC 9051 IMAP4rev2 and
// RFC 3501 IMAP4rev1 with the extensions of docs/imap.md), over the mailbox store: bytes
// in, responses out. No sockets and no event loop: the server glue
// (mta/imap_connection.cpp) feeds what the client sent, writes output(), and runs the
// session's store work on a worker thread.
//
// Two halves, never at the same time:
//   - the loop half: feed(), complete_login(), tls_started(), store_changed(),
//     finish_work(), timed_out(), shut_down(). It reads commands (imap/command_reader.h),
//     answers literal requests, parses (imap/command_parser.h), and handles what needs no
//     store: CAPABILITY, LOGOUT, STARTTLS, LOGIN, AUTHENTICATE, ID, IDLE's start and end.
//   - the work half: run_work(). Everything that reads or writes the mailbox store runs
//     there, because store writes block for an fsync and reads of a large mailbox take
//     time: the glue calls run_work() on a worker thread when waiting() is kWork, then
//     finish_work() back on the loop. Meanwhile it calls nothing else on the session.
//     A FETCH of many messages runs in slices (a bounded amount of output each): after
//     finish_work() the session may be kWork again, and the glue runs the next slice when
//     the client has read what was sent (back-pressure), so a large response never sits
//     whole in memory and no LMDB read transaction stays open across slices.
//
// Mailbox changes made by other sessions (and deliveries) reach the session through the
// store's change notifications: the glue subscribes when the session logs in (the host's
// logged_in()) and calls store_changed() for each. The session reports them as untagged
// EXISTS / EXPUNGE (or VANISHED under QRESYNC) / FETCH at the end of the next command that
// allows it — never an EXPUNGE during FETCH, STORE or SEARCH by sequence number (RFC 9051
// §7.5.1) — and at once during IDLE.
//
// Not thread-safe beyond the two halves above.
#ifndef MF_IMAP_SESSION_H
#define MF_IMAP_SESSION_H

#include <mailfountain/mail_server.h>

#include "imap/command.h"
#include "imap/command_reader.h"
#include "imap/mailbox_names.h"
#include "imap/response_writer.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mf::mailbox {
class MailStore;
struct MessageInfo;
}  // namespace mf::mailbox

namespace mf::imap {

struct SessionOptions {
  std::string hostname = "localhost";
  bool tls = false;                // TLS from the first byte (port 993)
  bool starttls_available = true;  // STARTTLS can be offered (port 143)
  Limits limits;                   // the command reader's; max_append_literal is APPENDLIMIT
  uint32_t max_bad_commands = 20;  // then BYE (Dovecot closes after 20 as well)
  // Output a FETCH slice produces before yielding to the loop.
  size_t fetch_slice_bytes = 256 * 1024;
};

// What the login check found.
enum class LoginOutcome {
  kOk,         // the account (given to complete_login) is logged in
  kFailed,     // wrong credentials, a disabled account, an administrator: all the same
  kThrottled,  // too many recent failures from this client (auth_throttle.h)
  kTemporary,  // the directory could not be read
};

class SessionHost {
 public:
  virtual ~SessionHost() = default;
  // LOGIN or AUTHENTICATE PLAIN: check the credentials, possibly later, then call
  // complete_login() on the loop. Called on the loop.
  virtual void check_login(const std::string& login, const std::string& password,
                           std::string_view mechanism) = 0;
  // The session has logged in as `account`: subscribe to its store changes and call
  // store_changed() on the loop for each. Called on the loop.
  virtual void logged_in(const std::string& account) = 0;
  // A line for the server's log. Called on either half.
  virtual void log(LogLevel level, std::string_view line) = 0;
};

class Session {
 public:
  Session(SessionOptions options, SessionHost& host, mailbox::MailStore& store);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Writes the greeting ("* OK [CAPABILITY ...] ... ready").
  void start();

  // Reads client bytes; returns how many were consumed. Stops early when the session waits
  // (the glue feeds the rest after the wait), so pipelined commands stay in the glue's
  // buffer and responses keep the commands' order.
  size_t feed(std::string_view in);

  enum class Wait {
    kNone,      // feed more bytes
    kLogin,     // check_login() was called; complete_login() comes next
    kWork,      // run run_work() on a worker thread, then finish_work()
    kStartTls,  // start TLS on the connection (everything buffered after the command is
                // discarded, RFC 9051 §11.1), then call tls_started()
  };
  Wait waiting() const { return wait_; }
  bool idling() const { return idling_; }  // inside IDLE (RFC 2177)
  bool authenticated() const { return !account_.empty(); }
  const std::string& account() const { return account_; }

  // The work half (see the file comment). run_work() must not be called again before
  // finish_work() returned.
  void run_work();
  void finish_work();

  void complete_login(LoginOutcome outcome, const std::string& account);
  void tls_started();
  // The store committed a change for the logged-in account.
  void store_changed();
  // The client was silent too long: BYE and close.
  void timed_out();
  // The server stops: BYE and close (after the command in progress).
  void shut_down();

  // Bytes to send; the glue takes them (and clears the string).
  std::string& output() { return output_; }
  // The session has said BYE: send the output, then close.
  bool closing() const { return closing_; }

  // The selected mailbox's state, shared by the command files. Internal.
  struct Selected;

 private:
  // ---- the loop half (session.cpp)
  void handle(Command cmd);
  void handle_line(std::string_view bytes);  // AUTHENTICATE's response, IDLE's DONE
  void bad_command(std::string_view tag, std::string_view text);
  void start_login(const std::string& tag, std::string login, std::string password,
                   std::string_view mechanism);
  void authenticate(const Command& cmd);
  void finish_plain(std::string_view tag, std::string_view response);
  void start_work(Command cmd);
  void start_poll();  // IDLE: report changes now
  std::string capabilities() const;

  // ---- the work half
  void execute(const Command& cmd);  // dispatch (session.cpp)
  // session_mailboxes.cpp
  void cmd_enable(const Command& cmd);
  void cmd_namespace(const Command& cmd);
  void cmd_list(const Command& cmd);
  void cmd_lsub(const Command& cmd);
  void cmd_status(const Command& cmd);
  void cmd_create(const Command& cmd);
  void cmd_delete(const Command& cmd);
  void cmd_rename(const Command& cmd);
  void cmd_subscribe(const Command& cmd, bool subscribe);
  void cmd_select(const Command& cmd);
  void cmd_quota(const Command& cmd);
  // session_messages.cpp
  void cmd_close(const Command& cmd, bool expunge);
  void cmd_expunge(const Command& cmd);
  void cmd_store(const Command& cmd);
  void cmd_copy(const Command& cmd, bool move);
  void cmd_append(const Command& cmd);
  // session_fetch.cpp: runs in slices
  void cmd_fetch(const Command& cmd);
  void fetch_slice();
  // session_search.cpp
  void cmd_search(const Command& cmd);
  void cmd_sort(const Command& cmd);
  void cmd_thread(const Command& cmd);

  // session_view.cpp: the selected mailbox's view and the change reports.
  // Reports what changed since the last report; expunges only when `allow_expunge`.
  void report_changes(bool allow_expunge);
  // The messages of the view that `set` names (UIDs when `uid`), ascending by sequence
  // number; BAD-worthy sets (a sequence number past the end) give kInvalidArgument.
  Result<std::vector<uint32_t>> resolve_uids(const SequenceSet& set, bool uid) const;
  uint32_t seq_of(uint32_t uid) const;  // 0 when not in the view
  std::string flag_list(const mailbox::MessageInfo& info) const;

  // Writers of response lines into work_ (work half) or output_ (loop half).
  static void tagged(std::string& out, std::string_view tag, std::string_view status,
                     std::string_view text);
  // The work half's tagged response (into final_, sent after the change reports).
  void done(std::string_view tag, std::string_view status, std::string_view text);
  void store_error(std::string_view tag, const Status& status);  // NO [code] from a Status
  void write_mailbox_name(std::string& out, std::string_view stored) const;
  Result<std::string> mailbox_from_client(const Mailbox& mailbox) const;
  NameEncoding name_encoding() const;
  Utf8 quoted_utf8() const;

  SessionOptions options_;
  SessionHost& host_;
  mailbox::MailStore& store_;
  CommandReader reader_;
  std::string output_;
  std::string work_;   // what run_work() wrote; moved into output_ by finish_work()
  std::string final_;  // the command's tagged response, written after the change reports
  Wait wait_ = Wait::kNone;
  bool closing_ = false;
  bool tls_ = false;
  bool idling_ = false;
  std::string idle_tag_;
  bool stop_after_work_ = false;  // shut_down() came during work
  uint32_t bad_commands_ = 0;
  std::string pending_tag_;              // LOGIN / AUTHENTICATE waiting
  std::optional<std::string> auth_tag_;  // AUTHENTICATE waiting for the client's response
  std::string account_;
  std::atomic<bool> changed_{false};

  // Extensions the client enabled (ENABLE, RFC 5161), or implied by use.
  bool rev2_ = false;
  bool utf8_ = false;
  bool condstore_ = false;
  bool qresync_ = false;

  std::optional<Command> work_cmd_;  // the command run_work() executes; none: a poll
  bool work_more_ = false;           // a FETCH has slices left
  struct FetchState;
  std::unique_ptr<FetchState> fetch_;
  std::unique_ptr<Selected> selected_;
};

}  // namespace mf::imap

#endif  // MF_IMAP_SESSION_H
