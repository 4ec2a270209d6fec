/* library_lua.c: gensim.library for trusted Lua: the ladder, similarity and
 * the store. Failures come back as nil, message (the Lua way); a bad
 * argument is a Lua error. The ladder's result lives in a userdata while
 * the table is built, so an error in between leaks nothing. */
#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

#include "gensim/io.h"
#include "gensim/library.h"
#include "host/host_modules.h"

/* t[name] = v on the table at the top of the stack. */
static void set_int(lua_State *L, const char *name, lua_Integer v) {
    lua_pushinteger(L, v);
    lua_setfield(L, -2, name);
}
static void set_num(lua_State *L, const char *name, lua_Number v) {
    lua_pushnumber(L, v);
    lua_setfield(L, -2, name);
}
static void set_bool(lua_State *L, const char *name, int v) {
    lua_pushboolean(L, v);
    lua_setfield(L, -2, name);
}
static void set_str(lua_State *L, const char *name, const char *v) {
    lua_pushstring(L, v);
    lua_setfield(L, -2, name);
}

static void ladder_options(lua_State *L, int idx, gs_ladder_options *o, char **owned, int *nowned);
static void push_result(lua_State *L, const gs_ladder_result *r);
static int fail(lua_State *L, const char *err);

/* validate(src, name [, opts]) -> result table (see push_result) | nil, err */
static int l_validate(lua_State *L) {
    size_t len;
    const char *src = luaL_checklstring(L, 1, &len);
    const char *name = luaL_optstring(L, 2, "task.lua");
    if (!lua_isnoneornil(L, 3)) luaL_checktype(L, 3, LUA_TTABLE);
    lua_settop(L, 3); /* opts stays at 3: dirs' strings live as long as it */
    gs_ladder_options o = gs_ladder_options_default();
    gs_ladder_result *r = lua_newuserdatauv(L, sizeof *r, 0); /* 4: the result's box */
    char *owned[GS_LADDER_MAX_DIRS];
    int nowned;
    ladder_options(L, 3, &o, owned, &nowned);
    char err[1024];
    gs_status st = gs_ladder_run(name, src, len, &o, r, err, sizeof err);
    gs_free_strings(owned, nowned);
    if (st != GS_OK) return fail(L, err);
    push_result(L, r);
    return 1;
}

/* merge(parts, out [, {threshold, code_threshold}]) -> result table (the
 * JSON of gensim library merge) | nil, err */
static int l_merge(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    const char *out = luaL_checkstring(L, 2);
    if (!lua_isnoneornil(L, 3)) luaL_checktype(L, 3, LUA_TTABLE);
    lua_settop(L, 3);
    gs_ladder_options o = gs_ladder_options_default();
    if (!lua_isnil(L, 3)) {
        if (lua_getfield(L, 3, "threshold") != LUA_TNIL) o.threshold = luaL_checknumber(L, -1);
        if (lua_getfield(L, 3, "code_threshold") != LUA_TNIL) o.code_threshold = luaL_checknumber(L, -1);
        lua_pop(L, 2);
    }
    int n = (int)lua_rawlen(L, 1);
    const char **parts = lua_newuserdatauv(L, sizeof *parts * (size_t)(n ? n : 1), 0); /* 4 */
    for (int i = 0; i < n; i++) {
        lua_rawgeti(L, 1, i + 1);
        parts[i] = luaL_checkstring(L, -1); /* the string stays referenced by the table at 1 */
        lua_pop(L, 1);
    }
    char *json = NULL, err[1024];
    if (gs_library_merge(parts, n, out, o.code_threshold, o.threshold, &json, err, sizeof err) != GS_OK)
        return fail(L, err);
    return gsl_push_json(L, json);
}

/* similarity(src_a, desc_a, src_b, desc_b) -> combined, code, description */
static int l_similarity(lua_State *L) {
    size_t la, lb;
    const char *a = luaL_checklstring(L, 1, &la);
    const char *da = luaL_optstring(L, 2, NULL);
    const char *b = luaL_checklstring(L, 3, &lb);
    const char *db = luaL_optstring(L, 4, NULL);
    gs_similarity_parts p;
    lua_pushnumber(L, gs_similarity(a, la, da, b, lb, db, &p));
    lua_pushnumber(L, p.code);
    lua_pushnumber(L, p.description);
    return 3;
}

/* add(dir, name, src, record_json [, overwrite]) -> true | nil, err */
static int l_add(lua_State *L) {
    const char *dir = luaL_checkstring(L, 1);
    const char *name = luaL_checkstring(L, 2);
    size_t len;
    const char *src = luaL_checklstring(L, 3, &len);
    const char *record = luaL_optstring(L, 4, NULL);
    int overwrite = lua_toboolean(L, 5);
    char err[1024];
    if (gs_library_add(dir, name, src, len, record, NULL, overwrite, err, sizeof err) != GS_OK)
        return fail(L, err);
    lua_pushboolean(L, 1);
    return 1;
}

