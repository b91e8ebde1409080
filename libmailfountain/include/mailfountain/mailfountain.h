/* mailfountain/mailfountain.h — the C API of libmailfountain.
 *
 * A thin C shim over the C++ API (context.h, directory.h), in the manner of leveldb's
 * c.h and sqlite3.h, for C programs and for bindings (the Python package uses only this
 * header). The header compiles as C89/C99/C11 and as C++.
 *
 * Conventions, which hold for every function below unless its comment says otherwise:
 *
 *   Handles. Every object is an opaque handle (mf_context_t, mf_principal_t, ...). A
 *   handle a function hands out through an `out` parameter is owned by the caller, who
 *   releases it with the matching mf_*_free() (mf_close() for a context). Every free
 *   function accepts NULL. Records obtained from a list with mf_*_list_get() are owned
 *   by the list: they are valid until the list is freed and must not be freed alone.
 *
 *   Errors. A fallible function returns MF_OK (0) or one of the MF_E_* codes, whose
 *   values are those of mf::Code and never change. It also takes `char** errmsg` as its
 *   last parameter, which may be NULL. When it is not NULL, the function sets *errmsg to
 *   NULL on success and, on failure, to a NUL-terminated UTF-8 message (a full sentence
 *   saying what is wrong) allocated with malloc(), which the caller frees with mf_free().
 *   A previous value of *errmsg is overwritten, not freed. On failure every `out`
 *   parameter is set to NULL (or left untouched for scalars). If the message itself
 *   cannot be allocated, *errmsg is NULL but the code is still returned.
 *
 *   Required pointers. A NULL context, principal, string or out parameter where one is
 *   required is reported as MF_E_INVALID_ARGUMENT, never a crash. An enumeration value
 *   outside its enum is MF_E_INVALID_ARGUMENT too.
 *
 *   No exception crosses this API: the shim catches everything; memory exhaustion is
 *   MF_E_RESOURCE_EXHAUSTED, any other unexpected failure MF_E_INTERNAL.
 *
 *   Strings. All strings are NUL-terminated UTF-8. Strings passed in are copied before
 *   the function returns. Strings returned by accessors are owned by the handle they
 *   came from and valid until it is freed.
 *
 *   Optional numbers. An optional input (a quota) is passed as `const uint64_t*`: NULL
 *   means "none" (clear the limit). An optional output is read with an accessor that
 *   returns 1 and stores the value when it is set, 0 when it is not.
 *
 *   Thread-safety. A context may be used from any number of threads at once, except that
 *   mf_close() must not run concurrently with any other use of that context. Principals,
 *   records, lists and resolutions are immutable once returned: any number of threads
 *   may read one at once, but freeing it must not race with reading it.
 *
 *   fork(). A context must not be used across fork(); open a new one in the child.
 */
#ifndef MAILFOUNTAIN_MAILFOUNTAIN_H
#define MAILFOUNTAIN_MAILFOUNTAIN_H

#include <mailfountain/export.h>
#include <mailfountain/version.h>

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------ */
/* Enumerations. Their values are part of the ABI and never change.                     */
/* ------------------------------------------------------------------------------------ */

/* Result codes: the numeric values of mf::Code (status.h). */
enum {
  MF_OK = 0,
  MF_E_INVALID_ARGUMENT = 1,    /* the caller's input is malformed */
  MF_E_NOT_FOUND = 2,           /* the named object does not exist */
  MF_E_ALREADY_EXISTS = 3,      /* the object or address is already taken */
  MF_E_PERMISSION_DENIED = 4,   /* the acting principal lacks the right */
  MF_E_UNAUTHENTICATED = 5,     /* wrong credentials, or a login refused for a service */
  MF_E_FAILED_PRECONDITION = 6, /* valid, but the current state forbids it */
  MF_E_RESOURCE_EXHAUSTED = 7,  /* a limit was hit, or memory ran out */
  MF_E_IO_ERROR = 8,            /* the environment failed (disk, permissions, LMDB) */
  MF_E_CORRUPTION = 9,          /* stored data is unreadable */
  MF_E_UNSUPPORTED = 10,        /* e.g. a data directory of a newer schema version */
  MF_E_INTERNAL = 11            /* a broken invariant inside the library (a bug) */
};

