// model/password.h — password hashing with yescrypt (libxcrypt), Debian's own default for
// system passwords. Hashes are self-describing ("$y$<params>$<salt>$<hash>"), so a hash
// made with other parameters is recognised and replaced at the next good login.
//
// Each call runs one memory-hard hash (tens of milliseconds at cost 5): call it off any
// event loop. Thread-safe: every call uses its own scratch space.
#ifndef MF_MODEL_PASSWORD_H
#define MF_MODEL_PASSWORD_H

#include <mailfountain/status.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace mf {

class PasswordHasher {
 public:
  // `cost` is yescrypt's cost factor, 1..11.
  static Result<PasswordHasher> create(unsigned cost);

  // A new hash of `password` with a fresh random salt.
  Result<std::string> hash(std::string_view password) const;

  // Whether `password` matches `stored`; compares in constant time. An empty or
  // unreadable `stored` never matches, after the same amount of work.
  bool verify(std::string_view password, std::string_view stored) const;

  // Whether `stored` was made with other parameters than this hasher's.
  bool needs_rehash(std::string_view stored) const;

  // Makes the dummy hash now if not done yet (the first call costs one hash).
  void prepare() const { (void)dummy_hash(); }

  // Burns the time of one verification, for logins that fail before a hash is known, so
  // that their timing does not tell whether the login exists.
  void dummy_verify(std::string_view password) const;

 private:
  // A hash for dummy_verify, made on first use: opening a Context (every mfctl call)
  // should not pay for a memory-hard hash it may never need.
  struct Dummy {
    std::once_flag once;
    std::string hash;
  };
  const std::string& dummy_hash() const;

  PasswordHasher(unsigned cost, std::string params)
      : cost_(cost), params_(std::move(params)), dummy_(std::make_shared<Dummy>()) {}
  unsigned cost_;
  std::string params_;  // "$y$j9T$": the prefix every hash of this hasher starts with
  std::shared_ptr<Dummy> dummy_;
};

}  // namespace mf

#endif  // MF_MODEL_PASSWORD_H
