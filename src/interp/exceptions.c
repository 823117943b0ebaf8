/*
 * Finding the handler for an exception in one function's handler table
 * (see kint_handler in code.h). The executor calls it frame by frame while
 * unwinding.
 */
#include "interp/interp.h"
#include "binary/reader.h"

static bool clause_matches(const kint_catch *k, const krt_exn *exn, const krt_instance *inst)
{
    if (k->kind == KDEC_CATCH_ALL || k->kind == KDEC_CATCH_ALL_REF)
        return true;
    /* Tags are compared as instances: the same tag imported twice matches. */
    return inst->tags[k->tag] == exn->tag;
}

const kint_catch *kint_find_catch(const kint_code *code, uint32_t pos, const krt_exn *exn,
                                  const krt_instance *inst)
{
    uint32_t i = 0;
    while (i < code->nhandlers) {
        const kint_handler *h = &code->handlers[i];
        if (pos < h->start || pos >= h->end) {
            i++;
            continue;
        }
        if (h->delegate != UINT32_MAX) {
            /* Rethrown at the delegate's target: later entries only. */
            i = h->delegate > i ? h->delegate : i + 1;
            continue;
        }
        for (uint32_t k = 0; k < h->count; k++) {
            const kint_catch *c = &code->catches[h->first + k];
            if (clause_matches(c, exn, inst))
                return c;
        }
        i++;
    }
    return NULL;
}
