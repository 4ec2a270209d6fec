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
    int in_reset;             /* 1 while reset(env) runs: env:set_joint works then only */
    const char *split;        /* env.split: "train" or "test" */
    struct gs_provenance *prov; /* where the kinds it builds are recorded */
    const char *path;         /* the task file's name, as its chunk is named (nullable) */
} gsl_host;

/* Installs task, gs and the env, object and rng metatables into the
 * sandbox; host must outlive the sandbox. */
void gsl_api_install(gsl_sandbox *sb, gsl_host *host);
/* Pushes the env userdata for the current episode. */
void gsl_api_push_env(lua_State *L);
#define GSL_TASK_ASSETS_MAX 32        /* kinds a task may declare */
#define GSL_TASK_DESCRIPTION_MAX 2048 /* bytes of a task's description */
enum { GSL_RESET, GSL_ORACLE, GSL_REWARD, GSL_SUCCESS, GSL_CALLBACKS };
#define GSL_SUBTASKS_MAX 8            /* subtasks a task may list */
#define GSL_SUBTASK_LANG_MAX 256      /* bytes of a subtask's language goal, NUL included */
/* The snapshot's user value holding subtask i's reward (its success is the
 * next one); the task's own callbacks are 1 .. GSL_CALLBACKS. */
#define GSL_SUBTASK_UV(i) (GSL_CALLBACKS + 1 + 2 * (i))
#define GSL_SNAPSHOT_UVS (GSL_CALLBACKS + 2 * GSL_SUBTASKS_MAX)

/* One entry of subtasks = {...}, as task{...} checked it. */
typedef struct gsl_subtask {
    char lang[GSL_SUBTASK_LANG_MAX]; /* "" when it has none */
    int goal;                 /* done when goal stages 1..goal are met; 0: by success */
    int has_reward, has_success;
    int max_steps;            /* steps a learned subtask may take; 0: the task's */
    int line[2];              /* where its reward and success are defined */
} gsl_subtask;

/* What task{...} saw when it checked a table, copied then: the host reads
 * the task from here and calls these functions, never the table again,
 * which the task can still change before (or after) returning it. */
typedef struct gsl_task_snapshot {
    char name[GS_TASK_NAME_MAX + 1];
    char description[GSL_TASK_DESCRIPTION_MAX + 1];
    int max_steps;
    char assets[GSL_TASK_ASSETS_MAX][GS_TASK_NAME_MAX + 1];
    int nassets;
    int has[GSL_CALLBACKS];   /* 1: the callback is a function */
    int line[GSL_CALLBACKS];  /* where it is defined (1 for a C function or none) */
    int continuous;           /* control = "continuous" */
    int nsubtasks;
    gsl_subtask subtasks[GSL_SUBTASKS_MAX];
} gsl_task_snapshot;

/* The snapshot of the table at idx when task{...} accepted it, its
 * userdata pushed (the callbacks are its user values 1..4, the subtasks'
 * from GSL_SUBTASK_UV(0)); NULL and
 * nothing pushed for any other value. Runs no metamethod. */
const gsl_task_snapshot *gsl_api_push_snapshot(lua_State *L, int idx);
/* Reads a pose at idx into out; on a malformed pose writes a message
 * naming what as the culprit and returns 0. Never raises. */
int gsl_api_read_pose(lua_State *L, int idx, const char *what, gs_pose *out, char *err,
                      size_t errlen);
/* The clearance an action's lift may ask for, m. */
#define GSL_LIFT_MIN 0.005
#define GSL_LIFT_MAX 0.3
/* Reads an action at idx into a: {pick = pose, place = pose} or
 * {push = {from = {x, y, z}, to = {x, y, z}}}, either with an optional lift
 * (the clearance above the poses, 0.005..0.3 m), or a continuous step
 * {move = {dx, dy, dz, dyaw}, suction = bool} within the robot's bounds. On a malformed action
 * writes what is wrong and returns 0. Never raises, runs no metamethod. */
int gsl_api_read_action(lua_State *L, int idx, gs_action *a, char *err, size_t errlen);
/* Pushes a pose table. */
void gsl_api_push_pose(lua_State *L, const gs_pose *p);

/* The checks every binding shares (raising a Lua error naming fn and what):
 * t[key] without metamethods, pushed, and its type; that t has no key
 * outside known (n), naming the nearest; n numbers t[1..n] into out (0
 * when t is not such a list); a pose; a size {x, y, z} in 0..1 m. */
int gsl_api_raw_field(lua_State *L, int t, const char *key);
void gsl_api_check_no_unknown(lua_State *L, int t, const char *fn, const char *const *known, size_t n);
int gsl_api_read_vec(lua_State *L, int t, int n, double *out);
gs_pose gsl_api_check_pose(lua_State *L, int idx, const char *fn, const char *what);
void gsl_api_check_size(lua_State *L, int idx, const char *fn, const char *what, double out[3]);
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
