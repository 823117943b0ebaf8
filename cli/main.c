/* kite: the command-line front of the library. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: kite <command> [options] ...\n"
            "\n"
            "commands:\n"
            "  validate FILE         check a module (.wasm or .wat); prints nothing if valid\n"
            "  run [OPTIONS] FILE [ARGS...]\n"
            "                        run a WASI program, or call an export (--invoke)\n"
            "                        (see `kite run --help`)\n"
            "  wast [-v] [--skip-list LIST] [--gc-heap-limit BYTES] FILE...\n"
            "                        run WebAssembly script files (.wast); LIST names\n"
            "                        files (globs) or FILE:LINE commands not to execute;\n"
            "                        BYTES caps each file's GC heap (k, m, g suffixes)\n"
            "  help                  this text\n"
            "\n"
            "feature options (for validate, run and wast):\n");
    for (int f = 0; f < KITE_FEATURE_COUNT; f++)
        fprintf(out, "  --enable-%-18s / --disable-%s: %s\n", kite_feature_name((kite_feature_t)f),
                kite_feature_name((kite_feature_t)f), kite_feature_help((kite_feature_t)f));
}

bool cli_parse_size(const char *s, uint64_t *out)
{
    if (*s < '0' || *s > '9')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno == ERANGE)
        return false;
    unsigned shift = 0;
    if (*end == 'k' || *end == 'K')
        shift = 10;
    else if (*end == 'm' || *end == 'M')
        shift = 20;
    else if (*end == 'g' || *end == 'G')
        shift = 30;
    if (shift)
        end++;
    if (*end || (shift && v > (UINT64_MAX >> shift)))
        return false;
    *out = (uint64_t)v << shift;
    return true;
}

char *cli_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "kite: cannot open %s\n", path);
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap)
            break;
        char *grown = realloc(buf, cap * 2 + 1);
        if (!grown) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = grown;
        cap *= 2;
    }
    bool failed = ferror(f) != 0;
    fclose(f);
    if (!buf || failed) {
        fprintf(stderr, "kite: cannot read %s\n", path);
        free(buf);
        return NULL;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

void cli_print_error(FILE *out, const char *file, const kite_error_t *err)
{
    kite_position_t pos = kite_error_position(err);
    if (pos.has_line)
        fprintf(out, "%s:%u:%u: %s\n", file, pos.line, pos.column, kite_error_message(err));
    else if (pos.has_offset)
        fprintf(out, "%s:%llu: %s\n", file, (unsigned long long)pos.offset, kite_error_message(err));
    else
        fprintf(out, "%s: %s\n", file, kite_error_message(err));
}

bool cli_feature_flag(kite_config_t *config, const char *arg)
{
    bool enable;
    if (strncmp(arg, "--enable-", 9) == 0)
        enable = true;
    else if (strncmp(arg, "--disable-", 10) == 0)
        enable = false;
    else
        return false;
    int f = kite_feature_by_name(arg + (enable ? 9 : 10));
    if (f < 0)
        return false;
    kite_config_set_feature(config, (kite_feature_t)f, enable);
    return true;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "validate") == 0)
        return cli_validate(argc - 2, argv + 2);
    if (strcmp(cmd, "run") == 0)
        return cli_run(argc - 2, argv + 2);
    if (strcmp(cmd, "wast") == 0)
        return cli_wast(argc - 2, argv + 2);
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "kite: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