/* The protocol a login comes through (mf::Service). The administrator may log in only
 * through MF_SERVICE_ADMIN. */
enum {
  MF_SERVICE_ADMIN = 0,
  MF_SERVICE_SMTP = 1,
  MF_SERVICE_IMAP = 2,
  MF_SERVICE_POP3 = 3,
  MF_SERVICE_WEB = 4
};

/* What an address is (mf::AddressKind). */
enum { MF_ADDRESS_ACCOUNT = 0, MF_ADDRESS_ALIAS = 1, MF_ADDRESS_REDIRECTION = 2 };

/* How to remove an object that others depend on (mf::Removal). */
enum {
  MF_REMOVAL_REFUSE_IF_IN_USE = 0, /* fail with MF_E_FAILED_PRECONDITION */
  MF_REMOVAL_FORCE = 1             /* remove it and its dependents in one transaction */
};

/* Whether the members of a redirection may send as its address (mf::SendAs). */
enum { MF_SEND_AS_MEMBERS_MAY_SEND = 0, MF_SEND_AS_MEMBERS_MAY_NOT_SEND = 1 };

/* Whether a forwarding account keeps a copy in its own mailbox (mf::KeepCopy). */
enum { MF_KEEP_COPY_NO = 0, MF_KEEP_COPY_YES = 1 };

/* mf::AccountState. */
enum { MF_ACCOUNT_ENABLED = 0, MF_ACCOUNT_DISABLED = 1 };

/* Where an account's effective quota comes from (mf::QuotaInfo::Source). */
enum {
  MF_QUOTA_SOURCE_ACCOUNT = 0,
  MF_QUOTA_SOURCE_DOMAIN_DEFAULT = 1,
  MF_QUOTA_SOURCE_UNLIMITED = 2
};

/* ------------------------------------------------------------------------------------ */
/* Opaque handles.                                                                      */
/* ------------------------------------------------------------------------------------ */

typedef struct mf_options_t mf_options_t;       /* settings for mf_init/mf_open */
typedef struct mf_context_t mf_context_t;       /* one opened data directory */
typedef struct mf_principal_t mf_principal_t;   /* who is acting */
typedef struct mf_resolution_t mf_resolution_t; /* the answer of mf_resolve */
typedef struct mf_domain_t mf_domain_t;         /* one domain */
typedef struct mf_domain_list_t mf_domain_list_t;
typedef struct mf_account_t mf_account_t; /* one account */
typedef struct mf_account_list_t mf_account_list_t;
typedef struct mf_alias_t mf_alias_t; /* one alias */
typedef struct mf_alias_list_t mf_alias_list_t;
typedef struct mf_redirection_t mf_redirection_t; /* one redirection */
typedef struct mf_redirection_list_t mf_redirection_list_t;
typedef struct mf_manager_t mf_manager_t; /* one manager grant */
typedef struct mf_manager_list_t mf_manager_list_t;
typedef struct mf_audit_entry_t mf_audit_entry_t; /* one audit log entry */
typedef struct mf_audit_list_t mf_audit_list_t;
typedef struct mf_notice_t mf_notice_t; /* one notice for an account */
typedef struct mf_notice_list_t mf_notice_list_t;

/* ------------------------------------------------------------------------------------ */
/* Library-wide functions. All are thread-safe.                                         */
/* ------------------------------------------------------------------------------------ */

/* The library's version, "MAJOR.MINOR.PATCH" (a static string; do not free). May differ
 * from MF_VERSION_STRING when a program runs against a newer shared library. */
MF_EXPORT const char* mf_version(void);

/* The schema version this library writes and the newest it can open. */
MF_EXPORT uint32_t mf_schema_version(void);

/* The stable lower-case name of a result code ("not_found"), or "unknown" for a value
 * that is not a code. A static string; do not free. */
MF_EXPORT const char* mf_code_name(int code);

