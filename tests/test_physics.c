/* test_physics.c: the Bullet bridge seen through physics.h. */
#include "check.h"

#include "gensim/physics.h"

#include <stdlib.h>
#include <string.h>

static gs_world *new_world(void);
static gs_body_desc block_desc(const gs_shape *shape, double x, double y, double z, double yaw);
static gs_shape box_shape(double sx, double sy, double sz);
static int has(const int *ids, int n, int id);
static void run_scene(gs_world *w, int steps);
static double tilt_of(const gs_pose *p);

static void test_options(void) {
    gs_world_options o = gs_world_options_default();
    CHECK_NEAR(o.timestep, 1.0 / 240, 1e-12);
    CHECK_NEAR(o.gravity, 9.8, 1e-12);
    CHECK(o.solver_iterations == 10);
    CHECK(o.max_bodies == 256);
    char err[256] = "";
    o.timestep = -1;
    CHECK(gs_world_create(&o, err, sizeof err) == NULL);
    CHECK_STR_CONTAINS(err, "timestep");
    gs_world *w = gs_world_create(NULL, err, sizeof err);
    CHECK(w != NULL);
    CHECK_NEAR(gs_world_timestep(w), 1.0 / 240, 1e-12);
    CHECK(gs_world_body_count(w) == 0);
    gs_world_free(w);
    gs_world_free(NULL);
}

/* A 4 cm block dropped from 10 cm comes to rest on the table top at z = 2 cm. */
static void test_drop(void) {
    gs_world *w = new_world();
    gs_shape s = box_shape(0.04, 0.04, 0.04);
    gs_body_desc d = block_desc(&s, 0.5, 0.0, 0.1, 0.3);
    char err[256] = "";
    int b = gs_world_add_body(w, &d, err, sizeof err);
    CHECK(b == 0);
    CHECK(gs_world_body_is_dynamic(w, b));
    gs_world_step(w, 480);
    CHECK(gs_world_steps(w) == 480);
    gs_pose p;
    gs_world_get_pose(w, b, &p);
    CHECK_NEAR(p.pos[2], 0.02, 0.0015);
    CHECK_NEAR(p.pos[0], 0.5, 0.002);
    CHECK_NEAR(p.pos[1], 0.0, 0.002);
    CHECK_NEAR(gsu_pose_yaw(&p), 0.3, 0.01);
    CHECK(gs_world_max_speed(w) < 0.005);
    CHECK(gs_world_first_invalid(w) == GS_BODY_NONE);

    /* The table is seen as GS_BODY_TABLE, and nothing else is there. */
    int ids[4] = {99, 99, 99, 99};
    CHECK(gs_world_contacts(w, b, 0.002, ids, 4) == 1);
    CHECK(ids[0] == GS_BODY_TABLE);
    CHECK(gs_world_contacts(w, b, 0.002, NULL, 0) == 1);
    int other = 99;
    double dist = gs_world_nearest_contact(w, b, GS_BODY_NONE, &other);
    CHECK(other == GS_BODY_TABLE);
    CHECK(dist < 0.002 && dist > -0.002);
    CHECK(gs_world_nearest_contact(w, b, GS_BODY_TABLE, &other) == GS_FAR);
    CHECK(other == GS_BODY_NONE);

    /* A sphere and a cylinder rest at their half heights too. */
    gs_shape ball = {GS_SHAPE_SPHERE, {0.03, 0.03, 0.03}, gsu_pose_identity()};
    gs_shape can = {GS_SHAPE_CYLINDER, {0.04, 0.04, 0.06}, gsu_pose_identity()};
    gs_body_desc bd = block_desc(&ball, 0.3, 0.2, 0.05, 0);
    gs_body_desc cd = block_desc(&can, 0.6, -0.2, 0.05, 0);
    int bi = gs_world_add_body(w, &bd, err, sizeof err);
    int ci = gs_world_add_body(w, &cd, err, sizeof err);
    gs_world_step(w, 240);
    gs_world_get_pose(w, bi, &p);
    CHECK_NEAR(p.pos[2], 0.015, 0.0015);
    gs_world_get_pose(w, ci, &p);
    CHECK_NEAR(p.pos[2], 0.03, 0.0015);
    gs_world_free(w);
}

/* Two worlds driven by the same calls end bit for bit alike, even when the
 * heap between them is shuffled. */
static void test_determinism(void) {
    gs_pose final[2][8];
    for (int run = 0; run < 2; run++) {
        void *junk[64];
        for (int i = 0; i < 64; i++) junk[i] = malloc((size_t)(16 + (run * 37 + i * 13) % 300));
        for (int i = 0; i < 64; i += 2 + run) free(junk[i]), junk[i] = NULL;
        gs_world *w = new_world();
        run_scene(w, 600);
        for (int i = 0; i < gs_world_body_count(w) && i < 8; i++)
            gs_world_get_pose(w, i, &final[run][i]);
        gs_world_free(w);
        for (int i = 0; i < 64; i++) free(junk[i]);
    }
    CHECK(memcmp(final[0], final[1], sizeof final[0]) == 0);
    /* The scene really moved, so the comparison means something. */
    CHECK(final[0][0].pos[2] < 0.2);
}

/* Overlap is measured without stepping; separated bodies give ~0. */
/* A block off the table's edge falls, and stops GS_FALLEN_Z below it
 * instead of falling for ever; one on the table is untouched. */
