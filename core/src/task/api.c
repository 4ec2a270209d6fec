/* api.c: the task API as the sandbox sees it: task{...}, env, env.rng, gs.
 *
 * Every binding checks its arguments and raises "env:method: what is wrong"
 * through luaL_error, so messages carry the task's file:line. Tables are read
 * with raw access: a task's metamethods never run inside the host's checks.
 * Nothing here holds malloc'd memory across a call that may raise. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "task/api_internal.h"
#include "task/plugin_internal.h"

#define ENV_MT "gensim.env"
#define OBJ_MT "gensim.object"
#define RNG_MT "gensim.rng"
#define TASKS_KEY "gensim.tasks"     /* tables task{...} accepted -> their snapshots (weak keys) */
#define ENV_KEY "gensim.env.instance" /* the one env userdata */
#define HANDLES_KEY "gensim.handles" /* this episode's object handles by index */
#define HOST_KEY "gensim.host"       /* the gsl_host, for readers without an upvalue */
#define POSE_LIMIT 10.0              /* metres: anything farther is a mistake */

typedef struct gsl_object_ud {
    int index;
    unsigned episode;
} gsl_object_ud;

static const char *const TASK_FIELDS[] = {"name",   "description", "assets", "max_steps", "reset",
                                          "oracle", "reward",      "success", "control",  "subtasks"};
static const char *const GOAL_FIELDS[] = {"objects", "targets", "matches", "replace",
                                          "rotations", "symmetry", "metric", "zone",
                                          "joint", "target", "tolerance", "reward",
                                          "latch", "lang"};
static const char *const ADD_OPTIONS[] = {"color", "fixed", "size", "radius", "height",
                                          "length", "mass", "count", "range", "side",
                                          "friction", "damping", "continuous", "file", "scale"};
static const char *const ENV_METHODS[] = {
    "add",       "random_pose", "random_size", "pose",       "size",         "color",
    "poses",     "objects",     "goal",        "link_pose",  "joint_state",  "joint_limits",
    "set_joint", "gripper_pose", "rng", "split"};
