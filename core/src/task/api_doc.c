/* api_doc.c: the API reference a language model writes tasks from.
 *
 * The names come from the tables the bindings check (gsl_api_section), so
 * the reference cannot list a method that does not exist or miss one that
 * does: a name without documentation appears as "(undocumented)" and is
 * counted, and documentation for a name the API lacks is counted as stale;
 * the specs require both counts to be zero. The conventions after the
 * names (frames, pose origins, resting heights, goal scoring, the oracle's
 * actions and what the built-in oracle does) take every figure from the
 * constant or table the code uses. Asset kinds and colours are listed by
 * the pipeline from gensim.assets(), the same table `gensim assets` prints. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

#include "gensim/physics.h"
#include "gensim/render.h"
#include "gensim/robot.h"
#include "task/api_internal.h"

typedef struct api_doc {
    const char *section; /* as in gsl_api_section */
    const char *name;
    const char *usage;   /* how it is written in a task */
    const char *doc;     /* what it does, one or two sentences */
} api_doc;

static const api_doc DOCS[] = {
    {"task", "name", "name = \"kebab-case-name\"", "unique in the library; lowercase words joined by '-'"},
    {"task", "description", "description = \"...\"", "one sentence saying what the robot must achieve"},
    {"task", "assets", "assets = {\"block\", \"bowl\"}",
     "every asset kind reset adds; env:add refuses kinds missing here"},
    {"task", "max_steps", "max_steps = 10", "actions allowed per episode (1..1000)"},
    {"task", "reset", "reset = function(env) ... end",
     "builds the scene with env:add and states the goals with env:goal; runs once per episode with a "
     "fresh seed; all randomness must come from env.rng"},
    {"task", "oracle", "oracle = function(env, obs) return {pick = pose, place = pose} end",
     "optional: the next expert action ({pick = pose, place = pose}, {push = {from = {x, y, z}, to = {x, y, z}}}, "
     "{drag = {obj, \"joint\", to = fraction}}, which grips the joint's handle and moves it there, or for a "
     "continuous task {move = {dx, dy, dz, dyaw}, suction = bool}); obs = {step, max_steps, reward}; return nil "
     "when done. Leave it out: the built-in oracle solves any task of primitives from its goals, joint goals "
     "included"},
    {"task", "reward", "reward = function(env) return r, done end",
     "optional: reward in [0, 1] and whether the episode is over; default: the goals' credit. A "
     "continuous task's reward is dense (any finite number, larger is better, summed over steps by "
     "the learner) and may return a third value, a table of its named terms {dist = d, ...}, "
     "whose statistics are reported; when done ends the episode at success, keep each step short "
     "of success at or below 0, or staying just short of it pays more than reaching it"},
    {"task", "success", "success = function(env) return bool end",
     "optional: default: reward reaches 1"},
    {"task", "control", "control = \"continuous\"",
     "optional, default \"primitive\" (pick/place/push actions, solved by the oracle). \"continuous\": "
     "each step is {move = {dx, dy, dz, dyaw}, suction = bool} at 10 Hz (at most 0.04 m per axis and "
     "0.4 rad a step), max_steps counts steps, the cup starts at (0.5, 0, 0.1); the task must give a "
     "dense reward(env) and success(env) and is solved by learning (gensim learn), not by the oracle"},
    {"task", "subtasks", "subtasks = {{lang = \"...\", goal = 1}, {lang = \"...\", reward = fn, success = fn, "
     "max_steps = 40}}",
     "optional: the task in order, each done when goal stages 1..goal are met or success(env) holds; "
     "one without reward is solved by the oracle's primitives, one with reward(env) is learned with "
     "continuous moves (gensim learn learns only those)"},

    {"env", "add", "env:add(kind, pose, {color = \"red\", fixed = false, size = {x, y, z}, ...})",
     "adds an object and returns its handle; group kinds (rope, pile) return a list of handles"},
    {"env", "random_pose", "env:random_pose({x, y, z})",
     "a pose with random yaw whose footprint of that size lies in the workspace, clear of every "
     "object already added, resting on the table; nil when there is no room (check it)"},
    {"env", "random_size", "env:random_size({x0, y0, z0}, {x1, y1, z1})", "a random size between two sizes"},
    {"env", "pose", "env:pose(obj)", "the object's pose now"},
    {"env", "size", "env:size(obj)", "{x, y, z} of its bounding box"},
    {"env", "color", "env:color(obj)", "its colour name"},
    {"env", "poses", "env:poses({obj, ...})", "the list of their poses (goal targets)"},
    {"env", "objects", "env:objects()", "every object handle in the scene, in order of addition"},
    {"env", "goal", "env:goal{objects = {...}, targets = {pose, ...}, matches = \"any\", ...}",
     "adds a goal stage; stages are scored in order and their rewards must sum to 1"},
    {"env", "link_pose", "env:link_pose(obj, link)",
     "articulated objects: a link's pose now (\"base\" is the object's; each articulated kind's moving link is "
     "named like its joint: drawer, door, lid, lever, knob); a place on a moving link, taken for a goal, moves "
     "with the link"},
    {"env", "joint_state", "local position, fraction = env:joint_state(obj, joint)",
     "articulated objects: a joint's position (m or rad) and the fraction of its range (0 shut .. 1 open)"},
    {"env", "joint_limits", "local lower, upper = env:joint_limits(obj, joint)",
     "articulated objects: a joint's range in m or rad (lower is fraction 0, upper is 1)"},
    {"env", "set_joint", "env:set_joint(obj, joint, fraction)",
     "in reset only: puts a joint at a fraction of its range (0 shut .. 1 open), before things go on it; "
     "objects are added shut"},
    {"env", "gripper_pose", "env:gripper_pose()", "the end effector's pose"},
    {"env", "rng", "env.rng", "the episode's random generator (see rng below); the only source of randomness"},
    {"env", "split", "env.split", "\"train\" or \"test\": draw colours from gs.TRAIN_COLORS or gs.TEST_COLORS by it"},

    {"add", "color", "color = \"red\"", "a name from gs.COLORS"},
    {"add", "fixed", "fixed = true", "immovable (receptacles and markers are fixed by default)"},
    {"add", "size", "size = {x, y, z}", "metres, for kinds that take a size"},
    {"add", "radius", "radius = 0.02", "metres: cylinder, ball"},
    {"add", "height", "height = 0.06", "metres: cylinder"},
    {"add", "length", "length = 0.3", "metres: line, rope, pile span"},
    {"add", "mass", "mass = 0.1", "kilograms, movable kinds"},
    {"add", "count", "count = 10", "members of a group kind (rope beads, pile particles)"},
    {"add", "range", "range = 1.2", "articulated kinds: the joint's travel, m (drawer) or rad"},
    {"add", "side", "side = \"left\"", "cabinet: the edge its door hinges on, \"left\" (-y) or \"right\" (+y)"},
    {"add", "friction", "friction = 0.3", "articulated kinds and urdf: what it takes to move a joint, N or N m; it "
     "stays where it is left"},
    {"add", "damping", "damping = 0.1", "articulated kinds and urdf: resistance growing with a joint's speed"},
    {"add", "continuous", "continuous = true", "knob: turns without limits (fractions are then of a turn)"},
    {"add", "file", "file = \"scenes/chest.urdf\"", "urdf: a file under scenes/ or a plugin's scenes/"},
    {"add", "scale", "scale = 0.8", "urdf: every length times this"},

    {"goal", "objects", "objects = {obj, ...}", "the objects this stage moves"},
    {"goal", "targets", "targets = {pose, ...}", "where they go (env:poses of receptacles, or computed poses)"},
    {"goal", "matches", "matches = \"any\" | \"pairs\" | {{true, false}, ...}",
     "any: each object to any target; pairs: object i to target i; or an objects x targets matrix"},
    {"goal", "replace", "replace = true", "several objects may share one target (bowls, zones)"},
    {"goal", "rotations", "rotations = false", "false: ignore yaw; true: yaw must match modulo symmetry"},
    {"goal", "symmetry", "symmetry = math.pi / 2", "yaw period in radians; default: each object's kind"},
    {"goal", "metric", "metric = \"pose\" | \"zone\" | \"joint\"",
     "pose: x-y within tolerance, z within half the height plus tolerance; zone: fraction inside a box; "
     "joint: each object's joint within tolerance of target"},
    {"goal", "zone", "zone = {pose = pose, size = {x, y, z}}", "the box of metric \"zone\""},
    {"goal", "joint", "joint = \"drawer\"", "metric \"joint\": the joint every object of the stage turns or slides"},
    {"goal", "target", "target = 0.9", "metric \"joint\": the fraction of the joint's range, 0 shut .. 1 open"},
    {"goal", "tolerance", "tolerance = 0.02", "metres (default 0.01); for metric \"joint\" a fraction (default 0.05)"},
    {"goal", "reward", "reward = 0.5", "this stage's share of the total reward 1"},
    {"goal", "latch", "latch = true",
     "the stage counts as met from the first time it is met, for stages later ones undo (open the lid, put "
     "the block in, close the lid)"},
    {"goal", "lang", "lang = \"put the red block in the green bowl\"",
     "the instruction for this stage, as a person would say it"},

    {"rng", "uniform", "env.rng:uniform(a, b)", "a number in [a, b)"},
    {"rng", "int", "env.rng:int(a, b)", "an integer in [a, b], both ends included"},
    {"rng", "normal", "env.rng:normal(mean, sd)", "a Gaussian sample"},
    {"rng", "choice", "env.rng:choice(list)", "one element"},
    {"rng", "shuffle", "env.rng:shuffle(list)", "shuffles in place and returns the list"},

    {"gs", "pose", "gs.pose(x, y, z, yaw)", "a pose {pos = {x, y, z}, rot = {x, y, z, w}}"},
    {"gs", "multiply", "gs.multiply(a, b)", "b given in a's frame, returned in the world's"},
    {"gs", "invert", "gs.invert(p)", "the inverse pose"},
    {"gs", "apply", "gs.apply(pose, {x, y, z})", "a point from the pose's frame to the world's"},
    {"gs", "yaw", "gs.yaw(pose)", "the pose's heading in radians"},
    {"gs", "quat_from_euler", "gs.quat_from_euler(roll, pitch, yaw)", "a quaternion {x, y, z, w}"},
    {"gs", "COLORS", "gs.COLORS", "colour name to {r, g, b}"},
    {"gs", "TRAIN_COLORS", "gs.TRAIN_COLORS", "colour names for env.split == \"train\""},
    {"gs", "TEST_COLORS", "gs.TEST_COLORS", "colour names for env.split == \"test\""},
};

