// Random numeric expressions over every scalar instruction, with edge
// values, for the differential fuzzer (binaryen's -ttf modules rarely
// exercise arithmetic).
//
// Each module has several exported functions without parameters; each
// computes one random expression tree and returns it, floats as their bit
// pattern (reinterpreted). Wasm lets some float operations return any NaN
// of a class, so every node tracks what its bits may be:
//   x  exact: no arithmetic NaN can reach it, every bit is determined;
//   c  an arithmetic result whose NaN inputs are all canonical: a NaN result
//      must be canonical (either sign);
//   a  a NaN result may be any arithmetic (quiet) NaN;
//   n  a NaN result may be any NaN (an exact NaN of any payload mixed by a
//      select with an arithmetic one).
// The class of the returned value is in the export name ("e4_c_f64"), and
// diff.mjs compares NaN results by it. Bits that are not exact never flow
// into integers (reinterpret, copysign's sign and stores take exact floats
// only), so integer results are always compared exactly.

import { encodeModule, sleb, bitsBytes, VALTYPE } from './wasmenc.mjs';

// A deterministic PRNG (xorshift on 32-bit halves).
export function rng(seed) {
  let s0 = (seed ^ 0x9e3779b9) >>> 0 || 1, s1 = Math.imul(seed | 0, 0x85ebca6b) >>> 0 || 2;
  const next = () => {
    let x = s0;
    const y = s1;
    s0 = y;
    x ^= x << 23; x ^= x >>> 17; x ^= y ^ (y >>> 26);
    s1 = x >>> 0;
    return (s0 + s1) >>> 0;
  };
  for (let i = 0; i < 8; i++) next();
  return {
    u32: next,
    below: (n) => next() % n,
    chance: (p) => next() / 4294967296 < p,
    pick: (a) => a[next() % a.length],
    u64: () => (BigInt(next()) << 32n) | BigInt(next()),
  };
}

const I32_EDGES = [0, 1, -1, 2, -2, 0x7fffffff, -0x80000000, -0x7fffffff, 0x7fff, 0x8000, 0xffff,
  0x10000, 31, 32, 33, 63, 64, 65, 0x55555555, -0x55555556, 0xff, 0x80, 0x7f, 0x12345678, 100, -100];
const I64_EDGES = [0n, 1n, -1n, 2n, 0x7fffffffffffffffn, -0x8000000000000000n, -0x7fffffffffffffffn,
  0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, -0x80000000n, -0x80000001n, 63n, 64n, 65n, 31n,
  32n, (1n << 53n) + 1n, (1n << 53n) - 1n, -(1n << 53n) - 1n, 0x5555555555555555n, 0x123456789abcdef0n,
  0xffn, 0x7fffn, 0x8000n];
const F32_EDGES = [0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x7f800000, 0xff800000, 0x7fc00000,
  0xffc00000, 0x7fa00000, 0xff812345, 0x7fc00001, 0x7fffffff, 0x00000001, 0x807fffff, 0x00800000,
  0x7f7fffff, 0xff7fffff, 0x3f000000, 0x3fc00000, 0x40200000, 0xbf000000, 0xbfc00000, 0x40400000,
  0x4f000000, 0x4effffff, 0xcf000000, 0xcf000001, 0x4f800000, 0x4f7fffff, 0x5f000000, 0x5effffff,
  0xdf000000, 0xdf000001, 0x5f800000, 0x5f7fffff, 0x4b000000, 0x4b7fffff, 0xbf7fffff, 0x3effffff,
  0x34000000, 0x7e967699];
