/* host.c: the `gensim` module for trusted Lua.
 *
 * Each task loaded from here runs in its own sandbox; a task handle is a
 * userdata whose __gc and __close free it, so a script's error never leaks
 * a task. Failures come back as nil, message, status name, the Lua way. */
#include "host/host.h"

#include <lauxlib.h>
#include <lualib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gensim/episode.h"
#include "gensim/io.h"
#include "gensim/plugin.h"
#include "gensim/render.h"
#include "host/host_modules.h"
#include "task/api_internal.h"

#define TASK_MT "gensim.host.task"

typedef struct host_task {
    gs_task *task;
} host_task;

static gs_task *check_task(lua_State *L) {
    host_task *h = luaL_checkudata(L, 1, TASK_MT);
    if (!h->task) luaL_error(L, "the task was closed");
    return h->task;
}

static int fail(lua_State *L, gs_status st, const char *err) {
    lua_pushnil(L);
    lua_pushstring(L, err);
    lua_pushstring(L, gs_status_name(st));
    return 3;
}

/* gensim.load_task(path [, limits]) / gensim.load_task_string(src, name [, limits]) */
static int load(lua_State *L, int from_string) {
    lua_settop(L, from_string ? 3 : 2); /* the handle goes above the arguments */
    host_task *h = lua_newuserdatauv(L, sizeof *h, 0);
    h->task = NULL;
    luaL_setmetatable(L, TASK_MT);
    gs_task_options opt = gs_task_options_default();
    if (lua_istable(L, from_string ? 3 : 2)) gsl_read_task_options(L, from_string ? 3 : 2, &opt);
    char err[1024];
    gs_status st;
    if (from_string) {
        size_t len;
        const char *src = luaL_checklstring(L, 1, &len);
        st = gs_task_load_string(luaL_optstring(L, 2, "task.lua"), src, len, &opt, &h->task, err, sizeof err);
    } else {
        st = gs_task_load(luaL_checkstring(L, 1), &opt, &h->task, err, sizeof err);
    }
    if (st != GS_OK) return fail(L, st, err);
    return 1;
}

/* Pushes a list of n strings. */
static void push_names(lua_State *L, const char *const *names, int n) {
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        lua_pushstring(L, names[i]);
        lua_rawseti(L, -2, i + 1);
    }
}

/* gensim.colors() -> {train = {names}, test = {names}} */
static int l_colors(lua_State *L) {
    int ntrain, ntest;
    const char *const *train = gs_train_colors(&ntrain);
    const char *const *test = gs_test_colors(&ntest);
    lua_createtable(L, 0, 2);
    push_names(L, train, ntrain);
    lua_setfield(L, -2, "train");
    push_names(L, test, ntest);
    lua_setfield(L, -2, "test");
    return 1;
}

/* gensim.api_reference() -> text, undocumented, stale */
static int l_api_reference(lua_State *L) {
    int undocumented, stale;
    gsl_api_push_reference(L, &undocumented, &stale);
    lua_pushinteger(L, undocumented);
    lua_pushinteger(L, stale);
    return 3;
}

/* gensim.data_dir() -> the data folder (share/gensim or the source tree), or nil */
static int l_data_dir(lua_State *L) {
    const char *dir = gs_data_dir();
    if (dir) lua_pushstring(L, dir);
    else lua_pushnil(L);
    return 1;
}

/* The folders list gives, as a Lua list. */
static int push_folders(lua_State *L, int (*list)(char **dirs, int max)) {
    char *dirs[64];
    int n = list(dirs, 64);
    push_names(L, (const char *const *)dirs, n);
    gs_free_strings(dirs, n);
    return 1;
}

/* gensim.plugin_path() -> {folders}, first first */
static int l_plugin_path(lua_State *L) { return push_folders(L, gs_plugin_path); }

/* gensim.plugins() -> {folders, npath, plugins, items}: the plugin path
 * as read (gs_plugins_json); gensim.plugins("json") -> that JSON's text. */
static int l_plugins(lua_State *L) {
    char *text = gs_plugins_json(gs_plugins());
    if (!text || lua_type(L, 1) != LUA_TSTRING || strcmp(lua_tostring(L, 1), "json") != 0) return gsl_push_json(L, text);
    lua_pushstring(L, text);
    free(text);
    return 1;
}

/* gensim.executable() -> the path of the running program (for a script
 * that runs gensim again, as `gensim plugin check` runs a plugin's specs). */
static int l_executable(lua_State *L) {
    char path[4096];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0) return luaL_error(L, "gensim.executable: /proc/self/exe cannot be read");
    path[n] = 0;
    lua_pushstring(L, path);
    return 1;
}

