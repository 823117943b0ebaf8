#!/usr/bin/env bash
# Golden tests of the kite command: results on stdout, messages on stderr
# (each saying what and why), exit statuses (the same for every command: 0
# success, 1 module or call error, 2 usage, 133 trap), option spellings.
# Usage: cli-tests.sh KITE
set -u
kite=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0 count=0

# check NAME STATUS STDOUT STDERR-REGEX ARGS...: run `kite ARGS...` in $tmp
# with stdin from $STDIN (default /dev/null); STDOUT must match exactly (or,
# written ~REGEX, the whole regex), STDERR the whole (extended) regex.
check() {
    local name=$1 want_status=$2 want_out=$3 want_err=$4
    shift 4
    count=$((count + 1))
    local out err status
    out=$(cd "$tmp" && "$kite" "$@" 2>"$tmp/stderr" <"${STDIN:-/dev/null}")
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
# @name annotations name functions in backtraces, over identifiers.
cat >"$tmp/named.wat" <<'EOF'
(module
  (func $inner (@name "the inner one") unreachable)
  (func (@name "λ outer") (export "outer") (call $inner)))
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
cat >"$tmp/gc.wat" <<'EOF'
(module (type $s (struct (field i32)))
  (func (export "f") (result i32) (struct.get $s 0 (struct.new $s (i32.const 7)))))
EOF
cat >"$tmp/table.wat" <<'EOF'
(module (table 1 funcref)
  (func (export "grow") (result i32) (table.grow (ref.null func) (i32.const 1))))
EOF
# The add module's binary: (func (export "add") (param i32 i32) (result i32) ...)
printf '\0asm\1\0\0\0\1\7\1\140\2\177\177\1\177\3\2\1\0\7\7\1\3add\0\0\12\11\1\7\0\40\0\40\1\152\13' \
    >"$tmp/add.wasm"
# (func (export "f") unreachable)
printf '\0asm\1\0\0\0\1\4\1\140\0\0\3\2\1\0\7\5\1\1f\0\0\12\5\1\3\0\0\13' >"$tmp/unreachable.wasm"
printf '\0asm\1\0\0\0\1\7\1' >"$tmp/truncated.wasm"
printf '\0asm\15\0\1\0' >"$tmp/component.wasm"
printf '\177ELF\2\1\1\0\0\0\0\0\0\0\0\0\3\0\76\0' >"$tmp/elf"
printf '#!/bin/sh\necho hi\n' >"$tmp/script.sh"
printf ';; only a comment\n(; and (; a nested ;) one ;)\n' >"$tmp/comments.txt"
mkdir "$tmp/dir"

# ---- results ----------------------------------------------------------------
# One per line, all number forms.
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

# ---- kite FILE [ARGS...] is kite run FILE [ARGS...], options included --------
check implicit-run 0 "" "" start.wat
check implicit-run-invoke 0 "5" "" --invoke add add.wat 2 3
check implicit-run-invoke-after 0 "5" "" add.wat --invoke add 2 3
check implicit-run-wasi 0 "Hello, kite!" "" "$here/../examples/hello-wasi.wat" kite
check implicit-run-fuel 133 "" "kite: trap: all fuel consumed(
  at .*)*" --fuel 1000 --invoke spin trap.wat
check implicit-unknown-option 2 "" "kite: unknown option '--bogus' \(\`kite --help\` lists the options\)" \
    --bogus add.wat
check mistyped-command 2 "" "kite: 'valdiate' is neither a command nor a file \(\`kite help\` lists the commands\)" \
    valdiate add.wat

# ---- version and help ---------------------------------------------------------
check version 0 "~kite [0-9]+\.[0-9]+\.[0-9]+" "" --version
check version-command 0 "~kite [0-9]+\.[0-9]+\.[0-9]+" "" version
check help 0 "~kite [0-9.]+, a WebAssembly runtime.*exit status, the same for every command:
  0 .*
  1 .*
  2 .*
  133 .*features.*" "" help
