/* host.h: trusted Lua scripts (public part).
 *
 * Trusted Lua (the generation pipeline in scripts/, curricula, specs) runs
 * with the full standard library and require "gensim", the module through
 * which a script does anything the command line does. Task files never run
 * here: the module loads each into its own sandbox. */
#ifndef GENSIM_HOST_H
#define GENSIM_HOST_H

#include "gensim/status.h"
#include "gensim/export.h"

GS_BEGIN_DECLS

/* Runs the Lua script at path with arg set as the stand-alone interpreter
 * sets it (arg[0] = path, arg[1..] = the argc strings of argv) and its
 * arguments passed as varargs too. The data folder's scripts/ is on
 * package.path (last), so a script can require the pipeline's modules.
 * *returned (nullable) gets the integer the script returns, or -1 when it
 * returns none. GS_ERR_IO: the script cannot be read; GS_ERR_SYNTAX: it
 * does not compile; GS_ERR_RUNTIME: it raised an error (err holds the
 * message and a traceback). */
GS_API gs_status gs_host_run_script(const char *path, int argc, char **argv, int *returned, char *err,
                             size_t errlen);

GS_END_DECLS

#endif
