/* sandbox/sandbox_internal.h (internal): the sandbox's state, as its
 * files share it: sandbox.c (the state, its limits, errors and names),
 * sandbox_lib.c (the task's library functions the sandbox replaces) and
 * sandbox_string.c (string matching on the budgeted matcher). */
#ifndef GS_SANDBOX_SANDBOX_INTERNAL_H
#define GS_SANDBOX_SANDBOX_INTERNAL_H

#include <lauxlib.h>

#include "sandbox/sandbox.h"

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

/* Files whose frames messages prefer: the task, its modules and kinds. */
#define GSL_MAX_SOURCES 32
/* Modules loading inside one another at most (each nests a C call). */
#define GSL_MAX_REQUIRE_DEPTH 16

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
    size_t host;   /* bytes the host holds for the task (goals, objects), charged alike */
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
    volatile int expired;  /* set by the watchdog at the deadline: the hooks trip at once */
    char trip_message[LUA_IDSIZE + 96];

    char line_src[LUA_IDSIZE]; /* where the last line event in the task's own files was, */
    int line;                  /* for memory errors and positions in loaded chunks */
    /* the chunk names ("@path") of the files the host loaded (the task, its
     * modules, its kinds), for finding their frames: messages name a file
     * the author can open, not a chunk the task made with load() */
    char sources[GSL_MAX_SOURCES][256];
    int nsources;

    gsl_find_module_fn find_module; /* nullable: require finds nothing */
    void *find_module_ud;
    int requiring;                  /* modules loading now, nested */

    const char **names; /* offered for misspelt globals (nnames) */
    size_t nnames, names_cap;
    char **owned; /* copies made by set_global, freed with the sandbox (nowned) */
    size_t nowned, owned_cap;

    size_t logged;       /* bytes printed in this armed period */
    char warn_line[256]; /* warn() pieces until the last one arrives */
    size_t warn_len;
    int warn_continued;
};

/* Bytes of work in C charged as one instruction: about what a VM
 * instruction costs in copying or comparing. */
#define GSL_CHARGE_BYTES 64
/* Bytes of printed output a task may log per armed period (an episode). */
#define GSL_LOG_MAX 65536

/* The sandbox a state belongs to. */
gsl_sandbox *gsl__sandbox_of(lua_State *L);
/* Charges work steps done in C to the instruction budget; raises once a
 * limit has tripped. */
void gsl__charge(lua_State *L, uint64_t work);
/* Hands a line the task printed to the log. */
void gsl__emit_line(gsl_sandbox *s, const char *line);
/* Seconds past its deadline after which a call that has not returned is
 * stuck in C (watchdog.c). */
#define GSL_STUCK_GRACE_S 1.0
/* The watchdog's side of a call: watched from begin to end (deadline in
 * CLOCK_MONOTONIC seconds; INFINITY: nothing to watch). */
void gsl__watch_begin(gsl_sandbox *s, double deadline);
void gsl__watch_end(gsl_sandbox *s);
/* Called by the watchdog: the deadline passed (mark the sandbox, make its
 * main thread's hook fire on every instruction); the message for a call
 * stuck in C past the grace. */
void gsl__expire(gsl_sandbox *s);
void gsl__stuck_message(const gsl_sandbox *s, char *msg, size_t n);

/* Refuses source that names _ENV or declares a <close> variable (the
 * constructs Lua 5.4.4's known bugs need), naming name:line (lexcheck.c). */
gs_status gsl__check_source(const char *name, const char *src, size_t len, char *err, size_t errlen);
/* Installs the replaced library functions into the globals table on top
 * (sandbox_lib.c), and the string matching functions (sandbox_string.c). */
void gsl__install_library(lua_State *L);
void gsl__install_patterns(lua_State *L);
void gsl__install_require(lua_State *L); /* sandbox_require.c */
/* 1 when src (a chunk name, "@path") is one of the files the host loaded. */
int gsl__own_source(const gsl_sandbox *s, const char *src);
/* Adds a chunk name to s->sources (when there is room and it is new). */
void gsl__add_source(gsl_sandbox *s, const char *chunkname);

/* Replaces field name of the table on top with f, which gets the old value
 * as its upvalue. */
static inline void gsl__wrap_field(lua_State *L, const char *name, lua_CFunction f) {
    lua_getfield(L, -1, name);
    lua_pushcclosure(L, f, 1);
    lua_setfield(L, -2, name);
}

/* Sets field name of the table on top to f. */
static inline void gsl__set_field(lua_State *L, const char *name, lua_CFunction f) {
    lua_pushcfunction(L, f);
    lua_setfield(L, -2, name);
}

#endif
