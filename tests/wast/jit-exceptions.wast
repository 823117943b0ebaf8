;; Exceptions unwinding through compiled and interpreted frames in any mix
;; (docs/JIT.md, "Exceptions"). ctest runs this script in every tier; under
;; --tier=auto --tier-threshold=5 the "warm" calls compile the functions
;; they run while the functions only the later commands call stay
;; interpreted, so those commands cross the tiers (compiled -> interpreted
;; -> compiled ...), and loops tier up by on-stack replacement inside try
;; blocks.

(module $lib
  (tag $e (export "e") (param i32))
  (func (export "throw") (param i32) (throw $e (local.get 0)))
)
(register "lib" $lib)

(module
  (import "lib" "e" (tag $e (param i32)))
  (import "lib" "throw" (func $lib_throw (param i32)))
  (tag $f (param i64 f64 i32))
  (tag $empty)

  (func $thrower (param i32) (throw $e (local.get 0)))
  (func $thrower_f (param i64) (throw $f (local.get 0) (f64.const 2.5) (i32.const 3)))
  (func $ident (param i32) (result i32) (local.get 0))
  (func $div (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))

  ;; $top calls $mid only when asked: warming $top does not warm $mid.
  (func $mid (param i32) (call $thrower (local.get 0)))
  (func $top (param $x i32) (param $via_mid i32) (result i32)
    (local $acc i32)
    (local.set $acc (i32.const 100))
    (block $h (result i32)
      (try_table (catch $e $h)
        (local.set $acc (i32.add (local.get $acc) (i32.const 1)))
        (if (local.get $via_mid)
          (then (call $mid (local.get $x)))
          (else (call $thrower (local.get $x)))))
      (i32.const -1))
    ;; the payload plus a local written in the try body
    (local.get $acc)
    (i32.add))
  (func (export "warm") (result i32) (local $i i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (call $top (local.get $i) (i32.const 0))))
      (drop (call $div (i32.const 10) (i32.const 2)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 10))))
    (local.get $s))
  ;; compiled $top -> interpreted $mid -> compiled $thrower, caught in $top
  (func (export "mixed") (param i32) (result i32) (call $top (local.get 0) (i32.const 1)))

  ;; a handler in an interpreted frame for a compiled thrower
  (func $catch_in_mid (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (call $thrower (local.get 0)))
      (i32.const -1)))
  (func (export "catch-in-mid") (param i32) (result i32)
    (i32.add (call $catch_in_mid (local.get 0)) (i32.const 1000)))

  ;; operand values below the try block and locals in registers survive
  (func (export "stack-values") (param $a i32) (param $b f64) (result f64)
    (local $i i32) (local $d f64)
    (local.set $d (f64.const 0.5))
    (f64.convert_i32_s (local.get $a))
    (block $h (result i32)
      (try_table (catch $e $h)
        (loop $l
          (local.set $d (f64.add (local.get $d) (local.get $b)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (if (i32.eq (local.get $i) (i32.const 20)) (then (call $thrower (local.get $i))))
          (br $l)))
      (unreachable))
    (f64.convert_i32_s)
    (f64.add)
    (local.get $d)
    (f64.add))

  ;; a loop that tiers up (on-stack replacement) inside a try block and
  ;; throws from inside it: caught by that block, in the compiled frame
  (func (export "osr-in-try") (param $n i32) (result i32) (local $i i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (loop $l
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (if (i32.eq (local.get $i) (local.get $n)) (then (throw $e (i32.mul (local.get $i) (i32.const 2)))))
          (br $l)))
      (unreachable)))

  ;; the same loop, but the throw comes after the try block: the frame's
  ;; handler does not cover it, the interpreted caller's does
  (func $osr_past (param $n i32) (result i32) (local $i i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (loop $l
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $n)))))
      (throw $e (i32.add (local.get $i) (i32.const 7))))
    (i32.add (i32.const 100000)))
  (func (export "osr-past-try") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (drop (call $osr_past (local.get 0))))
      (i32.const -1)))

  ;; an interpreted frame tail-calls a compiled function that throws
  ;; outside its own try block
  (func $tc (param i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $e $h) (call $ident (local.get 0)))
      (throw $e))
    (i32.add (i32.const 100000)))
  (func (export "warm-tc") (result i32) (local $i i32) (local $s i32)
    (loop $l
      (block $h (result i32)
        (try_table (catch $e $h) (drop (call $tc (local.get $i))))
        (i32.const -1))
      (local.get $s) (i32.add) (local.set $s)
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 10))))
    (local.get $s))
  (func $tail_caller (param i32) (result i32) (return_call $tc (local.get 0)))
  (func (export "tail") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (drop (call $tail_caller (local.get 0))))
      (i32.const -1)))

  ;; another instance's thrower and catcher
  (func (export "cross-instance") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (call $lib_throw (local.get 0)))
      (i32.const -1)))

  ;; several values in the payload, catch_ref and throw_ref to an outer handler
  (func (export "payload") (param i64) (result f64)
    (local $x i64) (local $y f64) (local $z i32)
    (block $outer (result i64 f64 i32)
      (try_table (catch $f $outer)
        (block $inner (result i64 f64 i32 exnref)
          (try_table (catch_ref $f $inner) (call $thrower_f (local.get 0)))
          (unreachable))
        (local.set $z (i32.const 1000))
        (throw_ref)
        (drop) (drop) (drop))
      (unreachable))
    (local.set $z (i32.add (local.get $z)))
    (local.set $y)
    (local.set $x)
    (f64.add (f64.add (f64.convert_i64_s (local.get $x)) (local.get $y)) (f64.convert_i32_s (local.get $z))))

  ;; catch_all and catch_all_ref
  (func (export "catch-all") (param i32) (result i32)
    (block $h
      (try_table (catch_all $h) (call $thrower (local.get 0)))
      (return (i32.const -1)))
    (i32.const 7))
  (func (export "catch-all-ref") (param i32) (result i32)
    (block $h2 (result i32)
      (try_table (catch $e $h2)
        (block $h (result exnref)
          (try_table (catch_all_ref $h) (call $thrower (local.get 0)))
          (unreachable))
        (throw_ref))
      (unreachable)))
  (func (export "null-throw-ref") (throw_ref (ref.null exn)))

  ;; traps are not exceptions: catch_all does not catch them
  (func (export "trap-all") (param i32) (result i32)
    (block $h
      (try_table (catch_all $h) (return (call $div (i32.const 1) (local.get 0)))))
    (i32.const -1))
  (func (export "trap-all-ref") (result i32)
    (block $h (result exnref)
      (try_table (catch_all_ref $h) (unreachable))
      (ref.null exn))
    (drop)
    (i32.const -1))
  (func (export "trap-mid") (param i32) (result i32)
    (block $h
      (try_table (catch_all $h) (drop (call $catch_in_mid_div (local.get 0))))
      (return (i32.const 5)))
    (i32.const -1))
  (func $catch_in_mid_div (param i32) (result i32)
    (block $h
      (try_table (catch_all $h) (return (call $div (i32.const 1) (local.get 0)))))
    (i32.const -2))

  ;; deep recursion with a handler per level; the innermost throws
  (func $rec (param $n i32) (result i32) (local $v i32)
    (if (i32.eqz (local.get $n)) (then (call $thrower (i32.const 1))))
    (block $h (result i32)
      (try_table (catch $e $h)
        (return (call $rec (i32.sub (local.get $n) (i32.const 1)))))
      (unreachable))
    ;; rethrow one more than caught; every third level returns it
    (local.set $v (i32.add (i32.const 1)))
    (if (i32.rem_u (local.get $n) (i32.const 3)) (then (call $thrower (local.get $v))))
    (local.get $v))
  (func (export "recurse") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (return (call $rec (local.get 0))))
      (unreachable))
    (i32.add (i32.const 10000)))

  ;; legacy: try/catch/catch_all/rethrow/delegate
  (func (export "legacy") (param i32) (result i32)
    (try (result i32)
      (do
        (try (result i32)
          (do (call $thrower (local.get 0)) (i32.const -1))
          (catch $e (i32.add (i32.const 10)) (drop) (rethrow 0))))
      (catch $e (i32.add (i32.const 100)))))
  (func $delegating (param i32) (result i32)
    (try (result i32)
      (do (try (result i32) (do (call $thrower (local.get 0)) (i32.const -1)) (delegate 1)))
      (catch_all (i32.const -2))))
  (func (export "delegate") (param i32) (result i32)
    (try (result i32)
      (do (call $delegating (local.get 0)))
      (catch $e (i32.add (i32.const 1000)))))
  (func (export "legacy-trap") (result i32)
    (try (result i32)
      (do (call $div (i32.const 1) (i32.const 0)))
      (catch_all (i32.const -1))))

  ;; exceptions escaping to the embedder
  (func (export "escape") (param i32) (result i32) (call $top_no_catch (local.get 0)) (i32.const 0))
  (func $top_no_catch (param i32)
    (block $h
      (try_table (catch $empty $h) (call $mid (local.get 0))))))

