/*
 * The binary decoder on small hand-made modules: what a good module decodes
 * to, and the message and offset of malformed ones. Also the type and
 * instruction readers the validator builds on.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "binary/decode.h"
#include "binary/reader.h"
#include "ir/config.h"
#include "util/alloc.h"
#include "util/error.h"

#include "check.h"
#include "fail_alloc.h"

#define HDR 0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00
#define B(...) (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})

static struct kite_config g_config;

static kir_module *decode_ok(int line, const uint8_t *bytes, size_t len)
{
    kir_module *m = NULL;
    kite_error_t *e = kdec_decode(&g_config, bytes, len, &m);
    CHECK(e == NULL && m != NULL, "line %d: decode failed: %s", line,
          e ? kite_error_message(e) : "(no module)");
    kite_error_free(e);
    return m;
}

static void decode_bad(int line, const struct kite_config *config, const uint8_t *bytes,
                       size_t len, const char *msg, uint64_t offset)
{
    kir_module *m = NULL;
    kite_error_t *e = kdec_decode(config, bytes, len, &m);
    CHECK(e != NULL && m == NULL, "line %d: decode succeeded, want \"%s\"", line, msg);
    if (e) {
        const char *got = kite_error_message(e);
        kite_position_t pos = kite_error_position(e);
        CHECK(strncmp(got, msg, strlen(msg)) == 0, "line %d: got \"%s\" want \"%s\"", line, got,
              msg);
        CHECK(pos.has_offset && pos.offset == offset, "line %d: offset %" PRIu64 " want %" PRIu64,
              line, pos.offset, offset);
    }
    kite_error_free(e);
    kir_module_free(m);
}

#define BAD(msg, offset, ...) decode_bad(__LINE__, &g_config, B(__VA_ARGS__), msg, offset)

/* ---- good modules --------------------------------------------------------------- */

static void test_empty(void)
{
    kir_module *m = decode_ok(__LINE__, B(HDR));
    if (!m)
        return;
    CHECK(m->ntypes == 0 && m->nfuncs == 0 && m->start == KIR_NONE, "empty module");
    kir_module_free(m);
}

/*
 * (module
 *   (type (func (param i32 i32) (result i32)))
 *   (import "env" "g" (global (mut i64)))
 *   (func $add (export "add") (type 0) (local f32 f32)
 *     local.get 0 local.get 1 i32.add)
 *   (memory 1 2)
 *   (global i32 (i32.const 7))
 *   (data (i32.const 16) "hi")
 *   + a custom section "meta" and a name section naming function 0 "add")
 */
static const uint8_t g_add[] = {
    HDR,
    0x01, 0x07, 0x01, 0x60, 0x02, 0x7F, 0x7F, 0x01, 0x7F,             /* type */
    0x02, 0x0A, 0x01, 0x03, 'e', 'n', 'v', 0x01, 'g', 0x03, 0x7E, 0x01, /* import */
    0x03, 0x02, 0x01, 0x00,                                         /* function */
    0x05, 0x04, 0x01, 0x01, 0x01, 0x02,                             /* memory */
    0x06, 0x06, 0x01, 0x7F, 0x00, 0x41, 0x07, 0x0B,                 /* global */
    0x07, 0x07, 0x01, 0x03, 'a', 'd', 'd', 0x00, 0x00,              /* export */
    0x0A, 0x0B, 0x01, 0x09, 0x01, 0x02, 0x7D,                       /* code: locals */
    0x20, 0x00, 0x20, 0x01, 0x6A, 0x0B,                             /*   body */
    0x0B, 0x08, 0x01, 0x00, 0x41, 0x10, 0x0B, 0x02, 'h', 'i',       /* data */
    0x00, 0x07, 0x04, 'm', 'e', 't', 'a', 0xAB, 0xCD,               /* custom "meta" */
    0x00, 0x0C, 0x04, 'n', 'a', 'm', 'e',                           /* custom "name" */
    0x01, 0x05, 0x01, 0x00, 0x02, 'f', '0',                         /*   function names */
};

