#!/bin/sh
# run-wasm-c-api-cmake.sh PREFIX WORKDIR CC
#
# Builds every example of the WebAssembly C API repository with kite's
# CMake package (wasm-c-api/CMakeLists.txt) against the kite installed in
# PREFIX, then runs each as run-wasm-c-api.sh does. Exit 77 (skipped) when
# the examples are absent.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
examples=$(cd "$here/../.." && pwd)/../shared/wasm-c-api/example
prefix=$1 work=$2 cc=$3
if [ ! -d "$examples" ]; then
    echo "SKIPPED: $examples is missing: the WebAssembly C API examples" \
         "(github:WebAssembly/wasm-c-api, example/) are expected in ../shared/wasm-c-api" >&2
    exit 77
fi
rm -rf "$work"
mkdir -p "$work"
if ! cmake -S "$here/wasm-c-api" -B "$work/build" -DCMAKE_PREFIX_PATH="$prefix" \
        -DCMAKE_C_COMPILER="$cc" -DWASM_C_API_EXAMPLES="$examples" > "$work/build.log" 2>&1 ||
   ! cmake --build "$work/build" -j 2 >> "$work/build.log" 2>&1; then
    cat "$work/build.log"
    echo "FAIL: the examples do not build with find_package(kite)" >&2
    exit 1
fi
failed=0
for name in hello callback global table memory trap reflect serialize finalize multi start \
            threads hostref; do
    "$here/run-wasm-c-api.sh" "$prefix" "$work/run" "$name" "$work/build/$name" || failed=1
done
exit $failed
