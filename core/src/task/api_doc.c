/* api_doc.c: the API reference a language model writes tasks from.
 *
 * The names come from the tables the bindings check (gsl_api_section), so
 * the reference cannot list a method that does not exist or miss one that
 * does: a name without documentation appears as "(undocumented)" and is
 * counted, and documentation for a name the API lacks is counted as stale;
 * the specs require both counts to be zero. Asset kinds and colours are
 * listed by the pipeline from gensim.assets(), the same table `gensim
 * assets` prints. */
#include <string.h>

#include <lauxlib.h>

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
     "optional: the next expert action ({pick, place}, {push = {from, to}}, or for a continuous task "
     "{move = {dx, dy, dz, dyaw}, suction = bool}); obs = {step, max_steps, reward}; return nil when "
     "done. Leave it out: the built-in oracle solves any task of primitives from its goals"},
    {"task", "reward", "reward = function(env) return r, done end",
     "optional: reward in [0, 1] and whether the episode is over; default: the goals' credit. A "
     "continuous task's reward is dense (any finite number, larger is better, summed over steps by "
     "the learner) and may return a third value, a table of its named terms {dist = d, ...}, "
     "whose statistics are reported"},
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
    {"env", "link_pose", "env:link_pose(obj, link)", "articulated objects: a link's pose (no such kinds yet)"},
    {"env", "joint_state", "env:joint_state(obj, joint)", "articulated objects: a joint's position"},
    {"env", "joint_limits", "env:joint_limits(obj, joint)", "articulated objects: a joint's range"},
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

    {"goal", "objects", "objects = {obj, ...}", "the objects this stage moves"},
    {"goal", "targets", "targets = {pose, ...}", "where they go (env:poses of receptacles, or computed poses)"},
    {"goal", "matches", "matches = \"any\" | \"pairs\" | {{true, false}, ...}",
     "any: each object to any target; pairs: object i to target i; or an objects x targets matrix"},
    {"goal", "replace", "replace = true", "several objects may share one target (bowls, zones)"},
    {"goal", "rotations", "rotations = false", "false: ignore yaw; true: yaw must match modulo symmetry"},
    {"goal", "symmetry", "symmetry = math.pi / 2", "yaw period in radians; default: each object's kind"},
    {"goal", "metric", "metric = \"pose\" | \"zone\"",
     "pose: x-y within tolerance, z within half the height plus tolerance; zone: fraction inside a box"},
    {"goal", "zone", "zone = {pose = pose, size = {x, y, z}}", "the box of metric \"zone\""},
    {"goal", "tolerance", "tolerance = 0.02", "metres (default 0.01)"},
    {"goal", "reward", "reward = 0.5", "this stage's share of the total reward 1"},
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
    luaL_pushresult(&b);
    for (size_t i = 0; i < COUNT(DOCS); i++) extra += !defined(DOCS[i].section, DOCS[i].name);
    if (undocumented) *undocumented = missing;
    if (stale) *stale = extra;
}