static void test_add(void)
{
    kir_module *m = decode_ok(__LINE__, g_add, sizeof g_add);
    if (!m)
        return;
    CHECK(m->ntypes == 1, "ntypes %u", m->ntypes);
    const kir_type *t = &m->types[0];
    CHECK(t->comp == KIR_COMP_FUNC && t->nparams == 2 && t->nresults == 1, "type shape");
    CHECK(t->types[0] == kir_vt(KIR_I32) && t->types[2] == kir_vt(KIR_I32), "type types");
    CHECK(t->final && t->super == KIR_NO_SUPER && t->rec_size == 1, "type defaults");

    CHECK(m->nimports == 1 && m->imports[0].kind == KIR_EXTERN_GLOBAL, "import");
    CHECK(strcmp(m->imports[0].module.ptr, "env") == 0 && strcmp(m->imports[0].field.ptr, "g") == 0,
          "import names");
    CHECK(m->nglobals == 2 && m->nglobal_imports == 1, "globals %u/%u", m->nglobals,
          m->nglobal_imports);
    CHECK(m->globals[0].type == kir_vt(KIR_I64) && m->globals[0].mutable_ &&
              m->globals[0].import == 0,
          "imported global");
    CHECK(m->globals[1].import == KIR_NONE && m->globals[1].init.len == 3 &&
              m->globals[1].init.code[2] == 0x0B,
          "global init");

    CHECK(m->nfuncs == 1 && m->nfunc_imports == 0, "funcs");
    const kir_func *f = &m->funcs[0];
    CHECK(f->type == 0 && f->import == KIR_NONE, "func type");
    CHECK(f->nlocal_groups == 1 && f->nlocals == 2 && f->local_groups[0].type == kir_vt(KIR_F32),
          "locals");
    CHECK(f->body.len == 6 && f->body.code[0] == 0x20 && f->body.code[5] == 0x0B, "body");
    /* Offset of the body's first instruction in the input. */
    size_t body_at = 0;
    for (size_t i = 0; i + 1 < sizeof g_add; i++)
        if (g_add[i] == 0x20 && g_add[i + 1] == 0x00) {
            body_at = i;
            break;
        }
    CHECK(f->body.offset == body_at, "body offset %u want %zu", f->body.offset, body_at);

    CHECK(m->nmemories == 1 && m->memories[0].limits.min == 1 && m->memories[0].limits.has_max &&
              m->memories[0].limits.max == 2 && m->memories[0].page_size_log2 == 16,
          "memory");
    CHECK(m->nexports == 1 && strcmp(m->exports[0].name.ptr, "add") == 0 &&
              m->exports[0].kind == KIR_EXTERN_FUNC,
          "export");
    CHECK(m->ndatas == 1 && m->datas[0].mode == KIR_SEG_ACTIVE && m->datas[0].len == 2 &&
              memcmp(m->datas[0].bytes, "hi", 2) == 0,
          "data");
    /* Custom sections are listed; only the name section's bytes are kept. */
    CHECK(m->ncustoms == 2 && strcmp(m->customs[0].name.ptr, "meta") == 0 &&
              m->customs[0].len == 2 && m->customs[0].bytes == NULL,
          "customs");
    CHECK(strcmp(m->customs[1].name.ptr, "name") == 0 && m->customs[1].bytes != NULL, "name section kept");
    CHECK(m->func_names && m->func_names[0].ptr && strcmp(m->func_names[0].ptr, "f0") == 0,
          "function name");
    kir_module_free(m);
}

/* A malformed name section is dropped; the module still decodes. */
static void test_bad_name_section(void)
{
    kir_module *m = decode_ok(__LINE__, B(HDR, 0x03, 0x01, 0x00, 0x0A, 0x01, 0x00, /* no funcs */
                                          0x00, 0x09, 0x04, 'n', 'a', 'm', 'e',
                                          0x01, 0x07, 0x05, 0x00)); /* count 5, then nothing */
    if (!m)
        return;
    CHECK(m->func_names == NULL && m->ncustoms == 1, "bad name section ignored");
    kir_module_free(m);
}

