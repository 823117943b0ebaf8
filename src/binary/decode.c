/*
 * The binary decoder's driver: header, section framing and order, custom
 * sections and the checks that span sections. The section bodies live in
 * sections.c and code.c.
 */
#include "binary/decode.h"

#include <string.h>

#include "binary/internal.h"
#include "util/error.h"

/* ---- shared helpers ---------------------------------------------------------- */

/*
 * UTF-8 as the spec defines it:
 *
 *   00..7F                       one byte
 *   C2..DF 80..BF                two bytes (C0, C1 would be overlong)
 *   E0 A0..BF 80..BF             three bytes, E0 excludes overlong forms,
 *   E1..EC/EE..EF 80..BF 80..BF  ED excludes the surrogates D800..DFFF
 *   ED 80..9F 80..BF
 *   F0 90..BF .. ..              four bytes, F0 excludes overlong forms,
 *   F1..F3 80..BF .. ..          F4 stops at U+10FFFF
 *   F4 80..8F .. ..
 */
bool kdec_utf8_valid(const uint8_t *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint8_t b = s[i];
        if (b < 0x80) {
            i++;
            continue;
        }
        size_t n;
        uint8_t lo = 0x80, hi = 0xBF; /* range of the second byte */
        if (b >= 0xC2 && b <= 0xDF) {
            n = 2;
        } else if (b >= 0xE0 && b <= 0xEF) {
            n = 3;
            if (b == 0xE0)
                lo = 0xA0;
            else if (b == 0xED)
                hi = 0x9F;
        } else if (b >= 0xF0 && b <= 0xF4) {
            n = 4;
            if (b == 0xF0)
                lo = 0x90;
            else if (b == 0xF4)
                hi = 0x8F;
        } else {
            return false;
        }
        if (len - i < n || s[i + 1] < lo || s[i + 1] > hi)
            return false;
        for (size_t k = 2; k < n; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
        i += n;
    }
    return true;
}

bool kdec_name(kdec_reader *r, kir_module *m, kir_name *out)
{
    uint64_t at = kdec_offset(r);
    uint32_t len;
    const uint8_t *bytes;
    if (!kdec_count(r, &len) || !kdec_bytes(r, len, &bytes))
        return false;
    if (!kdec_utf8_valid(bytes, len))
        return kdec_fail_at(r, at, "malformed UTF-8 encoding");
    if (!kir_name_copy(m, out, (const char *)bytes, len))
        return kdec_oom(r);
    return true;
}

/* ---- custom sections ----------------------------------------------------------- */

static bool is_name_section(const void *name, size_t len)
{
    return len == 4 && memcmp(name, "name", 4) == 0;
}

static bool custom_section(kdec_state *d, const uint8_t *content, uint32_t size)
{
    kdec_reader *r = &d->r;
    kir_name name;
    if (!kdec_name(r, d->m, &name))
        return false;
    /* The name must lie inside the section; the spec then fails reading a
     * negative number of bytes, which is running out of input. */
    if (r->p > content + size)
        return kdec_fail_at(r, (uint64_t)(r->end - r->start), "unexpected end of section or function");
    kir_custom *c = KIR_PUSH(d->m, d->m->customs, d->m->ncustoms);
    if (!c)
        return kdec_oom(r);
    c->name = name;
    c->bytes = NULL;
    c->len = (uint32_t)(content + size - r->p);
    if (is_name_section(name.ptr, name.len)) {
        c->bytes = r->p;
        if (!d->names) {
            d->names = c->bytes;
            d->names_len = c->len;
        }
    }
    r->p = content + size;
    return true;
}

/* ---- the name section ------------------------------------------------------------ */

/* namemap ::= vec(idx name): function names. */
static bool function_names(kdec_reader *r, kir_module *m)
{
    uint32_t n;
    if (!kdec_count(r, &n))
        return false;
    if (n && !m->func_names && m->nfuncs) {
        m->func_names = kutil_arena_array(&m->arena, m->nfuncs, sizeof(kir_name));
        if (!m->func_names)
            return kdec_oom(r);
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t idx;
        kir_name name;
        if (!kdec_u32(r, &idx) || !kdec_name(r, m, &name))
            return false;
        if (idx < m->nfuncs)
            m->func_names[idx] = name;
    }
    return true;
}

/* indirectnamemap ::= vec(funcidx vec(localidx name)): local names. */
static bool local_names(kdec_reader *r, kir_module *m)
{
    uint32_t nfuncs;
    if (!kdec_count(r, &nfuncs))
        return false;
    for (uint32_t i = 0; i < nfuncs; i++) {
        uint32_t func, nlocals;
        if (!kdec_u32(r, &func) || !kdec_count(r, &nlocals))
            return false;
        for (uint32_t k = 0; k < nlocals; k++) {
            kir_local_name ln = {.func = func};
            if (!kdec_u32(r, &ln.local) || !kdec_name(r, m, &ln.name))
                return false;
            kir_local_name *slot = KIR_PUSH(m, m->local_names, m->nlocal_names);
            if (!slot)
                return kdec_oom(r);
            *slot = ln;
        }
    }
    return true;
}

