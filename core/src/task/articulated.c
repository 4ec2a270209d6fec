/* articulated.c: articulated objects in a scene: their links as bodies
 * joined by the physics layer's joints, reading and setting joints, the
 * places goals put on links, and the drag primitive's path.
 *
 * An articulated object is one object of the scene (one handle, one
 * segmentation id, one pose: its base link's), whose links are bodies of
 * their own. A scene without one runs exactly the code it ran before. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gensim/io.h"
#include "task/scene_internal.h"

#define SWEEP_SAMPLES 8    /* joint positions the footprint's sweep is taken at */
#define ANCHOR_ABOVE 0.08  /* how far above a link a place still rides on it, m */
#define ANCHOR_MARGIN 0.005
#define DRAG_STEP 0.01     /* metres of the grip's path between two of its points */

static gs_status build_model(const gs_asset_kind *kind, const gs_asset_params *p, gs_model *m, char *err,
                             size_t errlen);
static gs_status add_links(gs_scene *s, gs_object *o, const gs_pose *pose, char *err, size_t errlen);
static void model_bbox(gs_object *o);
static int find_joint(const gs_scene *s, int obj, const char *joint, char *err, size_t errlen);

int gs__scene_add_articulated(gs_scene *s, const gs_asset_kind *kind, const gs_asset_params *params,
                              const char *color, const gs_pose *pose, char *err, size_t errlen) {
    gs_articulation *art = calloc(1, sizeof *art);
    if (!art) {
        gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory adding a %s", kind->name);
        return -1;
    }
    gs_model_init(&art->model);
    char why[512];
    gs_status st = build_model(kind, params, &art->model, why, sizeof why);
    if (st == GS_OK) st = gs_model_check(&art->model, why, sizeof why);
    if (st != GS_OK) {
        gs__articulation_free(art);
        gs_fail(err, errlen, st, "%s", why);
        return -1;
    }
    /* one object record for the whole, its links charged like objects */
    size_t links = (size_t)art->model.nlinks;
    int obj = gs__scene_new_object(s, kind, params, color, sizeof *art + art->model.bytes +
                                                             (links - 1) * GS_OBJECT_HOST_BYTES, err, errlen);
    if (obj < 0) {
        gs__articulation_free(art);
        return -1;
    }
    gs_object *o = &s->objects[obj];
    o->art = art;
    const gs_model_link *base = &art->model.links[0];
    for (int i = 0; i < base->nshapes && i < GS_ASSET_MAX_SHAPES; i++) o->shapes[o->nshapes++] = base->shapes[i];
    model_bbox(o);
    if (add_links(s, o, pose, err, errlen) != GS_OK) {
        o->art = NULL; /* never counted: its bodies stay in the world, freed with it */
        gs__articulation_free(art);
        return -1;
    }
    o->body = art->body[0];
    return s->nobjects++;
}

void gs__articulation_free(gs_articulation *a) {
    if (!a) return;
    gs_model_free(&a->model);
    free(a);
}

static gs_status build_model(const gs_asset_kind *kind, const gs_asset_params *p, gs_model *m, char *err,
                             size_t errlen) {
    const gs_asset_articulated *how = gs_asset_articulated_of(kind);
    if (how && how->build) return how->build(p, m, err, errlen);
    gs_status st = gs_urdf_load(p->file, p->scale, m, err, errlen);
    for (int i = 1; st == GS_OK && i < m->nlinks; i++) { /* the task's options win over the file's */
        if (p->friction >= 0) m->links[i].friction = p->friction;
        if (p->damping >= 0) m->links[i].damping = p->damping;
    }
    return st;
}

