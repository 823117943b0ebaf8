/*
 * Every input a fuzzer once crashed on, replayed through the same entry
 * points as the fuzz targets: tests/fuzz/regressions/decode/ (binary modules)
 * and tests/fuzz/regressions/text/ (WAT modules / WAST scripts). Each must
 * simply be accepted or rejected; the sanitizer build checks the rest.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kite.h"
#include "text/script.h"
#include "util/alloc.h"

static unsigned char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc((size_t)(n > 0 ? n : 1));
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static int replay_dir(kite_engine_t *engine, const char *sub, int text)
{
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/tests/fuzz/regressions/%s", KITE_SOURCE_DIR, sub);
    DIR *d = opendir(dir);
    if (!d) {
        printf("FAIL: cannot open %s\n", dir);
        return 1;
    }
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[8192];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        size_t len;
        unsigned char *bytes = read_all(path, &len);
        if (!bytes) {
            printf("FAIL: cannot read %s\n", path);
            closedir(d);
            return 1;
        }
        kite_module_t *m = NULL;
        kite_error_t *err = text ? kite_module_new_text(engine, (const char *)bytes, len, &m)
                                 : kite_module_new(engine, bytes, len, &m);
        kite_error_free(err);
        kite_module_free(m);
        if (text) {
            kscr_script *script = NULL;
            err = kscr_parse(&kutil_libc, (const char *)bytes, len, &script);
            kite_error_free(err);
            kscr_free(script);
        }
        free(bytes);
        count++;
    }
    closedir(d);
    printf("%s: %d inputs replayed\n", sub, count);
    return 0;
}

int main(void)
{
    kite_engine_t *engine = kite_engine_new(NULL);
    if (!engine)
        return 1;
    int failed = replay_dir(engine, "decode", 0) | replay_dir(engine, "text", 1);
    kite_engine_free(engine);
    return failed;
}
