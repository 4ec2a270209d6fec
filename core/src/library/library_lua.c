/* library_lua.c: gensim.library for trusted Lua (placeholder until the ladder lands). */
#include <lua.h>

#include "lua/host_modules.h"

int gsl_open_library(lua_State *L) {
    lua_newtable(L);
    return 1;
}
