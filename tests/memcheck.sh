#!/usr/bin/env bash
# The test suite under valgrind memcheck: every run must report no invalid
# access, no use of an uninitialised value, no bad free and no definitely
# lost block (--errors-for-leak-kinds=definite; kite run may end the process
# with blocks still reachable, which is not a finding). Needs a build
# without sanitizers and with the kite command linked dynamically, so that
# valgrind can replace malloc (`make memcheck` makes one in build-memcheck/).
# kite runs in the interpreter tier (--tier interp), and for the parts
# named -jit in the compiler tier (--tier jit: the code generator, the
# helpers compiled code calls and the code it makes run under valgrind);
# the unit tests run as they are (some compile code).
#
# Linear memories check bounds here: with the guarded layout every
# out-of-bounds access a test makes on purpose would be reported, since
# valgrind sees the access to the guard region before the fault that turns
# it into a trap. kite runs with --memory-reservation 1g: valgrind gives a
# program 128 GiB of address space, and a script keeps all its memories (a
# memory may grow to 1 GiB here; none of the tests needs more). The unit
# tests, which make engines of their
# own, run with an 8 GiB address-space limit (ulimit -v), which a guarded
# memory (8 GiB + 64 KiB) does not fit in, and KITE_TESTS_UNDER_VALGRIND=1
# in their environment (test_runtime_memory then skips its tests that fault
# on purpose or limit the address space). memcheck-skip.txt lists the spec
# assertions valgrind's CPU emulation gets wrong.
#
#   tests/memcheck.sh BUILD-DIR [PART...]
#
# PARTs (default: all of them):
#   unit         every unit test program of BUILD-DIR but the compiler's
#   wast         kite's own scripts (tests/wast)
#   spec         the whole spec testsuite (../shared/testsuite), with the
#                features and skip list of ctest's spec/* tests
#   spec-gc      the spec scripts of GC objects, exceptions and references
#                (the ones that reach src/interp/translate_gc.c and the
#                collector), kite's GC and exception scripts
#   wasi         the WASI programs (tests/wasi/run-tests.sh)
#   wast-jit, spec-jit, spec-gc-jit
#                the same scripts under --tier jit
#   ci           what CI runs (.ci/run; docs/NOTES.md says why): the unit
#                tests but the slow ones below, wast, spec-gc, wasi, and
#                wast-jit and spec-gc-jit
# JOBS (default 2) runs that many valgrind processes at once; each finding
# leaves valgrind's report in the output and the command that reproduces it.
set -u
build=$(cd "$1" && pwd)
shift
parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(unit wast spec wasi)
here=$(cd "$(dirname "$0")" && pwd)
spec=$here/../../shared/testsuite
jobs=${JOBS:-2}
kite=$build/kite
command -v valgrind >/dev/null 2>&1 || { echo "valgrind is not installed: skipped"; exit 77; }
if ! ldd "$kite" >/dev/null 2>&1; then
    echo "$kite is linked statically: valgrind cannot check its heap (build with -DKITE_STATIC_CLI=OFF)"
    exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# valgrind's options; VALGRIND_EXTRA adds some (e.g. --track-origins=yes
# when reproducing a finding).
vg=(valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite
    --errors-for-leak-kinds=definite
    --log-file=%q{MC_LOGDIR}/vg.%p.log ${VALGRIND_EXTRA:-})
export VALGRIND_CMD="${vg[*]}"

# A kite that runs under valgrind, for the test runners that take a kite.
cat >"$tmp/kite" <<EOF
#!/usr/bin/env bash
exec $VALGRIND_CMD "$kite" "\$1" --tier interp --memory-reservation 1g "\${@:2}"
EOF
chmod +x "$tmp/kite"

# Tasks, one line each: a label, a tab, a command. Each runs in its own
# shell; it is a finding when it fails or leaves a valgrind report.
: >"$tmp/tasks"
task() { printf '%s\t%s\n' "$1" "$2" >>"$tmp/tasks"; }
q() { printf '%q ' "$@"; }

