#!/usr/bin/env bash
# The WASI test suite (github:WebAssembly/wasi-testsuite: its prebuilt
# preview1 tests and its wasi-threads tests) under `kite run`, as its
# specification.md says a runner must run them, in bash alone (no Python,
# no jq).
#
# A test is NAME.wasm (or NAME.wat, which kite runs as well, when there is
# no NAME.wasm) with an optional NAME.json:
#   legacy form:     {"args": [...], "env": {...}, "root": DIR,
#                     "exit_code": N, "stdout": S, "stderr": S}
#   operation form:  {"operations": [{"type": "run", "args", "env", "root"},
#                     {"type": "write", "id": "stdin", "payload"},
#                     {"type": "read", "id": "stdout"|"stderr", "payload"},
#                     {"type": "wait", "exit_code"}, ...], "proposals": [...]}
# Each run gets exactly the JSON's environment and arguments (after the
# program's path) and `--dir ROOT::/` when it names a root. stdin is a
# pipe that stays open: "write" operations send to it; in the operation
# form "wait" closes it (as the reference runner's communicate() does), in
# the legacy form it stays open until the program ends, so that a read of
# it blocks (the legacy runner let the program inherit a terminal, and the
# wasi-threads tests assume "read from FD 0 blocks").
# A "read" must find its payload next on its stream (the reference runner
# reads that many characters); "wait" checks the exit status. Tests that
# need what preview1 under kite cannot give (proposals, sockets, HTTP,
# another world) are SKIPPED with their reason.
#
# The suite itself is never written to: each test runs in a scratch
# directory holding links to its program and JSON and a fresh copy of its
# root folder, from which *.cleanup leftovers (test artifacts) are removed
# as the specification asks.
#
# Usage: run-wasi-testsuite.sh KITE SUITE [WHAT...]
#   SUITE    the wasi-testsuite checkout (its tests/ folder is searched)
#   WHAT     preview1      every tests/*/wasm32-wasip1 (the default)
#            wasi-threads  tests/proposals/wasi-threads
#            or a test folder relative to SUITE/tests
# Exit status: 0 all ran tests passed, 1 a failure, 77 SUITE is absent.
set -u
export LC_ALL=C
kite=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
suite=$2
shift 2
if [ ! -d "$suite/tests" ]; then
    echo "################################################################"
    echo "## WASI TESTSUITE NOT FOUND at $suite"
    echo "## The wasi-testsuite preview1 tests did NOT run."
    echo "################################################################"
    exit 77
fi
suite=$(cd "$suite" && pwd)
limit=()
if command -v timeout >/dev/null 2>&1; then
    limit=(timeout "${KITE_WASI_TEST_TIMEOUT:-60}")
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ---- a small JSON reader ---------------------------------------------------------
#
# json_parse TEXT fills the associative array J: for every value at PATH
# ("@" the document, PATH/KEY an object member, PATH/N an array element)
# J[PATH] is a type letter followed by the value: s string (decoded),
# n number (as written), t true, f false, z null, o object, a array.
# Arrays and objects also get J[PATH#n], their length, and objects
# J[PATH#I], the I-th key. Returns 1 (with json_error set) when malformed.
declare -A J
json_text="" json_at=0 json_error=""

