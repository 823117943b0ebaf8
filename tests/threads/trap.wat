;; A trap in a thread other than the main one ends the whole program (its
;; main thread is blocked in an endless memory.atomic.wait) with that trap.
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "env" "memory" (memory 1 1 shared))
  (func (export "wasi_thread_start") (param i32 i32)
    (drop (memory.atomic.wait32 (i32.const 8) (i32.const 0) (i64.const 50000000)))
    (unreachable))
  (func (export "_start")
    (drop (call $spawn (i32.const 0)))
    (drop (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const -1)))))
