/* Value types, heap types and composite types of the in-memory module. */
#ifndef KITE_IR_TYPES_H
#define KITE_IR_TYPES_H

#include <stdbool.h>
#include <stdint.h>

/*
 * A value type (or a field storage type) is one packed 32-bit word:
 *
 *   31                         8 7  6   5        4          3..0
 *  +----------------------------+----+--------+----------+--------+
 *  |  heap: abstract code or    | 0  |concrete| nullable |  kind  |
 *  |  module type index (24 bit)|    |        |          |        |
 *  +----------------------------+----+--------+----------+--------+
 *
 * kind is a kir_kind. For KIR_REF, `nullable` and `heap` describe the
 * reference; `concrete` says whether heap is a type index (set) or one of the
 * abstract heap type codes of kir_heap (clear). Equal types have equal words,
 * so types compare with ==. Type indices are module-relative here; the
 * validator maps them to engine-wide canonical ids where identity matters.
 */
typedef uint32_t kir_valtype;

typedef enum kir_kind {
    KIR_KIND_NONE = 0,
    KIR_I32 = 1,
    KIR_I64 = 2,
    KIR_F32 = 3,
    KIR_F64 = 4,
    KIR_V128 = 5,
    KIR_REF = 6,
    KIR_I8 = 7,   /* packed storage type (struct/array fields only) */
    KIR_I16 = 8,  /* packed storage type (struct/array fields only) */
    KIR_BOT = 9,  /* validator's bottom type for unreachable code */
} kir_kind;

/* Abstract heap types, numbered by their binary encoding. */
typedef enum kir_heap {
    KIR_HEAP_EXN = 0x69,
    KIR_HEAP_ARRAY = 0x6A,
    KIR_HEAP_STRUCT = 0x6B,
    KIR_HEAP_I31 = 0x6C,
    KIR_HEAP_EQ = 0x6D,
    KIR_HEAP_ANY = 0x6E,
    KIR_HEAP_EXTERN = 0x6F,
    KIR_HEAP_FUNC = 0x70,
    KIR_HEAP_NONE = 0x71,
    KIR_HEAP_NOEXTERN = 0x72,
    KIR_HEAP_NOFUNC = 0x73,
    KIR_HEAP_NOEXN = 0x74,
} kir_heap;

#define KIR_VT_KIND_MASK 0xFu
#define KIR_VT_NULLABLE 0x10u
#define KIR_VT_CONCRETE 0x20u
#define KIR_VT_HEAP_SHIFT 8
#define KIR_MAX_TYPE_INDEX 0xFFFFFFu

static inline kir_valtype kir_vt(kir_kind k) { return (kir_valtype)k; }
static inline kir_valtype kir_vt_ref(bool nullable, bool concrete, uint32_t heap)
{
    return (kir_valtype)KIR_REF | (nullable ? KIR_VT_NULLABLE : 0u) |
           (concrete ? KIR_VT_CONCRETE : 0u) | (heap << KIR_VT_HEAP_SHIFT);
}
static inline kir_kind kir_vt_kind(kir_valtype t) { return (kir_kind)(t & KIR_VT_KIND_MASK); }
static inline bool kir_vt_is_ref(kir_valtype t) { return kir_vt_kind(t) == KIR_REF; }
static inline bool kir_vt_nullable(kir_valtype t) { return (t & KIR_VT_NULLABLE) != 0; }
static inline bool kir_vt_concrete(kir_valtype t) { return (t & KIR_VT_CONCRETE) != 0; }
static inline uint32_t kir_vt_heap(kir_valtype t) { return t >> KIR_VT_HEAP_SHIFT; }
static inline kir_valtype kir_vt_with_nullable(kir_valtype t, bool nullable)
{
    return nullable ? (t | KIR_VT_NULLABLE) : (t & ~KIR_VT_NULLABLE);
}

#define KIR_FUNCREF kir_vt_ref(true, false, KIR_HEAP_FUNC)
#define KIR_EXTERNREF kir_vt_ref(true, false, KIR_HEAP_EXTERN)
#define KIR_EXNREF kir_vt_ref(true, false, KIR_HEAP_EXN)

/* Composite types. */
typedef enum kir_comp { KIR_COMP_FUNC, KIR_COMP_STRUCT, KIR_COMP_ARRAY } kir_comp;

typedef struct kir_field {
    kir_valtype type; /* may be KIR_I8 / KIR_I16 */
    bool mutable_;
} kir_field;

#define KIR_NO_SUPER UINT32_MAX

/*
 * One defined type (a subtype declaration). Function types keep params
 * followed by results in `types`; struct types keep their fields; an array
 * type has exactly one field.
 */
typedef struct kir_type {
    kir_comp comp;
    bool final;
    uint32_t super;      /* module type index, or KIR_NO_SUPER */
    uint32_t rec_start;  /* first type index of this type's rec group */
    uint32_t rec_size;   /* number of types in the rec group */
    uint32_t nparams, nresults;
    kir_valtype *types;  /* nparams + nresults */
    uint32_t nfields;
    kir_field *fields;
} kir_type;

/* A function type's results. (`types` is NULL for a type without params
 * and results, and pointer arithmetic on NULL is undefined.) */
static inline const kir_valtype *kir_type_results(const kir_type *t)
{
    return t->types ? t->types + t->nparams : t->types;
}

/* Limits of tables and memories. */
typedef struct kir_limits {
    uint64_t min;
    uint64_t max;
    bool has_max;
    bool is64;    /* address type i64 (memory64 / table64) */
    bool shared;  /* memories only */
} kir_limits;

#endif