/* list(dir) -> array of {name, path, description, oracle_success (nil when
 * unknown), time, hash, record (the record as JSON text, without its source)} */
static int l_list(lua_State *L) {
    const char *dir = luaL_checkstring(L, 1);
    gs_library_entry *e;
    int n;
    char err[1024];
    if (gs_library_list(dir, &e, &n, err, sizeof err) != GS_OK) return fail(L, err);
    /* the entries are copied into Lua before anything can raise */
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        lua_createtable(L, 0, 7);
        set_str(L, "name", e[i].name);
        set_str(L, "path", e[i].path);
        set_str(L, "description", e[i].description);
        if (e[i].oracle_success >= 0) {
            set_num(L, "oracle_success", e[i].oracle_success);
        }
        set_str(L, "time", e[i].time);
        set_str(L, "hash", e[i].hash);
        set_str(L, "record", e[i].record);
        lua_rawseti(L, -2, i + 1);
    }
    gs_library_entries_free(e, n);
    return 1;
}

/* min_solved(seeds) -> the oracle successes the ladder needs by default */
static int l_min_solved(lua_State *L) {
    lua_Integer seeds = luaL_checkinteger(L, 1);
    luaL_argcheck(L, seeds >= 1 && seeds <= GS_LADDER_MAX_SEEDS, 1, "seeds must be 1..64");
    lua_pushinteger(L, gs_ladder_min_solved((int)seeds));
    return 1;
}

/* remove(dir, name) -> true | nil, err */
static int l_remove(lua_State *L) {
    const char *dir = luaL_checkstring(L, 1);
    const char *name = luaL_checkstring(L, 2);
    char err[1024];
    if (gs_library_remove(dir, name, err, sizeof err) != GS_OK) return fail(L, err);
    lua_pushboolean(L, 1);
    return 1;
}

int gsl_open_library(lua_State *L) {
    static const luaL_Reg funcs[] = {{"validate", l_validate}, {"similarity", l_similarity}, {"merge", l_merge},
                                     {"add", l_add},           {"list", l_list},
                                     {"remove", l_remove},     {"min_solved", l_min_solved},
                                     {NULL, NULL}};
    luaL_newlib(L, funcs);
    return 1;
}

/* ---- helpers ---- */

static int fail(lua_State *L, const char *err) {
    lua_pushnil(L);
    lua_pushstring(L, err);
    return 2;
}

/* Reads opts at idx (nil or a table) into o; raises on a wrong type. */
static void ladder_options(lua_State *L, int idx, gs_ladder_options *o, char **owned, int *nowned) {
    o->ndirs = 0;
    *nowned = 0;
    if (!lua_isnil(L, idx)) {
        if (lua_getfield(L, idx, "seeds") != LUA_TNIL) o->seeds = (int)luaL_checkinteger(L, -1);
        o->min_solved = gs_ladder_min_solved(o->seeds);
        if (lua_getfield(L, idx, "min_solved") != LUA_TNIL) o->min_solved = (int)luaL_checkinteger(L, -1);
        if (lua_getfield(L, idx, "seed") != LUA_TNIL) o->first_seed = (uint64_t)luaL_checkinteger(L, -1);
        if (lua_getfield(L, idx, "idle_s") != LUA_TNIL) o->idle_s = luaL_checknumber(L, -1);
        if (lua_getfield(L, idx, "threshold") != LUA_TNIL) o->threshold = luaL_checknumber(L, -1);
        if (lua_getfield(L, idx, "code_threshold") != LUA_TNIL) o->code_threshold = luaL_checknumber(L, -1);
        if (lua_getfield(L, idx, "jobs") != LUA_TNIL) { /* the seeds over this many workers */
            lua_Integer jobs = luaL_checkinteger(L, -1);
            if (jobs < 0 || jobs > GS_JOBS_MAX) luaL_error(L, "validate: jobs must be 0 (one per core) .. %d", GS_JOBS_MAX);
            o->scale.jobs = (int)jobs;
        }
        /* the string stays referenced by opts, which stays on the stack */
        if (lua_getfield(L, idx, "render") != LUA_TNIL) o->render_dir = luaL_checkstring(L, -1);
        if (lua_getfield(L, idx, "learn_steps") != LUA_TNIL) o->learn_steps = (uint64_t)luaL_checkinteger(L, -1);
        if (lua_getfield(L, idx, "learn_seeds") != LUA_TNIL) o->learn_seeds = (int)luaL_checkinteger(L, -1);
        if (lua_getfield(L, idx, "learn_threshold") != LUA_TNIL) o->learn_threshold = luaL_checknumber(L, -1);
        if (lua_getfield(L, idx, "learn_threads") != LUA_TNIL) o->learn_threads = (int)luaL_checkinteger(L, -1);
        lua_pop(L, 12);
        gsl_read_task_options(L, idx, &o->task);
        if (lua_getfield(L, idx, "dirs") != LUA_TNIL) {
            luaL_checktype(L, -1, LUA_TTABLE);
            int n = (int)lua_rawlen(L, -1);
            if (n > GS_LADDER_MAX_DIRS) luaL_error(L, "validate: at most %d dirs", GS_LADDER_MAX_DIRS);
            for (int k = 1; k <= n; k++) {
                lua_rawgeti(L, -1, k);
                /* the string stays referenced by opts.dirs, which stays on the stack */
                o->dirs[o->ndirs++] = luaL_checkstring(L, -1);
                lua_pop(L, 1);
            }
            lua_pop(L, 1);
            return;
        }
        lua_pop(L, 1);
    }
    /* nothing raises from here: the folders compared with by default */
    *nowned = gs_task_folders(owned, GS_LADDER_MAX_DIRS);
    for (int k = 0; k < *nowned; k++) o->dirs[o->ndirs++] = owned[k];
}

