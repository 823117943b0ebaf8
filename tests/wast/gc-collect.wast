;; The collector keeps what is reachable and only that: references in
;; locals, operand slots (across allocations and calls), block results,
;; globals, tables, element segments, exception payloads and objects
;; themselves survive; long lists and cycles are traced without recursion.
;; Run with KITE_GC_STRESS=1 (every allocation collects) as well.

(module
  (type $pair (struct (field (mut anyref)) (field (mut anyref))))
  (type $box (struct (field (mut i64))))
  (type $list (struct (field i32) (field (mut (ref null $list)))))
  (type $refs (array (mut anyref)))
  (type $bytes (array (mut i8)))
  (type $fn (func (param anyref anyref) (result anyref)))
  (tag $t (param (ref $box) anyref))

  (global $keep (mut anyref) (ref.null any))
  (table $tab 4 anyref)
  (table $fns 1 funcref)
  (elem (table $fns) (i32.const 0) func $mkpair)
  (elem $seg anyref (item (struct.new $box (i64.const 77))) (item (ref.i31 (i32.const 5))))

  (func $churn
    (local $i i32)
    (loop $l
      (drop (array.new_default $bytes (i32.const 65536)))
      (drop (struct.new $box (i64.const 0)))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 160)))))
  (func $churn-i32 (result i32) (call $churn) (i32.const 0))
  (func $box (param i64) (result (ref $box)) (struct.new $box (local.get 0)))
  (func $unbox (param anyref) (result i64) (struct.get $box 0 (ref.cast (ref $box) (local.get 0))))
  (func $mkpair (param anyref anyref) (result anyref) (struct.new $pair (local.get 0) (local.get 1)))

  ;; Fresh objects as operands of allocations and calls that collect.
  (func (export "operands") (result i64)
    (local $p (ref $pair))
    (local.set $p
      (struct.new $pair
        (call $box (i64.const 1))
        (struct.new $pair (call $box (i64.const 2)) (call $box (i64.const 3)))))
    (call $churn)
    (i64.add
      (call $unbox (struct.get $pair 0 (local.get $p)))
      (i64.add
        (call $unbox (struct.get $pair 0 (ref.cast (ref $pair) (struct.get $pair 1 (local.get $p)))))
        (call $unbox (struct.get $pair 1 (ref.cast (ref $pair) (struct.get $pair 1 (local.get $p))))))))

  ;; A reference below a call's arguments, and the arguments themselves.
  (func $add3 (param anyref i32 anyref) (result i64)
    (call $churn)
    (i64.add (call $unbox (local.get 0)) (call $unbox (local.get 2))))
  (func (export "call-args") (result i64)
    (i64.add
      (call $unbox (call $box (i64.const 100)))
      (i64.add
        (struct.get $box 0 (call $box (i64.const 10)))
        (call $add3 (call $box (i64.const 20)) (call $churn-i32) (call $box (i64.const 30))))))
  (func (export "below-call") (result i64)
    (local $x anyref)
    ;; (box 5) waits in an operand slot while $churn-i32 runs
    (call $unbox (call $mkpair-first (call $box (i64.const 5)) (call $churn-i32))))
  (func $mkpair-first (param anyref i32) (result anyref) (local.get 0))

  ;; array.new_fixed of fresh objects, array.new filled with one, copies.
  (func (export "arrays") (result i64)
    (local $a (ref $refs)) (local $b (ref $refs)) (local $i i32) (local $sum i64)
    (local.set $a (array.new_fixed $refs 4
      (call $box (i64.const 1)) (call $box (i64.const 2)) (call $box (i64.const 3)) (call $box (i64.const 4))))
    (local.set $b (array.new $refs (call $box (i64.const 1000)) (i32.const 8)))
    (call $churn)
    (array.copy $refs $refs (local.get $b) (i32.const 2) (local.get $a) (i32.const 0) (i32.const 4))
    (drop (array.new_default $refs (i32.const 10000)))
    (call $churn)
    (loop $l
      (local.set $sum (i64.add (local.get $sum) (call $unbox (array.get $refs (local.get $b) (local.get $i)))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 8))))
    (local.get $sum))

  ;; A list of n nodes, built and summed with a collection in the middle
  ;; (traced without recursion however long it is).
  (func $build (param $n i32) (result (ref null $list))
    (local $l (ref null $list))
    (loop $b
      (local.set $l (struct.new $list (local.get $n) (local.get $l)))
      (br_if $b (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $l))
  (func (export "list") (param $n i32) (result i64)
    (local $l (ref null $list)) (local $sum i64)
    (local.set $l (call $build (local.get $n)))
    (call $churn)
    (loop $s
      (local.set $sum (i64.add (local.get $sum) (i64.extend_i32_u (struct.get $list 0 (local.get $l)))))
      (br_if $s (i32.eqz (ref.is_null (local.tee $l (struct.get $list 1 (local.get $l)))))))
    (local.get $sum))

  ;; An array of n boxes: n entries for the mark stack at once.
  (func (export "wide") (param $n i32) (result i64)
    (local $a (ref $refs)) (local $i i32) (local $sum i64)
    (local.set $a (array.new_default $refs (local.get $n)))
    (loop $f
      (array.set $refs (local.get $a) (local.get $i) (call $box (i64.extend_i32_u (local.get $i))))
      (br_if $f (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (call $churn)
    (local.set $i (i32.const 0))
    (loop $s
      (local.set $sum (i64.add (local.get $sum) (call $unbox (array.get $refs (local.get $a) (local.get $i)))))
      (br_if $s (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $sum))

  ;; A cycle kept by a global, another dropped.
  (func (export "cycle") (result i64)
    (local $a (ref $pair)) (local $b (ref $pair))
    (local.set $a (struct.new $pair (ref.null any) (call $box (i64.const 9))))
    (local.set $b (struct.new $pair (local.get $a) (ref.null any)))
    (struct.set $pair 0 (local.get $a) (local.get $b))
    (global.set $keep (local.get $a))
    (local.set $a (struct.new $pair (ref.null any) (ref.null any)))
    (struct.set $pair 0 (local.get $a) (local.get $a))
    (call $churn)
    (call $unbox (struct.get $pair 1
      (ref.cast (ref $pair) (struct.get $pair 0 (ref.cast (ref $pair) (struct.get $pair 0
        (ref.cast (ref $pair) (global.get $keep)))))))))

  ;; Tables and element segments.
  (func (export "tables") (result i64)
    (table.set $tab (i32.const 0) (call $box (i64.const 40)))
    (table.fill $tab (i32.const 1) (call $box (i64.const 1)) (i32.const 2))
    (drop (table.grow $tab (call $box (i64.const 2)) (i32.const 2)))
    (call $churn)
    (i64.add (call $unbox (table.get $tab (i32.const 0)))
      (i64.add (call $unbox (table.get $tab (i32.const 2)))
        (i64.add (call $unbox (table.get $tab (i32.const 5)))
          (call $unbox (array.get $refs (array.new_elem $refs $seg (i32.const 0) (i32.const 2)) (i32.const 0)))))))

  ;; Exception payloads: caught after collections.
  (func (export "exception") (result i64)
    (local $a (ref null $box)) (local $b anyref)
    (block $h (result (ref $box) anyref)
      (try_table (catch $t $h)
        (throw $t (call $box (i64.const 7)) (call $box (i64.const 8))))
      (unreachable))
    (call $churn)
    (local.set $b)
    (local.set $a)
    (call $churn)
    (i64.add (struct.get $box 0 (local.get $a)) (call $unbox (local.get $b))))
  (func (export "exnref") (result i64)
    (local $e exnref) (local $a (ref null $box)) (local $b anyref)
    (local.set $e
      (block $h (result exnref)
        (try_table (catch_all_ref $h)
          (throw $t (call $box (i64.const 3)) (call $box (i64.const 4))))
        (unreachable)))
    (call $churn)
    (block $h2 (result (ref $box) anyref)
      (try_table (catch $t $h2) (throw_ref (local.get $e)))
      (unreachable))
    (local.set $b)
    (local.set $a)
    (call $churn)
    (i64.add (struct.get $box 0 (local.get $a)) (call $unbox (local.get $b))))

  ;; Block results, br_on_cast and indirect calls with references in flight.
  (func (export "blocks") (result i64)
    (local $r anyref)
    (local.set $r
      (block $out (result anyref)
        (br_on_cast $out anyref (ref $box)
          (block (result anyref) (call $box (i64.const 12))))
        (unreachable)))
    (call $churn)
    (i64.add (call $unbox (local.get $r))
      (call $unbox (struct.get $pair 1 (ref.cast (ref $pair)
        (call_indirect $fns (type $fn) (call $box (i64.const 1)) (call $box (i64.const 13)) (i32.const 0)))))))

  ;; Tail calls pass references on.
  (func $count (param $n i32) (param $acc anyref) (result i64)
    (if (i32.eqz (local.get $n)) (then (return (call $unbox (local.get $acc)))))
    (return_call $count (i32.sub (local.get $n) (i32.const 1))
      (call $box (i64.add (call $unbox (local.get $acc)) (i64.const 1)))))
  (func (export "tail") (param i32) (result i64) (return_call $count (local.get 0) (call $box (i64.const 0))))

  ;; Garbage only: many short-lived objects.
  (func (export "garbage") (param $n i32) (result i64)
    (local $keep (ref $box))
    (local.set $keep (call $box (i64.const 42)))
    (loop $l
      (drop (struct.new $pair (call $box (i64.const 1)) (array.new_default $bytes (i32.const 100))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (struct.get $box 0 (local.get $keep)))
)

(assert_return (invoke "operands") (i64.const 6))
(assert_return (invoke "call-args") (i64.const 160))
(assert_return (invoke "below-call") (i64.const 5))
(assert_return (invoke "arrays") (i64.const 4010))
(assert_return (invoke "list" (i32.const 3000)) (i64.const 4501500))
(assert_return (invoke "wide" (i32.const 3000)) (i64.const 4498500))
(assert_return (invoke "cycle") (i64.const 9))
(assert_return (invoke "tables") (i64.const 120))
(assert_return (invoke "exception") (i64.const 15))
(assert_return (invoke "exnref") (i64.const 7))
(assert_return (invoke "blocks") (i64.const 25))
(assert_return (invoke "tail" (i32.const 1000)) (i64.const 1000))
(assert_return (invoke "garbage" (i32.const 30000)) (i64.const 42))
(assert_return (invoke "cycle") (i64.const 9))

;; Arrays too large for the heap are a trap, whatever the element type.
(module
  (type $bytes (array (mut i8)))
  (type $wide (array (mut i64)))
  (type $refs (array (mut anyref)))
  (func (export "bytes") (param i32) (result i32) (array.len (array.new_default $bytes (local.get 0))))
  (func (export "wide") (param i32) (result i32) (array.len (array.new $wide (i64.const 1) (local.get 0))))
  (func (export "refs") (param i32) (result i32) (array.len (array.new $refs (ref.i31 (i32.const 3)) (local.get 0))))
)
(assert_return (invoke "bytes" (i32.const 0)) (i32.const 0))
(assert_return (invoke "bytes" (i32.const 100000)) (i32.const 100000))
(assert_trap (invoke "bytes" (i32.const -1)) "array too large")
(assert_trap (invoke "wide" (i32.const 0x10000000)) "array too large")
(assert_trap (invoke "refs" (i32.const -1)) "array too large")