/* The links as bodies at pose, every joint shut (at its lower limit). */
static gs_status add_links(gs_scene *s, gs_object *o, const gs_pose *pose, char *err, size_t errlen) {
    gs_articulation *a = o->art;
    gs_pose at[GS_MODEL_MAX_LINKS];
    for (int i = 0; i < a->model.nlinks; i++) {
        const gs_model_link *l = &a->model.links[i];
        at[i] = i == 0 ? *pose : gs_model_link_pose(l, &at[l->parent], l->lower);
        int dynamic = i > 0 || !o->params.fixed;
        gs_inertial computed;
        const gs_inertial *in = NULL;
        if (dynamic && l->has_inertial) in = &l->inertial;
        else if (dynamic && gs_shapes_inertial(l->shapes, l->meshes, l->nshapes, l->mass, &computed) == GS_OK)
            in = &computed;
        gs_body_desc d;
        memset(&d, 0, sizeof d);
        d.shapes = l->shapes, d.nshapes = l->nshapes, d.meshes = l->meshes;
        d.mass = dynamic ? l->mass : 0;
        d.inertial = in;
        d.friction = 0.6;
        d.pose = at[i];
        d.collides = 1;
        a->body[i] = gs_world_add_body(s->world, &d, err, errlen);
        a->joint[i] = -1;
        if (a->body[i] < 0) return GS_ERR_LIMIT;
        if (i == 0) continue;
        gs_joint_desc j;
        memset(&j, 0, sizeof j);
        j.type = l->type;
        j.parent = a->body[l->parent], j.child = a->body[i];
        gsu_pose_apply(&l->origin, l->pivot, j.anchor);
        gsu_quat_rotate(l->origin.rot, l->axis, j.axis);
        j.position = l->lower;
        j.lower = l->lower, j.upper = l->upper;
        j.friction = l->friction, j.damping = l->damping;
        a->joint[i] = gs_world_add_joint(s->world, &j, err, errlen);
        if (a->joint[i] < 0) return GS_ERR_PHYSICS;
    }
    return GS_OK;
}

/* The object's box as added (every joint shut), its base's, and the
 * footprint its joints sweep through their ranges, all in the object's
 * frame. */
static void model_bbox(gs_object *o) {
    const gs_model *m = &o->art->model;
    double lo[3] = {INFINITY, INFINITY, INFINITY}, hi[3] = {-INFINITY, -INFINITY, -INFINITY};
    double rlo[2] = {INFINITY, INFINITY}, rhi[2] = {-INFINITY, -INFINITY};
    double blo[3] = {INFINITY, INFINITY, INFINITY}, bhi[3] = {-INFINITY, -INFINITY, -INFINITY};
    for (int sample = 0; sample <= SWEEP_SAMPLES; sample++) {
        gs_pose at[GS_MODEL_MAX_LINKS];
        for (int i = 0; i < m->nlinks; i++) {
            const gs_model_link *l = &m->links[i];
            gs_pose origin = gsu_pose_identity();
            double f = (double)sample / SWEEP_SAMPLES;
            at[i] = i == 0 ? origin : gs_model_link_pose(l, &at[l->parent], gs_model_position(l, f));
            for (int k = 0; k < l->nshapes; k++) {
                gs_pose p = gsu_pose_multiply(&at[i], &l->shapes[k].local);
                double half[3] = {l->shapes[k].size[0] / 2, l->shapes[k].size[1] / 2, l->shapes[k].size[2] / 2}, ext[3];
                gsu_rotated_half_extents(p.rot, half, ext);
                for (int d = 0; d < 3; d++) {
                    if (sample == 0) lo[d] = fmin(lo[d], p.pos[d] - ext[d]), hi[d] = fmax(hi[d], p.pos[d] + ext[d]);
                    if (d < 2) rlo[d] = fmin(rlo[d], p.pos[d] - ext[d]), rhi[d] = fmax(rhi[d], p.pos[d] + ext[d]);
                    if (sample == 0 && i == 0) blo[d] = fmin(blo[d], p.pos[d] - ext[d]), bhi[d] = fmax(bhi[d], p.pos[d] + ext[d]);
                }
            }
        }
    }
    for (int d = 0; d < 3; d++) {
        o->size[d] = hi[d] - lo[d], o->center[d] = (hi[d] + lo[d]) / 2;
        o->art->base_size[d] = bhi[d] - blo[d], o->art->base_center[d] = (bhi[d] + blo[d]) / 2;
    }
    memcpy(o->art->reach_lo, rlo, sizeof rlo);
    memcpy(o->art->reach_hi, rhi, sizeof rhi);
}

