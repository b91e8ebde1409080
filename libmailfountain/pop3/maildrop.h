// pop3/maildrop.h — what the POP3 session needs of an account's mailbox: the maildrop of
// RFC 1939, as an interface the server glue implements over mailbox::MailStore (the
// account's INBOX) and tests implement in memory.
//
// A Maildrop is opened by SessionHost::open_maildrop() (pop3/session.h) once the login
// succeeded. Opening locks the account's maildrop against a second POP3 session (RFC 1939
// §8: the glue answers kInUse while another session holds it) and takes the list of its
// messages, fixed for the session: messages delivered later are not seen, and a message
// keeps its number until the session ends.
//
// Threading: the session calls a Maildrop only from its work half (Session::run_work(),
// on the glue's worker thread), never two calls at once. The destructor may run on either
// half.
#ifndef MF_POP3_MAILDROP_H
#define MF_POP3_MAILDROP_H

#include <mailfountain/status.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mf::pop3 {

// One message of the maildrop, as listed when it was opened.
struct MaildropEntry {
  // The message's size in octets as RETR sends it before byte-stuffing: the stored
  // message with CRLF line ends (RFC 1939 §5 asks for the exact size; clients compare it
  // with what RETR gives). The glue's read() must give exactly this many octets.
  uint64_t octets = 0;
  // The unique-id listing (RFC 1939 §7 UIDL): 1 to 70 octets of 0x21 to 0x7E, the same
  // for the same message in every session, never reused for another message of the
  // maildrop. The glue builds it from the INBOX's UIDVALIDITY and the message's UID.
  // The session checks the length and the octets (not the uniqueness): a maildrop whose
  // list breaks them is closed again at once, and the login answered -ERR [SYS/TEMP].
  std::string uidl;
};

class Maildrop {
 public:
  // Releases the lock. Deletes nothing: a session that ends without QUIT (dropped
  // connection, timeout, shutdown) leaves the maildrop as it was (RFC 1939 §6).
  virtual ~Maildrop() = default;

  // The messages, in maildrop order: message number n is messages()[n - 1]. Fixed from
  // opening to destruction.
  virtual const std::vector<MaildropEntry>& messages() const = 0;

  // Appends up to `max` octets of message `index` (0-based), from `offset`, to `out`, with
  // CRLF line ends. Fewer than `max` octets (none at all included) means the message ended.
  // Errors: kNotFound when the message was removed meanwhile (by IMAP); any other code for
  // a failure of the store. Nothing is appended on error.
  virtual Status read(size_t index, uint64_t offset, size_t max, std::string& out) = 0;

  // The UPDATE state (RFC 1939 §6): removes the messages whose indexes (0-based,
  // ascending, no duplicates, never empty) the client deleted, as one change (IMAP
  // sessions see them expunged). Messages already gone count as removed. Called at most
  // once, at QUIT; the maildrop is destroyed just after.
  virtual Status commit_deletions(const std::vector<size_t>& indexes) = 0;
};

// Why a maildrop could not be opened.
enum class MaildropError {
  kInUse,      // another POP3 session holds it: "-ERR [IN-USE]" (RFC 2449 §8.1.1)
  kTemporary,  // the store could not be read: "-ERR [SYS/TEMP]" (RFC 3206)
};

// What SessionHost::open_maildrop() gives: a maildrop, or why there is none.
struct MaildropOpening {
  std::unique_ptr<Maildrop> maildrop;               // set on success
  MaildropError error = MaildropError::kTemporary;  // when maildrop is null
};

}  // namespace mf::pop3

#endif  // MF_POP3_MAILDROP_H
