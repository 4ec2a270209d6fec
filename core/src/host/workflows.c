/* workflows.c: the commands' work for trusted Lua: gensim.run, demos,
 * eval, learn, validate and gallery. Each takes one options table whose fields
 * are the command's flags (underscores for dashes) and returns the table
 * of the command's --json output, built from the same JSON the command
 * prints, so a script and the command line see the same fields. Failures
 * come back as nil, message, status name; a field of the wrong type or an
 * unknown field is a Lua error naming it.
 *
 * Everything that can raise (reading the options) happens before the
 * library is called; the strings the options point to live in the options
 * table, which stays on the stack. */
#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "gensim/io.h"
#include "gensim/library.h"
#include "gensim/policy_data.h"
#include "gensim/skill.h"
#include "gensim/train.h"
#include "gensim/workflow.h"
#include "host/host_modules.h"

static const char *const LIMIT_FIELDS[] = {"max_instructions", "max_memory_mb", "timeout_s", "max_objects",
                                           "split"};
#define NLIMITS 5
#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- options ---- */

/* Raises on a field of t (at idx) that is neither in known nor a limit. */
static void check_fields(lua_State *L, int idx, const char *fn, const char *const *known, int n) {
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        const char *key = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        int ok = 0;
        for (int i = 0; key && i < n && !ok; i++) ok = strcmp(key, known[i]) == 0;
        for (int i = 0; key && i < NLIMITS && !ok; i++) ok = strcmp(key, LIMIT_FIELDS[i]) == 0;
        if (ok) continue;
        const char *all[64];
        int m = 0;
        for (int i = 0; i < n && m < 64; i++) all[m++] = known[i];
        for (int i = 0; i < NLIMITS && m < 64; i++) all[m++] = LIMIT_FIELDS[i];
        char hint[512];
        luaL_error(L, "%s: unknown field '%s'%s", fn, key ? key : luaL_typename(L, -1),
                   key ? gsu_suggest(key, all, (size_t)m, hint, sizeof hint) : "");
    }
}

static const char *opt_string(lua_State *L, int idx, const char *key, const char *dflt) {
    int t = lua_getfield(L, idx, key);
    const char *v = t == LUA_TNIL ? dflt : lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    if (t != LUA_TNIL && !v) luaL_error(L, "field '%s' must be a string, got %s", key, luaL_typename(L, -1));
    lua_pop(L, 1); /* the string stays alive in the options table */
    return v;
}

static uint64_t opt_count(lua_State *L, int idx, const char *key, uint64_t dflt) {
    if (lua_getfield(L, idx, key) == LUA_TNIL) {
        lua_pop(L, 1);
        return dflt;
    }
    int ok;
    lua_Integer v = lua_tointegerx(L, -1, &ok);
    if (!ok || v < 0) luaL_error(L, "field '%s' must be a whole number >= 0, got %s", key, luaL_tolstring(L, -1, NULL));
    lua_pop(L, 1);
    return (uint64_t)v;
}

static double opt_number(lua_State *L, int idx, const char *key, double dflt) {
    if (lua_getfield(L, idx, key) == LUA_TNIL) {
        lua_pop(L, 1);
        return dflt;
    }
    if (lua_type(L, -1) != LUA_TNUMBER) luaL_error(L, "field '%s' must be a number, got %s", key, luaL_typename(L, -1));
    double v = lua_tonumber(L, -1);
    lua_pop(L, 1);
    return v;
}

static int opt_flag(lua_State *L, int idx, const char *key) {
    int t = lua_getfield(L, idx, key);
    if (t != LUA_TNIL && t != LUA_TBOOLEAN) luaL_error(L, "field '%s' must be a boolean, got %s", key, luaL_typename(L, -1));
    int v = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}

/* A list of strings at t[key] into a userdata array (GC'd), *n items; a
 * single string counts as a list of one. */
