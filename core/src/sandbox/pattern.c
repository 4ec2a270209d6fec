/* pattern.c: Lua 5.4 patterns with a step budget.
 *
 * The matcher walks the pattern item by item and backtracks by recursion,
 * which is what the reference manual's semantics amount to; the order in
 * which it tries alternatives, the points at which it recurses and the
 * moments at which it notices a malformed pattern all follow Lua's own
 * behaviour, so that a script sees the same results and the same errors as
 * with the stock library. Every elementary step (entering an item, testing
 * one character, scanning one byte of a set or a %b) costs one unit of the
 * budget; when the budget and its refills run out, the match unwinds with
 * GSP_BUDGET. Errors unwind the same way with GSP_ERROR: nothing here
 * longjmps, except a refill function that chooses to. */
#include "sandbox/pattern.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define ESCAPE '%'
/* Lua's MAXCCALLS for the matcher: how deep backtracking may recurse. */
#define MAX_DEPTH 200

static const char *match(gsp_state *ms, const char *s, const char *p);

void gsp_init(gsp_state *ms, const char *src, size_t len, const char *pat_end, uint64_t budget,
              gsp_refill_fn refill, void *refill_ud) {
    ms->src_init = src;
    ms->src_end = src + len;
    ms->pat_end = pat_end;
    ms->level = 0;
    ms->depth_left = MAX_DEPTH;
    ms->steps_left = budget;
    ms->steps_used = 0;
    ms->refill = refill;
    ms->refill_ud = refill_ud;
    ms->status = GSP_OK;
    ms->error[0] = '\0';
}

const char *gsp_match(gsp_state *ms, const char *s, const char *p) {
    ms->level = 0;
    ms->depth_left = MAX_DEPTH;
    if (ms->status != GSP_OK) return NULL;
    return match(ms, s, p);
}

int gsp_is_plain(const char *p, size_t len) {
    static const char magic[] = "^$*+?.([%-";
    for (size_t i = 0; i < len; i++)
        if (p[i] != '\0' && strchr(magic, p[i])) return 0;
    return 1;
}

/* ---- helpers ---- */

/* Charges n steps; 0 (and status GSP_BUDGET) when they cannot be had. */
static int spend(gsp_state *ms, uint64_t n) {
    ms->steps_used += n;
    while (ms->steps_left < n) {
        n -= ms->steps_left;
        ms->steps_left = 0;
        uint64_t more = ms->refill ? ms->refill(ms->refill_ud) : 0;
        if (more == 0) {
            if (ms->status == GSP_OK) ms->status = GSP_BUDGET;
            return 0;
        }
        ms->steps_left = more;
    }
    ms->steps_left -= n;
    return 1;
}

static void fail(gsp_state *ms, const char *message) {
    if (ms->status != GSP_OK) return;
    ms->status = GSP_ERROR;
    snprintf(ms->error, sizeof ms->error, "%s", message);
}

static void fail_capture_index(gsp_state *ms, int index) {
    if (ms->status != GSP_OK) return;
    ms->status = GSP_ERROR;
    snprintf(ms->error, sizeof ms->error, "invalid capture index %%%d", index);
}

/* The pattern byte at p, '\0' past its end (Lua's strings end in one). */
static unsigned char pat_at(const gsp_state *ms, const char *p) {
    return p < ms->pat_end ? (unsigned char)*p : '\0';
}

/* The subject byte at s, '\0' at its end. */
static unsigned char src_at(const gsp_state *ms, const char *s) {
    return s < ms->src_end ? (unsigned char)*s : '\0';
}

/* Whether c is in class cl (the letter after '%'); any other cl stands for
 * itself. */
static int in_class(int c, int cl) {
    int yes;
    switch (tolower(cl)) {
    case 'a': yes = isalpha(c); break;
    case 'c': yes = iscntrl(c); break;
    case 'd': yes = isdigit(c); break;
    case 'g': yes = isgraph(c); break;
    case 'l': yes = islower(c); break;
    case 'p': yes = ispunct(c); break;
    case 's': yes = isspace(c); break;
    case 'u': yes = isupper(c); break;
    case 'w': yes = isalnum(c); break;
    case 'x': yes = isxdigit(c); break;
    case 'z': yes = c == '\0'; break; /* undocumented, but Lua 5.4 still has it */
    default: return cl == c;
    }
    if (isupper(cl)) yes = !yes;
    return yes != 0;
}

