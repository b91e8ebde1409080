// mailfountain/principal.h — who is acting.
//
// Every mutating or listing operation of the directory takes the acting Principal and
// checks its rights. A Principal cannot be forged by callers: the only ways to obtain one
// are Context::authenticate() (a login with a password) and
// Context::local_administrator() (for tools run by whoever can write the data directory,
// which is by definition its administrator, e.g. mfctl).
//
// An account Principal is the proof that its owner authenticated; the mailbox store (later
// issues) will accept only that proof to read an account's mail, never a principal that
// merely has rights over the account. The administrator's Principal is never a mailbox.
//
// A Principal is valid only with the Context that made it; another Context refuses it.
// An account Principal is valid only while the account keeps the password it logged in
// with: a password change or reset, or removing and re-creating the account, ends it.
//
// Thread-safety: a Principal is an immutable value.
#ifndef MAILFOUNTAIN_PRINCIPAL_H
#define MAILFOUNTAIN_PRINCIPAL_H

#include <mailfountain/export.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace mf {

namespace detail {
struct PrincipalAccess;
}

class MF_EXPORT Principal {
 public:
  enum class Kind { kAdministrator, kAccount };

  Kind kind() const { return kind_; }
  bool is_administrator() const { return kind_ == Kind::kAdministrator; }
  bool is_account() const { return kind_ == Kind::kAccount; }

  // The administrator's login name, or the account's canonical address
  // ("jean.martin@ma-societe.fr": lower-case key form).
  const std::string& name() const { return name_; }

  // Where the principal acts from, written to the audit log: "mfctl uid=0",
  // "imap 192.0.2.7". Free text chosen by the daemon or tool.
  const std::string& origin() const { return origin_; }

 private:
  friend struct detail::PrincipalAccess;
  Principal(Kind kind, std::string name, std::string origin, uint64_t issuer, uint64_t stamp)
      : kind_(kind),
        name_(std::move(name)),
        origin_(std::move(origin)),
        issuer_(issuer),
        stamp_(stamp) {}

  Kind kind_;
  std::string name_;
  std::string origin_;
  uint64_t issuer_;  // random token of the Context that made it; others refuse it
  uint64_t stamp_;   // for an account: a digest of its password hash at login
};

}  // namespace mf

#endif  // MAILFOUNTAIN_PRINCIPAL_H