json_ws() {
    [[ ${json_text:json_at} =~ ^[[:space:]]* ]]
    json_at=$((json_at + ${#BASH_REMATCH[0]}))
}

json_fail() {
    json_error="$1 at byte $json_at"
    return 1
}

# The UTF-8 bytes of code point $1 as printf escapes.
json_utf8() {
    local c=$1
    if [ "$c" -lt 128 ]; then
        printf '\\%03o' "$c"
    elif [ "$c" -lt 2048 ]; then
        printf '\\%03o\\%03o' $((0xC0 | c >> 6)) $((0x80 | (c & 63)))
    elif [ "$c" -lt 65536 ]; then
        printf '\\%03o\\%03o\\%03o' $((0xE0 | c >> 12)) $((0x80 | (c >> 6 & 63))) $((0x80 | (c & 63)))
    else
        printf '\\%03o\\%03o\\%03o\\%03o' $((0xF0 | c >> 18)) $((0x80 | (c >> 12 & 63))) \
            $((0x80 | (c >> 6 & 63))) $((0x80 | (c & 63)))
    fi
}

# Reads a string at json_at (at its opening quote) into json_str.
json_string() {
    json_str=""
    json_at=$((json_at + 1))
    local run ch hex code low
    while true; do
        [[ ${json_text:json_at} =~ ^[^\"\\]* ]]
        run=${BASH_REMATCH[0]}
        json_str+=$run
        json_at=$((json_at + ${#run}))
        ch=${json_text:json_at:1}
        if [ "$ch" == '"' ]; then
            json_at=$((json_at + 1))
            return 0
        fi
        [ "$ch" == '\' ] || json_fail "unterminated string" || return 1
        ch=${json_text:json_at+1:1}
        json_at=$((json_at + 2))
        case $ch in
        '"' | '\' | /) json_str+=$ch ;;
        b) json_str+=$'\b' ;;
        f) json_str+=$'\f' ;;
        n) json_str+=$'\n' ;;
        r) json_str+=$'\r' ;;
        t) json_str+=$'\t' ;;
        u)
            hex=${json_text:json_at:4}
            [[ $hex =~ ^[0-9a-fA-F]{4}$ ]] || json_fail "bad \\u escape" || return 1
            json_at=$((json_at + 4))
            code=$((16#$hex))
            if [ $code -ge 55296 ] && [ $code -lt 56320 ] &&
                [[ ${json_text:json_at:6} =~ ^\\u([dD][c-fC-F][0-9a-fA-F]{2})$ ]]; then
                low=$((16#${BASH_REMATCH[1]}))
                code=$((65536 + ((code - 55296) << 10) + (low - 56320)))
                json_at=$((json_at + 6))
            fi
            [ $code -ne 0 ] || json_fail "NUL in a string is not supported" || return 1
            json_str+=$(printf "$(json_utf8 $code)")
            ;;
        *) json_fail "bad escape" || return 1 ;;
        esac
    done
}

# Reads the value at json_at into J[$1].
json_value() {
    local path=$1 n=0 rest
    json_ws
    case ${json_text:json_at:1} in
    '{')
        J[$path]=o
        json_at=$((json_at + 1))
        json_ws
        if [ "${json_text:json_at:1}" == '}' ]; then
            json_at=$((json_at + 1))
        else
            while true; do
                json_ws
                [ "${json_text:json_at:1}" == '"' ] || json_fail "expected a key" || return 1
                json_string || return 1
                local key=$json_str
                json_ws
                [ "${json_text:json_at:1}" == : ] || json_fail "expected ':'" || return 1
                json_at=$((json_at + 1))
                J[$path#$n]=$key
                n=$((n + 1))
                json_value "$path/$key" || return 1
                json_ws
                case ${json_text:json_at:1} in
                ,) json_at=$((json_at + 1)) ;;
                '}') json_at=$((json_at + 1)) && break ;;
                *) json_fail "expected ',' or '}'" || return 1 ;;
                esac
            done
        fi
        J[$path#n]=$n
        ;;
    '[')
        J[$path]=a
        json_at=$((json_at + 1))
        json_ws
        if [ "${json_text:json_at:1}" == ']' ]; then
            json_at=$((json_at + 1))
        else
            while true; do
                json_value "$path/$n" || return 1
                n=$((n + 1))
                json_ws
                case ${json_text:json_at:1} in
                ,) json_at=$((json_at + 1)) ;;
                ']') json_at=$((json_at + 1)) && break ;;
                *) json_fail "expected ',' or ']'" || return 1 ;;
                esac
            done
        fi
        J[$path#n]=$n
        ;;
    '"')
        json_string || return 1
        J[$path]=s$json_str
        ;;
    *)
        rest=${json_text:json_at}
        if [[ $rest =~ ^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)? ]]; then
            J[$path]=n${BASH_REMATCH[0]}
        elif [[ $rest =~ ^true ]]; then
            J[$path]=t
        elif [[ $rest =~ ^false ]]; then
            J[$path]=f
        elif [[ $rest =~ ^null ]]; then
            J[$path]=z
        else
            json_fail "unexpected character" || return 1
        fi
        json_at=$((json_at + ${#BASH_REMATCH[0]}))
        ;;
    esac
}

json_parse() {
    J=()
    json_text=$1 json_at=0 json_error=""
    json_value @ || return 1
    json_ws
    [ $json_at -eq ${#json_text} ] || json_fail "trailing text"
}

# The type letter of J[$1] ("" when absent), and its value.
jtype() { local v=${J[$1]-}; printf '%s' "${v:0:1}"; }
jval() { local v=${J[$1]-}; printf '%s' "${v:1}"; }

# ---- one test ----------------------------------------------------------------------

passed=0 failed=0 skipped=0
why=""

# Sets run_error= and returns 1 when the run operation at $1 cannot be done.
# Fills run_opts (kite run options) and run_args (guest arguments).
read_run() {
    local at=$1 i
    run_opts=() run_args=()
    case $(jtype "$at/args") in
    "" | z) ;;
    a)
        for ((i = 0; i < ${J[$at/args#n]}; i++)); do
            [ "$(jtype "$at/args/$i")" == s ] || { run_error="argument $i is not a string"; return 1; }
            run_args+=("$(jval "$at/args/$i")")
        done
        ;;
    *) run_error="args is not an array"; return 1 ;;
    esac
    case $(jtype "$at/env") in
    "" | z) ;;
    o)
        local key
        for ((i = 0; i < ${J[$at/env#n]}; i++)); do
            key=${J[$at/env#$i]}
            [ "$(jtype "$at/env/$key")" == s ] || { run_error="env $key is not a string"; return 1; }
            run_opts+=(--env "$key=$(jval "$at/env/$key")")
        done
        ;;
    *) run_error="env is not an object"; return 1 ;;
    esac
    case $(jtype "$at/root") in
    "" | z) ;;
    s)
        # A fresh copy of the root in the scratch directory (tests create
        # and delete files), without leftover *.cleanup artifacts.
        local root
        root=$(jval "$at/root")
        case $root in
        /* | *..*) run_error="root '$root' is not a folder of the test's own"; return 1 ;;
        esac
        if [ ! -e "$dir/$root" ]; then
            mkdir -p "$dir/$(dirname "$root")"
            cp -R "$src_dir/$root" "$dir/$root" && chmod -R u+w "$dir/$root" ||
                { run_error="cannot copy root '$root'"; return 1; }
        fi
        find "$dir/$root" -name '*.cleanup' -prune -exec rm -rf {} +
        run_opts+=(--dir "$root::/")
        ;;
    *) run_error="root is not a string"; return 1 ;;
    esac
    return 0
}

# Builds the list of operations of the test's JSON in J into ops, one
# "TYPE PATH" per entry: PATH is where the operation's fields are in J (an
# element of "operations"; @ the top level of the legacy form, whose
# fields args/env/root/exit_code sit there; @/stdout or @/stderr a legacy
# expected output; a path that does not exist for all defaults). Sets why=
# and returns 2 for a test to skip.
plan() {
    ops=() legacy=0
    local i n type key
    if [ -n "$(jtype @/operations)" ] || [ -n "$(jtype @/proposals)" ] ||
        [ -n "$(jtype @/servers)" ] || [ -n "$(jtype @/world)" ]; then
        if [ "$(jtype @/proposals)" == a ] && [ "${J[@/proposals#n]}" -gt 0 ]; then
            why="needs WASI proposals:"
            for ((i = 0; i < ${J[@/proposals#n]}; i++)); do
                why+=" $(jval @/proposals/$i)"
            done
            return 2
        fi
        if [ -n "$(jtype @/world)" ] && [ "$(jval @/world)" != wasi:cli/command ]; then
            why="needs the world $(jval @/world)"
            return 2
        fi
        if [ "$(jtype @/servers)" == a ] && [ "${J[@/servers#n]}" -gt 0 ]; then
            why="needs HTTP servers"
            return 2
        fi
        if [ "$(jtype @/operations)" != a ]; then
            ops=("run @/default" "wait @/default")
            return 0
        fi
        n=${J[@/operations#n]}
        for ((i = 0; i < n; i++)); do
            type=$(jval "@/operations/$i/type")
            case $type in
            run | wait | read | write) ops+=("$type @/operations/$i") ;;
            *)
                why="operation '$type' (sockets, HTTP or signals) is not supported by this runner"
                return 2
                ;;
            esac
        done
        return 0
    fi
    for ((i = 0; i < ${J[@#n]:-0}; i++)); do
        key=${J[@#$i]}
        case $key in
        args | env | root | exit_code | stdout | stderr) ;;
        *) echo "  note: unknown field '$key' in the JSON of $wasm" ;;
        esac
    done
    legacy=1
    ops=("run @")
    [ "$(jtype @/stdout)" == s ] && ops+=("read @/stdout")
    [ "$(jtype @/stderr)" == s ] && ops+=("read @/stderr")
    ops+=("wait @")
    return 0
}

# Runs one run..wait group of operations (ops[$1] is the run) in $dir, as
# the reference runner does: the program starts with stdin on a pipe that
# stays open, "write" operations send to it, a "read" waits until its
# stream holds as many more bytes as its payload (or the program is gone)
# and compares them, "wait" closes stdin (operation form only, see the
# top) and waits for the exit status.
# stdout and stderr go to files (the guest sees any standard stream as a
# pipe). Sets group_end to the index after the wait.
run_group() {
    local first=$1 i type at status="" rc
    group_end=${#ops[@]}
    for ((i = first + 1; i < ${#ops[@]}; i++)); do
        read -r type at <<<"${ops[$i]}"
        case $type in
        run) why+=" run before the previous wait;"; return ;;
        wait) group_end=$((i + 1)); break ;;
        esac
    done
    read -r type at <<<"${ops[$first]}"
    read_run "$at" || { why+=" $run_error;"; return; }
    rm -f "$tmp/out" "$tmp/err" "$tmp/in"
    : >"$tmp/out"
    : >"$tmp/err"
    mkfifo "$tmp/in"
    # The subshell opens the pipe's reading end, this shell its writing end.
    (cd "$dir" && exec ${limit[@]+"${limit[@]}"} "$kite" run ${run_opts[@]+"${run_opts[@]}"} \
        "$wasm" ${run_args[@]+"${run_args[@]}"} >"$tmp/out" 2>"$tmp/err") <"$tmp/in" &
    local pid=$! in
    exec {in}>"$tmp/in"
    last_cmd=$(printf ' %q' kite run ${run_opts[@]+"${run_opts[@]}"} "$wasm" ${run_args[@]+"${run_args[@]}"})
    local out_at=0 err_at=0 want got id file n waited
    for ((i = first + 1; i < group_end; i++)); do
        read -r type at <<<"${ops[$i]}"
        case $type in
        write)
            id=stdin
            [ -n "$(jtype "$at/id")" ] && id=$(jval "$at/id")
            if [ "$id" != stdin ]; then
                why+=" write to '$id' is not supported;"
                continue
            fi
            # In a subshell: if the program is gone, SIGPIPE ends only that.
            (jval "$at/payload" >&$in) 2>/dev/null
            ;;
        read)
            id=stdout
            [ "$at" == @/stdout ] || [ "$at" == @/stderr ] && id=${at#@/}
            [ -n "$(jtype "$at/id")" ] && id=$(jval "$at/id")
            if [ "$at" == @/stdout ] || [ "$at" == @/stderr ]; then
                want=$(jval "$at"; printf x)
            else
                want=$(jval "$at/payload"; printf x)
            fi
            want=${want%x}
            case $id in
            stdout) file=$tmp/out n=$out_at ;;
            stderr) file=$tmp/err n=$err_at ;;
            *) why+=" read from '$id' is not supported;"; continue ;;
            esac
            # Until enough has come, or the program ended.
            waited=0
            while [ "$(wc -c <"$file")" -lt $((n + ${#want})) ] && kill -0 $pid 2>/dev/null &&
                [ $waited -lt $((${limit[1]:-60} * 50)) ]; do
                sleep 0.02
                waited=$((waited + 1))
            done
            got=$(tail -c +$((n + 1)) "$file" | head -c ${#want}; printf x)
            got=${got%x}
            [ "$id" == stdout ] && out_at=$((n + ${#want})) || err_at=$((n + ${#want}))
            [ "$got" == "$want" ] || why+=" $id: expected $(printf %q "$want"), got $(printf %q "$got");"
            ;;
        wait)
            [ $legacy -eq 1 ] || exec {in}>&-
            wait $pid
            status=$?
            rc=0
            [ "$(jtype "$at/exit_code")" == n ] && rc=$(jval "$at/exit_code")
            if [ ${#limit[@]} -gt 0 ] && [ $status -eq 124 ]; then
                why+=" timed out after ${limit[1]} s;"
            elif [ "$status" -ne "$rc" ]; then
                why+=" exit status $status, expected $rc;"
            fi
            ;;
        esac
    done
    if [ -z "$status" ]; then
        exec {in}>&-
        wait $pid
    else
        [ $legacy -eq 0 ] || exec {in}>&-
    fi
    last_out=$(cat "$tmp/out")
    last_err=$(cat "$tmp/err")
}

# run_test FOLDER-COPY WASM: runs one test; counts and reports it.
run_test() {
    dir=$1 wasm=$2
    local name=${wasm%.*} json="" i type at
    why="" last_cmd="" last_out="" last_err=""
    [ -f "$dir/$name.json" ] && json=$(cat "$dir/$name.json")
    if [ -n "$json" ]; then
        if ! json_parse "$json"; then
            failed=$((failed + 1))
            echo "FAIL $label/$wasm: malformed $name.json: $json_error"
            return
        fi
    else
        json_parse '{}'
    fi
    plan
    case $? in
    2)
        skipped=$((skipped + 1))
        echo "SKIP $label/$wasm: $why"
        return
        ;;
    esac
    i=0
    while [ $i -lt ${#ops[@]} ]; do
        read -r type at <<<"${ops[$i]}"
        if [ "$type" != run ]; then
            why+=" operation $type outside run..wait;"
            break
        fi
        run_group $i
        i=$group_end
    done
    if [ -n "$why" ]; then
        failed=$((failed + 1))
        echo "FAIL $label/$wasm:$why"
        echo "  command: (cd $label &&$last_cmd)"
        printf '%s\n' "$last_out" | head -n 10 | sed 's/^/  stdout: /'
        printf '%s\n' "$last_err" | head -n 10 | sed 's/^/  stderr: /'
    else
        passed=$((passed + 1))
    fi
}

# run_folder FOLDER: every test in SUITE/tests/FOLDER, each in a fresh
# scratch directory (a test that leaves files behind cannot upset the next).
run_folder() {
    label=$1
    local src=$suite/tests/$1 copy=$tmp/suite/$1 f wasm
    if [ ! -d "$src" ]; then
        failed=$((failed + 1))
        echo "FAIL $label: no such folder in $suite/tests"
        return
    fi
    local tests=()
    for f in "$src"/*.wasm "$src"/*.wat; do
        [ -f "$f" ] || continue
        wasm=$(basename "$f")
        [[ $wasm == *.wat ]] && [ -f "$src/${wasm%.wat}.wasm" ] && continue
        tests+=("$wasm")
    done
    if [ ${#tests[@]} -eq 0 ]; then
        failed=$((failed + 1))
        echo "FAIL $label: no tests in $src"
        return
    fi
    src_dir=$src
    for wasm in "${tests[@]}"; do
        rm -rf "$copy"
        mkdir -p "$copy"
        ln -s "$src/$wasm" "$copy/$wasm"
        [ -f "$src/${wasm%.*}.json" ] && ln -s "$src/${wasm%.*}.json" "$copy/${wasm%.*}.json"
        run_test "$copy" "$wasm"
    done
}

folders=()
[ $# -gt 0 ] || set -- preview1
for what in "$@"; do
    case $what in
    preview1)
        n=${#folders[@]}
        for d in "$suite"/tests/*/wasm32-wasip1; do
            [ -d "$d" ] && folders+=("${d#"$suite/tests/"}")
        done
        if [ ${#folders[@]} -eq $n ]; then
            echo "no preview1 test folders (tests/*/wasm32-wasip1) in $suite"
            exit 1
        fi
        ;;
    wasi-threads) folders+=(proposals/wasi-threads) ;;
    *) folders+=("$what") ;;
    esac
done
for folder in "${folders[@]}"; do
    before=$((passed + failed + skipped))
    run_folder "$folder"
    echo "$folder: $((passed + failed + skipped - before)) tests"
done
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
