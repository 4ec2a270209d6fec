/* assets.c: the table of procedural kinds and named colours.
 *
 * Every kind is a few convex parts: concave things (bowls, containers, the
 * ell fixture) are compounds, which is how Bullet wants them and keeps
 * contacts cheap. Sizes come from options, never from editing files. */
#include "assets/assets_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PI GS_PI
#define WALL 0.006   /* receptacle wall and floor thickness, m */
#define MARK_T 0.001 /* marker thickness: drawn, never touched */
#define BAR 0.01     /* marker bar width, m */

static int build_box(const gs_asset_params *p, gs_shape *s);
static int build_cylinder(const gs_asset_params *p, gs_shape *s);
static int build_ball(const gs_asset_params *p, gs_shape *s);
static int build_bowl(const gs_asset_params *p, gs_shape *s);
static int build_container(const gs_asset_params *p, gs_shape *s);
static int build_slab(const gs_asset_params *p, gs_shape *s);
static int build_line(const gs_asset_params *p, gs_shape *s);
static int build_corner(const gs_asset_params *p, gs_shape *s);
static int build_square(const gs_asset_params *p, gs_shape *s);
static int build_ell(const gs_asset_params *p, gs_shape *s);
static int build_fixture(const gs_asset_params *p, gs_shape *s);
static int build_kit_square(const gs_asset_params *p, gs_shape *s);
static int build_kit_bar(const gs_asset_params *p, gs_shape *s);
static int build_kit_ell(const gs_asset_params *p, gs_shape *s);
static int build_kit_tee(const gs_asset_params *p, gs_shape *s);
static int build_kit_zed(const gs_asset_params *p, gs_shape *s);
static int build_kit_u(const gs_asset_params *p, gs_shape *s);
static int build_kit_plus(const gs_asset_params *p, gs_shape *s);
static int build_socket_square(const gs_asset_params *p, gs_shape *s);
static int build_socket_bar(const gs_asset_params *p, gs_shape *s);
static int build_socket_ell(const gs_asset_params *p, gs_shape *s);
static int build_socket_tee(const gs_asset_params *p, gs_shape *s);
static int build_socket_zed(const gs_asset_params *p, gs_shape *s);
static int build_socket_u(const gs_asset_params *p, gs_shape *s);
static int build_socket_plus(const gs_asset_params *p, gs_shape *s);
static int build_socket_disc(const gs_asset_params *p, gs_shape *s);
static int build_drawer_base(const gs_asset_params *p, gs_shape *s);
static int build_cabinet_base(const gs_asset_params *p, gs_shape *s);
static int build_lidded_box_base(const gs_asset_params *p, gs_shape *s);
static int build_lever_base(const gs_asset_params *p, gs_shape *s);
static int build_knob_base(const gs_asset_params *p, gs_shape *s);
static int build_urdf_base(const gs_asset_params *p, gs_shape *s);

/* What the articulated kinds take besides size and mass. */
#define JOINT_OPTIONS (GS_OPT_SIZE | GS_OPT_MASS | GS_OPT_RANGE | GS_OPT_FRICTION | GS_OPT_DAMPING)

/* Kit pieces (Ravens' assembling-kits) are flat tiles of KIT_CELL cells,
 * KIT_H tall; their sockets have a rim KIT_RIM_H tall, KIT_RIM wide, with
 * KIT_GAP of clearance all round the piece. */
#define KIT_CELL 0.018
#define KIT_H 0.02
#define KIT_GAP 0.005
#define KIT_RIM 0.01
#define KIT_RIM_H 0.012
#define KIT_SOCKET_DOC(shape)                                                                  \
    "the socket a kit-" shape " of footprint {x, y} fits into: a rim z tall around the "        \
    "piece's outline, 5 mm clearance, 1 cm wide (the footprint grows by 3 cm); a kit-" shape  \
    " posed at the socket's pose (turned alike, z = its half height) sits in it"

