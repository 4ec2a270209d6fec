/* test_robot.c: suction pick-and-place and the spatula push in a real world. */
#include "check.h"

#include "gensim/robot.h"

#include <string.h>

static gs_world *new_world(gs_robot *r);
static int add_block(gs_world *w, double size, double x, double y, double yaw, int fixed);
static double yaw_of(gs_world *w, int body);

/* The brief's case: a 4 cm block from (0.4, 0.1) to (0.6, -0.2), turned by
 * a quarter turn on the way. */
static void test_pick_place(void) {
    gs_robot r;
    gs_world *w = new_world(&r);
    int block = add_block(w, 0.04, 0.4, 0.1, 0.1, 0);
    gs_robot_settle(&r);
    double yaw0 = yaw_of(w, block);
    gs_pose pick = gsu_pose_xyz_yaw(0.4, 0.1, 0.04, 0.3);
    gs_pose place = gsu_pose_xyz_yaw(0.6, -0.2, 0.04, 0.3 + GS_PI / 2);
    gs_action_result res;
    char err[256] = "";
    long before = gs_world_steps(w);
    CHECK(gs_robot_pick_place(&r, &pick, &place, &res, err, sizeof err) == GS_OK);
    CHECK(res.picked == 1 && res.placed == 1 && res.timed_out == 0);
    CHECK(res.held_body == block);
    CHECK(res.steps == gs_world_steps(w) - before);
    CHECK(res.steps > 100 && res.steps < 700);
    gs_pose p;
    gs_world_get_pose(w, block, &p);
    CHECK_NEAR(p.pos[0], 0.6, 0.01);
    CHECK_NEAR(p.pos[1], -0.2, 0.01);
    CHECK_NEAR(p.pos[2], 0.02, 0.002);
    CHECK_NEAR(gsu_wrap_angle(yaw_of(w, block) - yaw0 - GS_PI / 2, 2 * GS_PI), 0, 0.05);
    CHECK(gs_world_max_speed(w) < r.opt.settle_speed);
    /* The cup is home and holds nothing. */
    gs_pose tip;
    gs_robot_tip_pose(&r, &tip);
    CHECK_NEAR(tip.pos[2], r.home.pos[2], 1e-9);
    CHECK(r.held == GS_BODY_NONE && r.weld == -1);
    gs_world_get_pose(w, r.tip, &p);
    CHECK_NEAR(p.pos[2], r.home.pos[2] + r.opt.tip_height / 2, 1e-5);
    CHECK(gs_world_max_penetration(w, NULL, NULL) < 0.002);

    /* A turn the other way, back to the start. */
    pick = gsu_pose_xyz_yaw(0.6, -0.2, 0.04, 0);
    place = gsu_pose_xyz_yaw(0.4, 0.1, 0.04, -GS_PI / 2);
    CHECK(gs_robot_pick_place(&r, &pick, &place, &res, err, sizeof err) == GS_OK);
    CHECK(res.picked == 1 && res.placed == 1);
    gs_world_get_pose(w, block, &p);
    CHECK_NEAR(p.pos[0], 0.4, 0.01);
    CHECK_NEAR(p.pos[1], 0.1, 0.01);
    CHECK_NEAR(gsu_wrap_angle(yaw_of(w, block) - yaw0, 2 * GS_PI), 0, 0.05);
    gs_world_free(w);
}

/* Nothing under the cup, or only something fixed: nothing is picked, and
 * the fixed body stays put. */
static void test_pick_nothing(void) {
    gs_robot r;
    gs_world *w = new_world(&r);
    int block = add_block(w, 0.04, 0.4, 0.1, 0, 0);
    int fixed = add_block(w, 0.04, 0.6, 0.2, 0, 1);
    gs_robot_settle(&r);
    gs_action_result res;
    char err[256] = "";
    gs_pose pick = gsu_pose_xyz_yaw(0.5, -0.3, 0.0, 0);
    gs_pose place = gsu_pose_xyz_yaw(0.6, -0.2, 0.04, 0);
    CHECK(gs_robot_pick_place(&r, &pick, &place, &res, err, sizeof err) == GS_OK);
    CHECK(res.picked == 0 && res.placed == 0 && res.timed_out == 0);
    CHECK(res.held_body == GS_BODY_NONE);
    CHECK(res.steps > 0);
    gs_pose tip;
    gs_robot_tip_pose(&r, &tip);
    CHECK_NEAR(tip.pos[0], r.home.pos[0], 1e-9);
    CHECK_NEAR(tip.pos[2], r.home.pos[2], 1e-9);

    pick = gsu_pose_xyz_yaw(0.6, 0.2, 0.04, 0);
    CHECK(gs_robot_pick_place(&r, &pick, &place, &res, err, sizeof err) == GS_OK);
    CHECK(res.picked == 0 && res.timed_out == 0);
    gs_pose p;
    gs_world_get_pose(w, fixed, &p);
    CHECK_NEAR(p.pos[0], 0.6, 1e-6);
    CHECK_NEAR(p.pos[2], 0.02, 1e-6);
    /* The cup stopped on the fixed block, it did not sink into it. */
    CHECK(res.steps < 500);
    gs_world_get_pose(w, block, &p);
    CHECK_NEAR(p.pos[0], 0.4, 1e-3);
    gs_world_free(w);
}

