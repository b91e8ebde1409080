// dkim/key_store.h — the DKIM keys of the local domains, as files in the data directory.
//
// Layout (DATA is the data directory):
//   DATA/dkim/                        mode 0700
//   DATA/dkim/DOMAIN/                 mode 0700, DOMAIN in ASCII (A-labels), lower case
//   DATA/dkim/DOMAIN/SELECTOR.key     mode 0600, the RSA-2048 private key in PEM
//   DATA/dkim/DOMAIN/active           the selector that signs, one line
// Selectors are named by the month of their creation, "mf202611"; a second key in the same
// month gets a letter ("mf202611b", ... "mf202611z"). Keys are files rather than LMDB
// records, like the TLS key in DATA/tls: the file mode alone guards a secret (the store is
// read by every tool that opens the data directory), an administrator can install a key
// made elsewhere, and no schema migration is involved (see docs/dkim.md).
//
// Rotation makes a new key active and keeps the old ones: mail signed with an old key may
// still be in transit or in a queue (up to the 5-day retry lifetime), and its TXT record
// must stay published until then. Removing a retired key is a manual step (docs/dkim.md).
//
// Threading: the methods touch only the files; generating methods (ensure, rotate) are
// slow — an RSA-2048 key generation, ~0.1–1 s — and must run off any event loop: in mfctl,
// or on a worker thread (model/worker_pool.h) for domains created through the library.
// Two processes rotating the same domain at the same moment is not supported (the later
// write of "active" wins; both keys remain valid files).
#ifndef MF_DKIM_KEY_STORE_H
#define MF_DKIM_KEY_STORE_H

#include "dkim/signer.h"

#include <mailfountain/dkim.h>
#include <mailfountain/status.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mf::dkim {

// The public description of a key (mailfountain/dkim.h, whose functions wrap this class).
using DkimKeyInfo = mf::DkimKey;

// The selector for a key created at `now` (seconds since the epoch, UTC) when `taken`
// selectors already exist: "mfYYYYMM", then "mfYYYYMMb" ... "mfYYYYMMz".
// kResourceExhausted after 26 keys in one month.
Result<std::string> next_selector(int64_t now, const std::vector<std::string>& taken);

// The base64 SubjectPublicKeyInfo of a PEM private key, and its size in bits.
Result<std::pair<std::string, unsigned>> public_key_of(std::string_view private_key_pem);

class DkimKeyStore {
 public:
  // Keys under `data_dir`/dkim. Nothing is touched until a method is called.
  explicit DkimKeyStore(std::string data_dir);

  // The active key of `domain`, generating one (and the directories) when the domain has
  // none. Slow when it generates (see the threading note above).
  Result<DkimKeyInfo> ensure(std::string_view domain, int64_t now);

  // Generates a new key with the next selector and makes it active; the previous keys stay.
  Result<DkimKeyInfo> rotate(std::string_view domain, int64_t now);

  // Every key of `domain`, the active one first, then the others newest first.
  // kNotFound when the domain has no key.
  Result<std::vector<DkimKeyInfo>> list(std::string_view domain) const;

  // A signer with the active key of `domain`. kNotFound when it has none.
  Result<std::unique_ptr<DkimSigner>> signer(std::string_view domain) const;

 private:
  std::string domain_dir(std::string_view domain) const;

  std::string root_;
};

}  // namespace mf::dkim

#endif  // MF_DKIM_KEY_STORE_H
