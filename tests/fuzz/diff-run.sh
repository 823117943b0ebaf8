#!/usr/bin/env bash
# The differential fuzzer (tests/fuzz/README.md), short or long:
#
#   tests/fuzz/diff-run.sh --short                  fixed seeds, ~1 minute of CPU (ctest difffuzz-short;
#                                                   --sanitized: fewer modules for the ASan build)
#   tests/fuzz/diff-run.sh --minutes 60 --seed 7    a long run; mismatches, reduced, in --out DIR
#
# Options: --kite-exec PATH (default build/kite-diff-exec), --out DIR (default
# build/difffuzz), --tools DIR (node 26 and binaryen, default tests/fuzz/.tools,
# installed by tests/fuzz/setup.sh); anything after -- goes to diff.mjs
# (--gen ttf|num|mix, --features mvp,gc,..., --ref/--test ENGINE, --count N).
# Exit: 0 no mismatch, 1 mismatches, 77 tools missing (skipped).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tools="${KITE_FUZZ_TOOLS:-$here/.tools}"
kite_exec="$root/build/kite-diff-exec"
out="$root/build/difffuzz"
short=0 minutes="" seed=1 ttf_count=300 num_count=3000
extra=()
while [ $# -gt 0 ]; do
    case "$1" in
        --short) short=1 ;;
        --sanitized) ttf_count=150 num_count=600 ;;
        --minutes) minutes="$2"; shift ;;
        --seed) seed="$2"; shift ;;
        --kite-exec) kite_exec="$2"; shift ;;
        --out) out="$2"; shift ;;
        --tools) tools="$2"; shift ;;
        --) shift; extra=("$@"); break ;;
        *) echo "diff-run.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
node="$tools/node_modules/.bin/node"
if [ ! -x "$node" ] || [ ! -f "$tools/node_modules/binaryen/bin/wasm-opt" ] ||
   ! "$node" --version 2>/dev/null | grep -q '^v2[6-9]\|^v[3-9][0-9]'; then
    echo "SKIPPED: differential fuzzing needs node >= 26 and binaryen from npm in $tools" >&2
    echo "         (run tests/fuzz/setup.sh, or set KITE_FUZZ_TOOLS)" >&2
    exit 77
fi
mkdir -p "$out"
export KITE_FUZZ_TOOLS="$tools"
if [ $short -eq 1 ]; then
    # Fixed seeds: the same modules every time. Both generators, every
    # feature set in the rotation.
    status=0
    "$node" "$here/selftest.mjs" || status=$?
    # Modules on which kite and V8 once differed or kite once crashed.
    for f in "$here"/regressions/v8/*.wat; do
        result=$("$node" "$here/diff.mjs" --kite-exec "$kite_exec" --tools "$tools" --check "$f" 2>&1) ||
            { echo "regression $(basename "$f"): $result"; status=1; }
    done
    "$node" "$here/diff.mjs" --kite-exec "$kite_exec" --tools "$tools" --out "$out" \
        --gen ttf --seed 1 --count $ttf_count "${extra[@]}" || status=$?
    "$node" "$here/diff.mjs" --kite-exec "$kite_exec" --tools "$tools" --out "$out" \
        --gen num --seed 1 --count $num_count "${extra[@]}" || status=$?
    # Once kite has a compiler tier: the modules on which the tiers once
    # disagreed (regressions/tiers), and the numeric generator across tiers.
    if "$kite_exec" --tier=jit /dev/null >/dev/null 2>&1; then
        for f in "$here"/regressions/tiers/*.wat; do
            "$node" "$here/diff.mjs" --kite-exec "$kite_exec" --ref kite:--tier=interp \
                --test kite:--tier=jit --check "$f" || status=1
        done
        "$node" "$here/diff.mjs" --kite-exec "$kite_exec" --tools "$tools" --out "$out" \
            --ref kite:--tier=interp --test kite:--tier=jit --gen num --seed 1 --count 1000 || status=$?
    fi
    exit $status
fi
exec nice "$node" "$here/diff.mjs" --kite-exec "$kite_exec" --tools "$tools" --out "$out" --reduce \
    --seed "$seed" ${minutes:+--minutes "$minutes"} "${extra[@]}"