static void test_fallen(void) {
    gs_world *w = new_world();
    gs_shape s = box_shape(0.04, 0.04, 0.04);
    gs_body_desc off = block_desc(&s, 0.5, 1.6, 0.02, 0), on = block_desc(&s, 0.5, 0.0, 0.02, 0);
    char err[256];
    int a = gs_world_add_body(w, &off, err, sizeof err), b = gs_world_add_body(w, &on, err, sizeof err);
    CHECK(a >= 0 && b >= 0);
    gs_world_step(w, 480);
    gs_pose p, q, r;
    gs_world_get_pose(w, a, &p);
    gs_world_get_pose(w, b, &r);
    CHECK(p.pos[2] < GS_FALLEN_Z && p.pos[2] > GS_FALLEN_Z - 0.05);
    CHECK_NEAR(r.pos[2], 0.02, 0.002);
    double lin[3], ang[3];
    gs_world_get_velocity(w, a, lin, ang);
    CHECK(lin[0] == 0 && lin[1] == 0 && lin[2] == 0 && ang[2] == 0);
    gs_world_step(w, 480);
    gs_world_get_pose(w, a, &q);
    CHECK(q.pos[2] == p.pos[2]);
    gs_world_free(w);
}

static void test_penetration(void) {
    gs_world *w = new_world();
    gs_shape s = box_shape(0.04, 0.04, 0.04);
    gs_body_desc d1 = block_desc(&s, 0.4, 0.0, 0.02, 0);
    gs_body_desc d2 = block_desc(&s, 0.6, 0.0, 0.02, 0);
    char err[256];
    int a = gs_world_add_body(w, &d1, err, sizeof err);
    int b = gs_world_add_body(w, &d2, err, sizeof err);
    int pa = 99, pb = 99;
    CHECK(gs_world_max_penetration(w, &pa, &pb) < 0.0005);
    gs_pose p = gsu_pose_xyz_yaw(0.43, 0.0, 0.02, 0);
    gs_world_set_pose(w, b, &p); /* 1 cm into a */
    double depth = gs_world_max_penetration(w, &pa, &pb);
    CHECK_NEAR(depth, 0.01, 0.001);
    CHECK(pa == a && pb == b);
    CHECK(gs_world_steps(w) == 0);

    /* A block sunk 5 mm into the table. */
    p = gsu_pose_xyz_yaw(0.6, 0.3, 0.015, 0);
    gs_world_set_pose(w, b, &p);
    depth = gs_world_max_penetration(w, &pa, &pb);
    CHECK_NEAR(depth, 0.005, 0.001);
    CHECK(pa == GS_BODY_TABLE && pb == b);

    /* Two fixed bodies in each other: Bullet never pairs them by itself. */
    p = gsu_pose_xyz_yaw(0.6, 0.0, 0.02, 0);
    gs_world_set_pose(w, b, &p);
    gs_body_desc f1 = block_desc(&s, 0.5, 0.3, 0.02, 0), f2 = block_desc(&s, 0.52, 0.3, 0.02, 0);
    f1.mass = f2.mass = 0;
    int fa = gs_world_add_body(w, &f1, err, sizeof err);
    int fb = gs_world_add_body(w, &f2, err, sizeof err);
    depth = gs_world_max_penetration(w, &pa, &pb);
    CHECK_NEAR(depth, 0.02, 0.001);
    CHECK(pa == fa && pb == fb);
    gs_world_free(w);
}

/* A marker has a pose and nothing else; a fixed body never moves. */
static void test_marker_and_fixed(void) {
    gs_world *w = new_world();
    char err[256];
    gs_shape s = box_shape(0.1, 0.1, 0.01);
    gs_body_desc md = block_desc(&s, 0.5, 0.0, 0.005, 0);
    md.collides = 0;
    md.mass = 0;
    int marker = gs_world_add_body(w, &md, err, sizeof err);
    gs_shape bs = box_shape(0.04, 0.04, 0.04);
    gs_body_desc bd = block_desc(&bs, 0.5, 0.0, 0.05, 0);
    int block = gs_world_add_body(w, &bd, err, sizeof err);
    gs_body_desc fd = block_desc(&bs, 0.3, 0.0, 0.02, 0);
    fd.mass = 0;
    int fixed = gs_world_add_body(w, &fd, err, sizeof err);
    /* Something falls on the fixed block, which must not budge. */
    gs_body_desc hd = block_desc(&bs, 0.31, 0.0, 0.1, 0.2);
    hd.mass = 2.0;
    int heavy = gs_world_add_body(w, &hd, err, sizeof err);
    CHECK(!gs_world_body_is_dynamic(w, marker) && !gs_world_body_is_dynamic(w, fixed));
    gs_world_step(w, 360);
    gs_pose p;
    /* The block fell through the marker onto the table. */
    gs_world_get_pose(w, block, &p);
    CHECK_NEAR(p.pos[2], 0.02, 0.0015);
    CHECK(gs_world_contacts(w, block, 0.002, NULL, 0) == 1);
    CHECK(gs_world_contacts(w, marker, 1.0, NULL, 0) == 0);
    int ids[4];
    CHECK(gs_world_contacts(w, block, 0.002, ids, 4) == 1 && ids[0] == GS_BODY_TABLE);
    gs_world_get_pose(w, marker, &p);
    CHECK_NEAR(p.pos[2], 0.005, 1e-6);
    gs_world_get_pose(w, fixed, &p);
    CHECK(p.pos[0] == (float)0.3 && p.pos[1] == 0 && p.pos[2] == (float)0.02);
    CHECK_NEAR(p.rot[3], 1, 1e-12);
    gs_world_get_pose(w, heavy, &p);
    CHECK(p.pos[2] > 0.05); /* it rests on the fixed block */
    CHECK(has(ids, gs_world_contacts(w, heavy, 0.002, ids, 4), fixed));
    double lin[3] = {1, 1, 1}, ang[3] = {1, 1, 1};
    gs_world_get_velocity(w, fixed, lin, ang);
    CHECK(lin[0] == 0 && lin[2] == 0 && ang[2] == 0);
    /* Markers can be moved and report the move. */
    p = gsu_pose_xyz_yaw(0.6, 0.1, 0, 1.0);
    gs_world_set_pose(w, marker, &p);
    gs_world_get_pose(w, marker, &p);
    CHECK_NEAR(p.pos[0], 0.6, 1e-6);
    CHECK_NEAR(gsu_pose_yaw(&p), 1.0, 1e-6);
    CHECK(gs_world_max_penetration(w, NULL, NULL) < 0.001);
    gs_world_free(w);
}

