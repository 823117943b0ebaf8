#!/usr/bin/env bash
# wasi-testsuite's tests of one folder under `kite run`, as its
# specification.md says: every test case (NAME.wasm, or NAME.wat where the
# folder holds the text form) runs with the arguments, environment and
# preopened root of NAME.json (the legacy form: args, env, root, exit_code,
# stdout, stderr; defaults when absent) and must exit with exit_code and
# print exactly stdout/stderr when given. Leftover *.cleanup artifacts are
# removed first. stdin is a pipe that stays open (a read of it blocks), as
# the wasi-threads tests assume.
# Usage: run-wasi-testsuite.sh KITE DIR
set -u
kite=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
dir=$2
if [ ! -d "$dir" ]; then
    echo "################################################################"
    echo "## WASI TESTSUITE NOT FOUND at $dir"
    echo "## These tests did NOT run."
    echo "################################################################"
    exit 77
fi
find "$dir" -name '*.cleanup' -exec rm -rf {} + 2>/dev/null
passed=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A FIFO opened for reading and writing: reads block, never end.
mkfifo "$tmp/stdin"
exec 3<>"$tmp/stdin"

# A string field of a flat JSON object ("" when absent), unescaping \n \" \\.
json_string() {
    local v
    v=$(sed -n "s/.*\"$2\"[[:space:]]*:[[:space:]]*\"\(\([^\"\\\\]\|\\\\.\)*\)\".*/\1/p" "$1" | head -n 1)
    printf '%b' "${v//\\\"/\"}"
}
json_number() {
    sed -n "s/.*\"$2\"[[:space:]]*:[[:space:]]*\(-\?[0-9][0-9]*\).*/\1/p" "$1" | head -n 1
}
# The strings of a one-line JSON array field, one per line.
json_array() {
    sed -n "s/.*\"$2\"[[:space:]]*:[[:space:]]*\[\([^]]*\)\].*/\1/p" "$1" | head -n 1 |
        grep -o '"\([^"\\]\|\\.\)*"' | sed 's/^"//; s/"$//'
}

for test in $(find "$dir" -maxdepth 1 \( -name '*.wasm' -o -name '*.wat' \) | sort); do
    base=${test%.*}
    [ "${test##*.}" = wat ] && [ -f "$base.wasm" ] && continue
    spec=$base.json
    want_status=0 want_out="" want_err="" has_out=0 has_err=0
    args=() opts=()
    if [ -f "$spec" ]; then
        n=$(json_number "$spec" exit_code)
        [ -n "$n" ] && want_status=$n
        grep -q '"stdout"' "$spec" && has_out=1 && want_out=$(json_string "$spec" stdout)
        grep -q '"stderr"' "$spec" && has_err=1 && want_err=$(json_string "$spec" stderr)
        while IFS= read -r a; do [ -n "$a" ] && args+=("$a"); done < <(json_array "$spec" args)
        root=$(json_string "$spec" root)
        [ -n "$root" ] && opts+=(--dir "$(dirname "$test")/$root::/")
        while IFS= read -r kv; do
            [ -n "$kv" ] && opts+=(--env "$kv")
        done < <(sed -n 's/.*"env"[[:space:]]*:[[:space:]]*{\([^}]*\)}.*/\1/p' "$spec" |
                 grep -o '"[^"]*"[[:space:]]*:[[:space:]]*"[^"]*"' | sed 's/"\([^"]*\)"[[:space:]]*:[[:space:]]*"\([^"]*\)"/\1=\2/')
    fi
    out=$(cd "$(dirname "$test")" && timeout 60 "$kite" run ${opts[@]+"${opts[@]}"} "$(basename "$test")" \
          ${args[@]+"${args[@]}"} 2>"$tmp/stderr" <&3)
    status=$?
    err=$(cat "$tmp/stderr")
    why=""
    [ "$status" -eq "$want_status" ] || why+=" exit status $status, expected $want_status;"
    [ $has_out -eq 0 ] || [ "$out" == "$want_out" ] || why+=" stdout differs;"
    [ $has_err -eq 0 ] || [ "$err" == "$want_err" ] || why+=" stderr differs;"
    if [ -z "$why" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL $(basename "$test"):$why"
        printf '%s\n' "$err" | head -n 5 | sed 's/^/    /'
    fi
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
