/*
 * Unit test: the validator on hand-built modules (function bodies written
 * in the binary encoding), checking acceptance and the error messages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir/config.h"
#include "ir/module.h"
#include "util/alloc.h"
#include "util/error.h"
#include "valid/validate.h"

static int failures;
static ktype_canon *g_canon;
static struct kite_config g_config;

#define I32 kir_vt(KIR_I32)
#define I64 kir_vt(KIR_I64)
#define F32 kir_vt(KIR_F32)
#define FUNCREF KIR_FUNCREF

static uint32_t add_functype(kir_module *m, const kir_valtype *ps, uint32_t np, const kir_valtype *rs, uint32_t nr)
{
    kir_type *t = KIR_PUSH(m, m->types, m->ntypes);
    t->comp = KIR_COMP_FUNC;
    t->final = true;
    t->super = KIR_NO_SUPER;
    t->rec_start = m->ntypes - 1;
    t->rec_size = 1;
    t->nparams = np;
    t->nresults = nr;
    t->types = kutil_arena_array(&m->arena, np + nr + 1, sizeof(kir_valtype));
    if (np)
        memcpy(t->types, ps, np * sizeof(kir_valtype));
    if (nr)
        memcpy(t->types + np, rs, nr * sizeof(kir_valtype));
    return m->ntypes - 1;
}

static uint32_t add_struct(kir_module *m, const kir_valtype *fs, const bool *mut, uint32_t n)
{
    kir_type *t = KIR_PUSH(m, m->types, m->ntypes);
    t->comp = KIR_COMP_STRUCT;
    t->final = true;
    t->super = KIR_NO_SUPER;
    t->rec_start = m->ntypes - 1;
    t->rec_size = 1;
    t->nfields = n;
    t->fields = kutil_arena_array(&m->arena, n + 1, sizeof(kir_field));
    for (uint32_t i = 0; i < n; i++) {
        t->fields[i].type = fs[i];
        t->fields[i].mutable_ = mut ? mut[i] : false;
    }
    return m->ntypes - 1;
}

static kir_expr expr(kir_module *m, const char *bytes, size_t len)
{
    static uint32_t next_offset = 100;
    kir_expr e;
    e.code = kutil_arena_dup(&m->arena, bytes, len);
    e.len = (uint32_t)len;
    e.offset = next_offset;
    next_offset += (uint32_t)len + 10;
    return e;
}

/* A defined function; `locals` is a list of (count, type) pairs. */
static kir_func *add_func(kir_module *m, uint32_t type, const kir_local_group *locals, uint32_t ngroups,
                          const char *body, size_t len)
{
    kir_func *f = KIR_PUSH(m, m->funcs, m->nfuncs);
    f->type = type;
    f->import = KIR_NONE;
    f->nlocal_groups = ngroups;
    f->local_groups = kutil_arena_array(&m->arena, ngroups + 1, sizeof(kir_local_group));
    for (uint32_t i = 0; i < ngroups; i++) {
        f->local_groups[i] = locals[i];
        f->nlocals += locals[i].count;
    }
    f->body = expr(m, body, len);
    return f;
}

static void add_memory(kir_module *m, uint64_t min, bool is64)
{
    kir_memory *mem = KIR_PUSH(m, m->memories, m->nmemories);
    mem->limits.min = min;
    mem->limits.is64 = is64;
    mem->page_size_log2 = 16;
    mem->import = KIR_NONE;
}

static void add_global(kir_module *m, kir_valtype t, bool mut, const char *init, size_t len)
{
    kir_global *g = KIR_PUSH(m, m->globals, m->nglobals);
    g->type = t;
    g->mutable_ = mut;
    g->import = KIR_NONE;
    g->init = expr(m, init, len);
}

/* Validate `m` (and free it): `want` NULL means valid, else the message prefix. */
static void expect(int line, kir_module *m, const char *want)
{
    kite_error_t *e = kval_validate(&g_config, g_canon, m);
    const char *got = e ? kite_error_message(e) : NULL;
    if (!want && got) {
        fprintf(stderr, "line %d: expected valid, got \"%s\"\n", line, got);
        failures++;
    } else if (want && !got) {
        fprintf(stderr, "line %d: expected \"%s\", got valid\n", line, want);
        failures++;
    } else if (want && strncmp(got, want, strlen(want)) != 0) {
        fprintf(stderr, "line %d: expected \"%s\", got \"%s\"\n", line, want, got);
        failures++;
    }
    kite_error_free(e);
    kir_module_free(m);
}

