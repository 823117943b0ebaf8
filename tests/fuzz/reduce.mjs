// The differential fuzzer's reducer: shrink a module on which kite and the
// reference disagree while they keep disagreeing the same way, and write a
// .wast (the module and the reference's behaviour as assertions) for
// tests/wast/.
//
// binaryen's wasm-reduce would be the tool, but the npm build cannot run
// the interestingness command (it aborts with "function signature
// mismatch" where the native tool calls popen), so the reduction runs here:
// numeric modules are shrunk on numgen's expression trees, binaryen's
// modules with binaryen.js (drop exports, empty function bodies, then
// binaryen's own simplifying passes), each step kept only when the
// comparison still fails with the same signature.

import fs from 'node:fs';
import path from 'node:path';
import * as numgen from './numgen.mjs';
import { signature } from './diff.mjs';

const MAX_CHECKS = 400;

// One check: does `bytes` still mismatch the same way?
function interesting(ctx, bytes) {
  if (ctx.checks++ >= MAX_CHECKS) return false;
  const c = ctx.compare(bytes);
  return c.status === 'mismatch' && signature(c) === ctx.signature ? c : false;
}

// ---- numeric modules ------------------------------------------------------------

const ZERO = { i32: 0n, i64: 0n, f32: 0n, f64: 0n };
const ONE = { i32: 1n, i64: 1n, f32: 0x3f800000n, f64: 0x3ff0000000000000n };

export function reduceNumeric(mod, first, ctx) {
  ctx.checks = 0;
  let cur = structuredClone(mod);
  let last = first;
  // Keep only the function that differs.
  const only = structuredClone(cur);
  only.funcs = only.funcs.filter((f) => f.name === first.call);
  if (only.funcs.length === 1) {
    only.funcs[0].name = only.funcs[0].name.replace(/^e\d+_/, 'e0_');
    const c = interesting(ctx, numgen.toBinary(only));
    if (c) { cur = only; last = c; }
  }
  // Replace subtrees by one of their operands of the same type, or by a
  // constant, while the difference stays.
  let progress = true;
  while (progress && ctx.checks < MAX_CHECKS) {
    progress = false;
    for (let fi = 0; fi < cur.funcs.length && !progress; fi++) {
      const nodes = numgen.subtrees(cur.funcs[fi]).length;
      for (let ni = 0; ni < nodes && !progress; ni++) {
        const [node] = numgen.subtrees(cur.funcs[fi])[ni];
        const type = node.type;
        const options = [...node.kids.map((k, i) => i).filter((i) => node.kids[i].type === type),
          ...(node.op === 'const' ? [] : ['zero', 'one'])];
        for (const opt of options) {
          const cand = structuredClone(cur);
          const [, set] = numgen.subtrees(cand.funcs[fi])[ni];
          const [cnode] = numgen.subtrees(cand.funcs[fi])[ni];
          if (!(type in ZERO) && typeof opt !== 'number') continue;
          set(typeof opt === 'number' ? cnode.kids[opt]
            : numgen.constantOf(type, opt === 'zero' ? ZERO[type] : ONE[type]));
          if (!numgen.refresh(cand.funcs[fi], 0)) continue;
          const c = interesting(ctx, numgen.toBinary(cand));
          if (c) { cur = cand; last = c; progress = true; break; }
        }
      }
    }
  }
  // Internal functions that no longer matter return zero (their memory
  // reads, and so the data segment, leave the .wast).
  for (let ci = 0; ci < (cur.callees || []).length; ci++) {
    const callee = cur.callees[ci];
    if (callee.body.op === 'const' || !(callee.result in ZERO)) continue;
    const cand = structuredClone(cur);
    cand.callees[ci].body = numgen.constantOf(callee.result, ZERO[callee.result]);
    const c = interesting(ctx, numgen.toBinary(cand));
    if (c) { cur = cand; last = c; }
  }
  // Local initializers that no longer matter become zero.
  for (let fi = 0; fi < cur.funcs.length; fi++) {
    for (let k = 0; k < cur.funcs[fi].inits.length; k++) {
      if (cur.funcs[fi].inits[k].value.bits === 0n) continue;
      const cand = structuredClone(cur);
      const g = cand.funcs[fi];
      g.inits[k].value = numgen.constantOf(g.inits[k].value.type, 0n);
      if (!numgen.refresh(g, 0)) continue;
      const c = interesting(ctx, numgen.toBinary(cand));
      if (c) { cur = cand; last = c; }
    }
  }
  return { wast: numericWast(cur, last, ctx), bytes: numgen.toBinary(cur),
    summary: `${ctx.checks} checks, ${cur.funcs.length} function(s)` };
}

