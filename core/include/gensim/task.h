/* task.h: scenes, goals, reward, the oracle, and episodes of a Lua task.
 *
 * A gs_task is a loaded task file: its sandbox and the table it returned,
 * kept for the task's lifetime. Each episode builds a fresh gs_scene (a
 * Bullet world, the end effector, the objects and goals the task's reset
 * made) from a seed, so the same seed gives the same episode bit for bit. */
#ifndef GENSIM_TASK_H
#define GENSIM_TASK_H

#include <stdint.h>

#include "gensim/assets.h"
#include "gensim/render.h"
#include "gensim/robot.h"
#include "gensim/sandbox.h"
#include "gensim/export.h"

GS_BEGIN_DECLS

/* The task API's major version: what plugins name in plugin{api = ...}. */
#define GS_TASK_API 1

/* How close to 1 a reward (a stage's credit, the goals' total) must come
 * to count as complete: one rule for the goals, done and success. */
#define GS_SUCCESS_EPS 1e-6

typedef enum gs_metric { GS_METRIC_POSE, GS_METRIC_ZONE, GS_METRIC_JOINT } gs_metric;

/* A goal's tolerance when none is given: metres for pose and zone goals,
 * a fraction of the range for joint goals. */
#define GS_POSE_TOLERANCE 0.01
#define GS_JOINT_TOLERANCE 0.05

/* How far a pose goal's object may be turned from its target's yaw
 * (modulo the symmetry), radians: 15 degrees. */
#define GS_YAW_TOLERANCE (15.0 * GS_PI / 180.0)


/* How a goal's objects pair with its targets. */
typedef enum gs_matches {
    GS_MATCH_ANY,             /* each object to any target */
    GS_MATCH_PAIRS,           /* object i to target i */
    GS_MATCH_MATRIX           /* as allowed says */
} gs_matches;

/* A goal as a task states it (env:goal{...}); gs_scene_add_goal checks it
 * and builds the stage. Arrays are the caller's, copied. */
typedef struct gs_goal_spec {
    const int *objects;       /* (nobjects) scene indices */
    int nobjects;
    const gs_pose *targets;   /* (ntargets), nullable when 0 */
    int ntargets;
    gs_matches matches;
    const unsigned char *allowed; /* (nobjects x ntargets) for GS_MATCH_MATRIX */
    int replace;              /* 1: several objects may share a target */
    int rotations;            /* 1: yaw must match; default 1 */
    double symmetry;          /* yaw period, 0..2 pi; -1 (default): each object's kind decides */
    gs_metric metric;         /* default GS_METRIC_POSE */
    gs_pose zone_pose;        /* zone metric: the box's centre */
    double zone_size[3];
    const char *joint;        /* joint metric: the joint every object must have; nullable otherwise */
    double target;            /* joint metric: the fraction of its range, 0 shut .. 1 open */
    double tolerance;         /* metres, or a fraction of the range for a joint goal; -1 (default):
                               * GS_POSE_TOLERANCE or GS_JOINT_TOLERANCE */
    double reward;            /* this stage's share, 0..1; default 1 */
    int latch;                /* 1: the stage counts as met from the first time it is met */
    const char *lang;         /* nullable */
} gs_goal_spec;

#define GS_MAX_GOALS 64            /* stages per scene */
#define GS_MAX_TARGETS 4096        /* targets per goal */
#define GS_GOAL_LANG_MAX 1024      /* bytes of a goal's language */

/* The defaults of env:goal{...}. */
GS_API gs_goal_spec gs_goal_spec_default(void);

typedef struct gs_scene_options {
    int max_objects;          /* a cap on objects per scene; 128 */
    gs_world_options world;
    gs_robot_options robot;
} gs_scene_options;


/* An action: a suction pick-and-place, a spatula push, a drag of an
 * articulated object's joint, a wait (the ladder's "doing nothing", which
 * no task can ask for), or one step of continuous control (control =
 * "continuous", gs_robot_move). */
typedef enum gs_action_kind {
    GS_ACTION_PICK_PLACE, GS_ACTION_PUSH, GS_ACTION_WAIT, GS_ACTION_DRAG, GS_ACTION_MOVE
} gs_action_kind;
typedef struct gs_action {
    gs_action_kind kind;
    gs_pose pick, place;      /* pick and place, as in gs_robot_pick_place */
    double lift;              /* clearance above pick and place, m; 0: the robot's hover */
    double from[3], to[3];    /* push */
    double wait_s;            /* wait: simulated seconds, less once everything rests */
    int drag_object;          /* drag: the object (scene index) */
    char drag_joint[GS_MODEL_NAME_MAX]; /* drag: its joint */
    double drag_to;           /* drag: the fraction of the joint's range to take it to */
    double move[4];           /* move: dx, dy, dz (m), dyaw (rad), within GS_MOVE_MAX_* */
    int suction;              /* move: 1 keeps (or turns) the suction on */
} gs_action;

