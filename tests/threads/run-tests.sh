#!/usr/bin/env bash
# kite's own threaded programs under `kite run`: WAT programs beside this
# script and programs built by a real toolchain (zig/, see zig/build.sh),
# each with its exit status and the whole of its stderr (extended regex).
# Usage: run-tests.sh KITE [RUN-OPTIONS...] (e.g. --tier=jit, given to every kite run)
set -u
kite=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
run_opts=("${@:2}")
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
    out=$(cd "$here" && timeout 120 "$kite" run ${run_opts[@]+"${run_opts[@]}"} "$@" 2>"$tmp/stderr" <&3)
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
check trap-in-thread 133 "" "kite: trap: unreachable \(in a spawned thread\)
  at func\[1\] \(trap.wat:8:5\)" trap.wat
check exit-in-thread 7 "" "" exit.wat
check wait-timeout 133 "" "kite: trap: interrupted: time limit \(--timeout 300ms\) exceeded while blocked in memory.atomic.wait
  at func\[0\] \(wait_forever.wat:[0-9]+:[0-9]+\)" --timeout 300ms wait_forever.wat
check wait-fuel 133 "" "kite: trap: all fuel consumed
  at func\[0\] \(wait_forever.wat:[0-9]+:[0-9]+\)" --fuel 100m wait_forever.wat

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

# Last: the address space is limited from here on. 3 GB leave room for kite
# but not for the 8 GiB guarded layout nor a 4 GiB reservation.
# (Sanitizer builds cannot run at all under a limit: their shadow memory.)
ulimit -v 3000000
if ! ("$kite" validate "$here/wait_forever.wat") >/dev/null 2>&1; then
    echo "skipped reservation-note: kite does not run under ulimit -v (a sanitizer build)"
else
check reservation-note 0 "" "kite: note: memory.grow by 1024 pages failed: the shared memory's address-space reservation ends at [0-9]+ pages, below its maximum of 65536 \(kite_config_set_shared_memory_reserve caps it; the OS may give less\)" \
    grow_limit.wat
fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
