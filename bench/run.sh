#!/usr/bin/env bash
# Run the benchmark workloads natively and under every Wasm runtime found, and
# print a table of wall times (best of RUNS) with ratios to native.
#
#   bench/run.sh [WORKLOAD...]        default: every src/*.c
#
# Runtimes (a column is skipped, with a note, when its runtime is missing):
#   native  out/native/NAME, rebuilt by ./build.sh native when missing or stale
#   node    $NODE (default: node on PATH), through node-wasi.mjs
#   wasm3   $WASM3, else wasm3 on PATH
#   kite    $KITE (default: ../build/kite next to this folder), as `$KITE $KITE_ARGS FILE`
#
# Environment:
#   RUNS=3           timed runs per cell; the best is reported
#   TIMEOUT=600      seconds before one run is killed (counts as a failure)
#   KITE_ARGS=run    arguments before the module path
#   KITE_MODULES=wasi   or "bare": give kite wasm/bare/NAME.wasm (no imports,
#                    exports `run`) instead of the WASI command, for a kite
#                    without WASI; its output must then contain the checksum in
#                    hex or as a signed or unsigned decimal i32
#   HYPERFINE=auto   use hyperfine for timing when installed (1 = require, 0 = never);
#                    a separate first run then checks the output
#
# Every run's output is checked against the native checksum; a mismatch is
# reported loudly and makes the script exit with status 1.
set -uo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
# Paths given by the caller are relative to the caller's directory.
abspath() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$PWD/$1" ;; esac; }
KITE=$(abspath "${KITE:-$here/../build/kite}")
if [[ -n ${WASM3:-} ]]; then WASM3=$(abspath "$WASM3"); else WASM3=$(command -v wasm3 || true); fi
NODE=${NODE:-$(command -v node || true)}
RUNS=${RUNS:-3}
TIMEOUT=${TIMEOUT:-600}
KITE_ARGS=${KITE_ARGS:-run}
KITE_MODULES=${KITE_MODULES:-wasi}
HYPERFINE=${HYPERFINE:-auto}
# wasm3 reads a WASM3 variable of its own (for its version banner); keep ours from it.
export -n WASM3 KITE 2>/dev/null || true
cd "$here" || exit 2

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

use_hyperfine=0
if [[ $HYPERFINE != 0 ]] && command -v hyperfine >/dev/null; then
    use_hyperfine=1
elif [[ $HYPERFINE == 1 ]]; then
    echo "HYPERFINE=1 but hyperfine is not installed" >&2
    exit 2
fi