static void test_invalid(void) {
    gs_world_options o = gs_world_options_default();
    o.max_bodies = 2;
    char err[256] = "";
    gs_world *w = gs_world_create(&o, err, sizeof err);
    gs_shape s = box_shape(0.04, 0.04, 0.04);
    gs_body_desc d = block_desc(&s, 0.5, 0, 0.02, 0);

    gs_body_desc bad = d;
    bad.nshapes = 0;
    CHECK(gs_world_add_body(w, &bad, err, sizeof err) == GS_BODY_NONE);
    CHECK_STR_CONTAINS(err, "at least one shape");
    gs_shape neg = box_shape(0.04, -0.01, 0.04);
    bad = d;
    bad.shapes = &neg;
    CHECK(gs_world_add_body(w, &bad, err, sizeof err) == GS_BODY_NONE);
    CHECK_STR_CONTAINS(err, "shape 0: size");
    gs_shape nan_size = box_shape(0.04, NAN, 0.04);
    bad.shapes = &nan_size;
    CHECK(gs_world_add_body(w, &bad, err, sizeof err) == GS_BODY_NONE);
    CHECK_STR_CONTAINS(err, "size");
    bad = d;
    bad.pose.pos[0] = INFINITY;
    CHECK(gs_world_add_body(w, &bad, err, sizeof err) == GS_BODY_NONE);
    CHECK_STR_CONTAINS(err, "pose");
    bad = d;
    bad.pose.rot[3] = 0; /* a zero quaternion is no rotation */
    CHECK(gs_world_add_body(w, &bad, err, sizeof err) == GS_BODY_NONE);
    CHECK_STR_CONTAINS(err, "quaternion");
    bad = d;
    bad.mass = -1;
    CHECK(gs_world_add_body(w, &bad, err, sizeof err) == GS_BODY_NONE);
    CHECK_STR_CONTAINS(err, "mass");
    bad = d;
    bad.friction = NAN;
    CHECK(gs_world_add_body(w, &bad, err, sizeof err) == GS_BODY_NONE);
    CHECK_STR_CONTAINS(err, "friction");
    gs_shape parts[2] = {box_shape(0.04, 0.04, 0.04), box_shape(0.04, 0.04, 0.04)};
    parts[1].type = (gs_shape_type)7;
    bad = d;
    bad.shapes = parts;
    bad.nshapes = 2;
    CHECK(gs_world_add_body(w, &bad, err, sizeof err) == GS_BODY_NONE);
    CHECK_STR_CONTAINS(err, "shape 1: unknown shape type");
    CHECK(gs_world_body_count(w) == 0);

    /* The cap holds. */
    CHECK(gs_world_add_body(w, &d, err, sizeof err) == 0);
    d.pose.pos[0] = 0.6;
    CHECK(gs_world_add_body(w, &d, err, sizeof err) == 1);
    CHECK(gs_world_add_body(w, &d, err, sizeof err) == GS_BODY_NONE);
    CHECK_STR_CONTAINS(err, "full");
    CHECK(gs_world_body_count(w) == 2);

    /* Bad handles are ignored, not fatal. */
    gs_pose p;
    gs_world_get_pose(w, 7, &p);
    gs_world_set_pose(w, -5, &p);
    gs_world_detach(w, 3);
    gs_world_detach(w, -1);
    CHECK(gs_world_attach(w, 0, 0) == -1);
    CHECK(gs_world_attach(w, 0, 9) == -1);
    CHECK(gs_world_contacts(w, 12, 1.0, NULL, 0) == 0);
    gs_world_free(w);
}

/* A body welded to a kinematic body follows it; detaching lets it fall. */
static void test_attach(void) {
    gs_world *w = new_world();
    char err[256];
    gs_shape tip = {GS_SHAPE_CYLINDER, {0.02, 0.02, 0.04}, gsu_pose_identity()};
    gs_body_desc td = block_desc(&tip, 0.4, 0.0, 0.061, 0);
    td.kinematic = 1;
    td.mass = 0;
    int k = gs_world_add_body(w, &td, err, sizeof err);
    gs_shape s = box_shape(0.04, 0.04, 0.04);
    gs_body_desc bd = block_desc(&s, 0.4, 0.0, 0.02, 0);
    int b = gs_world_add_body(w, &bd, err, sizeof err);
    gs_world_step(w, 10);
    CHECK(!gs_world_body_is_dynamic(w, k));
    int h = gs_world_attach(w, k, b);
    CHECK(h >= 0);
    /* Move the kinematic body up and sideways along a line, 2 mm a step. */
    gs_pose p0, p;
    gs_world_get_pose(w, k, &p0);
    for (int i = 1; i <= 100; i++) {
        p = gsu_pose_xyz_yaw(p0.pos[0] + 0.002 * i, 0.0, p0.pos[2] + 0.001 * i, 0.01 * i);
        gs_world_set_pose(w, k, &p);
        gs_world_step(w, 1);
    }
    double lin[3];
    gs_world_get_velocity(w, k, lin, NULL);
    CHECK_NEAR(lin[0], 0.002 * 240, 0.01);
    gs_pose bp;
    gs_world_get_pose(w, b, &bp);
    CHECK_NEAR(bp.pos[0], 0.6, 0.002);
    CHECK_NEAR(bp.pos[2], 0.12, 0.002);
    CHECK_NEAR(gsu_pose_yaw(&bp), 1.0, 0.02);
    /* Welded bodies do not touch each other. */
    CHECK(gs_world_contacts(w, b, 0.01, NULL, 0) == 0);
    gs_world_detach(w, h);
    gs_world_detach(w, h); /* twice is harmless */
    gs_world_step(w, 240);
    gs_world_get_pose(w, b, &bp);
    CHECK_NEAR(bp.pos[2], 0.02, 0.002);
    CHECK(gs_world_attach(w, k, b) == h); /* handles are reused */
    gs_world_free(w);                     /* with the weld still in place */
}

