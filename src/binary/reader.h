/*
 * Reading the binary encoding: LEB128 integers, value and heap types, and
 * whole instructions (opcode + immediates, driven by the opcode table). The
 * decoder uses it for sections; the validator and the interpreter's
 * translator use it to walk code.
 */
#ifndef KITE_BINARY_READER_H
#define KITE_BINARY_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ir/opcodes.h"
#include "ir/types.h"
#include "kite.h"

/*
 * A cursor over bytes. On failure a read returns false and sets `error`
 * (KITE_ERROR_MALFORMED, at an offset in the base + (p - start) space: where
 * the input ends for "unexpected end of section or function", at the
 * offending byte otherwise); later reads keep failing, so callers may check
 * once after a run of reads.
 */
typedef struct kdec_reader {
    const uint8_t *start, *p, *end;
    uint64_t base;         /* offset of start[0] in the whole binary */
    kite_error_t *error;
    const kite_allocator_t *alloc; /* of errors */
} kdec_reader;

/* A reader whose errors are made with `alloc`. */
void kdec_reader_init(kdec_reader *r, const kite_allocator_t *alloc, const uint8_t *bytes,
                      size_t len, uint64_t base);
static inline uint64_t kdec_offset(const kdec_reader *r) { return r->base + (uint64_t)(r->p - r->start); }
static inline bool kdec_at_end(const kdec_reader *r) { return r->p >= r->end; }
/* Record an error at the current offset (first error wins); returns false. */
bool kdec_fail(kdec_reader *r, const char *fmt, ...);
/* The same at a given offset (of the whole binary). */
bool kdec_fail_at(kdec_reader *r, uint64_t offset, const char *fmt, ...);

bool kdec_u8(kdec_reader *r, uint8_t *out);
bool kdec_u32(kdec_reader *r, uint32_t *out);  /* "integer representation too long" / "integer too large" */
bool kdec_u64(kdec_reader *r, uint64_t *out);
bool kdec_s32(kdec_reader *r, int32_t *out);
bool kdec_s33(kdec_reader *r, int64_t *out);   /* block types */
bool kdec_s64(kdec_reader *r, int64_t *out);
bool kdec_bytes(kdec_reader *r, size_t n, const uint8_t **out); /* "unexpected end" */

/* Heap type (abstract code or type index) and value types; storage types
 * additionally allow i8/i16. Malformed encodings fail here; whether a type
 * index exists is the validator's business. */
bool kdec_heaptype(kdec_reader *r, bool *concrete, uint32_t *heap);
bool kdec_valtype(kdec_reader *r, kir_valtype *out);
bool kdec_reftype(kdec_reader *r, kir_valtype *out);
bool kdec_storagetype(kdec_reader *r, kir_valtype *out);

typedef enum kdec_bt_kind { KDEC_BT_EMPTY, KDEC_BT_VALTYPE, KDEC_BT_TYPEIDX } kdec_bt_kind;

typedef struct kdec_blocktype {
    kdec_bt_kind kind;
    kir_valtype valtype; /* KDEC_BT_VALTYPE */
    uint32_t typeidx;    /* KDEC_BT_TYPEIDX */
} kdec_blocktype;

typedef enum kdec_catch_kind {
    KDEC_CATCH = 0,
    KDEC_CATCH_REF = 1,
    KDEC_CATCH_ALL = 2,
    KDEC_CATCH_ALL_REF = 3,
} kdec_catch_kind;