/* Whether c is in the set from p ('[') to close (its ']'). */
static int in_set(const gsp_state *ms, int c, const char *p, const char *close) {
    int inside = 1;
    if (pat_at(ms, p + 1) == '^') {
        inside = 0;
        p++;
    }
    while (++p < close) {
        unsigned char here = (unsigned char)*p;
        if (here == ESCAPE) {
            p++;
            if (in_class(c, pat_at(ms, p))) return inside;
        } else if (pat_at(ms, p + 1) == '-' && p + 2 < close) {
            p += 2;
            if (here <= c && c <= (unsigned char)*p) return inside;
        } else if (here == c) {
            return inside;
        }
    }
    return !inside;
}

/* The end of the single-character class starting at p: past '%x', past a
 * set's ']', or past one plain character. NULL on a malformed class. */
static const char *class_end(gsp_state *ms, const char *p) {
    unsigned char first = pat_at(ms, p++);
    if (first == ESCAPE) {
        if (p >= ms->pat_end) {
            fail(ms, "malformed pattern (ends with '%')");
            return NULL;
        }
        return p + 1;
    }
    if (first == '[') {
        const char *start = p;
        if (pat_at(ms, p) == '^') p++;
        do { /* the first member may be ']' */
            if (p >= ms->pat_end) {
                fail(ms, "malformed pattern (missing ']')");
                return NULL;
            }
            if (*p++ == ESCAPE && p < ms->pat_end) p++;
        } while (pat_at(ms, p) != ']');
        if (!spend(ms, (uint64_t)(p - start))) return NULL;
        return p + 1;
    }
    return p;
}

/* Whether the subject byte at s matches the class from p to ep. */
static int single_match(gsp_state *ms, const char *s, const char *p, const char *ep) {
    if (s >= ms->src_end) return 0;
    int c = (unsigned char)*s;
    switch (pat_at(ms, p)) {
    case '.': return spend(ms, 1);
    case ESCAPE: return spend(ms, 1) && in_class(c, pat_at(ms, p + 1));
    case '[': return spend(ms, (uint64_t)(ep - p)) && in_set(ms, c, p, ep - 1);
    default: return spend(ms, 1) && (unsigned char)*p == c;
    }
}

/* %bxy at s, with p after the 'b'. */
static const char *match_balance(gsp_state *ms, const char *s, const char *p) {
    if (p + 1 >= ms->pat_end) {
        fail(ms, "malformed pattern (missing arguments to '%b')");
        return NULL;
    }
    if (s >= ms->src_end || *s != *p) return NULL;
    char open = *p, close = p[1];
    int depth = 1;
    const char *start = s;
    while (++s < ms->src_end) {
        if (*s == close) {
            if (--depth == 0) return spend(ms, (uint64_t)(s - start)) ? s + 1 : NULL;
        } else if (*s == open) {
            depth++;
        }
    }
    spend(ms, (uint64_t)(s - start));
    return NULL;
}

/* Item p..ep repeated as often as it matches from s, then backing off one
 * at a time until the rest of the pattern matches. */
static const char *max_expand(gsp_state *ms, const char *s, const char *p, const char *ep) {
    ptrdiff_t n = 0;
    while (single_match(ms, s + n, p, ep))
        n++;
    for (; n >= 0 && ms->status == GSP_OK; n--) {
        const char *end = match(ms, s + n, ep + 1);
        if (end) return end;
    }
    return NULL;
}

/* Item p..ep repeated as few times as lets the rest match. */
static const char *min_expand(gsp_state *ms, const char *s, const char *p, const char *ep) {
    for (;;) {
        const char *end = match(ms, s, ep + 1);
        if (end) return end;
        if (ms->status != GSP_OK || !single_match(ms, s, p, ep)) return NULL;
        s++;
    }
}

static const char *open_capture(gsp_state *ms, const char *s, const char *p, ptrdiff_t what) {
    if (ms->level >= GSP_MAXCAPTURES) {
        fail(ms, "too many captures");
        return NULL;
    }
    ms->capture[ms->level].init = s;
    ms->capture[ms->level].len = what;
    ms->level++;
    const char *end = match(ms, s, p);
    if (!end) ms->level--;
    return end;
}