/* GC types: a rec group of a struct and an array with a declared supertype. */
static void test_gc_types(void)
{
    kir_module *m = decode_ok(__LINE__, B(HDR, 0x01, 0x11, 0x01,
                                          0x4E, 0x02,                  /* rec of 2 */
                                          0x50, 0x00, 0x5F, 0x02,      /* sub (struct ... */
                                          0x78, 0x01, 0x63, 0x01, 0x00, /* (mut i8) (ref null 1) */
                                          0x4F, 0x00, 0x5E, 0x77, 0x01)); /* sub final (array (mut i16)) */
    if (!m)
        return;
    CHECK(m->ntypes == 2, "ntypes");
    if (m->ntypes == 2) {
        const kir_type *s = &m->types[0], *a = &m->types[1];
        CHECK(s->comp == KIR_COMP_STRUCT && !s->final && s->nfields == 2, "struct");
        CHECK(s->fields[0].type == kir_vt(KIR_I8) && s->fields[0].mutable_, "field 0");
        CHECK(s->fields[1].type == kir_vt_ref(true, true, 1) && !s->fields[1].mutable_, "field 1");
        CHECK(a->comp == KIR_COMP_ARRAY && a->final && a->nfields == 1 &&
                  a->fields[0].type == kir_vt(KIR_I16),
              "array");
        CHECK(s->rec_start == 0 && s->rec_size == 2 && a->rec_start == 0 && a->rec_size == 2,
              "rec group");
    }
    kir_module_free(m);
}

/* All eight element segment forms. */
static void test_elems(void)
{
    kir_module *m = decode_ok(
        __LINE__,
        B(HDR, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x04, 0x04, 0x01,
          0x70, 0x00, 0x01,
          0x09, 0x2F, 0x08,
          0x00, 0x41, 0x00, 0x0B, 0x01, 0x00,                   /* 0: expr vec(funcidx) */
          0x01, 0x00, 0x01, 0x00,                               /* 1: passive elemkind */
          0x02, 0x00, 0x41, 0x00, 0x0B, 0x00, 0x01, 0x00,       /* 2: table expr elemkind */
          0x03, 0x00, 0x01, 0x00,                               /* 3: declarative */
          0x04, 0x41, 0x00, 0x0B, 0x01, 0xD2, 0x00, 0x0B,       /* 4: expr vec(expr) */
          0x05, 0x70, 0x01, 0xD0, 0x70, 0x0B,                   /* 5: passive reftype */
          0x06, 0x00, 0x41, 0x00, 0x0B, 0x70, 0x00,             /* 6: table expr reftype */
          0x07, 0x70, 0x00,                                     /* 7: declarative reftype */
          0x0A, 0x04, 0x01, 0x02, 0x00, 0x0B));
    if (!m)
        return;
    CHECK(m->nelems == 8, "nelems %u", m->nelems);
    if (m->nelems == 8) {
        CHECK(m->elems[0].mode == KIR_SEG_ACTIVE && m->elems[0].funcs && m->elems[0].count == 1 &&
                  m->elems[0].type == kir_vt_ref(false, false, KIR_HEAP_FUNC),
              "elem 0");
        CHECK(m->elems[1].mode == KIR_SEG_PASSIVE && m->elems[1].funcs, "elem 1");
        CHECK(m->elems[3].mode == KIR_SEG_DECLARATIVE, "elem 3");
        CHECK(m->elems[4].exprs && m->elems[4].count == 1 && m->elems[4].exprs[0].len == 3 &&
                  m->elems[4].type == KIR_FUNCREF,
              "elem 4");
        CHECK(m->elems[5].mode == KIR_SEG_PASSIVE && m->elems[5].exprs, "elem 5");
        CHECK(m->elems[6].mode == KIR_SEG_ACTIVE && m->elems[6].count == 0 && m->elems[6].exprs,
              "elem 6");
        CHECK(m->elems[7].mode == KIR_SEG_DECLARATIVE, "elem 7");
    }
    kir_module_free(m);
}

/* A table with an initializer, a memory64 memory with a custom page size,
 * a shared memory, and a tag. */