/* Placing onto another block builds a stack. */
static void test_stack(void) {
    gs_robot r;
    gs_world *w = new_world(&r);
    int base = add_block(w, 0.04, 0.5, 0.2, 0.2, 0);
    int top = add_block(w, 0.04, 0.4, -0.1, 0, 0);
    gs_robot_settle(&r);
    gs_action_result res;
    char err[256] = "";
    gs_pose pick = gsu_pose_xyz_yaw(0.4, -0.1, 0.04, 0);
    gs_pose place = gsu_pose_xyz_yaw(0.5, 0.2, 0.08, 0.2);
    CHECK(gs_robot_pick_place(&r, &pick, &place, &res, err, sizeof err) == GS_OK);
    CHECK(res.picked == 1 && res.placed == 1 && res.held_body == top);
    gs_robot_settle(&r);
    gs_pose p;
    gs_world_get_pose(w, top, &p);
    CHECK_NEAR(p.pos[0], 0.5, 0.01);
    CHECK_NEAR(p.pos[1], 0.2, 0.01);
    CHECK_NEAR(p.pos[2], 0.06, 0.003);
    gs_world_get_pose(w, base, &p);
    CHECK_NEAR(p.pos[0], 0.5, 0.003);
    CHECK_NEAR(p.pos[2], 0.02, 0.002);
    int ids[4];
    int n = gs_world_contacts(w, top, 0.002, ids, 4);
    CHECK(n == 1 && ids[0] == base);
    gs_world_free(w);
}

/* The spatula pushes a small block about as far as it sweeps. */
static void test_push(void) {
    gs_robot r;
    gs_world *w = new_world(&r);
    int block = add_block(w, 0.03, 0.45, 0.0, 0, 0);
    int bystander = add_block(w, 0.04, 0.6, 0.3, 0, 0);
    gs_robot_settle(&r);
    gs_pose p0, p;
    gs_world_get_pose(w, block, &p0);
    double from[3] = {0.45 - 0.015 - 0.01, 0.0, 0.004};
    double to[3] = {from[0] + 0.10, 0.0, 0.004};
    gs_action_result res;
    char err[256] = "";
    CHECK(gs_robot_push(&r, from, to, &res, err, sizeof err) == GS_OK);
    CHECK(res.timed_out == 0 && res.picked == 0);
    CHECK(res.steps > 0 && res.steps < 600);
    gs_world_get_pose(w, block, &p);
    /* The blade's front face meets the block 7.5 mm into the sweep. */
    CHECK_NEAR(p.pos[0] - p0.pos[0], 0.0925, 0.02);
    CHECK_NEAR(p.pos[1], 0.0, 0.01);
    CHECK_NEAR(p.pos[2], 0.015, 0.002);
    gs_world_get_pose(w, bystander, &p);
    CHECK_NEAR(p.pos[0], 0.6, 1e-4);
    /* The blade is parked out of the workspace again. */
    gs_world_get_pose(w, r.spatula, &p);
    CHECK(p.pos[2] > 0.9);
    CHECK(gs_robot_owns(&r, r.spatula) && gs_robot_owns(&r, r.tip) && !gs_robot_owns(&r, block));

    /* A push along y turns the blade to face it. */
    gs_world_get_pose(w, block, &p0);
    double from2[3] = {p0.pos[0], p0.pos[1] - 0.03, 0.004};
    double to2[3] = {p0.pos[0], p0.pos[1] + 0.05, 0.004};
    CHECK(gs_robot_push(&r, from2, to2, &res, err, sizeof err) == GS_OK);
    gs_world_get_pose(w, block, &p);
    CHECK_NEAR(p.pos[1] - p0.pos[1], 0.0625, 0.02);
    CHECK_NEAR(p.pos[0], p0.pos[0], 0.01);
    gs_world_free(w);
}