/* Built-in kinds leave the plugin fields (custom, ncustom, origin) zero. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
static const gs_asset_kind KINDS[] = {
    {"block", "a 4 cm cube", GS_ROLE_MOVABLE, GS_OPT_MASS, {0.04, 0.04, 0.04}, 0.1, 0, PI / 2,
     build_box},
    {"small-block", "a 2.5 cm cube", GS_ROLE_MOVABLE, GS_OPT_MASS, {0.025, 0.025, 0.025}, 0.05, 0,
     PI / 2, build_box},
    {"box", "a box of size {x, y, z}", GS_ROLE_MOVABLE, GS_OPT_SIZE | GS_OPT_MASS,
     {0.1, 0.08, 0.05}, 0.2, 0, PI, build_box},
    {"cylinder", "an upright cylinder of radius and height", GS_ROLE_MOVABLE,
     GS_OPT_RADIUS | GS_OPT_HEIGHT | GS_OPT_MASS, {0.04, 0.04, 0.06}, 0.1, 0, 0, build_cylinder},
    {"ball", "a sphere of radius", GS_ROLE_MOVABLE, GS_OPT_RADIUS | GS_OPT_MASS,
     {0.04, 0.04, 0.04}, 0.05, 0, 0, build_ball},
    {"ell", "an L-shaped block: a 2x1 bar with one cell on top of its -x end, size {x, y, z}",
     GS_ROLE_MOVABLE, GS_OPT_SIZE | GS_OPT_MASS, {0.08, 0.08, 0.04}, 0.1, 0, 2 * PI, build_ell},
    {"bowl", "an open round bowl of size {x, y, z}; things rest on its floor",
     GS_ROLE_RECEPTACLE, GS_OPT_SIZE, {0.14, 0.14, 0.05}, 0.3, 1, 0, build_bowl},
    {"container", "an open box of size {x, y, z} with thin walls", GS_ROLE_RECEPTACLE,
     GS_OPT_SIZE, {0.18, 0.18, 0.06}, 0.5, 1, PI, build_container},
    {"pallet", "a flat pallet of size {x, y, z} to stack things on", GS_ROLE_RECEPTACLE,
     GS_OPT_SIZE, {0.24, 0.24, 0.02}, 1.0, 1, PI / 2, build_slab},
    {"stand", "a low platform of size {x, y, z}", GS_ROLE_RECEPTACLE, GS_OPT_SIZE,
     {0.1, 0.1, 0.03}, 0.3, 1, PI / 2, build_slab},
    {"fixture", "the socket an ell of the same size {x, y, z} fits into, L cavity at the pose",
     GS_ROLE_RECEPTACLE, GS_OPT_SIZE, {0.08, 0.08, 0.03}, 0.5, 1, 2 * PI, build_fixture},
    {"zone", "a flat target area of size {x, y, z} drawn on the table", GS_ROLE_MARKER,
     GS_OPT_SIZE, {0.12, 0.12, MARK_T}, 0, 1, PI / 2, build_slab},
    {"line", "a line of length along the local x axis", GS_ROLE_MARKER, GS_OPT_LENGTH,
     {0.2, BAR, MARK_T}, 0, 1, PI, build_line},
    {"corner", "an L of two bars meeting at local (-x/2, -y/2), along +x and +y, size {x, y, z}",
     GS_ROLE_MARKER, GS_OPT_SIZE, {0.1, 0.1, MARK_T}, 0, 1, 2 * PI, build_corner},
    {"square", "a square outline of size {x, y, z}", GS_ROLE_MARKER, GS_OPT_SIZE,
     {0.12, 0.12, MARK_T}, 0, 1, PI / 2, build_square},
    {"rope", "a rope of count cubic beads (20) of size {x, y, z} (0.015 m) along the local x "
     "axis, length (0.3 m) end to end; env:add returns the list of beads, first to last",
     GS_ROLE_MOVABLE, GS_OPT_LENGTH | GS_OPT_SIZE | GS_OPT_COUNT | GS_OPT_MASS,
     {0.015, 0.015, 0.015}, 0.01, 0, 0, build_box},
    {"pile", "a pile of count small cubes (30) of size {x, y, z} (0.015 m) scattered over a "
     "square of side length (0.12 m) at the pose; env:add returns the list of cubes",
     GS_ROLE_MOVABLE, GS_OPT_SIZE | GS_OPT_LENGTH | GS_OPT_COUNT | GS_OPT_MASS,
     {0.015, 0.015, 0.015}, 0.01, 0, GS_PI / 2, build_box},
    /* kit pieces and their sockets (assembling-kits): one kind per shape */
    {"kit-square", "a kit piece: a flat square tile of size {x, y, z}", GS_ROLE_MOVABLE,
     GS_OPT_SIZE | GS_OPT_MASS, {2 * KIT_CELL + 0.004, 2 * KIT_CELL + 0.004, KIT_H}, 0.05, 0,
     PI / 2, build_kit_square},
    {"kit-disc", "a kit piece: a flat round tile of radius and height", GS_ROLE_MOVABLE,
     GS_OPT_RADIUS | GS_OPT_HEIGHT | GS_OPT_MASS, {0.044, 0.044, KIT_H}, 0.05, 0, 0,
     build_cylinder},
    {"kit-bar", "a kit piece: a bar of three cells along x, size {x, y, z}", GS_ROLE_MOVABLE,
     GS_OPT_SIZE | GS_OPT_MASS, {3 * KIT_CELL, KIT_CELL, KIT_H}, 0.05, 0, PI, build_kit_bar},
    {"kit-ell", "a kit piece: an L of a 3-cell bar along x at -y and one cell on top of its -x end, "
     "size {x, y, z} (3 by 2 cells)", GS_ROLE_MOVABLE, GS_OPT_SIZE | GS_OPT_MASS,
     {3 * KIT_CELL, 2 * KIT_CELL, KIT_H}, 0.05, 0, 2 * PI, build_kit_ell},
    {"kit-tee", "a kit piece: a T of a 3-cell bar along x at -y and one cell on top of its middle, "
     "size {x, y, z} (3 by 2 cells)", GS_ROLE_MOVABLE, GS_OPT_SIZE | GS_OPT_MASS,
     {3 * KIT_CELL, 2 * KIT_CELL, KIT_H}, 0.05, 0, 2 * PI, build_kit_tee},
    {"kit-zed", "a kit piece: a Z (S tetromino) of two 2-cell bars along x, the +y one shifted to "
     "+x, size {x, y, z} (3 by 2 cells)", GS_ROLE_MOVABLE, GS_OPT_SIZE | GS_OPT_MASS,
     {3 * KIT_CELL, 2 * KIT_CELL, KIT_H}, 0.05, 0, PI, build_kit_zed},
    {"kit-u", "a kit piece: a U of a 3-cell bar along x at -y and one cell on top of each end, "
     "open towards +y, size {x, y, z} (3 by 2 cells)", GS_ROLE_MOVABLE, GS_OPT_SIZE | GS_OPT_MASS,
     {3 * KIT_CELL, 2 * KIT_CELL, KIT_H}, 0.05, 0, 2 * PI, build_kit_u},
    {"kit-plus", "a kit piece: a plus sign of two crossed 3-cell bars, size {x, y, z}",
     GS_ROLE_MOVABLE, GS_OPT_SIZE | GS_OPT_MASS, {3 * KIT_CELL, 3 * KIT_CELL, KIT_H}, 0.05, 0,
     PI / 2, build_kit_plus},
    {"kit-socket-square", KIT_SOCKET_DOC("square"), GS_ROLE_RECEPTACLE, GS_OPT_SIZE,
     {2 * KIT_CELL + 0.004, 2 * KIT_CELL + 0.004, KIT_RIM_H}, 0.5, 1, PI / 2, build_socket_square},
    {"kit-socket-disc",
     "the socket a kit-disc of the same radius fits into: a ring height tall, 5 mm clearance, "
     "1 cm wide (the footprint grows by 3 cm); a kit-disc posed at the socket's pose "
     "(z = its half height) sits in it",
     GS_ROLE_RECEPTACLE, GS_OPT_RADIUS | GS_OPT_HEIGHT, {0.044, 0.044, KIT_RIM_H}, 0.5, 1, 0,
     build_socket_disc},
    {"kit-socket-bar", KIT_SOCKET_DOC("bar"), GS_ROLE_RECEPTACLE, GS_OPT_SIZE,
     {3 * KIT_CELL, KIT_CELL, KIT_RIM_H}, 0.5, 1, PI, build_socket_bar},
    {"kit-socket-ell", KIT_SOCKET_DOC("ell"), GS_ROLE_RECEPTACLE, GS_OPT_SIZE,
     {3 * KIT_CELL, 2 * KIT_CELL, KIT_RIM_H}, 0.5, 1, 2 * PI, build_socket_ell},
    {"kit-socket-tee", KIT_SOCKET_DOC("tee"), GS_ROLE_RECEPTACLE, GS_OPT_SIZE,
     {3 * KIT_CELL, 2 * KIT_CELL, KIT_RIM_H}, 0.5, 1, 2 * PI, build_socket_tee},
    {"kit-socket-zed", KIT_SOCKET_DOC("zed"), GS_ROLE_RECEPTACLE, GS_OPT_SIZE,
     {3 * KIT_CELL, 2 * KIT_CELL, KIT_RIM_H}, 0.5, 1, PI, build_socket_zed},
    {"kit-socket-u", KIT_SOCKET_DOC("u"), GS_ROLE_RECEPTACLE, GS_OPT_SIZE,
     {3 * KIT_CELL, 2 * KIT_CELL, KIT_RIM_H}, 0.5, 1, 2 * PI, build_socket_u},
    {"kit-socket-plus", KIT_SOCKET_DOC("plus"), GS_ROLE_RECEPTACLE, GS_OPT_SIZE,
     {3 * KIT_CELL, 3 * KIT_CELL, KIT_RIM_H}, 0.5, 1, PI / 2, build_socket_plus},
    /* articulated kinds (articulated.c): a base and one moving link, joint
     * and link named alike; fraction 0 shut .. 1 open */
    {"drawer", "a chest of size {x, y, z} with a drawer that slides out along +x: joint and link "
     "\"drawer\" (0 shut .. 1 out by range, default 0.85 of its depth, m); its handle stands out of "
     "the +x face; things rest on the drawer's floor, whose middle is env:link_pose(obj, \"drawer\"); "
     "mass is the drawer's", GS_ROLE_RECEPTACLE, JOINT_OPTIONS, {0.16, 0.2, 0.1}, 0.3, 1, 2 * PI,
     build_drawer_base},
    {"cabinet", "a cupboard of size {x, y, z} open at +x behind a door hinged on a vertical edge "
     "(side = \"left\" at -y or \"right\" at +y): joint and link \"door\" (0 shut .. 1 open by range, "
     "default pi/2 rad); its handle is near the free edge; link_pose is the door panel's middle",
     GS_ROLE_RECEPTACLE, JOINT_OPTIONS | GS_OPT_SIDE, {0.16, 0.2, 0.2}, 0.3, 1, 2 * PI, build_cabinet_base},
    {"lidded-box", "an open box of size {x, y, z} under a lid hinged along its top -x edge: joint and link "
     "\"lid\" (0 shut .. 1 open by range, default 1.9 rad); a tab on the lid's +x edge is its handle; "
     "things rest on the floor inside, 8 mm up", GS_ROLE_RECEPTACLE, JOINT_OPTIONS, {0.14, 0.16, 0.08},
     0.15, 1, 2 * PI, build_lidded_box_base},
    {"lever", "a pedestal of size {x, y, z} with a 10 cm arm on top pointing along +x and turning about y: "
     "joint and link \"lever\" (0 down, 30 degrees below level .. 1 up by range, default pi/2 rad); "
     "the handle is a cube on the arm's tip; link_pose is the pivot, its x axis along the arm",
     GS_ROLE_RECEPTACLE, JOINT_OPTIONS, {0.06, 0.06, 0.08}, 0.1, 1, 2 * PI, build_lever_base},
    {"knob", "a round knob on a square plate of size {x, y, z}, turning about z: joint and link \"knob\" "
     "(0 .. 1 of range, default 1.5 pi rad; continuous = true turns for ever, fractions then a turn's share); "
     "a raised mark on top is its handle, pointing along the pose's x axis at 0 and lower + fraction x range "
     "from it", GS_ROLE_RECEPTACLE, JOINT_OPTIONS | GS_OPT_CONTINUOUS, {0.08, 0.08, 0.02}, 0.05, 1, 2 * PI,
     build_knob_base},
    {"urdf", "an object from a URDF file: file = \"scenes/NAME.urdf\" (under scenes/ or a plugin's "
     "scenes/, never another path), scale; its links, joints (revolute, prismatic, continuous; fraction 0 "
     "at lower .. 1 at upper) and inertials are the file's; posed like a receptacle, its base's middle on "
     "the table; `gensim assets` lists the shipped files", GS_ROLE_RECEPTACLE,
     GS_OPT_FILE | GS_OPT_SCALE | GS_OPT_FRICTION | GS_OPT_DAMPING, {0.1, 0.1, 0.1}, 0.1, 1, 2 * PI,
     build_urdf_base},
};
#pragma GCC diagnostic pop

