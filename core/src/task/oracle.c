/* oracle.c: the built-in oracle, which solves a task from its goals alone.
 *
 * Goal by goal: objects already at a target stay; every other object goes to
 * the nearest free allowed target, lowest targets first so stacks grow from
 * the bottom. Zone goals fill their zone on a lattice of free spots.
 *
 * Where to grasp comes from the observation a policy gets, not from the
 * simulator's state: the oracle renders the heightmap and segmentation and
 * picks the visible pixel of the object deepest inside its mask, at the
 * height the heightmap shows there. An object hidden under others is left
 * for later, as a policy would have to. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "task/scene_internal.h"

#define LEVEL_TOL 0.005 /* targets this close in height are one level */

/* What the oracle sees: the scene's parts, and per object the grasp point
 * found in the heightmap (computed once, on demand). */
typedef struct oracle_view {
    const gs_scene *scene;
    gsr_item *items;
    int nitems;
    signed char *seen;   /* (nobjects): -1 not yet looked at, 0 hidden, 1 visible */
    double (*grasp)[3];  /* (nobjects) */
} oracle_view;

static int observe(const gs_scene *s, oracle_view *ov);
static void forget(oracle_view *ov);
static int grasp_point(oracle_view *ov, int obj, double grasp[3]);
static void place_action(const gs_scene *s, const gs_goal *g, int obj, const double grasp[3],
                         const double at[3], double target_yaw, int turn, gs_action *a);
static int zone_spot(const gs_scene *s, const gs_goal *g, int gi, double spot[3]);

int gs_oracle_action(const gs_scene *s, gs_action *a) {
    memset(a, 0, sizeof *a); /* every field decided here: lift 0 is the robot's hover */
    int stage;
    gs_scene_reward(s, &stage);
    if (stage >= s->ngoals) return 0;
    const gs_goal *g = &s->goals[stage];
    oracle_view ov;
    if (!observe(s, &ov)) return 0;
    double grasp[3];
    int found = 0;
    int *obj_target = NULL;
    unsigned char *used = NULL;

    if (g->metric == GS_METRIC_ZONE) {
        for (int i = 0; i < g->nobjects && !found; i++) {
            double spot[3];
            if (gs__zone_fraction(s, g, g->objects[i]) >= 1 || !zone_spot(s, g, i, spot) ||
                !grasp_point(&ov, g->objects[i], grasp))
                continue;
            place_action(s, g, g->objects[i], grasp, spot, gsu_pose_yaw(&g->zone_pose), 1, a);
            found = 1;
        }
        goto done;
    }

    obj_target = malloc((size_t)g->nobjects * sizeof *obj_target);
    used = calloc((size_t)g->ntargets, 1);
    if (!obj_target || !used) goto done;
    gs__scene_matching(s, g, obj_target);
    if (!g->replace)
        for (int i = 0; i < g->nobjects; i++)
            if (obj_target[i] >= 0) used[obj_target[i]] = 1;

    /* the lowest level that still has a free target */
    double level = INFINITY;
    for (int j = 0; j < g->ntargets; j++)
        if (!used[j]) level = fmin(level, g->targets[j].pos[2]);

    /* the nearest pair of a free target on that level and a visible object */
    int best_i = -1, best_j = -1;
    double best_d = INFINITY;
    for (int j = 0; j < g->ntargets; j++) {
        if (used[j] || g->targets[j].pos[2] > level + LEVEL_TOL) continue;
        for (int i = 0; i < g->nobjects; i++) {
            if (obj_target[i] >= 0 || !g->allowed[i * g->ntargets + j] ||
                !grasp_point(&ov, g->objects[i], grasp))
                continue;
            gs_pose p;
            gs_scene_pose(s, g->objects[i], &p);
            double dx = p.pos[0] - g->targets[j].pos[0], dy = p.pos[1] - g->targets[j].pos[1];
            double d = dx * dx + dy * dy;
            if (d < best_d) best_d = d, best_i = i, best_j = j;
        }
    }
    if (best_i >= 0) {
        const gs_pose *t = &g->targets[best_j];
        grasp_point(&ov, g->objects[best_i], grasp);
        place_action(s, g, g->objects[best_i], grasp, t->pos, gsu_pose_yaw(t), g->rotations, a);
        found = 1;
    }
done:
    free(obj_target);
    free(used);
    forget(&ov);
    return found;
}

