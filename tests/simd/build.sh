#!/usr/bin/env bash
# Rebuild the SIMD test programs: every NAME.c here becomes NAME.simd.wasm
# (clang -O3 -msimd128: auto-vectorized) and NAME.scalar.wasm (the same
# without -msimd128). The .wasm files are committed, so running the tests
# needs no Wasm toolchain; rebuilding needs, on Debian 12:
#   apt-get install -y clang lld wasi-libc libclang-rt-14-dev-wasm32
#
# Environment: WASM_CC (default clang), WASI_SYSROOT (default /usr).
set -euo pipefail
cd "$(dirname "$0")"

WASM_CC=${WASM_CC:-clang}
WASI_SYSROOT=${WASI_SYSROOT:-/usr}
FLAGS="-std=gnu17 -O3 -Wall -Wextra -Werror --target=wasm32-wasi --sysroot=$WASI_SYSROOT -Wl,--strip-all"

n=0
for src in *.c; do
    name=$(basename "$src" .c)
    # shellcheck disable=SC2086 # flag lists are meant to split
    $WASM_CC $FLAGS -msimd128 -o "$name.simd.wasm" "$src"
    # shellcheck disable=SC2086
    $WASM_CC $FLAGS -o "$name.scalar.wasm" "$src"
    n=$((n + 1))
done
chmod 644 ./*.wasm
echo "built $n programs twice (simd, scalar) with $($WASM_CC --version | head -n1)"
