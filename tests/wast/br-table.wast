;; br_table: every target, the default, out-of-range and huge indices, and
;; branches that carry several values.

(module
  (func (export "switch") (param i32) (result i32)
    (block $d
      (block $c
        (block $b
          (block $a
            (br_table $a $b $c $d (local.get 0)))
          (return (i32.const 100)))
        (return (i32.const 101)))
      (return (i32.const 102)))
    (i32.const 103))
  (func (export "values") (param i32) (result i32 i32)
    (block $x (result i32 i32)
      (block $y (result i32 i32)
        (i32.const 1) (i32.const 2)
        (br_table $x $y $x (local.get 0)))
      (drop) (drop)
      (i32.const 3) (i32.const 4)))
  (func (export "loop") (param i32) (result i32) (local $n i32)
    ;; counts down through a br_table back edge
    (loop $top
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (block $out
        (br_table $out $top (i32.ne (local.get 0) (i32.const 0)))))
    (local.get $n))
)

(assert_return (invoke "switch" (i32.const 0)) (i32.const 100))
(assert_return (invoke "switch" (i32.const 1)) (i32.const 101))
(assert_return (invoke "switch" (i32.const 2)) (i32.const 102))
(assert_return (invoke "switch" (i32.const 3)) (i32.const 103))
(assert_return (invoke "switch" (i32.const 4)) (i32.const 103))
(assert_return (invoke "switch" (i32.const -1)) (i32.const 103))
(assert_return (invoke "switch" (i32.const 0x80000000)) (i32.const 103))
(assert_return (invoke "values" (i32.const 0)) (i32.const 1) (i32.const 2))
(assert_return (invoke "values" (i32.const 1)) (i32.const 3) (i32.const 4))
(assert_return (invoke "values" (i32.const 2)) (i32.const 1) (i32.const 2))
(assert_return (invoke "values" (i32.const 100)) (i32.const 1) (i32.const 2))
(assert_return (invoke "loop" (i32.const 5)) (i32.const 5))
(assert_return (invoke "loop" (i32.const 1)) (i32.const 1))
