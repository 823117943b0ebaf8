#!/usr/bin/env bash
# The GC workload (binary-trees) under kite, with a GC heap limit, and under
# Node (V8) when it can run Wasm GC: best wall time of RUNS and peak resident
# memory of each, and a check that every run gives the same checksum.
#
#   bench/gc/run.sh [N [HEAP_LIMIT]]     defaults: N=18, HEAP_LIMIT=48m
#
# Environment: KITE (default ../../build/kite), NODE (default node on PATH),
# RUNS=3. binary-trees.wat is the source; encode.py makes the .wasm files.
set -uo pipefail
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
abspath() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$PWD/$1" ;; esac; }
KITE=$(abspath "${KITE:-$here/../../build/kite}")
NODE=${NODE:-$(command -v node || true)}
RUNS=${RUNS:-3}
n=${1:-18}
limit=${2:-48m}
cd "$here" || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# best_of CMD...: runs it RUNS times; prints "seconds max_rss_kb output".
best_of() {
    local best="" rss="" out=""
    for ((r = 0; r < RUNS; r++)); do
        if ! /usr/bin/time -f '%e %M' -o "$tmp/time" "$@" >"$tmp/out" 2>"$tmp/err"; then
            echo "FAILED: $*" >&2
            cat "$tmp/err" >&2
            return 1
        fi
        read -r t m <"$tmp/time"
        if [[ -z $best ]] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; fi
        if [[ -z $rss ]] || ((m > rss)); then rss=$m; fi
        out=$(tail -n 1 "$tmp/out")
    done
    printf '%s %s %s\n' "$best" "$rss" "$out"
}

want=$("$KITE" run --invoke run binary-trees.wat 10)
for f in binary-trees.wasm; do
    got=$("$KITE" run --invoke run "$f" 10)
    [[ $got == "$want" ]] || { echo "checksum mismatch: $f gives $got, the .wat $want" >&2; exit 1; }
done

printf '%-34s %9s %12s  %s\n' "binary-trees $n" "seconds" "max RSS (MB)" "checksum"
read -r t m c < <(best_of "$KITE" run --gc-heap-limit "$limit" --invoke run binary-trees.wasm "$n") || exit 1
printf '%-34s %9s %12d  %s\n' "kite (--gc-heap-limit $limit)" "$t" $((m / 1024)) "$c"
kite_sum=$c
if [[ -z $NODE ]]; then
    echo "node: not found; skipped"
    exit 0
fi
node_major=$("$NODE" -p 'process.versions.node.split(".")[0]')
if ((node_major < 22)); then
    node_args=(--experimental-wasm-gc) module=binary-trees.node20.wasm
else
    node_args=() module=binary-trees.wasm
fi
if ! "$NODE" "${node_args[@]}" node-gc.mjs "$module" 4 >/dev/null 2>&1; then
    echo "node $("$NODE" --version): cannot run Wasm GC; skipped"
    exit 0
fi
read -r t m c < <(best_of "$NODE" "${node_args[@]}" node-gc.mjs "$module" "$n") || exit 1
printf '%-34s %9s %12d  %s\n' "node $("$NODE" --version) ${node_args[*]}" "$t" $((m / 1024)) "$c"
[[ $c == "$kite_sum" ]] || { echo "checksum mismatch: node $c, kite $kite_sum" >&2; exit 1; }
