/* sandbox_string.c: string.find, match, gmatch and gsub on the
 * budgeted matcher (pattern.h). Lua's own matcher backtracks in C for time
 * polynomial in the subject's length, beyond any hook's reach; this one
 * charges every step to the instruction budget. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lualib.h>

#include "sandbox/pattern.h"
#include "sandbox/sandbox_internal.h"

/* ---- patterns ----
 *
 * string.find, match, gmatch and gsub over the budgeted matcher in
 * pattern.c, with Lua 5.4's arguments, results and messages. Matching steps
 * are charged one instruction each (a step costs about what a VM
 * instruction does), so a backtracking pattern ends with the instruction or
 * time limit like any other runaway, and pcall cannot swallow it. The steps
 * are charged PATTERN_STEP_CHUNK at a time while a match runs and the rest
 * when the call returns; a single call may take at most PATTERN_MAX_STEPS
 * whatever the limits, after which it fails with "pattern too complex". */
#define PATTERN_STEP_CHUNK 65536
#define PATTERN_MAX_STEPS ((uint64_t)1 << 32)
/* Needles up to this long are searched for naively (at most this many
 * comparisons per byte); longer ones by Knuth-Morris-Pratt. */
#define PLAIN_NAIVE_MAX 64

typedef struct pattern_run {
    lua_State *L;
    gsp_state ms;
    uint64_t charged; /* of ms.steps_used */
} pattern_run;

static uint64_t pattern_refill(void *ud) {
    pattern_run *run = ud;
    uint64_t used = run->ms.steps_used - run->charged;
    run->charged = run->ms.steps_used;
    gsl__charge(run->L, used); /* raises when over the limits */
    return run->ms.steps_used >= PATTERN_MAX_STEPS ? 0 : PATTERN_STEP_CHUNK;
}

static void pattern_begin(pattern_run *run, lua_State *L, const char *s, size_t len,
                          const char *p, size_t plen) {
    run->L = L;
    run->charged = 0;
    gsp_init(&run->ms, s, len, p + plen, PATTERN_STEP_CHUNK, pattern_refill, run);
}

/* Raises the matcher's error, if it has one. */
static void pattern_check(pattern_run *run) {
    if (run->ms.status == GSP_ERROR) luaL_error(run->L, "%s", run->ms.error);
    if (run->ms.status == GSP_BUDGET)
        luaL_error(run->L, "pattern too complex: the step budget of %I was exhausted",
                   (lua_Integer)PATTERN_MAX_STEPS);
}

/* Charges the steps not yet charged. */
static void pattern_end(pattern_run *run) {
    uint64_t used = run->ms.steps_used - run->charged;
    run->charged = run->ms.steps_used;
    if (used > 0) gsl__charge(run->L, used);
}

/* Lua 5.4's string positions: negative counts from the end, 0 and anything
 * before the start mean 1. */
static size_t start_position(lua_Integer pos, size_t len) {
    if (pos > 0) return (size_t)pos;
    if (pos == 0 || pos < -(lua_Integer)len) return 1;
    return len + (size_t)pos + 1;
}

/* Capture i of the last match s..e (the whole match when there are no
 * captures and i is 0): its text in *text and length, or GSP_CAP_POSITION
 * with the position pushed. */
static ptrdiff_t get_capture(pattern_run *run, int i, const char *s, const char *e,
                             const char **text) {
    gsp_state *ms = &run->ms;
    if (i >= ms->level) {
        if (i != 0) luaL_error(run->L, "invalid capture index %%%d", i + 1);
        *text = s;
        return e - s;
    }
    ptrdiff_t len = ms->capture[i].len;
    *text = ms->capture[i].init;
    if (len == GSP_CAP_UNFINISHED) luaL_error(run->L, "unfinished capture");
    if (len == GSP_CAP_POSITION)
        lua_pushinteger(run->L, (lua_Integer)(ms->capture[i].init - ms->src_init) + 1);
    return len;
}

static void push_capture(pattern_run *run, int i, const char *s, const char *e) {
    const char *text;
    ptrdiff_t len = get_capture(run, i, s, e, &text);
    if (len != GSP_CAP_POSITION) lua_pushlstring(run->L, text, (size_t)len);
}

/* Pushes every capture, or the whole match s..e when there are none (and s
 * is not NULL); returns how many. */
