// model/context_impl.cpp — the Context: data directory set-up, opening, the
// administrator, authentication and the worker pool.
#include <mailfountain/context.h>

#include "base/codec.h"
#include "base/text.h"
#include "mailbox/mail_store.h"
#include "model/context_env.h"
#include "model/directory_impl.h"
#include "model/password.h"
#include "model/worker_pool.h"
#include "store/lmdb_env.h"
#include "store/schema.h"

#include <fmt/format.h>

#include <sys/random.h>

#include <ctime>
#include <filesystem>
#include <system_error>

namespace mf {

namespace fs = std::filesystem;
using store::Table;

namespace {

constexpr std::string_view kAdminKey = "admin";

std::string store_dir(const std::string& dir) { return dir + "/store"; }

bool store_exists(const std::string& dir) {
  std::error_code ec;
  return fs::exists(store_dir(dir) + "/data.mdb", ec);
}

std::function<int64_t()> clock_of(const Options& o) {
  if (o.clock) return o.clock;
  return [] { return static_cast<int64_t>(std::time(nullptr)); };
}

store::EnvOptions env_options(const Options& o) {
  return store::EnvOptions{o.initial_map_size, o.max_map_size};
}

Status make_private_dir(const std::string& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) return io_error(fmt::format("cannot create directory {}: {}", path, ec.message()));
  fs::permissions(path, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (ec) return io_error(fmt::format("cannot restrict permissions of {}: {}", path, ec.message()));
  return Status::ok();
}

Result<AdminRecord> load_admin(Txn& txn) {
  MF_ASSIGN_OR_RETURN(auto raw, txn.get(Table::kMeta, kAdminKey));
  if (!raw) return corruption("the store has no administrator record");
  AdminRecord rec;
  MF_RETURN_IF_ERROR(decode(*raw, &rec));
  return rec;
}

// A random 64-bit token identifying one open Context.
uint64_t random_token() {
  uint64_t v = 0;
  while (getrandom(&v, sizeof v, 0) != static_cast<ssize_t>(sizeof v)) {
  }
  return v;
}

const Status& auth_failed() {
  static const Status s = unauthenticated("authentication failed: wrong login or password");
  return s;
}

class ContextImpl final : public Context {
 public:
  ContextImpl(std::string dir, std::unique_ptr<store::LmdbEnv> env, PasswordHasher hasher,
              const Options& options, std::string admin_name, uint32_t schema,
              std::unique_ptr<mailbox::MailStore> mail)
      : dir_(std::move(dir)),
        env_(std::move(env)),
        hasher_(std::move(hasher)),
        rate_limiter_(options.rate_limiter),
        admin_name_(std::move(admin_name)),
        schema_(schema),
        issuer_(random_token()),
        directory_(env_.get(), &hasher_, issuer_),
        mail_(std::move(mail)),
        pool_(options.auth_workers) {}

  mailbox::MailStore& mail_store() { return *mail_; }
  store::LmdbEnv& env() { return *env_; }

  const std::string& data_dir() const override { return dir_; }
  Directory& directory() override { return directory_; }

  Principal local_administrator(std::string_view origin) override {
    return detail::PrincipalAccess::make(Principal::Kind::kAdministrator, admin_name_,
                                         std::string(origin), issuer_);
  }

  Result<Principal> authenticate(std::string_view login, std::string_view password,
                                 Service service, std::string_view origin) override {
    // The limiter sees one key per login whatever its case, so that "LUC@A.FR" counts
    // against luc@a.fr.
    std::string key;
    if (auto address = parse_address(login); address.is_ok()) {
      key = address->key();
    } else {
      key = ascii_lower(login);
    }
    if (rate_limiter_ && !rate_limiter_->allow(key, origin)) {
      return unauthenticated("authentication refused: too many attempts; try again later");
    }
    // Every check, failed or not, costs at least the dummy hash being ready: the first
    // unknown login must not be slower than the others.
    hasher_.prepare();
    Result<Principal> r = check_login(login, password, service, origin);
    if (rate_limiter_) rate_limiter_->record(key, origin, r.is_ok());
    return r;
  }

  void authenticate_async(std::string_view login, std::string_view password, Service service,
                          std::string_view origin,
                          std::function<void(Result<Principal>)> done) override {
    pool_.submit([this, login = std::string(login), password = std::string(password), service,
                  origin = std::string(origin), done = std::move(done)]() mutable {
      done(authenticate(login, password, service, origin));
    });
  }