/* Identical calls, identical outcome, bit for bit. */
static void test_determinism(void) {
    gs_pose end[2][3];
    for (int run = 0; run < 2; run++) {
        gs_robot r;
        gs_world *w = new_world(&r);
        int a = add_block(w, 0.04, 0.4, 0.1, 0.3, 0);
        int b = add_block(w, 0.04, 0.55, -0.1, 0.0, 0);
        int c = add_block(w, 0.03, 0.35, -0.3, 0.7, 0);
        gs_robot_settle(&r);
        gs_pose pick = gsu_pose_xyz_yaw(0.4, 0.1, 0.04, 0);
        gs_pose place = gsu_pose_xyz_yaw(0.55, -0.1, 0.08, 1.0);
        gs_action_result res;
        gs_robot_pick_place(&r, &pick, &place, &res, NULL, 0);
        double from[3] = {0.3, -0.3, 0.003}, to[3] = {0.45, -0.3, 0.003};
        gs_robot_push(&r, from, to, &res, NULL, 0);
        gs_world_get_pose(w, a, &end[run][0]);
        gs_world_get_pose(w, b, &end[run][1]);
        gs_world_get_pose(w, c, &end[run][2]);
        gs_world_free(w);
    }
    CHECK(memcmp(end[0], end[1], sizeof end[0]) == 0);
    CHECK(end[0][0].pos[2] > 0.05); /* the stack was built */
}

/* A tiny step budget ends the action cleanly: timed out, nothing held. */
static void test_timeout(void) {
    gs_robot_options o = gs_robot_options_default();
    o.max_action_steps = 120;
    char err[256] = "";
    gs_world *w = gs_world_create(NULL, err, sizeof err);
    gs_robot r;
    CHECK(gs_robot_init(&r, w, &o, err, sizeof err) == GS_OK);
    int block = add_block(w, 0.04, 0.4, 0.1, 0, 0);
    gs_pose pick = gsu_pose_xyz_yaw(0.4, 0.1, 0.04, 0);
    gs_pose place = gsu_pose_xyz_yaw(0.6, -0.2, 0.04, 0);
    gs_action_result res;
    CHECK(gs_robot_pick_place(&r, &pick, &place, &res, err, sizeof err) == GS_OK);
    CHECK(res.timed_out == 1 && res.steps == 120);
    CHECK(res.picked == 1 && res.placed == 0);
    CHECK(r.held == GS_BODY_NONE && r.weld == -1);
    gs_robot_settle(&r);
    gs_pose p;
    gs_world_get_pose(w, block, &p);
    CHECK(p.pos[2] < 0.03); /* dropped, not hanging */
    gs_world_free(w);
}

/* The per-step observer sees every simulated step the robot takes. */
static void count_step(void *ud) { ++*(long *)ud; }

static void test_on_step(void) {
    gs_robot r;
    gs_world *w = new_world(&r);
    add_block(w, 0.04, 0.4, 0.1, 0, 0);
    long seen = 0;
    r.on_step = count_step;
    r.on_step_ud = &seen;
    long before = gs_world_steps(w);
    gs_robot_settle(&r);
    gs_action_result res;
    char err[256] = "";
    gs_pose pick = gsu_pose_xyz_yaw(0.4, 0.1, 0.04, 0);
    gs_pose place = gsu_pose_xyz_yaw(0.6, -0.2, 0.04, 0);
    CHECK(gs_robot_pick_place(&r, &pick, &place, &res, err, sizeof err) == GS_OK);
    CHECK(seen > 100);
    CHECK(seen == gs_world_steps(w) - before);
    gs_world_free(w);
}

static void test_usage(void) {
    char err[256] = "";
    gs_world *w = gs_world_create(NULL, err, sizeof err);
    gs_robot r;
    gs_robot_options o = gs_robot_options_default();
    CHECK_NEAR(o.speed, 1.0, 0);
    CHECK_NEAR(o.hover, 0.15, 0);
    CHECK(o.max_action_steps == 4800);
    o.slow_speed = 0;
    CHECK(gs_robot_init(&r, w, &o, err, sizeof err) == GS_ERR_USAGE);
    CHECK_STR_CONTAINS(err, "slow_speed");
    CHECK(gs_world_body_count(w) == 0);
    CHECK(gs_robot_init(&r, w, NULL, err, sizeof err) == GS_OK);
    CHECK(gs_world_body_count(w) == 2);
    CHECK(!gs_world_body_is_dynamic(w, r.tip));
    gs_pose bad = gsu_pose_xyz_yaw(NAN, 0, 0, 0), good = gsu_pose_xyz_yaw(0.5, 0, 0.04, 0);
    gs_action_result res;
    CHECK(gs_robot_pick_place(&r, &bad, &good, &res, err, sizeof err) == GS_ERR_USAGE);
    CHECK_STR_CONTAINS(err, "finite");
    CHECK(gs_robot_pick_place(&r, &good, NULL, &res, err, sizeof err) == GS_ERR_USAGE);
    double from[3] = {0.4, 0, INFINITY}, to[3] = {0.5, 0, 0};
    CHECK(gs_robot_push(&r, from, to, &res, err, sizeof err) == GS_ERR_USAGE);
    CHECK(gs_world_steps(w) == 0);
    /* A scene already at rest settles in a handful of steps. */
    long n = gs_robot_settle(&r);
    CHECK(n >= 4 && n < 10);
    gs_world_free(w);
}