/* One series of gensim.plot's table at idx into s (its arrays in
 * userdata boxes the GC takes). */
static void read_series(lua_State *L, int idx, int i, gsr_series *s) {
    if (!lua_istable(L, idx)) luaL_error(L, "gensim.plot: series[%d] must be {name, x = {...}, y = {...}}", i + 1);
    lua_getfield(L, idx, "name");
    s->name = lua_isstring(L, -1) ? lua_tostring(L, -1) : NULL;
    lua_pop(L, 1);
    double *xy[2] = {NULL, NULL};
    const char *keys[2] = {"x", "y"};
    int n = -1;
    for (int k = 0; k < 2; k++) {
        if (lua_getfield(L, idx, keys[k]) != LUA_TTABLE) luaL_error(L, "gensim.plot: series[%d].%s must be a list", i + 1, keys[k]);
        int len = (int)lua_rawlen(L, -1);
        if (n >= 0 && len != n) luaL_error(L, "gensim.plot: series[%d] has %d x and %d y", i + 1, n, len);
        n = len;
        xy[k] = lua_newuserdatauv(L, sizeof(double) * (size_t)(len ? len : 1), 0);
        for (int j = 0; j < len; j++) {
            lua_rawgeti(L, -2, j + 1);
            xy[k][j] = lua_isnumber(L, -1) ? lua_tonumber(L, -1) : NAN;
            lua_pop(L, 1);
        }
        lua_remove(L, -2); /* keep the box, drop the list */
    }
    s->x = xy[0], s->y = xy[1], s->n = n;
    gsr_plot_palette(i, s->color);
}

/* gensim.plot{out = "f.png", series = {{name, x, y}...}, title, x_label,
 * y_label, y_min, y_max, width, height} -> true | nil, err: line plots for
 * reports (the training curves' plotter). */
static int l_plot(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    lua_getfield(L, 1, "out");
    const char *out = luaL_checkstring(L, -1);
    if (lua_getfield(L, 1, "series") != LUA_TTABLE) return luaL_error(L, "gensim.plot: 'series' must be a list");
    int n = (int)lua_rawlen(L, -1), list = lua_gettop(L);
    if (n < 1 || n > 64) return luaL_error(L, "gensim.plot: 1 to 64 series");
    luaL_checkstack(L, 3 * n + 16, "gensim.plot: too many series");
    gsr_series *series = lua_newuserdatauv(L, sizeof *series * (size_t)n, 0);
    for (int i = 0; i < n; i++) {
        lua_rawgeti(L, list, i + 1);
        read_series(L, lua_gettop(L), i, &series[i]); /* leaves its two boxes */
    }
    gsr_plot_style st = gsr_plot_style_default();
    static const char *const labels[] = {"title", "x_label", "y_label"};
    const char **dst[] = {&st.title, &st.x_label, &st.y_label};
    for (int k = 0; k < 3; k++) {
        lua_getfield(L, 1, labels[k]);
        *dst[k] = lua_isstring(L, -1) ? lua_tostring(L, -1) : NULL;
    }
    lua_getfield(L, 1, "y_min");
    if (lua_isnumber(L, -1)) st.y_min = lua_tonumber(L, -1);
    lua_getfield(L, 1, "y_max");
    if (lua_isnumber(L, -1)) st.y_max = lua_tonumber(L, -1);
    lua_getfield(L, 1, "width");
    int w = (int)luaL_optinteger(L, -1, 640);
    lua_getfield(L, 1, "height");
    int h = (int)luaL_optinteger(L, -1, 400);
    if (w < 160 || h < 100 || w > 4096 || h > 4096) return luaL_error(L, "gensim.plot: a picture of 160x100 to 4096x4096");
    uint8_t *rgb = lua_newuserdatauv(L, (size_t)w * (size_t)h * 3, 0);
    char err[512];
    gs_status status = gsr_plot_lines(rgb, w, h, &st, series, n, err, sizeof err);
    if (status == GS_OK) status = gs_write_png(out, rgb, w, h, err, sizeof err);
    if (status != GS_OK) {
        lua_pushnil(L);
        lua_pushstring(L, err);
        return 2;
    }
    lua_pushboolean(L, 1);
    return 1;
}

/* gensim.clock() -> seconds on a monotonic clock (for timing steps). */
static int l_clock(lua_State *L) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    lua_pushnumber(L, (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9);
    return 1;
}

/* gensim.resolve_task(name_or_file) -> path | nil, err: where a task
 * name leads on the plugin path and in the library (gs_task_resolve). */