static int observe(const gs_scene *s, oracle_view *ov) {
    ov->scene = s;
    ov->nitems = gs_scene_render_items(s, NULL, 0);
    ov->items = malloc(sizeof *ov->items * (size_t)(ov->nitems ? ov->nitems : 1));
    ov->seen = malloc((size_t)(s->nobjects ? s->nobjects : 1));
    ov->grasp = malloc(sizeof *ov->grasp * (size_t)(s->nobjects ? s->nobjects : 1));
    if (!ov->items || !ov->seen || !ov->grasp) {
        forget(ov);
        return 0;
    }
    gs_scene_render_items(s, ov->items, ov->nitems);
    memset(ov->seen, -1, (size_t)s->nobjects);
    return 1;
}

static void forget(oracle_view *ov) {
    free(ov->items);
    free(ov->seen);
    free(ov->grasp);
}

/* The visible pixel of obj farthest from the edge of its mask (a chamfer
 * distance transform), as a point on the surface: x, y of the pixel
 * centre, z of the heightmap there. 0 when no pixel of obj is visible.
 * Only the window of the policy's heightmap around the object is drawn:
 * the same pixels, a fraction of the work. */
static int grasp_point(oracle_view *ov, int obj, double grasp[3]) {
    if (ov->seen[obj] >= 0) {
        memcpy(grasp, ov->grasp[obj], sizeof ov->grasp[obj]);
        return ov->seen[obj];
    }
    ov->seen[obj] = 0;
    const gs_object *o = &ov->scene->objects[obj];
    gs_pose p;
    gs_scene_pose(ov->scene, obj, &p);
    double c[3], half[3] = {o->size[0] / 2, o->size[1] / 2, o->size[2] / 2}, ext[3];
    gsu_pose_apply(&p, o->center, c);
    gsu_rotated_half_extents(p.rot, half, ext);
    gsr_view full = gsr_view_default();
    int fw = gsr_view_width(&full), fh = gsr_view_height(&full);
    int c0 = (int)floor((c[0] - ext[0] - full.x0) / full.pixel) - 1;
    int c1 = (int)floor((c[0] + ext[0] - full.x0) / full.pixel) + 1;
    int r0 = (int)floor((c[1] - ext[1] - full.y0) / full.pixel) - 1;
    int r1 = (int)floor((c[1] + ext[1] - full.y0) / full.pixel) + 1;
    if (c0 < 0) c0 = 0;
    if (r0 < 0) r0 = 0;
    if (c1 > fw - 1) c1 = fw - 1;
    if (r1 > fh - 1) r1 = fh - 1;
    if (c0 > c1 || r0 > r1) return 0; /* outside the view */
    gsr_view win = {full.x0 + c0 * full.pixel, full.x0 + (c1 + 1) * full.pixel,
                    full.y0 + r0 * full.pixel, full.y0 + (r1 + 1) * full.pixel, full.pixel};
    int ww = c1 - c0 + 1, wh = r1 - r0 + 1;
    float *heights = malloc(sizeof(float) * (size_t)(ww * wh));
    int32_t *seg = malloc(sizeof(int32_t) * (size_t)(ww * wh));
    /* a one-pixel border around the window, outside every mask */
    int w = ww + 2, h = wh + 2;
    int *d = malloc(sizeof(int) * (size_t)(w * h));
    if (!heights || !seg || !d) {
        free(heights), free(seg), free(d);
        return 0;
    }
    gsr_heightmap(ov->items, ov->nitems, &win, heights, NULL, seg);
    const int32_t id = obj + 1;
    int any = 0;
    for (int r = 0; r < h; r++)
        for (int k = 0; k < w; k++) {
            int inside = r >= 1 && r <= wh && k >= 1 && k <= ww && seg[(r - 1) * ww + k - 1] == id;
            d[r * w + k] = inside ? 1 << 20 : 0;
            any |= inside;
        }
    if (!any) {
        free(heights), free(seg), free(d);
        return 0;
    }
    /* 3-4 chamfer: forward then backward pass */
    for (int r = 1; r < h - 1; r++)
        for (int k = 1; k < w - 1; k++) {
            int *v = &d[r * w + k];
            int m = *v;
            if (d[(r - 1) * w + k] + 3 < m) m = d[(r - 1) * w + k] + 3;
            if (d[r * w + k - 1] + 3 < m) m = d[r * w + k - 1] + 3;
            if (d[(r - 1) * w + k - 1] + 4 < m) m = d[(r - 1) * w + k - 1] + 4;
            if (d[(r - 1) * w + k + 1] + 4 < m) m = d[(r - 1) * w + k + 1] + 4;
            *v = m;
        }
    int best = -1, br = 0, bc = 0;
    for (int r = h - 2; r >= 1; r--)
        for (int k = w - 2; k >= 1; k--) {
            int *v = &d[r * w + k];
            int m = *v;
            if (d[(r + 1) * w + k] + 3 < m) m = d[(r + 1) * w + k] + 3;
            if (d[r * w + k + 1] + 3 < m) m = d[r * w + k + 1] + 3;
            if (d[(r + 1) * w + k + 1] + 4 < m) m = d[(r + 1) * w + k + 1] + 4;
            if (d[(r + 1) * w + k - 1] + 4 < m) m = d[(r + 1) * w + k - 1] + 4;
            *v = m;
            if (m >= best) best = m, br = r, bc = k; /* ties: the top-left-most */
        }
    gsr_pixel_to_world(&full, c0 + bc - 1, r0 + br - 1, &grasp[0], &grasp[1]);
    grasp[2] = heights[(br - 1) * ww + bc - 1];
    free(heights), free(seg), free(d);
    memcpy(ov->grasp[obj], grasp, sizeof ov->grasp[obj]);
    ov->seen[obj] = 1;
    return 1;
}

