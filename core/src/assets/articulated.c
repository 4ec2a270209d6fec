/* articulated.c: the articulated kinds (drawer, cabinet, lidded-box, lever,
 * knob) as models of links and joints.
 *
 * Each is posed like a receptacle: its frame is the centre of its base on
 * the table, +x the side it opens towards. The joint and the link it
 * moves share the kind's name ("drawer", "door", "lid", "lever", "knob");
 * the fixed part is the link "base". Position 0 is shut (a drawer pushed
 * in, a door or lid closed, a lever down, a knob at its lower limit) and
 * the range opens it. Every moving link has a handle the suction cup can
 * press from above: the drag primitive grips it there. */
#include <math.h>
#include <string.h>

#include <stdlib.h>

#include "assets/assets_internal.h"

#define T 0.008          /* panel thickness, m */
#define GAP 0.003        /* clearance between a moving part and its frame */
#define HANDLE_OUT 0.03  /* how far a handle stands out of its face */
#define HANDLE_W 0.014   /* a handle bar's thickness */
#define BASE_MASS 1.0    /* kg: the base, when the object is not fixed */

static gs_shape box_at(double sx, double sy, double sz, double x, double y, double z) {
    gs_shape s;
    memset(&s, 0, sizeof s);
    s.type = GS_SHAPE_BOX;
    s.size[0] = sx, s.size[1] = sy, s.size[2] = sz;
    s.local = gsu_pose_xyz_yaw(x, y, z, 0);
    return s;
}

static gs_shape cylinder_at(double r, double h, double x, double y, double z) {
    gs_shape s = box_at(2 * r, 2 * r, h, x, y, z);
    s.type = GS_SHAPE_CYLINDER;
    return s;
}

static void add(gs_model *m, int link, gs_shape s) { gs_model_add_shape(m, link, &s, NULL); }

/* The option, or the kind's default when not given (< 0). */
static double or_default(double v, double dflt) { return v < 0 ? dflt : v; }

/* The base link: fixed or of BASE_MASS. */
static int add_base(gs_model *m) {
    int base = gs_model_add_link(m, "base", -1);
    m->links[base].mass = BASE_MASS;
    return base;
}

/* The moving link named name (its joint too) on the base. */
static int add_moving(gs_model *m, const char *name, gs_joint_type type, const gs_asset_params *p,
                      double range, double friction, double damping) {
    int l = gs_model_add_link(m, name, 0);
    gs_model_link *k = &m->links[l];
    memcpy(k->joint, k->name, sizeof k->joint);
    k->type = type;
    k->lower = 0;
    k->upper = or_default(p->range, range);
    k->friction = or_default(p->friction, friction);
    k->damping = or_default(p->damping, damping);
    k->mass = p->mass;
    return l;
}

/* A box open at +x: bottom, top, back and two sides, size x by y by z. */
static void open_case(gs_model *m, int base, double x, double y, double z) {
    add(m, base, box_at(x, y, T, 0, 0, T / 2));
    add(m, base, box_at(x, y, T, 0, 0, z - T / 2));
    add(m, base, box_at(T, y, z - 2 * T, -x / 2 + T / 2, 0, z / 2));
    add(m, base, box_at(x - T, T, z - 2 * T, T / 2, -y / 2 + T / 2, z / 2));
    add(m, base, box_at(x - T, T, z - 2 * T, T / 2, y / 2 - T / 2, z / 2));
}

static gs_status too_small(const char *kind, char *err, size_t errlen) {
    return gs_fail(err, errlen, GS_ERR_USAGE, "a %s this small has no room for its parts: make it larger", kind);
}

static gs_status too_far(const char *kind, double range, double most, const char *unit, char *err,
                         size_t errlen) {
    return gs_fail(err, errlen, GS_ERR_USAGE, "option 'range' = %g %s is more than a %s allows (%g)", range,
                   unit, kind, most);
}

/* A chest with one drawer sliding out along +x. The drawer's frame is the
 * middle of its floor, where things rest. */
