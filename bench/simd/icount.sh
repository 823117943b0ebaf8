#!/usr/bin/env bash
# Instructions executed (valgrind's Ir, cachegrind without cache
# simulation) by kite running the SIMD workloads of tests/simd at small
# sizes: a count that a loaded machine does not disturb, for comparing
# interpreter changes. Prints one line per workload; outputs must match
# tests/simd/expected for the default sizes only, so they are not checked.
#
#   bench/simd/icount.sh [WORKLOAD...]    default: matmul stencil bytescan strings
#
# Environment: KITE (default build/kite), VARIANT (simd or scalar; default
# simd), SIZE_<workload> to override a workload's argv[1].
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
KITE=${KITE:-$here/../../build/kite}
VARIANT=${VARIANT:-simd}
progs=$here/../../tests/simd
declare -A size=([matmul]=${SIZE_matmul:-128} [stencil]=${SIZE_stencil:-256}
                 [bytescan]=${SIZE_bytescan:-1024} [strings]=${SIZE_strings:-64})
if (($# > 0)); then workloads=("$@"); else workloads=(matmul stencil bytescan strings); fi
command -v valgrind >/dev/null || { echo "valgrind not found" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%-9s %6s %16s\n' workload size "Ir ($VARIANT)"
for w in "${workloads[@]}"; do
    s=${size[$w]:-}
    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file="$tmp/cg" \
        "$KITE" run "$progs/$w.$VARIANT.wasm" "$s" >"$tmp/out" 2>"$tmp/err" || {
        echo "$w: kite failed"; cat "$tmp/err"; exit 1; }
    ir=$(sed -n 's/^summary: \([0-9]*\).*/\1/p' "$tmp/cg")
    printf '%-9s %6s %16s\n' "$w" "$s" "$(printf "%'d" "$ir")"
done