static int push_captures(pattern_run *run, const char *s, const char *e) {
    int n = run->ms.level == 0 && s ? 1 : run->ms.level;
    luaL_checkstack(run->L, n, "too many captures");
    for (int i = 0; i < n; i++)
        push_capture(run, i, s, e);
    return n;
}

/* The first occurrence of needle (m) in hay (n), or NULL; linear in n + m. */
static const char *plain_find(lua_State *L, const char *hay, size_t n, const char *needle,
                              size_t m) {
    if (m == 0) return hay;
    if (m > n) return NULL;
    gsl__charge(L, (uint64_t)n + m);
    if (m <= PLAIN_NAIVE_MAX) {
        const char *at = hay, *last = hay + (n - m);
        while (at <= last && (at = memchr(at, needle[0], (size_t)(last - at) + 1))) {
            if (memcmp(at + 1, needle + 1, m - 1) == 0) return at;
            at++;
        }
        return NULL;
    }
    /* border[i]: the length of the longest proper border of needle[0..i] */
    size_t *border = lua_newuserdatauv(L, m * sizeof *border, 0); /* border */
    border[0] = 0;
    for (size_t i = 1, k = 0; i < m; i++) {
        while (k > 0 && needle[i] != needle[k])
            k = border[k - 1];
        if (needle[i] == needle[k]) k++;
        border[i] = k;
    }
    const char *found = NULL;
    for (size_t i = 0, k = 0; i < n; i++) {
        while (k > 0 && hay[i] != needle[k])
            k = border[k - 1];
        if (hay[i] == needle[k]) k++;
        if (k == m) {
            found = hay + i + 1 - m;
            break;
        }
    }
    lua_pop(L, 1);
    return found;
}

static int find_or_match(lua_State *L, int find) {
    size_t len, plen;
    const char *s = luaL_checklstring(L, 1, &len);
    const char *p = luaL_checklstring(L, 2, &plen);
    size_t init = start_position(luaL_optinteger(L, 3, 1), len) - 1;
    if (init > len) {
        luaL_pushfail(L);
        return 1;
    }
    if (find && (lua_toboolean(L, 4) || gsp_is_plain(p, plen))) {
        const char *at = plain_find(L, s + init, len - init, p, plen);
        if (at) {
            lua_pushinteger(L, (lua_Integer)(at - s) + 1);
            lua_pushinteger(L, (lua_Integer)(at - s + plen));
            return 2;
        }
        luaL_pushfail(L);
        return 1;
    }
    pattern_run run;
    pattern_begin(&run, L, s, len, p, plen);
    int anchor = plen > 0 && p[0] == '^';
    const char *from = s + init;
    do {
        const char *e = gsp_match(&run.ms, from, p + anchor);
        pattern_check(&run);
        if (e) {
            pattern_end(&run);
            if (!find) return push_captures(&run, from, e);
            lua_pushinteger(L, (lua_Integer)(from - s) + 1);
            lua_pushinteger(L, (lua_Integer)(e - s));
            return push_captures(&run, NULL, NULL) + 2;
        }
    } while (from++ < run.ms.src_end && !anchor);
    pattern_end(&run);
    luaL_pushfail(L);
    return 1;
}

static int sandbox_find(lua_State *L) { return find_or_match(L, 1); }

static int sandbox_match(lua_State *L) { return find_or_match(L, 0); }

/* gmatch's iterator: upvalues the subject, the pattern, where the next
 * search starts and where the last match ended (-1 before the first), as
 * offsets into the subject. */
static int gmatch_next(lua_State *L) {
    size_t len, plen;
    const char *s = lua_tolstring(L, lua_upvalueindex(1), &len);
    const char *p = lua_tolstring(L, lua_upvalueindex(2), &plen);
    lua_Integer start = lua_tointeger(L, lua_upvalueindex(3));
    lua_Integer last = lua_tointeger(L, lua_upvalueindex(4));
    pattern_run run;
    pattern_begin(&run, L, s, len, p, plen);
    for (lua_Integer at = start; at <= (lua_Integer)len; at++) {
        const char *e = gsp_match(&run.ms, s + at, p);
        pattern_check(&run);
        if (e && e - s != last) {
            pattern_end(&run);
            lua_pushinteger(L, (lua_Integer)(e - s));
            lua_copy(L, -1, lua_upvalueindex(3));
            lua_replace(L, lua_upvalueindex(4));
            return push_captures(&run, s + at, e);
        }
    }
    pattern_end(&run);
    return 0;
}