static const char *const RNG_METHODS[] = {"uniform", "int", "normal", "choice", "shuffle"};
static const char *const GS_FIELDS[] = {"pose",  "multiply",        "invert", "apply",
                                        "yaw",   "quat_from_euler", "COLORS", "TRAIN_COLORS",
                                        "TEST_COLORS"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static gsl_host *host_of(lua_State *L) { return lua_touserdata(L, lua_upvalueindex(1)); }
static void push_object(lua_State *L, gsl_host *h, int index);
static int check_object(lua_State *L, int idx, const char *fn);
static void take_snapshot(lua_State *L);
static int read_drag(lua_State *L, int idx, gs_action *a, char *err, size_t errlen);
static int function_line(lua_State *L, int idx);
static void snapshot_subtask(lua_State *L, gsl_task_snapshot *snap, int i);

/* ---- task{...} ---- */

/* Checks the task table's shape and reports every problem at once. */
/* 1 when the string at idx holds a NUL byte: the host keeps C strings,
 * which would end at it. */
static int has_nul(lua_State *L, int idx) {
    size_t len;
    const char *s = lua_tolstring(L, idx, &len);
    return s && strlen(s) != len;
}

/* The problems task{...} found, reported all at once. */
typedef struct problem_report {
    char text[2048];
    size_t used;
    int n;
} problem_report;

static void problem(problem_report *pr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(problem_report *pr, const char *fmt, ...) {
    if (pr->n++ && pr->used < sizeof pr->text)
        pr->used += (size_t)snprintf(pr->text + pr->used, sizeof pr->text - pr->used, "; ");
    if (pr->used < sizeof pr->text) {
        va_list ap;
        va_start(ap, fmt);
        pr->used += (size_t)vsnprintf(pr->text + pr->used, sizeof pr->text - pr->used, fmt, ap);
        va_end(ap);
    }
}

static void check_subtasks(lua_State *L, problem_report *pr, int continuous);

#define PROBLEM(...) problem(pr, __VA_ARGS__)

/* task{}'s name and description. */
static void check_task_name(lua_State *L, problem_report *pr) {
    char why[512];
    int t = gsl_api_raw_field(L, 1, "name");
    if (t != LUA_TSTRING) PROBLEM("'name' must be a kebab-case string, got %s", lua_typename(L, t));
    else if (has_nul(L, -1)) PROBLEM("'name' must not hold NUL bytes");
    else if (!gs_task_name_valid(lua_tostring(L, -1), why, sizeof why)) PROBLEM("'name': %s", why);
    lua_pop(L, 1);

    t = gsl_api_raw_field(L, 1, "description");
    if (t != LUA_TSTRING || lua_rawlen(L, -1) == 0)
        PROBLEM("'description' must be a non-empty string, got %s", lua_typename(L, t));
    else if (has_nul(L, -1))
        PROBLEM("'description' must not hold NUL bytes");
    else if (lua_rawlen(L, -1) > GSL_TASK_DESCRIPTION_MAX)
        PROBLEM("'description' is %zu bytes; at most %d", (size_t)lua_rawlen(L, -1), GSL_TASK_DESCRIPTION_MAX);
    lua_pop(L, 1);

}

/* task{}'s assets: known kinds, or plugin kinds that may be used. */
static void check_assets(lua_State *L, problem_report *pr) {
    char hint[96], why[512];
    int t = gsl_api_raw_field(L, 1, "assets");
    if (t != LUA_TTABLE) PROBLEM("'assets' must be a list of asset kinds, got %s", lua_typename(L, t));
    else {
        lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
        if (n > GSL_TASK_ASSETS_MAX) {
            PROBLEM("'assets' lists %lld kinds; at most %d", (long long)n, GSL_TASK_ASSETS_MAX);
            n = 0;
        }
        int nkinds;
        const char *const *kinds = gs_asset_names(&nkinds);
        for (lua_Integer i = 1; i <= n; i++) {
            if (lua_rawgeti(L, -1, i) != LUA_TSTRING) PROBLEM("'assets'[%lld] must be a string", (long long)i);
            else if (has_nul(L, -1)) PROBLEM("'assets'[%lld] must not hold NUL bytes", (long long)i);
            else if (!gs_asset_find(lua_tostring(L, -1)) &&
                     gs_plugins_why(gs_plugins(), GS_ITEM_KIND, lua_tostring(L, -1), why, sizeof why) == GS_ERR_USAGE)
                PROBLEM("'assets'[%lld]: kind '%.40s' cannot be used: %s", (long long)i, lua_tostring(L, -1), why);
            else if (!gs_asset_find(lua_tostring(L, -1)))
                PROBLEM("'assets'[%lld]: unknown asset kind '%.40s'%s", (long long)i, lua_tostring(L, -1),
                        gsu_suggest(lua_tostring(L, -1), kinds, (size_t)nkinds, hint, sizeof hint));
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);

}

/* task{}'s max_steps, its functions and its control. */
static void check_functions(lua_State *L, problem_report *pr) {
    int t = gsl_api_raw_field(L, 1, "max_steps");
    if (t != LUA_TNUMBER || !lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1 ||
        lua_tointeger(L, -1) > 1000)
        PROBLEM("'max_steps' must be an integer from 1 to 1000, got %s",
                t == LUA_TNUMBER ? lua_tostring(L, -1) : lua_typename(L, t));
    lua_pop(L, 1);

    if ((t = gsl_api_raw_field(L, 1, "reset")) != LUA_TFUNCTION)
        PROBLEM("'reset' must be a function(env), got %s", lua_typename(L, t));
    lua_pop(L, 1);
    static const char *const optional[] = {"oracle", "reward", "success"};
    int has[3];
    for (size_t i = 0; i < COUNT(optional); i++) {
        t = gsl_api_raw_field(L, 1, optional[i]);
        has[i] = t == LUA_TFUNCTION;
        if (t != LUA_TNIL && t != LUA_TFUNCTION)
            PROBLEM("'%s' must be a function or absent, got %s", optional[i], lua_typename(L, t));
        lua_pop(L, 1);
    }

    int continuous = 0;
    t = gsl_api_raw_field(L, 1, "control");
    if (t == LUA_TSTRING && strcmp(lua_tostring(L, -1), "continuous") == 0) continuous = 1;
    else if (t != LUA_TNIL && !(t == LUA_TSTRING && strcmp(lua_tostring(L, -1), "primitive") == 0))
        PROBLEM("'control' must be \"primitive\" (the default: pick, place and push actions) or \"continuous\" "
                "({move = {dx, dy, dz, dyaw}, suction = bool} at %d Hz), got %s", GS_CONTROL_HZ,
                t == LUA_TSTRING ? lua_tostring(L, -1) : lua_typename(L, t));
    lua_pop(L, 1);
    if (continuous && (!has[1] || !has[2]))
        PROBLEM("a continuous-control task is learned from its dense reward: it needs 'reward = function(env) "
                "return r, done end' and 'success = function(env) return bool end'");
    check_subtasks(L, pr, continuous);

}

/* task{}'s keys: field names it knows. */
static void check_keys(lua_State *L, problem_report *pr) {
    char hint[96];
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING) PROBLEM("a task's keys are field names, got a %s key", luaL_typename(L, -1));
        else {
            const char *key = lua_tostring(L, -1);
            size_t k = 0;
            while (k < COUNT(TASK_FIELDS) && strcmp(key, TASK_FIELDS[k]) != 0) k++;
            if (k == COUNT(TASK_FIELDS))
                PROBLEM("unknown field '%.40s'%s", key, gsu_suggest(key, TASK_FIELDS, COUNT(TASK_FIELDS), hint, sizeof hint));
        }
    }
}
#undef PROBLEM

static int l_task(lua_State *L) {
    if (!lua_istable(L, 1))
        return luaL_error(L, "task{...} takes one table, got %s", luaL_typename(L, 1));
    problem_report report = {"", 0, 0};
    check_task_name(L, &report);
    check_assets(L, &report);
    check_functions(L, &report);
    check_keys(L, &report);
    if (report.n) {
        host_of(L)->shape_error = 1;
        return luaL_error(L, "task: %d problem%s: %s", report.n, report.n > 1 ? "s" : "", report.text);
    }
    take_snapshot(L);
    lua_settop(L, 1);
    return 1;
}

static const char *const SUBTASK_FIELDS[] = {"lang", "goal", "reward", "success", "max_steps"};

/* One entry of subtasks at -1: its fields and their types. */
static void check_subtask(lua_State *L, problem_report *pr, int i, int continuous) {
    int e = lua_gettop(L);
    char hint[96];
    if (!lua_istable(L, e)) {
        problem(pr, "'subtasks'[%d] must be a table {lang, goal or success, reward, max_steps}, got %s", i,
                luaL_typename(L, e));
        return;
    }
    int t = gsl_api_raw_field(L, e, "lang");
    if (t != LUA_TNIL && (t != LUA_TSTRING || has_nul(L, -1) || lua_rawlen(L, -1) >= GSL_SUBTASK_LANG_MAX))
        problem(pr, "'subtasks'[%d].lang must be a string of under %d bytes", i, GSL_SUBTASK_LANG_MAX);
    int has_goal = (t = gsl_api_raw_field(L, e, "goal")) != LUA_TNIL;
    if (has_goal && !(lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 1 && lua_tointeger(L, -1) <= GS_MAX_GOALS))
        problem(pr, "'subtasks'[%d].goal must be the number of a goal stage (1 for the first env:goal)", i);
    int has_reward = (t = gsl_api_raw_field(L, e, "reward")) == LUA_TFUNCTION;
    if (t != LUA_TNIL && !has_reward) problem(pr, "'subtasks'[%d].reward must be a function(env)", i);
    int has_success = (t = gsl_api_raw_field(L, e, "success")) == LUA_TFUNCTION;
    if (t != LUA_TNIL && !has_success) problem(pr, "'subtasks'[%d].success must be a function(env)", i);
    t = gsl_api_raw_field(L, e, "max_steps");
    if (t != LUA_TNIL && !(lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 1 && lua_tointeger(L, -1) <= 1000))
        problem(pr, "'subtasks'[%d].max_steps must be an integer from 1 to 1000", i);
    if (!has_goal && !has_success)
        problem(pr, "'subtasks'[%d] needs goal = N (done when goal stages 1..N are met) or success = function(env)", i);
    if (continuous && !has_reward)
        problem(pr, "'subtasks'[%d] has no reward: in a continuous-control task every subtask is learned, "
                    "so each needs reward = function(env) return r, done end", i);
    lua_settop(L, e);
    lua_pushnil(L);
    while (lua_next(L, e)) {
        lua_pop(L, 1);
        const char *key = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?";
        size_t k = 0;
        while (k < COUNT(SUBTASK_FIELDS) && strcmp(key, SUBTASK_FIELDS[k]) != 0) k++;
        if (k == COUNT(SUBTASK_FIELDS))
            problem(pr, "'subtasks'[%d]: unknown field '%.40s'%s", i, key,
                    gsu_suggest(key, SUBTASK_FIELDS, COUNT(SUBTASK_FIELDS), hint, sizeof hint));
    }
}

/* subtasks = {{...}, ...}: a list of at most GSL_SUBTASKS_MAX entries. */
static void check_subtasks(lua_State *L, problem_report *pr, int continuous) {
    int t = gsl_api_raw_field(L, 1, "subtasks");
    if (t == LUA_TTABLE) {
        lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
        if (n < 1 || n > GSL_SUBTASKS_MAX)
            problem(pr, "'subtasks' must list 1 to %d subtasks, in order, got %lld", GSL_SUBTASKS_MAX, (long long)n);
        for (lua_Integer i = 1; i <= n && i <= GSL_SUBTASKS_MAX; i++) {
            lua_rawgeti(L, -1, i);
            check_subtask(L, pr, (int)i, continuous);
            lua_pop(L, 1);
        }
    } else if (t != LUA_TNIL) {
        problem(pr, "'subtasks' must be a list of tables, got %s", lua_typename(L, t));
    }
    lua_pop(L, 1);
}

/* Copies what the host uses of the checked table at 1 into a snapshot
 * userdata, keyed by the table in the registry's weak TASKS_KEY table. */
static void take_snapshot(lua_State *L) {
    gsl_task_snapshot *snap = lua_newuserdatauv(L, sizeof *snap, GSL_SNAPSHOT_UVS); /* snap */
    memset(snap, 0, sizeof *snap);
    gsl_api_raw_field(L, 1, "name");
    snprintf(snap->name, sizeof snap->name, "%s", lua_tostring(L, -1));
    gsl_api_raw_field(L, 1, "description");
    snprintf(snap->description, sizeof snap->description, "%s", lua_tostring(L, -1));
    gsl_api_raw_field(L, 1, "max_steps");
    snap->max_steps = (int)lua_tointeger(L, -1);
    gsl_api_raw_field(L, 1, "control");
    snap->continuous = lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), "continuous") == 0;
    lua_pop(L, 4);
    gsl_api_raw_field(L, 1, "assets");
    snap->nassets = (int)lua_rawlen(L, -1);
    for (int i = 0; i < snap->nassets; i++) {
        lua_rawgeti(L, -1, i + 1);
        snprintf(snap->assets[i], sizeof snap->assets[i], "%s", lua_tostring(L, -1));
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    static const char *const callbacks[GSL_CALLBACKS] = {"reset", "oracle", "reward", "success"};
    for (int i = 0; i < GSL_CALLBACKS; i++) {
        snap->line[i] = 1;
        if (gsl_api_raw_field(L, 1, callbacks[i]) == LUA_TFUNCTION) {
            snap->has[i] = 1;
            snap->line[i] = function_line(L, -1);
        }
        lua_setiuservalue(L, -2, i + 1); /* snap */
    }
    if (gsl_api_raw_field(L, 1, "subtasks") == LUA_TTABLE) { /* snap subtasks */
        snap->nsubtasks = (int)lua_rawlen(L, -1);
        for (int i = 0; i < snap->nsubtasks; i++) {
            lua_rawgeti(L, -1, i + 1); /* snap subtasks entry */
            snapshot_subtask(L, snap, i);
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, TASKS_KEY); /* snap tasks */
    lua_pushvalue(L, 1);
    lua_pushvalue(L, -3);
    lua_rawset(L, -3);
    lua_pop(L, 2);
}

/* Where the function at idx is defined; 1 for a C function. */
static int function_line(lua_State *L, int idx) {
    lua_Debug ar;
    lua_pushvalue(L, idx);
    lua_getinfo(L, ">S", &ar); /* pops the copy */
    return ar.linedefined > 0 ? ar.linedefined : 1;
}

/* Subtask i, the table at -1, into snap (the userdata at -3). */
static void snapshot_subtask(lua_State *L, gsl_task_snapshot *snap, int i) {
    gsl_subtask *st = &snap->subtasks[i];
    if (gsl_api_raw_field(L, -1, "lang") == LUA_TSTRING) snprintf(st->lang, sizeof st->lang, "%s", lua_tostring(L, -1));
    gsl_api_raw_field(L, -2, "goal");
    st->goal = (int)lua_tointeger(L, -1);
    gsl_api_raw_field(L, -3, "max_steps");
    st->max_steps = (int)lua_tointeger(L, -1);
    lua_pop(L, 3);
    static const char *const fns[2] = {"reward", "success"};
    for (int k = 0; k < 2; k++) {
        int is_fn = gsl_api_raw_field(L, -1, fns[k]) == LUA_TFUNCTION; /* ... entry fn */
        st->line[k] = is_fn ? function_line(L, -1) : 1;
        if (k == 0) st->has_reward = is_fn;
        else st->has_success = is_fn;
        lua_setiuservalue(L, -4, GSL_SUBTASK_UV(i) + k);
    }
}

const gsl_task_snapshot *gsl_api_push_snapshot(lua_State *L, int idx) {
    idx = lua_absindex(L, idx);
    if (!lua_istable(L, idx)) return NULL;
    lua_getfield(L, LUA_REGISTRYINDEX, TASKS_KEY);
    lua_pushvalue(L, idx);
    lua_rawget(L, -2);
    lua_remove(L, -2);
    gsl_task_snapshot *snap = lua_touserdata(L, -1);
    if (!snap) lua_pop(L, 1);
    return snap;
}

/* ---- env ---- */

static gs_scene *scene_of(lua_State *L, const char *fn) {
    if (lua_type(L, 1) != LUA_TUSERDATA || !luaL_testudata(L, 1, ENV_MT))
        luaL_error(L, "env:%s: call it with a colon, as env:%s(...)", fn, fn);
    gsl_host *h = host_of(L);
    if (!h->scene) luaL_error(L, "env:%s: there is no episode: env works inside reset and the task's callbacks", fn);
    return h->scene;
}

/* The line of the task file that called the binding running now: the
 * innermost frame of the task's own chunk, so a call made through a
 * plugin's helper module is charged to the task's line that called the
 * helper; 0 when no such frame is near (the walk is bounded, since a
 * task may call from deep recursion). */
#define LINE_SEARCH_DEPTH 64
static int task_line(lua_State *L) {
    const char *path = host_of(L)->path;
    lua_Debug ar;
    for (int level = 1; level <= LINE_SEARCH_DEPTH && lua_getstack(L, level, &ar); level++) {
        if (!lua_getinfo(L, "Sl", &ar) || ar.currentline <= 0) continue;
        if (!path || (ar.source[0] == '@' && strcmp(ar.source + 1, path) == 0)) return ar.currentline;
    }
    return 0;
}

static int declared(const gsl_host *h, const char *kind) {
    for (int i = 0; i < h->nassets; i++)
        if (strcmp(h->assets[i], kind) == 0) return 1;
    return 0;
}

/* A number option, type-checked only: ranges are the core's. */
static int opt_field(lua_State *L, int t, const char *key, double *out) {
    int ty = gsl_api_raw_field(L, t, key);
    if (ty != LUA_TNIL && ty != LUA_TNUMBER)
        luaL_error(L, "env:add: option '%s' must be a number, got %s", key, lua_typename(L, ty));
    if (ty == LUA_TNUMBER) *out = lua_tonumber(L, -1);
    lua_pop(L, 1);
    return ty == LUA_TNUMBER;
}

/* env:add's options table at idx as a request; the strings it points to
 * stay alive in the table. */
/* A plugin kind's own options, by name, into req. */
static void read_custom(lua_State *L, int idx, const gs_asset_kind *kind, gs_asset_request *req) {
    for (int c = 0; kind && c < kind->ncustom; c++) {
        int ty = gsl_api_raw_field(L, idx, kind->custom[c].name);
        if (ty != LUA_TNIL && ty != LUA_TNUMBER)
            luaL_error(L, "env:add: option '%s' must be a number, got %s", kind->custom[c].name, lua_typename(L, ty));
        if (ty == LUA_TNUMBER) {
            req->custom_name[req->ncustom] = kind->custom[c].name;
            req->custom_value[req->ncustom++] = lua_tonumber(L, -1);
        }
        lua_pop(L, 1);
    }
}

static void read_request(lua_State *L, int idx, const gs_asset_kind *kind, gs_asset_request *req) {
    memset(req, 0, sizeof *req);
    if (lua_isnoneornil(L, idx)) return;
    luaL_checktype(L, idx, LUA_TTABLE);
    const char *known[COUNT(ADD_OPTIONS) + GS_ASSET_MAX_CUSTOM];
    size_t nknown = 0;
    for (; nknown < COUNT(ADD_OPTIONS); nknown++) known[nknown] = ADD_OPTIONS[nknown];
    for (int c = 0; kind && c < kind->ncustom; c++) known[nknown++] = kind->custom[c].name;
    gsl_api_check_no_unknown(L, idx, "env:add", known, nknown);
    read_custom(L, idx, kind, req);
    int ty = gsl_api_raw_field(L, idx, "color");
    if (ty == LUA_TSTRING) req->color = lua_tostring(L, -1);
    else if (ty != LUA_TNIL) luaL_error(L, "env:add: option 'color' must be a colour name, got %s", lua_typename(L, ty));
    lua_pop(L, 1);
    ty = gsl_api_raw_field(L, idx, "fixed");
    if (ty == LUA_TBOOLEAN) req->has_fixed = 1, req->fixed = lua_toboolean(L, -1);
    else if (ty != LUA_TNIL) luaL_error(L, "env:add: option 'fixed' must be a boolean, got %s", lua_typename(L, ty));
    lua_pop(L, 1);
    if (gsl_api_raw_field(L, idx, "size") != LUA_TNIL) {
        if (!gsl_api_read_vec(L, lua_gettop(L), 3, req->size)) luaL_error(L, "env:add: option 'size' must be {x, y, z} numbers");
        req->has_size = 1;
    }
    lua_pop(L, 1);
    req->has_radius = opt_field(L, idx, "radius", &req->radius);
    req->has_height = opt_field(L, idx, "height", &req->height);
    req->has_length = opt_field(L, idx, "length", &req->length);
    req->has_mass = opt_field(L, idx, "mass", &req->mass);
    ty = gsl_api_raw_field(L, idx, "count");
    if (ty != LUA_TNIL) {
        if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1 || lua_tointeger(L, -1) > GS_ASSET_COUNT_MAX)
            luaL_error(L, "env:add: option 'count' must be an integer from 1 to %d", GS_ASSET_COUNT_MAX);
        req->has_count = 1, req->count = (int)lua_tointeger(L, -1);
    }
    lua_pop(L, 1);
    req->has_range = opt_field(L, idx, "range", &req->range);
    req->has_friction = opt_field(L, idx, "friction", &req->friction);
    req->has_damping = opt_field(L, idx, "damping", &req->damping);
    req->has_scale = opt_field(L, idx, "scale", &req->scale);
    ty = gsl_api_raw_field(L, idx, "continuous");
    if (ty == LUA_TBOOLEAN) req->has_continuous = 1, req->continuous = lua_toboolean(L, -1);
    else if (ty != LUA_TNIL) luaL_error(L, "env:add: option 'continuous' must be a boolean, got %s", lua_typename(L, ty));
    lua_pop(L, 1);
    static const char *const strings[] = {"side", "file"};
    const char **slots[] = {&req->side, &req->file};
    for (int k = 0; k < 2; k++) {
        ty = gsl_api_raw_field(L, idx, strings[k]);
        if (ty == LUA_TSTRING) *slots[k] = lua_tostring(L, -1); /* alive in the options table */
        else if (ty != LUA_TNIL) luaL_error(L, "env:add: option '%s' must be a string, got %s", strings[k], lua_typename(L, ty));
        lua_pop(L, 1);
    }
}

