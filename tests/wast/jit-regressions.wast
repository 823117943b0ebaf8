;; Cases the compiler tier once got wrong; run in every tier (ctest own-wast,
;; own-wast-jit, own-wast-auto).

;; i32.add of an i32.shl by more than 3, both operands loaded into
;; temporaries and the result a local kept in a register: the compiler ran
;; out of temporary registers (found by CoreMark).
(module
  (memory 1)
  (data (i32.const 0) "\03\00\00\00\05\00\00\00")
  (func (export "shl-add") (param i32) (result i32) (local i32 i32)
    (loop
      (local.set 1 (i32.add (i32.load (i32.const 0)) (i32.shl (i32.load (i32.const 4)) (i32.const 5))))
      (local.set 2 (i32.add (local.get 2) (local.get 1)))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br_if 0 (local.get 0)))
    (local.get 2))
  (func (export "shl-add-same") (param i32) (result i32) (local i32)
    (loop
      (local.set 1 (i32.add (local.get 1) (i32.add (i32.load (i32.const 4)) (i32.shl (i32.load (i32.const 4)) (i32.const 4)))))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br_if 0 (local.get 0)))
    (local.get 1)))
(assert_return (invoke "shl-add" (i32.const 3)) (i32.const 489))
(assert_return (invoke "shl-add-same" (i32.const 2)) (i32.const 170))

;; select with both values constants or with a float local, and fused float
;; chains whose operands all come from memory (register pressure).
(module
  (memory 1)
  (data (i32.const 0) "\00\00\00\00\00\00\f0\3f\00\00\00\00\00\00\00\40")
  (global $g (mut i32) (i32.const 6))
  (func (export "select-consts") (param i32) (result i32)
    (select (i32.const 2) (global.get $g) (local.get 0)))
  (func (export "select-float-local") (param i32) (result f64) (local f64 f64)
    (local.set 1 (f64.const 1.5))
    (local.set 2 (f64.load (i32.const 8)))
    (loop (local.set 1 (f64.add (local.get 1) (local.get 2)))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br_if 0 (local.get 0)))
    (select (local.get 1) (f64.const -1) (i32.const 1)))
  (func (export "chain") (result f64)
    (f64.sub (f64.load (i32.const 0)) (f64.mul (f64.load (i32.const 8)) (f64.load (i32.const 0)))))
  (func (export "chain-r") (result f64)
    (f64.sub (f64.mul (f64.load (i32.const 8)) (f64.load (i32.const 8))) (f64.load (i32.const 0)))))
(assert_return (invoke "select-consts" (i32.const 1)) (i32.const 2))
(assert_return (invoke "select-consts" (i32.const 0)) (i32.const 6))
(assert_return (invoke "select-float-local" (i32.const 3)) (f64.const 7.5))
(assert_return (invoke "chain") (f64.const -1))
(assert_return (invoke "chain-r") (f64.const 3))

;; memory.size into a local kept in a register: the result went to a
;; temporary and the register kept the old value (found by the zig
;; allocator under --tier=auto: memory.grow's result != the size before).
(module
  (memory 1 10)
  (memory $s 1 10 shared)
  (func (export "grow-minus-size") (result i32) (local i32)
    (local.set 0 (memory.size))
    (i32.sub (memory.grow (i32.const 1)) (local.get 0)))
  (func (export "shared-grow-minus-size") (result i32) (local i32)
    (local.set 0 (memory.size $s))
    (i32.sub (memory.grow $s (i32.const 1)) (local.get 0)))
  (func (export "size-twice") (result i32) (local i32 i32)
    (local.set 0 (memory.size))
    (local.set 1 (i32.add (local.get 0) (local.get 0)))
    (i32.add (local.get 1) (local.get 0))))
(assert_return (invoke "grow-minus-size") (i32.const 0))
(assert_return (invoke "grow-minus-size") (i32.const 0))
(assert_return (invoke "shared-grow-minus-size") (i32.const 0))
(assert_return (invoke "size-twice") (i32.const 9))

;; An i64 shift reads its count slot as 32 bits; the register that load
;; left behind must not serve a later 64-bit read of the same slot (here
;; the constant 0x123456789abcdef0, converted from its low half only).
;; Found by the differential driver (tests/fuzz/regressions/tiers/jit-num-5001-952.wat).
(module
  (func (export "shl-count-then-convert") (result i32) (local i64 i64 f32)
    (local.set 0 (i64.const 0))
    (local.set 1 (i64.const 0))
    (local.set 2 (f32.const 0))
    (i32.reinterpret_f32
      (if (result f32)
        (i64.ge_s (i64.shl (i64.const 64) (i64.const 1311768467463790320)) (i64.const 32767))
        (then (f32.convert_i64_u (i64.const 1311768467463790320)))
        (else (f32.const 0))))))
(assert_return (invoke "shl-count-then-convert") (i32.const 1569825460))

;; i32.rem_s by -1 skips the division; a value cached in rax/rdx must be
;; stored on that path too (it was stored only on the dividing path).
;; Found by the differential driver (tests/fuzz/regressions/tiers/jit-num-5001-1702.wat).
(module
  (memory 1 1)
  (func (export "rem-by-minus-one-keeps-live-values") (result i32) (local i32 i64 f32)
    (local.set 0 (i32.const 65535))
    (i32.eq
      (i64.le_u (i64.const 0) (i64.load8_s (i64.le_u (local.get 1) (i64.const 0))))
      (i32.rem_s (i32.const 1) (i32.extend16_s (local.get 0))))))
(assert_return (invoke "rem-by-minus-one-keeps-live-values") (i32.const 0))

;; Slots hold f32 bits zero-extended (the translator drops i64.extend_i32_u
;; and the reinterprets); an f32 temporary written back with a 32-bit store
;; left the slot's high half as it was. $fill leaves -1 where $probe's
;; scratch slots will be. Found by the differential driver in the sanitizer
;; build (num-1-140: ASan fills fresh stack with 0xbe).
(module
  (memory 1)
  (data (i32.const 0) "\ff\ff")
  (func $nop)
  (func $fill (local i64 i64 i64 i64 i64 i64 i64 i64)
    (local.set 0 (i64.const -1)) (local.set 1 (i64.const -1))
    (local.set 2 (i64.const -1)) (local.set 3 (i64.const -1))
    (local.set 4 (i64.const -1)) (local.set 5 (i64.const -1))
    (local.set 6 (i64.const -1)) (local.set 7 (i64.const -1))
    (call $nop))
  (func $probe (result i64)
    (i64.extend_i32_u (i32.reinterpret_f32
      (f32.copysign (f32.convert_i32_s (i32.load16_s (i32.const 0)))
                    (f32.convert_i64_u (i64.const 0x20000000000001))))))
  (func (export "f32-slot-high-half") (result i64)
    (call $fill)
    (call $probe))
  (func (export "f32-after-i64") (param $x i64) (param $y i32) (result i64)
    (drop (i64.add (local.get $x) (i64.const 0)))
    (i64.extend_i32_u (i32.reinterpret_f32 (f32.convert_i32_s (local.get $y)))))
  (func (export "load16s-after-i64") (param $x i64) (result i64)
    (drop (i64.add (local.get $x) (i64.const 0)))
    (i64.extend_i32_u (i32.load16_s (i32.const 0)))))
(assert_return (invoke "f32-slot-high-half") (i64.const 0x3f800000))
(assert_return (invoke "f32-after-i64" (i64.const -1) (i32.const 1)) (i64.const 0x3f800000))
(assert_return (invoke "load16s-after-i64" (i64.const -1)) (i64.const 0xffffffff))
