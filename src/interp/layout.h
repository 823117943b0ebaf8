/*
 * The layout of the interpreter's internal instructions, defined once.
 *
 * An instruction is a handler word followed by a shape's operand words
 * (code.h). This file defines every shape: how many operand words it has
 * and its fields in layout order, each with a name, a kind (what the value
 * means: a slot read or written, an immediate, a branch target, an index
 * of some space...), its word (1 = the first operand word) and its half (LO
 * and HI: the low and high 32 bits; W: the whole 64-bit word). Every
 * internal op names its shape (ops_all.h). From that alone come:
 *
 *   - the executor's operand reads, KINT_OPND(pc, op, field), and its
 *     advance, pc += KINT_SIZE(op): compile-time constants, so a read is
 *     the same single load (and shift) a hand-written one was;
 *   - the translator's emitters, kint_emit_<SHAPE>(t, op, fields...) with
 *     the fields in declared order (translate.h), and its patches of
 *     emitted code, which find a field by name (kint_layout_field);
 *   - the run-time descriptor tables kint_shapes[] and kint_ops[] (per op
 *     its name, size and fields), which the disassembler (disasm.c) walks
 *     and a compiler tier can read to know each op's inputs, outputs and
 *     immediates;
 *   - compile-time checks (layout.c): every field inside its shape's words,
 *     fields of one shape never overlapping, 64-bit kinds exactly on whole
 *     words.
 *
 * Conventions: slots read come first (in Wasm operand order), then slots
 * written, then immediates and indices; an immediate that stands for an
 * operand (i32.add x 5) takes that operand's place, so the immediate form
 * of an op and its fused branch keep the same fields. A branch is
 * [label|fuel] in its own word. br_table is the one instruction longer
 * than its shape: see KINT_BR_TABLE_* below.
 *
 * How to add an internal instruction: give it a line in ops.def (or a
 * family of numeric_ops.def / memory_ops.def), naming an existing shape
 * when one fits, else add the shape here: a KINT_SHAPES line with its word
 * count and a KINT_FIELDS_<SHAPE> macro listing F(X, name, kind, word,
 * half) per field (names from KINT_FIELD_NAMES, kinds from
 * KINT_FIELD_KINDS; add a name with its meaning if none fits). Then write
 * its handler in exec.c reading fields with OPND(op, name) and advancing
 * with SIZE(op), and emit it in the translator with kint_emit_<SHAPE>. The
 * disassembler and the descriptor tables need nothing more.
 */
#ifndef KITE_INTERP_LAYOUT_H
#define KITE_INTERP_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- field kinds ----------------------------------------------------------------------- */

/* K(kind, bits, description): bits 64 only for whole-word fields. */
#define KINT_FIELD_KINDS(K)                                                                    \
    K(NONE, 0, "no field (end of a shape's list)")                                              \
    K(IN, 32, "slot read")                                                                      \
    K(IN2, 32, "two slots read (a v128)")                                                       \
    K(IN_ELEM, 32, "slots read holding a value of the type index's field: 1, or 2 for v128")    \
    K(IN_RUN, 32, "first of consecutive slots read; how many follows from a count or type")     \
    K(FRAME, 32, "first slot of a callee's frame: its arguments read, its results written")     \
    K(OUT, 32, "slot written")                                                                  \
    K(OUT2, 32, "two slots written (a v128)")                                                   \
    K(IMM, 32, "32-bit unsigned immediate: a count, shift, offset or width")                    \
    K(IMM_I32, 32, "32-bit immediate operand of an i32 operation")                              \
    K(IMM_S64, 32, "32-bit immediate operand of an i64 operation, sign-extended")               \
    K(IMM64, 64, "64-bit immediate")                                                            \
    K(LANES, 64, "eight lane indices, one per byte (i8x16.shuffle)")                            \
    K(LABEL, 32, "branch target: signed offset in words from the start of the instruction")     \
    K(FUEL, 32, "fuel a taken backward branch costs")                                           \
    K(TRAP, 32, "trap kind (kite_trap_kind_t)")                                                 \
    K(FUNC, 32, "function index")                                                               \
    K(CELL, 64, "address of a function's code cell in the module or instance")                  \
    K(GLOBAL, 32, "global index")                                                               \
    K(TABLE, 32, "table index")                                                                 \
    K(MEMORY, 32, "memory index")                                                               \
    K(DATA, 32, "data segment index")                                                           \
    K(ELEM, 32, "element segment index")                                                        \
    K(TYPE, 32, "module type index")                                                            \
    K(TAG, 32, "tag index")                                                                     \
    K(CANON, 32, "canonical type id (engine-wide)")                                             \
    K(CAST, 32, "cast target (KINT_CAST_* in interp.h)")

typedef enum kint_fkind {
#define KINT_FKIND_ENUM(kind, bits, doc) KINT_FK_##kind,
    KINT_FIELD_KINDS(KINT_FKIND_ENUM)
#undef KINT_FKIND_ENUM
    KINT_FK_COUNT
} kint_fkind;

/* Bits per kind, as constants for the compile-time checks. */
enum {
#define KINT_FKIND_BITS(kind, bits, doc) KINT_FK_BITS_##kind = bits,
    KINT_FIELD_KINDS(KINT_FKIND_BITS)
#undef KINT_FKIND_BITS
};

/* ---- field names ----------------------------------------------------------------------- */

