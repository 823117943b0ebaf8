/*
 * Compiling units of functions and publishing their native code; the tier
 * policies. A unit is a set of functions of one instance's code cells
 * compiled into one chunk (so direct calls between them are plain calls);
 * the chunk belongs to whoever owns those cells: the module for the shared
 * (guarded) code, the instance's store for an instance's own
 * (bounds-checked) code.
 */
#include "jit/tier.h"

#include <errno.h>
#include <string.h>

#include "jit/codegen.h"
#include "runtime/engine.h"
#include "util/alloc.h"
#include "util/error.h"

bool kjit_available(void)
{
#if KJIT_HAVE_BACKEND
    return kos_code_traps_supported() != 0;
#else
    return false;
#endif
}

/* A unit's result, owned by the module or the store. */
typedef struct kjit_code_obj {
    krt_owned owned;
    kjit_chunk *chunk;
    kint_native *natives;
    kint_osr *osr;
    kint_osr *land;                /* exception landing pads */
    const kite_allocator_t *alloc; /* the engine's */
} kjit_code_obj;

static void code_obj_destroy(krt_owned *o, kite_store_t *store)
{
    (void)store;
    kjit_code_obj *c = (kjit_code_obj *)(void *)((char *)o - offsetof(kjit_code_obj, owned));
    kjit_chunk_free(c->chunk);
    kutil_free(c->alloc, c->natives);
    kutil_free(c->alloc, c->osr);
    kutil_free(c->alloc, c->land);
    kutil_free(c->alloc, c);
}

static void unit_free(kjit_unit *u)
{
    const kite_allocator_t *alloc = u->m.alloc;
    kjit_masm_free(&u->m);
    kjit_sites_free(&u->sites);
    kutil_free(alloc, u->funcs);
    kutil_free(alloc, u->osr);
    kutil_free(alloc, u->land);
    kutil_free(alloc, u->sorted);
    kutil_free(alloc, u->sorted_ops);
}

#if KJIT_HAVE_BACKEND

/* Publishes the unit's code: one kint_native per function. */
static kite_error_t *publish(kjit_unit *u, kjit_chunk *chunk, const uint32_t *funcs, uint32_t n)
{
    kjit_code_obj *obj = kutil_calloc(u->m.alloc, 1, sizeof(*obj));
    kint_native *nat = kutil_calloc(u->m.alloc, n ? n : 1, sizeof(*nat));
    kint_osr *osr = kutil_calloc(u->m.alloc, u->nosr ? u->nosr : 1, sizeof(*osr));
    kint_osr *land = kutil_calloc(u->m.alloc, u->nland ? u->nland : 1, sizeof(*land));
    if (!obj || !nat || !osr || !land) {
        kutil_free(u->m.alloc, land);
        kutil_free(u->m.alloc, obj);
        kutil_free(u->m.alloc, nat);
        kutil_free(u->m.alloc, osr);
        kjit_chunk_free(chunk);
        return kutil_error_oom();
    }
    for (uint32_t i = 0; i < u->nosr; i++)
        osr[i] = (kint_osr){u->osr[i].pos, kjit_chunk_addr(chunk, kjit_label_pos(&u->m, u->osr[i].label))};
    for (uint32_t i = 0; i < u->nland; i++)
        land[i] = (kint_osr){u->land[i].pos, kjit_chunk_addr(chunk, kjit_label_pos(&u->m, u->land[i].label))};
    obj->land = land;
    obj->owned.destroy = code_obj_destroy;
    obj->alloc = u->m.alloc;
    obj->chunk = chunk;
    obj->natives = nat;
    obj->osr = osr;
    /* owned first: the code is reachable as soon as one function is published */
    /* the cells are the module's (one set per code variant, interp.h), so
     * the code is too: an instance or store going away must not free code
     * other instances of the module reach through the cells */
    krt_module_own(u->ki->inst->module, &obj->owned);
    for (uint32_t i = 0; i < n; i++) {
        kjit_ufunc *uf = &u->funcs[funcs[i]];
        if (!uf->code)
            continue;
        nat[i] = (kint_native){
            .enter = chunk->enter,
            .entry = kjit_chunk_addr(chunk, kjit_label_pos(&u->m, uf->entry)),
            .tail_entry = kjit_chunk_addr(chunk, kjit_label_pos(&u->m, uf->tail_entry)),
            .nosr = uf->nosr,
            .osr = osr + uf->osr_first,
            .ncatch = uf->nland,
            .catches = land + uf->land_first,
        };
        const kint_native *expected = NULL;
        atomic_compare_exchange_strong_explicit(&uf->code->native, &expected, &nat[i], memory_order_acq_rel,
                                                memory_order_acquire);
    }
    return NULL;
}

