#!/usr/bin/env bash
# The WASI test programs under `kite run`: stdout, stderr and exit status of
# each, and for the file system and sandbox tests the host side (what exists
# and what it holds afterwards). The programs are NAME.wasm beside this
# script (build.sh rebuilds them); expected outputs are in expected/.
# Usage: run-tests.sh KITE
# KITE_WASI_SKIP="NAME..." skips the named checks (tests/memcheck.sh: those
# that valgrind's environment or slowness changes).
set -u
kite=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0 count=0

# check NAME STATUS STDOUT STDERR-REGEX ARGS...: run `kite run ARGS...` in
# $tmp/cwd with stdin from $STDIN (default /dev/null). STDOUT is @FILE (the
# contents of expected/FILE), ~REGEX (the whole stdout) or the exact text;
# STDERR-REGEX must match the whole stderr (extended regex).
check() {
    local name=$1 want_status=$2 want_out=$3 want_err=$4
    shift 4
    [[ " ${KITE_WASI_SKIP:-} " == *" $name "* ]] && return
    count=$((count + 1))
    local out err status why=""
    out=$(cd "$tmp/cwd" && "$kite" run "$@" 2>"$tmp/stderr" <"${STDIN:-/dev/null}")
    status=$?
    err=$(cat "$tmp/stderr")
    [ "$status" -eq "$want_status" ] || why+=" status $status, expected $want_status;"
    case $want_out in
    @*)
        [ "$out" == "$(cat "$here/expected/${want_out#@}")" ] || why+=" stdout differs from expected/${want_out#@};" ;;
    "~"*)
        [[ $out =~ ^${want_out#"~"}$ ]] || why+=" stdout differs;" ;;
    *)
        [ "$out" == "$want_out" ] || why+=" stdout differs;" ;;
    esac
    [[ $err =~ ^${want_err}$ ]] || why+=" stderr differs;"
    if [ -n "$why" ]; then
        failures=$((failures + 1))
        echo "FAIL $name:$why"
        echo "  command: kite run $*"
        echo "  stdout:"
        printf '%s\n' "$out" | grep -v '^ok ' | head -n 20 | sed 's/^/    /'
        echo "  stderr:"
        printf '%s\n' "$err" | head -n 20 | sed 's/^/    /'
    fi
}

# host_check NAME CONDITION-DESCRIPTION COMMAND...: a check of the host side.
host_check() {
    local name=$1 what=$2
    shift 2
    count=$((count + 1))
    if ! "$@"; then
        failures=$((failures + 1))
        echo "FAIL $name: $what"
    fi
}

fresh() {
    rm -rf "$tmp/cwd"
    mkdir -p "$tmp/cwd"
}

w=$here
fresh
cp "$w/hello.wasm" "$w/args.wasm" "$tmp/cwd/"

# ---- programs, arguments, environment, exit codes -----------------------------

check hello 0 "hello, world" "" hello.wasm
check hello-wat 7 "hello from wat" "" "$w/hello.wat"
check args 0 $'argc=4\nargv[0]=[args.wasm]\nargv[1]=[a]\nargv[2]=[b c]\nargv[3]=[]\nenviron: 0\ngetenv(KITE_TEST)=(unset)' \
    "" args.wasm a "b c" ""
check args-options-after-file 0 $'argc=3\nargv[0]=[args.wasm]\nargv[1]=[--invoke]\nargv[2]=[-x]\nenviron: 0\ngetenv(KITE_TEST)=(unset)' \
    "" args.wasm -- --invoke -x
KITE_TEST=hi check args-env 0 $'argc=1\nargv[0]=[args.wasm]\nenviron: 3\n  A=1\n  B=x=y\n  KITE_TEST=hi\ngetenv(KITE_TEST)=hi' \
    "" --env A=1 --env KITE_TEST --env B=x=y --env UNSET_ANYWHERE args.wasm
[[ " ${KITE_WASI_SKIP:-} " == *" args-inherit-env "* ]] || {
count=$((count + 1))
out=$(cd "$tmp/cwd" && env -i KITE_TEST=inherited OTHER=host "$kite" run --inherit-env --env OTHER=mine args.wasm 2>&1)
if [ "$out" != $'argc=1\nargv[0]=[args.wasm]\nenviron: 2\n  KITE_TEST=inherited\n  OTHER=mine\ngetenv(KITE_TEST)=inherited' ]; then
    failures=$((failures + 1))
    echo "FAIL args-inherit-env: $out"
fi
}
check exit-42 42 "leaving with 42" "" args.wasm exit 42
check exit-0 0 "leaving with 0" "" args.wasm exit 0
check return-3 3 "" "" args.wasm return 3
check exit-modulo-256 44 "" "" args.wasm return 300

# ---- traps, fuel, limits, usage --------------------------------------------------

check trap 133 "" $'about to trap\nkite: trap: unreachable\n  at crash_here \\(trap.wasm\\+0x[0-9a-f]+\\)\n  at main \\(trap.wasm\\+0x[0-9a-f]+\\)(\n  at .*)*' \
    "$w/trap.wasm"
check trap-divide 133 "" $'kite: trap: integer divide by zero\n  at divide \\(trap.wasm\\+0x[0-9a-f]+\\)(\n  at .*)*' \
    "$w/trap.wasm" 1
check fuel 133 "~.*" $'kite: trap: all fuel consumed(\n  at .*)*' --fuel 100000 "$w/clock.wasm"
printf '(module (func $spin (loop (br 0))) (func (export "_start") (call $spin)))' >"$tmp/cwd/spin.wat"
check timeout 133 "" $'kite: trap: interrupted: time limit \\(--timeout 300ms\\) exceeded\n  at spin \\(spin.wat:1:[0-9]+\\)\n  at func\\[1\\] \\(spin.wat:1:[0-9]+\\)' \
    --timeout 300ms spin.wat
# Blocked reading a pipe that never gets data (this shell holds it open
# for writing): the watchdog ends the process after its grace period.
mkfifo "$tmp/never"
exec {never}<>"$tmp/never"
STDIN=$tmp/never check timeout-blocked 133 "" "kite: trap: interrupted: time limit \(--timeout\) exceeded while the program was blocked in a WASI call" \
    --timeout 100ms "$w/stdio.wasm"
exec {never}>&-
check max-memory 1 "" "kite: cannot instantiate: .*" --max-memory 64k hello.wasm
check missing-dir 1 "" "kite: cannot open directory nowhere: No such file or directory" \
    --dir nowhere::/x hello.wasm
check bad-env 2 "" "kite run: bad value '=x' for --env: expected NAME=VALUE or NAME" --env =x hello.wasm
check bad-dir 2 "" "kite run: bad value '::/x' for --dir: expected HOST or HOST::GUEST" --dir ::/x hello.wasm
check help 0 "~usage: kite run .*--dir HOST\\[::GUEST\\].*--dir-ro.*--env NAME\\[=VALUE\\].*--inherit-env.*--fuel N.*--timeout TIME.*--max-memory BYTES.*" \
    "" --help
printf '(module (import "wasi_unstable" "fd_write" (func (param i32 i32 i32 i32) (result i32))))' >"$tmp/cwd/old.wat"
check wasi-unstable 1 "" "kite: old.wat: unknown import: wasi_unstable.fd_write \\(the old WASI 'wasi_unstable' is not supported; rebuild for wasi_snapshot_preview1\\)" \
    old.wat
printf '(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32) (result i32))) (func (export "_start")))' >"$tmp/cwd/badsig.wat"
check wasi-bad-signature 1 "" "kite: cannot instantiate: incompatible import type.*" badsig.wat
printf '(module (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32))) (func (export "_start") (drop (call $w (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0)))))' >"$tmp/cwd/nomem.wat"
check wasi-no-memory 133 "" $'kite: trap: WASI: the calling module exports no memory named "memory"(\n  at .*)*' nomem.wat

# ---- reactors ----------------------------------------------------------------------

check reactor 0 $'reactor: next called\n42' "" --invoke next "$w/reactor.wasm"
check reactor-args 0 "-2" "" --invoke add "$w/reactor.wasm" 5 -7

# ---- standard streams ----------------------------------------------------------------

printf 'hello\nworld\n' >"$tmp/in.txt"
STDIN=$tmp/in.txt check stdio 0 $'HELLO\nWORLD' "12 bytes" "$w/stdio.wasm"
seq 1 200000 | sed 's/$/ lines of text/' >"$tmp/big.txt"
STDIN=$tmp/big.txt check stdio-big 0 "$(tr a-z A-Z <"$tmp/big.txt")" "$(wc -c <"$tmp/big.txt") bytes" "$w/stdio.wasm"

# Standard streams on host files are streams (stream.c): the guest cannot
# seek, size, grow or preallocate them, and its writes land only at the
# file's end, whether the shell opened it with O_APPEND (>>), truncated it
# (>) or opened it read-write at offset 0 over old content (1<>). The host
# file's size and content are checked afterwards, and that the shell's
# description got its flags back (no O_APPEND left behind).
printf 'input\n' >"$tmp/in.txt"
streams() {
    local name=$1 redirect=$2 before=$3 want=$4
    count=$((count + 1))
    printf '%s' "$before" >"$tmp/out.txt"
    rm -f "$tmp/flags"
    (
        cd "$tmp" || exit
        case $redirect in
        ">") exec >out.txt ;;
        ">>") exec >>out.txt ;;
        "1<>") exec 1<>out.txt ;;
        esac
        fdinfo=/proc/$BASHPID/fdinfo/1
        [ -r $fdinfo ] && grep '^flags' $fdinfo >flags
        "$kite" run "$w/stream.wasm" <in.txt 2>err.txt
        echo $? >status
        [ -r $fdinfo ] && grep '^flags' $fdinfo >>flags
    )
    local why=""
    [ "$(cat "$tmp/status")" == 0 ] || why+=" status $(cat "$tmp/status");"
    [ "$(cat "$tmp/err.txt")" == "$(cat "$here/expected/stream.err")" ] || why+=" stderr differs from expected/stream.err;"
    [ "$(cat "$tmp/out.txt"; echo x)" == "${want}x" ] || why+=" the host file holds $(od -c "$tmp/out.txt" | head -n 5);"
    [ "$(wc -c <"$tmp/out.txt")" -eq ${#want} ] || why+=" the host file has $(wc -c <"$tmp/out.txt") bytes, expected ${#want};"
    # Where /proc tells (Linux): the description's flags are as before.
    if [ -s "$tmp/flags" ] && [ "$(sort -u "$tmp/flags" | wc -l)" -ne 1 ]; then
        why+=" the shell's stdout flags changed: $(tr '\n' ' ' <"$tmp/flags");"
    fi
    if [ -n "$why" ]; then
        failures=$((failures + 1))
        echo "FAIL $name:$why"
        grep -v '^ok ' "$tmp/err.txt" | head -n 20 | sed 's/^/    /'
    fi
}
lines=$'first\nsecond\nthird\n'
streams stream-truncated ">" "old content" "$lines"
streams stream-append ">>" $'old content\n' $'old content\n'"$lines"
streams stream-read-write "1<>" $'0123456789\n' $'0123456789\n'"$lines"

# ---- clocks, poll, random --------------------------------------------------------------

check clock 0 @clock.out "" "$w/clock.wasm"

# ---- file system ----------------------------------------------------------------------

fresh
mkdir "$tmp/cwd/work"
check fs 0 @fs.out "" --dir work::/work "$w/fs.wasm"
host_check fs-host "the host sees the program's files" \
    test "$(cd "$tmp/cwd/work" && find . | LC_ALL=C sort | tr '\n' ' ')" == \
    ". ./a.txt ./d ./d/g.txt ./dirlink ./hard.txt ./many $(for i in $(seq -f %03g 0 299); do printf './many/entry-with-a-rather-long-name-to-fill-buffers-%s.txt ' "$i"; done)./nowhere "
host_check fs-host-content "d/g.txt holds new" test "$(cat "$tmp/cwd/work/d/g.txt")" == new

fresh
mkdir "$tmp/cwd/work"
check raw 0 @raw.out "" --dir work::/work "$w/raw.wasm"
host_check raw-host "the host sees r.txt, s.txt and été" \
    test "$(cd "$tmp/cwd/work" && ls | LC_ALL=C sort | tr '\n' ' ')" == "r.txt s.txt été "

# ---- the sandbox ----------------------------------------------------------------------

# The layout escape.c documents.
make_sandbox() {
    fresh
    local c=$tmp/cwd
    mkdir -p "$c/sandbox/sub" "$c/outside"
    printf SECRET >"$c/outside/secret"
    printf inside >"$c/sandbox/file"
    ln -s /etc "$c/sandbox/abs_dir_link"
    ln -s "$c/outside/secret" "$c/sandbox/abs_file_link"
    ln -s "$c/outside/created" "$c/sandbox/dangling_abs"
    ln -s ../outside "$c/sandbox/rel_link"
    ln -s .. "$c/sandbox/dotdot_link"
    ln -s ../../outside/secret "$c/sandbox/sub/deep_link"
    ln -s sub "$c/sandbox/in_link"
    ln -s loop2 "$c/sandbox/loop1"
    ln -s loop1 "$c/sandbox/loop2"
}

outside_intact() {
    [ "$(cd "$tmp/cwd/outside" && ls -A)" == secret ] && [ "$(cat "$tmp/cwd/outside/secret")" == SECRET ] &&
        [ "$(cat "$tmp/cwd/sandbox/file")" == inside ]
}

make_sandbox
check escape 0 @escape.out "" --dir sandbox::/sandbox "$w/escape.wasm"
host_check escape-host "nothing outside the sandbox was created, changed or removed" outside_intact
make_sandbox
KITE_WASI_NO_OPENAT2=1 check escape-walk 0 @escape.out "" --dir sandbox::/sandbox "$w/escape.wasm"
host_check escape-walk-host "nothing outside the sandbox was created, changed or removed" outside_intact

fresh
mkdir -p "$tmp/cwd/ro/sub"
printf 'readonly data' >"$tmp/cwd/ro/data"
printf x >"$tmp/cwd/ro/sub/f"
touch -d @1000000 "$tmp/cwd/ro/data"
snapshot() { (cd "$tmp/cwd/ro" && find . -printf '%p %s %T@ %y\n' | LC_ALL=C sort && cat data sub/f); }
before=$(snapshot)
check ro 0 @ro.out "" --dir-ro ro::/ro "$w/ro.wasm"
host_check ro-host "the read-only directory is unchanged" test "$(snapshot)" == "$before"

# ---- Rust ----------------------------------------------------------------------------

fresh
mkdir "$tmp/cwd/work"
cp "$w/rust_tests.wasm" "$tmp/cwd/"
check rust 0 @rust.out "" --dir work::/work --env KITE_RUST=1 rust_tests.wasm
host_check rust-host "the Rust tests cleaned up" test -z "$(ls -A "$tmp/cwd/work")"
check rust-failing 133 $'\nrunning 5 tests\ntest tests::args_and_environment ... ' \
    $'kite: trap: unreachable(\n  at .*)*' \
    --dir work::/work --env KITE_RUST=1 --env KITE_RUST_FAIL=1 rust_tests.wasm

echo "$((count - failures)) passed, $failures failed"
[ $failures -eq 0 ]
