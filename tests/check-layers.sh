#!/usr/bin/env bash
# Checks that every #include "..." in src/ and cli/ points down the layer
# order of src/layers.txt: to the including file's own folder, or to a folder
# on a lower line. An include of a higher folder or of a peer (another folder
# on the same line), and a file in a folder the order does not list, are
# reported as FILE:LINE: message, and the exit status is 1.
#
# Usage: check-layers.sh [ROOT]   (ROOT: a source tree, by default this one)
# Needs only bash, find, grep and awk.
set -euo pipefail
root=${1:-"$(cd "$(dirname "$0")/.." && pwd)"}
cd "$root"
order=src/layers.txt
if [ ! -f "$order" ]; then
    echo "check-layers: $root/$order not found" >&2
    exit 2
fi

sources=$(find src cli -type f \( -name '*.c' -o -name '*.h' -o -name '*.def' \) 2>/dev/null | LC_ALL=C sort)
known=$(find include src cli -type f 2>/dev/null || true)

# Input: the order, then the list of files, then FILE:LINE:TEXT of each include.
{
    sed 's/#.*//' "$order" | awk 'NF { print "L", $0 }'
    printf '%s\n' "$sources" | awk 'NF { print "S", $0 }'
    printf '%s\n' "$known" | awk 'NF { print "F", $0 }'
    if [ -n "$sources" ]; then
        # shellcheck disable=SC2086
        grep -Hn -E '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' $sources | sed 's/^/I /' || true
    fi
} | awk '
function layer_of(path,    rest, best, name) {
    # path is relative to the root: cli/..., or src/<folder>/...
    if (path ~ /^cli\//) return "cli"
    if (path !~ /^src\//) return ""
    rest = substr(path, 5)
    best = ""
    for (name in level)
        if (index(rest, name "/") == 1 && length(name) > length(best))
            best = name
    return best
}
function dir_of(path) { sub(/\/[^\/]*$/, "", path); return path }
function report(file, line, msg) { printf "%s:%s: %s\n", file, line, msg; bad++ }
$1 == "L" { n++; for (i = 2; i <= NF; i++) { level[$i] = n; names[$i] = 1 }; next }
$1 == "F" { exists[$2] = 1; next }
$1 == "S" {
    if (layer_of($2) == "")
        report($2, 1, "the folder of this file is not in src/layers.txt")
    next
}
$1 == "I" {
    line = substr($0, 3)
    split(line, parts, ":")
    file = parts[1]; lineno = parts[2]
    target = line
    sub(/^[^"]*"/, "", target); sub(/".*$/, "", target)
    from = layer_of(file)
    if (from == "") next  # reported above
    local = dir_of(file) "/" target
    if (target !~ /\// || (local in exists)) {
        # Beside the including file (or, if not there, a public header).
        if (local in exists) to = layer_of(local)
        else if (("include/" target) in exists) next
        else { report(file, lineno, "include \"" target "\": no such file beside it or in include/"); next }
    } else if (("include/" target) in exists) {
        next
    } else {
        to = layer_of("src/" target)
        if (to == "") { report(file, lineno, "include \"" target "\": its folder is not in src/layers.txt"); next }
    }
    if (to == from || level[to] < level[from]) next
    if (level[to] == level[from])
        report(file, lineno, "include \"" target "\": " from " and " to " are peers and must not include each other")
    else
        report(file, lineno, "include \"" target "\" points up: " from " is below " to " in src/layers.txt")
    next
}
END {
    if (bad) { printf "check-layers: %d problem%s with the layer order of src/layers.txt\n", bad, bad == 1 ? "" : "s"; exit 1 }
}
'
