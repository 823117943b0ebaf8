/* The engine configuration behind kite_config_t. */
#ifndef KITE_RUNTIME_CONFIG_H
#define KITE_RUNTIME_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "kite.h"

struct kite_config {
    bool features[KITE_FEATURE_COUNT];
    uint64_t shared_memory_reserve; /* bytes; 0: KRT_SHARED_RESERVE_DEFAULT_CAP */
};

static inline bool krt_feature(const struct kite_config *c, kite_feature_t f)
{
    return c->features[f];
}

/* The default configuration (every default feature on). */
void krt_config_defaults(struct kite_config *c);

#endif