#define NKINDS ((int)(sizeof KINDS / sizeof KINDS[0]))

static const struct {
    const char *kind;
    gs_asset_group group;
} GROUPS[] = {{"rope", {20, 1, 0.3}}, {"pile", {30, 0, 0.12}}};

const gs_asset_group *gs_asset_group_of(const gs_asset_kind *kind) {
    for (size_t i = 0; i < sizeof GROUPS / sizeof GROUPS[0]; i++)
        if (strcmp(GROUPS[i].kind, kind->name) == 0) return &GROUPS[i].group;
    return NULL;
}

const char *const *gs_asset_option_names(int *n) {
    static const char *const names[] = {"size",     "radius",  "height", "length", "mass",
                                        "count",    "range",   "side",   "friction", "damping",
                                        "continuous", "file",  "scale"};
    *n = (int)(sizeof names / sizeof names[0]);
    return names;
}

void gs_asset_options_text(const gs_asset_kind *kind, char *buf, size_t n) {
    int nopt;
    const char *const *names = gs_asset_option_names(&nopt);
    size_t used = (size_t)snprintf(buf, n, "color, fixed");
    for (int b = 0; b < nopt && used < n; b++)
        if (kind->options & (1u << b)) used += (size_t)snprintf(buf + used, n - used, ", %s", names[b]);
    for (int c = 0; c < kind->ncustom && used < n; c++) {
        const gs_asset_custom *o = &kind->custom[c];
        used += (size_t)snprintf(buf + used, n - used, ", %s (%g..%g%s, default %g)", o->name, o->min, o->max,
                                 o->integer ? " whole" : "", o->def);
    }
}