  Status set_admin_password(const Principal& who, std::string_view new_password) override {
    if (detail::PrincipalAccess::issuer(who) != issuer_ || !who.is_administrator()) {
      return permission_denied(fmt::format(
          "permission denied: {} cannot change the administrator's password", who.name()));
    }
    MF_RETURN_IF_ERROR(validate_password(new_password));
    MF_ASSIGN_OR_RETURN(std::string hash, hasher_.hash(new_password));
    return env_->write([&](Txn& txn) -> Status {
      MF_ASSIGN_OR_RETURN(AdminRecord rec, load_admin(txn));
      rec.password_hash = hash;
      rec.password_changed_at = txn.now();
      MF_RETURN_IF_ERROR(txn.put(Table::kMeta, kAdminKey, encode(rec)));
      return directory_.audit(txn, who, "admin.passwd", rec.name);
    });
  }

  Result<StoreStats> store_stats() override {
    store::EnvStats st = env_->stats();
    StoreStats out;
    out.map_size = st.map_size;
    out.used_bytes = st.used_bytes;
    out.map_resizes = st.resizes;
    out.schema_version = schema_;
    return out;
  }

 private:
  Result<Principal> check_login(std::string_view login, std::string_view password,
                                Service service, std::string_view origin) {
    if (login.find('@') == std::string_view::npos) return check_admin(login, password, service, origin);
    auto address = parse_address(login);
    if (!address) {
      hasher_.dummy_verify(password);
      return auth_failed();
    }
    // Find the account (an alias logs in as its account) and its hash.
    std::string account_key;
    AccountRecord account;
    bool found = false;
    MF_RETURN_IF_ERROR(env_->read([&](Txn& txn) -> Status {
      MF_ASSIGN_OR_RETURN(auto rec, directory_.load_address(txn, address->key()));
      if (rec && rec->kind == AddressKind::kAlias) {
        account_key = rec->alias.account;
        MF_ASSIGN_OR_RETURN(rec, directory_.load_address(txn, account_key));
      } else {
        account_key = address->key();
      }
      if (rec && rec->kind == AddressKind::kAccount) {
        account = std::move(rec->account);
        found = true;
      }
      return Status::ok();
    }));
    if (!found) {
      hasher_.dummy_verify(password);
      return auth_failed();
    }
    if (!hasher_.verify(password, account.password_hash)) return auth_failed();
    if (account.state != AccountState::kEnabled) {
      return failed_precondition(fmt::format("account {} is disabled", account_key));
    }
    std::string hash = account.password_hash;
    if (hasher_.needs_rehash(hash)) hash = rehash(account_key, hash, password);
    return detail::PrincipalAccess::make(Principal::Kind::kAccount, account_key,
                                         std::string(origin), issuer_,
                                         detail::PrincipalAccess::stamp_of(hash));
  }

  Result<Principal> check_admin(std::string_view login, std::string_view password,
                                Service service, std::string_view origin) {
    AdminRecord admin;
    MF_RETURN_IF_ERROR(env_->read([&](Txn& txn) -> Status {
      MF_ASSIGN_OR_RETURN(admin, load_admin(txn));
      return Status::ok();
    }));
    // The administrator is not a mailbox: every service but kAdmin refuses its name, after
    // the same work as a real check so that timing tells nothing.
    if (!ascii_iequals(login, admin.name) || service != Service::kAdmin) {
      hasher_.dummy_verify(password);
      return auth_failed();
    }
    if (!hasher_.verify(password, admin.password_hash)) return auth_failed();
    if (hasher_.needs_rehash(admin.password_hash)) {
      auto hash = hasher_.hash(password);
      if (hash) {
        // Best effort: a failed rehash leaves the old, still valid hash.
        (void)env_->write([&](Txn& txn) -> Status {
          MF_ASSIGN_OR_RETURN(AdminRecord rec, load_admin(txn));
          if (rec.password_hash != admin.password_hash) return Status::ok();
          rec.password_hash = *hash;
          return txn.put(Table::kMeta, kAdminKey, encode(rec));
        });
      }
    }
    return local_administrator(origin);
  }

  // Replaces a hash made with old parameters, unless the password changed meanwhile.
  // Returns the hash stored now (the old one if the rehash did not happen).
  std::string rehash(const std::string& account_key, const std::string& old_hash,
                     std::string_view password) {
    auto hash = hasher_.hash(password);
    if (!hash) return old_hash;
    bool replaced = false;
    Status s = env_->write([&](Txn& txn) -> Status {
      MF_ASSIGN_OR_RETURN(auto rec, directory_.load_address(txn, account_key));
      if (!rec || rec->kind != AddressKind::kAccount || rec->account.password_hash != old_hash) {
        return Status::ok();
      }
      rec->account.password_hash = *hash;
      replaced = true;
      return directory_.store_address(txn, account_key, *rec);
    });
    return s.is_ok() && replaced ? *hash : old_hash;
  }

