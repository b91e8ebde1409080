// model/directory_impl.h — the Directory over the LMDB store.
//
// The public methods are split by concern over directory_domains.cpp,
// directory_accounts.cpp, directory_addresses.cpp (aliases, redirections, managers),
// directory_resolve.cpp and directory_audit.cpp; directory_impl.cpp holds the shared
// helpers: loading and storing records, rights checks, target canonicalisation and the
// cascading removal of an address. Helpers take the caller's Txn so that each public
// method is exactly one transaction.
#ifndef MF_MODEL_DIRECTORY_IMPL_H
#define MF_MODEL_DIRECTORY_IMPL_H

#include <mailfountain/directory.h>

#include "model/names.h"
#include "model/password.h"
#include "model/records.h"
#include "store/lmdb_env.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace mf {

namespace detail {
// The one place that makes Principals (principal.h keeps the constructor private).
struct PrincipalAccess {
  static Principal make(Principal::Kind kind, std::string name, std::string origin,
                        uint64_t issuer, uint64_t stamp = 0) {
    return Principal(kind, std::move(name), std::move(origin), issuer, stamp);
  }
  static uint64_t issuer(const Principal& p) { return p.issuer_; }
  static uint64_t stamp(const Principal& p) { return p.stamp_; }
  // The stamp of an account principal: a digest of the password hash it logged in with.
  static uint64_t stamp_of(std::string_view password_hash);
};
}  // namespace detail

using store::Txn;

// The quota limit in force for account `canonical` (record `rec`): its own, else its
// domain's default, else none. show_quota and the mailbox store's delivery both use it.
Result<QuotaInfo> effective_quota(Txn& txn, std::string_view canonical, const AccountRecord& rec);

class DirectoryImpl final : public Directory {
 public:
  // `env` and `hasher` must outlive the DirectoryImpl; `issuer` identifies the Context
  // whose Principals are accepted (a random token, so that a Context reopened at the same
  // address does not accept its predecessor's Principals).
  DirectoryImpl(store::LmdbEnv* env, const PasswordHasher* hasher, uint64_t issuer)
      : env_(env), hasher_(hasher), issuer_(issuer) {}

  // Domains (directory_domains.cpp).
  Status add_domain(const Principal& who, std::string_view name) override;
  Status remove_domain(const Principal& who, std::string_view name, Removal mode) override;
  Result<std::vector<DomainInfo>> list_domains(const Principal& who) override;
  Result<DomainInfo> show_domain(const Principal& who, std::string_view name) override;
  Status set_domain_default_quota(const Principal& who, std::string_view domain,
                                  std::optional<uint64_t> bytes) override;

  // Accounts (directory_accounts.cpp).
  Status add_account(const Principal& who, std::string_view address,
                     const NewAccount& account) override;
  Status remove_account(const Principal& who, std::string_view address, Removal mode) override;
  Result<std::vector<AccountInfo>> list_accounts(const Principal& who,
                                                 std::string_view domain) override;
  Result<AccountInfo> show_account(const Principal& who, std::string_view address) override;
  Status set_password(const Principal& who, std::string_view address,
                      std::string_view new_password) override;
  Status set_display_name(const Principal& who, std::string_view address,
                          std::string_view display_name) override;
  Status set_account_state(const Principal& who, std::string_view address,
                           AccountState state) override;
  Status set_account_quota(const Principal& who, std::string_view address,
                           std::optional<uint64_t> bytes) override;
  Result<QuotaInfo> show_quota(const Principal& who, std::string_view address) override;
  Status set_forwarding(const Principal& who, std::string_view address,
                        const std::vector<std::string>& targets, KeepCopy keep) override;

  // Aliases, redirections, managers (directory_addresses.cpp).
  Status add_alias(const Principal& who, std::string_view alias,
                   std::string_view account) override;
  Status remove_alias(const Principal& who, std::string_view alias) override;
  Result<std::vector<AliasInfo>> list_aliases(const Principal& who,
                                              std::string_view domain) override;
  Status add_redirection(const Principal& who, std::string_view address,
                         const std::vector<std::string>& targets, SendAs send_as) override;
  Status set_redirection(const Principal& who, std::string_view address,
                         const std::vector<std::string>& targets, SendAs send_as) override;
  Status remove_redirection(const Principal& who, std::string_view address,
                            Removal mode) override;
  Result<std::vector<RedirectionInfo>> list_redirections(const Principal& who,
                                                         std::string_view domain) override;
  Status grant_manager(const Principal& who, std::string_view account,
                       std::string_view domain) override;
  Status revoke_manager(const Principal& who, std::string_view account,
                        std::string_view domain) override;
  Result<std::vector<ManagerGrant>> list_managers(const Principal& who,
                                                  std::string_view domain) override;