/* 1 when the vertical line through the frame's origin passes through part. */
static int part_under_origin(const gs_shape *part) {
    gs_pose inv = gsu_pose_invert(&part->local);
    double origin[3] = {0, 0, part->local.pos[2]}, q[3];
    gsu_pose_apply(&inv, origin, q);
    if (part->type == GS_SHAPE_BOX) return fabs(q[0]) <= part->size[0] / 2 && fabs(q[1]) <= part->size[1] / 2;
    return q[0] * q[0] + q[1] * q[1] <= part->size[0] * part->size[0] / 4;
}

void gs_asset_rest_geometry(const gs_shape *parts, int n, double *floor, double *wall) {
    double top[GS_ASSET_MAX_SHAPES], bottom[GS_ASSET_MAX_SHAPES], level = 0, thinnest = 0;
    if (n > GS_ASSET_MAX_SHAPES) n = GS_ASSET_MAX_SHAPES;
    for (int i = 0; i < n; i++) {
        double half[3] = {parts[i].size[0] / 2, parts[i].size[1] / 2, parts[i].size[2] / 2}, ext[3];
        gsu_rotated_half_extents(parts[i].local.rot, half, ext);
        top[i] = parts[i].local.pos[2] + ext[2];
        bottom[i] = parts[i].local.pos[2] - ext[2];
        if (part_under_origin(&parts[i]) && top[i] > level) level = top[i];
    }
    const double eps = 0.001;
    for (int i = 0; i < n; i++)
        if (parts[i].type == GS_SHAPE_BOX && top[i] > level + eps && bottom[i] <= level + eps) {
            double side = fmin(parts[i].size[0], parts[i].size[1]);
            if (thinnest == 0 || side < thinnest) thinnest = side;
        }
    if (floor) *floor = level;
    if (wall) *wall = thinnest;
}

/* The kind's own options: defaults, then what the request gives, each
 * known to the kind and in its range. */
static gs_status resolve_custom(const gs_asset_kind *kind, const gs_asset_request *req, gs_asset_params *p,
                                char *err, size_t errlen) {
    for (int c = 0; c < kind->ncustom; c++) p->custom[c] = kind->custom[c].def;
    for (int i = 0; i < req->ncustom; i++) {
        int c = 0;
        while (c < kind->ncustom && strcmp(kind->custom[c].name, req->custom_name[i]) != 0) c++;
        if (c == kind->ncustom) {
            char valid[512];
            gs_asset_options_text(kind, valid, sizeof valid);
            return gs_fail(err, errlen, GS_ERR_USAGE, "'%s' takes no option '%s' (its options: %s)", kind->name,
                           req->custom_name[i], valid);
        }
        const gs_asset_custom *o = &kind->custom[c];
        double v = req->custom_value[i];
        if (!(v >= o->min && v <= o->max) || (o->integer && v != floor(v)))
            return gs_fail(err, errlen, GS_ERR_USAGE, "option '%s' = %g must be %s from %g to %g", o->name, v,
                           o->integer ? "a whole number" : "a number", o->min, o->max);
        p->custom[c] = v;
    }
    return GS_OK;
}

/* A value outside lo..hi is an error naming the option. */
static gs_status in_range(const char *option, double v, double lo, double hi, char *err,
                          size_t errlen) {
    if (v >= lo && v <= hi) return GS_OK;
    return gs_fail(err, errlen, GS_ERR_USAGE, "option '%s' = %g is outside %g..%g", option, v, lo, hi);
}

/* The options of articulated kinds and URDF objects; < 0 leaves a value
 * to the kind's default. */