const F64_EDGES = [0x0n, 0x8000000000000000n, 0x3ff0000000000000n, 0xbff0000000000000n,
  0x7ff0000000000000n, 0xfff0000000000000n, 0x7ff8000000000000n, 0xfff8000000000000n,
  0x7ff4000000000000n, 0x7ff8000000000001n, 0xfff0000000000001n, 0x7fffffffffffffffn, 0x1n,
  0x800fffffffffffffn, 0x0010000000000000n, 0x7fefffffffffffffn, 0xffefffffffffffffn,
  0x3fe0000000000000n, 0x3ff8000000000000n, 0x4004000000000000n, 0xbfe0000000000000n,
  0x41dfffffffc00000n /* 2^31-1 */, 0x41dfffffffe00000n /* 2^31-0.5 */, 0x41e0000000000000n,
  0xc1e0000000000000n, 0xc1e0000000200000n /* -2^31-1 */, 0xc1e00000001fffffn, 0x41efffffffe00000n,
  0x41f0000000000000n, 0x43e0000000000000n, 0x43dfffffffffffffn, 0xc3e0000000000000n,
  0xc3e0000000000001n, 0x43f0000000000000n, 0x43efffffffffffffn, 0x4340000000000000n,
  0x4330000000000001n, 0x3fefffffffffffffn, 0x3cb0000000000000n, 0x36a0000000000000n];

const CANON32 = 0x7fc00000, CANON64 = 0x7ff8000000000000n;

// {name, code, params, result, kind}; kind: int | cmp (float compare) | bits (NaN bits
// preserved) | arith (may make a NaN) | conv (int->float, never NaN) | trunc (float->int)
// | reint (reinterpret) | copysign
const OPS = [];
const op = (name, code, params, result, kind) => OPS.push({ name, code, params, result, kind });
const I = 'i32', L = 'i64', F = 'f32', D = 'f64';
op('i32.eqz', [0x45], [I], I, 'int');
['eq', 'ne', 'lt_s', 'lt_u', 'gt_s', 'gt_u', 'le_s', 'le_u', 'ge_s', 'ge_u'].forEach((n, i) => {
  op('i32.' + n, [0x46 + i], [I, I], I, 'int');
  op('i64.' + n, [0x51 + i], [L, L], I, 'int');
});
op('i64.eqz', [0x50], [L], I, 'int');
['eq', 'ne', 'lt', 'gt', 'le', 'ge'].forEach((n, i) => {
  op('f32.' + n, [0x5b + i], [F, F], I, 'cmp');
  op('f64.' + n, [0x61 + i], [D, D], I, 'cmp');
});
['clz', 'ctz', 'popcnt'].forEach((n, i) => {
  op('i32.' + n, [0x67 + i], [I], I, 'int');
  op('i64.' + n, [0x79 + i], [L], L, 'int');
});
['add', 'sub', 'mul', 'div_s', 'div_u', 'rem_s', 'rem_u', 'and', 'or', 'xor', 'shl', 'shr_s', 'shr_u',
  'rotl', 'rotr'].forEach((n, i) => {
  op('i32.' + n, [0x6a + i], [I, I], I, 'int');
  op('i64.' + n, [0x7c + i], [L, L], L, 'int');
});
['abs', 'neg'].forEach((n, i) => {
  op('f32.' + n, [0x8b + i], [F], F, 'bits');
  op('f64.' + n, [0x99 + i], [D], D, 'bits');
});
['ceil', 'floor', 'trunc', 'nearest', 'sqrt'].forEach((n, i) => {
  op('f32.' + n, [0x8d + i], [F], F, 'arith');
  op('f64.' + n, [0x9b + i], [D], D, 'arith');
});
['add', 'sub', 'mul', 'div', 'min', 'max'].forEach((n, i) => {
  op('f32.' + n, [0x92 + i], [F, F], F, 'arith');
  op('f64.' + n, [0xa0 + i], [D, D], D, 'arith');
});
op('f32.copysign', [0x98], [F, F], F, 'copysign');
op('f64.copysign', [0xa6], [D, D], D, 'copysign');
op('i32.wrap_i64', [0xa7], [L], I, 'int');
op('i32.trunc_f32_s', [0xa8], [F], I, 'trunc');
op('i32.trunc_f32_u', [0xa9], [F], I, 'trunc');
op('i32.trunc_f64_s', [0xaa], [D], I, 'trunc');
op('i32.trunc_f64_u', [0xab], [D], I, 'trunc');
op('i64.extend_i32_s', [0xac], [I], L, 'int');
op('i64.extend_i32_u', [0xad], [I], L, 'int');
op('i64.trunc_f32_s', [0xae], [F], L, 'trunc');
op('i64.trunc_f32_u', [0xaf], [F], L, 'trunc');
op('i64.trunc_f64_s', [0xb0], [D], L, 'trunc');
op('i64.trunc_f64_u', [0xb1], [D], L, 'trunc');
op('f32.convert_i32_s', [0xb2], [I], F, 'conv');
op('f32.convert_i32_u', [0xb3], [I], F, 'conv');
op('f32.convert_i64_s', [0xb4], [L], F, 'conv');
op('f32.convert_i64_u', [0xb5], [L], F, 'conv');
op('f32.demote_f64', [0xb6], [D], F, 'arith');
op('f64.convert_i32_s', [0xb7], [I], D, 'conv');
op('f64.convert_i32_u', [0xb8], [I], D, 'conv');
op('f64.convert_i64_s', [0xb9], [L], D, 'conv');
op('f64.convert_i64_u', [0xba], [L], D, 'conv');
op('f64.promote_f32', [0xbb], [F], D, 'arith');
op('i32.reinterpret_f32', [0xbc], [F], I, 'reint');
op('i64.reinterpret_f64', [0xbd], [D], L, 'reint');
op('f32.reinterpret_i32', [0xbe], [I], F, 'reint');
op('f64.reinterpret_i64', [0xbf], [L], D, 'reint');
op('i32.extend8_s', [0xc0], [I], I, 'int');
op('i32.extend16_s', [0xc1], [I], I, 'int');
op('i64.extend8_s', [0xc2], [L], L, 'int');
op('i64.extend16_s', [0xc3], [L], L, 'int');
op('i64.extend32_s', [0xc4], [L], L, 'int');
[['i32', 'f32'], ['i32', 'f64'], ['i64', 'f32'], ['i64', 'f64']].forEach(([r, p], i) => {
  op(`${r}.trunc_sat_${p}_s`, [0xfc, 2 * i], [p], r, 'trunc');
  op(`${r}.trunc_sat_${p}_u`, [0xfc, 2 * i + 1], [p], r, 'trunc');
});
// Memory: loads of every width (exact bits), stores of exact values.
const LOADS = [['i32.load', 0x28, I, 2], ['i64.load', 0x29, L, 3], ['f32.load', 0x2a, F, 2],
  ['f64.load', 0x2b, D, 3], ['i32.load8_s', 0x2c, I, 0], ['i32.load8_u', 0x2d, I, 0],
  ['i32.load16_s', 0x2e, I, 1], ['i32.load16_u', 0x2f, I, 1], ['i64.load8_s', 0x30, L, 0],
  ['i64.load8_u', 0x31, L, 0], ['i64.load16_s', 0x32, L, 1], ['i64.load16_u', 0x33, L, 1],
  ['i64.load32_s', 0x34, L, 2], ['i64.load32_u', 0x35, L, 2]];
