/*
 * LEB128 and the other primitive readers of src/binary/reader.c: values,
 * the longest allowed encodings, and each error with the spec's wording and
 * its byte offset.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "binary/reader.h"
#include "util/alloc.h"
#include "util/error.h"

#include "check.h"

enum kind { U32, U64, S32, S33, S64 };

static const char *kind_name(enum kind k)
{
    static const char *names[] = {"u32", "u64", "s32", "s33", "s64"};
    return names[k];
}

static bool read_kind(kdec_reader *r, enum kind k, uint64_t *out)
{
    switch (k) {
    case U32: {
        uint32_t v;
        if (!kdec_u32(r, &v))
            return false;
        *out = v;
        return true;
    }
    case U64: return kdec_u64(r, out);
    case S32: {
        int32_t v;
        if (!kdec_s32(r, &v))
            return false;
        *out = (uint64_t)(int64_t)v;
        return true;
    }
    case S33: {
        int64_t v;
        if (!kdec_s33(r, &v))
            return false;
        *out = (uint64_t)v;
        return true;
    }
    case S64: {
        int64_t v;
        if (!kdec_s64(r, &v))
            return false;
        *out = (uint64_t)v;
        return true;
    }
    }
    return false;
}

/* The bytes decode to `want` (signed kinds compare sign-extended) and are
 * consumed completely. */
static void ok(int line, enum kind k, const uint8_t *bytes, size_t len, uint64_t want)
{
    kdec_reader r;
    kdec_reader_init(&r, &kutil_libc, bytes, len, 0);
    uint64_t got = 0;
    bool okay = read_kind(&r, k, &got);
    CHECK(okay, "line %d: %s failed: %s", line, kind_name(k),
          r.error ? kite_error_message(r.error) : "?");
    if (okay) {
        CHECK(got == want, "line %d: %s got %#" PRIx64 " want %#" PRIx64, line, kind_name(k), got,
              want);
        CHECK(kdec_at_end(&r), "line %d: %s left %zu bytes", line, kind_name(k),
              (size_t)(r.end - r.p));
    }
    kite_error_free(r.error);
}

/* The bytes fail with a message starting with `msg` at byte `offset` (the
 * reader's base is 100, so offsets are checked as base-relative). */
static void bad(int line, enum kind k, const uint8_t *bytes, size_t len, const char *msg,
                uint64_t offset)
{
    kdec_reader r;
    kdec_reader_init(&r, &kutil_libc, bytes, len, 100);
    uint64_t got = 0;
    bool okay = read_kind(&r, k, &got);
    CHECK(!okay, "line %d: %s unexpectedly read %#" PRIx64, line, kind_name(k), got);
    if (!okay) {
        CHECK(r.error != NULL, "line %d: no error recorded", line);
        if (r.error) {
            const char *m = kite_error_message(r.error);
            kite_position_t pos = kite_error_position(r.error);
            CHECK(kite_error_code(r.error) == KITE_ERROR_MALFORMED, "line %d: wrong code", line);
            CHECK(strncmp(m, msg, strlen(msg)) == 0, "line %d: %s: got \"%s\" want \"%s\"", line,
                  kind_name(k), m, msg);
            CHECK(pos.has_offset && pos.offset == 100 + offset,
                  "line %d: %s: error at %" PRIu64 " want %" PRIu64, line, kind_name(k),
                  pos.offset - 100, offset);
            /* Errors are sticky: the next read fails without a new error. */
            kite_error_t *first = r.error;
            CHECK(!read_kind(&r, k, &got), "line %d: read after error succeeded", line);
            CHECK(r.error == first, "line %d: error replaced", line);
        }
    }
    kite_error_free(r.error);
}

#define B(...) (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})
#define OK(k, want, ...) ok(__LINE__, k, B(__VA_ARGS__), want)
#define BAD(k, msg, off, ...) bad(__LINE__, k, B(__VA_ARGS__), msg, off)

#define TOO_LONG "integer representation too long"
#define TOO_LARGE "integer too large"
#define EOS "unexpected end"