static int sandbox_gmatch(lua_State *L) {
    size_t len;
    luaL_checklstring(L, 1, &len);
    luaL_checklstring(L, 2, NULL);
    size_t init = start_position(luaL_optinteger(L, 3, 1), len) - 1;
    if (init > len) init = len + 1; /* nothing to find */
    lua_settop(L, 2);
    lua_pushinteger(L, (lua_Integer)init);
    lua_pushinteger(L, -1);
    lua_pushcclosure(L, gmatch_next, 4);
    return 1;
}

/* Appends the string replacement (argument 3) for the match s..e, with
 * %0-%9 and %% expanded. */
static void add_replacement_string(pattern_run *run, luaL_Buffer *b, const char *s,
                                   const char *e) {
    lua_State *L = run->L;
    size_t len;
    const char *r = lua_tolstring(L, 3, &len);
    const char *escape;
    while ((escape = memchr(r, '%', len)) != NULL) {
        luaL_addlstring(b, r, (size_t)(escape - r));
        char c = escape[1]; /* the string's terminator when '%' is last */
        if (c == '%') {
            luaL_addchar(b, '%');
        } else if (c == '0') {
            luaL_addlstring(b, s, (size_t)(e - s));
        } else if (c >= '1' && c <= '9') {
            const char *text;
            ptrdiff_t clen = get_capture(run, c - '1', s, e, &text);
            if (clen == GSP_CAP_POSITION)
                luaL_addvalue(b);
            else
                luaL_addlstring(b, text, (size_t)clen);
        } else {
            luaL_error(L, "invalid use of '%c' in replacement string", '%');
        }
        len -= (size_t)(escape + 2 - r);
        r = escape + 2;
    }
    luaL_addlstring(b, r, len);
}

/* Appends the replacement for the match s..e; 1 when it changed the text. */
static int add_replacement(pattern_run *run, luaL_Buffer *b, const char *s, const char *e,
                           int type) {
    lua_State *L = run->L;
    if (type == LUA_TFUNCTION) {
        lua_pushvalue(L, 3);
        int n = push_captures(run, s, e);
        lua_call(L, n, 1); /* value */
    } else if (type == LUA_TTABLE) {
        push_capture(run, 0, s, e);
        lua_gettable(L, 3); /* value */
    } else {
        add_replacement_string(run, b, s, e);
        return 1;
    }
    if (!lua_toboolean(L, -1)) { /* false or nil keeps the original */
        lua_pop(L, 1);
        luaL_addlstring(b, s, (size_t)(e - s));
        return 0;
    }
    if (!lua_isstring(L, -1))
        return luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
    luaL_addvalue(b);
    return 1;
}

static int sandbox_gsub(lua_State *L) {
    size_t len, plen;
    const char *s = luaL_checklstring(L, 1, &len);
    const char *p = luaL_checklstring(L, 2, &plen);
    int type = lua_type(L, 3);
    lua_Integer max_n = luaL_optinteger(L, 4, (lua_Integer)len + 1);
    luaL_argexpected(L,
                     type == LUA_TNUMBER || type == LUA_TSTRING || type == LUA_TFUNCTION ||
                         type == LUA_TTABLE,
                     3, "string/function/table");
    int anchor = plen > 0 && p[0] == '^';
    const char *src = s, *last = NULL;
    lua_Integer n = 0;
    int changed = 0;
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    pattern_run run;
    pattern_begin(&run, L, s, len, p, plen);
    while (n < max_n) {
        const char *e = gsp_match(&run.ms, src, p + anchor);
        pattern_check(&run);
        if (e && e != last) {
            n++;
            changed |= add_replacement(&run, &b, src, e, type);
            src = last = e;
        } else if (src < run.ms.src_end) {
            luaL_addchar(&b, *src++);
        } else {
            break;
        }
        if (anchor) break;
    }
    pattern_end(&run);
    if (!changed) {
        lua_pushvalue(L, 1);
    } else {
        luaL_addlstring(&b, src, (size_t)(run.ms.src_end - src));
        luaL_pushresult(&b);
    }
    lua_pushinteger(L, n);
    return 2;
}

void gsl__install_patterns(lua_State *L) {
    lua_getfield(L, -1, LUA_STRLIBNAME); /* G string */
    gsl__set_field(L, "find", sandbox_find);
    gsl__set_field(L, "match", sandbox_match);
    gsl__set_field(L, "gmatch", sandbox_gmatch);
    gsl__set_field(L, "gsub", sandbox_gsub);
    lua_pop(L, 1);
}
