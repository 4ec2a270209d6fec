/* Goals and metrics on constructed scenes; placement; the oracle's choices. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gensim/task.h"
#include "task/scene_internal.h"

static gsu_rng rng;

/* Records the highest an object goes while an action runs. */
typedef struct height_watch {
    const gs_scene *scene;
    int obj;
    double max_z;
} height_watch;

static void watch_height(void *ud) {
    height_watch *w = ud;
    gs_pose p;
    gs_scene_pose(w->scene, w->obj, &p);
    if (p.pos[2] > w->max_z) w->max_z = p.pos[2];
}

static int add(gs_scene *s, const char *kind, double x, double y, double z, double yaw) {
    const gs_asset_kind *k = gs_asset_find(kind);
    gs_asset_params p = {.size = {k->default_size[0], k->default_size[1], k->default_size[2]},
                         .mass = k->default_mass, .fixed = k->default_fixed};
    gs_pose pose = gsu_pose_xyz_yaw(x, y, z, yaw);
    char err[256];
    int i = gs_scene_add(s, k, &p, "red", &pose, err, sizeof err);
    if (i < 0) fprintf(stderr, "add %s: %s\n", kind, err);
    return i;
}

/* A pose goal over objects (n) and targets (m), every pair allowed. */
static void goal(gs_scene *s, const int *objects, int n, const gs_pose *targets, int m,
                 int replace, int rotations, double reward) {
    gs_goal_spec g = gs_goal_spec_default();
    g.objects = objects, g.nobjects = n;
    g.targets = targets, g.ntargets = m;
    g.replace = replace, g.rotations = rotations, g.reward = reward;
    char err[128];
    gs_status st = gs_scene_add_goal(s, &g, err, sizeof err);
    if (st != GS_OK) fprintf(stderr, "goal: %s\n", err);
    CHECK(st == GS_OK);
}

static void fresh(gs_scene *s) {
    gs_scene_options opt = gs_scene_options_default();
    char err[256];
    gsu_rng_seed(&rng, 1);
    gs_status st = gs_scene_init(s, &opt, &rng, err, sizeof err);
    if (st != GS_OK) fprintf(stderr, "scene: %s\n", err);
    CHECK(st == GS_OK);
}

/* 1 when adding spec fails with a message containing want, adding nothing. */
static int goal_refused(gs_scene *s, const gs_goal_spec *spec, const char *want) {
    char err[256] = "";
    int before = s->ngoals;
    gs_status st = gs_scene_add_goal(s, spec, err, sizeof err);
    if (st == GS_OK || !strstr(err, want)) fprintf(stderr, "goal_refused: '%s' (wanted '%s')\n", err, want);
    return st == GS_ERR_USAGE && strstr(err, want) && s->ngoals == before;
}

/* The core's rules for goals and objects, as a C caller meets them. */
static void check_core_rules(void) {
    gs_scene s;
    fresh(&s);
    int a = add(&s, "block", 0.5, 0.0, 0.02, 0), b = add(&s, "block", 0.6, 0.1, 0.02, 0);
    int bowl = add(&s, "bowl", 0.4, -0.2, 0, 0);
    gs_pose t[2] = {gsu_pose_xyz_yaw(0.4, 0.2, 0.02, 0), gsu_pose_xyz_yaw(0.45, 0.2, 0.02, 0)};
    gs_goal_spec g = gs_goal_spec_default();
    int bad_index[1] = {7}, twice[2] = {a, a}, fixed[1] = {bowl}, both[2] = {a, b};
    g.targets = t, g.ntargets = 2;
    g.objects = bad_index, g.nobjects = 1;
    CHECK(goal_refused(&s, &g, "not an object of the scene"));
    g.objects = twice, g.nobjects = 2;
    CHECK(goal_refused(&s, &g, "twice"));
    g.objects = fixed, g.nobjects = 1;
    CHECK(goal_refused(&s, &g, "bowl (red), is fixed"));
    g.objects = both, g.nobjects = 2, g.ntargets = 1;
    CHECK(goal_refused(&s, &g, "can never be met"));
    g.matches = GS_MATCH_PAIRS;
    CHECK(goal_refused(&s, &g, "as many targets as objects"));
    g.matches = GS_MATCH_ANY, g.ntargets = 2, g.tolerance = 0.9;
    CHECK(goal_refused(&s, &g, "'tolerance' = 0.9"));
    g.tolerance = 0.01, g.symmetry = -0.5;
    CHECK(goal_refused(&s, &g, "'symmetry'"));
    g.symmetry = -1, g.metric = GS_METRIC_ZONE, g.matches = GS_MATCH_PAIRS, g.ntargets = 0;
    CHECK(goal_refused(&s, &g, "'matches' only with 'targets'"));
    g.ntargets = 1; /* a zone's targets are matched as a pose goal's are */
    CHECK(goal_refused(&s, &g, "as many targets as objects"));
    g.matches = GS_MATCH_ANY, g.ntargets = 2, g.zone_size[0] = -1;
    CHECK(goal_refused(&s, &g, "'zone'.size[1]"));
    g.zone_size[0] = 0.1, g.metric = GS_METRIC_POSE;
    char long_lang[GS_GOAL_LANG_MAX + 2];
    memset(long_lang, 'a', sizeof long_lang - 1);
    long_lang[sizeof long_lang - 1] = 0;
    g.lang = long_lang;
    CHECK(goal_refused(&s, &g, "'lang' is 1025 bytes"));
    g.lang = "put the blocks down", g.reward = 1.0 / GS_MAX_GOALS;
    char err[256];
    for (int k = 0; k < GS_MAX_GOALS; k++) CHECK(gs_scene_add_goal(&s, &g, err, sizeof err) == GS_OK);
    CHECK(goal_refused(&s, &g, "too many goals"));
    CHECK(strcmp(s.goals[0].lang, "put the blocks down") == 0);
    CHECK(s.cap_scratch >= 2 + 2 * 2); /* the scorer's memory, sized by the goals */

    /* objects: defaults, the radius rule, markers, unknown names */
    gs_asset_request req;
    memset(&req, 0, sizeof req);
    gs_pose p = gsu_pose_xyz_yaw(0.3, 0.4, 0.03, 0);
    int first;
    CHECK(gs_scene_add_object(&s, "bloc", &req, &p, &first, err, sizeof err) == -1 &&
          strstr(err, "did you mean 'block'"));
    req.has_radius = 1, req.radius = 0.03;
    CHECK(gs_scene_add_object(&s, "block", &req, &p, &first, err, sizeof err) == -1 &&
          strstr(err, "takes no option 'radius'") && strstr(err, "color, fixed, mass"));
    req.has_size = 1, req.size[0] = 0.05, req.size[1] = 0.09, req.size[2] = 0.1;
    CHECK(gs_scene_add_object(&s, "ball", &req, &p, &first, err, sizeof err) == -1 &&
          strstr(err, "size or radius, not both"));
    req.has_radius = 0; /* sizes are always {x, y, z}: a ball's the same each way */
    CHECK(gs_scene_add_object(&s, "ball", &req, &p, &first, err, sizeof err) == -1 &&
          strstr(err, "must be the same each way"));
    req.has_size = 0, req.has_radius = 1, req.radius = 0.2;
    CHECK(gs_scene_add_object(&s, "cylinder", &req, &p, &first, err, sizeof err) == 1);
    CHECK_NEAR(s.objects[first].params.size[0], 0.4, 1e-12);
    CHECK_NEAR(s.objects[first].params.size[1], 0.4, 1e-12);
    CHECK_NEAR(s.objects[first].params.size[2], gs_asset_find("cylinder")->default_size[2], 1e-12);
    req.radius = 0.6;
    CHECK(gs_scene_add_object(&s, "ball", &req, &p, &first, err, sizeof err) == -1 && strstr(err, "'radius' = 0.6"));
    memset(&req, 0, sizeof req);
    req.has_size = 1, req.size[0] = 0.1, req.size[1] = 0.1, req.size[2] = 0;
    p = gsu_pose_xyz_yaw(0.3, -0.4, 0, 0);
    CHECK(gs_scene_add_object(&s, "zone", &req, &p, &first, err, sizeof err) == 1);
    CHECK(s.objects[first].params.size[2] > 0); /* a flat marker keeps its thickness */
    req.color = "magneta";
    CHECK(gs_scene_add_object(&s, "zone", &req, &p, &first, err, sizeof err) == -1 &&
          strstr(err, "unknown colour 'magneta'"));
    req.color = NULL, req.has_size = 0, req.has_count = 1, req.count = 5;
    p = gsu_pose_xyz_yaw(0.6, -0.3, 0.01, 0);
    int n = gs_scene_add_object(&s, "pile", &req, &p, &first, err, sizeof err);
    CHECK(n == 5 && first + 5 == s.nobjects);
    gs_scene_free(&s);
}

