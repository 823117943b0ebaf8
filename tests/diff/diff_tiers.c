/*
 * kite-diff-tiers: runs each module given in the interpreter, in tier jit
 * and in tier auto (tiering up after 3 calls or loop iterations), and
 * compares what each run observed (diff_run.h). For random modules from
 * binaryen's `wasm-opt -ttf` (tests/diff/diff-tiers.sh makes them).
 *
 *   kite-diff-tiers FILE.wasm...      exit 1 when some module's tiers differ
 */
#include "diff_run.h"

#define FUEL 2000000u

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            uint8_t *p = realloc(buf, cap);
            if (!p) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = p;
        }
        size_t k = fread(buf + n, 1, cap - n, f);
        if (k == 0)
            break;
        n += k;
    }
    fclose(f);
    *len = n;
    return buf;
}

int main(int argc, char **argv)
{
    static const struct {
        kite_tier_t tier;
        uint32_t threshold;
        const char *name;
    } tiers[] = {{KITE_TIER_JIT, 0, "jit"}, {KITE_TIER_AUTO, 3, "auto:3"}};
    int bad = 0, compared = 0, skipped = 0;
    int in_tier[sizeof(tiers) / sizeof(tiers[0])] = {0}; /* modules the tier ran (not refused) */
    for (int i = 1; i < argc; i++) {
        size_t len;
        uint8_t *bytes = read_file(argv[i], &len);
        if (!bytes) {
            fprintf(stderr, "%s: cannot read\n", argv[i]);
            bad++;
            continue;
        }
        transcript ref = {0};
        bool unsupported = false;
        if (!run_module(bytes, len, KITE_TIER_INTERP, 0, FUEL, &ref, &unsupported)) {
            skipped++; /* not a module kite runs (or imports something else) */
            free(bytes);
            free(ref.text);
            continue;
        }
        for (size_t t = 0; t < sizeof(tiers) / sizeof(tiers[0]); t++) {
            transcript got = {0};
            unsupported = false;
            run_module(bytes, len, tiers[t].tier, tiers[t].threshold, FUEL, &got, &unsupported);
            if (unsupported) {
                free(got.text);
                continue;
            }
            in_tier[t]++;
            if (strcmp(ref.text ? ref.text : "", got.text ? got.text : "") != 0) {
                bad++;
                printf("MISMATCH %s (tier %s)\n--- interp\n%s--- %s\n%s", argv[i], tiers[t].name,
                       ref.text ? ref.text : "", tiers[t].name, got.text ? got.text : "");
            }
            free(got.text);
        }
        compared++;
        free(ref.text);
        free(bytes);
    }
    printf("%d modules compared (", compared);
    for (size_t t = 0; t < sizeof(tiers) / sizeof(tiers[0]); t++)
        printf("%s%s: %d", t ? ", " : "", tiers[t].name, in_tier[t]);
    printf(" not refused), %d skipped, %d mismatches\n", skipped, bad);
    return bad ? 1 : 0;
}
