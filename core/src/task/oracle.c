/* oracle.c: the built-in oracle, which solves a task from its goals alone.
 *
 * Goal by goal: objects already at a target stay; every other object goes to
 * the nearest free allowed target, lowest targets first so stacks grow from
 * the bottom. Where several objects share a place (a target with replace =
 * true, a zone), each goes to its own free spot inside it: the spot nearest
 * the place's centre where the object's footprint, with a little clearance,
 * covers level ground and no other movable object.
 *
 * Where to grasp and where there is room come from the observation a policy
 * gets, not from the simulator's state: the oracle renders the heightmap and
 * segmentation, grasps at the visible pixel of the object deepest inside its
 * mask, at the height the heightmap shows there, and looks for room in the
 * same heightmap. An object hidden under others is left for later, as a
 * policy would have to. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "task/scene_internal.h"

#define LEVEL_TOL 0.005  /* targets this close in height are one level */
#define SPOT_GAP 0.004   /* gap kept between objects placed side by side, m */
#define SPOT_WALL 0.001  /* gap kept between a footprint and a wall or a step, m */
#define SPOT_LEVEL 0.003 /* height range under a footprint that still counts as level, m */
#define SPOT_SETTLE 0.005 /* of a shared target's tolerance, kept for settling, m */
#define ZONE_MARGIN 0.003 /* gap kept inside a zone's edges, m */
#define STACKED_FRACTION 0.75 /* of an object's height: a zone target it stands on, not one a layer above */
#define LATTICE_MAX 256  /* free lattice points weighed per lattice */
#define CARRY_CLEARANCE 0.03 /* between what is carried and the tallest articulated part, m */
#define RIDING_SUPPORT 0.015 /* how far above where a target expects it a riding place's ground may be, m */

/* What the oracle sees: the scene's parts, and per object the grasp point
 * found in the heightmap (computed once, on demand). */
typedef struct oracle_view {
    const gs_scene *scene;
    gsr_item *items;
    int nitems;
    signed char *seen;   /* (nobjects): -1 not yet looked at, 0 hidden, 1 visible */
    double (*grasp)[3];  /* (nobjects) */
} oracle_view;

/* Where spots for an object may be: in a frame whose yaw the object is
 * turned to, within a box about the frame's origin and within a distance of
 * a centre; need objects (this one included) are still to find room there,
 * on a lattice of pitch, the largest footprint among them and some play. */
typedef struct spot_region {
    gs_pose frame;     /* on the table plane, turned about z only */
    double box[2];     /* half sizes the footprint stays inside; 0: no box */
    double centre[2];  /* where the search starts, in the frame */
    double radius;     /* how far from centre a spot may be; < 0: no limit */
    double pitch;      /* lattice spacing, m */
    int need;          /* objects still to place, >= 1 */
    int support_limited; /* 1: a spot's ground may be no higher than max_support */
    double max_support;
} spot_region;

static int joint_action(const gs_scene *s, const gs_goal *g, gs_action *a);
static int observe(const gs_scene *s, oracle_view *ov);
static void forget(oracle_view *ov);
static int pose_action(oracle_view *ov, const gs_goal *g, gs_action *a);
static int zone_action(oracle_view *ov, const gs_goal *g, gs_action *a);
static int grasp_point(oracle_view *ov, int obj, double grasp[3]);
static void place_action(const gs_scene *s, const gs_goal *g, int obj, const double grasp[3],
                         const double at[3], double target_yaw, int turn, gs_action *a);
static int free_spot(const oracle_view *ov, int obj, const spot_region *r, double spot[3]);
static int zone_target(const gs_scene *s, const gs_goal *g, int gi);
static int shared_place(oracle_view *ov, const gs_goal *g, int gi, const int *coming,
                        double level, const double grasp[3], gs_action *a);
static void count_unplaced(const gs_scene *s, const gs_goal *g, const int *unplaced,
                           spot_region *r);
static int riding_place(oracle_view *ov, const gs_goal *g, int j, int obj, double radius, const spot_region *zone,
                        const double grasp[3], gs_action *a);

