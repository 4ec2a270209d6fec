/* plugin_scan.c: reading the plugin path (plugin_internal.h).
 *
 * In order: every folder's loose tasks and plugin folders; each plugin's
 * manifest, run in a sandbox of its own; the rules on plugins (name, API
 * major, shadowing, requirements); each usable kind file, run in a sandbox
 * that can require the plugins' modules; then the rules on names (a kind
 * name is global, a task name resolves like PATH). Nothing here writes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lauxlib.h>

#include "gensim/io.h"
#include "task/api_internal.h"
#include "task/plugin_internal.h"

#define MANIFEST_MT "gensim.plugin"
#define MANIFEST_FILE_MAX (64 * 1024)
#define MAX_REQUIRES 16
#define LIB_DEPTH 4
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const MANIFEST_FIELDS[] = {"name", "version", "api", "description", "license", "requires"};

/* What plugin{...} checked. */
typedef struct manifest {
    char name[GS_TASK_NAME_MAX + 1], version[32], description[2049], license[129];
    int api, nrequires;
    char require_name[MAX_REQUIRES][GS_TASK_NAME_MAX + 1], require_range[MAX_REQUIRES][64];
} manifest;

/* ---- plugin{...} ---- */

static void take_string(lua_State *L, const char *key, char *out, size_t n, int required) {
    int ty = gsl_api_raw_field(L, 1, key);
    size_t len = 0;
    const char *s = ty == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
    if (ty == LUA_TNIL && !required) return (void)lua_pop(L, 1);
    if (!s || len == 0) luaL_error(L, "plugin: '%s' must be a non-empty string, got %s", key, lua_typename(L, ty));
    if (strlen(s) != len) luaL_error(L, "plugin: '%s' must not hold NUL bytes", key);
    if (len >= n) luaL_error(L, "plugin: '%s' is %d bytes; at most %d", key, (int)len, (int)n - 1);
    memcpy(out, s, len + 1);
    lua_pop(L, 1);
}

static void take_requires(lua_State *L, manifest *m) {
    int ty = gsl_api_raw_field(L, 1, "requires");
    if (ty == LUA_TNIL) return (void)lua_pop(L, 1);
    if (ty != LUA_TTABLE) luaL_error(L, "plugin: 'requires' must be a table {name = \"range\", ...}");
    int t = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, t)) { /* key value */
        const char *name = NULL, *range = "";
        if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TSTRING) name = lua_tostring(L, -2), range = lua_tostring(L, -1);
        else if (lua_type(L, -2) == LUA_TNUMBER && lua_type(L, -1) == LUA_TSTRING) name = lua_tostring(L, -1);
        if (!name) luaL_error(L, "plugin: 'requires' lists plugins as name = \"version range\" (or just names)");
        if (m->nrequires == MAX_REQUIRES) luaL_error(L, "plugin: at most %d requirements", MAX_REQUIRES);
        if (!gs_task_name_valid(name, NULL, 0)) luaL_error(L, "plugin: 'requires' names '%s', which is no plugin name", name);
        if (strlen(range) >= sizeof m->require_range[0] || gs_version_in_range("0", range) < 0)
            luaL_error(L, "plugin: requirement '%s' has a malformed version range \"%s\" (like \">=0.2 <1\")", name, range);
        snprintf(m->require_name[m->nrequires], sizeof m->require_name[0], "%s", name);
        snprintf(m->require_range[m->nrequires], sizeof m->require_range[0], "%s", range);
        m->nrequires++;
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

