/*
 * The binary reader: LEB128 integers, types and whole instructions.
 *
 * Error wording and positions follow the reference interpreter, because the
 * spec testsuite matches on its messages: running out of input is
 * "unexpected end of section or function" (reported where the input ends),
 * a LEB128 number with more bytes than its width allows is "integer
 * representation too long" (at the byte that would be one too many), and
 * unused bits that do not match in the last byte are "integer too large"
 * (at that byte).
 */
#include "binary/reader.h"

#include <stdarg.h>
#include <string.h>

#include "binary/internal.h"
#include "util/error.h"

#define MSG_EOS "unexpected end of section or function"

void kdec_reader_init(kdec_reader *r, const kite_allocator_t *alloc, const uint8_t *bytes,
                      size_t len, uint64_t base)
{
    r->alloc = alloc;
    r->start = bytes;
    r->p = bytes;
    r->end = bytes + len;
    r->base = base;
    r->error = NULL;
}

static bool vfail_at(kdec_reader *r, uint64_t offset, const char *fmt, va_list ap)
{
    if (!r->error) {
        kite_position_t pos = {.has_offset = true, .offset = offset};
        r->error = kutil_error_vnew(r->alloc, KITE_ERROR_MALFORMED, pos, fmt, ap);
    }
    return false;
}

bool kdec_fail_at(kdec_reader *r, uint64_t offset, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail_at(r, offset, fmt, ap);
    va_end(ap);
    return false;
}

bool kdec_oom(kdec_reader *r)
{
    if (!r->error)
        r->error = kutil_error_oom();
    return false;
}

bool kdec_limit(kdec_reader *r, uint64_t have, uint64_t more, uint64_t max, const char *what)
{
    if (have + more <= max)
        return true;
    if (!r->error)
        r->error = kutil_error_at_offset(r->alloc, KITE_ERROR_LIMIT, kdec_offset(r),
                                         "too many %s (limit %llu)", what, (unsigned long long)max);
    return false;
}

bool kdec_fail(kdec_reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail_at(r, kdec_offset(r), fmt, ap);
    va_end(ap);
    return false;
}

static uint64_t offset_of(const kdec_reader *r, const uint8_t *p)
{
    return r->base + (uint64_t)(p - r->start);
}

/* Running out of input: reported at the end of the input, like the spec. */
static bool fail_eos(kdec_reader *r) { return kdec_fail_at(r, offset_of(r, r->end), MSG_EOS); }

bool kdec_u8(kdec_reader *r, uint8_t *out)
{
    if (r->error)
        return false;
    if (r->p >= r->end) {
        fail_eos(r);
        return false;
    }
    *out = *r->p++;
    return true;
}

bool kdec_bytes(kdec_reader *r, size_t n, const uint8_t **out)
{
    if (r->error)
        return false;
    if ((size_t)(r->end - r->p) < n) {
        fail_eos(r);
        return false;
    }
    *out = r->p;
    r->p += n;
    return true;
}

/*
 * LEB128 without touching r->error, so that callers can try one encoding and
 * fall back to another (as the spec's grammar does for heap and block types).
 * On failure *bad points at the byte the error is reported at.
 */
typedef enum leb_status { LEB_OK, LEB_EOS, LEB_TOO_LONG, LEB_TOO_LARGE } leb_status;

/*
 * An unsigned number of `bits` bits: at most ceil(bits / 7) bytes, and the
 * bits of the last byte beyond the width must be zero.
 */
static leb_status leb_unsigned(const uint8_t **pp, const uint8_t *end, unsigned bits,
                               uint64_t *out, const uint8_t **bad)
{
    const uint8_t *p = *pp;
    uint64_t result = 0;
    unsigned shift = 0;
    for (;;) {
        if (p >= end) {
            *bad = end;
            return LEB_EOS;
        }
        uint8_t b = *p++;
        unsigned left = bits - shift;
        if (left < 7 && ((b & 0x7Fu) >> left) != 0) {
            *bad = p - 1;
            return LEB_TOO_LARGE;
        }
        result |= (uint64_t)(b & 0x7Fu) << shift;
        if (!(b & 0x80u))
            break;
        shift += 7;
        if (shift >= bits) {
            *bad = p;
            return LEB_TOO_LONG;
        }
    }
    *pp = p;
    *out = result;
    return LEB_OK;
}

