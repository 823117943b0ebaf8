;; A wait that nothing ends: --timeout must end it at once, naming
;; memory.atomic.wait; --fuel alone must end it too.
(module
  (import "env" "memory" (memory 1 1 shared))
  (func (export "_start")
    (drop (memory.atomic.wait64 (i32.const 0) (i64.const 0) (i64.const 0x7fffffffffffffff)))))
