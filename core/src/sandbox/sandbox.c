/* sandbox.c: the lua_State an untrusted task file runs in.
 *
 * The state is built from an allow-list: the libraries are opened, then every
 * global not named in allowed_globals is deleted, so a library that grows a
 * new function in a later Lua release cannot leak into tasks unnoticed.
 *
 * Limits are enforced in three places that cover each other:
 * - a capped allocator, which refuses growth past max_memory;
 * - a count+line hook, which counts instructions, reads the clock and, once
 *   any limit has tripped, raises an error on every instruction of every
 *   thread, so neither pcall, xpcall, a message handler nor a coroutine can
 *   swallow the abort;
 * - charge(), for library functions whose loops run in C where the hook
 *   cannot see them (table.move, insert, remove, sort, pairs, and the
 *   pattern functions, which run on the budgeted matcher in pattern.c).
 *
 * Lua runs no hooks inside finalizers, and none while it unwinds an error
 * the hook raised until a protected call catches it. So nothing the task
 * wrote may run in those windows: __gc is refused, xpcall's handler and
 * coroutine bodies are guarded, and the host's message handler reads the
 * error object without metamethods.
 *
 * string.find, match, gmatch and gsub are the sandbox's own: Lua's matcher
 * backtracks in C for time polynomial in the subject's length, beyond any
 * hook's reach, so they run on a matcher that charges every step. */
#include "sandbox/sandbox.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>
#include <lualib.h>

#include "sandbox/pattern.h"

/* Instructions between two count events: often enough that a trip or the
 * deadline is noticed within microseconds, rare enough that reading the
 * clock stays off the profile. */
#define HOOK_INTERVAL 1000
/* LUA_MASKLINE keeps the current line, because a memory error bypasses the
 * message handler and the stack is gone by the time lua_pcall returns. */
#define HOOK_MASK (LUA_MASKCOUNT | LUA_MASKLINE)
/* Line events, or bytes allocated, after which a line event also reads the
 * clock. */
#define CLOCK_EVERY_LINES 128
#define CLOCK_EVERY_BYTES ((size_t)1 << 20)

enum trip_reason { TRIP_NONE, TRIP_INSTRUCTIONS, TRIP_TIME, TRIP_MEMORY };

/* Lua answers a refused allocation with an emergency collection and one
 * retry of the same request; only a refusal that survives the retry (or
 * that could not be retried) means the task is over its memory. */
enum memory_state { MEMORY_OK, MEMORY_REFUSED_ONCE, MEMORY_EXCEEDED };

struct gsl_sandbox {
    lua_State *L;
    gsl_limits limits;
    gsl_log_fn log; /* nullable */
    void *log_ud;
    gsu_rng rng;

    size_t memory; /* bytes handed out by sandbox_alloc and not yet freed */
    size_t peak;
    /* > 0 while the cap applies: inside setup, load and call, where task
     * code can run and a refused allocation lands in a protected call. The
     * host's own pushes between calls are unprotected, and a memory error
     * there would abort the process. */
    int capped;
    int memory_state;          /* enum memory_state */
    const void *refused_block; /* the refused request, to recognise its retry */
    size_t refused_osize, refused_nsize;
    size_t allocated_since_clock;
    unsigned lines_since_clock;

    uint64_t instructions; /* counted in this armed period */
    double deadline;       /* CLOCK_MONOTONIC seconds; INFINITY when none */
    int tripped;           /* enum trip_reason */
    char trip_message[LUA_IDSIZE + 96];

    char line_src[LUA_IDSIZE]; /* where the last line event was, for memory errors */
    int line;

    const char **names; /* offered for misspelt globals (nnames) */
    size_t nnames, names_cap;
    char **owned; /* copies made by set_global, freed with the sandbox (nowned) */
    size_t nowned, owned_cap;

    char warn_line[256]; /* warn() pieces until the last one arrives */
    size_t warn_len;
    int warn_continued;
};

/* Every global a task may see; anything else is deleted after the libraries
 * open. Also offered as suggestions for misspelt globals. */
static const char *const allowed_globals[] = {
    "_G",     "_VERSION",  "assert",       "error",    "getmetatable", "ipairs", "load",
    "next",   "pairs",     "pcall",        "print",    "rawequal",     "rawget", "rawlen",
    "rawset", "select",    "setmetatable", "tonumber", "tostring",     "type",   "warn",
    "xpcall", "coroutine", "math",         "string",   "table",        "utf8",
};
#define NALLOWED (sizeof allowed_globals / sizeof allowed_globals[0])

static void *sandbox_alloc(void *ud, void *ptr, size_t osize, size_t nsize);
static void limit_hook(lua_State *L, lua_Debug *ar);
static void warn_to_log(void *ud, const char *msg, int tocont);
static int setup_state(lua_State *L);
static int set_global_protected(lua_State *L);
static int message_handler(lua_State *L);
static void trip_memory(gsl_sandbox *s);
static int limit_hit(const gsl_sandbox *s);
static const char *nearest_known(const gsl_sandbox *s, const char *name, int *best_distance);
static int add_name(gsl_sandbox *s, const char *name);
static void add_owned_name(gsl_sandbox *s, const char *name);
static double now_seconds(void);
static int innermost_lua_frame(lua_State *L, int level, lua_Debug *ar);

static gsl_sandbox *sandbox_of(lua_State *L) {
    /* the main thread's extra space is copied into every new thread */
    return *(gsl_sandbox **)lua_getextraspace(L);
}

gsl_limits gsl_limits_default(void) {
    gsl_limits l = {200000000u, (size_t)256 << 20, 10.0};
    return l;
}

