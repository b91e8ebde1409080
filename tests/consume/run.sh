#!/usr/bin/env bash
# tests/consume/run.sh — proves that third-party projects can consume libmailfountain.
#
# Usage: run.sh installed|subdirectory SOURCE_DIR BUILD_DIR VERSION C_COMPILER CXX_COMPILER
# (ctest passes these; see CMakeLists.txt beside this file).
#
#   installed     `cmake --install BUILD_DIR` into a fresh temporary prefix, then checks
#                 the installed tree: headers (public ones only), the shared library's
#                 SONAME and exported symbols (only the mf:: C++ API and the mf_ C API),
#                 the installed mfctl (if built) finding the library by its rpath,
#                 a find_package() consumer built against the shared and the static
#                 library, and a pkg-config consumer in C++ and in C.
#   subdirectory  builds a consumer that add_subdirectory()s SOURCE_DIR, which must then
#                 build the library alone and install nothing.
#
# Each consumer program creates a data directory, adds a domain and checks how
# postmaster@ resolves. Everything happens in a temporary directory removed at exit
# (set MF_CONSUME_KEEP=1 to keep it for inspection). MF_JOBS sets build parallelism.
set -euo pipefail

if [ $# -ne 6 ]; then
  echo "usage: $0 installed|subdirectory SOURCE_DIR BUILD_DIR VERSION C_COMPILER CXX_COMPILER" >&2
  exit 2
fi
mode="$1" source_dir="$2" build_dir="$3" version="$4" cc="$5" cxx="$6"
here="$(cd "$(dirname "$0")" && pwd)"
jobs="${MF_JOBS:-2}"
abi_major=0  # libmailfountain.so.N; keep in step with MF_ABI_VERSION in CMakeLists.txt.

work="$(mktemp -d "${TMPDIR:-/tmp}/mf-consume-$mode-XXXXXX")"
cleanup() {
  local status=$?
  if [ "${MF_CONSUME_KEEP:-0}" = 1 ]; then
    echo "consume: kept $work" >&2
  else
    rm -rf "$work"
  fi
  return "$status"
}
trap cleanup EXIT

step() { printf '\n-- consume (%s): %s\n' "$mode" "$*"; }
fail() {
  printf 'consume (%s): FAILED: %s\n' "$mode" "$*" >&2
  exit 1
}

# configure_consumer SOURCE BUILD [CMAKE_ARGS...] — configures a consumer project with the
# compilers the library was built with.
configure_consumer() {
  local src="$1" bld="$2"
  shift 2
  cmake -S "$src" -B "$bld" -G Ninja -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" \
    "$@" >"$bld.configure.log" 2>&1 || {
    cat "$bld.configure.log" >&2
    fail "configuring $src failed"
  }
}

# needs_libmailfountain BINARY — succeeds if BINARY links libmailfountain.so dynamically.
needs_libmailfountain() {
  readelf -d "$1" | grep -q "(NEEDED).*\[libmailfountain\.so\.$abi_major\]"
}

# check_loads_from BINARY LIBDIR [ENV...] — the dynamic loader must take libmailfountain
# from LIBDIR (the fresh prefix), not from some other installed copy.
check_loads_from() {
  local binary="$1" libdir="$2" line path
  shift 2
  line="$(env "$@" ldd "$binary" | grep 'libmailfountain\.so' || true)"
  path="$(printf '%s\n' "$line" | sed -n 's/.*=> \(.*\) (0x[0-9a-f]*)$/\1/p')"
  if [ -z "$path" ] || [ "$(realpath "$(dirname "$path")")" != "$(realpath "$libdir")" ]; then
    fail "$(basename "$binary") loads libmailfountain as '$line', not from $libdir"
  fi
}

