;; i31 references through every store path that can hold one, in every
;; tier (ctest runs tests/wast under interp, jit and auto): the boundary
;; values 0, 1, -1, 262135, 262136 (where another runtime's compiled store
;; path took the tagged integer for a heap pointer), 2^30-1 and -2^30 go
;; through globals, tables (set, fill, grow, init from an element segment),
;; struct fields (new, set), array elements (new, new_fixed, set, fill,
;; copy, new_elem, init_elem), locals, parameters, results and select, and
;; come back with the same value, type and identity (ref.eq, casts).
;; $sweep returns a bit mask of the paths that lost the value: 0 is right.

(module
  (type $s (struct (field (mut anyref)) (field (mut (ref null i31))) (field (mut eqref))))
  (type $a (array (mut anyref)))
  (type $ai (array (mut i31ref)))
  (global $g (mut anyref) (ref.null any))
  (global $gi (mut i31ref) (ref.i31 (i32.const 0)))
  (global $ge (mut eqref) (ref.null eq))
  (table $t 2 anyref)
  (table $ti 1 i31ref (ref.i31 (i32.const 5)))
  (elem $seg anyref
    (item (ref.i31 (i32.const 0))) (item (ref.i31 (i32.const 1))) (item (ref.i31 (i32.const -1)))
    (item (ref.i31 (i32.const 262135))) (item (ref.i31 (i32.const 262136)))
    (item (ref.i31 (i32.const 0x3fffffff))) (item (ref.i31 (i32.const -0x40000000))))
  (elem $segi i31ref
    (item (ref.i31 (i32.const 0))) (item (ref.i31 (i32.const 1))) (item (ref.i31 (i32.const -1)))
    (item (ref.i31 (i32.const 262135))) (item (ref.i31 (i32.const 262136)))
    (item (ref.i31 (i32.const 0x3fffffff))) (item (ref.i31 (i32.const -0x40000000))))
  (table $seg_t 7 anyref)

  ;; 0 when r is the i31 of x, else `bit`
  (func $is (param $r anyref) (param $x i32) (param $bit i32) (result i32)
    (if (result i32) (ref.test (ref i31) (local.get $r))
      (then (if (result i32) (i32.eq (i31.get_s (ref.cast (ref i31) (local.get $r))) (local.get $x))
              (then (i32.const 0)) (else (local.get $bit))))
      (else (local.get $bit))))

  (func $id (param anyref) (result anyref) (local.get 0))

  (func (export "sweep") (param $x i32) (result i32)
    (local $bad i32) (local $r i31ref) (local $o (ref null $s)) (local $arr (ref null $a))
    (local $arr2 (ref null $a)) (local $e eqref)
    (local.set $r (ref.i31 (local.get $x)))
    ;; globals
    (global.set $g (local.get $r))
    (local.set $bad (call $is (global.get $g) (local.get $x) (i32.const 0x1)))
    (global.set $gi (local.get $r))
    (local.set $bad (i32.or (local.get $bad) (call $is (global.get $gi) (local.get $x) (i32.const 0x2))))
    (global.set $ge (ref.i31 (local.get $x)))
    (local.set $bad (i32.or (local.get $bad) (call $is (global.get $ge) (local.get $x) (i32.const 0x2))))
    ;; tables: set, fill, grow
    (table.set $t (i32.const 0) (local.get $r))
    (local.set $bad (i32.or (local.get $bad) (call $is (table.get $t (i32.const 0)) (local.get $x) (i32.const 0x4))))
    (table.set $ti (i32.const 0) (ref.i31 (local.get $x)))
    (local.set $bad (i32.or (local.get $bad) (call $is (table.get $ti (i32.const 0)) (local.get $x) (i32.const 0x4))))
    (table.fill $t (i32.const 0) (ref.i31 (local.get $x)) (i32.const 2))
    (local.set $bad (i32.or (local.get $bad) (call $is (table.get $t (i32.const 1)) (local.get $x) (i32.const 0x8))))
    (drop (table.grow $t (local.get $r) (i32.const 1)))
    (local.set $bad (i32.or (local.get $bad)
      (call $is (table.get $t (i32.sub (table.size $t) (i32.const 1))) (local.get $x) (i32.const 0x10))))
    ;; struct fields
    (local.set $o (struct.new $s (local.get $r) (local.get $r) (ref.i31 (local.get $x))))
    (local.set $bad (i32.or (local.get $bad) (call $is (struct.get $s 0 (local.get $o)) (local.get $x) (i32.const 0x20))))
    (local.set $bad (i32.or (local.get $bad) (call $is (struct.get $s 1 (local.get $o)) (local.get $x) (i32.const 0x20))))
    (local.set $bad (i32.or (local.get $bad) (call $is (struct.get $s 2 (local.get $o)) (local.get $x) (i32.const 0x20))))
    (local.set $o (struct.new_default $s))
    (struct.set $s 0 (local.get $o) (local.get $r))
    (struct.set $s 1 (local.get $o) (ref.i31 (local.get $x)))
    (struct.set $s 2 (local.get $o) (local.get $r))
    (local.set $bad (i32.or (local.get $bad) (call $is (struct.get $s 0 (local.get $o)) (local.get $x) (i32.const 0x40))))
    (local.set $bad (i32.or (local.get $bad) (call $is (struct.get $s 1 (local.get $o)) (local.get $x) (i32.const 0x40))))
    (local.set $bad (i32.or (local.get $bad) (call $is (struct.get $s 2 (local.get $o)) (local.get $x) (i32.const 0x40))))
    ;; array elements: new, new_fixed, set, fill, copy
    (local.set $arr (array.new $a (local.get $r) (i32.const 3)))
    (local.set $bad (i32.or (local.get $bad) (call $is (array.get $a (local.get $arr) (i32.const 2)) (local.get $x) (i32.const 0x80))))
    (local.set $arr (array.new_fixed $a 2 (ref.null any) (local.get $r)))
    (local.set $bad (i32.or (local.get $bad) (call $is (array.get $a (local.get $arr) (i32.const 1)) (local.get $x) (i32.const 0x100))))
    (array.set $a (local.get $arr) (i32.const 0) (ref.i31 (local.get $x)))
    (local.set $bad (i32.or (local.get $bad) (call $is (array.get $a (local.get $arr) (i32.const 0)) (local.get $x) (i32.const 0x200))))
    (local.set $arr2 (array.new_default $a (i32.const 4)))
    (array.fill $a (local.get $arr2) (i32.const 1) (local.get $r) (i32.const 2))
    (local.set $bad (i32.or (local.get $bad) (call $is (array.get $a (local.get $arr2) (i32.const 2)) (local.get $x) (i32.const 0x400))))
    (array.copy $a $a (local.get $arr2) (i32.const 3) (local.get $arr) (i32.const 0) (i32.const 1))
    (local.set $bad (i32.or (local.get $bad) (call $is (array.get $a (local.get $arr2) (i32.const 3)) (local.get $x) (i32.const 0x800))))
    ;; locals, parameters, results, select, block results
    (local.set $bad (i32.or (local.get $bad) (call $is (call $id (local.get $r)) (local.get $x) (i32.const 0x1000))))
    (local.set $bad (i32.or (local.get $bad)
      (call $is (select (result anyref) (local.get $r) (ref.null any) (local.get $x)) (local.get $x)
        (select (i32.const 0x1000) (i32.const 0) (local.get $x)))))
    (local.set $e (block (result eqref) (br 0 (ref.i31 (local.get $x)))))
    (local.set $bad (i32.or (local.get $bad) (call $is (local.get $e) (local.get $x) (i32.const 0x1000))))
    ;; identity and casts: the same value, an i31 and nothing else
    (if (i32.eqz (ref.eq (local.get $r) (ref.i31 (local.get $x))))
      (then (local.set $bad (i32.or (local.get $bad) (i32.const 0x2000)))))
    (if (ref.eq (local.get $r) (ref.i31 (i32.add (local.get $x) (i32.const 1))))
      (then (local.set $bad (i32.or (local.get $bad) (i32.const 0x2000)))))
    (if (ref.test (ref null struct) (global.get $g))
      (then (local.set $bad (i32.or (local.get $bad) (i32.const 0x4000)))))
    (if (ref.test (ref $s) (global.get $g))
      (then (local.set $bad (i32.or (local.get $bad) (i32.const 0x4000)))))
    (if (i32.eqz (ref.test (ref eq) (global.get $g)))
      (then (local.set $bad (i32.or (local.get $bad) (i32.const 0x4000)))))
    (drop (block $no (result anyref)
      (drop (br_on_cast $no anyref (ref $s) (global.get $g)))
      (drop (br_on_cast_fail $no anyref (ref i31) (global.get $g)))
      (return (local.get $bad))))
    (i32.or (local.get $bad) (i32.const 0x8000)))

  ;; i31.get_u of the swept value
  (func (export "get_u") (param $x i32) (result i32)
    (i31.get_u (ref.cast (ref i31) (array.get $a (array.new $a (ref.i31 (local.get $x)) (i32.const 1)) (i32.const 0)))))

  ;; element segments: element k of each path
  (func (export "seg") (param $k i32) (result i32)
    (local $arr (ref null $a)) (local $ai (ref null $ai)) (local $v i32)
    (local.set $arr (array.new_elem $a $seg (i32.const 0) (i32.const 7)))
    (local.set $v (i31.get_s (ref.cast (ref i31) (array.get $a (local.get $arr) (local.get $k)))))
    (local.set $ai (array.new_default $ai (i32.const 7)))
    (array.init_elem $ai $segi (local.get $ai) (i32.const 0) (i32.const 0) (i32.const 7))
    (if (i32.ne (local.get $v) (i31.get_s (array.get $ai (local.get $ai) (local.get $k))))
      (then (return (i32.const 0x7ffffff0))))
    (table.init $seg_t $seg (i32.const 0) (i32.const 0) (i32.const 7))
    (if (i32.ne (local.get $v) (i31.get_s (ref.cast (ref i31) (table.get $seg_t (local.get $k)))))
      (then (return (i32.const 0x7ffffff1))))
    (local.get $v))
)

