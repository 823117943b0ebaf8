#!/usr/bin/env bash
# Run every .wast file under DIR through `kite wast`, one process per file so
# that a crash or hang is reported for its file, and fail if any assertion
# failed. Options after DIR go to `kite wast` (features, --skip-list FILE).
# Each file gets KITE_WAST_TIMEOUT seconds (default 300) when `timeout` exists.
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
limit=()
if command -v timeout >/dev/null 2>&1; then
    limit=(timeout "${KITE_WAST_TIMEOUT:-300}")
fi
passed=0 failed=0 skipped=0 crashed=0
summary=""
while IFS= read -r file; do
    out=$(${limit[@]+"${limit[@]}"} "$kite" wast "$@" "$file" 2>&1)
    status=$?
    line=$(printf '%s\n' "$out" | tail -n 1)
    if [[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]]; then
        passed=$((passed + BASH_REMATCH[1]))
        failed=$((failed + BASH_REMATCH[2]))
        skipped=$((skipped + BASH_REMATCH[3]))
        [ "${BASH_REMATCH[2]}" -gt 0 ] &&
            summary+="  $(basename "$file"): ${BASH_REMATCH[2]} failed"$'\n'
        [ $status -gt 1 ] && crashed=$((crashed + 1))
    else
        crashed=$((crashed + 1))
        summary+="  $(basename "$file"): crashed or did not finish (status $status)"$'\n'
    fi
    if [ $status -ne 0 ]; then
        printf '%s\n' "$out" | grep -v ' 0 failed' | head -n 40
        echo "$file: kite exited with status $status"
    fi
done < <(find "$dir" -name '*.wast' | sort)
if [ -n "$summary" ]; then
    echo "failures by file:"
    printf '%s' "$summary"
fi
echo "files that crashed or did not finish: $crashed"
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ] && [ $crashed -eq 0 ]