static void test_tables_memories_tags(void)
{
    kir_module *m = decode_ok(
        __LINE__,
        B(HDR, 0x01, 0x05, 0x01, 0x60, 0x01, 0x7F, 0x00,
          0x03, 0x02, 0x01, 0x00,
          0x04, 0x0A, 0x01, 0x40, 0x00, 0x64, 0x70, 0x00, 0x01, 0xD2, 0x00, 0x0B,
          0x05, 0x07, 0x02, 0x0C, 0x02, 0x00, 0x03, 0x00, 0x01,
          0x0D, 0x03, 0x01, 0x00, 0x00,
          0x0A, 0x04, 0x01, 0x02, 0x00, 0x0B));
    if (!m)
        return;
    CHECK(m->ntables == 1 && m->tables[0].has_init &&
              m->tables[0].elem == kir_vt_ref(false, false, KIR_HEAP_FUNC) &&
              m->tables[0].init.len == 3,
          "table with initializer");
    CHECK(m->nmemories == 2, "memories");
    if (m->nmemories == 2) {
        CHECK(m->memories[0].limits.is64 && m->memories[0].page_size_log2 == 0 &&
                  m->memories[0].limits.min == 2,
              "memory64 with page size 1");
        CHECK(m->memories[1].limits.shared && m->memories[1].limits.max == 1, "shared memory");
    }
    CHECK(m->ntags == 1 && m->tags[0].type == 0, "tag");
    kir_module_free(m);
}

/* ---- malformed modules ------------------------------------------------------------------ */

static void test_malformed(void)
{
    BAD("unexpected end", 2, 0x00, 0x61);
    BAD("magic header not detected", 0, 0x00, 0x61, 0x73, 0x6E, 0x01, 0x00, 0x00, 0x00);
    BAD("unknown binary version", 4, 0x00, 0x61, 0x73, 0x6D, 0x02, 0x00, 0x00, 0x00);
    BAD("malformed section id", 8, HDR, 0x0E, 0x01, 0x00);
    BAD("length out of bounds", 9, HDR, 0x01, 0x05, 0x00);
    BAD("section size mismatch", 10, HDR, 0x01, 0x02, 0x00, 0x00);
    BAD("unexpected content after last section", 11, HDR, 0x03, 0x01, 0x00, 0x03, 0x01, 0x00);
    BAD("unexpected content after last section", 11, HDR, 0x06, 0x01, 0x00, 0x05, 0x01, 0x00);
    /* The tag section goes between memory and global. */
    BAD("unexpected content after last section", 11, HDR, 0x06, 0x01, 0x00, 0x0D, 0x01, 0x00);
    BAD("integer representation too long", 12, HDR, 0x01, 0x05, 0x01, 0xE0, 0x7F, 0x00, 0x00);
    BAD("malformed definition type", 11, HDR, 0x01, 0x02, 0x01, 0x40);
    BAD("malformed mutability", 13, HDR, 0x01, 0x04, 0x01, 0x5E, 0x78, 0x02);
    BAD("malformed reference type", 13, HDR, 0x01, 0x04, 0x01, 0x60, 0x01, 0x40);
    BAD("malformed import kind", 13, HDR, 0x02, 0x04, 0x01, 0x00, 0x00, 0x05);
    BAD("malformed UTF-8 encoding", 11, HDR, 0x02, 0x06, 0x01, 0x01, 0xFF, 0x00, 0x00, 0x00);
    BAD("malformed UTF-8 encoding", 11, HDR, 0x02, 0x08, 0x01, 0x03, 0xED, 0xA0, 0x80, 0x00, 0x00,
        0x00); /* a surrogate */
    BAD("malformed UTF-8 encoding", 10, HDR, 0x00, 0x03, 0x02, 0xC0, 0x80); /* overlong */
    BAD("malformed limits flags", 11, HDR, 0x05, 0x03, 0x01, 0x10, 0x00);
    BAD("malformed limits flags", 12, HDR, 0x04, 0x04, 0x01, 0x70, 0x02, 0x00); /* shared table */
    BAD("invalid custom page size", 13, HDR, 0x05, 0x04, 0x01, 0x08, 0x00, 0x41);
    BAD("malformed export kind", 12, HDR, 0x07, 0x04, 0x01, 0x00, 0x05, 0x00);
    BAD("function and code section have inconsistent lengths", 12, HDR, 0x03, 0x02, 0x01, 0x00);
    BAD("data count and data section have inconsistent lengths", 11, HDR, 0x0C, 0x01, 0x01);
    BAD("malformed elements segment kind", 11, HDR, 0x09, 0x02, 0x01, 0x08);
    BAD("malformed element kind", 12, HDR, 0x09, 0x04, 0x01, 0x01, 0x01, 0x00);
    BAD("malformed data segment kind", 11, HDR, 0x0B, 0x02, 0x01, 0x03);
    BAD("zero byte expected", 11, HDR, 0x0D, 0x03, 0x01, 0x01, 0x00);
    /* Constant expressions: a missing end runs into the end of the module. */
    BAD("unexpected end of section or function", 14, HDR, 0x06, 0x04, 0x01, 0x7F, 0x00, 0x41);
    BAD("illegal opcode ff", 13, HDR, 0x06, 0x05, 0x01, 0x7F, 0x00, 0xFF, 0x0B);
    BAD("END opcode expected", 13, HDR, 0x06, 0x04, 0x01, 0x7F, 0x00, 0x05);
}

