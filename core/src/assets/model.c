/* model.c: articulated models (assets.h): links, the joints between them,
 * and the one rule that checks a model, whoever built it (an articulated
 * kind, a URDF file, later a plugin's kind). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gensim/assets.h"

#define LIMIT_POSE 10.0   /* metres: a link or part farther out is a mistake */
#define MASS_MIN 1e-4     /* kg */
#define MASS_MAX 1000.0
#define EFFORT_MAX 100.0  /* joint friction and damping */

void gs_model_init(gs_model *m) { memset(m, 0, sizeof *m); }

void gs_model_free(gs_model *m) {
    for (int i = 0; i < m->nmeshes; i++) {
        free((void *)m->meshes[i]->vertices);
        free((void *)m->meshes[i]->triangles);
        free(m->meshes[i]);
    }
    free(m->meshes);
    memset(m, 0, sizeof *m);
}

int gs_model_add_link(gs_model *m, const char *name, int parent) {
    if (m->nlinks >= GS_MODEL_MAX_LINKS) return -1;
    gs_model_link *l = &m->links[m->nlinks];
    memset(l, 0, sizeof *l);
    snprintf(l->name, sizeof l->name, "%s", name ? name : "");
    l->parent = parent;
    l->origin = gsu_pose_identity();
    l->axis[2] = 1;
    return m->nlinks++;
}

int gs_model_add_shape(gs_model *m, int link, const gs_shape *s, const gs_mesh *mesh) {
    if (link < 0 || link >= m->nlinks) return 0;
    gs_model_link *l = &m->links[link];
    if (l->nshapes >= GS_LINK_MAX_SHAPES) return 0;
    l->shapes[l->nshapes] = *s;
    l->meshes[l->nshapes] = mesh;
    l->nshapes++;
    return 1;
}

const gs_mesh *gs_model_take_mesh(gs_model *m, float *vertices, int n, int *triangles, int t) {
    gs_mesh **grown = realloc(m->meshes, sizeof *grown * (size_t)(m->nmeshes + 1));
    gs_mesh *mesh = grown ? malloc(sizeof *mesh) : NULL;
    if (grown) m->meshes = grown;
    if (!mesh) {
        free(vertices), free(triangles);
        return NULL;
    }
    mesh->vertices = vertices, mesh->nvertices = n;
    mesh->triangles = triangles, mesh->ntriangles = t;
    m->meshes[m->nmeshes++] = mesh;
    m->bytes += sizeof *mesh + sizeof(float) * 3 * (size_t)n + sizeof(int) * 3 * (size_t)t;
    return mesh;
}

static int finite3(const double v[3], double limit) {
    for (int k = 0; k < 3; k++)
        if (!isfinite(v[k]) || fabs(v[k]) > limit) return 0;
    return 1;
}

/* A link's own parts, mass and handle. */
static gs_status check_link_body(const gs_model_link *l, char *err, size_t errlen) {
    if (l->nshapes < 1 || l->nshapes > GS_LINK_MAX_SHAPES)
        return gs_fail(err, errlen, GS_ERR_USAGE, "link '%s' has no parts", l->name);
    for (int i = 0; i < l->nshapes; i++) {
        const gs_shape *s = &l->shapes[i];
        for (int k = 0; k < 3; k++)
            if (!(isfinite(s->size[k]) && s->size[k] > 0 && s->size[k] <= LIMIT_POSE))
                return gs_fail(err, errlen, GS_ERR_USAGE, "link '%s': part %d has a size that is not positive "
                               "and finite", l->name, i + 1);
        if (!gsu_pose_is_sane(&s->local, LIMIT_POSE))
            return gs_fail(err, errlen, GS_ERR_USAGE, "link '%s': part %d is not placed in the link",
                           l->name, i + 1);
        if (s->type == GS_SHAPE_MESH && !l->meshes[i])
            return gs_fail(err, errlen, GS_ERR_USAGE, "link '%s': part %d has no mesh", l->name, i + 1);
    }
    if (!(isfinite(l->mass) && l->mass >= MASS_MIN && l->mass <= MASS_MAX))
        return gs_fail(err, errlen, GS_ERR_USAGE, "link '%s': mass %g kg is outside %g..%g", l->name, l->mass,
                       MASS_MIN, MASS_MAX);
    if (l->has_inertial) {
        if (!gsu_pose_is_sane(&l->inertial.frame, LIMIT_POSE))
            return gs_fail(err, errlen, GS_ERR_USAGE, "link '%s': the inertial frame is not finite", l->name);
        for (int k = 0; k < 3; k++)
            if (!(isfinite(l->inertial.moments[k]) && l->inertial.moments[k] > 0 &&
                  l->inertial.moments[k] <= 1e6))
                return gs_fail(err, errlen, GS_ERR_USAGE, "link '%s': inertia must be positive and finite",
                               l->name);
    }
    if (l->has_handle && !finite3(l->handle, LIMIT_POSE))
        return gs_fail(err, errlen, GS_ERR_USAGE, "link '%s': the handle is not finite", l->name);
    return GS_OK;
}