/* How far (x, y) lies outside the footprint of an upright shape centred
 * on the origin: a box's rectangle or a cylinder's disc. */
static double outside(const gs_shape *shape, double x, double y) {
    if (shape->type == GS_SHAPE_CYLINDER) return hypot(x, y) - shape->size[0] / 2;
    double dx = fabs(x) - shape->size[0] / 2, dy = fabs(y) - shape->size[1] / 2;
    if (dx <= 0 && dy <= 0) return fmax(dx, dy);
    return hypot(fmax(dx, 0), fmax(dy, 0));
}

/* An upright can of 4 cm by 7 cm, moved around an upright body of shape
 * (7 cm tall) 1 to 12 mm from it, its bottom from 4 mm above the body's
 * top to 3.5 cm below, never touches it; closed to 1 mm inside, it does.
 * Bullet's perturbed contact queries, scaled for metre-sized bodies,
 * reported one such placement in nine beside a cylinder, one in thirty
 * beside a box, as millimetres deep. */
static void check_apart(const gs_shape *shape) {
    gs_world *w = new_world();
    char err[256];
    gs_shape can = {GS_SHAPE_CYLINDER, {0.04, 0.04, 0.07}, gsu_pose_identity()};
    gs_body_desc sd = block_desc(shape, 0.5, 0.0, 0.035, 0),
                 cd = block_desc(&can, 0.5, 0.3, 0.035, 0);
    int a = gs_world_add_body(w, &sd, err, sizeof err);
    int b = gs_world_add_body(w, &cd, err, sizeof err);
    double deepest = 0;
    int touching = 0, closed_wrong = 0;
    for (int k = 0; k < 24; k++)
        for (int gap_mm = -1; gap_mm <= 12; gap_mm += 1) {
            /* along the ray at angle k, the centre gap_mm clear of the shape */
            double c = cos(2 * GS_PI * k / 24), sn = sin(2 * GS_PI * k / 24), lo = 0, hi = 0.2;
            for (int it = 0; it < 60; it++) {
                double t = (lo + hi) / 2;
                if (outside(shape, t * c, t * sn) < 0.02 + gap_mm * 0.001)
                    lo = t;
                else
                    hi = t;
            }
            for (int dz_mm = -35; dz_mm <= 4; dz_mm += 3) {
                gs_pose p = gsu_pose_xyz_yaw(0.5 + lo * c, lo * sn, 0.105 + dz_mm * 0.001, 0.1 * k);
                gs_world_set_pose(w, b, &p);
                int i, j;
                double depth = gs_world_max_penetration(w, &i, &j);
                if (gap_mm < 0) { /* closed: they overlap by a millimetre */
                    if (dz_mm < -5)
                        closed_wrong += fabs(depth - 0.001) > 2e-4 || (i != a && j != a);
                    continue;
                }
                if (depth > deepest) deepest = depth;
                touching += gs_world_nearest_contact(w, b, GS_BODY_NONE, NULL) < -1e-4;
            }
        }
    CHECK(deepest < 1e-4);
    CHECK(touching == 0);
    CHECK(closed_wrong == 0);
    gs_world_free(w);
}

static void test_cylinders_apart(void) {
    gs_shape can = {GS_SHAPE_CYLINDER, {0.04, 0.04, 0.07}, gsu_pose_identity()};
    gs_shape box = box_shape(0.04, 0.06, 0.07);
    check_apart(&can);
    check_apart(&box);
}

/* Lets a cylinder of diameter and height upper (2) go just above a body
 * of shape lower resting on the table (fixed when fixed), in the way trial
 * 0..11 picks: 0.5 to 1.6 mm up, 0 to 2.75 mm off centre, tilted up to
 * 0.14 degrees; 3 s later, checks that it stands upright where it was let
 * go, resting on the lower one. */