static const struct {
    const char *section;
    const char *title;
} SECTIONS[] = {
    {"task", "task{...}: the table a task file returns"},
    {"env", "env: the only door to the world"},
    {"add", "env:add options"},
    {"goal", "env:goal{...} fields"},
    {"rng", "env.rng"},
    {"gs", "gs: poses and colours"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const api_doc *find_doc(const char *section, const char *name) {
    for (size_t i = 0; i < COUNT(DOCS); i++)
        if (strcmp(DOCS[i].section, section) == 0 && strcmp(DOCS[i].name, name) == 0) return &DOCS[i];
    return NULL;
}

static int defined(const char *section, const char *name) {
    size_t n;
    const char *const *names = gsl_api_section(section, &n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0) return 1;
    return 0;
}

/* The floor and wall of a built-in kind at its default size (0 when it
 * has none), by the rest rule of assets.h. */
static void kind_rest(const char *name, double *floor, double *wall) {
    const gs_asset_kind *k = gs_asset_find(name);
    *floor = *wall = 0;
    if (!k || !k->build) return;
    gs_asset_params p;
    gs_asset_request req;
    memset(&req, 0, sizeof req);
    if (gs_asset_resolve(k, &req, &p, NULL, NULL, 0) != GS_OK) return;
    gs_shape parts[GS_ASSET_MAX_SHAPES];
    gs_asset_rest_geometry(parts, k->build(&p, parts), floor, wall);
}

/* Adds one formatted paragraph of the conventions. */
static void add_text(luaL_Buffer *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_text(luaL_Buffer *b, const char *fmt, ...) {
    char text[1536];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    luaL_addstring(b, text);
}

/* What a task writer needs beyond the names: frames, where poses sit and
 * things rest, how goals are scored, the oracle's actions, and what the
 * built-in oracle does and cannot do. */
static void add_conventions(luaL_Buffer *b) {
    gsr_view v = gsr_view_default();
    gs_robot_options robot = gs_robot_options_default();
    double bowl_floor, bowl_wall;
    kind_rest("bowl", &bowl_floor, &bowl_wall);
    luaL_addstring(b, "## Conventions\n");
    add_text(b, "- Frames: metres, z up, the table top at z = 0; the workspace is x %g..%g, y %g..%g, z 0..%g "
             "(the top-down heightmap: %dx%d pixels of %g mm). gs.pose(x, y, z, yaw) turns about z only.\n",
             GS_WS_X0, GS_WS_X1, GS_WS_Y0, GS_WS_Y1, GS_WS_Z1, gsr_view_height(&v), gsr_view_width(&v),
             v.pixel * 1000);
    add_text(b, "- An object that falls past the table (off its edge, or pressed through it) stops at rest at "
             "z = %g, where env:pose still reads it.\n", GS_FALLEN_Z);
    add_text(b, "- Pose origins: a movable object's pose is the centre of its bounding box, so on the table it has "
             "z = height / 2, and on another object the lower one's z + half of both heights. A receptacle's or "
             "marker's pose is the centre of its base, on the table (z = 0): env:random_pose(size) gives z = half "
             "of size's z, so pass z = 0 for one. Markers are drawn only: nothing touches them, so an object "
             "over a zone rests on the table.\n");
    add_text(b, "- Resting in or on a receptacle: z = the receptacle's z + its floor + half the object's height; "
             "each receptacle's floor and walls are listed with its kind (a bowl's floor is %g mm up, its walls "
             "%g mm thick; a pallet's floor is its top). A reset whose bodies overlap by more than %g mm is "
             "refused: env:random_pose keeps footprints apart.\n",
             bowl_floor * 1000, bowl_wall * 1000, GS_PENETRATION_TOL * 1000);
    add_text(b, "- Goals: a pose goal counts an object within tolerance (default %g m) of an allowed target in x-y, "
             "within half its height plus tolerance in z, and unless rotations = false within %g degrees of the "
             "target's yaw modulo symmetry; a target is where the object's own pose should end (in a bowl: bowl "
             "z + floor + half its height). A zone goal scores the fraction of each object inside a box of "
             "zone.size centred on zone.pose: on a table marker (z = 0) give it a z size of at least twice the "
             "objects' height. Goals are stages scored in order after every action; a later stage counts only "
             "while every earlier one holds; the episode succeeds when the rewards reach 1.\n",
             GS_POSE_TOLERANCE, GS_YAW_TOLERANCE * 180 / GS_PI);
    add_text(b, "- Oracle actions (world frame): {pick = pose, place = pose, lift = m} is suction: the cup's "
             "bottom centre (%g mm radius) comes down at pick until it touches (at most %g cm below it; pick at "
             "the object's top: its x, y and z + half its height) and holds what it touched there; it carries it "
             "lift (%g..%g m, default %g) above the poses, lowers it at place until it touches something (place "
             "= where the cup is then: the target's z + half the object's height) and lets go; the object turns "
             "by place's yaw minus pick's. {push = {from = {x, y, z}, to = {x, y, z}}} sweeps a spatula %g cm "
             "wide, square to the push, its bottom edge's centre from from to to. An oracle returns nil when "
             "done.\n",
             robot.tip_radius * 1000, robot.max_descend * 100, GSL_LIFT_MIN, GSL_LIFT_MAX, robot.hover,
             robot.spatula_size[1] * 100);
    add_text(b, "- The built-in oracle (a task without oracle): stage by stage, it leaves objects already at a "
             "target, takes each other visible object to the nearest free allowed target, lowest targets first "
             "so stacks grow from the bottom; objects sharing one place (replace = true, or a zone) each get a "
             "free spot of their own in it. It only picks and places: it cannot push (piles, sweeping), cannot "
             "take an object hidden under another until it is uncovered, and puts objects where the targets "
             "say, so a target must be where the object can rest. Write an oracle when a task needs pushes or an "
             "order its goals do not give.\n");
    add_text(b, "- Common mistakes: a block in a bowl at z = half its height (it overlaps the floor: add %g); "
             "several objects sharing one target with the default tolerance (they cannot all fit within %g m: "
             "give a tolerance near the receptacle's inner radius, or use metric = \"zone\"); a zone box "
             "of z size 0 (nothing fits in it); colours not drawn by env.split.\n\n",
             bowl_floor, GS_POSE_TOLERANCE);
}

void gsl_api_push_reference(lua_State *L, int *undocumented, int *stale) {
    int missing = 0, extra = 0;
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (size_t s = 0; s < COUNT(SECTIONS); s++) {
        size_t n;
        const char *const *names = gsl_api_section(SECTIONS[s].section, &n);
        luaL_addstring(&b, "## ");
        luaL_addstring(&b, SECTIONS[s].title);
        luaL_addchar(&b, '\n');
        for (size_t i = 0; i < n; i++) {
            const api_doc *d = find_doc(SECTIONS[s].section, names[i]);
            luaL_addstring(&b, "- `");
            luaL_addstring(&b, d ? d->usage : names[i]);
            luaL_addstring(&b, "`: ");
            luaL_addstring(&b, d ? d->doc : "(undocumented)");
            luaL_addchar(&b, '\n');
            missing += !d;
        }
        luaL_addchar(&b, '\n');
    }
    add_conventions(&b);
    luaL_pushresult(&b);
    for (size_t i = 0; i < COUNT(DOCS); i++) extra += !defined(DOCS[i].section, DOCS[i].name);
    if (undocumented) *undocumented = missing;
    if (stale) *stale = extra;
}
