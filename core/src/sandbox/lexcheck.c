/* lexcheck.c: the constructs a task's source may not use, found before it
 * compiles.
 *
 * Debian 12 ships Lua 5.4.4, whose known bugs include wrong code when _ENV
 * is a <const> local, a stack pointer invalidated by closing to-be-closed
 * variables (lua_settop, 'break' in a for loop) and a C-stack overflow
 * through nested coroutine.close with __close. None of it is reachable
 * without naming _ENV or declaring a <close> variable, and no task needs
 * either, so the source is scanned (strings and comments skipped, as Lua's
 * lexer reads them) and a chunk that does is refused at its line. */
#include <ctype.h>
#include <string.h>

#include "sandbox/sandbox_internal.h"

/* The level of a long bracket opening at p ("[", "=" * level, "["), or -1. */
static int long_bracket(const char *p, const char *end) {
    if (p >= end || *p != '[') return -1;
    int level = 0;
    for (p++; p < end && *p == '='; p++) level++;
    return p < end && *p == '[' ? level : -1;
}

/* Skips a long string or comment of level whose opening ends before p;
 * returns where it ends (end when unclosed: the compiler will say so). */
static const char *skip_long(const char *p, const char *end, int level, int *line) {
    for (; p < end; p++) {
        if (*p == '\n') ++*line;
        if (*p != ']') continue;
        const char *q = p + 1;
        int n = 0;
        while (q < end && *q == '=') q++, n++;
        if (n == level && q < end && *q == ']') return q + 1;
    }
    return end;
}

/* Skips a quoted string opening at p (its quote); returns after it. */
static const char *skip_quoted(const char *p, const char *end, int *line) {
    char quote = *p++;
    for (; p < end && *p != quote; p++) {
        if (*p == '\n') ++*line; /* unfinished: the compiler will say so */
        if (*p == '\\' && p + 1 < end) {
            p++;
            if (*p == '\n') ++*line;
        }
    }
    return p < end ? p + 1 : end;
}

/* The next non-blank character from p, counting lines (comments are not
 * skipped: "< --[[x]] close >" is not worth allowing). */
static const char *skip_blank(const char *p, const char *end, int *line) {
    for (; p < end && isspace((unsigned char)*p); p++)
        if (*p == '\n') ++*line;
    return p;
}

gs_status gsl__check_source(const char *name, const char *src, size_t len, char *err, size_t errlen) {
    const char *p = src, *end = src + len;
    int line = 1;
    if (p < end && *p == '#') /* a first line starting with # is skipped, as by Lua */
        while (p < end && *p != '\n') p++;
    while (p < end) {
        char c = *p;
        if (c == '\n') {
            line++, p++;
        } else if (c == '-' && p + 1 < end && p[1] == '-') {
            p += 2;
            int level = long_bracket(p, end);
            if (level >= 0) p = skip_long(p + level + 2, end, level, &line);
            else while (p < end && *p != '\n') p++;
        } else if (c == '"' || c == '\'') {
            p = skip_quoted(p, end, &line);
        } else if (c == '[' && long_bracket(p, end) >= 0) {
            int level = long_bracket(p, end);
            p = skip_long(p + level + 2, end, level, &line);
        } else if (isalpha((unsigned char)c) || c == '_') {
            const char *q = p;
            while (q < end && (isalnum((unsigned char)*q) || *q == '_')) q++;
            if (q - p == 4 && memcmp(p, "_ENV", 4) == 0)
                return gs_fail(err, errlen, GS_ERR_SYNTAX,
                               "%s:%d: '_ENV' is not allowed in a task: use the globals and locals as they are", name,
                               line);
            p = q;
        } else if (c == '<') {
            int at = line;
            const char *q = skip_blank(p + 1, end, &line);
            if (end - q >= 5 && memcmp(q, "close", 5) == 0 && (q + 5 == end || !(isalnum((unsigned char)q[5]) || q[5] == '_'))) {
                q = skip_blank(q + 5, end, &line);
                if (q < end && *q == '>')
                    return gs_fail(err, errlen, GS_ERR_SYNTAX,
                                   "%s:%d: to-be-closed variables (<close>) are not allowed in a task", name, at);
            }
            line = at;
            p++;
        } else {
            p++;
        }
    }
    return GS_OK;
}