static gs_status resolve_joint_options(const gs_asset_request *req, gs_asset_params *p, char *err,
                                       size_t errlen) {
    p->range = p->friction = p->damping = -1;
    p->side = 0, p->continuous = 0, p->scale = 1, p->file[0] = 0;
    gs_status st = GS_OK;
    if (req->has_range) st = in_range("range", req->range, 0.005, 2 * PI - 0.01, err, errlen), p->range = req->range;
    if (st == GS_OK && req->has_friction) st = in_range("friction", req->friction, 0, 100, err, errlen), p->friction = req->friction;
    if (st == GS_OK && req->has_damping) st = in_range("damping", req->damping, 0, 100, err, errlen), p->damping = req->damping;
    if (st == GS_OK && req->has_scale) st = in_range("scale", req->scale, 0.01, 10, err, errlen), p->scale = req->scale;
    if (st == GS_OK && req->side) {
        if (strcmp(req->side, "left") != 0 && strcmp(req->side, "right") != 0)
            st = gs_fail(err, errlen, GS_ERR_USAGE, "option 'side' = \"%.40s\" must be \"left\" or \"right\"", req->side);
        p->side = strcmp(req->side, "right") == 0;
    }
    p->continuous = req->has_continuous && req->continuous;
    if (st == GS_OK && req->file) {
        size_t n = strlen(req->file);
        if (n == 0 || n >= sizeof p->file)
            st = gs_fail(err, errlen, GS_ERR_USAGE, "option 'file' must name a file in under %zu bytes", sizeof p->file);
        else
            memcpy(p->file, req->file, n + 1);
    }
    return st;
}

/* The options a request may give a kind: its own, and size = {x, y, z}
 * for every kind built from its size (all but URDF objects), since sizes
 * are always {x, y, z}: a cylinder's is its diameter and height, a
 * block's its extent. */
static unsigned size_options(const gs_asset_kind *kind) {
    return kind->options & GS_OPT_FILE ? kind->options : kind->options | GS_OPT_SIZE;
}

gs_status gs_asset_resolve(const gs_asset_kind *kind, const gs_asset_request *req,
                           gs_asset_params *p, const char **color, char *err, size_t errlen) {
    const int given[] = {req->has_size,   req->has_radius,   req->has_height,     req->has_length,
                         req->has_mass,   req->has_count,    req->has_range,      req->side != NULL,
                         req->has_friction, req->has_damping, req->has_continuous, req->file != NULL,
                         req->has_scale};
    int nopt;
    const char *const *names = gs_asset_option_names(&nopt);
    for (int b = 0; b < nopt; b++)
        if (given[b] && !(size_options(kind) & (1u << b))) {
            char valid[512];
            gs_asset_options_text(kind, valid, sizeof valid);
            return gs_fail(err, errlen, GS_ERR_USAGE, "'%s' takes no option '%s' (its options: %s)",
                           kind->name, names[b], valid);
        }
    const gs_asset_group *group = gs_asset_group_of(kind);
    memset(p, 0, sizeof *p);
    memcpy(p->size, kind->default_size, sizeof p->size);
    p->mass = kind->default_mass;
    p->fixed = req->has_fixed ? req->fixed != 0 : kind->default_fixed;
    p->count = group ? group->count : 0;
    p->span = group ? group->span : 0;
    gs_status st = resolve_joint_options(req, p, err, errlen);
    if (st == GS_OK) st = resolve_custom(kind, req, p, err, errlen);
    if (st == GS_OK && req->has_size)
        for (int i = 0; i < 3 && st == GS_OK; i++) {
            if (!(req->size[i] >= 0 && req->size[i] <= GS_ASSET_SIZE_MAX))
                st = gs_fail(err, errlen, GS_ERR_USAGE, "option 'size'[%d] = %g must be from 0 to %g m", i + 1,
                             req->size[i], GS_ASSET_SIZE_MAX);
            p->size[i] = req->size[i];
        }
    if (st == GS_OK && req->has_size && req->has_radius)
        st = gs_fail(err, errlen, GS_ERR_USAGE, "'%s' takes size or radius, not both", kind->name);
    if (st == GS_OK && (kind->options & GS_OPT_RADIUS) && req->has_size && !(kind->options & GS_OPT_HEIGHT) &&
        (fabs(req->size[0] - req->size[1]) > 0.001 || fabs(req->size[0] - req->size[2]) > 0.001))
        st = gs_fail(err, errlen, GS_ERR_USAGE, "a '%s' is round: its size {%g, %g, %g} must be the same each way",
                     kind->name, req->size[0], req->size[1], req->size[2]);
    if (st == GS_OK && (kind->options & GS_OPT_RADIUS)) {
        /* size {x, y, z} names a round kind's diameter (and height) too */
        double r = req->has_radius ? req->radius : fmin(p->size[0], p->size[1]) / 2;
        st = in_range("radius", r, GS_ASSET_RADIUS_MIN, GS_ASSET_SIZE_MAX / 2, err, errlen);
        p->size[0] = p->size[1] = 2 * r;
        if (!(kind->options & GS_OPT_HEIGHT)) p->size[2] = 2 * r;
    }
    if (st == GS_OK && req->has_height) {
        st = in_range("height", req->height, GS_ASSET_RADIUS_MIN, GS_ASSET_SIZE_MAX, err, errlen);
        p->size[2] = req->height;
    }
    if (st == GS_OK && req->has_length) {
        /* a group's length is its span; a line's is its extent along x */
        st = in_range("length", req->length, 0.01, GS_ASSET_SIZE_MAX, err, errlen);
        *(group ? &p->span : &p->size[0]) = req->length;
    }
    if (st == GS_OK && req->has_count) {
        if (req->count < 1 || req->count > GS_ASSET_COUNT_MAX)
            st = gs_fail(err, errlen, GS_ERR_USAGE, "option 'count' must be an integer from 1 to %d",
                         GS_ASSET_COUNT_MAX);
        p->count = req->count;
    }
    if (st == GS_OK && req->has_mass) {
        st = in_range("mass", req->mass, 0.001, 100, err, errlen);
        p->mass = req->mass;
    }
    /* A flat marker drawn with no thickness is what a model writes for "flat". */
    if (kind->role == GS_ROLE_MARKER && !(p->size[2] > 0)) p->size[2] = kind->default_size[2];
    const char *name = req->color ? req->color : "gray";
    const gs_color *c = gs_color_find(name);
    if (st == GS_OK && !c) {
        int ncolors;
        const char *const *colors = gs_color_names(&ncolors);
        char hint[256];
        st = gs_fail(err, errlen, GS_ERR_USAGE, "unknown colour '%s'%s", name,
                     gsu_suggest(name, colors, (size_t)ncolors, hint, sizeof hint));
    }
    if (color) *color = c ? c->name : NULL;
    return st;
}

