;; A shared memory whose reservation ends before its maximum (4 GiB here,
;; run under `ulimit -v` so that neither the guarded layout nor the whole
;; maximum can be reserved): memory.grow gives -1 at the reservation's end,
;; and kite run explains once why the module's own maximum was not reached.
;; Exit status 0, or the number of the check that failed.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "env" "memory" (memory 1 65536 shared))
  (func (export "_start")
    (block $full
      (loop $g (br_if $full (i32.eq (memory.grow (i32.const 1024)) (i32.const -1))) (br $g)))
    (block $full1
      (loop $g1 (br_if $full1 (i32.eq (memory.grow (i32.const 1)) (i32.const -1))) (br $g1)))
    (if (i32.ne (memory.grow (i32.const 1)) (i32.const -1)) (then (call $exit (i32.const 1))))
    (if (i32.ge_u (memory.size) (i32.const 65536)) (then (call $exit (i32.const 2))))
    (if (i32.lt_u (memory.size) (i32.const 1024)) (then (call $exit (i32.const 3))))))
