;; A shared memory grown past --max-memory: memory.grow gives -1 (twice),
;; and kite run explains once why the module's own maximum was not reached.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "env" "memory" (memory 1 64 shared))
  (func (export "_start")
    (block $full (loop $g (br_if $full (i32.eq (memory.grow (i32.const 1)) (i32.const -1))) (br $g)))
    (if (i32.ne (memory.grow (i32.const 1)) (i32.const -1)) (then (call $exit (i32.const 1))))
    (if (i32.ne (memory.size) (i32.const 16)) (then (call $exit (i32.const 2))))))