const STORES = [['i32.store', 0x36, I, 2], ['i64.store', 0x37, L, 3], ['f32.store', 0x38, F, 2],
  ['f64.store', 0x39, D, 3], ['i32.store8', 0x3a, I, 0], ['i32.store16', 0x3b, I, 1],
  ['i64.store8', 0x3c, L, 0], ['i64.store16', 0x3d, L, 1], ['i64.store32', 0x3e, L, 2]];
// Wide arithmetic: two i64 results, compared exactly.
const WIDE = [['i64.add128', [0xfc, 19], 4], ['i64.sub128', [0xfc, 20], 4],
  ['i64.mul_wide_s', [0xfc, 21], 2], ['i64.mul_wide_u', [0xfc, 22], 2]];

export const OP_NAMES = [...OPS.map((o) => o.name), ...LOADS.map((l) => l[0]), ...STORES.map((s) => s[0]),
  ...WIDE.map((w) => w[0])];
const CONDITIONS = OPS.filter((o) => o.result === I && (o.kind === 'cmp' || /eq|ne|[lg][te]_|eqz/.test(o.name)));
const byResult = {};
for (const o of OPS) (byResult[o.result] ??= []).push(o);

const MEM_BYTES = 65536;
const RANK = { x: 0, c: 1, a: 2, n: 3 };

