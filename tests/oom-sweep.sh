#!/usr/bin/env bash
# The out-of-memory sweep: every allocation the library makes fails in
# turn (or every STEP-th, sampled), over the spec testsuite, kite's own
# scripts and the WASI programs; each run must end cleanly: the same result
# as without the failure, or an out-of-memory error or trap; never a crash,
# a hang, a wrong result, or a block of the engine's allocator left live
# (and, in the sanitizer build, no AddressSanitizer or LeakSanitizer report).
# A WASI program may also end its own way when a WASI call returns ENOMEM
# (wasi-libc turns some errors into others, e.g. nanosleep's into ENOTSUP),
# as long as its exit status shows it: the same status with different
# output and no out-of-memory report is a finding.
#
#   tests/oom-sweep.sh KITE [STEP] [wast|wast-quick|wasi|wasi-testsuite|all]
#
# `all` includes the WASI test suite's preview1 programs (../shared/
# wasi-testsuite, through its runner: every program fails allocation 1,
# 1 + STEP, ... up to 400, about 30 s a pass; not in ctest).
# STEP 1 (the default) is the complete sweep (`make oom-sweep`, about an
# hour on 2 cores); ctest runs sampled ones (oom-sweep/wast, oom-sweep/wasi:
# every 101st allocation of the scripts, every 11th of the programs, a
# minute or so each; the sanitizer build: wast-quick, every 199th). A
# finding names the allocation: rerun it alone with
# KITE_FAIL_ALLOC=N (kite wast reports the command that went wrong).
# Scripts are swept by `KITE_OOM_SWEEP=STEP kite wast` (cli/wast_oom.c),
# WASI programs one `KITE_FAIL_ALLOC=N kite run` per allocation here.
set -u
kite=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
step=${2:-1}
what=${3:-all}
here=$(cd "$(dirname "$0")" && pwd)
spec=$here/../../shared/testsuite
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
findings=0 points=0

# ---- scripts ---------------------------------------------------------------------------

sweep_wast() {
    local out status
    KITE_OOM_SWEEP=$step "$kite" wast "$@" >"$tmp/wast.out" 2>"$tmp/wast.err"
    status=$?
    out=$(tail -n 1 "$tmp/wast.out")
    local n f
    n=$(sed -n 's/^oom sweep .*: \([0-9]*\) allocations failed in turn, \([0-9]*\) findings$/\1/p' <<<"$out")
    f=$(sed -n 's/^oom sweep .*: \([0-9]*\) allocations failed in turn, \([0-9]*\) findings$/\2/p' <<<"$out")
    if [ -z "$n" ]; then
        echo "FAIL kite wast $*: no sweep summary (status $status): $out"
        head -n 40 "$tmp/wast.err"
        findings=$((findings + 1))
        return
    fi
    points=$((points + n))
    if [ "$f" = 0 ] && [ "$status" != 0 ]; then
        echo "FAIL kite wast ${*: -1}...: status $status (an assertion failed without injection?)"
        head -n 40 "$tmp/wast.err"
        f=1
    fi
    if [ "$f" != 0 ]; then
        echo "FAIL kite wast ${*: -1}...: $f findings"
        head -n 200 "$tmp/wast.err"
        findings=$((findings + f))
    fi
    echo "scripts ${*: -1}: $n allocations failed in turn, $f findings"
}

