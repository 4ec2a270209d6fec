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

#include "scene_internal.h"

#define LEVEL_TOL 0.005 /* targets this close in height are one level */

/* The observation the oracle decides from. */
typedef struct oracle_view {
    gsr_view view;
    int width, height;
    float *heights; /* (height x width) */
    int32_t *seg;   /* (height x width) */
} oracle_view;

static int observe(const gs_scene *s, oracle_view *ov);
static int grasp_point(const oracle_view *ov, int obj, double grasp[3]);
static void place_action(const gs_scene *s, const gs_goal *g, int obj, const double grasp[3],
                         const double at[3], double target_yaw, int turn, gs_action *a);
static int zone_spot(const gs_scene *s, const gs_goal *g, int gi, double spot[3]);

int gs_oracle_action(const gs_scene *s, gs_action *a) {
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
    free(ov.heights);
    free(ov.seg);
    return found;
}

static int observe(const gs_scene *s, oracle_view *ov) {
    ov->view = gsr_view_default();
    ov->width = gsr_view_width(&ov->view);
    ov->height = gsr_view_height(&ov->view);
    size_t n = (size_t)ov->width * (size_t)ov->height;
    ov->heights = malloc(n * sizeof *ov->heights);
    ov->seg = malloc(n * sizeof *ov->seg);
    if (!ov->heights || !ov->seg ||
        gs_scene_observe(s, &ov->view, ov->heights, NULL, ov->seg, NULL, 0) != GS_OK) {
        free(ov->heights);
        free(ov->seg);
        return 0;
    }
    return 1;
}

/* The visible pixel of obj farthest from the edge of its mask (a chamfer
 * distance transform over the mask's bounding box), as a point on the
 * surface: x, y of the pixel centre, z of the heightmap there. 0 when no
 * pixel of obj is visible. */
static int grasp_point(const oracle_view *ov, int obj, double grasp[3]) {
    const int32_t id = obj + 1;
    int c0 = ov->width, c1 = -1, r0 = ov->height, r1 = -1;
    for (int r = 0; r < ov->height; r++)
        for (int c = 0; c < ov->width; c++)
            if (ov->seg[r * ov->width + c] == id) {
                if (c < c0) c0 = c;
                if (c > c1) c1 = c;
                if (r < r0) r0 = r;
                if (r > r1) r1 = r;
            }
    if (c1 < 0) return 0;
    int w = c1 - c0 + 3, h = r1 - r0 + 3; /* a one-pixel border outside the mask */
    int *d = malloc(sizeof(int) * (size_t)(w * h));
    if (!d) return 0;
    for (int r = 0; r < h; r++)
        for (int c = 0; c < w; c++) {
            int sr = r0 + r - 1, sc = c0 + c - 1;
            int inside = sr >= r0 && sr <= r1 && sc >= c0 && sc <= c1 &&
                         ov->seg[sr * ov->width + sc] == id;
            d[r * w + c] = inside ? 1 << 20 : 0;
        }
    /* 3-4 chamfer: forward then backward pass */
    for (int r = 1; r < h - 1; r++)
        for (int c = 1; c < w - 1; c++) {
            int *v = &d[r * w + c];
            int m = *v;
            if (d[(r - 1) * w + c] + 3 < m) m = d[(r - 1) * w + c] + 3;
            if (d[r * w + c - 1] + 3 < m) m = d[r * w + c - 1] + 3;
            if (d[(r - 1) * w + c - 1] + 4 < m) m = d[(r - 1) * w + c - 1] + 4;
            if (d[(r - 1) * w + c + 1] + 4 < m) m = d[(r - 1) * w + c + 1] + 4;
            *v = m;
        }
    int best = -1, br = 0, bc = 0;
    for (int r = h - 2; r >= 1; r--)
        for (int c = w - 2; c >= 1; c--) {
            int *v = &d[r * w + c];
            int m = *v;
            if (d[(r + 1) * w + c] + 3 < m) m = d[(r + 1) * w + c] + 3;
            if (d[r * w + c + 1] + 3 < m) m = d[r * w + c + 1] + 3;
            if (d[(r + 1) * w + c + 1] + 4 < m) m = d[(r + 1) * w + c + 1] + 4;
            if (d[(r + 1) * w + c - 1] + 4 < m) m = d[(r + 1) * w + c - 1] + 4;
            *v = m;
            if (m >= best) best = m, br = r, bc = c; /* ties: the top-left-most */
        }
    free(d);
    int row = r0 + br - 1, col = c0 + bc - 1;
    gsr_pixel_to_world(&ov->view, col, row, &grasp[0], &grasp[1]);
    grasp[2] = ov->heights[row * ov->width + col];
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
