/* oracle.c: the built-in oracle, which solves a task from its goals alone.
 *
 * Goal by goal: objects already at a target stay; every other object goes to
 * the nearest free allowed target, lowest targets first so stacks grow from
 * the bottom. Zone goals fill their zone on a lattice of free spots. */
#include <math.h>
#include <stdlib.h>

#include "scene_internal.h"

#define LEVEL_TOL 0.005 /* targets this close in height are one level */

static void pick_pose(const gs_scene *s, int obj, gs_pose *pick);
static void place_action(const gs_scene *s, const gs_goal *g, int obj, const double at[3],
                         double target_yaw, int turn, gs_action *a);
static int zone_spot(const gs_scene *s, const gs_goal *g, int gi, double spot[3]);

int gs_oracle_action(const gs_scene *s, gs_action *a) {
    int stage;
    gs_scene_reward(s, &stage);
    if (stage >= s->ngoals) return 0;
    const gs_goal *g = &s->goals[stage];

    if (g->metric == GS_METRIC_ZONE) {
        for (int i = 0; i < g->nobjects; i++) {
            if (gs__zone_fraction(s, g, g->objects[i]) >= 1) continue;
            double spot[3];
            if (!zone_spot(s, g, i, spot)) continue;
            place_action(s, g, g->objects[i], spot, gsu_pose_yaw(&g->zone_pose), 1, a);
            return 1;
        }
        return 0;
    }

    int *obj_target = malloc((size_t)g->nobjects * sizeof *obj_target);
    unsigned char *used = calloc((size_t)g->ntargets, 1);
    int found = 0;
    if (!obj_target || !used) goto done;
    gs__scene_matching(s, g, obj_target);
    if (!g->replace)
        for (int i = 0; i < g->nobjects; i++)
            if (obj_target[i] >= 0) used[obj_target[i]] = 1;

    /* the lowest level that still has a free target */
    double level = INFINITY;
    for (int j = 0; j < g->ntargets; j++)
        if (!used[j]) level = fmin(level, g->targets[j].pos[2]);

    int best_i = -1, best_j = -1;
    double best_d = INFINITY;
    for (int j = 0; j < g->ntargets; j++) {
        if (used[j] || g->targets[j].pos[2] > level + LEVEL_TOL) continue;
        for (int i = 0; i < g->nobjects; i++) {
            if (obj_target[i] >= 0 || !g->allowed[i * g->ntargets + j]) continue;
            gs_pose p;
            gs_scene_pose(s, g->objects[i], &p);
            double dx = p.pos[0] - g->targets[j].pos[0], dy = p.pos[1] - g->targets[j].pos[1];
            double d = dx * dx + dy * dy;
            if (d < best_d) best_d = d, best_i = i, best_j = j;
        }
    }
    if (best_i >= 0) {
        const gs_pose *t = &g->targets[best_j];
        place_action(s, g, g->objects[best_i], t->pos, gsu_pose_yaw(t), g->rotations, a);
        found = 1;
    }
done:
    free(obj_target);
    free(used);
    return found;
}

/* The top centre of the object, at its yaw. */
static void pick_pose(const gs_scene *s, int obj, gs_pose *pick) {
    const gs_object *o = &s->objects[obj];
    gs_pose p;
    gs_scene_pose(s, obj, &p);
    double c[3], half[3] = {o->size[0] / 2, o->size[1] / 2, o->size[2] / 2}, ext[3];
    gsu_pose_apply(&p, o->center, c);
    gsu_rotated_half_extents(p.rot, half, ext);
    *pick = gsu_pose_xyz_yaw(c[0], c[1], c[2] + ext[2], gsu_pose_yaw(&p));
}

/* Carry obj so that its centre lands over at (3), turned to target_yaw
 * modulo its symmetry when turn is set. The place height is a hint: the
 * end effector descends until the object touches something. */
static void place_action(const gs_scene *s, const gs_goal *g, int obj, const double at[3],
                         double target_yaw, int turn, gs_action *a) {
    const gs_object *o = &s->objects[obj];
    gs_pose p;
    gs_scene_pose(s, obj, &p);
    a->kind = GS_ACTION_PICK_PLACE;
    pick_pose(s, obj, &a->pick);
    double yaw = gsu_pose_yaw(&p), turn_by = 0;
    if (turn) {
        double sym = gs__goal_symmetry(s, g, obj);
        if (sym > 0) turn_by = gsu_wrap_angle(target_yaw - yaw, sym);
        /* a period of a full turn still wants the short way round */
        if (sym > GS_PI) turn_by = gsu_wrap_angle(turn_by, 2 * GS_PI);
    }
    /* the grasp point sits over the object's centre, so the centre follows
     * the tip; the tip's place height is the object's top at the target */
    double top = a->pick.pos[2] - p.pos[2];
    double z = fmax(at[2], o->size[2] / 2) + top;
    a->place = gsu_pose_xyz_yaw(at[0], at[1], z, gsu_pose_yaw(&a->pick) + turn_by);
}

/* A free spot for goal object gi inside the zone: the zone's centre, else
 * the first point of a lattice of object-sized cells clear of the goal's
 * other objects. */
static int zone_spot(const gs_scene *s, const gs_goal *g, int gi, double spot[3]) {
    const gs_object *o = &s->objects[g->objects[gi]];
    double cell = fmax(o->size[0], o->size[1]) + 0.01;
    int nx = (int)floor(g->zone_size[0] / cell), ny = (int)floor(g->zone_size[1] / cell);
    if (nx < 1) nx = 1;
    if (ny < 1) ny = 1;
    for (int k = -1; k < nx * ny; k++) { /* k = -1: the centre */
        double local[3] = {0, 0, 0};
        if (k >= 0) local[0] = (k % nx - (nx - 1) / 2.0) * cell, local[1] = (k / nx - (ny - 1) / 2.0) * cell;
        double w[3];
        gsu_pose_apply(&g->zone_pose, local, w);
        int clear = 1;
        for (int i = 0; i < g->nobjects && clear; i++) {
            if (i == gi) continue;
            gs_pose p;
            gs_scene_pose(s, g->objects[i], &p);
            double dx = p.pos[0] - w[0], dy = p.pos[1] - w[1];
            clear = dx * dx + dy * dy >= cell * cell * 0.8;
        }
        if (clear) {
            spot[0] = w[0], spot[1] = w[1], spot[2] = 0;
            return 1;
        }
    }
    return 0;
}