static const char **opt_strings(lua_State *L, int idx, const char *key, int *n) {
    int t = lua_getfield(L, idx, key);
    *n = 0;
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return NULL;
    }
    if (t == LUA_TSTRING) lua_createtable(L, 1, 0), lua_insert(L, -2), lua_rawseti(L, -2, 1);
    else if (t != LUA_TTABLE) luaL_error(L, "field '%s' must be a list of strings, got %s", key, luaL_typename(L, -1));
    int list = lua_gettop(L), count = (int)lua_rawlen(L, list);
    const char **items = lua_newuserdatauv(L, sizeof *items * (size_t)(count ? count : 1), 1);
    lua_pushvalue(L, list);
    lua_setiuservalue(L, -2, 1); /* the strings live as long as the array */
    for (int i = 0; i < count; i++) {
        if (lua_rawgeti(L, list, i + 1) != LUA_TSTRING) luaL_error(L, "field '%s'[%d] must be a string", key, i + 1);
        items[i] = lua_tostring(L, -1);
        lua_pop(L, 1);
    }
    lua_replace(L, list); /* the array stays on the stack in the list's place */
    *n = count;
    return items;
}

void gsl_read_task_options(lua_State *L, int idx, gs_task_options *o) {
    o->limits.max_instructions = opt_count(L, idx, "max_instructions", o->limits.max_instructions);
    o->limits.max_memory = (size_t)opt_count(L, idx, "max_memory_mb", o->limits.max_memory >> 20) << 20;
    o->limits.timeout_s = opt_number(L, idx, "timeout_s", o->limits.timeout_s);
    o->scene.max_objects = (int)opt_count(L, idx, "max_objects", (uint64_t)o->scene.max_objects);
    const char *split = opt_string(L, idx, "split", "train");
    if (strcmp(split, "train") != 0 && strcmp(split, "test") != 0)
        luaL_error(L, "field 'split' is \"train\" or \"test\", not \"%s\"", split);
    o->test_split = strcmp(split, "test") == 0;
}

/* --jobs and --shard as fields: jobs (0 one per core) and shard ("I/N"). */
static void read_scale(lua_State *L, int idx, gs_scale *sc) {
    uint64_t jobs = opt_count(L, idx, "jobs", 1);
    if (jobs > GS_JOBS_MAX) luaL_error(L, "field 'jobs' must be 0 (one per core) .. %d", GS_JOBS_MAX);
    sc->jobs = (int)jobs;
    const char *shard = opt_string(L, idx, "shard", NULL);
    char err[256];
    if (shard && gs_shard_parse(shard, &sc->shard, err, sizeof err) != GS_OK) luaL_error(L, "field 'shard': %s", err);
}

/* ---- results ---- */

static void push_json_value(lua_State *L, const cJSON *v) {
    if (cJSON_IsBool(v)) lua_pushboolean(L, cJSON_IsTrue(v));
    else if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d == (double)(lua_Integer)d) lua_pushinteger(L, (lua_Integer)d);
        else lua_pushnumber(L, d);
    } else if (cJSON_IsString(v)) lua_pushstring(L, v->valuestring);
    else if (cJSON_IsArray(v)) {
        lua_createtable(L, cJSON_GetArraySize(v), 0);
        int i = 1;
        const cJSON *e;
        cJSON_ArrayForEach(e, v) {
            push_json_value(L, e);
            lua_rawseti(L, -2, i++);
        }
    } else if (cJSON_IsObject(v)) {
        lua_createtable(L, 0, cJSON_GetArraySize(v));
        const cJSON *e;
        cJSON_ArrayForEach(e, v) {
            if (cJSON_IsNull(e)) continue;
            push_json_value(L, e);
            lua_setfield(L, -2, e->string);
        }
    } else lua_pushnil(L);
}

int gsl_push_json(lua_State *L, char *text) {
    cJSON *j = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!j) return luaL_error(L, "out of memory building a result");
    push_json_value(L, j); /* raises only when Lua itself runs out of memory */
    cJSON_Delete(j);
    return 1;
}

static int fail(lua_State *L, gs_status st, const char *err) {
    lua_pushnil(L);
    lua_pushstring(L, err);
    lua_pushstring(L, gs_status_name(st));
    return 3;
}

/* ---- gensim.run, demos, eval ---- */

/* The checkpoint named by opts.policy (nullable): a Transporter policy or
 * a learned skill; freed by the caller. */
static gs_status load_agent(const char *path, gs_agent **a, char *err, size_t errlen) {
    *a = NULL;
    if (!path) return GS_OK;
    gs_status st = gs_agent_load(path, a, err, errlen);
    if (st != GS_OK && st != GS_ERR_NOMEM) st = GS_ERR_USAGE;
    return st;
}

