/* robot.c: the suction cup and the spatula, as kinematic bodies driven one
 * physics step at a time.
 *
 * Pose convention: a pick or place pose names where the centre of the cup's
 * bottom face goes (the cup body itself is centred tip_height / 2 above it);
 * a push's from and to name the centre of the blade's bottom edge. Both
 * tools only ever turn about z.
 *
 * Every motion is a straight line sampled once per step, so its length in
 * steps is fixed by its geometry and the speeds, never by the machine.
 * Contacts are only read while seeking them: descending onto an object to
 * pick it, or lowering a held object onto its support. */
#include "gensim/robot.h"

#include <math.h>
#include <string.h>

/* How far above the expected contact a descent slows down. */
#define SEEK_CLEARANCE 0.01
/* Settling is judged only after this many steps, so a body released at rest
 * has had a step to start falling. */
#define SETTLE_MIN_STEPS 4
/* ...and only once the scene has been at rest this many steps running. */
#define SETTLE_CALM_STEPS 2
#define POSE_LIMIT 10.0
#define CONTACT_LIST 16
/* Steps the cup holds still at the end of a drag, so the part it moves
 * comes to rest where it was taken before it is let go. */
#define DRAG_DWELL_STEPS 12

/* One action's step budget and tally. */
typedef struct action {
    gs_robot *r;
    long budget; /* steps left */
    long steps;  /* steps taken */
} action;

typedef enum move_end { MOVE_DONE, MOVE_TOUCHED, MOVE_OUT_OF_STEPS } move_end;

static int check_options(const gs_robot_options *o, char *err, size_t errlen);
static int pose_ok(const gs_pose *p);
static move_end move_tool(action *a, int body, double x, double y, double z, double yaw,
                          double speed, int turn_limited);
static move_end descend(action *a, double near_z, double stop_z, int probe, int ignore,
                        int *touched);
static void place_tool(gs_robot *r, int body, const double at[3], double yaw);
static void tool_at(const gs_robot *r, int body, double at[4]);
static int choose_pick(gs_robot *r, int nearest);
static int pickable(const gs_robot *r, int body);
static void release(gs_robot *r);
static void abort_action(action *a, gs_action_result *res);
static long settle_for(gs_robot *r, long cap);
static gs_pose yaw_pose(const double at[3], double yaw);
static void robot_step(gs_robot *r);

gs_robot_options gs_robot_options_default(void) {
    gs_robot_options o;
    o.speed = 1.0;
    o.slow_speed = 0.25;
    o.turn_speed = 4.0;
    o.hover = 0.15;
    o.max_descend = 0.10;
    o.contact_tol = 0.002;
    o.settle_steps = 480;
    o.settle_speed = 0.005;
    o.max_action_steps = 4800;
    o.tip_radius = 0.01;
    o.tip_height = 0.04;
    o.spatula_size[0] = 0.005;
    o.spatula_size[1] = 0.06;
    o.spatula_size[2] = 0.03;
    return o;
}

gs_status gs_robot_init(gs_robot *r, gs_world *w, const gs_robot_options *opt, char *err,
                        size_t errlen) {
    if (!r || !w) return gs_fail(err, errlen, GS_ERR_USAGE, "robot_init: no robot or no world");
    memset(r, 0, sizeof *r);
    r->opt = opt ? *opt : gs_robot_options_default();
    if (!check_options(&r->opt, err, errlen)) return GS_ERR_USAGE;
    r->world = w;
    r->weld = -1;
    r->held = GS_BODY_NONE;
    r->tip = r->spatula = GS_BODY_NONE;
    r->home = gsu_pose_xyz_yaw(0.5, 0.0, 0.45, 0.0);
    /* Far above home, where the idle blade can meet nothing. */
    r->park = gsu_pose_xyz_yaw(0.5, 0.0, 1.0, 0.0);
    r->tip_at = r->home;

    gs_shape cup = {GS_SHAPE_CYLINDER,
                    {2 * r->opt.tip_radius, 2 * r->opt.tip_radius, r->opt.tip_height},
                    gsu_pose_identity()};
    gs_body_desc d;
    memset(&d, 0, sizeof d);
    d.shapes = &cup;
    d.nshapes = 1;
    d.friction = 0.5;
    d.kinematic = 1;
    d.collides = 1;
    d.pose = r->home;
    d.pose.pos[2] += r->opt.tip_height / 2;
    char why[200];
    r->tip = gs_world_add_body(w, &d, why, sizeof why);
    if (r->tip == GS_BODY_NONE)
        return gs_fail(err, errlen, GS_ERR_LIMIT, "robot_init: cup: %s", why);

    gs_shape blade = {GS_SHAPE_BOX,
                      {r->opt.spatula_size[0], r->opt.spatula_size[1], r->opt.spatula_size[2]},
                      gsu_pose_identity()};
    d.shapes = &blade;
    /* A slippery blade pushes without dragging things up or sideways. */
    d.friction = 0.2;
    d.pose = r->park;
    d.pose.pos[2] += r->opt.spatula_size[2] / 2;
    r->spatula = gs_world_add_body(w, &d, why, sizeof why);
    if (r->spatula == GS_BODY_NONE)
        return gs_fail(err, errlen, GS_ERR_LIMIT, "robot_init: spatula: %s", why);
    return GS_OK;
}