function f32IsNaN(b) { return (b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0; }
function f64IsNaN(b) { return (b & 0x7ff0000000000000n) === 0x7ff0000000000000n && (b & 0xfffffffffffffn) !== 0n; }

const isFloat = (t) => t === F || t === D;

export function constantOf(type, bits) {
  bits = BigInt(bits);
  const ncn = type === F ? f32IsNaN(Number(bits)) && (Number(bits) & 0x7fffffff) !== CANON32
    : type === D ? f64IsNaN(bits) && (bits & 0x7fffffffffffffffn) !== CANON64 : false;
  return { op: 'const', type, bits, cls: 'x', ncn, kids: [] };
}

// The class of a node whose NaN bits come unchanged from `from` (neg, abs,
// copysign's magnitude, select).
function passThrough(n, from) {
  const worst = from.reduce((w, k) => (RANK[k.cls] > RANK[w] ? k.cls : w), 'x');
  const exactNcn = from.some((k) => k.cls === 'x' && k.ncn);
  n.cls = worst === 'x' ? 'x' : exactNcn ? 'n' : worst;
  n.ncn = from.some((k) => k.ncn || RANK[k.cls] >= RANK.a);
  return n;
}

// A module of `funcs` functions. Options: wide (wide-arithmetic), memory
// (default on), depth, broken (an op name never to generate).
export function generate(seed, opts = {}) {
  const r = rng(seed);
  const maxDepth = opts.depth ?? 5;
  const nfuncs = opts.funcs ?? 12;
  // The first bytes of memory hold the edge values of every type, then random bytes.
  const memBytes = [];
  for (const v of I32_EDGES) memBytes.push(...bitsBytes(BigInt.asUintN(32, BigInt(v)), 4));
  for (const v of I64_EDGES) memBytes.push(...bitsBytes(BigInt.asUintN(64, v), 8));
  for (const v of F32_EDGES) memBytes.push(...bitsBytes(v >>> 0, 4));
  for (const v of F64_EDGES) memBytes.push(...bitsBytes(v, 8));
  while (memBytes.length < 1024) memBytes.push(r.below(256));
  const useMemory = opts.memory !== false;
  const callees = [];

  const constant = (t) => {
    const edge = r.chance(0.75);
    if (t === I) return constantOf(t, BigInt.asUintN(32, BigInt(edge ? r.pick(I32_EDGES) : r.u32() | 0)));
    if (t === L) return constantOf(t, BigInt.asUintN(64, edge ? r.pick(I64_EDGES) : r.u64()));
    if (t === F) return constantOf(t, edge ? r.pick(F32_EDGES) >>> 0 : r.u32());
    return constantOf(t, edge ? r.pick(F64_EDGES) : r.u64());
  };
  // An address: mostly in bounds, sometimes near or past the end.
  const address = (depth, locals, size) => {
    const c = r.below(10);
    let node;
    if (c < 7) node = constantOf(I, r.below(1024 - size + 1));
    else if (c < 8) node = constantOf(I, MEM_BYTES - size + r.below(2 * size));
    else node = { op: 'i32.and', code: [0x71], type: I, cls: 'x', ncn: false,
      kids: [expr(I, depth - 1, false, locals), constantOf(I, 0x3ff)] };
    const offset = r.chance(0.2) ? r.pick([1, 3, 8, 100, 1000, 0xfc00, 0xffff, 0xfffffff0]) : 0;
    return { node, offset };
  };
  const load = (t, depth, locals) => {
    const [name, code, , align] = r.pick(LOADS.filter((l) => l[2] === t));
    const addr = address(depth, locals, 1 << align);
    const a = r.chance(0.8) ? align : r.below(align + 1);
    return { op: 'load', name, code, type: t, align: a, offset: addr.offset, kids: [addr.node],
      cls: 'x', ncn: isFloat(t) };
  };
  // An expression of type t; `exact` demands class x (what flows into
  // reinterpret, copysign's sign, a local or a store).
  function expr(t, depth, exact, locals) {
    if (depth <= 0 || r.chance(0.15)) {
      const c = r.below(10);
      if (c < 2 && locals[t].length) {
        return { op: 'local.get', type: t, index: r.pick(locals[t]), cls: 'x', ncn: isFloat(t), kids: [] };
      }
      if (c < 4 && useMemory) return load(t, depth, locals);
      return constant(t);
    }
    const roll = r.below(100);
    if (roll < 4) {
      const a = expr(t, depth - 1, exact, locals), b = expr(t, depth - 1, exact, locals);
      const cond = expr(I, depth - 1, false, locals);
      return passThrough({ op: 'select', type: t, kids: [a, b, cond] }, [a, b]);
    }
    if (roll < 10) {
      // Control flow: (if (result t) COND A B) or (block (result t) (drop (br_if 0 A COND)) B),
      // the condition often a comparison (the interpreter fuses those with branches).
      const a = expr(t, depth - 1, exact, locals), b = expr(t, depth - 1, exact, locals);
      let cond;
      if (r.chance(0.6)) {
        const o = r.pick(CONDITIONS);
        const kids = o.params.map((p) => expr(p, depth - 2, false, locals));
        cond = { op: o.name, code: o.code, type: I, kids, cls: 'x', ncn: false };
      } else {
        cond = expr(I, depth - 1, false, locals);
      }
      return passThrough({ op: r.chance(0.5) ? 'if' : 'br_if', type: t, kids: [a, b, cond] }, [a, b]);
    }
    if (roll < 13 && useMemory) return load(t, depth, locals);
    if (roll < 15 && useMemory) {
      // (block (result t) (store ADDR VALUE) EXPR): the value is exact.
      const [sname, scode, st, align] = r.pick(STORES);
      const addr = address(depth, locals, 1 << align);
      const val = expr(st, depth - 1, true, locals);
      const then = expr(t, depth - 1, exact, locals);
      return { op: 'store-then', type: t, sname, scode, align, offset: addr.offset,
        kids: [addr.node, val, then], cls: then.cls, ncn: then.ncn };
    }
    // (A callee whose result is not exact cannot stand where exact bits are needed.)
    const callable = callees.map((c, i) => i)
      .filter((i) => callees[i].result === t && (!exact || !isFloat(t) || callees[i].cls === 'x'));
    if (roll < 21 && callable.length) {
      const index = r.pick(callable);
      const c = callees[index];
      const kids = c.params.map((p) => expr(p, depth - 1, true, locals));
      return { op: 'call', index, type: t, kids, cls: c.cls, ncn: c.ncn };
    }
    if (roll < 24 && locals[t].length) {
      const v = expr(t, depth - 1, true, locals);
      return { op: 'local.tee', type: t, index: r.pick(locals[t]), kids: [v], cls: v.cls, ncn: v.ncn };
    }
    let cands = byResult[t].filter((o) => o.name !== opts.broken);
    if (exact && isFloat(t)) cands = cands.filter((o) => o.kind !== 'arith');
    const o = r.pick(cands);
    const kids = o.params.map((p, i) => {
      const needExact = o.kind === 'reint' || (o.kind === 'copysign' && i === 1) ||
        (exact && isFloat(p) && (o.kind === 'bits' || o.kind === 'copysign'));
      return expr(p, depth - 1, needExact, locals);
    });
    const n = { op: o.name, code: o.code, type: t, kids };
    switch (o.kind) {
      case 'arith':
        n.cls = kids.some((k) => k.ncn || RANK[k.cls] >= RANK.a) ? 'a' : 'c';
        n.ncn = n.cls === 'a';
        return n;
      case 'bits': return passThrough(n, kids);
      case 'copysign': return passThrough(n, [kids[0]]);
      default:
        n.cls = 'x';
        n.ncn = isFloat(t) && o.kind === 'reint';
        return n;
    }
  }

  // Internal functions with parameters, called with exact arguments from
  // the exported ones (calls, argument passing and frames of every type).
  const ncallees = opts.calls === false ? 0 : r.below(4);
  for (let ci = 0; ci < ncallees; ci++) {
    const params = [];
    const np = r.below(6);
    for (let k = 0; k < np; k++) params.push(r.pick([I, L, F, D]));
    const locals = { i32: [], i64: [], f32: [], f64: [] };
    params.forEach((p, k) => locals[p].push(k));
    const t = r.pick([I, L, F, D]);
    const body = expr(t, 3, false, locals);
    callees.push({ params, result: t, body, cls: body.cls, ncn: body.ncn || isFloat(t) });
  }

  const funcs = [];
  for (let fi = 0; fi < nfuncs; fi++) {
    const locals = { i32: [], i64: [], f32: [], f64: [] };
    const localTypes = [];
    const inits = [];
    for (const t of [I, L, F, D]) {
      const n = r.below(3);
      for (let k = 0; k < n; k++) {
        locals[t].push(localTypes.length);
        inits.push({ index: localTypes.length, value: constant(t) });
        localTypes.push(t);
      }
    }
    if (opts.wide && r.chance(0.25)) {
      const [wname, wcode, nargs] = r.pick(WIDE);
      const kids = [];
      for (let k = 0; k < nargs; k++) kids.push(expr(L, maxDepth - 1, false, locals));
      funcs.push({ name: `e${fi}_x_wide`, results: [L, L], locals: localTypes, inits,
        root: { op: wname, code: wcode, type: 'i64 i64', kids, cls: 'x', ncn: false } });
      continue;
    }
    const t = r.pick([I, L, F, D, F, D]);
    const e = expr(t, maxDepth, false, locals);
    const rt = t === F ? I : t === D ? L : t;
    const root = isFloat(t)
      ? { op: t === F ? 'i32.reinterpret_f32' : 'i64.reinterpret_f64', code: [t === F ? 0xbc : 0xbd],
        type: rt, kids: [e], cls: e.cls, ncn: false, wrap: true }
      : e;
    funcs.push({ name: `e${fi}_${e.cls}_${t}`, results: [rt], locals: localTypes, inits, root });
  }
  return { funcs, callees, data: [{ offset: 0, bytes: memBytes }] };
}

// ---- classes after a change (the reducer) ------------------------------------

const KIND = Object.fromEntries(OPS.map((o) => [o.name, o.kind]));

// Recompute every node's class bottom-up; false when a node that needs an
// exact operand (reinterpret, copysign's sign, a store, local.tee) no longer
// has one.
export function reclassify(n) {
  let ok = true;
  for (const k of n.kids) ok = reclassify(k) && ok;
  const needX = (k) => { if (k.cls !== 'x') ok = false; };
  switch (n.op) {
    case 'const': case 'local.get': case 'load': return ok;
    case 'call': for (const k of n.kids) if (isFloat(k.type)) needX(k); return ok;
    case 'select': case 'if': case 'br_if': passThrough(n, [n.kids[0], n.kids[1]]); return ok;
    case 'local.tee': needX(n.kids[0]); n.cls = n.kids[0].cls; n.ncn = n.kids[0].ncn; return ok;
    case 'store-then': needX(n.kids[1]); n.cls = n.kids[2].cls; n.ncn = n.kids[2].ncn; return ok;
  }
  const kind = KIND[n.op];
  if (kind === 'arith') {
    n.cls = n.kids.some((k) => k.ncn || RANK[k.cls] >= RANK.a) ? 'a' : 'c';
    n.ncn = n.cls === 'a';
  } else if (kind === 'bits') {
    passThrough(n, n.kids);
  } else if (kind === 'copysign') {
    needX(n.kids[1]);
    passThrough(n, [n.kids[0]]);
  } else if (kind === 'reint') {
    needX(n.kids[0]);
    n.cls = 'x';
    n.ncn = isFloat(n.type);
  } else {
    n.cls = 'x';
    n.ncn = false;
  }
  return ok;
}

// Reclassify a function after a change and rename its export after its
// result's class; false when the change made the function unsound.
export function refresh(f, index) {
  const root = f.root;
  // A float function returns its value's bits through a wrapping reinterpret.
  const top = root.wrap ? root.kids[0] : root;
  let ok = reclassify(top);
  if (f.results.length === 1) {
    if (top !== root) root.cls = top.cls;
    f.name = `e${index}_${top.cls}_${top.type}`;
  }
  for (const init of f.inits) ok = reclassify(init.value) && ok;
  return ok;
}

// ---- rendering ---------------------------------------------------------------

function uleb32(v) {
  const out = [];
  v >>>= 0;
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
}

function encodeTree(n, out) {
  switch (n.op) {
    case 'const':
      if (n.type === I) out.push(0x41, ...sleb(BigInt.asIntN(32, n.bits)));
      else if (n.type === L) out.push(0x42, ...sleb(BigInt.asIntN(64, n.bits)));
      else if (n.type === F) out.push(0x43, ...bitsBytes(n.bits, 4));
      else out.push(0x44, ...bitsBytes(n.bits, 8));
      return;
    case 'local.get': out.push(0x20, n.index); return;
    case 'call':
      for (const k of n.kids) encodeTree(k, out);
      out.push(0x10, n.index);
      return;
    case 'if': {
      const [a, b, cond] = n.kids;
      encodeTree(cond, out);
      out.push(0x04, VALTYPE[n.type]);
      encodeTree(a, out);
      out.push(0x05);
      encodeTree(b, out);
      out.push(0x0b);
      return;
    }
    case 'br_if': {
      const [a, b, cond] = n.kids;
      out.push(0x02, VALTYPE[n.type]);
      encodeTree(a, out);
      encodeTree(cond, out);
      out.push(0x0d, 0x00, 0x1a);
      encodeTree(b, out);
      out.push(0x0b);
      return;
    }
    case 'store-then': {
      const [addr, val, then] = n.kids;
      encodeTree(addr, out);
      encodeTree(val, out);
      out.push(n.scode, n.align, ...uleb32(n.offset));
      encodeTree(then, out);
      return;
    }
  }
  for (const k of n.kids) encodeTree(k, out);
  switch (n.op) {
    case 'select': out.push(0x1b); return;
    case 'local.tee': out.push(0x22, n.index); return;
    case 'load': out.push(n.code, n.align, ...uleb32(n.offset)); return;
    default: out.push(...n.code);
  }
}

export function toBinary(mod) {
  const types = [];
  const typeIndex = (results, params = []) => {
    const key = params.join(',') + '->' + results.join(',');
    let i = types.findIndex((t) => t.params.join(',') + '->' + t.results.join(',') === key);
    if (i < 0) { types.push({ params, results }); i = types.length - 1; }
    return i;
  };
  const callees = (mod.callees || []).map((c) => {
    const body = [];
    encodeTree(c.body, body);
    return { type: typeIndex([c.result], c.params), locals: [], body };
  });
  const funcs = [...callees, ...mod.funcs.map((f) => {
    const body = [];
    for (const init of f.inits) {
      encodeTree(init.value, body);
      body.push(0x21, init.index);
    }
    encodeTree(f.root, body);
    return { type: typeIndex(f.results), locals: f.locals, body, export: f.name };
  })];
  return encodeModule({ types, funcs, memory: { min: 1, max: 1, export: 'mem' }, data: mod.data });
}

// A float literal for exact bits: nan:0x... or an exact hexadecimal float.
function floatLiteral(type, bits) {
  const w = type === F ? 32 : 64;
  const mbits = w === 32 ? 23n : 52n, ebits = w === 32 ? 8n : 11n;
  const sign = (bits >> BigInt(w - 1)) & 1n ? '-' : '';
  const e = (bits >> mbits) & ((1n << ebits) - 1n), m = bits & ((1n << mbits) - 1n);
  const emax = (1n << ebits) - 1n, bias = (1n << (ebits - 1n)) - 1n;
  const frac = (m << (w === 32 ? 1n : 0n)).toString(16).padStart(w === 32 ? 6 : 13, '0');
  if (e === emax) return m === 0n ? sign + 'inf' : `${sign}nan:0x${m.toString(16)}`;
  if (e === 0n && m === 0n) return sign + '0';
  if (e === 0n) return `${sign}0x0.${frac}p-${bias - 1n}`;
  return `${sign}0x1.${frac}p${e - bias}`;
}

function nodeText(n) {
  const memarg = (o, a) => (o ? ` offset=${o >>> 0}` : '') + ` align=${1 << a}`;
  switch (n.op) {
    case 'const':
      if (n.type === I) return `(i32.const ${BigInt.asIntN(32, n.bits)})`;
      if (n.type === L) return `(i64.const ${BigInt.asIntN(64, n.bits)})`;
      return `(${n.type}.const ${floatLiteral(n.type, n.bits)})`;
    case 'local.get': return `(local.get ${n.index})`;
    case 'call': return `(call ${n.index}${n.kids.map((k) => ' ' + nodeText(k)).join('')})`;
    case 'local.tee': return `(local.tee ${n.index} ${nodeText(n.kids[0])})`;
    case 'select': return `(select ${n.kids.map(nodeText).join(' ')})`;
    case 'if':
      return `(if (result ${n.type}) ${nodeText(n.kids[2])} (then ${nodeText(n.kids[0])}) (else ${nodeText(n.kids[1])}))`;
    case 'br_if':
      return `(block (result ${n.type}) (drop (br_if 0 ${nodeText(n.kids[0])} ${nodeText(n.kids[2])})) ${nodeText(n.kids[1])})`;
    case 'load': return `(${n.name}${memarg(n.offset, n.align)} ${nodeText(n.kids[0])})`;
    case 'store-then':
      return `(block (result ${n.type}) (${n.sname}${memarg(n.offset, n.align)} ` +
        `${nodeText(n.kids[0])} ${nodeText(n.kids[1])}) ${nodeText(n.kids[2])})`;
    default: return `(${n.op} ${n.kids.map(nodeText).join(' ')})`;
  }
}

// The module as text. `only` keeps one function; `floatResult` makes it
// return its float rather than the bits (for nan:canonical/arithmetic).
export function toText(mod, only, floatResult) {
  const lines = ['(module', '  (memory (export "mem") 1 1)'];
  const kept = mod.funcs.filter((f) => !only || f.name === only);
  const usesMemory = kept.some((f) => [f.root, ...f.inits.map((i) => i.value),
    ...(mod.callees || []).map((c) => c.body)].some(function mem(n) {
    return n.op === 'load' || n.op === 'store-then' || n.kids.some(mem);
  }));
  if (usesMemory) {
    const bytes = mod.data[0].bytes.map((b) => '\\' + b.toString(16).padStart(2, '0')).join('');
    for (let i = 0; i < bytes.length; i += 96) {
      lines.push(`  ${i ? '     ' : '(data (i32.const 0)'} "${bytes.slice(i, i + 96)}"`);
    }
    lines[lines.length - 1] += ')';
  }
  for (const c of mod.callees || []) {
    const params = c.params.length ? ` (param ${c.params.join(' ')})` : '';
    lines.push(`  (func${params} (result ${c.result})`, `    ${nodeText(c.body)})`);
  }
  for (const f of mod.funcs) {
    if (only && f.name !== only) continue;
    let root = f.root, results = f.results;
    if (floatResult && root.wrap) {
      root = root.kids[0];
      results = [root.type];
    }
    const locals = f.locals.length ? ` (local ${f.locals.join(' ')})` : '';
    lines.push(`  (func (export "${f.name}") (result ${results.join(' ')})${locals}`);
    for (const init of f.inits) lines.push(`    (local.set ${init.index} ${nodeText(init.value)})`);
    lines.push(`    ${nodeText(root)})`);
  }
  lines.push(')');
  return lines.join('\n');
}

// Every subtree of a function's root with a setter, for the reducer.
export function subtrees(f) {
  const out = [];
  const walk = (n, set) => {
    out.push([n, set]);
    n.kids.forEach((k, i) => walk(k, (v) => { n.kids[i] = v; }));
  };
  walk(f.root, (v) => { f.root = v; });
  return out;
}
