/* cmd_generate.c: gensim generate, the language-model pipeline.
 *
 * The pipeline is trusted Lua (scripts/generate.lua over scripts/pipeline.lua)
 * so researchers can read and change it; this command finds the scripts,
 * runs them in the host and exits with the status they return. The scripts
 * folder is $GENSIM_SCRIPTS, else the source tree's scripts/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "cli.h"
#include "gensim/host.h"

static const char *scripts_dir(void) {
    const char *env = getenv("GENSIM_SCRIPTS");
    return env && *env ? env : GS_SOURCE_DIR "/scripts";
}

int cmd_generate(int argc, char **argv) {
    const char *dir = scripts_dir();
    char path[4096];
    if (snprintf(path, sizeof path, "%s/generate.lua", dir) >= (int)sizeof path) {
        fprintf(stderr, "gensim generate: the scripts folder path is too long\n");
        return CLI_USAGE;
    }
    lua_State *L = gsl_host_new();
    if (!L) {
        fprintf(stderr, "gensim generate: out of memory\n");
        return CLI_TASK;
    }
    /* require "pipeline" resolves in the scripts folder first */
    lua_getglobal(L, "package");                       // package
    lua_pushfstring(L, "%s/?.lua;", dir);
    lua_getfield(L, -2, "path");
    lua_concat(L, 2);
    lua_setfield(L, -2, "path");
    lua_pop(L, 1);                                     //
    lua_pushstring(L, dir);
    lua_setglobal(L, "SCRIPTS_DIR");
    int status = CLI_TASK;
    if (luaL_loadfile(L, path) != LUA_OK) {
        fprintf(stderr, "gensim generate: %s\n", lua_tostring(L, -1));
    } else {
        lua_getglobal(L, "debug");
        lua_getfield(L, -1, "traceback");
        lua_remove(L, -2);                             // chunk traceback
        lua_insert(L, -2);                             // traceback chunk
        for (int i = 1; i < argc; i++) lua_pushstring(L, argv[i]);
        if (lua_pcall(L, argc - 1, 1, 1) != LUA_OK) {
            fprintf(stderr, "gensim generate: %s\n", lua_tostring(L, -1));
        } else if (lua_isinteger(L, -1)) {
            status = (int)lua_tointeger(L, -1);
        }
    }
    lua_close(L);
    return status;
}
