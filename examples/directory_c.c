/* examples/directory_c.c — the MA SOCIETE directory, built and resolved through the C API.
 *
 * Shows how a C program embeds MailFountain with <mailfountain/mailfountain.h> alone:
 * initialise and open a data directory, act as its administrator, add a domain (which
 * brings abuse@ and postmaster@), four accounts, their aliases, two redirections and a
 * domain manager — the organisation of DEMO.md — then ask how mail to each address is
 * delivered. Every call returns a result code and, on failure, a message the caller
 * frees with mf_free(); every handle is freed by its own function.
 *
 * Usage: directory_c [DATA_DIR]
 *   DATA_DIR must not be initialised yet; it is kept afterwards. Without it, a temporary
 *   directory is used and removed at exit.
 *
 * Output: one line per address, the same as directory_cpp and directory.py print:
 *   support@ma-societe.fr -> redirection: emma.durand@ma-societe.fr, luc.petit@ma-societe.fr
 */
#define _XOPEN_SOURCE 700

#include <mailfountain/mailfountain.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DOMAIN "ma-societe.fr"

/* Reports a failed call on stderr and frees its message; returns whether it succeeded.
 * `err` is passed by address: it is read here, after the call has set it (the order in
 * which C evaluates arguments is unspecified). */
static int succeeded(int code, char** err, const char* what) {
  if (code == MF_OK) return 1;
  fprintf(stderr, "directory_c: %s: %s (%s)\n", what, *err != NULL ? *err : "no message",
          mf_code_name(code));
  mf_free(*err);
  *err = NULL;
  return 0;
}

/* Adds the organisation of DEMO.md as the administrator `admin`. */
static int build_ma_societe(mf_context_t* ctx, const mf_principal_t* admin) {
  static const struct {
    const char* address;
    const char* name;
    const char* password;
  } people[] = {
      {"jean.martin@" DOMAIN, "Jean Martin", "jean-password-1"},
      {"sophie.bernard@" DOMAIN, "Sophie Bernard", "sophie-password-1"},
      {"luc.petit@" DOMAIN, "Luc Petit", "luc-password-1"},
      {"emma.durand@" DOMAIN, "Emma Durand", "emma-password-1"},
  };
  static const char* const aliases[][2] = {
      {"direction@" DOMAIN, "jean.martin@" DOMAIN},
      {"accueil@" DOMAIN, "sophie.bernard@" DOMAIN},
      {"compta@" DOMAIN, "sophie.bernard@" DOMAIN},
      {"commercial@" DOMAIN, "emma.durand@" DOMAIN},
  };
  static const char* const support[] = {"luc.petit@" DOMAIN, "emma.durand@" DOMAIN};
  static const char* const contact[] = {"jean.martin@" DOMAIN, "sophie.bernard@" DOMAIN};
  char* err = NULL;
  size_t i;

  if (!succeeded(mf_domain_add(ctx, admin, DOMAIN, &err), &err, "adding the domain")) return 0;
  for (i = 0; i < sizeof people / sizeof people[0]; ++i) {
    if (!succeeded(mf_account_add(ctx, admin, people[i].address, people[i].name, people[i].password,
                                  NULL, &err),
                   &err, people[i].address)) {
      return 0;
    }
  }
  for (i = 0; i < sizeof aliases / sizeof aliases[0]; ++i) {
    if (!succeeded(mf_alias_add(ctx, admin, aliases[i][0], aliases[i][1], &err), &err,
                   aliases[i][0])) {
      return 0;
    }
  }
  return succeeded(mf_redirection_add(ctx, admin, "support@" DOMAIN, support, 2,
                                      MF_SEND_AS_MEMBERS_MAY_SEND, &err),
                   &err, "support@") &&
         succeeded(mf_redirection_add(ctx, admin, "contact@" DOMAIN, contact, 2,
                                      MF_SEND_AS_MEMBERS_MAY_SEND, &err),
                   &err, "contact@") &&
         succeeded(mf_manager_grant(ctx, admin, "jean.martin@" DOMAIN, DOMAIN, &err), &err,
                   "making Jean manager");
}

