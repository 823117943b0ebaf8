;; proc_exit in a thread other than the main one ends the program with its
;; code; the main thread spins and another thread waits forever.
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "env" "memory" (memory 1 1 shared))
  (func (export "wasi_thread_start") (param i32) (param $which i32)
    (if (local.get $which)
      (then (drop (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const -1))))
      (else (drop (memory.atomic.wait32 (i32.const 4) (i32.const 0) (i64.const 50000000)))
            (call $exit (i32.const 7)))))
  (func (export "_start")
    (drop (call $spawn (i32.const 1)))
    (drop (call $spawn (i32.const 0)))
    (loop (br 0))))
