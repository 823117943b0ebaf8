#include "ir/config.h"

#include <string.h>

#include "util/alloc.h"

#define KITE_FEATURE_BIT(id) (1u << KITE_FEATURE_##id)

typedef struct feature_row {
    const char *name;
    bool on_by_default;
    unsigned implies;
    const char *help;
} feature_row;

static const feature_row g_features[KITE_FEATURE_COUNT] = {
#define KITE_FEATURE(id, name, on, implies, help) [KITE_FEATURE_##id] = {name, on, implies, help},
#include "kite_features.def"
#undef KITE_FEATURE
};

void kir_config_defaults(struct kite_config *c)
{
    c->shared_memory_reserve = 0;
    c->memory_reserve = 0;
    for (int f = 0; f < KITE_FEATURE_COUNT; f++)
        c->features[f] = g_features[f].on_by_default;
    c->alloc = kutil_libc;
    c->gc_stress = false;
    c->tier = KITE_TIER_AUTO;
    c->tier_threshold = 0;
    c->jit_baseline = false;
    c->jit_no_avx = false;
}

void kite_config_set_tier_threshold(kite_config_t *config, uint32_t n) { config->tier_threshold = n; }

void kite_config_set_jit_baseline(kite_config_t *config, bool baseline) { config->jit_baseline = baseline; }
void kite_config_set_jit_avx(kite_config_t *config, bool avx) { config->jit_no_avx = !avx; }

void kite_config_set_tier(kite_config_t *config, kite_tier_t tier)
{
    if (tier == KITE_TIER_INTERP || tier == KITE_TIER_JIT || tier == KITE_TIER_AUTO)
        config->tier = tier;
}

kite_tier_t kite_config_tier(const kite_config_t *config) { return config->tier; }

int kite_tier_by_name(const char *name)
{
    static const char *const names[] = {[KITE_TIER_INTERP] = "interp", [KITE_TIER_JIT] = "jit",
                                        [KITE_TIER_AUTO] = "auto"};
    for (int t = 0; t < (int)(sizeof(names) / sizeof(names[0])); t++)
        if (strcmp(names[t], name) == 0)
            return t;
    return -1;
}

/* A configuration exists before its engine: the C library allocates it. */
kite_config_t *kite_config_new(void)
{
    kite_config_t *c = kutil_malloc(&kutil_libc, sizeof(*c));
    if (c)
        kir_config_defaults(c);
    return c;
}

void kite_config_free(kite_config_t *config) { kutil_free(&kutil_libc, config); }

void kite_config_set_allocator(kite_config_t *config, const kite_allocator_t *allocator)
{
    config->alloc = allocator ? *allocator : kutil_libc;
}

void kite_config_set_shared_memory_reserve(kite_config_t *config, uint64_t bytes)
{
    config->shared_memory_reserve = bytes;
}

void kite_config_set_memory_reserve(kite_config_t *config, uint64_t bytes)
{
    config->memory_reserve = bytes;
}

void kite_config_set_gc_stress(kite_config_t *config, bool enabled) { config->gc_stress = enabled; }

void kite_config_set_feature(kite_config_t *config, kite_feature_t feature, bool enabled)
{
    if ((unsigned)feature >= KITE_FEATURE_COUNT)
        return;
    config->features[feature] = enabled;
    if (!enabled)
        return;
    for (int f = 0; f < KITE_FEATURE_COUNT; f++)
        if ((g_features[feature].implies >> f) & 1u)
            kite_config_set_feature(config, (kite_feature_t)f, true);
}

bool kite_config_feature(const kite_config_t *config, kite_feature_t feature)
{
    return (unsigned)feature < KITE_FEATURE_COUNT && config->features[feature];
}

int kite_feature_by_name(const char *name)
{
    for (int f = 0; f < KITE_FEATURE_COUNT; f++)
        if (strcmp(g_features[f].name, name) == 0)
            return f;
    return -1;
}

const char *kite_feature_name(kite_feature_t feature)
{
    return (unsigned)feature < KITE_FEATURE_COUNT ? g_features[feature].name : NULL;
}

const char *kite_feature_help(kite_feature_t feature)
{
    return (unsigned)feature < KITE_FEATURE_COUNT ? g_features[feature].help : NULL;
}
