/*
 * The engine configuration behind kite_config_t: which features are on,
 * the allocator.
 * It sits beside the IR because every stage reads it: the decoder and the
 * text parser (what they accept), the validator, the runtime.
 */
#ifndef KITE_IR_CONFIG_H
#define KITE_IR_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "kite.h"

struct kite_config {
    bool features[KITE_FEATURE_COUNT];
    uint64_t shared_memory_reserve; /* bytes; 0: KRT_SHARED_RESERVE_DEFAULT_CAP */
    uint64_t memory_reserve;        /* bytes; 0: the default (krt_memory_opts.reserve_cap) */
    kite_allocator_t alloc; /* everything of an engine made with it */
    bool gc_stress;         /* kite_config_set_gc_stress */
    kite_tier_t tier;
    uint32_t tier_threshold; /* 0: the default */
    bool jit_baseline;       /* kite_config_set_jit_baseline */
    bool jit_no_avx;         /* kite_config_set_jit_avx(false) */
};

static inline bool kir_feature(const struct kite_config *c, kite_feature_t f)
{
    return c->features[f];
}

/* The default configuration (every default feature on, the C library's
 * allocator). */
void kir_config_defaults(struct kite_config *c);

#endif
