/*
 * The in-memory module: what the binary decoder and the text parser both
 * build, the validator checks and annotates, and the runtime instantiates.
 *
 * Every piece of memory a module owns comes from its arena and is released
 * at once by kir_module_free, so builders never free piecemeal and an error
 * half-way through building leaks nothing.
 *
 * Code (function bodies, constant expressions) is always kept in the binary
 * instruction encoding, whatever the source: the text parser encodes the
 * instructions it reads. Each body or expression ends with its `end` (0x0B).
 * Index spaces (funcs, tables, memories, globals, tags) hold the imports
 * first, in import order, then the module's own definitions.
 */
#ifndef KITE_IR_MODULE_H
#define KITE_IR_MODULE_H

#include <stddef.h>
#include <stdint.h>

#include "ir/types.h"
#include "util/arena.h"

#define KIR_NONE UINT32_MAX

typedef struct kir_name {
    const char *ptr; /* NUL-terminated copy; len excludes the NUL */
    uint32_t len;
} kir_name;

typedef enum kir_extern_kind {
    KIR_EXTERN_FUNC = 0,
    KIR_EXTERN_TABLE = 1,
    KIR_EXTERN_MEMORY = 2,
    KIR_EXTERN_GLOBAL = 3,
    KIR_EXTERN_TAG = 4,
} kir_extern_kind;

/* A constant expression or a code fragment in binary encoding, ending in 0x0B. */
typedef struct kir_expr {
    const uint8_t *code;
    uint32_t len;
    uint32_t offset; /* position of code[0] in the source binary (see srcmap) */
} kir_expr;

typedef struct kir_import {
    kir_name module, field;
    kir_extern_kind kind;
    uint32_t index; /* index in the index space of `kind` */
} kir_import;

typedef struct kir_local_group {
    uint32_t count;
    kir_valtype type;
} kir_local_group;

typedef struct kir_func {
    uint32_t type;   /* module type index of a function type */
    uint32_t import; /* index into imports, or KIR_NONE for a defined function */
    /* Defined functions only: */
    uint32_t nlocal_groups;
    kir_local_group *local_groups;
    uint32_t nlocals;   /* sum of the groups' counts (params not included) */
    kir_expr body;      /* instructions after the local declarations */
    uint32_t entry_offset; /* binary modules: where the local declarations start
                              (the function's start for backtraces); else 0 */
    uint32_t max_stack; /* set by the validator: most operand values live at once */
    uint32_t const_instrs; /* set by the validator: constant instructions (t.const, ref.null) */
} kir_func;

typedef struct kir_table {
    kir_valtype elem;   /* a reference type */
    kir_limits limits;
    uint32_t import;    /* KIR_NONE if defined */
    bool has_init;
    kir_expr init;      /* table initializer expression (if has_init) */
} kir_table;

typedef struct kir_memory {
    kir_limits limits;      /* in pages */
    uint32_t page_size_log2; /* 16 by default; 0 with custom-page-sizes (1) */
    uint32_t import;
} kir_memory;

typedef struct kir_global {
    kir_valtype type;
    bool mutable_;
    uint32_t import;
    kir_expr init;  /* defined globals only */
} kir_global;

typedef struct kir_tag {
    uint32_t type;  /* function type index (results must be empty) */
    uint32_t import;
} kir_tag;

typedef struct kir_export {
    kir_name name;
    kir_extern_kind kind;
    uint32_t index;
} kir_export;

typedef enum kir_seg_mode {
    KIR_SEG_PASSIVE,
    KIR_SEG_ACTIVE,
    KIR_SEG_DECLARATIVE, /* element segments only */
} kir_seg_mode;

typedef struct kir_elem {
    kir_seg_mode mode;
    uint32_t table;      /* active only */
    kir_expr offset;     /* active only */
    kir_valtype type;    /* element reference type */
    uint32_t count;
    /* Exactly one of these is set: function indices (the elemkind/funcidx
     * forms) or one constant expression per element. */
    uint32_t *funcs;
    kir_expr *exprs;
} kir_elem;

typedef struct kir_data {
    kir_seg_mode mode;
    uint32_t memory;     /* active only */
    kir_expr offset;     /* active only */
    const uint8_t *bytes;
    uint32_t len;
} kir_data;

/* The known sections, by binary id, with the keyword that names them in a
 * @custom annotation's placement. */
#define KIR_SECTIONS(X)                                                                        \
    X(TYPE, 1, "type") X(IMPORT, 2, "import") X(FUNCTION, 3, "func") X(TABLE, 4, "table")      \
    X(MEMORY, 5, "memory") X(GLOBAL, 6, "global") X(EXPORT, 7, "export") X(START, 8, "start")  \
    X(ELEM, 9, "elem") X(CODE, 10, "code") X(DATA, 11, "data") X(DATACOUNT, 12, "datacount")   \
    X(TAG, 13, "tag")