static int l_plugin(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    gsl_api_check_no_unknown(L, 1, "plugin", MANIFEST_FIELDS, COUNT(MANIFEST_FIELDS));
    manifest *m = lua_newuserdatauv(L, sizeof *m, 0);
    memset(m, 0, sizeof *m);
    take_string(L, "name", m->name, sizeof m->name, 1);
    if (!gs_task_name_valid(m->name, NULL, 0))
        luaL_error(L, "plugin: 'name' must be kebab-case (a-z, 0-9, single dashes inside), got \"%s\"", m->name);
    take_string(L, "version", m->version, sizeof m->version, 1);
    if (gs_version_in_range(m->version, "") < 0)
        luaL_error(L, "plugin: 'version' must be MAJOR.MINOR.PATCH, like \"0.1.0\", got \"%s\"", m->version);
    if (gsl_api_raw_field(L, 1, "api") != LUA_TNUMBER || !lua_isinteger(L, -1))
        luaL_error(L, "plugin: 'api' must be the task API major the plugin was written for (this gensim speaks %d)",
                   GS_TASK_API);
    m->api = (int)lua_tointeger(L, -1);
    lua_pop(L, 1);
    take_string(L, "description", m->description, sizeof m->description, 1);
    take_string(L, "license", m->license, sizeof m->license, 0);
    take_requires(L, m);
    luaL_setmetatable(L, MANIFEST_MT);
    return 1;
}

/* ---- running a plugin's file ---- */

/* A sandbox for a manifest or a kind file: small limits, the constructor,
 * and require over what has been found so far. */
static gsl_sandbox *scratch(gs__module_finder *finder, char *err, size_t errlen) {
    gsl_limits lim = gsl_limits_default();
    lim.max_instructions = 50000000, lim.max_memory = (size_t)64 << 20, lim.timeout_s = 2;
    gsl_sandbox *sb = gsl_sandbox_new(&lim, NULL, NULL, err, errlen);
    if (!sb) return NULL;
    lua_State *L = gsl_sandbox_state(sb);
    if (luaL_newmetatable(L, MANIFEST_MT)) {
        lua_pushboolean(L, 0);
        lua_setfield(L, -2, "__metatable");
    }
    lua_pop(L, 1);
    lua_pushcfunction(L, l_plugin);
    gsl_sandbox_set_global(sb, "plugin");
    gsl_kind_install(sb);
    gsl_sandbox_set_require(sb, gs__find_module, finder);
    return sb;
}

/* Runs the file at path in sb and leaves what it returns on top. */
static gs_status run_file(gsl_sandbox *sb, const char *path, char *err, size_t errlen) {
    char *src;
    size_t len;
    gs_status st = gs_read_file(path, MANIFEST_FILE_MAX > GSL_KIND_FILE_MAX ? MANIFEST_FILE_MAX : GSL_KIND_FILE_MAX,
                                &src, &len, err, errlen);
    if (st != GS_OK) return st;
    gsl_sandbox_arm(sb);
    st = gsl_sandbox_load(sb, path, src, len, err, errlen);
    free(src);
    if (st == GS_OK) st = gsl_sandbox_call(sb, 0, 1, err, errlen);
    return st;
}

static void read_manifest(gs__plugin_scan *sc, int pi) {
    gs_plugin *pl = &sc->set.plugins[pi];
    char path[4096], err[1024];
    snprintf(path, sizeof path, "%s/plugin.lua", pl->dir);
    gs__module_finder none = {sc, NULL};
    gsl_sandbox *sb = scratch(&none, err, sizeof err);
    gs_status st = sb ? run_file(sb, path, err, sizeof err) : GS_ERR_NOMEM;
    const manifest *m = st == GS_OK ? luaL_testudata(gsl_sandbox_state(sb), -1, MANIFEST_MT) : NULL;
    if (st == GS_OK && !m)
        snprintf(err, sizeof err, "%.900s: a manifest must return plugin{name, version, api, description}", path);
    if (!m) {
        gs__scan_refuse(&pl->refused, "%s", err);
        gsl_sandbox_free(sb);
        return;
    }
    pl->name = strdup(m->name), pl->version = strdup(m->version), pl->description = strdup(m->description);
    pl->license = m->license[0] ? strdup(m->license) : NULL;
    pl->api = m->api;
    pl->requires = m->nrequires ? calloc((size_t)m->nrequires, sizeof *pl->requires) : NULL;
    for (int r = 0; pl->requires && r < m->nrequires; r++, pl->nrequires++)
        pl->requires[r].name = strdup(m->require_name[r]), pl->requires[r].range = strdup(m->require_range[r]);
    gsl_sandbox_free(sb);
}

