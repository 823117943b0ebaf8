// V8's side of the differential fuzzer: run a module the way diff_exec.c
// runs it under kite, and return the same trace (see diff_exec.c for the
// lines and the import semantics). Runs in the driver's own process.

const wasmTag = new WebAssembly.Tag({ parameters: ['i32'] });
const j2wasmTag = new WebAssembly.Tag({ parameters: ['externref'] });
const PAGE = 65536;
const TABLE_ENTRIES_SHOWN = 64;

function number(x) {
  if (Number.isNaN(x)) return 'nan';
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, x, true);
  return 'n:' + b.getBigUint64(0, true).toString(16).padStart(16, '0');
}

// A value as diff_exec.c's print_val/print_ref print it.
export function printed(x) {
  if (x === null) return 'null';
  switch (typeof x) {
    case 'number': return number(x);
    case 'bigint': return BigInt.asIntN(64, x).toString();
    case 'function': return 'function';
    case 'undefined': return 'undefined';
    case 'object':
      if (x instanceof Error) return 'jserror:' + x.name;
      if (Object.hasOwn(x, 'payload')) return `externref(${x.payload})`;
      return 'object';
    default: return typeof x;
  }
}

function isLimit(e) {
  if (e instanceof RangeError && /call stack/i.test(e.message)) return true;
  if (e instanceof WebAssembly.RuntimeError && /too large|out of memory/i.test(e.message)) return true;
  return false;
}

// The outcome of a call that did not return, as a trace word.
function outcome(e) {
  if (isLimit(e)) return 'limit ' + e.message;
  if (e instanceof WebAssembly.RuntimeError) return 'trap v8:' + e.message;
  if (e instanceof WebAssembly.Exception) return 'exception';
  return 'jsthrow ' + printed(e);
}

function hashMemory(buffer) {
  const words = new Uint32Array(buffer, 0, buffer.byteLength >>> 2);
  let h = 2166136261;
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i], 16777619);
  return (h >>> 0).toString(16).padStart(8, '0');
}

export function runV8(bytes) {
  const out = [];
  let module;
  try {
    module = new WebAssembly.Module(bytes);
  } catch (e) {
    return 'compile-error ' + e.message + '\n';
  }
  const exportList = [];
  let exportsObj = {};
  let tempRet0 = 0;

  const callFunc = (func) => func.apply(null, new Array(func.length).fill(null));
  // Catches exceptions (1), not traps or host limits.
  const tryCall = (f) => {
    try {
      f();
      return 0;
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError || isLimit(e)) throw e;
      return 1;
    }
  };
  const log = (x) => { out.push('log ' + printed(x)); };
  const support = {
    'log-i32': log, 'log-i64': log, 'log-f32': log, 'log-f64': log, 'log-v128': log,
    'log-anyref': log, 'log-funcref': log, 'log-externref': log,
    'throw': (which) => {
      if (!which) throw new Error('js exception');
      throw new WebAssembly.Exception(wasmTag, [which]);
    },
    'table-get': (i) => {
      const t = exportsObj.table;
      return t.get(typeof t.length === 'bigint' ? BigInt(i >>> 0) : i >>> 0);
    },
    'table-set': (i, v) => {
      const t = exportsObj.table;
      t.set(typeof t.length === 'bigint' ? BigInt(i >>> 0) : i >>> 0, v);
    },
    'call-export': (index) => { callFunc(exportList[index].value); },
    'call-export-catch': (index) => tryCall(() => callFunc(exportList[index].value)),
    'call-ref': (ref) => { callFunc(ref); },
    'call-ref-catch': (ref) => tryCall(() => callFunc(ref)),
    'sleep': (ms, id) => id,
    'log-branch': (actual, expected, id) => {
      out.push(`log-branch ${actual} ${expected} ${id}`);
      return actual;
    },
    'wasmtag': wasmTag,
    'jstag': WebAssembly.JSTag,
  };
  const imports = {
    'fuzzing-support': support,
    'env': { setTempRet0: (x) => { tempRet0 = x; }, getTempRet0: () => tempRet0 },
    'imports': { 'j2wasm.ExceptionUtils.tag': j2wasmTag },
  };
  // binaryen's payload objects for imported globals; anything else unknown
  // is a link error on both sides.
  for (const { module: m, name, kind } of WebAssembly.Module.imports(module)) {
    if (kind === 'global') {
      let payload = 0;
      for (const s of [m, name]) for (const c of Buffer.from(s, 'utf8')) payload = (payload + c) % 251;
      imports[m] ??= {};
      imports[m][name] = { payload };
    } else if (!imports[m] || !(name in imports[m])) {
      return 'instantiate link-error\n';
    }
  }
  let instance;
  try {
    instance = new WebAssembly.Instance(module, imports);
  } catch (e) {
    if (e instanceof WebAssembly.LinkError) return 'instantiate link-error\n';
    // The start function's logs come first, as under kite.
    out.push('instantiate ' + outcome(e));
    return out.join('\n') + '\n';
  }
  out.push('instantiate ok');
  const exportDescs = WebAssembly.Module.exports(module);
  for (const { name } of exportDescs) {
    exportsObj[name] = instance.exports[name];
    exportList.push({ name, value: instance.exports[name] });
  }
  const state = () => {
    for (const { name, kind } of exportDescs) {
      const v = instance.exports[name];
      if (kind === 'memory') {
        const buf = v.buffer;
        out.push(`mem ${name} ${buf.byteLength / PAGE} ${hashMemory(buf)}`);
      } else if (kind === 'table') {
        const big = typeof v.length === 'bigint';
        const size = Number(v.length), shown = [];
        for (let k = 0; k < size && k < TABLE_ENTRIES_SHOWN; k++) {
          try { shown.push(printed(v.get(big ? BigInt(k) : k))); } catch (e) { shown.push('unreadable'); }
        }
        out.push(`table ${name} ${size}` + (shown.length ? ' ' + shown.join(',') : ''));
      } else if (kind === 'global') {
        let s;
        try { s = printed(v.value); } catch (e) { s = 'unreadable'; }
        out.push(`global ${name} ${s}`);
      }
    }
  };
  for (const { name, kind } of exportDescs) {
    if (kind !== 'function') continue;
    out.push('call ' + name);
    try {
      const r = callFunc(instance.exports[name]);
      if (r === undefined) out.push('result');
      else if (Array.isArray(r)) out.push(['result', ...r.map(printed)].join(' '));
      else out.push('result ' + printed(r));
    } catch (e) {
      out.push(outcome(e));
    }
    state();
  }
  return out.join('\n') + '\n';
}