static int l_resolve_task(lua_State *L) {
    char path[4096], err[1024];
    if (gs_task_resolve(luaL_checkstring(L, 1), path, sizeof path, err, sizeof err) != GS_OK) {
        lua_pushnil(L);
        lua_pushstring(L, err);
        return 2;
    }
    lua_pushstring(L, path);
    return 1;
}

/* gensim.task_name_valid(name) -> true | false, why (the one naming rule) */
static int l_task_name_valid(lua_State *L) {
    char why[256];
    int ok = lua_type(L, 1) == LUA_TSTRING && gs_task_name_valid(lua_tostring(L, 1), why, sizeof why);
    if (lua_type(L, 1) != LUA_TSTRING) snprintf(why, sizeof why, "a task name is a string, got %s", luaL_typename(L, 1));
    lua_pushboolean(L, ok);
    if (ok) return 1;
    lua_pushstring(L, why);
    return 2;
}

/* gensim.list_files(dir [, suffix]) -> {paths, sorted} | nil, err */
static int l_list_files(lua_State *L) {
    const char *dir = luaL_checkstring(L, 1), *suffix = luaL_optstring(L, 2, "");
    char **files, err[1024];
    int n = gs_list_files(dir, suffix, &files, err, sizeof err);
    if (n < 0) return fail(L, GS_ERR_IO, err);
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        lua_pushstring(L, files[i]); /* on a memory error here the list leaks, once */
        lua_rawseti(L, -2, i + 1);
    }
    gs_free_paths(files, n);
    return 1;
}

/* gensim.make_dirs(path) -> true | nil, err */
static int l_make_dirs(lua_State *L) {
    char err[1024];
    gs_status st = gs_make_dirs(luaL_checkstring(L, 1), err, sizeof err);
    if (st != GS_OK) return fail(L, st, err);
    lua_pushboolean(L, 1);
    return 1;
}

/* gensim.task_folders() -> {folders}: the plugin path, then the library */
static int l_task_folders(lua_State *L) { return push_folders(L, gs_task_folders); }

static int l_load_task(lua_State *L) { return load(L, 0); }
static int l_load_task_string(lua_State *L) { return load(L, 1); }

static int l_task_info(lua_State *L) {
    gs_task *t = check_task(L);
    lua_createtable(L, 0, 4);
    lua_pushstring(L, gs_task_name(t));
    lua_setfield(L, -2, "name");
    lua_pushstring(L, gs_task_description(t));
    lua_setfield(L, -2, "description");
    lua_pushinteger(L, gs_task_max_steps(t));
    lua_setfield(L, -2, "max_steps");
    int n;
    const char *const *assets = gs_task_assets(t, &n);
    push_names(L, assets, n);
    lua_setfield(L, -2, "assets");
    return 1;
}

static void push_digest(lua_State *L, uint64_t d) {
    char hex[17];
    snprintf(hex, sizeof hex, "%016llx", (unsigned long long)d);
    lua_pushstring(L, hex);
}

static int l_task_run_episode(lua_State *L) {
    gs_task *t = check_task(L);
    gs_episode_result ep;
    char err[1024];
    gs_status st = gs_episode_run(t, (uint64_t)luaL_optinteger(L, 2, 0), gs_actor_oracle(), NULL, 0,
                                  &ep, err, sizeof err);
    if (st != GS_OK) return fail(L, st, err);
    lua_createtable(L, 0, 6);
    lua_pushboolean(L, ep.success);
    lua_setfield(L, -2, "success");
    lua_pushnumber(L, ep.reward);
    lua_setfield(L, -2, "reward");
    lua_pushinteger(L, ep.steps);
    lua_setfield(L, -2, "steps");
    lua_pushinteger(L, ep.sim_steps);
    lua_setfield(L, -2, "sim_steps");
    lua_pushinteger(L, (lua_Integer)ep.seed);
    lua_setfield(L, -2, "seed");
    push_digest(L, ep.digest);
    lua_setfield(L, -2, "digest");
    return 1;
}

static int l_task_reset(lua_State *L) {
    gs_task *t = check_task(L);
    char err[1024];
    gs_status st = gs_task_reset(t, (uint64_t)luaL_optinteger(L, 2, 0), err, sizeof err);
    if (st != GS_OK) return fail(L, st, err);
    lua_pushboolean(L, 1);
    return 1;
}

static int l_task_reward(lua_State *L) {
    gs_task *t = check_task(L);
    char err[1024];
    double r;
    int done;
    gs_status st = gs_task_reward(t, &r, &done, err, sizeof err);
    if (st != GS_OK) return fail(L, st, err);
    lua_pushnumber(L, r);
    lua_pushboolean(L, done);
    return 2;
}

