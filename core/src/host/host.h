/* host/host.h (internal): the trusted Lua host, where scripts/ and the specs run.
 *
 * Unlike task files, trusted Lua gets the full standard library plus the
 * `gensim` module, which loads tasks into their own sandboxes and runs them. */
#ifndef GS_HOST_HOST_H
#define GS_HOST_HOST_H

#include <lua.h>

#include "gensim/host.h"

/* The `gensim` module (luaopen style): pushes the module table. */
int gsl_open_gensim(lua_State *L);
/* The entry point of the Lua C module (build/lua/gensim.so): require
 * "gensim" from a plain lua5.4, whose own Lua serves the module. */
GS_API int luaopen_gensim(lua_State *L);
/* A state with the standard libraries, `gensim` preloaded for require and
 * the data folder's scripts/ last on package.path; NULL when out of memory. */
lua_State *gsl_host_new(void);

#endif