#define BODY(s) s, sizeof(s) - 1
#define EXPECT(m, want) expect(__LINE__, (m), (want))

/* One function of type [params] -> [results] with the given body. */
static kir_module *fn(const kir_valtype *ps, uint32_t np, const kir_valtype *rs, uint32_t nr, const char *body,
                      size_t len)
{
    kir_module *m = kir_module_new(&kutil_libc);
    uint32_t t = add_functype(m, ps, np, rs, nr);
    add_func(m, t, NULL, 0, body, len);
    return m;
}

static const kir_valtype r_i32[] = {KIR_I32};
static const kir_valtype p_i32_i32[] = {KIR_I32, KIR_I32};

static void test_basics(void)
{
    EXPECT(fn(NULL, 0, r_i32, 1, BODY("\x41\x01\x0b")), NULL);
    EXPECT(fn(NULL, 0, r_i32, 1, BODY("\x42\x01\x0b")),
           "type mismatch: instruction requires [i32] but stack has [i64]");
    EXPECT(fn(NULL, 0, r_i32, 1, BODY("\x0b")), "type mismatch: instruction requires [i32] but stack has []");
    EXPECT(fn(NULL, 0, NULL, 0, BODY("\x41\x01\x0b")), "type mismatch: block requires [] but stack has [i32]");
    /* (param i32 i32) (result i32): local.get 0 local.get 1 i32.add */
    EXPECT(fn(p_i32_i32, 2, r_i32, 1, BODY("\x20\x00\x20\x01\x6a\x0b")), NULL);
    EXPECT(fn(p_i32_i32, 2, r_i32, 1, BODY("\x20\x02\x0b")), "unknown local 2");
    /* missing end */
    EXPECT(fn(NULL, 0, NULL, 0, BODY("\x01")), "unexpected end");
    /* unreachable code: the stack is polymorphic */
    EXPECT(fn(NULL, 0, r_i32, 1, BODY("\x00\x6a\x0b")), NULL);
    EXPECT(fn(NULL, 0, NULL, 0, BODY("\x00\x1a\x1a\x0b")), NULL);
    EXPECT(fn(NULL, 0, r_i32, 1, BODY("\x00\x42\x00\x6a\x0b")), "type mismatch");
    /* ref.as_non_null on an unknown operand is still a reference */
    EXPECT(fn(NULL, 0, r_i32, 1, BODY("\x00\xd4\x6a\x0b")), "type mismatch");
    EXPECT(fn(NULL, 0, NULL, 0, BODY("\x00\xd4\x1a\x0b")), NULL);
    /* a huge array.new_fixed in unreachable code pops only what is there */
    {
        kir_valtype f = KIR_I32;
        kir_module *m = kir_module_new(&kutil_libc);
        kir_type *t = KIR_PUSH(m, m->types, m->ntypes);
        t->comp = KIR_COMP_ARRAY;
        t->final = true;
        t->super = KIR_NO_SUPER;
        t->rec_size = 1;
        t->nfields = 1;
        t->fields = kutil_arena_alloc(&m->arena, sizeof(kir_field));
        t->fields[0].type = f;
        add_func(m, add_functype(m, NULL, 0, NULL, 0), NULL, 0,
                 BODY("\x00\x41\x01\xfb\x08\x00\xff\xff\xff\xff\x0f\x1a\x0b"));
        EXPECT(m, NULL);
    }
}

