/*
 * The GC heap of a store: struct and array objects, exceptions and host
 * references, the structs' and arrays' runtime types (RTTs), the allocator
 * and a precise mark-sweep collector (the reasons for that choice are in
 * docs/NOTES.md).
 *
 * Objects. Every GC object starts with krt_obj (so a reference leads to its
 * kind and canonical type like any other object) followed by a word that
 * points at its RTT. The RTT's low bit is the mark bit, set only while a
 * collection runs (sweeping clears it again), so outside the collector the
 * word is a plain pointer. Fields follow in declaration order, each at its
 * natural alignment (v128 at 8), which keeps a subtype's fields at the same
 * offsets as its supertype's. Sizes are rounded up to 16 bytes.
 *
 *   struct  0      4       8                    16
 *           | kind | canon | rtt (bit 0: mark)  | field 0 | field 1 | ...
 *
 *   array   0      4       8                    16    20   24
 *           | kind | canon | rtt (bit 0: mark)  | len | -  | elem 0 | elem 1 | ...
 *
 * References stored in objects are 8 bytes (the slot encoding of
 * runtime.h: 0 null, odd an i31, else a pointer). Tracing, like every other
 * reader, treats 0 and odd values as non-pointers.
 *
 * Exceptions (krt_exn) and host references (krt_hostref) have the same two
 * header words; their "RTT" is one of two descriptors that say only their
 * kind (kgc_exn_rtt, kgc_hostref_rtt). An exception's payload is traced by
 * its tag's parameter types; a host reference holds no references, and its
 * finalizer (if any) runs when it is swept or the heap is freed.
 *
 * Allocation. Objects up to KGC_SMALL_MAX bytes come from size classes of
 * 16-byte steps, each a free list threaded through blocks of KGC_BLOCK_BYTES;
 * the fast path (kgc_alloc_fast) pops a cell and calls nothing. Larger
 * objects are allocated one by one. When a free list is empty the slow path
 * takes a new block, or collects first once the heap has grown past its
 * trigger (or would pass the store's limit). A heap that cannot satisfy a
 * request after a full collection reports failure, which callers turn into
 * the trap "GC heap exhausted".
 *
 * Roots: the interpreter's frames (through the stack maps the translator
 * records; the interpreter installs scan_stacks), host handles (kite_root_t),
 * and what the store records (krt_rootset in runtime.h): the globals, tables
 * and element segments of instances and of host-made globals and tables,
 * the exceptions held by traps, and scoped root frames (krt_roots) that C
 * code pushes around allocations: the constant-expression evaluator's
 * stack, a host function's arguments and results, the host API's inputs.
 * Nothing else keeps an object alive: an exception nobody can reach any
 * more is freed like a struct.
 */
#ifndef KITE_GC_GC_H
#define KITE_GC_GC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ir/opcodes.h"
#include "runtime/runtime.h"
#include "types/canon.h"

/* ---- objects ------------------------------------------------------------------------------ */

typedef struct kgc_obj {
    krt_obj hdr;   /* KRT_OBJ_STRUCT or KRT_OBJ_ARRAY, canonical type id */
    uintptr_t rtt; /* const kgc_rtt *; bit 0 is the mark bit during a collection */
} kgc_obj;

typedef struct kgc_array {
    kgc_obj obj;
    uint32_t len;
    uint32_t pad_;
} kgc_array;

#define KGC_STRUCT_FIELDS 16u /* offset of a struct's first field */
#define KGC_ARRAY_DATA 24u    /* offset of an array's first element */

static inline uint8_t *kgc_array_data(kgc_array *a) { return (uint8_t *)a + KGC_ARRAY_DATA; }

/* A struct field: where it lives and where struct.new finds its value. */
typedef struct kgc_field {
    uint32_t offset; /* from the object's start */
    uint32_t slot;   /* index of its first operand slot for struct.new */
    uint8_t width;   /* bytes: 1, 2, 4, 8 or 16 */
    bool ref;
} kgc_field;

/* A runtime type: the layout of a canonical struct or array type. */
typedef struct kgc_rtt {
    uint32_t canon;
    uint8_t kind;       /* KRT_OBJ_STRUCT or KRT_OBJ_ARRAY */
    uint8_t elem_width; /* arrays: bytes per element */
    bool elem_ref;      /* arrays: the elements are references */
    bool all64;         /* structs: every field 8 bytes wide, packed from offset 16 */
    uint32_t size;      /* structs: object bytes (a multiple of 16) */
    uint32_t nfields;   /* structs */
    uint32_t nslots;    /* structs: operand slots of struct.new */
    uint32_t nrefs;     /* structs: reference fields */
    const uint32_t *ref_offsets;
    const kgc_field *fields;
    const ktype_ctype *type;     /* the canonical type (depth and ancestors for casts) */
    const ktype_canon *registry; /* the engine's type registry */
} kgc_rtt;

static inline const kgc_rtt *kgc_rtt_of(const kgc_obj *o)
{
    return (const kgc_rtt *)(o->rtt & ~(uintptr_t)1);
}

