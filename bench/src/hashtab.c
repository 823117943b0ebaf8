/*
 * Hash-table workload: open addressing with linear probing and tombstones on
 * a power-of-two table of (u32 key, u32 value) pairs. Inserts, updates,
 * lookups (half of them misses) and deletions over keys from a PRNG.
 */
#include "bench.h"

#define TABLE_BITS 20
#define TABLE_SIZE (1u << TABLE_BITS)
#define EMPTY 0u
#define TOMBSTONE 1u /* keys 0 and 1 are reserved; generated keys avoid them */

BENCH_PARAM(uint32_t, n_keys, 600000);
BENCH_PARAM(uint32_t, rounds, 6);

typedef struct slot {
    uint32_t key, value;
} slot;

static slot table[TABLE_SIZE];

static inline uint32_t hash32(uint32_t k)
{
    k ^= k >> 16;
    k *= 0x7feb352du;
    k ^= k >> 15;
    k *= 0x846ca68bu;
    k ^= k >> 16;
    return k;
}

/* Key number i of a stream: never a reserved value, and distinct for distinct
 * i (hash32 is a bijection) except where a reserved value is remapped, which
 * at worst sends one key down the update path. */
static inline uint32_t key_of(uint32_t i, uint32_t salt)
{
    uint32_t k = hash32(i ^ salt);
    return k < 2 ? k + 2 + (i & 0xffu) * 4 : k;
}

static BENCH_NOINLINE void insert(uint32_t key, uint32_t value)
{
    uint32_t mask = TABLE_SIZE - 1, i = hash32(key) & mask, grave = UINT32_MAX;
    for (;;) {
        uint32_t k = table[i].key;
        if (k == key) {
            table[i].value += value;
            return;
        }
        if (k == EMPTY)
            break;
        if (k == TOMBSTONE && grave == UINT32_MAX)
            grave = i;
        i = (i + 1) & mask;
    }
    if (grave != UINT32_MAX)
        i = grave;
    table[i].key = key;
    table[i].value = value;
}

static BENCH_NOINLINE slot *lookup(uint32_t key)
{
    uint32_t mask = TABLE_SIZE - 1, i = hash32(key) & mask;
    for (;;) {
        uint32_t k = table[i].key;
        if (k == key)
            return &table[i];
        if (k == EMPTY)
            return 0;
        i = (i + 1) & mask;
    }
}

static uint32_t probe_all(uint32_t n, uint32_t salt, uint32_t h)
{
    /* Look up present keys and, interleaved, keys never inserted. */
    uint32_t found = 0, sum = 0;
    for (uint32_t i = 0; i < n; i++) {
        slot *s = lookup(key_of(i, salt));
        if (s) {
            found++;
            sum += s->value;
        }
        if (lookup(key_of(i + n, salt)))
            found += 1000;
    }
    return bench_mix(bench_mix(h, found), sum);
}

BENCH_EXPORT uint32_t run(void)
{
    uint32_t n = n_keys, r = rounds;
    if (n > TABLE_SIZE / 10 * 6)
        n = TABLE_SIZE / 10 * 6; /* keep the load factor at or below 0.6 */

    uint32_t h = BENCH_MIX_INIT;
    for (uint32_t round = 0; round < r; round++) {
        /* Start each round from an empty table: tombstones never turn back
         * into empty slots, so without this they would pile up across rounds
         * until probes for missing keys never terminated. */
        for (uint32_t i = 0; i < TABLE_SIZE; i++)
            table[i].key = table[i].value = EMPTY;
        uint32_t salt = 0x5bd1e995u * (round + 1);
        /* Insert; every fourth key twice, which takes the update path. */
        for (uint32_t i = 0; i < n; i++) {
            insert(key_of(i, salt), i);
            if ((i & 3) == 0)
                insert(key_of(i, salt), 1);
        }
        h = probe_all(n, salt, h);
        /* Delete every other key; the second pass probes through tombstones. */
        for (uint32_t i = 0; i < n; i += 2) {
            slot *s = lookup(key_of(i, salt));
            if (s)
                s->key = TOMBSTONE;
        }
        h = probe_all(n, salt, h);
    }
    return h;
}

BENCH_MAIN("hashtab")
