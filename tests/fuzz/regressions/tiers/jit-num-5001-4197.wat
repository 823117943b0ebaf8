;; tests/fuzz/diff.mjs --ref kite:--tier=interp --test kite:--tier=jit (numeric generator, seed 5001,
;; module 4197) against the compiler tier's work in progress (kite-jit 9094815+): the
;; tiers disagreed: kite:--tier=interp: result -2147483649 / kite:--tier=jit: result 2147483647
(module
  (memory (export "mem") 1 1)
  (func (export "e0_x_f64") (result i64) (local i64 f32 f32 f64 f64)
    (local.set 0 (i64.const 0))
    (local.set 1 (f32.const 0))
    (local.set 2 (f32.const 0))
    (local.set 3 (f64.const 0))
    (local.set 4 (f64.const 0))
    (i64.reinterpret_f64 (f64.reinterpret_i64 (i64.or (i64.shr_s (i64.const 8445391966559608686) (i64.const -2147483649)) (i64.const -2147483649)))))
)
