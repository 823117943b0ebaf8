/*
 * Which frame slots are live where control enters a basic block: a
 * backward dataflow over the function's blocks, one bit per slot. The code
 * generator stores a dirty temporary at a block boundary only when its
 * slot is live there, so intermediate values that die inside the block
 * (most of them) never reach memory.
 *
 * Reads and writes come from the layout table: fields of kind IN/IN2/
 * IN_ELEM read, OUT/OUT2 write; a run (IN_RUN, FRAME: call arguments and
 * results) conservatively reads every slot from its start to the end of
 * the frame; a return reads the results.
 */
#include <string.h>

#include "jit/codegen.h"
#include "util/alloc.h"

/* Beyond this many bits over all blocks, liveness is not computed (every
 * slot counts as live: correct, only slower code). */
#define LIVE_MAX_WORDS (UINT64_C(1) << 22)

static void set_bit(uint64_t *s, uint32_t i) { s[i >> 6] |= UINT64_C(1) << (i & 63); }
static void clear_bit(uint64_t *s, uint32_t i) { s[i >> 6] &= ~(UINT64_C(1) << (i & 63)); }

static void set_from(uint64_t *s, uint32_t from, uint32_t n)
{
    for (uint32_t i = from; i < n; i++)
        set_bit(s, i);
}

static bool has_label(kint_op op)
{
    for (const kint_field *f = kint_shapes[kint_ops[op].shape].fields; f->kind != KINT_FK_NONE; f++)
        if (f->kind == KINT_FK_LABEL)
            return true;
    return op == KINT_OP_BR_TABLE;
}

/* live = (live - writes(instr)) | reads(instr): one instruction backward. */
static void transfer(const kjit_cg *cg, uint32_t pos, uint64_t *live)
{
    kint_op op = cg->ops[pos];
    const kint_word *w = cg->w + pos;
    const kint_field *fields = kint_shapes[kint_ops[op].shape].fields;
    for (const kint_field *f = fields; f->kind != KINT_FK_NONE; f++) {
        uint32_t s = (uint32_t)kint_layout_get(w, f);
        if (f->kind == KINT_FK_OUT && s < cg->nslots)
            clear_bit(live, s);
        else if (f->kind == KINT_FK_OUT2 && s + 1 < cg->nslots) {
            clear_bit(live, s);
            clear_bit(live, s + 1);
        }
    }
    for (const kint_field *f = fields; f->kind != KINT_FK_NONE; f++) {
        uint32_t s = (uint32_t)kint_layout_get(w, f);
        switch (f->kind) {
        case KINT_FK_IN:
            if (s < cg->nslots)
                set_bit(live, s);
            break;
        case KINT_FK_IN2:
        case KINT_FK_IN_ELEM:
            if (s + 1 < cg->nslots) {
                set_bit(live, s);
                set_bit(live, s + 1);
            }
            break;
        case KINT_FK_IN_RUN:
        case KINT_FK_FRAME: set_from(live, s, cg->nslots); break;
        default: break;
        }
    }
    if (op == KINT_OP_RET)
        set_from(live, 0, cg->nresult_slots < cg->nslots ? cg->nresult_slots : cg->nslots);
}