/* Frees memory the library allocated for the caller (error messages). NULL is allowed.
 * Use this rather than free(): the library and the program may use different heaps. */
MF_EXPORT void mf_free(void* ptr);

/* ------------------------------------------------------------------------------------ */
/* Options (mf::Options). An options object is not thread-safe; it is only read by      */
/* mf_init/mf_open, which copy it, so it may be freed right after.                      */
/* ------------------------------------------------------------------------------------ */

/* Returns new options holding the library's defaults, or NULL if memory ran out.
 * The caller frees them with mf_options_free(). */
MF_EXPORT mf_options_t* mf_options_create(void);
MF_EXPORT void mf_options_free(mf_options_t* options);

/* The yescrypt cost factor (1..11; default 5). Values below 5 are for tests only. Checked
 * by mf_init/mf_open. */
MF_EXPORT void mf_options_set_password_cost(mf_options_t* options, unsigned cost);
/* The LMDB map starts at `bytes` and doubles when full, up to the maximum. */
MF_EXPORT void mf_options_set_initial_map_size(mf_options_t* options, uint64_t bytes);
MF_EXPORT void mf_options_set_max_map_size(mf_options_t* options, uint64_t bytes);
/* Threads running password hashing for mf_authenticate_async (default 2). */
MF_EXPORT void mf_options_set_auth_workers(mf_options_t* options, unsigned workers);

/* ------------------------------------------------------------------------------------ */
/* Contexts (mf::Context).                                                              */
/* ------------------------------------------------------------------------------------ */

/* Creates a data directory at `dir` (created if absent) with the administrator login
 * `admin_name` (letters, digits, '.', '_', '-') and its password (at least 8
 * characters). `options` may be NULL for the defaults. MF_E_ALREADY_EXISTS if `dir` is
 * already initialised; MF_E_INVALID_ARGUMENT for a bad name or password. */
MF_EXPORT int mf_init(const char* dir, const char* admin_name, const char* admin_password,
                      const mf_options_t* options, char** errmsg);

/* Opens an initialised data directory and stores the new context in *out; the caller
 * closes it with mf_close(). `options` may be NULL. MF_E_NOT_FOUND if `dir` is not
 * initialised; MF_E_UNSUPPORTED if a newer schema version wrote it. Opening the same
 * directory twice in one process is not supported: share one context instead. */
MF_EXPORT int mf_open(const char* dir, const mf_options_t* options, mf_context_t** out,
                      char** errmsg);

/* Closes a context and frees it. NULL is allowed. Must not run concurrently with any other
 * use of the context. Result handles stay valid (they hold copies). Principals it issued
 * must still be freed, but no other context accepts them (MF_E_PERMISSION_DENIED). */
MF_EXPORT void mf_close(mf_context_t* ctx);

/* The data directory of `ctx`; owned by the context, valid until mf_close(). */
MF_EXPORT const char* mf_context_data_dir(const mf_context_t* ctx);

/* Changes the administrator's password. Only the administrator may. */
MF_EXPORT int mf_set_admin_password(mf_context_t* ctx, const mf_principal_t* who,
                                    const char* new_password, char** errmsg);

/* ------------------------------------------------------------------------------------ */
/* Principals (mf::Principal): who is acting. Obtained only from these two functions,   */
/* and valid only with the context that issued them: another context refuses them with  */
/* MF_E_PERMISSION_DENIED, even one of the same data directory.                         */
/* ------------------------------------------------------------------------------------ */

/* The administrator's principal, for tools run by whoever can write the data directory
 * (such as mfctl). `origin` ("mfctl uid=0") is written to the audit log. The caller frees
 * *out with mf_principal_free(). */
MF_EXPORT int mf_local_administrator(mf_context_t* ctx, const char* origin, mf_principal_t** out,
                                     char** errmsg);