static void push_action(lua_State *L, const gs_action *a) {
    lua_createtable(L, 0, 2);
    if (a->kind == GS_ACTION_PUSH) {
        lua_createtable(L, 0, 2);
        for (int k = 0; k < 2; k++) {
            lua_createtable(L, 3, 0);
            for (int i = 0; i < 3; i++) {
                lua_pushnumber(L, k ? a->to[i] : a->from[i]);
                lua_rawseti(L, -2, i + 1);
            }
            lua_setfield(L, -2, k ? "to" : "from");
        }
        lua_setfield(L, -2, "push");
    } else {
        gsl_api_push_pose(L, &a->pick);
        lua_setfield(L, -2, "pick");
        gsl_api_push_pose(L, &a->place);
        lua_setfield(L, -2, "place");
    }
}

static int l_task_oracle_action(lua_State *L) {
    gs_task *t = check_task(L);
    char err[1024];
    gs_action a = {0};
    int have;
    gs_status st = gs_task_oracle(t, &a, &have, err, sizeof err);
    if (st != GS_OK) return fail(L, st, err);
    if (!have) lua_pushnil(L);
    else push_action(L, &a);
    return 1;
}

static int l_task_act(lua_State *L) {
    gs_task *t = check_task(L);
    gs_scene *s = gs_task_scene(t);
    if (!s) return luaL_error(L, "act: reset the task first");
    gs_action a;
    char err[1024];
    if (!gsl_api_read_action(L, 2, &a, err, sizeof err)) return luaL_error(L, "act: %s", err);
    gs_action_result res;
    gs_status st = gs_scene_act(s, &a, &res, err, sizeof err);
    if (st != GS_OK) return fail(L, st, err);
    lua_createtable(L, 0, 3);
    lua_pushboolean(L, res.picked);
    lua_setfield(L, -2, "picked");
    lua_pushboolean(L, res.placed);
    lua_setfield(L, -2, "placed");
    lua_pushinteger(L, res.steps);
    lua_setfield(L, -2, "sim_steps");
    return 1;
}

static int l_task_objects(lua_State *L) {
    gs_task *t = check_task(L);
    gs_scene *s = gs_task_scene(t);
    if (!s) return luaL_error(L, "objects: reset the task first");
    int n = gs_scene_object_count(s);
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        gs_object_info o;
        gs_scene_object_info(s, i, &o);
        lua_createtable(L, 0, 5);
        lua_pushstring(L, o.kind);
        lua_setfield(L, -2, "kind");
        lua_pushstring(L, o.color);
        lua_setfield(L, -2, "color");
        lua_pushboolean(L, o.fixed);
        lua_setfield(L, -2, "fixed");
        gsl_api_push_pose(L, &o.pose);
        lua_setfield(L, -2, "pose");
        lua_createtable(L, 3, 0);
        for (int k = 0; k < 3; k++) {
            lua_pushnumber(L, o.size[k]);
            lua_rawseti(L, -2, k + 1);
        }
        lua_setfield(L, -2, "size");
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

static int l_task_close(lua_State *L) {
    host_task *h = luaL_checkudata(L, 1, TASK_MT);
    gs_task_free(h->task);
    h->task = NULL;
    return 0;
}

/* gensim.assets(): the asset table, as `gensim assets --json` prints it. */
static int l_assets(lua_State *L) { return gsl_push_json(L, gs_kinds_json()); }

/* gensim.scenes(): the URDF files a task may load, each {file, links =
 * {...}, joints = {...}} (or {file, error} for one that does not load). */
static int l_scenes(lua_State *L) {
    char **names;
    int n = gs_scene_files(&names);
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        lua_createtable(L, 0, 3);
        lua_pushstring(L, names[i]);
        lua_setfield(L, -2, "file");
        gs_model *m = malloc(sizeof *m);
        char err[512] = "out of memory";
        if (m && gs_urdf_load(names[i], 1.0, m, err, sizeof err) == GS_OK) {
            lua_createtable(L, m->nlinks, 0);
            for (int k = 0; k < m->nlinks; k++) {
                lua_pushstring(L, m->links[k].name);
                lua_rawseti(L, -2, k + 1);
            }
            lua_setfield(L, -2, "links");
            lua_createtable(L, m->nlinks - 1, 0);
            for (int k = 1; k < m->nlinks; k++) {
                lua_pushstring(L, m->links[k].joint);
                lua_rawseti(L, -2, k);
            }
            lua_setfield(L, -2, "joints");
            gs_model_free(m);
        } else {
            lua_pushstring(L, err);
            lua_setfield(L, -2, "error");
        }
        free(m);
        lua_rawseti(L, -2, i + 1);
    }
    gs_free_paths(names, n);
    return 1;
}

