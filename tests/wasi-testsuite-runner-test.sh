#!/usr/bin/env bash
# tests/run-wasi-testsuite.sh on a small suite of its own: the preview1 and
# the wasi-threads suite are both run, *.cleanup leftovers are kept out of
# the tests' roots, and the suite (read-only here) is left exactly as it was.
# Usage: wasi-testsuite-runner-test.sh KITE
set -u
kite=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
suite=$tmp/suite
p1=$suite/tests/c/wasm32-wasip1
threads=$suite/tests/proposals/wasi-threads
mkdir -p "$p1/fs.dir" "$threads"

# Exits with path_open's errno for "leftover.cleanup" in its root: 44
# (ENOENT) when the runner removed the leftover from the root it gave.
cat >"$p1/cleanup_removed.wat" <<'WAT'
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "leftover.cleanup")
  (func (export "_start")
    (call $exit (call $open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 16)
                            (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0)
                            (i32.const 64)))))
WAT
echo '{"root": "fs.dir", "exit_code": 44}' >"$p1/cleanup_removed.json"
echo leftover >"$p1/fs.dir/leftover.cleanup"
echo leftover >"$p1/stale.cleanup"

# The main thread blocks reading stdin; a spawned thread ends the program
# with 99. A stdin that ends (EOF) makes it exit with 1.
cat >"$threads/read_blocks.wat" <<'WAT'
(module
  (memory (export "memory") (import "env" "memory") 1 1 shared)
  (func $spawn (import "wasi" "thread-spawn") (param i32) (result i32))
  (func $exit (import "wasi_snapshot_preview1" "proc_exit") (param i32))
  (func $read (import "wasi_snapshot_preview1" "fd_read") (param i32 i32 i32 i32) (result i32))
  (func (export "wasi_thread_start") (param i32 i32)
    (drop (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const 300000000)))
    (call $exit (i32.const 99)))
  (func (export "_start")
    (if (i32.le_s (call $spawn (i32.const 0)) (i32.const 0)) (then unreachable))
    (i32.store (i32.const 100) (i32.const 200))
    (i32.store (i32.const 104) (i32.const 1))
    (drop (call $read (i32.const 0) (i32.const 100) (i32.const 1) (i32.const 300)))
    (call $exit (i32.const 1))))
WAT
echo '{"exit_code": 99}' >"$threads/read_blocks.json"
echo leftover >"$threads/stale.cleanup"

listing() { (cd "$suite" && find . -printf '%p %s %T@\n' | sort); }
before=$(listing)
chmod -R a-w "$suite"
failures=0
for what in preview1 wasi-threads; do
    out=$("$here/run-wasi-testsuite.sh" "$kite" "$suite" $what 2>&1)
    status=$?
    if [ $status -ne 0 ] || ! grep -q '^1 passed, 0 failed, 0 skipped$' <<<"$out"; then
        echo "FAIL $what: status $status, expected 0 and one test passed:"
        sed 's/^/  /' <<<"$out"
        failures=$((failures + 1))
    fi
done
if [ "$(listing)" != "$before" ]; then
    echo "FAIL the runner changed the suite:"
    diff <(echo "$before") <(listing) | sed 's/^/  /'
    failures=$((failures + 1))
fi
[ $failures -eq 0 ] && echo "wasi-testsuite runner: ok"
[ $failures -eq 0 ]
