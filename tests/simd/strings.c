/*
 * memcpy/strlen-heavy work on N thousand strings (argv[1], default 8):
 * records copied with memcpy (fixed sizes become v128 loads and stores with
 * -msimd128), strings built with memcpy/strcpy/strcat, measured with
 * strlen, searched with memchr/strchr/strstr, sorted with strcmp, and a
 * vectorizable upper-casing and checksum pass over each.
 */
#include "common.h"

#define MAXN 1024

typedef struct record {
    char name[40];
    uint32_t id;
    uint16_t tag[6];
    double weight;
} record;

static record recs[MAXN * 1000 / 8];
static char *strs[MAXN * 1000 / 8];
static char arena[MAXN * 1000 / 8 * 96];

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void upper(char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        s[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
}

int main(int argc, char **argv)
{
    unsigned n = arg_size(argc, argv, 8, MAXN) * 1000 / 8;
    static const char *const words[] = {"kite", "simd", "vector", "lane", "shuffle", "swizzle", "splat",
                                        "bitmask", "narrow", "extend", "saturate", "relaxed"};
    char *cur = arena;
    size_t total = 0;
    for (unsigned i = 0; i < n; i++) {
        record r;
        memset(&r, 0, sizeof r);
        r.id = rng();
        for (int k = 0; k < 6; k++)
            r.tag[k] = (uint16_t)rng();
        r.weight = (double)(rng() % 100000) / 8.0;
        strcpy(r.name, words[rng() % 12]);
        strcat(r.name, "-");
        strcat(r.name, words[rng() % 12]);
        memcpy(&recs[i], &r, sizeof r);
        size_t len = strlen(recs[i].name);
        strs[i] = cur;
        memcpy(cur, recs[i].name, len);
        cur[len] = '/';
        memcpy(cur + len + 1, words[r.id % 12], strlen(words[r.id % 12]) + 1);
        total += strlen(cur);
        cur += strlen(cur) + 1;
    }
    qsort(strs, n, sizeof strs[0], cmp);
    uint32_t h = FNV_INIT;
    unsigned dashes = 0, found = 0;
    for (unsigned i = 0; i < n; i++) {
        size_t len = strlen(strs[i]);
        if (memchr(strs[i], '-', len))
            dashes++;
        if (strstr(strs[i], "lane"))
            found++;
        char buf[96];
        memcpy(buf, strs[i], len + 1);
        upper(buf, len);
        h = fnv(h, buf, len);
    }
    record sum;
    memcpy(&sum, &recs[n / 2], sizeof sum);
    printf("strings n=%u total %zu dashes %u lane %u hash %08x\n", n, total, dashes, found, h);
    printf("first %s last %s mid %s %u\n", strs[0], strs[n - 1], sum.name, sum.id);
    return 0;
}
