;; kite's own front-end regression tests.

;; A function type with neither params nor results, in a code section whose
;; function count is a non-minimal LEB128 (found by fuzzing: the validator
;; once computed a results pointer from a NULL type list).
(module binary
  "\00asm\01\00\00\00"
  "\01\04\01\60\00\00"
  "\03\02\01\00"
  "\0a\05\81\00\02\00\0b")

;; Deeply nested blocks must not exhaust the C stack (explicit stacks only).
(module
  (func (result i32)
    (block (result i32) (block (result i32) (block (result i32) (block (result i32)
      (block (result i32) (block (result i32) (block (result i32) (block (result i32)
        (i32.const 1)))))))))))

;; Error messages carry the spec's wording.
(assert_malformed (module binary "\00asm\01\00\00\00\01") "unexpected end")
(assert_malformed (module quote "(func (i32.const 0x1_0000_0000) drop)") "constant out of range")
(assert_invalid (module (func (result i32) (i64.const 0))) "type mismatch")
(assert_invalid (module (func (local (ref func)) (local.get 0) drop)) "uninitialized local")
