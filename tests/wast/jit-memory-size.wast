;; memory.size into a local the compiler keeps in a register: the result was
;; left in a temporary and the local kept its old value (found by the zig
;; threads programs under --tier=jit: their page allocator asserts that
;; memory.grow returns the size it read before). Run in every tier.
(module
  (memory 1 100)
  (memory $s 1 100 shared)
  (func (export "size-then-grow") (param i32) (result i32) (local i32 i32)
    (local.set 1 (memory.size))
    (local.set 2 (memory.grow (local.get 0)))
    (i32.eq (local.get 1) (local.get 2)))
  (func (export "size-then-grow-shared") (param i32) (result i32) (local i32 i32)
    (local.set 1 (memory.size $s))
    (local.set 2 (memory.grow $s (local.get 0)))
    (i32.eq (local.get 1) (local.get 2)))
  (func (export "size-in-loop") (param i32) (result i32) (local i32)
    (loop
      (local.set 1 (i32.add (local.get 1) (memory.size)))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br_if 0 (local.get 0)))
    (local.get 1)))
(assert_return (invoke "size-then-grow" (i32.const 1)) (i32.const 1))
(assert_return (invoke "size-then-grow" (i32.const 2)) (i32.const 1))
(assert_return (invoke "size-then-grow-shared" (i32.const 1)) (i32.const 1))
(assert_return (invoke "size-then-grow-shared" (i32.const 3)) (i32.const 1))
(assert_return (invoke "size-in-loop" (i32.const 3)) (i32.const 12))