gsl_sandbox *gsl_sandbox_new(const gsl_limits *limits, gsl_log_fn log, void *log_ud, char *err,
                             size_t errlen) {
    gsl_sandbox *s = calloc(1, sizeof *s);
    if (!s) {
        gs_fail(err, errlen, GS_ERR_NOMEM, "sandbox: out of memory");
        return NULL;
    }
    s->limits = limits ? *limits : gsl_limits_default();
    s->log = log;
    s->log_ud = log_ud;
    gsu_rng_seed(&s->rng, 0);
    s->L = lua_newstate(sandbox_alloc, s);
    if (!s->L) {
        free(s);
        gs_fail(err, errlen, GS_ERR_NOMEM,
                "sandbox: cannot create a Lua state (memory limit %zu bytes)",
                limits ? limits->max_memory : 0);
        return NULL;
    }
    *(gsl_sandbox **)lua_getextraspace(s->L) = s;
    lua_setwarnf(s->L, warn_to_log, s);

    /* opening libraries allocates, and an unprotected memory error would
     * abort the host */
    lua_pushcfunction(s->L, setup_state);
    s->capped++;
    int rc = lua_pcall(s->L, 0, 0, 0);
    s->capped--;
    if (rc != LUA_OK) {
        const char *msg = lua_type(s->L, -1) == LUA_TSTRING ? lua_tostring(s->L, -1) : "?";
        gs_fail(err, errlen, GS_ERR_NOMEM, "sandbox: setup failed: %s", msg);
        gsl_sandbox_free(s);
        return NULL;
    }
    gsl_sandbox_arm(s);
    return s;
}

void gsl_sandbox_free(gsl_sandbox *s) {
    if (!s) return;
    /* safe to run: the only finalizers in the state are the host's C ones */
    lua_close(s->L);
    assert(s->memory == 0);
    for (size_t i = 0; i < s->nowned; i++)
        free(s->owned[i]);
    free(s->owned);
    free(s->names);
    free(s);
}

lua_State *gsl_sandbox_state(gsl_sandbox *s) { return s->L; }

gsu_rng *gsl_sandbox_rng(gsl_sandbox *s) { return &s->rng; }

void gsl_sandbox_set_global(gsl_sandbox *s, const char *name) {
    lua_State *L = s->L;
    if (!lua_checkstack(L, 3)) {
        lua_pop(L, 1);
        return;
    }
    add_owned_name(s, name); /* the caller's name may be a temporary */
    /* setting a field can grow the table; a memory error outside a pcall
     * would abort the host */
    lua_pushcfunction(L, set_global_protected);
    lua_insert(L, -2);
    lua_pushlightuserdata(L, (void *)name);
    if (lua_pcall(L, 2, 0, 0) != LUA_OK) lua_pop(L, 1);
}

void gsl_sandbox_add_names(gsl_sandbox *s, const char *const *names, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!add_name(s, names[i])) return;
}

const char *gsl_sandbox_nearest(const gsl_sandbox *s, const char *name) {
    if (!s || !name) return NULL;
    int distance;
    return nearest_known(s, name, &distance);
}

void gsl_sandbox_arm(gsl_sandbox *s) {
    s->instructions = 0;
    s->tripped = TRIP_NONE;
    s->memory_state = MEMORY_OK;
    s->trip_message[0] = '\0';
    s->deadline = s->limits.timeout_s > 0 ? now_seconds() + s->limits.timeout_s : INFINITY;
    /* a trip left the main thread's count at 1; the hook also heals any
     * coroutine still at 1 the first time it fires there */
    lua_sethook(s->L, limit_hook, HOOK_MASK, HOOK_INTERVAL);
}

gs_status gsl_sandbox_load(gsl_sandbox *s, const char *path, const char *src, size_t len, char *err,
                           size_t errlen) {
    if (!s || !path || (!src && len > 0))
        return gs_fail(err, errlen, GS_ERR_USAGE, "gsl_sandbox_load: missing argument");
    lua_State *L = s->L;
    if (len > 0 && src[0] == LUA_SIGNATURE[0])
        return gs_fail(
            err, errlen, GS_ERR_SYNTAX,
            "%s: precompiled (binary) chunks are not accepted; a task must be Lua source", path);
    if (!lua_checkstack(L, 1)) return gs_fail(err, errlen, GS_ERR_NOMEM, "%s: out of memory", path);
    /* a malloc'd name, not lua_pushfstring: nothing here is protected yet */
    size_t plen = strlen(path);
    char *chunkname = malloc(plen + 2);
    if (!chunkname) return gs_fail(err, errlen, GS_ERR_NOMEM, "%s: out of memory", path);
    chunkname[0] = '@';
    memcpy(chunkname + 1, path, plen + 1);
    s->capped++;
    int rc = luaL_loadbufferx(L, src ? src : "", len, chunkname, "t");
    s->capped--;
    free(chunkname);
    if (rc == LUA_OK) return GS_OK; /* function */
    gs_status status;
    if (s->memory_state != MEMORY_OK) {
        status = gs_fail(err, errlen, GS_ERR_LIMIT, "%s: memory limit exceeded (%g MiB)", path,
                         (double)s->limits.max_memory / (1024.0 * 1024.0));
    } else if (rc == LUA_ERRSYNTAX) {
        const char *msg = lua_tostring(L, -1);
        status = gs_fail(err, errlen, GS_ERR_SYNTAX, "%s", msg ? msg : "syntax error");
    } else {
        status = gs_fail(err, errlen, GS_ERR_NOMEM, "%s: not enough memory to compile", path);
    }
    lua_pop(L, 1);
    return status;
}