(assert_return (invoke "warm") (i32.const 1055))
(assert_return (invoke "mixed" (i32.const 5)) (i32.const 106))
(assert_return (invoke "catch-in-mid" (i32.const 6)) (i32.const 1006))
(assert_return (invoke "stack-values" (i32.const 3) (f64.const 0.25)) (f64.const 28.5))
(assert_return (invoke "osr-in-try" (i32.const 40)) (i32.const 80))
(assert_return (invoke "osr-in-try" (i32.const 3)) (i32.const 6))
(assert_return (invoke "osr-past-try" (i32.const 50)) (i32.const 57))
(assert_return (invoke "warm-tc") (i32.const 45))
(assert_return (invoke "tail" (i32.const 8)) (i32.const 8))
(assert_return (invoke "cross-instance" (i32.const 9)) (i32.const 9))
(assert_return (invoke "payload" (i64.const 20)) (f64.const 1025.5))
(assert_return (invoke "catch-all" (i32.const 1)) (i32.const 7))
(assert_return (invoke "catch-all-ref" (i32.const 11)) (i32.const 11))
(assert_trap (invoke "null-throw-ref") "null exception reference")
(assert_trap (invoke "trap-all" (i32.const 0)) "integer divide by zero")
(assert_return (invoke "trap-all" (i32.const 1)) (i32.const 1))
(assert_trap (invoke "trap-all-ref") "unreachable")
(assert_trap (invoke "trap-mid" (i32.const 0)) "integer divide by zero")
(assert_return (invoke "recurse" (i32.const 1)) (i32.const 10002))
(assert_return (invoke "recurse" (i32.const 2)) (i32.const 10003))
(assert_return (invoke "recurse" (i32.const 3)) (i32.const 4))
(assert_return (invoke "recurse" (i32.const 30)) (i32.const 4))
(assert_return (invoke "recurse" (i32.const 100)) (i32.const 4))
(assert_return (invoke "legacy" (i32.const 4)) (i32.const 104))
(assert_return (invoke "delegate" (i32.const 4)) (i32.const 1004))
(assert_trap (invoke "legacy-trap") "integer divide by zero")
(assert_exception (invoke "escape" (i32.const 1)))
(assert_return (invoke "mixed" (i32.const 6)) (i32.const 107))
(assert_exception (invoke "escape" (i32.const 2)))
(assert_return (invoke "warm") (i32.const 1055))