/* N(name, meaning): every field name a shape may use. */
#define KINT_FIELD_NAMES(N)                                                                    \
    N(a, "first operand")                                                                       \
    N(b, "second operand")                                                                      \
    N(c, "third operand (float chains: the one the fused pair's result meets)")                \
    N(imm, "immediate second operand")                                                          \
    N(a_lo, "first 128-bit operand, low half")                                                  \
    N(a_hi, "first 128-bit operand, high half")                                                 \
    N(b_lo, "second 128-bit operand, low half")                                                 \
    N(b_hi, "second 128-bit operand, high half")                                                \
    N(x, "value shifted by k before the add (fused address arithmetic)")                        \
    N(k, "shift count")                                                                         \
    N(dst, "result")                                                                            \
    N(dst_lo, "128-bit result, low half")                                                       \
    N(dst_hi, "128-bit result, high half")                                                      \
    N(src, "source")                                                                            \
    N(src2, "second copy's source")                                                             \
    N(dst2, "second copy's destination")                                                        \
    N(value, "constant")                                                                        \
    N(cond, "condition")                                                                        \
    N(addr, "memory address operand")                                                           \
    N(offset, "static offset added to the address (memory), byte offset of a field (struct)")  \
    N(val, "value stored or combined")                                                          \
    N(expected, "value compared against memory")                                                \
    N(replacement, "value stored when the comparison holds")                                    \
    N(count, "waiters to wake")                                                                 \
    N(timeout, "wait timeout in nanoseconds (negative: none)")                                  \
    N(mem, "memory")                                                                            \
    N(dmem, "destination memory")                                                               \
    N(smem, "source memory")                                                                    \
    N(label, "branch target")                                                                   \
    N(fuel, "fuel charged when the branch is taken")                                            \
    N(trap, "trap raised")                                                                      \
    N(idx, "index operand (br_table selector, table element, array element, callee)")          \
    N(n, "count")                                                                               \
    N(base, "first slot of a run (call frame, field or element values, exception payload)")    \
    N(cell, "callee's code cell")                                                               \
    N(func, "function")                                                                         \
    N(canon, "expected canonical function type")                                                \
    N(table, "table")                                                                           \
    N(dtable, "destination table")                                                              \
    N(stable, "source table")                                                                   \
    N(ref, "reference operand")                                                                 \
    N(global, "global")                                                                         \
    N(tag, "exception tag")                                                                     \
    N(delta, "growth in pages or elements")                                                     \
    N(init, "initial value")                                                                    \
    N(d, "destination address or index")                                                        \
    N(s, "source address or index")                                                             \
    N(data, "data segment")                                                                     \
    N(elem, "element segment")                                                                  \
    N(type, "struct or array type")                                                             \
    N(obj, "struct reference")                                                                  \
    N(arr, "array reference")                                                                   \
    N(darr, "destination array")                                                                \
    N(sarr, "source array")                                                                     \
    N(doff, "destination element index")                                                        \
    N(soff, "source element or byte offset")                                                    \
    N(width, "bytes per array element")                                                         \
    N(cast, "cast target")                                                                      \
    N(lane, "lane index (SIMD)")                                                                \
    N(mask_lo, "i8x16.shuffle: lane indices 0-7, one per byte")                                 \
    N(mask_hi, "i8x16.shuffle: lane indices 8-15, one per byte")                                \
    N(value_hi, "128-bit constant, high half (value: the low half)")

typedef enum kint_fname {
#define KINT_FNAME_ENUM(name, doc) KINT_FN_##name,
    KINT_FIELD_NAMES(KINT_FNAME_ENUM)
#undef KINT_FNAME_ENUM
    KINT_FN_COUNT
} kint_fname;

/* ---- shapes ---------------------------------------------------------------------------- */

/* S(shape, words): operand words after the handler word. */
#define KINT_SHAPES(S)                                                                         \
    S(NONE, 0)                                                                                  \
    /* numeric */                                                                               \
    S(UNARY, 1)                                                                                 \
    S(BINARY, 2)                                                                                \
    S(BINARY_IMM, 2)                                                                            \
    S(BINARY_IMM64, 2)                                                                          \
    S(BR_UNARY, 2)                                                                              \
    S(BR_BINARY, 2)                                                                             \
    S(BR_BINARY_IMM, 2)                                                                         \
    S(BR_BINARY_IMM64, 2)                                                                       \
    S(WIDE2, 2)                                                                                 \
    S(WIDE4, 3)                                                                                 \
    S(FCHAIN, 2)                                                                                \
    S(SHL_ADD, 2)                                                                               \
    /* memory */                                                                                \
    S(LOAD, 2)                                                                                  \
    S(STORE, 2)                                                                                 \
    S(LOAD_CHECKED, 3)                                                                          \
    S(STORE_CHECKED, 3)                                                                         \
    S(LOAD_ADD, 2)                                                                              \
    S(LOAD_ADD_IMM, 2)                                                                          \
    S(LOAD_SHL_ADD, 3)                                                                          \
    S(STORE_ADD, 2)                                                                             \
    S(STORE_ADD_IMM, 2)                                                                         \
    S(STORE_SHL_ADD, 3)                                                                         \
    S(ATOMIC_RMW, 3)                                                                            \
    S(ATOMIC_CMPXCHG, 4)                                                                        \
    S(ATOMIC_NOTIFY, 3)                                                                         \
    S(ATOMIC_WAIT, 4)                                                                           \
    /* control */                                                                               \
    S(TRAP, 1)                                                                                  \
    S(BR, 1)                                                                                    \
    S(BR_TABLE, 1)                                                                              \
    S(SRC, 1)                                                                                   \
    S(RETN, 1)                                                                                  \
    /* variables, copies */                                                                     \
    S(SRC_DST, 1)                                                                               \
    S(SRC_DST2, 1)                                                                              \
    S(COPY_COPY, 2)                                                                             \
    S(COPY_BR, 2)                                                                               \
    S(CONST, 2)                                                                                 \
    S(SELECT, 2)                                                                                \
    S(SELECT2, 2)                                                                               \
    S(GLOBAL_GET, 1)                                                                            \
    S(GLOBAL_SET, 1)                                                                            \
    S(GLOBAL_GET2, 1)                                                                           \
    S(GLOBAL_SET2, 1)                                                                           \
    S(REF_FUNC, 1)                                                                              \
    /* calls, exceptions */                                                                     \
    S(CALL, 2)                                                                                  \
    S(CALL_FUNC, 1)                                                                             \
    S(CALL_INDIRECT, 2)                                                                         \
    S(CALL_REF, 1)                                                                              \
    S(THROW, 1)                                                                                 \
    /* bulk memory, tables */                                                                   \
    S(MEMORY_SIZE, 1)                                                                           \
    S(MEMORY_GROW, 2)                                                                           \
    S(MEMORY_FILL, 2)                                                                           \
    S(MEMORY_COPY, 3)                                                                           \
    S(MEMORY_INIT, 3)                                                                           \
    S(DATA_DROP, 1)                                                                             \
    S(TABLE_GET, 2)                                                                             \
    S(TABLE_SET, 2)                                                                             \
    S(TABLE_SIZE, 1)                                                                            \
    S(TABLE_GROW, 2)                                                                            \
    S(TABLE_FILL, 2)                                                                            \
    S(TABLE_COPY, 3)                                                                            \
    S(TABLE_INIT, 3)                                                                            \
    S(ELEM_DROP, 1)                                                                             \
    /* GC */                                                                                    \
    S(STRUCT_NEW, 2)                                                                            \
    S(STRUCT_NEW_DEFAULT, 1)                                                                    \
    S(STRUCT_GET, 2)                                                                            \
    S(STRUCT_GET2, 2)                                                                           \
    S(STRUCT_SET, 2)                                                                            \
    S(STRUCT_SET2, 2)                                                                           \
    S(ARRAY_NEW, 2)                                                                             \
    S(ARRAY_NEW_DEFAULT, 2)                                                                     \
    S(ARRAY_NEW_FIXED, 2)                                                                       \
    S(ARRAY_NEW_DATA, 3)                                                                        \
    S(ARRAY_NEW_ELEM, 3)                                                                        \
    S(ARRAY_GET, 2)                                                                             \
    S(ARRAY_GET2, 2)                                                                            \
    S(ARRAY_SET, 2)                                                                             \
    S(ARRAY_SET2, 2)                                                                            \
    S(ARRAY_LEN, 1)                                                                             \
    S(ARRAY_FILL, 3)                                                                            \
    S(ARRAY_COPY, 3)                                                                            \
    S(ARRAY_INIT_DATA, 3)                                                                       \
    S(ARRAY_INIT_ELEM, 3)                                                                       \
    S(REF_TEST, 2)                                                                              \
    S(REF_CAST, 1)                                                                              \
    S(BR_CAST, 2)                                                                               \
    /* SIMD */                                                                                  \
    S(CONST2, 3)                                                                                \
    S(SIMD_UNARY, 1)                                                                            \
    S(SIMD_BINARY, 2)                                                                           \
    S(SIMD_BINARY_LOAD, 2)                                                                      \
    S(SIMD_BINARY_STORE, 2)                                                                     \
    S(SIMD_BINARY_UPDATE, 2)                                                                    \
    S(SIMD_TERNARY, 2)                                                                          \
    S(SIMD_SHIFT, 2)                                                                            \
    S(SIMD_TEST, 1)                                                                             \
    S(SIMD_SPLAT, 1)                                                                            \
    S(SIMD_EXTRACT, 2)                                                                          \
    S(SIMD_REPLACE, 2)                                                                          \
    S(SIMD_SHUFFLE, 4)                                                                          \
    S(SIMD_SHUFFLE1, 3)                                                                         \
    S(SIMD_LOAD, 2)                                                                             \
    S(SIMD_STORE, 2)                                                                            \
    S(SIMD_LOAD_CHECKED, 3)                                                                     \
    S(SIMD_STORE_CHECKED, 3)                                                                    \
    S(SIMD_LOAD_ADD, 2)                                                                         \
    S(SIMD_LOAD_ADD_IMM, 2)                                                                     \
    S(SIMD_LOAD_SHL_ADD, 3)                                                                     \
    S(SIMD_STORE_ADD, 2)                                                                        \
    S(SIMD_STORE_ADD_IMM, 2)                                                                    \
    S(SIMD_STORE_SHL_ADD, 3)                                                                    \
    S(SIMD_LOAD_LANE, 4)                                                                        \
    S(SIMD_STORE_LANE, 3)