gs_status gsl_sandbox_call(gsl_sandbox *s, int nargs, int nresults, char *err, size_t errlen) {
    lua_State *L = s->L;
    int func = lua_gettop(L) - nargs; /* index of the function */
    if (nargs < 0 || func < 1)
        return gs_fail(err, errlen, GS_ERR_USAGE,
                       "gsl_sandbox_call: no function below %d arguments", nargs);
    if (!lua_checkstack(L, nresults > 0 ? nresults + 1 : 2)) {
        lua_settop(L, func - 1);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "not enough memory for the call");
    }
    lua_pushcfunction(L, message_handler);
    lua_insert(L, func); /* handler function args... */
    s->capped++;
    int rc = lua_pcall(L, nargs, nresults, func);
    s->capped--;
    lua_remove(L, func); /* results... or error */

    if (rc == LUA_OK && !limit_hit(s)) {
        assert(nresults == LUA_MULTRET || lua_gettop(L) == func - 1 + nresults);
        return GS_OK;
    }
    gs_status status;
    if (limit_hit(s)) {
        /* whatever the error object says, the task may have rewritten it in
         * a pcall before the abort got through */
        if (!s->tripped) trip_memory(s);
        status = gs_fail(err, errlen, GS_ERR_LIMIT, "%s", s->trip_message);
    } else if (rc == LUA_ERRMEM) {
        if (s->line > 0)
            status = gs_fail(err, errlen, GS_ERR_NOMEM, "%s:%d: not enough memory", s->line_src,
                             s->line);
        else
            status = gs_fail(err, errlen, GS_ERR_NOMEM, "not enough memory");
    } else if (rc == LUA_ERRERR) {
        /* the handler itself failed, so nothing has a position yet */
        if (s->line > 0)
            status = gs_fail(err, errlen, GS_ERR_RUNTIME, "%s:%d: error in error handling",
                             s->line_src, s->line);
        else
            status = gs_fail(err, errlen, GS_ERR_RUNTIME, "error in error handling");
    } else {
        const char *msg = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        status = gs_fail(err, errlen, GS_ERR_RUNTIME, "%s", msg ? msg : "unknown error");
    }
    lua_settop(L, func - 1);
    return status;
}

size_t gsl_sandbox_memory(const gsl_sandbox *s) { return s->memory; }

size_t gsl_sandbox_peak_memory(const gsl_sandbox *s) { return s->peak; }

/* ---- limits ---- */

static void *sandbox_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    gsl_sandbox *s = ud;
    size_t old = ptr ? osize : 0; /* without a block, osize is a type tag */
    if (nsize == 0) {
        free(ptr);
        s->memory -= old;
        return NULL;
    }
    int grows = nsize > old;
    if (grows && s->memory_state == MEMORY_REFUSED_ONCE) {
        int retry =
            ptr == s->refused_block && osize == s->refused_osize && nsize == s->refused_nsize;
        /* any other request means Lua gave up on the refused one */
        if (!retry) s->memory_state = MEMORY_EXCEEDED;
    }
    size_t cap = s->limits.max_memory;
    /* the host may have pushed memory past the cap between calls */
    if (grows && s->capped && cap > 0 && (s->memory >= cap || nsize - old > cap - s->memory)) {
        if (s->memory_state == MEMORY_OK) {
            s->memory_state = MEMORY_REFUSED_ONCE;
            s->refused_block = ptr;
            s->refused_osize = osize;
            s->refused_nsize = nsize;
        } else {
            s->memory_state = MEMORY_EXCEEDED;
        }
        return NULL;
    }
    void *block = realloc(ptr, nsize);
    if (!block) return NULL;
    if (grows && s->memory_state == MEMORY_REFUSED_ONCE)
        s->memory_state = MEMORY_OK; /* the retry fit */
    s->memory = s->memory - old + nsize;
    if (grows) s->allocated_since_clock += nsize - old;
    if (s->memory > s->peak) s->peak = s->memory;
    return block;
}

/* Formats the trip message with the position of ar (a frame of L) and arms
 * every later hook call to raise it. */
static void trip(gsl_sandbox *s, lua_State *L, lua_Debug *ar, int reason) {
    char what[64];
    if (reason == TRIP_INSTRUCTIONS)
        snprintf(what, sizeof what, "instruction limit exceeded (%llu)",
                 (unsigned long long)s->limits.max_instructions);
    else
        snprintf(what, sizeof what, "time limit exceeded (%g s)", s->limits.timeout_s);
    if (ar && lua_getinfo(L, "Sl", ar) && ar->currentline > 0)
        snprintf(s->trip_message, sizeof s->trip_message, "%s:%d: %s", ar->short_src,
                 ar->currentline, what);
    else if (s->line > 0)
        snprintf(s->trip_message, sizeof s->trip_message, "%s:%d: %s", s->line_src, s->line, what);
    else
        snprintf(s->trip_message, sizeof s->trip_message, "%s", what);
    s->tripped = reason;
}

static void trip_memory(gsl_sandbox *s) {
    char what[64];
    snprintf(what, sizeof what, "memory limit exceeded (%g MiB)",
             (double)s->limits.max_memory / (1024.0 * 1024.0));
    if (s->line > 0)
        snprintf(s->trip_message, sizeof s->trip_message, "%s:%d: %s", s->line_src, s->line, what);
    else
        snprintf(s->trip_message, sizeof s->trip_message, "%s", what);
    s->tripped = TRIP_MEMORY;
}