static const char* kind_name(int kind) {
  switch (kind) {
    case MF_ADDRESS_ACCOUNT:
      return "account";
    case MF_ADDRESS_ALIAS:
      return "alias";
    case MF_ADDRESS_REDIRECTION:
      return "redirection";
    default:
      return "unknown";
  }
}

/* Prints "ADDRESS -> KIND[ (tag TAG)]: MAILBOX, ...[; external: ADDRESS, ...]", or
 * "ADDRESS -> not found", or "ADDRESS -> error: CODE". */
static void print_resolution(mf_context_t* ctx, const char* address) {
  mf_resolution_t* r = NULL;
  char* err = NULL;
  size_t i;
  int code = mf_resolve(ctx, address, &r, &err);
  mf_free(err); /* the line says enough */
  if (code == MF_E_NOT_FOUND) {
    printf("%s -> not found\n", address);
    return;
  }
  if (code != MF_OK) {
    printf("%s -> error: %s\n", address, mf_code_name(code));
    return;
  }
  printf("%s -> %s", address, kind_name(mf_resolution_kind(r)));
  if (mf_resolution_tag(r)[0] != '\0') printf(" (tag %s)", mf_resolution_tag(r));
  printf(":");
  for (i = 0; i < mf_resolution_mailbox_count(r); ++i) {
    printf("%s %s", i == 0 ? "" : ",", mf_resolution_mailbox(r, i));
  }
  if (mf_resolution_external_count(r) > 0) printf("; external:");
  for (i = 0; i < mf_resolution_external_count(r); ++i) {
    printf("%s %s", i == 0 ? "" : ",", mf_resolution_external(r, i));
  }
  printf("\n");
  mf_resolution_free(r);
}

static int remove_entry(const char* path, const struct stat* sb, int flag, struct FTW* ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(path);
}

int main(int argc, char** argv) {
  static const char* const addresses[] = {
      "jean.martin@" DOMAIN,    "sophie.bernard@" DOMAIN, "luc.petit@" DOMAIN,
      "emma.durand@" DOMAIN,    "direction@" DOMAIN,      "accueil@" DOMAIN,
      "compta@" DOMAIN,         "commercial@" DOMAIN,     "support@" DOMAIN,
      "contact@" DOMAIN,        "abuse@" DOMAIN,          "postmaster@" DOMAIN,
      "luc.petit+news@" DOMAIN, "nobody@" DOMAIN,
  };
  char scratch[] = "/tmp/mf-example-XXXXXX";
  char data_dir[sizeof scratch + 8];
  const char* dir = NULL;
  char* err = NULL;
  mf_context_t* ctx = NULL;
  mf_principal_t* admin = NULL;
  int status = 1;
  size_t i;

  if (argc > 1) {
    dir = argv[1];
  } else {
    if (mkdtemp(scratch) == NULL) {
      perror("directory_c: mkdtemp");
      return 1;
    }
    snprintf(data_dir, sizeof data_dir, "%s/data", scratch);
    dir = data_dir;
  }

  /* NULL options: the library's defaults (among them, full-strength password hashing). */
  if (succeeded(mf_init(dir, "admin", "admin-password-1", NULL, &err), &err, "init") &&
      succeeded(mf_open(dir, NULL, &ctx, &err), &err, "open") &&
      succeeded(mf_local_administrator(ctx, "directory_c example", &admin, &err), &err,
                "administrator") &&
      build_ma_societe(ctx, admin)) {
    for (i = 0; i < sizeof addresses / sizeof addresses[0]; ++i) {
      print_resolution(ctx, addresses[i]);
    }
    status = 0;
  }

  /* Teardown: principals before the context they came from, the context before its
   * files. */
  mf_principal_free(admin);
  mf_close(ctx);
  if (argc <= 1) nftw(scratch, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  return status;
}
