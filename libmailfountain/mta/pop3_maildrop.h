// mta/pop3_maildrop.h — the POP3 maildrop (pop3/maildrop.h) over the mailbox store: an
// account's INBOX, locked against a second POP3 session of the same server.
//
// The list: the INBOX's messages at opening, in UID order. A message's size is its stored
// size (the per-delivery prefix and the body), which is what read() gives; messages come
// from SMTP with CRLF line ends, and the few an IMAP client APPENDed with bare LFs are sent
// with CRLF by the session (pop3/message_writer.h), a little longer than listed. The UIDL
// is Dovecot's default form, the UID then the UIDVALIDITY in 8 hexadecimal digits each
// ("%08Xu%08Xv"): the same message keeps it in every session, and a client moving from a
// Dovecot server with the default setting does not fetch everything again.
//
// Deletions at QUIT remove the messages from the INBOX in one store transaction
// (MailStore::remove_messages): IMAP sessions on the INBOX receive EXPUNGE.
#ifndef MF_MTA_POP3_MAILDROP_H
#define MF_MTA_POP3_MAILDROP_H

#include "mailbox/mail_store.h"
#include "pop3/maildrop.h"

#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace mf::mta {

// The accounts whose maildrop a POP3 session of this server holds (RFC 1939 §8). One per
// server; thread-safe.
class MaildropLocks {
 public:
  // False when another session holds `account`'s maildrop.
  bool try_lock(const std::string& account);
  void unlock(const std::string& account);

 private:
  std::mutex mu_;
  std::set<std::string> held_;
};

class StoreMaildrop : public pop3::Maildrop {
 public:
  // Locks and lists `account`'s INBOX. kInUse when another session holds it, kTemporary
  // when the store cannot be read. `store` and `locks` must outlive the maildrop.
  static pop3::MaildropOpening open(mailbox::MailStore& store, MaildropLocks& locks,
                                    const std::string& account);
  ~StoreMaildrop() override;

  // The UIDL of a message (see the file comment).
  static std::string uidl(uint32_t uid, uint32_t uidvalidity);

  const std::vector<pop3::MaildropEntry>& messages() const override { return entries_; }
  Status read(size_t index, uint64_t offset, size_t max, std::string& out) override;
  Status commit_deletions(const std::vector<size_t>& indexes) override;

 private:
  StoreMaildrop(mailbox::MailStore& store, MaildropLocks& locks, std::string account);

  mailbox::MailStore& store_;
  MaildropLocks& locks_;
  std::string account_;
  std::vector<pop3::MaildropEntry> entries_;
  std::vector<uint32_t> uids_;  // per entry
  // The message being read (RETR runs in slices): kept open between them.
  size_t open_index_ = 0;
  std::optional<mailbox::MessageReader> reader_;
};

}  // namespace mf::mta

#endif  // MF_MTA_POP3_MAILDROP_H
