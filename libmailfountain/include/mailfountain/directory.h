// mailfountain/directory.h — domains, accounts, aliases, redirections, managers, quotas,
// address resolution and the audit log.
//
// The Directory is owned by a Context (context.h) and lives as long as it. Every method is
// one LMDB transaction: it is applied whole or not at all, and a failed call leaves nothing
// behind.
//
// Names. Domains are accepted in ASCII or UTF-8 (internationalised names are converted to
// A-labels with IDNA 2008 and stored that way); addresses are `local@domain` with a
// dot-atom local part (RFC 5321 §4.1.2, at most 64 octets, the whole address at most 254).
// Matching is case-insensitive; the case an account was created with is kept for display.
// Every address is unique across accounts, aliases and redirections.
//
// Rights. Every method that changes or lists the directory takes the acting Principal:
//   - the administrator may do everything (it is the only one who adds or removes domains
//     and grants or revokes managers);
//   - a domain manager may manage accounts, aliases, redirections and quotas of the
//     domains they manage;
//   - a standard user may change only their own password and display name, and see their
//     own account.
// A denial is Code::kPermissionDenied with a message naming who may not do what.
//
// Thread-safety: all methods may be called concurrently from several threads.
#ifndef MAILFOUNTAIN_DIRECTORY_H
#define MAILFOUNTAIN_DIRECTORY_H

#include <mailfountain/export.h>
#include <mailfountain/principal.h>
#include <mailfountain/status.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mf {

// What an address is.
enum class AddressKind { kAccount, kAlias, kRedirection };
MF_EXPORT std::string_view address_kind_name(AddressKind kind);  // "account", "alias", "redirection"

// How to remove an object that others depend on.
enum class Removal {
  kRefuseIfInUse,  // fail with kFailedPrecondition, naming what still depends on it
  kForce,          // remove it and everything that depends on it, in one transaction
};

// Whether the members of a redirection may send mail as the redirection's address.
enum class SendAs { kMembersMaySend, kMembersMayNotSend };

// Whether a forwarding account keeps a copy in its own mailbox.
enum class KeepCopy { kNo, kYes };

enum class AccountState { kEnabled, kDisabled };

struct DomainInfo {
  std::string name;          // A-label form, lower case: "xn--caf-dma.fr"
  std::string unicode_name;  // U-label form for display: "café.fr" (same as name if ASCII)
  std::optional<uint64_t> default_quota_bytes;  // applies to accounts without their own
  int64_t created_at = 0;                       // Unix seconds
  uint64_t accounts = 0;                        // including abuse@ and postmaster@
  uint64_t aliases = 0;
  uint64_t redirections = 0;
  std::vector<std::string> managers;  // account addresses, sorted
};

struct AccountInfo {
  std::string address;       // display form: the local part as created, "@", the domain
  std::string display_name;  // "Jean Martin"
  AccountState state = AccountState::kEnabled;
  bool builtin = false;                   // abuse@ or postmaster@ (RFC 2142): not removable
  std::optional<uint64_t> quota_bytes;    // the account's own limit, if set
  std::vector<std::string> aliases;       // sorted
  std::vector<std::string> manages;       // domains this account manages, sorted
  std::vector<std::string> forward_to;    // forwarding targets, empty if none
  KeepCopy keep_copy = KeepCopy::kYes;    // meaningful only when forward_to is set
  int64_t created_at = 0;
  int64_t password_changed_at = 0;
};

struct AliasInfo {
  std::string address;  // the alias
  std::string account;  // the account it belongs to
};

struct RedirectionInfo {
  std::string address;
  std::vector<std::string> targets;  // as stored, in the order given
  SendAs send_as = SendAs::kMembersMaySend;
};

struct ManagerGrant {
  std::string account;  // the manager's address
  std::string domain;   // the managed domain
};

struct QuotaInfo {
  enum class Source { kAccount, kDomainDefault, kUnlimited };
  std::string address;
  std::optional<uint64_t> limit_bytes;  // the effective limit; empty means unlimited
  Source source = Source::kUnlimited;
};