static bool name_subsections(kdec_reader *r, kir_module *m)
{
    int last_id = -1;
    while (!kdec_at_end(r)) {
        uint8_t id;
        uint32_t size;
        const uint8_t *content;
        if (!kdec_u8(r, &id) || !kdec_count(r, &size) || !kdec_bytes(r, size, &content))
            return false;
        if ((int)id <= last_id)
            return kdec_fail(r, "malformed name section: subsection out of order");
        last_id = id;
        kdec_reader sub;
        kdec_reader_init(&sub, r->alloc, content, size, kdec_offset(r) - size);
        bool ok = true;
        switch (id) {
        case 0: ok = kdec_name(&sub, m, &m->module_name); break;
        case 1: ok = function_names(&sub, m); break;
        case 2: ok = local_names(&sub, m); break;
        default: sub.p = sub.end; break; /* other subsections are not kept */
        }
        if (ok && !kdec_at_end(&sub))
            ok = kdec_fail(&sub, "malformed name section: subsection size mismatch");
        if (!ok) {
            r->error = sub.error;
            return false;
        }
    }
    return true;
}

/*
 * Decoded after all other sections, so that the number of functions is
 * known. The spec makes the name section's contents advisory: a malformed
 * one is dropped, the module stays valid.
 */
kite_error_t *kdec_name_section(kdec_state *d)
{
    if (!d->names)
        return NULL;
    kir_module *m = d->m;
    kdec_reader r;
    kdec_reader_init(&r, d->r.alloc, d->names, d->names_len, (uint64_t)(d->names - d->bytes));
    if (name_subsections(&r, m))
        return NULL;
    if (r.error && kite_error_code(r.error) == KITE_ERROR_OUT_OF_MEMORY)
        return r.error;
    kite_error_free(r.error);
    m->module_name = (kir_name){0};
    m->func_names = NULL;
    m->local_names = NULL;
    m->nlocal_names = 0;
    return NULL;
}

/* ---- sections and the module ----------------------------------------------------- */

enum {
    SEC_CUSTOM = 0,
#define SECTION_ID(name, id, keyword) SEC_##name = KIR_SECTION_##name,
    KIR_SECTIONS(SECTION_ID)
#undef SECTION_ID
    SEC_COUNT
};

/* Where each non-custom section must appear: the tag section sits between
 * memory and global, data count between element and code. */
static const uint8_t g_section_rank[SEC_COUNT] = {
    [SEC_TYPE] = 1,  [SEC_IMPORT] = 2,  [SEC_FUNCTION] = 3, [SEC_TABLE] = 4,
    [SEC_MEMORY] = 5, [SEC_TAG] = 6,    [SEC_GLOBAL] = 7,   [SEC_EXPORT] = 8,
    [SEC_START] = 9, [SEC_ELEM] = 10,   [SEC_DATACOUNT] = 11, [SEC_CODE] = 12,
    [SEC_DATA] = 13,
};

typedef bool (*section_fn)(kdec_state *d);

static const section_fn g_section_fn[SEC_COUNT] = {
    [SEC_TYPE] = kdec_type_section,       [SEC_IMPORT] = kdec_import_section,
    [SEC_FUNCTION] = kdec_function_section, [SEC_TABLE] = kdec_table_section,
    [SEC_MEMORY] = kdec_memory_section,   [SEC_GLOBAL] = kdec_global_section,
    [SEC_EXPORT] = kdec_export_section,   [SEC_START] = kdec_start_section,
    [SEC_ELEM] = kdec_elem_section,       [SEC_CODE] = kdec_code_section,
    [SEC_DATA] = kdec_data_section,       [SEC_DATACOUNT] = kdec_datacount_section,
    [SEC_TAG] = kdec_tag_section,
};

static bool header(kdec_reader *r)
{
    static const uint8_t magic[4] = {0x00, 0x61, 0x73, 0x6D};
    static const uint8_t version[4] = {0x01, 0x00, 0x00, 0x00};
    const uint8_t *b;
    if (!kdec_bytes(r, 4, &b))
        return false;
    if (memcmp(b, magic, 4) != 0)
        return kdec_fail_at(r, 0, "magic header not detected");
    if (!kdec_bytes(r, 4, &b))
        return false;
    if (memcmp(b, version, 4) != 0)
        return kdec_fail_at(r, 4, "unknown binary version");
    return true;
}