/* Where the centre of the object a picks lands: its offset from the pick,
 * turned with the object and carried to the place. */
static void placed_centre(const gs_scene *s, int obj, const gs_action *a, double out[2]) {
    gs_pose p;
    gs_scene_pose(s, obj, &p);
    double turn = gsu_pose_yaw(&a->place) - gsu_pose_yaw(&a->pick);
    double ox = p.pos[0] - a->pick.pos[0], oy = p.pos[1] - a->pick.pos[1];
    out[0] = a->place.pos[0] + cos(turn) * ox - sin(turn) * oy;
    out[1] = a->place.pos[1] + sin(turn) * ox + cos(turn) * oy;
}

/* A zone goal over objects (n), the zone a box of side and height 0.1 at
 * x, y; targets (m, nullable) where the oracle should put things. */
static void zone_goal(gs_scene *s, const int *objects, int n, double x, double y, double side,
                      const gs_pose *targets, int m, int replace) {
    gs_goal_spec g = gs_goal_spec_default();
    g.objects = objects, g.nobjects = n;
    g.targets = targets, g.ntargets = m;
    g.replace = replace;
    g.metric = GS_METRIC_ZONE;
    g.zone_pose = gsu_pose_xyz_yaw(x, y, 0, 0);
    g.zone_size[0] = g.zone_size[1] = side, g.zone_size[2] = 0.1;
    char err[128];
    gs_status st = gs_scene_add_goal(s, &g, err, sizeof err);
    if (st != GS_OK) fprintf(stderr, "zone_goal: %s\n", err);
    CHECK(st == GS_OK);
}

/* Runs the oracle until it stops or max actions; returns how many it took.
 * None of them may pick an object the goal already counts as placed. */
static int play_oracle(gs_scene *s, int max) {
    char err[256];
    int n = 0;
    gs_action a;
    while (n < max && gs_oracle_action(s, &a)) {
        const gs_goal *g = &s->goals[0];
        for (int i = 0; i < g->nobjects; i++) {
            gs_pose p;
            gs_scene_pose(s, g->objects[i], &p);
            int picked = hypot(p.pos[0] - a.pick.pos[0], p.pos[1] - a.pick.pos[1]) < 0.01;
            if (picked && g->metric == GS_METRIC_ZONE)
                CHECK(gs__zone_fraction(s, g, g->objects[i]) < 1);
        }
        gs_action_result res;
        CHECK(gs_scene_act(s, &a, &res, err, sizeof err) == GS_OK);
        n++;
    }
    return n;
}