static int l_run(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    static const char *const fields[] = {"task", "episodes", "seed", "render", "policy", "jobs", "shard"};
    check_fields(L, 1, "gensim.run", fields, COUNT(fields));
    gs_run_options o = gs_run_options_default();
    gsl_read_task_options(L, 1, &o.task_opt);
    read_scale(L, 1, &o.scale);
    o.task = opt_string(L, 1, "task", NULL);
    if (!o.task) return luaL_error(L, "gensim.run: field 'task' (a file or a task name) is required");
    o.episodes = opt_count(L, 1, "episodes", 1);
    o.seed = opt_count(L, 1, "seed", 0);
    o.render = opt_string(L, 1, "render", NULL);
    const char *policy_path = opt_string(L, 1, "policy", NULL);
    char err[1024];
    gs_agent *agent;
    gs_status st = load_agent(policy_path, &agent, err, sizeof err);
    if (agent) o.actor = gs_agent_actor(agent);
    gs_run_result r;
    if (st == GS_OK) st = gs_run(&o, &r, err, sizeof err);
    gs_agent_free(agent);
    if (st != GS_OK) return fail(L, st, err);
    return gsl_push_json(L, gs_run_result_json(&r));
}

static int l_demos(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    static const char *const fields[] = {"tasks", "out", "episodes", "seed", "force", "max_attempts",
                                         "compression", "jobs", "shard", "resume"};
    check_fields(L, 1, "gensim.demos", fields, COUNT(fields));
    gs_record_options o = gs_record_options_default();
    gsl_read_task_options(L, 1, &o.task_opt);
    read_scale(L, 1, &o.scale);
    o.resume = opt_flag(L, 1, "resume");
    o.tasks = opt_strings(L, 1, "tasks", &o.ntasks);
    o.out = opt_string(L, 1, "out", NULL);
    o.episodes = opt_count(L, 1, "episodes", 0);
    o.seed = opt_count(L, 1, "seed", 0);
    o.overwrite = opt_flag(L, 1, "force");
    o.max_attempts = opt_count(L, 1, "max_attempts", 0);
    o.compression = (int)opt_count(L, 1, "compression", 1);
    gs_record_result r;
    char err[1024];
    gs_status st = gs_record(&o, &r, err, sizeof err);
    char *json = st == GS_OK ? gs_record_result_json(&r, &o) : NULL;
    gs_record_result_free(&r);
    if (st != GS_OK) return fail(L, st, err);
    return gsl_push_json(L, json);
}

/* gensim.demos_merge{parts = {...}, out = FILE, force}: gensim demos merge. */
static int l_demos_merge(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    static const char *const fields[] = {"parts", "out", "force"};
    check_fields(L, 1, "gensim.demos_merge", fields, COUNT(fields));
    int nparts;
    const char **parts = opt_strings(L, 1, "parts", &nparts);
    const char *out = opt_string(L, 1, "out", NULL);
    if (!out) return luaL_error(L, "gensim.demos_merge: field 'out' (the merged file) is required");
    int force = opt_flag(L, 1, "force");
    gs_record_result r;
    char err[1024];
    gs_status st = gs_demos_merge(parts, nparts, out, force, &r, err, sizeof err);
    char *json = st == GS_OK ? gs_demos_merge_json(&r, out) : NULL;
    gs_record_result_free(&r);
    if (st != GS_OK) return fail(L, st, err);
    return gsl_push_json(L, json);
}

/* gensim.train{data = {FILE.h5...}, out = CKPT, steps = N, ...} -> the run
 * as gensim train --json reports it. */
