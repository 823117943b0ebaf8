;; The program of the `wasi` example: prints its arguments, then the file
;; "greeting.txt" of the first pre-opened directory (descriptor 3), and
;; exits with status 0, or 1 when the file cannot be read.
(module
  (import "wasi_snapshot_preview1" "args_sizes_get"
    (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get"
    (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)

  ;; 0: iovec  8: counts  16: the path  64: argv pointers  1024: argument bytes
  ;; 8192: file contents
  (data (i32.const 16) "greeting.txt")
  (data (i32.const 32) "\n")

  (func $write (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func $strlen (param $p i32) (result i32)
    (local $n i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $n))

  (func (export "_start")
    (local $argc i32) (local $i i32) (local $arg i32) (local $fd i32)
    ;; the arguments, one per line
    (drop (call $args_sizes_get (i32.const 8) (i32.const 12)))
    (local.set $argc (i32.load (i32.const 8)))
    (drop (call $args_get (i32.const 64) (i32.const 1024)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $argc)))
        (local.set $arg (i32.load (i32.add (i32.const 64) (i32.shl (local.get $i) (i32.const 2)))))
        (call $write (local.get $arg) (call $strlen (local.get $arg)))
        (call $write (i32.const 32) (i32.const 1))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    ;; path_open(dir 3, no flags, path, no oflags, right fd_read, none, no fdflags, &fd)
    (if (call $path_open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 12) (i32.const 0)
                         (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 12))
      (then (call $proc_exit (i32.const 1))))
    (local.set $fd (i32.load (i32.const 12)))
    ;; fd_read(fd, one iovec of 4096 bytes at 8192, &nread)
    (i32.store (i32.const 0) (i32.const 8192))
    (i32.store (i32.const 4) (i32.const 4096))
    (if (call $fd_read (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))
      (then (call $proc_exit (i32.const 1))))
    (call $write (i32.const 8192) (i32.load (i32.const 8)))
    (call $proc_exit (i32.const 0))))
