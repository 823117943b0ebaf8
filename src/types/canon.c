/*
 * The canonical type registry.
 *
 * A rec group is identified by a key: a flat array of 32-bit words that
 * describes each of its types, where a reference to a type of the same group
 * is written as its position in the group and a reference to any other type
 * as that type's canonical id. Two groups are the same canonical group
 * exactly when their keys are equal (iso-recursive equivalence), so the
 * registry is a hash table from keys to the first id of the group.
 *
 * Canonical types live in segments of doubling size (64, 128, 256, ...
 * entries) that never move, so ktype_canon_type and ktype_canon_is_subtype
 * read them without taking the lock: an id a thread holds was published
 * (under the lock) before the thread could obtain it.
 */
#include "types/canon.h"

#include <pthread.h>
#include <string.h>

#include "util/alloc.h"
#include "util/arena.h"
#include "util/error.h"

#define SEG_SHIFT 6u   /* the first segment holds 2^6 types */
#define NSEGS 20u      /* enough segments for KTYPE_CANON_MAX_TYPES */

/* Key encoding of a value type's heap field: same-group references. */
#define KEY_REL_VT 0x80u       /* in a kir_valtype word (bit 7 is unused) */
#define KEY_REL_SUPER 0x80000000u /* in a supertype word */

typedef struct canon_group {
    uint32_t hash;
    uint32_t keylen;
    uint32_t *key;
    uint32_t base, size;
} canon_group;

struct ktype_canon {
    const kite_allocator_t *alloc; /* the engine's */
    pthread_mutex_t lock;
    kutil_arena arena; /* keys and type structures */
    ktype_ctype *segs[NSEGS];
    uint32_t ntypes;
    canon_group *groups;
    uint32_t ngroups, groups_cap;
    uint32_t *table; /* group index + 1, 0 = empty; open addressing */
    uint32_t table_cap;
};

static unsigned bit_length(uint32_t x)
{
#if defined(__GNUC__)
    return x ? 32u - (unsigned)__builtin_clz(x) : 0u;
#else
    unsigned n = 0;
    while (x) {
        n++;
        x >>= 1;
    }
    return n;
#endif
}

/* Segment k holds ids [2^S (2^k - 1), 2^S (2^(k+1) - 1)). */
static ktype_ctype *slot_of(const ktype_canon *c, uint32_t id)
{
    uint32_t i = id + (1u << SEG_SHIFT);
    unsigned k = bit_length(i) - 1u - SEG_SHIFT;
    return &c->segs[k][i - (1u << (k + SEG_SHIFT))];
}

ktype_canon *ktype_canon_new(const kite_allocator_t *alloc)
{
    ktype_canon *c = kutil_calloc(alloc, 1, sizeof(*c));
    if (!c)
        return NULL;
    if (pthread_mutex_init(&c->lock, NULL) != 0) {
        kutil_free(alloc, c);
        return NULL;
    }
    c->alloc = alloc;
    kutil_arena_init(&c->arena, alloc);
    return c;
}

void ktype_canon_free(ktype_canon *c)
{
    if (!c)
        return;
    for (unsigned k = 0; k < NSEGS; k++)
        kutil_free(c->alloc, c->segs[k]);
    kutil_free(c->alloc, c->groups);
    kutil_free(c->alloc, c->table);
    kutil_arena_release(&c->arena);
    pthread_mutex_destroy(&c->lock);
    kutil_free(c->alloc, c);
}

const ktype_ctype *ktype_canon_type(const ktype_canon *c, uint32_t id) { return slot_of(c, id); }

bool ktype_canon_is_subtype(const ktype_canon *c, uint32_t sub, uint32_t super)
{
    if (sub == super)
        return true;
    const ktype_ctype *t = slot_of(c, sub);
    const ktype_ctype *s = slot_of(c, super);
    return s->depth < t->depth && t->ancestors[s->depth] == super;
}

/* ---- keys ---------------------------------------------------------------- */

typedef struct keybuf {
    uint32_t *w;
    size_t n, cap;
    bool oom;
    const kite_allocator_t *alloc;
} keybuf;