/* Checks a login (the administrator's name, an account address or one of its aliases)
 * and password for `service` (MF_SERVICE_*); `origin` ("imap 192.0.2.7") is passed to the
 * rate limiter and the audit log. On success *out is the principal (always the account,
 * even for a login with an alias); the caller frees it with mf_principal_free().
 * MF_E_UNAUTHENTICATED with one message whatever was wrong, except a disabled account
 * (MF_E_FAILED_PRECONDITION), reported only after the password was verified. Blocks for
 * one memory-hard hash (tens of milliseconds): an event loop uses mf_authenticate_async(). */
MF_EXPORT int mf_authenticate(mf_context_t* ctx, const char* login, const char* password,
                              int service, const char* origin, mf_principal_t** out, char** errmsg);

/* Called once by mf_authenticate_async() on a worker thread of the context. `code` and
 * `errmsg` (NULL on success; owned by the library, valid during the call only) say how
 * the login went; on success `principal` is a new principal the callback owns and frees
 * with mf_principal_free(), otherwise it is NULL. The callback must not call mf_close(). */
typedef void (*mf_auth_callback)(void* arg, int code, const char* errmsg,
                                 mf_principal_t* principal);

/* Runs mf_authenticate() on the context's worker pool and calls `done(arg, ...)` there
 * with the result; the strings are copied first. Returns MF_OK if the request was queued
 * (then `done` is called exactly once), or an error code without calling `done`. The
 * caller must wait for every pending callback before calling mf_close(). */
MF_EXPORT int mf_authenticate_async(mf_context_t* ctx, const char* login, const char* password,
                                    int service, const char* origin, mf_auth_callback done,
                                    void* arg, char** errmsg);

/* Frees a principal. NULL is allowed. */
MF_EXPORT void mf_principal_free(mf_principal_t* principal);
/* 1 for the administrator, 0 for an account. */
MF_EXPORT int mf_principal_is_administrator(const mf_principal_t* principal);
/* The administrator's login name, or the account's canonical address. */
MF_EXPORT const char* mf_principal_name(const mf_principal_t* principal);
/* Where the principal acts from, as given at login. */
MF_EXPORT const char* mf_principal_origin(const mf_principal_t* principal);

/* ------------------------------------------------------------------------------------ */
/* Directory operations (mf::Directory). Each is one transaction, applied whole or not  */
/* at all; each takes the acting principal `who` and checks its rights, failing with    */
/* MF_E_PERMISSION_DENIED and a message naming who may not do what. Names are accepted  */
/* in ASCII or UTF-8; matching is case-insensitive. See directory.h for every rule.     */
/* ------------------------------------------------------------------------------------ */

/* -- Domains -- */

/* Adds a domain with its accounts abuse@ and postmaster@ (administrator only).
 * MF_E_INVALID_ARGUMENT for a bad name, MF_E_ALREADY_EXISTS if present. */
MF_EXPORT int mf_domain_add(mf_context_t* ctx, const mf_principal_t* who, const char* name,
                            char** errmsg);

/* Removes a domain (administrator only). `mode` is MF_REMOVAL_*: refusing fails with
 * MF_E_FAILED_PRECONDITION while the domain holds more than abuse@ and postmaster@;
 * forcing removes everything of it in one transaction. */
MF_EXPORT int mf_domain_remove(mf_context_t* ctx, const mf_principal_t* who, const char* name,
                               int mode, char** errmsg);

/* The domains `who` may see, sorted by name. The caller frees *out. */
MF_EXPORT int mf_domain_list(mf_context_t* ctx, const mf_principal_t* who, mf_domain_list_t** out,
                             char** errmsg);

/* One domain. The caller frees *out with mf_domain_free(). */
MF_EXPORT int mf_domain_show(mf_context_t* ctx, const mf_principal_t* who, const char* name,
                             mf_domain_t** out, char** errmsg);

/* Sets the default quota of the domain's accounts, or clears it when `bytes` is NULL. */
MF_EXPORT int mf_domain_set_default_quota(mf_context_t* ctx, const mf_principal_t* who,
                                          const char* domain, const uint64_t* bytes, char** errmsg);

/* -- Accounts -- */

/* Adds an account. `display_name` may be NULL (empty). `password` must have at least 8
 * characters, or be NULL or "" (the account cannot log in until one is set).
 * `quota_bytes` is the account's own quota, or NULL for the domain default. */
