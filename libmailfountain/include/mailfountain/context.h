// mailfountain/context.h — the library's root object: one data directory, opened.
//
// A Context owns everything the library needs for one MailFountain instance: the LMDB
// environment of the data directory, the directory model, the password-hashing worker
// pool and the clock. There is no global state: a program may open two Contexts on two
// data directories. Opening the *same* directory twice in one process is not supported
// (an LMDB caveat): share one Context instead.
//
// Data directory layout: DIR/store/ holds the LMDB environment (metadata only); message
// bodies live in files under DIR/messages/ (docs/mailbox.md).
//
// Thread-safety: a Context and its Directory may be used from any number of threads.
// A Context must not be used across fork(); open a new one in the child.
#ifndef MAILFOUNTAIN_CONTEXT_H
#define MAILFOUNTAIN_CONTEXT_H

#include <mailfountain/directory.h>
#include <mailfountain/export.h>
#include <mailfountain/principal.h>
#include <mailfountain/status.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace mf {

// The protocol a login comes through. The administrator may log in only through kAdmin
// (mfctl, the web administration); every other service refuses its name, since the
// administrator is not a mailbox.
enum class Service { kAdmin, kSmtp, kImap, kPop3, kWeb };
MF_EXPORT std::string_view service_name(Service service);  // "admin", "smtp", ...

// A hook the daemons use to slow down password guessing. allow() is called before the
// password is checked (return false to refuse at once with kUnauthenticated, without
// hashing); record() after, with the outcome. Implementations must be thread-safe: they
// are called from the worker pool.
class MF_EXPORT AuthRateLimiter {
 public:
  virtual ~AuthRateLimiter();
  virtual bool allow(std::string_view login, std::string_view origin) = 0;
  virtual void record(std::string_view login, std::string_view origin, bool success) = 0;
};

struct Options {
  // The LMDB map starts at this size and doubles whenever it is full, up to
  // max_map_size; past that, writes fail with kResourceExhausted and nothing is lost.
  // The map is sparse: its size costs address space, not disk.
  uint64_t initial_map_size = uint64_t{64} << 20;
  uint64_t max_map_size = uint64_t{64} << 30;

  // yescrypt cost factor (1..11; libxcrypt's default is 5). Lower values are for tests
  // only. Stored hashes made with other parameters are rehashed at the next good login.
  unsigned password_cost = 5;

  // Threads that run password hashing for authenticate_async().
  unsigned auth_workers = 2;

  // Optional; not owned; must outlive the Context.
  AuthRateLimiter* rate_limiter = nullptr;

  // Seconds since the epoch; defaults to the system clock. Tests set a fake one.
  std::function<int64_t()> clock;
};

// What the store looks like now, for monitoring and tests.
struct StoreStats {
  uint64_t map_size = 0;        // current LMDB map size in bytes
  uint64_t used_bytes = 0;      // pages in use times page size
  uint32_t schema_version = 0;  // of the opened data directory
  uint32_t map_resizes = 0;     // how many times this Context grew the map
};

class MF_EXPORT Context {
 public:
  // The schema version this library writes and the newest it can open.
  static uint32_t schema_version();

  // Creates a data directory at `dir` (created if absent; must not hold a store already)
  // with the administrator login `admin_name` (letters, digits, '.', '_' and '-', no '@')
  // and its password (at least 8 characters). kAlreadyExists if `dir` is initialised.
  static Status init(const std::string& dir, std::string_view admin_name,
                     std::string_view admin_password, const Options& options = {});

  // Opens an initialised data directory. kNotFound if it is not initialised (run init);
  // kUnsupported if it was written by a newer schema version. Older versions are migrated
  // in one transaction.
  static Result<std::unique_ptr<Context>> open(const std::string& dir,
                                               const Options& options = {});

  virtual ~Context();

  virtual const std::string& data_dir() const = 0;

  // The directory model of this data directory. Lives as long as the Context.
  virtual Directory& directory() = 0;

  // The administrator's principal, for tools run by whoever can write the data directory
  // (such as mfctl). `origin` is recorded in the audit log.
  virtual Principal local_administrator(std::string_view origin) = 0;

  // Checks a login (the administrator's name, an account address or one of its aliases)
  // and password for `service`. Constant-time comparison; the rate limiter is consulted.
  // On success returns the principal (an account principal is always the account, even
  // when logging in with an alias) and, if the stored hash used other parameters, rehashes
  // it. Failure is kUnauthenticated with the same message whatever was wrong, except a
  // disabled account (kFailedPrecondition "account disabled"), reported only after the
  // password was verified. Blocks for the time of one memory-hard hash (tens of ms): do
  // not call it on an event loop; use authenticate_async() there.
  virtual Result<Principal> authenticate(std::string_view login, std::string_view password,
                                         Service service, std::string_view origin) = 0;

  // Runs authenticate() on the Context's worker pool and calls `done` with the result on
  // a pool thread (post it back to your loop). Arguments are copied. Destroying the
  // Context first runs every queued job: each `done` is called before the destructor
  // returns.
  virtual void authenticate_async(std::string_view login, std::string_view password,
                                  Service service, std::string_view origin,
                                  std::function<void(Result<Principal>)> done) = 0;

  // Changes the administrator's password (the administrator only).
  virtual Status set_admin_password(const Principal& who, std::string_view new_password) = 0;

  virtual Result<StoreStats> store_stats() = 0;
};

}  // namespace mf

#endif  // MAILFOUNTAIN_CONTEXT_H