// The answer to "who receives mail sent to this address".
struct Resolution {
  std::string address;  // the address asked, canonical (lower case, A-label domain)
  std::string matched;  // the directory entry that matched (differs when a +tag was removed)
  AddressKind kind = AddressKind::kAccount;  // the kind of `matched`
  std::string tag;                           // the subaddress tag ("news" in luc+news@), or ""
  std::vector<std::string> mailboxes;        // local accounts that store a copy, sorted, unique
  std::vector<std::string> external;         // remote addresses to relay to, sorted, unique
};

struct AuditEntry {
  uint64_t seq = 0;     // increasing
  int64_t time = 0;     // Unix seconds
  std::string actor;    // principal name
  std::string origin;   // principal origin
  std::string action;   // "domain.add", "user.passwd.reset", ...
  std::string target;   // the object acted on
  std::string detail;   // free text, never a password
};

// A notice waiting for an account, e.g. "your password was reset by admin". The mailbox
// store delivers pending notices into the mailbox as messages.
struct Notice {
  uint64_t seq = 0;
  int64_t time = 0;
  std::string subject;
  std::string body;
};

struct NewAccount {
  std::string display_name;
  std::string password;                // hashed before storage; never stored or logged
  std::optional<uint64_t> quota_bytes;  // none: the domain default applies
};

class MF_EXPORT Directory {
 public:
  virtual ~Directory();

  // ---- Domains (add/remove: administrator only) ----

  // Adds a domain and, in the same transaction, its accounts abuse@ and postmaster@
  // (display names "Abuse" and "Postmaster", no password: they cannot log in until one is
  // set). kInvalidArgument for a bad name, kAlreadyExists if present.
  virtual Status add_domain(const Principal& who, std::string_view name) = 0;

  // Removes a domain. With kRefuseIfInUse, fails (kFailedPrecondition) while the domain
  // holds anything besides abuse@ and postmaster@ or is referred to from another domain
  // (an alias elsewhere pointing at one of its accounts). With kForce, removes the domain,
  // all its addresses, aliases elsewhere of its accounts, its manager grants, and strips
  // its addresses from redirections of other domains.
  virtual Status remove_domain(const Principal& who, std::string_view name, Removal mode) = 0;

  // The domains `who` may see: all for the administrator, the managed ones for a manager,
  // the own domain for a user. Sorted by name.
  virtual Result<std::vector<DomainInfo>> list_domains(const Principal& who) = 0;
  virtual Result<DomainInfo> show_domain(const Principal& who, std::string_view name) = 0;

  // Sets (or clears, with nullopt) the default quota of accounts of `domain`.
  virtual Status set_domain_default_quota(const Principal& who, std::string_view domain,
                                          std::optional<uint64_t> bytes) = 0;

  // ---- Accounts ----

  // Adds an account. The password must be at least 8 characters (or empty, meaning the
  // account cannot log in until one is set).
  virtual Status add_account(const Principal& who, std::string_view address,
                             const NewAccount& account) = 0;

  // Removes an account with its aliases, forwarding and manager grants. With
  // kRefuseIfInUse, fails while a redirection lists it; kForce strips it from them.
  // abuse@ and postmaster@ cannot be removed while their domain exists.
  virtual Status remove_account(const Principal& who, std::string_view address,
                                Removal mode) = 0;

  virtual Result<std::vector<AccountInfo>> list_accounts(const Principal& who,
                                                         std::string_view domain) = 0;
  virtual Result<AccountInfo> show_account(const Principal& who, std::string_view address) = 0;

  // Sets the password of an account. By the account itself: a change. By a manager or the
  // administrator: a reset, written to the audit log and announced to the account by a
  // notice (see pending_notices()).
  virtual Status set_password(const Principal& who, std::string_view address,
                              std::string_view new_password) = 0;
  virtual Status set_display_name(const Principal& who, std::string_view address,
                                  std::string_view display_name) = 0;
  // A disabled account cannot log in and receives no mail (resolve() refuses it).
  virtual Status set_account_state(const Principal& who, std::string_view address,
                                   AccountState state) = 0;
  // Sets (or clears) the account's own quota.
  virtual Status set_account_quota(const Principal& who, std::string_view address,
                                   std::optional<uint64_t> bytes) = 0;
  virtual Result<QuotaInfo> show_quota(const Principal& who, std::string_view address) = 0;