/* Several objects into one place: each gets a free spot of its own. */
static void test_oracle_spreads(void) {
    gs_scene s;
    gs_action act;
    char err[256];
    /* one bowl shared by two blocks, one already on its floor: the other
     * goes beside it, on the floor, within tolerance */
    fresh(&s);
    int bowl = add(&s, "bowl", 0.5, 0.0, 0, 0);
    int in = add(&s, "block", 0.485, 0.0, 0.006 + 0.02, 0);
    int out = add(&s, "block", 0.35, 0.3, 0.02, 0.4);
    gs_pose target;
    gs_scene_pose(&s, bowl, &target);
    int both[2] = {in, out};
    goal(&s, both, 2, &target, 1, 1, 0, 1);
    s.goals[0].tolerance = 0.05;
    gs_robot_settle(&s.robot);
    CHECK_NEAR(gs_goal_credit(&s, &s.goals[0]), 0.5, 1e-12);
    CHECK(gs_oracle_action(&s, &act));
    CHECK_NEAR(act.pick.pos[0], 0.35, 0.0032); /* the block outside, not the one in */
    double c[2];
    placed_centre(&s, out, &act, c);
    gs_pose inp;
    gs_scene_pose(&s, in, &inp);
    CHECK(hypot(c[0] - 0.5, c[1]) <= 0.045 + 1e-9);
    CHECK(fmax(fabs(c[0] - inp.pos[0]), fabs(c[1] - inp.pos[1])) > 0.043); /* not on it */
    CHECK_NEAR(act.place.pos[2] - act.pick.pos[2], 0.006, 0.001);           /* on the floor */
    gs_action_result res;
    CHECK(gs_scene_act(&s, &act, &res, err, sizeof err) == GS_OK);
    CHECK_NEAR(gs_goal_credit(&s, &s.goals[0]), 1, 1e-12);
    gs_scene_free(&s);

    /* three blocks into a 10 cm zone: room for each, and each moved once */
    fresh(&s);
    int three[3] = {add(&s, "block", 0.35, -0.3, 0.02, 0), add(&s, "block", 0.65, 0.3, 0.02, 1),
                    add(&s, "block", 0.35, 0.35, 0.02, 2)};
    zone_goal(&s, three, 3, 0.55, -0.1, 0.1, NULL, 0, 0);
    CHECK(play_oracle(&s, 6) == 3);
    CHECK_NEAR(gs_goal_credit(&s, &s.goals[0]), 1, 1e-12);
    gs_scene_free(&s);

    /* a zone with targets of its own: each block to the nearest free one */
    fresh(&s);
    int two[2] = {add(&s, "block", 0.35, -0.3, 0.02, 0), add(&s, "block", 0.37, -0.2, 0.02, 0)};
    gs_pose spots[2] = {gsu_pose_xyz_yaw(0.45, 0.1, 0.02, 0), gsu_pose_xyz_yaw(0.6, 0.1, 0.02, 0)};
    zone_goal(&s, two, 2, 0.525, 0.1, 0.25, spots, 2, 0);
    CHECK(gs_oracle_action(&s, &act));
    placed_centre(&s, two[0], &act, c);
    CHECK_NEAR(c[0], 0.45, 1e-6);
    CHECK_NEAR(c[1], 0.1, 1e-6);
    CHECK(gs_scene_act(&s, &act, &res, err, sizeof err) == GS_OK);
    CHECK(gs_oracle_action(&s, &act));
    placed_centre(&s, two[1], &act, c);
    CHECK_NEAR(c[0], 0.6, 1e-6); /* the nearer one is taken */
    gs_scene_free(&s);

    /* targets stacked in a zone (a pallet's layers): the block on the lower
     * one does not take the one above it, so the second block is stacked */
    fresh(&s);
    two[0] = add(&s, "block", 0.35, -0.3, 0.02, 0), two[1] = add(&s, "block", 0.37, -0.2, 0.02, 0);
    gs_pose layers[2] = {gsu_pose_xyz_yaw(0.5, 0.1, 0.02, 0), gsu_pose_xyz_yaw(0.5, 0.1, 0.06, 0)};
    zone_goal(&s, two, 2, 0.5, 0.1, 0.1, layers, 2, 0);
    s.goals[0].zone_size[2] = 0.3; /* up to 15 cm: both layers inside */
    CHECK(gs_oracle_action(&s, &act));
    placed_centre(&s, two[0], &act, c);
    CHECK(hypot(c[0] - 0.5, c[1] - 0.1) < 1e-6);
    CHECK(gs_scene_act(&s, &act, &res, err, sizeof err) == GS_OK);
    CHECK(gs_oracle_action(&s, &act));
    placed_centre(&s, two[1], &act, c);
    CHECK(hypot(c[0] - 0.5, c[1] - 0.1) < 1e-6); /* over the first, not beside it */
    CHECK(gs_scene_act(&s, &act, &res, err, sizeof err) == GS_OK);
    gs_pose top;
    gs_scene_pose(&s, two[1], &top);
    CHECK_NEAR(top.pos[2], 0.06, 0.005);
    CHECK_NEAR(gs_goal_credit(&s, &s.goals[0]), 1, 1e-12);
    gs_scene_free(&s);
}


/* ---- articulated objects ---- */

static int count_charge(void *ud, ptrdiff_t bytes) {
    *(size_t *)ud += (size_t)bytes;
    return 1;
}

static int add_kind(gs_scene *s, const char *kind, const gs_asset_request *req, double x, double y, double yaw) {
    gs_pose pose = gsu_pose_xyz_yaw(x, y, 0, yaw);
    int first = -1;
    char err[512];
    if (gs_scene_add_object(s, kind, req, &pose, &first, err, sizeof err) < 0) fprintf(stderr, "add %s: %s\n", kind, err);
    return first;
}

