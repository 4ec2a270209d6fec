/* llm_lua.c: gensim.llm for trusted Lua (placeholder until the client lands). */
#include <lua.h>

#include "lua/host_modules.h"

int gsl_open_llm(lua_State *L) {
    lua_newtable(L);
    return 1;
}
