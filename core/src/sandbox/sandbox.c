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
 * - gsl__charge(), for library functions whose loops run in C where the hook
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
#include "sandbox/sandbox_internal.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lualib.h>

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
static gs_status report_error(const char *msg, char *err, size_t errlen);

gsl_sandbox *gsl__sandbox_of(lua_State *L) {
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
    s->logged = 0;
    s->expired = 0;
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
    gs_status checked = gsl__check_source(path, src ? src : "", len, err, errlen);
    if (checked != GS_OK) return checked;
    if (!lua_checkstack(L, 1)) return gs_fail(err, errlen, GS_ERR_NOMEM, "%s: out of memory", path);
    /* a malloc'd name, not lua_pushfstring: nothing here is protected yet */
    size_t plen = strlen(path);
    char *chunkname = malloc(plen + 2);
    if (!chunkname) return gs_fail(err, errlen, GS_ERR_NOMEM, "%s: out of memory", path);
    chunkname[0] = '@';
    memcpy(chunkname + 1, path, plen + 1);
    gsl__add_source(s, chunkname);
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
    gsl__watch_begin(s, s->deadline);
    int rc = lua_pcall(L, nargs, nresults, func);
    gsl__watch_end(s);
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
        status = report_error(msg ? msg : "unknown error", err, errlen);
    }
    lua_settop(L, func - 1);
    return status;
}

size_t gsl_sandbox_memory(const gsl_sandbox *s) { return s->memory + s->host; }

