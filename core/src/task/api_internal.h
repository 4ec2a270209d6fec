/* api_internal.h: the task API's bindings, as the task module uses them. */
#ifndef GS_API_INTERNAL_H
#define GS_API_INTERNAL_H

#include <lua.h>

#include "gensim/task.h"
#include "task/scene_internal.h"
#include "sandbox/sandbox.h"

/* What the bindings need from the task that owns the sandbox. */
typedef struct gsl_host {
    gs_scene *scene;          /* the live episode's scene, NULL between episodes */
    unsigned episode;         /* bumped per reset; stale handles are refused */
    const char *const *assets; /* the kinds the task declared (nassets) */
    int nassets;
    int shape_error;          /* set when task{...} refused the table */
    const char *split;        /* env.split: "train" or "test" */
} gsl_host;

/* Installs task, gs and the env, object and rng metatables into the
 * sandbox; host must outlive the sandbox. */
void gsl_api_install(gsl_sandbox *sb, gsl_host *host);
/* Pushes the env userdata for the current episode. */
void gsl_api_push_env(lua_State *L);
/* 1 when the value at idx is a table that task{...} accepted. */
int gsl_api_is_task(lua_State *L, int idx);
/* Checks the table at idx as task{...} did, again: a script can change the
 * table after task{...} accepted it and before returning it. Returns the
 * problems' count (and report), -1 when the check itself failed. */
int gsl_api_recheck_task(lua_State *L, int idx, char *report, size_t n);
/* Reads a pose at idx into out; on a malformed pose writes a message
 * naming what as the culprit and returns 0. Never raises. */
int gsl_api_read_pose(lua_State *L, int idx, const char *what, gs_pose *out, char *err,
                      size_t errlen);
/* Reads an action at idx into a: {pick = pose, place = pose} or
 * {push = {from = {x, y, z}, to = {x, y, z}}}, either with an optional lift
 * (the clearance above the poses, 0.005..0.3 m). On a malformed action
 * writes what is wrong and returns 0. Never raises, runs no metamethod. */
int gsl_api_read_action(lua_State *L, int idx, gs_action *a, char *err, size_t errlen);
/* Pushes a pose table. */
void gsl_api_push_pose(lua_State *L, const gs_pose *p);
/* The names the API defines (n), for suggestions and the reference. */
const char *const *gsl_api_names(size_t *n);
/* The names of one section of the API, as the bindings check them: "task"
 * (fields of task{...}), "env" (env methods and fields), "add" (env:add
 * options), "goal" (env:goal fields), "rng" (env.rng methods), "gs" (gs
 * functions and tables); NULL (n = 0) for another section. */
const char *const *gsl_api_section(const char *section, size_t *n);
/* Pushes the API reference given to the model: every name of every section
 * with its documentation, then the asset kinds and colours, all generated
 * from the tables the bindings use (api_doc.c). *undocumented (nullable)
 * counts names that lack documentation, *stale (nullable) documentation
 * entries that name nothing the API defines. */
void gsl_api_push_reference(lua_State *L, int *undocumented, int *stale);

#endif