static void check_settles_upright(const gs_shape *lower, int fixed, const double upper[2],
                                  int trial) {
    gs_world *w = new_world();
    char err[256];
    gs_shape us = {GS_SHAPE_CYLINDER, {upper[0], upper[0], upper[1]}, gsu_pose_identity()};
    gs_body_desc ld = block_desc(lower, 0.5, 0, lower->size[2] / 2, 0.3);
    if (fixed) ld.mass = 0;
    gs_world_add_body(w, &ld, err, sizeof err);
    double off = 0.00025 * trial, angle = 0.9 * trial, lean = 0.0008 * (trial % 4);
    double rest = lower->size[2] + upper[1] / 2;
    gs_body_desc ud = block_desc(&us, 0.5 + off * cos(angle), off * sin(angle),
                                 rest + 0.0005 + 0.0001 * trial, 0);
    ud.pose.rot[0] = sin(lean / 2) * cos(angle + 1);
    ud.pose.rot[1] = sin(lean / 2) * sin(angle + 1);
    ud.pose.rot[3] = cos(lean / 2);
    int u = gs_world_add_body(w, &ud, err, sizeof err);
    gs_world_step(w, 720);
    gs_pose p;
    gs_world_get_pose(w, u, &p);
    CHECK(tilt_of(&p) < 0.02);
    /* Bullet's friction lets resting stacks creep until they sleep, boxes
     * too: a millimetre or two */
    CHECK(hypot(p.pos[0] - ud.pose.pos[0], p.pos[1] - ud.pose.pos[1]) < 0.003);
    CHECK_NEAR(p.pos[2], rest, 0.001);
    gs_world_free(w);
}

/* A cylinder let go just above another body settles upright where it was
 * let go: a can on a can of its own size, a small disc on a large one, a
 * can on a fixed thin disc (a bowl's floor), on a fixed slab (a
 * container's floor) and on a box. Bullet's general algorithm let half of
 * the cans and a third of the cans on a floor tip over or slide off. */
static void test_cylinders_stack(void) {
    const double can[2] = {0.04, 0.06}, small_disc[2] = {0.048, 0.02};
    gs_shape can_shape = {GS_SHAPE_CYLINDER, {0.04, 0.04, 0.06}, gsu_pose_identity()};
    gs_shape disc = {GS_SHAPE_CYLINDER, {0.09, 0.09, 0.02}, gsu_pose_identity()};
    gs_shape floor = {GS_SHAPE_CYLINDER, {0.14, 0.14, 0.006}, gsu_pose_identity()};
    gs_shape slab = box_shape(0.18, 0.18, 0.006), box = box_shape(0.1, 0.08, 0.05);
    for (int trial = 0; trial < 12; trial++) {
        check_settles_upright(&can_shape, 0, can, trial);
        check_settles_upright(&disc, 0, small_disc, trial);
        check_settles_upright(&floor, 1, can, trial);
        check_settles_upright(&slab, 1, can, trial);
        check_settles_upright(&box, 0, can, trial);
    }
}


/* ---- joints and mass ---- */

/* A body's inertial from its parts: a box's is m/12 (b^2 + c^2) about its
 * middle; two boxes side by side weigh in at their common middle; a closed
 * mesh cube weighs like the box it is. */
static void test_inertial(void) {
    gs_shape box = box_shape(0.1, 0.2, 0.3);
    box.local = gsu_pose_xyz_yaw(0.05, 0, 0, 0);
    gs_inertial in;
    CHECK(gs_shapes_inertial(&box, NULL, 1, 2.0, &in) == GS_OK);
    CHECK_NEAR(in.frame.pos[0], 0.05, 1e-12);
    double want[3] = {2.0 / 12 * (0.01 + 0.04), 2.0 / 12 * (0.01 + 0.09), 2.0 / 12 * (0.04 + 0.09)};
    CHECK_NEAR(in.moments[0], want[0], 1e-9); /* ascending: x, y, z here */
    CHECK_NEAR(in.moments[1], want[1], 1e-9);
    CHECK_NEAR(in.moments[2], want[2], 1e-9);
    gs_shape two[2] = {box_shape(0.1, 0.1, 0.1), box_shape(0.1, 0.1, 0.1)};
    two[1].local = gsu_pose_xyz_yaw(0.2, 0, 0, 0);
    CHECK(gs_shapes_inertial(two, NULL, 2, 1.0, &in) == GS_OK);
    CHECK_NEAR(in.frame.pos[0], 0.1, 1e-12);
    /* about the middle: each cube's own plus 0.5 kg at 0.1 m, off x */
    CHECK_NEAR(in.moments[2], 2 * (0.5 / 12 * 0.02 + 0.5 * 0.01), 1e-9);
    float v[8][3];
    for (int i = 0; i < 8; i++)
        for (int k = 0; k < 3; k++) v[i][k] = (i >> k & 1) ? 0.05f : -0.05f;
    static const int tri[12][3] = {{0, 2, 1}, {1, 2, 3}, {4, 5, 6}, {5, 7, 6}, {0, 1, 4}, {1, 5, 4},
                                   {2, 6, 3}, {3, 6, 7}, {0, 4, 2}, {2, 4, 6}, {1, 3, 5}, {3, 7, 5}};
    gs_mesh cube = {&v[0][0], 8, &tri[0][0], 12};
    const gs_mesh *meshes[1] = {&cube};
    gs_shape part = box_shape(0.1, 0.1, 0.1);
    part.type = GS_SHAPE_MESH;
    CHECK(gs_shapes_inertial(&part, meshes, 1, 1.0, &in) == GS_OK);
    CHECK_NEAR(in.moments[0], 1.0 / 12 * 0.02, 1e-6);
    CHECK_NEAR(in.frame.pos[2], 0, 1e-9);
    CHECK(gs_shapes_inertial(&part, meshes, 1, -1, &in) == GS_ERR_USAGE);
}

/* A door: a 0.2 x 0.02 x 0.1 panel hinged on a fixed post about z, its
 * hinge at the panel's -x edge; returns the joint, *post and *panel. */