MF_EXPORT int mf_account_add(mf_context_t* ctx, const mf_principal_t* who, const char* address,
                             const char* display_name, const char* password,
                             const uint64_t* quota_bytes, char** errmsg);

/* Removes an account with its aliases, forwarding and manager grants. `mode` is
 * MF_REMOVAL_*: refusing fails while a redirection lists the account; forcing strips it
 * from them. abuse@ and postmaster@ cannot be removed while their domain exists. */
MF_EXPORT int mf_account_remove(mf_context_t* ctx, const mf_principal_t* who, const char* address,
                                int mode, char** errmsg);

/* The accounts of `domain` that `who` may see, sorted. The caller frees *out. */
MF_EXPORT int mf_account_list(mf_context_t* ctx, const mf_principal_t* who, const char* domain,
                              mf_account_list_t** out, char** errmsg);

/* One account. The caller frees *out with mf_account_free(). */
MF_EXPORT int mf_account_show(mf_context_t* ctx, const mf_principal_t* who, const char* address,
                              mf_account_t** out, char** errmsg);

/* Sets an account's password: a change when `who` is the account itself; a reset by a
 * manager or the administrator, which is audited and announced to the account by a
 * notice (mf_notice_list). */
MF_EXPORT int mf_account_set_password(mf_context_t* ctx, const mf_principal_t* who,
                                      const char* address, const char* new_password, char** errmsg);

MF_EXPORT int mf_account_set_display_name(mf_context_t* ctx, const mf_principal_t* who,
                                          const char* address, const char* display_name,
                                          char** errmsg);

/* Enables or disables an account (`state` is MF_ACCOUNT_*). A disabled account cannot log
 * in and receives no mail. */
MF_EXPORT int mf_account_set_state(mf_context_t* ctx, const mf_principal_t* who,
                                   const char* address, int state, char** errmsg);

/* Sets the account's own quota, or clears it when `bytes` is NULL. */
MF_EXPORT int mf_account_set_quota(mf_context_t* ctx, const mf_principal_t* who,
                                   const char* address, const uint64_t* bytes, char** errmsg);

/* The account's effective quota: *has_limit is 1 and *limit_bytes the limit when there is
 * one, *has_limit is 0 when it is unlimited; *source is MF_QUOTA_SOURCE_*. Every out
 * parameter is required. */
MF_EXPORT int mf_quota_show(mf_context_t* ctx, const mf_principal_t* who, const char* address,
                            int* has_limit, uint64_t* limit_bytes, int* source, char** errmsg);

/* Forwards the account's mail to the `count` addresses of `targets` (local or external;
 * count 0 stops forwarding; `targets` may be NULL then), keeping a copy or not (`keep` is
 * MF_KEEP_COPY_*). */
MF_EXPORT int mf_account_set_forwarding(mf_context_t* ctx, const mf_principal_t* who,
                                        const char* address, const char* const* targets,
                                        size_t count, int keep, char** errmsg);

/* -- Aliases -- */

/* Adds `alias` as another address of `account`, on the account's domain or another domain
 * that `who` also manages. MF_E_ALREADY_EXISTS if the address is taken. */
MF_EXPORT int mf_alias_add(mf_context_t* ctx, const mf_principal_t* who, const char* alias,
                           const char* account, char** errmsg);
MF_EXPORT int mf_alias_remove(mf_context_t* ctx, const mf_principal_t* who, const char* alias,
                              char** errmsg);
/* The aliases whose address is on `domain`, sorted. The caller frees *out. */
MF_EXPORT int mf_alias_list(mf_context_t* ctx, const mf_principal_t* who, const char* domain,
                            mf_alias_list_t** out, char** errmsg);

/* -- Redirections -- */

/* Adds a redirection: mail to `address` goes to each of the `count` (at least one)
 * `targets`: accounts, aliases, other redirections or external addresses. Local targets
 * must exist. `send_as` is MF_SEND_AS_*. */
