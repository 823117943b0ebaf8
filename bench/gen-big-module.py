#!/usr/bin/env python3
"""Write a large WAT module for front-end timing: N functions of mixed
arithmetic, branches, loops, memory accesses and calls.

    python3 bench/gen-big-module.py 12000 > big.wat   # ~10 MB once binary
    wat2wasm big.wat -o big.wasm                      # Debian package wabt
    time build/kite validate big.wasm
"""
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 12000
random.seed(1)
out = ['(module (memory 1) (global $g (mut i32) (i32.const 0))',
       '(type $t (func (param i32 i32) (result i32)))']
for i in range(n):
    body = []
    for _ in range(12):
        body.append(
            f'(local.set $a (i32.add (local.get $a) (i32.mul (local.get $b) (i32.const {random.randint(0, 1 << 30)}))))\n'
            f'(if (i32.lt_s (local.get $a) (i32.const {random.randint(0, 1000)})) '
            '(then (local.set $b (i32.load offset=8 (local.get $a)))) '
            '(else (i32.store (local.get $b) (local.get $a))))\n'
            '(block $x (loop $l (br_if $x (i32.eqz (local.get $b))) '
            '(local.set $b (i32.sub (local.get $b) (i32.const 1))) '
            '(global.set $g (f32.lt (f32.convert_i32_s (local.get $b)) (f32.const 1.5))) (br $l)))')
    call = f'(drop (call {random.randint(0, n - 1)} (local.get $a) (local.get $b)))' if i else ''
    out.append(f'(func (type $t) (param $a i32) (param $b i32) (result i32) {call}\n'
               + '\n'.join(body) + ' (local.get $a))')
out.append(')')
sys.stdout.write('\n'.join(out) + '\n')