test_installed() {
  local prefix="$work/prefix"

  step "cmake --install $build_dir --prefix $prefix"
  cmake --install "$build_dir" --prefix "$prefix" >"$work/install.log" 2>&1 || {
    cat "$work/install.log" >&2
    fail "cmake --install failed"
  }

  # The library directory is lib/ or lib/<multiarch>/ depending on GNUInstallDirs.
  local shared
  shared="$(find "$prefix" -name "libmailfountain.so.$abi_major" | head -n 1)"
  [ -n "$shared" ] || fail "no libmailfountain.so.$abi_major under $prefix; installed: $(cd "$prefix" && find . -type f -o -type l | sort | tr '\n' ' ')"
  local libdir
  libdir="$(dirname "$shared")"
  [ -e "$libdir/libmailfountain.so" ] || fail "the development link libmailfountain.so is missing"
  [ -f "$libdir/libmailfountain.a" ] || fail "the static library libmailfountain.a is missing"
  [ -f "$libdir/pkgconfig/mailfountain.pc" ] || fail "the pkg-config file is missing"
  [ -f "$libdir/cmake/MailFountain/MailFountainConfig.cmake" ] ||
    fail "the CMake package config is missing"

  step "installed headers"
  local h
  for h in mailfountain.h mailfountain.hpp context.h directory.h principal.h status.h \
    export.h version.h; do
    [ -f "$prefix/include/mailfountain/$h" ] || fail "header mailfountain/$h is not installed"
  done
  local extra
  extra="$(cd "$prefix/include" && find . -type f ! -path './mailfountain/*' | sort)"
  [ -z "$extra" ] || fail "files outside include/mailfountain/ were installed: $extra"
  # Internal headers (base/, store/, model/) must never be installed.
  extra="$(cd "$prefix" && find . -path '*/store/*' -o -path '*/model/*' -o -path '*/base/*' -o -name 'lmdb_env.h' | sort)"
  [ -z "$extra" ] || fail "internal files were installed: $extra"
  echo "headers: $(cd "$prefix/include/mailfountain" && printf '%s ' *)"

  step "SONAME of $shared"
  local soname
  soname="$(readelf -d "$shared" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')"
  [ "$soname" = "libmailfountain.so.$abi_major" ] ||
    fail "SONAME is '$soname', expected libmailfountain.so.$abi_major"
  echo "SONAME: $soname"

  step "exported symbols of $shared"
  local symbols unexpected count
  symbols="$(nm -D --defined-only --demangle "$shared" | cut -d' ' -f3-)"
  count="$(printf '%s\n' "$symbols" | grep -c .)"
  # The public surface: the C API (mf_*), the C++ API (mf::*) and the vtables and type
  # information of its polymorphic classes. Anything else is an internal class or a
  # library's inline code leaking out of the shared object.
  unexpected="$(printf '%s\n' "$symbols" | grep -Ev \
    '^(mf_[a-z0-9_]+|mf::.*|(vtable|typeinfo|typeinfo name|VTT) for mf::.*)$' || true)"
  if [ -n "$unexpected" ]; then
    printf '%s\n' "$unexpected" | head -n 40 >&2
    fail "$(printf '%s\n' "$unexpected" | grep -c .) of $count exported symbols are not the public API (first 40 above)"
  fi
  unexpected="$(printf '%s\n' "$symbols" | grep -E 'LmdbEnv|::detail::|Impl\b' || true)"
  [ -z "$unexpected" ] || fail "internal symbols are exported: $unexpected"
  local s
  for s in 'mf_open' 'mf_resolve' 'mf::Context::open(' 'mf::Status::to_string'; do
    printf '%s\n' "$symbols" | grep -qF "$s" || fail "the public symbol $s is not exported"
  done
  echo "$count exported symbols, all public API"

  # mfctl is installed when the daemons are built; it must find the library through its
  # own rpath, without LD_LIBRARY_PATH.
  if [ -e "$prefix/bin/mfctl" ]; then
    step "installed mfctl"
    check_loads_from "$prefix/bin/mfctl" "$libdir"
    "$prefix/bin/mfctl" --help >/dev/null || fail "the installed mfctl --help failed"
    echo "bin/mfctl runs and loads $libdir/libmailfountain.so.$abi_major"
  fi

  step "find_package(MailFountain) consumer"
  configure_consumer "$here/find_package" "$work/find_package" \
    -DCMAKE_PREFIX_PATH="$prefix" -DMF_EXPECTED_VERSION="$version"
  cmake --build "$work/find_package" -j "$jobs"
  needs_libmailfountain "$work/find_package/consumer_shared" ||
    fail "consumer_shared does not link libmailfountain.so.$abi_major"
  ! needs_libmailfountain "$work/find_package/consumer_static" ||
    fail "consumer_static links the shared library instead of the static one"
  check_loads_from "$work/find_package/consumer_shared" "$libdir"
  "$work/find_package/consumer_shared" "find_package shared"
  "$work/find_package/consumer_static" "find_package static"

  step "pkg-config consumer"
  export PKG_CONFIG_PATH="$libdir/pkgconfig"
  pkg-config --exists --print-errors mailfountain || fail "pkg-config cannot find mailfountain"
  local pc_version cflags libs
  pc_version="$(pkg-config --modversion mailfountain)"
  [ "$pc_version" = "$version" ] || fail "pkg-config says version $pc_version, expected $version"
  cflags="$(pkg-config --cflags mailfountain)"
  libs="$(pkg-config --libs mailfountain)"
  echo "cflags: $cflags"
  echo "libs:   $libs"
  mkdir -p "$work/pkg-config"
  # shellcheck disable=SC2086 # pkg-config's output is a list of words.
  "$cxx" -std=c++20 -Wall -Wextra -Wpedantic -Werror "$here/consumer.cpp" $cflags $libs \
    -o "$work/pkg-config/consumer_cpp"
  # shellcheck disable=SC2086
  "$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror "$here/consumer.c" $cflags $libs \
    -o "$work/pkg-config/consumer_c"
  check_loads_from "$work/pkg-config/consumer_cpp" "$libdir" LD_LIBRARY_PATH="$libdir"
  LD_LIBRARY_PATH="$libdir" "$work/pkg-config/consumer_cpp" "pkg-config C++"
  LD_LIBRARY_PATH="$libdir" "$work/pkg-config/consumer_c"
}

test_subdirectory() {
  step "add_subdirectory($source_dir) consumer"
  # Debug (-O0) as a unity build compiles the library fastest; this test is about the
  # CMake side of the build (targets, options, install rules), not speed, and
  # scripts/test's own build already compiles every file on its own.
  configure_consumer "$here/add_subdirectory" "$work/add_subdirectory" \
    -DMF_SOURCE_DIR="$source_dir" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_UNITY_BUILD=ON
  cmake --build "$work/add_subdirectory" -j "$jobs"
  "$work/add_subdirectory/consumer" "add_subdirectory"

  step "a subproject installs nothing"
  cmake --install "$work/add_subdirectory" --prefix "$work/subdir-prefix" >/dev/null
  local installed=""
  [ ! -d "$work/subdir-prefix" ] || installed="$(cd "$work/subdir-prefix" && find . -type f)"
  [ -z "$installed" ] || fail "the subproject installed files: $installed"
}

case "$mode" in
  installed) test_installed ;;
  subdirectory) test_subdirectory ;;
  *) fail "unknown mode '$mode' (expected installed or subdirectory)" ;;
esac
printf '\nconsume (%s): all checks passed\n' "$mode"
