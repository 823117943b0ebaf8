/*
 * WAST scripts: the commands of the spec testsuite's script format, parsed
 * into a list that the runner (cli/) executes.
 */
#ifndef KITE_TEXT_SCRIPT_H
#define KITE_TEXT_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kite.h"
#include "util/arena.h"

/* A value: an argument constant or an expected-result pattern. */
typedef enum kscr_vkind {
    KSCR_I32,
    KSCR_I64,
    KSCR_F32,
    KSCR_F64,
    KSCR_V128,
    KSCR_REF_NULL,   /* heap = abstract heap code (kir_heap), or 0 when unspecified */
    KSCR_REF_EXTERN, /* has_index: (ref.extern N); without N: any extern reference */
    KSCR_REF_HOST,   /* (ref.host N) */
    KSCR_REF_FUNC,   /* results only: any non-null function reference */
    KSCR_REF_STRUCT,
    KSCR_REF_ARRAY,
    KSCR_REF_I31,
    KSCR_REF_EQ,
    KSCR_REF_ANY,
    KSCR_REF_EXN,
    KSCR_EITHER,     /* results only: any of `alts` */
} kscr_vkind;

typedef enum kscr_nan {
    KSCR_EXACT,          /* compare bits */
    KSCR_NAN_CANONICAL,  /* nan:canonical */
    KSCR_NAN_ARITHMETIC, /* nan:arithmetic */
} kscr_nan;

typedef struct kscr_value {
    kscr_vkind kind;
    kscr_nan nan;           /* F32/F64 */
    uint8_t lane_bits;      /* V128: 8, 16, 32 or 64 */
    bool lane_float;        /* V128: f32x4 / f64x2 */
    kscr_nan lane_nan[4];   /* V128 float lanes */
    union {
        uint32_t i32, f32;
        uint64_t i64, f64;
        uint8_t v128[16];
    } u;
    uint32_t heap;
    bool has_index;
    uint32_t index;
    uint32_t nalts;
    struct kscr_value *alts;
} kscr_value;

typedef enum kscr_action_kind { KSCR_INVOKE, KSCR_GET } kscr_action_kind;

typedef struct kscr_action {
    kscr_action_kind kind;
    const char *module;     /* "$name" or NULL for the latest module */
    const uint8_t *name;    /* export name (decoded string), NUL-terminated */
    size_t name_len;
    uint32_t nargs;
    kscr_value *args;
} kscr_action;

typedef enum kscr_mod_kind {
    KSCR_MOD_TEXT,   /* (module ...): text holds the whole s-expression */
    KSCR_MOD_BINARY, /* (module binary "..."): bytes */
    KSCR_MOD_QUOTE,  /* (module quote "..."): text (module fields or a (module ...)) */
} kscr_mod_kind;

typedef struct kscr_module {
    kscr_mod_kind kind;
    const char *id;        /* "$name" or NULL */
    bool definition;       /* (module definition ...) */
    const char *text;      /* TEXT/QUOTE */
    size_t len;            /* TEXT/QUOTE: text length; BINARY: byte count */
    const uint8_t *bytes;  /* BINARY */
    uint32_t line, col;    /* where `text` starts (TEXT: in the script; QUOTE: 1,1) */
} kscr_module;

typedef enum kscr_cmd_kind {
    KSCR_CMD_MODULE,
    KSCR_CMD_MODULE_INSTANCE, /* (module instance $i? $def?) */
    KSCR_CMD_REGISTER,
    KSCR_CMD_ACTION,
    KSCR_CMD_ASSERT_RETURN,
    KSCR_CMD_ASSERT_TRAP,        /* action, or module (trap during instantiation) */
    KSCR_CMD_ASSERT_EXHAUSTION,
    KSCR_CMD_ASSERT_EXCEPTION,
    KSCR_CMD_ASSERT_INVALID,
    KSCR_CMD_ASSERT_MALFORMED,
    KSCR_CMD_ASSERT_UNLINKABLE,
    KSCR_CMD_ASSERT_UNINSTANTIABLE,
    KSCR_CMD_ASSERT_INVALID_CUSTOM,   /* a custom annotation (@custom, @name, */
    KSCR_CMD_ASSERT_MALFORMED_CUSTOM, /* branch hints) is rejected */
    KSCR_CMD_THREAD, /* (thread $t (shared (module $m))* cmd*): the threads proposal */
    KSCR_CMD_WAIT,   /* (wait $t) */
} kscr_cmd_kind;

typedef struct kscr_cmd {
    kscr_cmd_kind kind;
    uint32_t line, col;
    bool has_module;         /* module commands, module asserts, assert_trap on a module */
    kscr_module module;
    /* module instance, and assert_unlinkable / assert_trap on one: the
     * module is the definition named reg_module (NULL: the latest one). */
    bool instantiates_def;
    bool has_action;
    kscr_action action;
    uint32_t nresults;       /* assert_return */
    kscr_value *results;
    const char *message;     /* assert_* expected message, NUL-terminated */
    const char *reg_name;    /* register: the name (decoded, NUL-terminated) */
    const char *reg_module;  /* register: "$id" or NULL; instantiates_def: definition id */
    const char *instance_id; /* module instance: "$i"; thread, wait: "$t" (or NULL) */
    /* thread: the modules (ids) it shares with its parent, and its body: the
     * nbody commands that follow this one (nested threads' bodies included) */
    const char **shared;
    uint32_t nshared;
    uint32_t nbody;
} kscr_cmd;

typedef struct kscr_script {
    kutil_arena arena; /* owns everything below */
    uint32_t ncmds;
    kscr_cmd *cmds;
} kscr_script;

/*
 * Parse a whole script, allocating with `alloc` (which must outlive the
 * script). The script keeps pointers into `src`, which must outlive it. On
 * error *out is NULL and the error has line:column.
 */
kite_error_t *kscr_parse(const kite_allocator_t *alloc, const char *src, size_t len,
                         kscr_script **out);
void kscr_free(kscr_script *script);

#endif
