#!/bin/sh
# run-examples.sh PREFIX WORKDIR CC
#
# Builds examples/ against the kite installed in PREFIX as an embedder
# would, and runs every example, comparing its output with
# expected/example-NAME.out:
#   1. with CMake: find_package(kite CONFIG) and kite::kite (examples/CMakeLists.txt);
#   2. with CMake and kite::kite_static (static/CMakeLists.txt), checking
#      that the program does not load libkite.so;
#   3. with pkg-config: cc call.c $(pkg-config --cflags --libs kite).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
prefix=$1 work=$2 cc=$3

rm -rf "$work"
mkdir -p "$work"
fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# quiet LOG COMMAND...: runs COMMAND, showing its output only when it fails.
quiet() {
    log=$1
    shift
    "$@" > "$log" 2>&1 || { cat "$log"; fail "$*"; }
}

# check NAME STATUS COMMAND...: runs an example, expecting exit STATUS and
# the output expected/example-NAME.out (the version line normalized).
check() {
    name=$1 want=$2
    shift 2
    status=0
    (cd "$work" && timeout 300 "$@") > "$work/$name.txt" 2> "$work/$name.err" || status=$?
    cat "$work/$name.err" >&2
    [ "$status" = "$want" ] || { cat "$work/$name.txt"; fail "$name exited with $status, not $want"; }
    sed 's/^kite [0-9][0-9.]*$/kite VERSION/' "$work/$name.txt" > "$work/$name.got"
    diff -u "$here/expected/example-$name.out" "$work/$name.got" ||
        fail "$name printed something else than expected/example-$name.out"
    echo "ok: $name ($*)"
}

# 1. CMake, shared library
quiet "$work/configure.log" cmake -S "$src/examples" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=Debug
quiet "$work/build.log" cmake --build "$work/cmake" -j 2
check call 0 "$work/cmake/call/call"
check host 0 "$work/cmake/host/host"
check wasi 0 "$work/cmake/wasi/wasi"
check gc 0 "$work/cmake/gc/gc"
check threads 0 "$work/cmake/threads/threads"
check wasm-wasi 3 "$work/cmake/wasm-wasi/wasm-wasi"

# 2. CMake, static library
quiet "$work/configure-static.log" cmake -S "$here/static" -B "$work/static" \
    -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$cc" -DKITE_EXAMPLES="$src/examples"
quiet "$work/build-static.log" cmake --build "$work/static"
if command -v readelf > /dev/null 2>&1 && readelf -d "$work/static/call_static" | grep -q 'libkite'; then
    fail "call_static needs libkite.so"
fi
check call 0 "$work/static/call_static"

# 3. pkg-config
if ! command -v pkg-config > /dev/null 2>&1; then
    echo "SKIPPED: the pkg-config build (pkg-config is not installed)" >&2
    exit 0
fi
pc=$(find "$prefix" -name kite.pc | head -n 1)
[ -n "$pc" ] || fail "no kite.pc under $prefix"
export PKG_CONFIG_PATH="$(dirname "$pc")"
libdir=$(pkg-config --variable=libdir kite)
quiet "$work/pkg-config.log" sh -c "$cc -DEXAMPLE_DIR='\"$src/examples/call\"' '$src/examples/call/call.c' \
    -o '$work/call-pkg-config' \$(pkg-config --cflags --libs kite) -Wl,-rpath,'$libdir'"
check call 0 "$work/call-pkg-config"