  std::string dir_;
  std::unique_ptr<store::LmdbEnv> env_;
  PasswordHasher hasher_;
  AuthRateLimiter* rate_limiter_;
  std::string admin_name_;
  uint32_t schema_;
  uint64_t issuer_;
  DirectoryImpl directory_;
  // Before env_ in destruction order: its committer finishes queued deliveries first.
  std::unique_ptr<mailbox::MailStore> mail_;
  WorkerPool pool_;  // last: destroyed first, so queued jobs finish while all else lives
};

}  // namespace

AuthRateLimiter::~AuthRateLimiter() = default;
Context::~Context() = default;

std::string_view service_name(Service service) {
  switch (service) {
    case Service::kAdmin: return "admin";
    case Service::kSmtp: return "smtp";
    case Service::kImap: return "imap";
    case Service::kPop3: return "pop3";
    case Service::kWeb: return "web";
  }
  return "?";
}

uint32_t Context::schema_version() { return store::kSchemaVersion; }

mailbox::MailStore& mailbox::mail_store(Context& context) {
  // Every Context is made by Context::open.
  return static_cast<ContextImpl&>(context).mail_store();
}

store::LmdbEnv& context_env(Context& context) {
  return static_cast<ContextImpl&>(context).env();
}

Status Context::init(const std::string& dir, std::string_view admin_name,
                     std::string_view admin_password, const Options& options) {
  if (dir.empty()) return invalid_argument("the data directory path is empty");
  MF_RETURN_IF_ERROR(validate_admin_name(admin_name));
  MF_RETURN_IF_ERROR(validate_password(admin_password).with_context("administrator's password"));
  // Whether `dir` is initialised is decided by the schema version inside the transaction
  // below, not by the store's files: an init interrupted after LMDB created them can be
  // run again.
  MF_ASSIGN_OR_RETURN(PasswordHasher hasher, PasswordHasher::create(options.password_cost));
  MF_ASSIGN_OR_RETURN(std::string hash, hasher.hash(admin_password));
  MF_RETURN_IF_ERROR(make_private_dir(dir));
  MF_RETURN_IF_ERROR(make_private_dir(store_dir(dir)));
  MF_ASSIGN_OR_RETURN(auto env, store::LmdbEnv::open(store_dir(dir), env_options(options),
                                                     clock_of(options)));
  return env->write([&](Txn& txn) -> Status {
    MF_ASSIGN_OR_RETURN(auto version, store::read_schema_version(txn));
    if (version) return already_exists(fmt::format("{} is already a MailFountain data directory", dir));
    MF_RETURN_IF_ERROR(store::write_schema_version(txn, store::kSchemaVersion));
    AdminRecord admin{std::string(admin_name), hash, txn.now()};
    MF_RETURN_IF_ERROR(txn.put(Table::kMeta, kAdminKey, encode(admin)));
    AuditRecord rec;
    rec.time = txn.now();
    rec.actor = std::string(admin_name);
    rec.origin = "init";
    rec.action = "init";
    rec.target = dir;
    return txn.put(Table::kAudit, encode_be64(1), encode(rec));
  });
}

Result<std::unique_ptr<Context>> Context::open(const std::string& dir, const Options& options) {
  if (!store_exists(dir)) {
    return not_found(fmt::format(
        "{} is not a MailFountain data directory (no store); create it with `mfctl --data {} init`",
        dir, dir));
  }
  MF_ASSIGN_OR_RETURN(PasswordHasher hasher, PasswordHasher::create(options.password_cost));
  MF_ASSIGN_OR_RETURN(auto env, store::LmdbEnv::open(store_dir(dir), env_options(options),
                                                     clock_of(options)));
  std::string admin_name;
  MF_RETURN_IF_ERROR(env->write([&](Txn& txn) -> Status {
    MF_RETURN_IF_ERROR(store::upgrade_schema(txn, store::kSchemaVersion, store::builtin_migrations())
                           .with_context(dir));
    MF_ASSIGN_OR_RETURN(AdminRecord admin, load_admin(txn));
    admin_name = admin.name;
    return Status::ok();
  }));
  MF_ASSIGN_OR_RETURN(auto mail, mailbox::MailStore::open(env.get(), dir));
  return std::unique_ptr<Context>(new ContextImpl(dir, std::move(env), std::move(hasher), options,
                                                  std::move(admin_name), store::kSchemaVersion,
                                                  std::move(mail)));
}

}  // namespace mf