void gs__link_pose(const gs_scene *s, const gs_object *o, int link, gs_pose *out) {
    gs_world_get_pose(s->world, o->art ? o->art->body[link] : o->body, out);
}

double gs__link_fraction(const gs_scene *s, int obj, int link) {
    const gs_articulation *a = s->objects[obj].art;
    double q;
    gs_world_joint_state(s->world, a->joint[link], &q, NULL);
    return gs_model_fraction(&a->model.links[link], q);
}

/* ---- joints through the public API ---- */

/* The link object obj's joint named joint moves; -1 (and err) when none. */
static int find_joint(const gs_scene *s, int obj, const char *joint, char *err, size_t errlen) {
    if (obj < 0 || obj >= s->nobjects) {
        gs_fail(err, errlen, GS_ERR_USAGE, "no object %d", obj + 1);
        return -1;
    }
    const gs_object *o = &s->objects[obj];
    if (!o->art) {
        gs_fail(err, errlen, GS_ERR_USAGE, "object %d (%s) has no joints: only articulated kinds (drawer, cabinet, "
                "lidded-box, lever, knob, urdf) have", obj + 1, o->kind->name);
        return -1;
    }
    int link = joint ? gs_model_find(&o->art->model, joint, 1) : -1;
    if (link > 0) return link;
    char names[256] = "";
    size_t used = 0;
    for (int i = 1; i < o->art->model.nlinks && used < sizeof names; i++)
        used += (size_t)snprintf(names + used, sizeof names - used, "%s'%s'", i > 1 ? ", " : "",
                                 o->art->model.links[i].joint);
    gs_fail(err, errlen, GS_ERR_USAGE, "object %d (%s) has no joint '%.60s' (its joints: %s)", obj + 1,
            o->kind->name, joint ? joint : "", names);
    return -1;
}

gs_status gs_scene_joint_state(const gs_scene *s, int obj, const char *joint, double *position,
                               double *fraction, char *err, size_t errlen) {
    int link = find_joint(s, obj, joint, err, errlen);
    if (link < 0) return GS_ERR_USAGE;
    double q;
    gs_world_joint_state(s->world, s->objects[obj].art->joint[link], &q, NULL);
    if (position) *position = q;
    if (fraction) *fraction = gs_model_fraction(&s->objects[obj].art->model.links[link], q);
    return GS_OK;
}

gs_status gs_scene_joint_limits(const gs_scene *s, int obj, const char *joint, double *lower, double *upper,
                                char *err, size_t errlen) {
    int link = find_joint(s, obj, joint, err, errlen);
    if (link < 0) return GS_ERR_USAGE;
    const gs_model_link *l = &s->objects[obj].art->model.links[link];
    if (lower) *lower = l->lower;
    if (upper) *upper = l->upper;
    return GS_OK;
}

gs_status gs_scene_set_joint(gs_scene *s, int obj, const char *joint, double fraction, char *err,
                             size_t errlen) {
    int link = find_joint(s, obj, joint, err, errlen);
    if (link < 0) return GS_ERR_USAGE;
    if (!(fraction >= 0 && fraction <= 1))
        return gs_fail(err, errlen, GS_ERR_USAGE, "the fraction %g is outside 0..1 (0 shut, 1 open)", fraction);
    gs_articulation *a = s->objects[obj].art;
    gs_pose at[GS_MODEL_MAX_LINKS];
    /* the link and everything it carries, from its parent as it is now */
    for (int i = 0; i < a->model.nlinks; i++) {
        const gs_model_link *l = &a->model.links[i];
        int moved = i == link;
        for (int p = l->parent; p >= 0 && !moved; p = a->model.links[p].parent) moved = p == link;
        if (!moved) {
            gs_world_get_pose(s->world, a->body[i], &at[i]);
            continue;
        }
        double q;
        if (i == link) q = gs_model_position(l, fraction);
        else gs_world_joint_state(s->world, a->joint[i], &q, NULL);
        at[i] = gs_model_link_pose(l, &at[l->parent], q);
        gs_world_set_pose(s->world, a->body[i], &at[i]);
    }
    return GS_OK;
}

