/*
 * kite wast --skip-list FILE: what the runner does not execute yet.
 *
 * One entry per line, `PATTERN REASON...`, where PATTERN is a glob of a
 * script's basename (the file's execution is skipped, its modules are
 * still compiled and its assert_invalid/assert_malformed still checked) or
 * `GLOB:LINE` (just the command starting on that line is skipped). Blank
 * lines and lines starting with '#' are ignored.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "wast.h"

static char *copy(const char *s, size_t n)
{
    char *c = malloc(n + 1);
    if (c) {
        memcpy(c, s, n);
        c[n] = 0;
    }
    return c;
}

/* Split `pattern` into glob and line when it ends in ":DIGITS". */
static unsigned split_line(char *pattern)
{
    char *colon = strrchr(pattern, ':');
    if (!colon || !colon[1])
        return 0;
    unsigned long line = 0;
    for (const char *d = colon + 1; *d; d++) {
        if (!isdigit((unsigned char)*d) || line > 100000000ul)
            return 0;
        line = line * 10 + (unsigned long)(*d - '0');
    }
    *colon = 0;
    return (unsigned)line;
}

static bool add_entry(wast_skiplist *list, const char *line)
{
    const char *p = line;
    while (*p && isspace((unsigned char)*p))
        p++;
    if (!*p || *p == '#')
        return true;
    const char *end = p;
    while (*end && !isspace((unsigned char)*end))
        end++;
    const char *reason = end;
    while (*reason && isspace((unsigned char)*reason))
        reason++;
    size_t rlen = strlen(reason);
    while (rlen && isspace((unsigned char)reason[rlen - 1]))
        rlen--;
    if (list->count == list->cap) {
        size_t ncap = list->cap ? list->cap * 2 : 32;
        wast_skip *n = realloc(list->items, ncap * sizeof(*n));
        if (!n)
            return false;
        list->items = n;
        list->cap = ncap;
    }
    wast_skip *s = &list->items[list->count];
    s->pattern = copy(p, (size_t)(end - p));
    s->reason = copy(rlen ? reason : "listed in the skip list", rlen ? rlen : 23);
    if (!s->pattern || !s->reason) {
        free(s->pattern);
        free(s->reason);
        return false;
    }
    s->line = split_line(s->pattern);
    list->count++;
    return true;
}

bool wast_skiplist_load(wast_skiplist *list, const char *path)
{
    size_t len;
    char *text = cli_read_file(path, &len);
    if (!text)
        return false;
    bool ok = true;
    for (char *line = text; ok && line < text + len;) {
        char *nl = memchr(line, '\n', (size_t)(text + len - line));
        if (nl)
            *nl = 0;
        ok = add_entry(list, line);
        line = nl ? nl + 1 : text + len;
    }
    free(text);
    if (!ok)
        fprintf(stderr, "kite: out of memory reading %s\n", path);
    return ok;
}

void wast_skiplist_free(wast_skiplist *list)
{
    for (size_t i = 0; i < list->count; i++) {
        free(list->items[i].pattern);
        free(list->items[i].reason);
    }
    free(list->items);
    list->items = NULL;
    list->count = list->cap = 0;
}

const char *wast_skipped(const wast_skiplist *list, const char *base, unsigned line)
{
    if (!list)
        return NULL;
    for (size_t i = 0; i < list->count; i++) {
        const wast_skip *s = &list->items[i];
        if (s->line == line && fnmatch(s->pattern, base, 0) == 0)
            return s->reason;
    }
    return NULL;
}
