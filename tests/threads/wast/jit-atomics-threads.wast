;; Threads contending on every kind of read-modify-write (run in every tier:
;; ctest threads-wast-interp/jit/auto; not in tests/wast, whose OOM sweep
;; cannot judge threads): counters by add, sub, a
;; narrow add and a compare-exchange loop; bits that only one thread
;; changes, by or/and and by xor (each old value must show the bit as that
;; thread left it); and a lock (cmpxchg, then a store) around a plain
;; increment. Lost updates or a broken lock show in the totals. The threads
;; start together after a barrier of wait and notify.
(module $Mem
  (memory (export "shared") 1 1 shared))

(thread $T0 (shared (module $Mem))
  (register "mem" $Mem)
  (module
    (memory (import "mem" "shared") 1 1 shared)
    (func (export "run") (param $bit i32) (param $n i32) (local $old i32) (local $v i32)
      ;; a barrier, so that the threads run at the same time: the last to
      ;; arrive wakes the others
      (if (i32.eq (i32.atomic.rmw.add (i32.const 56) (i32.const 1)) (i32.const 3))
        (then (drop (memory.atomic.notify (i32.const 56) (i32.const 3)))))
      ;; (at most 2 s: a thread that never arrives, when an allocation
      ;; failed on purpose, must not hang the others)
      (local.set $old (i32.const 2000))
      (block $all
        (loop $wait
          (br_if $all (i32.ge_u (local.tee $v (i32.atomic.load (i32.const 56))) (i32.const 4)))
          (drop (memory.atomic.wait32 (i32.const 56) (local.get $v) (i64.const 1000000)))
          (br_if $wait (local.tee $old (i32.sub (local.get $old) (i32.const 1))))))
      (loop $again
        (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
        (drop (i64.atomic.rmw.sub (i32.const 8) (i64.const 1)))
        (drop (i32.atomic.rmw8.add_u (i32.const 16) (i32.const 1)))
        ;; an increment by compare-exchange
        (loop $cas
          (local.set $old (i32.atomic.load (i32.const 24)))
          (br_if $cas (i32.ne (local.get $old)
            (i32.atomic.rmw.cmpxchg (i32.const 24) (local.get $old) (i32.add (local.get $old) (i32.const 1))))))
        ;; only this thread changes its bit: or and and see it clear and set
        (if (i32.and (i32.atomic.rmw.or (i32.const 32) (local.get $bit)) (local.get $bit)) (then unreachable))
        (if (i32.eqz (i32.and (i32.atomic.rmw.and (i32.const 32) (i32.xor (local.get $bit) (i32.const -1))) (local.get $bit)))
          (then unreachable))
        (if (i32.and (i32.atomic.rmw16.xor_u (i32.const 36) (local.get $bit)) (local.get $bit)) (then unreachable))
        (if (i32.eqz (i32.and (i32.atomic.rmw16.xor_u (i32.const 36) (local.get $bit)) (local.get $bit))) (then unreachable))
        ;; a lock around a plain increment
        (loop $lock
          (br_if $lock (i32.atomic.rmw8.cmpxchg_u (i32.const 40) (i32.const 0) (i32.const 1))))
        (i32.store (i32.const 48) (i32.add (i32.load (i32.const 48)) (i32.const 1)))
        (i32.atomic.store8 (i32.const 40) (i32.const 0))
        (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))))
  (assert_return (invoke "run" (i32.const 1) (i32.const 50000))))

(thread $T1 (shared (module $Mem))
  (register "mem" $Mem)
  (module
    (memory (import "mem" "shared") 1 1 shared)
    (func (export "run") (param $bit i32) (param $n i32) (local $old i32) (local $v i32)
      ;; a barrier, so that the threads run at the same time: the last to
      ;; arrive wakes the others
      (if (i32.eq (i32.atomic.rmw.add (i32.const 56) (i32.const 1)) (i32.const 3))
        (then (drop (memory.atomic.notify (i32.const 56) (i32.const 3)))))
      ;; (at most 2 s: a thread that never arrives, when an allocation
      ;; failed on purpose, must not hang the others)
      (local.set $old (i32.const 2000))
      (block $all
        (loop $wait
          (br_if $all (i32.ge_u (local.tee $v (i32.atomic.load (i32.const 56))) (i32.const 4)))
          (drop (memory.atomic.wait32 (i32.const 56) (local.get $v) (i64.const 1000000)))
          (br_if $wait (local.tee $old (i32.sub (local.get $old) (i32.const 1))))))
      (loop $again
        (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
        (drop (i64.atomic.rmw.sub (i32.const 8) (i64.const 1)))
        (drop (i32.atomic.rmw8.add_u (i32.const 16) (i32.const 1)))
        ;; an increment by compare-exchange
        (loop $cas
          (local.set $old (i32.atomic.load (i32.const 24)))
          (br_if $cas (i32.ne (local.get $old)
            (i32.atomic.rmw.cmpxchg (i32.const 24) (local.get $old) (i32.add (local.get $old) (i32.const 1))))))
        ;; only this thread changes its bit: or and and see it clear and set
        (if (i32.and (i32.atomic.rmw.or (i32.const 32) (local.get $bit)) (local.get $bit)) (then unreachable))
        (if (i32.eqz (i32.and (i32.atomic.rmw.and (i32.const 32) (i32.xor (local.get $bit) (i32.const -1))) (local.get $bit)))
          (then unreachable))
        (if (i32.and (i32.atomic.rmw16.xor_u (i32.const 36) (local.get $bit)) (local.get $bit)) (then unreachable))
        (if (i32.eqz (i32.and (i32.atomic.rmw16.xor_u (i32.const 36) (local.get $bit)) (local.get $bit))) (then unreachable))
        ;; a lock around a plain increment
        (loop $lock
          (br_if $lock (i32.atomic.rmw8.cmpxchg_u (i32.const 40) (i32.const 0) (i32.const 1))))
        (i32.store (i32.const 48) (i32.add (i32.load (i32.const 48)) (i32.const 1)))
        (i32.atomic.store8 (i32.const 40) (i32.const 0))
        (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))))
  (assert_return (invoke "run" (i32.const 2) (i32.const 50000))))

(thread $T2 (shared (module $Mem))
  (register "mem" $Mem)
  (module
    (memory (import "mem" "shared") 1 1 shared)
    (func (export "run") (param $bit i32) (param $n i32) (local $old i32) (local $v i32)
      ;; a barrier, so that the threads run at the same time: the last to
      ;; arrive wakes the others
      (if (i32.eq (i32.atomic.rmw.add (i32.const 56) (i32.const 1)) (i32.const 3))
        (then (drop (memory.atomic.notify (i32.const 56) (i32.const 3)))))
      ;; (at most 2 s: a thread that never arrives, when an allocation
      ;; failed on purpose, must not hang the others)
      (local.set $old (i32.const 2000))
      (block $all
        (loop $wait
          (br_if $all (i32.ge_u (local.tee $v (i32.atomic.load (i32.const 56))) (i32.const 4)))
          (drop (memory.atomic.wait32 (i32.const 56) (local.get $v) (i64.const 1000000)))
          (br_if $wait (local.tee $old (i32.sub (local.get $old) (i32.const 1))))))
      (loop $again
        (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
        (drop (i64.atomic.rmw.sub (i32.const 8) (i64.const 1)))
        (drop (i32.atomic.rmw8.add_u (i32.const 16) (i32.const 1)))
        ;; an increment by compare-exchange
        (loop $cas
          (local.set $old (i32.atomic.load (i32.const 24)))
          (br_if $cas (i32.ne (local.get $old)
            (i32.atomic.rmw.cmpxchg (i32.const 24) (local.get $old) (i32.add (local.get $old) (i32.const 1))))))
        ;; only this thread changes its bit: or and and see it clear and set
        (if (i32.and (i32.atomic.rmw.or (i32.const 32) (local.get $bit)) (local.get $bit)) (then unreachable))
        (if (i32.eqz (i32.and (i32.atomic.rmw.and (i32.const 32) (i32.xor (local.get $bit) (i32.const -1))) (local.get $bit)))
          (then unreachable))
        (if (i32.and (i32.atomic.rmw16.xor_u (i32.const 36) (local.get $bit)) (local.get $bit)) (then unreachable))
        (if (i32.eqz (i32.and (i32.atomic.rmw16.xor_u (i32.const 36) (local.get $bit)) (local.get $bit))) (then unreachable))
        ;; a lock around a plain increment
        (loop $lock
          (br_if $lock (i32.atomic.rmw8.cmpxchg_u (i32.const 40) (i32.const 0) (i32.const 1))))
        (i32.store (i32.const 48) (i32.add (i32.load (i32.const 48)) (i32.const 1)))
        (i32.atomic.store8 (i32.const 40) (i32.const 0))
        (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))))
  (assert_return (invoke "run" (i32.const 4) (i32.const 50000))))

(thread $T3 (shared (module $Mem))
  (register "mem" $Mem)
  (module
    (memory (import "mem" "shared") 1 1 shared)
    (func (export "run") (param $bit i32) (param $n i32) (local $old i32) (local $v i32)
      ;; a barrier, so that the threads run at the same time: the last to
      ;; arrive wakes the others
      (if (i32.eq (i32.atomic.rmw.add (i32.const 56) (i32.const 1)) (i32.const 3))
        (then (drop (memory.atomic.notify (i32.const 56) (i32.const 3)))))
      ;; (at most 2 s: a thread that never arrives, when an allocation
      ;; failed on purpose, must not hang the others)
      (local.set $old (i32.const 2000))
      (block $all
        (loop $wait
          (br_if $all (i32.ge_u (local.tee $v (i32.atomic.load (i32.const 56))) (i32.const 4)))
          (drop (memory.atomic.wait32 (i32.const 56) (local.get $v) (i64.const 1000000)))
          (br_if $wait (local.tee $old (i32.sub (local.get $old) (i32.const 1))))))
      (loop $again
        (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
        (drop (i64.atomic.rmw.sub (i32.const 8) (i64.const 1)))
        (drop (i32.atomic.rmw8.add_u (i32.const 16) (i32.const 1)))
        ;; an increment by compare-exchange
        (loop $cas
          (local.set $old (i32.atomic.load (i32.const 24)))
          (br_if $cas (i32.ne (local.get $old)
            (i32.atomic.rmw.cmpxchg (i32.const 24) (local.get $old) (i32.add (local.get $old) (i32.const 1))))))
        ;; only this thread changes its bit: or and and see it clear and set
        (if (i32.and (i32.atomic.rmw.or (i32.const 32) (local.get $bit)) (local.get $bit)) (then unreachable))
        (if (i32.eqz (i32.and (i32.atomic.rmw.and (i32.const 32) (i32.xor (local.get $bit) (i32.const -1))) (local.get $bit)))
          (then unreachable))
        (if (i32.and (i32.atomic.rmw16.xor_u (i32.const 36) (local.get $bit)) (local.get $bit)) (then unreachable))
        (if (i32.eqz (i32.and (i32.atomic.rmw16.xor_u (i32.const 36) (local.get $bit)) (local.get $bit))) (then unreachable))
        ;; a lock around a plain increment
        (loop $lock
          (br_if $lock (i32.atomic.rmw8.cmpxchg_u (i32.const 40) (i32.const 0) (i32.const 1))))
        (i32.store (i32.const 48) (i32.add (i32.load (i32.const 48)) (i32.const 1)))
        (i32.atomic.store8 (i32.const 40) (i32.const 0))
        (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))))
  (assert_return (invoke "run" (i32.const 8) (i32.const 50000))))

(wait $T0)
(wait $T1)
(wait $T2)
(wait $T3)

(register "mem" $Mem)
(module
  (memory (import "mem" "shared") 1 1 shared)
  (func (export "i32") (param i32) (result i32) (i32.atomic.load (local.get 0)))
  (func (export "i64") (param i32) (result i64) (i64.atomic.load (local.get 0))))
(assert_return (invoke "i32" (i32.const 0)) (i32.const 200000))
(assert_return (invoke "i64" (i32.const 8)) (i64.const -200000))
(assert_return (invoke "i32" (i32.const 16)) (i32.const 64))
(assert_return (invoke "i32" (i32.const 24)) (i32.const 200000))
(assert_return (invoke "i32" (i32.const 32)) (i32.const 0))
(assert_return (invoke "i32" (i32.const 36)) (i32.const 0))
(assert_return (invoke "i32" (i32.const 40)) (i32.const 0))
(assert_return (invoke "i32" (i32.const 48)) (i32.const 200000))
(assert_return (invoke "i32" (i32.const 56)) (i32.const 4))
