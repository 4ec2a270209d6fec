/* cmd_generate.c: gensim generate, the language-model pipeline.
 *
 * The pipeline is trusted Lua (scripts/generate.lua over scripts/pipeline.lua
 * in the data folder) so researchers can read and change it; this command
 * runs it in the host and exits with the status it returns. */
#include "cli.h"

int cmd_generate(int argc, char **argv) { return cli_run_script("gensim generate", "scripts/generate.lua", argc, argv); }
