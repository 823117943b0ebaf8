#!/usr/bin/env bash
# Golden test of `kite explore`: the listing of each tests/explore/X.wat
# (fusions, simd) must contain a line matching each pattern of X.expect (so
# it does not break on unrelated changes to other instructions), and the
# command's function selection and errors behave.
# Usage: explore-tests.sh KITE
set -u
kite=$1
here=$(cd "$(dirname "$0")" && pwd)
failures=0

for expect in "$here"/explore/*.expect; do
    wat=${expect%.expect}.wat
    out=$("$kite" explore "$wat")
    status=$?
    if [ $status -ne 0 ]; then
        echo "FAIL: kite explore $(basename "$wat") exited with $status"
        failures=$((failures + 1))
    fi
    while IFS= read -r pattern; do
        case $pattern in '#'* | '') continue ;; esac
        if ! grep -Eq -- "$pattern" <<<"$out"; then
            echo "FAIL: $(basename "$wat"): no line matches: $pattern"
            failures=$((failures + 1))
        fi
    done <"$expect"
    if grep -q "no instruction starts here\|past the end" <<<"$out"; then
        echo "FAIL: the listing of $(basename "$wat") does not follow the layout"
        failures=$((failures + 1))
    fi
done

# check NAME STATUS STDOUT-REGEX ARGS...
check() {
    local name=$1 want_status=$2 want_out=$3
    shift 3
    local got status
    got=$("$kite" "$@" 2>&1)
    status=$?
    if [ $status -ne "$want_status" ] || ! grep -Eq -- "$want_out" <<<"$got"; then
        echo "FAIL $name: status $status (expected $want_status), output:"
        printf '%s\n' "$got" | head -n 5
        failures=$((failures + 1))
    fi
}
wat=$here/explore/fusions.wat
check "by export name" 0 '^func 3 \$fib \(export "fib"\)' explore "$wat" --func fib
check "by \$name" 0 '^func 0 \$sum' explore "$wat" --func '$sum'
check "by index" 0 '^func 1 \(export "axpy"\)' explore "$wat" --func 1
check "one function only" 1 'has no function' explore "$wat" --func nope
check "out of range" 1 'out of range' explore "$wat" --func 99
check "no file" 2 'usage: kite explore' explore
[ "$("$kite" explore "$wat" --func fib | grep -c '^func')" = 1 ] || {
    echo "FAIL: --func lists more than one function"
    failures=$((failures + 1))
}

if [ $failures -ne 0 ]; then
    echo "$failures failures"
    exit 1
fi
echo "ok"