static int l_env_add(lua_State *L) {
    gs_scene *s = scene_of(L, "add");
    gsl_host *h = host_of(L);
    const char *kind_name = luaL_checkstring(L, 2);
    if (gs_asset_find(kind_name) && !declared(h, kind_name))
        return luaL_error(L, "env:add: kind '%s' is not in the task's assets list", kind_name);
    if (lua_isnoneornil(L, 3))
        return luaL_error(L, "env:add: the pose is nil (did env:random_pose find no room?)");
    gs_pose pose = gsl_api_check_pose(L, 3, "env:add", "pose");
    const gs_asset_kind *kind = gs_asset_find(kind_name);
    gs_asset_request req;
    read_request(L, 4, kind, &req);
    char err[512];
    if (kind && !kind->build) { /* a plugin's kind: its build is Lua, run here */
        gs_asset_params p;
        const char *color;
        if (gs_asset_resolve(kind, &req, &p, &color, err, sizeof err) != GS_OK) return luaL_error(L, "env:add: %s", err);
        int index = gsl_kind_build(L, s, kind, &p, color, &pose, h->prov);
        s->objects[index].line = task_line(L);
        push_object(L, h, index);
        return 1;
    }
    int first, n = gs_scene_add_object(s, kind_name, &req, &pose, &first, err, sizeof err);
    if (n < 0) return luaL_error(L, "env:add: %s", err);
    int line = task_line(L);
    for (int i = 0; i < n; i++) s->objects[first + i].line = line;
    if (!gs_asset_group_of(gs_asset_find(kind_name))) {
        push_object(L, h, first);
        return 1;
    }
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        push_object(L, h, first + i);
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

static int l_env_random_pose(lua_State *L) {
    gs_scene *s = scene_of(L, "random_pose");
    double size[3];
    gsl_api_check_size(L, 2, "env:random_pose", "size", size);
    gs_pose p;
    if (!gs_scene_random_pose(s, size, &p)) {
        lua_pushnil(L);
        return 1;
    }
    gsl_api_push_pose(L, &p);
    return 1;
}

static int l_env_random_size(lua_State *L) {
    gs_scene *s = scene_of(L, "random_size");
    double lo[3], hi[3];
    gsl_api_check_size(L, 2, "env:random_size", "min", lo);
    gsl_api_check_size(L, 3, "env:random_size", "max", hi);
    lua_createtable(L, 3, 0);
    for (int i = 0; i < 3; i++) {
        if (lo[i] > hi[i]) return luaL_error(L, "env:random_size: min[%d] = %f exceeds max[%d] = %f", i + 1, lo[i], i + 1, hi[i]);
        lua_pushnumber(L, gsu_rng_uniform(s->rng, lo[i], hi[i]));
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

static int l_env_pose(lua_State *L) {
    gs_scene *s = scene_of(L, "pose");
    gs_pose p;
    gs_scene_pose(s, check_object(L, 2, "env:pose"), &p);
    gsl_api_push_pose(L, &p);
    return 1;
}

static int l_env_size(lua_State *L) {
    gs_scene *s = scene_of(L, "size");
    const gs_object *o = &s->objects[check_object(L, 2, "env:size")];
    lua_createtable(L, 3, 0);
    for (int i = 0; i < 3; i++) {
        lua_pushnumber(L, o->size[i]);
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

static int l_env_color(lua_State *L) {
    gs_scene *s = scene_of(L, "color");
    lua_pushstring(L, s->objects[check_object(L, 2, "env:color")].color);
    return 1;
}

static int l_env_poses(lua_State *L) {
    gs_scene *s = scene_of(L, "poses");
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_Integer n = (lua_Integer)lua_rawlen(L, 2);
    lua_createtable(L, (int)n, 0);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, 2, i);
        gs_pose p;
        gs_scene_pose(s, check_object(L, -1, "env:poses"), &p);
        lua_pop(L, 1);
        gsl_api_push_pose(L, &p);
        lua_rawseti(L, -2, i);
    }
    return 1;
}

static int l_env_objects(lua_State *L) {
    gs_scene *s = scene_of(L, "objects");
    lua_createtable(L, s->nobjects, 0);
    for (int i = 0; i < s->nobjects; i++) {
        push_object(L, host_of(L), i);
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

static int l_env_gripper_pose(lua_State *L) {
    gs_scene *s = scene_of(L, "gripper_pose");
    gs_pose p;
    gs_robot_tip_pose(&s->robot, &p);
    gsl_api_push_pose(L, &p);
    return 1;
}

/* A joint's or link's name argument. */
static const char *check_name(lua_State *L, int idx, const char *fn, const char *what) {
    if (lua_type(L, idx) != LUA_TSTRING)
        luaL_error(L, "%s: the %s must be named by a string, got %s", fn, what, luaL_typename(L, idx));
    return lua_tostring(L, idx);
}

static int l_env_joint_state(lua_State *L) {
    gs_scene *s = scene_of(L, "joint_state");
    int obj = check_object(L, 2, "env:joint_state");
    const char *joint = check_name(L, 3, "env:joint_state", "joint");
    double q, f;
    char err[320];
    if (gs_scene_joint_state(s, obj, joint, &q, &f, err, sizeof err) != GS_OK)
        return luaL_error(L, "env:joint_state: %s", err);
    lua_pushnumber(L, q);
    lua_pushnumber(L, f);
    return 2;
}

static int l_env_joint_limits(lua_State *L) {
    gs_scene *s = scene_of(L, "joint_limits");
    int obj = check_object(L, 2, "env:joint_limits");
    const char *joint = check_name(L, 3, "env:joint_limits", "joint");
    double lo, hi;
    char err[320];
    if (gs_scene_joint_limits(s, obj, joint, &lo, &hi, err, sizeof err) != GS_OK)
        return luaL_error(L, "env:joint_limits: %s", err);
    lua_pushnumber(L, lo);
    lua_pushnumber(L, hi);
    return 2;
}

static int l_env_set_joint(lua_State *L) {
    gs_scene *s = scene_of(L, "set_joint");
    int obj = check_object(L, 2, "env:set_joint");
    const char *joint = check_name(L, 3, "env:set_joint", "joint");
    if (lua_type(L, 4) != LUA_TNUMBER)
        return luaL_error(L, "env:set_joint: the fraction must be a number from 0 (shut) to 1 (open), got %s",
                          luaL_typename(L, 4));
    if (!host_of(L)->in_reset)
        return luaL_error(L, "env:set_joint: only reset may set a joint; after it, joints move by actions");
    char err[320];
    if (gs_scene_set_joint(s, obj, joint, lua_tonumber(L, 4), err, sizeof err) != GS_OK)
        return luaL_error(L, "env:set_joint: %s", err);
    return 0;
}

static int l_env_link_pose(lua_State *L) {
    gs_scene *s = scene_of(L, "link_pose");
    int obj = check_object(L, 2, "env:link_pose");
    const char *link = check_name(L, 3, "env:link_pose", "link");
    gs_pose p;
    char err[320];
    if (gs_scene_link_pose(s, obj, link, &p, err, sizeof err) != GS_OK) return luaL_error(L, "env:link_pose: %s", err);
    gsl_api_push_pose(L, &p);
    return 1;
}

/* env:goal{...}'s matches field into spec (allowed as scratch userdata
 * the GC reclaims if a check raises). */
static void read_matches(lua_State *L, gs_goal_spec *g) {
    int ty = gsl_api_raw_field(L, 2, "matches");
    const char *m = ty == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    if (ty == LUA_TNIL || (m && strcmp(m, "any") == 0)) g->matches = GS_MATCH_ANY;
    else if (m && strcmp(m, "pairs") == 0) g->matches = GS_MATCH_PAIRS;
    else if (ty == LUA_TTABLE) {
        int mt = lua_gettop(L), nobj = g->nobjects, ntgt = g->ntargets;
        if ((int)lua_rawlen(L, mt) != nobj) luaL_error(L, "env:goal: 'matches' must have one row per object (%d)", nobj);
        unsigned char *allowed = lua_newuserdatauv(L, (size_t)nobj * (size_t)(ntgt ? ntgt : 1), 0);
        lua_insert(L, mt); /* below the matrix: alive until l_env_goal returns */
        for (int i = 0; i < nobj; i++) {
            if (lua_rawgeti(L, -1, i + 1) != LUA_TTABLE || (int)lua_rawlen(L, -1) != ntgt)
                luaL_error(L, "env:goal: 'matches'[%d] must be a list of %d booleans", i + 1, ntgt);
            for (int j = 0; j < ntgt; j++) {
                if (lua_rawgeti(L, -1, j + 1) != LUA_TBOOLEAN)
                    luaL_error(L, "env:goal: 'matches'[%d][%d] must be a boolean", i + 1, j + 1);
                allowed[i * ntgt + j] = (unsigned char)lua_toboolean(L, -1);
                lua_pop(L, 1);
            }
            lua_pop(L, 1);
        }
        g->matches = GS_MATCH_MATRIX, g->allowed = allowed;
    } else luaL_error(L, "env:goal: 'matches' must be \"any\", \"pairs\" or a boolean matrix");
    lua_pop(L, 1);
}

/* A boolean field of env:goal{...}, dflt when absent. */
static int goal_flag(lua_State *L, const char *key, int dflt) {
    int ty = gsl_api_raw_field(L, 2, key), v = dflt;
    if (ty == LUA_TBOOLEAN) v = lua_toboolean(L, -1);
    else if (ty != LUA_TNIL) luaL_error(L, "env:goal: '%s' must be a boolean", key);
    lua_pop(L, 1);
    return v;
}

/* A number field of env:goal{...}, dflt when absent; ranges are the core's. */
static double goal_number(lua_State *L, const char *key, double dflt) {
    double v = dflt;
    int ty = gsl_api_raw_field(L, 2, key);
    if (ty == LUA_TNUMBER) v = lua_tonumber(L, -1);
    else if (ty != LUA_TNIL) luaL_error(L, "env:goal: option '%s' must be a number, got %s", key, lua_typename(L, ty));
    lua_pop(L, 1);
    return v;
}

/* env:goal{...}: the table converted to a gs_goal_spec (its arrays in
 * userdata the GC reclaims if a conversion raises), which the core checks. */
static int l_env_goal(lua_State *L) {
    gs_scene *s = scene_of(L, "goal");
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    gsl_api_check_no_unknown(L, 2, "env:goal", GOAL_FIELDS, COUNT(GOAL_FIELDS));
    gs_goal_spec g = gs_goal_spec_default();

    if (gsl_api_raw_field(L, 2, "objects") != LUA_TTABLE || lua_rawlen(L, -1) == 0)
        return luaL_error(L, "env:goal: 'objects' must be a non-empty list of objects");
    int nobj = (int)lua_rawlen(L, -1);
    if (nobj > s->nobjects) return luaL_error(L, "env:goal: 'objects' lists %d objects but the scene has %d", nobj, s->nobjects);
    int *objects = lua_newuserdatauv(L, sizeof(int) * (size_t)nobj, 0); /* objects-list objects */
    for (int i = 0; i < nobj; i++) {
        lua_rawgeti(L, -2, i + 1);
        objects[i] = check_object(L, -1, "env:goal: 'objects'");
        lua_pop(L, 1);
    }
    g.objects = objects, g.nobjects = nobj;

    int ty = gsl_api_raw_field(L, 2, "metric");
    const char *metric = ty == LUA_TNIL ? "pose" : ty == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    if (!metric) return luaL_error(L, "env:goal: 'metric' must be \"pose\", \"zone\" or \"joint\"");
    if (strcmp(metric, "pose") == 0) g.metric = GS_METRIC_POSE;
    else if (strcmp(metric, "zone") == 0) g.metric = GS_METRIC_ZONE;
    else if (strcmp(metric, "joint") == 0) g.metric = GS_METRIC_JOINT;
    else return luaL_error(L, "env:goal: unknown metric '%s' (use \"pose\", \"zone\" or \"joint\")", metric);
    lua_pop(L, 1);
    if ((ty = gsl_api_raw_field(L, 2, "joint")) == LUA_TSTRING) g.joint = lua_tostring(L, -1); /* alive in the goal table */
    else if (ty != LUA_TNIL) return luaL_error(L, "env:goal: 'joint' must be a joint's name, got %s", lua_typename(L, ty));
    lua_pop(L, 1);
    g.target = goal_number(L, "target", -1);
    g.latch = goal_flag(L, "latch", 0);

    ty = gsl_api_raw_field(L, 2, "targets");
    if (ty == LUA_TTABLE) {
        int list = lua_gettop(L), ntgt = (int)lua_rawlen(L, list);
        if (ntgt > GS_MAX_TARGETS) return luaL_error(L, "env:goal: too many targets (%d)", ntgt);
        gs_pose *targets = lua_newuserdatauv(L, sizeof(gs_pose) * (size_t)(ntgt ? ntgt : 1), 0);
        for (int j = 0; j < ntgt; j++) {
            char what[32];
            snprintf(what, sizeof what, "'targets'[%d]", j + 1);
            lua_rawgeti(L, list, j + 1);
            targets[j] = gsl_api_check_pose(L, -1, "env:goal", what);
            lua_pop(L, 1);
        }
        g.targets = targets, g.ntargets = ntgt;
    } else if (ty != LUA_TNIL) {
        return luaL_error(L, "env:goal: 'targets' must be a list of poses");
    }
    g.replace = goal_flag(L, "replace", 0);
    /* a zone goal's targets are matched to its objects as a pose goal's are */
    if (g.metric == GS_METRIC_POSE || g.ntargets > 0) read_matches(L, &g);
    else if (gsl_api_raw_field(L, 2, "matches") != LUA_TNIL)
        return luaL_error(L, "env:goal: metric \"zone\" takes 'matches' only with 'targets'");
    else lua_pop(L, 1);
    if (g.metric == GS_METRIC_ZONE) {
        if (gsl_api_raw_field(L, 2, "zone") != LUA_TTABLE) return luaL_error(L, "env:goal: metric \"zone\" needs zone = {pose = ..., size = {x, y, z}}");
        int z = lua_gettop(L);
        gsl_api_raw_field(L, z, "pose");
        g.zone_pose = gsl_api_check_pose(L, -1, "env:goal", "'zone'.pose");
        lua_pop(L, 1);
        gsl_api_raw_field(L, z, "size");
        gsl_api_check_size(L, lua_gettop(L), "env:goal", "'zone'.size", g.zone_size);
        lua_pop(L, 2);
    }
    g.rotations = goal_flag(L, "rotations", 1);
    g.symmetry = goal_number(L, "symmetry", -1);
    g.tolerance = goal_number(L, "tolerance", -1); /* -1: the metric's default */
    g.reward = goal_number(L, "reward", 1);
    if ((ty = gsl_api_raw_field(L, 2, "lang")) == LUA_TSTRING) g.lang = lua_tostring(L, -1);
    else if (ty != LUA_TNIL) return luaL_error(L, "env:goal: 'lang' must be a string");
    /* lang stays referenced by the goal table until the core copies it */
    char err[256];
    if (gs_scene_add_goal(s, &g, err, sizeof err) != GS_OK) return luaL_error(L, "env:goal: %s", err);
    s->goals[s->ngoals - 1].line = task_line(L);
    return 0;
}

static int l_env_index(lua_State *L) {
    const char *key = lua_tostring(L, 2);
    if (key && strcmp(key, "rng") == 0) {
        lua_getiuservalue(L, 1, 1);
        return 1;
    }
    if (key && strcmp(key, "split") == 0) {
        lua_pushstring(L, host_of(L)->split ? host_of(L)->split : "train");
        return 1;
    }
    lua_getfield(L, lua_upvalueindex(2), key ? key : "");
    if (!lua_isnil(L, -1)) return 1;
    char hint[96];
    return luaL_error(L, "env has no field '%s'%s", key ? key : luaL_typename(L, 2),
                      key ? gsu_suggest(key, ENV_METHODS, COUNT(ENV_METHODS), hint, sizeof hint) : "");
}

static int l_env_newindex(lua_State *L) {
    return luaL_error(L, "env is read-only: keep task state in locals or upvalues");
}

void gsl_api_push_env(lua_State *L) {
    lua_getfield(L, LUA_REGISTRYINDEX, ENV_KEY);
}

/* ---- env.rng ---- */

static gsu_rng *check_rng(lua_State *L, const char *fn) {
    if (!luaL_testudata(L, 1, RNG_MT)) luaL_error(L, "rng:%s: call it with a colon, as env.rng:%s(...)", fn, fn);
    return *(gsu_rng **)lua_touserdata(L, 1);
}

static int l_rng_uniform(lua_State *L) {
    gsu_rng *r = check_rng(L, "uniform");
    double a = luaL_optnumber(L, 2, 0), b = luaL_optnumber(L, 3, 1);
    if (!isfinite(a) || !isfinite(b) || a > b) return luaL_error(L, "rng:uniform: needs finite a <= b, got %f, %f", a, b);
    lua_pushnumber(L, gsu_rng_uniform(r, a, b));
    return 1;
}

static int l_rng_int(lua_State *L) {
    gsu_rng *r = check_rng(L, "int");
    lua_Integer a = luaL_checkinteger(L, 2), b = luaL_checkinteger(L, 3);
    if (a > b) return luaL_error(L, "rng:int: empty interval %I..%I", a, b);
    lua_pushinteger(L, gsu_rng_int(r, a, b));
    return 1;
}

static int l_rng_normal(lua_State *L) {
    gsu_rng *r = check_rng(L, "normal");
    double mean = luaL_optnumber(L, 2, 0), sd = luaL_optnumber(L, 3, 1);
    if (!isfinite(mean) || !(sd >= 0) || !isfinite(sd)) return luaL_error(L, "rng:normal: needs a finite mean and sd >= 0");
    lua_pushnumber(L, gsu_rng_normal(r, mean, sd));
    return 1;
}

static int l_rng_choice(lua_State *L) {
    gsu_rng *r = check_rng(L, "choice");
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_Integer n = (lua_Integer)lua_rawlen(L, 2);
    if (n == 0) return luaL_error(L, "rng:choice: the list is empty");
    lua_rawgeti(L, 2, gsu_rng_int(r, 1, n));
    return 1;
}

static int l_rng_shuffle(lua_State *L) {
    gsu_rng *r = check_rng(L, "shuffle");
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_Integer n = (lua_Integer)lua_rawlen(L, 2);
    gsl_sandbox_charge(L, (uint64_t)n);
    for (lua_Integer i = n; i > 1; i--) { /* Fisher-Yates */
        lua_Integer j = gsu_rng_int(r, 1, i);
        lua_rawgeti(L, 2, i);
        lua_rawgeti(L, 2, j);
        lua_rawseti(L, 2, i);
        lua_rawseti(L, 2, j);
    }
    lua_settop(L, 2);
    return 1;
}

static int l_rng_index(lua_State *L) {
    const char *key = lua_tostring(L, 2);
    lua_getfield(L, lua_upvalueindex(1), key ? key : "");
    if (!lua_isnil(L, -1)) return 1;
    char hint[96];
    return luaL_error(L, "env.rng has no method '%s'%s", key ? key : "?",
                      key ? gsu_suggest(key, RNG_METHODS, COUNT(RNG_METHODS), hint, sizeof hint) : "");
}

/* ---- gs ---- */

static int l_gs_pose(lua_State *L) {
    double v[4];
    for (int i = 0; i < 4; i++) {
        v[i] = i < 3 ? luaL_checknumber(L, i + 1) : luaL_optnumber(L, 4, 0);
        if (!isfinite(v[i])) return luaL_error(L, "gs.pose: argument %d is not finite", i + 1);
    }
    gs_pose p = gsu_pose_xyz_yaw(v[0], v[1], v[2], v[3]);
    if (!gsu_pose_is_sane(&p, POSE_LIMIT)) return luaL_error(L, "gs.pose: (%f, %f, %f) is farther than %f m from the origin", v[0], v[1], v[2], POSE_LIMIT);
    gsl_api_push_pose(L, &p);
    return 1;
}

static int l_gs_multiply(lua_State *L) {
    gs_pose a = gsl_api_check_pose(L, 1, "gs.multiply", "a"), b = gsl_api_check_pose(L, 2, "gs.multiply", "b");
    gs_pose p = gsu_pose_multiply(&a, &b);
    gsl_api_push_pose(L, &p);
    return 1;
}

static int l_gs_invert(lua_State *L) {
    gs_pose a = gsl_api_check_pose(L, 1, "gs.invert", "pose");
    gs_pose p = gsu_pose_invert(&a);
    gsl_api_push_pose(L, &p);
    return 1;
}

static int l_gs_apply(lua_State *L) {
    gs_pose a = gsl_api_check_pose(L, 1, "gs.apply", "pose");
    luaL_checktype(L, 2, LUA_TTABLE);
    double v[3], out[3];
    for (int i = 0; i < 3; i++) {
        if (lua_rawgeti(L, 2, i + 1) != LUA_TNUMBER || !isfinite(v[i] = lua_tonumber(L, -1)))
            return luaL_error(L, "gs.apply: point[%d] must be a finite number", i + 1);
        lua_pop(L, 1);
    }
    gsu_pose_apply(&a, v, out);
    lua_createtable(L, 3, 0);
    for (int i = 0; i < 3; i++) {
        lua_pushnumber(L, out[i]);
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

static int l_gs_yaw(lua_State *L) {
    gs_pose a = gsl_api_check_pose(L, 1, "gs.yaw", "pose");
    lua_pushnumber(L, gsu_pose_yaw(&a));
    return 1;
}

static int l_gs_quat_from_euler(lua_State *L) {
    double r = luaL_checknumber(L, 1), p = luaL_checknumber(L, 2), y = luaL_checknumber(L, 3);
    if (!isfinite(r) || !isfinite(p) || !isfinite(y)) return luaL_error(L, "gs.quat_from_euler: angles must be finite");
    double q[4];
    gsu_quat_from_euler(r, p, y, q);
    lua_createtable(L, 4, 0);
    for (int i = 0; i < 4; i++) {
        lua_pushnumber(L, q[i]);
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

static int l_gs_index(lua_State *L) {
    const char *key = lua_tostring(L, 2);
    char hint[96];
    return luaL_error(L, "gs has no field '%s'%s", key ? key : "?",
                      key ? gsu_suggest(key, GS_FIELDS, COUNT(GS_FIELDS), hint, sizeof hint) : "");
}

/* ---- objects ---- */

static int l_object_tostring(lua_State *L) {
    gsl_object_ud *o = luaL_checkudata(L, 1, OBJ_MT);
    gsl_host *h = host_of(L);
    if (h->scene && o->episode == h->episode && o->index < h->scene->nobjects)
        lua_pushfstring(L, "%s#%d", h->scene->objects[o->index].kind->name, o->index + 1);
    else
        lua_pushfstring(L, "object#%d (of a past episode)", o->index + 1);
    return 1;
}

static int l_object_index(lua_State *L) {
    return luaL_error(L, "an object handle has no fields: use env:pose(obj), env:size(obj), env:color(obj)");
}

/* ---- installation ---- */

/* The env userdata (its uservalue env.rng, a userdata pointing at the
 * sandbox's generator) into the registry. */
static void install_env(gsl_sandbox *sb, gsl_host *host) {
    lua_State *L = gsl_sandbox_state(sb);
    static const luaL_Reg rng_methods[] = {{"uniform", l_rng_uniform}, {"int", l_rng_int},
                                           {"normal", l_rng_normal},   {"choice", l_rng_choice},
                                           {"shuffle", l_rng_shuffle}, {NULL, NULL}};
    gsu_rng **rng = lua_newuserdatauv(L, sizeof *rng, 0); /* env.rng */
    *rng = gsl_sandbox_rng(sb);
    luaL_newmetatable(L, RNG_MT);
    luaL_newlib(L, rng_methods);
    lua_pushcclosure(L, l_rng_index, 1);
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2); /* env.rng */

    static const luaL_Reg env_methods[] = {
        {"add", l_env_add},         {"random_pose", l_env_random_pose},
        {"random_size", l_env_random_size}, {"pose", l_env_pose},
        {"size", l_env_size},       {"color", l_env_color},
        {"poses", l_env_poses},     {"objects", l_env_objects},
        {"goal", l_env_goal},       {"link_pose", l_env_link_pose},
        {"joint_state", l_env_joint_state}, {"joint_limits", l_env_joint_limits},
        {"set_joint", l_env_set_joint}, {"gripper_pose", l_env_gripper_pose}, {NULL, NULL}};
    lua_newuserdatauv(L, 1, 1); /* env rng */
    lua_insert(L, -2);          /* rng env */
    lua_setiuservalue(L, -2, 1); /* env */
    luaL_newmetatable(L, ENV_MT);
    lua_pushlightuserdata(L, host);
    lua_createtable(L, 0, COUNT(env_methods));
    lua_pushlightuserdata(L, host);
    luaL_setfuncs(L, env_methods, 1);
    lua_pushcclosure(L, l_env_index, 2);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, l_env_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushliteral(L, "env");
    lua_setfield(L, -2, "__name");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_setfield(L, LUA_REGISTRYINDEX, ENV_KEY);
}

/* Pushes a list of names. */
static void push_list(lua_State *L, const char *const *names, int n) {
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        lua_pushstring(L, names[i]);
        lua_rawseti(L, -2, i + 1);
    }
}

/* The gs table: pose helpers and the colours. */
static void install_gs(gsl_sandbox *sb) {
    lua_State *L = gsl_sandbox_state(sb);
    static const luaL_Reg gs_funcs[] = {
        {"pose", l_gs_pose}, {"multiply", l_gs_multiply}, {"invert", l_gs_invert},
        {"apply", l_gs_apply}, {"yaw", l_gs_yaw}, {"quat_from_euler", l_gs_quat_from_euler},
        {NULL, NULL}};
    luaL_newlib(L, gs_funcs);
    int ncolors;
    const gs_color *colors = gs_colors(&ncolors);
    lua_createtable(L, 0, ncolors);
    for (int i = 0; i < ncolors; i++) {
        lua_createtable(L, 3, 0);
        for (int k = 0; k < 3; k++) {
            lua_pushnumber(L, colors[i].srgb[k] / 255.0);
            lua_rawseti(L, -2, k + 1);
        }
        lua_setfield(L, -2, colors[i].name);
    }
    lua_setfield(L, -2, "COLORS");
    int n;
    const char *const *train = gs_train_colors(&n);
    push_list(L, train, n);
    lua_setfield(L, -2, "TRAIN_COLORS");
    const char *const *test = gs_test_colors(&n);
    push_list(L, test, n);
    lua_setfield(L, -2, "TEST_COLORS");
    lua_createtable(L, 0, 2);
    lua_pushcfunction(L, l_gs_index);
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    gsl_sandbox_set_global(sb, "gs");
}

void gsl_api_install(gsl_sandbox *sb, gsl_host *host) {
    lua_State *L = gsl_sandbox_state(sb);
    int top = lua_gettop(L);

    lua_newtable(L); /* accepted task tables -> snapshots, weak keys */
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_setfield(L, LUA_REGISTRYINDEX, TASKS_KEY);
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, HANDLES_KEY);
    lua_pushlightuserdata(L, host);
    lua_setfield(L, LUA_REGISTRYINDEX, HOST_KEY);

    lua_pushlightuserdata(L, host);
    lua_pushcclosure(L, l_task, 1);
    gsl_sandbox_set_global(sb, "task");

    /* object handles */
    luaL_newmetatable(L, OBJ_MT);
    lua_pushlightuserdata(L, host);
    lua_pushcclosure(L, l_object_tostring, 1);
    lua_setfield(L, -2, "__tostring");
    lua_pushcfunction(L, l_object_index);
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);

    install_env(sb, host);
    install_gs(sb);
    size_t n;
    const char *const *names = gsl_api_names(&n);
    gsl_sandbox_add_names(sb, names, n);
    lua_settop(L, top);
}

const char *const *gsl_api_section(const char *section, size_t *n) {
    static const struct {
        const char *name;
        const char *const *names;
        size_t n;
    } SECTIONS[] = {{"task", TASK_FIELDS, COUNT(TASK_FIELDS)}, {"env", ENV_METHODS, COUNT(ENV_METHODS)},
                    {"add", ADD_OPTIONS, COUNT(ADD_OPTIONS)},  {"goal", GOAL_FIELDS, COUNT(GOAL_FIELDS)},
                    {"rng", RNG_METHODS, COUNT(RNG_METHODS)},  {"gs", GS_FIELDS, COUNT(GS_FIELDS)}};
    for (size_t i = 0; i < COUNT(SECTIONS); i++)
        if (strcmp(section, SECTIONS[i].name) == 0) {
            *n = SECTIONS[i].n;
            return SECTIONS[i].names;
        }
    *n = 0;
    return NULL;
}

const char *const *gsl_api_names(size_t *n) {
    static const char *names[COUNT(ENV_METHODS) + COUNT(RNG_METHODS) + COUNT(GS_FIELDS) + 2];
    size_t k = 0;
    names[k++] = "task";
    names[k++] = "env";
    for (size_t i = 0; i < COUNT(ENV_METHODS); i++) names[k++] = ENV_METHODS[i];
    for (size_t i = 0; i < COUNT(RNG_METHODS); i++) names[k++] = RNG_METHODS[i];
    for (size_t i = 0; i < COUNT(GS_FIELDS); i++) names[k++] = GS_FIELDS[i];
    *n = k;
    return names;
}

/* ---- poses, sizes, handles ---- */

int gsl_api_read_vec(lua_State *L, int t, int n, double *out) {
    if (!lua_istable(L, t)) return 0;
    for (int i = 0; i < n; i++) {
        int ok = lua_rawgeti(L, t, i + 1) == LUA_TNUMBER;
        out[i] = ok ? lua_tonumber(L, -1) : NAN;
        lua_pop(L, 1);
        if (!ok) return 0;
    }
    return 1;
}

int gsl_api_read_pose(lua_State *L, int idx, const char *what, gs_pose *out, char *err,
                      size_t errlen) {
    idx = lua_absindex(L, idx);
    if (!lua_istable(L, idx)) {
        gs_fail(err, errlen, GS_ERR_USAGE, "%s must be a pose {pos = {x, y, z}, rot = {x, y, z, w}}, got %s", what, luaL_typename(L, idx));
        return 0;
    }
    lua_pushliteral(L, "pos");
    lua_rawget(L, idx);
    int ok = gsl_api_read_vec(L, -1, 3, out->pos);
    lua_pop(L, 1);
    if (!ok) {
        gs_fail(err, errlen, GS_ERR_USAGE, "%s.pos must be {x, y, z} numbers", what);
        return 0;
    }
    lua_pushliteral(L, "rot");
    int rt = lua_rawget(L, idx);
    if (rt == LUA_TNIL) out->rot[0] = out->rot[1] = out->rot[2] = 0, out->rot[3] = 1;
    else ok = gsl_api_read_vec(L, -1, 4, out->rot);
    lua_pop(L, 1);
    if (!ok) {
        gs_fail(err, errlen, GS_ERR_USAGE, "%s.rot must be a quaternion {x, y, z, w}", what);
        return 0;
    }
    for (int i = 0; i < 3; i++)
        if (!isfinite(out->pos[i]) || fabs(out->pos[i]) > POSE_LIMIT) {
            gs_fail(err, errlen, GS_ERR_USAGE, "%s.pos[%d] = %g is not a place in the scene (finite, within %g m)", what, i + 1, out->pos[i], POSE_LIMIT);
            return 0;
        }
    double norm = 0;
    for (int i = 0; i < 4; i++) norm += out->rot[i] * out->rot[i];
    if (!isfinite(norm) || fabs(sqrt(norm) - 1) > 0.01) {
        gs_fail(err, errlen, GS_ERR_USAGE, "%s.rot must be a unit quaternion (its norm is %g)", what, sqrt(norm));
        return 0;
    }
    gsu_quat_normalize(out->rot);
    return 1;
}

/* {drag = {obj, "joint", to = f}} or {drag = {object = obj, joint = "joint",
 * to = f}} at idx (the drag table); the scene checks the rest when it acts.
 * Never raises. */
static int read_drag(lua_State *L, int idx, gs_action *a, char *err, size_t errlen) {
    const char *form = "drag must be {obj, \"joint\", to = fraction} (or {object = obj, joint = \"joint\", to = fraction})";
    if (!lua_istable(L, idx)) {
        gs_fail(err, errlen, GS_ERR_USAGE, "%s, got %s", form, luaL_typename(L, idx));
        return 0;
    }
    a->kind = GS_ACTION_DRAG;
    lua_getfield(L, LUA_REGISTRYINDEX, HOST_KEY);
    const gsl_host *h = lua_touserdata(L, -1);
    lua_pop(L, 1);
    lua_pushliteral(L, "object");
    if (lua_rawget(L, idx) == LUA_TNIL) {
        lua_pop(L, 1);
        lua_rawgeti(L, idx, 1);
    }
    const gsl_object_ud *o = luaL_testudata(L, -1, OBJ_MT);
    int ok = o && h && h->scene && o->episode == h->episode && o->index < h->scene->nobjects;
    if (ok) a->drag_object = o->index;
    lua_pop(L, 1);
    lua_pushliteral(L, "joint");
    if (lua_rawget(L, idx) == LUA_TNIL) {
        lua_pop(L, 1);
        lua_rawgeti(L, idx, 2);
    }
    size_t len = 0;
    const char *joint = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
    ok = ok && joint && len < sizeof a->drag_joint;
    if (ok) memcpy(a->drag_joint, joint, len + 1);
    lua_pop(L, 1);
    lua_pushliteral(L, "to");
    ok = ok && lua_rawget(L, idx) == LUA_TNUMBER;
    a->drag_to = lua_tonumber(L, -1);
    lua_pop(L, 1);
    if (!ok) gs_fail(err, errlen, GS_ERR_USAGE, "%s: an object of this episode, a joint's name and a number", form);
    return ok;
}

int gsl_api_read_action(lua_State *L, int idx, gs_action *a, char *err, size_t errlen) {
    idx = lua_absindex(L, idx);
    memset(a, 0, sizeof *a);
    if (!lua_istable(L, idx)) {
        gs_fail(err, errlen, GS_ERR_USAGE, "an action must be {pick = pose, place = pose}, {push = {from, to}}, "
                "{drag = {obj, joint, to = fraction}} or {move = {dx, dy, dz, dyaw}, suction = bool}, got %s",
                luaL_typename(L, idx));
        return 0;
    }
    lua_pushliteral(L, "lift");
    int lt = lua_rawget(L, idx);
    a->lift = lua_tonumber(L, -1);
    lua_pop(L, 1);
    if (lt != LUA_TNIL && !(lt == LUA_TNUMBER && a->lift >= GSL_LIFT_MIN && a->lift <= GSL_LIFT_MAX)) {
        gs_fail(err, errlen, GS_ERR_USAGE, "lift must be a number from %g to %g m", GSL_LIFT_MIN, GSL_LIFT_MAX);
        return 0;
    }
    lua_pushliteral(L, "drag");
    if (lua_rawget(L, idx) != LUA_TNIL) {
        int ok = read_drag(L, lua_gettop(L), a, err, errlen);
        lua_pop(L, 1);
        return ok;
    }
    lua_pop(L, 1);
    lua_pushliteral(L, "move");
    if (lua_rawget(L, idx) != LUA_TNIL) {
        int ok = gsl_api_read_vec(L, -1, 4, a->move);
        lua_pop(L, 1);
        if (!ok) {
            gs_fail(err, errlen, GS_ERR_USAGE, "move must be {dx, dy, dz, dyaw}: four numbers (metres and radians)");
            return 0;
        }
        if (!gs_robot_move_valid(a->move, err, errlen)) return 0;
        lua_pushliteral(L, "suction");
        int ty = lua_rawget(L, idx);
        a->suction = lua_toboolean(L, -1);
        lua_pop(L, 1);
        if (ty != LUA_TNIL && ty != LUA_TBOOLEAN) {
            gs_fail(err, errlen, GS_ERR_USAGE, "suction must be true or false");
            return 0;
        }
        a->kind = GS_ACTION_MOVE;
        return 1;
    }
    lua_pop(L, 1);
    lua_pushliteral(L, "push");
    if (lua_rawget(L, idx) != LUA_TNIL) {
        int ok = lua_istable(L, -1);
        for (int k = 0; ok && k < 2; k++) {
            double *v = k ? a->to : a->from;
            lua_pushstring(L, k ? "to" : "from");
            ok = lua_rawget(L, -2) == LUA_TTABLE;
            for (int i = 0; ok && i < 3; i++) {
                ok = lua_rawgeti(L, -1, i + 1) == LUA_TNUMBER;
                v[i] = lua_tonumber(L, -1);
                ok = ok && isfinite(v[i]) && fabs(v[i]) <= POSE_LIMIT;
                lua_pop(L, 1);
            }
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
        if (!ok) {
            gs_fail(err, errlen, GS_ERR_USAGE, "push must be {from = {x, y, z}, to = {x, y, z}} of finite numbers within %g m", POSE_LIMIT);
            return 0;
        }
        a->kind = GS_ACTION_PUSH;
        return 1;
    }
    lua_pop(L, 1);
    a->kind = GS_ACTION_PICK_PLACE;
    for (int k = 0; k < 2; k++) {
        const char *key = k ? "place" : "pick";
        lua_pushstring(L, key);
        lua_rawget(L, idx);
        int ok = gsl_api_read_pose(L, -1, key, k ? &a->place : &a->pick, err, errlen);
        lua_pop(L, 1);
        if (!ok) return 0;
    }
    return 1;
}

gs_pose gsl_api_check_pose(lua_State *L, int idx, const char *fn, const char *what) {
    gs_pose p;
    char err[256];
    if (!gsl_api_read_pose(L, idx, what, &p, err, sizeof err)) luaL_error(L, "%s: %s", fn, err);
    return p;
}

void gsl_api_check_size(lua_State *L, int idx, const char *fn, const char *what, double out[3]) {
    if (!gsl_api_read_vec(L, idx, 3, out)) luaL_error(L, "%s: %s must be {x, y, z} numbers", fn, what);
    for (int i = 0; i < 3; i++)
        if (!(out[i] >= 0 && out[i] <= GS_ASSET_SIZE_MAX))
            luaL_error(L, "%s: %s[%d] = %f must be from 0 to %f m", fn, what, i + 1, out[i], GS_ASSET_SIZE_MAX);
}

void gsl_api_push_pose(lua_State *L, const gs_pose *p) {
    lua_createtable(L, 0, 2);
    lua_createtable(L, 3, 0);
    for (int i = 0; i < 3; i++) {
        lua_pushnumber(L, p->pos[i]);
        lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "pos");
    lua_createtable(L, 4, 0);
    for (int i = 0; i < 4; i++) {
        lua_pushnumber(L, p->rot[i]);
        lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "rot");
}

/* One handle per object per episode, so handles compare equal and serve
 * as table keys. */
static void push_object(lua_State *L, gsl_host *h, int index) {
    lua_getfield(L, LUA_REGISTRYINDEX, HANDLES_KEY);
    if (lua_rawgeti(L, -1, index + 1) == LUA_TUSERDATA) {
        gsl_object_ud *o = lua_touserdata(L, -1);
        if (o->episode == h->episode) {
            lua_remove(L, -2);
            return;
        }
    }
    lua_pop(L, 1);
    gsl_object_ud *o = lua_newuserdatauv(L, sizeof *o, 0);
    o->index = index;
    o->episode = h->episode;
    luaL_setmetatable(L, OBJ_MT);
    lua_pushvalue(L, -1);
    lua_rawseti(L, -3, index + 1);
    lua_remove(L, -2);
}

static int check_object(lua_State *L, int idx, const char *fn) {
    gsl_object_ud *o = luaL_testudata(L, idx, OBJ_MT);
    if (!o) return luaL_error(L, "%s: expected an object from env:add, got %s", fn, luaL_typename(L, idx));
    gsl_host *h = host_of(L);
    if (!h->scene || o->episode != h->episode || o->index >= h->scene->nobjects)
        return luaL_error(L, "%s: object#%d belongs to an earlier episode", fn, o->index + 1);
    return o->index;
}

int gsl_api_raw_field(lua_State *L, int t, const char *key) {
    t = lua_absindex(L, t);
    lua_pushstring(L, key);
    return lua_rawget(L, t);
}

void gsl_api_check_no_unknown(lua_State *L, int t, const char *fn, const char *const *known,
                             size_t n) {
    t = lua_absindex(L, t);
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        const char *key = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        if (!key) luaL_error(L, "%s: keys must be names, got a %s key", fn, luaL_typename(L, -1));
        size_t k = 0;
        while (k < n && strcmp(key, known[k]) != 0) k++;
        if (k == n) {
            char hint[160];
            luaL_error(L, "%s: unknown field '%s'%s", fn, key, gsu_suggest(key, known, n, hint, sizeof hint));
        }
    }
}
