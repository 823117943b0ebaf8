// A panic in a thread other than the main one: the program ends with the
// trap it becomes, while the main thread waits on a condition forever.
const std = @import("std");

var ts = std.heap.ThreadSafeAllocator{ .child_allocator = std.heap.page_allocator };
var mutex = std.Thread.Mutex{};
var cond = std.Thread.Condition{};

fn boom(n: u32) void {
    touch_tls();
    std.time.sleep(20 * std.time.ns_per_ms);
    if (n == 7) @panic("thread 7 failed");
}

pub fn main() !void {
    const cfg = std.Thread.SpawnConfig{ .allocator = ts.allocator(), .stack_size = 64 * 1024 };
    _ = try std.Thread.spawn(cfg, boom, .{runtime_seven()});
    mutex.lock();
    while (true) cond.wait(&mutex);
}

var seven: u32 = 7;
fn runtime_seven() u32 {
    return seven;
}

// Zig 0.11's release builds emit a TLS alignment of 0 when the program has
// no thread-local variable of its own, which std.Thread.spawn asserts
// against: one thread-local, used, keeps the segment (see build.sh).
threadlocal var tls_anchor: u32 = 1;
fn touch_tls() void {
    @as(*volatile u32, &tls_anchor).* += 1;
}
