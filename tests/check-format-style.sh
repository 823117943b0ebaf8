#!/usr/bin/env bash
# .clang-format describes the style the code is written in: formatting the
# C sources with it may move a few hand-laid lines (aligned tables, one case
# a line), but not more than LIMIT percent of them. Fails when the file is
# missing or has drifted from the code (or the code from it).
# Usage: check-format-style.sh SOURCE_DIR [LIMIT]; exit 77 without clang-format.
set -u
src=$1 limit=${2:-8}
cf=$(command -v clang-format || command -v clang-format-14 || true)
if [ -z "$cf" ]; then
    echo "clang-format not installed: the style check did NOT run"
    exit 77
fi
cd "$src" || exit 1
if [ ! -f .clang-format ]; then
    echo "FAIL: no .clang-format in $src"
    exit 1
fi
total=0 moved=0
for f in $(git ls-files 'src/*.c' 'src/*.h' 'cli/*.c' 'cli/*.h' 'include/*.h' 2>/dev/null ||
           find src cli include -name '*.[ch]'); do
    n=$(wc -l <"$f")
    m=$("$cf" --style=file "$f" | diff "$f" - | grep -c '^<')
    total=$((total + n)) moved=$((moved + m))
done
echo "$moved of $total lines would move under .clang-format (limit $limit%)"
[ $total -gt 0 ] && [ $((moved * 100)) -le $((total * limit)) ]