/*
 * Each shape's fields in layout order: F(X, name, kind, word, half), where
 * x is passed through unchanged (the shape or op being expanded). Shown in
 * the comments as [low|high] per operand word, [whole] for a 64-bit field.
 */
#define KINT_FIELDS_NONE(F, X)
/* [a|dst] */
#define KINT_FIELDS_UNARY(F, X) F(X, a, IN, 1, LO) F(X, dst, OUT, 1, HI)
/* [a|b][dst|-] */
#define KINT_FIELDS_BINARY(F, X) F(X, a, IN, 1, LO) F(X, b, IN, 1, HI) F(X, dst, OUT, 2, LO)
/* [a|imm][dst|-] */
#define KINT_FIELDS_BINARY_IMM(F, X) F(X, a, IN, 1, LO) F(X, imm, IMM_I32, 1, HI) F(X, dst, OUT, 2, LO)
#define KINT_FIELDS_BINARY_IMM64(F, X) F(X, a, IN, 1, LO) F(X, imm, IMM_S64, 1, HI) F(X, dst, OUT, 2, LO)
/* [a|-][label|fuel]: jump if the test gives 1 (BR_) or 0 (BRN_) */
#define KINT_FIELDS_BR_UNARY(F, X) F(X, a, IN, 1, LO) F(X, label, LABEL, 2, LO) F(X, fuel, FUEL, 2, HI)
/* [a|b][label|fuel] */
#define KINT_FIELDS_BR_BINARY(F, X) \
    F(X, a, IN, 1, LO) F(X, b, IN, 1, HI) F(X, label, LABEL, 2, LO) F(X, fuel, FUEL, 2, HI)
#define KINT_FIELDS_BR_BINARY_IMM(F, X) \
    F(X, a, IN, 1, LO) F(X, imm, IMM_I32, 1, HI) F(X, label, LABEL, 2, LO) F(X, fuel, FUEL, 2, HI)
#define KINT_FIELDS_BR_BINARY_IMM64(F, X) \
    F(X, a, IN, 1, LO) F(X, imm, IMM_S64, 1, HI) F(X, label, LABEL, 2, LO) F(X, fuel, FUEL, 2, HI)
/* [a_lo|a_hi][dst_lo|dst_hi]: (a_lo, a_hi) -> 128-bit result (mul_wide) */
#define KINT_FIELDS_WIDE2(F, X) \
    F(X, a_lo, IN, 1, LO) F(X, a_hi, IN, 1, HI) F(X, dst_lo, OUT, 2, LO) F(X, dst_hi, OUT, 2, HI)
/* [a_lo|a_hi][b_lo|b_hi][dst_lo|dst_hi] */
#define KINT_FIELDS_WIDE4(F, X)                                                   \
    F(X, a_lo, IN, 1, LO) F(X, a_hi, IN, 1, HI) F(X, b_lo, IN, 2, LO) F(X, b_hi, IN, 2, HI) \
    F(X, dst_lo, OUT, 3, LO) F(X, dst_hi, OUT, 3, HI)
/* [a|b][c|dst]: OP2(OP1(a, b), c) or OP2(c, OP1(a, b)) */
#define KINT_FIELDS_FCHAIN(F, X) \
    F(X, a, IN, 1, LO) F(X, b, IN, 1, HI) F(X, c, IN, 2, LO) F(X, dst, OUT, 2, HI)
