;; An export that calls itself through the host without end (binaryen's
;; call-export import): Wasm -> host -> Wasm nesting until a limit. V8 stops
;; with a RangeError, kite must trap "call stack exhausted" before its C stack
;; runs out (issue 15, defect 5), in the sanitizer build too; both are a host
;; limit for the comparison. A crash is a mismatch.
(module
  (import "fuzzing-support" "call-export" (func $call_export (param i32 i32)))
  (import "fuzzing-support" "call-export-catch" (func $call_export_catch (param i32) (result i32)))
  (func (export "recurse") (call $call_export (i32.const 0) (i32.const 0)))
  (func (export "recurse-catch") (result i32) (call $call_export_catch (i32.const 1))))