static int door(gs_world *w, gs_joint_type type, double friction, double damping, int *post, int *panel) {
    char err[256];
    gs_shape ps = box_shape(0.02, 0.02, 0.12), ds = box_shape(0.2, 0.02, 0.1);
    gs_body_desc pd = block_desc(&ps, 0.5, 0, 0.06, 0);
    pd.mass = 0;
    *post = gs_world_add_body(w, &pd, err, sizeof err);
    gs_body_desc dd = block_desc(&ds, 0.62, 0, 0.06, 0);
    gs_inertial in;
    gs_shapes_inertial(&ds, NULL, 1, 0.3, &in);
    dd.mass = 0.3, dd.inertial = &in;
    *panel = gs_world_add_body(w, &dd, err, sizeof err);
    gs_joint_desc j;
    memset(&j, 0, sizeof j);
    j.type = type, j.parent = *post, j.child = *panel;
    j.anchor[0] = 0.02, j.axis[2] = 1;
    j.lower = 0, j.upper = 1.5, j.friction = friction, j.damping = damping;
    int id = gs_world_add_joint(w, &j, err, sizeof err);
    if (id < 0) fprintf(stderr, "joint: %s\n", err);
    return id;
}

/* Positions follow the bodies; limits hold; a joint without friction
 * swings on, one with it stays where it is left. */
static void test_hinge(void) {
    gs_world *w = new_world();
    int post, panel, j = door(w, GS_JOINT_REVOLUTE, 0, 0, &post, &panel);
    CHECK(j == 0 && gs_world_joint_count(w) == 1 && gs_world_body_joint(w, panel) == 0);
    CHECK(gs_world_body_joint(w, post) == -1);
    double q, v;
    gs_world_joint_state(w, j, &q, &v);
    CHECK_NEAR(q, 0, 1e-6);
    /* turned by hand to 0.6 rad about the hinge: the panel's middle moves round it */
    gs_pose p = gsu_pose_xyz_yaw(0.52 + 0.1 * cos(0.6), 0.1 * sin(0.6), 0.06, 0.6);
    gs_world_set_pose(w, panel, &p);
    gs_world_joint_state(w, j, &q, NULL);
    CHECK_NEAR(q, 0.6, 1e-4);
    /* a grip drags it on past its upper limit: it stops at 1.5 */
    char err[256];
    gs_shape cup = {GS_SHAPE_CYLINDER, {0.02, 0.02, 0.04}, gsu_pose_identity()};
    gs_body_desc cd = block_desc(&cup, 0.52 + 0.18 * cos(0.6), 0.18 * sin(0.6), 0.06, 0);
    cd.kinematic = 1, cd.mass = 0;
    int k = gs_world_add_body(w, &cd, err, sizeof err);
    double grip[3] = {0.52 + 0.18 * cos(0.6), 0.18 * sin(0.6), 0.06};
    CHECK(gs_world_grip(w, k, panel, grip) >= 0);
    for (int i = 1; i <= 240; i++) {
        double a = 0.6 + 1.4 * i / 240;
        gs_pose kp = gsu_pose_xyz_yaw(0.52 + 0.18 * cos(a), 0.18 * sin(a), 0.06, 0);
        gs_world_set_pose(w, k, &kp);
        gs_world_step(w, 1);
    }
    gs_world_joint_state(w, j, &q, NULL);
    CHECK(q <= 1.5 + 0.05 && q > 1.4);
    CHECK(gs_world_first_invalid(w) == GS_BODY_NONE);
    gs_world_free(w);

    /* swung by a grip and let go, a free door swings on, a door with
     * friction stays where it was let go */
    for (int f = 0; f < 2; f++) {
        w = new_world();
        j = door(w, GS_JOINT_REVOLUTE, f ? 0.5 : 0, 0, &post, &panel);
        int tip = gs_world_add_body(w, &cd, err, sizeof err);
        double grip[3] = {0.7, 0, 0.06};
        gs_pose tp = gsu_pose_xyz_yaw(0.7, 0, 0.06, 0);
        gs_world_set_pose(w, tip, &tp);
        int h = gs_world_grip(w, tip, panel, grip);
        CHECK(h >= 0);
        for (int i = 1; i <= 60; i++) { /* sweep the grip round the hinge, fast */
            double a = 0.01 * i;
            tp = gsu_pose_xyz_yaw(0.52 + 0.18 * cos(a), 0.18 * sin(a), 0.06, 0);
            gs_world_set_pose(w, tip, &tp);
            gs_world_step(w, 1);
        }
        gs_world_detach(w, h);
        tp = gsu_pose_xyz_yaw(0.3, 0.4, 0.5, 0); /* out of the door's way */
        gs_world_set_pose(w, tip, &tp);
        double q0;
        gs_world_joint_state(w, j, &q0, &v);
        CHECK_NEAR(q0, 0.6, 0.05);
        gs_world_step(w, 240);
        gs_world_joint_state(w, j, &q, NULL);
        if (f) CHECK_NEAR(q, q0, 0.03);
        else CHECK(q > q0 + 0.1);
        gs_world_free(w);
    }
}

/* A slider stops at its limits; a continuous joint counts whole turns;
 * bad descriptions are refused with a reason. */
