// Runs one benchmark module under Node's WebAssembly engine (V8).
//
//   node --experimental-wasi-unstable-preview1 --no-warnings node-wasi.mjs FILE.wasm [ARG...]
//
// A WASI command (exports _start) runs through node:wasi and prints its own
// checksum. A bare module (no imports, exports `run`) is called directly and
// the checksum is printed here in the same "<name> <8 hex digits>" format, so
// both kinds can be compared against the native output.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { WASI } from 'node:wasi';

const file = process.argv[2];
if (!file) {
    console.error('usage: node-wasi.mjs FILE.wasm');
    process.exit(2);
}

const module = await WebAssembly.compile(await readFile(file));
const exportNames = WebAssembly.Module.exports(module).map((e) => e.name);

if (exportNames.includes('_start')) {
    const wasi = new WASI({ version: 'preview1', args: [file, ...process.argv.slice(3)], env: {}, returnOnExit: true });
    const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
    process.exitCode = wasi.start(instance);
} else if (exportNames.includes('run')) {
    const instance = await WebAssembly.instantiate(module, {});
    const sum = instance.exports.run() >>> 0;
    process.stdout.write(`${basename(file, '.wasm')} ${sum.toString(16).padStart(8, '0')}\n`);
} else {
    console.error(`${file}: exports neither _start nor run`);
    process.exitCode = 2;
}