static const char *close_capture(gsp_state *ms, const char *s, const char *p) {
    int open = ms->level - 1;
    while (open >= 0 && ms->capture[open].len != GSP_CAP_UNFINISHED)
        open--;
    if (open < 0) {
        fail(ms, "invalid pattern capture");
        return NULL;
    }
    ms->capture[open].len = s - ms->capture[open].init;
    const char *end = match(ms, s, p);
    if (!end) ms->capture[open].len = GSP_CAP_UNFINISHED;
    return end;
}

/* %1-%9 at s: the text of that closed capture again. */
static const char *match_backref(gsp_state *ms, const char *s, int digit) {
    int index = digit - '1';
    if (index < 0 || index >= ms->level || ms->capture[index].len == GSP_CAP_UNFINISHED) {
        fail_capture_index(ms, index + 1);
        return NULL;
    }
    ptrdiff_t len = ms->capture[index].len;
    if (len < 0 || ms->src_end - s < len) return NULL; /* a position never repeats */
    if (!spend(ms, (uint64_t)len + 1)) return NULL;
    return memcmp(ms->capture[index].init, s, (size_t)len) == 0 ? s + len : NULL;
}

/* ---- the matcher ---- */

/* Tail positions loop (next_item) instead of recursing, so the recursion
 * depth, and with it the "pattern too complex" limit, is Lua's. */
static const char *match(gsp_state *ms, const char *s, const char *p) {
    if (ms->status != GSP_OK) return NULL;
    if (ms->depth_left-- == 0) {
        fail(ms, "pattern too complex");
        return NULL;
    }
next_item:
    if (!spend(ms, 1)) {
        s = NULL;
    } else if (p != ms->pat_end) {
        switch (pat_at(ms, p)) {
        case '(':
            if (pat_at(ms, p + 1) == ')')
                s = open_capture(ms, s, p + 2, GSP_CAP_POSITION);
            else
                s = open_capture(ms, s, p + 1, GSP_CAP_UNFINISHED);
            break;
        case ')': s = close_capture(ms, s, p + 1); break;
        case '$':
            if (p + 1 == ms->pat_end) {
                s = s == ms->src_end ? s : NULL;
                break;
            }
            goto single;
        case ESCAPE:
            switch (pat_at(ms, p + 1)) {
            case 'b':
                s = match_balance(ms, s, p + 2);
                if (s) {
                    p += 4;
                    goto next_item;
                }
                break;
            case 'f': {
                p += 2;
                if (pat_at(ms, p) != '[') {
                    fail(ms, "missing '[' after '%f' in pattern");
                    s = NULL;
                    break;
                }
                const char *ep = class_end(ms, p);
                if (!ep) {
                    s = NULL;
                    break;
                }
                int before = s == ms->src_init ? '\0' : (unsigned char)s[-1];
                if (!in_set(ms, before, p, ep - 1) && in_set(ms, src_at(ms, s), p, ep - 1)) {
                    p = ep;
                    goto next_item;
                }
                s = NULL;
                break;
            }
            case '0': case '1': case '2': case '3': case '4':
            case '5': case '6': case '7': case '8': case '9':
                s = match_backref(ms, s, pat_at(ms, p + 1));
                if (s) {
                    p += 2;
                    goto next_item;
                }
                break;
            default: goto single;
            }
            break;
        default:
        single: {
            const char *ep = class_end(ms, p);
            if (!ep) {
                s = NULL;
                break;
            }
            unsigned char suffix = pat_at(ms, ep);
            if (!single_match(ms, s, p, ep)) {
                if (ms->status == GSP_OK && (suffix == '*' || suffix == '?' || suffix == '-')) {
                    p = ep + 1; /* zero repetitions are fine */
                    goto next_item;
                }
                s = NULL;
                break;
            }
            switch (suffix) {
            case '?': {
                const char *end = match(ms, s + 1, ep + 1);
                if (end) {
                    s = end;
                } else if (ms->status == GSP_OK) {
                    p = ep + 1;
                    goto next_item;
                } else {
                    s = NULL;
                }
                break;
            }
            case '+': s = max_expand(ms, s + 1, p, ep); break;
            case '*': s = max_expand(ms, s, p, ep); break;
            case '-': s = min_expand(ms, s, p, ep); break;
            default:
                s++;
                p = ep;
                goto next_item;
            }
            break;
        }
        }
    }
    ms->depth_left++;
    return ms->status == GSP_OK ? s : NULL;
}