/*
 * A signed number of `bits` bits, sign-extended to 64. In the last byte the
 * bits beyond the width (from the sign bit up to bit 6) must all equal the
 * sign:
 *
 *   s32, 5th byte:  c s s s s x x x    s = sign copies, x = value bits 28..30,
 *                                      bit 3 is bit 31 (the sign itself)
 */
static leb_status leb_signed(const uint8_t **pp, const uint8_t *end, unsigned bits,
                             int64_t *out, const uint8_t **bad)
{
    const uint8_t *p = *pp;
    uint64_t result = 0;
    unsigned shift = 0;
    for (;;) {
        if (p >= end) {
            *bad = end;
            return LEB_EOS;
        }
        uint8_t b = *p++;
        unsigned left = bits - shift;
        if (left < 7) {
            uint8_t mask = (uint8_t)((0xFFu << (left - 1)) & 0x7Fu);
            if ((b & mask) != 0 && (b & mask) != mask) {
                *bad = p - 1;
                return LEB_TOO_LARGE;
            }
        }
        result |= (uint64_t)(b & 0x7Fu) << shift;
        shift += 7;
        if (!(b & 0x80u)) {
            if (shift < 64 && (b & 0x40u))
                result |= ~(uint64_t)0 << shift;
            break;
        }
        if (shift >= bits) {
            *bad = p;
            return LEB_TOO_LONG;
        }
    }
    *pp = p;
    *out = (int64_t)result;
    return LEB_OK;
}

/* Record the error for a failed LEB128 read; false. */
static bool leb_fail(kdec_reader *r, leb_status st, const uint8_t *bad)
{
    switch (st) {
    case LEB_EOS: fail_eos(r); break;
    case LEB_TOO_LONG: kdec_fail_at(r, offset_of(r, bad), "integer representation too long"); break;
    case LEB_TOO_LARGE: kdec_fail_at(r, offset_of(r, bad), "integer too large"); break;
    case LEB_OK: break;
    }
    return false;
}

static bool read_unsigned(kdec_reader *r, unsigned bits, uint64_t *out)
{
    if (r->error)
        return false;
    if (r->p < r->end && *r->p < 0x80) { /* the common one-byte case */
        *out = *r->p++;
        return true;
    }
    const uint8_t *bad = NULL;
    leb_status st = leb_unsigned(&r->p, r->end, bits, out, &bad);
    if (st != LEB_OK)
        return leb_fail(r, st, bad);
    return true;
}

static bool read_signed(kdec_reader *r, unsigned bits, int64_t *out)
{
    if (r->error)
        return false;
    const uint8_t *bad = NULL;
    leb_status st = leb_signed(&r->p, r->end, bits, out, &bad);
    if (st != LEB_OK)
        return leb_fail(r, st, bad);
    return true;
}

bool kdec_u32(kdec_reader *r, uint32_t *out)
{
    uint64_t v;
    if (!read_unsigned(r, 32, &v))
        return false;
    *out = (uint32_t)v;
    return true;
}

bool kdec_u64(kdec_reader *r, uint64_t *out) { return read_unsigned(r, 64, out); }

bool kdec_s32(kdec_reader *r, int32_t *out)
{
    int64_t v;
    if (!read_signed(r, 32, &v))
        return false;
    *out = (int32_t)v;
    return true;
}

bool kdec_s33(kdec_reader *r, int64_t *out) { return read_signed(r, 33, out); }
bool kdec_s64(kdec_reader *r, int64_t *out) { return read_signed(r, 64, out); }

/* ---- types ---------------------------------------------------------------- */

/*
 * Type constructors are one-byte negative s7 numbers. A continuation bit
 * there makes the number longer than 7 bits allow, which the spec reports
 * as "integer representation too long" (after the byte).
 */
