#!/usr/bin/env bash
# kite's own threaded programs under `kite run`: WAT programs beside this
# script and programs built by a real toolchain (zig/, see zig/build.sh),
# each with its exit status and the whole of its stderr (extended regex).
# Usage: run-tests.sh KITE
set -u
kite=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkfifo "$tmp/stdin"
exec 3<>"$tmp/stdin" # reads block: a program never sees the end of its input
passed=0 failed=0

# check NAME STATUS STDOUT-REGEX STDERR-REGEX ARGS...
check() {
    local name=$1 want_status=$2 want_out=$3 want_err=$4
    shift 4
    local out err status why=""
    out=$(cd "$here" && timeout 120 "$kite" run "$@" 2>"$tmp/stderr" <&3)
    status=$?
    err=$(cat "$tmp/stderr")
    [ "$status" -eq "$want_status" ] || why+=" status $status, expected $want_status;"
    [[ $out =~ ^${want_out}$ ]] || why+=" stdout differs;"
    [[ $err =~ ^${want_err}$ ]] || why+=" stderr differs;"
    if [ -z "$why" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL $name:$why"
        echo "  command: kite run $*"
        printf '%s\n' "$out" | head -n 10 | sed 's/^/  stdout: /'
        printf '%s\n' "$err" | head -n 10 | sed 's/^/  stderr: /'
    fi
}

# ---- WAT programs -------------------------------------------------------------------
check grow 0 "" "" grow.wat
check mutex 0 "" "" mutex.wat
check spawn-many 0 "" "" spawn_many.wat
check trap-in-thread 133 "" "kite: trap \(in a thread\): unreachable" trap.wat
check exit-in-thread 7 "" "" exit.wat
check wait-timeout 133 "" "kite: trap: interrupted: time limit \(--timeout 300ms\) exceeded while blocked in memory.atomic.wait
  at func\[0\] \(wait_forever.wat\+0x[0-9a-f]+\)" --timeout 300ms wait_forever.wat
check wait-fuel 133 "" "kite: trap: all fuel consumed
  at func\[0\] \(wait_forever.wat\+0x[0-9a-f]+\)" --fuel 100m wait_forever.wat
check grow-limit-note 0 "" "kite: note: memory.grow by 1 pages failed: the shared memory \(16 pages, maximum 64\) would exceed the store's memory limit" \
    --max-memory 1m grow_limit.wat

# ---- programs built by Zig 0.11 (std.Thread) ----------------------------------------
for w in "$here"/zig/*.wasm; do
    [ -f "$w" ] || continue
    name=$(basename "$w" .wasm)
    expect="$here/zig/$name.expect"
    want_status=$(sed -n 's/^status: //p' "$expect")
    want_out=$(sed -n 's/^stdout: //p' "$expect")
    want_err=$(sed -n 's/^stderr: //p' "$expect")
    check "zig/$name" "$want_status" "$want_out" "$want_err" "zig/$name.wasm"
done

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