gs_status gs_scene_link_pose(const gs_scene *s, int obj, const char *link, gs_pose *out, char *err,
                             size_t errlen) {
    if (obj < 0 || obj >= s->nobjects) return gs_fail(err, errlen, GS_ERR_USAGE, "no object %d", obj + 1);
    const gs_object *o = &s->objects[obj];
    int k = o->art ? gs_model_find(&o->art->model, link, 0) : -1;
    if (k < 0 && !o->art && link && strcmp(link, "base") == 0) k = 0;
    if (k < 0) {
        char names[256] = "'base'";
        size_t used = strlen(names);
        for (int i = 1; o->art && i < o->art->model.nlinks && used < sizeof names; i++)
            used += (size_t)snprintf(names + used, sizeof names - used, ", '%s'", o->art->model.links[i].name);
        return gs_fail(err, errlen, GS_ERR_USAGE, "object %d (%s) has no link '%.60s' (its links: %s)", obj + 1,
                       o->kind->name, link ? link : "", names);
    }
    gs__link_pose(s, o, k, out);
    return GS_OK;
}

int gs_scene_joint_count(const gs_scene *s) {
    int n = 0;
    for (int i = 0; i < s->nobjects; i++)
        if (s->objects[i].art) n += s->objects[i].art->model.nlinks - 1;
    return n;
}

int gs_scene_joint_info(const gs_scene *s, int k, int *obj, const char **name, double *position,
                        double *fraction) {
    for (int i = 0; i < s->nobjects; i++) {
        const gs_articulation *a = s->objects[i].art;
        if (!a) continue;
        if (k >= a->model.nlinks - 1) {
            k -= a->model.nlinks - 1;
            continue;
        }
        const gs_model_link *l = &a->model.links[k + 1];
        double q;
        gs_world_joint_state(s->world, a->joint[k + 1], &q, NULL);
        if (obj) *obj = i;
        if (name) *name = l->joint;
        if (position) *position = q;
        if (fraction) *fraction = gs_model_fraction(l, q);
        return 1;
    }
    return 0;
}

/* ---- places on links ---- */

gs_anchor gs__anchor_find(const gs_scene *s, const gs_pose *p) {
    gs_anchor best = {-1, -1, gsu_pose_identity()};
    double best_volume = INFINITY;
    for (int i = 0; i < s->nobjects; i++) {
        const gs_articulation *a = s->objects[i].art;
        for (int k = 1; a && k < a->model.nlinks; k++) {
            const gs_model_link *l = &a->model.links[k];
            gs_pose lp, inv, local;
            gs_world_get_pose(s->world, a->body[k], &lp);
            inv = gsu_pose_invert(&lp);
            local = gsu_pose_multiply(&inv, p);
            double lo[3] = {INFINITY, INFINITY, INFINITY}, hi[3] = {-INFINITY, -INFINITY, -INFINITY};
            for (int j = 0; j < l->nshapes; j++) {
                double half[3] = {l->shapes[j].size[0] / 2, l->shapes[j].size[1] / 2, l->shapes[j].size[2] / 2}, ext[3];
                gsu_rotated_half_extents(l->shapes[j].local.rot, half, ext);
                for (int d = 0; d < 3; d++)
                    lo[d] = fmin(lo[d], l->shapes[j].local.pos[d] - ext[d]), hi[d] = fmax(hi[d], l->shapes[j].local.pos[d] + ext[d]);
            }
            int inside = 1;
            for (int d = 0; d < 3; d++)
                inside &= local.pos[d] >= lo[d] - ANCHOR_MARGIN && local.pos[d] <= hi[d] + ANCHOR_MARGIN + (d == 2 ? ANCHOR_ABOVE : 0);
            /* inside a link's box beats above it (a drawer over another),
             * then the smaller box */
            int above = local.pos[2] > hi[2] + ANCHOR_MARGIN;
            double volume = (hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2]) + (above ? 1e6 : 0);
            if (inside && volume < best_volume) best.obj = i, best.link = k, best.local = local, best_volume = volume;
        }
    }
    return best;
}