int gs_oracle_action(const gs_scene *s, gs_action *a) {
    memset(a, 0, sizeof *a); /* every field decided here: lift 0 is the robot's hover */
    int stage;
    gs_scene_reward(s, &stage);
    if (stage >= s->ngoals) return 0;
    const gs_goal *g = &s->goals[stage];
    if (g->metric == GS_METRIC_JOINT) return joint_action(s, g, a);
    oracle_view ov;
    if (!observe(s, &ov)) return 0;
    int found = g->metric == GS_METRIC_ZONE ? zone_action(&ov, g, a) : pose_action(&ov, g, a);
    forget(&ov);
    return found;
}

/* The first object of a joint goal whose joint is not where the goal
 * wants it: dragged there by its handle. */
static int joint_action(const gs_scene *s, const gs_goal *g, gs_action *a) {
    for (int i = 0; i < g->nobjects; i++) {
        const gs_model_link *l = &s->objects[g->objects[i]].art->model.links[g->links[i]];
        double d = fabs(gs__link_fraction(s, g->objects[i], g->links[i]) - g->target);
        if (l->type == GS_JOINT_CONTINUOUS) d = fmin(d, 1 - d);
        if (d <= g->tolerance || !l->has_handle) continue;
        a->kind = GS_ACTION_DRAG;
        a->drag_object = g->objects[i];
        snprintf(a->drag_joint, sizeof a->drag_joint, "%s", l->joint);
        a->drag_to = g->target;
        return 1;
    }
    return 0;
}

/* The nearest pair of a visible unplaced object and a free allowed target
 * on the lowest level that has one. A target shared by several objects
 * (replace) is never used up; each object gets a free spot within the
 * goal's tolerance of it. */
static int pose_action(oracle_view *ov, const gs_goal *g, gs_action *a) {
    const gs_scene *s = ov->scene;
    double grasp[3];
    int found = 0;
    int *obj_target = malloc((size_t)g->nobjects * sizeof *obj_target);
    unsigned char *used = calloc((size_t)g->ntargets, 1);
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
                !grasp_point(ov, g->objects[i], grasp))
                continue;
            gs_pose p;
            gs_scene_pose(s, g->objects[i], &p);
            double dx = p.pos[0] - g->targets[j].pos[0], dy = p.pos[1] - g->targets[j].pos[1];
            double d = dx * dx + dy * dy;
            if (d < best_d) best_d = d, best_i = i, best_j = j;
        }
    }
    if (best_i >= 0 && g->replace) {
        grasp_point(ov, g->objects[best_i], grasp);
        /* obj_target is done with: it now flags the objects that may still
         * come to a shared target */
        for (int i = 0; i < g->nobjects; i++) obj_target[i] = obj_target[i] < 0;
        found = shared_place(ov, g, best_i, obj_target, level, grasp, a);
    } else if (best_i >= 0) {
        const gs_pose *t = &g->targets[best_j];
        grasp_point(ov, g->objects[best_i], grasp);
        if (!riding_place(ov, g, best_j, g->objects[best_i], fmax(g->tolerance - SPOT_SETTLE, 0), NULL, grasp, a))
            place_action(s, g, g->objects[best_i], grasp, t->pos, gsu_pose_yaw(t), g->rotations, a);
        found = 1;
    }
done:
    free(obj_target);
    free(used);
    return found;
}

/* Object gi of replace goal g, grasped at grasp, to a free spot within
 * the goal's tolerance of the nearest allowed target on level that has one
 * (the objects flagged in coming may still go there too); with no room
 * anywhere, onto the nearest such target itself. 0 when out of memory. */