void gs_robot_tip_pose(const gs_robot *r, gs_pose *out) {
    if (r && out) *out = r->tip_at;
}

int gs_robot_owns(const gs_robot *r, int body) {
    return r && body != GS_BODY_NONE && (body == r->tip || body == r->spatula);
}

gs_status gs_robot_pick_place(gs_robot *r, const gs_pose *pick, const gs_pose *place,
                              gs_action_result *res, char *err, size_t errlen) {
    if (!r || !r->world || !pick || !place || !res)
        return gs_fail(err, errlen, GS_ERR_USAGE, "pick_place: missing robot, pose or result");
    memset(res, 0, sizeof *res);
    res->held_body = GS_BODY_NONE;
    if (!pose_ok(pick) || !pose_ok(place))
        return gs_fail(err, errlen, GS_ERR_USAGE,
                       "pick_place: poses must be finite, within 10 m, with unit quaternions");
    if (r->held != GS_BODY_NONE) release(r);
    const gs_robot_options *o = &r->opt;
    action a = {r, o->max_action_steps, 0};
    double pick_yaw = gsu_pose_yaw(pick);
    double turn = gsu_wrap_angle(gsu_pose_yaw(place) - pick_yaw, 2 * GS_PI);
    const double *p = pick->pos, *q = place->pos;
    double at[4];

    /* Approach and feel for the object. */
    if (move_tool(&a, r->tip, p[0], p[1], p[2] + o->hover, pick_yaw, o->speed, 0) != MOVE_DONE)
        goto out;
    int touched = GS_BODY_NONE;
    move_end end =
        descend(&a, p[2] + SEEK_CLEARANCE, p[2] - o->max_descend, r->tip, GS_BODY_NONE, &touched);
    if (end == MOVE_OUT_OF_STEPS) goto out;
    int body = end == MOVE_TOUCHED ? choose_pick(r, touched) : GS_BODY_NONE;
    if (body != GS_BODY_NONE) {
        r->weld = gs_world_attach(r->world, r->tip, body);
        if (r->weld >= 0) r->held = body;
    }
    tool_at(r, r->tip, at);
    if (r->held == GS_BODY_NONE) {
        /* Nothing to carry: back off the way we came. */
        if (move_tool(&a, r->tip, at[0], at[1], p[2] + o->hover, at[3], o->speed, 0) != MOVE_DONE)
            goto out;
    } else {
        res->picked = 1;
        res->held_body = r->held;
        if (move_tool(&a, r->tip, at[0], at[1], p[2] + o->hover, at[3], o->speed, 1) != MOVE_DONE)
            goto out;
        if (move_tool(&a, r->tip, q[0], q[1], q[2] + o->hover, at[3] + turn, o->speed, 1) !=
            MOVE_DONE)
            goto out;
        /* Lower the held object until it, not the cup, meets something. */
        end = descend(&a, q[2] + SEEK_CLEARANCE, q[2] - o->max_descend, r->held, r->tip, &touched);
        if (end == MOVE_OUT_OF_STEPS) goto out;
        res->placed = end == MOVE_TOUCHED;
        release(r);
        tool_at(r, r->tip, at);
        if (move_tool(&a, r->tip, at[0], at[1], q[2] + o->hover, at[3], o->speed, 0) != MOVE_DONE)
            goto out;
    }
    /* Going home also gives the scene time to settle. */
    if (move_tool(&a, r->tip, r->home.pos[0], r->home.pos[1], r->home.pos[2],
                  gsu_pose_yaw(&r->home), o->speed, 0) != MOVE_DONE)
        goto out;
    a.steps += settle_for(r, a.budget < o->settle_steps ? a.budget : o->settle_steps);
    res->steps = a.steps;
    return GS_OK;
out:
    abort_action(&a, res);
    return GS_OK;
}

