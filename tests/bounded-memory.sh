#!/usr/bin/env bash
# Long-running programs that throw, catch and make references in a loop run
# in constant memory (issue 15, defect 1): each loop below makes far more
# than the limit it runs under, so memory that grew with the iterations
# would fail it. No timing: only results and limits.
#   bounded-memory.sh KITE [sanitize|-] [TIER]
# In a sanitizer build the address-space limit (ulimit -v) is not used
# (ASan reserves terabytes); the GC heap limits still hold there. TIER
# (interp, jit, auto) is the execution tier; under jit a module the
# compiler does not handle yet is reported as skipped.
set -u
kite=$1
sanitize=${2:-}
[ "$sanitize" = - ] && sanitize=
tier=${3:-interp}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

cat >"$tmp/throw_i32.wat" <<'W'
(module
  (tag $i (param i32))
  (func (export "run") (param $n i32) (result i32) (local $sum i32)
    (loop $l
      (block $h (result i32)
        (try_table (catch $i $h) (throw $i (local.get $n)))
        (unreachable))
      (local.set $sum (i32.add (local.get $sum)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $sum)))
W
cat >"$tmp/throw_array.wat" <<'W'
(module
  (type $bytes (array (mut i8)))
  (tag $arr (param (ref $bytes)))
  (func (export "run") (param $n i32) (param $size i32) (result i32) (local $sum i32)
    (loop $l
      (block $h (result (ref $bytes))
        (try_table (catch $arr $h)
          (throw $arr (array.new_default $bytes (local.get $size))))
        (unreachable))
      (array.len) (local.get $sum) (i32.add) (local.set $sum)
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $sum)))
W
# Exceptions caught as exnrefs and kept in a global, each replacing the last.
cat >"$tmp/keep_exnref.wat" <<'W'
(module
  (type $bytes (array (mut i8)))
  (tag $arr (param (ref $bytes)))
  (global $g (mut exnref) (ref.null exn))
  (func (export "run") (param $n i32) (param $size i32) (result i32)
    (loop $l
      (block $h (result exnref)
        (try_table (catch_all_ref $h)
          (throw $arr (array.new_default $bytes (local.get $size))))
        (unreachable))
      (global.set $g)
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $n)))
W

# expect NAME WANT_STDOUT [ULIMIT_KB] ARGS...
expect() {
    local name=$1 want=$2 limit=$3
    shift 3
    local out status
    local cmd=$1
    shift
    out=$( (if [ "$limit" != - ]; then ulimit -v "$limit"; fi; "$kite" "$cmd" --tier="$tier" "$@") 2>"$tmp/err")
    status=$?
    if [ "$status" -ne 0 ] || [ "$out" != "$want" ]; then
        failures=$((failures + 1))
        echo "FAIL $name: status $status, stdout '$out' (expected '$want')"
        echo "  command: kite $cmd --tier=$tier $*"; [ "$limit" = - ] || echo "  under ulimit -v $limit"
        head -n 5 "$tmp/err" | sed 's/^/  /'
    fi
}

# 3 million i32 exceptions (48 bytes each: 144 MB) through a 1 MB GC heap.
expect throw-i32-heap -1124226208 - run --gc-heap-limit 1m --invoke run "$tmp/throw_i32.wat" 3000000
# 20,000 exceptions holding 80 KB arrays (1.6 GB) through a 4 MB GC heap.
expect throw-array-heap 1638400000 - run --gc-heap-limit 4m --invoke run "$tmp/throw_array.wat" 20000 81920
expect keep-exnref-heap 0 - run --gc-heap-limit 4m --invoke run "$tmp/keep_exnref.wat" 20000 81920
if [ -z "$sanitize" ]; then
    # The whole process in 128 MB of address space: an exception that
    # outlived its catch anywhere (not only in the GC heap) would not fit.
    expect throw-i32-vm -1124226208 131072 run --invoke run "$tmp/throw_i32.wat" 3000000
    expect throw-array-vm 1638400000 131072 run --invoke run "$tmp/throw_array.wat" 20000 81920
fi
echo "bounded memory: $failures failures"
[ "$failures" -eq 0 ]
