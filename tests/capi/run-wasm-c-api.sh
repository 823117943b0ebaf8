#!/bin/sh
# run-wasm-c-api.sh PREFIX WORKDIR NAME [PROGRAM]
#
# Compiles example NAME of the WebAssembly C API repository (its C file from
# ../shared/wasm-c-api/example, unchanged; never copied into this tree)
# against the kite installed in PREFIX, with pkg-config, runs it beside its
# .wasm and compares what it prints with expected/NAME.out. With PROGRAM,
# runs that build of the example instead (run-wasm-c-api-cmake.sh). Exit 77
# (ctest: skipped) when the examples are absent. CC may name the compiler.
#
# Outputs are compared after two normalizations: instance addresses in
# trap frames ("> 0x55d0... @") are replaced, and the lines of `threads`,
# whose order depends on the scheduler, are sorted.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
examples=$(cd "$here/../.." && pwd)/../shared/wasm-c-api/example
prefix=$1 work=$2 name=$3 program=${4:-}
cc=${CC:-cc}

if [ ! -f "$examples/$name.c" ]; then
    echo "SKIPPED: $examples/$name.c is missing: the WebAssembly C API examples" \
         "(github:WebAssembly/wasm-c-api, example/) are expected in ../shared/wasm-c-api" >&2
    exit 77
fi
pcdir=$(dirname "$(find "$prefix" -name kite.pc | head -n 1)")
if command -v pkg-config > /dev/null 2>&1; then
    export PKG_CONFIG_PATH="$pcdir"
    flags=$(pkg-config --cflags --libs kite)
    libdir=$(pkg-config --variable=libdir kite)
else
    echo "note: pkg-config is not installed; using kite.pc's directories directly" >&2
    libdir=$(dirname "$pcdir")
    flags="-I$prefix/include -L$libdir -lkite $(sed -n 's/^Libs: .*-lkite//p' "$pcdir/kite.pc") -lm"
fi

rm -rf "$work/$name"
mkdir -p "$work/$name"
cd "$work/$name"
if [ -n "$program" ]; then
    cp "$program" "$name"
else
    # -w: the examples are not written for -Wall; they are compiled as they are.
    $cc -std=gnu11 -g -w "$examples/$name.c" -o "$name" $flags -Wl,-rpath,"$libdir" -pthread
fi

# The example reads NAME.wasm from its directory. hostref.wasm predates the
# standard encoding of ref.null: it is upgraded (the C code is unchanged).
$cc -O1 -w "$here/upgrade_ref_null.c" -o upgrade_ref_null
./upgrade_ref_null "$examples/$name.wasm" "$name.wasm"

status=0
timeout 300 "./$name" > out.txt 2> err.txt || status=$?
cat err.txt >&2
if [ "$status" != 0 ]; then
    cat out.txt
    echo "FAIL: $name exited with status $status" >&2
    exit 1
fi
sed -e 's/^> 0x[0-9a-f]* @/> INSTANCE @/' -e 's/(nil)/0x0/g' out.txt > got.txt
if [ "$name" = threads ]; then
    LC_ALL=C sort got.txt > sorted.txt && mv sorted.txt got.txt
fi
if ! diff -u "$here/expected/$name.out" got.txt; then
    echo "FAIL: $name printed something else than expected/$name.out" >&2
    exit 1
fi
echo "ok: $name${program:+ ($program)}"
