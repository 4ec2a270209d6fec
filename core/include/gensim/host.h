/* host.h: the trusted Lua host, where scripts/ and the specs run.
 *
 * Unlike task files, trusted Lua gets the full standard library plus the
 * `gensim` module, which loads tasks into their own sandboxes and runs them. */
#ifndef GENSIM_HOST_H
#define GENSIM_HOST_H

#include <lua.h>

/* The `gensim` module (luaopen style): pushes the module table. */
int gsl_open_gensim(lua_State *L);
/* A state with the standard libraries and `gensim` preloaded for require;
 * NULL when out of memory. */
lua_State *gsl_host_new(void);

#endif