/* [x|k][a|dst]: dst = a + (x << k) */
#define KINT_FIELDS_SHL_ADD(F, X) \
    F(X, x, IN, 1, LO) F(X, k, IMM, 1, HI) F(X, a, IN, 2, LO) F(X, dst, OUT, 2, HI)

/* [addr|dst][offset|-]: memory 0, unchecked (guarded) */
#define KINT_FIELDS_LOAD(F, X) F(X, addr, IN, 1, LO) F(X, dst, OUT, 1, HI) F(X, offset, IMM, 2, LO)
/* [addr|val][offset|-] */
#define KINT_FIELDS_STORE(F, X) F(X, addr, IN, 1, LO) F(X, val, IN, 1, HI) F(X, offset, IMM, 2, LO)
/* [addr|dst][mem|-][offset]: any memory, bounds-checked */
#define KINT_FIELDS_LOAD_CHECKED(F, X) \
    F(X, addr, IN, 1, LO) F(X, dst, OUT, 1, HI) F(X, mem, MEMORY, 2, LO) F(X, offset, IMM64, 3, W)
/* [addr|val][mem|-][offset] */
#define KINT_FIELDS_STORE_CHECKED(F, X) \
    F(X, addr, IN, 1, LO) F(X, val, IN, 1, HI) F(X, mem, MEMORY, 2, LO) F(X, offset, IMM64, 3, W)
/* [a|b][dst|offset]: address a + b */
#define KINT_FIELDS_LOAD_ADD(F, X) \
    F(X, a, IN, 1, LO) F(X, b, IN, 1, HI) F(X, dst, OUT, 2, LO) F(X, offset, IMM, 2, HI)
/* [a|imm][dst|offset]: address a + imm */
#define KINT_FIELDS_LOAD_ADD_IMM(F, X) \
    F(X, a, IN, 1, LO) F(X, imm, IMM_I32, 1, HI) F(X, dst, OUT, 2, LO) F(X, offset, IMM, 2, HI)
/* [x|k][a|dst][offset|-]: address a + (x << k) */
#define KINT_FIELDS_LOAD_SHL_ADD(F, X)                                                     \
    F(X, x, IN, 1, LO) F(X, k, IMM, 1, HI) F(X, a, IN, 2, LO) F(X, dst, OUT, 2, HI) \
    F(X, offset, IMM, 3, LO)
/* [a|b][val|offset] */
#define KINT_FIELDS_STORE_ADD(F, X) \
    F(X, a, IN, 1, LO) F(X, b, IN, 1, HI) F(X, val, IN, 2, LO) F(X, offset, IMM, 2, HI)
/* [a|imm][val|offset] */
#define KINT_FIELDS_STORE_ADD_IMM(F, X) \
    F(X, a, IN, 1, LO) F(X, imm, IMM_I32, 1, HI) F(X, val, IN, 2, LO) F(X, offset, IMM, 2, HI)
/* [x|k][a|val][offset|-] */
#define KINT_FIELDS_STORE_SHL_ADD(F, X)                                                    \
    F(X, x, IN, 1, LO) F(X, k, IMM, 1, HI) F(X, a, IN, 2, LO) F(X, val, IN, 2, HI) \
    F(X, offset, IMM, 3, LO)
/* [addr|val][dst|mem][offset]: dst = old value */
#define KINT_FIELDS_ATOMIC_RMW(F, X)                                                          \
    F(X, addr, IN, 1, LO) F(X, val, IN, 1, HI) F(X, dst, OUT, 2, LO) F(X, mem, MEMORY, 2, HI) \
    F(X, offset, IMM64, 3, W)
/* [addr|expected][replacement|dst][mem|-][offset] */
#define KINT_FIELDS_ATOMIC_CMPXCHG(F, X)                                              \
    F(X, addr, IN, 1, LO) F(X, expected, IN, 1, HI) F(X, replacement, IN, 2, LO) \
    F(X, dst, OUT, 2, HI) F(X, mem, MEMORY, 3, LO) F(X, offset, IMM64, 4, W)
/* [addr|count][dst|mem][offset] */
#define KINT_FIELDS_ATOMIC_NOTIFY(F, X)                                                         \
    F(X, addr, IN, 1, LO) F(X, count, IN, 1, HI) F(X, dst, OUT, 2, LO) F(X, mem, MEMORY, 2, HI) \
    F(X, offset, IMM64, 3, W)
/* [addr|expected][timeout|dst][mem|-][offset] */
#define KINT_FIELDS_ATOMIC_WAIT(F, X)                                                          \
    F(X, addr, IN, 1, LO) F(X, expected, IN, 1, HI) F(X, timeout, IN, 2, LO) F(X, dst, OUT, 2, HI) \
    F(X, mem, MEMORY, 3, LO) F(X, offset, IMM64, 4, W)

/* [trap|-] */
#define KINT_FIELDS_TRAP(F, X) F(X, trap, TRAP, 1, LO)
/* [label|fuel] */
#define KINT_FIELDS_BR(F, X) F(X, label, LABEL, 1, LO) F(X, fuel, FUEL, 1, HI)
/* [idx|n], then n + 1 labels (KINT_BR_TABLE_*) */
#define KINT_FIELDS_BR_TABLE(F, X) F(X, idx, IN, 1, LO) F(X, n, IMM, 1, HI)
/* [src|-] */
#define KINT_FIELDS_SRC(F, X) F(X, src, IN, 1, LO)
/* [src|n]: fp[0..n) = fp[src..src+n) */
#define KINT_FIELDS_RETN(F, X) F(X, src, IN_RUN, 1, LO) F(X, n, IMM, 1, HI)
/* [src|dst] */
#define KINT_FIELDS_SRC_DST(F, X) F(X, src, IN, 1, LO) F(X, dst, OUT, 1, HI)
#define KINT_FIELDS_SRC_DST2(F, X) F(X, src, IN2, 1, LO) F(X, dst, OUT2, 1, HI)
/* [src|dst][src2|dst2]: two copies, in order */
#define KINT_FIELDS_COPY_COPY(F, X) \
    F(X, src, IN, 1, LO) F(X, dst, OUT, 1, HI) F(X, src2, IN, 2, LO) F(X, dst2, OUT, 2, HI)
/* [src|dst][label|fuel]: a copy, then a branch */
#define KINT_FIELDS_COPY_BR(F, X) \
    F(X, src, IN, 1, LO) F(X, dst, OUT, 1, HI) F(X, label, LABEL, 2, LO) F(X, fuel, FUEL, 2, HI)