static int limit_hit(const gsl_sandbox *s) {
    return s->tripped != TRIP_NONE || s->memory_state != MEMORY_OK;
}

/* Raises the trip message in L and makes L's hook fire on every
 * instruction, so whatever catches the error cannot run a single one. */
static int raise_trip(lua_State *L, gsl_sandbox *s) {
    lua_sethook(L, limit_hook, HOOK_MASK, 1);
    lua_pushstring(L, s->trip_message);
    return lua_error(L);
}

static void check_limits(gsl_sandbox *s, lua_State *L, lua_Debug *ar) {
    if (s->tripped) return;
    if (s->limits.max_instructions > 0 && s->instructions > s->limits.max_instructions)
        trip(s, L, ar, TRIP_INSTRUCTIONS);
    else if (now_seconds() > s->deadline)
        trip(s, L, ar, TRIP_TIME);
    else if (s->memory_state != MEMORY_OK)
        trip_memory(s);
}

static void limit_hook(lua_State *L, lua_Debug *ar) {
    gsl_sandbox *s = sandbox_of(L);
    if (ar->event == LUA_HOOKLINE) {
        if (!s->tripped) {
            /* a refused allocation the task's pcall caught ends here, at
             * the line that made it, which is still the remembered one */
            if (s->memory_state != MEMORY_OK) trip_memory(s);
            /* one instruction can copy or compare megabytes (s = s .. s),
             * so lines and heavy allocation also read the clock */
            if (++s->lines_since_clock >= CLOCK_EVERY_LINES ||
                s->allocated_since_clock >= CLOCK_EVERY_BYTES) {
                s->lines_since_clock = 0;
                s->allocated_since_clock = 0;
                check_limits(s, L, ar);
            }
        }
        s->line = ar->currentline;
        if (lua_getinfo(L, "S", ar)) memcpy(s->line_src, ar->short_src, sizeof s->line_src);
    } else if (!s->tripped) {
        /* a thread left at count 1 by an earlier period's trip counts its
         * own count, then goes back to the normal interval */
        int count = lua_gethookcount(L);
        s->instructions += (uint64_t)count;
        if (count != HOOK_INTERVAL) lua_sethook(L, limit_hook, HOOK_MASK, HOOK_INTERVAL);
        check_limits(s, L, ar);
    }
    if (s->tripped) raise_trip(L, s);
}

/* Counts work a library function is about to do in C, where no hook can
 * see it, against the instruction budget, and raises the trip if the work
 * does not fit. */
static void charge(lua_State *L, uint64_t work) {
    gsl_sandbox *s = sandbox_of(L);
    s->instructions = work > UINT64_MAX - s->instructions ? UINT64_MAX : s->instructions + work;
    if (!s->tripped) {
        lua_Debug ar;
        /* level 0 is the C function itself; the caller may be C too (pcall) */
        check_limits(s, L, innermost_lua_frame(L, 1, &ar) ? &ar : NULL);
    }
    if (s->tripped) raise_trip(L, s);
}

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* ---- errors ---- */

/* Fills ar ("Sl") with the first frame from level on that is running Lua
 * code at a known line; 0 when there is none. */
static int innermost_lua_frame(lua_State *L, int level, lua_Debug *ar) {
    for (; lua_getstack(L, level, ar); level++)
        if (lua_getinfo(L, "Sl", ar) && ar->currentline > 0) return 1;
    return 0;
}

/* 1 when msg already starts with a "chunk:line:" position. A chunk id is
 * shorter than LUA_IDSIZE, so the position's colon comes before that. */
static int has_position(const char *msg) {
    for (const char *p = msg; *p && *p != '\n' && p - msg < LUA_IDSIZE; p++) {
        if (*p != ':' || p == msg || p[1] < '0' || p[1] > '9') continue;
        const char *q = p + 1;
        while (*q >= '0' && *q <= '9')
            q++;
        if (*q == ':') return 1;
    }
    return 0;
}

/* The error object may be anything the task built, so it is read by type
 * only: no __tostring, no __name, nothing that could loop. */
static int message_handler(lua_State *L) {
    gsl_sandbox *s = sandbox_of(L);
    if (s->tripped) {
        lua_pushstring(L, s->trip_message);
        return 1;
    }
    int type = lua_type(L, 1);
    const char *msg;
    if (type == LUA_TSTRING || type == LUA_TNUMBER)
        msg = lua_tostring(L, 1);
    else
        msg = lua_pushfstring(L, "(error object is a %s value)", lua_typename(L, type));
    if (has_position(msg)) {
        lua_pushstring(L, msg);
        return 1;
    }
    /* level 0 is this handler; the innermost Lua frame raised or called
     * whatever raised */
    lua_Debug ar;
    if (innermost_lua_frame(L, 1, &ar)) {
        lua_pushfstring(L, "%s:%d: %s", ar.short_src, ar.currentline, msg);
        return 1;
    }
    if (s->line > 0)
        lua_pushfstring(L, "%s:%d: %s", s->line_src, s->line, msg);
    else
        lua_pushstring(L, msg);
    return 1;
}

/* ---- names ---- */

static int add_name(gsl_sandbox *s, const char *name) {
    if (s->nnames == s->names_cap) {
        size_t cap = s->names_cap ? 2 * s->names_cap : 64;
        const char **names = realloc(s->names, cap * sizeof *names);
        if (!names) return 0;
        s->names = names;
        s->names_cap = cap;
    }
    s->names[s->nnames++] = name;
    return 1;
}