static void read_kind_file(gs__plugin_scan *sc, int i) {
    gs_plugin_item *it = &sc->set.items[i];
    char err[1024];
    gs__module_finder finder = {sc, NULL};
    gsl_sandbox *sb = scratch(&finder, err, sizeof err);
    gs_status st = sb ? run_file(sb, it->path, err, sizeof err) : GS_ERR_NOMEM;
    const gsl_kind_meta *m = st == GS_OK ? gsl_kind_meta_at(gsl_sandbox_state(sb), -1) : NULL;
    if (st == GS_OK && !m) snprintf(err, sizeof err, "%.900s: a kind file must return kind{...}", it->path);
    else if (m && strcmp(m->name, it->name) != 0)
        snprintf(err, sizeof err, "%.800s: the kind is named '%s'; its file must be %s.lua", it->path, m->name, m->name);
    if (m && strcmp(m->name, it->name) == 0) sc->metas[i] = *m;
    else gs__scan_refuse(&it->refused, "%s", err);
    gsl_sandbox_free(sb);
}

/* ---- folders ---- */

/* The file name of path without its folder and, when it ends so, suffix. */
static void stem(const char *path, const char *suffix, char *out, size_t n) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t len = strlen(base), slen = strlen(suffix);
    if (len >= slen && strcmp(base + len - slen, suffix) == 0) len -= slen;
    snprintf(out, n, "%.*s", (int)len, base);
}

/* Adds one item per file of dir ending in suffix. */
static gs_status add_files(gs__plugin_scan *sc, const char *dir, const char *suffix, gs_item_type type, int plugin,
                           int folder) {
    char **files, err[256];
    int n = gs_list_files(dir, suffix, &files, err, sizeof err);
    gs_status st = GS_OK;
    for (int i = 0; i < n && st == GS_OK; i++) {
        char name[256];
        stem(files[i], suffix, name, sizeof name);
        if (gs__scan_add_item(sc, type, name, files[i], plugin, folder) < 0) st = GS_ERR_NOMEM;
    }
    gs_free_paths(files, n > 0 ? n : 0);
    return st;
}

/* lib/ and its folders: module "plugin.a.b" is lib/a/b.lua. */
static gs_status add_modules(gs__plugin_scan *sc, const char *dir, const char *prefix, int plugin, int folder,
                             int depth) {
    char **files, **dirs, err[256];
    int n = gs_list_files(dir, ".lua", &files, err, sizeof err);
    gs_status st = GS_OK;
    for (int i = 0; i < n && st == GS_OK; i++) {
        char name[256], module[512];
        stem(files[i], ".lua", name, sizeof name);
        /* A name too long to require is no module. */
        if (snprintf(module, sizeof module, "%s.%s", prefix, name) >= (int)sizeof module) continue;
        if (gs__scan_add_item(sc, GS_ITEM_MODULE, module, files[i], plugin, folder) < 0) st = GS_ERR_NOMEM;
    }
    gs_free_paths(files, n > 0 ? n : 0);
    int nd = depth < LIB_DEPTH ? gs_list_dirs(dir, &dirs, err, sizeof err) : 0;
    for (int i = 0; i < nd && st == GS_OK; i++) {
        char name[256], sub[512];
        stem(dirs[i], "", name, sizeof name);
        if (snprintf(sub, sizeof sub, "%s.%s", prefix, name) >= (int)sizeof sub) continue;
        st = add_modules(sc, dirs[i], sub, plugin, folder, depth + 1);
    }
    gs_free_paths(dirs, nd > 0 ? nd : 0);
    return st;
}

