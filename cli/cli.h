/* The kite command: shared helpers of its subcommands. */
#ifndef KITE_CLI_H
#define KITE_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kite.h"

/* Read a whole file; NULL (and a message on stderr) on failure. Caller frees. */
char *cli_read_file(const char *path, size_t *len);
/* "FILE:offset: message" or "FILE:line:col: message". */
void cli_print_error(FILE *out, const char *file, const kite_error_t *err);

/* A byte count: decimal digits with an optional k, m or g suffix (times
 * 1024, 1024^2, 1024^3); false when malformed or too large. */
bool cli_parse_size(const char *s, uint64_t *out);

/* A duration: decimal digits with an optional unit us, ms, s (the
 * default), m or h, more than zero; false when malformed or too large. */
bool cli_parse_duration(const char *s, uint64_t *ns);

/* --timeout: interrupts the store's Wasm code after timeout_ns (enabling
 * interrupts in the store); NULL when it cannot start a thread. Stopping
 * returns whether the time ran out. */
typedef struct cli_watchdog cli_watchdog;
cli_watchdog *cli_watchdog_start(kite_store_t *store, uint64_t timeout_ns);
bool cli_watchdog_stop(cli_watchdog *w);

/* Parse a --enable-X / --disable-X flag into config; false if not one. */
bool cli_feature_flag(kite_config_t *config, const char *arg);

int cli_validate(int argc, char **argv);
int cli_wast(int argc, char **argv);
int cli_run(int argc, char **argv);

#endif
