#!/usr/bin/env bash
# Rebuild the benchmark workloads from src/*.c.
#
#   ./build.sh          native binaries and Wasm modules
#   ./build.sh native   only out/native/NAME     (needs a C compiler; run.sh calls this)
#   ./build.sh wasm     only wasm/NAME.wasm      (WASI command: _start prints the checksum)
#                       and  wasm/bare/NAME.wasm (no imports; exports `run` and memory)
#
# The Wasm modules are committed so that running the benchmark needs no
# Wasm-targeting toolchain. Regenerating them needs clang with the wasm32
# backend, wasm-ld and WASI libc; on Debian 12:
#   apt-get install -y clang-14 lld wasi-libc libclang-rt-14-dev-wasm32
#
# Environment: CC (native compiler, default clang), WASM_CC (default clang),
# WASI_SYSROOT (default /usr, where Debian's wasi-libc lives).
set -euo pipefail
cd "$(dirname "$0")"

what=${1:-all}
case $what in
all | native | wasm) ;;
*)
    echo "usage: $0 [all|native|wasm]" >&2
    exit 2
    ;;
esac

CC=${CC:-clang}
WASM_CC=${WASM_CC:-clang}
WASI_SYSROOT=${WASI_SYSROOT:-/usr}
WARN="-std=c17 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes"
# Native code is built for the baseline ISA: no -march=native, whose FMA
# contraction would change floating-point results relative to Wasm.
NATIVE_FLAGS="-O2"
WASM_FLAGS="-O2"

names=()
for src in src/*.c; do
    names+=("$(basename "$src" .c)")
done

if [[ $what == all || $what == native ]]; then
    mkdir -p out/native
    for n in "${names[@]}"; do
        # shellcheck disable=SC2086 # flag lists are meant to split
        $CC $WARN $NATIVE_FLAGS -o "out/native/$n" "src/$n.c" -lm
    done
    echo "built ${#names[@]} native binaries in out/native/ with $($CC --version | head -n1)"
fi

if [[ $what == all || $what == wasm ]]; then
    mkdir -p wasm/bare
    for n in "${names[@]}"; do
        # shellcheck disable=SC2086
        $WASM_CC $WARN $WASM_FLAGS --target=wasm32-wasi --sysroot="$WASI_SYSROOT" \
            -Wl,--strip-all -o "wasm/$n.wasm" "src/$n.c"
        # shellcheck disable=SC2086
        $WASM_CC $WARN $WASM_FLAGS --target=wasm32 -nostdlib -DBENCH_BARE \
            -Wl,--no-entry -Wl,--export=run -Wl,--strip-all -o "wasm/bare/$n.wasm" "src/$n.c"
    done
    chmod 644 wasm/*.wasm wasm/bare/*.wasm
    echo "built ${#names[@]} WASI modules in wasm/ and bare modules in wasm/bare/ with $($WASM_CC --version | head -n1)"
fi
