// Checks of the differential fuzzer's own comparison (run first by
// diff-run.sh --short): what must count as a difference does, what the spec
// allows does not, and each equivalence the driver learned from a false
// alarm (kept here as its regression test) still holds.

import { compareTraces } from './diff.mjs';
import * as numgen from './numgen.mjs';

let failures = 0;
function expect(status, ref, test, why) {
  const r = compareTraces(ref, test);
  if (r.status !== status) {
    failures++;
    console.log(`FAIL ${why}: expected ${status}, got ${r.status} (${r.ref} | ${r.test})`);
  }
}

const call = (name, line) => `instantiate ok\ncall ${name}\n${line}\n`;
const f32 = (bits) => {
  // an i32 result as the trace shows it: the double of the signed value
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, bits | 0);
  return 'result n:' + dv.getBigUint64(0).toString(16).padStart(16, '0');
};
const f64 = (bits) => `result ${BigInt.asIntN(64, bits)}`;

// Real differences.
expect('mismatch', call('f', 'result n:3ff0000000000000'), call('f', 'result n:4000000000000000'), 'results');
expect('mismatch', call('f', 'trap v8:unreachable'), call('f', 'trap integer divide by zero'), 'trap kinds');
expect('mismatch', call('f', 'result'), call('f', 'trap unreachable'), 'a trap where there is none');
expect('mismatch', call('f', 'exception'), call('f', 'jsthrow null'), 'exception kinds');
expect('mismatch', 'instantiate ok\ncall f\nresult\nmem m 1 0000abcd\n', 'instantiate ok\ncall f\nresult\nmem m 1 0000abce\n', 'memory');
expect('mismatch', call('f', 'result'), call('f', 'result') + 'crash SIGSEGV\n', 'a crash');
expect('mismatch', call('e1_x_i32', f32(0x7fc00000)), call('e1_x_i32', f32(0x7fc00001)), 'integer bits');
expect('mismatch', call('e1_x_f32', f32(0x7fa00000)), call('e1_x_f32', f32(0x7fe00000)), 'exact NaN bits');
expect('mismatch', call('e1_c_f32', f32(0x7fc00000)), call('e1_c_f32', f32(0x7fc00001)), 'canonical NaN required');
expect('mismatch', call('e1_a_f32', f32(0x7fc00000)), call('e1_a_f32', f32(0x7fa00000)), 'arithmetic NaN required');
expect('mismatch', call('e1_c_f64', f64(0x7ff8000000000000n)), call('e1_c_f64', f64(0x7ff8000000000001n)), 'f64 canonical');
expect('mismatch', call('e1_a_f32', f32(0x3f800000)), call('e1_a_f32', f32(0x7fc00000)), 'NaN for a number');

// What the spec allows, and what the engines say differently for the same thing.
expect('same', call('e1_c_f32', f32(0x7fc00000)), call('e1_c_f32', f32(0xffc00000)), 'canonical NaN, either sign');
expect('same', call('e1_a_f64', f64(0x7ff8000000000000n)), call('e1_a_f64', f64(0xfff8000000000123n)), 'any arithmetic NaN');
expect('same', call('e1_n_f32', f32(0x7fc00000)), call('e1_n_f32', f32(0x7f800001)), 'any NaN');
expect('same', call('f', 'trap v8:float unrepresentable in integer range'), call('f', 'trap integer overflow'), 'trunc overflow');
expect('same', call('f', 'trap v8:float unrepresentable in integer range'), call('f', 'trap invalid conversion to integer'), 'trunc NaN');
expect('same', call('f', 'trap v8:divide result unrepresentable'), call('f', 'trap integer overflow'), 'div overflow');
expect('same', call('f', 'trap v8:rethrowing null value'), call('f', 'trap null exception reference'), 'throw_ref null');
expect('same', call('f', 'trap v8:dereferencing a null pointer'), call('f', 'trap null structure reference'), 'null');
expect('same', call('f', 'trap v8:table index is out of bounds'), call('f', 'trap undefined element'), 'call_indirect bounds');
expect('same', call('f', 'trap v8:null function or function signature mismatch'), call('f', 'trap uninitialized element'), 'null entry');
expect('same', call('f', 'trap v8:null function'), call('f', 'trap uninitialized element'), 'call_indirect null entry');
expect('same', 'instantiate ok\ncall f\nresult\nglobal g unreadable\n', 'instantiate ok\ncall f\nresult\nglobal g null\n', 'exnref global');
expect('same', 'instantiate ok\ncall f\nresult\ntable t 2 unreadable,unreadable\n', 'instantiate ok\ncall f\nresult\ntable t 2 null,unreadable\n', 'exnref table');
expect('mismatch', 'instantiate ok\ncall f\nresult\ntable t 2 null,function\n', 'instantiate ok\ncall f\nresult\ntable t 2 null,null\n', 'table entries');
expect('limit', call('f', 'limit Maximum call stack size exceeded'), call('f', 'result'), 'stack limit');
expect('limit', call('f', 'result\nlog n:0'), call('f', 'limit call stack exhausted'), 'a limit stops the comparison');
expect('same', 'compile-error x\n', 'compile-error y\n', 'both refuse');
expect('unsupported', call('f', 'result'), call('f', 'unsupported helper: throw'), 'a tier that cannot run it');

// numgen's soundness: bits that are not exact never reach a place that
// needs them exact (a call returning an arithmetic NaN once reached a
// store and copysign's sign: false alarms on memory and on a sqrt's sign).
for (let seed = 1; seed <= 300; seed++) {
  const mod = numgen.generate(seed);
  mod.funcs.forEach((f, i) => {
    const name = f.name;
    if (!numgen.refresh(f, Number(/^e(\d+)_/.exec(name)[1])) || f.name !== name) {
      failures++;
      console.log(`FAIL numgen seed ${seed}: ${name} is unsound or misclassified (${f.name})`);
    }
  });
}

console.log(`diff.mjs self-test: ${failures ? failures + ' FAILED' : 'all passed'}`);
process.exitCode = failures ? 1 : 0;