/* [dst|-][value] */
#define KINT_FIELDS_CONST(F, X) F(X, dst, OUT, 1, LO) F(X, value, IMM64, 2, W)
/* [a|b][cond|dst]: cond ? a : b */
#define KINT_FIELDS_SELECT(F, X) \
    F(X, a, IN, 1, LO) F(X, b, IN, 1, HI) F(X, cond, IN, 2, LO) F(X, dst, OUT, 2, HI)
#define KINT_FIELDS_SELECT2(F, X) \
    F(X, a, IN2, 1, LO) F(X, b, IN2, 1, HI) F(X, cond, IN, 2, LO) F(X, dst, OUT2, 2, HI)
/* [dst|global], [src|global] */
#define KINT_FIELDS_GLOBAL_GET(F, X) F(X, dst, OUT, 1, LO) F(X, global, GLOBAL, 1, HI)
#define KINT_FIELDS_GLOBAL_SET(F, X) F(X, src, IN, 1, LO) F(X, global, GLOBAL, 1, HI)
#define KINT_FIELDS_GLOBAL_GET2(F, X) F(X, dst, OUT2, 1, LO) F(X, global, GLOBAL, 1, HI)
#define KINT_FIELDS_GLOBAL_SET2(F, X) F(X, src, IN2, 1, LO) F(X, global, GLOBAL, 1, HI)
/* [dst|func] */
#define KINT_FIELDS_REF_FUNC(F, X) F(X, dst, OUT, 1, LO) F(X, func, FUNC, 1, HI)

/* [base|-][cell]: a defined function of the same module */
#define KINT_FIELDS_CALL(F, X) F(X, base, FRAME, 1, LO) F(X, cell, CELL, 2, W)
/* [base|func]: through the instance's function table (imports) */
#define KINT_FIELDS_CALL_FUNC(F, X) F(X, base, FRAME, 1, LO) F(X, func, FUNC, 1, HI)
/* [idx|base][canon|table] */
#define KINT_FIELDS_CALL_INDIRECT(F, X) \
    F(X, idx, IN, 1, LO) F(X, base, FRAME, 1, HI) F(X, canon, CANON, 2, LO) F(X, table, TABLE, 2, HI)
/* [ref|base] */
#define KINT_FIELDS_CALL_REF(F, X) F(X, ref, IN, 1, LO) F(X, base, FRAME, 1, HI)
/* [base|tag]: payload at fp[base..] */
#define KINT_FIELDS_THROW(F, X) F(X, base, IN_RUN, 1, LO) F(X, tag, TAG, 1, HI)

#define KINT_FIELDS_MEMORY_SIZE(F, X) F(X, dst, OUT, 1, LO) F(X, mem, MEMORY, 1, HI)
#define KINT_FIELDS_MEMORY_GROW(F, X) F(X, delta, IN, 1, LO) F(X, dst, OUT, 1, HI) F(X, mem, MEMORY, 2, LO)
#define KINT_FIELDS_MEMORY_FILL(F, X) \
    F(X, d, IN, 1, LO) F(X, val, IN, 1, HI) F(X, n, IN, 2, LO) F(X, mem, MEMORY, 2, HI)
#define KINT_FIELDS_MEMORY_COPY(F, X) \
    F(X, d, IN, 1, LO) F(X, s, IN, 1, HI) F(X, n, IN, 2, LO) F(X, dmem, MEMORY, 3, LO) F(X, smem, MEMORY, 3, HI)
#define KINT_FIELDS_MEMORY_INIT(F, X) \
    F(X, d, IN, 1, LO) F(X, s, IN, 1, HI) F(X, n, IN, 2, LO) F(X, data, DATA, 3, LO) F(X, mem, MEMORY, 3, HI)
#define KINT_FIELDS_DATA_DROP(F, X) F(X, data, DATA, 1, LO)
#define KINT_FIELDS_TABLE_GET(F, X) F(X, idx, IN, 1, LO) F(X, dst, OUT, 1, HI) F(X, table, TABLE, 2, LO)
#define KINT_FIELDS_TABLE_SET(F, X) F(X, idx, IN, 1, LO) F(X, val, IN, 1, HI) F(X, table, TABLE, 2, LO)
#define KINT_FIELDS_TABLE_SIZE(F, X) F(X, dst, OUT, 1, LO) F(X, table, TABLE, 1, HI)
#define KINT_FIELDS_TABLE_GROW(F, X) \
    F(X, init, IN, 1, LO) F(X, delta, IN, 1, HI) F(X, dst, OUT, 2, LO) F(X, table, TABLE, 2, HI)
#define KINT_FIELDS_TABLE_FILL(F, X) \
    F(X, d, IN, 1, LO) F(X, val, IN, 1, HI) F(X, n, IN, 2, LO) F(X, table, TABLE, 2, HI)
#define KINT_FIELDS_TABLE_COPY(F, X) \
    F(X, d, IN, 1, LO) F(X, s, IN, 1, HI) F(X, n, IN, 2, LO) F(X, dtable, TABLE, 3, LO) F(X, stable, TABLE, 3, HI)
#define KINT_FIELDS_TABLE_INIT(F, X) \
    F(X, d, IN, 1, LO) F(X, s, IN, 1, HI) F(X, n, IN, 2, LO) F(X, elem, ELEM, 3, LO) F(X, table, TABLE, 3, HI)
#define KINT_FIELDS_ELEM_DROP(F, X) F(X, elem, ELEM, 1, LO)

/* GC. Field values of struct.new and elements of array.new_fixed at
 * fp[base..]; offset is a field's byte offset, width an element's bytes. */
#define KINT_FIELDS_STRUCT_NEW(F, X) F(X, base, IN_RUN, 1, LO) F(X, dst, OUT, 1, HI) F(X, type, TYPE, 2, LO)
#define KINT_FIELDS_STRUCT_NEW_DEFAULT(F, X) F(X, dst, OUT, 1, LO) F(X, type, TYPE, 1, HI)
#define KINT_FIELDS_STRUCT_GET(F, X) F(X, obj, IN, 1, LO) F(X, dst, OUT, 1, HI) F(X, offset, IMM, 2, LO)
#define KINT_FIELDS_STRUCT_GET2(F, X) F(X, obj, IN, 1, LO) F(X, dst, OUT2, 1, HI) F(X, offset, IMM, 2, LO)
#define KINT_FIELDS_STRUCT_SET(F, X) F(X, obj, IN, 1, LO) F(X, val, IN, 1, HI) F(X, offset, IMM, 2, LO)
#define KINT_FIELDS_STRUCT_SET2(F, X) F(X, obj, IN, 1, LO) F(X, val, IN2, 1, HI) F(X, offset, IMM, 2, LO)
#define KINT_FIELDS_ARRAY_NEW(F, X) \
    F(X, init, IN_ELEM, 1, LO) F(X, n, IN, 1, HI) F(X, dst, OUT, 2, LO) F(X, type, TYPE, 2, HI)