/* A plugin folder: its manifest's place and every file it provides. */
static gs_status add_plugin(gs__plugin_scan *sc, const char *dir, int folder) {
    int pi = gs__scan_add_plugin(sc, dir, folder);
    if (pi < 0) return GS_ERR_NOMEM;
    char sub[4096], name[256];
    stem(dir, "", name, sizeof name);
    static const struct {
        const char *folder, *suffix;
        gs_item_type type;
    } PARTS[] = {{"tasks", ".lua", GS_ITEM_TASK}, {"kinds", ".lua", GS_ITEM_KIND},
                 {"curricula", ".lua", GS_ITEM_CURRICULUM}, {"spec", "_spec.lua", GS_ITEM_SPEC}};
    gs_status st = GS_OK;
    for (size_t k = 0; k < COUNT(PARTS) && st == GS_OK; k++) {
        snprintf(sub, sizeof sub, "%s/%s", dir, PARTS[k].folder);
        st = add_files(sc, sub, PARTS[k].suffix, PARTS[k].type, pi, folder);
    }
    snprintf(sub, sizeof sub, "%s/lib", dir);
    return st == GS_OK ? add_modules(sc, sub, name, pi, folder, 0) : st;
}

static gs_status add_folder(gs__plugin_scan *sc, int f) {
    const char *folder = sc->set.folders[f];
    gs_status st = add_files(sc, folder, ".lua", GS_ITEM_TASK, -1, f);
    if (f >= sc->set.npath) return st; /* the library's folders hold tasks only */
    char **dirs, err[256], manifest_path[4096];
    int n = gs_list_dirs(folder, &dirs, err, sizeof err);
    for (int i = 0; i < n && st == GS_OK; i++) {
        struct stat sb;
        snprintf(manifest_path, sizeof manifest_path, "%s/plugin.lua", dirs[i]);
        if (stat(manifest_path, &sb) == 0 && S_ISREG(sb.st_mode)) st = add_plugin(sc, dirs[i], f);
    }
    gs_free_paths(dirs, n > 0 ? n : 0);
    return st;
}

/* The plugin path, then the library's task folders. */
static gs_status list_folders(gs__plugin_scan *sc, char *err, size_t errlen) {
    char *dirs[66];
    int n = gs_plugin_path(dirs, 64);
    sc->set.npath = n;
    const char *data = gs_data_dir();
    static const char *const library[] = {"/tasks/seed", "/tasks/generated"};
    for (int i = 0; data && i < 2; i++) {
        size_t size = strlen(data) + strlen(library[i]) + 1;
        if ((dirs[n] = malloc(size))) snprintf(dirs[n++], size, "%s%s", data, library[i]);
    }
    sc->set.folders = malloc(sizeof *sc->set.folders * (size_t)(n ? n : 1));
    if (!sc->set.folders) {
        gs_free_strings(dirs, n);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory reading the plugin path");
    }
    memcpy(sc->set.folders, dirs, sizeof *dirs * (size_t)n);
    sc->set.nfolders = n;
    return GS_OK;
}

/* ---- the rules ---- */

/* Name = folder, the host's API major, one plugin of a name (the first on
 * the path; a later one is shadowed). */
static void plugin_rules(gs__plugin_scan *sc) {
    for (int i = 0; i < sc->set.nplugins; i++) {
        gs_plugin *pl = &sc->set.plugins[i];
        if (pl->refused) continue;
        char folder[256];
        stem(pl->dir, "", folder, sizeof folder);
        if (strcmp(folder, pl->name) != 0)
            gs__scan_refuse(&pl->refused, "%s/plugin.lua: the plugin is named '%s' but its folder is '%s'; they must match",
                            pl->dir, pl->name, folder);
        else if (pl->api != GS_TASK_API)
            gs__scan_refuse(&pl->refused, "%s/plugin.lua: plugin '%s' was written for task API %d; this gensim speaks %d",
                            pl->dir, pl->name, pl->api, GS_TASK_API);
        for (int j = 0; j < i && !pl->refused; j++)
            if (sc->set.plugins[j].name && strcmp(sc->set.plugins[j].name, pl->name) == 0)
                gs__scan_refuse(&pl->refused, "plugin '%s' in %s is shadowed by the one in %s", pl->name, pl->dir,
                                sc->set.plugins[j].dir);
    }
}

/* Every requirement met by a usable plugin in range; a refusal spreads to
 * the plugins that need the refused one, so repeat until nothing changes. */
