/*
 * Traps: kind, message, Wasm backtrace, and for uncaught exceptions the
 * exception itself.
 *
 * When memory runs out while making a trap, the runtime still has to report
 * something: krt_trap_oom() is one static trap that every API function
 * accepts and kite_trap_free ignores, and that never records frames (it may
 * be shared by threads).
 */
#include <string.h>

#include "runtime/objects.h"
#include "util/alloc.h"

static const char *const g_trap_messages[KITE_TRAP_KIND_COUNT] = {
#define KITE_TRAP(id, message) [KITE_TRAP_##id] = message,
#include "kite_traps.def"
#undef KITE_TRAP
};

/* Immutable: shared by every thread and store, never freed. */
static kite_trap_t g_oom_trap = {.kind = KITE_TRAP_OUT_OF_MEMORY,
                                  .message = (char *)"out of memory"};

kite_trap_t *krt_trap_oom(void) { return &g_oom_trap; }

const char *krt_trap_kind_message(kite_trap_kind_t kind)
{
    return (unsigned)kind < KITE_TRAP_KIND_COUNT ? g_trap_messages[kind] : "unknown trap";
}

/* A trap and its message in one block. */
static kite_trap_t *trap_with_message(const kite_allocator_t *a, kite_trap_kind_t kind,
                                      const char *message)
{
    size_t n = strlen(message);
    kite_trap_t *t = kutil_malloc(a, sizeof(*t) + n + 1);
    if (!t)
        return NULL;
    memset(t, 0, sizeof(*t));
    t->kind = kind;
    t->message = (char *)(t + 1);
    memcpy(t->message, message, n + 1);
    t->alloc = *a;
    return t;
}

kite_trap_t *krt_trap_new_message(const kite_allocator_t *a, kite_trap_kind_t kind,
                                  const char *message)
{
    return trap_with_message(a, kind, message);
}

kite_trap_t *krt_trap_new(const kite_allocator_t *a, kite_trap_kind_t kind)
{
    return trap_with_message(a, kind, krt_trap_kind_message(kind));
}

kite_trap_t *kite_trap_new(kite_store_t *store, const char *message)
{
    kite_trap_t *t =
        trap_with_message(store->alloc, KITE_TRAP_HOST, message ? message : "host trap");
    return t ? t : krt_trap_oom();
}

/* Frames grow by doubling; the capacity is implied by the count (powers of
 * two), as with the module's arrays. A frame that cannot be recorded for
 * lack of memory is left out: the trap itself matters more. */
void krt_trap_add_frame(kite_trap_t *trap, const krt_instance *instance, uint32_t func_index,
                        uint64_t code_offset)
{
    if (!trap || trap == &g_oom_trap)
        return;
    size_t n = trap->nframes;
    if ((n & (n - 1)) == 0) {
        size_t cap = n ? n * 2 : 1;
        if (cap > SIZE_MAX / sizeof(kite_frame_t))
            return;
        kite_frame_t *fs = kutil_realloc(&trap->alloc, trap->frames, cap * sizeof(kite_frame_t));
        if (!fs)
            return;
        trap->frames = fs;
    }
    kite_frame_t *f = &trap->frames[n];
    memset(f, 0, sizeof(*f));
    f->func_index = func_index;
    f->code_offset = code_offset;
    if (instance) {
        const kir_module *m = instance->m;
        f->instance = instance;
        if (m->func_names && func_index < m->nfuncs)
            f->func_name = m->func_names[func_index].ptr;
        if (m->module_name.len)
            f->module_name = m->module_name.ptr;
        if (m->nsrcpos && code_offset <= UINT32_MAX)
            kir_module_srcpos(m, (uint32_t)code_offset, &f->line, &f->column);
        /* From the start of the function's code entry (its locals), as
         * other engines count, or for text its first instruction. */
        if (func_index < m->nfuncs) {
            const kir_func *fn = &m->funcs[func_index];
            uint32_t start = fn->entry_offset ? fn->entry_offset : fn->body.offset;
            if (code_offset >= start)
                f->func_offset = code_offset - start;
        }
    }
    trap->nframes = n + 1;
}

kite_trap_kind_t kite_trap_kind(const kite_trap_t *trap) { return trap->kind; }
const char *kite_trap_message(const kite_trap_t *trap) { return trap->message; }
size_t kite_trap_frame_count(const kite_trap_t *trap) { return trap->nframes; }

kite_frame_t kite_trap_frame(const kite_trap_t *trap, size_t index)
{
    kite_frame_t none = {0};
    return index < trap->nframes ? trap->frames[index] : none;
}

kite_tag_t *kite_trap_exception_tag(const kite_trap_t *trap)
{
    return trap->exn ? trap->exn->tag : NULL;
}

size_t kite_trap_exception_values(const kite_trap_t *trap, kite_val_t *values, size_t max)
{
    const krt_exn *e = trap->exn;
    if (!e)
        return 0;
    const struct kite_tag *tag = e->tag;
    size_t n = 0;
    uint32_t slot = 0;
    for (uint32_t i = 0; i < tag->nparams && slot < e->nslots; i++) {
        if (n < max)
            values[n] = krt_val_from_slots(tag->params[i], e->slots + slot);
        n++;
        slot += krt_slots(tag->params[i]);
    }
    return n < max ? n : max;
}

kite_ref_t kite_trap_exception_ref(const kite_trap_t *trap)
{
    return trap->exn ? (kite_ref_t)krt_ref_from_obj(trap->exn) : KITE_REF_NULL;
}

/* ---- the exception of a trap ------------------------------------------------------------ */

void krt_trap_hold_exn(kite_trap_t *trap, kite_store_t *store, krt_exn *exn)
{
    if (!trap || trap == &g_oom_trap)
        return;
    trap->exn = exn;
    trap->exn_store = store;
    trap->exn_prev = NULL;
    trap->exn_next = store->roots.traps;
    if (trap->exn_next)
        trap->exn_next->exn_prev = trap;
    store->roots.traps = trap;
}

static void let_go(kite_trap_t *trap)
{
    kite_store_t *s = trap->exn_store;
    if (!s)
        return;
    if (trap->exn_prev)
        trap->exn_prev->exn_next = trap->exn_next;
    else
        s->roots.traps = trap->exn_next;
    if (trap->exn_next)
        trap->exn_next->exn_prev = trap->exn_prev;
    trap->exn = NULL;
    trap->exn_store = NULL;
    trap->exn_prev = trap->exn_next = NULL;
}

krt_exn *krt_trap_take_exn(kite_trap_t *trap, const kite_store_t *store)
{
    if (!trap || trap == &g_oom_trap || !trap->exn || trap->exn_store != store)
        return NULL;
    krt_exn *e = trap->exn;
    kite_trap_free(trap);
    return e;
}

void krt_store_release_traps(kite_store_t *store)
{
    while (store->roots.traps)
        let_go(store->roots.traps);
}

void kite_trap_free(kite_trap_t *trap)
{
    if (!trap || trap == &g_oom_trap)
        return;
    let_go(trap);
    kite_allocator_t a = trap->alloc;
    kutil_free(&a, trap->frames);
    kutil_free(&a, trap);
}