enum {
#define KIR_SECTION_ID(name, id, keyword) KIR_SECTION_##name = id,
    KIR_SECTIONS(KIR_SECTION_ID)
#undef KIR_SECTION_ID
};

/* Placement of a custom section: KIR_PLACE_FIRST / KIR_PLACE_LAST stand
 * for the virtual sections before the first and after the last known one. */
#define KIR_PLACE_FIRST 0x00
#define KIR_PLACE_LAST 0xFF

/* A custom section. From a binary, only the name section's contents are
 * kept (bytes); for the others (debug info, producers, ...) bytes is NULL:
 * the module does not copy what it never reads. From text (@custom, @name
 * and branch-hint annotations) the contents are kept. It sits directly
 * after (or, `before` set, directly before) the known section with binary
 * id `section`, or a KIR_PLACE_* one; customs placed alike keep their order
 * in `customs`. */
typedef struct kir_custom {
    kir_name name;
    const uint8_t *bytes;
    uint32_t len;
    bool before;
    uint8_t section;
} kir_custom;

typedef struct kir_local_name {
    uint32_t func, local;
    kir_name name;
} kir_local_name;

/*
 * Text modules only: where each instruction came from. `offset` is the
 * kir_expr offset space (see kir_expr.offset), so an error found at a byte
 * offset can be reported as line:column. Sorted by offset.
 */
typedef struct kir_srcpos {
    uint32_t offset;
    uint32_t line, col;
} kir_srcpos;

typedef struct kir_module {
    kutil_arena arena;

    uint32_t ntypes;
    kir_type *types;

    uint32_t nimports;
    kir_import *imports;

    uint32_t nfuncs, nfunc_imports;
    kir_func *funcs;
    uint32_t ntables, ntable_imports;
    kir_table *tables;
    uint32_t nmemories, nmemory_imports;
    kir_memory *memories;
    uint32_t nglobals, nglobal_imports;
    kir_global *globals;
    uint32_t ntags, ntag_imports;
    kir_tag *tags;

    uint32_t nexports;
    kir_export *exports;

    uint32_t start; /* KIR_NONE if absent */

    uint32_t nelems;
    kir_elem *elems;
    uint32_t ndatas;
    kir_data *datas;
    bool has_data_count;
    uint32_t data_count;

    uint32_t ncustoms;
    kir_custom *customs;

    /* Name section (or text identifiers): for backtraces. */
    kir_name module_name;          /* len 0 if none */
    kir_name *func_names;          /* nfuncs entries or NULL; ptr NULL if unnamed */
    uint32_t nlocal_names;
    kir_local_name *local_names;

    /* Text modules only (nsrcpos == 0 otherwise). */
    uint32_t nsrcpos;
    kir_srcpos *srcpos;

    /* Binary modules only (NULL otherwise): the module's copy of its input,
     * where custom sections other than "name" hold no contents (see
     * kir_custom), so only the other sections may be read from it. */
    const uint8_t *binary;
    uint32_t binary_len;

    /* Set by the validator. */
    bool validated;
    uint32_t *canon;               /* ntypes engine-wide canonical type ids */
    uint8_t *func_declared;        /* nfuncs flags: may be named by ref.func */
} kir_module;

/* A new, empty module whose memory comes from `alloc` (which must outlive
 * it), or NULL when out of memory. */
kir_module *kir_module_new(const kite_allocator_t *alloc);
void kir_module_free(kir_module *m);

/*
 * Grow a module-owned array by one zeroed element and return it (NULL on
 * allocation failure); `*count` is incremented. Capacity is implied by the
 * count (powers of two), so an array must only ever grow through this.
 * Usage: kir_func *f = KIR_PUSH(m, m->funcs, m->nfuncs);
 */
void *kir_push(kir_module *m, void **array, uint32_t *count, size_t elem_size);
#define KIR_PUSH(m, arr, count) kir_push((m), (void **)&(arr), &(count), sizeof(*(arr)))

/* Copy `len` bytes into the module arena as a NUL-terminated name. */
bool kir_name_copy(kir_module *m, kir_name *out, const char *s, size_t len);

/* Source position (text modules) for a code offset; false if none recorded. */
bool kir_module_srcpos(const kir_module *m, uint32_t offset, uint32_t *line, uint32_t *col);

/* Convenience accessors. */
static inline const kir_type *kir_func_type(const kir_module *m, uint32_t funcidx)
{
    return &m->types[m->funcs[funcidx].type];
}

#endif