  // Resolution (directory_resolve.cpp).
  Result<Resolution> resolve(std::string_view address) override;
  Result<bool> may_send_as(std::string_view account, std::string_view from) override;
  Result<bool> is_local_domain(std::string_view domain) override;

  // Audit and notices (directory_audit.cpp).
  Result<std::vector<AuditEntry>> list_audit(const Principal& who, uint64_t after,
                                             size_t limit) override;
  Result<std::vector<Notice>> pending_notices(const Principal& owner) override;

  // ---- Shared helpers (also used by ContextImpl) ----

  Result<std::optional<AddressRecord>> load_address(Txn& txn, std::string_view canonical);
  Status store_address(Txn& txn, std::string_view canonical, const AddressRecord& rec);
  Result<std::optional<DomainRecord>> load_domain(Txn& txn, std::string_view domain);
  // The domain's record, or kNotFound naming it.
  Result<DomainRecord> require_domain(Txn& txn, std::string_view domain);
  // The account at `canonical`, or kNotFound (also when the address is not an account).
  Result<AccountRecord> require_account(Txn& txn, std::string_view canonical);
  // Loads the account at `canonical` (kNotFound if none), lets `change` modify it and
  // stores it back, unless `change` fails.
  Status update_account(Txn& txn, std::string_view canonical,
                        const std::function<Status(AccountRecord&)>& change);

  // Appends an audit entry.
  Status audit(Txn& txn, const Principal& who, std::string_view action, std::string_view target,
               std::string_view detail = {});
  // Queues a notice for an account.
  Status add_notice(Txn& txn, std::string_view account, std::string subject, std::string body);

 private:
  // Rights. Each returns kPermissionDenied with a message naming who may not do `what`.
  Status check_principal(Txn& txn, const Principal& who);
  Status require_admin(const Principal& who, std::string_view what);
  Result<bool> manages(Txn& txn, std::string_view account, std::string_view domain);
  Status require_manager(Txn& txn, const Principal& who, std::string_view domain,
                         std::string_view what);
  // Self (a standard user acting on their own account) or a manager of its domain.
  Status require_self_or_manager(Txn& txn, const Principal& who, std::string_view account,
                                 std::string_view what);
  // A manager of the account's domain who also manages every domain the account manages
  // (so that resetting a manager's password cannot reach beyond one's own domains).
  Status require_account_manager(Txn& txn, const Principal& who, std::string_view account,
                                 std::string_view what);
  Result<bool> may_manage_domain(Txn& txn, const Principal& who, std::string_view domain);
  Result<std::vector<std::string>> managed_domains(Txn& txn, std::string_view account);

  // Parses an address argument into its canonical form.
  Result<Address> parse(std::string_view text);

  // The stored form of a redirection or forwarding target: a local address must exist and
  // is stored canonical; an address on a non-local domain is stored as given (domain
  // canonical). kInvalidArgument for a malformed one.
  Result<std::string> canonical_target(Txn& txn, std::string_view target);
  Result<std::vector<std::string>> canonical_targets(Txn& txn,
                                                     const std::vector<std::string>& targets,
                                                     std::string_view self);
  Status add_referrers(Txn& txn, std::string_view source, const std::vector<std::string>& targets);
  Status remove_referrers(Txn& txn, std::string_view source,
                          const std::vector<std::string>& targets);
  // Sources (redirections, forwarding accounts) that name `target`.
  Result<std::vector<std::string>> referrers_of(Txn& txn, std::string_view target);
  // Aliases of an account.
  Result<std::vector<std::string>> aliases_of(Txn& txn, std::string_view account);

  // Deletes the address `canonical` and what hangs on it: an account's aliases, grants,
  // notices and forwarding; a redirection's referrer entries; and strips it from every
  // redirection or forwarding naming it (deleting redirections left with no target).
  // kPermissionDenied if that would change an object of a domain `who` does not manage.
  // `removed` collects every address deleted.
  Status delete_address(Txn& txn, const Principal& who, std::string_view canonical,
                        std::vector<std::string>* removed);

  // Targets one redirection or forwarding may list.
  static constexpr size_t kMaxTargets = 1000;

  Result<AccountInfo> account_info(Txn& txn, std::string_view canonical,
                                   const AccountRecord& rec);
  Result<DomainInfo> domain_info(Txn& txn, std::string_view domain, const DomainRecord& rec);

  store::LmdbEnv* env_;
  const PasswordHasher* hasher_;
  uint64_t issuer_;
};

}  // namespace mf

#endif  // MF_MODEL_DIRECTORY_IMPL_H
