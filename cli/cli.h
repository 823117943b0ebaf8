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

/* Parse a --enable-X / --disable-X flag into config; false if not one. */
bool cli_feature_flag(kite_config_t *config, const char *arg);

int cli_validate(int argc, char **argv);
int cli_wast(int argc, char **argv);
int cli_run(int argc, char **argv);

#endif