/* A drawer: its joint read, limited, set at reset; its links' poses. */
static void test_articulated_joints(void) {
    gs_scene s;
    fresh(&s);
    gs_asset_request req;
    memset(&req, 0, sizeof req);
    size_t charged = 0;
    s.charge = count_charge, s.charge_ud = &charged;
    int d = add_kind(&s, "drawer", &req, 0.45, 0.1, GS_PI / 2);
    CHECK(d == 0 && s.objects[d].art && s.objects[d].art->model.nlinks == 2);
    CHECK(charged >= 2 * GS_OBJECT_HOST_BYTES); /* both links charged */
    double q, f, lo, hi;
    char err[512];
    CHECK(gs_scene_joint_state(&s, d, "drawer", &q, &f, err, sizeof err) == GS_OK);
    CHECK_NEAR(q, 0, 1e-5);
    CHECK_NEAR(f, 0, 1e-5);
    CHECK(gs_scene_joint_limits(&s, d, "drawer", &lo, &hi, err, sizeof err) == GS_OK);
    CHECK_NEAR(lo, 0, 0);
    CHECK_NEAR(hi, 0.85 * (0.16 - 0.011), 1e-12); /* the kind's default: 0.85 of its depth */
    gs_pose shut, open, base, obj;
    CHECK(gs_scene_link_pose(&s, d, "drawer", &shut, err, sizeof err) == GS_OK);
    CHECK(gs_scene_set_joint(&s, d, "drawer", 0.5, err, sizeof err) == GS_OK);
    CHECK(gs_scene_joint_state(&s, d, "drawer", &q, &f, err, sizeof err) == GS_OK);
    CHECK_NEAR(f, 0.5, 1e-4);
    CHECK(gs_scene_link_pose(&s, d, "drawer", &open, err, sizeof err) == GS_OK);
    /* turned a quarter: the drawer slides out along the world's y */
    CHECK_NEAR(open.pos[1] - shut.pos[1], 0.5 * hi, 1e-4);
    CHECK_NEAR(open.pos[0], shut.pos[0], 1e-5);
    CHECK(gs_scene_link_pose(&s, d, "base", &base, err, sizeof err) == GS_OK);
    gs_scene_pose(&s, d, &obj);
    CHECK(memcmp(&base, &obj, sizeof base) == 0);
    /* what is wrong is said, naming what there is */
    CHECK(gs_scene_joint_state(&s, d, "door", &q, &f, err, sizeof err) == GS_ERR_USAGE);
    CHECK_STR_CONTAINS(err, "has no joint 'door' (its joints: 'drawer')");
    CHECK(gs_scene_link_pose(&s, d, "lid", &open, err, sizeof err) == GS_ERR_USAGE);
    CHECK_STR_CONTAINS(err, "its links: 'base', 'drawer'");
    CHECK(gs_scene_set_joint(&s, d, "drawer", 1.5, err, sizeof err) == GS_ERR_USAGE);
    CHECK_STR_CONTAINS(err, "outside 0..1");
    int b = add(&s, "block", 0.3, -0.3, 0.02, 0);
    CHECK(gs_scene_joint_state(&s, b, "drawer", &q, &f, err, sizeof err) == GS_ERR_USAGE);
    CHECK_STR_CONTAINS(err, "has no joints");
    CHECK(gs_scene_link_pose(&s, b, "base", &open, err, sizeof err) == GS_OK);
    /* the joint in the list the recorder reads, and in the digest */
    CHECK(gs_scene_joint_count(&s) == 1);
    int o;
    const char *name;
    CHECK(gs_scene_joint_info(&s, 0, &o, &name, &q, &f) && o == d && strcmp(name, "drawer") == 0);
    CHECK(!gs_scene_joint_info(&s, 1, &o, &name, &q, &f));
    uint64_t h1 = gs_scene_digest(&s, 1);
    gs_scene_set_joint(&s, d, "drawer", 0.2, err, sizeof err);
    CHECK(gs_scene_digest(&s, 1) != h1);
    /* drawn: every link's parts under the object's id */
    int n = gs_scene_render_items(&s, NULL, 0);
    CHECK(n == s.objects[d].art->model.links[0].nshapes + s.objects[d].art->model.links[1].nshapes + 1);
    gsr_item *items = malloc(sizeof *items * (size_t)n);
    gs_scene_render_items(&s, items, n);
    for (int i = 0; i < n - 1; i++) CHECK(items[i].id == d + 1);
    free(items);
    gs_scene_free(&s);
}

/* Joint goals: checked, scored by fraction, latched; places on a link
 * ride with it; the oracle drags; a bad drag is an error. */
static void test_articulated_goals(void) {
    gs_scene s;
    fresh(&s);
    gs_asset_request req;
    memset(&req, 0, sizeof req);
    int d = add_kind(&s, "drawer", &req, 0.4, 0.0, 0);
    int blk = add(&s, "block", 0.6, 0.3, 0.02, 0);
    char err[512];
    gs_goal_spec g = gs_goal_spec_default();
    g.metric = GS_METRIC_JOINT, g.joint = "drawer", g.objects = &d, g.nobjects = 1, g.target = 1.2;
    CHECK(goal_refused(&s, &g, "must be a fraction"));
    g.target = 1, g.objects = &blk;
    CHECK(goal_refused(&s, &g, "has no joints"));
    g.objects = &d, g.joint = "door";
    CHECK(goal_refused(&s, &g, "has no joint 'door'"));
    g.joint = NULL;
    CHECK(goal_refused(&s, &g, "needs joint"));
    gs_goal_spec p = gs_goal_spec_default();
    gs_pose t = gsu_pose_xyz_yaw(0.3, 0, 0.02, 0);
    p.objects = &blk, p.nobjects = 1, p.targets = &t, p.ntargets = 1, p.joint = "drawer";
    CHECK(goal_refused(&s, &p, "for metric \"joint\" only"));
    /* open (latched), then shut again */
    g.joint = "drawer", g.target = 1, g.latch = 1, g.reward = 0.5;
    CHECK(gs_scene_add_goal(&s, &g, err, sizeof err) == GS_OK);
    CHECK_NEAR(s.goals[0].tolerance, GS_JOINT_TOLERANCE, 0);
    g.target = 0, g.latch = 0;
    CHECK(gs_scene_add_goal(&s, &g, err, sizeof err) == GS_OK);
    gs__scene_refresh(&s);
    int stage;
    CHECK_NEAR(gs_scene_reward(&s, &stage), 0, 1e-12);
    gs_scene_set_joint(&s, d, "drawer", 0.97, err, sizeof err);
    gs__scene_refresh(&s);
    CHECK(s.goals[0].latched);
    CHECK_NEAR(gs_scene_reward(&s, &stage), 0.5, 1e-12);
    gs_scene_set_joint(&s, d, "drawer", 0, err, sizeof err);
    CHECK_NEAR(gs_scene_reward(&s, &stage), 1, 1e-12); /* stage 1 counts, latched */
    s.goals[0].latched = 0;
    CHECK_NEAR(gs_scene_reward(&s, &stage), 0, 1e-12); /* without the latch it would not */
    gs_scene_free(&s);

    /* a zone on the shut drawer's floor moves out with the drawer */
    fresh(&s);
    d = add_kind(&s, "drawer", &req, 0.4, 0.0, 0);
    gs_pose floor;
    gs_scene_link_pose(&s, d, "drawer", &floor, err, sizeof err);
    int blk2 = add(&s, "block", 0.65, 0.3, 0.02, 0);
    gs_goal_spec z = gs_goal_spec_default();
    z.metric = GS_METRIC_ZONE, z.objects = &blk2, z.nobjects = 1, z.zone_pose = floor;
    z.zone_size[0] = z.zone_size[1] = 0.1, z.zone_size[2] = 0.1;
    z.targets = &floor, z.ntargets = 1;
    CHECK(gs_scene_add_goal(&s, &z, err, sizeof err) == GS_OK);
    CHECK(s.goals[0].zone_anchor.obj == d && s.goals[0].anchors[0].obj == d);
    gs_scene_set_joint(&s, d, "drawer", 1, err, sizeof err);
    gs__scene_refresh(&s);
    double travel = 0.85 * (0.16 - 0.011);
    CHECK_NEAR(s.goals[0].zone_pose.pos[0], floor.pos[0] + travel, 1e-4);
    CHECK_NEAR(s.goals[0].targets[0].pos[0], floor.pos[0] + travel, 1e-4);
    gs_scene_free(&s);

    /* the oracle drags a joint to its goal's target */
    fresh(&s);
    d = add_kind(&s, "drawer", &req, 0.4, -0.1, 0.4);
    gs_goal_spec j = gs_goal_spec_default();
    j.metric = GS_METRIC_JOINT, j.joint = "drawer", j.objects = &d, j.nobjects = 1, j.target = 0.8;
    CHECK(gs_scene_add_goal(&s, &j, err, sizeof err) == GS_OK);
    gs_robot_settle(&s.robot);
    gs_action a;
    CHECK(gs_oracle_action(&s, &a) && a.kind == GS_ACTION_DRAG && a.drag_object == d);
    CHECK(strcmp(a.drag_joint, "drawer") == 0 && a.drag_to == 0.8);
    double from[3], to[3];
    CHECK(gs__drag_points(&s, &a, from, to));
    gs_action_result res;
    CHECK(gs_scene_act(&s, &a, &res, err, sizeof err) == GS_OK);
    CHECK(res.picked && res.held_body == s.objects[d].art->body[1]);
    double q, f;
    gs_scene_joint_state(&s, d, "drawer", &q, &f, err, sizeof err);
    CHECK_NEAR(f, 0.8, 0.03);
    CHECK_NEAR(gs_scene_reward(&s, NULL), 1, 0);
    gs_action drag = a;
    CHECK(!gs_oracle_action(&s, &a)); /* done */
    /* a drag that names no joint of the object, or goes past the range */
    a = drag;
    gs_action bad = a;
    snprintf(bad.drag_joint, sizeof bad.drag_joint, "lid");
    CHECK(gs_scene_act(&s, &bad, &res, err, sizeof err) == GS_ERR_RUNTIME);
    CHECK_STR_CONTAINS(err, "has no joint 'lid'");
    bad = a, bad.drag_to = -0.5;
    CHECK(gs_scene_act(&s, &bad, &res, err, sizeof err) == GS_ERR_RUNTIME);
    CHECK_STR_CONTAINS(err, "outside 0..1");
    bad = a, bad.drag_object = 7;
    CHECK(gs_scene_act(&s, &bad, &res, err, sizeof err) == GS_ERR_RUNTIME);
    gs_scene_free(&s);
}