gs_status gs_robot_push(gs_robot *r, const double from[3], const double to[3],
                        gs_action_result *res, char *err, size_t errlen) {
    if (!r || !r->world || !from || !to || !res)
        return gs_fail(err, errlen, GS_ERR_USAGE, "push: missing robot, point or result");
    memset(res, 0, sizeof *res);
    res->held_body = GS_BODY_NONE;
    for (int i = 0; i < 3; i++)
        if (!isfinite(from[i]) || !isfinite(to[i]) || fabs(from[i]) > POSE_LIMIT ||
            fabs(to[i]) > POSE_LIMIT)
            return gs_fail(err, errlen, GS_ERR_USAGE,
                           "push: from and to must be finite and within 10 m");
    if (r->held != GS_BODY_NONE) release(r);
    const gs_robot_options *o = &r->opt;
    action a = {r, o->max_action_steps, 0};
    double dx = to[0] - from[0], dy = to[1] - from[1];
    double yaw = dx * dx + dy * dy > 1e-18 ? atan2(dy, dx) : 0;

    /* The blade appears at hover height above from, as if it had been
     * carried there over the scene, and one step lets the jump's velocity
     * fade before anything can touch it. */
    double above[3] = {from[0], from[1], from[2] + o->hover};
    place_tool(r, r->spatula, above, yaw);
    robot_step(r);
    a.budget--, a.steps++;
    if (move_tool(&a, r->spatula, from[0], from[1], from[2] + SEEK_CLEARANCE, yaw, o->speed, 0) !=
        MOVE_DONE)
        goto out;
    if (move_tool(&a, r->spatula, from[0], from[1], from[2], yaw, o->slow_speed, 0) != MOVE_DONE)
        goto out;
    if (move_tool(&a, r->spatula, to[0], to[1], from[2], yaw, o->slow_speed, 0) != MOVE_DONE)
        goto out;
    if (move_tool(&a, r->spatula, to[0], to[1], from[2] + o->hover, yaw, o->speed, 0) != MOVE_DONE)
        goto out;
    place_tool(r, r->spatula, r->park.pos, gsu_pose_yaw(&r->park));
    a.steps += settle_for(r, a.budget < o->settle_steps ? a.budget : o->settle_steps);
    res->steps = a.steps;
    return GS_OK;
out:
    abort_action(&a, res);
    return GS_OK;
}

