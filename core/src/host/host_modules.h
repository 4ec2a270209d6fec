/* host_modules.h: the submodules of the trusted `gensim` module that live
 * beside their C modules: gensim.llm (core/src/llm) and gensim.library
 * (core/src/library), and the helpers they share. Each open pushes its
 * table. */
#ifndef GS_HOST_MODULES_H
#define GS_HOST_MODULES_H

#include <lua.h>

#include "gensim/task.h"

int gsl_open_llm(lua_State *L);
int gsl_open_library(lua_State *L);
/* Adds gensim.run, demos, eval, validate and gallery to the table on top
 * (workflows.c). */
void gsl_add_workflows(lua_State *L);
/* Reads the sandbox limits and split of an options table at idx into o
 * (fields max_instructions, max_memory_mb, timeout_s, max_objects, split);
 * raises on a wrong type. */
void gsl_read_task_options(lua_State *L, int idx, gs_task_options *o);
/* Pushes JSON text (malloc'd, freed here) as Lua tables; raises when it
 * cannot be read. Returns 1. */
int gsl_push_json(lua_State *L, char *text);

#endif