/* Adds a copy of name that the sandbox frees. */
static void add_owned_name(gsl_sandbox *s, const char *name) {
    if (s->nowned == s->owned_cap) {
        size_t cap = s->owned_cap ? 2 * s->owned_cap : 16;
        char **owned = realloc(s->owned, cap * sizeof *owned);
        if (!owned) return;
        s->owned = owned;
        s->owned_cap = cap;
    }
    size_t len = strlen(name);
    char *copy = malloc(len + 1);
    if (!copy) return;
    memcpy(copy, name, len + 1);
    if (!add_name(s, copy)) {
        free(copy);
        return;
    }
    s->owned[s->nowned++] = copy;
}

static int suggestion_cap(const char *name) {
    return gsu_suggestion_cap(name);
}

/* Keeps candidate when it is closer to name than *best; an exact match is
 * no suggestion. */
static void consider(const char *name, const char *candidate, int cap, const char **best,
                     int *best_distance) {
    if (strcmp(name, candidate) == 0) return;
    int d = gsu_edit_distance(name, candidate, cap);
    if (d < *best_distance) *best_distance = d, *best = candidate;
}

static const char *nearest_known(const gsl_sandbox *s, const char *name, int *best_distance) {
    int cap = suggestion_cap(name);
    const char *best = NULL;
    *best_distance = cap + 1;
    for (size_t i = 0; i < s->nnames; i++)
        consider(name, s->names[i], cap, &best, best_distance);
    for (size_t i = 0; i < NALLOWED; i++)
        consider(name, allowed_globals[i], cap, &best, best_distance);
    return best;
}

/* _G's __index: reading a global nobody defined is almost always a typo,
 * and a nil that surfaces three calls later is much harder to repair. */
static int undefined_global(lua_State *L) {
    if (lua_type(L, 2) != LUA_TSTRING) return 0; /* t[1] and the like read as nil */
    gsl_sandbox *s = sandbox_of(L);
    const char *name = lua_tostring(L, 2);
    int best_distance;
    const char *best = nearest_known(s, name, &best_distance);
    char defined[64] = ""; /* the task's own globals count too */
    int cap = suggestion_cap(name);
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        lua_pop(L, 1); /* key */
        if (lua_type(L, -1) != LUA_TSTRING) continue;
        const char *key = lua_tostring(L, -1);
        const char *before = best;
        consider(name, key, cap, &best, &best_distance);
        if (best != before) {
            snprintf(defined, sizeof defined, "%s", key);
            best = defined;
        }
    }
    char shown[64];
    snprintf(shown, sizeof shown, "%s", name);
    if (strlen(name) >= sizeof shown) memcpy(shown + sizeof shown - 4, "...", 4);
    if (best) return luaL_error(L, "undefined global '%s' (did you mean '%s'?)", shown, best);
    return luaL_error(L, "undefined global '%s'", shown);
}

/* ---- the task's library ---- */

static int set_global_protected(lua_State *L) {
    const char *name = lua_touserdata(L, 2);
    lua_pushglobaltable(L);
    lua_pushstring(L, name);
    lua_pushvalue(L, 1);
    lua_rawset(L, -3); /* no __newindex on _G, but rawset states the intent */
    return 0;
}

static void emit_line(gsl_sandbox *s, const char *line) {
    if (s->log) s->log(s->log_ud, line);
}