/* A task's world during an episode: the Bullet world, the end effector,
 * the objects and goals its reset made. Opaque: read it through the
 * functions below. */
typedef struct gs_scene gs_scene;

/* What a caller may know of an object. */
typedef struct gs_object_info {
    const char *kind;         /* the asset kind's name */
    const char *color;        /* the colour's name */
    int fixed;                /* 1: it never moves */
    double size[3];           /* bounding box, x y z, metres */
    gs_pose pose;             /* by the kind's convention (DESIGN.md) */
} gs_object_info;

/* Defaults as listed in gs_scene_options. */
GS_API gs_scene_options gs_scene_options_default(void);

/* Adds an object of the kind named kind_name at pose from the options a
 * task gave (gs_asset_resolve: defaults, ranges, the radius rule); a group
 * kind (a rope, a pile) adds its members. Returns how many objects were
 * added, the first index in *first, or -1 (and err): an unknown kind names
 * the nearest ones. */
GS_API int gs_scene_add_object(gs_scene *s, const char *kind_name, const gs_asset_request *req,
                        const gs_pose *pose, int *first, char *err, size_t errlen);
/* The object's pose (by the kind's convention, see DESIGN.md). */
GS_API void gs_scene_pose(const gs_scene *s, int obj, gs_pose *out);
/* A random pose whose footprint of size (3) turned by a random yaw lies in
 * the workspace, clear of every object; 0 when no room was found. */
GS_API int gs_scene_random_pose(gs_scene *s, const double size[3], gs_pose *out);
/* Checks spec against the scene (objects exist, are movable and listed
 * once; targets or a zone as the metric needs; matches consistent with the
 * counts; tolerance, reward, symmetry and lang in range; at most
 * GS_MAX_GOALS stages) and appends the stage. GS_ERR_USAGE names what is
 * wrong; nothing is added then. */
GS_API gs_status gs_scene_add_goal(gs_scene *s, const gs_goal_spec *spec, char *err, size_t errlen);

/* The objects a scene has; object i's kind, colour, size and pose
 * (GS_ERR_USAGE for no such object). */
GS_API int gs_scene_object_count(const gs_scene *s);
GS_API gs_status gs_scene_object_info(const gs_scene *s, int i, gs_object_info *out);
/* Actions taken in the episode so far. */
GS_API int gs_scene_steps(const gs_scene *s);
/* The goal stages a scene has, and stage i's language goal (nullable). */
GS_API int gs_scene_goal_count(const gs_scene *s);
GS_API const char *gs_scene_goal_lang(const gs_scene *s, int i);

/* ---- articulated objects ---- */

/* Object obj's joint named joint: its position (m or rad; nullable) and
 * the fraction of its range (0 shut .. 1 open; nullable). GS_ERR_USAGE
 * names the object's joints when it has no such joint. */
GS_API gs_status gs_scene_joint_state(const gs_scene *s, int obj, const char *joint, double *position,
                                      double *fraction, char *err, size_t errlen);
/* The joint's limits (m or rad): lower is fraction 0, upper 1; a
 * continuous joint's are 0 and 2 pi. */
GS_API gs_status gs_scene_joint_limits(const gs_scene *s, int obj, const char *joint, double *lower,
                                       double *upper, char *err, size_t errlen);
/* Puts the joint at fraction (0..1) of its range, the links it carries
 * with it, at rest; meant for a task's reset, before things are put on
 * them. */
GS_API gs_status gs_scene_set_joint(gs_scene *s, int obj, const char *joint, double fraction, char *err,
                                    size_t errlen);
/* The pose of object obj's link named link ("base" is the object's). */
GS_API gs_status gs_scene_link_pose(const gs_scene *s, int obj, const char *link, gs_pose *out, char *err,
                                    size_t errlen);
/* The articulated objects' joints: how many, and joint k's object and
 * name (k in the order of the objects, then of their links). */
GS_API int gs_scene_joint_count(const gs_scene *s);
GS_API int gs_scene_joint_info(const gs_scene *s, int k, int *obj, const char **name, double *position,
                               double *fraction);

/* The reward so far: completed stages plus the current stage's credit,
 * in [0, 1]; *stage (nullable) is the first stage not complete (ngoals when
 * all are). */
