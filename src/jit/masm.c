/*
 * The macro-assembler's target-independent part: the growing buffer, labels
 * and the references waiting for them. The backend encodes instructions and
 * patches references (kjit_backend_patch).
 */
#include "jit/masm.h"

#include <string.h>

#include "util/alloc.h"

#define NO_FIXUP UINT32_MAX

void kjit_masm_init(kjit_masm *m, uint32_t cpu, const kite_allocator_t *alloc)
{
    memset(m, 0, sizeof(*m));
    m->cpu = cpu;
    m->alloc = alloc;
}

void kjit_masm_free(kjit_masm *m)
{
    kutil_free(m->alloc, m->buf);
    kutil_free(m->alloc, m->labels);
    kutil_free(m->alloc, m->fixups);
    *m = (kjit_masm){.alloc = m->alloc};
}

void kjit_masm_reset(kjit_masm *m)
{
    m->len = 0;
    m->oom = false;
    m->nlabels = 0;
    m->nfixups = 0;
    m->unresolved = 0;
}

bool kjit_masm_finish(kjit_masm *m) { return !m->oom && m->unresolved == 0; }

/* Makes room for n more bytes; false (and oom) when that fails. */
static bool reserve(kjit_masm *m, size_t n)
{
    if (m->oom)
        return false;
    if (m->len + n <= m->cap)
        return true;
    size_t cap = m->cap ? m->cap : 4096;
    while (cap < m->len + n) {
        if (cap > SIZE_MAX / 2 || cap >= (size_t)1 << 31) {
            m->oom = true; /* code offsets are 32-bit */
            return false;
        }
        cap *= 2;
    }
    uint8_t *p = kutil_realloc(m->alloc, m->buf, cap);
    if (!p) {
        m->oom = true;
        return false;
    }
    m->buf = p;
    m->cap = cap;
    return true;
}

void kjit_emit_bytes(kjit_masm *m, const void *bytes, size_t n)
{
    if (!reserve(m, n))
        return;
    memcpy(m->buf + m->len, bytes, n);
    m->len += n;
}

void kjit_emit_u8(kjit_masm *m, uint8_t v)
{
    if (!reserve(m, 1))
        return;
    m->buf[m->len++] = v;
}

void kjit_emit_u32(kjit_masm *m, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    kjit_emit_bytes(m, b, 4);
}

void kjit_emit_u64(kjit_masm *m, uint64_t v)
{
    kjit_emit_u32(m, (uint32_t)v);
    kjit_emit_u32(m, (uint32_t)(v >> 32));
}

kjit_label kjit_label_new(kjit_masm *m)
{
    if (m->nlabels == m->labelcap) {
        uint32_t cap = m->labelcap ? m->labelcap * 2 : 64;
        kjit_label_rec *p = cap > m->labelcap ? kutil_realloc(m->alloc, m->labels, (size_t)cap * sizeof(*p)) : NULL;
        if (!p) {
            m->oom = true;
            return 0;
        }
        m->labels = p;
        m->labelcap = cap;
    }
    m->labels[m->nlabels] = (kjit_label_rec){-1, NO_FIXUP};
    return m->nlabels++;
}

bool kjit_label_bound(const kjit_masm *m, kjit_label l)
{
    return l < m->nlabels && m->labels[l].pos >= 0;
}

uint32_t kjit_label_pos(const kjit_masm *m, kjit_label l)
{
    return kjit_label_bound(m, l) ? (uint32_t)m->labels[l].pos : 0;
}

void kjit_bind(kjit_masm *m, kjit_label l)
{
    if (m->oom || l >= m->nlabels)
        return;
    kjit_label_rec *r = &m->labels[l];
    r->pos = (int64_t)m->len;
    for (uint32_t i = r->fixups; i != NO_FIXUP; i = m->fixups[i].next) {
        kjit_backend_patch(m, &m->fixups[i], (uint32_t)m->len);
        m->unresolved--;
    }
    r->fixups = NO_FIXUP;
}

void kjit_label_use(kjit_masm *m, kjit_label l, uint32_t at, uint32_t base, uint8_t kind)
{
    if (m->oom || l >= m->nlabels)
        return;
    kjit_fixup f = {at, base, NO_FIXUP, kind};
    kjit_label_rec *r = &m->labels[l];
    if (r->pos >= 0) {
        kjit_backend_patch(m, &f, (uint32_t)r->pos);
        return;
    }
    if (m->nfixups == m->fixupcap) {
        uint32_t cap = m->fixupcap ? m->fixupcap * 2 : 64;
        kjit_fixup *p = cap > m->fixupcap ? kutil_realloc(m->alloc, m->fixups, (size_t)cap * sizeof(*p)) : NULL;
        if (!p) {
            m->oom = true;
            return;
        }
        m->fixups = p;
        m->fixupcap = cap;
    }
    f.next = r->fixups;
    m->fixups[m->nfixups] = f;
    r->fixups = m->nfixups++;
    m->unresolved++;
}

kjit_cond kjit_cond_negate(kjit_cond c)
{
    static const kjit_cond neg[KJIT_COND_COUNT] = {
        [KJIT_EQ] = KJIT_NE,     [KJIT_NE] = KJIT_EQ,     [KJIT_LT_S] = KJIT_GE_S,
        [KJIT_LE_S] = KJIT_GT_S, [KJIT_GT_S] = KJIT_LE_S, [KJIT_GE_S] = KJIT_LT_S,
        [KJIT_LT_U] = KJIT_GE_U, [KJIT_LE_U] = KJIT_GT_U, [KJIT_GT_U] = KJIT_LE_U,
        [KJIT_GE_U] = KJIT_LT_U,
    };
    return neg[c];
}
