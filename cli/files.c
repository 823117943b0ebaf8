/*
 * Reading files and compiling them as modules, telling apart the binary
 * format, the text format and input that is neither.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

const char *cli_file_label(const char *path)
{
    return strcmp(path, "-") == 0 ? "<stdin>" : path;
}

char *cli_read_file(const char *path, size_t *len)
{
    bool from_stdin = strcmp(path, "-") == 0;
    FILE *f = from_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        cli_error("cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    int read_errno = 0;
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) {
            if (ferror(f))
                read_errno = errno ? errno : EIO;
            break;
        }
        char *grown = realloc(buf, cap * 2 + 1);
        if (!grown) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = grown;
        cap *= 2;
    }
    if (!from_stdin)
        fclose(f);
    if (!buf || read_errno) {
        cli_error("cannot read %s: %s", cli_file_label(path),
                  buf ? strerror(read_errno) : "out of memory");
        free(buf);
        return NULL;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

typedef enum format { FORMAT_BINARY, FORMAT_COMPONENT, FORMAT_TEXT, FORMAT_NEITHER } format;

static bool starts_like_text(const uint8_t *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
            i++;
        } else if (s[i] == ';' && i + 1 < len && s[i + 1] == ';') {
            while (i < len && s[i] != '\n')
                i++;
        } else if (s[i] == '(' && i + 1 < len && s[i + 1] == ';') {
            unsigned depth = 0;
            do {
                if (i + 1 < len && s[i] == '(' && s[i + 1] == ';')
                    depth++, i += 2;
                else if (i + 1 < len && s[i] == ';' && s[i + 1] == ')')
                    depth--, i += 2;
                else
                    i++;
            } while (depth && i < len);
        } else {
            return s[i] == '(';
        }
    }
    return true;
}

static bool has_suffix(const char *path, const char *suffix)
{
    size_t n = strlen(path), k = strlen(suffix);
    return n >= k && strcmp(path + n - k, suffix) == 0;
}

bool cli_looks_like_text(const char *path, const uint8_t *bytes, size_t len)
{
    return starts_like_text(bytes, len) || has_suffix(path, ".wat") || has_suffix(path, ".wast");
}

static format detect(const char *path, const uint8_t *bytes, size_t len)
{
    if (len >= 4 && memcmp(bytes, "\0asm", 4) == 0)
        /* a component's layer field (bytes 6 and 7) is 1, a module's 0 */
        return len >= 8 && bytes[6] == 1 && bytes[7] == 0 ? FORMAT_COMPONENT : FORMAT_BINARY;
    return cli_looks_like_text(path, bytes, len) ? FORMAT_TEXT : FORMAT_NEITHER;
}

static void compile_bytes(kite_engine_t *engine, const char *path, const uint8_t *bytes,
                          size_t len, kite_module_t **out)
{
    kite_error_t *err = NULL;
    switch (detect(path, bytes, len)) {
    case FORMAT_BINARY:
        err = kite_module_new(engine, bytes, len, out);
        break;
    case FORMAT_TEXT:
        err = kite_module_new_text(engine, (const char *)bytes, len, out);
        break;
    case FORMAT_COMPONENT:
        cli_error("%s: a WebAssembly component, not a module (kite runs core modules only)", path);
        return;
    case FORMAT_NEITHER:
        cli_error("%s: not a WebAssembly module (neither binary, which starts with \"\\0asm\", "
                  "nor text, which starts with \"(\")",
                  path);
        return;
    }
    if (err)
        cli_module_error(path, err);
}

/*
 * A regular file is mapped rather than read: start-up time is what `kite
 * run` is judged by, and mapping a file already in the page cache costs a
 * fraction of copying it into fresh heap pages.
 */
void cli_compile_file(kite_engine_t *engine, const char *path, kite_module_t **out)
{
    *out = NULL;
    int fd = strcmp(path, "-") == 0 ? -1 : open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (uint64_t)st.st_size < SIZE_MAX) {
        size_t len = (size_t)st.st_size;
        void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
        close(fd);
        if (map != MAP_FAILED) {
            compile_bytes(engine, path, map, len, out);
            munmap(map, len);
            return;
        }
    } else if (fd >= 0) {
        close(fd);
    }
    size_t len;
    char *bytes = cli_read_file(path, &len);
    if (bytes)
        compile_bytes(engine, cli_file_label(path), (const uint8_t *)bytes, len, out);
    free(bytes);
}
