// Runs a GC benchmark module's `run(n)` export under Node and prints its
// result (an i32). Node 20 needs --experimental-wasm-gc and the pre-standard
// encoding (binary-trees.node20.wasm); later versions take binary-trees.wasm.
//   node [--experimental-wasm-gc] node-gc.mjs MODULE N
import { readFileSync } from 'node:fs';

const [file, n] = process.argv.slice(2);
const { instance } = await WebAssembly.instantiate(readFileSync(file));
console.log(instance.exports.run(Number(n)));