/* print: the arguments joined by tabs, one log line per text line. */
static int sandbox_print(lua_State *L) {
    gsl_sandbox *s = sandbox_of(L);
    int n = lua_gettop(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 1; i <= n; i++) {
        if (i > 1) luaL_addchar(&b, '\t');
        luaL_tolstring(L, i, NULL); /* __tostring is task code, but under the hook */
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    if (!s->log) return 0;
    size_t len;
    const char *text = lua_tolstring(L, -1, &len);
    for (;;) {
        const char *end = memchr(text, '\n', len);
        size_t piece = end ? (size_t)(end - text) : len;
        lua_pushlstring(L, text, piece); /* a terminated copy */
        emit_line(s, lua_tostring(L, -1));
        lua_pop(L, 1);
        if (!end) break;
        text += piece + 1;
        len -= piece + 1;
    }
    return 0;
}

static void warn_to_log(void *ud, const char *msg, int tocont) {
    gsl_sandbox *s = ud;
    if (!s->warn_continued && !tocont && msg[0] == '@') return; /* "@on", "@off" */
    size_t room = sizeof s->warn_line - 1 - s->warn_len;
    size_t len = strlen(msg);
    if (len > room) len = room;
    memcpy(s->warn_line + s->warn_len, msg, len);
    s->warn_len += len;
    s->warn_line[s->warn_len] = '\0';
    s->warn_continued = tocont;
    if (tocont) return;
    char line[sizeof s->warn_line + 16];
    snprintf(line, sizeof line, "warning: %s", s->warn_line);
    emit_line(s, line);
    s->warn_len = 0;
    s->warn_line[0] = '\0';
}

/* load: text only, and the sandbox's globals unless the task passes its
 * own env; a reader function could feed bytes in any mode. */
static int sandbox_load(lua_State *L) {
    size_t len;
    luaL_checktype(L, 1, LUA_TSTRING);
    const char *chunk = lua_tolstring(L, 1, &len);
    const char *chunkname = luaL_optstring(L, 2, chunk);
    int env = !lua_isnone(L, 4) ? 4 : 0;
    if (luaL_loadbufferx(L, chunk, len, chunkname, "t") != LUA_OK) {
        luaL_pushfail(L);
        lua_insert(L, -2);
        return 2; /* fail message */
    }
    if (env) {
        lua_pushvalue(L, env);
        if (!lua_setupvalue(L, -2, 1)) lua_pop(L, 1); /* _ENV */
    }
    return 1;
}

/* setmetatable without finalizers: hooks do not run inside __gc, so a
 * looping one would hang the host at the next collection or at close.
 * Lua marks an object for finalization only when its metatable has __gc
 * at this call, so adding __gc later does nothing and checking here is
 * enough. */
static int sandbox_setmetatable(lua_State *L) {
    int type = lua_type(L, 2);
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_argexpected(L, type == LUA_TNIL || type == LUA_TTABLE, 2, "nil or table");
    if (type == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return luaL_error(L, "__gc metamethods are not allowed in tasks");
        lua_pop(L, 1);
    }
    if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
        return luaL_error(L, "cannot change a protected metatable");
    lua_settop(L, 2);
    lua_setmetatable(L, 1);
    return 1;
}

/* xpcall whose message handler is a C guard around the task's. Lua calls a
 * message handler from inside lua_error, and when that error comes from the
 * hook, hooks are still disabled (allowhook is restored only when the error
 * lands in a pcall): a task handler called there would run unhooked, and a
 * looping one would hang the host. After a trip the guard answers with the
 * trip message and never calls the task's handler. */
static int guarded_handler(lua_State *L) {
    gsl_sandbox *s = sandbox_of(L);
    if (s->tripped) {
        lua_pushstring(L, s->trip_message);
        return 1;
    }
    lua_pushvalue(L, lua_upvalueindex(1)); /* the task's handler */
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static int finish_xpcall(lua_State *L, int status, lua_KContext below_results) {
    if (status != LUA_OK && status != LUA_YIELD) {
        lua_pushboolean(L, 0);
        lua_pushvalue(L, -2); /* false message */
        return 2;
    }
    return lua_gettop(L) - (int)below_results; /* true results... */
}

static int sandbox_xpcall(lua_State *L) {
    int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, guarded_handler, 1);
    lua_replace(L, 2);     /* f guard args... */
    lua_pushboolean(L, 1); /* the first result on success */
    lua_pushvalue(L, 1);
    lua_rotate(L, 3, 2); /* f guard true f args... */
    /* with a continuation, so a coroutine may yield across it */
    int status = lua_pcallk(L, n - 2, LUA_MULTRET, 2, 2, finish_xpcall);
    return finish_xpcall(L, status, 2);
}

/* Coroutine bodies run inside a pcall of their own. An error raised by the
 * hook leaves the thread's hooks disabled until a protected call in that
 * thread catches it; a coroutine killed by such an error would keep them
 * disabled, and coroutine.wrap (or close) then runs its pending __close
 * handlers unhooked, where a loop would hang the host. Caught here, the
 * error restores the hooks and closes the handlers under them, and is then
 * raised again from C, which leaves the hooks on. */
static int coroutine_body_done(lua_State *L, int status, lua_KContext unused) {
    (void)unused;
    if (status != LUA_OK && status != LUA_YIELD) return lua_error(L); /* error object on top */
    return lua_gettop(L);
}

static int coroutine_body(lua_State *L) {
    lua_pushvalue(L, lua_upvalueindex(1)); /* the task's function */
    lua_insert(L, 1);
    /* with a continuation, so the body may yield across this pcall */
    int status = lua_pcallk(L, lua_gettop(L) - 1, LUA_MULTRET, 0, 0, coroutine_body_done);
    return coroutine_body_done(L, status, 0);
}

/* coroutine.create and coroutine.wrap: the library's, given the guarded body. */
static int sandbox_coroutine_new(lua_State *L) {
    luaL_checktype(L, 1, LUA_TFUNCTION);
    lua_pushvalue(L, lua_upvalueindex(1)); /* the library's create or wrap */
    lua_pushvalue(L, 1);
    lua_pushcclosure(L, coroutine_body, 1);
    lua_call(L, 1, 1);
    return 1;
}

/* math.random from the episode's generator, with Lua 5.4's arguments. */
static int sandbox_random(lua_State *L) {
    gsu_rng *rng = &sandbox_of(L)->rng;
    lua_Integer low, up;
    switch (lua_gettop(L)) {
    case 0: lua_pushnumber(L, (lua_Number)gsu_rng_unit(rng)); return 1;
    case 1:
        low = 1;
        up = luaL_checkinteger(L, 1);
        if (up == 0) { /* 5.4: math.random(0) is a whole random integer */
            lua_pushinteger(L, (lua_Integer)gsu_rng_next(rng));
            return 1;
        }
        break;
    case 2:
        low = luaL_checkinteger(L, 1);
        up = luaL_checkinteger(L, 2);
        break;
    default: return luaL_error(L, "wrong number of arguments");
    }
    luaL_argcheck(L, low <= up, 1, "interval is empty");
    lua_pushinteger(L, (lua_Integer)gsu_rng_int(rng, low, up));
    return 1;
}

/* math.randomseed is refused: the host seeds every episode, and a task
 * that seeded itself would make every episode the same one, which would
 * pass "runs on many seeds" while testing a single scene. */
static int sandbox_randomseed(lua_State *L) {
    return luaL_error(L, "math.randomseed: tasks do not seed themselves; the host seeds each "
                         "episode (use env.rng or math.random)");
}

/* string.rep with nothing to repeat loops n times in C, unbounded by
 * memory; any other string.rep is bounded by the allocator. */
static int sandbox_rep(lua_State *L) {
    size_t len, seplen = 0;
    luaL_checklstring(L, 1, &len);
    lua_Integer n = luaL_checkinteger(L, 2);
    luaL_optlstring(L, 3, "", &seplen);
    if (n <= 0 || len + seplen == 0) {
        lua_pushliteral(L, "");
        return 1;
    }
    lua_pushvalue(L, lua_upvalueindex(1)); /* the library's rep */
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

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
    charge(run->L, used); /* raises when over the limits */
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
    if (used > 0) charge(run->L, used);
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
    charge(L, (uint64_t)n + m);
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

/* table.insert, remove and move loop in C over a range that __len or the
 * arguments choose, touching absent keys for free; they are rewritten here
 * to charge the range first. Only real tables are accepted. */
static int sandbox_insert(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer first_empty = luaL_len(L, 1);
    luaL_argcheck(L, first_empty < LUA_MAXINTEGER, 1, "table too large");
    first_empty++;
    lua_Integer pos;
    switch (lua_gettop(L)) {
    case 2: pos = first_empty; break;
    case 3:
        pos = luaL_checkinteger(L, 2);
        luaL_argcheck(L, pos >= 1 && pos <= first_empty, 2, "position out of bounds");
        charge(L, (uint64_t)(first_empty - pos));
        for (lua_Integer i = first_empty; i > pos; i--) {
            lua_geti(L, 1, i - 1);
            lua_seti(L, 1, i); /* t[i] = t[i - 1] */
        }
        break;
    default: return luaL_error(L, "wrong number of arguments to 'insert'");
    }
    lua_seti(L, 1, pos); /* t[pos] = value */
    return 0;
}

static int sandbox_remove(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer size = luaL_len(L, 1);
    lua_Integer pos = luaL_optinteger(L, 2, size);
    if (pos != size)
        luaL_argcheck(L, size < LUA_MAXINTEGER && pos >= 1 && pos <= size + 1, 2,
                      "position out of bounds");
    if (pos < size) charge(L, (uint64_t)(size - pos));
    lua_geti(L, 1, pos); /* result */
    for (; pos < size; pos++) {
        lua_geti(L, 1, pos + 1);
        lua_seti(L, 1, pos); /* t[pos] = t[pos + 1] */
    }
    lua_pushnil(L);
    lua_seti(L, 1, pos);
    return 1;
}

static int sandbox_move(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer from = luaL_checkinteger(L, 2);
    lua_Integer to_end = luaL_checkinteger(L, 3);
    lua_Integer dest = luaL_checkinteger(L, 4);
    int target = lua_isnoneornil(L, 5) ? 1 : 5;
    luaL_checktype(L, target, LUA_TTABLE);
    if (to_end >= from) {
        luaL_argcheck(L, from > 0 || to_end < LUA_MAXINTEGER + from, 3,
                      "too many elements to move");
        lua_Integer n = to_end - from + 1; /* fits: checked above */
        luaL_argcheck(L, dest <= LUA_MAXINTEGER - n + 1, 4, "destination wrap around");
        charge(L, (uint64_t)n);
        if (dest > to_end || dest <= from || (target != 1 && !lua_rawequal(L, 1, target))) {
            for (lua_Integer i = 0; i < n; i++) {
                lua_geti(L, 1, from + i);
                lua_seti(L, target, dest + i);
            }
        } else { /* overlapping, moving up: copy from the end */
            for (lua_Integer i = n - 1; i >= 0; i--) {
                lua_geti(L, 1, from + i);
                lua_seti(L, target, dest + i);
            }
        }
    }
    lua_pushvalue(L, target);
    return 1;
}

/* table.sort on a length that __len invents would sort forever in C, with
 * the elements served by a C __index; a real table's length is bounded by
 * memory, so only __len is refused and the sort is charged n log n. */
static int sandbox_sort(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    if (luaL_getmetafield(L, 1, "__len") != LUA_TNIL)
        return luaL_error(L, "table.sort does not accept a table with __len in tasks");
    uint64_t n = (uint64_t)lua_rawlen(L, 1), work = n;
    for (uint64_t k = n; k > 1; k >>= 1)
        work += n;
    charge(L, work);
    lua_pushvalue(L, lua_upvalueindex(1)); /* the library's sort */
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 0);
    return 0;
}

/* pairs in an order fixed by the keys alone. Lua 5.4 seeds its string hash
 * from the clock and from addresses, so next() visits string keys in a
 * different order in every run, and a task that spawns objects or draws
 * random numbers inside a pairs loop would make a different episode from
 * the same seed. Keys are snapshotted and sorted: numbers by value, then
 * strings bytewise, then false, true, then everything else in next()
 * order (those have no stable identity). __pairs is honoured; next itself
 * stays as it is. */
static int key_rank(lua_State *L, int idx) {
    switch (lua_type(L, idx)) {
    case LUA_TNUMBER: return 0;
    case LUA_TSTRING: return 1;
    case LUA_TBOOLEAN: return lua_toboolean(L, idx) ? 3 : 2;
    default: return 4;
    }
}

static int key_less(lua_State *L) {
    int ra = key_rank(L, 1), rb = key_rank(L, 2);
    if (ra != rb) {
        lua_pushboolean(L, ra < rb);
    } else if (ra == 0) {
        lua_pushboolean(L, lua_compare(L, 1, 2, LUA_OPLT)); /* numbers: no metamethods */
    } else if (ra == 1) {
        /* bytewise, not lua_compare, which follows the C locale (strcoll) */
        size_t la, lb;
        const char *a = lua_tolstring(L, 1, &la), *b = lua_tolstring(L, 2, &lb);
        int c = memcmp(a, b, la < lb ? la : lb);
        lua_pushboolean(L, c < 0 || (c == 0 && la < lb));
    } else {
        lua_pushboolean(L, 0);
    }
    return 1;
}

/* The iterator: upvalue 1 the sorted keys, upvalue 2 how many were handed
 * out; keys cleared during the loop are skipped, as next() would. */
static int ordered_next(lua_State *L) {
    lua_Integer i = lua_tointeger(L, lua_upvalueindex(2));
    for (;;) {
        i++;
        if (lua_rawgeti(L, lua_upvalueindex(1), i) == LUA_TNIL) { /* key */
            lua_pushinteger(L, i - 1);
            lua_replace(L, lua_upvalueindex(2));
            return 1; /* nil: done */
        }
        lua_pushvalue(L, -1);
        if (lua_rawget(L, 1) != LUA_TNIL) { /* key value */
            lua_pushinteger(L, i);
            lua_replace(L, lua_upvalueindex(2));
            return 2;
        }
        lua_pop(L, 2);
    }
}

static int sandbox_pairs(lua_State *L) {
    luaL_checkany(L, 1);
    if (luaL_getmetafield(L, 1, "__pairs") != LUA_TNIL) {
        lua_pushvalue(L, 1);
        lua_call(L, 1, 3);
        return 3;
    }
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    lua_newtable(L); /* t keys */
    lua_Integer n = 0;
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_rawseti(L, 2, ++n);
    }
    charge(L, (uint64_t)n);
    if (n > 1) {
        lua_pushvalue(L, lua_upvalueindex(1)); /* the library's sort */
        lua_pushvalue(L, 2);
        lua_pushcfunction(L, key_less);
        lua_call(L, 2, 0);
    }
    lua_pushinteger(L, 0);
    lua_pushcclosure(L, ordered_next, 2); /* t iterator */
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3; /* iterator t nil */
}

