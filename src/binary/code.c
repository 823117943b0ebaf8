/*
 * Code in the decoder: the code section (function bodies) and constant
 * expressions. Instructions are kept in their binary encoding and checked by
 * the validator; the decoder only needs to know where code ends.
 */
#include "binary/internal.h"
#include "util/error.h"

static bool opens_block(kir_op op)
{
    kir_imm imm = kir_opinfo_table[op].imm;
    return imm == KIR_IMM_BLOCK || imm == KIR_IMM_TRY_TABLE;
}

/*
 * Block structure is tracked with a depth counter only (no stack), so deep
 * nesting costs nothing. `else`, the legacy `catch`/`catch_all` and
 * `delegate` only make sense inside a block; at depth 0 the spec's decoder
 * stops the instruction sequence there and then wants an `end`.
 */
bool kdec_skip_code(kdec_reader *r)
{
    uint64_t depth = 0;
    kdec_instr in;
    for (;;) {
        if (!kdec_instr_read(r, &in))
            return false;
        if (opens_block(in.op)) {
            depth++;
            continue;
        }
        switch (in.op) {
        case KIR_OP_END:
            if (depth == 0)
                return true;
            depth--;
            break;
        case KIR_OP_DELEGATE:
            if (depth == 0)
                return kdec_fail_at(r, in.offset, "END opcode expected");
            depth--;
            break;
        case KIR_OP_ELSE:
        case KIR_OP_CATCH:
        case KIR_OP_CATCH_ALL:
            if (depth == 0)
                return kdec_fail_at(r, in.offset, "END opcode expected");
            break;
        default:
            break;
        }
    }
}

bool kdec_const_expr(kdec_state *d, kir_expr *out)
{
    kdec_reader *r = &d->r;
    const uint8_t *start = r->p;
    if (!kdec_skip_code(r))
        return false;
    out->code = start;
    out->len = (uint32_t)(r->p - start);
    out->offset = (uint32_t)(start - r->start);
    return true;
}

/*
 * locals ::= vec(n:u32 t:valtype). The total may not exceed KDEC_MAX_LOCALS
 * (the spec's own bound, 2^32 - 1, is far above it); it is summed in 64 bits
 * so that it cannot wrap. `f` is NULL for surplus bodies (reported later
 * as a function/code count mismatch), whose locals are read but not kept.
 */
static bool locals(kdec_state *d, kir_func *f)
{
    kdec_reader *r = &d->r;
    uint64_t at = kdec_offset(r);
    uint32_t ngroups;
    if (!kdec_count(r, &ngroups))
        return false;
    kir_local_group *groups = NULL;
    if (f && ngroups) {
        groups = kutil_arena_array(&d->m->arena, ngroups, sizeof(kir_local_group));
        if (!groups)
            return kdec_oom(r);
    }
    uint64_t total = 0;
    for (uint32_t i = 0; i < ngroups; i++) {
        uint32_t count;
        kir_valtype type;
        if (!kdec_u32(r, &count) || !kdec_valtype(r, &type))
            return false;
        total += count;
        if (groups)
            groups[i] = (kir_local_group){count, type};
    }
    if (total > KDEC_MAX_LOCALS)
        return kdec_fail_at(r, at, "too many locals");
    if (f) {
        f->nlocal_groups = ngroups;
        f->local_groups = groups;
        f->nlocals = (uint32_t)total;
    }
    return true;
}

/*
 * code ::= size:u32 locals instructions, where the instructions end with the
 * `end` closing the body. A body whose last byte is 0x0B is taken as it is
 * (the validator reads it instruction by instruction). Otherwise the
 * instructions are walked on past the body, as the spec's decoder reads
 * them, to report what it reports: the end of the module ("unexpected end of
 * section or function"), a misplaced `else` ("END opcode expected"), an
 * illegal opcode, or an `end` found outside the body ("section size
 * mismatch").
 */
static bool code_entry(kdec_state *d, kir_func *f)
{
    kdec_reader *r = &d->r;
    uint32_t size;
    if (!kdec_count(r, &size))
        return false;
    const uint8_t *start = r->p, *end = r->p + size;
    if (!locals(d, f))
        return false;
    const uint8_t *code = r->p;
    if (!(code < end && end[-1] == 0x0B)) {
        if (!kdec_skip_code(r))
            return false;
        if (r->p != end)
            return kdec_fail_at(r, (uint64_t)(start - r->start), "section size mismatch");
    }
    r->p = end;
    if (f) {
        f->body.code = code;
        f->body.len = (uint32_t)(end - code);
        f->body.offset = (uint32_t)(code - r->start);
        f->entry_offset = (uint32_t)(start - r->start);
    }
    return true;
}

bool kdec_code_section(kdec_state *d)
{
    kdec_reader *r = &d->r;
    kir_module *m = d->m;
    if (!kdec_count(r, &d->ncode))
        return false;
    for (uint32_t i = 0; i < d->ncode; i++) {
        kir_func *f = i < d->nfunc_decls ? &m->funcs[m->nfunc_imports + i] : NULL;
        if (!code_entry(d, f))
            return false;
    }
    return true;
}