/* Function bodies: the body's last byte must be `end`; otherwise the
 * instructions are followed to report what the spec's decoder would. */
#define PRE HDR, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00 /* one type: [] -> [] */
#define FUNC_PRELUDE PRE, 0x03, 0x02, 0x01, 0x00         /* one function */

static void test_bodies(void)
{
    /* Missing end, the next bytes are another body starting with `else`. */
    BAD("END opcode expected", 27, PRE, 0x03, 0x03, 0x02, 0x00, 0x00, 0x0A, 0x0C, 0x02, 0x04, 0x00,
        0x41, 0x01, 0x1A, 0x05, 0x00, 0x41, 0x01, 0x1A, 0x0B);
    /* Missing end at the end of the module. */
    BAD("unexpected end of section or function", 26, FUNC_PRELUDE, 0x0A, 0x06, 0x01, 0x04, 0x00,
        0x41, 0x01, 0x1A);
    /* An `end` found just past the body. */
    BAD("section size mismatch", 22, FUNC_PRELUDE, 0x0A, 0x06, 0x01, 0x04, 0x00, 0x41, 0x01, 0x1A,
        0x0B, 0x03, 0x01, 0x01, 0x00);
    BAD("too many locals", 22, FUNC_PRELUDE, 0x0A, 0x0A, 0x01, 0x08, 0x02, 0xC0, 0x84, 0x3D, 0x7F,
        0x01, 0x7E, 0x0B); /* 1000000 + 1 locals */
    BAD("too many locals", 22, FUNC_PRELUDE, 0x0A, 0x0C, 0x01, 0x0A, 0x02, 0xFF, 0xFF, 0xFF, 0xFF,
        0x0F, 0x7F, 0x02, 0x7E, 0x0B); /* overflows 32 bits */
    BAD("integer too large", 27, FUNC_PRELUDE, 0x0A, 0x0C, 0x01, 0x0A, 0x02, 0x80, 0x80, 0x80,
        0x80, 0x10, 0x7F, 0x02, 0x7E, 0x0B);
    BAD("function and code section have inconsistent lengths", 27, FUNC_PRELUDE, 0x0A, 0x07, 0x02,
        0x02, 0x00, 0x0B, 0x02, 0x00, 0x0B);
}

/* Feature gating of encodings. */
static void test_features(void)
{
    struct kite_config c = g_config;
    c.features[KITE_FEATURE_MEMORY64] = false;
    decode_bad(__LINE__, &c, B(HDR, 0x05, 0x03, 0x01, 0x04, 0x00), "malformed limits flags", 11);
    c = g_config;
    c.features[KITE_FEATURE_THREADS] = false;
    decode_bad(__LINE__, &c, B(HDR, 0x05, 0x04, 0x01, 0x03, 0x00, 0x01), "malformed limits flags",
               11);
    c = g_config;
    c.features[KITE_FEATURE_EXCEPTIONS] = false;
    decode_bad(__LINE__, &c, B(HDR, 0x0D, 0x01, 0x00), "malformed section id", 8);
    c = g_config;
    c.features[KITE_FEATURE_GC] = false;
    decode_bad(__LINE__, &c, B(HDR, 0x01, 0x04, 0x01, 0x5E, 0x7F, 0x00), "malformed definition type",
               11);
}