/* Text modules report errors at the source position of the instruction. */
static void test_positions(void)
{
    kir_module *m = fn(NULL, 0, r_i32, 1, BODY("\x41\x01\x42\x02\x6a\x0b"));
    uint32_t base = m->funcs[0].body.offset;
    for (uint32_t i = 0; i < 4; i++) {
        kir_srcpos *sp = KIR_PUSH(m, m->srcpos, m->nsrcpos);
        sp->offset = base + (uint32_t[]){0, 2, 4, 5}[i];
        sp->line = 10 + i;
        sp->col = 3;
    }
    kite_error_t *e = kval_validate(&g_config, g_canon, m);
    if (!e) {
        fprintf(stderr, "positions: expected an error\n");
        failures++;
    } else {
        kite_position_t pos = kite_error_position(e);
        if (!pos.has_line || pos.line != 12 || pos.column != 3) {
            fprintf(stderr, "positions: got %u:%u for \"%s\"\n", pos.line, pos.column, kite_error_message(e));
            failures++;
        }
        kite_error_free(e);
    }
    kir_module_free(m);
    /* binary modules: byte offsets */
    m = fn(NULL, 0, r_i32, 1, BODY("\x41\x01\x42\x02\x6a\x0b"));
    base = m->funcs[0].body.offset;
    e = kval_validate(&g_config, g_canon, m);
    if (!e || !kite_error_position(e).has_offset || kite_error_position(e).offset != base + 4) {
        fprintf(stderr, "positions: wrong binary offset\n");
        failures++;
    }
    kite_error_free(e);
    kir_module_free(m);
}

static void test_blocks(void)
{
    /* block (result i32) i32.const 1 end */
    EXPECT(fn(NULL, 0, r_i32, 1, BODY("\x02\x7f\x41\x01\x0b\x0b")), NULL);
    /* block (result i32) end */
    EXPECT(fn(NULL, 0, r_i32, 1, BODY("\x02\x7f\x0b\x0b")), "type mismatch");
    /* if (result i32) without else */
    EXPECT(fn(NULL, 0, r_i32, 1, BODY("\x41\x01\x04\x7f\x41\x01\x0b\x0b")), "type mismatch");
    /* if (result i32) 1 else 2 end */
    EXPECT(fn(NULL, 0, r_i32, 1, BODY("\x41\x01\x04\x7f\x41\x01\x05\x41\x02\x0b\x0b")), NULL);
    /* if with params [i32] -> [i32] and no else: fine */
    {
        kir_module *m = kir_module_new(&kutil_libc);
        uint32_t bt = add_functype(m, r_i32, 1, r_i32, 1);
        uint32_t ft = add_functype(m, NULL, 0, r_i32, 1);
        add_func(m, ft, NULL, 0, BODY("\x41\x05\x41\x01\x04\x00\x0b\x0b"));
        (void)bt;
        EXPECT(m, NULL);
    }
    /* loop label takes the params: loop (result i32) br 0 end */
    EXPECT(fn(NULL, 0, r_i32, 1, BODY("\x03\x7f\x0c\x00\x0b\x0b")), NULL);
    /* block (result i32) br 0 (without value) */
    EXPECT(fn(NULL, 0, r_i32, 1, BODY("\x02\x7f\x0c\x00\x0b\x0b")), "type mismatch");
    EXPECT(fn(NULL, 0, NULL, 0, BODY("\x0c\x01\x0b")), "unknown label");
    /* br_table with inconsistent arities */
    EXPECT(fn(NULL, 0, NULL, 0, BODY("\x02\x7f\x41\x00\x41\x00\x0e\x01\x00\x01\x0b\x1a\x0b")), "type mismatch");
    /* br_table to two i32 labels */
    EXPECT(fn(NULL, 0, r_i32, 1, BODY("\x02\x7f\x41\x07\x41\x00\x0e\x01\x00\x01\x0b\x0b")), NULL);
    /* else without if */
    EXPECT(fn(NULL, 0, NULL, 0, BODY("\x05\x0b")), "END opcode expected");
    /* deep nesting does not use the C stack */
    {
        enum { DEPTH = 200000 };
        char *b = malloc(DEPTH * 4 + 1);
        for (int i = 0; i < DEPTH; i++)
            b[2 * i] = 0x02, b[2 * i + 1] = 0x40;
        memset(b + 2 * DEPTH, 0x0b, DEPTH + 1);
        kir_module *m = kir_module_new(&kutil_libc);
        add_func(m, add_functype(m, NULL, 0, NULL, 0), NULL, 0, b, 3 * DEPTH + 1);
        EXPECT(m, NULL);
        free(b);
    }
}