static void key_put(keybuf *k, uint32_t w)
{
    if (k->n == k->cap) {
        size_t cap = k->cap ? k->cap * 2 : 64;
        uint32_t *p = cap <= SIZE_MAX / sizeof(uint32_t)
                          ? kutil_realloc(k->alloc, k->w, cap * sizeof(uint32_t))
                          : NULL;
        if (!p) {
            k->oom = true;
            return;
        }
        k->w = p;
        k->cap = cap;
    }
    k->w[k->n++] = w;
}

static uint32_t key_valtype(const kir_module *m, uint32_t rec_start, uint32_t rec_size, kir_valtype t)
{
    if (!kir_vt_is_ref(t) || !kir_vt_concrete(t))
        return t;
    uint32_t h = kir_vt_heap(t);
    uint32_t low = t & 0xFFu;
    if (h >= rec_start && h - rec_start < rec_size)
        return low | KEY_REL_VT | ((h - rec_start) << KIR_VT_HEAP_SHIFT);
    return low | (m->canon[h] << KIR_VT_HEAP_SHIFT);
}

/* Describe the rec group of types [start, start + size) of `m` as a key. */
static void key_group(keybuf *k, const kir_module *m, uint32_t start, uint32_t size)
{
    key_put(k, size);
    for (uint32_t i = start; i < start + size; i++) {
        const kir_type *t = &m->types[i];
        key_put(k, (uint32_t)t->comp | (t->final ? 0x100u : 0u));
        if (t->super == KIR_NO_SUPER)
            key_put(k, KIR_NO_SUPER);
        else if (t->super >= start)
            key_put(k, KEY_REL_SUPER | (t->super - start));
        else
            key_put(k, m->canon[t->super]);
        if (t->comp == KIR_COMP_FUNC) {
            key_put(k, t->nparams);
            key_put(k, t->nresults);
            for (uint32_t j = 0; j < t->nparams + t->nresults; j++)
                key_put(k, key_valtype(m, start, size, t->types[j]));
        } else {
            key_put(k, t->nfields);
            for (uint32_t j = 0; j < t->nfields; j++) {
                key_put(k, key_valtype(m, start, size, t->fields[j].type));
                key_put(k, t->fields[j].mutable_ ? 1u : 0u);
            }
        }
    }
}

static uint32_t key_hash(const uint32_t *w, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
    for (size_t i = 0; i < n; i++) {
        h ^= w[i];
        h *= 0xFF51AFD7ED558CCDull;
        h ^= h >> 32;
    }
    return (uint32_t)h;
}

/* ---- the table ------------------------------------------------------------ */

static bool table_grow(ktype_canon *c)
{
    uint32_t cap = c->table_cap ? c->table_cap * 2 : 64;
    uint32_t *t = kutil_calloc(c->alloc, cap, sizeof(uint32_t));
    if (!t)
        return false;
    for (uint32_t g = 0; g < c->ngroups; g++) {
        uint32_t s = c->groups[g].hash & (cap - 1);
        while (t[s])
            s = (s + 1) & (cap - 1);
        t[s] = g + 1;
    }
    kutil_free(c->alloc, c->table);
    c->table = t;
    c->table_cap = cap;
    return true;
}

/* The group with this key, or UINT32_MAX; *slot is where to insert it. */
static uint32_t table_find(const ktype_canon *c, const keybuf *k, uint32_t hash, uint32_t *slot)
{
    uint32_t s = hash & (c->table_cap - 1);
    for (;;) {
        uint32_t g = c->table[s];
        if (g == 0) {
            *slot = s;
            return UINT32_MAX;
        }
        const canon_group *cg = &c->groups[g - 1];
        if (cg->hash == hash && cg->keylen == k->n &&
            memcmp(cg->key, k->w, k->n * sizeof(uint32_t)) == 0)
            return g - 1;
        s = (s + 1) & (c->table_cap - 1);
    }
}