/* ---- types and instructions --------------------------------------------------------------- */

static kdec_reader reader(const uint8_t *b, size_t n)
{
    kdec_reader r;
    kdec_reader_init(&r, &kutil_libc, b, n, 0);
    return r;
}

#define READER(...) reader(B(__VA_ARGS__))

static void test_types(void)
{
    kir_valtype t = 0;
    kdec_reader r = READER(0x7B);
    CHECK(kdec_valtype(&r, &t) && t == kir_vt(KIR_V128), "v128");
    r = READER(0x6E);
    CHECK(kdec_valtype(&r, &t) && t == kir_vt_ref(true, false, KIR_HEAP_ANY), "anyref");
    r = READER(0x64, 0x6C);
    CHECK(kdec_reftype(&r, &t) && t == kir_vt_ref(false, false, KIR_HEAP_I31), "(ref i31)");
    r = READER(0x63, 0x85, 0x01);
    CHECK(kdec_valtype(&r, &t) && t == kir_vt_ref(true, true, 133), "(ref null 133)");
    r = READER(0x78);
    CHECK(!kdec_valtype(&r, &t) && r.error &&
              strcmp(kite_error_message(r.error), "malformed reference type") == 0,
          "i8 is no value type");
    kite_error_free(r.error);
    r = READER(0x78);
    CHECK(kdec_storagetype(&r, &t) && t == kir_vt(KIR_I8), "i8 storage type");
    r = READER(0x40);
    CHECK(!kdec_storagetype(&r, &t) && r.error &&
              strcmp(kite_error_message(r.error), "malformed storage type") == 0,
          "bad storage type");
    kite_error_free(r.error);
    r = READER(0x64, 0x50);
    CHECK(!kdec_reftype(&r, &t) && r.error &&
              strcmp(kite_error_message(r.error), "malformed heap type") == 0 &&
              kite_error_position(r.error).offset == 1,
          "bad heap type");
    kite_error_free(r.error);
    r = READER(0xF0, 0x7F); /* func as a two-byte s33 is not an abstract heap type */
    bool concrete;
    uint32_t heap;
    CHECK(!kdec_heaptype(&r, &concrete, &heap) && r.error &&
              strcmp(kite_error_message(r.error), "integer representation too long") == 0,
          "long heap type");
    kite_error_free(r.error);
}

static kdec_instr read_one(int line, const uint8_t *b, size_t n, kir_op want)
{
    kdec_reader r = reader(b, n);
    kdec_instr in;
    memset(&in, 0, sizeof in);
    bool ok = kdec_instr_read(&r, &in);
    CHECK(ok, "line %d: %s", line, r.error ? kite_error_message(r.error) : "?");
    CHECK(!ok || in.op == want, "line %d: op %d want %d", line, (int)in.op, (int)want);
    CHECK(!ok || kdec_at_end(&r), "line %d: %zu bytes left", line, (size_t)(r.end - r.p));
    kite_error_free(r.error);
    return in;
}

static void instr_bad(int line, const uint8_t *b, size_t n, const char *msg, uint64_t offset)
{
    kdec_reader r = reader(b, n);
    kdec_instr in;
    CHECK(!kdec_instr_read(&r, &in), "line %d: read succeeded", line);
    CHECK(r.error && strncmp(kite_error_message(r.error), msg, strlen(msg)) == 0,
          "line %d: got \"%s\" want \"%s\"", line, r.error ? kite_error_message(r.error) : "",
          msg);
    CHECK(r.error && kite_error_position(r.error).offset == offset, "line %d: offset", line);
    kite_error_free(r.error);
}

#define INSTR(op, ...) read_one(__LINE__, B(__VA_ARGS__), op)
#define INSTR_BAD(msg, off, ...) instr_bad(__LINE__, B(__VA_ARGS__), msg, off)