static int l_train(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    static const char *const fields[] = {"data", "out", "steps", "batch", "lr", "schedule", "channels",
                                         "dilated", "color_words", "rotate_features", "seed", "val_fraction", "log_every",
                                         "save_every", "resume", "augment", "color_jitter", "workers", "threads",
                                         "eval_tasks", "eval_every", "eval_episodes", "eval_seed", "curves"};
    check_fields(L, 1, "gensim.train", fields, COUNT(fields));
    gs_train_options o = gs_train_options_default();
    gsl_read_task_options(L, 1, &o.eval_options);
    o.paths = opt_strings(L, 1, "data", &o.npaths);
    o.out = opt_string(L, 1, "out", NULL);
    o.steps = (int64_t)opt_count(L, 1, "steps", 0);
    o.batch = (int)opt_count(L, 1, "batch", (uint64_t)o.batch);
    o.lr = opt_number(L, 1, "lr", o.lr);
    const char *schedule = opt_string(L, 1, "schedule", "cosine");
    if (strcmp(schedule, "cosine") != 0 && strcmp(schedule, "constant") != 0)
        return luaL_error(L, "gensim.train: schedule must be \"cosine\" or \"constant\", not \"%s\"", schedule);
    o.schedule = strcmp(schedule, "cosine") == 0 ? GS_LR_COSINE : GS_LR_CONSTANT;
    o.channels = (int)opt_count(L, 1, "channels", 0);
    o.dilated = lua_getfield(L, 1, "dilated") == LUA_TNIL ? -1 : lua_toboolean(L, -1);
    o.color_words = lua_getfield(L, 1, "color_words") == LUA_TNIL ? -1 : lua_toboolean(L, -1);
    o.rotate_features = lua_getfield(L, 1, "rotate_features") == LUA_TNIL ? -1 : lua_toboolean(L, -1);
    lua_pop(L, 3);
    o.seed = opt_count(L, 1, "seed", o.seed);
    o.val_fraction = opt_number(L, 1, "val_fraction", o.val_fraction);
    o.log_every = (int64_t)opt_count(L, 1, "log_every", (uint64_t)o.log_every);
    o.save_every = (int64_t)opt_count(L, 1, "save_every", (uint64_t)o.save_every);
    o.resume = opt_flag(L, 1, "resume");
    o.augment = lua_getfield(L, 1, "augment") == LUA_TNIL ? o.augment : lua_toboolean(L, -1);
    o.curves = lua_getfield(L, 1, "curves") == LUA_TNIL ? o.curves : lua_toboolean(L, -1);
    o.color_jitter = lua_getfield(L, 1, "color_jitter") == LUA_TNIL ? o.color_jitter : lua_toboolean(L, -1);
    lua_pop(L, 3);
    o.workers = (int)opt_count(L, 1, "workers", (uint64_t)o.workers);
    o.threads = (int)opt_count(L, 1, "threads", (uint64_t)o.threads);
    o.eval_tasks = opt_strings(L, 1, "eval_tasks", &o.neval_tasks);
    o.eval_every = (int64_t)opt_count(L, 1, "eval_every", 0);
    o.eval_episodes = (int)opt_count(L, 1, "eval_episodes", (uint64_t)o.eval_episodes);
    o.eval_seed = opt_count(L, 1, "eval_seed", o.eval_seed);
    if (!o.out) return luaL_error(L, "gensim.train: field 'out' (the checkpoint) is required");
    gs_train_result r;
    char err[1024];
    gs_status st = gs_train(&o, NULL, NULL, &r, err, sizeof err);
    char *json = st == GS_OK ? gs_train_result_json(&r, &o) : NULL;
    gs_train_result_free(&r);
    if (st != GS_OK) return fail(L, st, err);
    return gsl_push_json(L, json);
}

static int l_eval(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    static const char *const fields[] = {"policy", "tasks", "episodes", "seed", "render", "jobs", "shard"};
    check_fields(L, 1, "gensim.eval", fields, COUNT(fields));
    gs_eval_options o = gs_eval_options_default();
    gsl_read_task_options(L, 1, &o.task_opt);
    read_scale(L, 1, &o.scale);
    o.policy_path = opt_string(L, 1, "policy", NULL);
    if (!o.policy_path) return luaL_error(L, "gensim.eval: field 'policy' (a checkpoint) is required");
    o.tasks = opt_strings(L, 1, "tasks", &o.ntasks);
    o.episodes = opt_count(L, 1, "episodes", o.episodes);
    o.seed = opt_count(L, 1, "seed", o.seed);
    o.render = opt_string(L, 1, "render", NULL);
    char err[1024];
    gs_agent *agent;
    gs_status st = load_agent(o.policy_path, &agent, err, sizeof err);
    gs_actor actor;
    if (agent && !(o.policy = gs_agent_policy(agent))) actor = gs_agent_actor(agent), o.actor = &actor;
    gs_eval_result r;
    memset(&r, 0, sizeof r);
    if (st == GS_OK) st = gs_eval(&o, &r, err, sizeof err);
    char *json = st == GS_OK ? gs_eval_result_json(&r, &o) : NULL;
    gs_eval_result_free(&r);
    gs_agent_free(agent);
    if (st != GS_OK) return fail(L, st, err);
    return gsl_push_json(L, json);
}

/* gensim.learn{task, source, algo, steps, threads, seed, out, ...}: the
 * --json object of gensim learn; source (the task's text) lets a script
 * learn a task it has not written to a file, named by task. */
