;; Exceptions are GC objects: payloads holding GC references survive the
;; collections that happen between throw and catch, while the exception is
;; held by a local, a global, a table or another exception, and across
;; rethrows; what nothing holds is freed (ctest gc-stress runs this with a
;; collection at every allocation, gc-small-heap with a 2 MB heap).

(module
  (type $node (struct (field i32) (field (ref null $node))))
  (type $bytes (array (mut i8)))
  (tag $list (param (ref null $node)))
  (tag $pair (param i32 (ref $bytes)))
  (tag $ext (param externref))
  (tag $wrapped (param exnref))
  (global $g (mut exnref) (ref.null exn))
  (table $t 4 exnref)

  (func $list (param $n i32) (result (ref null $node))
    (local $l (ref null $node))
    (block $done
      (loop $b
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $l (struct.new $node (local.get $n) (local.get $l)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $b)))
    (local.get $l))
  (func $sum (param $l (ref null $node)) (result i32)
    (local $s i32)
    (block $done
      (loop $b
        (br_if $done (ref.is_null (local.get $l)))
        (local.set $s (i32.add (local.get $s) (struct.get $node 0 (local.get $l))))
        (local.set $l (struct.get $node 1 (local.get $l)))
        (br $b)))
    (local.get $s))
  (func $garbage (param $n i32)
    (loop $b
      (drop (array.new_default $bytes (i32.const 200)))
      (br_if $b (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))

  ;; A list thrown from a callee, garbage made before the catch sees it.
  (func $thrower (param $n i32)
    (local $l (ref null $node))
    (local.set $l (call $list (local.get $n)))
    (call $garbage (i32.const 20))
    (throw $list (local.get $l)))
  (func (export "catch-list") (param $n i32) (result i32)
    (block $h (result (ref null $node))
      (try_table (catch $list $h) (call $thrower (local.get $n)))
      (unreachable))
    (call $garbage (i32.const 20))
    (call $sum))

  ;; A struct below the try_table on the operand stack, and one in the
  ;; payload, while the throw allocates the exception.
  (func (export "under-throw") (result i32)
    (local $x i32) (local $a (ref null $bytes))
    (call $list (i32.const 3))
    (block $h (result i32 (ref $bytes))
      (try_table (catch $pair $h)
        (throw $pair (i32.const 5) (array.new $bytes (i32.const 9) (i32.const 9))))
      (unreachable))
    (call $garbage (i32.const 10))
    (local.set $a)
    (local.set $x)
    (call $sum)
    (local.get $x)
    (i32.add)
    (i32.add (array.get_u $bytes (local.get $a) (i32.const 8))))

  ;; Kept in a global and a table, then rethrown after collections.
  (func (export "keep") (param $n i32)
    (block $h (result exnref)
      (try_table (catch_all_ref $h) (throw $list (call $list (local.get $n))))
      (unreachable))
    (global.set $g)
    (table.set $t (i32.const 2) (global.get $g))
    (global.set $g (ref.null exn)))
  (func (export "rethrow-kept") (result i32)
    (call $garbage (i32.const 30))
    (block $h (result (ref null $node))
      (try_table (catch $list $h) (throw_ref (table.get $t (i32.const 2))))
      (unreachable))
    (call $sum))
  (func (export "drop-kept") (table.set $t (i32.const 2) (ref.null exn)))

  ;; An exception carried in another one's payload.
  (func (export "wrapped") (param $n i32) (result i32)
    (local $x exnref)
    (block $o (result exnref)
      (try_table (catch $wrapped $o)
        (block $i (result (ref null $node) exnref)
          (try_table (catch_ref $list $i) (throw $list (call $list (local.get $n))))
          (unreachable))
        (local.set $x)
        (drop)
        (call $garbage (i32.const 10))
        (throw $wrapped (local.get $x)))
      (unreachable))
    (call $garbage (i32.const 10))
    (block $h (param exnref) (result (ref null $node))
      (try_table (param exnref) (catch $list $h) (throw_ref))
      (unreachable))
    (call $sum))

  ;; A host reference in a payload.
  (func (export "ext") (param externref) (result externref)
    (block $h (result externref)
      (try_table (catch $ext $h)
        (call $garbage (i32.const 5))
        (throw $ext (local.get 0)))
      (unreachable))
    (call $garbage (i32.const 5)))

  ;; Many throws: what is caught and dropped is freed.
  (func (export "churn") (param $n i32) (result i32)
    (local $s i32)
    (loop $b
      (block $h (result i32 (ref $bytes))
        (try_table (catch $pair $h)
          (throw $pair (local.get $n) (array.new_default $bytes (i32.const 5000))))
        (unreachable))
      (drop)
      (local.set $s (i32.add (local.get $s)))
      (br_if $b (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $s))

  (func (export "escape") (param $n i32) (throw $list (call $list (local.get $n))))
)

(assert_return (invoke "catch-list" (i32.const 10)) (i32.const 55))
(assert_return (invoke "under-throw") (i32.const 20))
(invoke "keep" (i32.const 20))
(assert_return (invoke "rethrow-kept") (i32.const 210))
(assert_return (invoke "rethrow-kept") (i32.const 210))
(invoke "drop-kept")
(assert_return (invoke "wrapped" (i32.const 6)) (i32.const 21))
(assert_return (invoke "ext" (ref.extern 42)) (ref.extern 42))
(assert_return (invoke "churn" (i32.const 2000)) (i32.const 2001000))
(assert_exception (invoke "escape" (i32.const 100)))
(assert_return (invoke "catch-list" (i32.const 4)) (i32.const 10))

;; Legacy exceptions: rethrow of a caught exception after collections.
(module
  (type $node (struct (field i32) (field (ref null $node))))
  (tag $e (param (ref null $node)))
  (func $garbage (param $n i32)
    (loop $b
      (drop (struct.new $node (local.get $n) (ref.null $node)))
      (br_if $b (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  (func (export "rethrow") (result i32)
    (try (result i32)
      (do
        (try
          (do (throw $e (struct.new $node (i32.const 33) (ref.null $node))))
          (catch $e
            (drop)
            (call $garbage (i32.const 50))
            (rethrow 0)))
        (i32.const -1))
      (catch $e
        (call $garbage (i32.const 50))
        (struct.get $node 0))))
  (func (export "delegate") (result i32)
    (try (result i32)
      (do
        (try
          (do (throw $e (struct.new $node (i32.const 44) (ref.null $node))))
          (delegate 0))
        (i32.const -1))
      (catch $e
        (call $garbage (i32.const 50))
        (struct.get $node 0))))
)

(assert_return (invoke "rethrow") (i32.const 33))
(assert_return (invoke "delegate") (i32.const 44))