MF_EXPORT int mf_redirection_add(mf_context_t* ctx, const mf_principal_t* who, const char* address,
                                 const char* const* targets, size_t count, int send_as,
                                 char** errmsg);
/* Replaces the targets and the send-as rule of an existing redirection. */
MF_EXPORT int mf_redirection_set(mf_context_t* ctx, const mf_principal_t* who, const char* address,
                                 const char* const* targets, size_t count, int send_as,
                                 char** errmsg);
/* Removes a redirection; refusing (`mode` MF_REMOVAL_REFUSE_IF_IN_USE) fails while another
 * redirection lists it. */
MF_EXPORT int mf_redirection_remove(mf_context_t* ctx, const mf_principal_t* who,
                                    const char* address, int mode, char** errmsg);
/* The redirections on `domain`, sorted. The caller frees *out. */
MF_EXPORT int mf_redirection_list(mf_context_t* ctx, const mf_principal_t* who, const char* domain,
                                  mf_redirection_list_t** out, char** errmsg);

/* -- Managers (administrator only) -- */

MF_EXPORT int mf_manager_grant(mf_context_t* ctx, const mf_principal_t* who, const char* account,
                               const char* domain, char** errmsg);
MF_EXPORT int mf_manager_revoke(mf_context_t* ctx, const mf_principal_t* who, const char* account,
                                const char* domain, char** errmsg);
/* All grants, or those of `domain` when it is neither NULL nor "". Sorted. The caller
 * frees *out. */
MF_EXPORT int mf_manager_list(mf_context_t* ctx, const mf_principal_t* who, const char* domain,
                              mf_manager_list_t** out, char** errmsg);

/* -- Resolution and sending rights (for the MTA; no principal) -- */

/* Who receives mail for `address`: the full address is tried first, then the part before
 * a '+' (subaddressing; the tag is kept). The caller frees *out with
 * mf_resolution_free(). MF_E_NOT_FOUND: no such address (or the domain is not local);
 * MF_E_FAILED_PRECONDITION: the account is disabled or the redirection reaches no
 * enabled mailbox or external address. */
MF_EXPORT int mf_resolve(mf_context_t* ctx, const char* address, mf_resolution_t** out,
                         char** errmsg);

/* Sets *allowed to 1 if account `account` may use `from` as its sender address (its own,
 * one of its aliases, or a redirection it belongs to that lets members send), else 0. */
MF_EXPORT int mf_may_send_as(mf_context_t* ctx, const char* account, const char* from, int* allowed,
                             char** errmsg);

/* Sets *local to 1 if `domain` is one of ours, else 0. */
MF_EXPORT int mf_is_local_domain(mf_context_t* ctx, const char* domain, int* local, char** errmsg);

/* -- Audit log (administrator only) and notices -- */

/* Audit entries with seq > `after`, oldest first, at most `limit`. The caller frees *out. */
MF_EXPORT int mf_audit_list(mf_context_t* ctx, const mf_principal_t* who, uint64_t after,
                            size_t limit, mf_audit_list_t** out, char** errmsg);

/* Notices waiting for the account `owner` itself (an authenticated account principal);
 * nobody else may read them. The caller frees *out. */
MF_EXPORT int mf_notice_list(mf_context_t* ctx, const mf_principal_t* owner, mf_notice_list_t** out,
                             char** errmsg);

/* ------------------------------------------------------------------------------------ */
/* Results. Accessors take a non-NULL handle (NULL yields NULL, 0 or -1 as applicable)   */
/* and never fail; an index out of range yields NULL. Returned strings are owned by the  */
/* handle. Lists: mf_X_list_count(), mf_X_list_get(list, i) for 0 <= i < count (the      */
/* record belongs to the list), mf_X_list_free().                                       */
/* ------------------------------------------------------------------------------------ */