static int shared_place(oracle_view *ov, const gs_goal *g, int gi, const int *coming,
                        double level, const double grasp[3], gs_action *a) {
    const gs_scene *s = ov->scene;
    int obj = g->objects[gi];
    int *flags = malloc(sizeof *flags * (size_t)g->nobjects);
    unsigned char *tried = calloc((size_t)g->ntargets, 1);
    if (!flags || !tried) {
        free(flags), free(tried);
        return 0;
    }
    gs_pose p;
    gs_scene_pose(s, obj, &p);
    int first = -1, placed = 0;
    while (!placed) {
        int j = -1;
        double best = INFINITY;
        for (int k = 0; k < g->ntargets; k++) {
            const double *t = g->targets[k].pos;
            double d = hypot(p.pos[0] - t[0], p.pos[1] - t[1]);
            if (!tried[k] && g->allowed[gi * g->ntargets + k] && t[2] <= level + LEVEL_TOL &&
                d < best)
                best = d, j = k;
        }
        if (j < 0) break;
        tried[j] = 1;
        if (first < 0) first = j;
        const gs_pose *t = &g->targets[j];
        spot_region r = {.frame = gsu_pose_xyz_yaw(t->pos[0], t->pos[1], 0, gsu_pose_yaw(t)),
                         .radius = fmax(g->tolerance - SPOT_SETTLE, 0)};
        for (int i = 0; i < g->nobjects; i++)
            flags[i] = coming[i] && g->allowed[i * g->ntargets + j];
        count_unplaced(s, g, flags, &r);
        double spot[3];
        if ((placed = free_spot(ov, obj, &r, spot)))
            place_action(s, g, obj, grasp, spot, gsu_pose_yaw(t), 1, a);
    }
    if (!placed) {
        const gs_pose *t = &g->targets[first]; /* gi was paired with one */
        place_action(s, g, obj, grasp, t->pos, gsu_pose_yaw(t), g->rotations, a);
    }
    free(flags), free(tried);
    return 1;
}

/* The first visible object of g not wholly inside the zone goes to a free
 * spot inside it. With targets, it goes to the nearest target no other
 * object inside the zone stands on; with replace as well, to the free spot
 * inside the zone nearest the nearest target. */
static int zone_action(oracle_view *ov, const gs_goal *g, gs_action *a) {
    const gs_scene *s = ov->scene;
    double zone_yaw = gsu_pose_yaw(&g->zone_pose);
    gs_pose frame = gsu_pose_xyz_yaw(g->zone_pose.pos[0], g->zone_pose.pos[1], 0, zone_yaw);
    gs_pose to_zone = gsu_pose_invert(&frame);
    int *unplaced = malloc(sizeof *unplaced * (size_t)g->nobjects);
    if (!unplaced) return 0;
    for (int i = 0; i < g->nobjects; i++) unplaced[i] = gs__zone_fraction(s, g, g->objects[i]) < 1;
    int found = 0;
    for (int i = 0; i < g->nobjects && !found; i++) {
        int obj = g->objects[i];
        double grasp[3], spot[3];
        if (!unplaced[i] || !grasp_point(ov, obj, grasp)) continue;
        double box[2] = {g->zone_size[0] / 2 - ZONE_MARGIN, g->zone_size[1] / 2 - ZONE_MARGIN};
        spot_region r = {.frame = frame, .box = {box[0], box[1]}, .radius = -1};
        count_unplaced(s, g, unplaced, &r);
        int target = zone_target(s, g, i);
        if (target >= 0 && !g->replace) {
            /* a target of its own: exactly there, as the task put it (or,
             * on a link that moved, where there is room in the zone) */
            const gs_pose *t = &g->targets[target];
            if (!riding_place(ov, g, target, obj, -1, &r, grasp, a))
                place_action(s, g, obj, grasp, t->pos, gsu_pose_yaw(t), 1, a);
            found = 1;
            break;
        }
        if (target >= 0) {
            double local[3];
            gsu_pose_apply(&to_zone, g->targets[target].pos, local);
            r.centre[0] = local[0], r.centre[1] = local[1];
        }
        if (!free_spot(ov, obj, &r, spot)) continue;
        place_action(s, g, obj, grasp, spot, zone_yaw, 1, a);
        found = 1;
    }
    free(unplaced);
    return found;
}

/* A place that rides on a link (a drawer's floor) may be partly hidden
 * where the link moved (under the chest's top): obj goes to the free spot
 * nearest target j within radius of it (radius < 0: anywhere in zone, a
 * zone goal's region); 0 when the target rides on nothing or there is no
 * such spot, and the caller places exactly at the target. */
