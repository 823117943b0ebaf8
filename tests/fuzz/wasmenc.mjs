// A small WebAssembly binary encoder for the numeric generator (numgen.mjs).

export function uleb(n) {
  n = BigInt(n);
  const out = [];
  do {
    let b = Number(n & 0x7fn);
    n >>= 7n;
    if (n !== 0n) b |= 0x80;
    out.push(b);
  } while (n !== 0n);
  return out;
}

export function sleb(n) {
  n = BigInt(n);
  const out = [];
  for (;;) {
    const b = Number(n & 0x7fn);
    n >>= 7n;
    if ((n === 0n && !(b & 0x40)) || (n === -1n && (b & 0x40))) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

export function name(s) {
  const b = [...Buffer.from(s, 'utf8')];
  return [...uleb(b.length), ...b];
}

export function vec(items) {
  return [...uleb(items.length), ...items.flat()];
}

export function section(id, body) {
  return [id, ...uleb(body.length), ...body];
}

export const VALTYPE = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c };

// Little-endian bytes of a float constant's bit pattern (a BigInt or number).
export function bitsBytes(bits, size) {
  const out = [];
  let b = BigInt(bits);
  for (let i = 0; i < size; i++) {
    out.push(Number(b & 0xffn));
    b >>= 8n;
  }
  return out;
}

// A module: { types: [{params, results}], funcs: [{type, locals: [t], body: bytes, export}],
// memory: {min, max}, data: [{offset, bytes}], globals: [{type, mutable, init: bytes, export}] }
export function encodeModule(m) {
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  out.push(...section(1, vec(m.types.map((t) =>
    [0x60, ...vec(t.params.map((p) => [VALTYPE[p]])), ...vec(t.results.map((r) => [VALTYPE[r]]))]))));
  out.push(...section(3, vec(m.funcs.map((f) => uleb(f.type)))));
  if (m.memory) out.push(...section(5, vec([[0x01, ...uleb(m.memory.min), ...uleb(m.memory.max)]])));
  if (m.globals?.length) {
    out.push(...section(6, vec(m.globals.map((g) => [VALTYPE[g.type], g.mutable ? 1 : 0, ...g.init, 0x0b]))));
  }
  const exports = [];
  m.funcs.forEach((f, i) => { if (f.export) exports.push([...name(f.export), 0x00, ...uleb(i)]); });
  if (m.memory?.export) exports.push([...name(m.memory.export), 0x02, 0x00]);
  (m.globals || []).forEach((g, i) => { if (g.export) exports.push([...name(g.export), 0x03, ...uleb(i)]); });
  out.push(...section(7, vec(exports)));
  out.push(...section(10, vec(m.funcs.map((f) => {
    const groups = f.locals.map((t) => [0x01, VALTYPE[t]]);
    const body = [...vec(groups), ...f.body, 0x0b];
    return [...uleb(body.length), ...body];
  }))));
  if (m.data?.length) {
    out.push(...section(11, vec(m.data.map((d) =>
      [0x00, 0x41, ...sleb(d.offset), 0x0b, ...vec(d.bytes.map((b) => [b]))]))));
  }
  return Uint8Array.from(out);
}