/* Every articulated kind builds a valid model from its defaults; a urdf
 * object comes from its file; bad options are refused. */
static void test_articulated_kinds(void) {
    static const char *const kinds[] = {"drawer", "cabinet", "lidded-box", "lever", "knob"};
    static const char *const joints[] = {"drawer", "door", "lid", "lever", "knob"};
    char err[512];
    for (int i = 0; i < 5; i++) {
        const gs_asset_kind *k = gs_asset_find(kinds[i]);
        const gs_asset_articulated *a = k ? gs_asset_articulated_of(k) : NULL;
        CHECK(a && a->build);
        if (!a) continue;
        gs_asset_request req;
        memset(&req, 0, sizeof req);
        gs_asset_params p;
        CHECK(gs_asset_resolve(k, &req, &p, NULL, err, sizeof err) == GS_OK);
        gs_model m;
        gs_model_init(&m);
        CHECK(a->build(&p, &m, err, sizeof err) == GS_OK);
        CHECK(gs_model_check(&m, err, sizeof err) == GS_OK);
        int l = gs_model_find(&m, joints[i], 1);
        CHECK(l == 1 && strcmp(m.links[l].name, joints[i]) == 0 && m.links[l].has_handle);
        gs_model_free(&m);
    }
    gs_asset_request req;
    memset(&req, 0, sizeof req);
    gs_asset_params p;
    req.side = "up";
    CHECK(gs_asset_resolve(gs_asset_find("cabinet"), &req, &p, NULL, err, sizeof err) == GS_ERR_USAGE);
    CHECK_STR_CONTAINS(err, "\"left\" or \"right\"");
    req.side = NULL, req.has_range = 1, req.range = 0.5;
    gs_model m;
    gs_model_init(&m);
    CHECK(gs_asset_resolve(gs_asset_find("drawer"), &req, &p, NULL, err, sizeof err) == GS_OK);
    CHECK(gs_asset_articulated_of(gs_asset_find("drawer"))->build(&p, &m, err, sizeof err) == GS_ERR_USAGE);
    CHECK_STR_CONTAINS(err, "'range'");
    gs_model_free(&m);
    req.has_range = 0, req.has_continuous = 1, req.continuous = 1;
    CHECK(gs_asset_resolve(gs_asset_find("block"), &req, &p, NULL, err, sizeof err) == GS_ERR_USAGE);
    CHECK_STR_CONTAINS(err, "takes no option 'continuous'");

    gs_scene s;
    fresh(&s);
    memset(&req, 0, sizeof req);
    req.file = "scenes/laptop.urdf";
    int lap = add_kind(&s, "urdf", &req, 0.5, 0, 0);
    CHECK(lap == 0);
    double lo, hi;
    CHECK(gs_scene_joint_limits(&s, lap, "lid", &lo, &hi, err, sizeof err) == GS_OK);
    CHECK_NEAR(hi, 1.9, 1e-12);
    req.file = "scenes/../tasks/x.urdf";
    gs_pose at = gsu_pose_xyz_yaw(0.5, 0.3, 0, 0);
    int first;
    CHECK(gs_scene_add_object(&s, "urdf", &req, &at, &first, err, sizeof err) < 0);
    CHECK_STR_CONTAINS(err, "\"..\"");
    req.file = "scenes/none.urdf";
    CHECK(gs_scene_add_object(&s, "urdf", &req, &at, &first, err, sizeof err) < 0);
    CHECK_STR_CONTAINS(err, "no scene file");
    CHECK(s.nobjects == 1);
    gs_scene_free(&s);
}