static int riding_place(oracle_view *ov, const gs_goal *g, int j, int obj, double radius, const spot_region *zone,
                        const double grasp[3], gs_action *a) {
    if (!g->anchors || g->anchors[j].obj < 0) return 0;
    const gs_pose *t = &g->targets[j];
    spot_region r;
    if (zone) {
        r = *zone;
        gs_pose to_zone = gsu_pose_invert(&r.frame);
        double local[3];
        gsu_pose_apply(&to_zone, t->pos, local);
        r.centre[0] = local[0], r.centre[1] = local[1];
    } else {
        memset(&r, 0, sizeof r);
        r.frame = gsu_pose_xyz_yaw(t->pos[0], t->pos[1], 0, gsu_pose_yaw(t));
        r.radius = radius;
    }
    const gs_object *o = &ov->scene->objects[obj];
    r.need = 1, r.pitch = fmax(o->size[0], o->size[1]) + SPOT_GAP;
    double spot[3];
    /* on the link, not on what hides part of it */
    r.support_limited = 1;
    r.max_support = t->pos[2] - o->size[2] / 2 + RIDING_SUPPORT;
    if (!free_spot(ov, obj, &r, spot)) return 0;
    place_action(ov->scene, g, obj, grasp, spot, gsu_pose_yaw(zone ? &r.frame : t), 1, a);
    return 1;
}

/* r's need and pitch from the goal objects flagged in unplaced (nobjects):
 * how many, and the largest side among them plus SPOT_GAP. */
static void count_unplaced(const gs_scene *s, const gs_goal *g, const int *unplaced,
                           spot_region *r) {
    r->need = 0, r->pitch = 0;
    for (int i = 0; i < g->nobjects; i++) {
        if (!unplaced[i]) continue;
        const gs_object *o = &s->objects[g->objects[i]];
        r->need++;
        r->pitch = fmax(r->pitch, fmax(o->size[0], o->size[1]) + SPOT_GAP);
    }
    if (r->need < 1) r->need = 1;
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
    /* an open lid or door stands tall: carry the object over it */
    double tallest = gs__articulated_top(s);
    if (tallest > 0) {
        double hang = grasp[2] - (c[2] - o->size[2] / 2); /* from the cup down to the object's bottom */
        double lift = tallest + CARRY_CLEARANCE + hang - fmin(a->pick.pos[2], a->place.pos[2]);
        if (lift > s->robot.opt.hover) a->lift = lift;
    }
}


/* Which target object gi of zone goal g is sent towards: the nearest
 * allowed one, skipping, without replace, those another goal object inside
 * the zone already stands on (its footprint over the target, its centre
 * within STACKED_FRACTION of its height of the target's, whether the target
 * is given at its floor or its centre); -1 when g has none to offer. */
static int zone_target(const gs_scene *s, const gs_goal *g, int gi) {
    if (g->ntargets == 0) return -1;
    gs_pose p;
    gs_scene_pose(s, g->objects[gi], &p);
    int best = -1;
    double best_d = INFINITY;
    for (int j = 0; j < g->ntargets; j++) {
        const double *t = g->targets[j].pos;
        if (g->allowed && !g->allowed[gi * g->ntargets + j]) continue;
        int taken = 0;
        for (int k = 0; k < g->nobjects && !g->replace && !taken; k++) {
            if (k == gi || gs__zone_fraction(s, g, g->objects[k]) < 1) continue;
            const gs_object *o = &s->objects[g->objects[k]];
            gs_pose q;
            gs_scene_pose(s, g->objects[k], &q);
            double reach = fmin(o->size[0], o->size[1]) / 2;
            /* at the target's height: a target stacked above an object
             * (the next layer) is not taken by it */
            taken = hypot(q.pos[0] - t[0], q.pos[1] - t[1]) < reach &&
                    fabs(q.pos[2] - t[2]) < STACKED_FRACTION * o->size[2];
        }
        double d = hypot(p.pos[0] - t[0], p.pos[1] - t[1]);
        if (!taken && d < best_d) best = j, best_d = d;
    }
    return best;
}

/* ---- free spots ---- */

/* A candidate spot: lattice indices in the region's frame and the squared
 * distance from the region's centre. */
typedef struct spot_candidate {
    double d2;
    int i, j;
} spot_candidate;

/* The heightmap window the spots are judged in. */
typedef struct spot_window {
    gsr_view view;
    int w, h;
    float *heights;
    int32_t *seg;
} spot_window;

static int by_distance(const void *pa, const void *pb) {
    const spot_candidate *a = pa, *b = pb;
    if (a->d2 != b->d2) return a->d2 < b->d2 ? -1 : 1;
    if (a->j != b->j) return a->j < b->j ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);
}