function refResult(trace, fn) {
  const lines = trace.split('\n');
  const i = lines.indexOf('call ' + fn);
  return i < 0 ? null : lines[i + 1];
}

function numberBits(word, type) {
  if (type === 'i64') return BigInt(word);
  const m = /^n:([0-9a-f]{16})$/.exec(word);
  const dv = new DataView(new ArrayBuffer(8));
  dv.setBigUint64(0, BigInt('0x' + m[1]));
  return BigInt(dv.getFloat64(0) | 0);
}

function numericWast(mod, last, ctx) {
  const out = [`;; Found by tests/fuzz/diff.mjs (numeric generator): ${ctx.ref.name} and ${ctx.test.name} differ.`,
    `;; ${ctx.ref.name}: ${last.ref}`, `;; ${ctx.test.name}: ${last.test}`];
  const f = mod.funcs.find((g) => g.name === last.call) || mod.funcs[0];
  const res = refResult(last.refText, f.name) || '';
  const cls = /^e\d+_([xcan])_/.exec(f.name)?.[1] ?? 'x';
  const rtype = f.results[0];
  if (res.startsWith('result ') && f.results.length === 1) {
    const bits = numberBits(res.slice(7), rtype);
    const ftype = /_(f32|f64)$/.exec(f.name)?.[1];
    const w = rtype === 'i32' ? 32 : 64;
    const isNaN = ftype && (() => {
      const mant = ftype === 'f32' ? 23n : 52n, b = BigInt.asUintN(w, bits);
      const e = ((1n << BigInt(w - 1)) - 1n) >> mant << mant;
      return (b & e) === e && (b & ((1n << mant) - 1n)) !== 0n;
    })();
    if (isNaN && cls !== 'x') {
      out.push(numgen.toText(mod, f.name, true));
      out.push(`(assert_return (invoke "${f.name}") (${ftype}.const nan:${cls === 'c' ? 'canonical' : 'arithmetic'}))`);
    } else {
      out.push(numgen.toText(mod, f.name, false));
      out.push(`(assert_return (invoke "${f.name}") (${rtype}.const ${BigInt.asIntN(w, bits)}))`);
    }
  } else if (res.startsWith('trap ')) {
    out.push(numgen.toText(mod, f.name, false));
    out.push(`(assert_trap (invoke "${f.name}") "${trapMessage(res)}")`);
  } else {
    out.push(numgen.toText(mod, f.name, false));
    out.push(`;; ${ctx.ref.name} gave: ${res}`);
  }
  return out.join('\n') + '\n';
}

// kite's message for a trace's trap (the spec's wording where V8's differs).
const V8_TO_SPEC = [
  [/unreachable/, 'unreachable'], [/divide by zero|remainder by zero/, 'integer divide by zero'],
  [/divide result unrepresentable/, 'integer overflow'], [/float unrepresentable/, 'invalid conversion to integer'],
  [/memory access out of bounds/, 'out of bounds memory access'], [/table index is out of bounds/, 'out of bounds table access'],
  [/signature mismatch/, 'indirect call type mismatch'], [/^null function$/, 'uninitialized element'], [/null pointer|rethrowing null/, 'null'], [/illegal cast/, 'cast failure'],
  [/array element access/, 'out of bounds array access'], [/data segment/, 'out of bounds data segment access'],
  [/element segment/, 'out of bounds element segment access'],
];
function trapMessage(line) {
  const msg = line.replace(/^trap (v8:)?/, '');
  if (!line.startsWith('trap v8:')) return msg;
  for (const [re, spec] of V8_TO_SPEC) if (re.test(msg)) return spec;
  return msg;
}

// ---- binaryen's modules -----------------------------------------------------------

let binaryenJs = null;
async function loadBinaryenJs(tools) {
  binaryenJs ??= (await import(path.join(tools, 'node_modules/binaryen/index.js'))).default;
  return binaryenJs;
}

