/* sandbox/sandbox.h (internal): one lua_State per untrusted task file.
 *
 * The state sees base (less dofile, loadfile, collectgarbage, require),
 * table, string (less dump), math, utf8 and coroutine, nothing else. Chunks
 * load as text only. Limits: an instruction budget and a wall-clock deadline
 * enforced by a hook that re-arms on every instruction once tripped, so pcall
 * cannot swallow the abort; a capped allocator; no __gc finalizers. Reading an
 * undefined global is an error naming the nearest known name. math.random
 * draws from the sandbox's seeded generator. string.find, match, gmatch and
 * gsub run on the project's own matcher, which charges every matching step
 * to the instruction budget: a pattern that backtracks without end stops
 * like any other runaway loop. Every failure is reported as
 * "file:line: message". */
#ifndef GS_SANDBOX_SANDBOX_H
#define GS_SANDBOX_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

#include <lua.h>

#include "gensim/math.h"
#include "gensim/sandbox.h"
#include "gensim/status.h"

typedef struct gsl_sandbox gsl_sandbox;

/* A fresh sandbox; NULL (and err) on failure. log may be NULL (print is
 * then discarded). */
gsl_sandbox *gsl_sandbox_new(const gsl_limits *limits, gsl_log_fn log, void *log_ud, char *err,
                             size_t errlen);
/* Closes the state; s may be NULL. */
void gsl_sandbox_free(gsl_sandbox *s);
/* The state, for the host to push its API into. */
lua_State *gsl_sandbox_state(gsl_sandbox *s);
/* The generator behind math.random, for the host to seed per episode. */
gsu_rng *gsl_sandbox_rng(gsl_sandbox *s);

/* Pops the value on top of the stack into the sandbox's globals as name,
 * and adds name to the names offered for misspelt globals. */
void gsl_sandbox_set_global(gsl_sandbox *s, const char *name);
/* Adds names (n) that misspelt globals and fields may be matched against
 * (the host's API methods); the strings must outlive the sandbox. */
void gsl_sandbox_add_names(gsl_sandbox *s, const char *const *names, size_t n);
/* The nearest known name to s, or NULL. */
const char *gsl_sandbox_nearest(const gsl_sandbox *s, const char *name);

/* Starts a new limit period: resets the instruction count and the deadline. */
void gsl_sandbox_arm(gsl_sandbox *s);

/* Compiles src as a text chunk named after path (messages read
 * "path:line: ...") and pushes the function. On failure pushes nothing. */
gs_status gsl_sandbox_load(gsl_sandbox *s, const char *path, const char *src, size_t len,
                           char *err, size_t errlen);
/* Calls the function below nargs arguments, as lua_pcall would, with a
 * handler that turns every error into "file:line: message" without running
 * any of the task's metamethods. On failure pops everything the call would
 * have consumed and returns GS_ERR_RUNTIME, GS_ERR_LIMIT (instructions,
 * time, memory) or GS_ERR_NOMEM. */
gs_status gsl_sandbox_call(gsl_sandbox *s, int nargs, int nresults, char *err, size_t errlen);

/* ---- modules: require "plugin.module" ----
 *
 * require reaches only what the host's finder gives: a plugin's helper
 * module, loaded as text into the same state, under the same limits, run
 * once per state and cached (a second require returns the first result).
 * A module that requires itself through others is an error naming the
 * cycle; nesting is capped at GSL_MAX_REQUIRE_DEPTH. */

/* Finds module name ("plugin.module"): its file's path (messages and
 * provenance name it) and its text, malloc'd into *src (*len bytes). An
 * error says what is missing and what there is. */
typedef gs_status (*gsl_find_module_fn)(void *ud, const char *name, char *path, size_t pathlen, char **src,
                                        size_t *len, char *err, size_t errlen);
void gsl_sandbox_set_require(gsl_sandbox *s, gsl_find_module_fn fn, void *ud);
/* For the host's own loads inside a call (a kind's file): runs the text of
 * the file at path (len bytes) as a chunk once per key and pushes its
 * result, as require does; raises the chunk's error in L. */
void gsl_sandbox_require_text(lua_State *L, const char *key, const char *path, const char *src, size_t len);

/* Charges work a host function is about to do in C (loops over a list the
 * task gave, say) to the running task's instruction budget, as a library
 * function of the sandbox does; raises the limit's error in L when it does
 * not fit. Call only from a C function the task called. */
void gsl_sandbox_charge(lua_State *L, uint64_t work);

/* Charges (delta > 0) or returns (delta < 0) bytes the host holds for the
 * task to its memory cap, the one budget shared with the Lua heap; 0 when
 * they do not fit (the memory limit then trips, and the call under way
 * fails with it). */
int gsl_sandbox_charge_memory(gsl_sandbox *s, ptrdiff_t delta);

/* What a process does when a task's call is stuck in C past its deadline
 * (a message "file:line: time limit exceeded ..."): a supervised worker
 * reports it and exits; without one nothing in-process can stop the call. */
typedef void (*gsl_stuck_fn)(const char *message);
void gsl_sandbox_on_stuck(gsl_stuck_fn fn);

/* Bytes the state and the host's charges hold now, and the most they have held. */
size_t gsl_sandbox_memory(const gsl_sandbox *s);
size_t gsl_sandbox_peak_memory(const gsl_sandbox *s);

#endif