if [ "$what" = wast-quick ]; then
    # The sanitizer build's ctest: kite's scripts, and the spec scripts of
    # exceptions, GC objects and references (a sanitized fork costs more).
    quick=()
    for f in tag throw throw_ref try_table struct array i31 ref_cast extern table_grow ref_null; do
        [ -f "$spec/core/$f.wast" ] && quick+=("$spec/core/$f.wast")
    done
    [ ${#quick[@]} -eq 0 ] || sweep_wast "${quick[@]}" "$spec"/legacy-exceptions/*.wast
    sweep_wast "$here"/wast/*.wast
fi
if [ "$what" = all ] || [ "$what" = wast ]; then
    if [ -d "$spec/core" ]; then
        skip=(--skip-list "$here/spec-skip.txt")
        sweep_wast "${skip[@]}" "$spec"/core/*.wast "$spec"/core/*/*.wast
        sweep_wast "${skip[@]}" "$spec"/legacy-exceptions/*.wast
        sweep_wast "${skip[@]}" --disable-multi-memory --disable-memory64 --disable-reference-types \
            "$spec"/proposals/threads/*.wast
        sweep_wast "${skip[@]}" "$spec"/proposals/wide-arithmetic/*.wast
        sweep_wast "${skip[@]}" --enable-custom-page-sizes "$spec"/proposals/custom-page-sizes/*.wast
    else
        echo "NOTE: $spec not found: the spec testsuite is not swept"
    fi
    sweep_wast "$here"/wast/*.wast
fi

# ---- WASI programs ----------------------------------------------------------------------

w=$here/wasi

fresh() {
    rm -rf "$tmp/cwd"
    mkdir -p "$tmp/cwd"
}
setup_plain() { fresh; }
setup_work() {
    fresh
    mkdir "$tmp/cwd/work"
}
setup_sandbox() {
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
setup_ro() {
    fresh
    mkdir -p "$tmp/cwd/ro/sub"
    printf 'readonly data' >"$tmp/cwd/ro/data"
    printf x >"$tmp/cwd/ro/sub/f"
}
printf 'hello\nworld\n' >"$tmp/in.txt"

# run SETUP N ARGS...: kite run ARGS in a fresh $tmp/cwd with allocation N
# failing; sets status, and leaves stdout and stderr in $tmp/out, $tmp/err.
run() {
    local setup=$1 n=$2
    shift 2
    "$setup"
    (cd "$tmp/cwd" && KITE_FAIL_ALLOC=$n timeout 60 "$kite" run "$@" <"$tmp/in.txt" \
        >"$tmp/out" 2>"$tmp/err")
    status=$?
}

# sweep_wasi NAME SETUP ARGS...
sweep_wasi() {
    local name=$1 setup=$2
    shift 2
    run "$setup" 0 "$@"
    local want_status=$status want_out total
    want_out=$(cat "$tmp/out")
    total=$(sed -n 's/^kite: fail-alloc: \([0-9]*\) allocations.*/\1/p' "$tmp/err")
    if [ -z "$total" ]; then
        echo "FAIL wasi $name: no allocation count"
        findings=$((findings + 1))
        return
    fi
    local phase=$(( $(cksum <<<"$name" | cut -d' ' -f1) % step ))
    local n count=0 bad=0 guest=0
    for ((n = 1; n <= total; n++)); do
        (( (n + phase) % step == 0 )) || continue
        count=$((count + 1))
        run "$setup" "$n" "$@"
        local why="" report
        report=$(grep '^kite: fail-alloc:' "$tmp/err")
        if [ "$status" -ge 124 ] && [ "$status" -ne 133 ]; then
            why="status $status (a crash or a hang)"
        elif [ -z "$report" ]; then
            why="no fail-alloc report (status $status)"
        elif ! grep -q ' 0 blocks leaked$' <<<"$report"; then
            why="leak: $report"
        elif grep -q 'ERROR: \(Address\|Leak\|Undefined\)Sanitizer\|runtime error:' "$tmp/err"; then
            why="sanitizer report"
        elif grep -qE 'out of memory|GC heap exhausted' "$tmp/err"; then
            : # kite reported it
        elif [ "$status" -ne "$want_status" ]; then
            guest=$((guest + 1)) # a WASI call said ENOMEM, and the program failed its own way
        elif [ "$(cat "$tmp/out")" != "$want_out" ]; then
            why="the same status ($status) with other output, and no out-of-memory report"
        fi
        if [ -n "$why" ]; then
            bad=$((bad + 1))
            if [ $bad -le 5 ]; then
                echo "FAIL wasi $name: allocation $n: $why"
                echo "  command: KITE_FAIL_ALLOC=$n kite run $*"
                sed 's/^/    /' "$tmp/err" | tail -n 30
                tail -n 5 "$tmp/out" | sed 's/^/    out: /'
            fi
        fi
    done
    points=$((points + count))
    findings=$((findings + bad))
    echo "wasi $name: $count of $total allocations failed in turn, $bad findings" \
        "($guest ended the program's own way after a WASI call failed)"
}

if [ "$what" = all ] || [ "$what" = wasi ]; then
    sweep_wasi hello setup_plain "$w/hello.wasm"
    sweep_wasi hello-wat setup_plain "$w/hello.wat"
    sweep_wasi args setup_plain --env A=1 "$w/args.wasm" a "b c" ""
    sweep_wasi exit setup_plain "$w/args.wasm" exit 42
    sweep_wasi trap setup_plain "$w/trap.wasm"
    sweep_wasi trap-divide setup_plain "$w/trap.wasm" 1
    sweep_wasi clock setup_plain "$w/clock.wasm"
    sweep_wasi stdio setup_plain "$w/stdio.wasm"
    sweep_wasi stream setup_plain "$w/stream.wasm"
    sweep_wasi reactor setup_plain --invoke next "$w/reactor.wasm"
    sweep_wasi fs setup_work --dir work::/work "$w/fs.wasm"
    sweep_wasi raw setup_work --dir work::/work "$w/raw.wasm"
    sweep_wasi ro setup_ro --dir-ro ro::/ro "$w/ro.wasm"
    sweep_wasi escape setup_sandbox --dir sandbox::/sandbox "$w/escape.wasm"
    sweep_wasi rust setup_work --dir work::/work --env KITE_RUST=1 "$w/rust_tests.wasm"
fi

# ---- the WASI test suite ------------------------------------------------------------------
#
# Its runner (tests/run-wasi-testsuite.sh) drives kite through a wrapper
# that fails allocation N of every program (N = 1, 1 + STEP, ... 400: most
# programs make a hundred or two), and judges each run as above: its output may
# differ (the runner's verdicts are ignored), but no crash, hang or leak.

wts=$here/../../shared/wasi-testsuite
if [ "$what" = all ] || [ "$what" = wasi-testsuite ]; then
    if [ -d "$wts/tests" ]; then
        cat >"$tmp/kite-wrapper" <<'W'
#!/usr/bin/env bash
KITE_FAIL_ALLOC=$OOM_N timeout 60 "$OOM_KITE" "$@" 2>"$OOM_TMP/wrapped.err"
status=$?
cat "$OOM_TMP/wrapped.err" >&2
why=""
report=$(grep '^kite: fail-alloc:' "$OOM_TMP/wrapped.err")
grep -q 'allocation [0-9]* failed' <<<"$report" && echo x >>"$OOM_TMP/wts-fired"
if [ "$status" -ge 124 ] && [ "$status" -ne 133 ]; then
    why="status $status (a crash or a hang)"
elif [ -z "$report" ]; then
    why="no fail-alloc report (status $status)"
elif ! grep -q ' 0 blocks leaked$' <<<"$report"; then
    why="leak: $report"
elif grep -q 'ERROR: \(Address\|Leak\|Undefined\)Sanitizer\|runtime error:' "$OOM_TMP/wrapped.err"; then
    why="sanitizer report"
fi
if [ -n "$why" ]; then
    { echo "FAIL wasi-testsuite: allocation $OOM_N: $why"
      echo "  command (in $PWD): KITE_FAIL_ALLOC=$OOM_N kite $*"
      tail -n 20 "$OOM_TMP/wrapped.err" | sed 's/^/    /'; } >>"$OOM_TMP/wts-findings"
fi
exit $status
W
        chmod +x "$tmp/kite-wrapper"
        : >"$tmp/wts-findings"
        : >"$tmp/wts-fired"
        wts_runs=0
        for ((n = 1; n <= 400; n += step)); do
            KITE_WASI_TEST_TIMEOUT=120 OOM_N=$n OOM_KITE=$kite OOM_TMP=$tmp "$here/run-wasi-testsuite.sh" "$tmp/kite-wrapper" \
                "$wts" >/dev/null 2>&1
            wts_runs=$((wts_runs + 1))
        done
        bad=$(grep -c '^FAIL' "$tmp/wts-findings")
        head -n 100 "$tmp/wts-findings"
        points=$((points + $(wc -l <"$tmp/wts-fired")))
        findings=$((findings + bad))
        echo "wasi-testsuite: $wts_runs runs of every program, each failing one allocation" \
            "($(wc -l <"$tmp/wts-fired") program runs reached it), $bad findings"
    else
        echo "NOTE: $wts not found: the WASI test suite is not swept"
    fi
fi

echo "oom sweep (every ${step}. allocation): $points allocations failed in turn, $findings findings"
[ $findings -eq 0 ]
