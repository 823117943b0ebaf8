/*
 * The disassembler: a translated function as text, for people. It knows no
 * op: every instruction is printed from the layout definition (layout.h),
 * its name and each field by name, formatted by the field's kind. Only
 * br_table's variable tail is spelled out here, as layout.h defines it.
 */
#include "interp/disasm.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "binary/reader.h"
#include "runtime/engine.h"
#include "util/error.h"

typedef struct out {
    kite_write_fn *write;
    void *ud;
} out;

static void KITE_PRINTF(2, 3) put(const out *o, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->write(o->ud, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

static const char *heap_name(uint32_t heap)
{
    switch (heap) {
    case KIR_HEAP_EXN: return "exn";
    case KIR_HEAP_ARRAY: return "array";
    case KIR_HEAP_STRUCT: return "struct";
    case KIR_HEAP_I31: return "i31";
    case KIR_HEAP_EQ: return "eq";
    case KIR_HEAP_ANY: return "any";
    case KIR_HEAP_EXTERN: return "extern";
    case KIR_HEAP_FUNC: return "func";
    case KIR_HEAP_NONE: return "none";
    case KIR_HEAP_NOEXTERN: return "noextern";
    case KIR_HEAP_NOFUNC: return "nofunc";
    case KIR_HEAP_NOEXN: return "noexn";
    default: return "?";
    }
}

/* One field's value, by its kind. */
static void put_field(const out *o, const kint_field *f, uint64_t v, uint32_t pos,
                      _Atomic(kint_code *) *cells)
{
    put(o, " %s=", f->name);
    switch ((kint_fkind)f->kind) {
    case KINT_FK_IN:
    case KINT_FK_IN2:
    case KINT_FK_IN_ELEM:
    case KINT_FK_IN_RUN:
    case KINT_FK_FRAME:
    case KINT_FK_OUT:
    case KINT_FK_OUT2: put(o, "s%" PRIu64, v); break;
    case KINT_FK_IMM:
        if (v < 0x80000000u)
            put(o, "%" PRIu64, v);
        else
            put(o, "0x%" PRIx64, v);
        break;
    case KINT_FK_IMM_I32:
    case KINT_FK_IMM_S64: put(o, "%" PRId32, (int32_t)(uint32_t)v); break;
    case KINT_FK_IMM64:
        if (v <= UINT32_MAX)
            put(o, "%" PRIu64, v);
        else
            put(o, "0x%" PRIx64, v);
        break;
    case KINT_FK_LANES:
        for (unsigned i = 0; i < 8; i++)
            put(o, "%s%u", i ? "," : "", (unsigned)(v >> (8 * i)) & 0xff);
        break;
    case KINT_FK_LABEL: put(o, "@%" PRIu32, pos + (uint32_t)v); break;
    case KINT_FK_TRAP: put(o, "\"%s\"", krt_trap_kind_message((kite_trap_kind_t)v)); break;
    case KINT_FK_CELL: {
        _Atomic(kint_code *) *cell = (_Atomic(kint_code *) *)(uintptr_t)v;
        put(o, "func#%" PRIuPTR, (uintptr_t)(cell - cells));
        break;
    }
    case KINT_FK_CAST: {
        uint32_t heap = (uint32_t)v & KINT_CAST_HEAP;
        const char *null = v & KINT_CAST_NULLABLE ? "null " : "";
        if (v & KINT_CAST_CONCRETE)
            put(o, "(ref %scanon#%" PRIu32 ")", null, heap);
        else
            put(o, "(ref %s%s)", null, heap_name(heap));
        break;
    }
    case KINT_FK_FUEL: put(o, "%" PRIu64, v); break;
    default: {
        /* An index: its space's name in lower case. */
        char kind[16];
        size_t i = 0;
        for (const char *p = kint_fkind_names[f->kind]; *p && i + 1 < sizeof kind; p++)
            kind[i++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
        kind[i] = 0;
        put(o, "%s#%" PRIu64, kind, v);
        break;
    }
    }
}

/* The function's names: its name-section name and export names. */
static void put_names(const out *o, const kir_module *m, uint32_t funcidx)
{
    if (m->func_names && m->func_names[funcidx].ptr)
        put(o, " $%s", m->func_names[funcidx].ptr);
    for (uint32_t i = 0; i < m->nexports; i++) {
        const kir_export *ex = &m->exports[i];
        if (ex->kind == KIR_EXTERN_FUNC && ex->index == funcidx)
            put(o, " (export \"%s\")", ex->name.ptr);
    }
}

bool kint_disasm_code(const kir_module *m, const kint_code *c, _Atomic(kint_code *) *cells,
                      kite_write_fn *write, void *ud)
{
    out o = {write, ud};
    put(&o, "func %" PRIu32, c->func_index);
    put_names(&o, m, c->func_index);
    put(&o, ": %" PRIu32 " param slots, %" PRIu32 " local slots, %" PRIu32 " constants, frame %" PRIu32
            " slots, %" PRIu32 " words\n",
        c->param_slots, c->local_slots, c->nconsts, c->frame_slots, c->nwords);
    for (uint32_t i = 0; i < c->nconsts; i++)
        put(&o, "  const s%" PRIu32 " = 0x%" PRIx64 "\n", c->param_slots + c->local_slots + i, c->consts[i]);
    uint32_t pos = 0, k = 0;
    bool ok = true;
    while (pos < c->nwords) {
        const kint_word *w = c->code + pos;
        /* Instructions are where the position map says they start. */
        if (k >= c->npcmap || c->pcmap[k].pos != pos || *w >= KINT_OP_COUNT) {
            put(&o, "  %6" PRIu32 "  ? (no instruction starts here)\n", pos);
            ok = false;
            break;
        }
        const kint_op_info *info = &kint_ops[*w];
        const kint_shape_info *s = &kint_shapes[info->shape];
        put(&o, "  %6" PRIu32 "  0x%-5" PRIx32 " %-*s", pos, c->pcmap[k].offset, s->nfields ? 22 : 0, info->name);
        for (const kint_field *f = s->fields; f->kind != KINT_FK_NONE; f++)
            put_field(&o, f, kint_layout_get(w, f), pos, cells);
        uint32_t size = info->size;
        if (*w == KINT_OP_BR_TABLE) {
            uint32_t n = KINT_OPND(w, BR_TABLE, n);
            size += KINT_BR_TABLE_TAIL_WORDS(n);
            if (pos + size > c->nwords) {
                put(&o, " (table past the end)\n");
                ok = false;
                break;
            }
            put(&o, " labels=");
            for (uint32_t i = 0; i <= n; i++)
                put(&o, "%s@%" PRIu32, i == n ? " default=" : i ? "," : "", pos + (uint32_t)KINT_BR_TABLE_LABEL(w, i));
        }
        put(&o, "\n");
        pos += size;
        k++;
    }
    for (uint32_t i = 0; i < c->nhandlers; i++) {
        const kint_handler *h = &c->handlers[i];
        put(&o, "  try [%" PRIu32 ", %" PRIu32 ")", h->start, h->end);
        if (h->delegate != UINT32_MAX)
            put(&o, " delegate to try %" PRIu32, h->delegate);
        for (uint32_t j = 0; j < h->count; j++) {
            const kint_catch *x = &c->catches[h->first + j];
            bool all = x->kind == KDEC_CATCH_ALL || x->kind == KDEC_CATCH_ALL_REF;
            put(&o, all ? " catch_all" : " catch tag#%" PRIu32, x->tag);
            put(&o, " -> @%" PRIu32 " (payload s%" PRIu32, x->target, x->dst);
            if (x->ref_slot != UINT32_MAX)
                put(&o, ", exnref s%" PRIu32, x->ref_slot);
            put(&o, ")");
        }
        put(&o, "\n");
    }
    return ok;
}

kite_error_t *kint_disassemble(const kite_module_t *module, uint32_t funcidx,
                               const struct kgc_rtt *const *rtts, kite_write_fn *write, void *ud)
{
    const kir_module *m = module->ir;
    const kite_allocator_t *alloc = &module->engine->config.alloc;
    if (funcidx != UINT32_MAX && (funcidx >= m->nfuncs || funcidx < m->nfunc_imports))
        return kutil_error_new(alloc, KITE_ERROR_ARGUMENT, "function %" PRIu32 " is %s", funcidx,
                               funcidx < m->nfunc_imports ? "imported (it has no code)" : "out of range");
    for (uint32_t f = m->nfunc_imports; f < m->nfuncs; f++) {
        if (funcidx != UINT32_MAX && f != funcidx)
            continue;
        kint_code *c = kint_translate(module, f, KINT_VARIANT_GUARDED, module->code, rtts, NULL, NULL);
        if (!c)
            return kutil_error_oom();
        if (funcidx == UINT32_MAX && f > m->nfunc_imports)
            write(ud, "\n", 1);
        /* Code that does not follow its layout shows as such in the text. */
        (void)kint_disasm_code(m, c, module->code, write, ud);
        kint_code_free(alloc, c);
    }
    return NULL;
}
