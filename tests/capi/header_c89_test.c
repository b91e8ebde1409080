/* tests/capi/header_c89_test.c — mailfountain.h is valid C89.
 *
 * Compiled with -std=c89 -pedantic (see CMakeLists.txt), this file proves that the C API
 * header, and the headers it includes, use nothing newer than C89 (besides <stdint.h>).
 * At run time it checks that the library this program runs against has the version the
 * header announces, and that a result code round-trips through mf_code_name.
 */
#include <mailfountain/mailfountain.h>

#include <stdio.h>
#include <string.h>

int main(void) {
  int failures = 0;
  if (strcmp(mf_version(), MF_VERSION_STRING) != 0) {
    fprintf(stderr, "header says %s, library says %s\n", MF_VERSION_STRING, mf_version());
    ++failures;
  }
  if (strcmp(mf_code_name(MF_E_ALREADY_EXISTS), "already_exists") != 0) {
    fprintf(stderr, "mf_code_name(MF_E_ALREADY_EXISTS) is %s\n", mf_code_name(MF_E_ALREADY_EXISTS));
    ++failures;
  }
  return failures == 0 ? 0 : 1;
}