static void test_slider_and_turns(void) {
    gs_world *w = new_world();
    char err[256];
    gs_shape base = box_shape(0.2, 0.2, 0.02), tray = box_shape(0.1, 0.1, 0.02);
    gs_body_desc bd = block_desc(&base, 0.5, 0, 0.05, 0.3);
    bd.mass = 0;
    int b = gs_world_add_body(w, &bd, err, sizeof err);
    gs_body_desc td = block_desc(&tray, 0.5, 0, 0.07, 0.3);
    int t = gs_world_add_body(w, &td, err, sizeof err);
    gs_joint_desc j;
    memset(&j, 0, sizeof j);
    j.type = GS_JOINT_PRISMATIC, j.parent = b, j.child = t;
    j.axis[0] = 1, j.lower = -0.02, j.upper = 0.05, j.position = 0;
    int s = gs_world_add_joint(w, &j, err, sizeof err);
    CHECK(s == 0);
    /* tilted so it slides down along its axis to the lower limit */
    double q;
    gs_world_joint_state(w, s, &q, NULL);
    CHECK_NEAR(q, 0, 1e-6);
    gs_pose p = gsu_pose_xyz_yaw(0.5 + 0.03 * cos(0.3), 0.03 * sin(0.3), 0.07, 0.3);
    gs_world_set_pose(w, t, &p);
    gs_world_joint_state(w, s, &q, NULL);
    CHECK_NEAR(q, 0.03, 1e-5);

    /* refused: a fixed child, a zero axis, a range over 2 pi, NaN friction */
    gs_joint_desc bad = j;
    bad.child = b;
    CHECK(gs_world_add_joint(w, &bad, err, sizeof err) < 0);
    CHECK_STR_CONTAINS(err, "child");
    bad = j, bad.axis[0] = 0;
    CHECK(gs_world_add_joint(w, &bad, err, sizeof err) < 0);
    CHECK_STR_CONTAINS(err, "axis");
    bad = j, bad.type = GS_JOINT_REVOLUTE, bad.lower = -4, bad.upper = 4;
    CHECK(gs_world_add_joint(w, &bad, err, sizeof err) < 0);
    CHECK_STR_CONTAINS(err, "2 pi");
    bad = j, bad.friction = NAN;
    CHECK(gs_world_add_joint(w, &bad, err, sizeof err) < 0);
    CHECK_STR_CONTAINS(err, "friction");
    CHECK(gs_world_joint_count(w) == 1);
    gs_world_free(w);

    /* a knob turned one and a half times round by a grip counts it */
    w = new_world();
    int post, panel;
    int k = door(w, GS_JOINT_CONTINUOUS, 0.01, 0, &post, &panel);
    gs_shape cup = {GS_SHAPE_CYLINDER, {0.02, 0.02, 0.04}, gsu_pose_identity()};
    gs_body_desc cd = block_desc(&cup, 0.7, 0, 0.06, 0);
    cd.kinematic = 1, cd.mass = 0;
    int tip = gs_world_add_body(w, &cd, err, sizeof err);
    double grip[3] = {0.7, 0, 0.06};
    CHECK(gs_world_grip(w, tip, panel, grip) >= 0);
    CHECK(gs_world_grip(w, panel, tip, grip) < 0); /* the holder is the kinematic one */
    for (int i = 1; i <= 600; i++) {
        double a = 3 * GS_PI * i / 600;
        gs_pose tp = gsu_pose_xyz_yaw(0.52 + 0.18 * cos(a), 0.18 * sin(a), 0.06, 0);
        gs_world_set_pose(w, tip, &tp);
        gs_world_step(w, 1);
    }
    gs_world_joint_state(w, k, &q, NULL);
    CHECK_NEAR(q, 3 * GS_PI, 0.05);
    gs_world_free(w);
}

/* The same joints and motions give the same states bit for bit, and the
 * trace records the joints and grips a replay needs. */
static void test_joint_determinism(void) {
    gs_pose final[2];
    for (int run = 0; run < 2; run++) {
        gs_world *w = new_world();
        FILE *f = tmpfile();
        gs_world_set_trace(w, f);
        char err[256];
        int post, panel;
        door(w, GS_JOINT_REVOLUTE, 0.05, 0.05, &post, &panel);
        gs_shape cup = {GS_SHAPE_CYLINDER, {0.02, 0.02, 0.04}, gsu_pose_identity()};
        gs_body_desc cd = block_desc(&cup, 0.7, 0, 0.06, 0);
        cd.kinematic = 1, cd.mass = 0;
        int tip = gs_world_add_body(w, &cd, err, sizeof err);
        double grip[3] = {0.7, 0, 0.06};
        int h = gs_world_grip(w, tip, panel, grip);
        for (int i = 1; i <= 100; i++) {
            gs_pose tp = gsu_pose_xyz_yaw(0.52 + 0.18 * cos(0.01 * i), 0.18 * sin(0.01 * i), 0.06, 0);
            gs_world_set_pose(w, tip, &tp);
            gs_world_step(w, 1);
        }
        gs_world_detach(w, h);
        gs_world_step(w, 100);
        gs_world_get_pose(w, panel, &final[run]);
        gs_world_free(w);
        rewind(f);
        char line[4096];
        int joints = 0, grips = 0;
        while (fgets(line, sizeof line, f)) {
            joints += strncmp(line, "joint ", 6) == 0;
            grips += strncmp(line, "grip ", 5) == 0;
        }
        CHECK(joints == 1 && grips == 1);
        fclose(f);
    }
    CHECK(memcmp(&final[0], &final[1], sizeof final[0]) == 0);
    CHECK(final[0].pos[1] > 0.05); /* it did turn */
}