check help-run 0 "~usage: kite run \[OPTIONS\] FILE \[ARGS...\].*--invoke NAME.*--fuel N, -W fuel=N.*--max-memory BYTES, -W max-memory-size=BYTES.*" \
    "" help run
check help-flag 0 "~usage: kite run .*--invoke NAME.*--fuel N.*--max-memory BYTES.*" "" run --help
check no-arguments 2 "" "usage: kite FILE \[ARGS...\] .*
 .*kite help.*"
# kite run without FILE: a short usage, not the whole help.
check run-no-file 2 "" "kite run: no FILE given
usage: kite run \[OPTIONS\] FILE \[ARGS...\]
\(\`kite run --help\` explains the options\)" run
check run-options-no-file 2 "" "kite run: no FILE given
usage: kite run .*
.*" run --invoke add

# ---- usage mistakes: status 2, whichever command --------------------------------
check too-few 2 "" "kite run: add takes 2 arguments \(i32 i32\), got 1" run --invoke add add.wat 1
check too-many 2 "" "kite run: void takes 0 arguments, got 1" run --invoke void add.wat 1
check bad-int 2 "" "kite run: add: argument 2, 'x', is not a valid i32: expected a decimal or 0x hexadecimal integer, optionally negative" \
    run --invoke add add.wat 1 x
check int-range 2 "" "kite run: add: argument 1, '4294967296', is not a valid i32: .*" \
    run --invoke add add.wat 4294967296 1
check bad-float 2 "" "kite run: mix: argument 2, '1.5x', is not a valid f32: expected a decimal or hexadecimal float, inf, nan or nan:0xPAYLOAD" \
    run --invoke mix add.wat 1 1.5x 2
check bad-ref 2 "" "kite run: ref: argument 1, '5', is not a valid ref: expected null .*" \
    run --invoke ref add.wat 5
check unknown-option 2 "" "kite run: unknown option '--bogus' \(\`kite run --help\` lists the options\)" \
    run --bogus add.wat
check unknown-option-eq 2 "" "kite run: unknown option '--bogus' .*" run --bogus=1 add.wat
check option-after-file 2 "" "kite run: options go before FILE \('--fuel' comes after it\)" \
    run --invoke add add.wat 1 --fuel 2
check option-needs-value 2 "" "kite run: --fuel needs a value \(--fuel N\)" run --fuel
check flag-takes-no-value 2 "" "kite run: --inherit-env takes no value \(got 'yes'\)" \
    run --inherit-env=yes add.wat
# Without --invoke, what follows FILE is the WASI program's argv.
check wasi-args-after-file 1 "" "kite: add.wat: no _start export, so it is not a WASI command; call one of its exported functions \(add, mix, ref, void\) with --invoke NAME" \
    run add.wat --fuel 1 2
check bad-fuel 2 "" "kite run: bad value 'lots' for --fuel: expected a number more than 0 .*" \
    run --fuel lots add.wat
check zero-fuel 2 "" "kite run: bad value '0' for --fuel: expected a number more than 0 .*" \
    run --fuel 0 add.wat
check bad-feature 2 "" "kite run: unknown feature 'gcc' in --enable-gcc \(\`kite help\` lists the features\)" \
    run --enable-gcc add.wat
check validate-unknown-option 2 "" "kite validate: unknown option '--fuel' \(\`kite validate --help\` lists the options\)" \
    validate --fuel 1 add.wat
check validate-no-file 2 "" "kite validate: no FILE given
usage: kite validate .*
.*" validate
check wast-unknown-option 2 "" "kite wast: unknown option '--bogus' .*" wast --bogus x.wast
check wast-no-file 2 "" "kite wast: no FILE given
usage: kite wast .*
.*" wast
check help-unknown 2 "" "kite help: no command named 'nope' \(\`kite help\` lists them\)" help nope

# ---- option values as --opt=VALUE as well as --opt VALUE ------------------------
check eq-invoke 0 "5" "" run --invoke=add add.wat 2 3
check eq-invoke-after-file 0 "5" "" run add.wat --invoke=add 2 3
check eq-max-memory 0 "-1" "" run --max-memory=64k --invoke=grow trap.wat
check eq-fuel 133 "" "kite: trap: all fuel consumed(
  at .*)*" run --fuel=10000 --invoke spin trap.wat
check eq-timeout 133 "" "kite: trap: interrupted: time limit \(--timeout 200ms\) exceeded(
  at .*)*" run --timeout=200ms --invoke spin trap.wat
check eq-gc-heap-limit 0 "7" "" run --gc-heap-limit=1m --invoke f gc.wat
check eq-bad-value 2 "" "kite run: bad value 'x' for --max-memory: expected a number .*" \
    run --max-memory=x add.wat
check eq-skip-list 2 "" "kite: cannot open nolist: No such file or directory
kite wast: bad value 'nolist' for --skip-list: .*" wast --skip-list=nolist x.wast

# ---- Wasmtime's -W (--wasm) and -S (--wasi): KEY[=VALUE] items, commas -----------
check W-fuel 133 "" "kite: trap: all fuel consumed(
  at .*)*" run -W fuel=10000 --invoke spin trap.wat
check W-fuel-attached 133 "" "kite: trap: all fuel consumed(
  at .*)*" run -Wfuel=10000 --invoke spin trap.wat
check W-long 133 "" "kite: trap: all fuel consumed(
  at .*)*" run --wasm fuel=0x2710 --invoke spin trap.wat
check W-long-eq 0 "-1" "" run --wasm=max-memory-size=65536 --invoke grow trap.wat
check W-max-memory-size 0 "-1" "" run -W max-memory-size=64k --invoke grow trap.wat
check W-comma 0 "-1" "" run -W fuel=1000000,max-memory-size=64k --invoke grow trap.wat
check W-max-table-elements 0 "-1" "" run -W max-table-elements=1 --invoke grow table.wat
# A reservation cap below the guarded layout's (for valgrind): growth stops
# at it, with a note that says so.
check W-memory-reservation 0 "-1" "kite: note: memory.grow by 1 pages failed: the memory's address-space reservation ends at 1 pages, below its maximum of 65536 \(kite_config_set_memory_reserve caps it; the OS may give less\)" \
    run -W memory-reservation=64k --invoke grow trap.wat
check eq-memory-reservation 0 "1" "" run --memory-reservation=128k --invoke grow trap.wat
check W-table-unlimited 0 "1" "" run --invoke grow table.wat
check W-max-wasm-stack 133 "" "kite: trap: call stack exhausted(
  .*)*" run -W max-wasm-stack=4k --invoke recurse trap.wat
check W-timeout 133 "" "kite: trap: interrupted: time limit \(--timeout 100ms\) exceeded(
  at .*)*" run -W timeout=100ms --invoke spin trap.wat
check W-feature-off 1 "" "kite: gc.wat:[0-9]+:[0-9]+: .*" run -W gc=n --invoke f gc.wat
check W-feature-on 0 "7" "" run -W gc=y,gc --invoke f gc.wat
check W-all-proposals-off 1 "" "kite: gc.wat:[0-9]+:[0-9]+: .*" run -W all-proposals=n --invoke f gc.wat
check W-feature-validate 1 "" "kite: gc.wat:[0-9]+:[0-9]+: .*" validate -W gc=no gc.wat
check W-help 0 "~-W \(--wasm\) options of kite run: .*-W fuel=N .*-W max-memory-size=BYTES.*-W FEATURE\[=y\|n\].*" \
    "" run -W help
check S-help 0 "~-S \(--wasi\) options of kite run: .*-S inherit-env\[=y\|n\].*" "" run -S help
check W-unknown 2 "" "kite run: unknown option -W nan-canonicalization \(\`kite run -W help\` lists them\)" \
    run -W nan-canonicalization add.wat
check W-needs-value 2 "" "kite run: -W fuel needs a value \(-W fuel=N\)" run -W fuel add.wat
check W-missing 2 "" "kite run: -W needs KEY\[=VALUE\] .*" run -W
check W-bad-value 2 "" "kite run: bad value 'lots' for -W fuel: expected a number more than 0 .*" \
    run -W fuel=lots add.wat
check W-bad-switch 2 "" "kite run: bad value 'maybe' for -W gc: expected y or n" run -W gc=maybe add.wat
check W-empty-item 2 "" "kite run: empty item in -W fuel=1,,gc" run -W fuel=1,,gc add.wat
check W-wast 2 "" "kite wast: unknown option -W fuel .*" wast -W fuel=1 x.wast
check S-unknown 2 "" "kite run: unknown option -S preview0 .*" run -S preview0 add.wat
KITE_CLI_TEST=from-host check S-inherit-env 0 "~.*KITE_CLI_TEST=from-host.*" "" \
    run -S inherit-env "$here/wasi/args.wasm"
KITE_CLI_TEST=from-host check S-inherit-env-no 0 $'argc=1\nargv[0]=[args]\nenviron: 0\ngetenv(KITE_TEST)=(unset)' "" \
    run -S inherit-env=n --argv0 args "$here/wasi/args.wasm"
KITE_CLI_TEST=from-host check S-inherit-env-long 0 "~.*KITE_CLI_TEST=override.*" "" \
    run --env KITE_CLI_TEST=override --wasi=inherit-env "$here/wasi/args.wasm"
check eq-env-dir 0 $'argc=1\nargv[0]=[args]\nenviron: 1\n  A=b=c\ngetenv(KITE_TEST)=(unset)' "" \
    run --env=A=b=c --dir=dir::/d --dir-ro=. --argv0=args "$here/wasi/args.wasm"
check argv0 0 "~argc=2
argv\[0\]=\[name\]
argv\[1\]=\[x\].*" "" run --argv0=name "$here/wasi/args.wasm" x

# -S tcplisten: the program accepts a connection on its pre-opened socket
# (descriptor 3) and answers it. The port is random; a taken one is retried.
cat >"$tmp/serve.wat" <<'EOF'
(module
  (import "wasi_snapshot_preview1" "sock_accept" (func $accept (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_send" (func $send (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 32) "hello over tcp\n")
  (func (export "_start")
    (local $e i32)
    (local.set $e (call $accept (i32.const 3) (i32.const 0) (i32.const 0)))
    (if (local.get $e) (then (call $exit (i32.add (i32.const 100) (local.get $e)))))
    (i32.store (i32.const 8) (i32.const 32))
    (i32.store (i32.const 12) (i32.const 15))
    (call $exit (call $send (i32.load (i32.const 0)) (i32.const 8) (i32.const 1) (i32.const 0) (i32.const 16)))))
EOF
tcplisten_test() {
    count=$((count + 1))
    local attempt port pid got="" status
    for attempt in 1 2 3 4 5; do
        port=$((20000 + RANDOM % 20000))
        (cd "$tmp" && exec "$kite" run --timeout 30s -S tcplisten=127.0.0.1:$port serve.wat \
            2>"$tmp/serve.err") &
        pid=$!
        for _ in $(seq 100); do
            if exec 5<>"/dev/tcp/127.0.0.1/$port"; then
                read -r -t 10 got <&5
                exec 5>&-
                break
            fi 2>/dev/null
            kill -0 $pid 2>/dev/null || break
            sleep 0.05
        done
        [ -n "$got" ] || kill $pid 2>/dev/null # it never answered (or the port was taken)
        wait $pid
        status=$?
        grep -q "Address already in use" "$tmp/serve.err" || break
    done
    if [ "$got" != "hello over tcp" ] || [ $status -ne 0 ]; then
        failures=$((failures + 1))
        echo "FAIL tcplisten: got '$got', status $status, stderr: $(cat "$tmp/serve.err")"
    fi
}
if (exec 5<>/dev/tcp/127.0.0.1/1) 2>&1 | grep -q "No such file or directory"; then
    : # a bash without /dev/tcp
else
    tcplisten_test
fi
check tcplisten-bad 2 "" "kite run: bad value 'nohost' for -S tcplisten: expected ADDRESS:PORT .*" \
    run -S tcplisten=nohost add.wat
check tcplisten-name 2 "" "kite run: bad value 'example.com:80' for -S tcplisten: expected a numeric IPv4 or IPv6 address \(or localhost\)" \
    run -S tcplisten=example.com:80 add.wat

# ---- files that cannot be read or are no modules: status 1, what and why ---------
check missing-file 1 "" "kite: cannot open nothere.wasm: No such file or directory" run nothere.wasm
check missing-file-implicit 1 "" "kite: cannot open nothere.wasm: No such file or directory" nothere.wasm
check missing-file-validate 1 "" "kite: cannot open nothere.wat: No such file or directory" \
    validate nothere.wat
check missing-file-wast 1 "~nothere.wast: 0 passed, 1 failed, 0 skipped.*" \
    "kite: cannot open nothere.wast: No such file or directory" wast nothere.wast
check directory 1 "" "kite: cannot read dir: Is a directory" run dir
check not-a-module-elf 1 "" 'kite: elf: not a WebAssembly module \(neither binary, which starts with "\\0asm", nor text, which starts with "\("\)' \
    run elf
check not-a-module-script 1 "" 'kite: script.sh: not a WebAssembly module \(neither binary.*\)' \
    validate script.sh
if [ -r /bin/ls ]; then
    check not-a-module-bin-ls 1 "" 'kite: /bin/ls: not a WebAssembly module \(neither binary, which starts with "\\0asm", nor text, which starts with "\("\)' \
        /bin/ls
fi
check not-a-script 1 "~elf: 0 passed, 1 failed, 0 skipped.*" \
    'kite: elf: not a WebAssembly script \(the text format, which starts with "\("\)' wast elf
check component 1 "" "kite: component.wasm: a WebAssembly component, not a module \(kite runs core modules only\)" \
    run component.wasm
check comments-only 0 "" "" validate comments.txt
check truncated 1 "" "kite: truncated.wasm\+0x[0-9a-f]+: malformed module: .*" validate truncated.wasm

# ---- kite validate: silent when valid; errors on stderr, status 1 -----------------
check validate-ok 0 "" "" validate add.wat add.wasm
check validate-invalid 1 "" "kite: invalid.wat:1:[0-9]+: invalid module: type mismatch.*" \
    validate invalid.wat
check validate-some-invalid 1 "" "kite: invalid.wat:1:[0-9]+: invalid module: type mismatch.*" \
    validate add.wat invalid.wat add.wasm
check validate-feature-eq 2 "" "kite validate: --disable-gc takes no value \(got '1'\)" validate --disable-gc=1 gc.wat
check validate-feature-flag 1 "" "kite: gc.wat:[0-9]+:[0-9]+: .*" validate --disable-gc gc.wat

# ---- module and call errors: status 1 -----------------------------------------------
check invalid 1 "" "kite: invalid.wat:1:[0-9]+: invalid module: type mismatch.*" \
    run --invoke f invalid.wat
check no-export 1 "" "kite: add.wat: no export named 'nope' \(its exported functions: add, mix, ref, void\)" \
    run --invoke nope add.wat
check not-func 1 "" "kite: add.wat: export 'mem' is a memory, not a function \(its exported functions: add, mix, ref, void\)" \
    run --invoke mem add.wat
check no-start 1 "" "kite: add.wat: no _start export, so it is not a WASI command; call one of its exported functions \(add, mix, ref, void\) with --invoke NAME" \
    run add.wat
check unknown-import 1 "" "kite: import.wat: unknown import: env.f \(kite run provides wasi_snapshot_preview1, wasi thread-spawn and memories\)" \
    run import.wat
check wasi-import 1 "" "kite: wasi.wat: no _start export, so it is not a WASI command \(and it exports no function to call with --invoke\)" \
    run wasi.wat
check wasi-old-import 1 "" "kite: wasi-old.wat: unknown import: wasi_unstable.f \(the old WASI 'wasi_unstable' is not supported; rebuild for wasi_snapshot_preview1\)" \
    run wasi-old.wat

# ---- traps: status 133 and a backtrace, innermost frame first --------------------
# A text module's frames give FILE:LINE:COLUMN of the instruction, a binary's
# FILE+0xOFFSET.
check trap-named 133 "" $'kite: trap: unreachable\n  at the inner one \\(named.wat:2:[0-9]+\\)\n  at λ outer \\(named.wat:3:[0-9]+\\)' \
    run --invoke outer named.wat
check trap 133 "" $'kite: trap: integer divide by zero\n  at inner \\(trap.wat:2:41\\)\n  at outer \\(trap.wat:3:58\\)' \
    run --invoke outer trap.wat 0
check trap-path 133 "" $'kite: trap: integer divide by zero\n  at inner \\(\\./trap.wat:2:41\\)\n  at outer \\(\\./trap.wat:3:58\\)' \
    run --invoke outer ./trap.wat 0
check trap-binary 133 "" $'kite: trap: unreachable\n  at func\\[0\\] \\(unreachable.wasm\\+0x[0-9a-f]+\\)' \
    run --invoke f unreachable.wasm
check no-trap 0 "1" "" run --invoke outer trap.wat 1

# `-` reads the module from stdin, named <stdin> in messages.
STDIN=$tmp/add.wat check stdin-text 0 "5" "" run --invoke add - 2 3
STDIN=$tmp/add.wat check stdin-bare 0 "5" "" --invoke add - 2 3
STDIN=$tmp/unreachable.wasm check stdin-trap 133 "" \
    $'kite: trap: unreachable\n  at func\\[0\\] \\(<stdin>\\+0x[0-9a-f]+\\)' run --invoke f -

# Memories kite run makes for imports take the import's page size.
cat >"$tmp/pagesize.wat" <<'EOF'
(module
  (memory (import "env" "memory") 3 10 (pagesize 1))
  (func (export "grow") (result i32) (drop (memory.grow (i32.const 5))) (memory.size)))
EOF
sed 's/3 10 (pagesize 1)/3 10 shared (pagesize 1)/' "$tmp/pagesize.wat" >"$tmp/pagesize-shared.wat"
check import-pagesize 0 "8" "" run --enable-custom-page-sizes --invoke grow pagesize.wat
check import-pagesize-shared 0 "8" "" run --enable-custom-page-sizes --invoke grow pagesize-shared.wat
# ... which takes the feature, in text as in binary.
check pagesize-off 1 "" "kite: pagesize.wat:2:[0-9]+: malformed module: custom page sizes are not enabled \\(feature custom-page-sizes\\)" \
    validate pagesize.wat
check exhaustion 133 "" "kite: trap: call stack exhausted(
  at f \\(trap.wat:4:31\\))+(
  \\.\\.\\. [0-9]+ more frames \\.\\.\\.(
  at f \\(trap.wat:4:31\\))+)?" run --invoke recurse trap.wat
check start-trap 133 "" $'kite: trap: unreachable\n  at s \\(start-trap.wat:1:18\\)' run start-trap.wat
check fuel 133 "" "kite: trap: all fuel consumed(
  at .*)?" run --fuel 10000 --invoke spin trap.wat
check timeout 133 "" "kite: trap: interrupted: time limit \\(--timeout 200ms\\) exceeded(
  at .*)?" run --timeout 200ms --invoke spin trap.wat
check timeout-not-reached 0 "1" "" run --timeout 10s --invoke outer trap.wat 1
check bad-timeout 2 "" "kite run: bad value '2 days' for --timeout: expected a time more than 0: digits and a unit us, ms, s \\(the default\\), m or h" \
    run --timeout "2 days" --invoke spin trap.wat
check zero-timeout 2 "" "kite run: bad value '0' for --timeout: .*" run --timeout 0 --invoke spin trap.wat

# ---- store limits -----------------------------------------------------------------
check grow 0 "1" "" run --invoke grow trap.wat
check max-memory 0 "-1" "" run --max-memory 64k --invoke grow trap.wat

echo "$((count - failures)) passed, $failures failed"
[ $failures -eq 0 ]
