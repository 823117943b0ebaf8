;; Allocation in compiled code: struct.new, struct.new_default and
;; array.new_fixed take the inline fast path (a size class's free list)
;; and, when it is empty or under GC stress, the helper; either way every
;; field of every width is written from its operand (packed fields
;; truncated, floats from registers bit for bit, references as they are)
;; and the defaults are zero and null. Loops allocate enough to empty free
;; lists and collect in the middle.

(module
  (type $mix (struct (field i8) (field i16) (field i32) (field i64) (field f32) (field f64) (field anyref)
                     (field (mut i8))))
  (type $wide (struct (field i64) (field i64) (field i64) (field i64) (field i64) (field i64)
                      (field i64) (field i64) (field i64) (field i64) (field i64) (field i64)))
  (type $b8 (array (mut i8)))
  (type $b16 (array (mut i16)))
  (type $f32s (array (mut f32)))
  (type $refs (array (mut anyref)))
  (type $wides (array (mut i64)))
  (type $big (struct (field i64) (field i64) (field i64) (field i64) (field i64) (field i64) (field i64)
                     (field i64) (field i64) (field i64) (field i64) (field i64) (field i64) (field i64)
                     (field i64) (field i64) (field i64) (field i64) (field i64) (field i64) (field i64)
                     (field i64) (field i64) (field i64) (field i64) (field i64) (field i64) (field i64)
                     (field i64) (field i64) (field i64) (field i64) (field i64) (field i64) (field i64)
                     (field i64) (field i64) (field i64) (field i64) (field i64) (field i64) (field i64)
                     (field i64) (field i64) (field i64) (field i64) (field i64) (field i64) (field i64)
                     (field i64) (field i64) (field i64) (field i64) (field i64) (field i64) (field i64)
                     (field i64) (field i64) (field i64) (field i64) (field i64) (field i64) (field i64)
                     (field i64) (field i64)))

  ;; sums what the fields read back, n times over (floats as integers)
  (func (export "mix") (param $n i32) (param $f f32) (param $d f64) (result i64)
    (local $i i32) (local $s i64) (local $o (ref null $mix))
    (loop $l
      (local.set $o (struct.new $mix (i32.const 0x1ff) (i32.const 0x18001) (local.get $i) (i64.const -5)
        (local.get $f) (local.get $d) (ref.i31 (i32.const 262136)) (i32.const -1)))
      (local.set $s (i64.add (local.get $s)
        (i64.add
          (i64.add (i64.extend_i32_s (struct.get_s $mix 0 (local.get $o)))
                   (i64.extend_i32_u (struct.get_u $mix 0 (local.get $o))))
          (i64.add (i64.extend_i32_s (struct.get_s $mix 1 (local.get $o)))
                   (i64.extend_i32_u (struct.get_u $mix 1 (local.get $o)))))))
      (local.set $s (i64.add (local.get $s)
        (i64.add (i64.extend_i32_u (struct.get $mix 2 (local.get $o))) (struct.get $mix 3 (local.get $o)))))
      (local.set $s (i64.add (local.get $s)
        (i64.add (i64.trunc_f32_s (struct.get $mix 4 (local.get $o))) (i64.trunc_f64_s (struct.get $mix 5 (local.get $o))))))
      (local.set $s (i64.add (local.get $s)
        (i64.extend_i32_u (i31.get_u (ref.cast (ref i31) (struct.get $mix 6 (local.get $o)))))))
      (local.set $s (i64.add (local.get $s) (i64.extend_i32_u (struct.get_u $mix 7 (local.get $o)))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $s))

  (func (export "float-bits") (param $f f32) (param $d f64) (result i32)
    (local $o (ref null $mix))
    (local.set $o (struct.new $mix (i32.const 0) (i32.const 0) (i32.const 0) (i64.const 0)
      (local.get $f) (local.get $d) (ref.null any) (i32.const 0)))
    (i32.and (i32.eq (i32.reinterpret_f32 (struct.get $mix 4 (local.get $o))) (i32.reinterpret_f32 (local.get $f)))
             (i64.eq (i64.reinterpret_f64 (struct.get $mix 5 (local.get $o))) (i64.reinterpret_f64 (local.get $d)))))

  ;; defaults: every field zero or null, n times over
  (func (export "defaults") (param $n i32) (result i32)
    (local $i i32) (local $bad i32) (local $o (ref null $mix)) (local $w (ref null $wide))
    (loop $l
      (local.set $o (struct.new_default $mix))
      (local.set $w (struct.new_default $wide))
      (local.set $bad (i32.or (local.get $bad)
        (i32.or (i32.or (struct.get_u $mix 0 (local.get $o)) (struct.get_u $mix 1 (local.get $o)))
                (i32.or (struct.get $mix 2 (local.get $o)) (i32.wrap_i64 (struct.get $mix 3 (local.get $o)))))))
      (local.set $bad (i32.or (local.get $bad)
        (i32.or (i32.reinterpret_f32 (struct.get $mix 4 (local.get $o)))
                (i32.wrap_i64 (i64.reinterpret_f64 (struct.get $mix 5 (local.get $o)))))))
      (local.set $bad (i32.or (local.get $bad) (i32.eqz (ref.is_null (struct.get $mix 6 (local.get $o))))))
      (local.set $bad (i32.or (local.get $bad)
        (i32.wrap_i64 (i64.or (struct.get $wide 0 (local.get $w)) (struct.get $wide 11 (local.get $w))))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $bad))

  ;; array.new_fixed of every element width
  (func (export "fixed") (param $n i32) (param $x i32) (result i32)
    (local $i i32) (local $s i32) (local $a (ref null $b8)) (local $b (ref null $b16))
    (local $c (ref null $f32s)) (local $r (ref null $refs))
    (loop $l
      (local.set $a (array.new_fixed $b8 3 (local.get $x) (i32.const 0x102) (local.get $i)))
      (local.set $b (array.new_fixed $b16 2 (local.get $x) (i32.const 0x10002)))
      (local.set $c (array.new_fixed $f32s 2 (f32.const 1.5) (f32.convert_i32_s (local.get $i))))
      (local.set $r (array.new_fixed $refs 2 (ref.i31 (local.get $x)) (local.get $a)))
      (local.set $s (i32.add (local.get $s)
        (i32.add (i32.add (array.get_s $b8 (local.get $a) (i32.const 0)) (array.get_u $b8 (local.get $a) (i32.const 1)))
                 (i32.add (array.get_s $b16 (local.get $b) (i32.const 0)) (array.get_u $b16 (local.get $b) (i32.const 1))))))
      (local.set $s (i32.add (local.get $s)
        (i32.add (i32.trunc_f32_s (array.get $f32s (local.get $c) (i32.const 1)))
                 (i32.trunc_f32_s (f32.mul (array.get $f32s (local.get $c) (i32.const 0)) (f32.const 2))))))
      (local.set $s (i32.add (local.get $s)
        (i32.add (i31.get_s (ref.cast (ref i31) (array.get $refs (local.get $r) (i32.const 0))))
                 (array.get_u $b8 (ref.cast (ref $b8) (array.get $refs (local.get $r) (i32.const 1))) (i32.const 2)))))
      (local.set $s (i32.add (local.get $s) (i32.add (array.len (local.get $a)) (array.len (local.get $r)))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $s))

  ;; array.new_default of a run-time length: cells reused from garbage
  ;; filled with 0x5a come back zeroed, at every length around the last
  ;; size class (488 bytes of elements) and past it; returns the number of
  ;; nonzero elements seen
  (func (export "zeroed") (param $rounds i32) (result i32)
    (local $i i32) (local $n i32) (local $k i32) (local $bad i32)
    (local $a (ref null $b8)) (local $b (ref null $b16)) (local $g (ref null $wides))
    (loop $l
      (local.set $n (i32.rem_u (local.get $i) (i32.const 500)))
      (drop (array.new $b8 (i32.const 0x5a) (local.get $n)))
      (drop (array.new $wides (i64.const -1) (i32.shr_u (local.get $n) (i32.const 3))))
      (local.set $a (array.new_default $b8 (local.get $n)))
      (local.set $b (array.new_default $b16 (i32.shr_u (local.get $n) (i32.const 1))))
      (local.set $g (array.new_default $wides (i32.shr_u (local.get $n) (i32.const 3))))
      (local.set $bad (i32.add (local.get $bad)
        (i32.add (i32.ne (array.len (local.get $a)) (local.get $n))
                 (i32.ne (array.len (local.get $g)) (i32.shr_u (local.get $n) (i32.const 3))))))
      (local.set $k (i32.const 0))
      (block $done (loop $e
        (br_if $done (i32.ge_u (local.get $k) (local.get $n)))
        (local.set $bad (i32.add (local.get $bad) (i32.ne (array.get_u $b8 (local.get $a) (local.get $k)) (i32.const 0))))
        (if (i32.lt_u (local.get $k) (array.len (local.get $b)))
          (then (local.set $bad (i32.add (local.get $bad)
                  (i32.ne (array.get_u $b16 (local.get $b) (local.get $k)) (i32.const 0))))))
        (if (i32.lt_u (local.get $k) (array.len (local.get $g)))
          (then (local.set $bad (i32.add (local.get $bad)
                  (i64.ne (array.get $wides (local.get $g) (local.get $k)) (i64.const 0))))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $e)))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $rounds))))
    (local.get $bad))

  ;; objects past the small size classes take the helper
  (func (export "big") (param $n i32) (result i64)
    (local $i i32) (local $s i64) (local $o (ref null $big))
    (loop $l
      (local.set $o (struct.new_default $big))
      (local.set $s (i64.add (local.get $s) (struct.get $big 64 (local.get $o))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $s))
)

;; per iteration: 0x1ff as i8: -1 + 255; 0x18001 as i16: -32767 + 32769;
;; i; -5; 2 (2.5); 3 (3.5); 262136; 255: 262647 + i
(assert_return (invoke "mix" (i32.const 1) (f32.const 2.5) (f64.const 3.5)) (i64.const 262647))
(assert_return (invoke "mix" (i32.const 3000) (f32.const 2.5) (f64.const 3.5))
  (i64.const 792439500))
(assert_return (invoke "float-bits" (f32.const nan:0x200001) (f64.const -nan:0x4000000000001)) (i32.const 1))
(assert_return (invoke "float-bits" (f32.const -0) (f64.const -0)) (i32.const 1))
(assert_return (invoke "defaults" (i32.const 3000)) (i32.const 0))
;; per iteration, with x = 0x181: -127 (x as i8) + 2 + 385 (x as i16) + 2 + i + 3
;; + 385 (i31 x) + (i & 0xff) + 3 + 2 (lengths): 655 + i + (i & 0xff)
(assert_return (invoke "fixed" (i32.const 1) (i32.const 0x181)) (i32.const 655))
(assert_return (invoke "fixed" (i32.const 256) (i32.const 0x181)) (i32.const 232960))
(assert_return (invoke "big" (i32.const 100)) (i64.const 0))
(assert_return (invoke "zeroed" (i32.const 1000)) (i32.const 0))
(assert_return (invoke "zeroed" (i32.const 40000)) (i32.const 0))
