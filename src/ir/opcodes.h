/*
 * The instruction set, derived from opcodes.def (the one opcode table).
 */
#ifndef KITE_IR_OPCODES_H
#define KITE_IR_OPCODES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Immediate kinds: how an instruction's immediates are encoded and written. */
typedef enum kir_imm {
    KIR_IMM_NONE,
    KIR_IMM_BLOCK,          /* blocktype (block, loop, if, legacy try) */
    KIR_IMM_LABEL,          /* labelidx (br, br_if, br_on_null, ..., rethrow, delegate) */
    KIR_IMM_BR_TABLE,       /* vec(labelidx) labelidx */
    KIR_IMM_FUNC,           /* funcidx (call, return_call, ref.func) */
    KIR_IMM_CALL_INDIRECT,  /* typeidx tableidx */
    KIR_IMM_TYPE,           /* typeidx (call_ref, struct.new, array.get, ...) */
    KIR_IMM_LOCAL,          /* localidx */
    KIR_IMM_GLOBAL,         /* globalidx */
    KIR_IMM_TABLE,          /* tableidx */
    KIR_IMM_TABLE_TABLE,    /* tableidx(dst) tableidx(src): table.copy */
    KIR_IMM_ELEM,           /* elemidx: elem.drop */
    KIR_IMM_ELEM_TABLE,     /* elemidx tableidx: table.init */
    KIR_IMM_DATA,           /* dataidx: data.drop */
    KIR_IMM_DATA_MEM,       /* dataidx memidx: memory.init */
    KIR_IMM_MEMARG,         /* memarg: align (bit 6 = memidx follows), [memidx], offset */
    KIR_IMM_MEM,            /* memidx: memory.size, memory.grow, memory.fill */
    KIR_IMM_MEM_MEM,        /* memidx(dst) memidx(src): memory.copy */
    KIR_IMM_I32,            /* signed LEB128 i32 */
    KIR_IMM_I64,            /* signed LEB128 i64 */
    KIR_IMM_F32,            /* 4 bytes little-endian */
    KIR_IMM_F64,            /* 8 bytes little-endian */
    KIR_IMM_V128,           /* 16 bytes */
    KIR_IMM_SELECT_T,       /* vec(valtype) */
    KIR_IMM_HEAPTYPE,       /* heaptype (ref.null; ref.test/ref.cast) */
    KIR_IMM_BR_ON_CAST,     /* castflags labelidx heaptype heaptype */
    KIR_IMM_TYPE_FIELD,     /* typeidx fieldidx */
    KIR_IMM_TYPE_U32,       /* typeidx u32 (array.new_fixed) */
    KIR_IMM_TYPE_DATA,      /* typeidx dataidx */
    KIR_IMM_TYPE_ELEM,      /* typeidx elemidx */
    KIR_IMM_TYPE_TYPE,      /* typeidx typeidx (array.copy) */
    KIR_IMM_TAG,            /* tagidx (throw, legacy catch) */
    KIR_IMM_TRY_TABLE,      /* blocktype vec(catch) */
    KIR_IMM_LANE,           /* laneidx byte */
    KIR_IMM_MEMARG_LANE,    /* memarg laneidx */
    KIR_IMM_SHUFFLE,        /* 16 laneidx bytes */
    KIR_IMM_ZERO_BYTE,      /* a reserved 0x00 byte (atomic.fence) */
} kir_imm;

/* Encoding prefixes. */
#define KIR_PREFIX_NONE 0x00
#define KIR_PREFIX_FB 0xFB
#define KIR_PREFIX_FC 0xFC
#define KIR_PREFIX_FD 0xFD
#define KIR_PREFIX_FE 0xFE

/* Instruction flags. */
#define KIR_OPF_CONST 0x1u   /* allowed in constant expressions */

typedef enum kir_op {
#define OP(id, prefix, code, mnemonic, imm, sig, width, flags, feature) KIR_OP_##id,
#include "ir/opcodes.def"
#undef OP
    KIR_OP_COUNT
} kir_op;