int main(void) {
    test_articulated_joints();
    test_articulated_goals();
    test_articulated_kinds();
    check_core_rules();
    gs_scene s;
    char err[1024];

    /* pose metric: x-y tolerance, z within half height + tolerance, yaw modulo symmetry */
    fresh(&s);
    int a = add(&s, "block", 0.5, 0.0, 0.02, 0.0);
    gs_pose t[4] = {gsu_pose_xyz_yaw(0.505, 0.005, 0.02, 0), gsu_pose_xyz_yaw(0.52, 0, 0.02, 0),
                    gsu_pose_xyz_yaw(0.5, 0, 0.07, 0), gsu_pose_xyz_yaw(0.5, 0, 0.02, GS_PI / 4)};
    for (int j = 0; j < 4; j++) goal(&s, &a, 1, &t[j], 1, 0, 1, 0.25);
    CHECK_NEAR(gs_goal_credit(&s, &s.goals[0]), 1, 0); /* 7 mm off: inside 1 cm */
    CHECK_NEAR(gs_goal_credit(&s, &s.goals[1]), 0, 0); /* 2 cm off */
    CHECK_NEAR(gs_goal_credit(&s, &s.goals[2]), 0, 0); /* 5 cm too low: more than 2 + 1 cm */
    CHECK_NEAR(gs_goal_credit(&s, &s.goals[3]), 0, 0); /* 45 deg off a quarter-turn symmetry */
    s.goals[3].rotations = 0;
    CHECK_NEAR(gs_goal_credit(&s, &s.goals[3]), 1, 0);
    s.goals[3].rotations = 1;
    s.goals[3].targets[0] = gsu_pose_xyz_yaw(0.5, 0, 0.02, GS_PI / 2 + 0.1);
    CHECK_NEAR(gs_goal_credit(&s, &s.goals[3]), 1, 0); /* 90 deg is the same for a cube */
    /* stages: goal 2 fails, so goals 3 and 4 do not count yet */
    int stage;
    CHECK_NEAR(gs_scene_reward(&s, &stage), 0.25, 1e-12);
    CHECK(stage == 1);
    gs_scene_free(&s);

    /* any without replace: two objects on one target match once */
    fresh(&s);
    int ab[2] = {add(&s, "block", 0.5, 0.0, 0.02, 0), add(&s, "block", 0.5, 0.0, 0.062, 0)};
    gs_pose one[2] = {gsu_pose_xyz_yaw(0.5, 0, 0.02, 0), gsu_pose_xyz_yaw(0.6, 0.3, 0.02, 0)};
    goal(&s, ab, 2, one, 2, 0, 0, 0.5);
    goal(&s, ab, 2, one, 2, 1, 0, 0.5);
    /* the upper block is 4.2 cm above the target: beyond 2 + 1 cm */
    CHECK_NEAR(gs_goal_credit(&s, &s.goals[0]), 0.5, 1e-12);
    s.goals[0].tolerance = s.goals[1].tolerance = 0.03; /* now both reach target 1 */
    CHECK_NEAR(gs_goal_credit(&s, &s.goals[0]), 0.5, 1e-12); /* one target, no sharing */
    CHECK_NEAR(gs_goal_credit(&s, &s.goals[1]), 1, 1e-12);   /* replace: sharing allowed */
    /* pairs: object i only to target i */
    s.goals[1].replace = 0;
    s.goals[1].allowed[0 * 2 + 1] = s.goals[1].allowed[1 * 2 + 0] = 0;
    CHECK_NEAR(gs_goal_credit(&s, &s.goals[1]), 0.5, 1e-12);
    gs_scene_free(&s);

    /* zone metric: the fraction of the object inside the box */
    fresh(&s);
    int z = add(&s, "block", 0.6, 0.06, 0.02, 0);
    gs_goal_spec g = gs_goal_spec_default();
    g.objects = &z, g.nobjects = 1;
    g.metric = GS_METRIC_ZONE;
    g.zone_pose = gsu_pose_xyz_yaw(0.6, 0, 0, 0);
    g.zone_size[0] = g.zone_size[1] = 0.12, g.zone_size[2] = 0.1;
    g.tolerance = 0;
    CHECK(gs_scene_add_goal(&s, &g, err, sizeof err) == GS_OK);
    CHECK_NEAR(gs_goal_credit(&s, &s.goals[0]), 0.5, 1e-12);
    s.goals[0].zone_pose = gsu_pose_xyz_yaw(0.6, 0.06, 0, GS_PI / 4);
    CHECK_NEAR(gs_goal_credit(&s, &s.goals[0]), 1, 1e-12);
    /* the oracle fills the zone: it moves the block to the zone's centre */
    s.goals[0].zone_pose = gsu_pose_xyz_yaw(0.4, -0.3, 0, 0);
    gs_action act;
    CHECK(gs_oracle_action(&s, &act));
    /* grasped within a pixel of the centre seen from above; the block's
     * centre, not the grasp point, goes to the zone's centre */
    CHECK_NEAR(act.pick.pos[0], 0.6, 0.0032);
    CHECK_NEAR(act.pick.pos[1], 0.06, 0.0032);
    CHECK_NEAR(act.pick.pos[2], 0.04, 1e-6);
    CHECK_NEAR(act.place.pos[0] - 0.4, act.pick.pos[0] - 0.6, 1e-6); /* Bullet keeps floats */
    CHECK_NEAR(act.place.pos[1] + 0.3, act.pick.pos[1] - 0.06, 1e-6);
    gs_scene_free(&s);

    /* the oracle: lowest targets first, nearest object */
    fresh(&s);
    int blocks[2] = {add(&s, "block", 0.3, 0.3, 0.02, 0), add(&s, "block", 0.7, -0.3, 0.02, 0)};
    gs_pose stack[2] = {gsu_pose_xyz_yaw(0.5, 0, 0.06, 0), gsu_pose_xyz_yaw(0.5, 0.1, 0.02, 0)};
    goal(&s, blocks, 2, stack, 2, 0, 1, 1);
    CHECK(gs_oracle_action(&s, &act));
    CHECK_NEAR(act.place.pos[1], 0.1, 0.0032);   /* the low target */
    CHECK_NEAR(act.pick.pos[0], 0.3, 0.0032);    /* its nearer object */
    CHECK_NEAR(act.pick.pos[2], 0.04, 1e-6);     /* the top of the block, from the heightmap */
    CHECK(gs_scene_check(&s, err, sizeof err) == GS_OK);
    gs_scene_free(&s);

    /* the oracle decides from what it sees: a block under another is
     * hidden, so the visible one goes first even though it is farther */
    fresh(&s);
    int hidden = add(&s, "block", 0.5, 0.0, 0.02, 0);
    add(&s, "box", 0.5, 0.0, 0.065, 0); /* a 10 x 8 cm lid over it */
    int seen = add(&s, "block", 0.3, -0.4, 0.02, 0);
    int pair[2] = {hidden, seen};
    gs_pose near_targets[2] = {gsu_pose_xyz_yaw(0.6, 0.1, 0.02, 0), gsu_pose_xyz_yaw(0.6, 0.2, 0.02, 0)};
    goal(&s, pair, 2, near_targets, 2, 0, 0, 1);
    CHECK(gs_oracle_action(&s, &act));
    CHECK_NEAR(act.pick.pos[0], 0.3, 0.0032);
    CHECK_NEAR(act.pick.pos[1], -0.4, 0.0032);
    gs_scene_free(&s);

    /* an action's lift bounds how high the object is carried: 3 cm above the
     * poses, where the robot's own hover is 15 cm */
    fresh(&s);
    add(&s, "block", 0.4, 0.0, 0.02, 0);
    {
        gs_action lifted = {0};
        lifted.kind = GS_ACTION_PICK_PLACE;
        lifted.pick = gsu_pose_xyz_yaw(0.4, 0.0, 0.04, 0);
        lifted.place = gsu_pose_xyz_yaw(0.55, 0.1, 0.04, 0);
        lifted.lift = 0.03;
        gs_robot_settle(&s.robot);
        height_watch w = {&s, 0, 0};
        s.robot.on_step = watch_height;
        s.robot.on_step_ud = &w;
        gs_action_result res;
        CHECK(gs_scene_act(&s, &lifted, &res, err, sizeof err) == GS_OK);
        CHECK(res.picked && res.placed);
        CHECK(w.max_z > 0.03 && w.max_z < 0.06); /* lifted, but 3 cm at most */
        CHECK_NEAR(s.robot.opt.hover, 0.15, 0);   /* the robot's own is restored */
        gs_pose bp;
        gs_scene_pose(&s, 0, &bp);
        CHECK_NEAR(bp.pos[0], 0.55, 0.01);
        /* the same move without a lift carries it at the robot's hover */
        w.max_z = 0;
        lifted.pick = gsu_pose_xyz_yaw(0.55, 0.1, 0.04, 0);
        lifted.place = gsu_pose_xyz_yaw(0.45, -0.1, 0.04, 0);
        lifted.lift = 0;
        CHECK(gs_scene_act(&s, &lifted, &res, err, sizeof err) == GS_OK);
        CHECK(w.max_z > 0.15);
    }
    gs_scene_free(&s);

    /* checks after reset */
    fresh(&s);
    add(&s, "block", 0.5, 0, 0.02, 0);
    CHECK(gs_scene_check(&s, err, sizeof err) == GS_ERR_RUNTIME);
    CHECK_STR_CONTAINS(err, "no goal");
    int c = add(&s, "block", 0.51, 0, 0.02, 0);
    gs_pose tc = gsu_pose_xyz_yaw(0.3, 0.3, 0.02, 0);
    goal(&s, &c, 1, &tc, 1, 0, 0, 1);
    s.objects[c].line = 23;
    CHECK(gs_scene_check(&s, err, sizeof err) == GS_ERR_RUNTIME);
    /* the later object is the culprit, named with its line, moved the short way */
    CHECK_STR_CONTAINS(err, "block (red) from line 23 at (0.510, 0.000, 0.020) overlaps block (red) by 30.0 mm: move it +x by 30.0 mm");
    int line = 0;
    CHECK(gs__scene_check(&s, &line, err, sizeof err) == GS_ERR_RUNTIME && line == 23);
    gs_scene_free(&s);
    /* a block in a bowl, sunk into its floor: up, by the floor's thickness */
    fresh(&s);
    add(&s, "bowl", 0.5, 0, 0, 0);
    int sunk = add(&s, "block", 0.5, 0, 0.02, 0);
    goal(&s, &sunk, 1, &tc, 1, 0, 0, 1);
    CHECK(gs_scene_check(&s, err, sizeof err) == GS_ERR_RUNTIME);
    CHECK_STR_CONTAINS(err, "overlaps bowl (red) by 6.0 mm: move it up by 6.0 mm");
    CHECK_STR_CONTAINS(err, "sits on z = 0.006 (its floor, 6 mm up), so a resting block has z = 0.026");
    CHECK_STR_CONTAINS(err, "its walls are 6 mm thick");
    gs_scene_free(&s);
    /* below the table: the pose convention, and the z it should have */
    fresh(&s);
    int low = add(&s, "block", 0.5, 0, 0.0, 0);
    goal(&s, &low, 1, &tc, 1, 0, 0, 1);
    CHECK(gs_scene_check(&s, err, sizeof err) == GS_ERR_RUNTIME);
    CHECK_STR_CONTAINS(err, "reaches 20.0 mm into the table");
    CHECK_STR_CONTAINS(err, "resting on the table it has z = 0.020");
    gs_scene_free(&s);
    fresh(&s);
    int d = add(&s, "block", 0.9, 0, 0.02, 0);
    goal(&s, &d, 1, &tc, 1, 0, 0, 0.5);
    CHECK(gs_scene_check(&s, err, sizeof err) == GS_ERR_RUNTIME);
    CHECK_STR_CONTAINS(err, "sum to 0.5");
    s.goals[0].reward = 1;
    CHECK(gs_scene_check(&s, err, sizeof err) == GS_ERR_RUNTIME);
    CHECK_STR_CONTAINS(err, "outside the workspace");
    gs_scene_free(&s);

    /* random_pose: inside the workspace, clear of everything, nil when full */
    fresh(&s);
    int placed = 0, clear = 1;
    double size[3] = {0.1, 0.1, 0.04};
    for (int i = 0; i < 60; i++) {
        gs_pose p;
        if (!gs_scene_random_pose(&s, size, &p)) break;
        CHECK_NEAR(p.pos[2], 0.02, 1e-12);
        const gs_asset_kind *k = gs_asset_find("box");
        gs_asset_params bp = {.size = {0.1, 0.1, 0.04}, .mass = 0.1, .fixed = 0, .count = 0, .span = 0};
        if (gs_scene_add(&s, k, &bp, "blue", &p, err, sizeof err) < 0) break;
        placed++;
    }
    CHECK(placed >= 10 && placed < 60); /* 0.5 m^2 holds at most 50 such boxes */
    gs_pose tp = gsu_pose_xyz_yaw(0.3, 0.3, 0.02, 0);
    int any = 0;
    goal(&s, &any, 1, &tp, 1, 0, 0, 1);
    clear = gs_scene_check(&s, err, sizeof err) == GS_OK;
    if (!clear) fprintf(stderr, "random_pose scene: %s\n", err);
    CHECK(clear);
    gs_scene_free(&s);

    /* the object cap */
    gs_scene_options small = gs_scene_options_default();
    small.max_objects = 3;
    gs_status st = gs_scene_init(&s, &small, &rng, err, sizeof err);
    CHECK(st == GS_OK);
    for (int i = 0; i < 3; i++) CHECK(add(&s, "block", 0.3 + 0.1 * i, 0, 0.02, 0) == i);
    const gs_asset_kind *k = gs_asset_find("block");
    gs_asset_params bp = {.size = {0.04, 0.04, 0.04}, .mass = 0.1, .fixed = 0, .count = 0, .span = 0};
    gs_pose p4 = gsu_pose_xyz_yaw(0.7, 0.3, 0.02, 0);
    CHECK(gs_scene_add(&s, k, &bp, "red", &p4, err, sizeof err) == -1);
    CHECK_STR_CONTAINS(err, "too many objects");
    gs_scene_free(&s);

    /* the observation: a block's top is 4 cm high at its centre pixel, its id below */
    fresh(&s);
    add(&s, "bowl", 0.4, 0.2, 0, 0);
    int ob = add(&s, "block", 0.5015625, 0.0015625, 0.02, 0); /* a pixel centre */
    gsr_view v = gsr_view_default();
    int w = gsr_view_width(&v), h = gsr_view_height(&v);
    float *hm = malloc(sizeof(float) * (size_t)(w * h));
    int32_t *seg = malloc(sizeof(int32_t) * (size_t)(w * h));
    CHECK(gs_scene_observe(&s, &v, hm, NULL, seg, err, sizeof err) == GS_OK);
    int col, row;
    CHECK(gsr_world_to_pixel(&v, 0.5015625, 0.0015625, &col, &row));
    CHECK_NEAR(hm[row * w + col], 0.04, 1e-6);
    CHECK(seg[row * w + col] == ob + 1);
    int covered = 0;
    for (int i = 0; i < w * h; i++) covered += seg[i] == ob + 1;
    CHECK(covered == 13 * 13 || covered == 12 * 12 || covered == 12 * 13); /* 4 cm / 3.125 mm */
    CHECK(gsr_world_to_pixel(&v, 0.4, 0.2, &col, &row));
    CHECK(seg[row * w + col] == 1); /* the bowl's floor */
    free(hm);
    free(seg);
    gs_scene_free(&s);

    /* group kinds: a rope of joined beads along the pose's x axis, a pile on a lattice */
    fresh(&s);
    {
        const gs_asset_kind *rope = gs_asset_find("rope"), *pile = gs_asset_find("pile");
        CHECK(gs_asset_group_of(rope) && gs_asset_group_of(rope)->linked);
        CHECK(gs_asset_group_of(pile) && !gs_asset_group_of(pile)->linked);
        CHECK(gs_asset_group_of(gs_asset_find("block")) == NULL);
        gs_asset_params rp = {.size = {0.015, 0.015, 0.015}, .mass = 0.01, .fixed = 0, .count = 10, .span = 0.18};
        gs_pose at = gsu_pose_xyz_yaw(0.5, -0.2, 0.0075, GS_PI / 2);
        int first = -1;
        CHECK(gs_scene_add_group(&s, rope, &rp, "red", &at, &first, err, sizeof err) == 10);
        CHECK(first == 0);
        gs_pose b0, b9;
        gs_scene_pose(&s, 0, &b0);
        gs_scene_pose(&s, 9, &b9);
        CHECK_NEAR(b0.pos[0], 0.5, 1e-6); /* turned a quarter: the rope runs along y */
        CHECK_NEAR(b9.pos[1] - b0.pos[1], 0.18, 1e-6);
        gs_asset_params pp = {.size = {0.015, 0.015, 0.015}, .mass = 0.01, .fixed = 0, .count = 40, .span = 0.12};
        gs_pose pat = gsu_pose_xyz_yaw(0.5, 0.2, 0.0075, 0);
        CHECK(gs_scene_add_group(&s, pile, &pp, "blue", &pat, &first, err, sizeof err) == 40);
        CHECK(first == 10);
        int inside = 1;
        for (int i = 10; i < 50; i++) {
            gs_pose q;
            gs_scene_pose(&s, i, &q);
            inside &= fabs(q.pos[0] - 0.5) <= 0.06 && fabs(q.pos[1] - 0.2) <= 0.06;
        }
        CHECK(inside);
        int any = 0;
        gs_pose tp = gsu_pose_xyz_yaw(0.3, 0.3, 0.0075, 0);
        goal(&s, &any, 1, &tp, 1, 0, 0, 1);
        CHECK(gs_scene_check(&s, err, sizeof err) == GS_OK); /* nothing interpenetrates */
        /* a rope too short for its beads is refused with the reason */
        gs_asset_params tight = {.size = {0.015, 0.015, 0.015}, .mass = 0.01, .fixed = 0, .count = 10, .span = 0.05};
        CHECK(gs_scene_add_group(&s, rope, &tight, "red", &at, &first, err, sizeof err) == -1);
        CHECK_STR_CONTAINS(err, "cannot be 0.050 m long");
    }
    gs_scene_free(&s);

    test_oracle_spreads();

    /* every asset kind builds parts whose bounding box is its size */
    int n;
    const gs_asset_kind *kinds = gs_asset_kinds(&n);
    for (int i = 0; i < n; i++) {
        gs_shape parts[GS_ASSET_MAX_SHAPES];
        gs_asset_params ap = {.size = {kinds[i].default_size[0], kinds[i].default_size[1],
                                       kinds[i].default_size[2]}, .mass = 0.1, .fixed = 1};
        int np = kinds[i].build(&ap, parts);
        CHECK(np >= 1 && np <= GS_ASSET_MAX_SHAPES);
        for (int j = 0; j < np; j++) CHECK(parts[j].size[0] > 0 && parts[j].size[1] > 0 && parts[j].size[2] > 0);
    }
    return CHECK_DONE();
}