/* Where an anchored place is now. */
static void anchored(const gs_scene *s, const gs_anchor *an, gs_pose *out) {
    gs_pose lp;
    gs__link_pose(s, &s->objects[an->obj], an->link, &lp);
    *out = gsu_pose_multiply(&lp, &an->local);
}

void gs__scene_refresh(gs_scene *s) {
    for (int k = 0; k < s->ngoals; k++) {
        gs_goal *g = &s->goals[k];
        for (int j = 0; g->anchors && j < g->ntargets; j++)
            if (g->anchors[j].obj >= 0) anchored(s, &g->anchors[j], &g->targets[j]);
        if (g->zone_anchor.obj >= 0) anchored(s, &g->zone_anchor, &g->zone_pose);
    }
    /* in order: a stage latches only while every stage before it holds */
    for (int k = 0; k < s->ngoals; k++) {
        gs_goal *g = &s->goals[k];
        if (g->latched) continue;
        if (gs_goal_credit(s, g) < 1 - GS_SUCCESS_EPS) break;
        if (g->latch) g->latched = 1;
    }
}

/* ---- drawing ---- */

int gs__articulated_items(const gs_scene *s, int obj, gsr_item *items, int k, int max) {
    const gs_object *o = &s->objects[obj];
    const gs_model *m = &o->art->model;
    for (int i = 0; i < m->nlinks; i++) {
        const gs_model_link *l = &m->links[i];
        gs_pose lp;
        gs__link_pose(s, o, i, &lp);
        for (int j = 0; j < l->nshapes; j++, k++) {
            if (k >= max) continue;
            memset(&items[k], 0, sizeof items[k]);
            items[k].shape = l->shapes[j];
            items[k].pose = gsu_pose_multiply(&lp, &l->shapes[j].local);
            memcpy(items[k].color, l->has_color ? l->rgb : o->rgb, sizeof items[k].color);
            items[k].id = obj + 1;
            items[k].mesh = l->meshes[j];
        }
    }
    return k;
}

double gs__articulated_top(const gs_scene *s) {
    double top = 0;
    for (int i = 0; i < s->nobjects; i++) {
        const gs_object *o = &s->objects[i];
        for (int k = 0; o->art && k < o->art->model.nlinks; k++) {
            const gs_model_link *l = &o->art->model.links[k];
            gs_pose lp;
            gs__link_pose(s, o, k, &lp);
            for (int j = 0; j < l->nshapes; j++) {
                gs_pose p = gsu_pose_multiply(&lp, &l->shapes[j].local);
                double half[3] = {l->shapes[j].size[0] / 2, l->shapes[j].size[1] / 2, l->shapes[j].size[2] / 2}, ext[3];
                gsu_rotated_half_extents(p.rot, half, ext);
                top = fmax(top, p.pos[2] + ext[2]);
            }
        }
    }
    return top;
}

/* ---- the drag ---- */

/* The link a drag names, checked; -1 (and err) when it cannot be dragged. */
static int drag_link(const gs_scene *s, const gs_action *a, char *err, size_t errlen) {
    int link = find_joint(s, a->drag_object, a->drag_joint, err, errlen);
    if (link < 0) return -1;
    if (!(a->drag_to >= 0 && a->drag_to <= 1)) {
        gs_fail(err, errlen, GS_ERR_USAGE, "drag: 'to' = %g is outside 0..1 (0 shut, 1 open)", a->drag_to);
        return -1;
    }
    if (!s->objects[a->drag_object].art->model.links[link].has_handle) {
        gs_fail(err, errlen, GS_ERR_USAGE, "drag: joint '%s' moves a link without a handle", a->drag_joint);
        return -1;
    }
    return link;
}