gs_status gs_robot_drag(gs_robot *r, const double grip[3], int body, gs_drag_path_fn path, void *ud,
                        gs_action_result *res, char *err, size_t errlen) {
    if (!r || !r->world || !grip || !path || !res)
        return gs_fail(err, errlen, GS_ERR_USAGE, "drag: missing robot, grip, path or result");
    memset(res, 0, sizeof *res);
    res->held_body = GS_BODY_NONE;
    for (int i = 0; i < 3; i++)
        if (!isfinite(grip[i]) || fabs(grip[i]) > POSE_LIMIT)
            return gs_fail(err, errlen, GS_ERR_USAGE, "drag: the grip must be finite and within 10 m");
    if (r->held != GS_BODY_NONE) release(r);
    const gs_robot_options *o = &r->opt;
    action a = {r, o->max_action_steps, 0};
    double at[4], points[GS_DRAG_PATH_MAX][3];
    tool_at(r, r->tip, at);
    if (move_tool(&a, r->tip, grip[0], grip[1], grip[2] + o->hover, at[3], o->speed, 0) != MOVE_DONE) goto out;
    int touched = GS_BODY_NONE;
    move_end end = descend(&a, grip[2] + SEEK_CLEARANCE, grip[2] - o->max_descend, r->tip, GS_BODY_NONE, &touched);
    if (end == MOVE_OUT_OF_STEPS) goto out;
    tool_at(r, r->tip, at);
    int n = 0;
    if (end == MOVE_TOUCHED && touched == body && gs_world_body_is_dynamic(r->world, body)) {
        r->weld = gs_world_grip(r->world, r->tip, body, at);
        if (r->weld >= 0) r->held = body;
        if (r->held != GS_BODY_NONE) n = path(ud, at, points, GS_DRAG_PATH_MAX);
    }
    if (r->held != GS_BODY_NONE) {
        res->picked = 1;
        res->held_body = body;
        for (int i = 0; i < n && i < GS_DRAG_PATH_MAX; i++)
            if (move_tool(&a, r->tip, points[i][0], points[i][1], points[i][2], at[3], o->slow_speed, 0) != MOVE_DONE)
                goto out;
        for (int i = 0; i < DRAG_DWELL_STEPS && a.budget > 0; i++, a.budget--, a.steps++) robot_step(r);
        release(r);
        res->placed = 1;
        tool_at(r, r->tip, at);
    }
    if (move_tool(&a, r->tip, at[0], at[1], at[2] + o->hover, at[3], o->speed, 0) != MOVE_DONE) goto out;
    if (move_tool(&a, r->tip, r->home.pos[0], r->home.pos[1], r->home.pos[2], gsu_pose_yaw(&r->home), o->speed,
                  0) != MOVE_DONE)
        goto out;
    a.steps += settle_for(r, a.budget < o->settle_steps ? a.budget : o->settle_steps);
    res->steps = a.steps;
    return GS_OK;
out:
    abort_action(&a, res);
    return GS_OK;
}

int gs_robot_move_valid(const double move[4], char *why, size_t whylen) {
    static const char *const names[4] = {"dx", "dy", "dz", "dyaw"};
    for (int i = 0; i < 4; i++) {
        double limit = i < 3 ? GS_MOVE_MAX_XYZ : GS_MOVE_MAX_YAW;
        if (!(isfinite(move[i]) && fabs(move[i]) <= limit + 1e-12)) {
            gs_fail(why, whylen, GS_ERR_USAGE, "move %s = %g is out of bounds: at most %g %s a step (%d steps a second)",
                    names[i], move[i], limit, i < 3 ? "m" : "rad", GS_CONTROL_HZ);
            return 0;
        }
    }
    return 1;
}

void gs_robot_place_cup(gs_robot *r, const gs_pose *at) {
    release(r);
    r->suction = 0;
    place_tool(r, r->tip, at->pos, gsu_pose_yaw(at));
}

/* With the suction on and nothing held: grips the dynamic body the cup
 * touches, if any. */
static int try_grip(gs_robot *r) {
    int other;
    double dist = gs_world_nearest_contact(r->world, r->tip, GS_BODY_NONE, &other);
    if (!(dist < r->opt.contact_tol) || other < 0 || !gs_world_body_is_dynamic(r->world, other)) return 0;
    r->weld = gs_world_attach(r->world, r->tip, other);
    if (r->weld < 0) return 0;
    r->held = other;
    return 1;
}