int gsl_sandbox_charge_memory(gsl_sandbox *s, ptrdiff_t delta) {
    if (delta <= 0) {
        size_t back = (size_t)-delta;
        s->host -= back < s->host ? back : s->host;
        return 1;
    }
    size_t cap = s->limits.max_memory, used = s->memory + s->host;
    if (s->capped && cap > 0 && (used >= cap || (size_t)delta > cap - used)) {
        s->memory_state = MEMORY_EXCEEDED;
        trip_memory(s);
        return 0;
    }
    s->host += (size_t)delta;
    if (s->memory + s->host > s->peak) s->peak = s->memory + s->host;
    return 1;
}

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
    size_t used = s->memory + s->host;
    if (grows && s->capped && cap > 0 && (used >= cap || nsize - old > cap - used)) {
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
    if (s->memory + s->host > s->peak) s->peak = s->memory + s->host;
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
    /* outside the task's own file (a chunk it loaded), the line of the
     * task that led there */
    lua_Debug own;
    if (ar && lua_getinfo(L, "Sl", ar) && !gsl__own_source(s, ar->source) &&
        innermost_lua_frame(L, 0, &own) && gsl__own_source(s, own.source))
        ar = &own;
    if (ar && ar->currentline > 0)
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
    gsl_sandbox *s = gsl__sandbox_of(L);
    if (ar->event == LUA_HOOKLINE) {
        if (!s->tripped) {
            /* a refused allocation the task's pcall caught ends here, at
             * the line that made it, which is still the remembered one */
            if (s->memory_state != MEMORY_OK) trip_memory(s);
            /* one instruction can copy or compare megabytes (s = s .. s),
             * so lines and heavy allocation also read the clock */
            if (s->expired || ++s->lines_since_clock >= CLOCK_EVERY_LINES ||
                s->allocated_since_clock >= CLOCK_EVERY_BYTES) {
                s->lines_since_clock = 0;
                s->allocated_since_clock = 0;
                check_limits(s, L, ar);
            }
        }
        if (lua_getinfo(L, "S", ar) && gsl__own_source(s, ar->source)) {
            s->line = ar->currentline;
            memcpy(s->line_src, ar->short_src, sizeof s->line_src);
        }
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
void gsl__charge(lua_State *L, uint64_t work) {
    gsl_sandbox *s = gsl__sandbox_of(L);
    s->instructions = work > UINT64_MAX - s->instructions ? UINT64_MAX : s->instructions + work;
    if (!s->tripped) {
        lua_Debug ar;
        /* level 0 is the C function itself; the caller may be C too (pcall) */
        check_limits(s, L, innermost_lua_frame(L, 1, &ar) ? &ar : NULL);
    }
    if (s->tripped) raise_trip(L, s);
}

void gsl_sandbox_charge(lua_State *L, uint64_t work) { gsl__charge(L, work); }

void gsl__expire(gsl_sandbox *s) {
    s->expired = 1;
    lua_sethook(s->L, limit_hook, HOOK_MASK, 1);
}

void gsl__stuck_message(const gsl_sandbox *s, char *msg, size_t n) {
    if (s->line > 0)
        snprintf(msg, n, "%s:%d: time limit exceeded (%g s): the task is stuck in a library function", s->line_src,
                 s->line, s->limits.timeout_s);
    else
        snprintf(msg, n, "time limit exceeded (%g s): the task is stuck in a library function",
                 s->limits.timeout_s);
}

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* ---- errors ---- */

/* Fills ar ("Sl") with the first frame from level on that is running the
 * task's own file at a known line, else the first running any Lua code (a
 * chunk the task loaded); 0 when there is none. Messages name the task's
 * file, which is what its author can open. */
static int innermost_lua_frame(lua_State *L, int level, lua_Debug *ar) {
    gsl_sandbox *s = gsl__sandbox_of(L);
    int found = 0;
    lua_Debug first;
    for (; lua_getstack(L, level, ar); level++) {
        if (!lua_getinfo(L, "Sl", ar) || ar->currentline <= 0) continue;
        if (gsl__own_source(s, ar->source)) return 1;
        if (!found) first = *ar, found = 1;
    }
    if (found) *ar = first;
    return found;
}

int gsl__own_source(const gsl_sandbox *s, const char *src) {
    for (int i = 0; i < s->nsources; i++)
        if (strcmp(src, s->sources[i]) == 0) return 1;
    return 0;
}

void gsl__add_source(gsl_sandbox *s, const char *chunkname) {
    if (s->nsources < GSL_MAX_SOURCES && !gsl__own_source(s, chunkname))
        snprintf(s->sources[s->nsources++], sizeof s->sources[0], "%s", chunkname);
}

/* 1 when msg's position is in one of the task's own files. */
static int positioned_in_task(const gsl_sandbox *s, const char *msg) {
    for (int i = 0; i < s->nsources; i++) {
        const char *file = s->sources[i] + 1;
        size_t n = strlen(file);
        if (s->sources[i][0] != '@') continue;
        if (strncmp(msg, file, n) == 0 && msg[n] == ':') return 1;
        /* Lua shortens a long file name to "..." and its tail */
        size_t tail = LUA_IDSIZE - 4;
        if (n > tail && strncmp(msg, "...", 3) == 0 && strncmp(msg + 3, file + n - tail, tail) == 0 && msg[3 + tail] == ':')
            return 1;
    }
    return 0;
}

/* The length of the "chunk:line: " position msg starts with, or 0. */
static size_t position_length(const char *msg) {
    for (const char *p = msg; *p && *p != '\n' && p - msg < LUA_IDSIZE; p++) {
        if (*p != ':' || p == msg || p[1] < '0' || p[1] > '9') continue;
        const char *q = p + 1;
        while (*q >= '0' && *q <= '9') q++;
        if (q[0] == ':' && q[1] == ' ') return (size_t)(q + 2 - msg);
    }
    return 0;
}

/* A runtime error as the task's message. Errors passed up through nested
 * calls (coroutine.wrap, error with a level) gather one position per level;
 * a long run of them would push the cause out of the message, so the run
 * becomes its first position, a count and its last. */
static gs_status report_error(const char *msg, char *err, size_t errlen) {
    const char *p = msg, *last = NULL;
    int n = 0;
    for (size_t k; (k = position_length(p)) > 0; p += k, n++) last = p;
    if (n <= 3) return gs_fail(err, errlen, GS_ERR_RUNTIME, "%s", msg);
    size_t first = position_length(msg), tail = position_length(last);
    return gs_fail(err, errlen, GS_ERR_RUNTIME, "%.*s(through %d nested calls, the innermost at %.*s) %s",
                   (int)first, msg, n - 2, (int)(tail - 2), last, p);
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
    gsl_sandbox *s = gsl__sandbox_of(L);
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
    if (has_position(msg) && positioned_in_task(s, msg)) {
        lua_pushstring(L, msg);
        return 1;
    }
    /* level 0 is this handler; the innermost Lua frame raised or called
     * whatever raised (in a chunk the task loaded, its caller in the task
     * file comes first, the loaded chunk's position after) */
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
    gsl_sandbox *s = gsl__sandbox_of(L);
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

/* ---- the log ---- */

static int set_global_protected(lua_State *L) {
    const char *name = lua_touserdata(L, 2);
    lua_pushglobaltable(L);
    lua_pushstring(L, name);
    lua_pushvalue(L, 1);
    lua_rawset(L, -3); /* no __newindex on _G, but rawset states the intent */
    return 0;
}

void gsl__emit_line(gsl_sandbox *s, const char *line) {
    if (s->log) s->log(s->log_ud, line);
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
    gsl__emit_line(s, line);
    s->warn_len = 0;
    s->warn_line[0] = '\0';
}

/* ---- the state ---- */

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
    gsl__install_library(L);  /* sandbox_lib.c */
    gsl__install_patterns(L); /* sandbox_string.c */
    gsl__install_require(L);  /* sandbox_require.c */

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

