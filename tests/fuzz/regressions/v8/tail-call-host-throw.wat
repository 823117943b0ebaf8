;; A return_call to an import inside a try_table with catch_all: the tail
;; call ends the frame, so an exception the import throws (here V8's
;; TypeError: a v128 parameter cannot cross to JavaScript) must not be caught
;; by that frame's handlers. kite caught it and returned (found by
;; diff.mjs, seed 20261208, module 615; also in compiled code).
(module
  (import "fuzzing-support" "log-v128" (func $log (param v128)))
  (type $log_t (func (param v128)))
  (elem declare func $log)
  (func (export "tail")
    (block $h (try_table (catch_all $h) (return_call $log (v128.const i64x2 0 0)))))
  (func (export "tail-ref")
    (block $h (try_table (catch_all $h) (return_call_ref $log_t (v128.const i64x2 0 0) (ref.func $log)))))
  (func (export "call-caught") (result i32)
    (block $h (try_table (catch_all $h) (call $log (v128.const i64x2 0 0))))
    (i32.const 7)))
