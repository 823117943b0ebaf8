#!/usr/bin/env node
// Differential fuzzing of kite against V8 (and of kite's tiers against each
// other). See tests/fuzz/README.md.
//
//   node diff.mjs --kite-exec build/kite-diff-exec [--gen ttf|num|mix] [--features SET]
//                 [--seed S] [--count N | --minutes M] [--out DIR] [--reduce]
//                 [--ref v8|kite[:ARGS]] [--test kite[:ARGS]] [--tools DIR]
//                 [--kite-env NAME=VALUE] (the environment of kite-diff-exec)
//                 [--also ENGINE]... (more engines, each compared with --test)
//   --test kite:--gc-stress collects at every allocation (a missing GC root shows as a difference)
//   node diff.mjs --kite-exec ... --check FILE.wasm    compare one module (exit 1: mismatch)
//   --start I runs from the I-th module of the seed (a mismatch is reported as SET-SEED-I)
//
// A module comes from binaryen's translate-to-fuzz (wasm-opt -ttf, run in
// this process: starting the tool costs more than a module) or from
// numgen.mjs; every export runs under the reference and under the tested
// engine, and the traces (diff_exec.c) are compared: results, logged
// values, traps by kind, exceptions, exported memories (hash) and globals
// after each call. "--ref kite:--tier=interp --test kite:--tier=jit"
// compares kite's tiers; "--ref v8 --test kite:--tier=interp --also
// kite:--tier=jit" compares kite with V8 and kite's tiers with each other
// on the same modules (making a module costs more than running it).

import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { V8Runner } from './diff_v8_worker.mjs';
import * as numgen from './numgen.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

// ---- binaryen's feature sets ------------------------------------------------------

// Binaryen flags per feature set; SIMD and threads join when kite runs them.
const BASE = ['--mvp-features', '--enable-sign-ext', '--enable-mutable-globals',
  '--enable-nontrapping-float-to-int', '--enable-bulk-memory', '--enable-bulk-memory-opt',
  '--enable-multivalue', '--enable-extended-const', '--enable-call-indirect-overlong'];
export const FEATURE_SETS = {
  mvp: BASE,
  ref: [...BASE, '--enable-reference-types', '--enable-tail-call'],
  gc: [...BASE, '--enable-reference-types', '--enable-gc', '--enable-tail-call'],
  // binaryen makes legacy and new exception instructions, which V8 refuses
  // in one module: everything is translated to try_table/exnref.
  eh: [...BASE, '--enable-reference-types', '--enable-exception-handling', '--enable-tail-call',
    '--emit-exnref'],
  mem: [...BASE, '--enable-multimemory', '--enable-memory64'],
  threads: [...BASE, '--enable-threads'],
  all: [...BASE, '--enable-reference-types', '--enable-gc', '--enable-tail-call',
    '--enable-exception-handling', '--enable-multimemory', '--enable-memory64', '--emit-exnref'],
  // In the rotation when the tested kite executes SIMD (simdProbe):
  simd: [...BASE, '--enable-simd'],
  'simd-all': [...BASE, '--enable-reference-types', '--enable-gc', '--enable-tail-call',
    '--enable-exception-handling', '--enable-multimemory', '--enable-memory64', '--emit-exnref',
    '--enable-simd'],
};
const DEFAULT_ROTATION = ['mvp', 'ref', 'gc', 'eh', 'mem', 'threads', 'all'];
const SIMD_ROTATION = ['simd', 'simd-all'];

// (func (export "f") (result i32) (i32x4.extract_lane 1 (v128.const i32x4 1 2 3 4))):
// an engine that executes SIMD returns 2 (kite without SIMD traps).
const SIMD_PROBE = Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
  1, 5, 1, 0x60, 0, 1, 0x7f, 3, 2, 1, 0, 7, 5, 1, 1, 0x66, 0, 0,
  10, 0x19, 1, 0x17, 0, 0xfd, 0x0c, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0,
  0xfd, 0x1b, 1, 0x0b]);