  // Forwards the account's mail to `targets` (local or external addresses; an empty list
  // stops forwarding), keeping a copy in the mailbox or not. This is how a manager
  // "redirects" abuse@ or postmaster@ to a person.
  virtual Status set_forwarding(const Principal& who, std::string_view address,
                                const std::vector<std::string>& targets, KeepCopy keep) = 0;

  // ---- Aliases ----

  // Adds `alias` as another address of `account`. The alias may be on the account's domain
  // or on another domain that `who` also manages.
  virtual Status add_alias(const Principal& who, std::string_view alias,
                           std::string_view account) = 0;
  virtual Status remove_alias(const Principal& who, std::string_view alias) = 0;
  // Aliases whose address is on `domain`, sorted.
  virtual Result<std::vector<AliasInfo>> list_aliases(const Principal& who,
                                                      std::string_view domain) = 0;

  // ---- Redirections ----

  // Adds a redirection: mail to `address` goes to every target. A target is an account, an
  // alias, another redirection (resolved recursively) or an external address. Local
  // targets must exist. At least one target.
  virtual Status add_redirection(const Principal& who, std::string_view address,
                                 const std::vector<std::string>& targets, SendAs send_as) = 0;
  // Replaces the targets (and the send-as rule) of an existing redirection.
  virtual Status set_redirection(const Principal& who, std::string_view address,
                                 const std::vector<std::string>& targets, SendAs send_as) = 0;
  // Removes a redirection. With kRefuseIfInUse, fails while another redirection lists it.
  virtual Status remove_redirection(const Principal& who, std::string_view address,
                                    Removal mode) = 0;
  virtual Result<std::vector<RedirectionInfo>> list_redirections(const Principal& who,
                                                                 std::string_view domain) = 0;

  // ---- Managers (administrator only) ----

  virtual Status grant_manager(const Principal& who, std::string_view account,
                               std::string_view domain) = 0;
  virtual Status revoke_manager(const Principal& who, std::string_view account,
                                std::string_view domain) = 0;
  // All grants, or those of one domain when `domain` is not empty. Sorted.
  virtual Result<std::vector<ManagerGrant>> list_managers(const Principal& who,
                                                          std::string_view domain) = 0;

  // ---- Resolution and sending rights (for the MTA; no principal) ----

  // Who receives mail for `address`: tries the full address first, then, if the local part
  // holds a '+', the part before it (subaddressing; the tag is reported). Aliases resolve
  // to their account, redirections to their targets recursively (deduplicated; loops are
  // cut), forwarding accounts to their targets. kNotFound: no such address (or the domain
  // is not local); kFailedPrecondition: the account is disabled or the redirection reaches
  // no enabled mailbox or external address; kResourceExhausted: the redirections nest
  // deeper than 20 levels or expand to more than 10000 recipients. A handful of point
  // lookups, no scans.
  virtual Result<Resolution> resolve(std::string_view address) = 0;

  // Whether account `account` may use `from` as its sender address: its own address, one
  // of its aliases, or a redirection it is a member of (directly or through nested
  // redirections) whose rule is kMembersMaySend. An unknown or disabled account may send
  // as nothing.
  virtual Result<bool> may_send_as(std::string_view account, std::string_view from) = 0;

  // Whether `domain` is one of ours (for the MTA's relay decision).
  virtual Result<bool> is_local_domain(std::string_view domain) = 0;

  // ---- Audit log and notices ----

  // Audit entries with seq > `after`, oldest first, at most `limit`. Administrator only.
  virtual Result<std::vector<AuditEntry>> list_audit(const Principal& who, uint64_t after,
                                                     size_t limit) = 0;

  // Notices waiting for the account `owner` itself (an authenticated account principal);
  // nobody else may read them.
  virtual Result<std::vector<Notice>> pending_notices(const Principal& owner) = 0;
};

}  // namespace mf

#endif  // MAILFOUNTAIN_DIRECTORY_H
