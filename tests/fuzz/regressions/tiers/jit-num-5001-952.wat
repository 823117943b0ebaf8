;; tests/fuzz/diff.mjs --ref kite:--tier=interp --test kite:--tier=jit (numeric generator, seed 5001,
;; module 952) against the compiler tier's work in progress (kite-jit 9094815+): the
;; tiers disagreed: kite:--tier=interp: result n:41d76468ad000000 / kite:--tier=jit: result n:41d3c6af37c00000
(module
  (memory (export "mem") 1 1)
  (func (export "e0_x_f32") (result i32) (local i64 i64 f32)
    (local.set 0 (i64.const 0))
    (local.set 1 (i64.const 0))
    (local.set 2 (f32.const 0))
    (i32.reinterpret_f32 (if (result f32) (i64.ge_s (i64.shl (i64.const 64) (i64.const 1311768467463790320)) (i64.const 32767)) (then (f32.convert_i64_u (i64.const 1311768467463790320))) (else (f32.const 0)))))
)
