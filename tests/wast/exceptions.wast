;; Exceptions: caught in Wasm, or escaping to the host as assert_exception,
;; after which the instance keeps working.

(module
  (tag $e (param i32))
  (tag $other)
  (func $throw (export "throw") (param i32) (throw $e (local.get 0)))
  (func (export "throw-other") (throw $other))
  (func (export "catch") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (call $throw (local.get 0)))
      (i32.const -1)))
  (func (export "catch-all") (result i32)
    (block $h
      (try_table (catch_all $h) (throw $other))
      (return (i32.const -1)))
    (i32.const 1))
  (func (export "no-throw") (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $e $h) (i32.const 9))))
)

(assert_exception (invoke "throw" (i32.const 1)))
(assert_return (invoke "catch" (i32.const 5)) (i32.const 5))
(assert_exception (invoke "throw-other"))
(assert_return (invoke "catch-all") (i32.const 1))
(assert_return (invoke "no-throw") (i32.const 9))
(assert_exception (invoke "throw" (i32.const 2)))
(assert_return (invoke "catch" (i32.const 6)) (i32.const 6))