static bool type_byte(kdec_reader *r, uint8_t *b)
{
    if (!kdec_u8(r, b))
        return false;
    if (*b & 0x80)
        return kdec_fail(r, "integer representation too long");
    return true;
}

static bool is_abstract_heap(uint8_t b) { return b >= KIR_HEAP_EXN && b <= KIR_HEAP_NOEXN; }

/* A type index in a heap type must fit the packed value type word. A
 * module cannot define that many types, so the index is unknown. */
static bool check_type_index(kdec_reader *r, const uint8_t *at, uint64_t index)
{
    if (index <= KIR_MAX_TYPE_INDEX)
        return true;
    if (!r->error)
        r->error = kutil_error_at_offset(r->alloc, KITE_ERROR_INVALID, offset_of(r, at),
                                         "unknown type %llu", (unsigned long long)index);
    return false;
}

/*
 * heaptype ::= x:s33 (x >= 0, a type index) | one byte 0x69..0x74 (abstract).
 * The spec tries the index first and falls back to the abstract form.
 */
bool kdec_heaptype(kdec_reader *r, bool *concrete, uint32_t *heap)
{
    if (r->error)
        return false;
    const uint8_t *start = r->p, *p = r->p, *bad = NULL;
    int64_t v;
    if (leb_signed(&p, r->end, 33, &v, &bad) == LEB_OK && v >= 0 && v <= INT32_MAX) {
        if (!check_type_index(r, start, (uint64_t)v))
            return false;
        r->p = p;
        *concrete = true;
        *heap = (uint32_t)v;
        return true;
    }
    uint8_t b;
    if (!type_byte(r, &b))
        return false;
    if (!is_abstract_heap(b))
        return kdec_fail_at(r, offset_of(r, start), "malformed heap type");
    *concrete = false;
    *heap = b;
    return true;
}

/* reftype ::= 0x63 ht (ref null ht) | 0x64 ht (ref ht) | abstract shorthand. */
static bool reftype_from(kdec_reader *r, const uint8_t *start, uint8_t b, kir_valtype *out)
{
    if (is_abstract_heap(b)) {
        *out = kir_vt_ref(true, false, b);
        return true;
    }
    if (b == 0x63 || b == 0x64) {
        bool concrete;
        uint32_t heap;
        if (!kdec_heaptype(r, &concrete, &heap))
            return false;
        *out = kir_vt_ref(b == 0x63, concrete, heap);
        return true;
    }
    return kdec_fail_at(r, offset_of(r, start), "malformed reference type");
}

bool kdec_reftype(kdec_reader *r, kir_valtype *out)
{
    const uint8_t *start = r->p;
    uint8_t b;
    if (!type_byte(r, &b))
        return false;
    return reftype_from(r, start, b, out);
}

/* The numeric and vector types by their byte (0x7F i32 .. 0x7B v128). */
static kir_kind numeric_kind(uint8_t b)
{
    switch (b) {
    case 0x7F: return KIR_I32;
    case 0x7E: return KIR_I64;
    case 0x7D: return KIR_F32;
    case 0x7C: return KIR_F64;
    case 0x7B: return KIR_V128;
    default: return KIR_KIND_NONE;
    }
}

bool kdec_valtype(kdec_reader *r, kir_valtype *out)
{
    const uint8_t *start = r->p;
    uint8_t b;
    if (!type_byte(r, &b))
        return false;
    kir_kind k = numeric_kind(b);
    if (k != KIR_KIND_NONE) {
        *out = kir_vt(k);
        return true;
    }
    return reftype_from(r, start, b, out);
}