/* -- Resolution -- */
MF_EXPORT void mf_resolution_free(mf_resolution_t* r);
/* The address asked, canonical (lower case, A-label domain). */
MF_EXPORT const char* mf_resolution_address(const mf_resolution_t* r);
/* The directory entry that matched (differs when a +tag was removed). */
MF_EXPORT const char* mf_resolution_matched(const mf_resolution_t* r);
/* MF_ADDRESS_* of the matched entry. */
MF_EXPORT int mf_resolution_kind(const mf_resolution_t* r);
/* The subaddress tag ("news" for luc.petit+news@), or "". */
MF_EXPORT const char* mf_resolution_tag(const mf_resolution_t* r);
/* Local accounts that store a copy: sorted, unique. */
MF_EXPORT size_t mf_resolution_mailbox_count(const mf_resolution_t* r);
MF_EXPORT const char* mf_resolution_mailbox(const mf_resolution_t* r, size_t i);
/* Remote addresses to relay to: sorted, unique. */
MF_EXPORT size_t mf_resolution_external_count(const mf_resolution_t* r);
MF_EXPORT const char* mf_resolution_external(const mf_resolution_t* r, size_t i);

/* -- Domains -- */
MF_EXPORT size_t mf_domain_list_count(const mf_domain_list_t* list);
MF_EXPORT const mf_domain_t* mf_domain_list_get(const mf_domain_list_t* list, size_t i);
MF_EXPORT void mf_domain_list_free(mf_domain_list_t* list);
MF_EXPORT void mf_domain_free(mf_domain_t* domain); /* only for mf_domain_show's result */
/* A-label form, lower case ("xn--caf-dma.fr"). */
MF_EXPORT const char* mf_domain_name(const mf_domain_t* d);
/* U-label form for display ("café.fr"). */
MF_EXPORT const char* mf_domain_unicode_name(const mf_domain_t* d);
/* Returns 1 and stores the default quota in *bytes (which may be NULL) if set, else 0. */
MF_EXPORT int mf_domain_default_quota(const mf_domain_t* d, uint64_t* bytes);
MF_EXPORT int64_t mf_domain_created_at(const mf_domain_t* d); /* Unix seconds */
/* How many accounts (abuse@ and postmaster@ included), aliases and redirections. */
MF_EXPORT uint64_t mf_domain_num_accounts(const mf_domain_t* d);
MF_EXPORT uint64_t mf_domain_num_aliases(const mf_domain_t* d);
MF_EXPORT uint64_t mf_domain_num_redirections(const mf_domain_t* d);
/* The managers' addresses, sorted. */
MF_EXPORT size_t mf_domain_manager_count(const mf_domain_t* d);
MF_EXPORT const char* mf_domain_manager(const mf_domain_t* d, size_t i);

/* -- Accounts -- */
MF_EXPORT size_t mf_account_list_count(const mf_account_list_t* list);
MF_EXPORT const mf_account_t* mf_account_list_get(const mf_account_list_t* list, size_t i);
MF_EXPORT void mf_account_list_free(mf_account_list_t* list);
MF_EXPORT void mf_account_free(mf_account_t* account); /* only for mf_account_show's result */
/* Display form: the local part as created, "@", the domain. */
MF_EXPORT const char* mf_account_address(const mf_account_t* a);
MF_EXPORT const char* mf_account_display_name(const mf_account_t* a);
MF_EXPORT int mf_account_state(const mf_account_t* a); /* MF_ACCOUNT_* */
/* 1 for abuse@ and postmaster@ (RFC 2142), which cannot be removed. */
MF_EXPORT int mf_account_is_builtin(const mf_account_t* a);
/* Returns 1 and stores the account's own quota in *bytes (may be NULL) if set, else 0. */
MF_EXPORT int mf_account_quota(const mf_account_t* a, uint64_t* bytes);
MF_EXPORT size_t mf_account_alias_count(const mf_account_t* a);
MF_EXPORT const char* mf_account_alias(const mf_account_t* a, size_t i);
/* Domains this account manages, sorted. */
MF_EXPORT size_t mf_account_manages_count(const mf_account_t* a);
MF_EXPORT const char* mf_account_manages(const mf_account_t* a, size_t i);
/* Forwarding targets; none when the account does not forward. */
MF_EXPORT size_t mf_account_forward_count(const mf_account_t* a);
MF_EXPORT const char* mf_account_forward(const mf_account_t* a, size_t i);
MF_EXPORT int mf_account_keep_copy(const mf_account_t* a); /* MF_KEEP_COPY_* */
MF_EXPORT int64_t mf_account_created_at(const mf_account_t* a);
MF_EXPORT int64_t mf_account_password_changed_at(const mf_account_t* a);

