/* task.c: a loaded task file and its episodes.
 *
 * The task table lives in the sandbox's registry for the task's lifetime;
 * each episode gets a fresh scene and a freshly seeded generator, so nothing
 * of one episode leaks into the next. */
#include <lauxlib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gensim/io.h"
#include "task/task_internal.h"

#define MAX_TASK_BYTES (1 << 20)


static gs_status call_field(gs_task *t, int callback, int nresults, int push_obs,
                            char *err, size_t errlen);
static gs_status call_uv(gs_task *t, int uv, int nresults, int push_obs, char *err, size_t errlen);
static gs_status read_action(gs_task *t, int idx, gs_action *a, char *err, size_t errlen);
static gs_status read_reward(gs_task *t, int line, int dense, double *reward, int *done, char *err,
                             size_t errlen);
static void place_cup_for_control(gs_scene *s);
static int count_lines(const char *src, size_t len);

int gs_task_name_valid(const char *name, char *why, size_t whylen) {
    size_t n = name ? strlen(name) : 0;
    int ok = n > 0 && n <= GS_TASK_NAME_MAX && name[0] != '-' && name[n - 1] != '-' &&
             strcmp(name, "index") != 0;
    for (size_t i = 0; ok && i < n; i++)
        ok = (name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
             (name[i] == '-' && name[i + 1] != '-');
    if (!ok)
        gs_fail(why, whylen, GS_ERR_USAGE,
                "a task name is kebab-case: 1 to %d characters a-z, 0-9 and single dashes inside, "
                "not \"index\"; got \"%.*s\"", GS_TASK_NAME_MAX, 40, name ? name : "(null)");
    return ok;
}

/* The scene's charges go to the task's one memory budget. */
static int charge_sandbox(void *ud, ptrdiff_t bytes) { return gsl_sandbox_charge_memory(ud, bytes); }

gs_task_options gs_task_options_default(void) {
    gs_task_options o;
    o.limits = gsl_limits_default();
    o.scene = gs_scene_options_default();
    o.log = NULL;
    o.log_ud = NULL;
    o.test_split = 0;
    const char *in_process = getenv("GENSIM_IN_PROCESS");
    o.in_process = in_process && *in_process && strcmp(in_process, "0") != 0;
    return o;
}


int gs_task_folders(char **dirs, int max) {
    const gs_plugin_set *p = gs_plugins();
    int n = 0;
    for (int f = 0; f < p->nfolders && n < max; f++) {
        dirs[n] = strdup(p->folders[f]);
        n += dirs[n] != NULL;
        for (int i = 0; f < p->npath && i < p->nplugins && n < max; i++) {
            const gs_plugin *pl = &p->plugins[i];
            if (pl->folder != f || pl->refused) continue;
            size_t size = strlen(pl->dir) + sizeof "/tasks";
            if ((dirs[n] = malloc(size))) snprintf(dirs[n++], size, "%s/tasks", pl->dir);
        }
    }
    return n;
}

gs_status gs_task_resolve(const char *what, char *path, size_t n, char *err, size_t errlen) {
    size_t len = what ? strlen(what) : 0;
    if (len == 0) return gs_fail(err, errlen, GS_ERR_USAGE, "no task named");
    if (strchr(what, '/') || (len > 4 && strcmp(what + len - 4, ".lua") == 0)) {
        if (len >= n) return gs_fail(err, errlen, GS_ERR_USAGE, "the path %s is too long", what);
        memcpy(path, what, len + 1);
        return GS_OK;
    }
    const gs_plugin_set *p = gs_plugins();
    int i = gs_plugins_find(p, GS_ITEM_TASK, what);
    path[0] = 0;
    if (i >= 0) {
        if (snprintf(path, n, "%s", p->items[i].path) >= (int)n)
            return gs_fail(err, errlen, GS_ERR_USAGE, "the path %s is too long", p->items[i].path);
        return GS_OK;
    }
    gs_status why = gs_plugins_why(p, GS_ITEM_TASK, what, err, errlen);
    if (why != GS_ERR_IO) return why; /* refused: err says why */
    /* a task written since the path was read (the library grows while a
     * generation runs): the library's folders are looked at again */
    for (int f = p->npath; f < p->nfolders; f++) {
        struct stat st;
        if (snprintf(path, n, "%s/%s.lua", p->folders[f], what) < (int)n && stat(path, &st) == 0 && S_ISREG(st.st_mode))
            return GS_OK;
    }
    char looked[1024] = "";
    for (int d = 0, used = 0; d < p->nfolders && used < (int)sizeof looked; d++)
        used += snprintf(looked + used, sizeof looked - (size_t)used, "%s%s", d ? ", " : "", p->folders[d]);
    const char *hint = strstr(err, " (did you mean");
    char h[128];
    snprintf(h, sizeof h, "%s", hint ? hint : "");
    path[0] = 0;
    return gs_fail(err, errlen, GS_ERR_IO, "no task '%s'%s: not a file, and no %s.lua in %s", what, h, what,
                   p->nfolders ? looked : "any task folder (no data folder and no plugin path)");
}

gs_status gs_task_load(const char *what, const gs_task_options *opt, gs_task **out, char *err,
                       size_t errlen) {
    char *src;
    size_t len;
    *out = NULL;
    char path[4096];
    gs_status st = gs_task_resolve(what, path, sizeof path, err, errlen);
    if (st != GS_OK) return st;
    st = gs_read_file(path, MAX_TASK_BYTES, &src, &len, err, errlen);
    if (st != GS_OK) return st;
    st = gs_task_load_string(path, src, len, opt, out, err, errlen);
    free(src);
    return st;
}

gs_status gs_task_load_string(const char *path, const char *src, size_t len,
                              const gs_task_options *opt, gs_task **out, char *err,
                              size_t errlen) {
    *out = NULL;
    gs_plugins(); /* the plugins' kinds join the asset table before any task names one */
    gs_task *t = calloc(1, sizeof *t);
    if (!t || !(t->path = strdup(path))) {
        free(t);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory loading %s", path);
    }
    t->opt = *opt;
    t->snapshot_ref = LUA_NOREF;
    t->sb = gsl_sandbox_new(&opt->limits, opt->log, opt->log_ud, err, errlen);
    if (!t->sb) {
        gs_task_free(t);
        return GS_ERR_NOMEM;
    }
    t->host.split = opt->test_split ? "test" : "train";
    t->host.prov = &t->prov;
    t->host.path = t->path;
    gsl_api_install(t->sb, &t->host);
    gsl_kind_install(t->sb);
    t->finder.prov = &t->prov;
    gsl_sandbox_set_require(t->sb, gs__find_module, &t->finder);
    gs__provenance_add(&t->prov, path, src, len);
    lua_State *L = gsl_sandbox_state(t->sb);
    int top = lua_gettop(L);

    if (len == 0 || strspn(src, " \t\r\n") == len) {
        gs_task_free(t);
        return gs_fail(err, errlen, GS_ERR_SHAPE, "%s:1: the file is empty: a task file must return task{...}", path);
    }
    gs_status st = gsl_sandbox_load(t->sb, path, src, len, err, errlen);
    if (st != GS_OK) {
        gs_task_free(t);
        return st;
    }
    gsl_sandbox_arm(t->sb);
    st = gsl_sandbox_call(t->sb, 0, 1, err, errlen); /* chunk result */
    if (st == GS_ERR_RUNTIME && t->host.shape_error) st = GS_ERR_SHAPE;
    if (st != GS_OK) {
        gs_task_free(t);
        return st;
    }
    /* task{...} checked the table and kept a snapshot of it; the table
     * itself the task may have changed since, so it is never read again */
    const gsl_task_snapshot *snap = gsl_api_push_snapshot(L, -1);
    if (!snap) {
        gs_fail(err, errlen, GS_ERR_SHAPE, "%s:%d: the chunk must end with 'return task{...}', it returned %s",
                path, count_lines(src, len), lua_isnil(L, -1) ? "nothing" : luaL_typename(L, -1));
        lua_settop(L, top);
        gs_task_free(t);
        return GS_ERR_SHAPE;
    }
    t->snap = *snap;
    for (int i = 0; i < t->snap.nassets; i++) t->assets[i] = t->snap.assets[i];
    t->host.assets = t->assets;
    t->host.nassets = t->snap.nassets;
    t->snapshot_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_settop(L, top);
    *out = t;
    return GS_OK;
}

void gs_task_free(gs_task *t) {
    if (!t) return;
    if (t->live) gs_scene_free(&t->scene);
    gsl_sandbox_free(t->sb);
    free(t->path);
    free(t);
}

const char *gs_task_name(const gs_task *t) { return t->snap.name; }
const char *gs_task_description(const gs_task *t) { return t->snap.description; }
int gs_task_max_steps(const gs_task *t) { return t->snap.max_steps; }
const char *const *gs_task_assets(const gs_task *t, int *n) {
    *n = t->snap.nassets;
    return t->assets;
}
uint64_t gs_task_seed(const gs_task *t) { return t->seed; }
gs_scene *gs_task_scene(gs_task *t) { return t->live ? &t->scene : NULL; }

gs_status gs_task_reset(gs_task *t, uint64_t seed, char *err, size_t errlen) {
    if (t->live) gs_scene_free(&t->scene);
    t->live = 0;
    t->host.scene = NULL;
    t->host.episode++;
    gsl_sandbox_arm(t->sb);
    gsu_rng_seed(gsl_sandbox_rng(t->sb), seed);
    gs_status st = gs_scene_init(&t->scene, &t->opt.scene, gsl_sandbox_rng(t->sb), err, errlen);
    if (st != GS_OK) return st;
    t->scene.charge = charge_sandbox, t->scene.charge_ud = t->sb;
    t->scene.moves = t->snap.continuous ? 1 : 0;
    for (int i = 0; i < t->snap.nsubtasks && !t->snap.continuous; i++)
        if (t->snap.subtasks[i].has_reward) t->scene.moves = 2;
    t->nterms = 0;
    t->live = 1;
    t->host.scene = &t->scene;
    t->host.in_reset = 1;
    st = call_field(t, GSL_RESET, 0, 0, err, errlen);
    t->host.in_reset = 0;
    if (st != GS_OK) return st;
    char why[768];
    int line;
    st = gs__scene_check(&t->scene, &line, why, sizeof why);
    if (st != GS_OK)
        return gs_fail(err, errlen, st, "%s:%d: reset: %s", t->path, line > 0 ? line : t->snap.line[GSL_RESET], why);
    if (t->scene.moves == 1) place_cup_for_control(&t->scene);
    gs_robot_settle(&t->scene.robot);
    if (gs_world_first_invalid(t->scene.world) != GS_BODY_NONE)
        return gs_fail(err, errlen, GS_ERR_PHYSICS, "%s:%d: reset: the scene blew up while settling", t->path, t->snap.line[GSL_RESET]);
    gs__scene_refresh(&t->scene);
    t->seed = seed;
    t->steps0 = gs_world_steps(t->scene.world);
    return GS_OK;
}

gs_status gs_task_oracle(gs_task *t, gs_action *a, int *have, char *err, size_t errlen) {
    *have = 0;
    if (!t->live) return gs_fail(err, errlen, GS_ERR_USAGE, "no episode: reset first");
    if (!t->snap.has[GSL_ORACLE]) {
        /* the built-in oracle knows primitives only: a continuous task is learned */
        *have = t->scene.moves != 1 && gs_oracle_action(&t->scene, a);
        return GS_OK;
    }
    lua_State *L = gsl_sandbox_state(t->sb);
    gs_status st = call_field(t, GSL_ORACLE, 1, 1, err, errlen);
    if (st != GS_OK) return st;
    if (!lua_isnil(L, -1)) {
        st = read_action(t, -1, a, err, errlen);
        *have = st == GS_OK;
    }
    lua_pop(L, 1);
    return st;
}

gs_status gs_task_reward(gs_task *t, double *reward, int *done, char *err, size_t errlen) {
    if (!t->live) return gs_fail(err, errlen, GS_ERR_USAGE, "no episode: reset first");
    if (!t->snap.has[GSL_REWARD]) {
        int stage;
        *reward = gs_scene_reward(&t->scene, &stage);
        *done = *reward >= 1 - GS_SUCCESS_EPS;
        return GS_OK;
    }
    gs_status st = call_field(t, GSL_REWARD, 3, 0, err, errlen);
    if (st != GS_OK) return st;
    return read_reward(t, t->snap.line[GSL_REWARD], t->snap.continuous, reward, done, err, errlen);
}

gs_status gs_task_success(gs_task *t, int *success, char *err, size_t errlen) {
    if (!t->snap.has[GSL_SUCCESS]) {
        double r;
        int done;
        gs_status st = gs_task_reward(t, &r, &done, err, errlen);
        *success = st == GS_OK && r >= 1 - GS_SUCCESS_EPS;
        return st;
    }
    lua_State *L = gsl_sandbox_state(t->sb);
    gs_status st = call_field(t, GSL_SUCCESS, 1, 0, err, errlen);
    if (st != GS_OK) return st;
    *success = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return GS_OK;
}

const char *gs_task_stage_lang(const gs_task *t) {
    const gs_scene *s = t->live ? &t->scene : NULL;
    if (!s || s->ngoals == 0) return t->snap.description;
    int stage;
    gs_scene_reward(s, &stage);
    if (stage >= s->ngoals) stage = s->ngoals - 1;
    const char *lang = s->goals[stage].lang;
    return lang && *lang ? lang : t->snap.description;
}

const char *gs_task_path(const gs_task *t) { return t->path; }

int gs_task_continuous(const gs_task *t) { return t->snap.continuous; }

int gs_task_reward_terms(const gs_task *t, const char **names, double *values, int max) {
    int n = t->nterms < max ? t->nterms : max;
    for (int i = 0; i < n; i++) names[i] = t->term_names[i], values[i] = t->term_values[i];
    return n;
}

int gs_task_subtask_count(const gs_task *t) { return t->snap.nsubtasks; }

gs_subtask_info gs_task_subtask(const gs_task *t, int i) {
    gs_subtask_info info = {"", 0, 0, 0};
    if (i < 0 || i >= t->snap.nsubtasks) return info;
    const gsl_subtask *st = &t->snap.subtasks[i];
    info.lang = st->lang;
    info.goal = st->goal;
    info.learned = st->has_reward;
    info.max_steps = st->max_steps ? st->max_steps : t->snap.max_steps;
    return info;
}

gs_status gs_task_subtask_done(gs_task *t, int i, int *done, char *err, size_t errlen) {
    *done = 0;
    if (!t->live) return gs_fail(err, errlen, GS_ERR_USAGE, "no episode: reset first");
    if (i < 0 || i >= t->snap.nsubtasks) return gs_fail(err, errlen, GS_ERR_USAGE, "no subtask %d", i + 1);
    const gsl_subtask *st = &t->snap.subtasks[i];
    if (!st->has_success) {
        if (st->goal > t->scene.ngoals)
            return gs_fail(err, errlen, GS_ERR_RUNTIME, "%s:%d: subtasks[%d].goal = %d, but reset made %d goal stage%s",
                           t->path, t->snap.line[GSL_RESET], i + 1, st->goal, t->scene.ngoals,
                           t->scene.ngoals == 1 ? "" : "s");
        int stage;
        gs_scene_reward(&t->scene, &stage);
        *done = stage >= st->goal;
        return GS_OK;
    }
    lua_State *L = gsl_sandbox_state(t->sb);
    gs_status st_ = call_uv(t, GSL_SUBTASK_UV(i) + 1, 1, 0, err, errlen);
    if (st_ != GS_OK) return st_;
    *done = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return GS_OK;
}

gs_status gs_task_subtask_reward(gs_task *t, int i, double *reward, int *done, char *err, size_t errlen) {
    if (!t->live) return gs_fail(err, errlen, GS_ERR_USAGE, "no episode: reset first");
    if (i < 0 || i >= t->snap.nsubtasks || !t->snap.subtasks[i].has_reward)
        return gs_fail(err, errlen, GS_ERR_USAGE, "subtask %d has no reward", i + 1);
    gs_status st = call_uv(t, GSL_SUBTASK_UV(i), 3, 0, err, errlen);
    if (st != GS_OK) return st;
    return read_reward(t, t->snap.subtasks[i].line[0], 1, reward, done, err, errlen);
}

gs_status gs_task_current_subtask(gs_task *t, int *current, char *err, size_t errlen) {
    *current = 0;
    for (int i = 0; i < t->snap.nsubtasks; i++) {
        int done;
        gs_status st = gs_task_subtask_done(t, i, &done, err, errlen);
        if (st != GS_OK) return st;
        if (!done) return GS_OK;
        *current = i + 1;
    }
    return GS_OK;
}

/* ---- helpers ---- */

/* Calls the snapshot's callback(env [, obs]) in the sandbox, leaving nresults. */
static gs_status call_field(gs_task *t, int callback, int nresults, int push_obs,
                            char *err, size_t errlen) {
    return call_uv(t, callback + 1, nresults, push_obs, err, errlen);
}

/* The same for the function in the snapshot's user value uv. */
static gs_status call_uv(gs_task *t, int uv, int nresults, int push_obs, char *err, size_t errlen) {
    lua_State *L = gsl_sandbox_state(t->sb);
    lua_rawgeti(L, LUA_REGISTRYINDEX, t->snapshot_ref);
    lua_getiuservalue(L, -1, uv);
    lua_remove(L, -2);
    gsl_api_push_env(L);
    if (push_obs) {
        lua_createtable(L, 0, 3);
        lua_pushinteger(L, t->scene.steps);
        lua_setfield(L, -2, "step");
        lua_pushinteger(L, t->snap.max_steps);
        lua_setfield(L, -2, "max_steps");
        lua_pushnumber(L, gs_scene_reward(&t->scene, NULL));
        lua_setfield(L, -2, "reward");
    }
    return gsl_sandbox_call(t->sb, push_obs ? 2 : 1, nresults, err, errlen);
}

/* The action the task's oracle returned at idx (not nil). */
static gs_status read_action(gs_task *t, int idx, gs_action *a, char *err, size_t errlen) {
    char why[256];
    if (!gsl_api_read_action(gsl_sandbox_state(t->sb), idx, a, why, sizeof why))
        return gs_fail(err, errlen, GS_ERR_RUNTIME, "%s:%d: oracle returned a bad action: %s", t->path, t->snap.line[GSL_ORACLE], why);
    return GS_OK;
}


/* The reward's terms table at idx (nil: none) into t, sorted by name. */
static void read_terms(gs_task *t, lua_State *L, int idx) {
    t->nterms = 0;
    if (!lua_istable(L, idx)) return;
    idx = lua_absindex(L, idx);
    lua_pushnil(L);
    while (t->nterms < GS_REWARD_TERMS_MAX && lua_next(L, idx)) {
        if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TNUMBER) {
            int k = t->nterms++;
            snprintf(t->term_names[k], GS_REWARD_TERM_NAME_MAX, "%s", lua_tostring(L, -2));
            t->term_values[k] = lua_tonumber(L, -1);
            for (; k > 0 && strcmp(t->term_names[k - 1], t->term_names[k]) > 0; k--) {
                char name[GS_REWARD_TERM_NAME_MAX];
                double v = t->term_values[k];
                memcpy(name, t->term_names[k], sizeof name);
                memcpy(t->term_names[k], t->term_names[k - 1], sizeof name);
                memcpy(t->term_names[k - 1], name, sizeof name);
                t->term_values[k] = t->term_values[k - 1], t->term_values[k - 1] = v;
            }
        }
        lua_pop(L, 1);
    }
}

