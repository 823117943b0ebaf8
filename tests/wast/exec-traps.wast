;; Traps carry the spec's messages, leave no partial effects behind, and the
;; instance keeps working after them.

(module
  (type $ii (func (param i32) (result i32)))
  (type $v (func))
  (memory 1)
  (table 2 funcref)
  (elem (i32.const 0) $id)
  (func $id (param i32) (result i32) (local.get 0))

  (func (export "unreachable") (unreachable))
  (func (export "div_s") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "div_u") (param i64 i64) (result i64) (i64.div_u (local.get 0) (local.get 1)))
  (func (export "rem_s") (param i32 i32) (result i32) (i32.rem_s (local.get 0) (local.get 1)))
  (func (export "trunc") (param f32) (result i32) (i32.trunc_f32_s (local.get 0)))
  (func (export "trunc_sat") (param f32) (result i32) (i32.trunc_sat_f32_s (local.get 0)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "call") (param i32 i32) (result i32)
    (call_indirect (type $ii) (local.get 1) (local.get 0)))
  (func (export "call_wrong") (param i32) (call_indirect (type $v) (local.get 0)))
)

(assert_trap (invoke "unreachable") "unreachable")
(assert_trap (invoke "div_s" (i32.const 1) (i32.const 0)) "integer divide by zero")
(assert_trap (invoke "div_s" (i32.const 0x80000000) (i32.const -1)) "integer overflow")
(assert_return (invoke "div_s" (i32.const -7) (i32.const 2)) (i32.const -3))
(assert_trap (invoke "div_u" (i64.const 1) (i64.const 0)) "integer divide by zero")
(assert_return (invoke "div_u" (i64.const -1) (i64.const 2)) (i64.const 0x7fffffffffffffff))
(assert_return (invoke "rem_s" (i32.const 0x80000000) (i32.const -1)) (i32.const 0))
(assert_trap (invoke "trunc" (f32.const nan)) "invalid conversion to integer")
(assert_trap (invoke "trunc" (f32.const 3e9)) "integer overflow")
(assert_return (invoke "trunc" (f32.const -2.75)) (i32.const -2))
(assert_return (invoke "trunc_sat" (f32.const 3e9)) (i32.const 0x7fffffff))
(assert_return (invoke "trunc_sat" (f32.const nan)) (i32.const 0))

;; Memory bounds, including the last bytes and addresses that wrap.
(assert_return (invoke "load" (i32.const 65532)) (i32.const 0))
(assert_trap (invoke "load" (i32.const 65533)) "out of bounds memory access")
(assert_trap (invoke "load" (i32.const -1)) "out of bounds memory access")
(invoke "store" (i32.const 65532) (i32.const 0x01020304))
(assert_trap (invoke "store" (i32.const 65534) (i32.const -1)) "out of bounds memory access")
(assert_return (invoke "load" (i32.const 65532)) (i32.const 0x01020304))

;; Indirect calls: null entry, index past the table, wrong type.
(assert_return (invoke "call" (i32.const 0) (i32.const 5)) (i32.const 5))
(assert_trap (invoke "call" (i32.const 1) (i32.const 5)) "uninitialized element")
(assert_trap (invoke "call" (i32.const 2) (i32.const 5)) "undefined element")
(assert_trap (invoke "call" (i32.const -1) (i32.const 5)) "undefined element")
(assert_trap (invoke "call_wrong" (i32.const 0)) "indirect call type mismatch")
(assert_return (invoke "call" (i32.const 0) (i32.const 6)) (i32.const 6))

;; Traps during instantiation: in the start function, in a data segment.
(assert_trap (module (func $s (unreachable)) (start $s)) "unreachable")
(assert_trap (module (memory 1) (data (i32.const 65536) "a")) "out of bounds memory access")
(assert_trap (module (table 1 funcref) (elem (i32.const 1) $f) (func $f))
  "out of bounds table access")

;; The latest module is still the first one.
(assert_return (invoke "load" (i32.const 65532)) (i32.const 0x01020304))
