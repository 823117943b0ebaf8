;; The module of the `threads` example: a little arithmetic to do.
(module
  ;; the sum of i * i for i in [0, n), modulo 2^64
  (func (export "sum_squares") (param $n i64) (result i64)
    (local $i i64) (local $sum i64)
    (block $done
      (loop $next
        (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
        (local.set $sum (i64.add (local.get $sum) (i64.mul (local.get $i) (local.get $i))))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $next)))
    (local.get $sum)))
