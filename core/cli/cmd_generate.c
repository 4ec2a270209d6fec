/* cmd_generate.c: gensim generate, the language-model pipeline.
 *
 * The pipeline is trusted Lua (scripts/generate.lua over scripts/pipeline.lua
 * in the data folder) so researchers can read and change it; this command
 * runs it in the host and exits with the status it returns. */
#include <stdio.h>

#include "cli.h"
#include "gensim/host.h"
#include "gensim/io.h"

int cmd_generate(int argc, char **argv) {
    char path[4096], err[4096];
    if (gs_data_path("scripts/generate.lua", path, sizeof path, err, sizeof err) != GS_OK) {
        fprintf(stderr, "gensim generate: %s\n", err);
        return CLI_USAGE;
    }
    int returned;
    gs_status st = gs_host_run_script(path, argc - 1, argv + 1, &returned, err, sizeof err);
    if (st != GS_OK) {
        fprintf(stderr, "gensim generate: %s\n", err);
        return CLI_TASK;
    }
    return returned >= 0 ? returned : CLI_TASK;
}