/* Replaces field name of the table on top with f, which gets the old value
 * as its upvalue. */
static void wrap_field(lua_State *L, const char *name, lua_CFunction f) {
    lua_getfield(L, -1, name);
    lua_pushcclosure(L, f, 1);
    lua_setfield(L, -2, name);
}

static void set_field(lua_State *L, const char *name, lua_CFunction f) {
    lua_pushcfunction(L, f);
    lua_setfield(L, -2, name);
}

static int is_allowed(const char *name) {
    for (size_t i = 0; i < NALLOWED; i++)
        if (strcmp(name, allowed_globals[i]) == 0) return 1;
    return 0;
}

static int setup_state(lua_State *L) {
    static const luaL_Reg libraries[] = {
        {LUA_GNAME, luaopen_base},        {LUA_TABLIBNAME, luaopen_table},
        {LUA_STRLIBNAME, luaopen_string}, {LUA_MATHLIBNAME, luaopen_math},
        {LUA_UTF8LIBNAME, luaopen_utf8},  {LUA_COLIBNAME, luaopen_coroutine},
    };
    for (size_t i = 0; i < sizeof libraries / sizeof libraries[0]; i++) {
        luaL_requiref(L, libraries[i].name, libraries[i].func, 1);
        lua_pop(L, 1);
    }
    lua_pushglobaltable(L); /* G */
    /* clearing fields while traversing is allowed by lua_next */
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pop(L, 1); /* G key */
        if (lua_type(L, -1) == LUA_TSTRING && is_allowed(lua_tostring(L, -1))) continue;
        lua_pushvalue(L, -1);
        lua_pushnil(L);
        lua_rawset(L, -4);
    }
    set_field(L, "print", sandbox_print);
    set_field(L, "load", sandbox_load);
    set_field(L, "setmetatable", sandbox_setmetatable);
    set_field(L, "xpcall", sandbox_xpcall);

    lua_getfield(L, -1, LUA_MATHLIBNAME); /* G math */
    set_field(L, "random", sandbox_random);
    set_field(L, "randomseed", sandbox_randomseed);
    lua_pop(L, 1);

    lua_getfield(L, -1, LUA_STRLIBNAME); /* G string */
    lua_pushnil(L);
    lua_setfield(L, -2, "dump");
    wrap_field(L, "rep", sandbox_rep);
    set_field(L, "find", sandbox_find);
    set_field(L, "match", sandbox_match);
    set_field(L, "gmatch", sandbox_gmatch);
    set_field(L, "gsub", sandbox_gsub);
    lua_pop(L, 1);

    lua_getfield(L, -1, LUA_COLIBNAME); /* G coroutine */
    wrap_field(L, "create", sandbox_coroutine_new);
    wrap_field(L, "wrap", sandbox_coroutine_new);
    lua_pop(L, 1);

    lua_getfield(L, -1, LUA_TABLIBNAME); /* G table */
    lua_getfield(L, -1, "sort");
    lua_pushcclosure(L, sandbox_pairs, 1);
    lua_setfield(L, -3, "pairs");
    set_field(L, "insert", sandbox_insert);
    set_field(L, "remove", sandbox_remove);
    set_field(L, "move", sandbox_move);
    wrap_field(L, "sort", sandbox_sort);
    lua_pop(L, 1);

    /* string methods still resolve through __index; only getmetatable("")
     * and with it the shared string metatable go out of reach */
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1); /* G "" mt */
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 2);

    lua_createtable(L, 0, 2); /* G mt */
    lua_pushcfunction(L, undefined_global);
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_pop(L, 1);
    return 0;
}