export async function reduceBinary(bytes, first, ctx) {
  ctx.checks = 0;
  const B = await loadBinaryenJs(ctx.tools);
  // Only the generator's features: with more, binaryen writes encodings
  // (exact references, ...) that the engines refuse.
  const FLAG_FEATURE = { 'sign-ext': 'SignExt', 'mutable-globals': 'MutableGlobals',
    'nontrapping-float-to-int': 'NontrappingFPToInt', 'bulk-memory': 'BulkMemory',
    'bulk-memory-opt': 'BulkMemoryOpt', multivalue: 'Multivalue', 'extended-const': 'ExtendedConst',
    'call-indirect-overlong': 'CallIndirectOverlong', 'reference-types': 'ReferenceTypes', gc: 'GC',
    'tail-call': 'TailCall', 'exception-handling': 'ExceptionHandling', multimemory: 'MultiMemory',
    memory64: 'Memory64', simd: 'SIMD128', threads: 'Atomics' };
  let features = 0;
  for (const flag of ctx.features) {
    const f = FLAG_FEATURE[flag.replace(/^--enable-/, '')];
    if (f) features |= B.Features[f];
  }
  const read = (b) => B.readBinary(b, features);
  let cur = bytes, last = first;
  const tryEdit = (edit) => {
    let m;
    try {
      m = read(cur);
      if (edit(m) === false) { m.dispose(); return false; }
      if (!m.validate()) { m.dispose(); return false; }
      const out = m.emitBinary();
      m.dispose();
      if (out.length >= cur.length && edit.shrinkOnly !== false) return false;
      const c = interesting(ctx, out);
      if (c) { cur = out; last = c; return true; }
    } catch (e) {
      m?.dispose?.();
    }
    return false;
  };
  const exportsOf = (b) => {
    const m = read(b);
    const list = [];
    for (let i = 0; i < m.getNumExports(); i++) list.push(B.getExportInfo(m.getExportByIndex(i)));
    const funcs = [];
    for (let i = 0; i < m.getNumFunctions(); i++) {
      const info = B.getFunctionInfo(m.getFunctionByIndex(i));
      if (!info.module) funcs.push(info.name);
    }
    m.dispose();
    return { list, funcs };
  };
  let progress = true;
  while (progress && ctx.checks < MAX_CHECKS) {
    progress = false;
    // Exports after the differing call, then each export.
    const { list, funcs } = exportsOf(cur);
    const at = list.findIndex((e) => e.name === last.call);
    if (at >= 0 && at + 1 < list.length) {
      progress ||= tryEdit((m) => { for (const e of list.slice(at + 1)) m.removeExport(e.name); });
    }
    for (const e of exportsOf(cur).list) {
      if (e.name === last.call) continue;
      progress ||= tryEdit((m) => { m.removeExport(e.name); });
    }
    // Function bodies.
    for (const name of funcs) {
      progress ||= tryEdit((m) => {
        const f = m.getFunction(name);
        if (!f) return false;
        B.Function.setBody(f, m.unreachable());
      });
    }
    // binaryen's passes that simplify without changing behaviour much.
    for (const passes of [['remove-unused-module-elements'], ['dce', 'vacuum'], ['precompute'],
      ['simplify-locals', 'vacuum'], ['merge-blocks', 'remove-unused-brs'], ['inlining'],
      ['optimize-instructions'], ['remove-unused-names', 'reorder-locals', 'coalesce-locals']]) {
      progress ||= tryEdit((m) => { m.runPasses(passes); });
    }
  }
  return { wast: binaryWast(cur, last, ctx, B), bytes: cur,
    summary: `${ctx.checks} checks, ${bytes.length} -> ${cur.length} bytes` };
}

function binaryWast(bytes, last, ctx, B) {
  const m = B.readBinary(bytes, B.Features.All);
  const text = m.emitText();
  m.dispose();
  const hex = [...bytes].map((b) => '\\' + b.toString(16).padStart(2, '0')).join('');
  const out = [`;; Found by tests/fuzz/diff.mjs (binaryen -ttf): ${ctx.ref.name} and ${ctx.test.name} differ.`,
    `;; ${ctx.ref.name}: ${last.ref}`, `;; ${ctx.test.name}: ${last.test}`,
    ';; The module (binaryen text):', ...text.split('\n').map((l) => ';; ' + l),
    ';; The fuzzer\'s logging imports as no-ops (the reference\'s trace is below).',
    '(module',
    ...['i32', 'i64', 'f32', 'f64'].map((t) => `  (func (export "log-${t}") (param ${t}))`),
    '  (func (export "log-anyref") (param anyref))', '  (func (export "log-funcref") (param funcref))',
    '  (func (export "log-externref") (param externref))',
    '  (tag (export "wasmtag") (param i32)) (tag (export "jstag") (param externref)))',
    '(register "fuzzing-support")'];
  for (let i = 0; i < hex.length; i += 96) out.push(`${i ? '  ' : '(module binary\n  '}"${hex.slice(i, i + 96)}"`);
  out[out.length - 1] += ')';
  out.push(...last.refText.trim().split('\n').map((l) => ';; ' + ctx.ref.name + ': ' + l));
  return out.join('\n') + '\n';
}