/* The layout descriptors of exceptions and host references (kind only). */
extern const kgc_rtt kgc_exn_rtt;
extern const kgc_rtt kgc_hostref_rtt;
_Static_assert(offsetof(krt_exn, gc) == offsetof(kgc_obj, rtt) &&
                   offsetof(krt_hostref, gc) == offsetof(kgc_obj, rtt),
               "exceptions and host references have the GC's header");

/* The size of an array of n elements of `width` bytes (rounded up to 16),
 * or 0 when it exceeds KGC_MAX_OBJECT: larger arrays trap with "array too
 * large" whatever the heap limit (a single allocation that could take the
 * host's memory down is refused outright). */
#define KGC_MAX_OBJECT (UINT64_C(1) << 30)
static inline uint64_t kgc_array_size(uint64_t n, uint32_t width)
{
    if (n > (KGC_MAX_OBJECT - KGC_ARRAY_DATA) / width)
        return 0;
    return (KGC_ARRAY_DATA + n * width + 15u) & ~UINT64_C(15);
}

/* ---- the heap ----------------------------------------------------------------------------- */

#define KGC_GRANULE 16u
#define KGC_NCLASSES 32u
#define KGC_SMALL_MAX (KGC_GRANULE * KGC_NCLASSES)
#define KGC_BLOCK_BYTES (32u * 1024u)
/* The heap size below which no collection is triggered (unless a limit is
 * lower). */
#define KGC_MIN_TRIGGER (UINT64_C(8) << 20)

/* Under AddressSanitizer free cells are poisoned (all but their first 16
 * bytes, which the sweeper reads), so a use of a collected object is caught. */
#if defined(__SANITIZE_ADDRESS__)
#define KGC_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KGC_ASAN 1
#endif
#endif
#ifdef KGC_ASAN
#include <sanitizer/asan_interface.h>
#define KGC_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define KGC_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define KGC_POISON(p, n) ((void)(p), (void)(n))
#define KGC_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* A free cell: kind 0 marks it free for the sweeper. */
typedef struct kgc_cell {
    krt_obj hdr;
    struct kgc_cell *next;
} kgc_cell;

typedef struct kgc_heap kgc_heap;

/* A host handle (kite_root_t). */
struct kite_root {
    struct kite_root *prev, *next;
    kgc_heap *heap;
    krt_ref ref;
};

struct kgc_block;
struct kgc_large;

struct kgc_heap {
    kgc_cell *free[KGC_NCLASSES]; /* the fast path reads only these */
    kite_store_t *store;
    const kite_allocator_t *alloc; /* the store's */
    const ktype_canon *canon;
    bool stress;          /* collect at every allocation that reaches the slow path */
    bool collecting;
    uint64_t limit;       /* bytes; 0: none */
    uint64_t bytes;       /* blocks and large objects */
    uint64_t next_gc;     /* collect before growing past this */
    struct kgc_block *blocks;
    struct kgc_large *large;

    krt_marker marker;    /* hands scoped roots' references to kgc_mark */
    void (*scan_stacks)(struct kint_thread *th, kgc_heap *h); /* set with the stacks */
    struct kite_root handles; /* list head (ref unused) */

    kgc_obj **mark;
    size_t nmark, cap_mark;
    bool overflow;        /* a push failed: rescan the heap for marked objects */

    kgc_rtt **rtts;       /* open addressing on the canonical id */
    uint32_t cap_rtts, nrtts;

    uint64_t finalizers;  /* live host references with a finalizer */
    uint64_t collections, peak_bytes, live_bytes;
    uint64_t stale;       /* references to free cells met while marking (a bug) */
};

/* A heap for `store`, its limit 0 (none), in stress mode when the engine's
 * configuration says so (kite_config_set_gc_stress). NULL when out of
 * memory. */
kgc_heap *kgc_heap_new(kite_store_t *store, const ktype_canon *canon);
/* Frees every object, block, RTT and handle. NULL is ignored. */
void kgc_heap_free(kgc_heap *h);
void kgc_heap_set_limit(kgc_heap *h, uint64_t bytes);

/* The allocation fast path: a cell of the size class of `size` bytes
 * (16 <= size), or NULL (then kgc_alloc_slow). The memory is not
 * initialized; the caller writes the header and every field before
 * anything else can allocate. */
static inline void *kgc_alloc_fast(kgc_heap *h, uint64_t size)
{
    if (size > KGC_SMALL_MAX)
        return NULL;
    unsigned c = (unsigned)((size - 1) / KGC_GRANULE);
    kgc_cell *cell = h->free[c];
    if (!cell)
        return NULL;
    h->free[c] = cell->next;
    KGC_UNPOISON((uint8_t *)cell + sizeof(kgc_cell), (size_t)c * KGC_GRANULE);
    return cell;
}

/* The slow path: may collect. NULL when the heap cannot hold the object
 * even after a full collection (or its limit forbids it). */
void *kgc_alloc_slow(kgc_heap *h, uint64_t size);