static void test_instrs(void)
{
    kdec_instr in = INSTR(KIR_OP_I32_CONST, 0x41, 0x7F);
    CHECK(in.num == UINT64_MAX, "i32.const -1 sign-extended");
    in = INSTR(KIR_OP_F32_CONST, 0x43, 0x00, 0x00, 0x80, 0x3F);
    CHECK(in.num == 0x3F800000u, "f32.const 1.0 bits");
    in = INSTR(KIR_OP_BLOCK, 0x02, 0x40);
    CHECK(in.bt.kind == KDEC_BT_EMPTY, "block empty");
    in = INSTR(KIR_OP_LOOP, 0x03, 0x7E);
    CHECK(in.bt.kind == KDEC_BT_VALTYPE && in.bt.valtype == kir_vt(KIR_I64), "loop i64");
    in = INSTR(KIR_OP_IF, 0x04, 0x85, 0x01);
    CHECK(in.bt.kind == KDEC_BT_TYPEIDX && in.bt.typeidx == 133, "if type 133");
    in = INSTR(KIR_OP_I32_LOAD, 0x28, 0x42, 0x03, 0x10);
    CHECK(in.align == 2 && in.memidx == 3 && in.memoffset == 16, "memarg with memory index");
    in = INSTR(KIR_OP_I64_STORE, 0x37, 0x03, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
               0x01);
    CHECK(in.align == 3 && in.memidx == 0 && in.memoffset == UINT64_MAX, "memarg 64-bit offset");
    in = INSTR(KIR_OP_CALL_INDIRECT, 0x11, 0x02, 0x01);
    CHECK(in.idx[0] == 2 && in.idx[1] == 1, "call_indirect");
    in = INSTR(KIR_OP_SELECT_T, 0x1C, 0x01, 0x7D);
    CHECK(in.count == 1 && in.types[0] == kir_vt(KIR_F32), "select t");
    in = INSTR(KIR_OP_REF_NULL, 0xD0, 0x6F);
    CHECK(in.ref == KIR_EXTERNREF, "ref.null extern");
    in = INSTR(KIR_OP_REF_CAST, 0xFB, 0x16, 0x6C);
    CHECK(in.ref == kir_vt_ref(false, false, KIR_HEAP_I31), "ref.cast i31");
    in = INSTR(KIR_OP_REF_TEST_NULL, 0xFB, 0x15, 0x03);
    CHECK(in.ref == kir_vt_ref(true, true, 3), "ref.test null 3");
    in = INSTR(KIR_OP_BR_ON_CAST, 0xFB, 0x18, 0x01, 0x00, 0x6E, 0x6C);
    CHECK(in.idx[0] == 0 && in.ref == kir_vt_ref(true, false, KIR_HEAP_ANY) &&
              in.ref2 == kir_vt_ref(false, false, KIR_HEAP_I31),
          "br_on_cast");
    in = INSTR(KIR_OP_MEMORY_COPY, 0xFC, 0x0A, 0x01, 0x02);
    CHECK(in.idx[0] == 1 && in.idx[1] == 2, "memory.copy");
    in = INSTR(KIR_OP_I8X16_SHUFFLE, 0xFD, 0x0D, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
               15);
    CHECK(in.bytes[15] == 15, "shuffle");
    in = INSTR(KIR_OP_V128_LOAD8_LANE, 0xFD, 0x54, 0x00, 0x00, 0x0F);
    CHECK(in.lane == 15, "load lane");
    INSTR(KIR_OP_ATOMIC_FENCE, 0xFE, 0x03, 0x00);

    /* br_table: targets through the list cursor, default in idx[0]. */
    static const uint8_t brt[] = {0x0E, 0x03, 0x00, 0x81, 0x01, 0x02, 0x05};
    kdec_reader r = reader(brt, sizeof brt);
    CHECK(kdec_instr_read(&r, &in) && in.op == KIR_OP_BR_TABLE && in.count == 3 && in.idx[0] == 5,
          "br_table");
    kdec_reader cur;
    kdec_list_reader(&r, &in, &cur);
    uint32_t l0 = 9, l1 = 9, l2 = 9;
    CHECK(kdec_br_table_next(&cur, &l0) && kdec_br_table_next(&cur, &l1) &&
              kdec_br_table_next(&cur, &l2) && l0 == 0 && l1 == 129 && l2 == 2,
          "br_table targets");
    CHECK(kdec_offset(&cur) == 6, "br_table cursor offset");

    /* try_table with all catch kinds. */
    static const uint8_t tt[] = {0x1F, 0x40, 0x04, 0x00, 0x01, 0x02, 0x01, 0x03, 0x04,
                                 0x02, 0x05, 0x03, 0x06};
    r = reader(tt, sizeof tt);
    CHECK(kdec_instr_read(&r, &in) && in.op == KIR_OP_TRY_TABLE && in.count == 4 &&
              kdec_at_end(&r),
          "try_table");
    kdec_list_reader(&r, &in, &cur);
    kdec_catch_kind kinds[4];
    uint32_t tags[4], labels[4];
    bool all = true;
    for (int i = 0; i < 4; i++)
        all = all && kdec_catch_next(&cur, &kinds[i], &tags[i], &labels[i]);
    CHECK(all && kinds[0] == KDEC_CATCH && tags[0] == 1 && labels[0] == 2 &&
              kinds[1] == KDEC_CATCH_REF && tags[1] == 3 && labels[1] == 4 &&
              kinds[2] == KDEC_CATCH_ALL && labels[2] == 5 && kinds[3] == KDEC_CATCH_ALL_REF &&
              labels[3] == 6,
          "catch clauses");

    INSTR_BAD("illegal opcode ff", 0, 0xFF);
    INSTR_BAD("illegal opcode fc 7f", 0, 0xFC, 0x7F);
    INSTR_BAD("illegal opcode fd", 0, 0xFD, 0xFF, 0xFF, 0x03);
    INSTR_BAD("malformed memop flags", 1, 0x28, 0x80, 0x01, 0x00);
    INSTR_BAD("malformed br_on_cast flags", 2, 0xFB, 0x18, 0x04, 0x00, 0x6E, 0x6C);
    INSTR_BAD("malformed catch clause", 3, 0x1F, 0x40, 0x01, 0x04, 0x00);
    INSTR_BAD("zero byte expected", 2, 0xFE, 0x03, 0x01);
    INSTR_BAD("length out of bounds", 1, 0x0E, 0x05, 0x00);
    INSTR_BAD("unexpected end of section or function", 3, 0x42, 0x80, 0x80);
    INSTR_BAD("integer too large", 5, 0x41, 0x80, 0x80, 0x80, 0x80, 0x70);
    INSTR_BAD("malformed reference type", 1, 0x02, 0x50);
}