static void test_locals(void)
{
    kir_local_group nn = {1, kir_vt_ref(false, false, KIR_HEAP_FUNC)};
    kir_local_group i32s = {3, KIR_I32};
    kir_local_group groups[2] = {i32s, nn};
    kir_module *m;
    /* local.get of an unset non-nullable local */
    m = kir_module_new(&kutil_libc);
    add_func(m, add_functype(m, NULL, 0, NULL, 0), groups, 2, BODY("\x20\x03\x1a\x0b"));
    EXPECT(m, "uninitialized local");
    /* ref.func 0 (declared by an export), local.set 3, local.get 3 */
    m = kir_module_new(&kutil_libc);
    add_func(m, add_functype(m, NULL, 0, NULL, 0), groups, 2, BODY("\xd2\x00\x21\x03\x20\x03\x1a\x0b"));
    kir_export *ex = KIR_PUSH(m, m->exports, m->nexports);
    kir_name_copy(m, &ex->name, "f", 1);
    EXPECT(m, NULL);
    /* set inside a block: unset again after it */
    m = kir_module_new(&kutil_libc);
    add_func(m, add_functype(m, NULL, 0, NULL, 0), groups, 2,
             BODY("\x02\x40\xd2\x00\x21\x03\x20\x03\x1a\x0b\x20\x03\x1a\x0b"));
    ex = KIR_PUSH(m, m->exports, m->nexports);
    kir_name_copy(m, &ex->name, "f", 1);
    EXPECT(m, "uninitialized local");
    /* ref.func of an undeclared function */
    m = kir_module_new(&kutil_libc);
    add_func(m, add_functype(m, NULL, 0, NULL, 0), NULL, 0, BODY("\xd2\x00\x1a\x0b"));
    EXPECT(m, "undeclared function reference");
    /* globals */
    m = kir_module_new(&kutil_libc);
    add_global(m, I32, false, BODY("\x41\x00\x0b"));
    add_func(m, add_functype(m, NULL, 0, NULL, 0), NULL, 0, BODY("\x41\x01\x24\x00\x0b"));
    EXPECT(m, "immutable global");
    m = kir_module_new(&kutil_libc);
    add_func(m, add_functype(m, NULL, 0, NULL, 0), NULL, 0, BODY("\x23\x00\x1a\x0b"));
    EXPECT(m, "unknown global");
}

static void test_memory(void)
{
    kir_module *m;
    /* i32.load without a memory */
    m = fn(NULL, 0, r_i32, 1, BODY("\x41\x00\x28\x02\x00\x0b"));
    EXPECT(m, "unknown memory");
    m = fn(NULL, 0, r_i32, 1, BODY("\x41\x00\x28\x02\x00\x0b"));
    add_memory(m, 1, false);
    EXPECT(m, NULL);
    m = fn(NULL, 0, r_i32, 1, BODY("\x41\x00\x28\x03\x00\x0b"));
    add_memory(m, 1, false);
    EXPECT(m, "alignment must not be larger than natural");
    /* memory64: the address is i64 */
    m = fn(NULL, 0, r_i32, 1, BODY("\x41\x00\x28\x02\x00\x0b"));
    add_memory(m, 1, true);
    EXPECT(m, "type mismatch");
    m = fn(NULL, 0, r_i32, 1, BODY("\x42\x00\x28\x02\x00\x0b"));
    add_memory(m, 1, true);
    EXPECT(m, NULL);
    /* limits */
    m = kir_module_new(&kutil_libc);
    add_memory(m, 65537, false);
    EXPECT(m, "memory size must be at most 65536 pages (4GiB)");
    m = kir_module_new(&kutil_libc);
    add_memory(m, 2, false);
    m->memories[0].limits.has_max = true;
    m->memories[0].limits.max = 1;
    EXPECT(m, "size minimum must not be greater than maximum");
    m = kir_module_new(&kutil_libc);
    add_memory(m, 2, false);
    m->memories[0].page_size_log2 = 2;
    EXPECT(m, "invalid custom page size");
    m = kir_module_new(&kutil_libc);
    add_memory(m, 2, false);
    m->memories[0].limits.shared = true;
    EXPECT(m, "shared memory must have maximum");
    /* atomics need exactly natural alignment: i32.atomic.load align=1 */
    m = fn(NULL, 0, r_i32, 1, BODY("\x41\x00\xfe\x10\x01\x00\x0b"));
    add_memory(m, 1, false);
    EXPECT(m, "atomic alignment must be natural");
    /* i8x16.extract_lane_s 16 */
    m = fn(NULL, 0, r_i32, 1, BODY("\xfd\x0c" "0123456789abcdef" "\xfd\x15\x10\x0b"));
    EXPECT(m, "invalid lane index");
}