static double clamp(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

gs_status gs_robot_move(gs_robot *r, const double move[4], int suction, gs_action_result *res,
                        char *err, size_t errlen) {
    if (!r || !r->world || !move || !res)
        return gs_fail(err, errlen, GS_ERR_USAGE, "move: missing robot, move or result");
    memset(res, 0, sizeof *res);
    res->held_body = GS_BODY_NONE;
    if (!gs_robot_move_valid(move, err, errlen)) return GS_ERR_USAGE;
    if (!suction) release(r);
    r->suction = suction != 0;
    double start[4];
    tool_at(r, r->tip, start);
    double to[3] = {clamp(start[0] + move[0], GS_WS_X0, GS_WS_X1), clamp(start[1] + move[1], GS_WS_Y0, GS_WS_Y1),
                    clamp(start[2] + move[2], 0, GS_WS_Z1)};
    int n = (int)lround(1.0 / (GS_CONTROL_HZ * gs_world_timestep(r->world)));
    if (n < 1) n = 1;
    for (int i = 1; i <= n; i++) {
        double f = (double)i / n;
        double p[3] = {start[0] + (to[0] - start[0]) * f, start[1] + (to[1] - start[1]) * f,
                       start[2] + (to[2] - start[2]) * f};
        place_tool(r, r->tip, p, start[3] + move[3] * f);
        robot_step(r);
        if (r->suction && r->held == GS_BODY_NONE) res->picked |= try_grip(r);
    }
    res->held_body = r->held;
    res->steps = n;
    return GS_OK;
}

long gs_robot_settle(gs_robot *r) {
    if (!r || !r->world) return 0;
    return settle_for(r, r->opt.settle_steps);
}

static int check_options(const gs_robot_options *o, char *err, size_t errlen) {
    const struct {
        const char *name;
        double value, lo, hi;
    } fields[] = {
        {"speed", o->speed, 1e-3, 10},
        {"slow_speed", o->slow_speed, 1e-3, 10},
        {"turn_speed", o->turn_speed, 1e-2, 100},
        {"hover", o->hover, 0, 2},
        {"max_descend", o->max_descend, 0, 2},
        {"contact_tol", o->contact_tol, 1e-5, 0.02},
        {"settle_speed", o->settle_speed, 0, 10},
        {"tip_radius", o->tip_radius, 1e-3, 0.2},
        {"tip_height", o->tip_height, 1e-3, 0.5},
        {"spatula_size[0]", o->spatula_size[0], 1e-3, 0.5},
        {"spatula_size[1]", o->spatula_size[1], 1e-3, 0.5},
        {"spatula_size[2]", o->spatula_size[2], 1e-3, 0.5},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (!(isfinite(fields[i].value) && fields[i].value >= fields[i].lo &&
              fields[i].value <= fields[i].hi)) {
            gs_fail(err, errlen, GS_ERR_USAGE, "robot options: %s must be in [%g, %g]",
                    fields[i].name, fields[i].lo, fields[i].hi);
            return 0;
        }
    if (o->settle_steps < 0 || o->max_action_steps < 1) {
        gs_fail(err, errlen, GS_ERR_USAGE,
                "robot options: settle_steps must be >= 0, max_action_steps >= 1");
        return 0;
    }
    return 1;
}

static int pose_ok(const gs_pose *p) { return gsu_pose_is_sane(p, POSE_LIMIT); }

/* Moves a tool in a straight line to (x, y, z) turned to yaw, one waypoint a
 * step at speed; while carrying (turn_limited) the turn also sets the pace,
 * since an empty cup turns for free. */
static move_end move_tool(action *a, int body, double x, double y, double z, double yaw,
                          double speed, int turn_limited) {
    gs_robot *r = a->r;
    double dt = gs_world_timestep(r->world);
    double start[4];
    tool_at(r, body, start);
    double d[3] = {x - start[0], y - start[1], z - start[2]};
    double dyaw = yaw - start[3];
    double dist = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
    double n = ceil(dist / (speed * dt) - 1e-9);
    if (turn_limited) {
        double nturn = ceil(fabs(dyaw) / (r->opt.turn_speed * dt) - 1e-9);
        if (nturn > n) n = nturn;
    }
    if (n < 1) n = 1;
    for (long i = 1; i <= (long)n; i++) {
        if (a->budget <= 0) return MOVE_OUT_OF_STEPS;
        double f = (double)i / n;
        double p[3] = {start[0] + d[0] * f, start[1] + d[1] * f, start[2] + d[2] * f};
        place_tool(r, body, p, start[3] + dyaw * f);
        robot_step(r);
        a->budget--, a->steps++;
    }
    return MOVE_DONE;
}

/* Lowers the cup straight down to stop_z, at full speed while probe is
 * clear of everything and above near_z, slowly after, stopping as soon as
 * probe comes within contact_tol of a body other than ignore (*touched). */
static move_end descend(action *a, double near_z, double stop_z, int probe, int ignore,
                        int *touched) {
    gs_robot *r = a->r;
    const gs_robot_options *o = &r->opt;
    double dt = gs_world_timestep(r->world);
    double fast = o->speed * dt, slow = o->slow_speed * dt;
    /* A step's travel plus the tolerance: anything nearer could be hit by
     * the next fast step. */
    double lookahead = fast + o->contact_tol;
    double at[4];
    tool_at(r, r->tip, at);
    int slowed = 0;
    *touched = GS_BODY_NONE;
    while (at[2] > stop_z) {
        if (a->budget <= 0) return MOVE_OUT_OF_STEPS;
        double dz = !slowed && at[2] > near_z ? fmin(fast, at[2] - near_z) : slow;
        at[2] = fmax(at[2] - dz, stop_z);
        place_tool(r, r->tip, at, at[3]);
        robot_step(r);
        a->budget--, a->steps++;
        int other;
        double dist = gs_world_nearest_contact(r->world, probe, ignore, &other);
        if (dist < o->contact_tol) {
            *touched = other;
            return MOVE_TOUCHED;
        }
        if (dist < lookahead) slowed = 1;
    }
    return MOVE_DONE;
}

/* Sets a tool's pose from the point its convention names. */
static void place_tool(gs_robot *r, int body, const double at[3], double yaw) {
    double lift = body == r->tip ? r->opt.tip_height / 2 : r->opt.spatula_size[2] / 2;
    gs_pose p = yaw_pose(at, yaw);
    if (body == r->tip) r->tip_at = p;
    p.pos[2] += lift;
    gs_world_set_pose(r->world, body, &p);
}

/* A tool's named point and yaw (4), from its body pose. */
static void tool_at(const gs_robot *r, int body, double at[4]) {
    gs_pose p;
    if (body == r->tip) {
        p = r->tip_at;
    } else {
        gs_world_get_pose(r->world, body, &p);
        p.pos[2] -= r->opt.spatula_size[2] / 2;
    }
    at[0] = p.pos[0], at[1] = p.pos[1], at[2] = p.pos[2];
    at[3] = gsu_pose_yaw(&p);
}

/* The dynamic body the cup grips: the nearest one it touches, else the
 * lowest-numbered dynamic one within tolerance; fixed bodies and the table
 * cannot be picked. */
static int choose_pick(gs_robot *r, int nearest) {
    if (nearest >= 0 && pickable(r, nearest)) return nearest;
    int ids[CONTACT_LIST];
    int n = gs_world_contacts(r->world, r->tip, r->opt.contact_tol, ids, CONTACT_LIST);
    for (int i = 0; i < n && i < CONTACT_LIST; i++)
        if (ids[i] >= 0 && pickable(r, ids[i])) return ids[i];
    return GS_BODY_NONE;
}

/* A dynamic body that no joint moves: a drawer, a door or a lid is
 * dragged, never carried off. */
static int pickable(const gs_robot *r, int body) {
    return gs_world_body_is_dynamic(r->world, body) && gs_world_body_joint(r->world, body) < 0;
}

static void release(gs_robot *r) {
    if (r->weld >= 0) gs_world_detach(r->world, r->weld);
    r->weld = -1;
    r->held = GS_BODY_NONE;
}

/* Out of steps: drop whatever is held and put both tools back at once, so
 * the next action starts from a known state. They jump; in free space the
 * jump touches nothing. */
static void abort_action(action *a, gs_action_result *res) {
    gs_robot *r = a->r;
    release(r);
    place_tool(r, r->tip, r->home.pos, gsu_pose_yaw(&r->home));
    place_tool(r, r->spatula, r->park.pos, gsu_pose_yaw(&r->park));
    res->timed_out = 1;
    res->steps = a->steps;
}

static long settle_for(gs_robot *r, long cap) {
    long n = 0;
    int calm = 0;
    while (n < cap) {
        robot_step(r);
        n++;
        if (n >= SETTLE_MIN_STEPS && gs_world_max_speed(r->world) < r->opt.settle_speed) {
            if (++calm >= SETTLE_CALM_STEPS) break;
        } else {
            calm = 0;
        }
    }
    return n;
}

static gs_pose yaw_pose(const double at[3], double yaw) {
    return gsu_pose_xyz_yaw(at[0], at[1], at[2], yaw);
}

/* One physics step, then the observer when there is one. */
static inline void robot_step(gs_robot *r) {
    gs_world_step(r->world, 1);
    if (r->on_step) r->on_step(r->on_step_ud);
}