/* Every allocation the decoder makes may fail: each must end in the
 * out-of-memory error, without leaks (checked under ASan) or crashes. */
static void test_out_of_memory(void)
{
    for (unsigned long n = 1; n < 10000; n++) {
        fail_after(n);
        kir_module *m = NULL;
        kite_error_t *e = kdec_decode(&g_config, g_add, sizeof g_add, &m);
        fail_after(0);
        if (!e) {
            CHECK(m != NULL, "no module and no error");
            kir_module_free(m);
            return;
        }
        CHECK(kite_error_code(e) == KITE_ERROR_OUT_OF_MEMORY && m == NULL,
              "allocation %lu: got \"%s\"", n, kite_error_message(e));
        kite_error_free(e);
    }
    CHECK(false, "decode never succeeded under failure injection");
}

int main(void)
{
    kir_config_defaults(&g_config);
    kite_config_set_allocator(&g_config, &g_fail_alloc);
    /* The tests use the custom-page-sizes encoding, a proposal that is off by default. */
    g_config.features[KITE_FEATURE_CUSTOM_PAGE_SIZES] = true;
    test_empty();
    test_add();
    test_bad_name_section();
    test_gc_types();
    test_elems();
    test_tables_memories_tags();
    test_malformed();
    test_bodies();
    test_features();
    test_types();
    test_instrs();
    test_out_of_memory();
    if (g_failures) {
        printf("%d failure(s)\n", g_failures);
        return 1;
    }
    printf("test_binary_decode: all passed\n");
    return 0;
}