/* A drag: the cup grips a drawer-like tray on a slider at its handle and
 * pulls it along the path; touching something else grips nothing; a body
 * a joint moves cannot be picked up. */
static int slide_path(void *ud, const double grip[3], double (*path)[3], int max) {
    (void)max;
    double by = *(const double *)ud;
    for (int i = 0; i < 10; i++) {
        path[i][0] = grip[0] + by * (i + 1) / 10, path[i][1] = grip[1], path[i][2] = grip[2];
    }
    return 10;
}

static void test_drag(void) {
    gs_robot r;
    gs_world *w = new_world(&r);
    int base = add_block(w, 0.1, 0.5, 0.0, 0, 1);
    char err[256];
    gs_shape tray = {GS_SHAPE_BOX, {0.06, 0.06, 0.02}, gsu_pose_identity()};
    gs_body_desc d;
    memset(&d, 0, sizeof d);
    d.shapes = &tray, d.nshapes = 1, d.mass = 0.2, d.friction = 0.5, d.collides = 1;
    d.pose = gsu_pose_xyz_yaw(0.5, 0.0, 0.11, 0);
    int t = gs_world_add_body(w, &d, err, sizeof err);
    gs_joint_desc j;
    memset(&j, 0, sizeof j);
    j.type = GS_JOINT_PRISMATIC, j.parent = base, j.child = t, j.axis[0] = 1;
    j.lower = 0, j.upper = 0.1, j.friction = 0.5;
    int joint = gs_world_add_joint(w, &j, err, sizeof err);
    CHECK(joint == 0);
    gs_robot_settle(&r);
    double grip[3] = {0.5, 0.0, 0.12}, by = 0.08, q;
    gs_action_result res;
    CHECK(gs_robot_drag(&r, grip, t, slide_path, &by, &res, err, sizeof err) == GS_OK);
    CHECK(res.picked && res.placed && res.held_body == t && !res.timed_out);
    gs_world_joint_state(w, joint, &q, NULL);
    CHECK_NEAR(q, 0.08, 0.005);
    CHECK(r.held == GS_BODY_NONE && r.weld == -1);
    /* gripping where the fixed base is: nothing is held, nothing moves */
    double beside[3] = {0.5, 0.045, 0.1};
    CHECK(gs_robot_drag(&r, beside, t, slide_path, &by, &res, err, sizeof err) == GS_OK);
    CHECK(!res.picked);
    gs_world_joint_state(w, joint, &q, NULL);
    CHECK_NEAR(q, 0.08, 0.005);
    /* pick-and-place leaves a jointed body where it is */
    gs_pose pick = gsu_pose_xyz_yaw(0.58, 0.0, 0.12, 0), place = gsu_pose_xyz_yaw(0.3, 0.3, 0.12, 0);
    CHECK(gs_robot_pick_place(&r, &pick, &place, &res, err, sizeof err) == GS_OK);
    CHECK(!res.picked);
    CHECK(gs_robot_drag(&r, grip, t, NULL, &by, &res, err, sizeof err) == GS_ERR_USAGE);
    gs_world_free(w);
}

int main(void) {
    test_drag();
    test_pick_place();
    test_pick_nothing();
    test_stack();
    test_push();
    test_determinism();
    test_timeout();
    test_on_step();
    test_usage();
    return CHECK_DONE();
}

static gs_world *new_world(gs_robot *r) {
    char err[256] = "";
    gs_world *w = gs_world_create(NULL, err, sizeof err);
    if (!w || gs_robot_init(r, w, NULL, err, sizeof err) != GS_OK)
        fprintf(stderr, "setup: %s\n", err);
    return w;
}

static int add_block(gs_world *w, double size, double x, double y, double yaw, int fixed) {
    gs_shape s = {GS_SHAPE_BOX, {size, size, size}, gsu_pose_identity()};
    gs_body_desc d;
    memset(&d, 0, sizeof d);
    d.shapes = &s;
    d.nshapes = 1;
    d.mass = fixed ? 0 : 0.1;
    d.friction = 0.5;
    d.pose = gsu_pose_xyz_yaw(x, y, size / 2, yaw);
    d.collides = 1;
    char err[256];
    int id = gs_world_add_body(w, &d, err, sizeof err);
    if (id < 0) fprintf(stderr, "add_block: %s\n", err);
    return id;
}

static double yaw_of(gs_world *w, int body) {
    gs_pose p;
    gs_world_get_pose(w, body, &p);
    return gsu_pose_yaw(&p);
}
