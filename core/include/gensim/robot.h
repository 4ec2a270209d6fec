/* robot.h: the suction end effector and the spatula, driven in simulated time.
 *
 * The end effector is a kinematic body in the world: it collides with and
 * pushes what it meets. Every motion runs along straight-line waypoints at a
 * fixed speed, and every wait is bounded in simulated steps, never in wall
 * time, so results do not depend on the machine. */
#ifndef GENSIM_ROBOT_H
#define GENSIM_ROBOT_H

#include "gensim/physics.h"
#include "gensim/export.h"

GS_BEGIN_DECLS

typedef struct gs_robot_options {
    double speed;          /* m/s in free space; 1.0 */
    double slow_speed;     /* m/s while seeking contact; 0.25 */
    double turn_speed;     /* rad/s about z while carrying; 4.0 */
    double hover;          /* clearance above a pick or place pose, m; 0.15 */
    double max_descend;    /* how far below the pose a descent may go, m; 0.10 */
    double contact_tol;    /* distance that counts as contact, m; 0.002 */
    int settle_steps;      /* most steps to let the scene come to rest; 480 */
    double settle_speed;   /* m/s under which the scene is at rest; 0.005 */
    int max_action_steps;  /* a cap on the steps of one action; 4800 */
    double tip_radius;     /* suction cup radius, m; 0.01 */
    double tip_height;     /* suction cup height, m; 0.04 */
    double spatula_size[3]; /* push blade: thickness along the push, width,
                               height, m; 0.005, 0.06, 0.03 */
} gs_robot_options;

/* What one action did. */
typedef struct gs_action_result {
    int picked;      /* 1 when something was attached */
    int held_body;   /* the body carried, or GS_BODY_NONE */
    int placed;      /* 1 when the carried body was released on contact */
    int timed_out;   /* 1 when a phase ran out of simulated steps */
    long steps;      /* simulated steps this action took */
} gs_action_result;

typedef struct gs_robot {
    gs_world *world;
    gs_robot_options opt;
    int tip;          /* the end effector's body */
    int weld;         /* the attach handle, or -1 */
    int held;         /* the body held, or GS_BODY_NONE */
    gs_pose home;     /* where the tip waits between actions */
    int spatula;      /* the push blade's body, parked out of reach when idle */
    gs_pose park;     /* where the blade waits, far above the workspace */
    gs_pose tip_at;   /* the cup's commanded pose (bottom centre, yaw only) */
    int suction;      /* continuous control: 1 while the suction is on */
    /* Nullable observer called after every physics step the robot takes
     * (motions and settling), e.g. to record an episode's frames; NULL
     * after gs_robot_init, set it afterwards. It must not step the world. */
    void (*on_step)(void *ud);
    void *on_step_ud;     /* passed to on_step */
} gs_robot;

/* Defaults as listed in gs_robot_options. */
GS_API gs_robot_options gs_robot_options_default(void);
/* Adds the end effector to the world, parked at its home above the
 * workspace. */
GS_API gs_status gs_robot_init(gs_robot *r, gs_world *w, const gs_robot_options *opt, char *err,
                        size_t errlen);

/* The cup's pose: the centre of its bottom face, turned about z only. Pick
 * and place poses name where this point goes. */
GS_API void gs_robot_tip_pose(const gs_robot *r, gs_pose *out);
/* 1 when body is part of the robot (the cup or the blade), which renderers,
 * digests and placement checks should leave out. */
GS_API int gs_robot_owns(const gs_robot *r, int body);

/* Suction pick-and-place. pick: where the cup should touch, its yaw the
 * grasp yaw; place: where the cup should be at release, its yaw the carried
 * object's yaw change relative to pick. Approach above pick, descend until
 * contact, attach to the touched dynamic body, lift, carry (turning),
 * descend until the held body touches something, release, retreat, settle.
 * Touching nothing, or only fixed bodies, ends the action with picked = 0. */
GS_API gs_status gs_robot_pick_place(gs_robot *r, const gs_pose *pick, const gs_pose *place,
                              gs_action_result *res, char *err, size_t errlen);

/* Spatula push: lower the tip to from (3), sweep in a straight line to to
 * (3) at the height of from, rise, settle. from and to name the centre of
 * the blade's bottom edge; the blade's face is square to the push. */
GS_API gs_status gs_robot_push(gs_robot *r, const double from[3], const double to[3],
                        gs_action_result *res, char *err, size_t errlen);

/* Where a drag goes: up to max points (world) for a grip at grip (3, the
 * world point the cup holds, on the dragged body as it is now), the cup
 * following them in order; returns how many (0: nowhere to go). */
typedef int (*gs_drag_path_fn)(void *ud, const double grip[3], double (*path)[3], int max);
#define GS_DRAG_PATH_MAX 256

/* Drag: approach above grip (3), descend until the cup touches something;
 * when that is body (a dynamic body), hold it there, free to turn about
 * the point (gs_world_grip), and move along the points path gives for
 * that point at slow_speed, hold still a moment, release, rise and go
 * home. Touching anything else ends the action with picked = 0. */
GS_API gs_status gs_robot_drag(gs_robot *r, const double grip[3], int body, gs_drag_path_fn path, void *ud,
                               gs_action_result *res, char *err, size_t errlen);

/* ---- continuous control ----
 * A step is a small relative motion of the cup over one control period
 * (1 / GS_CONTROL_HZ s, GS_CONTROL_SUBSTEPS physics steps), interpolated
 * linearly, with the suction on or off. Its magnitudes are bounded; the
 * target is clamped to the workspace (x, y) and to z 0 .. GS_WS_Z1. */
#define GS_CONTROL_HZ 10
#define GS_MOVE_MAX_XYZ 0.04      /* metres per step along each axis */
#define GS_MOVE_MAX_YAW 0.4       /* radians per step about z */

/* 1 when move (4: dx, dy, dz, dyaw) is finite and within the bounds; else
 * 0 and why (nullable) names the first component out of bounds. */
GS_API int gs_robot_move_valid(const double move[4], char *why, size_t whylen);
/* Puts the cup at `at` (yaw only) at once, suction off, nothing held: the
 * start of a continuous-control episode. The jump touches nothing when
 * `at` is clear. */
GS_API void gs_robot_place_cup(gs_robot *r, const gs_pose *at);
/* One control step: the suction off releases what is held first; the cup
 * then moves by move, and with the suction on grips the first dynamic body
 * it touches (res->picked) and carries it. GS_ERR_USAGE for a move out of
 * bounds (nothing moves). */
GS_API gs_status gs_robot_move(gs_robot *r, const double move[4], int suction, gs_action_result *res,
                               char *err, size_t errlen);

/* Steps until every dynamic body is slower than settle_speed or
 * settle_steps have passed; returns the steps taken. */
GS_API long gs_robot_settle(gs_robot *r);

GS_END_DECLS

#endif