(assert_return (invoke "sweep" (i32.const 0)) (i32.const 0))
(assert_return (invoke "sweep" (i32.const 1)) (i32.const 0))
(assert_return (invoke "sweep" (i32.const -1)) (i32.const 0))
(assert_return (invoke "sweep" (i32.const 262135)) (i32.const 0))
(assert_return (invoke "sweep" (i32.const 262136)) (i32.const 0))
(assert_return (invoke "sweep" (i32.const 0x3fffffff)) (i32.const 0))
(assert_return (invoke "sweep" (i32.const -0x40000000)) (i32.const 0))
;; again, after tier auto has compiled everything
(assert_return (invoke "sweep" (i32.const 262136)) (i32.const 0))
(assert_return (invoke "sweep" (i32.const -1)) (i32.const 0))
(assert_return (invoke "sweep" (i32.const -0x40000000)) (i32.const 0))

(assert_return (invoke "get_u" (i32.const 0)) (i32.const 0))
(assert_return (invoke "get_u" (i32.const 1)) (i32.const 1))
(assert_return (invoke "get_u" (i32.const -1)) (i32.const 0x7fffffff))
(assert_return (invoke "get_u" (i32.const 262135)) (i32.const 262135))
(assert_return (invoke "get_u" (i32.const 262136)) (i32.const 262136))
(assert_return (invoke "get_u" (i32.const 0x3fffffff)) (i32.const 0x3fffffff))
(assert_return (invoke "get_u" (i32.const -0x40000000)) (i32.const 0x40000000))