int main(void) {
    test_inertial();
    test_hinge();
    test_slider_and_turns();
    test_joint_determinism();
    test_options();
    test_drop();
    test_determinism();
    test_penetration();
    test_fallen();
    test_marker_and_fixed();
    test_invalid();
    test_attach();
    test_cylinders_apart();
    test_cylinders_stack();
    /* the benchmark trace records what a replay needs */
    {
        char err[256];
        FILE *f = tmpfile();
        gs_world_options o = gs_world_options_default();
        gs_world *w = gs_world_create(&o, err, sizeof err);
        gs_world_set_trace(w, f);
        run_scene(w, 3);
        gs_world_free(w);
        long traced = ftell(f);
        rewind(f);
        char line[512];
        int worlds = 0, bodies = 0, steps = 0, finals = 0;
        while (fgets(line, sizeof line, f)) {
            worlds += strncmp(line, "world", 5) == 0;
            bodies += strncmp(line, "body", 4) == 0;
            steps += strncmp(line, "step", 4) == 0;
            finals += strncmp(line, "final", 5) == 0;
        }
        CHECK(traced > 0);
        CHECK(bodies == 8);      /* 4 blocks, an ell, a ball, a fixed block, a marker */
        CHECK(steps >= 1);
        CHECK(finals == 8);
        CHECK(worlds == 1);
        fclose(f);
    }
    /* a link holds two bodies together at a point, and refuses fixed bodies */
    {
        char err[256];
        gs_world_options o = gs_world_options_default();
        gs_world *w = gs_world_create(&o, err, sizeof err);
        gs_shape cube = box_shape(0.02, 0.02, 0.02);
        gs_body_desc da = block_desc(&cube, 0.5, 0.0, 0.2, 0), db = block_desc(&cube, 0.53, 0.0, 0.2, 0);
        int a = gs_world_add_body(w, &da, err, sizeof err), b = gs_world_add_body(w, &db, err, sizeof err);
        gs_body_desc df = block_desc(&cube, 0.7, 0.0, 0.01, 0);
        df.mass = 0;
        int f = gs_world_add_body(w, &df, err, sizeof err);
        double pa[3] = {0.015, 0, 0}, pb[3] = {-0.015, 0, 0};
        CHECK(gs_world_link(w, a, b, pa, pb) == 0);
        CHECK(gs_world_link(w, a, f, pa, pb) == -1);
        CHECK(gs_world_link(w, a, a, pa, pb) == -1);
        gs_world_step(w, 480); /* they fall, tumble and land still joined */
        gs_pose qa, qb;
        gs_world_get_pose(w, a, &qa);
        gs_world_get_pose(w, b, &qb);
        double wa[3], wb[3];
        gsu_pose_apply(&qa, pa, wa);
        gsu_pose_apply(&qb, pb, wb);
        CHECK_NEAR(wa[0], wb[0], 1e-3);
        CHECK_NEAR(wa[1], wb[1], 1e-3);
        CHECK_NEAR(wa[2], wb[2], 1e-3);
        CHECK_NEAR(qa.pos[2], 0.01, 0.003); /* resting on the table */
        gs_world_free(w);
    }
    return CHECK_DONE();
}

static gs_world *new_world(void) {
    char err[256] = "";
    gs_world *w = gs_world_create(NULL, err, sizeof err);
    if (!w) fprintf(stderr, "world: %s\n", err);
    return w;
}

static gs_shape box_shape(double sx, double sy, double sz) {
    gs_shape s = {GS_SHAPE_BOX, {sx, sy, sz}, gsu_pose_identity()};
    return s;
}

static gs_body_desc block_desc(const gs_shape *shape, double x, double y, double z, double yaw) {
    gs_body_desc d;
    memset(&d, 0, sizeof d);
    d.shapes = shape;
    d.nshapes = 1;
    d.mass = 0.1;
    d.friction = 0.5;
    d.restitution = 0;
    d.pose = gsu_pose_xyz_yaw(x, y, z, yaw);
    d.collides = 1;
    return d;
}

/* The angle between a pose's z axis and the world's, radians. */
static double tilt_of(const gs_pose *p) {
    const double *q = p->rot;
    double up_z = 1 - 2 * (q[0] * q[0] + q[1] * q[1]);
    return acos(up_z > 1 ? 1 : up_z < -1 ? -1 : up_z);
}

static int has(const int *ids, int n, int id) {
    for (int i = 0; i < n; i++)
        if (ids[i] == id) return 1;
    return 0;
}

/* A tumbling little scene: a falling stack, a compound, a ball, a fixed
 * body and a marker, then n steps. */
static void run_scene(gs_world *w, int steps) {
    char err[256];
    gs_shape s = box_shape(0.04, 0.04, 0.04);
    for (int i = 0; i < 4; i++) {
        gs_body_desc d = block_desc(&s, 0.5 + 0.01 * i, 0.005 * i, 0.03 + 0.045 * i, 0.2 * i);
        gs_world_add_body(w, &d, err, sizeof err);
    }
    gs_shape ell[2] = {box_shape(0.06, 0.02, 0.02), box_shape(0.02, 0.06, 0.02)};
    ell[1].local = gsu_pose_xyz_yaw(-0.02, 0.02, 0, 0);
    gs_body_desc ed = block_desc(ell, 0.4, -0.2, 0.05, 0.5);
    ed.nshapes = 2;
    gs_world_add_body(w, &ed, err, sizeof err);
    gs_shape ball = {GS_SHAPE_SPHERE, {0.03, 0.03, 0.03}, gsu_pose_identity()};
    gs_body_desc bd = block_desc(&ball, 0.42, -0.2, 0.12, 0);
    gs_world_add_body(w, &bd, err, sizeof err);
    gs_body_desc fd = block_desc(&s, 0.6, 0.2, 0.02, 0);
    fd.mass = 0;
    gs_world_add_body(w, &fd, err, sizeof err);
    gs_body_desc md = block_desc(&s, 0.5, 0.0, 0.1, 0);
    md.collides = 0;
    gs_world_add_body(w, &md, err, sizeof err);
    gs_world_step(w, steps);
}