static int candidate_spots(const spot_region *r, const double lo[2], const double hi[2],
                           double pitch, spot_candidate **out);
static int lattice_spot(const oracle_view *ov, const spot_window *win, const spot_region *r,
                        const double lo[2], const double hi[2], const double half[2],
                        double local[2], double *support);
static int spot_window_open(const oracle_view *ov, int obj, const spot_region *r,
                            const double lo[2], const double hi[2], const double half[2],
                            spot_window *win);
static int footprint_free(const oracle_view *ov, const spot_window *win, const double c[2],
                          double yaw, const double half[2], double *support);

/* A free spot for obj in r: a spot whose footprint (obj turned to the
 * frame) lies inside r's box and the workspace, on level ground, with no
 * other movable object within half a SPOT_GAP of it. First the nearest free
 * point of the lattice of r's pitch that gives r's need objects room
 * closest to the centre; failing that (objects lying off any lattice), the
 * free point nearest the centre on a lattice of heightmap pixels. spot: the
 * footprint's centre, z where obj's centre rests there. 0 when there is
 * none. */
static int free_spot(const oracle_view *ov, int obj, const spot_region *r, double spot[3]) {
    const gs_object *o = &ov->scene->objects[obj];
    double half[2] = {o->size[0] / 2, o->size[1] / 2};
    double lo[2], hi[2];
    for (int k = 0; k < 2; k++) {
        lo[k] = -INFINITY, hi[k] = INFINITY;
        if (r->box[k] > 0) hi[k] = r->box[k] - o->size[k] / 2, lo[k] = -hi[k];
        if (r->radius >= 0) {
            lo[k] = fmax(lo[k], r->centre[k] - r->radius);
            hi[k] = fmin(hi[k], r->centre[k] + r->radius);
        }
        if (!(lo[k] <= hi[k]) || !isfinite(lo[k]) || !isfinite(hi[k])) return 0;
    }
    spot_window win;
    if (!spot_window_open(ov, obj, r, lo, hi, half, &win)) return 0;
    double local[2] = {0, 0}, support = 0;
    int found = lattice_spot(ov, &win, r, lo, hi, half, local, &support);
    spot_candidate *cand = NULL;
    int n = found ? 0 : candidate_spots(r, lo, hi, win.view.pixel, &cand);
    double yaw = gsu_pose_yaw(&r->frame);
    for (int k = 0; k < n && !found; k++) {
        double c[3], at[3] = {r->centre[0] + cand[k].i * win.view.pixel,
                              r->centre[1] + cand[k].j * win.view.pixel, 0};
        gsu_pose_apply(&r->frame, at, c);
        found = footprint_free(ov, &win, c, yaw, half, &support) &&
                !(r->support_limited && support > r->max_support);
        local[0] = at[0], local[1] = at[1];
    }
    if (found) {
        double at[3] = {local[0], local[1], 0};
        gsu_pose_apply(&r->frame, at, spot);
        spot[2] = support + o->size[2] / 2;
    }
    free(cand);
    free(win.heights), free(win.seg);
    return found;
}

/* The four lattices of r's pitch about r's centre: a lattice point or the
 * middle of a cell at the centre, along each axis. Each is scored by its
 * free points within lo..hi and r's radius, nearest the centre first: one
 * with room for more of r's need objects beats one with room for fewer,
 * then the one whose last needed point is nearest the centre, then the
 * smaller sum of distances.
 * local (2, in the frame) and *support: the best lattice's nearest free
 * point. 0 when no lattice has one. */
