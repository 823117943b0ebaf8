// 100 threads from std.Thread (wasi-threads): each adds to an atomic counter
// and, under a std.Thread.Mutex, to a plain one; all are joined; then a
// producer and a consumer pass 1000 items through a std.Thread.Condition,
// the consumer waiting with timedWait (futex waits with timeouts) and the
// producer sometimes sleeping, so both timeouts and wake-ups happen.
const std = @import("std");

var ts = std.heap.ThreadSafeAllocator{ .child_allocator = std.heap.page_allocator };
var atomic_count = std.atomic.Atomic(u32).init(0);
var mutex = std.Thread.Mutex{};
var plain_count: u32 = 0;

fn work(i: u32) void {
    touch_tls();
    wait_for_go();
    _ = atomic_count.fetchAdd(i, .SeqCst);
    var k: u32 = 0;
    while (k < 100) : (k += 1) {
        mutex.lock();
        plain_count += 1;
        mutex.unlock();
    }
}

var cond = std.Thread.Condition{};
var queue: u32 = 0; // items produced, not yet consumed
var produced: u32 = 0;
var consumed: u32 = 0;
var timeouts: u32 = 0;

fn producer(_: u32) void {
    wait_for_go();
    var n: u32 = 0;
    while (n < 1000) : (n += 1) {
        if (n % 100 == 0) std.time.sleep(3 * std.time.ns_per_ms);
        mutex.lock();
        queue += 1;
        produced += 1;
        mutex.unlock();
        cond.signal();
    }
}

fn consumer(_: u32) void {
    wait_for_go();
    mutex.lock();
    defer mutex.unlock();
    while (consumed < 1000) {
        while (queue == 0) {
            cond.timedWait(&mutex, 1 * std.time.ns_per_ms) catch {
                timeouts += 1;
            };
        }
        queue -= 1;
        consumed += 1;
    }
}

pub fn main() !void {
    const allocator = ts.allocator();
    const cfg = std.Thread.SpawnConfig{ .allocator = allocator, .stack_size = 64 * 1024 };
    var threads: [100]std.Thread = undefined;
    for (&threads, 0..) |*t, i| t.* = try std.Thread.spawn(cfg, work, .{@as(u32, @intCast(i))});
    open_gate();
    for (threads) |t| t.join();
    go.store(0, .SeqCst);
    const c = try std.Thread.spawn(cfg, consumer, .{runtime_zero()});
    const p = try std.Thread.spawn(cfg, producer, .{runtime_zero()});
    open_gate();
    p.join();
    c.join();
    const out = std.io.getStdOut().writer();
    try out.print("threads 100, atomic {d}, locked {d}, passed {d}, timeouts seen {s}\n", .{
        atomic_count.load(.SeqCst), plain_count, consumed, if (timeouts > 0) "yes" else "no",
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