/* The table in use: the built-in kinds, then any added (the same array
 * for the rest of the process once set, so objects may keep pointers). */
static const gs_asset_kind *table = KINDS;
static int ntable = NKINDS;
static const char **table_names;

gs_status gs_asset_add_kinds(const gs_asset_kind *kinds, int n, char *err, size_t errlen) {
    if (table != KINDS) return gs_fail(err, errlen, GS_ERR_USAGE, "gs_asset_add_kinds: kinds were already added");
    if (n < 0 || (n > 0 && !kinds)) return gs_fail(err, errlen, GS_ERR_USAGE, "gs_asset_add_kinds: no kinds");
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < NKINDS + i; j++) {
            const gs_asset_kind *other = j < NKINDS ? &KINDS[j] : &kinds[j - NKINDS];
            if (strcmp(other->name, kinds[i].name) == 0)
                return gs_fail(err, errlen, GS_ERR_USAGE, "kind '%s' of %s is already defined by %s", kinds[i].name,
                               kinds[i].origin ? kinds[i].origin : "gensim",
                               other->origin ? other->origin : "gensim (a built-in kind)");
        }
        if (kinds[i].ncustom < 0 || kinds[i].ncustom > GS_ASSET_MAX_CUSTOM)
            return gs_fail(err, errlen, GS_ERR_USAGE, "kind '%s': more than %d options of its own", kinds[i].name,
                           GS_ASSET_MAX_CUSTOM);
    }
    gs_asset_kind *all = malloc(sizeof *all * (size_t)(NKINDS + n));
    const char **names = malloc(sizeof *names * (size_t)(NKINDS + n));
    if (!all || !names) {
        free(all);
        free(names);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory adding kinds");
    }
    memcpy(all, KINDS, sizeof KINDS);
    if (n > 0) memcpy(all + NKINDS, kinds, sizeof *kinds * (size_t)n);
    for (int i = 0; i < NKINDS + n; i++) names[i] = all[i].name;
    table = all, ntable = NKINDS + n, table_names = names;
    return GS_OK;
}

const gs_asset_kind *gs_asset_find(const char *name) {
    for (int i = 0; i < ntable; i++)
        if (strcmp(table[i].name, name) == 0) return &table[i];
    return NULL;
}

const gs_asset_kind *gs_asset_kinds(int *n) {
    *n = ntable;
    return table;
}

const char *const *gs_asset_names(int *n) {
    static const char *names[NKINDS];
    if (table_names) {
        *n = ntable;
        return table_names;
    }
    for (int i = 0; i < NKINDS; i++) names[i] = KINDS[i].name;
    *n = NKINDS;
    return names;
}

/* The Tableau palette Ravens uses, and its seen/unseen split. */
static const gs_color COLORS[] = {
    {"blue", {78, 121, 167}},   {"red", {255, 87, 89}},     {"green", {89, 169, 79}},
    {"orange", {242, 142, 43}}, {"yellow", {237, 201, 72}}, {"purple", {176, 122, 161}},
    {"pink", {255, 157, 167}},  {"cyan", {118, 183, 178}},  {"brown", {156, 117, 95}},
    {"white", {255, 255, 255}}, {"gray", {186, 176, 172}},
};
#define NCOLORS ((int)(sizeof COLORS / sizeof COLORS[0]))
static const char *const TRAIN[] = {"blue", "red", "green", "yellow", "brown", "gray", "cyan"};
static const char *const TEST[] = {"blue", "red", "green", "orange", "purple", "pink", "white"};

const gs_color *gs_color_find(const char *name) {
    for (int i = 0; i < NCOLORS; i++)
        if (strcmp(COLORS[i].name, name) == 0) return &COLORS[i];
    return NULL;
}

const gs_color *gs_colors(int *n) {
    *n = NCOLORS;
    return COLORS;
}

const char *const *gs_color_names(int *n) {
    static const char *names[NCOLORS];
    for (int i = 0; i < NCOLORS; i++) names[i] = COLORS[i].name;
    *n = NCOLORS;
    return names;
}

const char *const *gs_train_colors(int *n) {
    *n = (int)(sizeof TRAIN / sizeof TRAIN[0]);
    return TRAIN;
}

const char *const *gs_test_colors(int *n) {
    *n = (int)(sizeof TEST / sizeof TEST[0]);
    return TEST;
}

float gs_srgb_to_linear(unsigned char c) {
    double v = c / 255.0;
    return (float)(v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4));
}

/* ---- builders: parts in the object's frame ---- */

static gs_shape part(gs_shape_type type, double sx, double sy, double sz, double x, double y,
                     double z, double yaw) {
    gs_shape s = {type, {sx, sy, sz}, gsu_pose_xyz_yaw(x, y, z, yaw)};
    return s;
}

static int build_box(const gs_asset_params *p, gs_shape *s) {
    s[0] = part(GS_SHAPE_BOX, p->size[0], p->size[1], p->size[2], 0, 0, 0, 0);
    return 1;
}

static int build_cylinder(const gs_asset_params *p, gs_shape *s) {
    s[0] = part(GS_SHAPE_CYLINDER, p->size[0], p->size[1], p->size[2], 0, 0, 0, 0);
    return 1;
}

static int build_ball(const gs_asset_params *p, gs_shape *s) {
    s[0] = part(GS_SHAPE_SPHERE, p->size[0], p->size[0], p->size[0], 0, 0, 0, 0);
    return 1;
}

