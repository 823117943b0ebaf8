;; (module instance $I? $M?): both names may be omitted (the spec
;; interpreter's script grammar); without a module name the latest module
;; definition is instantiated. assert_unlinkable and assert_trap take a
;; module instance too.

(module definition $M
  (global $g (mut i32) (i32.const 0))
  (func (export "bump") (result i32)
    (global.set $g (i32.add (global.get $g) (i32.const 1)))
    (global.get $g)))

;; No names: a fresh instance of the latest definition, $M.
(module instance)
(assert_return (invoke "bump") (i32.const 1))
(assert_return (invoke "bump") (i32.const 2))
(module instance)
(assert_return (invoke "bump") (i32.const 1))

;; Only the module's name; then both names.
(module instance $M)
(assert_return (invoke "bump") (i32.const 1))
(module instance $I $M)
(assert_return (invoke $I "bump") (i32.const 1))
(assert_return (invoke $I "bump") (i32.const 2))

;; A later definition without a name is the latest one.
(module definition
  (func (export "seven") (result i32) (i32.const 7)))
(module instance)
(assert_return (invoke "seven") (i32.const 7))
(assert_return (invoke $I "bump") (i32.const 3))

;; Failing instances of definitions.
(module definition $Unlinked (import "nowhere" "f" (func)))
(assert_unlinkable (module instance $Unlinked) "unknown import")
(assert_unlinkable (module instance) "unknown import")
(module definition $Trapping (func $t unreachable) (start $t))
(assert_trap (module instance $X $Trapping) "unreachable")
(assert_trap (module instance) "unreachable")
(assert_trap (module instance $Trapping) "unreachable")
;; The failed instances left the last good one reachable by name.
(assert_return (invoke $I "bump") (i32.const 4))