static int lattice_spot(const oracle_view *ov, const spot_window *win, const spot_region *r,
                        const double lo[2], const double hi[2], const double half[2],
                        double local[2], double *support) {
    double best[3] = {0, INFINITY, INFINITY}; /* room, farthest needed, sum */
    int found = 0;
    double yaw = gsu_pose_yaw(&r->frame), p = r->pitch;
    if (!(p > 0)) return 0;
    for (int shift = 0; shift < 4; shift++) {
        double off[2] = {(shift & 1) * p / 2, (shift >> 1) * p / 2};
        int i0 = (int)ceil((lo[0] - r->centre[0] - off[0]) / p - 1e-9);
        int i1 = (int)floor((hi[0] - r->centre[0] - off[0]) / p + 1e-9);
        int j0 = (int)ceil((lo[1] - r->centre[1] - off[1]) / p - 1e-9);
        int j1 = (int)floor((hi[1] - r->centre[1] - off[1]) / p + 1e-9);
        int count = 0;
        double dist[LATTICE_MAX], first[3] = {0, 0, 0};
        for (int j = j0; j <= j1; j++)
            for (int i = i0; i <= i1; i++) {
                double dx = i * p + off[0], dy = j * p + off[1], d = hypot(dx, dy), s;
                double at[3] = {r->centre[0] + dx, r->centre[1] + dy, 0}, c[3];
                if ((r->radius >= 0 && d > r->radius + 1e-9) || count == LATTICE_MAX) continue;
                gsu_pose_apply(&r->frame, at, c);
                if (!footprint_free(ov, win, c, yaw, half, &s)) continue;
                if (r->support_limited && s > r->max_support) continue;
                /* kept sorted; ties keep the order of the scan */
                int k = count++;
                for (; k > 0 && dist[k - 1] > d + 1e-12; k--) dist[k] = dist[k - 1];
                dist[k] = d;
                if (k == 0) first[0] = at[0], first[1] = at[1], first[2] = s;
            }
        if (count == 0) continue;
        int k = count < r->need ? count : r->need;
        double sum = 0;
        for (int m = 0; m < k; m++) sum += dist[m];
        double score[3] = {k, dist[k - 1], sum};
        int better = score[0] != best[0] ? score[0] > best[0]
                     : fabs(score[1] - best[1]) > 1e-9 ? score[1] < best[1]
                                                       : score[2] < best[2] - 1e-9;
        if (found && !better) continue;
        memcpy(best, score, sizeof best);
        local[0] = first[0], local[1] = first[1], *support = first[2];
        found = 1;
    }
    return found;
}

/* The lattice points of pitch about r's centre within lo..hi (in the frame)
 * and within r's radius, nearest the centre first, into *out (the caller
 * frees it); returns how many. */
static int candidate_spots(const spot_region *r, const double lo[2], const double hi[2],
                           double pitch, spot_candidate **out) {
    int i0 = (int)ceil((lo[0] - r->centre[0]) / pitch - 1e-9);
    int i1 = (int)floor((hi[0] - r->centre[0]) / pitch + 1e-9);
    int j0 = (int)ceil((lo[1] - r->centre[1]) / pitch - 1e-9);
    int j1 = (int)floor((hi[1] - r->centre[1]) / pitch + 1e-9);
    *out = NULL;
    if (i0 > i1 || j0 > j1) return 0;
    spot_candidate *c = malloc(sizeof *c * (size_t)(i1 - i0 + 1) * (size_t)(j1 - j0 + 1));
    if (!c) return 0;
    int n = 0;
    double limit = r->radius >= 0 ? r->radius * r->radius + 1e-12 : INFINITY;
    for (int j = j0; j <= j1; j++)
        for (int i = i0; i <= i1; i++) {
            double d2 = (i * pitch) * (i * pitch) + (j * pitch) * (j * pitch);
            if (d2 <= limit) c[n].d2 = d2, c[n].i = i, c[n].j = j, n++;
        }
    qsort(c, (size_t)n, sizeof *c, by_distance);
    *out = c;
    return n;
}

/* Renders the heights and segmentation of everything but obj over the
 * part of the policy's view that footprints of half size (2) at r's
 * candidates lo..hi can cover. 0 when that is nothing or memory runs out
 * (win then holds nothing to free). */