/* A slab from the table up: pallets, stands, zones. */
static int build_slab(const gs_asset_params *p, gs_shape *s) {
    s[0] = part(GS_SHAPE_BOX, p->size[0], p->size[1], p->size[2], 0, 0, p->size[2] / 2, 0);
    return 1;
}

/* A floor disc and a ring of wall staves: a convex decomposition of a cup. */
static int build_bowl(const gs_asset_params *p, gs_shape *s) {
    const int staves = 16;
    double r = fmin(p->size[0], p->size[1]) / 2, h = p->size[2];
    s[0] = part(GS_SHAPE_CYLINDER, 2 * r, 2 * r, WALL, 0, 0, WALL / 2, 0);
    double ring = r - WALL / 2, len = 2 * PI * ring / staves * 1.08;
    for (int i = 0; i < staves; i++) {
        double a = 2 * PI * i / staves;
        s[1 + i] = part(GS_SHAPE_BOX, WALL, len, h, ring * cos(a), ring * sin(a), h / 2, a);
    }
    return 1 + staves;
}

static int build_container(const gs_asset_params *p, gs_shape *s) {
    double x = p->size[0], y = p->size[1], h = p->size[2];
    s[0] = part(GS_SHAPE_BOX, x, y, WALL, 0, 0, WALL / 2, 0);
    s[1] = part(GS_SHAPE_BOX, WALL, y, h, -(x - WALL) / 2, 0, h / 2, 0);
    s[2] = part(GS_SHAPE_BOX, WALL, y, h, (x - WALL) / 2, 0, h / 2, 0);
    s[3] = part(GS_SHAPE_BOX, x - 2 * WALL, WALL, h, 0, -(y - WALL) / 2, h / 2, 0);
    s[4] = part(GS_SHAPE_BOX, x - 2 * WALL, WALL, h, 0, (y - WALL) / 2, h / 2, 0);
    return 5;
}

static int build_line(const gs_asset_params *p, gs_shape *s) {
    s[0] = part(GS_SHAPE_BOX, p->size[0], p->size[1], p->size[2], 0, 0, p->size[2] / 2, 0);
    return 1;
}

static int build_corner(const gs_asset_params *p, gs_shape *s) {
    double x = p->size[0], y = p->size[1], t = p->size[2];
    s[0] = part(GS_SHAPE_BOX, x, BAR, t, 0, -(y - BAR) / 2, t / 2, 0);
    s[1] = part(GS_SHAPE_BOX, BAR, y - BAR, t, -(x - BAR) / 2, BAR / 2, t / 2, 0);
    return 2;
}

static int build_square(const gs_asset_params *p, gs_shape *s) {
    double x = p->size[0], y = p->size[1], t = p->size[2];
    s[0] = part(GS_SHAPE_BOX, x, BAR, t, 0, -(y - BAR) / 2, t / 2, 0);
    s[1] = part(GS_SHAPE_BOX, x, BAR, t, 0, (y - BAR) / 2, t / 2, 0);
    s[2] = part(GS_SHAPE_BOX, BAR, y - 2 * BAR, t, -(x - BAR) / 2, 0, t / 2, 0);
    s[3] = part(GS_SHAPE_BOX, BAR, y - 2 * BAR, t, (x - BAR) / 2, 0, t / 2, 0);
    return 4;
}

/* The ell: cells of u = x/2 by v = y/2; a bar of two cells along x at -y,
 * one cell at -x, +y. Centred on its bounding box. */
static int build_ell(const gs_asset_params *p, gs_shape *s) {
    double u = p->size[0] / 2, v = p->size[1] / 2, h = p->size[2];
    s[0] = part(GS_SHAPE_BOX, 2 * u, v, h, 0, -v / 2, 0, 0);
    s[1] = part(GS_SHAPE_BOX, u, v, h, -u / 2, v / 2, 0, 0);
    return 2;
}

/* A frame around an L cavity shaped like the ell of footprint size x by
 * y, with clearance on every side so the ell drops in; the cavity is centred
 * on the pose, so an ell posed there (z = its half height) sits inside. */
static int build_fixture(const gs_asset_params *p, gs_shape *s) {
    const double gap = 0.006, rim = 0.02;
    double u = p->size[0] / 2, v = p->size[1] / 2, h = p->size[2];
    double ox = u + gap, oy = v + gap;      /* cavity half extents */
    double fx = ox + rim; /* frame half width */
    s[0] = part(GS_SHAPE_BOX, 2 * fx, rim, h, 0, -oy - rim / 2, h / 2, 0);
    s[1] = part(GS_SHAPE_BOX, 2 * fx, rim, h, 0, oy + rim / 2, h / 2, 0);
    s[2] = part(GS_SHAPE_BOX, rim, 2 * oy, h, -ox - rim / 2, 0, h / 2, 0);
    s[3] = part(GS_SHAPE_BOX, rim, 2 * oy, h, ox + rim / 2, 0, h / 2, 0);
    /* the filled cell at +x, +y, kept gap clear of the ell's cells */
    double cx = (gap + ox) / 2, cy = (gap + oy) / 2;
    s[4] = part(GS_SHAPE_BOX, ox - gap, oy - gap, h, cx, cy, h / 2, 0);
    return 5;
}

/* ---- kit pieces and sockets ----
 *
 * A kit shape is a grid of cells, drawn as rows from +y (first) to -y, '#'
 * filled and '.' empty; every row and column has a filled cell, so the
 * piece's bounding box is the grid's. */
typedef struct kit_shape {
    int nx, ny;
    const char *rows[3];
} kit_shape;

