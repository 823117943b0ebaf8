;; kite explore: the translated code of each function (tests/explore/fusions.expect
;; lists what the listing must show).
(module
  (memory 1)
  (global $sp (mut i32) (i32.const 1024))
  ;; a loop: address arithmetic folded into the load and the store, the
  ;; compare fused with the backward branch, local.set retargeting results
  (func $sum (export "sum") (param $n i32) (result i32)
    (local $i i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (i32.load offset=8 (i32.add (local.get $i) (i32.const 16)))))
      (i32.store (i32.add (global.get $sp) (i32.shl (local.get $i) (i32.const 2))) (local.get $s))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_s (local.get $i) (local.get $n))))
    (local.get $s))
  ;; a float chain
  (func (export "axpy") (param $a f64) (param $x f64) (param $y f64) (result f64)
    (f64.add (f64.mul (local.get $a) (local.get $x)) (local.get $y)))
  ;; a jump table
  (func (export "pick") (param i32) (result i32)
    (block (block (block (br_table 0 1 2 (local.get 0))) (return (i32.const 10))) (return (i32.const 20)))
    (i32.const 30))
  ;; calls, and a trap
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.le_u (local.get $n) (i32.const 1))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func (export "boom") (unreachable)))
