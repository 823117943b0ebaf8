;; A futex-style mutex (i32.atomic.rmw.cmpxchg, memory.atomic.wait32 and
;; notify) guards a plain counter that 8 threads increment 20000 times each;
;; odd threads wait with a 50 us timeout and retry, even ones without one.
;; Then timeouts and mismatches of wait on their own. Exit status 0, or the
;; number of the check that failed.
;;
;; memory: 0 lock (0 free, 1 held), 4 counter, 8 threads done, 12 timeouts seen
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "env" "memory" (memory 1 1 shared))
  (func $check (param i32 i32) (if (i32.eqz (local.get 0)) (then (call $exit (local.get 1)))))
  (func $lock (param $timed i32)
    (loop $try
      (if (i32.atomic.rmw.cmpxchg (i32.const 0) (i32.const 0) (i32.const 1))
        (then
          (if (local.get $timed)
            (then (if (i32.eq (memory.atomic.wait32 (i32.const 0) (i32.const 1) (i64.const 50000))
                              (i32.const 2))
                    (then (drop (i32.atomic.rmw.add (i32.const 12) (i32.const 1))))))
            (else (drop (memory.atomic.wait32 (i32.const 0) (i32.const 1) (i64.const -1)))))
          (br $try)))))
  (func $unlock
    (i32.atomic.store (i32.const 0) (i32.const 0))
    (drop (memory.atomic.notify (i32.const 0) (i32.const 1))))
  (func (export "wasi_thread_start") (param $tid i32) (param $timed i32) (local $n i32)
    (local.set $n (i32.const 20000))
    (loop $again
      (call $lock (local.get $timed))
      (i32.store (i32.const 4) (i32.add (i32.load (i32.const 4)) (i32.const 1)))
      (call $unlock)
      (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (drop (i32.atomic.rmw.add (i32.const 8) (i32.const 1)))
    (drop (memory.atomic.notify (i32.const 8) (i32.const 1))))
  (func (export "_start") (local $i i32) (local $done i32)
    (loop $s
      (call $check (i32.gt_s (call $spawn (i32.and (local.get $i) (i32.const 1))) (i32.const 0))
                   (i32.const 10))
      (br_if $s (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 8))))
    (loop $w
      (local.set $done (i32.atomic.load (i32.const 8)))
      (if (i32.lt_u (local.get $done) (i32.const 8))
        (then (drop (memory.atomic.wait32 (i32.const 8) (local.get $done) (i64.const -1)))
              (br $w))))
    (call $check (i32.eq (i32.load (i32.const 4)) (i32.const 160000)) (i32.const 1))
    ;; a wait nobody ends: timed out (2) after its 10 ms
    (call $check (i32.eq (memory.atomic.wait32 (i32.const 100) (i32.const 0) (i64.const 10000000))
                         (i32.const 2)) (i32.const 2))
    (call $check (i32.eq (memory.atomic.wait64 (i32.const 104) (i64.const 0) (i64.const 0))
                         (i32.const 2)) (i32.const 3))
    ;; a value that differs: not-equal (1) at once
    (call $check (i32.eq (memory.atomic.wait32 (i32.const 4) (i32.const 0) (i64.const -1))
                         (i32.const 1)) (i32.const 4))
    ;; nobody waits: notify wakes no one
    (call $check (i32.eqz (memory.atomic.notify (i32.const 100) (i32.const -1))) (i32.const 5))))