static int l_learn(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    static const char *const fields[] = {"task", "source", "algo", "steps", "threads", "seed", "out",
                                         "eval_episodes", "eval_seed", "cem_seeds", "population", "elites",
                                         "hidden", "batch", "minibatch", "epochs", "lr", "target"};
    check_fields(L, 1, "gensim.learn", fields, COUNT(fields));
    gs_learn_options o = gs_learn_options_default();
    o.task_opt.in_process = 1;
    gsl_read_task_options(L, 1, &o.task_opt);
    o.task = opt_string(L, 1, "task", NULL);
    if (!o.task) return luaL_error(L, "gensim.learn: field 'task' (a file, a task name, or the name of source) is required");
    if (lua_getfield(L, 1, "source") == LUA_TSTRING) o.source = lua_tolstring(L, -1, &o.source_len);
    else if (!lua_isnil(L, -1)) return luaL_error(L, "gensim.learn: field 'source' must be the task's text");
    lua_pop(L, 1); /* the text stays alive in the options table */
    const char *algo = opt_string(L, 1, "algo", "ppo");
    if (strcmp(algo, "ppo") != 0 && strcmp(algo, "cem") != 0)
        return luaL_error(L, "gensim.learn: field 'algo' is \"ppo\" or \"cem\", not \"%s\"", algo);
    o.algo = strcmp(algo, "cem") == 0 ? GS_LEARN_CEM : GS_LEARN_PPO;
    o.steps = opt_count(L, 1, "steps", 0);
    o.threads = (int)opt_count(L, 1, "threads", 1);
    o.seed = opt_count(L, 1, "seed", 0);
    o.out = opt_string(L, 1, "out", NULL);
    o.eval_episodes = (int)opt_count(L, 1, "eval_episodes", (uint64_t)o.eval_episodes);
    o.eval_seed = opt_count(L, 1, "eval_seed", o.eval_seed);
    o.cem_seeds = (int)opt_count(L, 1, "cem_seeds", (uint64_t)o.cem_seeds);
    o.population = (int)opt_count(L, 1, "population", (uint64_t)o.population);
    o.elites = (int)opt_count(L, 1, "elites", (uint64_t)o.elites);
    o.hidden = (int)opt_count(L, 1, "hidden", (uint64_t)o.hidden);
    o.batch_steps = (int)opt_count(L, 1, "batch", (uint64_t)o.batch_steps);
    o.minibatch = (int)opt_count(L, 1, "minibatch", (uint64_t)o.minibatch);
    o.epochs = (int)opt_count(L, 1, "epochs", (uint64_t)o.epochs);
    o.lr = opt_number(L, 1, "lr", o.lr);
    o.target_success = opt_number(L, 1, "target", o.target_success);
    gs_learn_result r;
    char err[1024];
    gs_status st = gs_learn(&o, &r, err, sizeof err);
    if (st != GS_OK) return fail(L, st, err);
    return gsl_push_json(L, gs_learn_result_json(&r, &o));
}

/* ---- gensim.validate, gallery ---- */

static int l_validate(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    static const char *const fields[] = {"files", "seeds", "min_solved", "seed", "dirs", "no_novelty",
                                         "threshold", "code_threshold", "idle_s", "jobs", "shard",
                                         "render"};
    check_fields(L, 1, "gensim.validate", fields, COUNT(fields));
    gs_ladder_options o = gs_ladder_options_default();
    gsl_read_task_options(L, 1, &o.task);
    read_scale(L, 1, &o.scale);
    int nfiles, ndirs;
    const char **files = opt_strings(L, 1, "files", &nfiles);
    const char **dirs = opt_strings(L, 1, "dirs", &ndirs);
    o.seeds = (int)opt_count(L, 1, "seeds", (uint64_t)o.seeds);
    o.min_solved = (int)opt_count(L, 1, "min_solved", (uint64_t)gs_ladder_min_solved(o.seeds));
    o.render_dir = opt_string(L, 1, "render", NULL);
    o.first_seed = opt_count(L, 1, "seed", 0);
    o.threshold = opt_number(L, 1, "threshold", o.threshold);
    o.code_threshold = opt_number(L, 1, "code_threshold", o.code_threshold);
    o.idle_s = opt_number(L, 1, "idle_s", o.idle_s);
    if (ndirs > GS_LADDER_MAX_DIRS) return luaL_error(L, "gensim.validate: at most %d dirs", GS_LADDER_MAX_DIRS);
    char *owned[GS_LADDER_MAX_DIRS];
    int nowned = 0;
    for (int i = 0; i < ndirs; i++) o.dirs[o.ndirs++] = dirs[i];
    if (opt_flag(L, 1, "no_novelty")) o.ndirs = 0;
    else if (!ndirs) {
        nowned = gs_task_folders(owned, GS_LADDER_MAX_DIRS);
        for (int i = 0; i < nowned; i++) o.dirs[o.ndirs++] = owned[i];
    }
    gs_validate_summary sum;
    char *json, err[1024];
    gs_status st = gs_validate_files(files, nfiles, &o, NULL, NULL, &sum, &json, err, sizeof err);
    gs_free_strings(owned, nowned);
    if (st != GS_OK) return fail(L, st, err);
    return gsl_push_json(L, json);
}

