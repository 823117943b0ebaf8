#!/usr/bin/env python3
"""Encodes binary-trees.wat as binary modules, for engines that cannot read
GC text (wat2wasm before wabt 1.0.34 cannot either):

  binary-trees.wasm         the standard (Wasm 3.0) encoding
  binary-trees.node20.wasm  the same program in the pre-standard GC encoding
                            of V8 11.3 (Node 20 with --experimental-wasm-gc):
                            other codes for (ref t) / (ref null t), struct.new,
                            struct.get and ref.as_non_null

The instruction sequences below follow binary-trees.wat one to one; run.sh
checks that all three give the same checksum.

usage: encode.py [OUTDIR]   (default: this script's folder)
"""
import os
import sys

STANDARD = dict(ref=0x64, ref_null=0x63, struct_new=[0xFB, 0x00], struct_get=[0xFB, 0x02],
                as_non_null=0xD4)
V8_11_3 = dict(ref=0x6B, ref_null=0x6C, struct_new=[0xFB, 0x07], struct_get=[0xFB, 0x03],
               as_non_null=0xD3)


def uleb(n):
    out = []
    while True:
        b, n = n & 0x7F, n >> 7
        if n == 0:
            return out + [b]
        out.append(b | 0x80)


def sleb(n):
    out = []
    while True:
        b, n = n & 0x7F, n >> 7
        if (n == 0 and not b & 0x40) or (n == -1 and b & 0x40):
            return out + [b]
        out.append(b | 0x80)


def vec(items):
    out = uleb(len(items))
    for i in items:
        out += i
    return out


def section(sid, body):
    return [sid] + uleb(len(body)) + body


def module(e):
    i32 = [0x7F]
    ref_node, ref_null_node = [e["ref"], 0x00], [e["ref_null"], 0x00]
    types = [
        [0x5F] + vec([ref_null_node + [0x00], ref_null_node + [0x00]]),  # 0 $node
        [0x60] + vec([i32]) + vec([ref_node]),  # 1 $make
        [0x60] + vec([ref_node]) + vec([i32]),  # 2 $check
        [0x60] + vec([i32]) + vec([i32]),  # 3 run
    ]
    get = lambda i: [0x20] + uleb(i)
    set_ = lambda i: [0x21] + uleb(i)
    tee = lambda i: [0x22] + uleb(i)
    const = lambda v: [0x41] + sleb(v)
    call = lambda f: [0x10] + uleb(f)
    new = e["struct_new"] + [0x00]
    field = lambda f: e["struct_get"] + [0x00, f]
    null, is_null, non_null = [0xD0, 0x00], [0xD1], [e["as_non_null"]]
    add, sub, shl, eqz, lt_u, le_u, gt_s, select = [0x6A], [0x6B], [0x74], [0x45], [0x49], [0x4D], [0x4A], [0x1B]
    IF, ELSE, END, LOOP, BR_IF = 0x04, 0x05, 0x0B, 0x03, 0x0D

    # $make (param $d)
    make = (get(0) + eqz + [IF] + ref_node + null + null + new + [ELSE] +
            get(0) + const(1) + sub + set_(0) + get(0) + call(0) + get(0) + call(0) + new + [END, END])
    # $check (param $t) (local $l)
    check = (get(0) + field(0) + set_(1) + get(1) + is_null + [IF] + i32 + const(1) + [ELSE] +
             const(1) + get(1) + non_null + call(1) + get(0) + field(1) + non_null + call(1) + add + add +
             [END, END])
    # run (param $n) (local $max $d $iters $i $sum i32) (local $long)
    n, mx, d, iters, i, s, long_ = range(7)
    run = (get(n) + const(6) + get(n) + const(6) + gt_s + select + set_(mx) +
           get(mx) + const(1) + add + call(0) + call(1) + set_(s) +
           get(mx) + call(0) + set_(long_) + const(4) + set_(d) +
           [LOOP, 0x40] +
           const(1) + get(mx) + get(d) + sub + const(4) + add + shl + set_(iters) + const(0) + set_(i) +
           [LOOP, 0x40] +
           get(s) + get(d) + call(0) + call(1) + add + set_(s) +
           get(i) + const(1) + add + tee(i) + get(iters) + lt_u + [BR_IF, 0x00] +
           [END] +
           get(d) + const(2) + add + tee(d) + get(mx) + le_u + [BR_IF, 0x00] +
           [END] +
           get(s) + get(long_) + non_null + call(1) + add + [END])

    def body(local_groups, code):
        b = vec(local_groups) + code
        return uleb(len(b)) + b

    out = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]
    out += section(1, vec(types))
    out += section(3, vec([uleb(1), uleb(2), uleb(3)]))
    out += section(7, vec([uleb(3) + list(b"run") + [0x00] + uleb(2)]))
    out += section(10, vec([body([], make), body([[1] + ref_null_node], check),
                            body([[5, 0x7F], [1] + ref_null_node], run)]))
    return bytes(out)


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    for name, enc in (("binary-trees.wasm", STANDARD), ("binary-trees.node20.wasm", V8_11_3)):
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(module(enc))


if __name__ == "__main__":
    main()