static gs_status build_drawer(const gs_asset_params *p, gs_model *m, char *err, size_t errlen) {
    double x = p->size[0], y = p->size[1], z = p->size[2];
    double d = x - T - GAP, w = y - 2 * T - 2 * GAP, h = z - 2 * T - 2 * GAP, wall = h - T;
    if (d < 0.06 || w < 0.06 || wall < 0.03) return too_small("drawer", err, errlen);
    if (p->range > d) return too_far("drawer", p->range, d, "m", err, errlen);
    int base = add_base(m);
    open_case(m, base, x, y, z);
    int l = add_moving(m, "drawer", GS_JOINT_PRISMATIC, p, 0.85 * d, 1.0, 2.0);
    gs_model_link *k = &m->links[l];
    k->origin = gsu_pose_xyz_yaw((T + GAP) / 2, 0, T + GAP + T, 0);
    k->axis[0] = 1, k->axis[1] = 0, k->axis[2] = 0;
    add(m, l, box_at(d, w, T, 0, 0, -T / 2));
    add(m, l, box_at(T, w, wall, -d / 2 + T / 2, 0, wall / 2));
    add(m, l, box_at(d - 2 * T, T, wall, 0, -w / 2 + T / 2, wall / 2));
    add(m, l, box_at(d - 2 * T, T, wall, 0, w / 2 - T / 2, wall / 2));
    add(m, l, box_at(T, w, wall, d / 2 - T / 2, 0, wall / 2));
    double hz = 0.6 * wall;
    add(m, l, box_at(HANDLE_OUT, fmin(0.08, 0.6 * w), HANDLE_W, d / 2 + HANDLE_OUT / 2, 0, hz));
    k->has_handle = 1;
    k->handle[0] = d / 2 + 0.6 * HANDLE_OUT, k->handle[1] = 0, k->handle[2] = hz + HANDLE_W / 2;
    return GS_OK;
}

/* A cupboard open at +x behind a door hinged on one vertical edge. The
 * door's frame is the middle of its panel. */
static gs_status build_cabinet(const gs_asset_params *p, gs_model *m, char *err, size_t errlen) {
    double x = p->size[0], y = p->size[1], z = p->size[2];
    if (x < 0.06 || y < 0.08 || z < 0.08) return too_small("cabinet", err, errlen);
    int base = add_base(m);
    open_case(m, base, x, y, z);
    int l = add_moving(m, "door", GS_JOINT_REVOLUTE, p, GS_PI / 2, 0.2, 0.2);
    gs_model_link *k = &m->links[l];
    double dz = z - 2 * GAP;
    k->origin = gsu_pose_xyz_yaw(x / 2 + GAP + T / 2, 0, GAP + dz / 2, 0);
    /* the hinge on the panel's back face at the hinged edge; the axis
     * turns the free edge outwards (+x) */
    double edge = p->side ? y / 2 : -y / 2;
    k->pivot[0] = -T / 2, k->pivot[1] = edge, k->pivot[2] = 0;
    k->axis[0] = 0, k->axis[1] = 0, k->axis[2] = p->side ? 1 : -1;
    add(m, l, box_at(T, y, dz, 0, 0, 0));
    double hy = -edge + (p->side ? 0.03 : -0.03), hz = 0.25 * dz;
    add(m, l, box_at(HANDLE_OUT, HANDLE_W, 0.04, T / 2 + HANDLE_OUT / 2, hy, hz));
    k->has_handle = 1;
    k->handle[0] = T / 2 + 0.6 * HANDLE_OUT, k->handle[1] = hy, k->handle[2] = hz + 0.02;
    return GS_OK;
}

/* An open box under a lid hinged along its top -x edge, with a tab on
 * its +x edge. The lid's frame is the middle of its panel. */
static gs_status build_lidded_box(const gs_asset_params *p, gs_model *m, char *err, size_t errlen) {
    double x = p->size[0], y = p->size[1], z = p->size[2], wall = z - T;
    if (x < 0.06 || y < 0.06 || wall < 0.03) return too_small("lidded-box", err, errlen);
    int base = add_base(m);
    add(m, base, box_at(x, y, T, 0, 0, T / 2));
    add(m, base, box_at(x, T, wall, 0, -y / 2 + T / 2, wall / 2));
    add(m, base, box_at(x, T, wall, 0, y / 2 - T / 2, wall / 2));
    add(m, base, box_at(T, y - 2 * T, wall, -x / 2 + T / 2, 0, wall / 2));
    add(m, base, box_at(T, y - 2 * T, wall, x / 2 - T / 2, 0, wall / 2));
    int l = add_moving(m, "lid", GS_JOINT_REVOLUTE, p, 1.9, 0.3, 0.1);
    gs_model_link *k = &m->links[l];
    k->origin = gsu_pose_xyz_yaw(0, 0, z - T / 2, 0);
    k->pivot[0] = -x / 2, k->pivot[1] = 0, k->pivot[2] = -T / 2;
    k->axis[0] = 0, k->axis[1] = -1, k->axis[2] = 0; /* lifts the +x edge */
    add(m, l, box_at(x, y, T, 0, 0, 0));
    add(m, l, box_at(HANDLE_OUT, fmin(0.05, 0.5 * y), T, x / 2 + HANDLE_OUT / 2, 0, 0));
    k->has_handle = 1;
    k->handle[0] = x / 2 + 0.6 * HANDLE_OUT, k->handle[1] = 0, k->handle[2] = T / 2;
    return GS_OK;
}

