#!/usr/bin/env bash
# Differential testing of the execution tiers on random modules.
#
#   tests/diff/diff-tiers.sh KITE_DIFF_TIERS SECONDS [OUTDIR]
#
# Makes random modules with binaryen's `wasm-opt -ttf` (from random bytes,
# with a random choice of the features kite implements), runs each in the
# interpreter, in tier jit and in tier auto (kite-diff-tiers), and keeps
# every module whose transcripts differ in OUTDIR (default ./diff-failures);
# a kept module belongs in tests/diff/corpus/ once its cause is fixed.
# wasm-opt comes from $WASM_OPT, else PATH; Debian's binaryen is old, so
# `npm install binaryen` in a scratch directory and point WASM_OPT at
# node_modules/.bin/wasm-opt (bench/setup.sh installs it in
# bench/out/tools). KEEP=DIR keeps every module made. Prints the counts;
# exit 1 on a mismatch.
set -u
tool=$1
seconds=$2
outdir=${3:-diff-failures}
wasm_opt=${WASM_OPT:-$(command -v wasm-opt || true)}
if [ -z "$wasm_opt" ]; then
    echo "wasm-opt not found (set WASM_OPT): differential test skipped"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$outdir"
features=(--enable-sign-ext --enable-nontrapping-float-to-int --enable-bulk-memory --enable-mutable-globals
          --enable-multivalue --enable-reference-types --enable-tail-call --enable-extended-const
          --enable-multimemory --enable-memory64 --enable-threads --enable-simd --enable-relaxed-simd)
# GC and exceptions, in one module of two. Debian's binaryen 108 writes
# GC's pre-standard encoding, which kite rejects: with it, only binaryen
# from npm tests GC here.
part2=(--enable-gc --enable-exception-handling)
end=$((SECONDS + seconds))
made=0 compared=0 compiled=0 mismatches=0 batch=0
while [ $SECONDS -lt $end ]; do
    batch=$((batch + 1))
    files=()
    rm -f "$tmp"/m*.wasm
    for i in $(seq 1 20); do
        head -c $((1000 + RANDOM % 20000)) /dev/urandom >"$tmp/s$i"
        flags=()
        for f in "${features[@]}"; do
            [ $((RANDOM % 3)) -ne 0 ] && flags+=("$f")
        done
        if [ $((RANDOM % 2)) -eq 0 ]; then
            flags+=("${part2[@]}")
        fi
        printf '%s\n' "-ttf $tmp/s$i ${flags[*]} -o $tmp/m$i.wasm"
    done | xargs -P "${JOBS:-2}" -L 1 "$wasm_opt" >/dev/null 2>&1
    for i in $(seq 1 20); do
        if [ -s "$tmp/m$i.wasm" ]; then
            files+=("$tmp/m$i.wasm")
            made=$((made + 1))
        fi
    done
    [ ${#files[@]} -eq 0 ] && continue
    out=$("$tool" "${files[@]}" 2>&1)
    status=$?
    last=$(printf '%s\n' "$out" | tail -n 1)
    if [[ $last =~ ^([0-9]+)\ modules\ compared\ \(jit:\ ([0-9]+) ]]; then
        compared=$((compared + BASH_REMATCH[1]))
        compiled=$((compiled + BASH_REMATCH[2]))
    fi
    if [ -n "${KEEP:-}" ]; then
        mkdir -p "$KEEP"
        for f in "${files[@]}"; do cp "$f" "$KEEP/b$batch-$(basename "$f")"; done
    fi
    if [ $status -ne 0 ]; then
        named=$(printf '%s\n' "$out" | sed -n 's/^MISMATCH \([^ ]*\) .*/\1/p' | sort -u)
        if [ -z "$named" ]; then
            # The tool died (a crash, a signal) before naming a module:
            # keep the whole batch, one of them is the cause.
            named=$(printf '%s\n' "${files[@]}")
            echo "kite-diff-tiers exited with status $status without naming a module" >>"$outdir/mismatch-$batch.txt"
        fi
        while read -r f; do
            mismatches=$((mismatches + 1))
            cp "$f" "$outdir/mismatch-$batch-$(basename "$f")"
        done <<<"$named"
        printf '%s\n' "$out" | head -n 60 >>"$outdir/mismatch-$batch.txt"
    fi
done
echo "$made modules made, $compared run in every tier ($compiled of them compiled whole under --tier=jit), $mismatches mismatches (${seconds}s)"
[ $mismatches -eq 0 ]