bool kdec_storagetype(kdec_reader *r, kir_valtype *out)
{
    if (r->error)
        return false;
    const uint8_t *start = r->p;
    if (r->p < r->end && (*r->p == 0x78 || *r->p == 0x77)) {
        *out = kir_vt(*r->p == 0x78 ? KIR_I8 : KIR_I16);
        r->p++;
        return true;
    }
    if (kdec_valtype(r, out))
        return true;
    /* As in the spec grammar, a failed value type falls back to the packed
     * types, whose error is the one reported. */
    if (r->error->code != KITE_ERROR_MALFORMED)
        return false;
    kite_error_free(r->error);
    r->error = NULL;
    r->p = start;
    uint8_t b;
    if (!type_byte(r, &b))
        return false;
    return kdec_fail_at(r, offset_of(r, start), "malformed storage type");
}

/*
 * blocktype ::= 0x40 | valtype | x:s33 (x >= 0). A one-byte s33 with bit 6
 * set is negative, so the forms never overlap.
 */
static bool read_blocktype(kdec_reader *r, kdec_blocktype *bt)
{
    if (r->error)
        return false;
    const uint8_t *start = r->p, *p = r->p, *bad = NULL;
    int64_t v;
    if (leb_signed(&p, r->end, 33, &v, &bad) == LEB_OK && v >= 0 && v <= INT32_MAX) {
        r->p = p;
        bt->kind = KDEC_BT_TYPEIDX;
        bt->typeidx = (uint32_t)v;
        return true;
    }
    if (start < r->end && *start == 0x40) {
        r->p = start + 1;
        bt->kind = KDEC_BT_EMPTY;
        return true;
    }
    bt->kind = KDEC_BT_VALTYPE;
    return kdec_valtype(r, &bt->valtype);
}

/* ---- instructions ----------------------------------------------------------- */

/*
 * A vector length: each element takes at least one byte, so a count larger
 * than what is left cannot be right (and must not drive an allocation). As
 * in the spec, "what is left" is counted from the start of the count itself.
 */
bool kdec_count(kdec_reader *r, uint32_t *n)
{
    const uint8_t *start = r->p;
    if (!kdec_u32(r, n))
        return false;
    if (*n > (uint64_t)(r->end - start))
        return kdec_fail_at(r, offset_of(r, start), "length out of bounds");
    return true;
}

/*
 * Fast paths for the immediates most code is made of. A LEB128 number of at
 * most four bytes needs no range check (28 bits fit every width), so those
 * are decoded inline; longer ones, and input that ends within four bytes,
 * go through the checked readers above, which report errors at the same
 * positions. Callers guarantee r->error is clear (kdec_instr_read checks
 * it once, and every failure returns at once).
 */
static inline bool fast_leb(kdec_reader *r, uint64_t *out, unsigned *shift_out)
{
    const uint8_t *p = r->p;
    if (r->end - p < 4)
        return false;
    uint64_t v = 0;
    for (unsigned i = 0; i < 4; i++) {
        v |= (uint64_t)(p[i] & 0x7Fu) << (7 * i);
        if (p[i] < 0x80) {
            r->p = p + i + 1;
            *out = v;
            *shift_out = 7 * (i + 1);
            return true;
        }
    }
    return false;
}

static inline bool fast_u32(kdec_reader *r, uint32_t *out)
{
    uint64_t v;
    unsigned shift;
    if (fast_leb(r, &v, &shift)) {
        *out = (uint32_t)v;
        return true;
    }
    return kdec_u32(r, out);
}

static inline bool fast_u64(kdec_reader *r, uint64_t *out)
{
    unsigned shift;
    if (fast_leb(r, out, &shift))
        return true;
    return kdec_u64(r, out);
}

/* A signed number of `bits` (32 or 64) bits, sign-extended to 64. */
static inline bool fast_signed(kdec_reader *r, unsigned bits, uint64_t *out)
{
    uint64_t v;
    unsigned shift;
    if (fast_leb(r, &v, &shift)) {
        if (v & ((uint64_t)1 << (shift - 1)))
            v |= ~(uint64_t)0 << shift;
        *out = v;
        return true;
    }
    int64_t w;
    if (!read_signed(r, bits, &w))
        return false;
    *out = bits == 32 ? (uint64_t)(int64_t)(int32_t)w : (uint64_t)w;
    return true;
}