(assert_return (invoke "seg" (i32.const 0)) (i32.const 0))
(assert_return (invoke "seg" (i32.const 1)) (i32.const 1))
(assert_return (invoke "seg" (i32.const 2)) (i32.const -1))
(assert_return (invoke "seg" (i32.const 3)) (i32.const 262135))
(assert_return (invoke "seg" (i32.const 4)) (i32.const 262136))
(assert_return (invoke "seg" (i32.const 5)) (i32.const 0x3fffffff))
(assert_return (invoke "seg" (i32.const 6)) (i32.const -0x40000000))
(assert_return (invoke "seg" (i32.const 6)) (i32.const -0x40000000))
(assert_return (invoke "seg" (i32.const 4)) (i32.const 262136))
(assert_return (invoke "seg" (i32.const 4)) (i32.const 262136))
(assert_return (invoke "seg" (i32.const 4)) (i32.const 262136))

;; the values leave and enter through the host boundary as i31 references
(module
  (global $g (export "g") (mut i31ref) (ref.i31 (i32.const 0)))
  (func (export "set") (param i32) (global.set $g (ref.i31 (local.get 0))))
  (func (export "id") (param anyref) (result anyref) (local.get 0))
  (func (export "make") (param i32) (result i31ref) (ref.i31 (local.get 0)))
)
(assert_return (invoke "set" (i32.const 262136)))
(assert_return (get "g") (ref.i31))
(assert_return (invoke "make" (i32.const 262136)) (ref.i31))
(assert_return (invoke "make" (i32.const -0x40000000)) (ref.i31))
(assert_return (invoke "id" (ref.null any)) (ref.null any))
