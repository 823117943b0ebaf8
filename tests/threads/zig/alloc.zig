// 8 threads allocate 1 MiB blocks (writing into each) from one
// ThreadSafeAllocator over the page allocator, which grows the shared
// memory, until the allocator reports OutOfMemory: the memory's maximum
// (1 GiB) is reached with memory.grow's -1, seen by the program as an
// error, never a crash. Prints the total and exits 0.
const std = @import("std");

var ts = std.heap.ThreadSafeAllocator{ .child_allocator = std.heap.page_allocator };
var total_mib = std.atomic.Atomic(u32).init(0);
var failures = std.atomic.Atomic(u32).init(0);

fn grab(_: u32) void {
    touch_tls();
    wait_for_go();
    const a = ts.allocator();
    while (true) {
        const block = a.alloc(u8, 1 << 20) catch {
            _ = failures.fetchAdd(1, .SeqCst);
            return;
        };
        block[0] = 1;
        block[block.len - 1] = 1;
        _ = total_mib.fetchAdd(1, .SeqCst);
    }
}

pub fn main() !void {
    const cfg = std.Thread.SpawnConfig{ .allocator = ts.allocator(), .stack_size = 64 * 1024 };
    var threads: [8]std.Thread = undefined;
    for (&threads) |*t| t.* = try std.Thread.spawn(cfg, grab, .{runtime_zero()});
    open_gate();
    for (threads) |t| t.join();
    const mib = total_mib.load(.SeqCst);
    const out = std.io.getStdOut().writer();
    try out.print("8 threads allocated {d} MiB, then {d} saw OutOfMemory: {s}\n", .{
        mib, failures.load(.SeqCst), if (mib >= 1000 and mib < 1024) "ok" else "WRONG",
    });
}

// Zig 0.11 on WASI: a thread argument known at compile time makes the
// argument tuple zero-sized, which std.Thread.spawn cannot align.
var zero: u32 = 0;
fn runtime_zero() u32 {
    return zero;
}

// Zig 0.11's release builds emit a TLS alignment of 0 when the program has
// no thread-local variable of its own, which std.Thread.spawn asserts
// against: one thread-local, used, keeps the segment (see build.sh).
threadlocal var tls_anchor: u32 = 1;
fn touch_tls() void {
    @as(*volatile u32, &tls_anchor).* += 1;
}

// Zig 0.11's std.Thread.spawn on WASI stores the new thread's id after
// thread-spawn returns, and the thread clears it when it ends: a thread that
// ends first leaves join() waiting forever. Threads here start their work
// only once every spawn has returned (a futex-based gate).
var go = std.atomic.Atomic(u32).init(0);
fn wait_for_go() void {
    while (go.load(.SeqCst) == 0) std.Thread.Futex.wait(&go, 0);
}
fn open_gate() void {
    go.store(1, .SeqCst);
    std.Thread.Futex.wake(&go, std.math.maxInt(u32));
}
