// mta/pop3_maildrop.cpp — the POP3 maildrop over the mailbox store (mta/pop3_maildrop.h).
#include "mta/pop3_maildrop.h"

#include "mailbox/folders.h"

#include <fmt/format.h>

#include <algorithm>

namespace mf::mta {

bool MaildropLocks::try_lock(const std::string& account) {
  std::lock_guard<std::mutex> lock(mu_);
  return held_.insert(account).second;
}

void MaildropLocks::unlock(const std::string& account) {
  std::lock_guard<std::mutex> lock(mu_);
  held_.erase(account);
}

StoreMaildrop::StoreMaildrop(mailbox::MailStore& store, MaildropLocks& locks, std::string account)
    : store_(store), locks_(locks), account_(std::move(account)) {}

StoreMaildrop::~StoreMaildrop() {
  reader_.reset();
  locks_.unlock(account_);
}

std::string StoreMaildrop::uidl(uint32_t uid, uint32_t uidvalidity) {
  return fmt::format("{:08X}{:08X}", uid, uidvalidity);
}

pop3::MaildropOpening StoreMaildrop::open(mailbox::MailStore& store, MaildropLocks& locks,
                                          const std::string& account) {
  pop3::MaildropOpening opening;
  if (!locks.try_lock(account)) {
    opening.error = pop3::MaildropError::kInUse;
    return opening;
  }
  // From here the maildrop owns the lock: its destructor releases it on every path.
  std::unique_ptr<StoreMaildrop> drop(new StoreMaildrop(store, locks, account));
  auto status = store.folder_status(account, mailbox::kInbox);
  auto list = store.list_messages(account, mailbox::kInbox);
  if (!status.is_ok() || !list.is_ok()) {
    opening.error = pop3::MaildropError::kTemporary;
    return opening;
  }
  drop->entries_.reserve(list->size());
  drop->uids_.reserve(list->size());
  for (const mailbox::MessageInfo& m : *list) {
    drop->entries_.push_back(pop3::MaildropEntry{m.size, uidl(m.uid, status->uidvalidity)});
    drop->uids_.push_back(m.uid);
  }
  opening.maildrop = std::move(drop);
  return opening;
}

Status StoreMaildrop::read(size_t index, uint64_t offset, size_t max, std::string& out) {
  if (index >= uids_.size()) return invalid_argument(fmt::format("no message {}", index + 1));
  if (!reader_ || open_index_ != index) {
    reader_.reset();
    auto opened = store_.open_message(account_, mailbox::kInbox, uids_[index]);
    if (!opened.is_ok()) return opened.status();
    reader_.emplace(std::move(*opened));
    open_index_ = index;
  }
  const size_t before = out.size();
  Status st = reader_->read(offset, max, &out);
  if (!st.is_ok()) out.resize(before);
  return st;
}

Status StoreMaildrop::commit_deletions(const std::vector<size_t>& indexes) {
  std::vector<uint32_t> uids;
  uids.reserve(indexes.size());
  for (size_t i : indexes) {
    if (i >= uids_.size()) return invalid_argument(fmt::format("no message {}", i + 1));
    uids.push_back(uids_[i]);
  }
  std::sort(uids.begin(), uids.end());
  reader_.reset();
  return store_.remove_messages(account_, mailbox::kInbox, uids).status();
}

}  // namespace mf::mta
