#!/usr/bin/env bash
# Tests of tests/check-layers.sh on small trees made here: it must pass a
# tree whose includes point down, and fail (naming the file and line) on an
# include that points up, one between peers, one of an unlisted folder, and a
# file in an unlisted folder.
set -u
check="$(cd "$(dirname "$0")" && pwd)/check-layers.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# A tree with layers low -> mid, peer1 peer2 -> top, and cli.
make_tree() {
    rm -rf "$tmp/t"
    mkdir -p "$tmp/t/include" "$tmp/t/src/low/sub" "$tmp/t/src/mid" "$tmp/t/src/peer1" \
        "$tmp/t/src/peer2" "$tmp/t/src/top" "$tmp/t/cli"
    printf '# order\nlow/sub\nlow\nmid\npeer1 peer2\ntop\ncli\n' >"$tmp/t/src/layers.txt"
    echo '/* public */' >"$tmp/t/include/pub.h"
    echo '#include "pub.h"' >"$tmp/t/src/low/sub/s.h"
    printf '#include "low/sub/s.h"\n#include "pub.h"\n' >"$tmp/t/src/low/l.h"
    printf '#include "low/l.h"\n#include "mid/m.h"\n' >"$tmp/t/src/mid/m.c"
    echo '#include "low/l.h"' >"$tmp/t/src/mid/m.h"
    echo '#include "mid/m.h"' >"$tmp/t/src/peer1/p1.h"
    echo '#include "mid/m.h"' >"$tmp/t/src/peer2/p2.h"
    printf '#include "peer1/p1.h"\n#  include "peer2/p2.h"\n' >"$tmp/t/src/top/t.c"
    printf '#include "c.h"\n#include "top/t.h"\n#include "pub.h"\n' >"$tmp/t/cli/c.c"
    echo '#include "pub.h"' >"$tmp/t/cli/c.h"
    echo '/* top */' >"$tmp/t/src/top/t.h"
}

# expect STATUS PATTERN DESCRIPTION: run the check on the tree.
expect() {
    local want=$1 pattern=$2 what=$3 out status
    out=$("$check" "$tmp/t" 2>&1)
    status=$?
    if [ "$status" -ne "$want" ] || ! grep -q -- "$pattern" <<<"$out"; then
        echo "FAIL: $what: exit $status (want $want), output:"
        echo "$out"
        failures=$((failures + 1))
    else
        echo "ok: $what"
    fi
}

make_tree
expect 0 '' "includes that point down pass"

make_tree
echo '#include "top/t.h"' >>"$tmp/t/src/low/l.h"
expect 1 'src/low/l.h:3: include "top/t.h" points up' "an upward include fails"

make_tree
echo '#include "low/l.h"' >>"$tmp/t/src/low/sub/s.h"
expect 1 'src/low/sub/s.h:2: include "low/l.h" points up' "a sub-layer including its parent fails"

make_tree
echo '#include "peer2/p2.h"' >>"$tmp/t/src/peer1/p1.h"
expect 1 'src/peer1/p1.h:2: include "peer2/p2.h": peer1 and peer2 are peers' "an include between peers fails"

make_tree
echo '#include "cli/c.h"' >>"$tmp/t/src/top/t.h"
expect 1 'src/top/t.h:2: include "cli/c.h" points up' "an include of cli from src fails"

make_tree
mkdir -p "$tmp/t/src/stray"
echo '/* stray */' >"$tmp/t/src/stray/x.h"
expect 1 'src/stray/x.h:1: the folder of this file is not in src/layers.txt' "a folder missing from the order fails"

make_tree
echo '#include "nowhere/n.h"' >>"$tmp/t/src/mid/m.c"
expect 1 'include "nowhere/n.h": its folder is not in src/layers.txt' "an include of an unlisted folder fails"

make_tree
rm "$tmp/t/src/layers.txt"
expect 2 'not found' "a tree without src/layers.txt is an error"

if [ "$failures" -ne 0 ]; then
    echo "$failures check-layers test(s) failed"
    exit 1
fi
echo "all check-layers tests passed"