/* memarg ::= flags:u32 [memidx:u32 if bit 6] offset:u64, flags < 0x80. */
static bool read_memarg(kdec_reader *r, kdec_instr *in)
{
    const uint8_t *start = r->p;
    uint32_t flags;
    if (!fast_u32(r, &flags))
        return false;
    if (flags >= 0x80)
        return kdec_fail_at(r, offset_of(r, start), "malformed memop flags");
    in->align = flags & 0x3Fu;
    in->memidx = 0;
    if ((flags & 0x40u) && !fast_u32(r, &in->memidx))
        return false;
    return fast_u64(r, &in->memoffset);
}

static bool read_le(kdec_reader *r, unsigned n, uint64_t *out)
{
    const uint8_t *b;
    if (!kdec_bytes(r, n, &b))
        return false;
    uint64_t v = 0;
    for (unsigned i = n; i-- > 0;)
        v = (v << 8) | b[i];
    *out = v;
    return true;
}

/* Validates (and skips) `count` catch clauses. */
static bool skip_catches(kdec_reader *r, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        kdec_catch_kind kind;
        uint32_t tag, label;
        if (!kdec_catch_next(r, &kind, &tag, &label))
            return false;
    }
    return true;
}

static bool read_two(kdec_reader *r, kdec_instr *in)
{
    return fast_u32(r, &in->idx[0]) && fast_u32(r, &in->idx[1]);
}

static bool read_immediates(kdec_reader *r, kdec_instr *in, kir_imm imm)
{
    switch (imm) {
    case KIR_IMM_NONE:
        return true;
    case KIR_IMM_BLOCK:
        return read_blocktype(r, &in->bt);
    case KIR_IMM_LABEL:
    case KIR_IMM_FUNC:
    case KIR_IMM_TYPE:
    case KIR_IMM_LOCAL:
    case KIR_IMM_GLOBAL:
    case KIR_IMM_TABLE:
    case KIR_IMM_ELEM:
    case KIR_IMM_DATA:
    case KIR_IMM_MEM:
    case KIR_IMM_TAG:
        return fast_u32(r, &in->idx[0]);
    case KIR_IMM_BR_TABLE: {
        if (!kdec_count(r, &in->count))
            return false;
        in->list = r->p;
        for (uint32_t i = 0; i < in->count; i++) {
            uint32_t label;
            if (!kdec_u32(r, &label))
                return false;
        }
        return kdec_u32(r, &in->idx[0]);
    }
    case KIR_IMM_CALL_INDIRECT:
    case KIR_IMM_TABLE_TABLE:
    case KIR_IMM_ELEM_TABLE:
    case KIR_IMM_DATA_MEM:
    case KIR_IMM_MEM_MEM:
    case KIR_IMM_TYPE_FIELD:
    case KIR_IMM_TYPE_U32:
    case KIR_IMM_TYPE_DATA:
    case KIR_IMM_TYPE_ELEM:
    case KIR_IMM_TYPE_TYPE:
        return read_two(r, in);
    case KIR_IMM_MEMARG:
        return read_memarg(r, in);
    case KIR_IMM_I32:
        return fast_signed(r, 32, &in->num);
    case KIR_IMM_I64:
        return fast_signed(r, 64, &in->num);
    case KIR_IMM_F32:
        return read_le(r, 4, &in->num);
    case KIR_IMM_F64:
        return read_le(r, 8, &in->num);
    case KIR_IMM_V128:
    case KIR_IMM_SHUFFLE: {
        const uint8_t *b;
        if (!kdec_bytes(r, 16, &b))
            return false;
        memcpy(in->bytes, b, 16);
        return true;
    }
    case KIR_IMM_SELECT_T: {
        if (!kdec_count(r, &in->count))
            return false;
        for (uint32_t i = 0; i < in->count; i++) {
            kir_valtype t;
            if (!kdec_valtype(r, &t))
                return false;
            if (i == 0)
                in->types[0] = t;
        }
        return true;
    }
    case KIR_IMM_HEAPTYPE: {
        bool concrete;
        uint32_t heap;
        if (!kdec_heaptype(r, &concrete, &heap))
            return false;
        bool nullable = in->op == KIR_OP_REF_NULL || in->op == KIR_OP_REF_TEST_NULL ||
                        in->op == KIR_OP_REF_CAST_NULL;
        in->ref = kir_vt_ref(nullable, concrete, heap);
        return true;
    }
    case KIR_IMM_BR_ON_CAST: {
        const uint8_t *at = r->p;
        uint8_t flags;
        if (!kdec_u8(r, &flags))
            return false;
        if (flags & 0xFCu)
            return kdec_fail_at(r, offset_of(r, at), "malformed br_on_cast flags");
        bool c1, c2;
        uint32_t h1, h2;
        if (!kdec_u32(r, &in->idx[0]) || !kdec_heaptype(r, &c1, &h1) ||
            !kdec_heaptype(r, &c2, &h2))
            return false;
        in->ref = kir_vt_ref((flags & 1u) != 0, c1, h1);
        in->ref2 = kir_vt_ref((flags & 2u) != 0, c2, h2);
        return true;
    }
    case KIR_IMM_TRY_TABLE:
        if (!read_blocktype(r, &in->bt) || !kdec_count(r, &in->count))
            return false;
        in->list = r->p;
        return skip_catches(r, in->count);
    case KIR_IMM_LANE:
        return kdec_u8(r, &in->lane);
    case KIR_IMM_MEMARG_LANE:
        return read_memarg(r, in) && kdec_u8(r, &in->lane);
    case KIR_IMM_ZERO_BYTE: {
        uint8_t b;
        if (!kdec_u8(r, &b))
            return false;
        if (b != 0)
            return kdec_fail_at(r, offset_of(r, r->p - 1), "zero byte expected");
        return true;
    }
    }
    return kdec_fail(r, "unsupported immediate kind");
}

