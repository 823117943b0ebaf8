;; 8 threads each grow a shared memory with a 1 GiB maximum (16384 pages)
;; one page at a time, 1000 times: every grow must succeed (8001 pages in
;; all); then one grow past the maximum gives -1 and changes nothing, one
;; up to exactly the maximum succeeds, and every thread then sees -1.
;; Exit status 0, or the number of the check that failed.
;;
;; memory: 0 threads done, 4 failed grows, 8 threads that saw -1 at the end
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "env" "memory" (memory 1 16384 shared))
  (func $check (param i32 i32) (if (i32.eqz (local.get 0)) (then (call $exit (local.get 1)))))
  (func (export "wasi_thread_start") (param $tid i32) (param $phase i32) (local $n i32)
    (if (i32.eqz (local.get $phase))
      (then
        (local.set $n (i32.const 1000))
        (loop $grow
          (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1))
            (then (drop (i32.atomic.rmw.add (i32.const 4) (i32.const 1)))))
          (br_if $grow (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
      (else
        (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1))
          (then (drop (i32.atomic.rmw.add (i32.const 8) (i32.const 1)))))))
    (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
    (drop (memory.atomic.notify (i32.const 0) (i32.const 1))))
  ;; spawns 8 threads with `phase` and waits until `total` threads are done
  (func $round (param $phase i32) (param $total i32) (local $i i32) (local $done i32)
    (loop $s
      (call $check (i32.gt_s (call $spawn (local.get $phase)) (i32.const 0)) (i32.const 10))
      (br_if $s (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 8))))
    (loop $w
      (local.set $done (i32.atomic.load (i32.const 0)))
      (if (i32.lt_u (local.get $done) (local.get $total))
        (then (drop (memory.atomic.wait32 (i32.const 0) (local.get $done) (i64.const -1)))
              (br $w)))))
  (func (export "_start")
    (call $round (i32.const 0) (i32.const 8))
    (call $check (i32.eqz (i32.atomic.load (i32.const 4))) (i32.const 1))
    (call $check (i32.eq (memory.size) (i32.const 8001)) (i32.const 2))
    (call $check (i32.eq (memory.grow (i32.const 8384)) (i32.const -1)) (i32.const 3))
    (call $check (i32.eq (memory.size) (i32.const 8001)) (i32.const 4))
    (call $check (i32.eq (memory.grow (i32.const 8383)) (i32.const 8001)) (i32.const 5))
    (call $check (i32.eq (memory.size) (i32.const 16384)) (i32.const 6))
    (i32.store (i32.const 1073741820) (i32.const 42))
    (call $round (i32.const 1) (i32.const 16))
    (call $check (i32.eq (i32.atomic.load (i32.const 8)) (i32.const 8)) (i32.const 7))
    (call $check (i32.eq (memory.size) (i32.const 16384)) (i32.const 8))
    (call $check (i32.eq (i32.load (i32.const 1073741820)) (i32.const 42)) (i32.const 9))))
