#!/usr/bin/env bash
# The SIMD programs under kite: each NAME.simd.wasm (auto-vectorized) must
# print what NAME.scalar.wasm prints, at the default size (also against
# expected/NAME.txt) and at sizes that leave vector-loop remainders.
#
#   tests/simd/run-tests.sh KITE [KITE RUN OPTIONS...]   (e.g. --tier=jit)
set -uo pipefail
kite=${1:?usage: run-tests.sh KITE [OPTIONS...]}
shift
opts=("$@")
cd "$(dirname "$0")" || exit 2

declare -A odd_sizes=([matmul]="37 5" [stencil]="61 3" [bytescan]="3 1" [strings]="3 1")
pass=0 fail=0
check() { # name, what, got, want
    if [[ $3 == "$4" ]]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        printf 'FAIL %s: %s\n--- got\n%s\n--- want\n%s\n' "$1" "$2" "$3" "$4"
    fi
}
for src in *.c; do
    name=$(basename "$src" .c)
    want=$(cat "expected/$name.txt")
    scalar=$("$kite" run "${opts[@]}" "$name.scalar.wasm" 2>&1)
    simd=$("$kite" run "${opts[@]}" "$name.simd.wasm" 2>&1)
    check "$name" "scalar build" "$scalar" "$want"
    check "$name" "simd build" "$simd" "$want"
    for size in ${odd_sizes[$name]:-}; do
        scalar=$("$kite" run "${opts[@]}" "$name.scalar.wasm" "$size" 2>&1)
        simd=$("$kite" run "${opts[@]}" "$name.simd.wasm" "$size" 2>&1)
        check "$name $size" "simd build against scalar build" "$simd" "$scalar"
    done
done
echo "$pass passed, $fail failed"
((fail == 0))
