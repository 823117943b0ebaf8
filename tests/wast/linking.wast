;; Imports and exports across registered modules: shared globals, memories,
;; tables and functions; link errors; effects of a failed instantiation.

(module $A
  (global (export "g") (mut i32) (i32.const 10))
  (memory (export "mem") 1)
  (table (export "tab") 2 funcref)
  (func $inc (export "inc") (global.set 0 (i32.add (global.get 0) (i32.const 1))))
  (func (export "get") (result i32) (global.get 0))
  (func (export "peek") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func $seven (result i32) (i32.const 7))
  (elem (i32.const 0) $seven)
)
(register "A" $A)

(module $B
  (import "A" "g" (global $g (mut i32)))
  (import "A" "mem" (memory 1))
  (import "A" "tab" (table 2 funcref))
  (import "A" "inc" (func $inc))
  (type $r (func (result i32)))
  (func $eight (result i32) (i32.const 8))
  (elem (i32.const 1) $eight)
  (data (i32.const 5) "\2a")
  (func (export "bump") (result i32) (call $inc) (call $inc) (global.get $g))
  (func (export "set") (param i32) (global.set $g (local.get 0)))
  (func (export "call") (param i32) (result i32) (call_indirect (type $r) (local.get 0)))
  (export "inc-again" (func $inc))
)

(assert_return (invoke $B "bump") (i32.const 12))
(assert_return (invoke $A "get") (i32.const 12))
(invoke $B "set" (i32.const 100))
(assert_return (get $A "g") (i32.const 100))
(assert_return (invoke $A "peek" (i32.const 5)) (i32.const 42))
(assert_return (invoke $B "call" (i32.const 0)) (i32.const 7))
(assert_return (invoke $B "call" (i32.const 1)) (i32.const 8))

;; A re-exported function is the same function: registering B makes it
;; importable under a second name.
(register "B" $B)
(module $C
  (import "B" "inc-again" (func $inc))
  (import "A" "g" (global $g (mut i32)))
  (func (export "twice") (result i32) (call $inc) (call $inc) (global.get $g))
)
(assert_return (invoke $C "twice") (i32.const 102))

;; Link errors.
(assert_unlinkable (module (import "A" "nope" (func))) "unknown import")
(assert_unlinkable (module (import "nowhere" "g" (global i32))) "unknown import")
(assert_unlinkable (module (import "A" "g" (global i32))) "incompatible import type")
(assert_unlinkable (module (import "A" "inc" (func (param i32)))) "incompatible import type")
(assert_unlinkable (module (import "A" "mem" (memory 2))) "incompatible import type")
(assert_unlinkable (module (import "A" "tab" (table 3 funcref))) "incompatible import type")
(assert_unlinkable (module (import "A" "g" (func))) "incompatible import type")

;; A failed instantiation keeps the writes made before the trap.
(assert_trap
  (module
    (import "A" "mem" (memory 1))
    (data (i32.const 6) "\2b")
    (data (i32.const 65536) "x"))
  "out of bounds memory access")
(assert_return (invoke $A "peek" (i32.const 6)) (i32.const 43))

;; Unnamed actions go to the latest module that instantiated.
(assert_return (invoke "twice") (i32.const 104))

;; Module definitions and several instances of one definition.
(module definition $counter
  (global $n (mut i32) (i32.const 0))
  (func (export "next") (result i32)
    (global.set $n (i32.add (global.get $n) (i32.const 1)))
    (global.get $n)))
(module instance $c1 $counter)
(module instance $c2 $counter)
(assert_return (invoke $c1 "next") (i32.const 1))
(assert_return (invoke $c1 "next") (i32.const 2))
(assert_return (invoke $c2 "next") (i32.const 1))
(assert_return (invoke "next") (i32.const 2))
