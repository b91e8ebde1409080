/* tests/consume/consumer.c — the C counterpart of consumer.cpp: a C11 program that uses
 * only the installed C header <mailfountain/mailfountain.h>, built with `pkg-config
 * --cflags --libs mailfountain` (see run.sh).
 *
 * It creates a data directory in a fresh temporary directory, adds the domain
 * ma-societe.fr and checks that postmaster@ma-societe.fr resolves to its own mailbox.
 * Exits 0 and prints one line on success; prints what went wrong and exits 1 otherwise.
 */
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw */

#include <mailfountain/mailfountain.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Prints the failed call and its message (freed here) when `code` is not MF_OK. */
static int check(int code, char* errmsg, const char* what) {
  if (code == MF_OK) return 1;
  fprintf(stderr, "consumer.c: %s failed: %s: %s\n", what, mf_code_name(code),
          errmsg != NULL ? errmsg : "(no message)");
  mf_free(errmsg);
  return 0;
}

static int remove_entry(const char* path, const struct stat* sb, int flag, struct FTW* ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(path);
}

static int run(const char* dir) {
  char* errmsg = NULL;
  mf_options_t* options = mf_options_create();
  mf_context_t* ctx = NULL;
  mf_principal_t* admin = NULL;
  mf_resolution_t* resolution = NULL;
  int ok = 0;

  if (options == NULL) {
    fprintf(stderr, "consumer.c: mf_options_create returned NULL\n");
    return 0;
  }
  mf_options_set_password_cost(options, 1); /* this program tests linking, not hashing */
  mf_options_set_initial_map_size(options, (uint64_t)1 << 20);

  if (!check(mf_init(dir, "admin", "consumer-secret-1", options, &errmsg), errmsg, "mf_init"))
    goto done;
  if (!check(mf_open(dir, options, &ctx, &errmsg), errmsg, "mf_open")) goto done;
  if (!check(mf_local_administrator(ctx, "consume test", &admin, &errmsg), errmsg,
             "mf_local_administrator"))
    goto done;
  if (!check(mf_domain_add(ctx, admin, "ma-societe.fr", &errmsg), errmsg, "mf_domain_add"))
    goto done;
  if (!check(mf_resolve(ctx, "postmaster@ma-societe.fr", &resolution, &errmsg), errmsg,
             "mf_resolve"))
    goto done;

  if (mf_resolution_kind(resolution) != MF_ADDRESS_ACCOUNT ||
      mf_resolution_mailbox_count(resolution) != 1 ||
      strcmp(mf_resolution_mailbox(resolution, 0), "postmaster@ma-societe.fr") != 0 ||
      mf_resolution_external_count(resolution) != 0) {
    fprintf(stderr, "consumer.c: postmaster@ma-societe.fr did not resolve to itself\n");
    goto done;
  }
  printf("consumer (pkg-config C, MailFountain %s): postmaster@ma-societe.fr -> %s\n",
         mf_version(), mf_resolution_mailbox(resolution, 0));
  ok = 1;

done:
  mf_resolution_free(resolution);
  mf_principal_free(admin);
  mf_close(ctx);
  mf_options_free(options);
  return ok;
}

int main(void) {
  const char* tmp = getenv("TMPDIR");
  char base[4096];
  char data[4200];
  int ok;

  snprintf(base, sizeof base, "%s/mf-consumer-c-XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp");
  if (mkdtemp(base) == NULL) {
    perror("consumer.c: mkdtemp");
    return 1;
  }
  snprintf(data, sizeof data, "%s/data", base);
  ok = run(data);
  nftw(base, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  return ok ? 0 : 1;
}