static const kit_shape KIT_SQUARE = {1, 1, {"#"}};
static const kit_shape KIT_BAR = {3, 1, {"###"}};
static const kit_shape KIT_ELL = {3, 2, {"#..", "###"}};
static const kit_shape KIT_TEE = {3, 2, {".#.", "###"}};
static const kit_shape KIT_ZED = {3, 2, {".##", "##."}};
static const kit_shape KIT_U = {3, 2, {"#.#", "###"}};
static const kit_shape KIT_PLUS = {3, 3, {".#.", "###", ".#."}};

static int kit_filled(const kit_shape *k, int col, int row) {
    return col >= 0 && col < k->nx && row >= 0 && row < k->ny && k->rows[row][col] == '#';
}

/* The piece: one box per run of filled cells in a row, centred on the
 * bounding box. */
static int build_kit(const kit_shape *k, const gs_asset_params *p, gs_shape *s) {
    double u = p->size[0] / k->nx, v = p->size[1] / k->ny, h = p->size[2];
    int n = 0;
    for (int r = 0; r < k->ny; r++) {
        double y = p->size[1] / 2 - (r + 0.5) * v;
        for (int c = 0; c < k->nx;) {
            if (!kit_filled(k, c, r)) {
                c++;
                continue;
            }
            int e = c;
            while (kit_filled(k, e, r)) e++;
            double x = -p->size[0] / 2 + (c + e) * u / 2;
            s[n++] = part(GS_SHAPE_BOX, (e - c) * u, v, h, x, y, 0, 0);
            c = e;
        }
    }
    return n;
}

/* The socket: a frame around the piece's bounding box grown by KIT_GAP, and
 * a filler in every empty cell, kept KIT_GAP clear of filled cells and
 * reaching the frame where the cell is on the grid's edge. The cavity is
 * centred on the pose. */
static int build_kit_socket(const kit_shape *k, const gs_asset_params *p, gs_shape *s) {
    const double gap = KIT_GAP, rim = KIT_RIM;
    double u = p->size[0] / k->nx, v = p->size[1] / k->ny, h = p->size[2];
    double ox = p->size[0] / 2 + gap, oy = p->size[1] / 2 + gap, fx = ox + rim;
    int n = 0;
    s[n++] = part(GS_SHAPE_BOX, 2 * fx, rim, h, 0, -oy - rim / 2, h / 2, 0);
    s[n++] = part(GS_SHAPE_BOX, 2 * fx, rim, h, 0, oy + rim / 2, h / 2, 0);
    s[n++] = part(GS_SHAPE_BOX, rim, 2 * oy, h, -ox - rim / 2, 0, h / 2, 0);
    s[n++] = part(GS_SHAPE_BOX, rim, 2 * oy, h, ox + rim / 2, 0, h / 2, 0);
    for (int r = 0; r < k->ny; r++)
        for (int c = 0; c < k->nx; c++) {
            if (kit_filled(k, c, r)) continue;
            /* each side: grow to the frame on the edge, shrink next to a filled cell */
            double x0 = -p->size[0] / 2 + c * u, x1 = x0 + u;
            double y1 = p->size[1] / 2 - r * v, y0 = y1 - v;
            if (c == 0) x0 -= gap;
            else if (kit_filled(k, c - 1, r)) x0 += gap;
            if (c == k->nx - 1) x1 += gap;
            else if (kit_filled(k, c + 1, r)) x1 -= gap;
            if (r == 0) y1 += gap;
            else if (kit_filled(k, c, r - 1)) y1 -= gap;
            if (r == k->ny - 1) y0 -= gap;
            else if (kit_filled(k, c, r + 1)) y0 += gap;
            s[n++] = part(GS_SHAPE_BOX, x1 - x0, y1 - y0, h, (x0 + x1) / 2, (y0 + y1) / 2, h / 2, 0);
        }
    return n;
}

/* A ring of staves around a disc of diameter x, KIT_GAP clear of it. */
static int build_socket_disc(const gs_asset_params *p, gs_shape *s) {
    const int staves = 16;
    double inner = fmin(p->size[0], p->size[1]) / 2 + KIT_GAP, h = p->size[2];
    double ring = inner + KIT_RIM / 2, len = 2 * PI * (inner + KIT_RIM) / staves * 1.02;
    for (int i = 0; i < staves; i++) {
        double a = 2 * PI * i / staves;
        s[i] = part(GS_SHAPE_BOX, KIT_RIM, len, h, ring * cos(a), ring * sin(a), h / 2, a);
    }
    return staves;
}

/* Articulated kinds: the table's parts are the base's; the scene builds
 * their models (articulated.c). */
#define BASE_BUILDER(fn, kind)                                                                 \
    static int fn(const gs_asset_params *p, gs_shape *s) {                                     \
        return gs__articulated_base_parts(gs_asset_find(kind), p, s);                          \
    }
BASE_BUILDER(build_drawer_base, "drawer")
BASE_BUILDER(build_cabinet_base, "cabinet")
BASE_BUILDER(build_lidded_box_base, "lidded-box")
BASE_BUILDER(build_lever_base, "lever")
BASE_BUILDER(build_knob_base, "knob")
BASE_BUILDER(build_urdf_base, "urdf")

#define KIT_BUILDERS(name, shape)                                                              \
    static int build_kit_##name(const gs_asset_params *p, gs_shape *s) {                      \
        return build_kit(&shape, p, s);                                                        \
    }                                                                                          \
    static int build_socket_##name(const gs_asset_params *p, gs_shape *s) {                   \
        return build_kit_socket(&shape, p, s);                                                 \
    }
KIT_BUILDERS(square, KIT_SQUARE)
KIT_BUILDERS(bar, KIT_BAR)
KIT_BUILDERS(ell, KIT_ELL)
KIT_BUILDERS(tee, KIT_TEE)
KIT_BUILDERS(zed, KIT_ZED)
KIT_BUILDERS(u, KIT_U)
KIT_BUILDERS(plus, KIT_PLUS)
