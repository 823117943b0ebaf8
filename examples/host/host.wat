;; The module of the `host` example: it imports two host functions.
(module
  (import "host" "log" (func $log (param i32 i32)))            ;; a string in memory
  (import "host" "check" (func $check (param i32) (result i32))) ;; traps on a negative value
  (memory (export "memory") 1)
  (data (i32.const 0) "hello from wasm")
  (func (export "greet")
    (call $log (i32.const 0) (i32.const 15)))
  (func $validate (export "validate") (param i32) (result i32)
    (call $check (local.get 0)))
  (func $average (export "average") (param $sum i32) (param $count i32) (result i32)
    (i32.div_s (call $validate (local.get $sum)) (local.get $count))))