/* The r, done[, terms] a reward left on the stack (popped): r a number in
 * [0, 1] for a task of primitives, any finite number for a dense one. */
static gs_status read_reward(gs_task *t, int line, int dense, double *reward, int *done, char *err,
                             size_t errlen) {
    lua_State *L = gsl_sandbox_state(t->sb);
    int isnum;
    double r = lua_tonumberx(L, -3, &isnum);
    gs_status st = GS_OK;
    if (!isnum || lua_type(L, -3) != LUA_TNUMBER)
        st = gs_fail(err, errlen, GS_ERR_RUNTIME, "%s:%d: reward(env) must return a number r and a boolean done, "
                     "got %s for r", t->path, line, luaL_typename(L, -3));
    else if (!isfinite(r))
        st = gs_fail(err, errlen, GS_ERR_RUNTIME, "%s:%d: reward(env) must return a finite number r, got %g "
                     "(look for a division by zero or the square root of a negative number)", t->path, line, r);
    else if (!dense && !(r >= 0 && r <= 1 + GS_SUCCESS_EPS))
        st = gs_fail(err, errlen, GS_ERR_RUNTIME, "%s:%d: reward(env) must return a number in [0, 1] and a "
                     "boolean done, got r = %g", t->path, line, r);
    else if (!lua_isboolean(L, -2) && !lua_isnil(L, -2))
        st = gs_fail(err, errlen, GS_ERR_RUNTIME, "%s:%d: reward(env) must return r and a boolean done, got %s "
                     "for done", t->path, line, luaL_typename(L, -2));
    else
        *reward = r, *done = lua_toboolean(L, -2);
    if (st == GS_OK) read_terms(t, L, -1);
    lua_pop(L, 3);
    return st;
}