static void test_module(void)
{
    kir_module *m;
    /* extended constant expressions */
    m = kir_module_new(&kutil_libc);
    add_global(m, I32, false, BODY("\x41\x01\x41\x02\x6a\x0b"));
    EXPECT(m, NULL);
    m = kir_module_new(&kutil_libc);
    add_global(m, I32, false, BODY("\x41\x01\x41\x02\x6d\x0b"));
    EXPECT(m, "constant expression required");
    m = kir_module_new(&kutil_libc);
    add_global(m, I32, false, BODY("\x23\x00\x0b"));
    EXPECT(m, "unknown global");
    m = kir_module_new(&kutil_libc);
    add_global(m, I32, true, BODY("\x41\x00\x0b"));
    add_global(m, I32, false, BODY("\x23\x00\x0b"));
    EXPECT(m, "constant expression required");
    m = kir_module_new(&kutil_libc);
    add_global(m, I32, false, BODY("\x41\x00\x0b"));
    add_global(m, I32, false, BODY("\x23\x00\x0b"));
    EXPECT(m, NULL);
    m = kir_module_new(&kutil_libc);
    add_global(m, I64, false, BODY("\x41\x00\x0b"));
    EXPECT(m, "type mismatch");
    /* duplicate exports */
    m = kir_module_new(&kutil_libc);
    add_global(m, I32, false, BODY("\x41\x00\x0b"));
    for (int i = 0; i < 2; i++) {
        kir_export *ex = KIR_PUSH(m, m->exports, m->nexports);
        ex->kind = KIR_EXTERN_GLOBAL;
        kir_name_copy(m, &ex->name, "g", 1);
    }
    EXPECT(m, "duplicate export name");
    /* start function */
    m = fn(r_i32, 1, NULL, 0, BODY("\x0b"));
    m->start = 0;
    EXPECT(m, "start function");
    m = fn(NULL, 0, NULL, 0, BODY("\x0b"));
    m->start = 1;
    EXPECT(m, "unknown function");
}

static void test_types(void)
{
    kir_module *m;
    /* (type $t (func)) (type (sub $t (func))): $t is final */
    m = kir_module_new(&kutil_libc);
    add_functype(m, NULL, 0, NULL, 0);
    add_functype(m, NULL, 0, NULL, 0);
    m->types[1].super = 0;
    EXPECT(m, "sub type");
    m = kir_module_new(&kutil_libc);
    add_functype(m, NULL, 0, NULL, 0);
    add_functype(m, NULL, 0, NULL, 0);
    m->types[0].final = false;
    m->types[1].super = 0;
    EXPECT(m, NULL);
    /* struct subtyping: width and depth */
    kir_valtype f2[] = {KIR_I32, kir_vt_ref(false, false, KIR_HEAP_I31)};
    kir_valtype f1[] = {KIR_I32, kir_vt_ref(true, false, KIR_HEAP_EQ)};
    m = kir_module_new(&kutil_libc);
    add_struct(m, f1, NULL, 1);
    add_struct(m, f2, NULL, 2);
    m->types[0].final = false;
    m->types[1].super = 0;
    EXPECT(m, NULL);
    m = kir_module_new(&kutil_libc);
    add_struct(m, f1, NULL, 2);
    add_struct(m, f2, NULL, 2);
    m->types[1].final = false;
    m->types[0].super = 1;
    EXPECT(m, "unknown type"); /* forward supertype */
    m = kir_module_new(&kutil_libc);
    add_struct(m, f2, NULL, 2);
    add_struct(m, f1, NULL, 2);
    m->types[0].final = false;
    m->types[1].super = 0;
    EXPECT(m, "sub type");
    /* reference to a type out of range */
    kir_valtype bad[] = {kir_vt_ref(true, true, 5)};
    m = kir_module_new(&kutil_libc);
    add_struct(m, bad, NULL, 1);
    EXPECT(m, "unknown type");
}

