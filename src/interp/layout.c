/*
 * The run-time descriptor tables of the instruction layout (layout.h), and
 * the compile-time checks of the definition.
 */
#include "interp/layout.h"

/* ---- checks ---------------------------------------------------------------------------- */

/* The halves a field occupies, as bits of a mask (bit 2 * word + half). */
#define MASK_LO(word) (UINT64_C(1) << (2 * (word)))
#define MASK_HI(word) (UINT64_C(2) << (2 * (word)))
#define MASK_W(word) (UINT64_C(3) << (2 * (word)))
#define FIELD_MASK(X, f, kind, word, half) | MASK_##half(word)
#define FIELD_MASK_SUM(X, f, kind, word, half) + MASK_##half(word)
#define IS_W_LO 0
#define IS_W_HI 0
#define IS_W_W 1

/* Per field: inside the shape's words, and 64-bit kinds exactly on whole words. */
#define CHECK_FIELD(X, f, kind, word, half)                                                    \
    _Static_assert((word) >= 1 && (word) <= KINT_WORDS_##X, #X "." #f ": word outside the shape"); \
    _Static_assert(KINT_FK_##kind != KINT_FK_NONE, #X "." #f ": no kind");                     \
    _Static_assert((KINT_FK_BITS_##kind == 64) == IS_W_##half,                                 \
                   #X "." #f ": 64-bit kinds take a whole word (W), others a half");
#define COUNT_FIELD(X, f, kind, word, half) +1

/* Per shape: fields do not overlap (their masks add up to their union),
 * the last word is used, and the shape fits the size limits. */
#define CHECK_SHAPE(shape, words)                                                              \
    KINT_FIELDS_##shape(CHECK_FIELD, shape)                                                    \
    _Static_assert((0 KINT_FIELDS_##shape(FIELD_MASK, shape)) ==                               \
                       (0 KINT_FIELDS_##shape(FIELD_MASK_SUM, shape)),                         \
                   #shape ": fields overlap");                                                 \
    _Static_assert((words) == 0 || ((0 KINT_FIELDS_##shape(FIELD_MASK, shape)) >> (2 * (words))) != 0, \
                   #shape ": its last word holds no field");                                   \
    _Static_assert(1 + (words) <= KINT_MAX_SIZE, #shape ": larger than KINT_MAX_SIZE");        \
    _Static_assert((0 KINT_FIELDS_##shape(COUNT_FIELD, shape)) <= KINT_MAX_FIELDS,              \
                   #shape ": more than KINT_MAX_FIELDS fields");
KINT_SHAPES(CHECK_SHAPE)

_Static_assert(KINT_SHAPE_COUNT <= 256 && KINT_FK_COUNT <= 256 && KINT_FN_COUNT <= 256,
               "descriptor fields are bytes");

/* ---- tables ---------------------------------------------------------------------------- */

#define HALF_LO KINT_HALF_LO
#define HALF_HI KINT_HALF_HI
#define HALF_W KINT_HALF_W
#define FIELD_INFO(X, f, kind, word, half) {#f, KINT_FN_##f, KINT_FK_##kind, (word), HALF_##half},

const kint_shape_info kint_shapes[KINT_SHAPE_COUNT] = {
#define SHAPE_INFO(shape, words)                                                               \
    [KINT_SHAPE_##shape] = {#shape, (words), 0 KINT_FIELDS_##shape(COUNT_FIELD, shape),         \
                            {KINT_FIELDS_##shape(FIELD_INFO, shape){0}}},
    KINT_SHAPES(SHAPE_INFO)
#undef SHAPE_INFO
};

const kint_op_info kint_ops[KINT_OP_COUNT] = {
#define KINT_OP(name, shape) [KINT_OP_##name] = {#name, KINT_SHAPE_##shape, KINT_SIZE_##name},
#include "interp/ops_all.h"
};

const char *const kint_fkind_names[KINT_FK_COUNT] = {
#define KIND_NAME(kind, bits, doc) [KINT_FK_##kind] = #kind,
    KINT_FIELD_KINDS(KIND_NAME)
#undef KIND_NAME
};
