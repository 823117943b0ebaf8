#!/usr/bin/env bash
# Golden tests of `kite run`: results on stdout, messages on stderr, exit
# statuses (0 success, 1 module or call error, 2 usage, 133 trap).
# Usage: cli-tests.sh KITE
set -u
kite=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0 count=0

# check NAME STATUS STDOUT STDERR-REGEX ARGS...: run `kite ARGS...`; STDOUT
# must match exactly (or, written ~REGEX, the whole regex), STDERR the whole
# (extended) regex.
check() {
    local name=$1 want_status=$2 want_out=$3 want_err=$4
    shift 4
    count=$((count + 1))
    local out err status
    out=$(cd "$tmp" && "$kite" "$@" 2>"$tmp/stderr")
    status=$?
    err=$(cat "$tmp/stderr")
    local why=""
    [ "$status" -eq "$want_status" ] || why+=" status $status, expected $want_status;"
    if [[ $want_out == "~"* ]]; then
        [[ $out =~ ^${want_out#"~"}$ ]] || why+=" stdout differs;"
    else
        [ "$out" == "$want_out" ] || why+=" stdout differs;"
    fi
    [[ $err =~ ^${want_err}$ ]] || why+=" stderr differs;"
    if [ -n "$why" ]; then
        failures=$((failures + 1))
        echo "FAIL $name:$why"
        echo "  command: kite $*"
        echo "  stdout: $(printf '%s' "$out" | head -n 10)"
        echo "  expected stdout: $want_out"
        echo "  stderr: $(printf '%s' "$err" | head -n 10)"
        echo "  expected stderr (regex): $want_err"
    fi
}

cat >"$tmp/add.wat" <<'EOF'
(module
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "mix") (param i64 f32 f64) (result i64 f32 f64)
    (local.get 0) (local.get 1) (local.get 2))
  (func (export "ref") (param externref) (result externref i32)
    (local.get 0) (ref.is_null (local.get 0)))
  (func (export "void"))
  (memory (export "mem") 1))
EOF
cat >"$tmp/trap.wat" <<'EOF'
(module
  (func $inner (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
  (func $outer (export "outer") (param i32) (result i32) (call $inner (local.get 0)))
  (func $f (export "recurse") (call $f))
  (func (export "spin") (loop (br 0)))
  (memory 1)
  (func (export "grow") (result i32) (memory.grow (i32.const 1))))
EOF
cat >"$tmp/start.wat" <<'EOF'
(module (func (export "_start")))
EOF
cat >"$tmp/start-trap.wat" <<'EOF'
(module (func $s (unreachable)) (start $s))
EOF
cat >"$tmp/import.wat" <<'EOF'
(module (import "env" "f" (func)))
EOF
cat >"$tmp/wasi.wat" <<'EOF'
(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32))))
EOF
cat >"$tmp/wasi-old.wat" <<'EOF'
(module (import "wasi_unstable" "f" (func)))
EOF
cat >"$tmp/invalid.wat" <<'EOF'
(module (func (result i32) (i64.const 0)))
EOF
# The add module's binary: (func (export "add") (param i32 i32) (result i32) ...)
printf '\0asm\1\0\0\0\1\7\1\140\2\177\177\1\177\3\2\1\0\7\7\1\3add\0\0\12\11\1\7\0\40\0\40\1\152\13' \
    >"$tmp/add.wasm"

# Success: results one per line, all number forms.
check add 0 "5" "" run --invoke add add.wat 2 3
check add-binary 0 "7" "" run --invoke add add.wasm 3 4
check add-invoke-after-file 0 "5" "" run add.wat --invoke add 2 3
check add-negative-hex 0 "15" "" run --invoke add add.wat -1 0x10
check add-wrap 0 "-2" "" run --invoke add add.wat 4294967295 -1
check mix 0 $'-9223372036854775808\n0.100000001\ninf' "" \
    run --invoke mix add.wat -9223372036854775808 0.1 inf
check mix-hex 0 $'18\n0.5\n-0' "" run --invoke mix add.wat 0x12 0x1p-1 -0
check mix-nan 0 $'-1\nnan\nnan:0x1' "" run --invoke mix add.wat 0xffffffffffffffff nan nan:0x1
check mix-neg-inf 0 $'0\n-inf\n0.10000000000000001' "" run --invoke mix add.wat 0 -inf 0.1
check ref-null 0 $'null\n1' "" run --invoke ref add.wat null
check void 0 "" "" run --invoke void add.wat
check start 0 "" "" run start.wat