#define KINT_FIELDS_ARRAY_NEW_DEFAULT(F, X) F(X, n, IN, 1, LO) F(X, dst, OUT, 1, HI) F(X, type, TYPE, 2, LO)
#define KINT_FIELDS_ARRAY_NEW_FIXED(F, X) \
    F(X, base, IN_RUN, 1, LO) F(X, dst, OUT, 1, HI) F(X, type, TYPE, 2, LO) F(X, n, IMM, 2, HI)
#define KINT_FIELDS_ARRAY_NEW_DATA(F, X)                                                   \
    F(X, soff, IN, 1, LO) F(X, n, IN, 1, HI) F(X, dst, OUT, 2, LO) F(X, type, TYPE, 2, HI) \
    F(X, data, DATA, 3, LO)
#define KINT_FIELDS_ARRAY_NEW_ELEM(F, X)                                                   \
    F(X, soff, IN, 1, LO) F(X, n, IN, 1, HI) F(X, dst, OUT, 2, LO) F(X, type, TYPE, 2, HI) \
    F(X, elem, ELEM, 3, LO)
#define KINT_FIELDS_ARRAY_GET(F, X) F(X, arr, IN, 1, LO) F(X, idx, IN, 1, HI) F(X, dst, OUT, 2, LO)
#define KINT_FIELDS_ARRAY_GET2(F, X) F(X, arr, IN, 1, LO) F(X, idx, IN, 1, HI) F(X, dst, OUT2, 2, LO)
#define KINT_FIELDS_ARRAY_SET(F, X) F(X, arr, IN, 1, LO) F(X, idx, IN, 1, HI) F(X, val, IN, 2, LO)
#define KINT_FIELDS_ARRAY_SET2(F, X) F(X, arr, IN, 1, LO) F(X, idx, IN, 1, HI) F(X, val, IN2, 2, LO)
#define KINT_FIELDS_ARRAY_LEN(F, X) F(X, arr, IN, 1, LO) F(X, dst, OUT, 1, HI)
#define KINT_FIELDS_ARRAY_FILL(F, X)                                                       \
    F(X, arr, IN, 1, LO) F(X, doff, IN, 1, HI) F(X, val, IN_ELEM, 2, LO) F(X, n, IN, 2, HI) \
    F(X, width, IMM, 3, LO)
#define KINT_FIELDS_ARRAY_COPY(F, X)                                                        \
    F(X, darr, IN, 1, LO) F(X, doff, IN, 1, HI) F(X, sarr, IN, 2, LO) F(X, soff, IN, 2, HI) \
    F(X, n, IN, 3, LO) F(X, width, IMM, 3, HI)
#define KINT_FIELDS_ARRAY_INIT_DATA(F, X)                                                 \
    F(X, arr, IN, 1, LO) F(X, doff, IN, 1, HI) F(X, soff, IN, 2, LO) F(X, n, IN, 2, HI) \
    F(X, data, DATA, 3, LO) F(X, width, IMM, 3, HI)
#define KINT_FIELDS_ARRAY_INIT_ELEM(F, X)                                                 \
    F(X, arr, IN, 1, LO) F(X, doff, IN, 1, HI) F(X, soff, IN, 2, LO) F(X, n, IN, 2, HI) \
    F(X, elem, ELEM, 3, LO)
/* [src|dst][cast|-] */
#define KINT_FIELDS_REF_TEST(F, X) F(X, src, IN, 1, LO) F(X, dst, OUT, 1, HI) F(X, cast, CAST, 2, LO)
/* [src|cast]: traps "cast failure"; the reference stays where it is */
#define KINT_FIELDS_REF_CAST(F, X) F(X, src, IN, 1, LO) F(X, cast, CAST, 1, HI)
/* [src|cast][label|fuel]: jump if the cast succeeds (BR_CAST) or fails (BRN_CAST) */
#define KINT_FIELDS_BR_CAST(F, X) \
    F(X, src, IN, 1, LO) F(X, cast, CAST, 1, HI) F(X, label, LABEL, 2, LO) F(X, fuel, FUEL, 2, HI)

/* SIMD (simd_ops.def): a v128 operand or result takes two slots (IN2,
 * OUT2). [dst|-][value][value_hi]: a v128 constant not in the pool. */
#define KINT_FIELDS_CONST2(F, X) F(X, dst, OUT2, 1, LO) F(X, value, IMM64, 2, W) F(X, value_hi, IMM64, 3, W)
/* [a|dst] */
#define KINT_FIELDS_SIMD_UNARY(F, X) F(X, a, IN2, 1, LO) F(X, dst, OUT2, 1, HI)
/* [a|b][dst|-] */
#define KINT_FIELDS_SIMD_BINARY(F, X) F(X, a, IN2, 1, LO) F(X, b, IN2, 1, HI) F(X, dst, OUT2, 2, LO)
/* [a|addr][dst|offset]: b loaded from memory 0 at addr + offset (unchecked) */
#define KINT_FIELDS_SIMD_BINARY_LOAD(F, X) \
    F(X, a, IN2, 1, LO) F(X, addr, IN, 1, HI) F(X, dst, OUT2, 2, LO) F(X, offset, IMM, 2, HI)
/* [a|b][addr|offset]: the result stored to memory 0 at addr + offset (unchecked) */
#define KINT_FIELDS_SIMD_BINARY_STORE(F, X) \
    F(X, a, IN2, 1, LO) F(X, b, IN2, 1, HI) F(X, addr, IN, 2, LO) F(X, offset, IMM, 2, HI)
/* [a|addr][offset|-]: b loaded from memory 0 at addr + offset, the result
 * stored back there (c[i] = a op c[i]) */
#define KINT_FIELDS_SIMD_BINARY_UPDATE(F, X) F(X, a, IN2, 1, LO) F(X, addr, IN, 1, HI) F(X, offset, IMM, 2, LO)
/* [a|b][c|dst] */
#define KINT_FIELDS_SIMD_TERNARY(F, X) \
    F(X, a, IN2, 1, LO) F(X, b, IN2, 1, HI) F(X, c, IN2, 2, LO) F(X, dst, OUT2, 2, HI)
