;; Reduced by tests/fuzz/diff.mjs from the mismatch that showed the differential
;; fuzzer catches a broken numeric instruction: with i32.rotl masking its count with
;; 15 instead of 31 (a scratch build), the numeric generator found this within 5 modules.
(module
  (memory (export "mem") 1 1)
  (func (export "e0_x_i64") (result i64) (local i32 i32 i64 i64 f64)
    (local.set 0 (i32.const 0))
    (local.set 1 (i32.const -457178780))
    (local.set 2 (i64.const 0))
    (local.set 3 (i64.const 0))
    (local.set 4 (f64.const 0))
    (i64.trunc_f64_s (f64.convert_i32_s (i32.rotl (local.get 1) (i32.const 65)))))
)
(assert_return (invoke "e0_x_i64") (i64.const -914357559))