/* -- Aliases -- */
MF_EXPORT size_t mf_alias_list_count(const mf_alias_list_t* list);
MF_EXPORT const mf_alias_t* mf_alias_list_get(const mf_alias_list_t* list, size_t i);
MF_EXPORT void mf_alias_list_free(mf_alias_list_t* list);
MF_EXPORT const char* mf_alias_address(const mf_alias_t* a); /* the alias */
MF_EXPORT const char* mf_alias_account(const mf_alias_t* a); /* the account it belongs to */

/* -- Redirections -- */
MF_EXPORT size_t mf_redirection_list_count(const mf_redirection_list_t* list);
MF_EXPORT const mf_redirection_t* mf_redirection_list_get(const mf_redirection_list_t* list,
                                                          size_t i);
MF_EXPORT void mf_redirection_list_free(mf_redirection_list_t* list);
MF_EXPORT const char* mf_redirection_address(const mf_redirection_t* r);
/* The targets as stored, in the order given. */
MF_EXPORT size_t mf_redirection_target_count(const mf_redirection_t* r);
MF_EXPORT const char* mf_redirection_target(const mf_redirection_t* r, size_t i);
MF_EXPORT int mf_redirection_send_as(const mf_redirection_t* r); /* MF_SEND_AS_* */

/* -- Manager grants -- */
MF_EXPORT size_t mf_manager_list_count(const mf_manager_list_t* list);
MF_EXPORT const mf_manager_t* mf_manager_list_get(const mf_manager_list_t* list, size_t i);
MF_EXPORT void mf_manager_list_free(mf_manager_list_t* list);
MF_EXPORT const char* mf_manager_account(const mf_manager_t* m); /* the manager's address */
MF_EXPORT const char* mf_manager_domain(const mf_manager_t* m);  /* the managed domain */

/* -- Audit log -- */
MF_EXPORT size_t mf_audit_list_count(const mf_audit_list_t* list);
MF_EXPORT const mf_audit_entry_t* mf_audit_list_get(const mf_audit_list_t* list, size_t i);
MF_EXPORT void mf_audit_list_free(mf_audit_list_t* list);
MF_EXPORT uint64_t mf_audit_entry_seq(const mf_audit_entry_t* e);       /* increasing */
MF_EXPORT int64_t mf_audit_entry_time(const mf_audit_entry_t* e);       /* Unix seconds */
MF_EXPORT const char* mf_audit_entry_actor(const mf_audit_entry_t* e);  /* principal name */
MF_EXPORT const char* mf_audit_entry_origin(const mf_audit_entry_t* e); /* its origin */
/* "domain.add", "user.passwd.reset", ... */
MF_EXPORT const char* mf_audit_entry_action(const mf_audit_entry_t* e);
MF_EXPORT const char* mf_audit_entry_target(const mf_audit_entry_t* e);
MF_EXPORT const char* mf_audit_entry_detail(const mf_audit_entry_t* e); /* never a password */

/* -- Notices -- */
MF_EXPORT size_t mf_notice_list_count(const mf_notice_list_t* list);
MF_EXPORT const mf_notice_t* mf_notice_list_get(const mf_notice_list_t* list, size_t i);
MF_EXPORT void mf_notice_list_free(mf_notice_list_t* list);
MF_EXPORT uint64_t mf_notice_seq(const mf_notice_t* n);
MF_EXPORT int64_t mf_notice_time(const mf_notice_t* n);
MF_EXPORT const char* mf_notice_subject(const mf_notice_t* n);
MF_EXPORT const char* mf_notice_body(const mf_notice_t* n);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* MAILFOUNTAIN_MAILFOUNTAIN_H */