if (($# > 0)); then
    workloads=("$@")
else
    workloads=()
    for src in src/*.c; do workloads+=("$(basename "$src" .c)"); done
fi
for w in "${workloads[@]}"; do
    if [[ ! -f src/$w.c || ! -f wasm/$w.wasm ]]; then
        echo "unknown workload '$w' (need src/$w.c and wasm/$w.wasm)" >&2
        exit 2
    fi
done

# Native binaries are cheap to rebuild, so keep them in step with the sources.
for w in "${workloads[@]}"; do
    if [[ ! -x out/native/$w || src/$w.c -nt out/native/$w || src/bench.h -nt out/native/$w ]]; then
        ./build.sh native || exit 2
        break
    fi
done

notes=()
runtimes=(native)
if [[ -n $NODE ]]; then runtimes+=(node); else notes+=("node: not found on PATH; skipped"); fi
if [[ -n $WASM3 && -x $WASM3 ]]; then
    runtimes+=(wasm3)
else
    notes+=("wasm3: not found (set WASM3 or put wasm3 on PATH); skipped")
fi
if [[ -x $KITE ]]; then
    runtimes+=(kite)
else
    notes+=("kite: no executable at $KITE (set KITE); skipped")
fi

# Prints the command line (one word per line) for runtime $1, workload $2.
command_for() {
    case $1 in
    native) printf '%s\n' "out/native/$2" ;;
    node) printf '%s\n' "$NODE" --experimental-wasi-unstable-preview1 --no-warnings node-wasi.mjs "wasm/$2.wasm" ;;
    wasm3) printf '%s\n' "$WASM3" "wasm/$2.wasm" ;;
    kite)
        # shellcheck disable=SC2086 # KITE_ARGS is a word list
        printf '%s\n' "$KITE" $KITE_ARGS
        if [[ $KITE_MODULES == bare ]]; then
            printf '%s\n' "wasm/bare/$2.wasm"
        else
            printf '%s\n' "wasm/$2.wasm"
        fi
        ;;
    esac
}

# Does output $2 of runtime $1 carry checksum line $3 ("name hex")?
output_ok() {
    local out=$2 expect=$3
    [[ $out == "$expect" ]] && return 0
    [[ $1 == kite && $KITE_MODULES == bare ]] || return 1
    local hex=${expect##* } u s
    u=$((16#$hex))
    s=$((u >= 2147483648 ? u - 4294967296 : u))
    [[ " ${out//[^0-9a-fA-F-]/ } " =~ [[:space:]](0x)?($hex|$u|$s)[[:space:]] ]]
}

now_us() { local t=$EPOCHREALTIME; printf '%s\n' "${t/./}"; }

declare -A secs status expected
mismatches=0

# A runtime that cannot run the modules at all fails every workload the same
# way; failures are grouped by message so that reads as one note.
declare -A failed_in
failure_msgs=()
note_failure() {
    local key="$1: $3"
    [[ -n ${failed_in[$key]:-} ]] || failure_msgs+=("$key")
    failed_in[$key]+="${failed_in[$key]:+, }$2"
}

# Times runtime $1 on workload $2; sets secs[$1,$2] (seconds) or status[$1,$2].
measure() {
    local rt=$1 w=$2 cmd out rc t0 t1 best=-1 i
    mapfile -t cmd < <(command_for "$rt" "$w")
    local expect=${expected[$w]:-}
    local runs=$RUNS
    ((use_hyperfine)) && runs=1
    for ((i = 0; i < runs; i++)); do
        t0=$(now_us)
        out=$(timeout "$TIMEOUT" "${cmd[@]}" 2>"$tmp/err")
        rc=$?
        t1=$(now_us)
        if ((rc != 0)); then
            status[$rt,$w]=fail
            note_failure "$rt" "$w" "exit status $rc: $(head -c 300 "$tmp/err" | head -n 3 | tr '\n' ' ' | sed 's/ *$//')"
            return
        fi
        if [[ $rt == native ]]; then
            if [[ -z $expect ]]; then
                expect=$out
                expected[$w]=$out
            elif [[ $out != "$expect" ]]; then
                status[$rt,$w]=MISMATCH
                notes+=("MISMATCH native/$w: nondeterministic output '$out' vs '$expect'")
                ((mismatches++))
                return
            fi
        elif ! output_ok "$rt" "$out" "$expect"; then
            status[$rt,$w]=MISMATCH
            notes+=("MISMATCH $rt/$w: got '$(printf '%s' "$out" | head -c 200 | tr '\n' ' ')', native printed '$expect'")
            printf '\n*** CHECKSUM MISMATCH: %s/%s printed %q, native printed %q ***\n\n' \
                "$rt" "$w" "$out" "$expect" >&2
            ((mismatches++))
            return
        fi
        if ((best < 0 || t1 - t0 < best)); then best=$((t1 - t0)); fi
    done
    if ((use_hyperfine)); then
        local quoted
        quoted=$(printf '%q ' "${cmd[@]}")
        if ! hyperfine -N --style none --runs "$RUNS" --export-csv "$tmp/hf.csv" -- "$quoted" \
            >/dev/null 2>"$tmp/err"; then
            status[$rt,$w]=fail
            note_failure "$rt" "$w" "hyperfine failed: $(head -n 2 "$tmp/err" | tr '\n' ' ')"
            return
        fi
        # Columns: command,mean,stddev,median,user,system,min,max
        secs[$rt,$w]=$(awk -F, 'NR == 2 { printf "%.3f", $(NF - 1) }' "$tmp/hf.csv")
    else
        secs[$rt,$w]=$(awk -v us="$best" 'BEGIN { printf "%.3f", us / 1e6 }')
    fi
}

version_of() {
    case $1 in
    native) echo "$(${CC:-clang} --version | head -n1) -O2" ;;
    node) echo "node $("$NODE" --version)" ;;
    wasm3) "$WASM3" --version 2>/dev/null | head -n1 ;;
    kite)
        local v
        v=$("$KITE" --version 2>/dev/null | head -n1)
        echo "${v:-kite at $KITE}"
        ;;
    esac
}

echo "# kite benchmarks: best of $RUNS wall-clock runs, ratios to native"
for rt in "${runtimes[@]}"; do printf '#   %-7s %s\n' "$rt:" "$(version_of "$rt")"; done
((use_hyperfine)) && echo "#   timing by hyperfine"

for w in "${workloads[@]}"; do
    for rt in "${runtimes[@]}"; do
        printf '%-8s %-6s ... ' "$w" "$rt" >&2
        measure "$rt" "$w"
        if [[ $rt == native && -n ${status[native,$w]:-} ]]; then
            echo "${status[native,$w]}" >&2
            break # no reference checksum: the other runtimes cannot be checked
        fi
        echo "${secs[$rt,$w]:-${status[$rt,$w]}}" >&2
    done
done

# Table: seconds, and ratio to native for the Wasm runtimes.
header="| workload | native (s)"
rule="|---|---:"
for rt in "${runtimes[@]:1}"; do
    header+=" | $rt (s) | $rt/native"
    rule+="|---:|---:"
done
echo
echo "$header |"
echo "$rule|"
declare -A logsum count
for w in "${workloads[@]}"; do
    native=${secs[native,$w]:-}
    row="| $w | ${native:-${status[native,$w]:-n/a}}"
    for rt in "${runtimes[@]:1}"; do
        t=${secs[$rt,$w]:-}
        if [[ -n $t && -n $native ]]; then
            ratio=$(awk -v a="$t" -v b="$native" 'BEGIN { printf "%.2f", a / b }')
            row+=" | $t | ${ratio}x"
            logsum[$rt]=$(awk -v s="${logsum[$rt]:-0}" -v r="$t" -v n="$native" 'BEGIN { printf "%.9f", s + log(r / n) }')
            count[$rt]=$((${count[$rt]:-0} + 1))
        else
            row+=" | ${status[$rt,$w]:-n/a} | -"
        fi
    done
    echo "$row |"
done
row="| geomean | -"
for rt in "${runtimes[@]:1}"; do
    n=${count[$rt]:-0}
    if ((n > 0)); then
        g=$(awk -v s="${logsum[$rt]}" -v n="$n" 'BEGIN { printf "%.2f", exp(s / n) }')
        partial=""
        ((n < ${#workloads[@]})) && partial=" ($n of ${#workloads[@]})"
        row+=" | | ${g}x$partial"
    else
        row+=" | | -"
    fi
done
echo "$row |"

for key in "${failure_msgs[@]}"; do
    notes+=("${key%%: *} failed (${failed_in[$key]}): ${key#*: }")
done
if ((${#notes[@]} > 0)); then
    echo
    for note in "${notes[@]}"; do echo "- $note"; done
fi
if ((mismatches > 0)); then
    echo
    echo "*** $mismatches CHECKSUM MISMATCH(ES): see above ***" >&2
    exit 1
fi
exit 0
