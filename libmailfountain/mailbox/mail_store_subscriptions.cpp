// mailbox/mail_store_subscriptions.cpp — MailStore's subscription methods (mail_store.h),
// thin glue over mailbox/subscriptions.h.
#include "mailbox/mail_store_impl.h"

#include "mailbox/folders.h"
#include "mailbox/subscriptions.h"

#include <fmt/format.h>

namespace mf::mailbox {

using store::Txn;

Status MailStore::subscribe_folder(std::string_view account, std::string_view folder) {
  MF_ASSIGN_OR_RETURN(std::string name, normalize_folder_name(folder));
  bool added = false;
  MF_RETURN_IF_ERROR(impl_->env->write([&](Txn& txn) -> Status {
    // An account has an INBOX from its creation: none means no such account.
    MF_ASSIGN_OR_RETURN(auto inbox, load_folder(txn, account, kInbox));
    if (!inbox) return not_found(fmt::format("{} has no mailbox", account));
    MF_ASSIGN_OR_RETURN(added, mailbox::subscribe(txn, account, name));
    return Status::ok();
  }));
  if (added) impl_->notify({Change{std::string(account), "", Change::Kind::kFolders, 0}});
  return Status::ok();
}

Status MailStore::unsubscribe_folder(std::string_view account, std::string_view folder) {
  MF_ASSIGN_OR_RETURN(std::string name, normalize_folder_name(folder));
  bool removed = false;
  MF_RETURN_IF_ERROR(impl_->env->write([&](Txn& txn) -> Status {
    MF_ASSIGN_OR_RETURN(removed, mailbox::unsubscribe(txn, account, name));
    return Status::ok();
  }));
  if (removed) impl_->notify({Change{std::string(account), "", Change::Kind::kFolders, 0}});
  return Status::ok();
}

Result<std::vector<std::string>> MailStore::subscriptions(std::string_view account) {
  std::vector<std::string> names;
  MF_RETURN_IF_ERROR(impl_->env->read([&](Txn& txn) -> Status {
    MF_ASSIGN_OR_RETURN(names, mailbox::list_subscriptions(txn, account));
    return Status::ok();
  }));
  return names;
}

}  // namespace mf::mailbox
