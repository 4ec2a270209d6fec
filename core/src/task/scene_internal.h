/* task/scene_internal.h (internal): the scene's insides, which the task
 * module's files (scene.c, oracle.c, the bindings, the observers) share. */
#ifndef GS_SCENE_INTERNAL_H
#define GS_SCENE_INTERNAL_H

#include "gensim/task.h"

/* An articulated object's links in the world. */
typedef struct gs_articulation {
    gs_model model;                   /* its links and joints */
    int body[GS_MODEL_MAX_LINKS];     /* each link's body (link 0's is the object's) */
    int joint[GS_MODEL_MAX_LINKS];    /* each link's world joint (-1 for the base) */
    double reach_lo[2], reach_hi[2];  /* the footprint its joints can sweep, object frame */
    double base_size[3], base_center[3]; /* the base link's box, object frame */
} gs_articulation;

/* One object of a scene: its kind, parameters, parts and body. */
typedef struct gs_object {
    const gs_asset_kind *kind;
    gs_asset_params params;
    double size[3];       /* bounding box of the parts, x y z */
    double center[3];     /* bounding box centre in the object's frame */
    char color[16];       /* colour name */
    float rgb[3];         /* linear colour */
    int body;             /* the world's body number */
    int line;             /* the task file's line that added it (env:add), 0 unknown */
    gs_shape shapes[GS_ASSET_MAX_SHAPES];
    int nshapes;
    gs_articulation *art;     /* its links and joints; NULL for an object of one body */
} gs_object;

/* A goal's place carried by a link: a pose in the link's frame. */
typedef struct gs_anchor {
    int obj, link;            /* obj -1: on nothing that moves */
    gs_pose local;
} gs_anchor;

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
    double tolerance;         /* metres (joint: a fraction of the range) */
    double reward;            /* this stage's share of the total */
    char *lang;               /* the language goal, nullable */
    int line;                 /* the task file's line of its env:goal, 0 unknown */
    int latch;                /* 1: met for good once met */
    int latched;              /* it has been met (latch only) */
    int *links;               /* joint metric: (nobjects) each object's link the joint moves */
    double target;            /* joint metric: the fraction */
    gs_anchor *anchors;       /* (ntargets) where a target rides on a link; NULL when none does */
    gs_anchor zone_anchor;    /* the zone's */
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
/* A new object record (charged its record, GS_OBJECT_HOST_BYTES and
 * extra bytes) at index nobjects, filled with kind, params and colour;
 * the caller makes its bodies and then counts it (nobjects++). Returns the
 * index, or -1 (and err). */
int gs__scene_new_object(gs_scene *s, const gs_asset_kind *kind, const gs_asset_params *params,
                         const char *color, size_t extra, char *err, size_t errlen);
/* Adds an articulated object (its kind's model, or a urdf file's) at
 * pose; returns its index, or -1 (and err). */
int gs__scene_add_articulated(gs_scene *s, const gs_asset_kind *kind, const gs_asset_params *params,
                              const char *color, const gs_pose *pose, char *err, size_t errlen);
/* Frees an articulated object's links (not its bodies: the world's). */
void gs__articulation_free(gs_articulation *a);
/* A link's pose in the world now. */
void gs__link_pose(const gs_scene *s, const gs_object *o, int link, gs_pose *out);
/* The joint's fraction (0..1) of object obj's link now. */
double gs__link_fraction(const gs_scene *s, int obj, int link);
/* Where a goal's place rides: the moving link whose box holds point (3)
 * (the smallest), its pose in that link's frame; obj -1 for none. */
gs_anchor gs__anchor_find(const gs_scene *s, const gs_pose *p);
/* The height of the highest part of any articulated object now; 0 when
 * the scene has none. */
double gs__articulated_top(const gs_scene *s);
/* After reset and after every action: the places carried by links moved
 * with them, and latching stages that are met latched. */
void gs__scene_refresh(gs_scene *s);
/* The articulated objects' parts to draw: adds object obj's link parts to
 * items from k (at most max) and returns the new count. */
int gs__articulated_items(const gs_scene *s, int obj, gsr_item *items, int k, int max);
/* The path of a drag's grip point: to fraction to of link's joint of obj,
 * for the drag primitive (robot.h's gs_drag_path_fn with a gs_drag_plan). */
typedef struct gs_drag_plan {
    const gs_scene *scene;
    int obj, link;
    double to;                /* the fraction */
} gs_drag_plan;
int gs__drag_path(void *ud, const double grip[3], double (*path)[3], int max);
/* Executes a drag action (checked: the object, its joint, its handle, the
 * fraction; GS_ERR_RUNTIME says what is wrong with it). */
gs_status gs__scene_drag(gs_scene *s, const gs_action *a, gs_action_result *res, char *err, size_t errlen);
/* Where a drag action grips (from, the handle now) and where the handle
 * will be at its end (to); 0 when the action names no joint. */
int gs__drag_points(const gs_scene *s, const gs_action *a, double from[3], double to[3]);

/* Frees a goal's arrays. */
void gs_goal_free(gs_goal *g);
/* Credit of one stage in [0, 1] (fraction of its objects at targets). */
double gs_goal_credit(const gs_scene *s, const gs_goal *g);
/* Checks the scene after reset: at least one goal, everything inside the
 * workspace, nothing interpenetrating. */
gs_status gs_scene_check(gs_scene *s, char *err, size_t errlen);
/* The same; *line (nullable) gets the task file's line that made the
 * culprit (an object's env:add, the last env:goal), 0 when there is none
 * to name. */
gs_status gs__scene_check(gs_scene *s, int *line, char *err, size_t errlen);
/* How far past the workspace a reset's object may reach (m): a little
 * everywhere, and the penetration tolerance more into the table. */
#define GS_WS_SLACK 0.001
#define GS_PENETRATION_TOL 0.002 /* overlap at reset that counts as interpenetration, m */
/* 1 when a box reaching lo..hi along axis d (0 x, 1 y, 2 z) leaves the
 * workspace on its low (-1) or high (+1) side; 0 when it stays inside. */
static inline int gs__ws_outside(int d, double lo, double hi) {
    static const double bounds[3][2] = {{GS_WS_X0, GS_WS_X1}, {GS_WS_Y0, GS_WS_Y1}, {0, GS_WS_Z1}};
    if (lo < bounds[d][0] - GS_WS_SLACK - (d == 2 ? GS_PENETRATION_TOL : 0)) return -1;
    return hi > bounds[d][1] + GS_WS_SLACK ? 1 : 0;
}
/* The scene check's messages (scene_explain.c): object i outside the
 * workspace (its world box lo..hi), and bodies a and b interpenetrating
 * by depth; *line gets the line that added the culprit. Both return
 * GS_ERR_RUNTIME with the message in err. */
gs_status gs__explain_outside(const gs_scene *s, int i, const double lo[3], const double hi[3], int *line,
                              char *err, size_t errlen);
gs_status gs__explain_overlap(const gs_scene *s, int body_a, int body_b, double depth, int *line, char *err,
                              size_t errlen);
/* How messages name object i: its kind, colour and the line that added it,
 * "block (red) from line 23", into buf (n); returns buf. */
const char *gs__object_label(const gs_scene *s, int i, char *buf, size_t n);
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