const simdProbe = (engine, file) => {
  fs.writeFileSync(file, SIMD_PROBE);
  return /^result n:4000000000000000$/m.test(engine.run(SIMD_PROBE, file));
};

// ---- binaryen in this process -------------------------------------------------------

// wasm-opt from npm's binaryen is an Emscripten program; loading it once and
// calling its main repeatedly is ~20x faster than a process per module.
export class Binaryen {
  constructor(toolsDir) {
    const file = path.join(toolsDir, 'node_modules/binaryen/bin/wasm-opt');
    this.stdout = [];
    this.stderr = [];
    const sink = (buf) => (...a) => buf.push(a.join(' '));
    const context = {
      require, process, Buffer, URL, TextDecoder, TextEncoder, WebAssembly, performance,
      setTimeout, clearTimeout, __filename: file, __dirname: path.dirname(file),
      console: { log: sink(this.stdout), error: sink(this.stderr), warn: sink(this.stderr) },
    };
    context.globalThis = context;
    vm.createContext(context);
    this.ready = new Promise((resolve) => {
      context.Module = { noInitialRun: true, onRuntimeInitialized: resolve,
        print: sink(this.stdout), printErr: sink(this.stderr) };
    });
    const src = fs.readFileSync(file, 'utf8').replace(/^#!.*\n/, '');
    vm.runInContext(src, context, { filename: file });
    this.context = context;
  }

  // Runs wasm-opt ARGS; returns { ok, stdout, stderr }.
  run(args) {
    this.stdout.length = 0;
    this.stderr.length = 0;
    let ok = true;
    // The tool writes its standard streams with fs.writeSync(1 or 2, ...).
    const writeSync = fs.writeSync;
    fs.writeSync = (fd, data, ...rest) => {
      if (fd !== 1 && fd !== 2) return writeSync(fd, data, ...rest);
      const text = typeof data === 'string' ? data
        : Buffer.from(data.buffer, data.byteOffset + (rest[0] ?? 0), rest[1] ?? data.byteLength).toString();
      (fd === 1 ? this.stdout : this.stderr).push(text);
      return typeof data === 'string' ? Buffer.byteLength(data) : (rest[1] ?? data.byteLength);
    };
    try {
      const code = this.context.callMain(args);
      ok = !code;
    } catch (e) {
      ok = e?.name === 'ExitStatus' ? e.status === 0 : false;
      if (!ok) this.stderr.push(String(e));
    } finally {
      fs.writeSync = writeSync;
    }
    return { ok, stdout: this.stdout.join('\n'), stderr: this.stderr.join('\n') };
  }
}

// ---- engines ----------------------------------------------------------------------

// An engine: { name, run(bytes, file) -> trace text }.
export function makeEngine(spec, opts) {
  if (spec === 'v8') {
    const runner = new V8Runner(opts.timeoutMs);
    return { name: 'v8', run: (bytes) => runner.run(bytes) };
  }
  const m = /^kite(?::(.*))?$/.exec(spec);
  if (!m) throw new Error('unknown engine ' + spec);
  const args = m[1] ? m[1].split(/\s+/).filter(Boolean) : [];
  return {
    name: spec,
    run: (bytes, file) => {
      const r = spawnSync(opts.kiteExec, [...args, file], {
        encoding: 'utf8', timeout: opts.timeoutMs, maxBuffer: 256 << 20,
        env: { ...process.env, ...opts.kiteEnv } });
      let out = r.stdout || '';
      if (r.error?.code === 'ETIMEDOUT' || r.signal === 'SIGTERM') out += 'timeout\n';
      else if (r.error) out += `cannot run ${opts.kiteExec}: ${r.error.message}\n`;
      else if (r.signal) out += `crash ${r.signal}\n`;
      else if (r.status === 3) out += 'harness-failure\n';
      else if (r.status !== 0) out += `exit ${r.status} ${(r.stderr || '').trim()}\n`;
      return out;
    },
  };
}

// ---- comparison -------------------------------------------------------------------

// Trap messages of both engines mapped to one word per kind of trap. V8 says
// "table index is out of bounds" for both the spec's "undefined element" and
// "out of bounds table access", and one message for a null entry and a
// signature mismatch in call_indirect, so those kinds are merged.
const TRAP_KINDS = [
  [/^unreachable$|^v8:unreachable/, 'unreachable'],
  [/integer divide by zero|v8:divide by zero|v8:remainder by zero/, 'div-by-zero'],
  [/^integer overflow|v8:divide result unrepresentable/, 'int-overflow'],
  [/invalid conversion to integer|v8:float unrepresentable/, 'conversion'],
  [/out of bounds memory access|v8:memory access out of bounds/, 'memory-oob'],
  [/out of bounds table access|undefined element|v8:table index is out of bounds|v8:table access out of bounds/, 'table-oob'],
  [/uninitialized element|indirect call type mismatch|v8:null function or function signature mismatch|v8:function signature mismatch|v8:null function$/, 'indirect-call'],
  [/^null .*reference|v8:dereferencing a null pointer|v8:rethrowing null value/, 'null'],
  [/cast failure|v8:illegal cast/, 'cast'],
  [/out of bounds array access|v8:array element access out of bounds/, 'array-oob'],
  [/out of bounds data segment access|v8:data segment out of bounds/, 'data-segment-oob'],
  [/out of bounds element segment access|v8:element segment out of bounds/, 'elem-segment-oob'],
  [/unaligned atomic|v8:operation does not support unaligned/, 'unaligned'],
];

function normalizeLine(line) {
  const m = /^(.*?)trap (.*)$/.exec(line);
  if (!m || !/^(instantiate )?$/.test(m[1])) return line;
  for (const [re, kind] of TRAP_KINDS) if (re.test(m[2])) return `${m[1]}trap ${kind}`;
  return line;
}

// V8 says "float unrepresentable in integer range" for a NaN and for an
// out-of-range float, where the spec says "invalid conversion to integer"
// and "integer overflow".
function sameTrap(a, b) {
  const ka = /^(?:instantiate )?trap (.*)$/.exec(a)?.[1], kb = /^(?:instantiate )?trap (.*)$/.exec(b)?.[1];
  if (!ka || !kb || a.startsWith('instantiate') !== b.startsWith('instantiate')) return false;
  const pair = [ka, kb].sort().join(' ');
  return pair === 'conversion int-overflow';
}

// Likewise for the entries of an exnref table.
function sameTable(a, b) {
  const ta = a.split(' '), tb = b.split(' ');
  if (ta.length !== tb.length || ta.slice(0, 3).join(' ') !== tb.slice(0, 3).join(' ')) return false;
  const ea = (ta[3] ?? '').split(','), eb = (tb[3] ?? '').split(',');
  return ea.length === eb.length && ea.every((x, k) => x === eb[k] || (x === 'unreadable' && eb[k] === 'null'));
}

const isLimit = (l) => /^(instantiate )?limit /.test(l);
// Which limit, for the run's report (V8's stack limit, kite's, a timeout...).
const limitWord = (l) => l.replace(/^(instantiate )?limit /, '').replace(/\d+/g, 'N').slice(0, 40);

// Bits of a traced integer result ("n:HEX" double of an i32, or an i64 in decimal).
function resultBits(word, width) {
  if (width === 32) {
    const m = /^n:([0-9a-f]{16})$/.exec(word);
    if (!m) return null;
    const b = new DataView(new ArrayBuffer(8));
    b.setBigUint64(0, BigInt('0x' + m[1]));
    return BigInt(b.getFloat64(0) >>> 0);
  }
  if (!/^-?\d+$/.test(word)) return null;
  return BigInt.asUintN(64, BigInt(word));
}

// numgen's NaN classes: may two result words differ only as the spec allows?
function nanEquivalent(fn, a, b) {
  const m = /^e\d+_([can])_(f32|f64)$/.exec(fn);
  if (!m) return false;
  const width = m[2] === 'f32' ? 32 : 64;
  const ba = resultBits(a, width), bb = resultBits(b, width);
  if (ba === null || bb === null) return false;
  const W = BigInt(width), mant = width === 32 ? 23n : 52n;
  const expMask = ((1n << (W - 1n - mant)) - 1n) << mant, mantMask = (1n << mant) - 1n;
  const quiet = 1n << (mant - 1n);
  const isNaN = (x) => (x & expMask) === expMask && (x & mantMask) !== 0n;
  const fits = (x) => {
    if (!isNaN(x)) return false;
    if (m[1] === 'c') return (x & mantMask) === quiet;
    if (m[1] === 'a') return (x & quiet) !== 0n;
    return true;
  };
  return fits(ba) && fits(bb);
}

// Compare two traces. Returns { status: 'same' | 'mismatch' | 'limit', line, ref, test, call }.
export function compareTraces(refText, testText) {
  const ref = refText.split('\n').map(normalizeLine), test = testText.split('\n').map(normalizeLine);
  let call = null;
  const n = Math.max(ref.length, test.length);
  for (let i = 0; i < n; i++) {
    const a = ref[i] ?? '<end>', b = test[i] ?? '<end>';
    if (a.startsWith('call ')) call = a.slice(5);
    if (a === b) {
      if (isLimit(a)) return { status: 'limit', line: i, call, why: `both: ${limitWord(a)}` };
      continue;
    }
    if (isLimit(a) || isLimit(b)) {
      const why = [isLimit(a) ? `ref: ${limitWord(a)}` : '', isLimit(b) ? `test: ${limitWord(b)}` : ''];
      return { status: 'limit', line: i, call, why: why.filter(Boolean).join(', ') };
    }
    // A tier that cannot run the module yet (the compiler tier's missing instructions).
    if (/^unsupported /.test(a) || /^unsupported /.test(b)) return { status: 'unsupported', line: i, call };
    if (sameTrap(a, b)) continue;
    // An exnref global is unreadable from JavaScript; kite's API does not
    // tell the global's type, only that the value is null.
    if (/^global /.test(a) && a.endsWith(' unreadable') && b === a.replace(/unreadable$/, 'null')) continue;
    if (/^table /.test(a) && sameTable(a, b)) continue;
    if (a.startsWith('result ') && b.startsWith('result ') && call && nanEquivalent(call, a.slice(7), b.slice(7))) continue;
    if (a.startsWith('compile-error') && b.startsWith('compile-error')) return { status: 'same', line: i, call };
    return { status: 'mismatch', line: i, ref: a, test: b, call };
  }
  return { status: 'same' };
}

// What kind of difference: the reducer keeps candidates with the same one.
export function signature(cmp) {
  const word = (l) => (l ?? '').split(' ').slice(0, (l ?? '').startsWith('trap') ? 2 : 1).join(' ');
  return `${word(cmp.ref)} / ${word(cmp.test)}`;
}

// ---- generation -------------------------------------------------------------------

function seedOf(base, i) {
  let h = (base ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

function ttfModule(binaryen, work, seed, features) {
  const r = numgen.rng(seed);
  const len = 4 * (128 + r.below(4096));
  const input = Buffer.alloc(len);
  for (let i = 0; i < len; i += 4) input.writeUInt32LE(r.u32(), i);
  const inFile = path.join(work, 'ttf-input.dat'), outFile = path.join(work, 'ttf.wasm');
  fs.writeFileSync(inFile, input);
  // A third of the modules are also optimized: other code shapes (br_table,
  // merged blocks, folded constants, locals coalesced).
  const opt = r.below(3) === 0 ? [r.pick(['-O1', '-O2', '-O3', '-Os', '-O4'])] : [];
  // --denan: binaryen's modules reinterpret and store float results, and
  // Wasm lets an operation on a NaN return any NaN of a class (V8 tends to
  // return the canonical NaN, kite the input's payload), which no trace can
  // tell from a bug; the pass turns every NaN into 0 at run time. NaN
  // behaviour is numgen's part, with the spec's rules.
  const args = [inFile, '-ttf', ...FEATURE_SETS[features], ...opt, '--denan', '-o', outFile];
  const res = binaryen.run(args);
  if (!res.ok) return null;
  return new Uint8Array(fs.readFileSync(outFile));
}

// ---- the run ----------------------------------------------------------------------

function parseArgs(argv) {
  const o = { gen: 'mix', features: null, seed: 1, count: null, minutes: null, out: null, reduce: false,
    ref: 'v8', test: 'kite', tools: process.env.KITE_FUZZ_TOOLS || path.join(here, '.tools'),
    kiteExec: null, timeoutMs: 20000, check: null, progress: 0, wide: false, kiteEnv: {}, start: 0,
    also: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], v = () => argv[++i];
    switch (a) {
      case '--gen': o.gen = v(); break;
      case '--features': o.features = v().split(','); break;
      case '--seed': o.seed = Number(v()) >>> 0; break;
      case '--count': o.count = Number(v()); break;
      case '--minutes': o.minutes = Number(v()); break;
      case '--out': o.out = v(); break;
      case '--reduce': o.reduce = true; break;
      case '--ref': o.ref = v(); break;
      case '--test': o.test = v(); break;
      case '--also': o.also.push(v()); break;
      case '--tools': o.tools = v(); break;
      case '--kite-exec': o.kiteExec = v(); break;
      case '--timeout': o.timeoutMs = Number(v()) * 1000; break;
      case '--check': o.check = v(); break;
      case '--progress': o.progress = Number(v()); break;
      case '--start': o.start = Number(v()); break;
      case '--kite-env': { const [k, ...val] = v().split('='); o.kiteEnv[k] = val.join('='); break; }
      case '--wide': o.wide = true; break;
      default: throw new Error('unknown option ' + a);
    }
  }
  if (!o.kiteExec) throw new Error('--kite-exec PATH is required');
  if (o.gen === 'num') o.features ??= ['num'];
  return o;
}

function report(stats, start, seed, mismatches) {
  const secs = ((Date.now() - start) / 1000).toFixed(0);
  let total = 0;
  for (const [set, s] of Object.entries(stats)) {
    total += s.modules;
    console.log(`${set}: ${s.modules} modules, ${s.calls} calls, ${s.same} same, ${s.limit} stopped at a host limit, ` +
      (s.unsupported ? `${s.unsupported} unsupported by the tier, ` : '') +
      `${s.skipped} skipped, ${s.mismatch} mismatches`);
    const limits = Object.entries(s.limits).sort((x, y) => y[1] - x[1]).map(([w, k]) => `${k} ${w}`);
    if (limits.length) console.log(`  limits: ${limits.join('; ')}`);
    for (const [name, a] of Object.entries(s.also ?? {}))
      console.log(`  ${name} against the tested engine: ${a.same} same, ${a.limit} stopped at a host limit, ` +
        (a.unsupported ? `${a.unsupported} unsupported by the tier, ` : '') + `${a.mismatch} mismatches`);
  }
  console.log(`${total} modules in ${secs} s, seed ${seed}: ${mismatches} mismatches`);
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const ref = makeEngine(o.ref, o), test = makeEngine(o.test, o);
  const also = o.also.map((spec) => makeEngine(spec, o));
  if (o.out) fs.mkdirSync(o.out, { recursive: true });
  const work = fs.mkdtempSync(path.join(o.out || '/tmp', 'kite-diff-'));
  const file = path.join(work, 'module.wasm');
  const compare = (bytes) => {
    fs.writeFileSync(file, bytes);
    const a = ref.run(bytes, file), b = test.run(bytes, file);
    return { ...compareTraces(a, b), refText: a, testText: b };
  };
  // An --also engine against the tested one (for the reducer: the tested
  // engine is then the reference).
  const compareAlso = (engine, bytes, testText) => {
    if (testText === undefined) {
      fs.writeFileSync(file, bytes);
      testText = test.run(bytes, file);
    }
    const c = engine.run(bytes, file);
    return { ...compareTraces(testText, c), refText: testText, testText: c };
  };

  if (o.check) {
    let bytes = new Uint8Array(fs.readFileSync(o.check));
    // V8 takes binary modules only: text goes through binaryen first.
    if (/\.wat$/.test(o.check) && [o.ref, o.test].includes('v8')) {
      const b = new Binaryen(o.tools);
      await b.ready;
      const wasm = path.join(work, 'check.wasm');
      const r = b.run([o.check, ...FEATURE_SETS['simd-all'], '-o', wasm]);
      if (!r.ok) throw new Error(`binaryen cannot read ${o.check}: ${r.stderr}`);
      bytes = new Uint8Array(fs.readFileSync(wasm));
    }
    const c = compare(bytes);
    if (c.status === 'mismatch') {
      console.log(`mismatch at ${c.call}: ${o.ref}: ${c.ref}  ${o.test}: ${c.test}`);
      process.exit(1);
    }
    // A module neither engine takes checks nothing.
    if (c.refText.startsWith('compile-error')) {
      console.log(`${o.check}: ${o.ref} refuses the module: ${c.refText.trim()}`);
      process.exit(1);
    }
    console.log(c.status);
    fs.rmSync(work, { recursive: true, force: true });
    return;
  }

  if (!o.features) {
    o.features = DEFAULT_ROTATION;
    if (simdProbe(ref, file) && simdProbe(test, file)) o.features = [...DEFAULT_ROTATION, ...SIMD_ROTATION];
    else console.log('SIMD not in the rotation: ' + [o.ref, o.test].join(' or ') + ' does not execute it');
  }
  let binaryen = null;
  if (o.gen !== 'num') {
    binaryen = new Binaryen(o.tools);
    await binaryen.ready;
  }
  const { reduceNumeric, reduceBinary } = await import('./reduce.mjs');
  const stats = {};
  const deadline = o.minutes ? Date.now() + o.minutes * 60000 : Infinity;
  const count = o.count ?? (o.minutes ? Infinity : 100);
  let mismatches = 0, ttfCount = 0, genFailures = 0;
  const reducedKinds = new Set();
  // A mismatch of engine `b` against `a`: printed, and kept in --out with
  // the traces, binaryen's own run of the module and (once per pair of
  // engines and kind of difference in a run: a frequent one would
  // otherwise take the run's time) its reduction.
  const keep = async (tag, seed, set, bytes, numModule, c, a, b, compareAB) => {
    console.log(`MISMATCH ${tag} (seed ${seed}) at ${c.call}: ${a.name}: ${c.ref} | ${b.name}: ${c.test}`);
    if (!o.out) return;
    const dir = path.join(o.out, 'mismatch-' + tag);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'module.wasm'), bytes);
    fs.writeFileSync(path.join(dir, 'ref.trace'), c.refText);
    fs.writeFileSync(path.join(dir, 'test.trace'), c.testText);
    if (binaryen) {
      const fe = binaryen.run([path.join(dir, 'module.wasm'), '--all-features', '--fuzz-exec-before', '-q']);
      fs.writeFileSync(path.join(dir, 'binaryen-fuzz-exec.txt'), fe.stdout + '\n' + fe.stderr);
    }
    const kind = `${a.name} / ${b.name}: ${signature(c)}`;
    if (!o.reduce || reducedKinds.has(kind)) return;
    reducedKinds.add(kind);
    const ctx = { compare: compareAB, signature: signature(c), binaryen, work, ref: a, test: b, tools: o.tools,
      features: FEATURE_SETS[set] ?? [] };
    const reduced = numModule ? reduceNumeric(numModule, c, ctx) : await reduceBinary(bytes, c, ctx);
    fs.writeFileSync(path.join(dir, 'reduced.wast'), reduced.wast);
    if (reduced.bytes) fs.writeFileSync(path.join(dir, 'reduced.wasm'), reduced.bytes);
    console.log(`  reduced to ${dir}/reduced.wast (${reduced.summary})`);
  };
  const start = Date.now();
  for (let i = o.start; i < o.start + count && Date.now() < deadline; i++) {
    if (o.progress && i > o.start && (i - o.start) % o.progress === 0) report(stats, start, o.seed, mismatches);
    const seed = seedOf(o.seed, i);
    const useNum = o.gen === 'num' || (o.gen === 'mix' && i % 2 === 1);
    const set = useNum ? 'num' : o.features[(o.gen === 'mix' ? i >> 1 : i) % o.features.length];
    const st = (stats[set] ??= { modules: 0, calls: 0, same: 0, limit: 0, unsupported: 0, mismatch: 0, skipped: 0, limits: {} });
    let bytes, numModule = null;
    if (useNum) {
      numModule = numgen.generate(seed, { wide: o.wide });
      bytes = numgen.toBinary(numModule);
    } else {
      // A fresh wasm-opt now and then: its heap only grows.
      if (++ttfCount % 1000 === 0) {
        binaryen = new Binaryen(o.tools);
        await binaryen.ready;
      }
      bytes = ttfModule(binaryen, work, seed, set);
      if (!bytes) {
        st.skipped++;
        if (++genFailures % 100 === 0) console.log(`${genFailures} modules binaryen could not make: ${binaryen.stderr.join(' ').slice(0, 200)}`);
        continue;
      }
    }
    const c = compare(bytes);
    st.modules++;
    const alsoMismatches = [];
    for (const engine of also) {
      const ca = compareAlso(engine, bytes, c.testText);
      const sa = ((st.also ??= {})[engine.name] ??= { same: 0, limit: 0, unsupported: 0, mismatch: 0 });
      if (ca.refText.startsWith('compile-error') && ca.testText.startsWith('compile-error')) continue;
      sa[ca.status]++;
      if (ca.status === 'mismatch') alsoMismatches.push([engine, ca]);
    }
    for (const [engine, ca] of alsoMismatches) {
      mismatches++;
      await keep(`${set}-${o.seed}-${i}-${engine.name.replace(/[^A-Za-z0-9]+/g, '_')}`, seed, set, bytes, numModule,
        ca, test, engine, (b) => compareAlso(engine, b));
    }
    st.calls += (c.refText.match(/^call /gm) || []).length;
    // Both refusing a module is agreement (binaryen made something V8 does
    // not take); kite taking a module V8 refuses is a mismatch.
    const invalid = c.refText.startsWith('compile-error') && c.testText.startsWith('compile-error');
    if (invalid) st.skipped++;
    else st[c.status]++;
    if (c.status === 'limit') st.limits[c.why] = (st.limits[c.why] ?? 0) + 1;
    if (invalid || c.status !== 'mismatch') continue;
    mismatches++;
    await keep(`${set}-${o.seed}-${i}`, seed, set, bytes, numModule, c, ref, test, compare);
  }
  report(stats, start, o.seed, mismatches);
  fs.rmSync(work, { recursive: true, force: true });
  process.exitCode = mismatches ? 1 : 0;
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => { console.error(e.stack || String(e)); process.exit(2); });
}