/* The joint that joins link i to its parent. */
static gs_status check_link_joint(const gs_model *m, int i, char *err, size_t errlen) {
    const gs_model_link *l = &m->links[i];
    if (l->parent < 0 || l->parent >= i)
        return gs_fail(err, errlen, GS_ERR_USAGE, "link '%s' must hang from a link listed before it", l->name);
    if (!l->joint[0]) return gs_fail(err, errlen, GS_ERR_USAGE, "link '%s': its joint has no name", l->name);
    int type = 0;
    memcpy(&type, &l->type, sizeof l->type < sizeof type ? sizeof l->type : sizeof type);
    if (type != GS_JOINT_REVOLUTE && type != GS_JOINT_CONTINUOUS && type != GS_JOINT_PRISMATIC)
        return gs_fail(err, errlen, GS_ERR_USAGE, "joint '%s': unknown type", l->joint);
    if (!gsu_pose_is_sane(&l->origin, LIMIT_POSE) || !finite3(l->pivot, LIMIT_POSE) || !finite3(l->axis, 2))
        return gs_fail(err, errlen, GS_ERR_USAGE, "joint '%s': its origin, pivot and axis must be finite",
                       l->joint);
    double len = sqrt(l->axis[0] * l->axis[0] + l->axis[1] * l->axis[1] + l->axis[2] * l->axis[2]);
    if (fabs(len - 1) > 1e-6) return gs_fail(err, errlen, GS_ERR_USAGE, "joint '%s': the axis must be a unit vector", l->joint);
    if (!(isfinite(l->lower) && isfinite(l->upper) && l->lower < l->upper))
        return gs_fail(err, errlen, GS_ERR_USAGE, "joint '%s': limits must be finite with lower < upper", l->joint);
    double range = l->upper - l->lower;
    if (type == GS_JOINT_REVOLUTE && !(range < 2 * GS_PI && fabs(l->lower) <= 4 * GS_PI && fabs(l->upper) <= 4 * GS_PI))
        return gs_fail(err, errlen, GS_ERR_USAGE, "joint '%s': a revolute range must be under 2 pi (%g given); "
                       "use a continuous joint", l->joint, range);
    if (type == GS_JOINT_PRISMATIC && !(range <= 2 && fabs(l->lower) <= 2 && fabs(l->upper) <= 2))
        return gs_fail(err, errlen, GS_ERR_USAGE, "joint '%s': a prismatic joint moves at most 2 m", l->joint);
    if (!(isfinite(l->friction) && l->friction >= 0 && l->friction <= EFFORT_MAX) ||
        !(isfinite(l->damping) && l->damping >= 0 && l->damping <= EFFORT_MAX))
        return gs_fail(err, errlen, GS_ERR_USAGE, "joint '%s': friction and damping must be in 0..%g", l->joint,
                       EFFORT_MAX);
    return GS_OK;
}

gs_status gs_model_check(const gs_model *m, char *err, size_t errlen) {
    if (m->nlinks < 1 || m->nlinks > GS_MODEL_MAX_LINKS)
        return gs_fail(err, errlen, GS_ERR_USAGE, "a model has 1 to %d links, not %d", GS_MODEL_MAX_LINKS,
                       m->nlinks);
    if (m->links[0].parent != -1)
        return gs_fail(err, errlen, GS_ERR_USAGE, "the first link ('%s') must be the base", m->links[0].name);
    for (int i = 0; i < m->nlinks; i++) {
        const gs_model_link *l = &m->links[i];
        if (!l->name[0]) return gs_fail(err, errlen, GS_ERR_USAGE, "link %d has no name", i + 1);
        for (int k = 0; k < i; k++) {
            if (strcmp(m->links[k].name, l->name) == 0)
                return gs_fail(err, errlen, GS_ERR_USAGE, "two links are named '%s'", l->name);
            if (i > 0 && k > 0 && strcmp(m->links[k].joint, l->joint) == 0)
                return gs_fail(err, errlen, GS_ERR_USAGE, "two joints are named '%s'", l->joint);
        }
        gs_status st = check_link_body(l, err, errlen);
        if (st == GS_OK && i > 0) st = check_link_joint(m, i, err, errlen);
        if (st != GS_OK) return st;
    }
    return GS_OK;
}

int gs_model_find(const gs_model *m, const char *name, int joint) {
    for (int i = 0; i < m->nlinks; i++)
        if (strcmp(joint ? m->links[i].joint : m->links[i].name, name) == 0 && (!joint || i > 0)) return i;
    return -1;
}

gs_pose gs_model_link_pose(const gs_model_link *l, const gs_pose *parent, double q) {
    gs_pose at = gsu_pose_multiply(parent, &l->origin), move;
    if (l->type == GS_JOINT_PRISMATIC) {
        move = gsu_pose_identity();
        for (int k = 0; k < 3; k++) move.pos[k] = l->axis[k] * q;
    } else {
        /* a turn about the axis through the pivot: T(pivot) R T(-pivot) */
        double r[3];
        move = gsu_pose_identity();
        gsu_quat_from_axis_angle(l->axis, q, move.rot);
        gsu_quat_rotate(move.rot, l->pivot, r);
        for (int k = 0; k < 3; k++) move.pos[k] = l->pivot[k] - r[k];
    }
    return gsu_pose_multiply(&at, &move);
}

double gs_model_position(const gs_model_link *l, double f) { return l->lower + f * (l->upper - l->lower); }

double gs_model_fraction(const gs_model_link *l, double q) {
    double f = (q - l->lower) / (l->upper - l->lower);
    if (l->type == GS_JOINT_CONTINUOUS) return f - floor(f);
    return f < 0 ? 0 : f > 1 ? 1 : f;
}