static void require_rules(gs__plugin_scan *sc) {
    for (int changed = 1; changed;) {
        changed = 0;
        for (int i = 0; i < sc->set.nplugins; i++) {
            gs_plugin *pl = &sc->set.plugins[i];
            for (int r = 0; r < pl->nrequires && !pl->refused; r++) {
                const gs_plugin_require *q = &pl->requires[r];
                int j = gs__scan_plugin(sc, q->name);
                if (j < 0)
                    gs__scan_refuse(&pl->refused, "plugin '%s' requires plugin '%s'%s%s, which is not usable on the plugin path",
                                    pl->name, q->name, q->range[0] ? " " : "", q->range);
                else if (gs_version_in_range(sc->set.plugins[j].version, q->range) != 1)
                    gs__scan_refuse(&pl->refused, "plugin '%s' requires '%s' %s, but %s has version %s", pl->name,
                                    q->name, q->range, sc->set.plugins[j].dir, sc->set.plugins[j].version);
                changed |= pl->refused != NULL;
            }
        }
    }
}

/* A kind name is global: a built-in kind's, or two plugins', is refused. */
static void kind_rules(gs__plugin_scan *sc) {
    gs_plugin_item *items = sc->set.items;
    for (int i = 0; i < sc->set.nitems; i++) {
        if (items[i].type != GS_ITEM_KIND || items[i].refused) continue;
        const gs_asset_kind *builtin = gs_asset_find(items[i].name);
        if (builtin && !builtin->origin)
            gs__scan_refuse(&items[i].refused, "%s: kind '%s' is a built-in kind's name", items[i].path, items[i].name);
        for (int j = 0; j < i; j++)
            if (items[j].type == GS_ITEM_KIND && strcmp(items[j].name, items[i].name) == 0) {
                gs__scan_refuse(&items[i].refused, "kind '%s' is defined twice: %s and %s", items[i].name, items[j].path,
                                items[i].path);
                gs__scan_refuse(&items[j].refused, "kind '%s' is defined twice: %s and %s", items[i].name, items[j].path,
                                items[i].path);
            }
    }
}

/* Tasks resolve like PATH: the first folder that has the name wins; two of
 * one name in that folder are refused, naming both. */
static void task_rules(gs__plugin_scan *sc) {
    gs_plugin_item *items = sc->set.items;
    for (int i = 0; i < sc->set.nitems; i++) {
        if (items[i].type != GS_ITEM_TASK || items[i].refused) continue;
        for (int j = 0; j < i; j++) {
            if (items[j].type != GS_ITEM_TASK || strcmp(items[j].name, items[i].name) != 0) continue;
            if (items[j].folder == items[i].folder) {
                gs__scan_refuse(&items[j].refused, "two tasks named '%s' in %s: %s and %s", items[i].name,
                                sc->set.folders[items[i].folder], items[j].path, items[i].path);
                gs__scan_refuse(&items[i].refused, "two tasks named '%s' in %s: %s and %s", items[i].name,
                                sc->set.folders[items[i].folder], items[j].path, items[i].path);
            } else if (items[i].shadowed_by < 0) {
                items[i].shadowed_by = items[j].shadowed_by >= 0 ? items[j].shadowed_by : j;
            }
        }
    }
}

gs_status gs__scan_path(gs__plugin_scan *sc, char *err, size_t errlen) {
    memset(sc, 0, sizeof *sc);
    gs_status st = list_folders(sc, err, errlen);
    for (int f = 0; f < sc->set.nfolders && st == GS_OK; f++) st = add_folder(sc, f);
    if (st != GS_OK) return gs_fail(err, errlen, st, "out of memory reading the plugin path");
    for (int i = 0; i < sc->set.nplugins; i++) read_manifest(sc, i);
    plugin_rules(sc);
    require_rules(sc);
    for (int i = 0; i < sc->set.nitems; i++) {
        gs_plugin_item *it = &sc->set.items[i];
        const gs_plugin *pl = it->plugin >= 0 ? &sc->set.plugins[it->plugin] : NULL;
        if (pl && pl->refused) gs__scan_refuse(&it->refused, "%s", pl->refused);
        else if (it->type == GS_ITEM_KIND) read_kind_file(sc, i);
    }
    kind_rules(sc);
    task_rules(sc);
    return GS_OK;
}