/*
 * One decoded instruction. Which fields are set depends on the opcode's
 * immediate kind (kir_imm):
 *   BLOCK: bt.  LABEL/FUNC/TYPE/LOCAL/GLOBAL/TABLE/ELEM/DATA/MEM/TAG: idx[0].
 *   CALL_INDIRECT: idx[0] type, idx[1] table.  TABLE_TABLE/MEM_MEM: idx[0]
 *   dst, idx[1] src.  ELEM_TABLE: idx[0] elem, idx[1] table.  DATA_MEM:
 *   idx[0] data, idx[1] memory.  TYPE_FIELD/TYPE_U32/TYPE_DATA/TYPE_ELEM/
 *   TYPE_TYPE: idx[0], idx[1].
 *   MEMARG(_LANE): align (log2, without the memory bit), memidx, memoffset,
 *   lane.  LANE: lane.  SHUFFLE/V128: bytes.  I32/I64: num (sign-extended
 *   for I32 into 64 bits).  F32/F64: num holds the bits.
 *   SELECT_T: count (vector length) and types[0] when count >= 1 (further
 *   types are read and checked but not kept).
 *   HEAPTYPE: ref (a reference type; for ref.null nullable, for ref.test /
 *   ref.cast nullable as the opcode says).
 *   BR_ON_CAST: idx[0] label, ref and ref2 (source and target types with the
 *   nullability of the cast flags).
 *   BR_TABLE: count targets follow at `list` (read with kdec_br_table_next),
 *   then the default label in idx[0].
 *   TRY_TABLE: bt, count catches at `list` (read with kdec_catch_next).
 */
typedef struct kdec_instr {
    kir_op op;
    uint64_t offset; /* of the first opcode byte */
    kdec_blocktype bt;
    uint32_t idx[2];
    uint32_t align, memidx;
    uint64_t memoffset;
    uint8_t lane;
    uint64_t num;
    uint8_t bytes[16];
    kir_valtype ref, ref2;
    uint32_t count;
    kir_valtype types[1];
    const uint8_t *list; /* BR_TABLE / TRY_TABLE items */
} kdec_instr;

/* Decode the next instruction ("illegal opcode" for unknown encodings). */
bool kdec_instr_read_any(kdec_reader *r, kdec_instr *out);

/*
 * The same, with the shapes most code consists of decoded inline: an
 * unprefixed opcode with no immediate, with one index or i32 constant that
 * fits in one byte, or with a one-byte memarg of memory 0. Everything else
 * goes to kdec_instr_read_any.
 */
static inline bool kdec_instr_read(kdec_reader *r, kdec_instr *out)
{
    const uint8_t *p = r->p;
    if (r->end - p >= 2 && !r->error) {
        uint16_t entry = kir_plain_ops[p[0]];
        if (entry) {
            kir_op op = (kir_op)(entry - 1);
            unsigned imm = kir_op_imm[op];
            unsigned len;
            if (imm == KIR_IMM_NONE) {
                len = 1;
            } else if (p[1] >= 0x80) {
                return kdec_instr_read_any(r, out);
            } else if (imm == KIR_IMM_LOCAL || imm == KIR_IMM_LABEL || imm == KIR_IMM_GLOBAL ||
                       imm == KIR_IMM_FUNC || imm == KIR_IMM_TYPE) {
                out->idx[0] = p[1];
                len = 2;
            } else if (imm == KIR_IMM_MEMARG && p[1] < 0x40 && r->end - p >= 3 && p[2] < 0x80) {
                /* Memory 0 (bit 6 clear), offset in one byte. */
                out->align = p[1];
                out->memidx = 0;
                out->memoffset = p[2];
                len = 3;
            } else if (imm == KIR_IMM_I32) {
                /* A one-byte signed LEB128: bit 6 is the sign. */
                out->num = (uint64_t)((int64_t)(p[1] ^ 0x40u) - 0x40);
                len = 2;
            } else {
                return kdec_instr_read_any(r, out);
            }
            out->op = op;
            out->offset = r->base + (uint64_t)(p - r->start);
            out->count = 0;
            out->list = NULL;
            r->p = p + len;
            return true;
        }
    }
    return kdec_instr_read_any(r, out);
}

/* Iterate a decoded br_table's targets or try_table's catches: `cursor`
 * starts as a reader over in->list (kdec_list_reader). */
void kdec_list_reader(const kdec_reader *code, const kdec_instr *in, kdec_reader *cursor);
bool kdec_br_table_next(kdec_reader *cursor, uint32_t *label);
bool kdec_catch_next(kdec_reader *cursor, kdec_catch_kind *kind, uint32_t *tag, uint32_t *label);

#endif