/* {passed, failed, message, rungs = {{name, status, message}...}, seeds,
 * solved, learned, continuous, subtasks, learn_solved, learn_steps, per_seed = {{seed, solved, reward, steps}...}, nearest,
 * similarity, duplicate_of, same_name, name, description, json} */
/* result.rungs = {{name, status, message}...} */
static void push_rungs(lua_State *L, const gs_ladder_result *r) {
    static const char *const STATUS[] = {"skip", "pass", "fail", "n/a"};
    lua_createtable(L, GS_RUNG_COUNT, 0);
    for (int k = 0; k < GS_RUNG_COUNT; k++) {
        lua_createtable(L, 0, 3);
        set_str(L, "name", gs_rung_name(k));
        set_str(L, "status", STATUS[r->rungs[k]]);
        if (r->rung_message[k][0]) {
            set_str(L, "message", r->rung_message[k]);
        }
        lua_rawseti(L, -2, k + 1);
    }
    lua_setfield(L, -2, "rungs");
}

/* What the learnable rung found (learn_solved, learn_steps, learn_seeds,
 * learn_needed, learn_budget) and the oracle's seeds (per_seed). */
static void push_solving(lua_State *L, const gs_ladder_result *r) {
    if (r->learned && r->rungs[GS_RUNG_LEARNABLE] != GS_RUNG_SKIP) {
        set_int(L, "learn_solved", r->learn_solved);
        set_num(L, "learn_steps", r->learn_steps);
        set_int(L, "learn_seeds", r->learn_seeds);
        set_int(L, "learn_needed", r->learn_needed);
        set_num(L, "learn_budget", r->learn_budget);
    }
    if (r->rungs[GS_RUNG_SOLVABLE] != GS_RUNG_PASS && r->rungs[GS_RUNG_SOLVABLE] != GS_RUNG_FAIL) return;
    lua_createtable(L, r->seeds, 0);
    for (int k = 0; k < r->seeds; k++) {
        lua_createtable(L, 0, 4);
        set_int(L, "seed", (lua_Integer)r->seed[k].seed);
        set_bool(L, "solved", r->seed[k].solved);
        set_num(L, "reward", r->seed[k].reward);
        set_int(L, "steps", r->seed[k].steps);
        lua_rawseti(L, -2, k + 1);
    }
    lua_setfield(L, -2, "per_seed");
}

static void push_result(lua_State *L, const gs_ladder_result *r) {
    lua_createtable(L, 0, 20);
    set_bool(L, "passed", r->passed);
    if (r->failed >= 0) {
        set_str(L, "failed", gs_rung_name(r->failed));
        set_str(L, "message", r->message);
    }
    push_rungs(L, r);
    set_int(L, "seeds", r->seeds);
    set_int(L, "solved", r->solved);
    set_bool(L, "learned", r->learned);
    set_bool(L, "continuous", r->continuous);
    set_int(L, "subtasks", r->subtasks);
    push_solving(L, r);
    if (r->nearest[0]) {
        set_str(L, "nearest", r->nearest);
    }
    set_num(L, "similarity", r->similarity);
    if (r->failed == GS_RUNG_NOVEL) {
        set_str(L, "duplicate_of", r->nearest);
    }
    if (r->same_name[0]) {
        set_str(L, "same_name", r->same_name);
    }
    if (r->name[0]) {
        set_str(L, "name", r->name);
        set_str(L, "description", r->description);
    }
    char *json = gs_ladder_result_json(r);
    if (json) {
        lua_pushstring(L, json);
        free(json); /* lua_pushstring copied it; on a memory error here it leaks, once */
        lua_setfield(L, -2, "json");
    }
}
