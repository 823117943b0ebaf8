/* Deeply nested input must be handled with explicit stacks: no C stack overflow. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kite.h"

enum { DEPTH = 200000 };

static int failures;

static void check(int ok, const char *what)
{
    if (!ok) {
        printf("FAIL: %s\n", what);
        failures++;
    }
}

/* (module (func (block (block ... (nop) ... )))) in text, folded. */
static void folded_text(kite_engine_t *engine)
{
    size_t cap = (size_t)DEPTH * 10 + 64, n = 0;
    char *s = malloc(cap);
    n += (size_t)sprintf(s + n, "(module (func ");
    for (int i = 0; i < DEPTH; i++)
        n += (size_t)sprintf(s + n, "(block ");
    n += (size_t)sprintf(s + n, "(nop)");
    for (int i = 0; i < DEPTH; i++)
        s[n++] = ')';
    n += (size_t)sprintf(s + n, "))");
    kite_module_t *m = NULL;
    kite_error_t *err = kite_module_new_text(engine, s, n, &m);
    check(err == NULL, "deeply nested folded text module is valid");
    if (err)
        printf("  %s\n", kite_error_message(err));
    kite_error_free(err);
    kite_module_free(m);

    /* The same with one closing paren missing: an error, not a crash. */
    err = kite_module_new_text(engine, s, n - 1, &m);
    check(err != NULL, "unbalanced deeply nested text is rejected");
    kite_error_free(err);
    free(s);
}

/* A binary function body of DEPTH nested blocks. */
static void nested_binary(kite_engine_t *engine)
{
    size_t body_len = 1 + (size_t)DEPTH * 2 + (size_t)DEPTH + 1; /* locals, blocks, ends, end */
    size_t cap = body_len + 64, n = 0;
    unsigned char *b = malloc(cap);
    static const unsigned char head[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0};
    memcpy(b, head, sizeof(head));
    n = sizeof(head);
    b[n++] = 10; /* code section */
    size_t sec_len = 1 + 5 + body_len;
    for (int i = 0; i < 5; i++, sec_len >>= 7)
        b[n++] = (unsigned char)((sec_len & 0x7f) | (i < 4 ? 0x80 : 0));
    b[n++] = 1;
    size_t len = body_len;
    for (int i = 0; i < 5; i++, len >>= 7)
        b[n++] = (unsigned char)((len & 0x7f) | (i < 4 ? 0x80 : 0));
    b[n++] = 0; /* no locals */
    for (int i = 0; i < DEPTH; i++) {
        b[n++] = 0x02;
        b[n++] = 0x40;
    }
    for (int i = 0; i < DEPTH; i++)
        b[n++] = 0x0b;
    b[n++] = 0x0b;
    kite_module_t *m = NULL;
    kite_error_t *err = kite_module_new(engine, b, n, &m);
    check(err == NULL, "deeply nested binary module is valid");
    if (err)
        printf("  %s\n", kite_error_message(err));
    kite_error_free(err);
    kite_module_free(m);
    free(b);
}

int main(void)
{
    kite_engine_t *engine = kite_engine_new(NULL);
    if (!engine)
        return 1;
    folded_text(engine);
    nested_binary(engine);
    kite_engine_free(engine);
    if (failures == 0)
        printf("ok\n");
    return failures != 0;
}