kite_error_t *kjit_compile(kint_instance *ki, const uint32_t *funcs, uint32_t n, kint_thread *th, bool osr)
{
    if (!kjit_available())
        return kutil_error_new(ki->inst->store->alloc, KITE_ERROR_UNSUPPORTED, "the compiler tier is not available on this platform");
    kjit_unit u;
    memset(&u, 0, sizeof(u));
    u.ki = ki;
    u.cells = ki->cells;
    u.nfuncs = ki->nfuncs;
    u.osr_wanted = osr;
    const kite_config_t *config = &ki->inst->store->engine->config;
    uint32_t cpu = config->jit_baseline ? 0 : kjit_cpu_features();
    if (config->jit_no_avx)
        cpu &= ~(uint32_t)KJIT_CPU_AVX;
    kjit_masm_init(&u.m, cpu, ki->inst->store->alloc);
    u.sites.alloc = u.m.alloc;
    u.funcs = kutil_calloc(u.m.alloc, u.nfuncs ? u.nfuncs : 1, sizeof(*u.funcs));
    if (!u.funcs || !kjit_unit_decoder(&u)) {
        unit_free(&u);
        return kutil_error_oom();
    }
    uint32_t todo = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t f = funcs[i];
        kint_code *c = kint_code_get(ki, f, kint_handlers(), th);
        if (!c) {
            unit_free(&u);
            return kutil_error_oom();
        }
        if (atomic_load_explicit(&c->native, memory_order_acquire) || u.funcs[f].code)
            continue;
        u.funcs[f].code = c;
        u.funcs[f].entry = kjit_label_new(&u.m);
        u.funcs[f].tail_entry = kjit_label_new(&u.m);
        todo++;
    }
    if (!todo) {
        unit_free(&u);
        return NULL;
    }
    kjit_emit_stubs(&u.m, &u.stubs);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t f = funcs[i];
        if (!u.funcs[f].code || kjit_label_bound(&u.m, u.funcs[f].entry))
            continue;
        if (!kjit_compile_function(&u, f)) {
            kite_error_t *err = u.error[0] ? kutil_error_new(ki->inst->store->alloc, KITE_ERROR_UNSUPPORTED, "%s", u.error)
                                           : kutil_error_oom();
            unit_free(&u);
            return err;
        }
    }
    kjit_chunk *chunk;
    int e = kjit_chunk_new(&u.m, &u.stubs, &u.sites, &chunk);
    if (e) {
        unit_free(&u);
        return e == ENOTSUP ? kutil_error_new(ki->inst->store->alloc, KITE_ERROR_UNSUPPORTED, "compiled code cannot trap on this platform")
                            : kutil_error_oom();
    }
    kite_error_t *err = publish(&u, chunk, funcs, n);
    unit_free(&u);
    return err;
}

#else

kite_error_t *kjit_compile(kint_instance *ki, const uint32_t *funcs, uint32_t n, kint_thread *th, bool osr)
{
    (void)funcs;
    (void)n;
    (void)th;
    (void)osr;
    return kutil_error_new(ki->inst->store->alloc, KITE_ERROR_UNSUPPORTED, "the compiler tier is not available on this platform");
}

#endif

kite_error_t *kjit_prepare_instance(krt_instance *inst)
{
    kint_thread *th = kint_thread_get(inst->store);
    kint_instance *ki = kint_instance_get(inst);
    const kir_module *m = inst->m;
    uint32_t *funcs = kutil_malloc(inst->store->alloc, (m->nfuncs ? m->nfuncs : 1) * sizeof(uint32_t));
    if (!th || !ki || !funcs) {
        kutil_free(inst->store->alloc, funcs);
        return kutil_error_oom();
    }
    uint32_t n = 0;
    for (uint32_t i = 0; i < m->nfuncs; i++)
        if (m->funcs[i].import == KIR_NONE)
            funcs[n++] = i;
    kite_error_t *err = kjit_compile(ki, funcs, n, th, false);
    kutil_free(inst->store->alloc, funcs);
    return err;
}

void kjit_tier_up(kint_thread *th, kint_instance *ki, kint_code *code)
{
    kite_error_t *err = kjit_compile(ki, &code->func_index, 1, th, true);
    if (err)
        kite_error_free(err);
}