typedef struct kir_opinfo {
    const char *mnemonic;
    uint8_t prefix;     /* KIR_PREFIX_* */
    uint32_t code;      /* byte, or LEB128 sub-opcode after a prefix */
    kir_imm imm;
    const char *sig;    /* "params>results" over i I f F v a, or NULL: typed by rule */
    uint8_t width;      /* bytes accessed by a memory instruction, else 0 */
    uint8_t flags;      /* KIR_OPF_* */
    uint8_t feature;    /* kite_feature_t that enables it, or KIR_FEATURE_CORE */
} kir_opinfo;

#define KIR_FEATURE_CORE 0xFF

extern const kir_opinfo kir_opinfo_table[KIR_OP_COUNT];

static inline const kir_opinfo *kir_op_info(kir_op op) { return &kir_opinfo_table[op]; }

/*
 * Each opcode's signature (kir_opinfo.sig) packed into a word at compile
 * time, for readers that type instructions (the validator) without parsing
 * strings:
 *
 *   bits 0-2    parameter count        bit 6       a signature is present
 *   bits 3-5    result count           bits 7-13   position j is 'a' (bit 7 + j)
 *   bits 14-34  per position j of the string, 3 bits (at 14 + 3j): KIR_SIG_*
 *
 * Positions count the string's characters, '>' included (position = the
 * parameter count, kind 0): the types are at positions 0 .. np - 1 and
 * np + 1 .. np + nr. An address ('a') has kind KIR_SIG_I32 and its address
 * bit set (i64 for a 64-bit memory). 0 for an instruction typed by a rule.
 */
enum { KIR_SIG_I32, KIR_SIG_I64, KIR_SIG_F32, KIR_SIG_F64, KIR_SIG_V128 };
#define KIR_SIG_PRESENT (UINT64_C(1) << 6)
#define KIR_SIG_ADDR_SHIFT 7u
#define KIR_SIG_KIND_SHIFT 14u
#define KIR_SIG_MAX_TYPES 6u
extern const uint64_t kir_op_sig[KIR_OP_COUNT];

static inline unsigned kir_sig_nparams(uint64_t w) { return (unsigned)(w & 7u); }
static inline unsigned kir_sig_nresults(uint64_t w) { return (unsigned)((w >> 3) & 7u); }
/* The kind (KIR_SIG_*) and address flag of type i (0 .. np + nr - 1). */
static inline unsigned kir_sig_kind(uint64_t w, unsigned i)
{
    unsigned j = i < kir_sig_nparams(w) ? i : i + 1;
    return (unsigned)(w >> (KIR_SIG_KIND_SHIFT + 3u * j)) & 7u;
}
static inline bool kir_sig_addr(uint64_t w, unsigned i)
{
    unsigned j = i < kir_sig_nparams(w) ? i : i + 1;
    return (w >> (KIR_SIG_ADDR_SHIFT + j)) & 1u;
}

/* Opcode for an encoding, or KIR_OP_COUNT when there is none. */
kir_op kir_op_lookup(uint8_t prefix, uint32_t code);
/* The unprefixed part of that mapping, for readers' fast paths: opcode + 1
 * per byte, 0 where there is none (and at the prefix bytes). */
extern const uint16_t kir_plain_ops[256];
/* Each opcode's immediate kind (kir_imm) in a byte: the same as
 * kir_opinfo_table[op].imm, packed densely for readers' fast paths. */
extern const uint8_t kir_op_imm[KIR_OP_COUNT];
/* Opcode for a text mnemonic (length-delimited), or KIR_OP_COUNT. When two
 * opcodes share a mnemonic (ref.test/ref.cast and their nullable forms,
 * select and typed select), this returns the first in table order. */
kir_op kir_op_by_mnemonic(const char *name, size_t len);

#endif