static kir_valtype canon_valtype(const kir_module *m, uint32_t base, uint32_t rec_start,
                                 uint32_t rec_size, kir_valtype t)
{
    if (!kir_vt_is_ref(t) || !kir_vt_concrete(t))
        return t;
    uint32_t h = kir_vt_heap(t);
    uint32_t id = h >= rec_start && h - rec_start < rec_size ? base + (h - rec_start) : m->canon[h];
    return (t & 0xFFu) | (id << KIR_VT_HEAP_SHIFT);
}

/* Make sure the segments can hold ids below `end`. */
static bool reserve_ids(ktype_canon *c, uint32_t end)
{
    if (end == 0)
        return true;
    uint32_t last = end - 1;
    unsigned kmax = bit_length(last + (1u << SEG_SHIFT)) - 1u - SEG_SHIFT;
    for (unsigned k = 0; k <= kmax; k++) {
        if (c->segs[k])
            continue;
        c->segs[k] = kutil_calloc(c->alloc, (size_t)1 << (k + SEG_SHIFT), sizeof(ktype_ctype));
        if (!c->segs[k])
            return false;
    }
    return true;
}

/*
 * Create the canonical types of a new group from module types
 * [start, start + size) and give them ids base .. base + size - 1.
 */
static kite_error_t *add_group(ktype_canon *c, const kir_module *m, uint32_t start, uint32_t size,
                               uint32_t base)
{
    for (uint32_t i = 0; i < size; i++) {
        const kir_type *t = &m->types[start + i];
        ktype_ctype *ct = slot_of(c, base + i);
        memset(ct, 0, sizeof(*ct));
        ct->comp = t->comp;
        ct->final = t->final;
        ct->group = base;
        ct->group_size = size;
        if (t->super == KIR_NO_SUPER)
            ct->super = KIR_NO_SUPER;
        else if (t->super >= start)
            ct->super = base + (t->super - start);
        else
            ct->super = m->canon[t->super];
        const ktype_ctype *sup = ct->super == KIR_NO_SUPER ? NULL : slot_of(c, ct->super);
        ct->depth = sup ? sup->depth + 1 : 0;
        if (ct->depth > KTYPE_CANON_MAX_DEPTH)
            return kutil_error_new(c->alloc, KITE_ERROR_LIMIT, "sub type depth exceeds %u",
                                   KTYPE_CANON_MAX_DEPTH);
        uint32_t *anc = kutil_arena_array(&c->arena, ct->depth + 1, sizeof(uint32_t));
        if (!anc)
            return kutil_error_oom();
        if (sup)
            memcpy(anc, sup->ancestors, (size_t)sup->depth * sizeof(uint32_t) + sizeof(uint32_t));
        anc[ct->depth] = base + i;
        ct->ancestors = anc;
        if (t->comp == KIR_COMP_FUNC) {
            uint32_t n = t->nparams + t->nresults;
            kir_valtype *ts = kutil_arena_array(&c->arena, n ? n : 1, sizeof(kir_valtype));
            if (!ts)
                return kutil_error_oom();
            for (uint32_t j = 0; j < n; j++)
                ts[j] = canon_valtype(m, base, start, size, t->types[j]);
            ct->nparams = t->nparams;
            ct->nresults = t->nresults;
            ct->types = ts;
        } else {
            kir_field *fs =
                kutil_arena_array(&c->arena, t->nfields ? t->nfields : 1, sizeof(kir_field));
            if (!fs)
                return kutil_error_oom();
            for (uint32_t j = 0; j < t->nfields; j++) {
                fs[j].type = canon_valtype(m, base, start, size, t->fields[j].type);
                fs[j].mutable_ = t->fields[j].mutable_;
            }
            ct->nfields = t->nfields;
            ct->fields = fs;
        }
    }
    return NULL;
}