/* [a|b][dst|-]: b the i32 shift count */
#define KINT_FIELDS_SIMD_SHIFT(F, X) F(X, a, IN2, 1, LO) F(X, b, IN, 1, HI) F(X, dst, OUT2, 2, LO)
/* [a|dst]: v128 -> i32 */
#define KINT_FIELDS_SIMD_TEST(F, X) F(X, a, IN2, 1, LO) F(X, dst, OUT, 1, HI)
/* [a|dst]: scalar -> v128 */
#define KINT_FIELDS_SIMD_SPLAT(F, X) F(X, a, IN, 1, LO) F(X, dst, OUT2, 1, HI)
/* [a|dst][lane|-] */
#define KINT_FIELDS_SIMD_EXTRACT(F, X) F(X, a, IN2, 1, LO) F(X, dst, OUT, 1, HI) F(X, lane, IMM, 2, LO)
/* [a|b][dst|lane]: b the scalar put in lane */
#define KINT_FIELDS_SIMD_REPLACE(F, X) \
    F(X, a, IN2, 1, LO) F(X, b, IN, 1, HI) F(X, dst, OUT2, 2, LO) F(X, lane, IMM, 2, HI)
/* [a|b][dst|-][mask_lo][mask_hi] */
#define KINT_FIELDS_SIMD_SHUFFLE(F, X)                                                          \
    F(X, a, IN2, 1, LO) F(X, b, IN2, 1, HI) F(X, dst, OUT2, 2, LO) F(X, mask_lo, LANES, 3, W) \
    F(X, mask_hi, LANES, 4, W)
/* [a|dst][mask_lo][mask_hi]: every lane from a, indices below 16 */
#define KINT_FIELDS_SIMD_SHUFFLE1(F, X) \
    F(X, a, IN2, 1, LO) F(X, dst, OUT2, 1, HI) F(X, mask_lo, LANES, 2, W) F(X, mask_hi, LANES, 3, W)
/* Memory, as their scalar counterparts with a v128 dst or val. */
#define KINT_FIELDS_SIMD_LOAD(F, X) F(X, addr, IN, 1, LO) F(X, dst, OUT2, 1, HI) F(X, offset, IMM, 2, LO)
#define KINT_FIELDS_SIMD_STORE(F, X) F(X, addr, IN, 1, LO) F(X, val, IN2, 1, HI) F(X, offset, IMM, 2, LO)
#define KINT_FIELDS_SIMD_LOAD_CHECKED(F, X) \
    F(X, addr, IN, 1, LO) F(X, dst, OUT2, 1, HI) F(X, mem, MEMORY, 2, LO) F(X, offset, IMM64, 3, W)
#define KINT_FIELDS_SIMD_STORE_CHECKED(F, X) \
    F(X, addr, IN, 1, LO) F(X, val, IN2, 1, HI) F(X, mem, MEMORY, 2, LO) F(X, offset, IMM64, 3, W)
#define KINT_FIELDS_SIMD_LOAD_ADD(F, X) \
    F(X, a, IN, 1, LO) F(X, b, IN, 1, HI) F(X, dst, OUT2, 2, LO) F(X, offset, IMM, 2, HI)
#define KINT_FIELDS_SIMD_LOAD_ADD_IMM(F, X) \
    F(X, a, IN, 1, LO) F(X, imm, IMM, 1, HI) F(X, dst, OUT2, 2, LO) F(X, offset, IMM, 2, HI)
#define KINT_FIELDS_SIMD_LOAD_SHL_ADD(F, X)                                                   \
    F(X, x, IN, 1, LO) F(X, k, IMM, 1, HI) F(X, a, IN, 2, LO) F(X, dst, OUT2, 2, HI) \
    F(X, offset, IMM, 3, LO)
#define KINT_FIELDS_SIMD_STORE_ADD(F, X) \
    F(X, a, IN, 1, LO) F(X, b, IN, 1, HI) F(X, val, IN2, 2, LO) F(X, offset, IMM, 2, HI)
#define KINT_FIELDS_SIMD_STORE_ADD_IMM(F, X) \
    F(X, a, IN, 1, LO) F(X, imm, IMM, 1, HI) F(X, val, IN2, 2, LO) F(X, offset, IMM, 2, HI)
#define KINT_FIELDS_SIMD_STORE_SHL_ADD(F, X)                                                  \
    F(X, x, IN, 1, LO) F(X, k, IMM, 1, HI) F(X, a, IN, 2, LO) F(X, val, IN2, 2, HI) \
    F(X, offset, IMM, 3, LO)
/* [addr|a][dst|lane][mem|-][offset]: any memory, checked (lane accesses are rare) */
#define KINT_FIELDS_SIMD_LOAD_LANE(F, X)                                                    \
    F(X, addr, IN, 1, LO) F(X, a, IN2, 1, HI) F(X, dst, OUT2, 2, LO) F(X, lane, IMM, 2, HI) \
    F(X, mem, MEMORY, 3, LO) F(X, offset, IMM64, 4, W)
/* [addr|val][lane|mem][offset] */
#define KINT_FIELDS_SIMD_STORE_LANE(F, X)                                                     \
    F(X, addr, IN, 1, LO) F(X, val, IN2, 1, HI) F(X, lane, IMM, 2, LO) F(X, mem, MEMORY, 2, HI) \
    F(X, offset, IMM64, 3, W)

/* The largest instruction but br_table, in words (handler word included). */
#define KINT_MAX_SIZE 5
/* The most fields a shape has. */
#define KINT_MAX_FIELDS 6

typedef enum kint_shape {
#define KINT_SHAPE_ENUM(shape, words) KINT_SHAPE_##shape,
    KINT_SHAPES(KINT_SHAPE_ENUM)
#undef KINT_SHAPE_ENUM
    KINT_SHAPE_COUNT
} kint_shape;

/* Per shape: operand words (KINT_WORDS_<SHAPE>), and per field its kind
 * (KINT_KIND_<SHAPE>_<field>), for compile-time checks by shape. */
#define KINT_SHAPE_KIND_(x, f, kind, word, half) KINT_KIND_##x##_##f = KINT_FK_##kind,
enum {
#define KINT_SHAPE_CONSTS(shape, words) \
    KINT_WORDS_##shape = (words), KINT_FIELDS_##shape(KINT_SHAPE_KIND_, shape)
    KINT_SHAPES(KINT_SHAPE_CONSTS)
#undef KINT_SHAPE_CONSTS
};