/* A continuous episode starts with the cup at the documented start, above
 * whatever lies below it there. */
static void place_cup_for_control(gs_scene *s) {
    double z = GS_CONTROL_START_Z, reach = s->robot.opt.tip_radius + 0.01;
    for (int i = 0; i < s->nobjects; i++) {
        gs_pose p;
        gs_scene_pose(s, i, &p);
        const gs_object *o = &s->objects[i];
        double c[3], ext[3], h[3] = {o->size[0] / 2, o->size[1] / 2, o->size[2] / 2};
        gsu_pose_apply(&p, o->center, c);
        gsu_rotated_half_extents(p.rot, h, ext);
        if (fabs(c[0] - GS_CONTROL_START_X) < ext[0] + reach && fabs(c[1] - GS_CONTROL_START_Y) < ext[1] + reach)
            z = fmax(z, c[2] + ext[2] + 0.02);
    }
    gs_pose at = gsu_pose_xyz_yaw(GS_CONTROL_START_X, GS_CONTROL_START_Y, fmin(z, GS_WS_Z1), 0);
    gs_robot_place_cup(&s->robot, &at);
}

static int count_lines(const char *src, size_t len) {
    int n = 1;
    for (size_t i = 0; i + 1 < len; i++) n += src[i] == '\n';
    return n;
}

char *gs_task_provenance_json(const gs_task *t) { return gs__provenance_json(&t->prov); }
