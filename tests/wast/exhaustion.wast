;; Call stack exhaustion is a trap like any other: the store stays usable and
;; the same instance runs further invocations normally afterwards.

(module
  (type $v (func))
  (table funcref (elem $indirect))
  (global $n (mut i32) (i32.const 0))

  (func $f (export "f") (call $f))
  (func $g (export "g") (param i32) (result i32)
    (call $g (i32.add (local.get 0) (i32.const 1))))
  (func $indirect (export "indirect") (call_indirect (type $v) (i32.const 0)))

  (func (export "id") (param i32) (result i32) (local.get 0))
  (func (export "count") (result i32)
    (global.set $n (i32.add (global.get $n) (i32.const 1)))
    (global.get $n))

  ;; Finite recursion, 1000 frames deep.
  (func $sum (export "sum") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 0))
      (else (i64.add (local.get 0) (call $sum (i64.sub (local.get 0) (i64.const 1)))))))

  ;; Tail calls do not grow the stack.
  (func $loop (export "loop") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 42))
      (else (return_call $loop (i32.sub (local.get 0) (i32.const 1))))))
)

(assert_exhaustion (invoke "f") "call stack exhausted")
(assert_return (invoke "id" (i32.const 7)) (i32.const 7))
(assert_exhaustion (invoke "g" (i32.const 0)) "call stack exhausted")
(assert_return (invoke "count") (i32.const 1))
(assert_exhaustion (invoke "indirect") "call stack exhausted")
(assert_return (invoke "count") (i32.const 2))
(assert_return (invoke "sum" (i64.const 1000)) (i64.const 500500))
(assert_exhaustion (invoke "f") "call stack exhausted")
(assert_return (invoke "sum" (i64.const 1000)) (i64.const 500500))
(assert_return (invoke "loop" (i32.const 1000000)) (i32.const 42))
(assert_return (invoke "count") (i32.const 3))
