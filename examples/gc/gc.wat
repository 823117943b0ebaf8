;; The module of the `gc` example: GC structs and arrays shared with the host.
(module
  (type $point (struct (field $x (mut f64)) (field $y (mut f64))))
  (type $points (array (mut (ref null $point))))

  ;; the distance of a point from the origin
  (func (export "norm") (param $p (ref null $point)) (result f64)
    (f64.sqrt
      (f64.add
        (f64.mul (struct.get $point $x (local.get $p)) (struct.get $point $x (local.get $p)))
        (f64.mul (struct.get $point $y (local.get $p)) (struct.get $point $y (local.get $p))))))

  ;; the sum of the x of every point (nulls count 0)
  (func (export "sum_x") (param $a (ref null $points)) (result f64)
    (local $i i32) (local $sum f64) (local $p (ref null $point))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (array.len (local.get $a))))
        (local.set $p (array.get $points (local.get $a) (local.get $i)))
        (if (i32.eqz (ref.is_null (local.get $p)))
          (then (local.set $sum (f64.add (local.get $sum) (struct.get $point $x (local.get $p))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $sum))

  ;; a new point
  (func (export "make") (param f64 f64) (result (ref $point))
    (struct.new $point (local.get 0) (local.get 1)))

  ;; an i31 reference's value, doubled
  (func (export "twice") (param $r i31ref) (result i32)
    (i32.shl (i31.get_s (local.get $r)) (i32.const 1))))
