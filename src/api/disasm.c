/* kite.h's debugging aid: the interpreter's translated code as text. */
#include <string.h>

#include "gc/gc.h"
#include "interp/disasm.h"
#include "runtime/engine.h"
#include "util/alloc.h"
#include "util/error.h"

kite_error_t *kite_module_disassemble(const kite_module_t *module, uint32_t func_index,
                                      kite_write_fn *write, void *ud)
{
    /* GC instructions take field offsets from the types' layouts, which
     * belong to a store's heap: a store of its own, for the time of it. */
    const kir_module *m = module->ir;
    const kite_allocator_t *alloc = &module->engine->config.alloc;
    kite_store_t *store = kite_store_new(module->engine);
    const kgc_rtt **rtts = kutil_calloc(alloc, m->ntypes ? m->ntypes : 1, sizeof(*rtts));
    bool ok = store && rtts;
    for (uint32_t i = 0; ok && i < m->ntypes; i++)
        if (m->types[i].comp != KIR_COMP_FUNC && !(rtts[i] = kgc_rtt_get(store->gc, m->canon[i])))
            ok = false;
    kite_error_t *err = ok ? kint_disassemble(module, func_index, rtts, write, ud) : kutil_error_oom();
    kutil_free(alloc, rtts);
    kite_store_free(store);
    return err;
}

bool kite_module_func_index(const kite_module_t *module, const char *name, size_t len, uint32_t *index)
{
    const kir_module *m = module->ir;
    for (uint32_t i = 0; i < m->nexports; i++) {
        const kir_export *ex = &m->exports[i];
        if (ex->kind == KIR_EXTERN_FUNC && ex->name.len == len && memcmp(ex->name.ptr, name, len) == 0) {
            *index = ex->index;
            return true;
        }
    }
    for (uint32_t i = 0; m->func_names && i < m->nfuncs; i++) {
        const kir_name *n = &m->func_names[i];
        if (n->ptr && n->len == len && memcmp(n->ptr, name, len) == 0) {
            *index = i;
            return true;
        }
    }
    return false;
}
