/* task/scene_internal.h (internal): the scene's insides, which the task
 * module's files (scene.c, oracle.c, the bindings, the observers) share. */
#ifndef GS_SCENE_INTERNAL_H
#define GS_SCENE_INTERNAL_H

#include "gensim/task.h"

/* One object of a scene: its kind, parameters, parts and body. */
typedef struct gs_object {
    const gs_asset_kind *kind;
    gs_asset_params params;
    double size[3];       /* bounding box of the parts, x y z */
    double center[3];     /* bounding box centre in the object's frame */
    char color[16];       /* colour name */
    float rgb[3];         /* linear colour */
    int body;             /* the world's body number */
    gs_shape shapes[GS_ASSET_MAX_SHAPES];
    int nshapes;
} gs_object;

/* One stage of a task's goal. Objects are scene indices. */
typedef struct gs_goal {
    int *objects;             /* (nobjects) */
    int nobjects;
    gs_pose *targets;         /* (ntargets) */
    int ntargets;
    unsigned char *allowed;   /* (nobjects x ntargets): 1 where object i may go to target j */
    int replace;              /* 1: several objects may share a target */
    int rotations;            /* 1: yaw must match (modulo symmetry) */
    double symmetry;          /* yaw period; < 0: each object's kind decides */
    gs_metric metric;
    gs_pose zone_pose;        /* zone metric: the box's centre */
    double zone_size[3];
    double tolerance;         /* metres */
    double reward;            /* this stage's share of the total */
    char *lang;               /* the language goal, nullable */
} gs_goal;

/* The scene behind gs_scene (task.h). */
struct gs_scene {
    gs_scene_options opt;
    gs_world *world;
    gs_robot robot;
    gs_object *objects;       /* (nobjects) */
    int nobjects, cap_objects;
    gs_goal *goals;           /* (ngoals) */
    int ngoals, cap_goals;
    int *scratch;             /* (cap_scratch) the scorer's working memory, sized as goals are
                               * added so that scoring allocates nothing */
    size_t cap_scratch;
    gsu_rng *rng;             /* the episode's generator (owned by the sandbox) */
    /* Charges bytes the scene holds for the task to its budget (nullable:
     * nothing is charged); returns 0 when they do not fit. */
    int (*charge)(void *ud, ptrdiff_t bytes);
    void *charge_ud;
    size_t charged;           /* bytes charged so far, returned when the scene is freed */
    int steps;                /* actions taken */
    int moves;                /* which actions the task takes: 0 primitives (pick, place, push);
                               * 1 continuous moves only; 2 both (learned subtasks) */
};

/* An empty scene: the table and the parked end effector. */
gs_status gs_scene_init(gs_scene *s, const gs_scene_options *opt, gsu_rng *rng, char *err,
                        size_t errlen);
/* What each object costs the task's memory budget besides its record:
 * Bullet's body, shapes and broadphase entry, estimated high. */
#define GS_OBJECT_HOST_BYTES 16384

/* Frees what the scene holds; s may be zeroed memory. */
void gs_scene_free(gs_scene *s);
/* Adds an object of kind at pose; returns its index, or -1 (and err). */
int gs_scene_add(gs_scene *s, const gs_asset_kind *kind, const gs_asset_params *params,
                 const char *color, const gs_pose *pose, char *err, size_t errlen);
/* The same, with the parts (nparts, in the object's frame) made by the
 * caller: a plugin kind's Lua build. */
int gs_scene_add_parts(gs_scene *s, const gs_asset_kind *kind, const gs_asset_params *params, const char *color,
                       const gs_shape *parts, int nparts, const gs_pose *pose, char *err, size_t errlen);
/* Adds the members of a group kind (a rope, a pile) around pose as
 * consecutive objects; returns how many, the first index in *first, or -1
 * (and err). A rope's beads run along the pose's x axis, joined end to end;
 * a pile's cubes fill a square of side params->span, in layers. */
int gs_scene_add_group(gs_scene *s, const gs_asset_kind *kind, const gs_asset_params *params,
                       const char *color, const gs_pose *pose, int *first, char *err,
                       size_t errlen);
/* Frees a goal's arrays. */
void gs_goal_free(gs_goal *g);
/* Credit of one stage in [0, 1] (fraction of its objects at targets). */
double gs_goal_credit(const gs_scene *s, const gs_goal *g);
/* Checks the scene after reset: at least one goal, everything inside the
 * workspace, nothing interpenetrating. */
gs_status gs_scene_check(gs_scene *s, char *err, size_t errlen);
/* The built-in oracle's next action; 0 when it has nothing to do. */
int gs_oracle_action(const gs_scene *s, gs_action *a);
/* The parts to draw for the scene's objects (the robot is left out),
 * segmentation id = object index + 1. Writes at most max items into items
 * (nullable when max is 0) and returns how many there are. */
int gs_scene_render_items(const gs_scene *s, gsr_item *items, int max);

/* Which target each object of g is matched to now (-1: none), as the
 * reward counts it; returns the number matched. obj_target is (nobjects). */
int gs__scene_matching(const gs_scene *s, const gs_goal *g, int *obj_target);
/* The fraction of object obj inside g's zone. */
double gs__zone_fraction(const gs_scene *s, const gs_goal *g, int obj);
/* The yaw period that applies to object obj in g. */
double gs__goal_symmetry(const gs_scene *s, const gs_goal *g, int obj);

#endif
