# scripts/lib.sh — shell helpers shared by scripts/test, scripts/demo and .ci/run.
#
# Source it from bash (`source "$(dirname "$0")/lib.sh"`) after `set -euo pipefail`.
# Sourcing it only defines variables and functions:
#   MF_ROOT    the repository's top directory (absolute)
#   MF_JOBS    build parallelism (default 2: the project's machines have two cores)
#   MF_PROG    the calling script's name, for messages
# and the functions below. Nothing here depends on files outside the repository except
# the Debian packages that scripts/bootstrap installs.

# shellcheck shell=bash
MF_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MF_JOBS="${MF_JOBS:-2}"
MF_PROG="${MF_PROG:-$(basename "$0")}"

# mf_log MESSAGE... — prints a progress line on stderr, prefixed with the script's name.
mf_log() {
  printf '%s: %s\n' "$MF_PROG" "$*" >&2
}

# mf_die MESSAGE... — prints an error on stderr and exits with status 1.
mf_die() {
  printf '%s: error: %s\n' "$MF_PROG" "$*" >&2
  exit 1
}

# mf_bootstrap — installs the missing Debian packages (scripts/bootstrap is idempotent).
mf_bootstrap() {
  "$MF_ROOT/scripts/bootstrap"
}

# mf_check_generator BUILD_DIR — refuses to reuse a build directory configured with a
# generator other than Ninja, which CMake cannot switch in place.
mf_check_generator() {
  local build_dir="$1" cache="$1/CMakeCache.txt" generator
  [ -f "$cache" ] || return 0
  generator="$(sed -n 's/^CMAKE_GENERATOR:INTERNAL=//p' "$cache")"
  if [ -n "$generator" ] && [ "$generator" != "Ninja" ]; then
    mf_die "$build_dir was configured with the '$generator' generator, not Ninja; remove it (rm -rf $build_dir) and run again"
  fi
}

# mf_configure BUILD_DIR [CMAKE_ARGS...] — configures the project into BUILD_DIR with
# Ninja and the given cache options. Running it again on a configured tree is cheap.
mf_configure() {
  local build_dir="$1"
  shift
  mf_check_generator "$build_dir"
  cmake -S "$MF_ROOT" -B "$build_dir" -G Ninja "$@"
}

# The configuration of ./build, shared by scripts/test and scripts/demo so that running
# one after the other does not reconfigure or rebuild anything.
# shellcheck disable=SC2034 # used by the scripts that source this file
MF_MAIN_BUILD_DIR="$MF_ROOT/build"
# shellcheck disable=SC2034
# -O2 with line tables only (-g1): backtraces and sanitizer-free crash reports still name
# files, lines and inlined frames, and the build takes about a fifth less time than with
# full debug information (-g), which only an interactive debugger needs (configure a build
# directory of your own with -DCMAKE_BUILD_TYPE=Debug for that).
MF_MAIN_CMAKE_ARGS=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DMF_WERROR=ON
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG")

# mf_build BUILD_DIR [TARGET...] — builds the given targets (all when none) with MF_JOBS.
mf_build() {
  local build_dir="$1"
  shift
  local targets=()
  local t
  for t in "$@"; do targets+=(--target "$t"); done
  cmake --build "$build_dir" -j "$MF_JOBS" "${targets[@]}"
}

# Timed steps. A script calls mf_step_begin NAME, runs the step's commands under
# `set -e`, then mf_step_end. Each finished step prints its duration; if the script exits
# inside a step (a command failed), an EXIT trap names the failed step and its duration,
# and mf_step_summary prints the durations of all steps so far.
MF_STEP_NAME=""
MF_STEP_START=0
MF_SCRIPT_START=$SECONDS
MF_STEP_LOG=()

mf__duration() {
  printf '%dm%02ds' $(($1 / 60)) $(($1 % 60))
}

mf__step_exit() {
  local status=$?
  if [ -n "$MF_STEP_NAME" ]; then
    MF_STEP_LOG+=("$MF_STEP_NAME: FAILED (exit $status) after $(mf__duration $((SECONDS - MF_STEP_START)))")
    MF_STEP_NAME=""
    mf_step_summary
  fi
  return "$status"
}

# mf_step_begin NAME — starts a timed step.
mf_step_begin() {
  MF_STEP_NAME="$1"
  MF_STEP_START=$SECONDS
  trap mf__step_exit EXIT
  printf '\n==== %s: %s\n' "$MF_PROG" "$MF_STEP_NAME" >&2
}

# mf_step_end [NOTE] — ends the current step, printing its duration (and NOTE, e.g.
# "skipped: no fuzz targets").
mf_step_end() {
  local elapsed=$((SECONDS - MF_STEP_START)) note="${1:-passed}"
  MF_STEP_LOG+=("$MF_STEP_NAME: $note in $(mf__duration "$elapsed")")
  printf '==== %s: %s: %s in %s\n' "$MF_PROG" "$MF_STEP_NAME" "$note" "$(mf__duration "$elapsed")" >&2
  MF_STEP_NAME=""
}

# mf_step_summary — prints every step's outcome and duration, and the total time.
mf_step_summary() {
  local line
  printf '\n==== %s: summary\n' "$MF_PROG" >&2
  for line in "${MF_STEP_LOG[@]}"; do printf '  %s\n' "$line" >&2; done
  printf '  total: %s\n' "$(mf__duration $((SECONDS - MF_SCRIPT_START)))" >&2
}