GS_API double gs_scene_reward(const gs_scene *s, int *stage);

/* Executes an action with the end effector; counts a step. */
GS_API gs_status gs_scene_act(gs_scene *s, const gs_action *a, gs_action_result *res, char *err,
                       size_t errlen);
/* The observation a policy sees: the top-down heightmap (metres), colour
 * and segmentation over view v, each (height x width) and nullable. */
GS_API gs_status gs_scene_observe(const gs_scene *s, const gsr_view *v, float *heights, uint8_t *rgb,
                           int32_t *seg, char *err, size_t errlen);
/* A hash of every object's pose, folded into h. */
GS_API uint64_t gs_scene_digest(const gs_scene *s, uint64_t h);

/* ---- tasks and episodes ---- */

typedef struct gs_task_options {
    gsl_limits limits;
    gs_scene_options scene;
    gsl_log_fn log;           /* what the task prints; nullable */
    void *log_ud;
    int test_split;           /* 1: env.split is "test" (the unseen colours), else "train" */
    int in_process;           /* 1: workflows (gs_run, gs_record, gs_eval, the ladder, the
                               * gallery) run tasks in this process instead of a supervised
                               * worker; for debugging. 0 unless $GENSIM_IN_PROCESS is set */
} gs_task_options;

typedef struct gs_task gs_task;

/* Task names: 1 to GS_TASK_NAME_MAX characters a-z, 0-9 and '-', no '-'
 * first or last or twice in a row, and not "index" (the library's own
 * file). The one rule for task{...}, the library and the generator. */
#define GS_TASK_NAME_MAX 63
/* 1 when name is a valid task name; else 0 and why (nullable) says what
 * is wrong. */
GS_API int gs_task_name_valid(const char *name, char *why, size_t whylen);

/* Defaults for every limit. */
GS_API gs_task_options gs_task_options_default(void);
/* The folders a task is found in by name, first first: the plugin path
 * (gs_plugin_path), then the data folder's tasks/seed and tasks/generated.
 * Writes at most max malloc'd names into dirs (free with gs_free_strings);
 * returns how many. */
GS_API int gs_task_folders(char **dirs, int max);
/* What a user named, as a path into path (n bytes): a path (it holds a '/'
 * or ends in .lua) as it is; a name as NAME.lua in the first of
 * gs_task_folders that holds it. GS_ERR_IO names the folders looked in and
 * the nearest task names when there is none. */
GS_API gs_status gs_task_resolve(const char *what, char *path, size_t n, char *err, size_t errlen);
/* Loads and shape-checks a task: a file, or a name gs_task_resolve finds. */
GS_API gs_status gs_task_load(const char *path, const gs_task_options *opt, gs_task **out, char *err,
                       size_t errlen);
/* Loads a task from text; path names it in messages. */
GS_API gs_status gs_task_load_string(const char *path, const char *src, size_t len,
                              const gs_task_options *opt, gs_task **out, char *err,
                              size_t errlen);
GS_API void gs_task_free(gs_task *t);
/* The task's name, description and max_steps. */
GS_API const char *gs_task_name(const gs_task *t);
GS_API const char *gs_task_description(const gs_task *t);
GS_API int gs_task_max_steps(const gs_task *t);
/* The asset kinds the task declares (n), as its file lists them. */
GS_API const char *const *gs_task_assets(const gs_task *t, int *n);

/* Starts an episode: a fresh scene, reset(env) under the limits, the scene
 * checked and settled. */
GS_API gs_status gs_task_reset(gs_task *t, uint64_t seed, char *err, size_t errlen);
/* The live episode's seed (the last reset's). */
GS_API uint64_t gs_task_seed(const gs_task *t);
/* The current episode's scene (valid until the next reset or free). */
GS_API gs_scene *gs_task_scene(gs_task *t);
/* The next oracle action: the task's own oracle(env, obs) when it has one,
 * else the built-in one. *have is 0 when there is nothing to do. */
GS_API gs_status gs_task_oracle(gs_task *t, gs_action *a, int *have, char *err, size_t errlen);
/* Reward and done: the task's reward(env) when it has one, else the goals'. */
GS_API gs_status gs_task_reward(gs_task *t, double *reward, int *done, char *err, size_t errlen);
/* Success: the task's success(env) when it has one, else reward >= 1. */
GS_API gs_status gs_task_success(gs_task *t, int *success, char *err, size_t errlen);

/* ---- continuous control (control = "continuous") ---- */

