;; 200 threads: each marks the byte at 1024 + its id; every id must be
;; positive and different (200 bytes marked once). Exit status 0 or the check.
;;
;; memory: 0 threads done, 1024.. one byte per thread id
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "env" "memory" (memory 1 1 shared))
  (func $check (param i32 i32) (if (i32.eqz (local.get 0)) (then (call $exit (local.get 1)))))
  (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
    (call $check (i32.and (i32.gt_s (local.get $tid) (i32.const 0))
                          (i32.lt_s (local.get $tid) (i32.const 60000))) (i32.const 2))
    (drop (i32.atomic.rmw8.add_u (i32.add (i32.const 1024) (local.get $tid)) (i32.const 1)))
    (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
    (drop (memory.atomic.notify (i32.const 0) (i32.const 1))))
  (func (export "_start") (local $i i32) (local $done i32) (local $sum i32)
    (loop $s
      (call $check (i32.gt_s (call $spawn (local.get $i)) (i32.const 0)) (i32.const 1))
      (br_if $s (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 200))))
    (loop $w
      (local.set $done (i32.atomic.load (i32.const 0)))
      (if (i32.lt_u (local.get $done) (i32.const 200))
        (then (drop (memory.atomic.wait32 (i32.const 0) (local.get $done) (i64.const -1)))
              (br $w))))
    (local.set $i (i32.const 1024))
    (loop $c
      (call $check (i32.le_u (i32.load8_u (local.get $i)) (i32.const 1)) (i32.const 3))
      (local.set $sum (i32.add (local.get $sum) (i32.load8_u (local.get $i))))
      (br_if $c (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 65536))))
    (call $check (i32.eq (local.get $sum) (i32.const 200)) (i32.const 4))))