/* ---- ops ------------------------------------------------------------------------------- */

/*
 * Float chains, fused: OP2(OP1(a, b), c) (suffix _L) and OP2(c, OP1(a, b))
 * (_R) for OP1, OP2 in add, sub, mul, rounded after each operation as Wasm
 * requires. Y(T, t, L, OP1, op1, OP2, op2): T / t the type in upper / lower
 * case, L its opcode-table letter.
 */
#define KINT_FCHAIN_2(Y, T, t, L, O1, o1) \
    Y(T, t, L, O1, o1, ADD, add) Y(T, t, L, O1, o1, SUB, sub) Y(T, t, L, O1, o1, MUL, mul)
#define KINT_FCHAIN_1(Y, T, t, L)                                                            \
    KINT_FCHAIN_2(Y, T, t, L, ADD, add) KINT_FCHAIN_2(Y, T, t, L, SUB, sub)                  \
    KINT_FCHAIN_2(Y, T, t, L, MUL, mul)
#define KINT_FCHAIN(Y) KINT_FCHAIN_1(Y, F64, f64, F) KINT_FCHAIN_1(Y, F32, f32, f)

/* The internal instructions (ops_all.h lists them with their shapes). */
typedef enum kint_op {
#define KINT_OP(name, shape) KINT_OP_##name,
#include "interp/ops_all.h"
    KINT_OP_COUNT
} kint_op;

/*
 * Per op, as compile-time constants: KINT_SIZE_<op> (words, handler word
 * included), KINT_SHAPE_OF_<op>, and per field KINT_AT_<op>_<field> (the
 * 32-bit half it is in: 2 * word + 1 for HI) or KINT_AT64_<op>_<field> (the
 * word of a 64-bit field). A field an op does not have is a compile error.
 */
#define KINT_OP_FIELD_(x, f, kind, word, half) KINT_OP_FIELD_##half(x, f, word)
#define KINT_OP_FIELD_LO(x, f, word) KINT_AT_##x##_##f = 2 * (word),
#define KINT_OP_FIELD_HI(x, f, word) KINT_AT_##x##_##f = 2 * (word) + 1,
#define KINT_OP_FIELD_W(x, f, word) KINT_AT64_##x##_##f = (word),
enum {
#define KINT_OP(name, shape)                                                              \
    KINT_SIZE_##name = 1 + KINT_WORDS_##shape, KINT_SHAPE_OF_##name = KINT_SHAPE_##shape, \
    KINT_FIELDS_##shape(KINT_OP_FIELD_, name)
#include "interp/ops_all.h"
};

/* Field `f` (32 bits) of the instruction of `op` at pc, and a 64-bit one. */
#define KINT_OPND(pc, op, f) ((uint32_t)((pc)[KINT_AT_##op##_##f >> 1] >> (32 * (KINT_AT_##op##_##f & 1))))
#define KINT_OPND64(pc, op, f) ((pc)[KINT_AT64_##op##_##f])
/* Instruction size in words. */
#define KINT_SIZE(op) KINT_SIZE_##op

/*
 * br_table: [idx|n] then a tail of n + 1 labels (signed word offsets from
 * the start of the br_table, like every label), two per word, low half
 * first: entry i is the target for index i, entry n the default.
 */
#define KINT_BR_TABLE_TAIL_WORDS(n) ((n) / 2 + 1)
#define KINT_BR_TABLE_WORD(i) (KINT_SIZE_BR_TABLE + (i) / 2)
#define KINT_BR_TABLE_HALF(i) ((i) & 1)
#define KINT_BR_TABLE_LABEL(pc, i) \
    ((int32_t)(uint32_t)((pc)[KINT_BR_TABLE_WORD(i)] >> (32 * KINT_BR_TABLE_HALF(i))))

/* ---- descriptors, for use at run time ---------------------------------------------------- */

enum { KINT_HALF_LO, KINT_HALF_HI, KINT_HALF_W };

typedef struct kint_field {
    const char *name;
    uint8_t id;   /* kint_fname */
    uint8_t kind; /* kint_fkind */
    uint8_t word; /* 1 = the first operand word */
    uint8_t half; /* KINT_HALF_* */
} kint_field;

typedef struct kint_shape_info {
    const char *name;
    uint8_t words;    /* operand words */
    uint8_t nfields;
    kint_field fields[KINT_MAX_FIELDS + 1]; /* layout order; then kind KINT_FK_NONE */
} kint_shape_info;

typedef struct kint_op_info {
    const char *name;
    uint8_t shape; /* kint_shape */
    uint8_t size;  /* words, handler word included (br_table: without its tail) */
} kint_op_info;

extern const kint_shape_info kint_shapes[KINT_SHAPE_COUNT];
extern const kint_op_info kint_ops[KINT_OP_COUNT];
extern const char *const kint_fkind_names[KINT_FK_COUNT];

/* Field `name` of op, or NULL when its shape has none. */
static inline const kint_field *kint_layout_field(kint_op op, kint_fname name)
{
    const kint_field *f = kint_shapes[kint_ops[op].shape].fields;
    for (; f->kind != KINT_FK_NONE; f++)
        if (f->id == name)
            return f;
    return NULL;
}

/* A field's value in an instruction's words (w[0] is its handler word). */
static inline uint64_t kint_layout_get(const uint64_t *w, const kint_field *f)
{
    switch (f->half) {
    case KINT_HALF_LO: return (uint32_t)w[f->word];
    case KINT_HALF_HI: return (uint32_t)(w[f->word] >> 32);
    default: return w[f->word];
    }
}

static inline void kint_layout_set(uint64_t *w, const kint_field *f, uint64_t v)
{
    switch (f->half) {
    case KINT_HALF_LO: w[f->word] = (w[f->word] & ~(uint64_t)0xFFFFFFFFu) | (uint32_t)v; break;
    case KINT_HALF_HI: w[f->word] = (w[f->word] & 0xFFFFFFFFu) | ((uint64_t)(uint32_t)v << 32); break;
    default: w[f->word] = v; break;
    }
}

/* Whether a field of this kind reads or writes frame slots. */
static inline bool kint_fkind_is_slot(uint8_t kind)
{
    return kind >= KINT_FK_IN && kind <= KINT_FK_OUT2;
}

#endif