/* A pedestal with an arm on top pointing along +x, turning about y; at 0
 * it points 30 degrees below level. The lever's frame is the pivot, its
 * x axis along the arm; the handle is a cube on the tip. */
static gs_status build_lever(const gs_asset_params *p, gs_model *m, char *err, size_t errlen) {
    const double arm = 0.1, knob = 0.025, down = GS_PI / 6;
    double x = p->size[0], y = p->size[1], z = p->size[2];
    if (x < 0.02 || y < 0.02 || z < arm * sin(down) + knob) return too_small("lever", err, errlen);
    int base = add_base(m);
    add(m, base, box_at(x, y, z, 0, 0, z / 2));
    int l = add_moving(m, "lever", GS_JOINT_REVOLUTE, p, GS_PI / 2, 0.15, 0.05);
    gs_model_link *k = &m->links[l];
    double y_axis[3] = {0, 1, 0};
    k->origin = gsu_pose_identity();
    k->origin.pos[2] = z;
    gsu_quat_from_axis_angle(y_axis, down, k->origin.rot);
    k->axis[0] = 0, k->axis[1] = -1, k->axis[2] = 0; /* raises the tip */
    add(m, l, box_at(arm, 0.012, 0.012, arm / 2, 0, 0));
    add(m, l, box_at(knob, knob, knob, arm, 0, 0));
    k->has_handle = 1;
    k->handle[0] = arm, k->handle[1] = 0, k->handle[2] = knob / 2;
    return GS_OK;
}

/* A round cap on a square plate, turning about z, with a raised mark on
 * top that points along its x axis. The knob's frame is the middle of the
 * cap's top face. */
static gs_status build_knob(const gs_asset_params *p, gs_model *m, char *err, size_t errlen) {
    const double cap_h = 0.03, mark_h = 0.006;
    double x = p->size[0], y = p->size[1], z = p->size[2], r = 0.35 * fmin(x, y);
    if (r < 0.012 || z < 0.005) return too_small("knob", err, errlen);
    int base = add_base(m);
    add(m, base, box_at(x, y, z, 0, 0, z / 2));
    gs_joint_type type = p->continuous ? GS_JOINT_CONTINUOUS : GS_JOINT_REVOLUTE;
    int l = add_moving(m, "knob", type, p, 1.5 * GS_PI, 0.02, 0.005);
    gs_model_link *k = &m->links[l];
    if (p->continuous) k->lower = 0, k->upper = 2 * GS_PI;
    k->origin = gsu_pose_xyz_yaw(0, 0, z + cap_h, 0);
    add(m, l, cylinder_at(r, cap_h, 0, 0, -cap_h / 2));
    add(m, l, box_at(0.9 * r, 0.008, mark_h, 0.5 * r, 0, mark_h / 2));
    k->has_handle = 1;
    k->handle[0] = 0.55 * r, k->handle[1] = 0, k->handle[2] = mark_h;
    return GS_OK;
}

static const struct {
    const char *kind;
    gs_asset_articulated how;
} ARTICULATED[] = {
    {"drawer", {build_drawer}}, {"cabinet", {build_cabinet}}, {"lidded-box", {build_lidded_box}},
    {"lever", {build_lever}},   {"knob", {build_knob}},       {"urdf", {NULL}},
};

const gs_asset_articulated *gs_asset_articulated_of(const gs_asset_kind *kind) {
    for (size_t i = 0; i < sizeof ARTICULATED / sizeof ARTICULATED[0]; i++)
        if (strcmp(ARTICULATED[i].kind, kind->name) == 0) return &ARTICULATED[i].how;
    return NULL;
}

int gs__articulated_base_parts(const gs_asset_kind *kind, const gs_asset_params *p, gs_shape *out) {
    const gs_asset_articulated *a = gs_asset_articulated_of(kind);
    gs_model *m = malloc(sizeof *m);
    int n = 0;
    if (m) {
        gs_model_init(m);
        if (a && a->build && a->build(p, m, NULL, 0) == GS_OK)
            for (int i = 0; i < m->links[0].nshapes && n < GS_ASSET_MAX_SHAPES; i++) out[n++] = m->links[0].shapes[i];
        gs_model_free(m);
        free(m);
    }
    if (n == 0) out[n++] = box_at(p->size[0], p->size[1], p->size[2], 0, 0, p->size[2] / 2);
    return n;
}