# Usage mistakes: status 2.
check too-few 2 "" "kite: add: expected 2 arguments, got 1" run --invoke add add.wat 1
check too-many 2 "" "kite: void: expected 0 arguments, got 1" run --invoke void add.wat 1
check bad-int 2 "" "kite: add: argument 2: 'x' is not i32" run --invoke add add.wat 1 x
check int-range 2 "" "kite: add: argument 1: '4294967296' is not i32" \
    run --invoke add add.wat 4294967296 1
check bad-float 2 "" "kite: mix: argument 2: '1.5x' is not f32" run --invoke mix add.wat 1 1.5x 2
check bad-ref 2 "" "kite: ref: argument 1: '5' is not a reference" run --invoke ref add.wat 5
check unknown-option 2 "" "kite run: unknown option '--bogus'" run --bogus add.wat
check no-file 2 "" "kite run: no FILE given.*" run --invoke add
check option-after-file 2 "" "kite run: options go before FILE \('--fuel' comes after it\)" \
    run --invoke add add.wat 1 --fuel 2
# Without --invoke, what follows FILE is the WASI program's argv.
check wasi-args-after-file 1 "" "kite: no _start export; use --invoke NAME" \
    run add.wat --fuel 1 2
check bad-fuel 2 "" "kite run: bad value 'lots' for --fuel" run --fuel lots add.wat
check help 0 "~usage: kite run .*--invoke NAME.*--fuel N.*--max-memory BYTES.*" "" run --help

# Module and call errors: status 1.
check missing-file 1 "" "kite: cannot open nothere.wasm" run nothere.wasm
check invalid 1 "" "kite: invalid.wat:1:[0-9]+: type mismatch.*" run --invoke f invalid.wat
check no-export 1 "" "kite: no export named 'nope'" run --invoke nope add.wat
check not-func 1 "" "kite: export 'mem' is not a function" run --invoke mem add.wat
check no-start 1 "" "kite: no _start export; use --invoke NAME" run add.wat
check unknown-import 1 "" "kite: unknown import: env.f" run import.wat
check wasi-import 1 "" "kite: no _start export; use --invoke NAME" run wasi.wat
check wasi-old-import 1 "" "kite: unknown import: wasi_unstable.f \(the old WASI 'wasi_unstable' is not supported; rebuild for wasi_snapshot_preview1\)" \
    run wasi-old.wat

# Traps: status 133 with a backtrace, innermost frame first.
check trap 133 "" $'kite: trap: integer divide by zero\n  at inner \\(trap.wat\\+0x[0-9a-f]+\\)\n  at outer \\(trap.wat\\+0x[0-9a-f]+\\)' \
    run --invoke outer trap.wat 0
check no-trap 0 "1" "" run --invoke outer trap.wat 1
check exhaustion 133 "" "kite: trap: call stack exhausted(
  at f \\(trap.wat\\+0x[0-9a-f]+\\))+(
  \\.\\.\\. [0-9]+ more frames \\.\\.\\.(
  at f \\(trap.wat\\+0x[0-9a-f]+\\))+)?" run --invoke recurse trap.wat
check start-trap 133 "" $'kite: trap: unreachable\n  at s \\(start-trap.wat\\+0x[0-9a-f]+\\)' run start-trap.wat
check fuel 133 "" "kite: trap: all fuel consumed(
  at .*)?" run --fuel 10000 --invoke spin trap.wat
check timeout 133 "" "kite: trap: interrupted: time limit \\(--timeout 200ms\\) exceeded(
  at .*)?" run --timeout 200ms --invoke spin trap.wat
check timeout-not-reached 0 "1" "" run --timeout 10s --invoke outer trap.wat 1
check bad-timeout 2 "" "kite run: bad value '2 days' for --timeout" run --timeout "2 days" --invoke spin trap.wat
check zero-timeout 2 "" "kite run: bad value '0' for --timeout" run --timeout 0 --invoke spin trap.wat

# Store limits.
check grow 0 "1" "" run --invoke grow trap.wat
check max-memory 0 "-1" "" run --max-memory 64k --invoke grow trap.wat

echo "$((count - failures)) passed, $failures failed"
[ $failures -eq 0 ]
