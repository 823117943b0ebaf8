#!/usr/bin/env bash
# Rebuild the WASI test programs: every NAME.c here becomes NAME.wasm
# beside it (reactor.c as a reactor), and rust/ becomes rust_tests.wasm.
# The .wasm files are committed, so running the tests needs no Wasm
# toolchain; rebuilding needs, on Debian 12:
#   apt-get install -y clang lld wasi-libc libclang-rt-14-dev-wasm32
#   apt-get install -y rustc cargo libstd-rust-dev-wasm32     # for rust/ (optional)
#
#   ./build.sh          C programs and, when cargo is there, the Rust crate
#   ./build.sh c        only the C programs
#   ./build.sh rust     only the Rust crate
#
# Environment: WASM_CC (default clang), WASI_SYSROOT (default /usr),
# CARGO and RUSTC (default: Debian's /usr/bin/cargo and /usr/bin/rustc if
# present, whose standard library for wasm32-wasi the package above installs).
set -euo pipefail
cd "$(dirname "$0")"

what=${1:-all}
WASM_CC=${WASM_CC:-clang}
WASI_SYSROOT=${WASI_SYSROOT:-/usr}
FLAGS="-std=gnu17 -O2 -Wall -Wextra -Werror -Wno-unused-result --target=wasm32-wasi --sysroot=$WASI_SYSROOT"

if [[ $what == all || $what == c ]]; then
    n=0
    for src in *.c; do
        name=$(basename "$src" .c)
        model=
        [[ $name == reactor ]] && model=-mexec-model=reactor
        # shellcheck disable=SC2086 # flag lists are meant to split
        $WASM_CC $FLAGS $model -o "$name.wasm" "$src"
        n=$((n + 1))
    done
    chmod 644 ./*.wasm
    echo "built $n C programs with $($WASM_CC --version | head -n1)"
fi

if [[ $what == all || $what == rust ]]; then
    CARGO=${CARGO:-$(command -v /usr/bin/cargo || command -v cargo || true)}
    RUSTC=${RUSTC:-$(command -v /usr/bin/rustc || command -v rustc || true)}
    if [[ -z $CARGO || -z $RUSTC ]]; then
        echo "cargo or rustc not found: rust_tests.wasm not rebuilt" >&2
        [[ $what == rust ]] && exit 1
        exit 0
    fi
    target=$(mktemp -d)
    trap 'rm -rf "$target"' EXIT
    # Debug info stripped: the name section stays, for backtraces.
    (cd rust && CARGO_TARGET_DIR=$target RUSTC=$RUSTC RUSTFLAGS="-C strip=debuginfo" \
        "$CARGO" test --no-run --release --target wasm32-wasi --offline)
    cp "$target"/wasm32-wasi/release/deps/kite_wasi_tests-*.wasm rust_tests.wasm
    chmod 644 rust_tests.wasm
    echo "built rust_tests.wasm with $("$RUSTC" --version)"
fi