bool kdec_instr_read_any(kdec_reader *r, kdec_instr *out)
{
    if (r->error)
        return false;
    const uint8_t *start = r->p;
    if (start >= r->end)
        return fail_eos(r);
    uint8_t b = *start;
    kir_op op;
    if (b >= KIR_PREFIX_FB && b <= KIR_PREFIX_FE) {
        r->p++;
        uint32_t sub;
        if (!fast_u32(r, &sub))
            return false;
        op = kir_op_lookup(b, sub);
        if (op == KIR_OP_COUNT)
            return kdec_fail_at(r, offset_of(r, start), "illegal opcode %02x %02x", b,
                                (unsigned)sub);
    } else {
        uint16_t entry = kir_plain_ops[b];
        if (entry == 0)
            return kdec_fail_at(r, offset_of(r, start), "illegal opcode %02x", b);
        op = (kir_op)(entry - 1);
        r->p++;
    }
    out->op = op;
    out->offset = offset_of(r, start);
    out->count = 0;
    out->list = NULL;
    return read_immediates(r, out, kir_opinfo_table[op].imm);
}

void kdec_list_reader(const kdec_reader *code, const kdec_instr *in, kdec_reader *cursor)
{
    const uint8_t *p = in->list ? in->list : code->p;
    kdec_reader_init(cursor, code->alloc, p, (size_t)(code->end - p), offset_of(code, p));
}

bool kdec_br_table_next(kdec_reader *cursor, uint32_t *label) { return kdec_u32(cursor, label); }

/* catch ::= 0x00 tag label | 0x01 tag label | 0x02 label | 0x03 label */
bool kdec_catch_next(kdec_reader *cursor, kdec_catch_kind *kind, uint32_t *tag, uint32_t *label)
{
    uint8_t k;
    if (!kdec_u8(cursor, &k))
        return false;
    if (k > KDEC_CATCH_ALL_REF)
        return kdec_fail_at(cursor, offset_of(cursor, cursor->p - 1), "malformed catch clause");
    *kind = (kdec_catch_kind)k;
    *tag = UINT32_MAX;
    if (k <= KDEC_CATCH_REF && !kdec_u32(cursor, tag))
        return false;
    return kdec_u32(cursor, label);
}