static int l_gallery(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    static const char *const fields[] = {"out", "dirs", "episodes", "seed", "gif", "jobs", "shard"};
    check_fields(L, 1, "gensim.gallery", fields, COUNT(fields));
    gs_gallery_options o = gs_gallery_options_default();
    gsl_read_task_options(L, 1, &o.task_opt);
    read_scale(L, 1, &o.scale);
    o.out = opt_string(L, 1, "out", NULL);
    o.dirs = opt_strings(L, 1, "dirs", &o.ndirs);
    o.episodes = opt_count(L, 1, "episodes", o.episodes);
    o.seed = opt_count(L, 1, "seed", 0);
    o.clip = opt_flag(L, 1, "gif");
    char *json = NULL, err[1024];
    gs_status st = gs_gallery(&o, &json, err, sizeof err);
    if (st != GS_OK && st != GS_ERR_RUNTIME) {
        free(json);
        return fail(L, st, err);
    }
    return gsl_push_json(L, json); /* tasks that failed are on the page and in the result */
}

/* gensim.shard([text]) -> index, count: "I/N", or without text the
 * Slurm array's shard, or 0, 1 (all); nil, message when they make none. */
static int l_shard(lua_State *L) {
    const char *text = luaL_optstring(L, 1, NULL);
    gs_shard s = {0, 1};
    char err[512];
    if (text ? gs_shard_parse(text, &s, err, sizeof err) != GS_OK : gs_shard_from_env(&s, err, sizeof err) < 0) {
        lua_pushnil(L);
        lua_pushstring(L, err);
        return 2;
    }
    lua_pushinteger(L, s.index);
    lua_pushinteger(L, s.count);
    return 2;
}

/* gensim.shard_plan(index, count, ntasks, units) -> {{task = t (1-based),
 * first = lo (0-based), stop = hi}...}: gs_shard_plan, the one rule. */
static int l_shard_plan(lua_State *L) {
    lua_Integer index = luaL_checkinteger(L, 1), count = luaL_checkinteger(L, 2);
    lua_Integer ntasks = luaL_checkinteger(L, 3), units = luaL_checkinteger(L, 4);
    luaL_argcheck(L, count >= 1 && count <= GS_SHARDS_MAX && index >= 0 && index < count, 1, "not a shard");
    luaL_argcheck(L, ntasks >= 0 && ntasks <= 1000000 && units >= 0, 3, "counts out of range");
    gs_shard_range *r = lua_newuserdatauv(L, sizeof *r * (size_t)(ntasks ? ntasks : 1), 0);
    int n = gs_shard_plan((gs_shard){(uint32_t)index, (uint32_t)count}, (int)ntasks, (uint64_t)units, r);
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        lua_createtable(L, 0, 3);
        lua_pushinteger(L, r[i].task + 1);
        lua_setfield(L, -2, "task");
        lua_pushinteger(L, (lua_Integer)r[i].lo);
        lua_setfield(L, -2, "first");
        lua_pushinteger(L, (lua_Integer)r[i].hi);
        lua_setfield(L, -2, "stop");
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

void gsl_add_workflows(lua_State *L) {
    static const luaL_Reg funcs[] = {{"run", l_run},           {"demos", l_demos},
                                     {"demos_merge", l_demos_merge}, {"shard", l_shard},
                                     {"shard_plan", l_shard_plan},
                                     {"train", l_train},
                                     {"eval", l_eval},         {"validate", l_validate},
                                     {"learn", l_learn},
                                     {"gallery", l_gallery},   {NULL, NULL}};
    luaL_setfuncs(L, funcs, 0);
}
