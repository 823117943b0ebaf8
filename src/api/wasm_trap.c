/*
 * wasm.h traps and frames. A trap handle shares a counted record holding
 * the kite trap; frames are copies of the kite trap's frames with a handle
 * of their instance inside.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api/wasm_internal.h"
#include "util/alloc.h"

/* What every trap handle gets when memory runs out: one static handle on a
 * static record around kite's static out-of-memory trap, never freed. */
static kapi_trap g_oom_record = {1, {NULL, NULL}, NULL, NULL, NULL, NULL};
static struct wasm_trap_t g_oom_handle = {{KAPI_TRAP, NULL, {.trap = &g_oom_record}}};

static wasm_trap_t *oom_trap(void) { return &g_oom_handle; }

bool kapi_trap_is_static(const kapi_ref *r) { return r->of.trap == &g_oom_record; }
bool kapi_trap_handle_is_static(const kapi_ref *r) { return r == &g_oom_handle.r; }

void kapi_trap_retain(kapi_trap *t)
{
    if (t != &g_oom_record)
        t->refs++;
}

void kapi_trap_release(kapi_trap *t)
{
    if (t == &g_oom_record || --t->refs)
        return;
    if (t->finalizer)
        t->finalizer(t->host_info);
    kite_trap_free(t->trap);
    kite_allocator_t alloc = t->alloc;
    kutil_free(&alloc, t);
}

wasm_trap_t *kapi_trap_wrap(wasm_store_t *store, kite_trap_t *trap)
{
    kapi_trap *t = kutil_calloc(&store->alloc, 1, sizeof(*t));
    if (t)
        t->alloc = store->alloc;
    kapi_ref *r = t ? kapi_ref_new(store, KAPI_TRAP, t) : NULL;
    if (!r) {
        kutil_free(&store->alloc, t);
        kite_trap_free(trap);
        return oom_trap();
    }
    t->refs = 1;
    t->trap = trap;
    t->store = store;
    return (wasm_trap_t *)(void *)r;
}

wasm_trap_t *kapi_trap_printf(wasm_store_t *store, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return kapi_trap_wrap(store, kite_trap_new(store->store, msg));
}

wasm_trap_t *kapi_trap_from_error(wasm_store_t *store, kite_error_t *err)
{
    wasm_trap_t *t = kapi_trap_printf(store, "%s", kite_error_message(err));
    kite_error_free(err);
    return t;
}

kite_trap_t *kapi_trap_take(wasm_store_t *store, wasm_trap_t *trap)
{
    kapi_trap *t = trap->r.of.trap;
    kite_trap_t *k;
    if (t != &g_oom_record && t->refs == 1) {
        k = t->trap;
        t->trap = NULL;
    } else {
        k = kite_trap_new(store->store, t->trap ? kite_trap_message(t->trap) : "out of memory");
    }
    wasm_trap_delete(trap);
    return k;
}

/* The message of a trap record ("out of memory" for the static one). */
static const char *message_of(const kapi_trap *t)
{
    return t->trap ? kite_trap_message(t->trap) : "out of memory";
}

/* ---- the API -------------------------------------------------------------------------------- */

/* The message may or may not count a terminating NUL; it is copied up to
 * the first NUL. */
wasm_trap_t *wasm_trap_new(wasm_store_t *store, const wasm_message_t *message)
{
    size_t n = message && message->data ? strnlen(message->data, message->size) : 0;
    char *copy = kapi_alloc(n + 1);
    if (!copy)
        return oom_trap();
    if (n)
        memcpy(copy, message->data, n);
    copy[n] = '\0';
    wasm_trap_t *t = kapi_trap_wrap(store, kite_trap_new(store->store, copy));
    kapi_free(copy);
    return t;
}

void wasm_trap_message(const wasm_trap_t *trap, wasm_message_t *out)
{
    wasm_name_new_from_string_nt(out, message_of(trap->r.of.trap));
}

/* Frame `index` of the trap, NULL when out of memory. */
static wasm_frame_t *frame_at(const kapi_trap *t, size_t index)
{
    wasm_frame_t *f = kapi_calloc(1, sizeof(*f));
    if (!f)
        return NULL;
    kite_frame_t k = kite_trap_frame(t->trap, index);
    if (k.instance) {
        f->instance.kind = KAPI_INSTANCE;
        f->instance.store = t->store;
        f->instance.of.instance = (kite_instance_t *)k.instance;
    }
    f->func_index = k.func_index;
    f->func_offset = (size_t)k.func_offset;
    f->module_offset = (size_t)k.code_offset;
    return f;
}

wasm_frame_t *wasm_trap_origin(const wasm_trap_t *trap)
{
    const kapi_trap *t = trap->r.of.trap;
    return t->trap && kite_trap_frame_count(t->trap) ? frame_at(t, 0) : NULL;
}

void wasm_trap_trace(const wasm_trap_t *trap, wasm_frame_vec_t *out)
{
    const kapi_trap *t = trap->r.of.trap;
    size_t n = t->trap ? kite_trap_frame_count(t->trap) : 0;
    wasm_frame_vec_new_uninitialized(out, n);
    for (size_t i = 0; i < out->size; i++) {
        out->data[i] = frame_at(t, i);
        if (!out->data[i]) {
            wasm_frame_vec_delete(out);
            return;
        }
    }
}

/* ---- frames --------------------------------------------------------------------------------- */

void wasm_frame_delete(wasm_frame_t *frame) { kapi_free(frame); }

wasm_frame_t *wasm_frame_copy(const wasm_frame_t *frame)
{
    wasm_frame_t *f = kapi_alloc(sizeof(*f));
    if (f)
        *f = *frame;
    return f;
}

wasm_instance_t *wasm_frame_instance(const wasm_frame_t *frame)
{
    return frame->instance.kind ? (wasm_instance_t *)(void *)&frame->instance : NULL;
}

uint32_t wasm_frame_func_index(const wasm_frame_t *frame) { return frame->func_index; }
size_t wasm_frame_func_offset(const wasm_frame_t *frame) { return frame->func_offset; }
size_t wasm_frame_module_offset(const wasm_frame_t *frame) { return frame->module_offset; }
