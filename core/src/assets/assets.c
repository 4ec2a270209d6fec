/* assets.c: the table of procedural kinds and named colours.
 *
 * Every kind is a few convex parts: concave things (bowls, containers, the
 * ell fixture) are compounds, which is how Bullet wants them and keeps
 * contacts cheap. Sizes come from options, never from editing files. */
#include "gensim/assets.h"

#include <math.h>
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
};

#define NKINDS ((int)(sizeof KINDS / sizeof KINDS[0]))

const gs_asset_kind *gs_asset_find(const char *name) {
    for (int i = 0; i < NKINDS; i++)
        if (strcmp(KINDS[i].name, name) == 0) return &KINDS[i];
    return NULL;
}

const gs_asset_kind *gs_asset_kinds(int *n) {
    *n = NKINDS;
    return KINDS;
}

const char *const *gs_asset_names(int *n) {
    static const char *names[NKINDS];
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
