#!/usr/bin/env bash
# Run every .wast file under DIR through `kite wast`, one process per file so
# that a crash is reported for its file, and fail if any assertion failed.
# Usage: run-wast.sh KITE DIR [kite-wast-options...]
set -u
kite=$1 dir=$2
shift 2
if [ ! -d "$dir" ]; then
    echo "################################################################"
    echo "## SPEC TESTSUITE NOT FOUND at $dir"
    echo "## The conformance tests did NOT run."
    echo "################################################################"
    exit 77
fi
passed=0 failed=0 skipped=0 crashed=0
while IFS= read -r file; do
    out=$("$kite" wast "$@" "$file" 2>&1)
    status=$?
    line=$(printf '%s\n' "$out" | tail -n 1)
    if [[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]]; then
        passed=$((passed + BASH_REMATCH[1]))
        failed=$((failed + BASH_REMATCH[2]))
        skipped=$((skipped + BASH_REMATCH[3]))
        [ $status -gt 1 ] && crashed=$((crashed + 1))
    else
        crashed=$((crashed + 1))
    fi
    if [ $status -ne 0 ]; then
        printf '%s\n' "$out" | grep -v ' 0 failed' | head -n 40
        echo "$file: kite exited with status $status"
    fi
done < <(find "$dir" -name '*.wast' | sort)
echo "files that crashed or did not finish: $crashed"
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ] && [ $crashed -eq 0 ]
