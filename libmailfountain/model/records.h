// model/records.h — the stored form of domains, addresses, audit entries and notices, and
// the keys of the index tables. Layouts are documented in docs/store.md; each record
// starts with a format byte so that later versions can extend it.
#ifndef MF_MODEL_RECORDS_H
#define MF_MODEL_RECORDS_H

#include <mailfountain/directory.h>
#include <mailfountain/status.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mf {

struct DomainRecord {
  std::string unicode_name;
  std::optional<uint64_t> default_quota;
  int64_t created_at = 0;
};

struct AccountRecord {
  std::string local;  // as created (case preserved)
  std::string display_name;
  std::string password_hash;  // "" when no password is set (cannot log in)
  AccountState state = AccountState::kEnabled;
  bool builtin = false;
  std::optional<uint64_t> quota;
  std::vector<std::string> forward_to;  // keys of local targets, or external addresses
  KeepCopy keep_copy = KeepCopy::kYes;
  int64_t created_at = 0;
  int64_t password_changed_at = 0;
};

struct AliasRecord {
  std::string local;    // as created
  std::string account;  // key of the account
};

struct RedirectionRecord {
  std::string local;  // as created
  std::vector<std::string> targets;  // keys of local targets, or external addresses
  SendAs send_as = SendAs::kMembersMaySend;
};

// One entry of the addresses table: exactly one of the three.
struct AddressRecord {
  AddressKind kind = AddressKind::kAccount;
  AccountRecord account;
  AliasRecord alias;
  RedirectionRecord redirection;

  const std::string& local() const;
};

struct AdminRecord {
  std::string name;
  std::string password_hash;
  int64_t password_changed_at = 0;
};

struct AuditRecord {
  int64_t time = 0;
  std::string actor, origin, action, target, detail;
};

struct NoticeRecord {
  int64_t time = 0;
  std::string subject, body;
};

std::string encode(const DomainRecord& r);
std::string encode(const AddressRecord& r);
std::string encode(const AdminRecord& r);
std::string encode(const AuditRecord& r);
std::string encode(const NoticeRecord& r);

// Decoders: kCorruption naming `what` when the bytes are not a valid record.
Status decode(std::string_view in, DomainRecord* r);
Status decode(std::string_view in, AddressRecord* r);
Status decode(std::string_view in, AdminRecord* r);
Status decode(std::string_view in, AuditRecord* r);
Status decode(std::string_view in, NoticeRecord* r);

// ---- Keys ----

// An address is known everywhere by its canonical form "local@domain" (ASCII letters of
// the local part lower-cased, domain in A-labels). The addresses table is keyed by
// "domain\0local" instead, so that one domain's addresses are a contiguous range.
std::string address_table_key(std::string_view canonical);
std::string canonical_from_table_key(std::string_view table_key);
std::string domain_range_prefix(std::string_view domain);

// The domain part of an address key ("a@b.fr" → "b.fr").
std::string_view key_domain(std::string_view address_key);
std::string_view key_local(std::string_view address_key);

// Index keys: "first\0second", and the prefix "first\0" that finds all of first's.
std::string pair_key(std::string_view first, std::string_view second);
std::string pair_prefix(std::string_view first);
std::string_view pair_second(std::string_view key);

// Grant keys, both directions. Object kinds are single letters: 'D' = domain (more kinds,
// such as e-mailing lists, will come with their issues).
std::string grant_by_object_key(char kind, std::string_view object, std::string_view account);
std::string grant_by_object_prefix(char kind, std::string_view object);
std::string grant_by_account_key(std::string_view account, char kind, std::string_view object);
std::string grant_by_account_prefix(std::string_view account);

// Rights a grant gives, as bits.
enum Right : uint32_t {
  kRightManage = 1u << 0,  // on a domain: manage its accounts, aliases, redirections, quotas
};
std::string encode_rights(uint32_t rights);
uint32_t decode_rights(std::string_view v);

}  // namespace mf

#endif  // MF_MODEL_RECORDS_H