static void test_u32(void)
{
    OK(U32, 0, 0x00);
    OK(U32, 127, 0x7F);
    OK(U32, 128, 0x80, 0x01);
    OK(U32, 624485, 0xE5, 0x8E, 0x26);
    OK(U32, 0, 0x80, 0x80, 0x80, 0x80, 0x00);          /* padded to the maximum length */
    OK(U32, UINT32_MAX, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F);
    OK(U32, 1u << 28, 0x80, 0x80, 0x80, 0x80, 0x01);
    BAD(U32, TOO_LARGE, 4, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F);
    BAD(U32, TOO_LARGE, 4, 0x80, 0x80, 0x80, 0x80, 0x10);
    BAD(U32, TOO_LARGE, 4, 0x80, 0x80, 0x80, 0x80, 0x70);
    BAD(U32, TOO_LONG, 5, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
    BAD(U32, TOO_LONG, 5, 0x80, 0x80, 0x80, 0x80, 0x8F);  /* too long even at the end */
    BAD(U32, EOS, 1, 0x80);
    BAD(U32, EOS, 3, 0xFF, 0xFF, 0xFF);
    bad(__LINE__, U32, (const uint8_t *)"", 0, EOS, 0);
}

static void test_u64(void)
{
    OK(U64, 0, 0x00);
    OK(U64, 300, 0xAC, 0x02);
    OK(U64, UINT64_MAX, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01);
    OK(U64, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
    OK(U64, 1ull << 32, 0x80, 0x80, 0x80, 0x80, 0x10);
    BAD(U64, TOO_LARGE, 9, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02);
    BAD(U64, TOO_LARGE, 9, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7E);
    BAD(U64, TOO_LONG, 10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
    BAD(U64, EOS, 9, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80);
}

static void test_s32(void)
{
    OK(S32, 0, 0x00);
    OK(S32, 63, 0x3F);
    OK(S32, (uint64_t)-64, 0x40);
    OK(S32, (uint64_t)-1, 0x7F);
    OK(S32, 64, 0xC0, 0x00);
    OK(S32, (uint64_t)-128, 0x80, 0x7F);
    OK(S32, (uint64_t)-1, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F); /* padded with sign bits */
    OK(S32, INT32_MAX, 0xFF, 0xFF, 0xFF, 0xFF, 0x07);
    OK(S32, (uint64_t)(int64_t)INT32_MIN, 0x80, 0x80, 0x80, 0x80, 0x78);
    /* The last byte's bits above the sign must copy it. */
    BAD(S32, TOO_LARGE, 4, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F);
    BAD(S32, TOO_LARGE, 4, 0x80, 0x80, 0x80, 0x80, 0x70);
    BAD(S32, TOO_LARGE, 4, 0x80, 0x80, 0x80, 0x80, 0x1F);
    BAD(S32, TOO_LONG, 5, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F);
    BAD(S32, TOO_LONG, 5, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
    BAD(S32, EOS, 2, 0xFF, 0xFF);
}

static void test_s33(void)
{
    OK(S33, (uint64_t)-1, 0x7F);
    OK(S33, 0x40, 0xC0, 0x00);
    OK(S33, UINT32_MAX, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F); /* positive in 33 bits */
    OK(S33, (uint64_t)-(1ll << 32), 0x80, 0x80, 0x80, 0x80, 0x70);
    OK(S33, (uint64_t)-1, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F);
    BAD(S33, TOO_LARGE, 4, 0x80, 0x80, 0x80, 0x80, 0x20);
    BAD(S33, TOO_LARGE, 4, 0xFF, 0xFF, 0xFF, 0xFF, 0x4F);
    BAD(S33, TOO_LONG, 5, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
    BAD(S33, EOS, 1, 0x80);
}

static void test_s64(void)
{
    OK(S64, (uint64_t)-1, 0x7F);
    OK(S64, 0x3FFF, 0xFF, 0xFF, 0x00);
    OK(S64, INT64_MAX, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00);
    OK(S64, (uint64_t)INT64_MIN, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7F);
    OK(S64, (uint64_t)-1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F);
    OK(S64, 1ull << 32, 0x80, 0x80, 0x80, 0x80, 0x10);
    BAD(S64, TOO_LARGE, 9, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01);
    BAD(S64, TOO_LARGE, 9, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7E);
    BAD(S64, TOO_LONG, 10, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F);
    BAD(S64, EOS, 3, 0x80, 0x80, 0x80);
}

/* Reading continues where the previous number ended. */
static void test_sequence(void)
{
    static const uint8_t bytes[] = {0xE5, 0x8E, 0x26, 0x7F, 0x01, 0xAA, 0xBB};
    kdec_reader r;
    kdec_reader_init(&r, &kutil_libc, bytes, sizeof bytes, 10);
    uint32_t a = 0;
    int32_t b = 0;
    uint8_t c = 0;
    const uint8_t *d = NULL;
    CHECK(kdec_u32(&r, &a) && a == 624485, "sequence u32");
    CHECK(kdec_s32(&r, &b) && b == -1, "sequence s32");
    CHECK(kdec_offset(&r) == 14, "offset after two numbers: %" PRIu64, kdec_offset(&r));
    CHECK(kdec_u8(&r, &c) && c == 1, "sequence u8");
    CHECK(kdec_bytes(&r, 2, &d) && d == bytes + 5, "sequence bytes");
    CHECK(kdec_at_end(&r), "sequence end");
    CHECK(!kdec_u8(&r, &c), "u8 at end");
    CHECK(r.error && kite_error_position(r.error).offset == 17, "u8 at end: offset");
    kite_error_free(r.error);

    kdec_reader_init(&r, &kutil_libc, bytes, sizeof bytes, 0);
    CHECK(!kdec_bytes(&r, 8, &d), "bytes past end");
    CHECK(r.error && strncmp(kite_error_message(r.error), EOS, strlen(EOS)) == 0,
          "bytes past end: message");
    CHECK(r.p == bytes, "bytes past end must not advance");
    kite_error_free(r.error);
}

int main(void)
{
    test_u32();
    test_u64();
    test_s32();
    test_s33();
    test_s64();
    test_sequence();
    if (g_failures) {
        printf("%d failure(s)\n", g_failures);
        return 1;
    }
    printf("test_binary_leb128: all passed\n");
    return 0;
}