static inline void *kgc_alloc(kgc_heap *h, uint64_t size)
{
    void *p = kgc_alloc_fast(h, size);
    return p ? p : kgc_alloc_slow(h, size);
}

/* A full collection now. */
void kgc_collect(kgc_heap *h);

/* Marks what a reference points at (for root scanners): null, i31s and
 * objects outside the GC heap are ignored. */
void kgc_mark(kgc_heap *h, krt_ref r);

/* Host handles. */
kite_root_t *kgc_handle_new(kgc_heap *h, krt_ref r);
void kgc_handle_free(kite_root_t *root);

/* The RTT of canonical struct or array type `canon`, made on first use;
 * NULL when out of memory. */
const kgc_rtt *kgc_rtt_get(kgc_heap *h, uint32_t canon);

/* ---- object helpers (objects.c) -------------------------------------------------------------- */

/* Field and element access by width: `slots` is the slot form (8-byte
 * words, v128 in two). Loads zero-extend; packed signed reads are the
 * caller's business. */
void kgc_store_value(uint8_t *p, uint32_t width, const uint64_t *slots);
void kgc_load_value(const uint8_t *p, uint32_t width, uint64_t *slots);

/* A new struct of type rtt with the field values in `slots` (struct.new's
 * operand layout), or every field zero/null when slots is NULL. The values
 * must be rooted by the caller. NULL: heap exhausted. */
kgc_obj *kgc_struct_new(kgc_heap *h, const kgc_rtt *rtt, const uint64_t *slots);

/* A new array of n elements, each `init` (slot form) or zero/null when
 * init is NULL. *trap gets the reason for a NULL result. */
kgc_array *kgc_array_new(kgc_heap *h, const kgc_rtt *rtt, uint32_t n, const uint64_t *init,
                         kite_trap_kind_t *trap);
/* A new array with the n elements in `slots` (one or two slots each). */
kgc_array *kgc_array_new_fixed(kgc_heap *h, const kgc_rtt *rtt, uint32_t n,
                               const uint64_t *slots, kite_trap_kind_t *trap);

/* A new exception of `tag` whose payload (tag->param_slots slots) is
 * copied from `payload`, which the caller must keep rooted (the
 * allocation may collect). NULL: heap exhausted. */
krt_exn *kgc_exn_new(kgc_heap *h, struct kite_tag *tag, const uint64_t *payload);
/* A new host reference; `finalize` (may be NULL) is called with the value
 * when the reference is collected or the heap freed. NULL: heap exhausted. */
krt_hostref *kgc_hostref_new(kgc_heap *h, uintptr_t value, void (*finalize)(uintptr_t value));

/* The GC constructors of constant expressions, for the runtime
 * (krt_hooks.gc_new). */
bool kgc_new_for_const(kite_store_t *store, kir_op op, uint32_t canon, const uint64_t *operands,
                       uint32_t count, krt_ref *out, kite_trap_kind_t *why);

/* Fills n elements of `width` bytes at dst with the value in `val` (slot form). */
void kgc_fill(uint8_t *dst, uint32_t width, uint64_t n, const uint64_t *val);

/*
 * Whether reference r belongs to heap type `heap` (an abstract code, or a
 * canonical id when `concrete`), null included when `nullable`: the result
 * of ref.test, and what ref.cast and br_on_cast check. Constant time.
 * Validation puts r in the hierarchy of `heap`; within it an i31 and a host
 * reference (internalized with any.convert_extern, which changes nothing)
 * are `any`, and every non-null reference is `extern` (extern.convert_any
 * changes nothing either).
 */
static inline bool kgc_ref_test(const ktype_canon *c, krt_ref r, uint32_t heap, bool concrete,
                                bool nullable)
{
    if (r == 0)
        return nullable;
    if (r & 1u)
        return !concrete && (heap == KIR_HEAP_I31 || heap == KIR_HEAP_EQ || heap == KIR_HEAP_ANY ||
                             heap == KIR_HEAP_EXTERN);
    const krt_obj *o = (const krt_obj *)r;
    uint32_t kind = o->kind;
    if (concrete) {
        if (kind != KRT_OBJ_STRUCT && kind != KRT_OBJ_ARRAY && kind != KRT_OBJ_FUNC)
            return false;
        return o->canon == heap || ktype_canon_is_subtype(c, o->canon, heap);
    }
    switch (heap) {
    case KIR_HEAP_ANY:
    case KIR_HEAP_EXTERN: return kind != KRT_OBJ_FUNC && kind != KRT_OBJ_EXN;
    case KIR_HEAP_EQ: return kind == KRT_OBJ_STRUCT || kind == KRT_OBJ_ARRAY;
    case KIR_HEAP_STRUCT: return kind == KRT_OBJ_STRUCT;
    case KIR_HEAP_ARRAY: return kind == KRT_OBJ_ARRAY;
    case KIR_HEAP_FUNC: return kind == KRT_OBJ_FUNC;
    case KIR_HEAP_EXN: return kind == KRT_OBJ_EXN;
    default: return false; /* i31 (not an i31 here), none, noextern, nofunc, noexn */
    }
}

#endif