int gsl_open_gensim(lua_State *L) {
    static const luaL_Reg task_methods[] = {
        {"info", l_task_info},       {"run_episode", l_task_run_episode},
        {"reset", l_task_reset},     {"reward", l_task_reward},
        {"oracle_action", l_task_oracle_action}, {"act", l_task_act},
        {"objects", l_task_objects}, {"close", l_task_close},
        {NULL, NULL}};
    if (luaL_newmetatable(L, TASK_MT)) {
        luaL_newlib(L, task_methods);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, l_task_close);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, l_task_close);
        lua_setfield(L, -2, "__close");
    }
    lua_pop(L, 1);
    static const luaL_Reg funcs[] = {{"load_task", l_load_task},
                                     {"load_task_string", l_load_task_string},
                                     {"assets", l_assets},
                                     {"scenes", l_scenes},
                                     {"api_reference", l_api_reference},
                                     {"colors", l_colors},
                                     {"data_dir", l_data_dir},
                                     {"task_name_valid", l_task_name_valid},
                                     {"list_files", l_list_files},
                                     {"make_dirs", l_make_dirs},
                                     {"task_folders", l_task_folders},
                                     {"plugin_path", l_plugin_path},
                                     {"plugins", l_plugins},
                                     {"executable", l_executable},
                                     {"plot", l_plot},
                                     {"resolve_task", l_resolve_task},
                                     {"clock", l_clock},
                                     {NULL, NULL}};
    luaL_newlib(L, funcs);
    gsl_add_workflows(L);
    /* gensim.generate(opts) -> summary, status | nil, status, message: the
     * pipeline is trusted Lua in the data folder's scripts/ */
    if (luaL_loadstring(L, "return function(opts) return require('pipeline').generate(opts) end") == LUA_OK) {
        lua_call(L, 0, 1);
        lua_setfield(L, -2, "generate");
    } else {
        lua_pop(L, 1);
    }
    lua_pushliteral(L, GS_VERSION);
    lua_setfield(L, -2, "version");
    lua_pushinteger(L, GS_TASK_API);
    lua_setfield(L, -2, "TASK_API");
    gsl_open_llm(L);
    lua_setfield(L, -2, "llm");
    gsl_open_library(L);
    lua_setfield(L, -2, "library");
    return 1;
}

int luaopen_gensim(lua_State *L) { return gsl_open_gensim(L); }

lua_State *gsl_host_new(void) {
    lua_State *L = luaL_newstate();
    if (!L) return NULL;
    luaL_openlibs(L);
    luaL_requiref(L, "gensim", gsl_open_gensim, 0);
    lua_pop(L, 1);
    const char *data = gs_data_dir();
    if (data) {
        lua_getglobal(L, "package");                   // package
        lua_getfield(L, -1, "path");
        lua_pushfstring(L, ";%s/scripts/?.lua", data);
        lua_concat(L, 2);
        lua_setfield(L, -2, "path");
        lua_pop(L, 1);                                 //
    }
    return L;
}

/* Errors raised in the script carry a traceback. */
static int traceback(lua_State *L) {
    const char *msg = lua_tostring(L, 1);
    luaL_traceback(L, L, msg ? msg : "(error object is not a string)", 1);
    return 1;
}

gs_status gs_host_run_script(const char *path, int argc, char **argv, int *returned, char *err,
                             size_t errlen) {
    if (returned) *returned = -1;
    lua_State *L = gsl_host_new();
    if (!L) return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory starting Lua");
    lua_createtable(L, argc, 1);                       // arg
    lua_pushstring(L, path);
    lua_rawseti(L, -2, 0);
    for (int i = 0; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i + 1);
    }
    lua_setglobal(L, "arg");                           //
    lua_pushcfunction(L, traceback);                   // handler
    gs_status st = GS_OK;
    int loaded = luaL_loadfile(L, path);               // handler chunk
    if (loaded != LUA_OK) {
        st = gs_fail(err, errlen, loaded == LUA_ERRFILE ? GS_ERR_IO : GS_ERR_SYNTAX, "%s",
                     lua_tostring(L, -1));
    } else {
        for (int i = 0; i < argc; i++) lua_pushstring(L, argv[i]);
        if (lua_pcall(L, argc, 1, 1) != LUA_OK)        // handler result
            st = gs_fail(err, errlen, GS_ERR_RUNTIME, "%s", lua_tostring(L, -1));
        else if (returned && lua_isinteger(L, -1))
            *returned = (int)lua_tointeger(L, -1);
    }
    lua_close(L);
    return st;
}
