/* tests/capi/c_api_test.c — the C API (mailfountain.h) exercised from C.
 *
 * Compiled as C11, this program builds the MA SOCIETE directory of DEMO.md through the C
 * API alone and checks what a C caller relies on: resolutions, result codes and their
 * messages, rights, authentication, lists and records, and that every handle can be
 * freed (the test also runs under AddressSanitizer, which reports any leak).
 *
 * Usage: c_api_test [SCRATCH_DIR]. A fresh directory is created under SCRATCH_DIR (or
 * $TMPDIR, or /tmp) and removed at the end. Exit status 0 when every check passed.
 */
#define _XOPEN_SOURCE 700

#include <mailfountain/mailfountain.h>

#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- A minimal check harness ---- */

static int g_checks;
static int g_failures;

#define CHECK(cond) check_at(__FILE__, __LINE__, #cond, (cond) ? 1 : 0)

static int check_at(const char* file, int line, const char* text, int ok) {
  ++g_checks;
  if (!ok) {
    ++g_failures;
    fprintf(stderr, "%s:%d: CHECK failed: %s\n", file, line, text);
  }
  return ok;
}

static int streq(const char* a, const char* b) {
  return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* Checks that `got` is `want`, that a failure carries a message and a success none, and
 * frees the message. Every call below passes `&err` as its errmsg. */
#define EXPECT_CODE(want, call) expect_code_at(__FILE__, __LINE__, #call, (call), (want), &err)
#define EXPECT_OK(call) EXPECT_CODE(MF_OK, call)

static int expect_code_at(const char* file, int line, const char* text, int got, int want,
                          char** err) {
  int ok = 1;
  ++g_checks;
  if (got != want) {
    fprintf(stderr, "%s:%d: %s\n  expected %s, got %s: %s\n", file, line, text, mf_code_name(want),
            mf_code_name(got), *err != NULL ? *err : "(no message)");
    ok = 0;
  } else if (want != MF_OK && (*err == NULL || (*err)[0] == '\0')) {
    fprintf(stderr, "%s:%d: %s\n  failed with %s but without a message\n", file, line, text,
            mf_code_name(got));
    ok = 0;
  } else if (want == MF_OK && *err != NULL) {
    fprintf(stderr, "%s:%d: %s\n  succeeded but left a message: %s\n", file, line, text, *err);
    ok = 0;
  }
  if (!ok) ++g_failures;
  mf_free(*err);
  *err = NULL;
  return ok;
}

/* Like EXPECT_CODE, and also checks that the message contains `needle`. */
#define EXPECT_CODE_MESSAGE(want, needle, call) \
  expect_message_at(__FILE__, __LINE__, #call, (call), (want), (needle), &err)

static int expect_message_at(const char* file, int line, const char* text, int got, int want,
                             const char* needle, char** err) {
  if (*err != NULL && strstr(*err, needle) == NULL) {
    ++g_checks;
    ++g_failures;
    fprintf(stderr, "%s:%d: %s\n  message \"%s\" does not mention \"%s\"\n", file, line, text, *err,
            needle);
  } else if (*err == NULL && got != MF_OK) {
    ++g_checks;
    ++g_failures;
    fprintf(stderr, "%s:%d: %s\n  no message, expected one mentioning \"%s\"\n", file, line, text,
            needle);
  }
  return expect_code_at(file, line, text, got, want, err);
}

/* ---- Scratch directories ---- */

static int remove_entry(const char* path, const struct stat* sb, int flag, struct FTW* ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(path);
}

static void remove_tree(const char* path) {
  nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- The MA SOCIETE directory (DEMO.md) ---- */

#define DOMAIN "ma-societe.fr"
#define OTHER_DOMAIN "autre-societe.fr"
#define ADMIN_NAME "admin"
#define ADMIN_PASSWORD "admin-password-1"
#define JEAN "jean.martin@" DOMAIN
#define SOPHIE "sophie.bernard@" DOMAIN
#define LUC "luc.petit@" DOMAIN
#define EMMA "emma.durand@" DOMAIN

struct person {
  const char* address;
  const char* display_name;
  const char* password;
};

static const struct person kPeople[] = {
    {JEAN, "Jean Martin", "jean-password-1"},
    {SOPHIE, "Sophie Bernard", "sophie-password-1"},
    {LUC, "Luc Petit", "luc-password-1"},
    {EMMA, "Emma Durand", "emma-password-1"},
};

static int build_demo(mf_context_t* ctx, const mf_principal_t* admin) {
  static const char* const support[] = {LUC, EMMA};
  static const char* const contact[] = {JEAN, SOPHIE};
  char* err = NULL;
  int ok = 1;
  size_t i;
  ok &= EXPECT_OK(mf_domain_add(ctx, admin, DOMAIN, &err));
  for (i = 0; i < sizeof kPeople / sizeof kPeople[0]; ++i) {
    ok &= EXPECT_OK(mf_account_add(ctx, admin, kPeople[i].address, kPeople[i].display_name,
                                   kPeople[i].password, NULL, &err));
  }
  ok &= EXPECT_OK(mf_alias_add(ctx, admin, "direction@" DOMAIN, JEAN, &err));
  ok &= EXPECT_OK(mf_alias_add(ctx, admin, "accueil@" DOMAIN, SOPHIE, &err));
  ok &= EXPECT_OK(mf_alias_add(ctx, admin, "compta@" DOMAIN, SOPHIE, &err));
  ok &= EXPECT_OK(mf_alias_add(ctx, admin, "commercial@" DOMAIN, EMMA, &err));
  ok &= EXPECT_OK(mf_redirection_add(ctx, admin, "support@" DOMAIN, support, 2,
                                     MF_SEND_AS_MEMBERS_MAY_SEND, &err));
  ok &= EXPECT_OK(mf_redirection_add(ctx, admin, "contact@" DOMAIN, contact, 2,
                                     MF_SEND_AS_MEMBERS_MAY_SEND, &err));
  ok &= EXPECT_OK(mf_manager_grant(ctx, admin, JEAN, DOMAIN, &err));
  return ok;
}

/* Logs `address` in through IMAP; NULL (and a failed check) if it is refused. */
static mf_principal_t* login(mf_context_t* ctx, const char* address, const char* password) {
  mf_principal_t* who = NULL;
  char* err = NULL;
  EXPECT_OK(mf_authenticate(ctx, address, password, MF_SERVICE_IMAP, "c_api_test", &who, &err));
  return who;
}

/* ---- The checks, one function per behaviour ---- */

static void version_and_code_names_match_the_header(void) {
  CHECK(streq(mf_version(), MF_VERSION_STRING));
  CHECK(mf_schema_version() >= 1);
  CHECK(streq(mf_code_name(MF_OK), "ok"));
  CHECK(streq(mf_code_name(MF_E_NOT_FOUND), "not_found"));
  CHECK(streq(mf_code_name(MF_E_PERMISSION_DENIED), "permission_denied"));
  CHECK(streq(mf_code_name(MF_E_INTERNAL), "internal"));
  CHECK(streq(mf_code_name(12), "unknown"));
  CHECK(streq(mf_code_name(-1), "unknown"));
}

static void null_arguments_are_invalid_arguments_naming_the_parameter(mf_context_t* ctx,
                                                                      mf_principal_t* admin) {
  char* err = NULL;
  mf_context_t* none = (mf_context_t*)&err; /* must be reset to NULL on failure */
  mf_resolution_t* r = (mf_resolution_t*)&err;
  EXPECT_CODE_MESSAGE(MF_E_INVALID_ARGUMENT, "dir", mf_open(NULL, NULL, &none, &err));
  CHECK(none == NULL);
  EXPECT_CODE_MESSAGE(MF_E_INVALID_ARGUMENT, "ctx", mf_domain_add(NULL, admin, DOMAIN, &err));
  EXPECT_CODE_MESSAGE(MF_E_INVALID_ARGUMENT, "who", mf_domain_add(ctx, NULL, DOMAIN, &err));
  EXPECT_CODE_MESSAGE(MF_E_INVALID_ARGUMENT, "address", mf_resolve(ctx, NULL, &r, &err));
  CHECK(r == NULL);
  EXPECT_CODE_MESSAGE(
      MF_E_INVALID_ARGUMENT, "targets",
      mf_redirection_add(ctx, admin, "x@" DOMAIN, NULL, 2, MF_SEND_AS_MEMBERS_MAY_SEND, &err));
  /* A NULL errmsg is allowed: the code alone comes back. */
  CHECK(mf_domain_add(ctx, NULL, DOMAIN, NULL) == MF_E_INVALID_ARGUMENT);
  /* Accessors and free functions accept NULL. */
  CHECK(mf_resolution_matched(NULL) == NULL);
  CHECK(mf_resolution_mailbox_count(NULL) == 0);
  CHECK(mf_domain_list_get(NULL, 0) == NULL);
  mf_resolution_free(NULL);
  mf_principal_free(NULL);
  mf_close(NULL);
}

static void enumeration_values_out_of_range_are_invalid_arguments(mf_context_t* ctx,
                                                                  mf_principal_t* admin) {
  static const char* const targets[] = {LUC};
  char* err = NULL;
  mf_principal_t* who = NULL;
  EXPECT_CODE_MESSAGE(MF_E_INVALID_ARGUMENT, "mode", mf_domain_remove(ctx, admin, DOMAIN, 7, &err));
  EXPECT_CODE_MESSAGE(MF_E_INVALID_ARGUMENT, "send_as",
                      mf_redirection_add(ctx, admin, "x@" DOMAIN, targets, 1, 2, &err));
  EXPECT_CODE_MESSAGE(MF_E_INVALID_ARGUMENT, "state",
                      mf_account_set_state(ctx, admin, LUC, -1, &err));
  EXPECT_CODE_MESSAGE(MF_E_INVALID_ARGUMENT, "service",
                      mf_authenticate(ctx, LUC, "luc-password-1", 99, "t", &who, &err));
  CHECK(who == NULL);
}

static void uninitialised_directory_is_not_found(const char* scratch) {
  char path[4200];
  char* err = NULL;
  mf_context_t* ctx = NULL;
  snprintf(path, sizeof path, "%s/never-initialised", scratch);
  EXPECT_CODE(MF_E_NOT_FOUND, mf_open(path, NULL, &ctx, &err));
  CHECK(ctx == NULL);
}

static void initialising_twice_is_already_exists(const char* dir, const mf_options_t* options) {
  char* err = NULL;
  EXPECT_CODE(MF_E_ALREADY_EXISTS, mf_init(dir, ADMIN_NAME, ADMIN_PASSWORD, options, &err));
}

static void out_of_range_options_are_invalid_arguments(const char* scratch) {
  char path[4200];
  char* err = NULL;
  mf_options_t* options = mf_options_create();
  if (!CHECK(options != NULL)) return;
  snprintf(path, sizeof path, "%s/bad-options", scratch);
  mf_options_set_password_cost(options, 12);
  EXPECT_CODE(MF_E_INVALID_ARGUMENT, mf_init(path, ADMIN_NAME, ADMIN_PASSWORD, options, &err));
  mf_options_set_password_cost(options, 1);
  mf_options_set_initial_map_size(options, (uint64_t)1 << 30);
  mf_options_set_max_map_size(options, (uint64_t)1 << 20);
  EXPECT_CODE(MF_E_INVALID_ARGUMENT, mf_init(path, ADMIN_NAME, ADMIN_PASSWORD, options, &err));
  mf_options_free(options);
}

/* Checks mf_resolve(address): its kind, tag and exactly the NULL-terminated `mailboxes`. */
static void check_resolution(mf_context_t* ctx, const char* address, const char* matched, int kind,
                             const char* tag, const char* const* mailboxes) {
  mf_resolution_t* r = NULL;
  char* err = NULL;
  size_t n = 0;
  if (!EXPECT_OK(mf_resolve(ctx, address, &r, &err))) {
    fprintf(stderr, "  while resolving %s\n", address);
    return;
  }
  while (mailboxes[n] != NULL) ++n;
  if (!CHECK(streq(mf_resolution_matched(r), matched)) || !CHECK(mf_resolution_kind(r) == kind) ||
      !CHECK(streq(mf_resolution_tag(r), tag)) || !CHECK(mf_resolution_mailbox_count(r) == n) ||
      !CHECK(mf_resolution_external_count(r) == 0)) {
    fprintf(stderr, "  while resolving %s: matched %s, kind %d, tag \"%s\", %zu mailboxes\n",
            address, mf_resolution_matched(r), mf_resolution_kind(r), mf_resolution_tag(r),
            mf_resolution_mailbox_count(r));
  } else {
    size_t i;
    for (i = 0; i < n; ++i) {
      if (!CHECK(streq(mf_resolution_mailbox(r, i), mailboxes[i]))) {
        fprintf(stderr, "  while resolving %s: mailbox %zu is %s, expected %s\n", address, i,
                mf_resolution_mailbox(r, i), mailboxes[i]);
      }
    }
    CHECK(mf_resolution_mailbox(r, n) == NULL);
  }
  mf_resolution_free(r);
}

static void demo_addresses_resolve_as_demo_md_says(mf_context_t* ctx) {
  static const char* const support[] = {EMMA, LUC, NULL};
  static const char* const contact[] = {JEAN, SOPHIE, NULL};
  static const char* const jean[] = {JEAN, NULL};
  static const char* const sophie[] = {SOPHIE, NULL};
  static const char* const luc[] = {LUC, NULL};
  static const char* const emma[] = {EMMA, NULL};
  static const char* const abuse[] = {"abuse@" DOMAIN, NULL};
  static const char* const postmaster[] = {"postmaster@" DOMAIN, NULL};
  check_resolution(ctx, "support@" DOMAIN, "support@" DOMAIN, MF_ADDRESS_REDIRECTION, "", support);
  check_resolution(ctx, "contact@" DOMAIN, "contact@" DOMAIN, MF_ADDRESS_REDIRECTION, "", contact);
  check_resolution(ctx, "direction@" DOMAIN, "direction@" DOMAIN, MF_ADDRESS_ALIAS, "", jean);
  check_resolution(ctx, "accueil@" DOMAIN, "accueil@" DOMAIN, MF_ADDRESS_ALIAS, "", sophie);
  check_resolution(ctx, "compta@" DOMAIN, "compta@" DOMAIN, MF_ADDRESS_ALIAS, "", sophie);
  check_resolution(ctx, "commercial@" DOMAIN, "commercial@" DOMAIN, MF_ADDRESS_ALIAS, "", emma);
  check_resolution(ctx, JEAN, JEAN, MF_ADDRESS_ACCOUNT, "", jean);
  check_resolution(ctx, LUC, LUC, MF_ADDRESS_ACCOUNT, "", luc);
  check_resolution(ctx, "abuse@" DOMAIN, "abuse@" DOMAIN, MF_ADDRESS_ACCOUNT, "", abuse);
  check_resolution(ctx, "postmaster@" DOMAIN, "postmaster@" DOMAIN, MF_ADDRESS_ACCOUNT, "",
                   postmaster);
}

static void subaddress_resolves_to_the_account_and_keeps_the_tag(mf_context_t* ctx) {
  static const char* const luc[] = {LUC, NULL};
  mf_resolution_t* r = NULL;
  char* err = NULL;
  check_resolution(ctx, "luc.petit+news@" DOMAIN, LUC, MF_ADDRESS_ACCOUNT, "news", luc);
  /* Matching is case-insensitive and the asked address comes back canonical. */
  if (EXPECT_OK(mf_resolve(ctx, "Luc.Petit+news@MA-SOCIETE.FR", &r, &err))) {
    CHECK(streq(mf_resolution_address(r), "luc.petit+news@" DOMAIN));
    CHECK(streq(mf_resolution_matched(r), LUC));
  }
  mf_resolution_free(r);
}

static void unknown_address_is_not_found_with_a_message(mf_context_t* ctx) {
  mf_resolution_t* r = (mf_resolution_t*)&ctx; /* must be reset to NULL */
  char* err = NULL;
  int code = mf_resolve(ctx, "nobody@" DOMAIN, &r, &err);
  CHECK(r == NULL);
  EXPECT_CODE_MESSAGE(MF_E_NOT_FOUND, "nobody@" DOMAIN, code);
  /* A domain that is not ours is not found either. */
  EXPECT_CODE(MF_E_NOT_FOUND, mf_resolve(ctx, "someone@example.org", &r, &err));
}

static void taken_names_and_addresses_are_already_exists(mf_context_t* ctx, mf_principal_t* admin) {
  static const char* const targets[] = {JEAN};
  char* err = NULL;
  EXPECT_CODE(MF_E_ALREADY_EXISTS, mf_domain_add(ctx, admin, DOMAIN, &err));
  EXPECT_CODE(MF_E_ALREADY_EXISTS,
              mf_account_add(ctx, admin, LUC, "Luc Again", "another-password", NULL, &err));
  /* Addresses are unique across accounts, aliases and redirections. */
  EXPECT_CODE(MF_E_ALREADY_EXISTS, mf_alias_add(ctx, admin, "support@" DOMAIN, LUC, &err));
  EXPECT_CODE(MF_E_ALREADY_EXISTS, mf_alias_add(ctx, admin, EMMA, LUC, &err));
  EXPECT_CODE(MF_E_ALREADY_EXISTS, mf_redirection_add(ctx, admin, "direction@" DOMAIN, targets, 1,
                                                      MF_SEND_AS_MEMBERS_MAY_SEND, &err));
  EXPECT_CODE(MF_E_ALREADY_EXISTS,
              mf_account_add(ctx, admin, "Compta@" DOMAIN, "Case", "compta-password", NULL, &err));
}

static void bad_names_are_invalid_arguments(mf_context_t* ctx, mf_principal_t* admin) {
  char* err = NULL;
  EXPECT_CODE(MF_E_INVALID_ARGUMENT, mf_domain_add(ctx, admin, "not a domain", &err));
  EXPECT_CODE(MF_E_INVALID_ARGUMENT,
              mf_account_add(ctx, admin, "two..dots@" DOMAIN, "X", "password-1", NULL, &err));
  EXPECT_CODE(MF_E_INVALID_ARGUMENT,
              mf_account_add(ctx, admin, "short@" DOMAIN, "X", "short", NULL, &err));
}

static void manager_acts_on_own_domain_only(mf_context_t* ctx, mf_principal_t* admin) {
  char* err = NULL;
  mf_principal_t* jean = login(ctx, JEAN, "jean-password-1");
  if (jean == NULL) return;
  EXPECT_OK(mf_domain_add(ctx, admin, OTHER_DOMAIN, &err));
  EXPECT_OK(mf_account_add(ctx, jean, "stagiaire@" DOMAIN, "Stagiaire", NULL, NULL, &err));
  EXPECT_CODE_MESSAGE(
      MF_E_PERMISSION_DENIED, OTHER_DOMAIN,
      mf_account_add(ctx, jean, "paul@" OTHER_DOMAIN, "Paul", "paul-password-1", NULL, &err));
  EXPECT_CODE(MF_E_PERMISSION_DENIED, mf_alias_add(ctx, jean, "info@" OTHER_DOMAIN, JEAN, &err));
  /* Only the administrator adds domains and grants managers. */
  EXPECT_CODE(MF_E_PERMISSION_DENIED, mf_domain_add(ctx, jean, "jean.fr", &err));
  EXPECT_CODE(MF_E_PERMISSION_DENIED, mf_manager_grant(ctx, jean, LUC, DOMAIN, &err));
  EXPECT_OK(mf_account_remove(ctx, jean, "stagiaire@" DOMAIN, MF_REMOVAL_REFUSE_IF_IN_USE, &err));
  mf_principal_free(jean);
}

static void standard_user_changes_only_own_name_and_password(mf_context_t* ctx) {
  char* err = NULL;
  mf_principal_t* sophie = login(ctx, SOPHIE, "sophie-password-1");
  if (sophie == NULL) return;
  CHECK(!mf_principal_is_administrator(sophie));
  CHECK(streq(mf_principal_name(sophie), SOPHIE));
  CHECK(streq(mf_principal_origin(sophie), "c_api_test"));
  EXPECT_OK(mf_account_set_display_name(ctx, sophie, SOPHIE, "Sophie B.", &err));
  EXPECT_OK(mf_account_set_display_name(ctx, sophie, SOPHIE, "Sophie Bernard", &err));
  EXPECT_CODE(MF_E_PERMISSION_DENIED, mf_account_set_display_name(ctx, sophie, LUC, "Luc", &err));
  EXPECT_CODE(MF_E_PERMISSION_DENIED,
              mf_account_add(ctx, sophie, "ami@" DOMAIN, "Ami", NULL, NULL, &err));
  EXPECT_CODE(MF_E_PERMISSION_DENIED,
              mf_account_set_password(ctx, sophie, LUC, "luc-new-password", &err));
  mf_principal_free(sophie);
}

static void authentication_accepts_good_and_refuses_bad_credentials(mf_context_t* ctx) {
  char* err = NULL;
  mf_principal_t* who = NULL;
  EXPECT_OK(mf_authenticate(ctx, ADMIN_NAME, ADMIN_PASSWORD, MF_SERVICE_ADMIN, "t", &who, &err));
  CHECK(who != NULL && mf_principal_is_administrator(who));
  CHECK(streq(mf_principal_name(who), ADMIN_NAME));
  mf_principal_free(who);
  who = NULL;

  EXPECT_OK(mf_authenticate(ctx, EMMA, "emma-password-1", MF_SERVICE_SMTP, "t", &who, &err));
  CHECK(who != NULL && !mf_principal_is_administrator(who));
  CHECK(streq(mf_principal_name(who), EMMA));
  mf_principal_free(who);
  who = NULL;

  /* A login with an alias is the account itself. */
  EXPECT_OK(mf_authenticate(ctx, "direction@" DOMAIN, "jean-password-1", MF_SERVICE_IMAP, "t", &who,
                            &err));
  CHECK(streq(mf_principal_name(who), JEAN));
  mf_principal_free(who);
  who = (mf_principal_t*)&err; /* must be reset to NULL on failure */

  EXPECT_CODE(MF_E_UNAUTHENTICATED,
              mf_authenticate(ctx, EMMA, "wrong-password", MF_SERVICE_IMAP, "t", &who, &err));
  CHECK(who == NULL);
  EXPECT_CODE(MF_E_UNAUTHENTICATED, mf_authenticate(ctx, "nobody@" DOMAIN, "whatever-1",
                                                    MF_SERVICE_IMAP, "t", &who, &err));
  /* The administrator is not a mailbox: mail services refuse its name. */
  EXPECT_CODE(MF_E_UNAUTHENTICATED,
              mf_authenticate(ctx, ADMIN_NAME, ADMIN_PASSWORD, MF_SERVICE_IMAP, "t", &who, &err));
  /* abuse@ has no password: it cannot log in. */
  EXPECT_CODE(MF_E_UNAUTHENTICATED,
              mf_authenticate(ctx, "abuse@" DOMAIN, "", MF_SERVICE_IMAP, "t", &who, &err));
}

struct async_login {
  pthread_mutex_t lock;
  pthread_cond_t done_cond;
  int done;
  int code;
  char name[256];
};

static void on_login(void* arg, int code, const char* errmsg, mf_principal_t* principal) {
  struct async_login* state = (struct async_login*)arg;
  (void)errmsg;
  pthread_mutex_lock(&state->lock);
  state->code = code;
  if (principal != NULL) {
    snprintf(state->name, sizeof state->name, "%s", mf_principal_name(principal));
  }
  mf_principal_free(principal);
  state->done = 1;
  pthread_cond_signal(&state->done_cond);
  pthread_mutex_unlock(&state->lock);
}

static int login_async(mf_context_t* ctx, const char* address, const char* password,
                       struct async_login* state) {
  char* err = NULL;
  state->done = 0;
  state->code = -1;
  state->name[0] = '\0';
  if (!EXPECT_OK(mf_authenticate_async(ctx, address, password, MF_SERVICE_POP3, "t", on_login,
                                       state, &err))) {
    return 0;
  }
  pthread_mutex_lock(&state->lock);
  while (!state->done) pthread_cond_wait(&state->done_cond, &state->lock);
  pthread_mutex_unlock(&state->lock);
  return 1;
}

static void asynchronous_login_calls_back_once_with_the_outcome(mf_context_t* ctx) {
  struct async_login state;
  pthread_mutex_init(&state.lock, NULL);
  pthread_cond_init(&state.done_cond, NULL);
  if (login_async(ctx, LUC, "luc-password-1", &state)) {
    CHECK(state.code == MF_OK);
    CHECK(streq(state.name, LUC));
  }
  if (login_async(ctx, LUC, "not-his-password", &state)) {
    CHECK(state.code == MF_E_UNAUTHENTICATED);
    CHECK(state.name[0] == '\0');
  }
  pthread_cond_destroy(&state.done_cond);
  pthread_mutex_destroy(&state.lock);
}

static void lists_and_records_describe_the_directory(mf_context_t* ctx, mf_principal_t* admin) {
  char* err = NULL;
  mf_domain_list_t* domains = NULL;
  mf_domain_t* domain = NULL;
  mf_account_list_t* accounts = NULL;
  mf_account_t* jean = NULL;
  mf_alias_list_t* aliases = NULL;
  mf_redirection_list_t* redirections = NULL;
  mf_manager_list_t* managers = NULL;

  if (EXPECT_OK(mf_domain_list(ctx, admin, &domains, &err))) {
    CHECK(mf_domain_list_count(domains) == 2);
    CHECK(streq(mf_domain_name(mf_domain_list_get(domains, 0)), OTHER_DOMAIN));
    CHECK(streq(mf_domain_name(mf_domain_list_get(domains, 1)), DOMAIN));
    CHECK(mf_domain_list_get(domains, 2) == NULL);
  }
  mf_domain_list_free(domains);

  if (EXPECT_OK(mf_domain_show(ctx, admin, DOMAIN, &domain, &err))) {
    CHECK(streq(mf_domain_unicode_name(domain), DOMAIN));
    CHECK(mf_domain_num_accounts(domain) == 6); /* four people, abuse@, postmaster@ */
    CHECK(mf_domain_num_aliases(domain) == 4);
    CHECK(mf_domain_num_redirections(domain) == 2);
    CHECK(mf_domain_manager_count(domain) == 1);
    CHECK(streq(mf_domain_manager(domain, 0), JEAN));
    CHECK(mf_domain_default_quota(domain, NULL) == 0);
    CHECK(mf_domain_created_at(domain) > 0);
  }
  mf_domain_free(domain);

  if (EXPECT_OK(mf_account_list(ctx, admin, DOMAIN, &accounts, &err))) {
    size_t i;
    size_t builtin = 0;
    CHECK(mf_account_list_count(accounts) == 6);
    for (i = 0; i < mf_account_list_count(accounts); ++i) {
      builtin += (size_t)mf_account_is_builtin(mf_account_list_get(accounts, i));
    }
    CHECK(builtin == 2);
  }
  mf_account_list_free(accounts);

  if (EXPECT_OK(mf_account_show(ctx, admin, JEAN, &jean, &err))) {
    CHECK(streq(mf_account_address(jean), JEAN));
    CHECK(streq(mf_account_display_name(jean), "Jean Martin"));
    CHECK(mf_account_state(jean) == MF_ACCOUNT_ENABLED);
    CHECK(!mf_account_is_builtin(jean));
    CHECK(mf_account_alias_count(jean) == 1);
    CHECK(streq(mf_account_alias(jean, 0), "direction@" DOMAIN));
    CHECK(mf_account_manages_count(jean) == 1);
    CHECK(streq(mf_account_manages(jean, 0), DOMAIN));
    CHECK(mf_account_forward_count(jean) == 0);
    CHECK(mf_account_password_changed_at(jean) > 0);
  }
  mf_account_free(jean);

  if (EXPECT_OK(mf_alias_list(ctx, admin, DOMAIN, &aliases, &err))) {
    CHECK(mf_alias_list_count(aliases) == 4);
    /* Sorted: accueil, commercial, compta, direction. */
    CHECK(streq(mf_alias_address(mf_alias_list_get(aliases, 0)), "accueil@" DOMAIN));
    CHECK(streq(mf_alias_account(mf_alias_list_get(aliases, 0)), SOPHIE));
    CHECK(streq(mf_alias_address(mf_alias_list_get(aliases, 3)), "direction@" DOMAIN));
    CHECK(streq(mf_alias_account(mf_alias_list_get(aliases, 3)), JEAN));
  }
  mf_alias_list_free(aliases);

  if (EXPECT_OK(mf_redirection_list(ctx, admin, DOMAIN, &redirections, &err))) {
    const mf_redirection_t* support = mf_redirection_list_get(redirections, 1);
    CHECK(mf_redirection_list_count(redirections) == 2);
    CHECK(
        streq(mf_redirection_address(mf_redirection_list_get(redirections, 0)), "contact@" DOMAIN));
    CHECK(streq(mf_redirection_address(support), "support@" DOMAIN));
    /* Targets as given, in the order given. */
    CHECK(mf_redirection_target_count(support) == 2);
    CHECK(streq(mf_redirection_target(support, 0), LUC));
    CHECK(streq(mf_redirection_target(support, 1), EMMA));
    CHECK(mf_redirection_send_as(support) == MF_SEND_AS_MEMBERS_MAY_SEND);
  }
  mf_redirection_list_free(redirections);

  if (EXPECT_OK(mf_manager_list(ctx, admin, NULL, &managers, &err))) {
    CHECK(mf_manager_list_count(managers) == 1);
    CHECK(streq(mf_manager_account(mf_manager_list_get(managers, 0)), JEAN));
    CHECK(streq(mf_manager_domain(mf_manager_list_get(managers, 0)), DOMAIN));
  }
  mf_manager_list_free(managers);
  managers = NULL;
  if (EXPECT_OK(mf_manager_list(ctx, admin, OTHER_DOMAIN, &managers, &err))) {
    CHECK(mf_manager_list_count(managers) == 0);
  }
  mf_manager_list_free(managers);
}

static void quota_comes_from_the_account_or_the_domain_default(mf_context_t* ctx,
                                                               mf_principal_t* admin) {
  const uint64_t domain_default = 1000000;
  const uint64_t own = 5000000;
  char* err = NULL;
  int has_limit = -1;
  int source = -1;
  uint64_t limit = 0;
  if (EXPECT_OK(mf_quota_show(ctx, admin, LUC, &has_limit, &limit, &source, &err))) {
    CHECK(has_limit == 0);
    CHECK(source == MF_QUOTA_SOURCE_UNLIMITED);
  }
  EXPECT_OK(mf_domain_set_default_quota(ctx, admin, DOMAIN, &domain_default, &err));
  if (EXPECT_OK(mf_quota_show(ctx, admin, LUC, &has_limit, &limit, &source, &err))) {
    CHECK(has_limit == 1);
    CHECK(limit == domain_default);
    CHECK(source == MF_QUOTA_SOURCE_DOMAIN_DEFAULT);
  }
  EXPECT_OK(mf_account_set_quota(ctx, admin, LUC, &own, &err));
  if (EXPECT_OK(mf_quota_show(ctx, admin, LUC, &has_limit, &limit, &source, &err))) {
    CHECK(has_limit == 1);
    CHECK(limit == own);
    CHECK(source == MF_QUOTA_SOURCE_ACCOUNT);
  }
  EXPECT_OK(mf_account_set_quota(ctx, admin, LUC, NULL, &err));
  EXPECT_OK(mf_domain_set_default_quota(ctx, admin, DOMAIN, NULL, &err));
  if (EXPECT_OK(mf_quota_show(ctx, admin, LUC, &has_limit, &limit, &source, &err))) {
    CHECK(has_limit == 0);
  }
}

static void members_may_send_as_their_redirection(mf_context_t* ctx) {
  char* err = NULL;
  int allowed = -1;
  if (EXPECT_OK(mf_may_send_as(ctx, LUC, "support@" DOMAIN, &allowed, &err))) {
    CHECK(allowed == 1);
  }
  if (EXPECT_OK(mf_may_send_as(ctx, LUC, "contact@" DOMAIN, &allowed, &err))) {
    CHECK(allowed == 0);
  }
  if (EXPECT_OK(mf_may_send_as(ctx, SOPHIE, "compta@" DOMAIN, &allowed, &err))) {
    CHECK(allowed == 1);
  }
  if (EXPECT_OK(mf_may_send_as(ctx, SOPHIE, "direction@" DOMAIN, &allowed, &err))) {
    CHECK(allowed == 0);
  }
  if (EXPECT_OK(mf_is_local_domain(ctx, DOMAIN, &allowed, &err))) CHECK(allowed == 1);
  if (EXPECT_OK(mf_is_local_domain(ctx, "example.org", &allowed, &err))) CHECK(allowed == 0);
}

static void disabled_account_receives_no_mail(mf_context_t* ctx, mf_principal_t* admin) {
  static const char* const emma[] = {EMMA, NULL};
  char* err = NULL;
  mf_resolution_t* r = NULL;
  EXPECT_OK(mf_account_set_state(ctx, admin, EMMA, MF_ACCOUNT_DISABLED, &err));
  EXPECT_CODE(MF_E_FAILED_PRECONDITION, mf_resolve(ctx, EMMA, &r, &err));
  CHECK(r == NULL);
  EXPECT_OK(mf_account_set_state(ctx, admin, EMMA, MF_ACCOUNT_ENABLED, &err));
  check_resolution(ctx, EMMA, EMMA, MF_ADDRESS_ACCOUNT, "", emma);
}

static void forwarding_sends_mail_to_the_targets(mf_context_t* ctx, mf_principal_t* admin) {
  static const char* const to_jean[] = {JEAN};
  static const char* const jean_only[] = {JEAN, NULL};
  char* err = NULL;
  mf_account_t* abuse = NULL;
  EXPECT_OK(
      mf_account_set_forwarding(ctx, admin, "abuse@" DOMAIN, to_jean, 1, MF_KEEP_COPY_NO, &err));
  check_resolution(ctx, "abuse@" DOMAIN, "abuse@" DOMAIN, MF_ADDRESS_ACCOUNT, "", jean_only);
  if (EXPECT_OK(mf_account_show(ctx, admin, "abuse@" DOMAIN, &abuse, &err))) {
    CHECK(mf_account_is_builtin(abuse));
    CHECK(mf_account_forward_count(abuse) == 1);
    CHECK(streq(mf_account_forward(abuse, 0), JEAN));
    CHECK(mf_account_keep_copy(abuse) == MF_KEEP_COPY_NO);
  }
  mf_account_free(abuse);
  EXPECT_OK(
      mf_account_set_forwarding(ctx, admin, "abuse@" DOMAIN, NULL, 0, MF_KEEP_COPY_YES, &err));
  /* Built-in accounts cannot be removed while their domain exists. */
  EXPECT_CODE(MF_E_FAILED_PRECONDITION,
              mf_account_remove(ctx, admin, "abuse@" DOMAIN, MF_REMOVAL_FORCE, &err));
}

static void password_reset_is_audited_and_announced(mf_context_t* ctx, mf_principal_t* admin) {
  char* err = NULL;
  mf_principal_t* jean = login(ctx, JEAN, "jean-password-1");
  mf_principal_t* luc = NULL;
  mf_notice_list_t* notices = NULL;
  mf_audit_list_t* audit = NULL;
  size_t i;
  int saw_domain_add = 0;
  if (jean == NULL) return;
  EXPECT_OK(mf_account_set_password(ctx, jean, LUC, "luc-password-2", &err));
  luc = login(ctx, LUC, "luc-password-2");
  if (luc != NULL) {
    if (EXPECT_OK(mf_notice_list(ctx, luc, &notices, &err))) {
      CHECK(mf_notice_list_count(notices) >= 1);
      CHECK(mf_notice_subject(mf_notice_list_get(notices, 0))[0] != '\0');
    }
    mf_notice_list_free(notices);
    notices = NULL;
    /* Nobody else reads an account's notices: Jean's list is his own, and empty. */
    if (EXPECT_OK(mf_notice_list(ctx, jean, &notices, &err))) {
      CHECK(mf_notice_list_count(notices) == 0);
    }
    mf_notice_list_free(notices);
  }
  EXPECT_OK(mf_account_set_password(ctx, admin, LUC, "luc-password-1", &err));

  EXPECT_CODE(MF_E_PERMISSION_DENIED, mf_audit_list(ctx, jean, 0, 100, &audit, &err));
  CHECK(audit == NULL);
  if (EXPECT_OK(mf_audit_list(ctx, admin, 0, 1000, &audit, &err))) {
    CHECK(mf_audit_list_count(audit) > 0);
    for (i = 0; i < mf_audit_list_count(audit); ++i) {
      const mf_audit_entry_t* e = mf_audit_list_get(audit, i);
      if (i > 0) CHECK(mf_audit_entry_seq(e) > mf_audit_entry_seq(mf_audit_list_get(audit, i - 1)));
      if (streq(mf_audit_entry_action(e), "domain.add") &&
          streq(mf_audit_entry_target(e), DOMAIN)) {
        saw_domain_add = 1;
        CHECK(streq(mf_audit_entry_actor(e), ADMIN_NAME));
        CHECK(streq(mf_audit_entry_origin(e), "c_api_test setup"));
        CHECK(mf_audit_entry_time(e) > 0);
        CHECK(mf_audit_entry_detail(e) != NULL);
      }
    }
    CHECK(saw_domain_add);
  }
  mf_audit_list_free(audit);
  mf_principal_free(luc);
  mf_principal_free(jean);
}

static void redirection_can_be_replaced_and_removed(mf_context_t* ctx, mf_principal_t* admin) {
  static const char* const news_team[] = {EMMA, "partner@example.org"};
  static const char* const support[] = {"support@" DOMAIN};
  char* err = NULL;
  mf_resolution_t* r = NULL;
  EXPECT_OK(mf_redirection_add(ctx, admin, "news@" DOMAIN, support, 1,
                               MF_SEND_AS_MEMBERS_MAY_NOT_SEND, &err));
  /* Nested: news@ -> support@ -> luc, emma. */
  if (EXPECT_OK(mf_resolve(ctx, "news@" DOMAIN, &r, &err))) {
    CHECK(mf_resolution_mailbox_count(r) == 2);
  }
  mf_resolution_free(r);
  r = NULL;
  EXPECT_CODE(MF_E_FAILED_PRECONDITION, mf_redirection_remove(ctx, admin, "support@" DOMAIN,
                                                              MF_REMOVAL_REFUSE_IF_IN_USE, &err));
  EXPECT_OK(mf_redirection_set(ctx, admin, "news@" DOMAIN, news_team, 2,
                               MF_SEND_AS_MEMBERS_MAY_NOT_SEND, &err));
  if (EXPECT_OK(mf_resolve(ctx, "news@" DOMAIN, &r, &err))) {
    CHECK(mf_resolution_mailbox_count(r) == 1);
    CHECK(streq(mf_resolution_mailbox(r, 0), EMMA));
    CHECK(mf_resolution_external_count(r) == 1);
    CHECK(streq(mf_resolution_external(r, 0), "partner@example.org"));
    CHECK(mf_resolution_external(r, 1) == NULL);
  }
  mf_resolution_free(r);
  r = NULL;
  EXPECT_OK(mf_redirection_remove(ctx, admin, "news@" DOMAIN, MF_REMOVAL_REFUSE_IF_IN_USE, &err));
  EXPECT_CODE(MF_E_NOT_FOUND, mf_resolve(ctx, "news@" DOMAIN, &r, &err));
}

static void domain_removal_is_refused_while_in_use_unless_forced(mf_context_t* ctx,
                                                                 mf_principal_t* admin) {
  char* err = NULL;
  mf_resolution_t* r = NULL;
  EXPECT_OK(
      mf_account_add(ctx, admin, "paul@" OTHER_DOMAIN, "Paul", "paul-password-1", NULL, &err));
  EXPECT_CODE(MF_E_FAILED_PRECONDITION,
              mf_domain_remove(ctx, admin, OTHER_DOMAIN, MF_REMOVAL_REFUSE_IF_IN_USE, &err));
  EXPECT_OK(mf_resolve(ctx, "paul@" OTHER_DOMAIN, &r, &err));
  mf_resolution_free(r);
  r = NULL;
  EXPECT_OK(mf_domain_remove(ctx, admin, OTHER_DOMAIN, MF_REMOVAL_FORCE, &err));
  EXPECT_CODE(MF_E_NOT_FOUND, mf_resolve(ctx, "paul@" OTHER_DOMAIN, &r, &err));
  EXPECT_CODE(MF_E_NOT_FOUND, mf_domain_remove(ctx, admin, OTHER_DOMAIN, MF_REMOVAL_FORCE, &err));
}

/* `old_admin` was issued by a context that is closed now. */
static void directory_survives_close_and_reopen(const char* dir, const mf_options_t* options,
                                                const mf_principal_t* old_admin) {
  static const char* const support[] = {EMMA, LUC, NULL};
  char* err = NULL;
  mf_context_t* ctx = NULL;
  if (!EXPECT_OK(mf_open(dir, options, &ctx, &err))) return;
  CHECK(streq(mf_context_data_dir(ctx), dir));
  check_resolution(ctx, "support@" DOMAIN, "support@" DOMAIN, MF_ADDRESS_REDIRECTION, "", support);
  /* A principal is valid only with the context that issued it. */
  EXPECT_CODE(MF_E_PERMISSION_DENIED, mf_domain_add(ctx, old_admin, "nouvelle.fr", &err));
  mf_close(ctx);
}

int main(int argc, char** argv) {
  const char* base = argc > 1 ? argv[1] : getenv("TMPDIR");
  char scratch[4096];
  char dir[4200];
  char* err = NULL;
  mf_options_t* options = NULL;
  mf_context_t* ctx = NULL;
  mf_principal_t* admin = NULL;

  snprintf(scratch, sizeof scratch, "%s/mf-capi-XXXXXX", base != NULL ? base : "/tmp");
  if (mkdtemp(scratch) == NULL) {
    perror("c_api_test: mkdtemp");
    return 2;
  }
  snprintf(dir, sizeof dir, "%s/data", scratch);

  version_and_code_names_match_the_header();
  uninitialised_directory_is_not_found(scratch);
  out_of_range_options_are_invalid_arguments(scratch);

  options = mf_options_create();
  CHECK(options != NULL);
  mf_options_set_password_cost(options, 1); /* for speed; never below 5 in production */
  mf_options_set_initial_map_size(options, (uint64_t)1 << 20);

  if (EXPECT_OK(mf_init(dir, ADMIN_NAME, ADMIN_PASSWORD, options, &err)) &&
      EXPECT_OK(mf_open(dir, options, &ctx, &err)) &&
      EXPECT_OK(mf_local_administrator(ctx, "c_api_test setup", &admin, &err)) &&
      CHECK(mf_principal_is_administrator(admin)) && build_demo(ctx, admin)) {
    initialising_twice_is_already_exists(dir, options);
    null_arguments_are_invalid_arguments_naming_the_parameter(ctx, admin);
    enumeration_values_out_of_range_are_invalid_arguments(ctx, admin);
    demo_addresses_resolve_as_demo_md_says(ctx);
    subaddress_resolves_to_the_account_and_keeps_the_tag(ctx);
    unknown_address_is_not_found_with_a_message(ctx);
    taken_names_and_addresses_are_already_exists(ctx, admin);
    bad_names_are_invalid_arguments(ctx, admin);
    manager_acts_on_own_domain_only(ctx, admin);
    standard_user_changes_only_own_name_and_password(ctx);
    authentication_accepts_good_and_refuses_bad_credentials(ctx);
    asynchronous_login_calls_back_once_with_the_outcome(ctx);
    lists_and_records_describe_the_directory(ctx, admin);
    quota_comes_from_the_account_or_the_domain_default(ctx, admin);
    members_may_send_as_their_redirection(ctx);
    disabled_account_receives_no_mail(ctx, admin);
    forwarding_sends_mail_to_the_targets(ctx, admin);
    password_reset_is_audited_and_announced(ctx, admin);
    redirection_can_be_replaced_and_removed(ctx, admin);
    domain_removal_is_refused_while_in_use_unless_forced(ctx, admin);
  }
  /* Teardown: the context, then what outlives it (a principal is a value, freed alone). */
  mf_close(ctx);
  if (g_failures == 0) directory_survives_close_and_reopen(dir, options, admin);
  mf_principal_free(admin);
  mf_options_free(options);
  remove_tree(scratch);

  printf("c_api_test: %d checks, %d failed\n", g_checks, g_failures);
  return g_failures == 0 ? 0 : 1;
}
