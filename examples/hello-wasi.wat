;; A WASI command in the text format: prints "Hello, NAME!" for its first
;; argument, or "Hello, world!" without one.
;;
;;   kite examples/hello-wasi.wat           Hello, world!
;;   kite examples/hello-wasi.wat kite      Hello, kite!
;;
;; Memory: 0..31 scratch (an iovec, counts), 64.. the fixed strings, 1024..
;; the argument pointers and strings that args_get writes.
(module
  (import "wasi_snapshot_preview1" "args_sizes_get"
    (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get"
    (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "Hello, ")
  (data (i32.const 80) "world")
  (data (i32.const 96) "!\n")

  ;; Writes len bytes at ptr to stdout (descriptor 1) as one iovec.
  (func $print (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func $strlen (param $s i32) (result i32)
    (local $n i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $s) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $n))

  (func (export "_start")
    (local $name i32)
    (local $len i32)
    (local.set $name (i32.const 80))
    (local.set $len (i32.const 5))
    ;; argc at 16, the size of all argument strings at 20
    (drop (call $args_sizes_get (i32.const 16) (i32.const 20)))
    (if (i32.ge_u (i32.load (i32.const 16)) (i32.const 2))
      (then
        ;; argv[] at 1024, the strings right after it; a failure (arguments
        ;; too long for this memory) leaves "world"
        (if (i32.eqz (call $args_get
                       (i32.const 1024)
                       (i32.add (i32.const 1024) (i32.shl (i32.load (i32.const 16)) (i32.const 2)))))
          (then
            (local.set $name (i32.load (i32.const 1028)))
            (local.set $len (call $strlen (local.get $name)))))))
    (call $print (i32.const 64) (i32.const 7))
    (call $print (local.get $name) (local.get $len))
    (call $print (i32.const 96) (i32.const 2))))
