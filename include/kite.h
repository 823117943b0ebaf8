/*
 * kite — an embeddable WebAssembly runtime.
 *
 * Ownership: a function returning a pointer the caller must release says so;
 * `kite_error_t *` results are NULL on success, otherwise owned by the caller
 * and released with kite_error_free. The library never prints, never exits
 * and never aborts.
 *
 * Threads: an engine may be shared by threads; a module, once created, is
 * immutable and may be shared too.
 */
#ifndef KITE_H
#define KITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define KITE_API
#elif defined(__GNUC__)
#define KITE_API __attribute__((visibility("default")))
#else
#define KITE_API
#endif

/* ---- allocation ---------------------------------------------------------- */

/* Replaces malloc/realloc/free for all of kite. Set once, before any other call. */
typedef struct kite_allocator {
    void *(*realloc)(void *user, void *ptr, size_t size);
    void (*free)(void *user, void *ptr);
    void *user;
} kite_allocator_t;
KITE_API void kite_set_allocator(const kite_allocator_t *allocator);

/* ---- errors ------------------------------------------------------------ */

typedef enum kite_error_code {
    KITE_ERROR_MALFORMED = 1,   /* the binary or text cannot be read */
    KITE_ERROR_INVALID,         /* the module does not validate */
    KITE_ERROR_UNLINKABLE,      /* imports cannot be satisfied */
    KITE_ERROR_UNINSTANTIABLE,  /* instantiation failed (e.g. a trap in init) */
    KITE_ERROR_OUT_OF_MEMORY,
    KITE_ERROR_LIMIT,           /* an implementation or configured limit */
    KITE_ERROR_IO,
    KITE_ERROR_ARGUMENT,        /* a bad argument from the embedder or user */
} kite_error_code_t;

typedef struct kite_error kite_error_t;

/* Where an error was found: a byte offset in a binary, or a line and column
 * (both 1-based) in a text. Unknown parts are 0 / has_* false. */
typedef struct kite_position {
    bool has_offset;
    uint64_t offset;
    bool has_line;
    uint32_t line, column;
} kite_position_t;

KITE_API kite_error_code_t kite_error_code(const kite_error_t *error);
/* The cause, in the spec's wording where the spec has one (e.g. "unexpected end"). */
KITE_API const char *kite_error_message(const kite_error_t *error);
KITE_API kite_position_t kite_error_position(const kite_error_t *error);
KITE_API void kite_error_free(kite_error_t *error);

/* ---- features and configuration ------------------------------------------ */

typedef enum kite_feature {
#define KITE_FEATURE(id, name, on_by_default, implies, help) KITE_FEATURE_##id,
#include "kite_features.def"
#undef KITE_FEATURE
    KITE_FEATURE_COUNT
} kite_feature_t;

typedef struct kite_config kite_config_t;

/* A configuration with every default; NULL when out of memory. */
KITE_API kite_config_t *kite_config_new(void);
KITE_API void kite_config_free(kite_config_t *config);
/* Enabling a feature also enables the features it implies. */
KITE_API void kite_config_set_feature(kite_config_t *config, kite_feature_t feature, bool enabled);
KITE_API bool kite_config_feature(const kite_config_t *config, kite_feature_t feature);
/* Feature by its name (as in the CLI flags), or -1. */
KITE_API int kite_feature_by_name(const char *name);
KITE_API const char *kite_feature_name(kite_feature_t feature);
KITE_API const char *kite_feature_help(kite_feature_t feature);

/* ---- engine ---------------------------------------------------------------- */

typedef struct kite_engine kite_engine_t;

/* The config is copied; NULL config means defaults. NULL when out of memory. */
KITE_API kite_engine_t *kite_engine_new(const kite_config_t *config);
KITE_API void kite_engine_free(kite_engine_t *engine);

/* ---- modules ----------------------------------------------------------------- */

typedef struct kite_module kite_module_t;

/* Decode and validate a binary module. On success *out is the caller's. */
KITE_API kite_error_t *kite_module_new(kite_engine_t *engine, const uint8_t *bytes, size_t len,
                                       kite_module_t **out);
/* Parse (WAT) and validate a text module. */
KITE_API kite_error_t *kite_module_new_text(kite_engine_t *engine, const char *text, size_t len,
                                            kite_module_t **out);
/* Either of the above, chosen by the content (binary magic or text). */
KITE_API kite_error_t *kite_module_new_any(kite_engine_t *engine, const uint8_t *bytes,
                                           size_t len, kite_module_t **out);
KITE_API void kite_module_free(kite_module_t *module);

#ifdef __cplusplus
}
#endif

#endif