static void test_gc(void)
{
    kir_valtype fs[] = {KIR_I32, KIR_I8};
    bool mut[] = {false, true};
    kir_module *m;
    /* struct.new 0 (i32.const 1) (i32.const 2); struct.get_s 0 1 */
    m = kir_module_new(&kutil_libc);
    add_struct(m, fs, mut, 2);
    add_func(m, add_functype(m, NULL, 0, r_i32, 1), NULL, 0,
             BODY("\x41\x01\x41\x02\xfb\x00\x00\xfb\x03\x00\x01\x0b"));
    EXPECT(m, NULL);
    /* struct.get on a packed field */
    m = kir_module_new(&kutil_libc);
    add_struct(m, fs, mut, 2);
    add_func(m, add_functype(m, NULL, 0, r_i32, 1), NULL, 0,
             BODY("\x41\x01\x41\x02\xfb\x00\x00\xfb\x02\x00\x01\x0b"));
    EXPECT(m, "type mismatch");
    /* struct.set on an immutable field */
    m = kir_module_new(&kutil_libc);
    add_struct(m, fs, mut, 2);
    add_func(m, add_functype(m, NULL, 0, NULL, 0), NULL, 0,
             BODY("\x41\x01\x41\x02\xfb\x00\x00\x41\x05\xfb\x05\x00\x00\x0b"));
    EXPECT(m, "immutable field");
    /* ref.cast (ref i31) of an anyref param, then i31.get_u */
    kir_valtype anyref = kir_vt_ref(true, false, KIR_HEAP_ANY);
    m = fn(&anyref, 1, r_i32, 1, BODY("\x20\x00\xfb\x16\x6c\xfb\x1e\x0b"));
    EXPECT(m, NULL);
    /* ref.cast to a func type from anyref: wrong hierarchy */
    m = fn(&anyref, 1, NULL, 0, BODY("\x20\x00\xfb\x16\x70\x1a\x0b"));
    EXPECT(m, "type mismatch");
}

static void test_exceptions(void)
{
    kir_module *m;
    /* (tag (param i32)) throw 0 with an empty stack */
    m = kir_module_new(&kutil_libc);
    uint32_t tt = add_functype(m, r_i32, 1, NULL, 0);
    kir_tag *tag = KIR_PUSH(m, m->tags, m->ntags);
    tag->type = tt;
    tag->import = KIR_NONE;
    add_func(m, add_functype(m, NULL, 0, NULL, 0), NULL, 0, BODY("\x08\x00\x0b"));
    EXPECT(m, "type mismatch: instruction requires [i32] but stack has []");
    /* block (result i32) try_table (catch 0 0) end unreachable end */
    m = kir_module_new(&kutil_libc);
    tt = add_functype(m, r_i32, 1, NULL, 0);
    tag = KIR_PUSH(m, m->tags, m->ntags);
    tag->type = tt;
    tag->import = KIR_NONE;
    add_func(m, add_functype(m, NULL, 0, r_i32, 1), NULL, 0,
             BODY("\x02\x7f\x1f\x40\x01\x00\x00\x00\x0b\x00\x0b\x0b"));
    EXPECT(m, NULL);
    /* same with catch_ref: the label lacks the exnref */
    m = kir_module_new(&kutil_libc);
    tt = add_functype(m, r_i32, 1, NULL, 0);
    tag = KIR_PUSH(m, m->tags, m->ntags);
    tag->type = tt;
    tag->import = KIR_NONE;
    add_func(m, add_functype(m, NULL, 0, r_i32, 1), NULL, 0,
             BODY("\x02\x7f\x1f\x40\x01\x01\x00\x00\x0b\x00\x0b\x0b"));
    EXPECT(m, "type mismatch");
    /* legacy: try catch_all rethrow 0 end */
    EXPECT(fn(NULL, 0, NULL, 0, BODY("\x06\x40\x19\x09\x00\x0b\x0b")), NULL);
    EXPECT(fn(NULL, 0, NULL, 0, BODY("\x06\x40\x09\x00\x0b\x0b")), "invalid rethrow label");
    /* try (result i32) (do i32.const 1) delegate 0 */
    EXPECT(fn(NULL, 0, r_i32, 1, BODY("\x06\x7f\x41\x01\x18\x00\x0b")), NULL);
}

int main(void)
{
    kir_config_defaults(&g_config);
    g_canon = ktype_canon_new(&kutil_libc);
    if (!g_canon)
        return 1;
    test_basics();
    test_positions();
    test_blocks();
    test_locals();
    test_memory();
    test_module();
    test_types();
    test_gc();
    test_exceptions();
    ktype_canon_free(g_canon);
    if (failures)
        fprintf(stderr, "test_valid_code: %d failure(s)\n", failures);
    else
        printf("test_valid_code: ok\n");
    return failures != 0;
}
