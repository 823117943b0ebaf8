#!/usr/bin/env bash
# SIMD workloads: the auto-vectorized C programs of tests/simd (clang -O3
# -msimd128, and the same without -msimd128) at benchmark sizes, timed as
# kite SIMD, kite scalar, node SIMD and node scalar in one run (best of
# RUNS wall times), with each SIMD/scalar ratio. Outputs of all four must
# agree (a mismatch is reported and the script exits 1).
#
#   bench/simd/run.sh [WORKLOAD...]       default: matmul stencil bytescan strings
#
# Environment: KITE (default build/kite), KITE_OPTS (options of kite run,
# e.g. --tier=jit), NODE (default node on PATH),
# RUNS=3, and SIZE_<workload> to override a workload's argv[1].
set -uo pipefail
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
abspath() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$PWD/$1" ;; esac; }
KITE=$(abspath "${KITE:-$here/../../build/kite}")
NODE=${NODE:-$(command -v node || true)}
RUNS=${RUNS:-3}
read -r -a kite_opts <<<"${KITE_OPTS:-}"
progs=$here/../../tests/simd
declare -A size=([matmul]=${SIZE_matmul:-320} [stencil]=${SIZE_stencil:-1024}
                 [bytescan]=${SIZE_bytescan:-8192} [strings]=${SIZE_strings:-512})
if (($# > 0)); then workloads=("$@"); else workloads=(matmul stencil bytescan strings); fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
now() { date +%s.%N; }
# best wall time of RUNS runs of "$@"; its output in $tmp/out
best() {
    local b="" t0 t1 t
    for ((r = 0; r < RUNS; r++)); do
        t0=$(now)
        "$@" >"$tmp/out" 2>&1
        t1=$(now)
        t=$(echo "$t1 - $t0" | bc)
        if [[ -z $b ]] || (($(echo "$t < $b" | bc))); then b=$t; fi
    done
    printf '%.3f' "$b"
}

status=0
echo "kite: $KITE ${KITE_OPTS:-}"
[[ -n $NODE ]] && echo "node: $("$NODE" --version)"
printf '%-9s %6s | %10s %10s %7s | %10s %10s %7s\n' workload size "kite simd" "kite scal" ratio "node simd" "node scal" ratio
for w in "${workloads[@]}"; do
    s=${size[$w]:-}
    ks=$(best "$KITE" run "${kite_opts[@]}" "$progs/$w.simd.wasm" "$s"); o1=$(cat "$tmp/out")
    kc=$(best "$KITE" run "${kite_opts[@]}" "$progs/$w.scalar.wasm" "$s"); o2=$(cat "$tmp/out")
    ns=- nc=- nr=- o3=$o1 o4=$o1
    if [[ -n $NODE ]]; then
        ns=$(best "$NODE" --experimental-wasi-unstable-preview1 --no-warnings "$here/../node-wasi.mjs" "$progs/$w.simd.wasm" "$s"); o3=$(cat "$tmp/out")
        nc=$(best "$NODE" --experimental-wasi-unstable-preview1 --no-warnings "$here/../node-wasi.mjs" "$progs/$w.scalar.wasm" "$s"); o4=$(cat "$tmp/out")
        nr=$(printf '%.2fx' "$(echo "$nc / $ns" | bc -l)")
    fi
    kr=$(printf '%.2fx' "$(echo "$kc / $ks" | bc -l)")
    printf '%-9s %6s | %9ss %9ss %7s | %9ss %9ss %7s\n' "$w" "$s" "$ks" "$kc" "$kr" "$ns" "$nc" "$nr"
    if [[ $o1 != "$o2" || $o1 != "$o3" || $o1 != "$o4" ]]; then
        printf 'MISMATCH %s:\n kite simd: %s\n kite scalar: %s\n node simd: %s\n node scalar: %s\n' "$w" "$o1" "$o2" "$o3" "$o4"
        status=1
    fi
done
echo "ratio = scalar time / SIMD time (above 1: the SIMD build is faster)"
exit $status
