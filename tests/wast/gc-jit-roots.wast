;; References that compiled code holds in registers (locals pinned in a
;; loop, cached temporaries) and in operand slots survive every allocation:
;; the compiled tier writes them back to their slots before an allocation
;; can collect and keys the stack map by the record's pc. Meant to run with
;; KITE_GC_STRESS=1 (ctest gc-stress, gc-stress-jit, gc-stress-auto), where
;; a missed root is collected at once and shows as a wrong sum (or, under
;; the sanitizers, a use after free).

(module
  (type $node (struct (field i32) (field (ref null $node))))
  (type $pair (struct (field (ref null $node)) (field (ref null $node)) (field anyref)))
  (type $nodes (array (mut (ref null $node))))
  (type $bytes (array (mut i8)))

  ;; a list of n nodes built in a loop: the head lives in a register
  (func $list (param $n i32) (result (ref null $node))
    (local $head (ref null $node)) (local $i i32)
    (loop $l
      (local.set $head (struct.new $node (local.get $i) (local.get $head)))
      ;; garbage between the allocations that matter
      (drop (array.new_default $bytes (i32.const 100)))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $head))

  (func $sum (param $p (ref null $node)) (result i32)
    (local $s i32)
    (block $done
      (loop $l
        (br_if $done (ref.is_null (local.get $p)))
        (local.set $s (i32.add (local.get $s) (struct.get $node 0 (local.get $p))))
        (local.set $p (struct.get $node 1 (local.get $p)))
        (br $l)))
    (local.get $s))

  ;; operands of struct.new that are themselves allocations: each is an
  ;; operand slot while the next one allocates
  (func (export "operands") (param $n i32) (result i32)
    (local $p (ref null $pair))
    (local.set $p (struct.new $pair (call $list (local.get $n)) (call $list (local.get $n))
      (array.new $nodes (call $list (local.get $n)) (i32.const 3))))
    (i32.add (i32.add (call $sum (struct.get $pair 0 (local.get $p))) (call $sum (struct.get $pair 1 (local.get $p))))
      (call $sum (array.get $nodes (ref.cast (ref $nodes) (struct.get $pair 2 (local.get $p))) (i32.const 2)))))

  ;; many live references in locals at once, across allocations in a loop
  (func (export "locals") (param $n i32) (result i32)
    (local $a (ref null $node)) (local $b (ref null $node)) (local $c (ref null $node))
    (local $d (ref null $node)) (local $e (ref null $node)) (local $f (ref null $node))
    (local $g (ref null $node)) (local $h (ref null $node)) (local $i i32)
    (loop $l
      (local.set $a (struct.new $node (i32.const 1) (local.get $b)))
      (local.set $b (struct.new $node (i32.const 2) (local.get $c)))
      (local.set $c (struct.new $node (i32.const 3) (local.get $d)))
      (local.set $d (struct.new $node (i32.const 4) (local.get $e)))
      (local.set $e (struct.new $node (i32.const 5) (local.get $f)))
      (local.set $f (struct.new $node (i32.const 6) (local.get $g)))
      (local.set $g (struct.new $node (i32.const 7) (local.get $h)))
      (local.set $h (struct.new $node (i32.const 8) (local.get $a)))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (i32.add (call $sum (local.get $a))
      (i32.add (call $sum (local.get $e)) (call $sum (local.get $h)))))

  ;; an array filled with fresh nodes: the array in a register, each node
  ;; in a slot while array.set stores it
  (func (export "array") (param $n i32) (result i32)
    (local $arr (ref null $nodes)) (local $i i32) (local $s i32)
    (local.set $arr (array.new_default $nodes (local.get $n)))
    (loop $l
      (array.set $nodes (local.get $arr) (local.get $i)
        (struct.new $node (local.get $i) (struct.new $node (i32.const 1) (ref.null $node))))
      (drop (array.new_default $bytes (i32.const 64)))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.set $i (i32.const 0))
    (loop $l
      (local.set $s (i32.add (local.get $s) (call $sum (array.get $nodes (local.get $arr) (local.get $i)))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $s))
)

(assert_return (invoke "operands" (i32.const 100)) (i32.const 14850))
(assert_return (invoke "operands" (i32.const 100)) (i32.const 14850))
(assert_return (invoke "locals" (i32.const 50)) (i32.const 771))
(assert_return (invoke "locals" (i32.const 50)) (i32.const 771))
(assert_return (invoke "array" (i32.const 200)) (i32.const 20100))
(assert_return (invoke "array" (i32.const 200)) (i32.const 20100))