/* Find or register the group [start, start + size) of `m`; lock held. */
static kite_error_t *canon_group_locked(ktype_canon *c, kir_module *m, keybuf *k, uint32_t start,
                                        uint32_t size)
{
    k->n = 0;
    key_group(k, m, start, size);
    if (k->oom)
        return kutil_error_oom();
    uint32_t hash = key_hash(k->w, k->n);
    if ((c->ngroups + 1) * 2 > c->table_cap && !table_grow(c))
        return kutil_error_oom();
    uint32_t slot;
    uint32_t g = table_find(c, k, hash, &slot);
    if (g != UINT32_MAX) {
        for (uint32_t i = 0; i < size; i++)
            m->canon[start + i] = c->groups[g].base + i;
        return NULL;
    }
    if (size > KTYPE_CANON_MAX_TYPES - c->ntypes)
        return kutil_error_new(c->alloc, KITE_ERROR_LIMIT, "too many distinct types in the engine");
    if (c->ngroups == c->groups_cap) {
        uint32_t cap = c->groups_cap ? c->groups_cap * 2 : 64;
        canon_group *gs = kutil_realloc(c->alloc, c->groups, (size_t)cap * sizeof(canon_group));
        if (!gs)
            return kutil_error_oom();
        c->groups = gs;
        c->groups_cap = cap;
    }
    uint32_t base = c->ntypes;
    if (!reserve_ids(c, base + size))
        return kutil_error_oom();
    uint32_t *key = kutil_arena_dup(&c->arena, k->w, k->n * sizeof(uint32_t));
    if (!key)
        return kutil_error_oom();
    kite_error_t *err = add_group(c, m, start, size, base);
    if (err)
        return err;
    /* Publish: the group becomes findable and its ids are used up. */
    c->groups[c->ngroups] = (canon_group){hash, (uint32_t)k->n, key, base, size};
    c->ngroups++;
    c->table[slot] = c->ngroups;
    c->ntypes += size;
    for (uint32_t i = 0; i < size; i++)
        m->canon[start + i] = base + i;
    return NULL;
}

kite_error_t *ktype_canon_module(ktype_canon *c, kir_module *m)
{
    if (m->ntypes == 0)
        return NULL;
    if (!m->canon) {
        m->canon = kutil_arena_array(&m->arena, m->ntypes, sizeof(uint32_t));
        if (!m->canon)
            return kutil_error_oom();
    }
    keybuf k = {.alloc = c->alloc};
    kite_error_t *err = NULL;
    pthread_mutex_lock(&c->lock);
    for (uint32_t i = 0; i < m->ntypes && !err;) {
        uint32_t size = m->types[i].rec_size ? m->types[i].rec_size : 1;
        if (size > m->ntypes - i)
            size = m->ntypes - i;
        err = canon_group_locked(c, m, &k, i, size);
        i += size;
    }
    pthread_mutex_unlock(&c->lock);
    kutil_free(c->alloc, k.w);
    return err;
}

/* ---- types made outside modules ------------------------------------------------ */

kite_error_t *ktype_canon_func(ktype_canon *c, const kir_valtype *params, uint32_t nparams,
                               const kir_valtype *results, uint32_t nresults, uint32_t *out)
{
    uint64_t n = (uint64_t)nparams + nresults;
    if (n > UINT32_MAX / 2)
        return kutil_error_new(c->alloc, KITE_ERROR_LIMIT, "too many parameters and results");
    kir_valtype *types = kutil_malloc(c->alloc, n ? (size_t)n * sizeof(kir_valtype) : 1);
    if (!types)
        return kutil_error_oom();
    for (uint32_t i = 0; i < n; i++) {
        kir_valtype t = i < nparams ? params[i] : results[i - nparams];
        kir_kind k = kir_vt_kind(t);
        if (k < KIR_I32 || k > KIR_REF || (k == KIR_REF && kir_vt_concrete(t))) {
            kutil_free(c->alloc, types);
            return kutil_error_new(c->alloc, KITE_ERROR_ARGUMENT,
                                   "function types made by the host take numeric, vector "
                                   "and abstract reference types only");
        }
        types[i] = t;
    }
    /* A one-type module in all but name, so the group gets the same key a
     * module's identical type would. */
    kir_type t = {.comp = KIR_COMP_FUNC, .final = true, .super = KIR_NO_SUPER,
                  .rec_start = 0, .rec_size = 1, .nparams = nparams, .nresults = nresults,
                  .types = types};
    kir_module m;
    memset(&m, 0, sizeof(m));
    m.ntypes = 1;
    m.types = &t;
    m.canon = out;
    keybuf k = {.alloc = c->alloc};
    pthread_mutex_lock(&c->lock);
    kite_error_t *err = canon_group_locked(c, &m, &k, 0, 1);
    pthread_mutex_unlock(&c->lock);
    kutil_free(c->alloc, k.w);
    kutil_free(c->alloc, types);
    return err;
}