/* 1 for a continuous-control task: its actions are GS_ACTION_MOVE steps
 * and its reward(env) a dense number (any finite value); 0 for a task of
 * primitive actions. */
GS_API int gs_task_continuous(const gs_task *t);
/* Where the cup starts a continuous-control episode: above the middle of
 * the workspace, GS_CONTROL_START_Z over the table or 2 cm over whatever
 * lies below it there. */
#define GS_CONTROL_START_X 0.5
#define GS_CONTROL_START_Y 0.0
#define GS_CONTROL_START_Z 0.1

/* A reward may return a third value, a table of named numbers (the terms
 * it summed); the last call's terms, sorted by name, at most max of them:
 * returns how many. names point into the task until the next call. */
#define GS_REWARD_TERMS_MAX 16
#define GS_REWARD_TERM_NAME_MAX 32
GS_API int gs_task_reward_terms(const gs_task *t, const char **names, double *values, int max);

/* ---- the state observation (layout GS_STATE_LAYOUT) ----
 * A flat float vector of the episode now, for learned skills:
 *   [0..2]  the cup's position x, y, z (m)
 *   [3..4]  sin and cos of its yaw
 *   [5]     1 while the suction is on, [6] 1 while something is held
 *   [7]     actions taken / max_steps
 * then GS_STATE_PER_OBJECT floats for each of `slots` objects, in the
 * order reset added them (markers and fixed objects included), zeros for
 * a slot past the scene's last object:
 *   [0]     1 when the slot holds an object
 *   [1..3]  its position (m), [4..6] its position minus the cup's
 *   [7..12] the first two columns of its rotation matrix (x and y axes)
 *   [13..15] linear velocity (m/s), [16..18] angular velocity (rad/s)
 *   [19]    its joint's fraction of range (0 until articulated kinds) */
#define GS_STATE_LAYOUT "gensim-state-1"
#define GS_STATE_HEAD 8
#define GS_STATE_PER_OBJECT 20
/* Floats of the state with `slots` object slots. */
#define GS_STATE_SIZE(slots) (GS_STATE_HEAD + GS_STATE_PER_OBJECT * (slots))
/* Writes the live episode's state with `slots` object slots into out
 * (GS_STATE_SIZE(slots) floats). GS_ERR_USAGE without an episode. */
GS_API gs_status gs_task_state(const gs_task *t, int slots, float *out, char *err, size_t errlen);
/* The objects of the live episode (0 without one) and, in kinds (n bytes,
 * nullable), their kind names joined by ',': what a learned skill's
 * observation layout is checked against. */
GS_API int gs_task_state_objects(const gs_task *t, char *kinds, size_t n);

/* ---- subtasks (subtasks = {...}, RoboGen's decomposition) ----
 * Executed in order; one is current until it is done. A subtask without a
 * reward is solved by the oracle's primitive actions; one with a reward
 * is learned (continuous moves). A task without subtasks has none. */
typedef struct gs_subtask_info {
    const char *lang;         /* its language goal ("" when it has none) */
    int goal;                 /* done when goal stages 1..goal are met; 0: by its success(env) */
    int learned;              /* 1: it has a reward and is solved by continuous moves */
    int max_steps;            /* steps it may take (learned); the task's max_steps when unset */
} gs_subtask_info;
GS_API int gs_task_subtask_count(const gs_task *t);
GS_API gs_subtask_info gs_task_subtask(const gs_task *t, int i);
/* Whether subtask i is done now: its success(env), else its goal stages. */
GS_API gs_status gs_task_subtask_done(gs_task *t, int i, int *done, char *err, size_t errlen);
/* Subtask i's reward(env): r (finite) and done, as a continuous task's. */
GS_API gs_status gs_task_subtask_reward(gs_task *t, int i, double *reward, int *done, char *err,
                                        size_t errlen);
/* The first subtask not done now (the count when all are). */
GS_API gs_status gs_task_current_subtask(gs_task *t, int *current, char *err, size_t errlen);
/* The language goal of the stage the next action works on: the first
 * stage not complete (the last one when all are), or the task's
 * description when that stage has none. */
GS_API const char *gs_task_stage_lang(const gs_task *t);
/* The path the task was loaded from, as messages name it. */
GS_API const char *gs_task_path(const gs_task *t);
/* The files the task has run so far (itself, the modules it required, the
 * plugin kinds it built), as [{file, sha256, plugin, version}]: file
 * relative to the folder it was found in, plugin null outside a plugin.
 * malloc'd JSON; NULL when out of memory. */
GS_API char *gs_task_provenance_json(const gs_task *t);

GS_END_DECLS

#endif
