// mailbox/subscriptions.h — an account's IMAP subscriptions (RFC 9051 §6.3.7-6.3.9,
// LSUB and LIST (SUBSCRIBED) of RFC 5258) inside the caller's transaction.
//
// Subscriptions are a set of folder names per account, in their stored form
// (normalize_folder_name: UTF-8, "INBOX" upper-case), in table kMailSubscriptions keyed
// "account\0name". A subscription may name a folder that does not exist: deleting a folder
// keeps its subscription (RFC 9051 §6.3.7: the server must not remove it unilaterally),
// and a client may subscribe a name before the folder exists, as Dovecot allows.
// Renaming a folder moves the subscriptions of the folder and of its inferiors with it
// (as Dovecot does); renaming INBOX moves none (INBOX stays, and stays subscribed).
// The MailStore methods (mail_store.h) normalise names and notify kFolders changes.
#ifndef MF_MAILBOX_SUBSCRIPTIONS_H
#define MF_MAILBOX_SUBSCRIPTIONS_H

#include "store/lmdb_env.h"

#include <string>
#include <string_view>
#include <vector>

namespace mf::mailbox {

// Subscribes `account` to `name` (already normalised). Subscribing twice is not an error.
// Returns whether the subscription is new.
Result<bool> subscribe(store::Txn& txn, std::string_view account, std::string_view name);

// Removes the subscription to `name`; removing one that does not exist is not an error
// (UNSUBSCRIBE answers OK, as Dovecot does). Returns whether it existed.
Result<bool> unsubscribe(store::Txn& txn, std::string_view account, std::string_view name);

// The names `account` is subscribed to, in byte (name) order.
Result<std::vector<std::string>> list_subscriptions(store::Txn& txn, std::string_view account);

// Moves the subscriptions to `from` and to its inferiors ("from/...") to the same names
// under `to` (both normalised; `to` must not be inside `from`). Subscriptions already
// present under `to` stay. Returns how many moved.
Result<size_t> move_subscriptions(store::Txn& txn, std::string_view account, std::string_view from,
                                  std::string_view to);

// Removes every subscription of `account` (account removal).
Status remove_subscriptions(store::Txn& txn, std::string_view account);

// Schema migration 3 → 4: subscribes every account to each of its existing folders (no
// client could subscribe before; new accounts get their default folders subscribed).
Status migrate_subscribe_existing_folders(store::Txn& txn);

}  // namespace mf::mailbox

#endif  // MF_MAILBOX_SUBSCRIPTIONS_H
