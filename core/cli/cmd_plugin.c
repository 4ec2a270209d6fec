/* cmd_plugin.c: gensim plugin list | new | check.
 *
 * The command is trusted Lua (scripts/plugin.lua) over gensim.plugins(),
 * which the core reads in a sandboxed worker, and gensim.validate. */
#include "cli.h"

int cmd_plugin(int argc, char **argv) { return cli_run_script("gensim plugin", "scripts/plugin.lua", argc, argv); }