# The numeric tests compare results with the spec's, and valgrind rounds
# f32.convert_i64 twice (memcheck-skip.txt): their status is not judged,
# only valgrind's reports.
unjudged=" test_interp_numeric test_interp_numeric_portable "
# What CI leaves out: each takes minutes under valgrind and checks values
# or races more than memory use (the numeric tests sweep operands, the
# literal and WASI fuzz tests random inputs, test_wasi_api's sandbox race
# makes 80,000 guest calls against a thread that valgrind serialises).
slow=" test_interp_numeric test_interp_numeric_portable test_text_literals test_wasi_fuzz test_wasi_api "
add_unit() { # [quick]
    local t name
    for t in "$build"/tests/test_*; do
        [ -x "$t" ] || continue
        name=$(basename "$t")
        [ "${1:-}" = quick ] && [[ $slow == *" $name "* ]] && continue
        # Two of the compiler tier's tests fault on guard pages on purpose
        # (the traps of compiled code), which valgrind reports as invalid
        # accesses; the compiled code of the others runs here.
        [[ $name == test_jit_tiers || $name == test_jit_entry ]] && continue
        local run="ulimit -v $((8 << 20)) && KITE_TESTS_UNDER_VALGRIND=1 $VALGRIND_CMD $(q "$t")"
        [[ $unjudged == *" $name "* ]] && run="{ $run; true; }"
        task "unit/$name" "cd $(q "$build/tests") && $run"
    done
}
# add_wast FILE [OPTIONS...]: in tier $wast_tier
wast_tier=interp
add_wast() {
    local f=$1
    shift
    task "wast-$wast_tier/${f#"$here/../../shared/"}" \
        "$VALGRIND_CMD $(q "$kite" wast --tier "$wast_tier" --memory-reservation 1g --skip-list "$here/memcheck-skip.txt" "$@" "$f")"
}
add_spec_dir() { # DIR OPTIONS...
    local dir=$1 f
    shift
    [ -d "$dir" ] || return 0
    while IFS= read -r f; do
        add_wast "$f" --skip-list "$here/spec-skip.txt" "$@"
    done < <(find "$dir" -name '*.wast' | sort)
}
add_spec() {
    if [ ! -d "$spec/core" ]; then
        echo "NOTE: $spec not found: the spec testsuite is not checked"
        return
    fi
    add_spec_dir "$spec/core"
    add_spec_dir "$spec/legacy-exceptions"
    add_spec_dir "$spec/proposals/threads" --disable-multi-memory --disable-memory64 --disable-reference-types
    add_spec_dir "$spec/proposals/wide-arithmetic"
    add_spec_dir "$spec/proposals/custom-page-sizes" --enable-custom-page-sizes
}
add_spec_gc() {
    local f
    if [ -d "$spec/core" ]; then
        # The same list as ctest's gc-stress (tests/CMakeLists.txt).
        for f in struct array array_copy array_fill array_init_data array_init_elem array_new_data \
            array_new_elem i31 ref_cast ref_test br_on_cast br_on_cast_fail ref_eq extern type-subtyping \
            type-canon type-rec type-equivalence table_init table_init64 binary-gc \
            tag throw throw_ref try_table ref_null ref_is_null ref_func ref_as_non_null br_on_null \
            br_on_non_null call_ref return_call_ref table_get table_set table_grow table_fill; do
            [ -f "$spec/core/$f.wast" ] && add_wast "$spec/core/$f.wast" --skip-list "$here/spec-skip.txt"
        done
        add_spec_dir "$spec/legacy-exceptions"
    fi
}
add_own_wast() {
    local f
    for f in "$here"/wast/*.wast; do add_wast "$f"; done
}

# The WASI programs, but two checks valgrind changes: args-inherit-env runs
# kite with an empty environment, to which valgrind adds LD_PRELOAD (and
# which lacks MC_LOGDIR); timeout-blocked expects the program to reach its
# blocking read within 100 ms.
add_wasi() {
    task wasi "KITE_WASI_SKIP='args-inherit-env timeout-blocked' $(q "$here/wasi/run-tests.sh" "$tmp/kite")"
}

for part in "${parts[@]}"; do
    wast_tier=interp
    [[ $part == *-jit ]] && wast_tier=jit
    case $part in
    unit) add_unit ;;
    wast | wast-jit) add_own_wast ;;
    spec | spec-jit) add_spec ;;
    spec-gc | spec-gc-jit) add_spec_gc ;;
    wasi) add_wasi ;;
    ci)
        add_unit quick; add_own_wast; add_spec_gc; add_wasi
        wast_tier=jit
        add_own_wast; add_spec_gc ;;
    *) echo "unknown part $part (unit wast spec spec-gc wasi wast-jit spec-jit spec-gc-jit ci)"; exit 2 ;;
    esac
done

# run_task LINE: runs it, prints "ok LABEL" or "FAIL LABEL ..." with the
# valgrind reports its processes left.
run_task() {
    local label=${1%%$'\t'*} cmd=${1#*$'\t'} dir out status start=$SECONDS
    dir=$(mktemp -d "$MC_TMP/task.XXXXXX")
    out=$(cd "$dir" && MC_LOGDIR=$dir bash -c "$cmd" 2>&1)
    status=$?
    local reports=""
    # Errors are the ==PID== lines; --PID-- lines are valgrind's own
    # warnings (e.g. about openat2, which kite tries before openat).
    for log in "$dir"/vg.*.log; do
        grep -q '^==[0-9]*==' "$log" 2>/dev/null && reports+=$(cat "$log")$'\n'
    done
    if [ $status -ne 0 ] || [ -n "$reports" ]; then
        echo "FAIL $label (status $status, $((SECONDS - start)) s)"
        echo "  command: MC_LOGDIR=. $cmd"
        printf '%s\n' "$out" | tail -n 20 | sed 's/^/    /'
        printf '%s' "$reports" | head -n 200 | sed 's/^/    /'
    else
        echo "ok $label ($((SECONDS - start)) s)"
    fi
    rm -rf "$dir"
}
export -f run_task
export MC_TMP=$tmp

# First, the check itself: valgrind's options must catch a use of an
# uninitialised value and a lost block, or every run would pass.
if command -v "${CC:-cc}" >/dev/null 2>&1; then
    printf '%s\n' '#include <stdlib.h>' \
        'int main(void) { int *p = malloc(64); int r = p[3] > 0; free(p); return r; }' >"$tmp/uninit.c"
    printf '%s\n' '#include <stdlib.h>' \
        'int main(void) { void *volatile p = malloc(64); p = 0; return p != 0; }' >"$tmp/leak.c"
    for bad in uninit leak; do
        if "${CC:-cc}" -g -O0 -o "$tmp/$bad" "$tmp/$bad.c" &&
            run_task "self-check"$'\t'"$VALGRIND_CMD $(q "$tmp/$bad")" | grep -q '^ok '; then
            echo "memcheck: valgrind did not report the $bad program (tests/memcheck.sh is broken)"
            exit 1
        fi
    done
fi

count=$(wc -l <"$tmp/tasks")
echo "memcheck: $count runs, $jobs at a time"
start=$(date +%s)
tr '\n' '\0' <"$tmp/tasks" | xargs -0 -P "$jobs" -I{} bash -c 'run_task "$1"' _ {} |
    tee "$tmp/results"
failed=$(grep -c '^FAIL ' "$tmp/results")
[ "$failed" -eq 0 ] || { echo "runs with findings:"; grep '^FAIL ' "$tmp/results"; }
echo "memcheck: $count runs, $failed with findings, $(($(date +%s) - start)) s"
[ "$failed" -eq 0 ]