bool kjit_live_compute(kjit_cg *cg)
{
    kjit_live *lv = &cg->live;
    memset(lv, 0, sizeof(*lv));
    lv->alloc = cg->m->alloc;
    uint32_t n = cg->nwords;
    lv->words = (cg->nslots + 63) / 64;
    lv->block_of = kutil_malloc(lv->alloc, ((size_t)n + 1) * sizeof(uint32_t));
    uint32_t *starts = kutil_malloc(lv->alloc, ((size_t)n + 1) * sizeof(uint32_t));
    if (!lv->block_of || !starts) {
        kutil_free(lv->alloc, starts);
        kjit_live_free(lv);
        return false;
    }
    /* blocks: instruction starts that are targets, or follow a branch */
    uint32_t ninstr = 0, nblocks = 0;
    bool after_branch = true;
    for (uint32_t pos = 0; pos < n; pos++) {
        kint_op op = cg->ops[pos];
        if (op == KINT_OP_COUNT)
            continue;
        if (after_branch || cg->labels[pos] != KJIT_NONE)
            nblocks++;
        lv->block_of[pos] = nblocks - 1;
        starts[ninstr++] = pos;
        after_branch = has_label(op) || kjit_unconditional(op);
    }
    lv->nblocks = nblocks;
    if ((uint64_t)nblocks * lv->words > LIVE_MAX_WORDS) {
        kutil_free(lv->alloc, starts);
        kjit_live_free(lv);
        return false;
    }
    uint32_t *first = kutil_malloc(lv->alloc, ((size_t)nblocks + 1) * sizeof(uint32_t));
    lv->live_in = kutil_calloc(lv->alloc, (size_t)nblocks * lv->words + 1, sizeof(uint64_t));
    uint64_t *live = kutil_malloc(lv->alloc, ((size_t)lv->words + 1) * sizeof(uint64_t));
    if (!first || !lv->live_in || !live) {
        kutil_free(lv->alloc, first);
        kutil_free(lv->alloc, live);
        kutil_free(lv->alloc, starts);
        kjit_live_free(lv);
        return false;
    }
    for (uint32_t i = 0, b = 0; i < ninstr; i++)
        if (i == 0 || lv->block_of[starts[i]] != lv->block_of[starts[i - 1]])
            first[b++] = i;
    first[nblocks] = ninstr;
    bool changed = true;
    while (changed) {
        changed = false;
        for (uint32_t b = nblocks; b-- > 0;) {
            /* live out: the union of the successors' live in */
            memset(live, 0, (size_t)lv->words * sizeof(uint64_t));
            uint32_t last = starts[first[b + 1] - 1];
            kint_op op = cg->ops[last];
            const kint_word *w = cg->w + last;
            for (const kint_field *f = kint_shapes[kint_ops[op].shape].fields; f->kind != KINT_FK_NONE; f++) {
                if (f->kind != KINT_FK_LABEL)
                    continue;
                uint32_t t = (uint32_t)((int32_t)last + (int32_t)kint_layout_get(w, f));
                const uint64_t *in = lv->live_in + (size_t)lv->block_of[t] * lv->words;
                for (uint32_t k = 0; k < lv->words; k++)
                    live[k] |= in[k];
            }
            if (op == KINT_OP_BR_TABLE) {
                uint32_t nt = (uint32_t)(w[1] >> 32);
                for (uint32_t i = 0; i <= nt; i++) {
                    uint32_t t = (uint32_t)((int32_t)last + KINT_BR_TABLE_LABEL(w, i));
                    const uint64_t *in = lv->live_in + (size_t)lv->block_of[t] * lv->words;
                    for (uint32_t k = 0; k < lv->words; k++)
                        live[k] |= in[k];
                }
            }
            if (!kjit_unconditional(op) && b + 1 < nblocks) {
                const uint64_t *in = lv->live_in + (size_t)(b + 1) * lv->words;
                for (uint32_t k = 0; k < lv->words; k++)
                    live[k] |= in[k];
            }
            for (uint32_t i = first[b + 1]; i-- > first[b];)
                transfer(cg, starts[i], live);
            uint64_t *in = lv->live_in + (size_t)b * lv->words;
            if (memcmp(in, live, (size_t)lv->words * sizeof(uint64_t)) != 0) {
                memcpy(in, live, (size_t)lv->words * sizeof(uint64_t));
                changed = true;
            }
        }
    }
    kutil_free(lv->alloc, first);
    kutil_free(lv->alloc, live);
    kutil_free(lv->alloc, starts);
    lv->valid = true;
    return true;
}

void kjit_live_free(kjit_live *lv)
{
    kutil_free(lv->alloc, lv->block_of);
    kutil_free(lv->alloc, lv->live_in);
    *lv = (kjit_live){.alloc = lv->alloc};
}

bool kjit_live_at(const kjit_cg *cg, uint32_t pos, uint32_t slot)
{
    const kjit_live *lv = &cg->live;
    if (!lv->valid || pos >= cg->nwords || slot >= cg->nslots)
        return true;
    const uint64_t *in = lv->live_in + (size_t)lv->block_of[pos] * lv->words;
    return (in[slot >> 6] >> (slot & 63)) & 1u;
}