static bool sections(kdec_state *d)
{
    kdec_reader *r = &d->r;
    unsigned last_rank = 0;
    uint8_t last_id = KIR_PLACE_FIRST;
    while (!kdec_at_end(r)) {
        uint64_t id_at = kdec_offset(r);
        uint8_t id = *r->p;
        if (id >= SEC_COUNT || (id == SEC_TAG && !kir_feature(d->config, KITE_FEATURE_EXCEPTIONS)))
            return kdec_fail(r, "malformed section id %u", id);
        r->p++;
        uint32_t size;
        if (!kdec_count(r, &size))
            return false;
        const uint8_t *content = r->p;
        if (id == SEC_CUSTOM) {
            if (!custom_section(d, content, size))
                return false;
            kir_custom *c = &d->m->customs[d->m->ncustoms - 1];
            c->before = last_id == KIR_PLACE_FIRST;
            c->section = last_id;
            continue;
        }
        last_id = id;
        /* A repeated or misplaced section: the spec's decoder stops at it and
         * finds content left over. */
        if (g_section_rank[id] <= last_rank)
            return kdec_fail_at(r, id_at, "unexpected content after last section");
        last_rank = g_section_rank[id];
        if (!g_section_fn[id](d))
            return false;
        if (r->p != content + size)
            return kdec_fail_at(r, (uint64_t)(content - r->start), "section size mismatch");
    }
    return true;
}

/* Checks between sections, made once all are read (as the spec does). */
static bool module_checks(kdec_state *d)
{
    kdec_reader *r = &d->r;
    uint64_t end = (uint64_t)(r->end - r->start);
    if (d->nfunc_decls != d->ncode)
        return kdec_fail_at(r, end, "function and code section have inconsistent lengths");
    if (d->m->has_data_count && d->m->data_count != d->m->ndatas)
        return kdec_fail_at(r, end, "data count and data section have inconsistent lengths");
    return true;
}

/* The u32 at src[*pos] (moving *pos past it); false if malformed or cut
 * short. */
static bool section_u32(const kite_allocator_t *alloc, const uint8_t *src, size_t len, size_t *pos,
                        uint32_t *out)
{
    kdec_reader r;
    kdec_reader_init(&r, alloc, src, len, 0);
    r.p = src + *pos;
    if (!kdec_u32(&r, out)) {
        kite_error_free(r.error);
        return false;
    }
    *pos = (size_t)(r.p - src);
    return true;
}

/*
 * Copies what decoding reads and the module keeps: every byte except the
 * contents of custom sections other than "name" (their ids, sizes and
 * names are copied, as the decoder checks them). Debug information is most
 * of a debug build's size, so this saves copying and touching it. Where
 * the section structure is not well formed, the rest is copied whole, so
 * that decoding reports its error from exactly the input's bytes.
 */
static void copy_kept(const kite_allocator_t *alloc, uint8_t *dst, const uint8_t *src, size_t len)
{
    size_t pos = len < 8 ? len : 8;
    memcpy(dst, src, pos);
    while (pos < len) {
        size_t start = pos, p = pos + 1, name_at = 0;
        uint32_t size = 0, name_len = 0;
        bool ok = section_u32(alloc, src, len, &p, &size) && size <= len - p;
        if (ok && src[start] == 0) {
            name_at = p;
            ok = section_u32(alloc, src, len, &name_at, &name_len) && name_at <= p + size &&
                 name_len <= p + size - name_at;
        }
        if (!ok) {
            memcpy(dst + start, src + start, len - start);
            return;
        }
        size_t end = p + size;
        size_t keep = end;
        if (src[start] == 0 && !is_name_section(src + name_at, name_len))
            keep = name_at + name_len;
        memcpy(dst + start, src + start, keep - start);
        pos = end;
    }
}

kite_error_t *kdec_decode(const struct kite_config *config, const uint8_t *bytes, size_t len,
                          kir_module **out)
{
    *out = NULL;
    if (len > UINT32_MAX)
        return kutil_error_new(&config->alloc, KITE_ERROR_LIMIT, "module too large (%zu bytes)",
                               len);
    kir_module *m = kir_module_new(&config->alloc);
    if (!m)
        return kutil_error_oom();
    /* The module keeps its own copy of the input: bodies, expressions and
     * data point into it. */
    uint8_t *copy = kutil_arena_alloc_uninit(&m->arena, len ? len : 1);
    if (!copy) {
        kir_module_free(m);
        return kutil_error_oom();
    }
    copy_kept(&config->alloc, copy, bytes, len);

    kdec_state d = {.config = config, .m = m, .bytes = copy};
    kdec_reader_init(&d.r, &config->alloc, copy, len, 0);
    kite_error_t *err = NULL;
    if (!header(&d.r) || !sections(&d) || !module_checks(&d))
        err = d.r.error ? d.r.error : kutil_error_oom();
    if (!err)
        err = kdec_name_section(&d);
    if (err) {
        kir_module_free(m);
        return err;
    }
    m->binary = copy;
    m->binary_len = (uint32_t)len;
    *out = m;
    return NULL;
}