static int spot_window_open(const oracle_view *ov, int obj, const spot_region *r,
                            const double lo[2], const double hi[2], const double half[2],
                            spot_window *win) {
    memset(win, 0, sizeof *win);
    double yaw = gsu_pose_yaw(&r->frame), cy = fabs(cos(yaw)), sy = fabs(sin(yaw));
    double mid[3] = {(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, 0}, c[3];
    double ex = (hi[0] - lo[0]) / 2 + half[0] + SPOT_GAP;
    double ey = (hi[1] - lo[1]) / 2 + half[1] + SPOT_GAP;
    gsu_pose_apply(&r->frame, mid, c);
    double rx = cy * ex + sy * ey, ry = sy * ex + cy * ey;
    gsr_view full = gsr_view_default();
    int fw = gsr_view_width(&full), fh = gsr_view_height(&full);
    int c0 = (int)floor((c[0] - rx - full.x0) / full.pixel);
    int c1 = (int)floor((c[0] + rx - full.x0) / full.pixel);
    int r0 = (int)floor((c[1] - ry - full.y0) / full.pixel);
    int r1 = (int)floor((c[1] + ry - full.y0) / full.pixel);
    c0 = c0 < 0 ? 0 : c0, r0 = r0 < 0 ? 0 : r0;
    c1 = c1 > fw - 1 ? fw - 1 : c1, r1 = r1 > fh - 1 ? fh - 1 : r1;
    if (c0 > c1 || r0 > r1) return 0;
    win->view = (gsr_view){full.x0 + c0 * full.pixel, full.x0 + (c1 + 1) * full.pixel,
                           full.y0 + r0 * full.pixel, full.y0 + (r1 + 1) * full.pixel, full.pixel};
    win->w = c1 - c0 + 1, win->h = r1 - r0 + 1;
    win->heights = malloc(sizeof(float) * (size_t)(win->w * win->h));
    win->seg = malloc(sizeof(int32_t) * (size_t)(win->w * win->h));
    gsr_item *others = malloc(sizeof *others * (size_t)(ov->nitems ? ov->nitems : 1));
    if (!win->heights || !win->seg || !others) {
        free(win->heights), free(win->seg), free(others);
        memset(win, 0, sizeof *win);
        return 0;
    }
    int n = 0;
    for (int k = 0; k < ov->nitems; k++)
        if (ov->items[k].id != obj + 1) others[n++] = ov->items[k];
    gsr_heightmap(others, n, &win->view, win->heights, NULL, win->seg);
    free(others);
    return 1;
}

/* 1 when the footprint of half size (2) centred at c (2), turned by yaw,
 * lies inside the window, no movable object shows within SPOT_GAP / 2 of
 * it, and the ground within SPOT_WALL of it is level (heights within
 * SPOT_LEVEL); *support: the highest height there. */
static int footprint_free(const oracle_view *ov, const spot_window *win, const double c[2],
                          double yaw, const double half[2], double *support) {
    double ca = cos(yaw), sa = sin(yaw);
    double keep[2] = {half[0] + SPOT_GAP / 2, half[1] + SPOT_GAP / 2};
    double rest[2] = {half[0] + SPOT_WALL, half[1] + SPOT_WALL};
    double rx = fabs(ca) * keep[0] + fabs(sa) * keep[1];
    double ry = fabs(sa) * keep[0] + fabs(ca) * keep[1];
    const gsr_view *v = &win->view;
    int c0 = (int)floor((c[0] - rx - v->x0) / v->pixel);
    int c1 = (int)floor((c[0] + rx - v->x0) / v->pixel);
    int r0 = (int)floor((c[1] - ry - v->y0) / v->pixel);
    int r1 = (int)floor((c[1] + ry - v->y0) / v->pixel);
    if (c0 < 0 || r0 < 0 || c1 >= win->w || r1 >= win->h) return 0; /* not all in view */
    float low = INFINITY, high = -INFINITY;
    for (int row = r0; row <= r1; row++)
        for (int col = c0; col <= c1; col++) {
            double x, y;
            gsr_pixel_to_world(v, col, row, &x, &y);
            double u = ca * (x - c[0]) + sa * (y - c[1]), w = -sa * (x - c[0]) + ca * (y - c[1]);
            if (fabs(u) > keep[0] || fabs(w) > keep[1]) continue;
            int32_t id = win->seg[row * win->w + col];
            if (id > 0) {
                const gs_object *other = &ov->scene->objects[id - 1];
                if (other->kind->role == GS_ROLE_MOVABLE && !other->params.fixed) return 0;
            }
            if (fabs(u) > rest[0] || fabs(w) > rest[1]) continue;
            float h = win->heights[row * win->w + col];
            low = fminf(low, h), high = fmaxf(high, h);
            if (high - low > SPOT_LEVEL) return 0;
        }
    if (!(high >= low)) return 0; /* smaller than a pixel: nothing seen under it */
    *support = high;
    return 1;
}
