// std.process.exit in a thread other than the main one: the program ends
// with that status while the main thread is blocked joining another thread.
const std = @import("std");

var ts = std.heap.ThreadSafeAllocator{ .child_allocator = std.heap.page_allocator };

fn sleeper(_: u32) void {
    std.time.sleep(60 * std.time.ns_per_s);
}

fn exiter(_: u32) void {
    touch_tls();
    std.time.sleep(20 * std.time.ns_per_ms);
    std.process.exit(3);
}

pub fn main() !void {
    const cfg = std.Thread.SpawnConfig{ .allocator = ts.allocator(), .stack_size = 64 * 1024 };
    const s = try std.Thread.spawn(cfg, sleeper, .{runtime_zero()});
    _ = try std.Thread.spawn(cfg, exiter, .{runtime_zero()});
    s.join();
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