gs_status gs__scene_drag(gs_scene *s, const gs_action *a, gs_action_result *res, char *err, size_t errlen) {
    int link = drag_link(s, a, err, errlen);
    if (link < 0) return GS_ERR_RUNTIME; /* the task asked for it */
    const gs_articulation *art = s->objects[a->drag_object].art;
    double grip[3];
    gs_pose lp;
    gs_world_get_pose(s->world, art->body[link], &lp);
    gsu_pose_apply(&lp, art->model.links[link].handle, grip);
    gs_drag_plan plan = {s, a->drag_object, link, a->drag_to};
    return gs_robot_drag(&s->robot, grip, art->body[link], gs__drag_path, &plan, res, err, errlen);
}

int gs__drag_path(void *ud, const double grip[3], double (*path)[3], int max) {
    const gs_drag_plan *plan = ud;
    const gs_scene *s = plan->scene;
    const gs_articulation *a = s->objects[plan->obj].art;
    const gs_model_link *l = &a->model.links[plan->link];
    gs_pose parent, child, inv;
    gs_world_get_pose(s->world, a->body[l->parent], &parent);
    gs_world_get_pose(s->world, a->body[plan->link], &child);
    inv = gsu_pose_invert(&child);
    double local[3], q0, q1 = gs_model_position(l, plan->to);
    gsu_pose_apply(&inv, grip, local); /* the grip in the link's frame */
    gs_world_joint_state(s->world, a->joint[plan->link], &q0, NULL);
    if (l->type == GS_JOINT_CONTINUOUS) /* the short way round to the fraction */
        q1 = q0 + gsu_wrap_angle(q1 - gs_model_position(l, gs_model_fraction(l, q0)), 2 * GS_PI);
    /* the grip's distance from the axis sets the spacing of a turn's points */
    double lever = 0;
    if (l->type != GS_JOINT_PRISMATIC) {
        double d[3], along = 0;
        for (int k = 0; k < 3; k++) d[k] = local[k] - l->pivot[k], along += d[k] * l->axis[k];
        lever = sqrt(fmax(0, d[0] * d[0] + d[1] * d[1] + d[2] * d[2] - along * along));
    }
    double travel = fabs(q1 - q0) * (l->type == GS_JOINT_PRISMATIC ? 1 : fmax(lever, 0.005));
    int n = (int)ceil(travel / DRAG_STEP);
    if (n < 1) n = 1;
    if (n > max) n = max;
    for (int i = 0; i < n; i++) {
        double q = q0 + (q1 - q0) * (i + 1) / n;
        gs_pose at = gs_model_link_pose(l, &parent, q);
        /* the link's frame relative to its parent moves; the parent's frame
         * is where the joint's origin hangs */
        gsu_pose_apply(&at, local, path[i]);
    }
    return n;
}

int gs__drag_points(const gs_scene *s, const gs_action *a, double from[3], double to[3]) {
    if (a->kind != GS_ACTION_DRAG || drag_link(s, a, NULL, 0) < 0) return 0;
    const gs_articulation *art = s->objects[a->drag_object].art;
    int link = gs_model_find(&art->model, a->drag_joint, 1);
    const gs_model_link *l = &art->model.links[link];
    gs_pose lp, parent;
    gs_world_get_pose(s->world, art->body[link], &lp);
    gs_world_get_pose(s->world, art->body[l->parent], &parent);
    gsu_pose_apply(&lp, l->handle, from);
    gs_pose end = gs_model_link_pose(l, &parent, gs_model_position(l, a->drag_to));
    gsu_pose_apply(&end, l->handle, to);
    return 1;
}
