/* host_modules.h: the submodules of the trusted `gensim` module that live
 * beside their C modules: gensim.llm (core/src/llm) and gensim.library
 * (core/src/library). Each pushes its table. */
#ifndef GS_HOST_MODULES_H
#define GS_HOST_MODULES_H

#include <lua.h>

int gsl_open_llm(lua_State *L);
int gsl_open_library(lua_State *L);

#endif
