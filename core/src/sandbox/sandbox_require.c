/* sandbox_require.c: require "plugin.module" inside the sandbox
 * (sandbox.h).
 *
 * Lua's own require searches package.path and C libraries; the sandbox has
 * neither. Here require takes only a plugin's module name, asks the host's
 * finder for the file, and runs its text once per state as a chunk of the
 * same sandbox: the module's code counts against the same instruction
 * budget, deadline and memory cap as the task that required it, and its
 * errors are positioned in the module's file. Results are cached in a
 * registry table, so a module is one value per state however many times it
 * is required, and never shared between two tasks' states. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/sandbox_internal.h"

/* Registry keys: the table of loaded modules, and the mark of a module
 * still loading (found again: a cycle). */
static const char LOADED_KEY = 0;
static const char LOADING_MARK = 0;

void gsl_sandbox_set_require(gsl_sandbox *s, gsl_find_module_fn fn, void *ud) {
    s->find_module = fn;
    s->find_module_ud = ud;
}

/* A module name is "plugin.module" (more dots for sub-folders of lib/):
 * lowercase letters, digits, '-' and '_', no empty part. */
static int module_name_valid(const char *name, size_t len) {
    int dots = 0;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (c == '.') {
            if (i == 0 || i + 1 == len || name[i + 1] == '.') return 0;
            dots++;
        } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
            return 0;
        }
    }
    return dots > 0 && len <= 128;
}

/* Pushes the loaded-modules table. */
static void push_loaded(lua_State *L) {
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &LOADED_KEY) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_rawsetp(L, LUA_REGISTRYINDEX, &LOADED_KEY);
    }
}

/* Runs the chunk on top (popped) as module key and leaves its result (true
 * for nothing) on the stack, marking key as loading meanwhile. */
static void run_module(lua_State *L, gsl_sandbox *s, const char *key) {
    push_loaded(L);                               /* chunk loaded */
    lua_pushlightuserdata(L, (void *)&LOADING_MARK);
    lua_setfield(L, -2, key);
    lua_insert(L, -2);                            /* loaded chunk */
    s->requiring++;
    /* protected, so the mark is cleared on the way out of an error too and
     * a task that catches the error does not later meet a false cycle;
     * the limits still hold: a tripped hook raises again at once */
    int rc = lua_pcall(L, 0, 1, 0);               /* loaded result|error */
    s->requiring--;
    if (rc != LUA_OK) {
        lua_pushnil(L);
        lua_setfield(L, -3, key);
        lua_error(L);
    }
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushboolean(L, 1);
    }
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, key);                     /* loaded result */
    lua_remove(L, -2);
}

/* Pushes module key's cached value and returns 1, or returns 0 (nothing
 * pushed) when it has not been loaded; raises on a cycle. */
static int cached(lua_State *L, const char *key) {
    push_loaded(L);
    lua_getfield(L, -1, key);
    lua_remove(L, -2);
    if (lua_touserdata(L, -1) == &LOADING_MARK)
        luaL_error(L, "require: '%s' requires itself through the modules it requires (a cycle)", key);
    if (!lua_isnil(L, -1)) return 1;
    lua_pop(L, 1);
    return 0;
}

/* Compiles src as the file at path, checked as any task source is. */
static void load_text(lua_State *L, gsl_sandbox *s, const char *path, const char *src, size_t len) {
    char why[512];
    if (len > 0 && src[0] == LUA_SIGNATURE[0]) luaL_error(L, "%s: precompiled (binary) chunks are not accepted", path);
    if (gsl__check_source(path, src, len, why, sizeof why) != GS_OK) luaL_error(L, "%s", why);
    char chunkname[256];
    snprintf(chunkname, sizeof chunkname, "@%s", path);
    gsl__add_source(s, chunkname);
    if (luaL_loadbufferx(L, src, len, chunkname, "t") != LUA_OK) lua_error(L);
}

void gsl_sandbox_require_text(lua_State *L, const char *key, const char *path, const char *src, size_t len) {
    gsl_sandbox *s = gsl__sandbox_of(L);
    if (cached(L, key)) return;
    if (s->requiring >= GSL_MAX_REQUIRE_DEPTH)
        luaL_error(L, "require: modules nest more than %d deep", GSL_MAX_REQUIRE_DEPTH);
    load_text(L, s, path, src, len);
    run_module(L, s, key);
}

/* A malloc'd block owned by a userdata until copied into the state, so a
 * memory error in between (a longjmp) cannot leak it. */
#define TEXT_BOX "gensim.sandbox.text"

static int free_box(lua_State *L) {
    char **box = luaL_checkudata(L, 1, TEXT_BOX);
    free(*box);
    *box = NULL;
    return 0;
}

static char **push_box(lua_State *L) {
    char **box = lua_newuserdatauv(L, sizeof *box, 0);
    *box = NULL;
    if (luaL_newmetatable(L, TEXT_BOX)) {
        lua_pushcfunction(L, free_box);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    return box;
}

static int sandbox_require(lua_State *L) {
    size_t len;
    const char *name = luaL_checklstring(L, 1, &len);
    if (!module_name_valid(name, len))
        return luaL_error(L, "require reaches only a plugin's helper modules (\"plugin.module\", from the "
                             "plugin's lib/ folder), not '%s'", name);
    gsl_sandbox *s = gsl__sandbox_of(L);
    if (cached(L, name)) return 1;
    if (s->requiring >= GSL_MAX_REQUIRE_DEPTH)
        return luaL_error(L, "require: modules nest more than %d deep", GSL_MAX_REQUIRE_DEPTH);
    if (!s->find_module) return luaL_error(L, "require: no plugin modules are available here ('%s')", name);
    char path[1024], err[512];
    size_t srclen = 0;
    char **box = push_box(L); /* box */
    if (s->find_module(s->find_module_ud, name, path, sizeof path, box, &srclen, err, sizeof err) != GS_OK)
        return luaL_error(L, "require: %s", err);
    gsl__charge(L, srclen / GSL_CHARGE_BYTES);
    lua_pushlstring(L, *box, srclen); /* box text */
    free(*box);
    *box = NULL;
    lua_remove(L, -2);                /* text */
    const char *text = lua_tostring(L, -1);
    load_text(L, s, path, text, srclen); /* text chunk */
    lua_remove(L, -2);
    run_module(L, s, name);
    return 1;
}

void gsl__install_require(lua_State *L) {
    lua_pushcfunction(L, sandbox_require);
    lua_setglobal(L, "require");
}