/* Abstract heap types as bits, and for each the set of those above it. */
#define ABIT(h) (1u << ((h) - KIR_HEAP_EXN))
#define ABOVE_EQ (ABIT(KIR_HEAP_EQ) | ABIT(KIR_HEAP_ANY))

static uint32_t abstract_above(uint32_t h)
{
    switch (h) {
    case KIR_HEAP_ANY: return ABIT(KIR_HEAP_ANY);
    case KIR_HEAP_EQ: return ABOVE_EQ;
    case KIR_HEAP_I31: return ABIT(KIR_HEAP_I31) | ABOVE_EQ;
    case KIR_HEAP_STRUCT: return ABIT(KIR_HEAP_STRUCT) | ABOVE_EQ;
    case KIR_HEAP_ARRAY: return ABIT(KIR_HEAP_ARRAY) | ABOVE_EQ;
    case KIR_HEAP_NONE:
        return ABIT(KIR_HEAP_NONE) | ABIT(KIR_HEAP_I31) | ABIT(KIR_HEAP_STRUCT) |
               ABIT(KIR_HEAP_ARRAY) | ABOVE_EQ;
    case KIR_HEAP_FUNC: return ABIT(KIR_HEAP_FUNC);
    case KIR_HEAP_NOFUNC: return ABIT(KIR_HEAP_NOFUNC) | ABIT(KIR_HEAP_FUNC);
    case KIR_HEAP_EXTERN: return ABIT(KIR_HEAP_EXTERN);
    case KIR_HEAP_NOEXTERN: return ABIT(KIR_HEAP_NOEXTERN) | ABIT(KIR_HEAP_EXTERN);
    case KIR_HEAP_EXN: return ABIT(KIR_HEAP_EXN);
    case KIR_HEAP_NOEXN: return ABIT(KIR_HEAP_NOEXN) | ABIT(KIR_HEAP_EXN);
    default: return 0;
    }
}

bool ktype_canon_heap_sub(const ktype_canon *c, kir_valtype a, kir_valtype b)
{
    bool ca = kir_vt_concrete(a), cb = kir_vt_concrete(b);
    uint32_t ha = kir_vt_heap(a), hb = kir_vt_heap(b);
    if (ca && cb)
        return ktype_canon_is_subtype(c, ha, hb);
    if (ca) {
        if (hb < KIR_HEAP_EXN || hb > KIR_HEAP_NOEXN)
            return false;
        switch (ktype_canon_type(c, ha)->comp) {
        case KIR_COMP_FUNC: return hb == KIR_HEAP_FUNC;
        case KIR_COMP_STRUCT: return hb == KIR_HEAP_STRUCT || (ABIT(hb) & ABOVE_EQ);
        case KIR_COMP_ARRAY: return hb == KIR_HEAP_ARRAY || (ABIT(hb) & ABOVE_EQ);
        }
        return false;
    }
    if (cb) {
        bool func = ktype_canon_type(c, hb)->comp == KIR_COMP_FUNC;
        return func ? ha == KIR_HEAP_NOFUNC : ha == KIR_HEAP_NONE;
    }
    if (hb < KIR_HEAP_EXN || hb > KIR_HEAP_NOEXN)
        return false;
    return (abstract_above(ha) & ABIT(hb)) != 0;
}

bool ktype_canon_valtype_sub(const ktype_canon *c, kir_valtype a, kir_valtype b)
{
    if (a == b)
        return true;
    if (!kir_vt_is_ref(a) || !kir_vt_is_ref(b))
        return false;
    if (kir_vt_nullable(a) && !kir_vt_nullable(b))
        return false;
    return ktype_canon_heap_sub(c, a, b);
}