/* Carry obj, grasped at grasp (3), so that its centre lands over at (3),
 * turned to target_yaw modulo its symmetry when turn is set. The tip turns
 * the object about the grasp point, so the grasp's offset from the centre
 * turns with it. The place height is a hint: the end effector descends
 * until the object touches something. */
static void place_action(const gs_scene *s, const gs_goal *g, int obj, const double grasp[3],
                         const double at[3], double target_yaw, int turn, gs_action *a) {
    const gs_object *o = &s->objects[obj];
    gs_pose p;
    gs_scene_pose(s, obj, &p);
    double c[3];
    gsu_pose_apply(&p, o->center, c);
    double yaw = gsu_pose_yaw(&p), turn_by = 0;
    if (turn) {
        double sym = gs__goal_symmetry(s, g, obj);
        if (sym > 0) turn_by = gsu_wrap_angle(target_yaw - yaw, sym);
        /* a period of a full turn still wants the short way round */
        if (sym > GS_PI) turn_by = gsu_wrap_angle(turn_by, 2 * GS_PI);
    }
    a->kind = GS_ACTION_PICK_PLACE;
    a->pick = gsu_pose_xyz_yaw(grasp[0], grasp[1], grasp[2], yaw);
    double off[2] = {grasp[0] - c[0], grasp[1] - c[1]};
    double ct = cos(turn_by), st = sin(turn_by);
    double top = grasp[2] - c[2]; /* the grasp's height above the centre */
    double z = fmax(at[2], o->size[2] / 2) + top;
    a->place = gsu_pose_xyz_yaw(at[0] + ct * off[0] - st * off[1], at[1] + st * off[0] + ct * off[1],
                                z, yaw + turn_by);
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
